# What one LTP test's run came to, on either side: pass, fail, conf (TCONF
# only: a feature the test needs is absent), timeout, crash (the guest
# stopped) or missing (the program did not build), with a one-line reason
# taken from its output and, in Petrel, the kernel's ENOSYS lines.

import re

STATUSES = ("pass", "fail", "conf", "timeout", "crash", "missing")
EXIT_TCONF = 32
# busybox timeout -s KILL, coreutils timeout -s KILL: 128 + SIGKILL.
EXIT_KILLED = 137
EXIT_NOT_FOUND = 127
REASON = re.compile(r"\b(TFAIL|TBROK)\b")
LTP_TIMEOUT = "Test timeouted"
MAX_LINES = 200
# Where a message was printed from, as the old API repeats it: "foo.c:12: ".
SOURCE = re.compile(r"^\w+\.c:\d+:\s*")
# LTP colours its result words on a terminal (the guest's console is one).
COLOUR = re.compile(r"\x1b\[[0-9;]*m")


class Result:
	def __init__(self, status, output, dmesg, seconds=None, reason=""):
		self.status = status
		self.output = [COLOUR.sub("", l) for l in output[-MAX_LINES:]]
		self.dmesg = dmesg
		self.seconds = seconds
		self.reason = reason

	def as_json(self):
		return {"status": self.status, "seconds": self.seconds,
			"reason": self.reason, "dmesg": self.dmesg}


def judge(code, output, dmesg, seconds):
	"""The Result of a test that ended with exit code `code`."""
	output = [COLOUR.sub("", l) for l in output]
	if code == 0:
		return Result("pass", output, dmesg, seconds)
	if code == EXIT_TCONF:
		return Result("conf", output, dmesg, seconds,
			      first_line(output, "TCONF"))
	if code == EXIT_KILLED or any(LTP_TIMEOUT in l for l in output):
		return Result("timeout", output, dmesg, seconds,
			      timeout_reason(output))
	if code == EXIT_NOT_FOUND and not any(
			REASON.search(l) for l in output):
		return Result("missing", output, dmesg, seconds,
			      "program not built")
	reason = first_line(output, "TFAIL", "TBROK")
	if not reason:
		reason = "exit %d: %s" % (code, output[-1] if output else "")
	return Result("fail", output, dmesg, seconds, reason.strip())


def first_line(output, *kinds):
	"""The first line of output naming one of kinds, as "KIND: what
	follows it" (the file and line before it dropped)."""
	for line in output:
		for kind in kinds:
			if re.search(r"\b%s\b" % kind, line):
				rest = line.split(kind, 1)[1].lstrip(": ")
				rest = SOURCE.sub("", rest)
				return "%s: %s" % (kind, rest.strip()[:160])
	return ""


def timeout_reason(output):
	""""timeout", with the last line the test printed before it (not
	the shell's "Killed")."""
	for line in reversed(output):
		if LTP_TIMEOUT in line:
			output = output[:output.index(line)]
			break
	said = [l.strip() for l in output if l.strip() not in ("", "Killed")]
	if not said:
		return "timeout"
	return "timeout (last: %s)" % SOURCE.sub("", said[-1])[:120]
