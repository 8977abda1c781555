#!/usr/bin/env python3
"""Packs a file into independent 4 KiB blocks, as the kernel unpacks it.

usage: tools/pagepack.py pack IN OUT     packs IN (for a test)
       tools/pagepack.py unpack IN OUT   unpacks IN, checking it
       tools/pagepack.py vectors OUT     the host test's inputs and packs

A packed file (kernel/core/pagepack.c reads it; docs/kernel.md, Memory):

    u32 magic "PPK1", u32 size (the unpacked bytes)
    u32 end[n]      where block k ends, from the start; n = size / 4096
                    rounded up; block 0 starts after end[], block k at
                    end[k - 1]
    the blocks, then zeros to a whole number of pages

Block k unpacks to 4096 bytes (the last: what is left of size). Stored in
0 bytes it is all zeros, in exactly that many bytes it is raw, else it is
a run of sequences, each:

    token           high 4 bits: literals; low 4 bits: match length - 4
    [length bytes]  a field of 15 goes on with bytes added to it, the
                    last of them below 255 (the literals' here, the
                    match's after the offset)
    literals
    offset          u16, little-endian: the match copies from that many
                    bytes back (1 to the bytes unpacked so far)
    [length bytes]  the match's

The block's last sequence ends after its literals. Each block is packed
alone (a match reaches only into its own block), so the kernel unpacks a
page at its first use, whichever it is. Numbers are little-endian.
"""
import struct
import sys

PAGE = 4096
MAGIC = b"PPK1"
MIN_MATCH = 4
MAX_OFFSET = 65535
CHAIN = 32


def _length(n):
	"""The length bytes after a field of 15, for a length of 15 + n."""
	out = bytearray()
	while n >= 255:
		out.append(255)
		n -= 255
	out.append(n)
	return out


def _sequence(out, literals, offset, match):
	lit = len(literals)
	m = match - MIN_MATCH if match else 0
	out.append((min(lit, 15) << 4) | min(m, 15))
	if lit >= 15:
		out += _length(lit - 15)
	out += literals
	if match:
		out += struct.pack("<H", offset)
		if m >= 15:
			out += _length(m - 15)


def _longest(src, i, chain):
	"""The longest match at i among earlier positions chain (newest last)."""
	n = len(src)
	best_len, best_at = 0, 0
	for cand in reversed(chain[-CHAIN:]):
		if src[cand + best_len:cand + best_len + 1] != src[i + best_len:i + best_len + 1]:
			continue
		length = MIN_MATCH
		while i + length < n and src[cand + length] == src[i + length]:
			length += 1
		if length > best_len:
			best_len, best_at = length, cand
			if i + length == n:
				break
	return best_len, best_at


def compress_block(src):
	"""The LZ form of src (at most a page): the longest of the last CHAIN
	candidates of each position, taken a byte later when that is longer."""
	n = len(src)
	out = bytearray()
	chains = {}
	i = anchor = 0

	def insert(j):
		chains.setdefault(src[j:j + MIN_MATCH], []).append(j)
	while i + MIN_MATCH <= n:
		chain = chains.get(src[i:i + MIN_MATCH])
		length, at = _longest(src, i, chain) if chain else (0, 0)
		insert(i)
		if not length:
			i += 1
			continue
		if i + 1 + MIN_MATCH <= n:
			later = chains.get(src[i + 1:i + 1 + MIN_MATCH])
			if later and _longest(src, i + 1, later)[0] > length + 1:
				i += 1
				continue
		_sequence(out, src[anchor:i], i - at, length)
		for j in range(i + 1, min(i + length, n - MIN_MATCH + 1)):
			insert(j)
		i += length
		anchor = i
	if anchor < n or not out:
		_sequence(out, src[anchor:], 0, 0)
	return bytes(out)


def pack_block(src):
	"""What block src is stored as: empty (zeros), LZ, or raw."""
	if src.count(0) == len(src):
		return b""
	lz = compress_block(src)
	return lz if len(lz) < len(src) else bytes(src)


def pack(data):
	"""The packed form of data, padded to whole pages."""
	blocks = [pack_block(data[k:k + PAGE]) for k in range(0, len(data), PAGE)]
	at = 8 + 4 * len(blocks)
	ends = []
	for b in blocks:
		at += len(b)
		ends.append(at)
	out = MAGIC + struct.pack("<I", len(data)) + \
		struct.pack("<%dI" % len(ends), *ends) + b"".join(blocks)
	return out + bytes(-len(out) % PAGE)


def decompress_block(src, size):
	"""Unpacks one block of size bytes; ValueError if it is bad."""
	if not src:
		return bytes(size)
	if len(src) == size:
		return bytes(src)
	out = bytearray()
	i = 0

	def length(i, n):
		while True:
			if i >= len(src):
				raise ValueError("length past the block")
			n += src[i]
			i += 1
			if src[i - 1] != 255:
				return i, n
	while i < len(src):
		token = src[i]
		i += 1
		lit = token >> 4
		if lit == 15:
			i, lit = length(i, lit)
		if i + lit > len(src):
			raise ValueError("literals past the block")
		out += src[i:i + lit]
		i += lit
		if i == len(src):
			break
		if i + 2 > len(src):
			raise ValueError("offset past the block")
		offset = src[i] | src[i + 1] << 8
		i += 2
		match = (token & 15) + MIN_MATCH
		if token & 15 == 15:
			i, match = length(i, match)
		if offset == 0 or offset > len(out):
			raise ValueError("offset out of range")
		for _ in range(match):
			out.append(out[-offset])
	if len(out) != size:
		raise ValueError("block unpacks to %d bytes, not %d" % (len(out), size))
	return bytes(out)


def unpack(packed):
	if packed[:4] != MAGIC:
		raise ValueError("not a packed file")
	size, = struct.unpack_from("<I", packed, 4)
	n = (size + PAGE - 1) // PAGE
	ends = struct.unpack_from("<%dI" % n, packed, 8)
	start = 8 + 4 * n
	out = bytearray()
	for k, end in enumerate(ends):
		out += decompress_block(packed[start:end], min(PAGE, size - k * PAGE))
		start = end
	return bytes(out)


def vectors(path):
	"""Inputs for tests/host/test_pagepack.c, each followed by its pack:
	u32 length, the bytes, u32 length, the packed bytes; many kinds of
	data, so that every form of block and length field comes up."""
	import random
	rng = random.Random(13)
	text = b"".join(b"line %d of a text that repeats itself\n" % (k % 97)
			for k in range(400))
	runs = b"".join(bytes([rng.randrange(4)]) * rng.randrange(1, 700)
			for _ in range(60))
	code = open(sys.executable, "rb").read()[:200000]
	inputs = [b"", b"x", bytes(PAGE), bytes(3 * PAGE + 5),
		  bytes(rng.randrange(256) for _ in range(2 * PAGE + 100)),
		  text, runs, code, b"ab" * 5000 + b"c" * 300]
	with open(path, "wb") as f:
		for data in inputs:
			packed = pack(data)
			if unpack(packed) != data:
				sys.exit("pagepack: a pack does not unpack to its input")
			f.write(struct.pack("<I", len(data)) + data)
			f.write(struct.pack("<I", len(packed)) + packed)


def main():
	if len(sys.argv) == 4 and sys.argv[1] in ("pack", "unpack"):
		data = open(sys.argv[2], "rb").read()
		out = pack(data) if sys.argv[1] == "pack" else unpack(data)
		open(sys.argv[3], "wb").write(out)
	elif len(sys.argv) == 3 and sys.argv[1] == "vectors":
		vectors(sys.argv[2])
	else:
		sys.exit(__doc__.split("\n\n")[1])


if __name__ == "__main__":
	main()
