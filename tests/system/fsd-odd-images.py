#!/usr/bin/env python3
# Boots: the default image on microvm, no network, three times: with a 64M
#        ext2 image attached read-only (--disk-ro); with an ext2 image
#        whose superblock magic is zeroed; with an ext4 image (extents and
#        other features fsd does not know).
# Does:  on the read-only disk: reads a file, then tries to create, write,
#        truncate, mkdir, rm, chmod, symlink and rename; on the two others:
#        looks at mount and /proc/mounts and reads fsd's log.
# Expects: read-only: /proc/mounts and mount show /data "ro", each change
#        fails with "Read-only file system", the image's sha256 is the
#        same before and after. Bad images: the command runs (status 0),
#        /data is not mounted, fsd's log tells why and names /dev/vda, and
#        so does a line on the console.
import os, sys
sys.dont_write_bytecode = True	# no __pycache__ in the tree
sys.path.insert(0, os.path.dirname(os.path.realpath(__file__)))
from lib import expect_lines, expect_status, fail, passed
from fsdlib import (boot_disk, file_sha256, mkfs, need_e2fsprogs, run,
		    scratch, tagged)

# Each change runs with stdin off the console: BusyBox rm asks before it
# removes a file access(W_OK) calls write-protected (EROFS here, as Linux)
# when stdin is a terminal.
READ_ONLY = """grep ' /data ' /proc/mounts | sed 's/^/PROC /'
mount | grep ' /data ' | sed 's/^/MOUNT /'
cat /data/hello
for c in 'touch /data/new' 'echo x >/data/hello' 'echo x >>/data/hello' \
	'truncate -s 0 /data/hello' 'mkdir /data/d' 'rm /data/hello' \
	'chmod 600 /data/hello' 'ln -s x /data/l' 'mv /data/hello /data/h2'; do
	if sh -c "$c" </dev/null 2>/tmp/err; then echo "ALLOWED $c"
	elif grep -q 'Read-only file system' /tmp/err; then echo "EROFS $c"
	else echo "OTHER $c: $(cat /tmp/err)"; fi
done"""
CHANGES = 9

BAD = """echo MOUNTS $(grep -c ' /data ' /proc/mounts)
echo LISTED $(mount | grep -c ' /data ')
sed 's/^/LOG /' /var/log/fsd.log"""


def check_read_only(tmp):
	tree = os.path.join(tmp, "tree")
	os.mkdir(tree)
	with open(os.path.join(tree, "hello"), "w") as f:
		f.write("hello\n")
	image = os.path.join(tmp, "ro.img")
	mkfs(image, "64M", tree=tree)
	before = file_sha256(image)
	result = boot_disk(READ_ONLY, image, read_only=True)
	expect_status(result, 0)
	expect_lines(result, ["hello"])
	proc, mount = tagged(result, "PROC"), tagged(result, "MOUNT")
	if not proc or not proc[0].startswith("/dev/vda /data ext2 ro,"):
		fail("/proc/mounts shows /data as %r, not ro" % proc)
	if not mount or "(ro," not in mount[0]:
		fail("mount shows /data as %r, not ro" % mount)
	refused = tagged(result, "EROFS")
	if len(refused) != CHANGES:
		fail("not every change failed with EROFS: %s" % (
			tagged(result, "ALLOWED") + tagged(result, "OTHER")))
	if file_sha256(image) != before:
		fail("the read-only image changed")


def zero_magic(image):
	with open(image, "r+b") as f:
		f.seek(1024 + 56)	# s_magic in the superblock at byte 1024
		f.write(b"\0\0")


def check_bad(image, reason):
	"""The boot goes on without /data; returns the console lines that
	name the disk and the log's."""
	result = boot_disk(BAD, image)
	expect_status(result, 0)
	if tagged(result, "MOUNTS") != ["0"] or tagged(result, "LISTED") != ["0"]:
		fail("%s: /data is mounted" % image)
	log = tagged(result, "LOG")
	if not any(reason in l for l in log) or \
	   not any("/dev/vda" in l for l in log):
		fail("fsd's log does not say %r about /dev/vda: %s" % (reason, log))
	console = [l for l in result.lines if l.startswith("init: fsd")
		   or l.startswith("fsd")]
	named = [l for l in console if "/dev/vda" in l or reason in l]
	return console, named, log


need_e2fsprogs()
with scratch("fsd-odd-images") as tmp:
	check_read_only(tmp)
	quiet = []
	image = os.path.join(tmp, "nomagic.img")
	mkfs(image, "64M")
	zero_magic(image)
	quiet.append(check_bad(image, "no ext2 superblock"))
	image = os.path.join(tmp, "ext4.img")
	run(["mke2fs", "-q", "-F", "-t", "ext4", image, "64M"])
	quiet.append(check_bad(image, "unknown incompatible features"))
	for console, named, log in quiet:
		if not named:
			fail("KNOWN FAILURE: the console does not say what is wrong "
			     "with the disk; it only has %s, while the reason is in "
			     "/var/log/fsd.log: %s" % (console, log))
passed()
