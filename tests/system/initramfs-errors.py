#!/usr/bin/env python3
# Boots: the default image with a second cpio archive appended (as
#        `./petrel run --pack` appends one), whose members clash with the
#        first's: a regular file of 5,000 bytes named "bin" (a directory),
#        a symlink named "etc" (a directory), a directory under
#        "sbin/init" (a file), then a file that clashes with nothing,
#        a symlink whose target of 300 bytes is too long, one whose
#        target holds a NUL, and one whose header's uid, gid and mtime
#        are not hex (a symlink's are not read: kernel/core/cpio.c).
# Does:  cat /layer-ok; readlink the two symlinks made; the boot log's
#        initramfs error lines.
# Expects: each clash is logged with the member's whole name and EISDIR
#        (-21) or ENOTDIR (-20); the file's data, copied from pages that
#        go back to the allocator as it is, does not garble its name
#        (kernel/fs/initramfs.c copies only such a member's name); the
#        file after the clashes is there; the long target is logged with
#        ENAMETOOLONG (-36); the target with a NUL ends there, as Linux
#        takes it; the symlink with the bad owner fields is made.
import os, sys, tempfile
sys.dont_write_bytecode = True	# no __pycache__ in the tree
sys.path.insert(0, os.path.dirname(os.path.realpath(__file__)))
from lib import ROOT, boot, expect_lines, expect_status, passed


def member(name, mode, data=b"", ino=1, owner=None):
	name = name.encode() + b"\0"
	fields = [ino, mode, 0, 0, 1, 0, len(data), 0, 0, 0, 0, len(name), 0]
	hexes = [b"%08X" % f for f in fields]
	if owner:	# uid, gid and mtime as given, 8 bytes each
		hexes[2] = hexes[3] = hexes[5] = owner
	out = b"070701" + b"".join(hexes) + name
	out += bytes(-len(out) % 4) + data
	return out + bytes(-len(out) % 4)


layer = (member("bin", 0o100644, b"x" * 5000, 1) +
	 member("etc", 0o120777, b"x", 2) +
	 member("sbin/init/sub", 0o040755, b"", 3) +
	 member("layer-ok", 0o100644, b"unpacked\n", 4) +
	 member("lnk-long", 0o120777, b"x" * 300, 5) +
	 member("lnk-nul", 0o120777, b"abc\0def", 6) +
	 member("lnk-owner", 0o120777, b"layer-ok", 7, owner=b"zzzzzzzz") +
	 member("TRAILER!!!", 0, b"", 0))
with open(os.path.join(ROOT, "build", "initramfs.cpio"), "rb") as f:
	base = f.read()
base += bytes(-len(base) % 4)
with tempfile.NamedTemporaryFile(suffix=".cpio") as image:
	image.write(base + layer + bytes(-len(layer) % 512))
	image.flush()
	result = boot("cat /layer-ok; readlink /lnk-nul; readlink /lnk-owner; "
		      "dmesg | grep 'initramfs: .*error'",
		      extra=["--net", "none", "--initrd", image.name])
expect_status(result, 0)
expect_lines(result, ["unpacked", "abc", "layer-ok",
		      "initramfs: bin: error -21",
		      "initramfs: etc: error -21",
		      "initramfs: sbin/init/sub: error -20",
		      "initramfs: lnk-long: error -36"])
passed()
