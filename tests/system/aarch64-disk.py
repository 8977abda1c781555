#!/usr/bin/env python3
# Boots: the aarch64 default image through `./petrel run --arch aarch64
#        --disk IMG` twice (QEMU virt, TCG): fsd drives the virtio-blk
#        device on a virtio-mmio transport (version 2) the kernel found in
#        the device tree, and serves IMG's ext2 file system on /data.
# Does:  the first boot (IMG made by petrel: an empty ext2) writes a file
#        and syncs; the second reads it back and lists /data; a third, by
#        QEMU directly on virt with GICv3 and 2 CPUs (./petrel's virt has
#        QEMU's default GICv2), reads it and appends; then the host's
#        e2fsck checks IMG and debugfs reads the file.
# Expects: the file's line from the second and third boots, e2fsck clean
#        (exit 0), both lines from debugfs.
# Skips without the cross tools (tests/system/aarch64lib.py), or without
#        e2fsck.
import os, shutil, subprocess, sys, tempfile
sys.dont_write_bytecode = True	# no __pycache__ in the tree
sys.path.insert(0, os.path.dirname(os.path.realpath(__file__)))
from lib import ROOT, expect_lines, expect_status, fail, passed, skip
from aarch64lib import IMAGE, QEMU, boot_aarch64, need_aarch64_build

need_aarch64_build()
if not shutil.which("e2fsck") or not shutil.which("debugfs"):
	skip("no e2fsck/debugfs (e2fsprogs)")

work = tempfile.mkdtemp(prefix="petrel-a64disk-")
img = os.path.join(work, "d.img")
try:
	r = boot_aarch64("grep ' /data ' /proc/mounts | cut -d' ' -f2,3; "
			 "echo 'written on aarch64' > /data/x && sync",
			 extra=["--disk", img, "--disk-size", "32M"])
	expect_status(r, 0)
	expect_lines(r, ["/data ext2"])
	r = boot_aarch64("cat /data/x; ls -1 /data", extra=["--disk", img])
	expect_status(r, 0)
	expect_lines(r, ["written on aarch64", "lost+found", "x"])
	argv = [QEMU, "-M", "virt,gic-version=3", "-cpu", "max,pauth-impdef=on",
		"-smp", "2", "-m", "128M", "-nodefaults", "-no-reboot",
		"-display", "none", "-serial", "stdio",
		"-global", "virtio-mmio.force-legacy=false",
		"-drive", "file=%s,format=raw,if=none,id=disk0" % img,
		"-device", "virtio-blk-device,drive=disk0",
		"-kernel", os.path.join(ROOT, "build", "aarch64", "kernel"),
		"-initrd", IMAGE, "-fw_cfg", "name=opt/petrel/cmdline,string="
		"-- run sh -c cat%20/data/x%20&&%20echo%20GICv3%20>>/data/x"
		"%20&&%20sync"]
	print("$ " + " ".join(argv), flush=True)
	qemu = subprocess.run(argv, capture_output=True, timeout=120,
			      stdin=subprocess.DEVNULL)
	out = qemu.stdout.decode(errors="replace").replace("\r\n", "\n")
	print(out)
	if "GICv3," not in out or "written on aarch64\n" not in out or \
	   "\x1b_petrel-exit=0\x1b\\" not in out:
		fail("the GICv3 boot did not read /data/x and exit 0")
	fsck = subprocess.run(["e2fsck", "-fn", img], capture_output=True,
			      text=True)
	print(fsck.stdout + fsck.stderr)
	if fsck.returncode != 0:
		fail("e2fsck -fn: exit %d" % fsck.returncode)
	cat = subprocess.run(["debugfs", "-R", "cat /x", img],
			     capture_output=True, text=True)
	if cat.stdout != "written on aarch64\nGICv3\n":
		fail("debugfs cat /x: %r" % cat.stdout)
finally:
	shutil.rmtree(work, ignore_errors=True)
passed()
