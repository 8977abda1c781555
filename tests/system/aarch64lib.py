# Shared by the tests that boot the aarch64 build through `./petrel run
# --arch aarch64` (tests/system/aarch64-*.py; aarch64-boot.py boots the
# kernel alone): skips without the cross tools, builds with `make
# ARCH=aarch64` (the kernel, init, the servers, httpd and the image with
# Debian's arm64 BusyBox) and boots it. Not a test itself.
import fcntl, os, shutil, subprocess
from lib import ROOT, boot, fail, skip

CC = "aarch64-linux-gnu-gcc"
QEMU = "qemu-system-aarch64"
IMAGE = os.path.join(ROOT, "build", "aarch64", "initramfs.cpio")


def need_aarch64_build():
	"""Skips without the cross compiler, its static glibc or QEMU; else
	makes sure build/aarch64/ is up to date."""
	if not shutil.which(CC):
		skip("no aarch64-linux-gnu-gcc (tools/deps.sh installs "
		     "gcc-aarch64-linux-gnu): nothing for aarch64 can be built")
	if not os.path.exists("/usr/aarch64-linux-gnu/lib/libc.a"):
		skip("no static glibc for aarch64 (libc6-dev-arm64-cross): the "
		     "user programs cannot be built")
	if not shutil.which(QEMU):
		skip("no qemu-system-aarch64 (Debian's qemu-system-arm)")
	make_aarch64()


def make_aarch64(*targets):
	"""`make ARCH=aarch64 [targets]`, one test at a time: the aarch64
	tests run in parallel, and two makes must not build the same files
	at once."""
	os.makedirs(os.path.join(ROOT, "build"), exist_ok=True)
	with open(os.path.join(ROOT, "build", ".aarch64-make.lock"), "w") as lock:
		fcntl.flock(lock, fcntl.LOCK_EX)
		r = subprocess.run(["make", "-s", "-C", ROOT, "ARCH=aarch64"] +
				   list(targets), capture_output=True)
	if r.returncode != 0:
		fail("make ARCH=aarch64 %s failed:\n%s%s" % (
			" ".join(targets), r.stdout.decode(errors="replace"),
			r.stderr.decode(errors="replace")))


def boot_aarch64(command, smp=None, extra=(), stdin=None):
	"""`./petrel run --arch aarch64 [--smp N] EXTRA -- command`; a Boot."""
	return boot(command, stdin=stdin, arch="aarch64", smp=smp, extra=extra)
