"""The QEMU monitor of a hung guest, for tools/fuzz-run and
tools/stress-run: a QEMU command that listens on a monitor socket, the
vCPUs' registers and stacks, the kernel functions on them, and the
guest's processes read through the monitor's gdb stub with
tools/gdb-procs.py (docs/fuzzing.md).
"""
import os
import re
import shutil
import socket
import subprocess
import time

ROOT = os.path.dirname(os.path.dirname(os.path.realpath(__file__)))
QEMU = os.environ.get("PETREL_QEMU", "qemu-system-x86_64")


def qemu_wrapper(directory):
	"""A QEMU command that also listens on a monitor socket, named by
	FUZZ_MONITOR, so a hung guest's vCPUs can be looked at."""
	path = os.path.join(directory, "qemu-with-monitor")
	with open(path, "w") as f:
		f.write('#!/bin/sh\nexec %s "$@" -monitor '
			'unix:"$FUZZ_MONITOR",server,nowait\n' % QEMU)
	os.chmod(path, 0o755)
	return path


class Monitor:
	"""A conversation with the QEMU monitor at path."""

	def __init__(self, path):
		self.sock = socket.socket(socket.AF_UNIX)
		self.sock.settimeout(5)
		self.sock.connect(path)
		self.ask("")

	def ask(self, command):
		"""Sends command; returns what came back within a second."""
		self.sock.sendall(command.encode() + b"\n")
		out, end = [], time.monotonic() + 1
		self.sock.settimeout(0.2)
		while time.monotonic() < end:
			try:
				data = self.sock.recv(65536)
			except socket.timeout:
				continue
			if not data:
				break
			out.append(data.decode(errors="replace"))
		text = "".join(out)
		return re.sub(r"\x1b\[[0-9;]*[A-Za-z]", "", text)


def vcpu_state(path, smp):
	"""Each vCPU's registers, stack and local APIC, as text."""
	try:
		mon = Monitor(path)
		out = [mon.ask("info cpus")]
		for cpu in range(smp):
			mon.ask("cpu %d" % cpu)
			regs = mon.ask("info registers")
			out.append(regs)
			rsp = re.search(r"RSP=([0-9a-f]+)", regs)
			if rsp:
				out.append(mon.ask("x/256gx 0x" + rsp.group(1)))
			out.append(mon.ask("info lapic"))
		return "".join(out)
	except OSError as e:
		return "monitor: %s\n" % e


def guest_procs(path):
	"""The guest's processes and threads, as tools/gdb-procs.py reads
	them through a gdb stub the monitor starts (empty without gdb)."""
	if not shutil.which("gdb"):
		return ""
	try:
		with socket.socket() as s:
			s.bind(("127.0.0.1", 0))
			port = s.getsockname()[1]
		Monitor(path).ask("gdbserver tcp:127.0.0.1:%d" % port)
		out = subprocess.run(
			["gdb", "-q", "-batch", "-ex",
			 "target remote 127.0.0.1:%d" % port, "-ex",
			 "source " + os.path.join(ROOT, "tools", "gdb-procs.py"),
			 os.path.join(ROOT, "build", "kernel.elf")],
			capture_output=True, text=True, timeout=120).stdout
	except (OSError, subprocess.SubprocessError) as e:
		return "gdb: %s\n" % e
	return "\n-- the guest's processes (tools/gdb-procs.py):\n" + out


def symbols(text):
	"""The kernel functions of the kernel-text words in text, one a line
	(return addresses in a stack dump), by addr2line on kernel.elf."""
	words = re.findall(r"\b(?:0x)?(ffffffff80[0-9a-f]{6})\b", text)
	words = [w for w in dict.fromkeys(words)]
	if not words:
		return ""
	try:
		out = subprocess.run(
			["addr2line", "-f", "-s", "-e",
			 os.path.join(ROOT, "build", "kernel.elf")] +
			["0x" + w for w in words], capture_output=True,
			text=True, timeout=60).stdout.splitlines()
	except (OSError, subprocess.SubprocessError):
		return ""
	lines = ["%s %s %s\n" % (w, out[2 * i], out[2 * i + 1])
		 for i, w in enumerate(words) if 2 * i + 1 < len(out)]
	return "\n-- kernel text words, in order of appearance:\n" + \
		"".join(lines)


def hang_report(path, smp):
	"""Everything above about the guest whose monitor is at path."""
	state = vcpu_state(path, smp)
	return state + symbols(state) + guest_procs(path)
