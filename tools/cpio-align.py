#!/usr/bin/env python3
"""Page-aligns the data of the big files of a cpio "newc" archive, and
packs the files named.

usage: tools/cpio-align.py [--pack NAME]... < IN.cpio > OUT.cpio

newc aligns a member's data to 4 bytes only. Before each regular file of
at least a page whose data would not start at a 4 KiB boundary of the
archive, this inserts a filler member that moves it there, so that the
kernel can make the archive's pages the file's own pages instead of
copying them (kernel/fs/initramfs.c; QEMU and the boot loaders load the
archive at a page boundary). The filler is a directory "." with zero
bytes as its data: Linux's initramfs skips a member that is neither a
regular file nor a symlink and has data, Petrel's skips ".", and cpio -t
lists it as ".". Every other member is copied as it is, and the archive
ends padded to 512 bytes as cpio writes it.

A file named with --pack (its path in the archive, e.g. bin/busybox; a
single link) gets as its data its packed form (tools/pagepack.py), a whole
number of pages, and the filler before it starts with PACK_MARK: so the
kernel keeps it packed and unpacks each page at its first use. The archive
stays a valid newc archive; cpio -i writes the packed form. Packs are kept
in $PAGEPACK_CACHE (a folder), if set, by their input's hash.
"""
import hashlib
import os
import sys

sys.dont_write_bytecode = True	# no __pycache__ in the tree
sys.path.insert(0, os.path.dirname(os.path.realpath(__file__)))
import pagepack

PAGE = 4096
HEADER = 110
FILLER_NAME = b".\0"
PACK_MARK = b"petrel-pagepack\n"	# kernel/fs/initramfs.c's
S_IFMT, S_IFREG, S_IFDIR = 0o170000, 0o100000, 0o040000


def align4(n):
	return (n + 3) & ~3


def header(fields, magic=b"070701"):
	return magic + b"".join(b"%08X" % v for v in fields)


def filler(size, mtime, mark=b""):
	"""A member of size bytes in all (header, name and data, each padded),
	its data mark and zeros."""
	data = size - align4(HEADER + len(FILLER_NAME))
	assert data >= max(4, len(mark)) and data % 4 == 0
	fields = [0, S_IFDIR | 0o755, 0, 0, 2, mtime, data, 0, 0, 0, 0,
		  len(FILLER_NAME), 0]
	return header(fields) + FILLER_NAME + mark + bytes(data - len(mark))


def packed(data):
	"""data's packed form, from the cache if it has it."""
	cache = os.environ.get("PAGEPACK_CACHE")
	if not cache:
		return pagepack.pack(data)
	tool = open(pagepack.__file__, "rb").read()
	path = os.path.join(cache, hashlib.sha256(tool + data).hexdigest())
	try:
		return open(path, "rb").read()
	except OSError:
		pass
	out = pagepack.pack(data)
	os.makedirs(cache, exist_ok=True)
	with open(path + ".tmp", "wb") as f:
		f.write(out)
	os.replace(path + ".tmp", path)
	return out


def pack_member(fields, name, member, magic):
	"""The member with its data packed, and its new fields."""
	namesize, filesize = fields[11], fields[6]
	at = align4(HEADER + namesize)
	data = packed(member[at:at + filesize])
	fields = fields[:6] + [len(data)] + fields[7:]
	return fields, header(fields, magic) + member[HEADER:at] + data


def members(archive):
	"""Yields (fields, member bytes) for each member, up to the trailer."""
	pos = 0
	while pos + HEADER <= len(archive):
		magic = archive[pos:pos + 6]
		if magic not in (b"070701", b"070702"):
			sys.exit("cpio-align: no newc header at offset %d" % pos)
		fields = [int(archive[pos + 6 + 8 * i:pos + 14 + 8 * i], 16)
			  for i in range(13)]
		namesize, filesize = fields[11], fields[6]
		end = align4(align4(pos + HEADER + namesize) + filesize)
		name = archive[pos + HEADER:pos + HEADER + namesize - 1]
		yield fields, name, archive[pos:end]
		if name == b"TRAILER!!!":
			return
		pos = end
	sys.exit("cpio-align: the archive has no trailer")


def main():
	args = sys.argv[1:]
	if len(args) % 2 or any(a != "--pack" for a in args[::2]):
		sys.exit(__doc__.split("\n\n")[1])
	to_pack = {a.encode() for a in args[1::2]}
	archive = sys.stdin.buffer.read()
	out = bytearray()
	for fields, name, member in members(archive):
		mode, namesize = fields[1], fields[11]
		regular = (mode & S_IFMT) == S_IFREG
		pack = regular and name.lstrip(b"./") in to_pack and fields[4] == 1
		if pack:
			fields, member = pack_member(fields, name, member,
						     member[:6])
		filesize = fields[6]
		data_at = len(out) + align4(HEADER + namesize)
		if pack or (regular and filesize >= PAGE and data_at % PAGE):
			gap = -data_at % PAGE
			least = align4(HEADER + len(FILLER_NAME)) + \
				align4(max(4, len(PACK_MARK) if pack else 0))
			if gap < least:
				gap += PAGE
			out += filler(gap, fields[5], PACK_MARK if pack else b"")
		out += member
	out += bytes(-len(out) % 512)
	sys.stdout.buffer.write(out)


if __name__ == "__main__":
	main()
