/*
 * Unpacks files packed by tools/pagepack.py (its comment has the format),
 * block by block: LZ sequences of literals and back references, each
 * block alone. Every length and offset is checked against the block and
 * the page before it is used, so a hostile pack is an error, never a read
 * or a write out of bounds. Portable; tested on the host
 * (tests/host/test_pagepack.c).
 */
#include <kernel/types.h>
#include <kernel/string.h>
#include <kernel/errno.h>
#include <kernel/pagepack.h>

#define MAGIC		0x314b5050u	/* "PPK1" read little-endian */
#define HEADER_LEN	8		/* magic and size, then the index */
#define MIN_MATCH	4

static uint32_t
load32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
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
	*p = (struct pagepack){ d, len, size, blocks };
	return 0;
}

/*
 * Adds a length field's extension bytes (after a field of 15) to *n:
 * each byte is added, a byte below 255 ends it. Returns 0, or -EIO past
 * the input or past a page (no longer length is of use).
 */
static int
extend(const uint8_t **ip, const uint8_t *end, size_t *n)
{
	uint8_t b;

	do {
		if (*ip == end || *n > PAGEPACK_BLOCK)
			return -EIO;
		b = *(*ip)++;
		*n += b;
	} while (b == 255);
	return 0;
}

int
pagepack_decode(const uint8_t *in, size_t in_len, uint8_t *out,
		size_t out_len)
{
	const uint8_t *ip = in, *end = in + in_len;
	size_t op = 0;

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
	while (ip < end) {
		unsigned token = *ip++;
		size_t lit = token >> 4, match = (token & 15) + MIN_MATCH;
		if (lit == 15 && extend(&ip, end, &lit) < 0)
			return -EIO;
		if (lit > (size_t)(end - ip) || lit > out_len - op)
			return -EIO;
		memcpy(out + op, ip, lit);
		ip += lit;
		op += lit;
		if (ip == end)
			break;	/* the last sequence has no match */
		if (end - ip < 2)
			return -EIO;
		size_t offset = (size_t)ip[0] | (size_t)ip[1] << 8;
		ip += 2;
		if ((token & 15) == 15 && extend(&ip, end, &match) < 0)
			return -EIO;
		if (offset == 0 || offset > op || match > out_len - op)
			return -EIO;
		for (size_t k = 0; k < match; k++, op++)	/* may overlap */
			out[op] = out[op - offset];
	}
	return op == out_len ? 0 : -EIO;
}

int
pagepack_block(const struct pagepack *p, uint64_t k, uint8_t *out)
{
	const uint8_t *index = p->data + HEADER_LEN;
	uint64_t start, end;
	size_t out_len;

	if (k >= p->blocks)
		return -EIO;
	/* pagepack_open checked the index: start <= end <= p->len. */
	start = k == 0 ? HEADER_LEN + 4 * p->blocks : load32(index + 4 * (k - 1));
	end = load32(index + 4 * k);
	out_len = (size_t)MIN(p->size - k * PAGEPACK_BLOCK, (uint64_t)PAGEPACK_BLOCK);
	if (pagepack_decode(p->data + start, end - start, out, out_len) < 0)
		return -EIO;
	memset(out + out_len, 0, PAGEPACK_BLOCK - out_len);
	return 0;
}
