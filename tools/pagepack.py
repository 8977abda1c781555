#!/usr/bin/env python3
"""Packs a file into independent 4 KiB blocks, as the kernel unpacks it.

usage: tools/pagepack.py pack IN OUT     packs IN (for a test)
       tools/pagepack.py unpack IN OUT   unpacks IN, checking it
       tools/pagepack.py vectors OUT     the host test's inputs and packs
       tools/pagepack.py vector IN OUT   IN and its pack, for the host test

A packed file (kernel/core/pagepack.c reads it; docs/kernel.md, Memory):

    u32 magic "PPK2", u32 size (the unpacked bytes)
    u8 lengths[5][128]  five Huffman codes, one per field of a sequence
                    (below): the code length of byte value 2i in the
                    low 4 bits of byte i, of 2i + 1 in the high 4; 0 for
                    a value with no code (canonical codes, as deflate's)
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
    offset          two bytes, low then high: the match copies from that
                    many bytes back (1 to the bytes unpacked so far)
    [length bytes]  the match's

each byte written with the Huffman code of its field (token, literal,
offset low, offset high, length), the codes' bits first to last, from
each byte's top bit down. The block ends where its size is reached,
after literals or after a match; the bits left in its last byte are 0.
Each block is packed alone (a match reaches only into its own block), so
the kernel unpacks a page at its first use, whichever it is. Numbers are
little-endian.
"""
import heapq
import struct
import sys

PAGE = 4096
MAGIC = b"PPK2"
TOKEN, LITERAL, OFFSET_LO, OFFSET_HI, LENGTH = range(5)
FIELDS = 5
MAX_BITS = 15
MIN_MATCH = 4
MAX_OFFSET = 65535
CHAIN = 32


def _length(out, n):
	"""The length bytes after a field of 15, for a length of 15 + n."""
	while n >= 255:
		out.append((LENGTH, 255))
		n -= 255
	out.append((LENGTH, n))


def _sequence(out, literals, offset, match):
	"""Appends a sequence to out, a list of (field, byte)."""
	lit = len(literals)
	m = match - MIN_MATCH if match else 0
	out.append((TOKEN, (min(lit, 15) << 4) | min(m, 15)))
	if lit >= 15:
		_length(out, lit - 15)
	out += [(LITERAL, c) for c in literals]
	if match:
		out += [(OFFSET_LO, offset & 255), (OFFSET_HI, offset >> 8)]
		if m >= 15:
			_length(out, m - 15)


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
	"""The LZ form of src (at most a page), as (field, byte) pairs: the
	longest of the last CHAIN candidates of each position, taken a byte
	later when that is longer."""
	n = len(src)
	out = []
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
	if anchor < n:
		_sequence(out, src[anchor:], 0, 0)
	return out


def code_lengths(counts):
	"""Huffman code lengths, at most MAX_BITS, for 256 byte counts."""
	while True:
		heap = [(c, [v]) for v, c in enumerate(counts) if c]
		lengths = [0] * 256
		if len(heap) == 1:
			lengths[heap[0][1][0]] = 1
			return lengths
		heapq.heapify(heap)
		while len(heap) > 1:
			c1, v1 = heapq.heappop(heap)
			c2, v2 = heapq.heappop(heap)
			for v in v1 + v2:
				lengths[v] += 1
			heapq.heappush(heap, (c1 + c2, v1 + v2))
		if max(lengths) <= MAX_BITS:
			return lengths
		counts = [(c + 1) // 2 if c else 0 for c in counts]


def canonical(lengths):
	"""Each byte value's (code, length), deflate's canonical order."""
	codes, code = [None] * 256, 0
	for length in range(1, MAX_BITS + 1):
		for v in range(256):
			if lengths[v] == length:
				codes[v] = (code, length)
				code += 1
		code <<= 1
	return codes


def encode(pairs, codes):
	"""The bits of pairs, (field, byte), in the fields' codes, as bytes."""
	bits = "".join(format(codes[f][b][0], "0%db" % codes[f][b][1])
		       for f, b in pairs)
	bits += "0" * (-len(bits) % 8)
	return int(bits, 2).to_bytes(len(bits) // 8, "big") if bits else b""


def pack(data):
	"""The packed form of data, padded to whole pages."""
	chunks = [data[k:k + PAGE] for k in range(0, len(data), PAGE)]
	lz = [None if c.count(0) == len(c) else compress_block(c)
	      for c in chunks]
	counts = [[0] * 256 for _ in range(FIELDS)]
	for pairs in lz:
		for f, b in pairs or ():
			counts[f][b] += 1
	lengths = [code_lengths(c) for c in counts]
	codes = [canonical(l) for l in lengths]
	blocks = []
	for chunk, pairs in zip(chunks, lz):
		coded = encode(pairs, codes) if pairs is not None else b""
		blocks.append(coded if pairs is None or len(coded) < len(chunk)
			      else bytes(chunk))
	table = bytes(l[2 * i] | l[2 * i + 1] << 4
		      for l in lengths for i in range(128))
	at = 8 + len(table) + 4 * len(blocks)
	ends = []
	for b in blocks:
		at += len(b)
		ends.append(at)
	out = MAGIC + struct.pack("<I", len(data)) + table + \
		struct.pack("<%dI" % len(ends), *ends) + b"".join(blocks)
	return out + bytes(-len(out) % PAGE)


class Bits:
	"""A block's bits, read through the fields' codes."""

	def __init__(self, src, decode):
		self.bits = "".join(format(c, "08b") for c in src)
		self.pos = 0
		self.decode = decode

	def byte(self, field):
		code = 0
		for length in range(1, MAX_BITS + 1):
			if self.pos >= len(self.bits):
				raise ValueError("a code past the block")
			code = code << 1 | (self.bits[self.pos] == "1")
			self.pos += 1
			v = self.decode[field].get((code, length))
			if v is not None:
				return v
		raise ValueError("no such code")


def decoders(lengths):
	"""For each field, {(code, length): byte value}."""
	return [{c: v for v, c in enumerate(canonical(l)) if c} for l in lengths]


def decompress_block(src, size, decode):
	"""Unpacks one block of size bytes (decode: decoders()'s); ValueError
	if it is bad."""
	if not src:
		return bytes(size)
	if len(src) == size:
		return bytes(src)
	if len(src) > size:
		raise ValueError("block longer than it unpacks")
	bits = Bits(src, decode)
	out = bytearray()

	def length(n):
		while True:
			b = bits.byte(LENGTH)
			n += b
			if b != 255:
				return n
	while len(out) < size:
		token = bits.byte(TOKEN)
		lit = token >> 4
		if lit == 15:
			lit = length(lit)
		if len(out) + lit > size:
			raise ValueError("literals past the page")
		out += bytes(bits.byte(LITERAL) for _ in range(lit))
		if len(out) == size:
			break
		offset = bits.byte(OFFSET_LO) | bits.byte(OFFSET_HI) << 8
		match = (token & 15) + MIN_MATCH
		if token & 15 == 15:
			match = length(match)
		if offset == 0 or offset > len(out) or len(out) + match > size:
			raise ValueError("match out of range")
		for _ in range(match):
			out.append(out[-offset])
	return bytes(out)


def unpack(packed):
	if packed[:4] != MAGIC:
		raise ValueError("not a packed file")
	size, = struct.unpack_from("<I", packed, 4)
	table = packed[8:8 + 128 * FIELDS]
	lengths = [[table[128 * f + i // 2] >> 4 * (i % 2) & 15
		    for i in range(256)] for f in range(FIELDS)]
	n = (size + PAGE - 1) // PAGE
	start = 8 + len(table)
	ends = struct.unpack_from("<%dI" % n, packed, start)
	start += 4 * n
	out = bytearray()
	decode = decoders(lengths)
	for k, end in enumerate(ends):
		out += decompress_block(packed[start:end],
					min(PAGE, size - k * PAGE), decode)
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


def vector(src, path):
	"""One input for the host test, as vectors() writes them (the real
	BusyBox, every block of it unpacked and compared)."""
	data = open(src, "rb").read()
	packed = pack(data)
	with open(path, "wb") as f:
		f.write(struct.pack("<I", len(data)) + data)
		f.write(struct.pack("<I", len(packed)) + packed)


def main():
	if len(sys.argv) == 4 and sys.argv[1] == "vector":
		vector(sys.argv[2], sys.argv[3])
	elif len(sys.argv) == 4 and sys.argv[1] in ("pack", "unpack"):
		data = open(sys.argv[2], "rb").read()
		out = pack(data) if sys.argv[1] == "pack" else unpack(data)
		open(sys.argv[3], "wb").write(out)
	elif len(sys.argv) == 3 and sys.argv[1] == "vectors":
		vectors(sys.argv[2])
	else:
		sys.exit(__doc__.split("\n\n")[1])


if __name__ == "__main__":
	main()
