#!/usr/bin/env python3
# Boots: the test image on microvm, no network, once per seed (two boots at
#        a time), with a small ext2 disk that `mke2fs -d` filled (files
#        with indirect and double-indirect blocks, a sparse file, nested
#        and large directories, hard links, fast and slow symlinks; 1 KiB
#        blocks for even seeds, 4 KiB for odd ones, several groups), then
#        corrupted by the seed: superblock fields, group descriptors,
#        bitmaps, inode fields (sizes, block pointers past the end or onto
#        metadata, links, mode bits, flags), indirect blocks, directory
#        entries (rec_len, name_len, inode, type), directory loops,
#        symlinks, random bytes in metadata; a quarter of them marked
#        not clean, so that fsd rebuilds the bitmaps first. 64 KiB of a
#        known pattern follow the file system on the disk, as a guard.
#        Then the fixed cases of an image fsd cannot trust: an unknown
#        incompatible or read-only feature, errors recorded, a block
#        count past the disk.
# Does:  in the guest: ls -laR, cat of every file and symlink, stat and
#        readlink of everything, then a new file, a directory, an rm, a
#        rename, a symlink, 200 KiB of writes and sync, each under a
#        timeout (10 s; 60 s for sync); prints how /data is mounted;
#        powers off.
# Expects: each boot ends with the script's status 0 and its last line: no
#        kernel panic or fault, fsd never dies (init reports no exit of
#        it), no hang (sync returns); the image keeps its size, and
#        nothing at or past the block count of the superblock fsd read
#        changed (the guard least of all), nor the boot block or a
#        backup superblock or descriptor copy (fsd writes only the
#        primary ones); QEMU's trace of virtio-blk writes says the same of
#        every write it was asked for, even one that put back the same
#        bytes; an image that was refused or mounted read-only is not
#        written at all. Where
#        e2fsck -fn found nothing wrong with the corrupted image, it finds
#        nothing after Petrel either (other new findings are printed, as
#        the injected damage can spread). The fixed cases are refused or
#        mounted read-only, as docs/fsd.md says.
#
# FSD_FUZZ_SEEDS=N runs seeds FSD_FUZZ_FIRST (default 1) to N (default
# 12; `make fuzz-disk` runs 1000), FSD_FUZZ_SEED=N one seed alone (not
# the fixed cases), FSD_FUZZ_JOBS boots at a time, FSD_FUZZ_KEEP=DIR
# keeps the images of failed seeds.
import concurrent.futures, os, random, re, subprocess, sys, threading
sys.dont_write_bytecode = True	# no __pycache__ in the tree
sys.path.insert(0, os.path.dirname(os.path.realpath(__file__)))
from lib import ROOT, fail, passed, petrel_args, quote
from fsdlib import (E2FSCK_CLOCK, E2FSCK_QUIET, Layout, indirect_blocks,
		    inode_number, need_e2fsprogs, run, scratch)

# Seeds that once found a bug in fsd or the kernel, always run.
REGRESSION_SEEDS = [
	2,	# group 0's inode table moved: the superblock was written,
		# then the mount failed (fsd now checks the root first)
]
GUARD = bytes(range(256)) * 256		# 64 KiB after the file system
BOOT_SECONDS = 180
STEP_SECONDS = 10	# a directory loop makes ls -R and find run forever
SYNC_SECONDS = 60	# but nothing makes sync: past this, fsd is stuck

SCRIPT = """T='timeout -s KILL %d'
m=$(grep ' /data ' /proc/mounts | cut -d' ' -f4 | cut -d, -f1)
echo "FZ MOUNT ${m:-none}"
if [ -n "$m" ] && cd /data; then
$T ls -laR . >/dev/null 2>&1; echo "FZ ls $?"
$T find . -type f -exec cat {} + >/dev/null 2>&1; echo "FZ cat $?"
$T find . -type l -exec cat {} + >/dev/null 2>&1; echo "FZ catlink $?"
$T find . -exec stat {} + >/dev/null 2>&1; echo "FZ stat $?"
$T find . -type l -exec readlink {} + >/dev/null 2>&1; echo "FZ readlink $?"
$T sh -c 'echo fuzz >fz.new; mkdir fz.dir; echo in >fz.dir/f; rm small1
mv small2 a/b/moved; ln -s fz.new fz.sym; rmdir emptydir
dd if=/dev/zero of=fz.big bs=1k count=200; echo more >>big' \
	>/dev/null 2>&1; echo "FZ write $?"
timeout -s KILL %d sync; echo "FZ sync $?"
cd /
fi
tail -n 3 /var/log/fsd.log | sed 's/^/FZ LOG /'
echo "FZ DONE"
""" % (STEP_SECONDS, SYNC_SECONDS)

# Lines that say the kernel or fsd died: the test's first concern.
DEATH = re.compile(r"kernel (panic|fault)|^init: fsd: (killed|exited)|"
		   r"^init: fsd.*giving up")

print_lock = threading.Lock()


# ---- The base images -------------------------------------------------------

def make_tree(tree):
	rng = random.Random(7)
	def put(path, data):
		full = os.path.join(tree, path)
		os.makedirs(os.path.dirname(full), exist_ok=True)
		with open(full, "wb") as f:
			f.write(data)
	put("small1", b"small one\n")
	put("small2", b"small two\n" * 100)
	put("empty", b"")
	put("big", rng.randbytes(300 * 1024))	# IND and DIND (1 KiB)
	put("a/b/c/deep", b"deep\n")
	os.link(os.path.join(tree, "small1"), os.path.join(tree, "a/hard"))
	for i in range(60):
		put("many/entry-with-a-long-name-%03d" % i, b"%d\n" % i)
	os.makedirs(os.path.join(tree, "emptydir"))
	os.symlink("small1", os.path.join(tree, "fastsym"))
	os.symlink("a/b/c/" + "x" * 90 + "/../deep",
		   os.path.join(tree, "slowsym"))
	with open(os.path.join(tree, "sparse"), "wb") as f:
		f.seek(200 * 1024)
		f.write(b"tail\n")


PATHS = ("/", "/a", "/a/b", "/a/b/c", "/many", "/emptydir", "/lost+found",
	 "/small1", "/small2", "/big", "/sparse", "/a/b/c/deep", "/fastsym",
	 "/slowsym")


def base_image(tmp, tree, bs):
	"""The image as bytes and what the corruptions aim at: inode numbers
	by path and the indirect blocks of the big and sparse files."""
	image = os.path.join(tmp, "base-%d.img" % bs)
	size, per_group = ("4M", 1024) if bs == 1024 else ("8M", 512)
	run(["mke2fs", "-q", "-F", "-t", "ext2", "-b", str(bs), "-g",
	     str(per_group), "-N", "256", "-d", tree, image, size])
	inodes = {p: inode_number(image, p) for p in PATHS}
	indirect = indirect_blocks(image, "/big") + \
		indirect_blocks(image, "/sparse")
	with open(image, "rb") as f:
		data = f.read()
	return dict(data=data, inodes=inodes, indirect=indirect)


# ---- Corruptions: each changes a Layout and says what it did --------------

def nasty(rng, lay, orig):
	"""A value that a field of orig may be made to hold."""
	end = lay.blocks_count
	return rng.choice([0, 1, 2, 0xffffffff, 0x80000000, 0x7fffffff, 0xffff,
			   orig + 1, orig - 1 if orig else 3, orig * 2,
			   orig // 2, end, end + rng.randrange(64),
			   rng.randrange(end), rng.randrange(1 << 32)])


SUPER_FIELDS = [(0, "inodes_count", 4), (4, "blocks_count", 4),
		(8, "r_blocks", 4), (12, "free_blocks", 4),
		(16, "free_inodes", 4), (20, "first_data_block", 4),
		(24, "log_block_size", 4), (32, "blocks_per_group", 4),
		(40, "inodes_per_group", 4), (56, "magic", 2), (58, "state", 2),
		(76, "rev_level", 4), (84, "first_ino", 4),
		(88, "inode_size", 2), (92, "compat", 4), (96, "incompat", 4),
		(100, "ro_compat", 4), (206, "reserved_gdt", 2)]


def corrupt_super(rng, lay, base):
	off, name, size = rng.choice(SUPER_FIELDS)
	orig = lay.u16(1024 + off) if size == 2 else lay.u32(1024 + off)
	if name == "blocks_count" and rng.randrange(2):
		value = orig - 1 - rng.randrange(min(orig - 2, 700))
	elif name in ("compat", "incompat", "ro_compat", "state"):
		value = orig ^ (1 << rng.randrange(8 * size))
	else:
		value = nasty(rng, lay, orig)
	lay.put(1024 + off, value, size)
	return "superblock %s %d -> %d" % (name, orig,
					   value & ((1 << 8 * size) - 1))


def corrupt_group(rng, lay, base):
	g = rng.randrange(lay.ngroups)
	off, name, size = rng.choice([(0, "block_bitmap", 4),
				      (4, "inode_bitmap", 4),
				      (8, "inode_table", 4),
				      (12, "free_blocks", 2),
				      (14, "free_inodes", 2),
				      (16, "used_dirs", 2)])
	at = lay.gd(g) + off
	orig = lay.u32(at) if size == 4 else lay.u16(at)
	other = lay.groups[rng.randrange(lay.ngroups)]
	value = rng.choice([nasty(rng, lay, orig), lay.first_data_block,
			    other["block_bitmap"], other["inode_table"],
			    other["inode_table"] + 1])
	lay.put(lay.gd(g) + off, value, size)
	return "group %d %s %d -> %d" % (g, name, orig,
					 value & ((1 << 8 * size) - 1))


def corrupt_bitmap(rng, lay, base):
	g = rng.randrange(lay.ngroups)
	which = rng.choice(["block_bitmap", "inode_bitmap"])
	start = lay.groups[g][which] * lay.bs
	how = rng.choice(["zero", "ones", "flip"])
	if how == "flip":
		for _ in range(1 + rng.randrange(20)):
			at = start + rng.randrange(64)
			lay.data[at] ^= 1 << rng.randrange(8)
	else:
		lay.data[start:start + lay.bs] = \
			(b"\0" if how == "zero" else b"\xff") * lay.bs
	return "group %d %s: %s" % (g, which, how)


S_TYPES = [0o040000, 0o100000, 0o120000, 0o020000, 0o060000, 0o010000,
	   0o140000, 0, 0o170000]


def corrupt_inode(rng, lay, base):
	path = rng.choice(PATHS)
	ino = base["inodes"][path]
	at = lay.inode(ino)
	what = rng.choice(["size", "size", "block", "block", "block", "links",
			   "mode", "mode", "i_blocks", "flags", "dtime",
			   "file_acl", "size_high"])
	if what == "size":
		lay.put(at + 4, rng.choice([0, 1, 59, 61, 4096, 0x7fffffff,
					    0xffffffff,
					    rng.randrange(1 << 20)]))
	elif what == "size_high":
		lay.put(at + 108, rng.choice([1, 0xffffffff, 0x80000000]))
	elif what == "block":
		n = rng.choice([0, 0, 1, 11, 12, 13, 14, rng.randrange(15)])
		value = rng.choice([nasty(rng, lay, lay.u32(at + 40 + 4 * n)),
				    rng.choice(lay.metadata_blocks()),
				    lay.blocks_count - 1])
		lay.put(at + 40 + 4 * n, value)
		what = "i_block[%d] = %d" % (n, value)
	elif what == "links":
		lay.put(at + 26, rng.choice([0, 1, 2, 65000, 65535]), 2)
	elif what == "mode":
		mode = lay.u16(at)
		if rng.randrange(3):
			mode = (mode & 0o7777) | rng.choice(S_TYPES)
		else:
			mode = rng.randrange(1 << 16)
		lay.put(at, mode, 2)
		what = "mode %o" % mode
	elif what == "i_blocks":
		lay.put(at + 28, rng.choice([0, 1, 0xffffffff]))
	elif what == "flags":
		lay.put(at + 32, rng.choice([0xffffffff, 0x1000, 0x80000,
					     0x10000000, 0x20]))
	elif what == "dtime":
		lay.put(at + 20, 1234567)
	else:
		lay.put(at + 104, rng.choice([lay.blocks_count + 5, 1,
					      lay.first_data_block + 1,
					      rng.randrange(lay.blocks_count)]))
	return "inode %d (%s): %s" % (ino, path, what)


def corrupt_indirect(rng, lay, base):
	kind, block = rng.choice(base["indirect"])
	start = block * lay.bs
	if rng.randrange(4) == 0:
		lay.data[start:start + lay.bs] = b"\xff" * lay.bs
		return "%s block %d: all ones" % (kind, block)
	for _ in range(1 + rng.randrange(4)):
		i = rng.randrange(16) if rng.randrange(2) else \
			rng.randrange(lay.bs // 4)
		old = lay.u32(start + 4 * i)
		value = rng.choice([block, nasty(rng, lay, old),
				    rng.choice(lay.metadata_blocks())])
		lay.put(start + 4 * i, value)
	return "%s block %d: entries changed" % (kind, block)


def dir_entries(lay, block):
	"""(offset, rec_len) of each entry in a directory block."""
	out, pos, start = [], 0, block * lay.bs
	while pos + 8 <= lay.bs:
		rec = lay.u16(start + pos + 4)
		out.append((start + pos, rec))
		if rec < 8:
			break
		pos += rec
	return out


DIRENT_NAMES = [b".", b"..", b"a/b", b"/", b"x\0y", b"a", b"small1",
		b"fz.new", b"lost+found"]


def corrupt_dirent(rng, lay, base):
	path = rng.choice(["/", "/a", "/a/b", "/many", "/lost+found"])
	ino = base["inodes"][path]
	block = lay.u32(lay.inode(ino) + 40)
	at, rec = rng.choice(dir_entries(lay, block))
	field = rng.choice(["rec_len", "rec_len", "name_len", "inode",
			    "inode", "type", "name"])
	if field == "rec_len":
		value = rng.choice([0, 1, 3, 8, 12, rec + 4, rec - 4, lay.bs,
				    lay.bs + 4, 0xffff])
		lay.put(at + 4, value, 2)
	elif field == "name_len":
		value = rng.choice([0, 255, rec, rec - 7])
		lay.put(at + 6, value, 1)
	elif field == "inode":
		value = rng.choice([0, 1, 2, 7, lay.inodes_count,
				    lay.inodes_count + 1, 0xffffffff,
				    rng.randrange(lay.inodes_count)])
		lay.put(at, value)
	elif field == "type":
		value = rng.choice([0, 1, 2, 7, 8, 255])
		lay.put(at + 7, value, 1)
	else:		# a name no directory may hold, or one twice
		fits = [n for n in DIRENT_NAMES if 8 + len(n) <= rec]
		value = rng.choice(fits or [b"."])
		lay.data[at + 8:at + 8 + len(value)] = value
		lay.put(at + 6, len(value), 1)
	return "dir %s block %d entry at %d: %s = %r" % (
		path, block, at % lay.bs, field, value)


def set_entry(lay, dir_ino, name, ino):
	block = lay.u32(lay.inode(dir_ino) + 40)
	for at, _ in dir_entries(lay, block):
		n = lay.data[at + 6]
		if bytes(lay.data[at + 8:at + 8 + n]) == name:
			lay.put(at, ino)
			return True
	return False


def corrupt_loop(rng, lay, base):
	i = base["inodes"]
	which = rng.randrange(4)
	if which == 0:		# /a/b/c is /a: a cycle
		set_entry(lay, i["/a/b"], b"c", i["/a"])
		return "loop: /a/b/c names /a"
	if which == 1:		# /a/.. is /a/b
		set_entry(lay, i["/a"], b"..", i["/a/b"])
		return "loop: /a/.. names /a/b"
	if which == 2:		# /a is the root
		set_entry(lay, i["/"], b"a", 2)
		return "loop: /a names the root"
	set_entry(lay, i["/a/b"], b".", i["/a/b/c"])
	return "loop: /a/b/. names /a/b/c"


def corrupt_symlink(rng, lay, base):
	fast, slow = base["inodes"]["/fastsym"], base["inodes"]["/slowsym"]
	which = rng.randrange(5)
	if which == 0:		# a fast link that says it is slow
		size = rng.choice([61, 100, 4096, 0xffffffff])
		lay.put(lay.inode(fast) + 4, size)
		return "fast symlink size %d" % size
	if which == 1:
		lay.put(lay.inode(fast) + 4, 0)
		return "fast symlink size 0"
	if which == 2:		# a link to itself
		at = lay.inode(fast)
		lay.data[at + 40:at + 47] = b"fastsym"
		return "fast symlink names itself"
	if which == 3:
		value = nasty(rng, lay, lay.u32(lay.inode(slow) + 40))
		lay.put(lay.inode(slow) + 40, value)
		return "slow symlink block %d" % value
	size = rng.choice([0, 4096, 5000, 0xffffffff])
	lay.put(lay.inode(slow) + 4, size)
	return "slow symlink size %d" % size


def corrupt_random(rng, lay, base):
	block = rng.choice(lay.metadata_blocks() + [b for _, b in
						    base["indirect"]])
	if block == lay.groups[0]["inode_table"]:
		block += rng.randrange(4)
	for _ in range(1 + rng.randrange(16)):
		value = rng.randrange(256)
		lay.data[block * lay.bs + rng.randrange(lay.bs)] = value
	return "random bytes in block %d" % block


CORRUPTIONS = [corrupt_super, corrupt_group, corrupt_bitmap, corrupt_inode,
	       corrupt_inode, corrupt_inode, corrupt_indirect, corrupt_dirent,
	       corrupt_dirent, corrupt_loop, corrupt_symlink, corrupt_random]


def corrupt(seed, bases):
	"""The image of seed (bytearray) and what was done to it."""
	rng = random.Random(seed)
	base = bases[1024 if seed % 2 == 0 else 4096]
	lay = Layout(bytearray(base["data"]))
	roll = rng.randrange(10)
	count = 1 if roll < 6 else 2 + rng.randrange(2) if roll < 9 else \
		8 + rng.randrange(16)
	done = ["%d-byte blocks" % lay.bs]
	for _ in range(count):
		done.append(rng.choice(CORRUPTIONS)(rng, lay, base))
	# A quarter of the images say they were not cleanly unmounted, so
	# that fsd rebuilds the bitmaps from the damaged inodes first (its
	# own generator, so that the corruptions stay those of the seed).
	if random.Random(-seed).randrange(4) == 0:
		lay.put(1024 + 58, lay.u16(1024 + 58) & ~1, 2)
		done.append("not clean")
	return lay.data, done


# ---- One boot and its checks ----------------------------------------------

def e2fsck_findings(image):
	"""What e2fsck -fn says is wrong with image, numbers masked."""
	proc = run(["e2fsck", "-fn", image], check=False)
	lines = proc.stdout.decode(errors="replace").splitlines()
	return {re.sub(r"\d+", "N", l) for l in lines if l and
		not E2FSCK_QUIET.match(l) and not E2FSCK_CLOCK.match(l)}


def fs_limit(data):
	"""Bytes the superblock in data claims (what fsd may write), or 0 when
	fsd cannot take it for ext2 at all."""
	def field(off, size):
		return int.from_bytes(data[1024 + off:1024 + off + size],
				      "little")
	if field(56, 2) != 0xef53 or field(24, 4) > 2:
		return 0
	return field(4, 4) * (1024 << field(24, 4))


# QEMU run through this wrapper logs each virtio-blk write it is asked
# for (sector, count): a write that put back the same bytes, or one QEMU
# refused, shows there and not in the image.
QEMU_WRAPPER = """#!/bin/sh
exec "$FSD_FUZZ_QEMU" "$@" -trace virtio_blk_handle_write -D "$FSD_FUZZ_TRACE"
"""
WRITE_TRACE = re.compile(r"virtio_blk_handle_write .*sector (\d+) "
			 r"nsectors (\d+)")


def trace_env(tmp):
	"""The environment for boots whose disk writes are logged, or None
	if this QEMU has no such trace event."""
	qemu = os.environ.get("PETREL_QEMU", "qemu-system-x86_64")
	events = subprocess.run([qemu, "-trace", "help"], capture_output=True,
				timeout=60).stdout.decode(errors="replace")
	if "virtio_blk_handle_write" not in events.split():
		print("note: %s cannot log disk writes; only the image's bytes "
		      "are compared" % qemu, flush=True)
		return None
	wrapper = os.path.join(tmp, "qemu-trace")
	with open(wrapper, "w") as f:
		f.write(QEMU_WRAPPER)
	os.chmod(wrapper, 0o755)
	return dict(os.environ, PETREL_QEMU=wrapper, FSD_FUZZ_QEMU=qemu)


def boot_image(image, env):
	"""Boots with image as the disk: argv, status (None: a hang), the
	console and the writes asked of QEMU as byte ranges (None: unknown)."""
	argv = petrel_args(test_image=True, timeout=BOOT_SECONDS,
			   extra=["--net", "none", "--disk", image]) + \
		["--", SCRIPT]
	trace = image + ".trace"
	if env:
		env = dict(env, FSD_FUZZ_TRACE=trace)
	try:
		proc = subprocess.run(argv, cwd=ROOT, capture_output=True,
				      stdin=subprocess.DEVNULL, env=env,
				      timeout=BOOT_SECONDS + 60)
		status = proc.returncode
		out = proc.stdout.decode(errors="replace") + \
			proc.stderr.decode(errors="replace")
	except subprocess.TimeoutExpired as e:
		status, out = None, (e.stdout or b"").decode(errors="replace")
	writes = None
	if env:
		with open(trace) as f:
			writes = [(int(a) * 512, (int(a) + int(n)) * 512)
				  for a, n in WRITE_TRACE.findall(f.read())]
		os.remove(trace)
	return argv, status, out, writes


def check_life(status, lines):
	"""No death, no hang: the script's status and last line."""
	bad = []
	deaths = [l for l in lines if DEATH.search(l)]
	if deaths:
		bad.append("died: %s" % "; ".join(deaths[:3]))
	if "FZ sync 137" in lines:
		bad.append("sync did not return within %d s" % SYNC_SECONDS)
	if status != 0 or "FZ DONE" not in lines:
		bad.append("status %s, %s" % (status, "last line printed" if
					      "FZ DONE" in lines else
					      "no FZ DONE line (hang?)"))
	return bad


def check_bytes(mount, before, after, limit, fs_len, never):
	"""Nothing changed at or past limit, nor in the ranges never."""
	bad = []
	if len(after) != len(before):
		return ["the image's size changed: %d -> %d"
			% (len(before), len(after))]
	if after[limit:] != before[limit:]:
		first = next(i for i in range(limit, len(before))
			     if before[i] != after[i])
		bad.append("mounted %s, yet byte %d changed (at or past %d, "
			   "%s)" % (mount, first, limit, "in the guard"
				    if first >= fs_len else
				    "past the superblock's block count"
				    if limit else "nothing may change"))
	for start, end in never:
		if after[start:end] != before[start:end]:
			bad.append("bytes %d-%d changed: a superblock or "
				   "descriptor copy, or the boot block"
				   % (start, end - 1))
	return bad


def check_writes(mount, writes, limit, never):
	"""Each write QEMU was asked for lies below limit, outside never."""
	bad = []
	for start, end in writes or ():
		if end > limit:
			bad.append("mounted %s, yet bytes %d-%d were written "
				   "(the limit is %d)" % (mount, start, end - 1,
							  limit))
		elif any(start < b and a < end for a, b in never):
			bad.append("bytes %d-%d written: a superblock or "
				   "descriptor copy, or the boot block"
				   % (start, end - 1))
	return bad[:3]


def check_boot(status, out, before, after, fs_len, writes):
	"""The failures of one boot, as sentences, and how /data was
	mounted (rw, ro, none)."""
	lines = out.splitlines()
	mount = next((l.split()[2] for l in lines if l.startswith("FZ MOUNT ")),
		     None)
	limit = min(fs_limit(before), fs_len)
	never = never_blocks = []
	if mount == "rw":
		lay = Layout(bytearray(before))
		never = lay.never_written()
		never_blocks = lay.never_written(whole_blocks=True)
	else:
		limit = 0	# refused or read-only: nothing is written
	return mount, check_life(status, lines) + \
		check_bytes(mount, before, after, limit, fs_len, never) + \
		check_writes(mount, writes, limit, never_blocks)


def run_seed(tmp, env, seed, data, done):
	image = os.path.join(tmp, "seed-%d.img" % seed)
	fs_len = len(data)
	with open(image, "wb") as f:
		f.write(bytes(data) + GUARD)
	before = bytes(data) + GUARD
	found_before = e2fsck_findings(image)
	argv, status, out, writes = boot_image(image, env)
	with open(image, "rb") as f:
		after = f.read()
	mount, bad = check_boot(status, out, before, after, fs_len, writes)
	notes = []
	if mount == "rw":
		new = e2fsck_findings(image) - found_before
		if new and not found_before:
			bad.append("e2fsck -fn found nothing before Petrel, "
				   "after it: %s" % "; ".join(sorted(new)[:4]))
		elif new:
			notes.append("e2fsck's new findings: %s"
				     % "; ".join(sorted(new)[:3]))
	report(seed, done, argv, status, out, mount, writes, bad, notes)
	keep = os.environ.get("FSD_FUZZ_KEEP")
	if bad and keep:
		os.makedirs(keep, exist_ok=True)
		with open(os.path.join(keep, "seed-%d.img" % seed), "wb") as f:
			f.write(before)
	os.remove(image)
	return bad


def report(seed, done, argv, status, out, mount, writes, bad, notes):
	"""Prints one seed's run: the whole console when it failed."""
	with print_lock:
		print("seed %s: %s; mounted %s%s; %s" % (
			seed, ", ".join(done), mount,
			"" if writes is None else ", %d writes" % len(writes),
			"FAILED" if bad else "ok"), flush=True)
		for line in notes:
			print("  note: " + line)
		if bad:
			print("  $ " + " ".join(quote(a) for a in argv[1:-1]))
			print("  " + "\n  ".join(out.splitlines()))
			for line in bad:
				print("  FAILED: " + line)
		for line in out.splitlines():
			if line.startswith(("FZ LOG ", "FZ ls", "FZ write")):
				print("  " + line)
		sys.stdout.flush()


# ---- Images fsd cannot trust -----------------------------------------------

UNTRUSTED = [
	("an unknown incompatible feature", 96, 0x8000, ("none",)),
	("an unknown read-only feature", 100, 0x8000, ("ro",)),
	("errors recorded (state 3)", 58, 3, ("ro",)),
	("a block count past the disk", 4, 1 << 20, ("none",)),
]


def check_untrusted(tmp, env, bases):
	"""Each image is refused or mounted read-only, and not written."""
	bad = []
	for i, (what, off, value, allowed) in enumerate(UNTRUSTED):
		lay = Layout(bytearray(bases[1024]["data"]))
		size = 2 if off == 58 else 4
		old = lay.u16(1024 + off) if size == 2 else lay.u32(1024 + off)
		lay.put(1024 + off, old | value if off in (96, 100) else value,
			size)
		image = os.path.join(tmp, "untrusted-%d.img" % i)
		with open(image, "wb") as f:
			f.write(bytes(lay.data) + GUARD)
		argv, status, out, writes = boot_image(image, env)
		with open(image, "rb") as f:
			after = f.read()
		before = bytes(lay.data) + GUARD
		mount, seed_bad = check_boot(status, out, before, after,
					     len(lay.data), writes)
		if mount not in allowed:
			seed_bad.append("mounted %s, expected %s" % (
				mount, " or ".join(allowed)))
		report("untrusted %d" % i, [what], argv, status, out, mount,
		       writes, seed_bad, [])
		bad += ["%s: %s" % (what, b) for b in seed_bad]
	return bad


def seeds():
	if os.environ.get("FSD_FUZZ_SEED"):
		return [int(os.environ["FSD_FUZZ_SEED"])]
	first = int(os.environ.get("FSD_FUZZ_FIRST", "1"))
	last = int(os.environ.get("FSD_FUZZ_SEEDS", "12"))
	return sorted(set(REGRESSION_SEEDS) | set(range(first, last + 1)))


need_e2fsprogs()
with scratch("fsd-fuzz") as tmp:
	tree = os.path.join(tmp, "tree")
	make_tree(tree)
	bases = {bs: base_image(tmp, tree, bs) for bs in (1024, 4096)}
	env = trace_env(tmp)
	jobs = int(os.environ.get("FSD_FUZZ_JOBS", "2"))
	failed = {}
	with concurrent.futures.ThreadPoolExecutor(jobs) as pool:
		runs = {s: pool.submit(run_seed, tmp, env, s,
				       *corrupt(s, bases)) for s in seeds()}
		untrusted = pool.submit(lambda: [] if os.environ.get(
			"FSD_FUZZ_SEED") else check_untrusted(tmp, env, bases))
		for s, future in runs.items():
			if future.result():
				failed[s] = future.result()
		bad_untrusted = untrusted.result()
	if failed or bad_untrusted:
		fail("%d of %d seeds failed (%s)%s; replay one with "
		     "FSD_FUZZ_SEED=N tests/system/fsd-fuzz.py" % (
			len(failed), len(runs), ", ".join(map(str, failed)),
			"; untrusted images: " + "; ".join(bad_untrusted)
			if bad_untrusted else ""))
passed("%d seeds ok" % len(runs))
