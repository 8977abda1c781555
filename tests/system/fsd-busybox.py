#!/usr/bin/env python3
# Boots: the default image on microvm, no network, with a 64M ext2 disk of
#        4 KiB blocks that mke2fs -d made holding payload.tar (a tree of
#        random files, nested dirs and symlinks built on the host).
# Does:  a BusyBox workload on /data: tar x of payload.tar; tar c of /etc
#        and /bin from the root, tar x of that; cp -r; diff -r; find; mv
#        of directories (within one parent and across parents); rm -r; du;
#        df and statfs; power off.
# Expects: every guest step succeeds, the extracted files' sha256 and modes
#        are the host's, du is at least the files' size; on the host
#        e2fsck -fn finds nothing, debugfs cat of the moved tree gives the
#        host's bytes, and df's and statfs's figures agree with dumpe2fs -h.
import io, os, random, sys, tarfile
sys.dont_write_bytecode = True	# no __pycache__ in the tree
sys.path.insert(0, os.path.dirname(os.path.realpath(__file__)))
from lib import expect_lines, expect_status, fail, passed
from fsdlib import (STATFS_CMD, boot_disk, debugfs_cat, e2fsck_clean,
		    expect_clean_state, expect_statfs, guest_sums, mkfs,
		    need_e2fsprogs, scratch, sha256, tagged)

SCRIPT = """set -e; cd /data
mkdir x; tar -xf payload.tar -C x; echo untarred
(cd x && find . -type f -exec sha256sum {} + | sed 's/^/SUM /')
(cd x && find . -type f -exec stat -c 'MODE %%a %%n' {} +)
tar -cf sys.tar -C / etc bin; mkdir sys; tar -xf sys.tar -C sys
diff -r /etc sys/etc && [ "$(ls /bin | wc -l)" = "$(ls sys/bin | wc -l)" ] && echo sys-same
cp -r x copy; diff -r x copy && echo copy-same
echo FILES $(find copy -type f | wc -l) $(find x -type f | wc -l)
mv copy x/nested; mv x renamed; mv renamed/nested/top renamed/top2
[ -d renamed/nested/sub ] && [ -f renamed/top2/file ] && echo moved
rm -r renamed/nested sys sys.tar; echo removed
echo DU $(du -sk renamed)
%s
echo left $(find . | wc -l)""" % STATFS_CMD


def build_payload(rng):
	"""An in-memory tar of a random tree: {name: (bytes, mode)} and tar."""
	files = {}
	for i in range(40):
		depth = rng.randrange(4)
		path = "/".join(["sub%d" % rng.randrange(3) for _ in range(depth)]
				+ ["f%02d" % i])
		size = rng.choice([0, 1, 100, 4095, 4096, 4097, 30000, 300000])
		files[path] = (rng.randbytes(size), rng.choice([0o644, 0o600, 0o755]))
	files["top/file"] = (b"top\n", 0o644)
	files["sub/x"] = (rng.randbytes(2 << 20), 0o640)
	buf = io.BytesIO()
	with tarfile.open(fileobj=buf, mode="w", format=tarfile.USTAR_FORMAT) as tar:
		for name, (data, mode) in sorted(files.items()):
			info = tarfile.TarInfo(name)
			info.size, info.mode, info.mtime = len(data), mode, 1700000000
			tar.addfile(info, io.BytesIO(data))
		link = tarfile.TarInfo("top/link")
		link.type, link.linkname = tarfile.SYMTYPE, "file"
		tar.addfile(link)
	return files, buf.getvalue()


def check_guest(result, files):
	sums = guest_sums(result, "SUM")
	want = {"./" + n: sha256(d) for n, (d, _) in files.items()}
	if sums != want:
		bad = sorted(n for n in set(sums) | set(want)
			     if sums.get(n) != want.get(n))
		fail("the untarred files differ from the host's: %s" % bad)
	modes = dict(l.split(" ", 1)[::-1] for l in tagged(result, "MODE"))
	for name, (_, mode) in files.items():
		if modes.get("./" + name) != "%o" % mode:
			fail("./%s: mode %s after tar x, %o in the tar"
			     % (name, modes.get("./" + name), mode))
	copies, total = map(int, tagged(result, "FILES")[0].split())
	if copies != total or total != len(files):
		fail("cp -r copied %d of %d files" % (copies, total))
	du = int(tagged(result, "DU")[0].split()[0])
	size = sum(len(d) for d, _ in files.values()) // 1024
	if du < size:
		fail("du -sk says %d KiB, the files hold %d" % (du, size))


def check_host(image, files):
	e2fsck_clean(image)
	expect_clean_state(image)
	for name, (data, _) in files.items():
		moved = name.replace("top/", "top2/", 1)
		got = debugfs_cat(image, "/renamed/" + moved)
		if got != data:
			fail("debugfs cat /renamed/%s: %d bytes, not the host's %d"
			     % (moved, len(got), len(data)))


need_e2fsprogs()
with scratch("fsd-busybox") as tmp:
	files, payload = build_payload(random.Random(7))
	tree = os.path.join(tmp, "tree")
	os.mkdir(tree)
	with open(os.path.join(tree, "payload.tar"), "wb") as f:
		f.write(payload)
	image = os.path.join(tmp, "disk.img")
	mkfs(image, "64M", 4096, tree)
	result = boot_disk(SCRIPT, image)
	expect_status(result, 0)
	expect_lines(result, ["untarred", "sys-same", "copy-same", "moved",
			      "removed"])
	check_guest(result, files)
	check_host(image, files)
	expect_statfs(result, image)
passed()
