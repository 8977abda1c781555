# Shared helpers for Petrel's system tests: boot the guest through
# `./petrel run` under TCG and check what comes back. Each test is a small
# executable script that imports this file (it is not a test itself).
# A failed check prints what was expected next to what the guest printed.

import http.client
import os
import pty
import select
import signal
import socket
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
	os.path.realpath(__file__))))
PETREL = os.path.join(ROOT, "petrel")
TEST_INITRD = os.path.join(ROOT, "build", "initramfs-test.cpio")
BOOT_TIMEOUT = 120
# Tests boot under TCG, as CI has no KVM; PETREL_TEST_ACCEL=kvm runs the
# same tests under KVM on a machine where /dev/kvm works.
TEST_ACCEL = os.environ.get("PETREL_TEST_ACCEL", "tcg")
# PETREL_TEST_KERNEL names another kernel ELF to boot: tests/run sets it to
# the assert-enabled build/assert/kernel.elf for its second pass. (An --iso
# boot has its kernel inside the ISO and ignores it.)
TEST_KERNEL = os.environ.get("PETREL_TEST_KERNEL")
EXIT_SKIP = 77


class Boot:
	"""The result of one `./petrel run -- COMMAND`."""

	def __init__(self, argv, status, output, errors):
		self.argv = argv
		self.status = status
		self.output = output	# the guest console, "\n" line ends
		self.errors = errors	# petrel's and QEMU's stderr
		self.lines = [l.rstrip() for l in output.splitlines()]


def petrel_args(machine=None, smp=None, iso=False, test_image=False,
		timeout=BOOT_TIMEOUT, extra=(), accel=None, arch=None):
	"""The `./petrel run` options every test uses, plus the chosen ones.
	arch="aarch64" boots the aarch64 build (TCG; PETREL_TEST_KERNEL, an
	x86_64 kernel, does not apply to it)."""
	if arch == "aarch64":
		args = [PETREL, "run", "--arch", arch, "--timeout", str(timeout)]
		if smp:
			args += ["--smp", str(smp)]
		return args + list(extra)
	args = [PETREL, "run", "--accel", accel or TEST_ACCEL,
		"--timeout", str(timeout)]
	if machine:
		args += ["--machine", machine]
	if smp:
		args += ["--smp", str(smp)]
	if iso:
		args += ["--iso"]
	elif TEST_KERNEL:
		args += ["--kernel", TEST_KERNEL]
	if test_image:
		args += ["--initrd", need_test_image()]
	return args + list(extra)


def boot(command, stdin=None, **options):
	"""Boots Petrel running command (a list: the guest argv, or one string
	for /bin/sh -c) and returns a Boot. Prints the run, for the log."""
	if isinstance(command, str):
		command = [command]
	argv = petrel_args(**options) + ["--"] + command
	print("$ " + " ".join(quote(a) for a in argv[1:]), flush=True)
	proc = subprocess.run(
		argv, cwd=ROOT, capture_output=True,
		input=stdin.encode() if stdin is not None else None,
		stdin=subprocess.DEVNULL if stdin is None else None,
		timeout=BOOT_TIMEOUT + 30)
	result = Boot(argv, proc.returncode,
		      proc.stdout.decode(errors="replace"),
		      proc.stderr.decode(errors="replace"))
	print(result.output, end="" if result.output.endswith("\n") else "\n")
	if result.errors:
		print("[stderr] " + result.errors.rstrip())
	print("[status %d]" % result.status, flush=True)
	if "kernel panic: " in result.output:
		print(symbolize(result.output, kernel_of(options)), end="")
		fail("%s: the kernel panicked" % describe(result))
	return result


def kernel_of(options):
	"""The kernel ELF a boot with these petrel_args options ran."""
	if options.get("arch") == "aarch64":
		return os.path.join(ROOT, "build", "aarch64", "kernel.elf")
	return TEST_KERNEL or os.path.join(ROOT, "build", "kernel.elf")


def symbolize(output, kernel):
	"""Each "backtrace: ADDR ..." line of a panic or kernel fault in
	output, with addr2line's function and line for each address
	(empty when there is none, or no addr2line)."""
	text = ""
	for line in output.splitlines():
		if not line.startswith("backtrace:"):
			continue
		# Return addresses: the call is the byte before each.
		try:
			calls = ["%x" % (int(a, 16) - 1) for a in line.split()[1:]]
			found = subprocess.run(
				["addr2line", "-f", "-i", "-p", "-e", kernel]
				+ calls, capture_output=True, timeout=30)
		except (ValueError, OSError, subprocess.TimeoutExpired):
			continue
		text += "backtrace in %s:\n" % os.path.relpath(kernel, ROOT)
		for where in found.stdout.decode(errors="replace").splitlines():
			text += "  " + where + "\n"
	return text


def quote(arg):
	if arg and all(c.isalnum() or c in "-_./=:,+@" for c in arg):
		return arg
	return "'" + arg.replace("'", "'\\''") + "'"


def need_test_image():
	if not os.path.isfile(TEST_INITRD):
		fail("%s is missing: run `make test` (or make %s)"
		     % (TEST_INITRD, os.path.relpath(TEST_INITRD, ROOT)))
	return TEST_INITRD


# ---- Checks: each one ends the test with a message when it fails ----------

def fail(message):
	print("FAIL: " + message, flush=True)
	sys.exit(1)


def skip(message):
	print(message, flush=True)
	sys.exit(EXIT_SKIP)


def expect_status(result, status):
	if result.status != status:
		fail("%s: exit status %d, expected %d"
		     % (describe(result), result.status, status))


def expect_lines(result, expected):
	"""Each expected line appears as a whole line, in this order. Other
	lines (kernel warnings, echoes) may come between them."""
	position = 0
	for line in expected:
		try:
			position = result.lines.index(line, position) + 1
		except ValueError:
			fail("%s: expected the line %r (after line %d of the output)"
			     % (describe(result), line, position))


def expect_in(result, text):
	if text not in result.output:
		fail("%s: expected %r in the output" % (describe(result), text))


def describe(result):
	return "`%s`" % " ".join(result.argv[result.argv.index("--") + 1:])


def passed(message="ok"):
	print(message, flush=True)
	sys.exit(0)


# ---- Shared test bodies --------------------------------------------------------

def check_machine_runs(machine, smps, iso=False):
	"""Boots once per vCPU count and runs `true`, then echo and nproc."""
	for smp in smps:
		result = boot("true && echo petrel-booted && nproc",
			      machine=machine, smp=smp, iso=iso)
		expect_status(result, 0)
		expect_lines(result, ["petrel-booted", str(smp)])


CONSOLE_BOOT_WAIT = 60


class Console:
	"""./petrel run on a pty; everything it printed is kept in self.seen."""

	def __init__(self, argv):
		self.pid, self.fd = pty.fork()
		if self.pid == 0:
			os.chdir(ROOT)
			os.execv(argv[0], argv)
		self.seen = b""
		self.exit_status = None

	def send(self, data):
		print("[typed %r]" % data, flush=True)
		os.write(self.fd, data)

	def read(self, seconds):
		"""Reads for up to seconds; False once petrel has exited."""
		ready, _, _ = select.select([self.fd], [], [], seconds)
		if not ready:
			return True
		try:
			data = os.read(self.fd, 4096)
		except OSError:		# EIO: the other side has closed
			data = b""
		if not data:
			return False
		self.seen += data
		sys.stdout.write(data.decode(errors="replace"))
		sys.stdout.flush()
		return True

	def wait_for(self, text, seconds, start=0):
		"""True once text appears in the output after offset start."""
		deadline = time.monotonic() + seconds
		while text not in self.seen[start:]:
			left = deadline - time.monotonic()
			if left <= 0 or not self.read(min(left, 0.5)):
				return False
		return True

	def wait_exit(self, seconds):
		"""Returns petrel's exit code, or None if it runs past seconds."""
		deadline = time.monotonic() + seconds
		reading = True
		while time.monotonic() < deadline:
			pid, status = os.waitpid(self.pid, os.WNOHANG)
			if pid != 0:
				return os.waitstatus_to_exitcode(status)
			if reading:
				reading = self.read(0.5)
			else:
				time.sleep(0.1)
		return None

	def kill(self):
		try:
			os.kill(self.pid, signal.SIGTERM)
			os.waitpid(self.pid, 0)
		except (ProcessLookupError, ChildProcessError):
			pass


def wait_for_shell(console):
	"""Types a probe command until the shell runs it."""
	deadline = time.monotonic() + CONSOLE_BOOT_WAIT
	while time.monotonic() < deadline:
		console.send(b"echo ready-$((6*7))\r")
		if console.wait_for(b"ready-42", 3):
			console.read(0.5)
			return
	fail("no shell answered on the console within %ds" % CONSOLE_BOOT_WAIT)


def free_port():
	"""A TCP port on the host's loopback that nothing listens on now."""
	with socket.socket() as s:
		s.bind(("127.0.0.1", 0))
		return s.getsockname()[1]


def fetch_page(port, deadline):
	"""GET / from the host's loopback port (a guest's forwarded httpd),
	retried until deadline (time.monotonic()); the body, or None."""
	while time.monotonic() < deadline:
		try:
			c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
			c.request("GET", "/")
			r = c.getresponse()
			body = r.read()
			c.close()
			if r.status == 200:
				return body
		except (OSError, http.client.HTTPException):
			pass
		time.sleep(0.5)
	return None
