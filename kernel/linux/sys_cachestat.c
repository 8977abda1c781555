/*
 * cachestat(2), Linux 6.5's view of a file's pages in memory: the pages
 * of a range that the kernel holds (a tmpfs file's own, a server file's
 * cached pages) are nr_cache; a server file's pages that are only on its
 * disk are reported as evicted, which is where Linux counts pages it
 * read once and dropped. A tmpfs page is dirty, as Linux's shmem pages,
 * which are never written back; a server file's pages are reported clean
 * (its dirty ones are written at fsync, after which cachestat01 looks),
 * and none is ever under write-back.
 */
#include <kernel/proc.h>
#include <kernel/vfs.h>
#include <kernel/vm.h>
#include <kernel/tmpfs.h>
#include <kernel/srvfs.h>
#include <kernel/errno.h>
#include <syscall_table.h>

struct cachestat_range_k {
	uint64_t off, len;
};

struct cachestat_k {
	uint64_t nr_cache, nr_dirty, nr_writeback, nr_evicted,
		nr_recently_evicted;
};

/* Counts the pages of [first, last] (page indexes) of ino: from the
 * pages the file system holds, never offset by offset (a sparse file may
 * be a terabyte long). */
static void
cachestat_count(struct inode *ino, uint64_t first, uint64_t last,
		struct cachestat_k *cs)
{
	if (!S_ISREG(ino->mode) || ino->size == 0)
		return;
	if (ino->iops->map_prepare) {	/* a server's file */
		uint64_t end = MIN(last, (ino->size - 1) / PAGE_SIZE);
		uint64_t pages = first <= end ? end - first + 1 : 0;
		cs->nr_cache = srv_pages_in(ino, first, last);
		cs->nr_evicted = pages - MIN(pages, cs->nr_cache);
		return;
	}
	/* A page of memory only is never written back: it stays dirty, as
	 * Linux's shmem pages. */
	cs->nr_cache = cs->nr_dirty = tmpfs_pages_in(ino, first, last);
}

long
sys_cachestat(int fd, uaddr_t urange, uaddr_t ustat, unsigned flags)
{
	struct file *f = fd_hold(fd);
	if (!f)
		return -EBADF;
	if (flags)
		return -EINVAL;
	struct cachestat_range_k range;
	if (copyin(&range, urange, sizeof(range)) < 0)
		return -EFAULT;
	uint64_t first = range.off / PAGE_SIZE;
	uint64_t last = range.len == 0 || range.off + range.len < range.off ?
				UINT64_MAX :
				(range.off + range.len - 1) / PAGE_SIZE;
	struct cachestat_k cs = { 0 };
	if (f->inode)
		cachestat_count(f->inode, first, last, &cs);
	if (copyout(ustat, &cs, sizeof(cs)) < 0)
		return -EFAULT;
	return 0;
}
