#!/usr/bin/env python3
# Boots: the test image on microvm with no network device (so netd does
#        not run), then a copy of it without its filler members, so that
#        no file's data is page-aligned in it (and its packed files,
#        BusyBox and the servers, unpacked: their marks are fillers).
# Does:  reads the kernel's initramfs line from dmesg, sums the image's
#        programs, maps /sbin/fsd shared and private and stores into it
#        (/test/bin/imagemap), writes into /sbin/httpd at offset 5000 and
#        reads it back, then removes /sbin/netd and truncates /sbin/httpd
#        to a page, reading MemFree before and after each.
#        On the host first: lists both images with cpio -t.
# Expects: cpio -t reads the aligned image without a complaint, and lists
#        the names of the other plus a "." for each filler; in the aligned
#        image nearly all the file data of init (every whole page) was
#        shared with the archive and the packed programs kept packed, in
#        the other nothing is packed and only the whole pages of files
#        whose data happens to start on a page are shared; in both, each program's MD5 equals the host's
#        file stripped (as the image has it);
#        the mappings behave as on Linux (imagemap says ok); the write
#        reads back and leaves the other files' sums as they were; the
#        unlink and the truncate give the files' pages back to MemFree
#        (kernel/fs/initramfs.c, tools/cpio-align.py).
import hashlib, os, re, subprocess, sys, tempfile
sys.dont_write_bytecode = True	# no __pycache__ in the tree
sys.path.insert(0, os.path.dirname(os.path.realpath(__file__)))
from lib import ROOT, boot, expect_lines, expect_status, fail, \
	need_test_image, passed
sys.path.insert(0, os.path.join(ROOT, "tools"))
import pagepack

PACK_MARK = b"petrel-pagepack\n"

BUILD = os.path.join(ROOT, "build")
PROGRAMS = {"/sbin/init": "init", "/sbin/netd": "netd/netd",
	    "/sbin/fsd": "fsd/fsd", "/sbin/httpd": "httpd/httpd"}
SUMS = "md5sum %s" % " ".join(sorted(PROGRAMS))


def stripped(path):
	"""The program at path as the image has it: stripped."""
	with tempfile.NamedTemporaryFile() as out:
		subprocess.run(["strip", "-o", out.name,
				os.path.join(BUILD, PROGRAMS[path])], check=True)
		return out.read()


def host_sums():
	return ["%s  %s" % (hashlib.md5(stripped(guest)).hexdigest(), guest)
		for guest in sorted(PROGRAMS)]


def kib(path):
	return len(stripped(path)) // 1024


def unpacked(member, fields, namesize):
	"""A packed member with its data unpacked."""
	at = (110 + namesize + 3) & ~3
	data = pagepack.unpack(member[at:at + fields[6]])
	fields = fields[:6] + [len(data)] + fields[7:]
	head = member[:6] + b"".join(b"%08X" % v for v in fields)
	return head + member[110:at] + data + bytes(-len(data) % 4)


def unaligned(image):
	"""The image without the "." directories with data that align it."""
	out, pos, packed = bytearray(), 0, False
	while True:
		fields = [int(image[pos + 6 + 8 * i:pos + 14 + 8 * i], 16)
			  for i in range(13)]
		namesize, size = fields[11], fields[6]
		name = image[pos + 110:pos + 110 + namesize - 1]
		data = (pos + 110 + namesize + 3) & ~3
		end = (data + size + 3) & ~3
		if name == b"." and size > 0:
			packed = image[data:data + len(PACK_MARK)] == PACK_MARK
		elif packed:
			out += unpacked(image[pos:end], fields, namesize)
			packed = False
		else:
			out += image[pos:end]
		if name == b"TRAILER!!!":
			return bytes(out + bytes(-len(out) % 512))
		pos = end


def chance_shared_kib(image):
	"""KiB of the image's file data that starts on a page by chance: its
	whole pages are shared even without a filler before them."""
	pages, pos = 0, 0
	while True:
		fields = [int(image[pos + 6 + 8 * i:pos + 14 + 8 * i], 16)
			  for i in range(13)]
		namesize, size, mode = fields[11], fields[6], fields[1]
		name = image[pos + 110:pos + 110 + namesize - 1]
		data = (pos + 110 + namesize + 3) & ~3
		if name == b"TRAILER!!!":
			return pages * 4
		if mode & 0o170000 == 0o100000 and data % 4096 == 0:
			pages += size // 4096
		pos = (data + size + 3) & ~3


def shared_kib(result):
	"""KiB of file data shared, copied, and kept packed (unpacked size)."""
	for line in result.lines:
		m = re.search(r"initramfs: \d+ entries, file data (\d+) KiB shared"
			      r" with the archive, (\d+) KiB copied, (\d+) KiB packed",
			      line)
		if m:
			return int(m.group(1)), int(m.group(2)), int(m.group(3))
	fail("no initramfs line in dmesg")


def cpio_list(image):
	r = subprocess.run(["cpio", "-t", "--quiet"], input=image,
			   capture_output=True)
	if r.returncode != 0 or r.stderr:
		fail("cpio -t: status %d, %r" % (r.returncode, r.stderr.decode()))
	return r.stdout.decode().splitlines()


with open(need_test_image(), "rb") as f:
	aligned = f.read()
plain = unaligned(aligned)
names = cpio_list(aligned)
if [n for n in names if n != "."] != cpio_list(plain) or "." not in names:
	fail("cpio -t lists other names in the aligned image")

free = "$(awk '/^MemFree/ {print $2}' /proc/meminfo)"
script = "; ".join([
	"dmesg | grep 'initramfs: '", SUMS,
	"/test/bin/imagemap /sbin/fsd",
	"printf XYZ | dd of=/sbin/httpd bs=1 seek=5000 conv=notrunc 2>/dev/null",
	"echo read $(dd if=/sbin/httpd bs=1 skip=5000 count=3 2>/dev/null)",
	"md5sum /sbin/init /sbin/netd",
	"a=%s; rm /sbin/netd; b=%s; echo unlink gave $((b - a))" % (free, free),
	"a=%s; truncate -s 4096 /sbin/httpd; b=%s; echo truncate gave $((b - a))"
	% (free, free),
])
sums = host_sums()
result = boot(script, test_image=True, extra=["--net", "none"])
expect_status(result, 0)
shared, copied, packed = shared_kib(result)
big = sum(kib(p) for p in PROGRAMS) + os.path.getsize("/bin/busybox") // 1024
init = kib("/sbin/init")
if shared < init - 4 or copied > shared // 4 or \
		abs(packed - (big - init)) > 4 * len(PROGRAMS):
	fail("%d KiB shared (%d KiB copied, %d packed), expected about %d "
	     "shared and %d packed" % (shared, copied, packed, init, big - init))
expect_lines(result, sums + ["/sbin/fsd ok", "read XYZ"] +
	     [l for l in sums if l.endswith(("init", "netd"))])
for what, path, want in (("unlink", "/sbin/netd", kib("/sbin/netd") - 64),
			 ("truncate", "/sbin/httpd", kib("/sbin/httpd") - 68)):
	gave = [int(l.split()[-1]) for l in result.lines
		if l.startswith(what + " gave ")]
	if not gave or gave[0] < want:
		fail("%s of %s gave %s KiB back, expected at least %d"
		     % (what, path, gave, want))

with tempfile.NamedTemporaryFile(suffix=".cpio") as copy:
	copy.write(plain)
	copy.flush()
	result = boot("dmesg | grep 'initramfs: '; " + SUMS,
		      extra=["--net", "none", "--initrd", copy.name])
	expect_status(result, 0)
	shared, copied, packed = shared_kib(result)
	chance = chance_shared_kib(plain)
	if shared != chance or packed != 0 or shared + copied < big:
		fail("the unaligned image: %d KiB shared (%d KiB starts on a "
		     "page by chance), %d KiB copied" % (shared, chance, copied))
	expect_lines(result, sums)
passed()
