#!/usr/bin/env python3
# Boots: the default image with host files added by `./petrel run --pack`
#        (docs/pack.md): the host's /usr/bin/env and GNU /bin/ls (glibc,
#        libselinux, libpcre2 come with them) and a fresh directory of a
#        script and a symlink to it; then, when the host has it,
#        /usr/bin/python3 with its standard library.
# Does:  runs each packed program in the guest; asks --print-cmd for the
#        image twice more, then once after changing a packed file;
#        runs python3 -c 'import sqlite3,threading; print(42)'.
# Expects: the packed programs run in place of BusyBox's applets of the
#        same names (the second cpio archive overrides the base image),
#        the symlink stays one; the second --print-cmd names the same
#        cached image, unwritten since (same mtime); a changed file gives
#        a new image; python prints 42 and its image got more --mem than
#        the default, with a note on stderr.
import os, re, shutil, subprocess, sys, tempfile, time
sys.dont_write_bytecode = True	# no __pycache__ in the tree
sys.path.insert(0, os.path.dirname(os.path.realpath(__file__)))
from lib import (PETREL, ROOT, boot, expect_lines, expect_status, fail,
		 passed)

PYTHON = "/usr/bin/python3"


def packed_image(packs):
	"""The -initrd path ./petrel run --print-cmd names for these packs."""
	argv = [PETREL, "run", "--accel", "tcg", "--print-cmd"]
	for path in packs:
		argv += ["--pack", path]
	proc = subprocess.run(argv + ["--", "true"], cwd=ROOT, text=True,
			      capture_output=True, timeout=120)
	match = re.search(r" -initrd (\S+)", proc.stdout)
	if proc.returncode != 0 or not match:
		fail("%s: no -initrd in %r %r"
		     % (argv, proc.stdout, proc.stderr))
	return match.group(1)


def check_cache(packs, script):
	first = packed_image(packs)
	if not first.startswith(os.path.join(ROOT, "build", "pack") + "/"):
		fail("the packed image %s is not under build/pack/" % first)
	mtime = os.stat(first).st_mtime_ns
	time.sleep(0.01)
	again = packed_image(packs)
	if again != first or os.stat(again).st_mtime_ns != mtime:
		fail("the second run did not reuse %s (got %s)"
		     % (first, again))
	with open(script, "a") as f:
		f.write("echo changed\n")
	changed = packed_image(packs)
	if changed == first:
		fail("a changed packed file still gave the cached image")
	for path in (first, changed):
		os.unlink(path)


def check_python():
	if not os.path.isfile(PYTHON):
		print("no %s on this host: python part skipped" % PYTHON)
		return
	result = boot(["python3", "-c", "import sqlite3,threading; print(42)"],
		      extra=["--pack", PYTHON])
	expect_status(result, 0)
	expect_lines(result, ["42"])
	if "using --mem" not in result.errors:
		fail("no note on stderr that --mem was raised")


tmp = tempfile.mkdtemp(prefix="petrel-pack-")
try:
	script = os.path.join(tmp, "hello")
	with open(script, "w") as f:
		f.write("#!/bin/sh\necho hello from %s\n" % tmp)
	os.chmod(script, 0o755)
	os.symlink("hello", os.path.join(tmp, "hi"))
	packs = ["/usr/bin/env", "/bin/ls", tmp]
	extra = []
	for path in packs:
		extra += ["--pack", path]
	result = boot("/usr/bin/env -i A=1; "
		      "/bin/ls --version | head -n 1 | cut -d' ' -f1-3; "
		      "/bin/ls -1 %s; readlink %s/hi; %s/hi" % (tmp, tmp, tmp),
		      extra=extra)
	expect_status(result, 0)
	expect_lines(result, ["A=1", "ls (GNU coreutils)", "hello", "hi",
			      "hello", "hello from " + tmp])
	check_cache(packs, script)
finally:
	shutil.rmtree(tmp)
check_python()
passed()
