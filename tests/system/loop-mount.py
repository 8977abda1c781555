#!/usr/bin/env python3
# Boots: the default image on microvm, no network, with a 64M ext2 disk
#        (/data) that holds inner.img, an 8M ext2 image made by mke2fs -d
#        with a file "greeting".
# Does:  in Petrel, BusyBox losetup binds /dev/loop0 to /data/inner.img and
#        mount -t ext2 mounts it (mount(2) starts an fsd for it): reads the
#        greeting, writes 1 MiB and a directory; a remount read-only is
#        EBUSY while a file is open for writing, then works (writes fail),
#        and a remount read-write again; unmounts; mounts it again
#        read-only (a second fsd) and reads the data back, a write fails;
#        a remount read-write (and nodev) starts a third fsd, which writes;
#        unmounts, detaches. Then the errors: ext4 (no such device), a
#        loop device over zeros (invalid argument), /dev/null (block
#        device required), the device mounted a second time (busy);
#        and mount -o loop of the image itself, once
#        unmounted with -l while a loop in the background writes and
#        truncates a file on it (calls in flight as the server goes: they
#        may fail, with EIO, so the loop runs without set -e).
#        /proc/filesystems and /proc/mounts are printed.
# Expects: the guest's lines as below; on the host, e2fsck -fn finds
#        nothing wrong with /data's image nor with inner.img taken out of
#        it, which is marked clean and holds the 1 MiB whose sum Petrel
#        printed and the new directory.
import os, sys
sys.dont_write_bytecode = True	# no __pycache__ in the tree
sys.path.insert(0, os.path.dirname(os.path.realpath(__file__)))
from lib import expect_lines, expect_status, fail, passed
from fsdlib import (boot_disk, debugfs, debugfs_cat, e2fsck_clean,
		    expect_clean_state, mkfs, need_e2fsprogs, run, scratch,
		    sha256, tagged)

SCRIPT = """set -e
grep ext2 /proc/filesystems | sed 's/^/FS/'
losetup /dev/loop0 /data/inner.img
mkdir -p /mnt/in
mount -t ext2 /dev/loop0 /mnt/in
grep /mnt/in /proc/mounts | sed 's/^/PROC /'
mkdir -p /mnt/two
mount -t ext2 /dev/loop0 /mnt/two 2>&1 | sed 's/^/ERR /' || true
echo "GREET $(cat /mnt/in/greeting)"
dd if=/dev/urandom of=/mnt/in/blob bs=64k count=16 2>/dev/null
sha256sum /mnt/in/blob | sed 's/^/SUM /'
mkdir /mnt/in/dir; echo x >/mnt/in/dir/x
exec 3>/mnt/in/held
mount -o remount,ro /mnt/in 2>/dev/null || echo "BUSY"
exec 3>&-
mount -o remount,ro /mnt/in
grep /mnt/in /proc/mounts | sed 's/^/PROC /'
touch /mnt/in/blob 2>/dev/null || echo "REMOUNTED-RO"
mount -o remount,rw /mnt/in
touch /mnt/in/again && echo "REMOUNTED-RW"
umount /mnt/in
echo UNMOUNTED
mount -t ext2 -o ro /dev/loop0 /mnt/in
grep /mnt/in /proc/mounts | sed 's/^/PROC /'
sha256sum /mnt/in/blob | sed 's/^/AGAIN /'
touch /mnt/in/nope 2>/dev/null || echo "READ-ONLY"
mount -o remount,rw,nodev /mnt/in
grep /mnt/in /proc/mounts | sed 's/^/PROC /'
touch /mnt/in/rw-again && echo "RESTARTED-RW"
umount /mnt/in
losetup -d /dev/loop0
mount -t ext4 /dev/loop0 /mnt/in 2>&1 | sed 's/^/ERR /' || true
dd if=/dev/zero of=/tmp/zero.img bs=1k count=1024 2>/dev/null
losetup /dev/loop1 /tmp/zero.img
mount -t ext2 /dev/loop1 /mnt/in 2>&1 | sed 's/^/ERR /' || true
losetup -d /dev/loop1
mount -t ext2 /dev/null /mnt/in 2>&1 | sed 's/^/ERR /' || true
mount -o loop /data/inner.img /mnt/in
echo "LOOPED $(cat /mnt/in/dir/x)"
(set +e; while :; do dd if=/dev/zero of=/mnt/in/spin bs=64k count=8 2>/dev/null
 truncate -s 0 /mnt/in/spin 2>/dev/null; done) &
sleep 1
umount -l /mnt/in
kill $!; wait $! 2>/dev/null || true
echo "DETACHED"
mount -o loop /data/inner.img /mnt/in
rm -f /mnt/in/spin
umount /mnt/in
grep -c loop /proc/mounts | sed 's/^/LEFT /' || true
"""

EXPECTED = [
	"FS\text2",
	"PROC /dev/loop0 /mnt/in ext2 rw,relatime 0 0",
	"ERR mount: mounting /dev/loop0 on /mnt/two failed: Device or resource busy",
	"GREET hello",
	"BUSY",
	"PROC /dev/loop0 /mnt/in ext2 ro,relatime 0 0",
	"REMOUNTED-RO",
	"REMOUNTED-RW",
	"UNMOUNTED",
	"PROC /dev/loop0 /mnt/in ext2 ro,relatime 0 0",
	"READ-ONLY",
	"PROC /dev/loop0 /mnt/in ext2 rw,nodev,relatime 0 0",
	"RESTARTED-RW",
	"ERR mount: mounting /dev/loop0 on /mnt/in failed: No such device",
	"ERR mount: mounting /dev/loop1 on /mnt/in failed: Invalid argument",
	"ERR mount: mounting /dev/null on /mnt/in failed: Block device required",
	"LOOPED x",
	"DETACHED",
	"LEFT 0",
]


def main():
	need_e2fsprogs()
	with scratch("loop-mount") as tmp:
		tree = os.path.join(tmp, "tree")
		os.mkdir(tree)
		with open(os.path.join(tree, "greeting"), "w") as f:
			f.write("hello\n")
		inner = os.path.join(tmp, "inner.img")
		mkfs(inner, size="8M", tree=tree)
		outer_tree = os.path.join(tmp, "outer")
		os.mkdir(outer_tree)
		os.rename(inner, os.path.join(outer_tree, "inner.img"))
		data = os.path.join(tmp, "data.img")
		mkfs(data, size="64M", tree=outer_tree)
		result = boot_disk(SCRIPT, data, extra=["--machine", "microvm"])
		expect_status(result, 0)
		expect_lines(result, EXPECTED)
		sums = tagged(result, "SUM")
		again = tagged(result, "AGAIN")
		if len(sums) != 1 or sums != again:
			fail("the blob's sums differ: %r, then %r" % (sums, again))
		e2fsck_clean(data, "the outer disk")
		back = os.path.join(tmp, "back.img")
		debugfs(data, "dump /inner.img %s" % back)
		e2fsck_clean(back, "inner.img")
		expect_clean_state(back)
		blob = sha256(debugfs_cat(back, "/blob"))
		if blob != sums[0].split()[0]:
			fail("inner.img's /blob has sum %s, Petrel printed %s"
			     % (blob, sums[0]))
		if debugfs_cat(back, "/dir/x") != b"x\n":
			fail("inner.img's /dir/x is missing or wrong")
	passed()


main()
