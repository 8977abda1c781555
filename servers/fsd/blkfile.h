/* A block device over a file: host tests, fsd --file (blkfile.c). */
#ifndef FSD_BLKFILE_H
#define FSD_BLKFILE_H

#include "blkdev.h"

struct blkfile_stats {
	unsigned long batches, reads, writes, flushes;
	unsigned long bytes_read, bytes_written;
	unsigned long refused;		/* requests a device would refuse */
};

/*
 * Opens path as d (a block device's size from BLKGETSIZE64, read-only if
 * BLKROGET says so); stats are zeroed and kept up to date. 0 or -errno.
 */
int blkfile_open(struct blkdev *d, const char *path, bool read_only,
		 struct blkfile_stats *stats);
/* Closes the file and frees the memory d->alloc gave. */
void blkfile_close(struct blkdev *d);

#endif
