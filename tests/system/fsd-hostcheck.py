#!/usr/bin/env python3
# Boots: the default image on microvm, no network, with an empty ext2 disk
#        of 64M made by mke2fs: once with 1 KiB blocks, once with 4 KiB.
# Does:  in Petrel on /data: files of 0, 1, 4095, 4096 and 70000 bytes and
#        3 MiB from /dev/urandom copied through cat and dd, nested dirs,
#        hard links, fast and slow symlinks, chmod (setuid, sticky), chown
#        (also of a symlink), a truncate down and one up (a sparse tail), a
#        rename over an existing file, a directory moved, rm, rmdir, sync;
#        prints sha256sum and stat of everything, mount, /proc/mounts, df
#        and statfs; powers off.
# Expects: on the host, e2fsck -fn finds nothing; debugfs cat gives the
#        bytes whose sums Petrel printed and debugfs stat the mode, owner,
#        links and size Petrel's stat showed (and the ones the script set);
#        the superblock says clean; `mount` lists "/dev/vda on /data type
#        ext2 (rw,..."; statfs and df agree with dumpe2fs -h.
import os, sys
sys.dont_write_bytecode = True	# no __pycache__ in the tree
sys.path.insert(0, os.path.dirname(os.path.realpath(__file__)))
from lib import expect_status, fail, passed
from fsdlib import (STATFS_CMD, boot_disk, debugfs_cat, debugfs_readlink,
		    debugfs_stat, e2fsck_clean, expect_clean_state,
		    expect_statfs, guest_sums, mkfs, need_e2fsprogs, scratch,
		    sha256, tagged)

LONG_TARGET = "long-target/" + "x" * 88	# past the 60 bytes of a fast link

SCRIPT = """set -e; cd /data
: >empty; printf x >one
for n in 4095 4096 70000; do dd if=/dev/urandom of=r$n bs=$n count=1 2>/dev/null; done
dd if=/dev/urandom of=big bs=64k count=48 2>/dev/null
cat big >big.cat; dd if=big of=big.dd bs=1000 2>/dev/null
mkdir -p a/b/c; echo deep >a/b/c/deep
ln one a/hard; ln a/b/c/deep a/b/deephard
ln -s one sym; ln -s b/c/deep a/symdeep; ln -s %s slowsym
chmod 600 one; chmod 4755 r4095; chmod 1777 a/b
chown 1000:100 r4096; chown -h 7:8 sym
truncate -s 1000 r70000; cp r4096 grow; truncate -s 300000 grow
echo old >victim; echo new >src; mv src victim
echo gone >gone; dd if=/dev/urandom of=gone2 bs=1k count=100 2>/dev/null
rm gone gone2; mkdir emptydir rmd; rmdir rmd; mv a/b/c a/c2
sync
find . -path ./lost+found -prune -o -type f -print | sort | xargs sha256sum | sed 's/^/SUM /'
find . -path ./lost+found -prune -o ! -name . -print | sort | xargs stat -c 'STAT %%n %%f %%u %%g %%h %%s'
for l in sym a/symdeep slowsym; do echo "LINK $l $(readlink $l)"; done
mount | grep ' /data ' | sed 's/^/MOUNT /'
grep ' /data ' /proc/mounts | sed 's/^/PROC /'
%s""" % (LONG_TARGET, STATFS_CMD)

TYPES = {0o100000: "regular", 0o040000: "directory", 0o120000: "symlink"}

# What the script set, beyond what Petrel's own stat shows.
EXPECTED = {
	"/empty": dict(size=0),
	"/one": dict(mode=0o600, size=1, links=2),
	"/r4095": dict(mode=0o4755, size=4095),
	"/r4096": dict(uid=1000, gid=100, size=4096),
	"/r70000": dict(size=1000),
	"/big": dict(size=3 << 20),
	"/grow": dict(size=300000),
	"/a/b": dict(type="directory", mode=0o1777),
	"/a/c2": dict(type="directory", links=2),
	"/a/c2/deep": dict(links=2, size=5),
	"/emptydir": dict(type="directory", links=2),
	"/sym": dict(type="symlink", uid=7, gid=8, size=3),
	"/slowsym": dict(type="symlink", size=len(LONG_TARGET)),
}
GONE = ["/gone", "/gone2", "/src", "/rmd", "/a/b/c"]
LINKS = {"/sym": "one", "/a/symdeep": "b/c/deep", "/slowsym": LONG_TARGET}


def check_image(image, result):
	e2fsck_clean(image)
	expect_clean_state(image)
	stats = {}
	for line in tagged(result, "STAT"):
		name, mode, uid, gid, links, size = line.split()
		path = name[1:]		# "./x" -> "/x"
		mode = int(mode, 16)
		stats[path] = dict(type=TYPES.get(mode & 0o170000, "other"),
				   mode=mode & 0o7777, uid=int(uid),
				   gid=int(gid), links=int(links), size=int(size))
	if len(stats) < 20:
		fail("the guest's stat listing is short: %d entries" % len(stats))
	for path, wanted in EXPECTED.items():
		if path not in stats:
			fail("Petrel's listing lacks %s" % path)
		for key, value in wanted.items():
			if stats[path][key] != value:
				fail("%s: Petrel's stat shows %s %r, the script set %r"
				     % (path, key, stats[path][key], value))
	for path, guest in stats.items():
		host = debugfs_stat(image, path)
		if host is None:
			fail("debugfs finds no %s, which Petrel listed" % path)
		for key in guest:
			if host[key] != guest[key]:
				fail("%s: debugfs stat gives %s %r, Petrel's stat %r"
				     % (path, key, host[key], guest[key]))
	for path in GONE:
		if debugfs_stat(image, path) is not None:
			fail("%s is still on the disk" % path)

	sums = {name[1:]: digest
		for name, digest in guest_sums(result, "SUM").items()}
	contents = {}
	for path, digest in sums.items():
		data = contents[path] = debugfs_cat(image, path)
		if sha256(data) != digest:
			fail("debugfs cat %s: %d bytes, sha256 %s; Petrel printed %s"
			     % (path, len(data), sha256(data), digest))
	if set(sums) != {n for n, s in stats.items() if s["type"] == "regular"}:
		fail("Petrel summed %s" % sorted(sums))
	big = contents["/big"]
	for copy in ("/big.cat", "/big.dd"):
		if contents[copy] != big:
			fail("%s differs from /big" % copy)
	checks = [("/one", b"x"), ("/victim", b"new\n"), ("/a/c2/deep", b"deep\n"),
		  ("/grow", contents["/r4096"] + bytes(300000 - 4096))]
	for path, data in checks:
		if contents[path] != data:
			fail("%s does not hold what the script wrote" % path)
	for path, target in LINKS.items():
		if debugfs_readlink(image, path) != target:
			fail("debugfs: %s points to %r, not %r"
			     % (path, debugfs_readlink(image, path), target))
		if ("%s %s" % (path[1:], target)) not in tagged(result, "LINK"):
			fail("Petrel's readlink %s is not %r" % (path[1:], target))

	mount = tagged(result, "MOUNT")
	proc = tagged(result, "PROC")
	if not mount or not mount[0].startswith("/dev/vda on /data type ext2 (rw"):
		fail("mount lists /data as %r" % mount)
	if not proc or not proc[0].startswith("/dev/vda /data ext2 rw"):
		fail("/proc/mounts lists /data as %r" % proc)
	expect_statfs(result, image)


need_e2fsprogs()
with scratch("fsd-hostcheck") as tmp:
	for block in (1024, 4096):
		image = os.path.join(tmp, "disk%d.img" % block)
		mkfs(image, "64M", block)
		result = boot_disk(SCRIPT, image)
		expect_status(result, 0)
		check_image(image, result)
passed()
