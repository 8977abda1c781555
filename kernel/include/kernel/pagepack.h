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

#define PAGEPACK_FAST_BITS 8	/* codes this short are found by table */

/* A canonical Huffman code over byte values (puff's form): how many codes
 * each length has, and the values in code order; fast[] gives, for the
 * next 8 bits, the value and length of a code of at most 8 bits they
 * start with (length 0: a longer code, whose search goes on from 9 bits
 * with first and index as they are there). */
struct pagepack_code {
	uint16_t count[PAGEPACK_MAX_BITS + 1];
	uint16_t first9, index9;
	uint8_t symbol[256];
	struct {
		uint8_t value, len;
	} fast[1 << PAGEPACK_FAST_BITS];
};

/* A packed file checked by pagepack_open; it points into the packed bytes. */
struct pagepack {
	const uint8_t *data;	/* the packed file */
	size_t len;		/* its bytes */
	uint64_t size;		/* the unpacked file's bytes */
	uint64_t blocks;	/* its blocks: size / 4096 rounded up */
	bool coded;		/* code[] built, at the first block unpacked
				   (not at boot: 20 codes cost 0.12 M
				   instructions) */
	struct pagepack_code code[PAGEPACK_FIELDS];
};

/*
 * Checks the header and the block index of the len bytes at data (the
 * codes and the blocks are checked as each block is unpacked). Returns 0
 * with *p filled, or -EINVAL.
 */
int pagepack_open(struct pagepack *p, const void *data, size_t len);

/*
 * Unpacks block k (below p->blocks) into the PAGEPACK_BLOCK bytes at out,
 * zeros after the file's end; builds p's codes first if need be. Returns
 * 0, or -EIO for a bad block or bad codes (out's contents are then
 * undefined).
 */
int pagepack_block(struct pagepack *p, uint64_t k, uint8_t *out);
/* Builds p's codes from its header, as pagepack_block does; 0 or -EINVAL. */
int pagepack_codes(struct pagepack *p);

/*
 * Unpacks the in_len bytes at in, a block of p in any of its forms
 * (zeros, raw, coded sequences), into exactly out_len bytes at out (at
 * most PAGEPACK_BLOCK); p's codes are built. Returns 0 or -EIO.
 */
int pagepack_decode(const struct pagepack *p, const uint8_t *in,
		    size_t in_len, uint8_t *out, size_t out_len);

#endif
