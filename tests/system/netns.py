# Network namespaces for Petrel's tap tests (net-tap.py, net-bridge.py): a
# private namespace per run holding the taps, a bridge, dnsmasq and QEMU,
# so that no packet leaves it. Every namespace is named PREFIX-PID; one
# whose test process is gone (killed before its cleanup ran) is removed by
# the next run. Imported by tests, not a test itself.

import ctypes
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time

from lib import ROOT, skip

NAME_RE = re.compile(r"^(petrel-(?:tap|bridge))-(\d+)$")
CLONE_NEWNET = 0x40000000


def ip(*args, check=True):
	return subprocess.run(["ip"] + list(args), capture_output=True,
			      text=True, check=check)


def die_with_parent():
	"""For Popen's preexec_fn: SIGTERM when the test process dies."""
	libc = ctypes.CDLL(None, use_errno=True)
	libc.prctl(1, signal.SIGTERM)	# PR_SET_PDEATHSIG


def need_tools(*programs):
	"""Skips the test, saying why, unless it can make namespaces."""
	if os.geteuid() != 0:
		skip("skipped: tap tests need root (network namespaces, tap devices)")
	for program in ("ip",) + programs:
		if not any(os.access(os.path.join(d, program), os.X_OK)
			   for d in os.environ.get("PATH", "").split(":") + ["/usr/sbin", "/sbin"]):
			skip("skipped: %s is not installed (tools/deps.sh installs it)" % program)
	if not os.path.exists("/dev/net/tun"):
		skip("skipped: no /dev/net/tun")


def remove_stale():
	"""Removes namespaces of earlier runs whose test process is gone."""
	for line in ip("netns", "list", check=False).stdout.splitlines():
		match = NAME_RE.match(line.split()[0]) if line.strip() else None
		if match and not os.path.exists("/proc/" + match.group(2)):
			print("removing stale namespace %s" % match.group(0), flush=True)
			destroy(match.group(0))


def destroy(name):
	"""Ends every process in namespace name (all started by its test),
	then deletes it."""
	for _ in range(50):
		pids = ip("netns", "pids", name, check=False).stdout.split()
		if not pids:
			break
		for pid in pids:
			try:
				os.kill(int(pid), signal.SIGKILL)
			except (ProcessLookupError, ValueError):
				pass
		time.sleep(0.1)
	ip("netns", "del", name, check=False)


class Namespace:
	"""A namespace for one test run: `with Namespace("tap") as ns:`."""

	def __init__(self, kind):
		self.name = "petrel-%s-%d" % (kind, os.getpid())
		self.procs = []

	def __enter__(self):
		# SIGTERM (a runner stopping us) still runs the cleanup.
		signal.signal(signal.SIGTERM, lambda *args: sys.exit(143))
		remove_stale()
		result = ip("netns", "add", self.name, check=False)
		if result.returncode != 0:
			skip("skipped: cannot make a network namespace: %s"
			     % result.stderr.strip())
		self.ip("link", "set", "lo", "up")
		return self

	def __exit__(self, *exc):
		for proc in self.procs:
			if proc.poll() is None:
				proc.kill()
			proc.wait()
		destroy(self.name)
		if self.name in ip("netns", "list", check=False).stdout.split():
			print("WARNING: namespace %s not removed" % self.name)
		return False

	def ip(self, *args):
		"""`ip -n NS ARGS`; raises with ip's message on failure."""
		result = ip("-n", self.name, *args, check=False)
		if result.returncode != 0:
			raise RuntimeError("ip -n %s %s: %s" % (
				self.name, " ".join(args), result.stderr.strip()))
		return result.stdout

	def argv(self, argv):
		return ["ip", "netns", "exec", self.name] + list(argv)

	def start(self, argv, **kwargs):
		"""Starts argv inside the namespace; it ends with the test."""
		print("$ [%s] %s" % (self.name, " ".join(argv)), flush=True)
		proc = subprocess.Popen(self.argv(argv), cwd=ROOT,
					preexec_fn=die_with_parent, **kwargs)
		self.procs.append(proc)
		return proc

	def run(self, argv, timeout=60):
		"""Runs argv inside the namespace; returns (status, output)."""
		print("$ [%s] %s" % (self.name, " ".join(argv)), flush=True)
		proc = subprocess.run(self.argv(argv), cwd=ROOT, capture_output=True,
				      text=True, timeout=timeout,
				      stdin=subprocess.DEVNULL)
		output = proc.stdout + proc.stderr
		print(output, end="" if output.endswith("\n") or not output else "\n",
		      flush=True)
		return proc.returncode, output

	def socket(self, *args):
		"""A socket of the namespace (made in a thread that joined it;
		the socket stays there whichever thread uses it)."""
		made = []

		def make():
			libc = ctypes.CDLL(None, use_errno=True)
			fd = os.open("/var/run/netns/" + self.name, os.O_RDONLY)
			try:
				if libc.setns(fd, CLONE_NEWNET) != 0:
					raise OSError(ctypes.get_errno(), "setns")
			finally:
				os.close(fd)
			made.append(socket.socket(*args))

		thread = threading.Thread(target=make)
		thread.start()
		thread.join()
		if not made:
			raise RuntimeError("could not make a socket in %s" % self.name)
		return made[0]


def add_tap(ns, tap):
	ns.ip("tuntap", "add", "dev", tap, "mode", "tap")


def petrel_argv(tap, mac, extra=(), timeout=90, test_image=False):
	"""`./petrel run` for a guest on tap (inside the namespace)."""
	from lib import petrel_args
	return petrel_args(timeout=timeout, test_image=test_image, extra=[
		"--net", "tap", "--tap", tap, "--mac", mac] + list(extra))


class Guest:
	"""A Petrel guest running a one-shot command in the namespace; its
	console lines are read by a thread, printed and kept."""

	def __init__(self, ns, argv, label):
		self.label = label
		self.lines = []
		self.changed = threading.Condition()
		self.proc = ns.start(argv, stdout=subprocess.PIPE,
				     stderr=subprocess.STDOUT,
				     stdin=subprocess.DEVNULL)
		self.reader = threading.Thread(target=self.read, daemon=True)
		self.reader.start()

	def read(self):
		for raw in self.proc.stdout:
			line = raw.decode(errors="replace").rstrip()
			print("[%s] %s" % (self.label, line), flush=True)
			with self.changed:
				self.lines.append(line)
				self.changed.notify_all()
		with self.changed:
			self.lines.append(None)		# end of output
			self.changed.notify_all()

	def wait_line(self, test, seconds):
		"""The first line for which test(line) is true, or None if the
		guest ends or the time runs out first."""
		deadline = time.monotonic() + seconds
		with self.changed:
			while True:
				for line in self.lines:
					if line is None:
						return None
					if test(line):
						return line
				left = deadline - time.monotonic()
				if left <= 0:
					return None
				self.changed.wait(left)

	def wait_exit(self, seconds):
		try:
			status = self.proc.wait(timeout=seconds)
		except subprocess.TimeoutExpired:
			return None
		self.reader.join(5)
		return status


def http_get(ns, address, seconds):
	"""GET / from the guest's httpd at address, from namespace ns; the
	seconds it took for a 200 answer, or None."""
	start = time.monotonic()
	s = ns.socket(socket.AF_INET, socket.SOCK_STREAM)
	s.settimeout(seconds)
	try:
		s.connect((address, 80))
		s.sendall(b"GET / HTTP/1.0\r\nHost: g\r\n\r\n")
		data = b""
		while True:
			chunk = s.recv(65536)
			if not chunk:
				break
			data += chunk
		if not data.startswith(b"HTTP/1.") or b" 200 " not in \
		   data.split(b"\r\n")[0]:
			return None
		return time.monotonic() - start
	except OSError:
		return None
	finally:
		s.close()
