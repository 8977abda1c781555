#!/usr/bin/env python3
# Boots: the default image on microvm interactively (`./petrel run`, no
#        command), its console on a pseudo-terminal as a user's would be.
# Does:  waits for the shell, types `sleep 100`, sends Ctrl-C (byte 0x03),
#        then `echo back-$?`, then `poweroff`.
# Expects: Ctrl-C reaches the guest's foreground job: the shell prints
#        back-130 (sleep killed by SIGINT) within a few seconds; poweroff
#        ends QEMU and petrel exits 0.
import os, pty, select, signal, sys, time
sys.dont_write_bytecode = True	# no __pycache__ in the tree
sys.path.insert(0, os.path.dirname(os.path.realpath(__file__)))
from lib import ROOT, fail, passed, petrel_args

BOOT_WAIT = 60
PROMPT_WAIT = 5


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
	deadline = time.monotonic() + BOOT_WAIT
	while time.monotonic() < deadline:
		console.send(b"echo ready-$((6*7))\r")
		if console.wait_for(b"ready-42", 3):
			console.read(0.5)
			return
	fail("no shell answered on the console within %ds" % BOOT_WAIT)


def main():
	console = Console(petrel_args())
	try:
		wait_for_shell(console)
		mark = len(console.seen)
		console.send(b"sleep 100\r")
		if not console.wait_for(b"sleep 100", PROMPT_WAIT, mark):
			fail("the console did not echo `sleep 100`")
		time.sleep(1.5)		# let sleep start
		console.send(b"\x03")
		mark = len(console.seen)
		console.send(b"echo back-$?\r")
		if not console.wait_for(b"back-130", PROMPT_WAIT, mark):
			fail("Ctrl-C did not interrupt sleep within %ds "
			     "(expected back-130)" % PROMPT_WAIT)
		console.send(b"poweroff\r")
		status = console.wait_exit(20)
		if status is None:
			fail("poweroff did not end QEMU within 20s")
		if status != 0:
			fail("petrel exited with %d after poweroff" % status)
	finally:
		console.kill()
	passed("\nok")


main()
