/*
 * A block device as fsd's file system code sees it: 512-byte sectors read
 * and written in batches whose requests are all in flight at once, a
 * flush that makes earlier writes durable, and memory the device can
 * reach. vblk.c implements it over virtio-blk, blkfile.c over a host file
 * (for host tests). Single-threaded callers.
 */
#ifndef FSD_BLKDEV_H
#define FSD_BLKDEV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define BLK_SECTOR 512

struct blk_io {
	uint64_t sector;		/* first sector */
	void *buf;			/* from blkdev.alloc */
	uint32_t len;			/* bytes, a multiple of BLK_SECTOR */
	bool write;
	int status;			/* out: 0 or -errno */
};

struct blkdev {
	uint64_t sectors;		/* the device's size */
	bool read_only;			/* writes fail with -EROFS */
	/*
	 * Runs n requests, all in flight together where the device allows,
	 * and returns when every one is done: 0, or the first failure's
	 * -errno (each request's own status says which). A request beyond
	 * the device's end fails with -EINVAL and touches nothing.
	 */
	int (*rw)(struct blkdev *d, struct blk_io *io, unsigned n);
	/* Returns once every completed write is durable: 0 or -errno. */
	int (*flush)(struct blkdev *d);
	/*
	 * size bytes (a multiple of 4096, page aligned) that requests' buf
	 * may point into; NULL when there is no more. Never freed.
	 */
	void *(*alloc)(struct blkdev *d, size_t size);
	void *priv;
};

#endif
