/*
 * A tmpfs regular file's data without the big lock, for the nolock read
 * and write calls (kernel/linux/sys_read_nolock.c): each copy between a
 * kernel buffer and the file's pages under the node's lock [N]; and a
 * write's drop of set-user-ID and set-group-ID (tmpfs.c's locked write).
 */
#include <kernel/tmpfs.h>
#include <kernel/proc.h>
#include <kernel/caps.h>
#include <kernel/lock.h>
#include <kernel/page.h>
#include <kernel/string.h>
#include <kernel/errno.h>
#include "tmpfs_int.h"

long
tmpfs_read_unlocked(struct inode *ino, void *buf, size_t len, uint64_t off)
{
	struct tmpfs_node *n = node(ino);
	spin_lock(&n->lock);
	long r = tmpfs_read_inode(ino, buf, len, off);
	spin_unlock(&n->lock);
	return r;
}

/* Whether every page [at, at + len) touches is there, unpacked: no page
 * to allocate, count or unpack. */
static bool
pages_there(const struct tmpfs_node *n, uint64_t at, size_t len)
{
	for (uint64_t i = at / PAGE_SIZE; i <= (at + len - 1) / PAGE_SIZE; i++)
		if (tmpfs_page(n, i) <= TMPFS_SLOT_PACKED)
			return false;
	return true;
}

long
tmpfs_write_unlocked(struct inode *ino, const void *buf, size_t len,
		     uint64_t *off, bool append)
{
	struct tmpfs_node *n = node(ino);
	struct timespec_k now;
	long r = -ERETRY_LOCKED;
	vfs_now(&now);
	spin_lock(&n->lock);
	uint64_t at = append ? ino->size : *off;
	/* A seal's EPERM, EFBIG and a page to allocate: the locked path. */
	if (!(n->seals & (F_SEAL_WRITE | F_SEAL_FUTURE_WRITE | F_SEAL_GROW)) &&
	    len > 0 && at + len > at && at + len <= TMPFS_SIZE_MAX &&
	    pages_there(n, at, len)) {
		for (size_t done = 0, k; done < len; done += k) {
			uint64_t pos = at + done;
			size_t in = pos & (PAGE_SIZE - 1);
			paddr_t pa = tmpfs_page(n, pos / PAGE_SIZE);
			k = MIN(len - done, PAGE_SIZE - in);
			memcpy((char *)phys_to_virt(pa) + in,
			       (const char *)buf + done, k);
			page_changed(pa);
		}
		/* Read relaxed by lseek's SEEK_END, stat and the locked
		   offset's readers: one store each. */
		if (at + len > ino->size)
			__atomic_store_n(&ino->size, at + len, __ATOMIC_RELAXED);
		__atomic_store_n(off, at + len, __ATOMIC_RELAXED);
		ino->mtime = ino->ctime = now;
		r = (long)len;
	}
	spin_unlock(&n->lock);
	return r;
}

void
tmpfs_drop_privs(struct inode *ino)
{
	unsigned mode = ino->mode;
	BKL_ASSERT_HELD();
	if (!(mode & (S_ISUID | S_ISGID)) || capable(CAP_FSETID))
		return;
	/* Linux's setattr_should_drop_suidgid: set-group-ID too where it
	   means one (group execute) or the writer is not of the group. */
	unsigned drop = S_ISUID;
	if ((mode & S_IXGRP) || !proc_in_group(current()->proc, ino->gid))
		drop |= S_ISGID;
	ino->mode = mode & ~drop;
}
