/*
 * A block device over a file: for host tests of the ext2 code, and for
 * fsd --file, which serves a loop device (/dev/loopN) that mount(2) named.
 * The requests of a batch run one after another with pread and pwrite.
 * blkfile_open's stats count what reached the file, and every request a
 * device would refuse (beyond the end, misaligned, a write to a read-only
 * device), so a test can check that none was made.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "blkfile.h"
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#define ALLOC_MAX 64

struct blkfile {
	int fd;
	struct blkfile_stats *stats;
	void *allocs[ALLOC_MAX];	/* freed at close */
	unsigned nalloc;
};

static int
file_rw(struct blkdev *d, struct blk_io *io, unsigned n)
{
	struct blkfile *f = d->priv;
	int first = 0;
	for (unsigned i = 0; i < n; i++) {
		struct blk_io *r = &io[i];
		uint64_t count = r->len / BLK_SECTOR;
		r->status = 0;
		if (r->len == 0 || r->len % BLK_SECTOR ||
		    r->sector > d->sectors || count > d->sectors - r->sector)
			r->status = -EINVAL;
		else if (r->write && d->read_only)
			r->status = -EROFS;
		if (r->status) {
			f->stats->refused++;
		} else {
			off_t at = (off_t)(r->sector * BLK_SECTOR);
			ssize_t done = r->write ? pwrite(f->fd, r->buf, r->len, at)
						: pread(f->fd, r->buf, r->len, at);
			if (done != (ssize_t)r->len)
				r->status = -EIO;
			else if (r->write)
				f->stats->writes++, f->stats->bytes_written += r->len;
			else
				f->stats->reads++, f->stats->bytes_read += r->len;
		}
		if (r->status && !first)
			first = r->status;
	}
	f->stats->batches++;
	return first;
}

static int
file_flush(struct blkdev *d)
{
	struct blkfile *f = d->priv;
	f->stats->flushes++;
	return fdatasync(f->fd) < 0 ? -errno : 0;
}

static void *
file_alloc(struct blkdev *d, size_t size)
{
	struct blkfile *f = d->priv;
	void *p = NULL;
	if (f->nalloc == ALLOC_MAX || posix_memalign(&p, 4096, size) != 0)
		return NULL;
	f->allocs[f->nalloc++] = p;
	return p;
}

int
blkfile_open(struct blkdev *d, const char *path, bool read_only,
	     struct blkfile_stats *stats)
{
	struct blkfile *f = calloc(1, sizeof(*f));
	if (!f)
		return -ENOMEM;
	f->fd = open(path, read_only ? O_RDONLY : O_RDWR);
	struct stat st;
	if (f->fd < 0 || fstat(f->fd, &st) < 0) {
		int e = -errno;
		if (f->fd >= 0)
			close(f->fd);
		free(f);
		return e;
	}
	uint64_t size = (uint64_t)st.st_size;
	int ro = 0;
	if (S_ISBLK(st.st_mode) && (ioctl(f->fd, BLKGETSIZE64, &size) < 0 ||
				    ioctl(f->fd, BLKROGET, &ro) < 0)) {
		int e = -errno;
		close(f->fd);
		free(f);
		return e;
	}
	memset(stats, 0, sizeof(*stats));
	f->stats = stats;
	*d = (struct blkdev){
		.sectors = size / BLK_SECTOR,
		.read_only = read_only || ro,
		.rw = file_rw, .flush = file_flush, .alloc = file_alloc,
		.priv = f,
	};
	return 0;
}

void
blkfile_close(struct blkdev *d)
{
	struct blkfile *f = d->priv;
	close(f->fd);
	for (unsigned i = 0; i < f->nalloc; i++)
		free(f->allocs[i]);
	free(f);
	d->priv = NULL;
}
