#!/usr/bin/env python3
# Boots: nothing; checks the citations of docs/ sections in the tree.
# Does:  reads every file git tracks (code comments, docs, scripts) and
#        finds each `docs/<name>.md` followed by a section, as in
#        `docs/<name>.md, "Heading"`, `docs/<name>.md ("Heading")` or
#        `docs/<name>.md §N`, with more names after `,` or `and`, a name
#        cut across comment lines read whole; reads the figures block
#        markers of bench/run and bench/a64bench.py.
# Expects: every cited docs/<name>.md exists; every quoted name starts
#        one of its headings, bold spans (`**Timers**`) or list items'
#        first lines (the docs name sections all three ways; a prefix
#        will do: "What two vCPUs share" names "What two vCPUs share:
#        tmpfs reads and faults (filescale, 2026-12-06)"); every §N has a
#        heading "N. ..."; each figures block `bench/run --update-doc`
#        rewrites is in docs/performance.md once, begin before end (it
#        looks for them there and nowhere else).
import os
import re
import subprocess
import sys
sys.dont_write_bytecode = True	# no __pycache__ in the tree

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
	os.path.realpath(__file__))))
PERF_DOC = os.path.join("docs", "performance.md")
BLOCK_SOURCES = (os.path.join("bench", "run"),
		 os.path.join("bench", "a64bench.py"))

# A comment's line break and its leader (" * ", "# ", "// ") read as one
# space, so that a name cut across lines is found whole.
LINE_BREAK = re.compile(r"[ \t]*\n[ \t]*(?:\*(?![*/])|#+(?=[ \t])|//)?[ \t]*")
CITE = re.compile(r'docs/([A-Za-z0-9_.-]+\.md)((?:\s*§\d+)?)')
FIRST_NAME = re.compile(r'[\s,(]+"([^"\n]{1,200})"')
MORE_NAME = re.compile(r'\s*(?:,\s*and|,|and)\s+"([^"\n]{1,200})"')
HEADING = re.compile(r"^#{1,6}\s+(.*?)\s*#*\s*$")
BOLD = re.compile(r"\*\*([^*]+?)\*\*")
LIST_ITEM = re.compile(r"^\s*[-*]\s+(.*)$")
MARKER = re.compile(r'"(<!-- bench[a-z0-9-]*:(?:begin|end)[^"]*-->)"')


def tracked_files():
	out = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, check=True,
			     capture_output=True).stdout
	return [p for p in out.decode().split("\0") if p]


def read_text(path):
	try:
		with open(os.path.join(ROOT, path), "rb") as f:
			data = f.read()
	except OSError:
		return None
	if b"\0" in data[:4096]:
		return None
	return data.decode("utf-8", "replace")


def headings(doc, cache={}):
	"""The section names of doc, its headings, bold spans and list items'
	first lines outside ``` fences, or None if it is missing."""
	if doc not in cache:
		text = read_text(doc)
		found = None
		if text is not None:
			found, fenced, prose = [], False, []
			for line in text.split("\n"):
				if line.startswith("```"):
					fenced = not fenced
				m = None if fenced else HEADING.match(line)
				if m:
					found.append(" ".join(m.group(1).split()))
				elif not fenced:
					prose.append(line)
					item = LIST_ITEM.match(line)
					if item:
						found.append(item.group(1).strip())
			for m in BOLD.finditer("\n".join(prose)):
				found.append(" ".join(m.group(1).split()))
		cache[doc] = found
	return cache[doc]


def citations(text):
	"""(doc, section) pairs cited in text: section is '§N' or a name."""
	text = LINE_BREAK.sub(" ", text)
	for m in CITE.finditer(text):
		doc = "docs/" + m.group(1)
		yield doc, None
		if m.group(2).strip():
			yield doc, m.group(2).strip()
		n = FIRST_NAME.match(text, m.end())
		while n:
			yield doc, " ".join(n.group(1).split())
			n = MORE_NAME.match(text, n.end())


def resolves(names, section):
	if section.startswith("§"):
		number = section[1:] + ". "
		return any(h.startswith(number) for h in names)
	return any(h.startswith(section) for h in names)


def check_citations():
	bad = []
	for path in tracked_files():
		text = read_text(path)
		if text is None or "docs/" not in text:
			continue
		for doc, section in citations(text):
			names = headings(doc)
			if names is None:
				bad.append(f"{path}: cites {doc}, which does not exist")
			elif section is not None and not resolves(names, section):
				bad.append(f'{path}: cites {doc}, "{section}": '
					   f"no such heading there")
	return sorted(set(bad))


def check_blocks():
	bad = []
	doc = read_text(PERF_DOC) or ""
	markers = []
	for src in BLOCK_SOURCES:
		markers += MARKER.findall(read_text(src) or "")
	begins = [m for m in markers if ":begin" in m]
	if len(begins) < 9:
		bad.append(f"found only {len(begins)} figures blocks in "
			   f"{', '.join(BLOCK_SOURCES)}: has the marker format changed?")
	for m in markers:
		if doc.count(m) != 1:
			bad.append(f"{PERF_DOC}: {m} appears {doc.count(m)} times, "
				   f"bench/run --update-doc needs it once")
	for b in begins:
		e = b.split(":begin")[0] + ":end -->"
		if doc.find(b) > doc.find(e):
			bad.append(f"{PERF_DOC}: {e} before {b}")
	return bad


def main():
	bad = check_citations() + check_blocks()
	for line in bad:
		print(line)
	print("docs-refs: %d problem(s)" % len(bad))
	return 1 if bad else 0


if __name__ == "__main__":
	sys.exit(main())
