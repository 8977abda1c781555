#!/usr/bin/env python3
# Boots: the default image on microvm, no network, with a 64M disk that
#        `mke2fs -d TREE` filled on the host: once with 1 KiB blocks, once
#        with 4 KiB.
# Does:  TREE holds files of many sizes (around block sizes and the
#        direct/indirect/double-indirect boundaries), sparse files (one
#        with data past 4 GiB, in the triple-indirect range), nested dirs,
#        a dir of 150 entries, fast, slow, dangling and absolute symlinks,
#        hard links, a fifo, a 255-byte name, a name with spaces, odd modes
#        (0000, setuid, setgid, sticky...) and owners. Petrel prints stat,
#        sha256sum and readlink of everything under /data.
# Expects: the same names, types, modes, owners, link counts, sizes, hard
#        link groups, link targets and checksums as the host sees in TREE.
import os, random, stat, sys
sys.dont_write_bytecode = True	# no __pycache__ in the tree
sys.path.insert(0, os.path.dirname(os.path.realpath(__file__)))
from lib import expect_status, fail, passed
from fsdlib import (boot_disk, e2fsck_clean, guest_sums, mkfs,
		    need_e2fsprogs, scratch, sha256, tagged)

SIZES = [0, 1, 511, 1023, 1024, 1025, 4095, 4096, 4097, 12 * 1024,
	 12 * 1024 + 1, 48 * 1024 + 1, 268 * 1024, 268 * 1024 + 1, 70000,
	 5 << 20]
FAR = 5000000000	# past 4 GiB: i_size_high, triple indirect blocks
FAR_LEN = 5000
LONG_NAME = "L" * 251 + ".255"

SCRIPT = """cd /data || exit 1
find . -path ./lost+found -prune -o ! -name . -exec stat -c 'STAT %%f %%u %%g %%h %%s %%i %%n' {} +
find . -path ./lost+found -prune -o -type f ! -name far -exec sha256sum {} + | sed 's/^/SUM /'
find . -type l -exec sh -c 'for l; do echo "LINK $l -> $(readlink "$l")"; done' sh {} +
echo FAR $(dd if=far bs=1000 skip=%d count=%d 2>/dev/null | sha256sum)
""" % (FAR // 1000, FAR_LEN // 1000)


def write(path, data, mode=None):
	os.makedirs(os.path.dirname(path), exist_ok=True)
	with open(path, "wb") as f:
		f.write(data)
	if mode is not None:
		os.chmod(path, mode)


def sparse(path, pieces, size):
	with open(path, "wb") as f:
		for offset, data in pieces:
			f.seek(offset)
			f.write(data)
		f.truncate(size)


def build_tree(tree, rng):
	"""The host's tree; returns the bytes at FAR in the far sparse file."""
	for size in SIZES:
		write(os.path.join(tree, "sizes", "s%d" % size), rng.randbytes(size))
	sparse(os.path.join(tree, "holes"), [(0, b"head"),
		(1 << 20, rng.randbytes(5000))], 3 << 20)
	sparse(os.path.join(tree, "allhole"), [], 1 << 20)
	far = rng.randbytes(FAR_LEN)
	sparse(os.path.join(tree, "far"), [(100, b"near"), (FAR, far)],
	       FAR + FAR_LEN)
	deep = os.path.join(tree, *("d%d" % i for i in range(10)))
	write(os.path.join(deep, "leaf"), b"at the bottom\n")
	for i in range(150):
		write(os.path.join(tree, "many", "entry-%03d-%s" % (i, "p" * (i % 40))),
		      b"%d\n" % i)
	write(os.path.join(tree, LONG_NAME), b"long name\n")
	write(os.path.join(tree, "with space", "a file"), b"spaces\n")
	os.symlink("sizes/s1", os.path.join(tree, "fast"))
	os.symlink("d0/d1/d2/d3/d4/d5/d6/d7/d8/d9/" + "../" * 10 + "x" * 50,
		   os.path.join(tree, "slow"))
	os.symlink("nowhere", os.path.join(tree, "dangling"))
	os.symlink("/data/d0", os.path.join(tree, "absolute"))
	os.symlink("d0", os.path.join(tree, "to-dir"))
	os.link(os.path.join(tree, "sizes", "s4097"), os.path.join(tree, "hard1"))
	os.link(os.path.join(tree, "sizes", "s4097"),
		os.path.join(tree, "d0", "hard2"))
	os.mkfifo(os.path.join(tree, "fifo"))
	modes = {"m0000": 0o000, "m0777": 0o777, "m4755": 0o4755,
		 "m2755": 0o2755, "m0444": 0o444, "m6751": 0o6751}
	for name, mode in modes.items():
		write(os.path.join(tree, "modes", name), name.encode(), mode)
	for name, mode in (("sticky", 0o1777), ("private", 0o700)):
		os.mkdir(os.path.join(tree, "modes", name))
		os.chmod(os.path.join(tree, "modes", name), mode)
	if os.geteuid() == 0:
		os.chown(os.path.join(tree, "modes", "m0777"), 1234, 5678)
		os.chown(os.path.join(tree, "modes", "private"), 65534, 65534)
		os.lchown(os.path.join(tree, "fast"), 42, 43)
	return far


def host_view(tree):
	"""{"./path": (mode, uid, gid, links, size, inode)}, sums, targets."""
	entries, sums, links = {}, {}, {}
	for top, dirs, files in os.walk(tree):
		for name in dirs + files:
			path = os.path.join(top, name)
			rel = "./" + os.path.relpath(path, tree)
			st = os.lstat(path)
			size = st.st_size
			nlink = st.st_nlink
			if stat.S_ISDIR(st.st_mode):
				size = None	# the host's directory sizes differ
				nlink = 2 + sum(os.path.isdir(os.path.join(path, d))
						and not os.path.islink(os.path.join(path, d))
						for d in os.listdir(path))
			entries[rel] = (st.st_mode, st.st_uid, st.st_gid, nlink,
					size, st.st_ino)
			if stat.S_ISREG(st.st_mode) and name != "far":
				with open(path, "rb") as f:
					sums[rel] = sha256(f.read())
			if stat.S_ISLNK(st.st_mode):
				links[rel] = os.readlink(path)
	return entries, sums, links


def groups(entries):
	"""Hard link groups: the sets of names that share an inode."""
	by_ino = {}
	for name, e in entries.items():
		by_ino.setdefault(e[5], set()).add(name)
	return sorted(sorted(g) for g in by_ino.values() if len(g) > 1)


def compare(result, host, far):
	entries, sums, links = host
	guest = {}
	for line in tagged(result, "STAT"):
		mode, uid, gid, nlink, size, ino, name = line.split(" ", 6)
		guest[name] = (int(mode, 16), int(uid), int(gid), int(nlink),
			       int(size), int(ino))
	if set(guest) != set(entries):
		fail("names differ: only in Petrel %s, only on the host %s"
		     % (sorted(set(guest) - set(entries)),
			sorted(set(entries) - set(guest))))
	fields = ("mode", "uid", "gid", "links", "size")
	for name, want in entries.items():
		got = guest[name]
		for i, field in enumerate(fields):
			if want[i] is not None and got[i] != want[i]:
				fail("%s: Petrel's %s is %s, the host's %s" % (
					name, field, oct(got[i]) if i == 0 else got[i],
					oct(want[i]) if i == 0 else want[i]))
	if groups(guest) != groups(entries):
		fail("hard link groups: Petrel %s, host %s"
		     % (groups(guest), groups(entries)))
	got_sums = guest_sums(result, "SUM")
	for name, digest in sums.items():
		if got_sums.get(name) != digest:
			fail("%s: Petrel's sha256 %s, the host's %s"
			     % (name, got_sums.get(name), digest))
	if set(got_sums) != set(sums):
		fail("Petrel summed other files: %s" % sorted(set(got_sums) ^ set(sums)))
	got_links = dict(l.split(" -> ", 1) for l in tagged(result, "LINK"))
	if got_links != links:
		fail("symlinks: Petrel %s, host %s" % (got_links, links))
	if tagged(result, "FAR") != ["%s -" % sha256(far)]:
		fail("the bytes at %d in far differ: %s" % (FAR, tagged(result, "FAR")))


need_e2fsprogs()
with scratch("fsd-mkfs-tree") as tmp:
	tree = os.path.join(tmp, "tree")
	far = build_tree(tree, random.Random(2024))
	host = host_view(tree)
	for block in (1024, 4096):
		image = os.path.join(tmp, "disk%d.img" % block)
		mkfs(image, "64M", block, tree)
		e2fsck_clean(image, "as mke2fs made it")
		result = boot_disk(SCRIPT, image)
		expect_status(result, 0)
		compare(result, host, far)
		e2fsck_clean(image, "after Petrel read it")
passed()
