#!/usr/bin/env python3
# Boots: the default image on microvm, four times.
# Does:  1. `./petrel run --trace-syscalls -- sh -c 'head -n1 /etc/hostname;
#           dmesg | grep ...; cat /nonexistent; dd ...; exit 3'`;
#        2. the same with --trace-syscalls=openat,close and a FILE;
#        3. --append "trace=syscalls trace.out=log" (the kernel word alone);
#        4. no tracing at all.
# Expects: 1. the command's output alone on stdout, and on stderr the calls
#        as strace prints them: execve with its argv (cut at 32 bytes),
#        openat, read, write, close and dd's mmap decoded, the failed
#        openat as "= -1 ENOENT (No such file or directory)", clone's
#        flags, wait4's status, the exit; only the command's processes (no init, netd or
#        fsd); the lines are in the kernel log too.
#        2. only openat and close lines, in FILE and not on stderr.
#        3. nothing on the console, the lines in the kernel log (dmesg).
#        4. no trace line anywhere, the kernel log without them.
import os, re, sys, tempfile
sys.dont_write_bytecode = True	# no __pycache__ in the tree
sys.path.insert(0, os.path.dirname(os.path.realpath(__file__)))
from lib import boot, describe, expect_lines, expect_status, fail, passed

# dmesg comes early, while the kernel log's 16 KiB ring still holds the
# line of head's openat.
COMMAND = ("head -n1 /etc/hostname; "
	   "dmesg | grep -c 'openat(AT_FDCWD, \"/etc/hostname\"'; "
	   "cat /nonexistent; "
	   "dd if=/dev/zero of=/dev/null bs=1M count=1 2>/dev/null; exit 3")
LINE = re.compile(r"\[pid (\d+)\] (\w+)\((.*)\) = (.*)$")
EVENT = re.compile(r"\[pid (\d+)\] (\+\+\+|---) .* (\+\+\+|---)$")


def trace_lines(result, text):
	"""The trace lines of text; every line must be one."""
	lines = [l for l in text.splitlines() if l]
	for line in lines:
		if not LINE.match(line) and not EVENT.match(line):
			fail("%s: not a trace line: %r" % (describe(result), line))
	return lines


def expect_trace(result, lines, pattern):
	if not any(re.fullmatch(pattern, l) for l in lines):
		fail("%s: no trace line matches %r" % (describe(result), pattern))


def check_full_trace():
	result = boot(COMMAND, extra=["--trace-syscalls"])
	expect_status(result, 3)
	expect_lines(result, ["petrel", "1"])	# the line, dmesg's count
	if "[pid " in result.output:
		fail("%s: trace lines on stdout" % describe(result))
	lines = trace_lines(result, result.errors)
	pid = r"\[pid \d+\] "
	for pattern in (
		r'execve\("/bin/sh", \["sh", "-c", "head -n1 /etc/hostname; '
		r'dmesg \| "\.\.\.\], 0x[0-9a-f]+ /\* \d+ vars \*/\) = 0',
		r'openat\(AT_FDCWD, "/etc/hostname", O_RDONLY\) = 3',
		r'read\(3, "petrel\\n", \d+\) = 7',
		r'write\(1, "petrel\\n", 7\) = 7',
		r'close\(3\) = 0',
		r'openat\(AT_FDCWD, "/nonexistent", O_RDONLY\) = '
		r'-1 ENOENT \(No such file or directory\)',
		r'write\(2, "cat: can\'t open \'/nonexistent\': "\.\.\., 58\) = 58',
		r'clone\(CLONE_CHILD_CLEARTID\|CLONE_CHILD_SETTID\|SIGCHLD, .*\) '
		r'= \d+',
		r'wait4\(-1, \[\{WIFEXITED\(s\) && WEXITSTATUS\(s\) == 0\}\], 0, '
		r'NULL\) = \d+',
		r'mmap\(NULL, 1048576, PROT_READ\|PROT_WRITE, '
		r'MAP_PRIVATE\|MAP_ANONYMOUS, -1, 0\) = 0x[0-9a-f]+',
		r'exit_group\(3\) = \?',
		r'\+\+\+ exited with 3 \+\+\+'):
		expect_trace(result, lines, pid + pattern)
	# Only the command's processes: the shell and the children it made.
	first = int(LINE.match(lines[0]).group(1))
	ours = {first} | {int(m.group(4)) for m in map(LINE.match, lines)
			  if m and m.group(2) in ("clone", "fork", "vfork")}
	strays = [l for l in lines
		  if int(re.match(r"\[pid (\d+)\]", l).group(1)) not in ours]
	if strays:
		fail("%s: calls of other processes traced: %r"
		     % (describe(result), strays[:3]))


def check_filter_and_file():
	with tempfile.TemporaryDirectory() as tmp:
		path = os.path.join(tmp, "trace.txt")
		result = boot(COMMAND, extra=["--trace-syscalls=openat,close",
					      "--trace-syscalls=" + path])
		expect_status(result, 3)
		if "[pid " in result.errors or "[pid " in result.output:
			fail("%s: trace lines not in the file" % describe(result))
		with open(path) as f:
			lines = trace_lines(result, f.read())
	names = {LINE.match(l).group(2) for l in lines if LINE.match(l)}
	if names != {"openat", "close"}:
		fail("%s: traced %s, wanted openat and close"
		     % (describe(result), sorted(names)))
	expect_trace(result, lines, r'\[pid \d+\] openat\(AT_FDCWD, '
		     r'"/nonexistent", O_RDONLY\) = -1 ENOENT \(No such file or '
		     r'directory\)')


def check_kernel_word():
	result = boot(COMMAND, extra=["--append", "trace=syscalls trace.out=log"])
	expect_status(result, 3)
	expect_lines(result, ["petrel", "1"])
	if "[pid " in result.errors + result.output:
		fail("%s: trace.out=log, yet lines on the console"
		     % describe(result))


def check_off():
	result = boot(COMMAND)
	expect_status(result, 3)
	expect_lines(result, ["petrel", "0"])
	if "[pid " in result.errors + result.output:
		fail("%s: traced without --trace-syscalls" % describe(result))


check_full_trace()
check_filter_and_file()
check_kernel_word()
check_off()
passed()
