/*
 * Unpacks files packed by tools/pagepack.py (its comment has the format),
 * block by block: LZ sequences of literals and back references, each
 * block alone, each byte of a sequence in the Huffman code of its field.
 * Table-driven: the next 10 bits (token, literal) or 8 (the rest) give a
 * code at once (struct pagepack_tables), read from a 64-bit buffer filled
 * a word at a time; only longer codes take a search by length. Every length and offset is
 * checked against the block and the page before it is used, so a hostile
 * pack is an error, never a read or a write out of bounds. Portable;
 * tested on the host (tests/host/test_pagepack.c).
 */
#include <kernel/types.h>
#include <kernel/string.h>
#include <kernel/errno.h>
#include <kernel/pagepack.h>

#define MAGIC		0x324b5050u	/* "PPK2" read little-endian */
#define LENGTHS_AT	8		/* after magic and size: code lengths */
#define HEADER_LEN	(LENGTHS_AT + PAGEPACK_FIELDS * 128)	/* then the index */
#define MIN_MATCH	4
/* The bit reader's steps: inlined into decode_sequences, whose bit
   state then lives in registers (through a pointer, every output byte
   stored could alias it and make it go back to memory). */
#define INLINE		static inline __attribute__((always_inline))

enum { TOKEN, LITERAL, OFFSET_LO, OFFSET_HI, LENGTH };

static uint32_t
load32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

/*
 * Fills h->limit and h->base from h's counts: the codes of each length
 * are consecutive numbers, after the shorter codes' (canonical).
 */
static void
limits_build(struct pagepack_code *h)
{
	unsigned code = 0, index = 0;

	h->limit[0] = 0;
	for (unsigned len = 1; len <= PAGEPACK_MAX_BITS; len++) {
		h->base[len] = (uint16_t)index;
		code += h->count[len];
		index += h->count[len];
		/* code_build checked that code fits in len bits. */
		h->limit[len] = code << (16 - len);
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
	limits_build(h);
	return 0;
}

int
pagepack_open(struct pagepack *p, const void *data, size_t len)
{
	const uint8_t *d = data;
	uint64_t size, blocks;

	if (len < HEADER_LEN || load32(d) != MAGIC)
		return -EINVAL;
	size = load32(d + 4);
	blocks = (size + PAGEPACK_BLOCK - 1) / PAGEPACK_BLOCK;
	if (blocks > (len - HEADER_LEN) / 4)
		return -EINVAL;
	p->data = d;
	p->len = len;
	p->size = size;
	p->blocks = blocks;
	p->coded = false;
	p->stamp = 0;
	return 0;
}

/* Whether each block of p's index ends after it starts, within the pack,
 * at most a block later. */
static bool
index_good(const struct pagepack *p)
{
	uint64_t at = HEADER_LEN + 4 * p->blocks;	/* block 0's start */

	for (uint64_t k = 0; k < p->blocks; k++) {
		uint64_t end = load32(p->data + HEADER_LEN + 4 * k);
		if (end < at || end > p->len || end - at > PAGEPACK_BLOCK)
			return false;
		at = end;
	}
	return true;
}

int
pagepack_codes(struct pagepack *p)
{
	if (!index_good(p))
		return -EINVAL;
	for (unsigned f = 0; f < PAGEPACK_FIELDS; f++)
		if (code_build(&p->code[f], p->data + LENGTHS_AT + 128 * f) < 0)
			return -EINVAL;
	p->coded = true;
	return 0;
}

/* Fills fast, a table for the next bits, from code h (pagepack_tables). */
static void
fast_build(uint16_t *fast, unsigned bits, const struct pagepack_code *h)
{
	unsigned code = 0, index = 0;

	memset(fast, 0, sizeof(*fast) << bits);
	for (unsigned len = 1; len <= bits; len++) {
		unsigned shift = bits - len;
		for (unsigned k = 0; k < h->count[len]; k++, code++, index++) {
			uint16_t e = (uint16_t)(h->symbol[index] | len << 8);
			for (unsigned j = 0; j < 1u << shift; j++)
				fast[(code << shift) + j] = e;
		}
		code <<= 1;
	}
}

/* Makes t's tables p's (p's codes are built). */
static void
tables_build(struct pagepack_tables *t, struct pagepack *p)
{
	static uint64_t stamps;	/* the big lock's, as the tables are */

	fast_build(t->token, PAGEPACK_TABLE_BITS, &p->code[TOKEN]);
	fast_build(t->literal, PAGEPACK_TABLE_BITS, &p->code[LITERAL]);
	for (unsigned f = OFFSET_LO; f <= LENGTH; f++)
		fast_build(t->small[f - OFFSET_LO], PAGEPACK_SMALL_BITS,
			   &p->code[f]);
	p->stamp = ++stamps;
	t->stamp = p->stamp;
	t->owner = p;
}

/*
 * A block's bits, first to last, each byte's from its top bit down, read
 * through a 64-bit buffer whose top bits are the next ones. Past the
 * input the buffer fills with zeros, counted in past: a sequence that
 * used them is an error (overrun), found at the sequence's end; until
 * then the zeros decode as anything may, within the output's bounds.
 */
struct bits {
	const uint8_t *in, *end;	/* the next byte to load; the input's end */
	uint64_t buf;		/* the next bits, from the top */
	unsigned cnt;		/* bits in buf; those below are garbage */
	size_t past;		/* zero bytes loaded past the end */
};

/* Fills b's buffer to at least 56 bits. */
INLINE void
refill(struct bits *b)
{
	if (b->end - b->in >= 8) {
		/* 8 bytes loaded, as many taken as fit: the bits of a byte
		   half taken come again at the same place next time. */
		uint64_t w;
		__builtin_memcpy(&w, b->in, sizeof(w));
		b->buf |= __builtin_bswap64(w) >> b->cnt;
		b->in += (63 - b->cnt) >> 3;
		b->cnt |= 56;
		return;
	}
	for (; b->cnt <= 56; b->cnt += 8) {
		if (b->in < b->end)
			b->buf |= (uint64_t)*b->in++ << (56 - b->cnt);
		else
			b->past++;	/* buf's bits there are 0 already */
	}
}

/* Whether b's bits used so far went past its input. */
INLINE bool
overrun(const struct bits *b)
{
	return b->past * 8 > b->cnt;
}

INLINE void
consume(struct bits *b, unsigned n)
{
	b->buf <<= n;
	b->cnt -= n;
}

/* The next byte of a field coded in from bits or more, longer than its
 * table's (or -1 for a code h does not have), by its length. */
INLINE int
next_long(struct bits *b, const struct pagepack_code *h, unsigned from)
{
	unsigned w = (unsigned)(b->buf >> 48);

	for (unsigned len = from; len <= PAGEPACK_MAX_BITS; len++) {
		if (w < h->limit[len]) {
			unsigned i = h->base[len] + ((w - h->limit[len - 1]) >> (16 - len));
			consume(b, len);
			return h->symbol[i];
		}
	}
	return -1;
}

/* The next byte of a field, b holding a code's bits: its table fast for
 * the next bits, its code h. -1 for a code h does not have. */
INLINE int
code_at(struct bits *b, const uint16_t *fast, unsigned bits,
	const struct pagepack_code *h)
{
	unsigned e = fast[b->buf >> (64 - bits)];
	if (e >> 8) {
		consume(b, e >> 8);
		return (int)(e & 255);
	}
	return next_long(b, h, bits + 1);
}

/* The next byte of a field (code_at's), the buffer refilled if need be. */
INLINE int
next_byte(struct bits *b, const uint16_t *fast, unsigned bits,
	  const struct pagepack_code *h)
{
	if (b->cnt < PAGEPACK_MAX_BITS)
		refill(b);
	return code_at(b, fast, bits, h);
}

/*
 * Adds a length field's extension bytes (after a field of 15) to *n, the
 * length code h's table being fast: each byte is added, a byte below 255
 * ends it. Returns 0, or -EIO for a bad code or past a page (no longer
 * length is of use).
 */
INLINE int
extend(struct bits *b, const uint16_t *fast, const struct pagepack_code *h,
       size_t *n)
{
	int c;

	do {
		if (*n > PAGEPACK_BLOCK ||
		    (c = next_byte(b, fast, PAGEPACK_SMALL_BITS, h)) < 0)
			return -EIO;
		*n += (size_t)c;
	} while (c == 255);
	return 0;
}

/*
 * Copies match bytes to d from offset bytes back (d - offset is in the
 * output, d + match <= end): 8 at a time where the source is 8 bytes back
 * or more and there is room for the last copy's spill, else a byte at a
 * time (an overlapping copy repeats the bytes it copies).
 */
INLINE void
copy_match(uint8_t *d, size_t offset, size_t match, const uint8_t *end)
{
	const uint8_t *s = d - offset;

	if (offset >= 8 && (size_t)(end - d) >= match + 7) {
		for (size_t k = 0; k < match; k += 8)
			__builtin_memcpy(d + k, s + k, 8);
		return;
	}
	for (size_t k = 0; k < match; k++)
		d[k] = s[k];
}

/*
 * One literal to *out++ from the table fast, else through code h (a
 * longer code); a code there is not returns -EIO from the function.
 */
#define LITERAL_ONE(b, fast, h, out) do {				\
	unsigned e_ = (fast)[(b)->buf >> (64 - PAGEPACK_TABLE_BITS)];	\
	int c_ = (int)(e_ & 255);					\
	if (e_ >> 8)							\
		consume(b, e_ >> 8);					\
	else if ((c_ = next_long(b, h, PAGEPACK_TABLE_BITS + 1)) < 0)	\
		return -EIO;						\
	*(out)++ = (uint8_t)c_;						\
} while (0)

/*
 * Unpacks n literals to out. Returns 0, or -EIO for a code there is not.
 * Two codes take at most 30 bits: a refill (56 bits or more) serves two
 * literals, and often two more.
 */
INLINE int
literals(struct bits *b, const uint16_t *fast, const struct pagepack_code *h,
	 uint8_t *out, size_t n)
{
	uint8_t *end = out + n;

	while (end - out >= 2) {
		if (b->cnt < 2 * PAGEPACK_MAX_BITS)
			refill(b);
		LITERAL_ONE(b, fast, h, out);
		LITERAL_ONE(b, fast, h, out);
	}
	while (out < end) {
		if (b->cnt < PAGEPACK_MAX_BITS)
			refill(b);
		LITERAL_ONE(b, fast, h, out);
	}
	return 0;
}

/* Unpacks coded sequences: exactly out_len bytes. Returns 0 or -EIO. */
static int
decode_sequences(const struct pagepack *p, const struct pagepack_tables *t,
		 const uint8_t *in, size_t in_len, uint8_t *out, size_t out_len)
{
	const struct pagepack_code *code = p->code;
	struct bits bits = { in, in + in_len, 0, 0, 0 }, *b = &bits;
	uint8_t *o = out, *end = out + out_len;

	while (o < end) {
		int token = next_byte(b, t->token, PAGEPACK_TABLE_BITS,
				      &code[TOKEN]);
		if (token < 0)
			return -EIO;
		size_t lit = (unsigned)token >> 4;
		size_t match = ((unsigned)token & 15) + MIN_MATCH;
		if (lit == 15 &&
		    extend(b, t->small[LENGTH - OFFSET_LO], &code[LENGTH], &lit) < 0)
			return -EIO;
		if (lit > (size_t)(end - o) ||
		    literals(b, t->literal, &code[LITERAL], o, lit) < 0)
			return -EIO;
		o += lit;
		if (o == end)	/* the last sequence may have no match */
			return overrun(b) ? -EIO : 0;
		/* The offset's two codes from one refill. */
		if (b->cnt < 2 * PAGEPACK_MAX_BITS)
			refill(b);
		int lo = code_at(b, t->small[0], PAGEPACK_SMALL_BITS,
				 &code[OFFSET_LO]);
		int hi = lo < 0 ? -1 :
			 code_at(b, t->small[1], PAGEPACK_SMALL_BITS,
				 &code[OFFSET_HI]);
		if (hi < 0)
			return -EIO;
		size_t offset = (unsigned)lo | (unsigned)hi << 8;
		if (match == 15 + MIN_MATCH &&
		    extend(b, t->small[LENGTH - OFFSET_LO], &code[LENGTH], &match) < 0)
			return -EIO;
		if (overrun(b) || offset == 0 || offset > (size_t)(o - out) ||
		    match > (size_t)(end - o))
			return -EIO;
		copy_match(o, offset, match, end);
		o += match;
	}
	return 0;
}

int
pagepack_decode(struct pagepack *p, struct pagepack_tables *t,
		const uint8_t *in, size_t in_len, uint8_t *out, size_t out_len)
{
	if (out_len > PAGEPACK_BLOCK || in_len > out_len || !p->coded)
		return -EIO;
	if (in_len == 0) {
		memset(out, 0, out_len);
		return 0;
	}
	if (in_len == out_len) {
		memcpy(out, in, out_len);
		return 0;
	}
	if (t->owner != p || t->stamp != p->stamp)
		tables_build(t, p);
	return decode_sequences(p, t, in, in_len, out, out_len);
}

int
pagepack_block(struct pagepack *p, uint64_t k, uint8_t *out,
	       struct pagepack_tables *t)
{
	const uint8_t *index = p->data + HEADER_LEN;
	uint64_t start, end;
	size_t out_len;

	if (k >= p->blocks || (!p->coded && pagepack_codes(p) < 0))
		return -EIO;
	/* pagepack_codes checked the index: start <= end <= p->len. */
	start = k == 0 ? HEADER_LEN + 4 * p->blocks : load32(index + 4 * (k - 1));
	end = load32(index + 4 * k);
	out_len = (size_t)MIN(p->size - k * PAGEPACK_BLOCK, (uint64_t)PAGEPACK_BLOCK);
	if (pagepack_decode(p, t, p->data + start, end - start, out, out_len) < 0)
		return -EIO;
	memset(out + out_len, 0, PAGEPACK_BLOCK - out_len);
	return 0;
}
