#!/usr/bin/env python3
# Boots: build/aarch64/kernel (made here with `make ARCH=aarch64`) on QEMU
#        virt under TCG with -kernel, as an arm64 Linux Image: GICv3 at EL1
#        with an initramfs, GICv2 entered at EL2 (virtualization=on), and
#        one boot with `selftest=fault`.
# Does:  nothing in the guest: the AArch64 kernel stops after its boot
#        (docs/aarch64.md); it powers off through PSCI, or panics.
# Expects: the banner, the command line and initramfs from /chosen, the
#        GIC version, a one-shot timer interrupt, QEMU's exit at power-off;
#        for the fault, the data abort's registers, a backtrace and the panic.
# Skips when the cross compiler or qemu-system-aarch64 is missing.
import os, re, shutil, subprocess, sys
sys.dont_write_bytecode = True	# no __pycache__ in the tree
sys.path.insert(0, os.path.dirname(os.path.realpath(__file__)))
from lib import ROOT, fail, passed, skip

QEMU = "qemu-system-aarch64"
KERNEL = os.path.join(ROOT, "build", "aarch64", "kernel")
BANNER = re.compile(r"^Petrel \S+ \(aarch64\), booted by the arm64 Image "
		    r"protocol at EL(\d)$", re.M)

if not shutil.which("aarch64-linux-gnu-gcc"):
	skip("no aarch64-linux-gnu-gcc (tools/deps.sh installs "
	     "gcc-aarch64-linux-gnu): the AArch64 kernel cannot be built")
if not shutil.which(QEMU):
	skip("no qemu-system-aarch64 (Debian's qemu-system-arm)")

build = subprocess.run(["make", "-s", "-C", ROOT, "ARCH=aarch64"],
		       capture_output=True, text=True)
if build.returncode != 0:
	fail("make ARCH=aarch64 failed:\n" + build.stdout + build.stderr)


def run(machine, cpu, append, initrd=None):
	"""Boots the kernel; returns (QEMU's exit status, the console)."""
	argv = [QEMU, "-M", machine, "-cpu", cpu, "-m", "256", "-nographic",
		"-no-reboot", "-kernel", KERNEL, "-append", append]
	if initrd:
		argv += ["-initrd", initrd]
	print("+ " + " ".join(argv), flush=True)
	try:
		r = subprocess.run(argv, capture_output=True, timeout=60,
				   stdin=subprocess.DEVNULL)
	except subprocess.TimeoutExpired as e:
		fail("no power-off in 60 s; console:\n" +
		     (e.stdout or b"").decode(errors="replace"))
	out = r.stdout.decode(errors="replace").replace("\r\n", "\n")
	print(out, flush=True)
	return r.returncode, out


def expect(out, text):
	if text not in out:
		fail("expected %r in the console" % text)


def expect_boot(machine, cpu, append, el, gic, initrd=None):
	status, out = run(machine, cpu, append, initrd)
	m = BANNER.search(out)
	if not m:
		fail("no banner")
	if m.group(1) != el:
		fail("entered at EL%s, expected EL%s" % (m.group(1), el))
	expect(out, "command line: " + append + "\n")
	if initrd:
		expect(out, "initramfs: %d KiB at " % (os.path.getsize(initrd) >> 10))
	expect(out, "GICv%d at " % gic)
	expect(out, "timer: one-shot interrupt after ")
	expect(out, "powering off")
	if status != 0:
		fail("QEMU's exit status %d after the power-off" % status)


expect_boot("virt,gic-version=3", "cortex-a72", "petrel-test one=1", "1", 3,
	    initrd=os.path.join(ROOT, "Makefile"))
expect_boot("virt,gic-version=2,virtualization=on", "max", "petrel-test el2",
	    "2", 2)

status, out = run("virt", "cortex-a72", "selftest=fault")
expect(out, "kernel fault: data abort (ESR 96")
expect(out, "address 0000000000000010\n")
expect(out, "x30 ffffffff")
expect(out, "backtrace:\n  ffffffff")
expect(out, "kernel panic: data abort in the kernel")
passed()
