# Shared helpers for the tests of real Debian servers packed into the guest
# (tests/system/server-*.py, docs/pack.md "Servers"): the host packages
# from tools/deps.sh, a guest booted in the background with TCP ports
# forwarded to it, and its console read line by line. Not a test itself.

import hashlib
import os
import socket
import subprocess
import threading
import time

from lib import ROOT, fail, petrel_args, quote, skip

DEPS = os.path.join(ROOT, "tools", "deps.sh")
LOG_MARK = "kernel-log: "
# Unknown system calls that glibc tries first and falls back from when they
# are ENOSYS (clone3, at every pthread_create): logged, but no failure.
PROBED_CALLS = ("system call 435:",)
DONE_MARK = "guest-done"
# The end of every guest script, after a `read -r _` that waits for
# Guest.finish's line on the console: shows what the kernel logged about
# its programs (a fault, a system call it lacks) and stops the machine.
GUEST_END = r"""
dmesg | grep -E 'segfault|unknown system call' | sed 's/^/%s/'
echo %s
""" % (LOG_MARK, DONE_MARK)


def need_packages(packages, files):
	"""Installs the Debian packages with tools/deps.sh (it does nothing
	when they are there) and skips the test, saying why, when that fails
	or one of files is still missing."""
	proc = subprocess.run([DEPS] + list(packages), capture_output=True,
			      text=True, timeout=600)
	if proc.returncode != 0:
		skip("skipped: tools/deps.sh %s failed: %s"
		     % (" ".join(packages), proc.stderr.strip()[-300:]))
	for path in files:
		if not os.path.exists(path):
			skip("skipped: no %s on this host" % path)


def have_packages(packages, files):
	"""need_packages for an optional part: True when they are there."""
	proc = subprocess.run([DEPS] + list(packages), capture_output=True,
			      timeout=600)
	return proc.returncode == 0 and all(os.path.exists(p) for p in files)


def free_port():
	"""A TCP port on the host's loopback that nothing listens on now."""
	with socket.socket() as s:
		s.bind(("127.0.0.1", 0))
		return s.getsockname()[1]


def file_sha256(path):
	digest = hashlib.sha256()
	with open(path, "rb") as f:
		while chunk := f.read(1 << 20):
			digest.update(chunk)
	return digest.hexdigest()


class Guest:
	"""`./petrel run` in the background: packs (host paths) added to the
	image, each guest port in ports forwarded from a free host port
	(self.port[GUESTPORT]), the guest running command (an argv list).
	Its console is printed as it comes and kept in self.lines."""

	def __init__(self, command, packs, ports=(), smp=None, mem=None,
		     timeout=240):
		self.port = {guest: free_port() for guest in ports}
		extra = []
		for path in packs:
			extra += ["--pack", path]
		for guest, host in self.port.items():
			extra += ["--fwd", "%d:%d" % (host, guest)]
		if mem:
			extra += ["--mem", mem]
		argv = petrel_args(smp=smp, timeout=timeout, extra=extra)
		argv += ["--"] + list(command)
		print("$ " + " ".join(quote(a) for a in argv[1:]), flush=True)
		self.lines = []
		self.ended = False	# the console reached its end
		self.changed = threading.Condition()
		self.proc = subprocess.Popen(argv, cwd=ROOT, stdin=subprocess.PIPE,
					     stdout=subprocess.PIPE,
					     stderr=subprocess.STDOUT)
		self.reader = threading.Thread(target=self.read, daemon=True)
		self.reader.start()

	def read(self):
		for raw in self.proc.stdout:
			line = raw.decode(errors="replace").rstrip()
			print(line, flush=True)
			with self.changed:
				self.lines.append(line)
				self.changed.notify_all()
		self.proc.wait()
		with self.changed:
			self.ended = True
			self.changed.notify_all()

	def wait_for(self, text, seconds):
		"""The first console line containing text; fails the test when
		the guest stops or seconds pass first."""
		deadline = time.monotonic() + seconds
		with self.changed:
			while True:
				for line in self.lines:
					if text in line:
						return line
				if self.ended:
					fail("the guest stopped (status %d) before "
					     "printing %r" % (self.proc.returncode, text))
				left = deadline - time.monotonic()
				if left <= 0:
					fail("no %r from the guest within %ds"
					     % (text, seconds))
				self.changed.wait(min(left, 1))

	def tell(self, line):
		"""Types line on the guest's stdin (its script reads it)."""
		print("[told the guest %r]" % line, flush=True)
		self.proc.stdin.write(line.encode() + b"\n")
		self.proc.stdin.flush()

	def finish(self, seconds=60):
		"""Types a line on the guest's stdin, which its script's last
		`read` waits for, and waits for the script to end: fails the
		test unless it exits 0 without a segfault or an unknown system
		call (but PROBED_CALLS) in the kernel log."""
		try:
			self.proc.stdin.write(b"\n")
			self.proc.stdin.close()
		except BrokenPipeError:
			pass
		try:
			self.proc.wait(timeout=seconds)
		except subprocess.TimeoutExpired:
			fail("the guest did not end within %ds of being told" % seconds)
		self.reader.join(timeout=10)
		logged = [l for l in self.lines if LOG_MARK in l]
		if self.proc.returncode != 0 or not any(
				l.startswith(DONE_MARK) for l in self.lines):
			fail("the guest ended with status %d" % self.proc.returncode)
		for line in logged:
			if "segfault" in line or ("unknown system call" in line
					and not any(c in line for c in PROBED_CALLS)):
				fail("the kernel logged: " + line)

	def stop(self):
		"""Ends the run (petrel takes QEMU with it); returns its status."""
		if self.proc.poll() is None:
			self.proc.terminate()
		try:
			self.proc.wait(timeout=30)
		except subprocess.TimeoutExpired:
			self.proc.kill()
			self.proc.wait()
		self.reader.join(timeout=10)
		return self.proc.returncode

	def __enter__(self):
		return self

	def __exit__(self, *exc):
		self.stop()
