/*
 * Unpacks files packed by tools/pagepack.py (its comment has the format),
 * block by block: LZ sequences of literals and back references, each
 * block alone, each byte of a sequence in the Huffman code of its field. Every length and offset is checked against the block and
 * the page before it is used, so a hostile pack is an error, never a read
 * or a write out of bounds. Portable; tested on the host
 * (tests/host/test_pagepack.c).
 */
#include <kernel/types.h>
#include <kernel/string.h>
#include <kernel/errno.h>
#include <kernel/pagepack.h>

#define MAGIC		0x324b5050u	/* "PPK2" read little-endian */
#define LENGTHS_AT	8		/* after magic and size: code lengths */
#define HEADER_LEN	(LENGTHS_AT + PAGEPACK_FIELDS * 128)	/* then the index */
#define MIN_MATCH	4

enum { TOKEN, LITERAL, OFFSET_LO, OFFSET_HI, LENGTH };

static uint32_t
load32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

/*
 * Fills h->fast from h's counts and symbols: the codes of each length are
 * consecutive numbers, after the shorter codes' (canonical), so walking
 * the symbols in code order gives each its code.
 */
static void
fast_build(struct pagepack_code *h)
{
	unsigned code = 0, index = 0;

	memset(h->fast, 0, sizeof(h->fast));
	h->first9 = h->index9 = 0;
	for (unsigned len = 1; len <= PAGEPACK_FAST_BITS; len++) {
		h->index9 += h->count[len];
		h->first9 = (h->first9 + h->count[len]) << 1;
		for (unsigned k = 0; k < h->count[len]; k++, code++, index++) {
			unsigned shift = PAGEPACK_FAST_BITS - len;
			for (unsigned j = 0; j < 1u << shift; j++) {
				h->fast[(code << shift) + j].value = h->symbol[index];
				h->fast[(code << shift) + j].len = (uint8_t)len;
			}
		}
		code <<= 1;
	}
}

/*
 * Builds code h from 256 code lengths, 4 bits each (two a byte, the low
 * nibble first). Returns 0, or -EINVAL if the lengths give more codes
 * than there are (an incomplete code is allowed: its missing codes are
 * errors when met).
 */
static int
code_build(struct pagepack_code *h, const uint8_t *nibbles)
{
	uint16_t offs[PAGEPACK_MAX_BITS + 1];
	int left = 1;

	memset(h->count, 0, sizeof(h->count));
	for (unsigned v = 0; v < 256; v++)
		h->count[nibbles[v / 2] >> (4 * (v % 2)) & 15]++;
	for (unsigned len = 1; len <= PAGEPACK_MAX_BITS; len++) {
		left = left * 2 - h->count[len];
		if (left < 0)
			return -EINVAL;
	}
	offs[1] = 0;
	for (unsigned len = 1; len < PAGEPACK_MAX_BITS; len++)
		offs[len + 1] = offs[len] + h->count[len];
	for (unsigned v = 0; v < 256; v++) {
		unsigned len = nibbles[v / 2] >> (4 * (v % 2)) & 15;
		if (len)
			h->symbol[offs[len]++] = (uint8_t)v;
	}
	fast_build(h);
	return 0;
}

int
pagepack_open(struct pagepack *p, const void *data, size_t len)
{
	const uint8_t *d = data;
	uint64_t size, blocks, at;

	if (len < HEADER_LEN || load32(d) != MAGIC)
		return -EINVAL;
	size = load32(d + 4);
	blocks = (size + PAGEPACK_BLOCK - 1) / PAGEPACK_BLOCK;
	if (blocks > (len - HEADER_LEN) / 4)
		return -EINVAL;
	at = HEADER_LEN + 4 * blocks;	/* block 0's start */
	for (uint64_t k = 0; k < blocks; k++) {
		uint64_t end = load32(d + HEADER_LEN + 4 * k);
		if (end < at || end > len || end - at > PAGEPACK_BLOCK)
			return -EINVAL;
		at = end;
	}
	p->data = d;
	p->len = len;
	p->size = size;
	p->blocks = blocks;
	p->coded = false;
	return 0;
}

int
pagepack_codes(struct pagepack *p)
{
	for (unsigned f = 0; f < PAGEPACK_FIELDS; f++)
		if (code_build(&p->code[f], p->data + LENGTHS_AT + 128 * f) < 0)
			return -EINVAL;
	p->coded = true;
	return 0;
}

/* A block's bits, first to last, each byte's from its top bit down. */
struct bits {
	const uint8_t *in;
	size_t len;	/* bytes */
	size_t pos;	/* the next bit */
};

/*
 * The next byte of field f (its code h), or -1 past the input or for a
 * code h does not have. Canonical decoding as zlib's puff: the codes of
 * each length are consecutive, after the shorter ones.
 */
static int
next_byte(struct bits *b, const struct pagepack_code *h)
{
	int code = 0, first = 0, index = 0;
	unsigned len = 1;

	if (b->pos + 16 <= b->len * 8) {	/* two bytes to peek at */
		const uint8_t *at = b->in + b->pos / 8;
		unsigned next = ((unsigned)at[0] << 8 | at[1]) >> (8 - b->pos % 8) & 0xff;
		if (h->fast[next].len) {
			b->pos += h->fast[next].len;
			return h->fast[next].value;
		}
		/* Longer than 8 bits: the walk below as it would be at 9. */
		b->pos += PAGEPACK_FAST_BITS;
		code = (int)next << 1;
		first = h->first9;
		index = h->index9;
		len = PAGEPACK_FAST_BITS + 1;
	}
	for (; len <= PAGEPACK_MAX_BITS; len++) {
		if (b->pos >= b->len * 8)
			return -1;
		code |= (b->in[b->pos / 8] >> (7 - b->pos % 8)) & 1;
		b->pos++;
		int count = h->count[len];
		if (code - count < first)	/* index + code - first < 256 */
			return h->symbol[index + (code - first)];
		index += count;
		first = (first + count) << 1;
		code <<= 1;
	}
	return -1;
}

/*
 * Adds a length field's extension bytes (after a field of 15) to *n:
 * each byte is added, a byte below 255 ends it. Returns 0, or -EIO past
 * the input or past a page (no longer length is of use).
 */
static int
extend(struct bits *b, const struct pagepack_code *h, size_t *n)
{
	int c;

	do {
		if (*n > PAGEPACK_BLOCK || (c = next_byte(b, h)) < 0)
			return -EIO;
		*n += (size_t)c;
	} while (c == 255);
	return 0;
}

/* Unpacks coded sequences: exactly out_len bytes. Returns 0 or -EIO. */
static int
decode_sequences(const struct pagepack *p, struct bits *b, uint8_t *out,
		 size_t out_len)
{
	const struct pagepack_code *code = p->code;
	size_t op = 0;

	while (op < out_len) {
		int token = next_byte(b, &code[TOKEN]);
		if (token < 0)
			return -EIO;
		size_t lit = (size_t)token >> 4, match = (token & 15) + MIN_MATCH;
		if (lit == 15 && extend(b, &code[LENGTH], &lit) < 0)
			return -EIO;
		if (lit > out_len - op)
			return -EIO;
		for (size_t k = 0; k < lit; k++) {
			int c = next_byte(b, &code[LITERAL]);
			if (c < 0)
				return -EIO;
			out[op++] = (uint8_t)c;
		}
		if (op == out_len)
			break;	/* the last sequence may have no match */
		int lo = next_byte(b, &code[OFFSET_LO]);
		int hi = lo < 0 ? -1 : next_byte(b, &code[OFFSET_HI]);
		if (hi < 0)
			return -EIO;
		size_t offset = (size_t)lo | (size_t)hi << 8;
		if ((token & 15) == 15 && extend(b, &code[LENGTH], &match) < 0)
			return -EIO;
		if (offset == 0 || offset > op || match > out_len - op)
			return -EIO;
		for (size_t k = 0; k < match; k++, op++)	/* may overlap */
			out[op] = out[op - offset];
	}
	return 0;
}

int
pagepack_decode(const struct pagepack *p, const uint8_t *in, size_t in_len,
		uint8_t *out, size_t out_len)
{
	struct bits b = { in, in_len, 0 };

	if (out_len > PAGEPACK_BLOCK || in_len > out_len)
		return -EIO;
	if (in_len == 0) {
		memset(out, 0, out_len);
		return 0;
	}
	if (in_len == out_len) {
		memcpy(out, in, out_len);
		return 0;
	}
	return decode_sequences(p, &b, out, out_len);
}

int
pagepack_block(struct pagepack *p, uint64_t k, uint8_t *out)
{
	const uint8_t *index = p->data + HEADER_LEN;
	uint64_t start, end;
	size_t out_len;

	if (k >= p->blocks || (!p->coded && pagepack_codes(p) < 0))
		return -EIO;
	/* pagepack_open checked the index: start <= end <= p->len. */
	start = k == 0 ? HEADER_LEN + 4 * p->blocks : load32(index + 4 * (k - 1));
	end = load32(index + 4 * k);
	out_len = (size_t)MIN(p->size - k * PAGEPACK_BLOCK, (uint64_t)PAGEPACK_BLOCK);
	if (pagepack_decode(p, p->data + start, end - start, out, out_len) < 0)
		return -EIO;
	memset(out + out_len, 0, PAGEPACK_BLOCK - out_len);
	return 0;
}
