/*
 * Packed files (kernel/core/pagepack.c): a file packed by
 * tools/pagepack.py in independent 4 KiB blocks, so that each page is
 * unpacked at its first use. The initramfs keeps its big files so
 * (docs/kernel.md, Memory); tmpfs unpacks their pages (tmpfs_packed.c).
 * Nothing here trusts the packed bytes: a bad header is -EINVAL, a bad
 * block -EIO, and neither reads or writes outside the buffers given.
 */
#ifndef KERNEL_PAGEPACK_H
#define KERNEL_PAGEPACK_H

#include <kernel/types.h>

#define PAGEPACK_BLOCK 4096
#define PAGEPACK_FIELDS 5	/* a sequence's fields, a Huffman code each */
#define PAGEPACK_MAX_BITS 15	/* the longest code */

#ifndef PAGEPACK_TABLE_BITS
#define PAGEPACK_TABLE_BITS 10	/* token and literal codes this short are
				   found by table */
#endif
#ifndef PAGEPACK_SMALL_BITS
#define PAGEPACK_SMALL_BITS 8	/* the other fields' (one or two a sequence) */
#endif

/* A canonical Huffman code over byte values (puff's form): how many codes
 * each length has, and the values in code order. Codes longer than the
 * tables' are found so: the next 16 bits w are below limit[len] for the
 * shortest len whose codes they start with, and that code's value is
 * symbol[base[len] + (w - limit[len - 1] >> 16 - len)]. */
struct pagepack_code {
	uint16_t count[PAGEPACK_MAX_BITS + 1];
	uint32_t limit[PAGEPACK_MAX_BITS + 1];
	uint16_t base[PAGEPACK_MAX_BITS + 1];
	uint8_t symbol[256];
};

/* A packed file opened by pagepack_open; it points into the packed bytes. */
struct pagepack {
	const uint8_t *data;	/* the packed file */
	size_t len;		/* its bytes */
	uint64_t size;		/* the unpacked file's bytes */
	uint64_t blocks;	/* its blocks: size / 4096 rounded up */
	bool coded;		/* code[] built and the block index checked, at
				   the first block unpacked (not at boot: the
				   codes of the boot's packs cost 0.12 M
				   instructions, the index 5 k) */
	uint64_t stamp;		/* its tables' stamp (pagepack_tables) */
	struct pagepack_code code[PAGEPACK_FIELDS];
};

/*
 * The decoding tables of one pack at a time (those of the pack last
 * unpacked; another's are built over them). For the next bits of a
 * field's table (PAGEPACK_TABLE_BITS for the token and the literals,
 * PAGEPACK_SMALL_BITS for the offset's two bytes and the lengths), its
 * entry has the code they start with: value | length << 8 (length 0: a
 * longer code, or none). 5 KiB; one for the kernel, the big lock's
 * (tmpfs_packed.c).
 */
struct pagepack_tables {
	const struct pagepack *owner;	/* whose, if owner->stamp == stamp */
	uint64_t stamp;
	uint16_t token[1 << PAGEPACK_TABLE_BITS];
	uint16_t literal[1 << PAGEPACK_TABLE_BITS];
	uint16_t small[3][1 << PAGEPACK_SMALL_BITS];	/* offset low, high,
							   length */
};

/*
 * Checks the header of the len bytes at data (the block index, the codes
 * and the blocks are checked as the first block is unpacked). Returns 0
 * with *p filled, or -EINVAL.
 */
int pagepack_open(struct pagepack *p, const void *data, size_t len);

/*
 * Unpacks block k (below p->blocks) into the PAGEPACK_BLOCK bytes at out,
 * zeros after the file's end, with t's tables (built for p if they are
 * another's); builds p's codes first if need be. Returns 0, or -EIO for a
 * bad block, bad codes or a bad index (out's contents are then
 * undefined).
 */
int pagepack_block(struct pagepack *p, uint64_t k, uint8_t *out,
		   struct pagepack_tables *t);
/* Builds p's codes from its header and checks its block index, as
 * pagepack_block does; 0 or -EINVAL. */
int pagepack_codes(struct pagepack *p);

/*
 * Unpacks the in_len bytes at in, a block of p in any of its forms
 * (zeros, raw, coded sequences), into exactly out_len bytes at out (at
 * most PAGEPACK_BLOCK), with t's tables (built for p if they are
 * another's); p's codes are built. Returns 0 or -EIO.
 */
int pagepack_decode(struct pagepack *p, struct pagepack_tables *t,
		    const uint8_t *in, size_t in_len, uint8_t *out,
		    size_t out_len);

#endif
