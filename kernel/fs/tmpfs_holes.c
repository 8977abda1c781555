/*
 * Holes in tmpfs files: fallocate's PUNCH_HOLE gives pages back (and
 * zeroes the parts of pages at its edges), its modes 0 and KEEP_SIZE fill
 * them, and lseek's SEEK_DATA and SEEK_HOLE find the pages a file holds,
 * page by page as Linux's shmem.
 */
#include <kernel/tmpfs.h>
#include <kernel/vm.h>
#include <kernel/mmu.h>
#include <kernel/page.h>
#include <kernel/string.h>
#include <kernel/errno.h>
#include "tmpfs_int.h"

/* Zeroes [from, to) of page index i, if the file holds it (a packed page
 * is unpacked first; if it cannot be, the hole is not punched there). */
static void
zero_part(struct inode *ino, uint64_t i, size_t from, size_t to)
{
	paddr_t pa = tmpfs_page(node(ino), i);
	int err;
	if (pa == TMPFS_SLOT_PACKED && from < to)
		pa = tmpfs_unpack_locked(ino, i, &err);
	if (pa && from < to) {
		memset((char *)phys_to_virt(pa) + from, 0, to - from);
		page_changed(pa);
	}
}

int
tmpfs_punch_hole(struct inode *ino, uint64_t off, uint64_t len)
{
	struct tmpfs_node *n = tmpfs_file_node(ino);
	if (!n)
		return -EOPNOTSUPP;
	if (n->seals & (F_SEAL_WRITE | F_SEAL_FUTURE_WRITE))
		return -EPERM;
	uint64_t end = off + len;
	uint64_t first = ALIGN_UP(off, PAGE_SIZE) / PAGE_SIZE;
	uint64_t last = end / PAGE_SIZE;	/* whole pages [first, last) */
	if (first > last) {			/* within one page */
		zero_part(ino, off / PAGE_SIZE, off % PAGE_SIZE, end % PAGE_SIZE);
		goto done;
	}
	zero_part(ino, off / PAGE_SIZE, off % PAGE_SIZE,
		  off % PAGE_SIZE ? PAGE_SIZE : 0);
	zero_part(ino, last, 0, end % PAGE_SIZE);
	vm_file_unmap_range(ino, first * PAGE_SIZE, last * PAGE_SIZE);
	spin_lock(&n->lock);	/* a nolock read may be copying them */
	tmpfs_pages_drop(ino, first, last);
	spin_unlock(&n->lock);
done:
	inode_touch(ino, false, true, true);
	return 0;
}

int
tmpfs_fill_holes(struct inode *ino, uint64_t off, uint64_t len,
		 bool keep_size)
{
	struct tmpfs_node *n = tmpfs_file_node(ino);
	if (!n)
		return -EOPNOTSUPP;
	uint64_t end = off + len;
	if (end < off || end > (1ull << 40))
		return -EFBIG;
	if ((n->seals & F_SEAL_GROW) && end > ino->size)
		return -EPERM;	/* KEEP_SIZE too, as Linux */
	uint64_t first = off / PAGE_SIZE, last = ALIGN_UP(end, PAGE_SIZE) / PAGE_SIZE;
	int err = 0;
	spin_lock(&n->lock);	/* [N]: the slots change */
	uint64_t holes = (last - first) - tmpfs_pages_count(n, first, last);
	if (holes > tmpfs_pages_left(ino->sb))
		err = -ENOSPC;	/* nothing filled, as Linux's shmem */
	for (uint64_t i = first; !err && i < last; i++) {
		paddr_t *slot = tmpfs_page_slot(n, i);
		if (!slot) {
			err = -ENOMEM;
		} else if (*slot == TMPFS_SLOT_PACKED) {
			if (!tmpfs_unpack(ino, i, &err))
				break;
		} else if (!*slot) {
			if (!(*slot = tmpfs_data_page(ino->sb, true)))
				err = -ENOSPC;	/* memory short after all */
			else
				ino->blocks += PAGE_SIZE / 512;
		}
	}
	spin_unlock(&n->lock);
	if (err)
		return err;
	if (!keep_size && end > ino->size) {
		int e = ino->iops->truncate(ino, end);
		if (e < 0)
			return e;
	}
	inode_touch(ino, false, true, true);
	return 0;
}

int64_t
tmpfs_seek_data(struct inode *ino, uint64_t off, bool hole)
{
	struct tmpfs_node *n = tmpfs_file_node(ino);
	if (!n)
		return -EINVAL;
	if (off >= ino->size)
		return -ENXIO;
	uint64_t pages = ALIGN_UP(ino->size, PAGE_SIZE) / PAGE_SIZE;
	uint64_t i = tmpfs_page_next(n, off / PAGE_SIZE, !hole, pages);
	uint64_t at = MAX(off, i * PAGE_SIZE);
	if (at >= ino->size)
		return hole ? (int64_t)ino->size : -ENXIO;
	return (int64_t)at;
}
