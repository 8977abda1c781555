#!/usr/bin/env python3
# Boots: the test image on microvm with no network device, then a copy of
#        it in which one block of the packed /sbin/fsd is made bad (cut
#        to its first byte, the rest left to the next block) and the
#        block index of the packed /sbin/httpd points backwards.
# Does:  sums BusyBox (packed: tools/pagepack.py) in the guest, reads a
#        few bytes across a page boundary, runs it by its own name, and
#        reads /proc/meminfo's Shmem before and after reading the whole
#        file; in the damaged copy reads the bad block and the one before
#        it, and looks at /sbin/httpd.
# Expects: BusyBox's MD5 and the bytes read equal the host's file's (the
#        packed file reads and executes as the file); reading it all
#        unpacks its pages and, the last one unpacked, gives its packed
#        bytes back: Shmem grows by at most its unpacked size less its
#        packed size (by the whole unpacked size if they stayed), less
#        the pages the shell had unpacked before. In the damaged copy the
#        bad block's read
#        fails with EIO and the block before reads, the boot goes on
#        without a message for /sbin/httpd (the boot reads no index) and
#        reading httpd fails with EIO (its index is checked at its first
#        unpack), and the kernel does not panic
#        (kernel/core/pagepack.c, kernel/fs/tmpfs_packed.c).
import hashlib, os, re, struct, sys, tempfile
sys.dont_write_bytecode = True	# no __pycache__ in the tree
sys.path.insert(0, os.path.dirname(os.path.realpath(__file__)))
from lib import boot, expect_in, expect_lines, expect_status, fail, \
	need_test_image, passed

BUSYBOX = os.environ.get("BUSYBOX", "/bin/busybox")
PAGE = 4096
LENGTHS = 5 * 128	# the codes' lengths, after magic and size


def members(image):
	"""(name, offset of the data, its size, offset of the size field)."""
	pos = 0
	while True:
		fields = [int(image[pos + 6 + 8 * i:pos + 14 + 8 * i], 16)
			  for i in range(13)]
		namesize, size = fields[11], fields[6]
		name = image[pos + 110:pos + 110 + namesize - 1]
		data = (pos + 110 + namesize + 3) & ~3
		yield name, data, size
		if name == b"TRAILER!!!":
			return
		pos = (data + size + 3) & ~3


def packed_at(image, name):
	for n, data, size in members(image):
		if n == name:
			if image[data:data + 4] != b"PPK2":
				fail("%s is not packed in the test image" % name)
			return data, size
	fail("no %s in the test image" % name)


def bad_block(image, data):
	"""A block of the pack at data, from the third, that can be cut to
	its first byte with the rest going to the next block; its index,
	the offset of its end in the index, and its start."""
	size, = struct.unpack_from("<I", image, data + 4)
	blocks = (size + PAGE - 1) // PAGE
	index = data + 8 + LENGTHS
	ends = struct.unpack_from("<%dI" % blocks, image, index)
	for k in range(2, blocks - 1):
		start = ends[k - 1]
		if 1 < ends[k] - start < PAGE and ends[k + 1] - start - 1 <= PAGE:
			return k, index + 4 * k, start
	fail("no block of fsd to cut")


def damaged(image):
	"""The image with one of fsd's blocks and httpd's index made bad."""
	out = bytearray(image)
	data, _ = packed_at(image, b"sbin/fsd")
	k, at, start = bad_block(image, data)
	struct.pack_into("<I", out, at, start + 1)
	data, _ = packed_at(image, b"sbin/httpd")
	struct.pack_into("<I", out, data + 8 + LENGTHS + 4, 0)	# block 1 ends at 0
	return bytes(out), k


with open(BUSYBOX, "rb") as f:
	busybox = f.read()
with open(need_test_image(), "rb") as f:
	image = f.read()
shmem = "$(awk '/^Shmem:/ {print $2}' /proc/meminfo)"
script = "; ".join([
	"a=%s" % shmem,
	"md5sum /bin/busybox",
	"b=%s" % shmem,
	"echo unpacked $((b - a))",
	"dd if=/bin/busybox bs=1 skip=%d count=16 2>/dev/null | md5sum" % (5 * PAGE - 7),
	"/bin/busybox echo ran by its name",
])
result = boot(script, test_image=True, extra=["--net", "none"])
expect_status(result, 0)
expect_lines(result, [
	"%s  /bin/busybox" % hashlib.md5(busybox).hexdigest(),
	"%s  -" % hashlib.md5(busybox[5 * PAGE - 7:5 * PAGE + 9]).hexdigest(),
	"ran by its name"])
grew = [int(l.split()[1]) for l in result.lines if l.startswith("unpacked ")]
packed = packed_at(image, b"bin/busybox")[1] // 1024
# The shell and awk had unpacked some pages before a was read.
most = len(busybox) // 1024 - packed + 8
if not grew or not -packed <= grew[0] <= most:
	fail("reading BusyBox grew Shmem by %s KiB, expected %d to %d"
	     % (grew, -packed, most))

bad, BAD_BLOCK = damaged(image)
with tempfile.NamedTemporaryFile(suffix=".cpio") as copy:
	copy.write(bad)
	copy.flush()
	result = boot("dmesg | grep -c 'initramfs: sbin/httpd'; "
		      "dd if=/sbin/fsd of=/dev/null bs=%d skip=%d count=1; "
		      "echo bad $?; "
		      "dd if=/sbin/fsd of=/dev/null bs=%d skip=%d count=1 2>/dev/null; "
		      "echo good $?; "
		      "dd if=/sbin/httpd of=/dev/null bs=%d count=1 2>/dev/null; "
		      "echo index $?" % (PAGE, BAD_BLOCK, PAGE, BAD_BLOCK - 1, PAGE),
		      extra=["--net", "none", "--initrd", copy.name])
	expect_status(result, 0)
	expect_in(result, "Input/output error")
	# A bad index is found at the file's first unpack, not at the boot
	# (which reads no index): httpd is there, and its reads fail.
	expect_lines(result, ["0", "bad 1", "good 0", "index 1"])
passed()
