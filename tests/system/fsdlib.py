# Shared helpers for fsd's system tests (tests/system/fsd-*.py): scratch
# ext2 images, boots with a disk, and the host's e2fsprogs (e2fsck,
# debugfs, dumpe2fs) as the judge of what Petrel wrote. Not a test itself.

import hashlib
import os
import re
import shutil
import subprocess
import tempfile

from lib import boot, fail, skip

TOOLS = ("mke2fs", "e2fsck", "debugfs", "dumpe2fs")
# The guest's command line holds 4096 decoded bytes (kernel/include/kernel/
# cmdline.h); a script must leave room for the rest of it.
SCRIPT_MAX = 3800


def need_e2fsprogs():
	missing = [t for t in TOOLS if not shutil.which(t)]
	if missing:
		skip("skipped: e2fsprogs missing (%s)" % ", ".join(missing))


def scratch(name):
	"""A temporary directory for images and trees, removed at the end."""
	return tempfile.TemporaryDirectory(prefix=name + "-")


def run(argv, check=True, **kwargs):
	proc = subprocess.run(argv, capture_output=True, timeout=60, **kwargs)
	if check and proc.returncode != 0:
		fail("`%s` exited %d: %s" % (" ".join(argv), proc.returncode,
					      proc.stderr.decode(errors="replace")))
	return proc


def mkfs(image, size="64M", block=None, tree=None):
	"""An ext2 image of size, of block-byte blocks, holding tree if given."""
	argv = ["mke2fs", "-q", "-F", "-t", "ext2"]
	if block:
		argv += ["-b", str(block)]
	if tree:
		argv += ["-d", tree]
	run(argv + [image, size])


def boot_disk(script, image, read_only=False, test_image=False, extra=()):
	"""Boots with image as the disk fsd serves on /data, no network, and
	runs script (one string, for /bin/sh -c, or an argv list)."""
	if isinstance(script, str) and len(script) > SCRIPT_MAX:
		fail("test bug: the guest script is %d bytes, over %d"
		     % (len(script), SCRIPT_MAX))
	disk = ["--disk-ro" if read_only else "--disk", image]
	return boot(script, test_image=test_image,
		    extra=["--net", "none"] + disk + list(extra))


def sha256(data):
	return hashlib.sha256(data).hexdigest()


def file_sha256(path):
	with open(path, "rb") as f:
		return sha256(f.read())


# ---- e2fsck ----------------------------------------------------------------

E2FSCK_QUIET = re.compile(r"^(Pass [1-5]: .*|.*: \d+/\d+ files .* blocks)$")
# The guest's clock may run up to a second or so ahead of the host's, so the
# superblock's times may be in the future; e2fsck then says so (with status
# 0). That is about the clock, not the file system.
E2FSCK_CLOCK = re.compile(r"^(Superblock last (write|mount) time is in the "
			  r"future\.|\t\(by less than a day, probably due to "
			  r"the hardware clock being incorrectly set\))$")


def e2fsck_clean(image, when=""):
	"""e2fsck -fn finds nothing at all to say about image."""
	proc = run(["e2fsck", "-fn", image], check=False)
	out = proc.stdout.decode(errors="replace")
	print("$ e2fsck -fn %s%s\n%s[status %d]" % (
		os.path.basename(image), " (%s)" % when if when else "", out,
		proc.returncode), flush=True)
	extra = [l for l in out.splitlines() if l and not E2FSCK_QUIET.match(l)]
	if any(E2FSCK_CLOCK.match(l) for l in extra):
		print("note: the superblock's times are ahead of the host's "
		      "clock (the guest's clock ran ahead)", flush=True)
		extra = [l for l in extra if not E2FSCK_CLOCK.match(l)]
	if proc.returncode != 0 or extra:
		fail("e2fsck -fn %s%s: status %d, it says:\n%s" % (
			image, " " + when if when else "", proc.returncode,
			"\n".join(extra) or out))


def e2fsck_repair(image):
	"""e2fsck -fy; it may repair (status 0 or 1). Returns what it said
	beyond the usual pass lines, for the log and the report."""
	proc = run(["e2fsck", "-fy", image], check=False)
	out = proc.stdout.decode(errors="replace")
	print("$ e2fsck -fy %s\n%s[status %d]" % (
		os.path.basename(image), out, proc.returncode), flush=True)
	if proc.returncode not in (0, 1):
		fail("e2fsck -fy %s: status %d (0 or 1 expected)"
		     % (image, proc.returncode))
	return [l for l in out.splitlines() if l and not E2FSCK_QUIET.match(l)]


REPAIR_KINDS = (
	("Unattached inode", "unattached inodes put in lost+found"),
	("Multiply-claimed block(s) in inode", "inodes sharing blocks"),
	("has illegal block(s)", "inodes with illegal blocks"),
	("i_blocks is", "wrong i_blocks"),
	("has deleted/unused inode", "entries of unused inodes"),
	("Block bitmap differences", "block bitmap differences"),
	("Inode bitmap differences", "inode bitmap differences"),
	("count wrong", "wrong free counts"),
)


def summarize_repairs(said):
	"""What e2fsck_repair returned, as one line: a count of each kind of
	repair, and any other line it printed."""
	counts = {}
	other = []
	for line in said:
		kind = next((k for k in REPAIR_KINDS if k[0] in line), None)
		if kind:
			counts[kind[1]] = counts.get(kind[1], 0) + 1
		elif not (line.startswith(("Fix?", "Clear", "Connect", "Pass 1",
					  "Clone", "\t", "Salvage", "Relocate",
					  "Running additional", "Illegal block",
					  "Too many illegal", "Restarting",
					  "File ", "  has ", "(There are",
					  "Multiply-claimed blocks already"))
			  or "ref count is 2, should be 1" in line
			  or "FILE SYSTEM WAS MODIFIED" in line):
			other.append(line)
	parts = ["%d %s" % (n, kind) for kind, n in counts.items()]
	return ", ".join(parts + other[:3]) or "nothing to repair"


# ---- dumpe2fs and debugfs ----------------------------------------------------

def superblock(image):
	"""dumpe2fs -h as a dict: "Block count" -> "65536", ..."""
	out = run(["dumpe2fs", "-h", image]).stdout.decode(errors="replace")
	fields = {}
	for line in out.splitlines():
		key, sep, value = line.partition(":")
		if sep:
			fields[key.strip()] = value.strip()
	return fields


def expect_clean_state(image):
	state = superblock(image).get("Filesystem state")
	if state != "clean":
		fail("%s: dumpe2fs says the file system state is %r, not 'clean'"
		     % (image, state))


def debugfs(image, request):
	return run(["debugfs", "-R", request, image]).stdout


def debugfs_cat(image, path):
	return debugfs(image, "cat \"%s\"" % path)


STAT_FIELDS = {
	"type": r"Type: (\S+)", "mode": r"Mode:\s+(\d+)",
	"uid": r"User:\s+(\d+)", "gid": r"Group:\s+(\d+)",
	"size": r"Size: (\d+)", "links": r"Links: (\d+)",
}


def debugfs_stat(image, path):
	"""The inode at path: type (regular, directory, symlink...), mode (the
	permission bits), uid, gid, size, links; None if there is none."""
	out = debugfs(image, "stat \"%s\"" % path).decode(errors="replace")
	info = {}
	for key, pattern in STAT_FIELDS.items():
		m = re.search(pattern, out)
		if not m:
			return None
		value = m.group(1)
		info[key] = value if key == "type" else int(value, 8 if key == "mode" else 10)
	m = re.search(r'Fast link dest: "(.*)"', out)
	info["fast_link"] = m.group(1) if m else None
	return info


def debugfs_readlink(image, path):
	info = debugfs_stat(image, path)
	if info["fast_link"] is not None:
		return info["fast_link"]
	return debugfs_cat(image, path).decode(errors="replace")


# ---- The guest's view ------------------------------------------------------

def tagged(result, tag):
	"""The guest's output lines that start with "TAG ", without it."""
	return [l[len(tag) + 1:] for l in result.lines if l.startswith(tag + " ")]


def guest_sums(result, tag=None):
	"""sha256sum lines (with a tag: "TAG HEX  PATH") as {path: hex}."""
	lines = tagged(result, tag) if tag else result.lines
	sums = {}
	for line in lines:
		m = re.match(r"^([0-9a-f]{64})  (.*)$", line)
		if m:
			sums[m.group(2)] = m.group(1)
	return sums


def has_super(group, sparse):
	"""Whether a block group holds a superblock copy (sparse_super: 0, 1
	and powers of 3, 5 and 7)."""
	if group <= 1 or not sparse:
		return True
	for base in (3, 5, 7):
		p = base
		while p < group:
			p *= base
		if p == group:
			return True
	return False


def linux_total_blocks(sb):
	"""The total Linux's ext2 statfs (and so df) reports: the block count
	less what metadata takes (superblock and descriptor copies, bitmaps,
	inode tables; not the reserved descriptor blocks)."""
	total = int(sb["Block count"])
	bsize = int(sb["Block size"])
	first = int(sb["First block"])
	per_group = int(sb["Blocks per group"])
	groups = (total - first + per_group - 1) // per_group
	gdt = (groups * 32 + bsize - 1) // bsize
	sparse = "sparse_super" in sb.get("Filesystem features", "")
	overhead = first
	for g in range(groups):
		overhead += (1 + gdt if has_super(g, sparse) else 0) + 2 + \
			int(sb["Inode blocks per group"])
	return total - overhead


# Printed by the guest as "STATFS ..." (STATFS_CMD), compared with dumpe2fs.
STATFS_CMD = ("echo STATFS $(stat -f -c '%S %b %f %a %c %d' /data); "
	      "df -k /data | tail -n 1 | sed 's/^/DF /'")


def expect_statfs(result, image):
	"""The guest's statfs and df of /data (printed by STATFS_CMD before
	power-off) agree with the superblock on the host: total blocks (less
	metadata, as Linux counts), free blocks, free less reserved for df's
	Available, inodes."""
	sb = superblock(image)
	words = tagged(result, "STATFS")
	df = tagged(result, "DF")
	if not words or not df:
		fail("the guest printed no STATFS/DF line")
	bsize, blocks, free, avail, files, ffree = map(int, words[-1].split())
	total = linux_total_blocks(sb)
	sb_free = int(sb["Free blocks"])
	reserved = int(sb["Reserved block count"])
	checks = [
		("block size", bsize, int(sb["Block size"])),
		("total blocks", blocks, total),
		("free blocks", free, sb_free),
		("available blocks", avail, max(sb_free - reserved, 0)),
		("inodes", files, int(sb["Inode count"])),
		("free inodes", ffree, int(sb["Free inodes"])),
	]
	_, kblocks, used, available = df[-1].split()[:4]
	k = bsize // 1024
	checks += [
		("df 1K-blocks", int(kblocks), total * k),
		("df Used", int(used), (total - sb_free) * k),
		("df Available", int(available), max(sb_free - reserved, 0) * k),
		("df Used+Available", int(used) + int(available),
		 (total - reserved) * k),
	]
	for what, guest, host in checks:
		if guest != host:
			fail("%s: the guest's statfs says %d, dumpe2fs -h %d"
			     % (what, guest, host))
	print("statfs agrees with dumpe2fs: %d blocks of %d, %d free, %d "
	      "reserved" % (total, bsize, sb_free, reserved), flush=True)


# ---- An image's layout, for tests that corrupt it ---------------------------

class Layout:
	"""The layout of the ext2 image in a bytearray, read from its own
	superblock and group descriptors: where each group's bitmaps and inode
	table are, where an inode lies, and its fields."""

	def __init__(self, data):
		self.data = data
		sb = 1024
		self.inodes_count = self.u32(sb + 0)
		self.blocks_count = self.u32(sb + 4)
		self.first_data_block = self.u32(sb + 20)
		self.bs = 1024 << self.u32(sb + 24)
		self.blocks_per_group = self.u32(sb + 32)
		self.ipg = self.u32(sb + 40)
		self.inode_size = self.u16(sb + 88)
		self.ngroups = -(-(self.blocks_count - self.first_data_block)
				 // self.blocks_per_group)
		self.gdt = (self.first_data_block + 1) * self.bs
		self.groups = [dict(block_bitmap=self.u32(self.gd(g) + 0),
				    inode_bitmap=self.u32(self.gd(g) + 4),
				    inode_table=self.u32(self.gd(g) + 8))
			       for g in range(self.ngroups)]
		self.itable_blocks = -(-self.ipg * self.inode_size // self.bs)

	def u16(self, off):
		return int.from_bytes(self.data[off:off + 2], "little")

	def u32(self, off):
		return int.from_bytes(self.data[off:off + 4], "little")

	def put(self, off, value, size=4):
		self.data[off:off + size] = (value & ((1 << 8 * size) - 1)) \
			.to_bytes(size, "little")

	def gd(self, group):
		"""The byte offset of group's descriptor."""
		return self.gdt + 32 * group

	def inode(self, ino):
		"""The byte offset of inode ino in its table."""
		g, i = divmod(ino - 1, self.ipg)
		return self.groups[g]["inode_table"] * self.bs + \
			i * self.inode_size

	def block_ptr(self, ino, n):
		"""The byte offset of i_block[n] of inode ino."""
		return self.inode(ino) + 40 + 4 * n

	def never_written(self, whole_blocks=False):
		"""The byte ranges fsd never changes, by this superblock: the boot
		block, and each superblock and descriptor copy (with the reserved
		descriptor blocks) but the primary superblock and descriptors.
		whole_blocks: those it never writes, block by block (a 4 KiB
		block 0 holds the boot block and the primary superblock)."""
		sb = 1024
		sparse = self.u32(sb + 100) & 1
		reserved = self.u16(sb + 206) if self.u32(sb + 76) else 0
		gdt = -(-self.ngroups * 32 // self.bs)
		ranges = [] if whole_blocks and self.bs > 1024 else [(0, 1024)]
		for g in range(self.ngroups):
			if not has_super(g, sparse):
				continue
			first = self.first_data_block + g * self.blocks_per_group
			end = min(first + 1 + gdt + reserved,
				  first + self.blocks_per_group, self.blocks_count)
			start = first + 1 + gdt if g == 0 else first
			if start < end:
				ranges.append((start * self.bs, end * self.bs))
		return ranges

	def metadata_blocks(self):
		"""Group 0's superblock, descriptors, bitmaps, inode table."""
		g = self.groups[0]
		return [self.first_data_block, self.first_data_block + 1,
			g["block_bitmap"], g["inode_bitmap"], g["inode_table"]]


def inode_number(image, path):
	"""The inode number debugfs finds at path in image, or None."""
	out = run(["debugfs", "-R", "stat \"%s\"" % path, image],
		  check=False).stdout.decode(errors="replace")
	m = re.search(r"Inode: (\d+)", out)
	return int(m.group(1)) if m else None


def indirect_blocks(image, path):
	"""The indirect blocks of the file at path: [(kind, block)], kind
	IND, DIND or TIND, as debugfs's stat lists them."""
	out = run(["debugfs", "-R", "stat \"%s\"" % path, image],
		  check=False).stdout.decode(errors="replace")
	return [(k, int(b)) for k, b in re.findall(r"\((T?D?IND)\):(\d+)", out)]
