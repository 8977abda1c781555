# Shared by the tests that boot the aarch64 build through `./petrel run
# --arch aarch64` (tests/system/aarch64-*.py; aarch64-boot.py boots the
# kernel alone): skips without the cross tools, builds with `make
# ARCH=aarch64` (the kernel, init, the servers, httpd and the image with
# Debian's arm64 BusyBox, and the test image when asked) and boots it. Not
# a test itself.
import fcntl, os, shutil, subprocess
from lib import ROOT, boot, fail, skip

CC = "aarch64-linux-gnu-gcc"
QEMU = "qemu-system-aarch64"
IMAGE = os.path.join(ROOT, "build", "aarch64", "initramfs.cpio")
# The test image (mk/aarch64-test.mk): the default image and /test.
TEST_IMAGE = os.path.join(ROOT, "build", "aarch64", "initramfs-test.cpio")
# It is unpacked into the guest's memory: more than the default 128 MiB.
TEST_IMAGE_MEM = "512M"


def missing_tools():
	"""Why nothing for aarch64 can be built or booted here, or None."""
	if not shutil.which(CC):
		return ("no aarch64-linux-gnu-gcc (tools/deps.sh installs "
			"gcc-aarch64-linux-gnu): nothing for aarch64 can be built")
	if not os.path.exists("/usr/aarch64-linux-gnu/lib/libc.a"):
		return ("no static glibc for aarch64 (libc6-dev-arm64-cross): "
			"the user programs cannot be built")
	if not shutil.which(QEMU):
		return "no qemu-system-aarch64 (Debian's qemu-system-arm)"
	return None


def need_aarch64_build(*targets):
	"""Skips without the cross compiler, its static glibc or QEMU; else
	makes sure build/aarch64/ is up to date (`make ARCH=aarch64
	[targets]`)."""
	missing = missing_tools()
	if missing:
		skip(missing)
	make_aarch64(*targets)


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


def boot_aarch64(command, smp=None, extra=(), stdin=None, test_image=False):
	"""`./petrel run --arch aarch64 [--smp N] EXTRA -- command`; a Boot.
	test_image boots TEST_IMAGE (need_aarch64_build("all", TEST_IMAGE)
	makes it)."""
	if test_image:
		extra = ["--initrd", TEST_IMAGE, "--mem", TEST_IMAGE_MEM] + \
			list(extra)
	return boot(command, stdin=stdin, arch="aarch64", smp=smp, extra=extra)
