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

/* A packed file checked by pagepack_open; it points into the packed bytes. */
struct pagepack {
	const uint8_t *data;	/* the packed file */
	size_t len;		/* its bytes */
	uint64_t size;		/* the unpacked file's bytes */
	uint64_t blocks;	/* its blocks: size / 4096 rounded up */
};

/*
 * Checks the header and the block index of the len bytes at data (the
 * blocks' contents are checked as each is unpacked). Returns 0 with *p
 * filled, or -EINVAL.
 */
int pagepack_open(struct pagepack *p, const void *data, size_t len);

/*
 * Unpacks block k (below p->blocks) into the PAGEPACK_BLOCK bytes at out,
 * zeros after the file's end. Returns 0, or -EIO for a bad block (out's
 * contents are then undefined).
 */
int pagepack_block(const struct pagepack *p, uint64_t k, uint8_t *out);

/*
 * Unpacks the in_len bytes at in, a block in any of its forms (zeros,
 * raw, sequences), into exactly out_len bytes at out (at most
 * PAGEPACK_BLOCK). Returns 0 or -EIO.
 */
int pagepack_decode(const uint8_t *in, size_t in_len, uint8_t *out,
		    size_t out_len);

#endif
