#!/usr/bin/env python3
# Boots: the aarch64 default image through `./petrel run --arch aarch64
#        --disk IMG` twice (QEMU virt, TCG): fsd drives the virtio-blk
#        device on a virtio-mmio transport (version 2) the kernel found in
#        the device tree, and serves IMG's ext2 file system on /data.
# Does:  the first boot (IMG made by petrel: an empty ext2) writes a file
#        and syncs; the second reads it back and lists /data; then the
#        host's e2fsck checks IMG and debugfs reads the file.
# Expects: the file's line from the second boot, e2fsck clean (exit 0),
#        the same bytes from debugfs.
# Skips without the cross tools (tests/system/aarch64lib.py), or without
#        e2fsck.
import os, shutil, subprocess, sys, tempfile
sys.dont_write_bytecode = True	# no __pycache__ in the tree
sys.path.insert(0, os.path.dirname(os.path.realpath(__file__)))
from lib import expect_lines, expect_status, fail, passed, skip
from aarch64lib import boot_aarch64, need_aarch64_build

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
	fsck = subprocess.run(["e2fsck", "-fn", img], capture_output=True,
			      text=True)
	print(fsck.stdout + fsck.stderr)
	if fsck.returncode != 0:
		fail("e2fsck -fn: exit %d" % fsck.returncode)
	cat = subprocess.run(["debugfs", "-R", "cat /x", img],
			     capture_output=True, text=True)
	if cat.stdout != "written on aarch64\n":
		fail("debugfs cat /x: %r" % cat.stdout)
finally:
	shutil.rmtree(work, ignore_errors=True)
passed()
