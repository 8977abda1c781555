/*
 * fsd, Petrel's storage server: the file protocol (<petrel/fs.h>) served
 * over an ext2 file system (serve.c), on a virtio-blk disk (vblk.c).
 */
#ifndef FSD_FSD_H
#define FSD_FSD_H

#include "ext2.h"
#include <petrel/petrel.h>
#include <stdbool.h>

struct fsd_options {
	const char *source;		/* the name /proc/mounts shows */
	bool read_only;
	bool verbose;
	bool once;			/* a refused disk ends fsd (--file) */
};

/*
 * Mounts dev's ext2 file system and serves the kernel's calls on channel
 * end `serve` until the kernel unmounts it (0) or the channel goes (1).
 * Returns 2 if the disk cannot be mounted (the reasons on stderr): at
 * once after answering the HELLO with the reason if opts->once, else
 * never (it answers every call so, and idles).
 */
int fsd_serve(struct blkdev *dev, pt_handle_t serve,
	      const struct fsd_options *opts);

/* Answers the kernel's HELLO on serve with error, as fsd_serve does for
 * a disk it refuses; returns 2. */
int fsd_refuse(pt_handle_t serve, int error, const struct fsd_options *opts);

#endif
