#!/usr/bin/env python3
"""Page-aligns the data of the big files of a cpio "newc" archive.

usage: tools/cpio-align.py < IN.cpio > OUT.cpio

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
"""
import sys

PAGE = 4096
HEADER = 110
FILLER_NAME = b".\0"
S_IFMT, S_IFREG, S_IFDIR = 0o170000, 0o100000, 0o040000


def align4(n):
	return (n + 3) & ~3


def header(fields, magic=b"070701"):
	return magic + b"".join(b"%08X" % v for v in fields)


def filler(size, mtime):
	"""A member of size bytes in all (header, name and data, each padded)."""
	data = size - align4(HEADER + len(FILLER_NAME))
	assert data >= 4 and data % 4 == 0
	fields = [0, S_IFDIR | 0o755, 0, 0, 2, mtime, data, 0, 0, 0, 0,
		  len(FILLER_NAME), 0]
	return header(fields) + FILLER_NAME + bytes(data)


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
	archive = sys.stdin.buffer.read()
	out = bytearray()
	for fields, name, member in members(archive):
		mode, filesize, namesize = fields[1], fields[6], fields[11]
		data_at = len(out) + align4(HEADER + namesize)
		if (mode & S_IFMT) == S_IFREG and filesize >= PAGE and data_at % PAGE:
			gap = -data_at % PAGE
			if gap < align4(HEADER + len(FILLER_NAME)) + 4:
				gap += PAGE
			out += filler(gap, fields[5])
		out += member
	out += bytes(-len(out) % 512)
	sys.stdout.buffer.write(out)


if __name__ == "__main__":
	main()
