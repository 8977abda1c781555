/*
 * Unit test of kernel/core/pagepack.c against tools/pagepack.py: the
 * packs the Python packer made of many kinds of data (pagepack-vectors.bin,
 * beside this program; mk/host-tests.mk makes it) unpack to their inputs,
 * block by block; then hand-made bad blocks and indexes, truncated,
 * corrupted and random packs all give errors, never a read or write out of
 * bounds (ASan: every buffer is exactly its size).
 */
#include <kernel/types.h>
#include <kernel/errno.h>
#include <kernel/pagepack.h>

#include <libgen.h>
#include <stdlib.h>
#include "check.h"

#define BLOCK PAGEPACK_BLOCK
#define LENGTHS (PAGEPACK_FIELDS * 128)	/* code lengths after magic, size */
#define INDEX (8 + LENGTHS)

/* A pack of no blocks whose codes are all 8 bits long: each byte codes
 * itself, so a hand-made block reads as its bytes. */
static struct pagepack plain;
static struct pagepack_tables tables;
/* The longest code of the good packs: some must be longer than the
 * tables, so that the search by length is tested too. */
static unsigned longest_code;

static void
plain_init(void)
{
	static uint8_t h[INDEX] = { 'P', 'P', 'K', '2' };

	memset(h + 8, 0x88, LENGTHS);
	CHECK_EQ(pagepack_open(&plain, h, sizeof(h)), 0);
	CHECK_EQ(pagepack_codes(&plain), 0);
	CHECK_EQ(plain.blocks, 0);
}

static uint8_t *
slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf;
	long n;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc(n ? (size_t)n : 1);
	if (fread(buf, 1, (size_t)n, f) != (size_t)n)
		n = 0;
	fclose(f);
	*len = (size_t)n;
	return buf;
}

static uint32_t
get32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

/* Unpacks every block of the packed bytes; whether all unpacked. The
 * pack is copied to a buffer of its exact length, as is each page. */
static bool
unpack_all(const uint8_t *packed, size_t len, const uint8_t *want,
	   size_t want_len)
{
	uint8_t *copy = malloc(len ? len : 1), *page = malloc(BLOCK);
	struct pagepack p;
	bool ok = true;

	memcpy(copy, packed, len);
	if (pagepack_open(&p, copy, len) < 0) {
		ok = false;
		goto out;
	}
	if (want && pagepack_codes(&p) == 0)
		for (unsigned f = 0; f < PAGEPACK_FIELDS; f++)
			for (unsigned n = longest_code + 1; n <= PAGEPACK_MAX_BITS; n++)
				if (p.code[f].count[n])
					longest_code = n;
	for (uint64_t k = 0; k < p.blocks; k++) {
		if (pagepack_block(&p, k, page, &tables) < 0) {
			ok = false;
			continue;
		}
		if (want) {
			size_t n = MIN((size_t)(want_len - k * BLOCK), (size_t)BLOCK);
			CHECK(memcmp(page, want + k * BLOCK, n) == 0);
			for (size_t i = n; i < BLOCK; i++)
				CHECK_EQ(page[i], 0);
		}
	}
	CHECK_EQ(pagepack_block(&p, p.blocks, page, &tables), -EIO);
out:
	free(copy);
	free(page);
	return ok;
}

/* The Python packer's packs unpack to their inputs; then damaged. */
static void
test_vectors(const char *path)
{
	size_t len, at = 0, count = 0;
	uint8_t *v = slurp(path, &len);

	CHECK(v != NULL);
	while (v && at + 4 <= len) {
		size_t n = get32(v + at), m;
		const uint8_t *data = v + at + 4;
		at += 4 + n;
		m = get32(v + at);
		const uint8_t *packed = v + at + 4;
		at += 4 + m;
		CHECK(at <= len);
		CHECK(unpack_all(packed, m, data, n));
		CHECK_EQ(get32(packed + 4), n);
		count++;
		/* Truncated anywhere: an error or, past the blocks, a whole
		 * file; never a fault. */
		for (size_t cut = 0; cut < m; cut += 1 + cut / 3)
			unpack_all(packed, cut, NULL, 0);
		/* A byte changed: an error or other bytes, never a fault. */
		uint8_t *bad = malloc(m);
		for (int round = 0; round < 300; round++) {
			memcpy(bad, packed, m);
			bad[rand() % m] ^= (uint8_t)(1 + rand() % 255);
			unpack_all(bad, m, NULL, 0);
		}
		free(bad);
	}
	CHECK(count >= 9);
	CHECK(longest_code > PAGEPACK_TABLE_BITS);	/* and so > SMALL_BITS */
	free(v);
}

/*
 * One pack's tables, then another's, then the first's again: each block
 * unpacks as it should whichever pack the tables were last built for, and
 * a pack opened again where another was (same address) gets its own.
 */
static void
test_tables_switch(const char *path)
{
	size_t len, at = 0;
	uint8_t *v = slurp(path, &len);
	const uint8_t *data[2] = { NULL, NULL }, *packed[2] = { NULL, NULL };
	size_t n[2] = { 0, 0 }, m[2] = { 0, 0 };
	int found = 0;

	/* The last two vectors with coded blocks (more than a page). */
	while (v && at + 4 <= len) {
		size_t dn = get32(v + at), pm;
		const uint8_t *d = v + at + 4;
		at += 4 + dn;
		pm = get32(v + at);
		if (dn > BLOCK) {
			data[found % 2] = d, n[found % 2] = dn;
			packed[found % 2] = v + at + 4, m[found % 2] = pm;
			found++;
		}
		at += 4 + pm;
	}
	CHECK(found >= 2);
	uint8_t *page = malloc(BLOCK);
	struct pagepack p;
	for (int round = 0; found >= 2 && round < 6; round++) {
		int w = round % 2 == 0 ? 0 : 1;
		if (round == 4)
			w = 0;
		CHECK_EQ(pagepack_open(&p, packed[w], m[w]), 0);
		for (uint64_t k = 0; k < p.blocks; k++) {
			size_t cmp = MIN(n[w] - k * BLOCK, (size_t)BLOCK);
			CHECK_EQ(pagepack_block(&p, k, page, &tables), 0);
			CHECK(memcmp(page, data[w] + k * BLOCK, cmp) == 0);
		}
	}
	free(page);
	free(v);
}

static int
decode(const uint8_t *in, size_t in_len, size_t out_len)
{
	uint8_t *out = malloc(out_len ? out_len : 1);
	uint8_t *copy = malloc(in_len ? in_len : 1);
	int r;

	memcpy(copy, in, in_len);
	r = pagepack_decode(&plain, &tables, copy, in_len, out, out_len);
	free(out);
	free(copy);
	return r;
}

/* The real BusyBox, as the image packs it: every block unpacks to it. */
static void
test_busybox(const char *path)
{
	size_t len, n, m;
	uint8_t *v = slurp(path, &len);

	CHECK(v != NULL && len >= 8);
	if (!v || len < 8)
		return;
	n = get32(v);
	CHECK(n > 100 * BLOCK && 8 + n <= len);
	m = get32(v + 4 + n);
	CHECK_EQ(8 + n + m, len);
	CHECK(unpack_all(v + 8 + n, m, v + 4, n));
	free(v);
}

/* Hand-made blocks: good ones, and each way of being bad. */
static void
test_blocks(void)
{
	static const uint8_t ok[] = { 0x40, 'a', 'b', 'c', 'd', 4, 0 };	/* abcd + 4 back */
	static const uint8_t overlap[] = { 0x15, 'x', 1, 0 };	/* x then 9 x's */
	static const uint8_t offset0[] = { 0x10, 'x', 0, 0 };
	static const uint8_t offset_far[] = { 0x10, 'x', 2, 0 };
	static const uint8_t lit_past[] = { 0x50, 'a', 'b' };
	static const uint8_t no_offset[] = { 0x10, 'x', 1 };
	static const uint8_t long_match[] = { 0x1f, 'x', 1, 0, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 0 };
	static const uint8_t endless_len[] = { 0xf0, 255, 255, 255 };
	uint8_t raw[16] = { 1, 2, 3 };

	CHECK_EQ(decode(ok, sizeof(ok), 8), 0);
	CHECK_EQ(decode(ok, sizeof(ok), 9), -EIO);	/* short of its size */
	CHECK_EQ(decode(overlap, sizeof(overlap), 8), -EIO);	/* past its size */
	CHECK_EQ(decode(overlap, sizeof(overlap), 10), 0);
	CHECK_EQ(decode(offset0, sizeof(offset0), 5), -EIO);
	CHECK_EQ(decode(offset_far, sizeof(offset_far), 5), -EIO);
	CHECK_EQ(decode(lit_past, sizeof(lit_past), 5), -EIO);
	CHECK_EQ(decode(no_offset, sizeof(no_offset), 5), -EIO);
	CHECK_EQ(decode(long_match, sizeof(long_match), BLOCK), -EIO);
	CHECK_EQ(decode(endless_len, sizeof(endless_len), BLOCK), -EIO);
	CHECK_EQ(decode(raw, 16, 16), 0);	/* its size: raw */
	CHECK_EQ(decode(raw, 0, BLOCK), 0);	/* empty: zeros */
	CHECK_EQ(decode(raw, 16, 8), -EIO);	/* longer than it unpacks */
	CHECK_EQ(decode(raw, 3, BLOCK + 1), -EIO);	/* past a page */

	uint8_t out[10];
	CHECK_EQ(pagepack_decode(&plain, &tables, overlap, sizeof(overlap), out, 10), 0);
	CHECK(memcmp(out, "xxxxxxxxxx", 10) == 0);
	uint8_t out8[8];
	CHECK_EQ(pagepack_decode(&plain, &tables, ok, sizeof(ok), out8, 8), 0);
	CHECK(memcmp(out8, "abcdabcd", 8) == 0);
}

static void
put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

/* Headers, codes and indexes: each way of being bad is -EINVAL (from
 * pagepack_open or pagepack_codes) or -EIO (pagepack_block). */
static void
test_headers(void)
{
	static uint8_t h[INDEX + 16] = { 'P', 'P', 'K', '2' };
	struct pagepack p;

	memset(h + 8, 0x88, LENGTHS);
	put32(h + 4, 2 * BLOCK);	/* two blocks, both zeros */
	put32(h + INDEX, INDEX + 8);
	put32(h + INDEX + 4, INDEX + 8);
	CHECK_EQ(pagepack_open(&p, h, INDEX + 8), 0);
	CHECK_EQ(p.blocks, 2);
	CHECK_EQ(pagepack_open(&p, h, INDEX + 7), -EINVAL);	/* index cut */
	CHECK_EQ(pagepack_open(&p, h, 7), -EINVAL);
	CHECK_EQ(pagepack_codes(&p), 0);
	uint8_t page[BLOCK];
	CHECK_EQ(pagepack_block(&p, 1, page, &tables), 0);	/* zeros */
	CHECK_EQ(page[BLOCK - 1], 0);
	/* Bad codes: the first block unpacked says so, not the open. */
	h[8 + 3] = 0x77;		/* two 7-bit codes: too many codes */
	CHECK_EQ(pagepack_open(&p, h, INDEX + 8), 0);
	CHECK_EQ(pagepack_codes(&p), -EINVAL);
	CHECK_EQ(pagepack_block(&p, 0, page, &tables), -EIO);
	h[8 + 3] = 0x99;		/* two 9-bit codes: incomplete, allowed */
	CHECK_EQ(pagepack_open(&p, h, INDEX + 8), 0);
	CHECK_EQ(pagepack_codes(&p), 0);
	memset(h + 8 + 128, 0x11, 128);	/* 256 1-bit codes */
	CHECK_EQ(pagepack_open(&p, h, INDEX + 8), 0);
	CHECK_EQ(pagepack_codes(&p), -EINVAL);
	memset(h + 8, 0x88, 256);
	/* Bad indexes: the first block unpacked says so, not the open (the
	 * boot opens packs without reading their indexes). */
	put32(h + INDEX + 4, INDEX + 7);	/* ends before it starts */
	CHECK_EQ(pagepack_open(&p, h, INDEX + 16), 0);
	CHECK_EQ(pagepack_codes(&p), -EINVAL);
	CHECK_EQ(pagepack_block(&p, 0, page, &tables), -EIO);
	put32(h + INDEX + 4, INDEX + 17);	/* ends past the pack */
	CHECK_EQ(pagepack_open(&p, h, INDEX + 16), 0);
	CHECK_EQ(pagepack_block(&p, 1, page, &tables), -EIO);
	put32(h + INDEX, INDEX + 8 + BLOCK + 1);	/* longer than a block */
	put32(h + INDEX + 4, INDEX + 8 + BLOCK + 1);
	CHECK_EQ(pagepack_open(&p, h, INDEX + 16), 0);
	CHECK_EQ(pagepack_codes(&p), -EINVAL);
	put32(h + INDEX, INDEX + 8);
	put32(h + INDEX + 4, INDEX + 8);
	put32(h + 4, 0xffffffff);		/* more blocks than bytes */
	CHECK_EQ(pagepack_open(&p, h, INDEX + 16), -EINVAL);
	h[0] = 'Q';
	CHECK_EQ(pagepack_open(&p, h, INDEX + 16), -EINVAL);
}

/* Random bytes as a block, of every size up to a page: no fault. */
static void
test_random(void)
{
	uint8_t in[600];

	for (int round = 0; round < 20000; round++) {
		size_t n = (size_t)(rand() % (int)sizeof(in));
		for (size_t i = 0; i < n; i++)
			in[i] = (uint8_t)rand();
		decode(in, n, n + (size_t)(rand() % BLOCK) % (BLOCK - n + 1));
	}
}

int
main(int argc, char **argv)
{
	char path[4096], busybox[4096], *self = strdup(argv[0]), *dir;

	(void)argc;
	dir = dirname(self);
	snprintf(path, sizeof(path), "%s/pagepack-vectors.bin", dir);
	snprintf(busybox, sizeof(busybox), "%s/pagepack-busybox.bin", dir);
	free(self);
	srand(13);
	plain_init();
	test_vectors(path);
	test_busybox(busybox);
	test_tables_switch(path);
	test_blocks();
	test_headers();
	test_random();
	return check_done("pagepack");
}
