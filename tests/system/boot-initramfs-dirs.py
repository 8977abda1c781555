#!/usr/bin/env python3
# Boots: the default image with a second cpio archive appended (as
#        `./petrel run --pack` appends one): files in a directory whose
#        path is longer than the unpacking keeps (128 bytes), in a short
#        one, then in the long one again, and one made by name only
#        after its directory's own member.
# Does:  cat each file; the boot log's initramfs error lines.
# Expects: every file there with its data, no error: the unpacking
#        holds the last member's directory, long path or short, while
#        it makes the next (kernel/fs/initramfs.c, dir_of).
import os, sys, tempfile
sys.dont_write_bytecode = True	# no __pycache__ in the tree
sys.path.insert(0, os.path.dirname(os.path.realpath(__file__)))
from lib import ROOT, boot, expect_lines, expect_status, passed


def member(name, mode, data=b"", ino=1):
	name = name.encode() + b"\0"
	fields = [ino, mode, 0, 0, 1, 0, len(data), 0, 0, 0, 0, len(name), 0]
	out = b"070701" + b"".join(b"%08X" % f for f in fields) + name
	out += bytes(-len(out) % 4) + data
	return out + bytes(-len(out) % 4)


LONG = "/".join(["deep%02d-directory-name" % i for i in range(8)])
assert len(LONG) > 128
layer = (member("x/" + LONG + "/one", 0o100644, b"one\n", 1) +
	 member("x/" + LONG + "/two", 0o100644, b"two\n", 2) +
	 member("y/short", 0o100644, b"short\n", 3) +
	 member("x/" + LONG + "/three", 0o100644, b"three\n", 4) +
	 member("z", 0o040755, b"", 5) +
	 member("z/four", 0o100644, b"four\n", 6) +
	 member("TRAILER!!!", 0, b"", 0))
with open(os.path.join(ROOT, "build", "initramfs.cpio"), "rb") as f:
	base = f.read()
base += bytes(-len(base) % 4)
with tempfile.NamedTemporaryFile(suffix=".cpio") as image:
	image.write(base + layer + bytes(-len(layer) % 512))
	image.flush()
	d = "/x/" + LONG
	result = boot("cat %s/one %s/two /y/short %s/three /z/four; "
		      "dmesg | grep -c 'initramfs: .*error' || true" % (d, d, d),
		      extra=["--net", "none", "--initrd", image.name])
expect_status(result, 0)
expect_lines(result, ["one", "two", "short", "three", "four", "0"])
passed()
