#!/usr/bin/env python3
# Boots: build/aarch64/kernel (made here with `make ARCH=aarch64`) on QEMU
#        virt under TCG with -kernel, as an arm64 Linux Image, with an
#        initramfs holding tests/system/aarch64/init.c (cross-compiled
#        here, no C library) as /sbin/init: GICv3 entered at EL1, GICv2
#        entered at EL2 (virtualization=on); then tests/system/aarch64/glibc.c
#        (static glibc, from libc6-dev-arm64-cross) as init on `max`, with
#        PAN on, 4 CPUs with GICv3 and 2 with GICv2 from EL2; then one boot
#        with `selftest=fault`.
# Does:  init mounts /dev, opens the console, writes from EL0, calls
#        uname and getpid, takes a SIGSEGV in a handler and returns from
#        it, and powers off with reboot(2).
# Expects: the banner, the command line from /chosen (and fw_cfg's
#        opt/petrel/cmdline once), a one-shot timer
#        interrupt, init's lines ("uname Linux aarch64", "pid 1", the
#        SIGSEGV at address 16 and the return from its handler), QEMU's
#        exit at power-off; from the glibc program, stdio, stat, fork and a
#        pipe, epoll, EFAULT for a bad buffer (the kernel's copy faults),
#        children killed by SIGSEGV, SIGILL (udf) and SIGTRAP (brk),
#        threads contending for a mutex, FP, every CPU online (PSCI
#        CPU_ON); for the fault, the data abort's
#        registers, a backtrace and the panic. (Petrel's own init,
#        servers and image: aarch64-run.py, aarch64-net.py, aarch64-disk.py.)
# Skips when the cross compiler or qemu-system-aarch64 is missing.
import os, re, shutil, subprocess, sys
sys.dont_write_bytecode = True	# no __pycache__ in the tree
sys.path.insert(0, os.path.dirname(os.path.realpath(__file__)))
from lib import ROOT, fail, passed, skip
from aarch64lib import make_aarch64

QEMU = "qemu-system-aarch64"
CC = "aarch64-linux-gnu-gcc"
KERNEL = os.path.join(ROOT, "build", "aarch64", "kernel")
WORK = os.path.join(ROOT, "build", "aarch64", "test-init")
INIT_SRC = os.path.join(ROOT, "tests", "system", "aarch64", "init.c")
GLIBC_SRC = os.path.join(ROOT, "tests", "system", "aarch64", "glibc.c")
BANNER = re.compile(r"^Petrel \S+ \(aarch64\), booted by the arm64 Image "
		    r"protocol at EL(\d)$", re.M)

if not shutil.which(CC):
	skip("no aarch64-linux-gnu-gcc (tools/deps.sh installs "
	     "gcc-aarch64-linux-gnu): the AArch64 kernel cannot be built")
if not shutil.which(QEMU):
	skip("no qemu-system-aarch64 (Debian's qemu-system-arm)")


def must(argv, **kw):
	r = subprocess.run(argv, capture_output=True, **kw)
	if r.returncode != 0:
		fail("%s failed:\n%s%s" % (" ".join(argv), r.stdout.decode(),
					  r.stderr.decode()))
	return r.stdout


make_aarch64("build/aarch64/kernel")
shutil.rmtree(WORK, ignore_errors=True)


def initramfs(name, source, flags):
	"""Compiles source as /sbin/init of a newc initramfs; returns its path."""
	root = os.path.join(WORK, name)
	os.makedirs(os.path.join(root, "sbin"))
	must([CC, "-static", "-O2", "-Wall", "-Wextra", "-Werror"] + flags +
	     ["-o", os.path.join(root, "sbin", "init"), source])
	path = os.path.join(WORK, name + ".cpio")
	with open(path, "wb") as f:
		f.write(must(["cpio", "-o", "-H", "newc", "--quiet"],
			     input=b"sbin\nsbin/init\n", cwd=root))
	return path


INITRD = initramfs("init", INIT_SRC, ["-nostdlib", "-ffreestanding",
				      "-fno-stack-protector", "-no-pie"])
GLIBC = os.path.exists("/usr/aarch64-linux-gnu/lib/libc.a")
if GLIBC:
	GLIBC_INITRD = initramfs("glibc", GLIBC_SRC, ["-lpthread"])


def run(machine, cpu, append, initrd=INITRD, smp=1, extra=()):
	"""Boots the kernel; returns (QEMU's exit status, the console)."""
	argv = [QEMU, "-M", machine, "-cpu", cpu, "-smp", str(smp), "-m", "256",
		"-nographic"] + list(extra) + [
		"-no-reboot", "-kernel", KERNEL, "-initrd", initrd,
		"-append", append]
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


def expect_boot(machine, cpu, append, el, gic, pan, fw_cfg=None):
	extra = ["-fw_cfg", "name=opt/petrel/cmdline,string=" + fw_cfg] \
		if fw_cfg else []
	status, out = run(machine, cpu, append, extra=extra)
	if fw_cfg:
		append += " " + fw_cfg	# the per-run part, as ./petrel passes it
	expect(out, "; PAN %s\n" % pan)
	m = BANNER.search(out)
	if not m:
		fail("no banner")
	if m.group(1) != el:
		fail("entered at EL%s, expected EL%s" % (m.group(1), el))
	expect(out, "command line: " + append + "\n")
	expect(out, "GICv%d, timer PPI 27" % gic)
	expect(out, "one-shot interrupt after ")
	for line in ("init: hello from EL0", "init: uname Linux aarch64",
		     "init: pid 1", "init: SIGSEGV 11 at 16",
		     "init: back from the handler", "init: powering off",
		     "petrel: power off"):
		expect(out, line + "\n")
	if status != 0:
		fail("QEMU's exit status %d after the power-off" % status)


# cortex-a72 is Armv8.0, without PAN; max has it (the kernel runs with it).
expect_boot("virt,gic-version=3", "cortex-a72", "petrel-test one=1", "1", 3,
	    "absent", fw_cfg="from-fw-cfg")
expect_boot("virt,gic-version=2,virtualization=on", "max", "petrel-test el2",
	    "2", 2, "on")

def expect_glibc(machine, smp):
	status, out = run(machine, "max", "glibc", GLIBC_INITRD, smp)
	if smp > 1:
		expect(out, "smp: %d CPUs online\n" % smp)
	for line in ("glibc: pid 1", "cpus: %d" % smp,
		     "stat: regular 1, mode 755, size > 0: 1",
		     "malloc: 1", "fork: the child wrote child and exited 7",
		     "epoll: 1 ready, data 1122334455667788",
		     "efault: -1 14", "faults: SIGSEGV 11, SIGILL 4, SIGTRAP 5",
		     "thread: returned 42", "threads: 80000", "fp: 86.498",
		     "petrel: power off"):
		expect(out, line + "\n")
	if status != 0:
		fail("QEMU's exit status %d after the power-off" % status)


if GLIBC:
	expect_glibc("virt,gic-version=3", 4)
	expect_glibc("virt,gic-version=2,virtualization=on", 2)
else:
	print("no /usr/aarch64-linux-gnu/lib/libc.a (libc6-dev-arm64-cross, "
	      "which tools/deps.sh installs): the glibc program is left out")

status, out = run("virt", "cortex-a72", "selftest=fault")
expect(out, "kernel fault: data abort (ESR 96")
expect(out, "address 0000000000000010\n")
expect(out, "x30 ffffffff")
expect(out, "backtrace: ffffffff")
expect(out, "kernel panic: data abort in the kernel")
passed()
