/*
 * Calls on a range of the descriptor table: close_range.
 */
#include <kernel/proc.h>
#include <kernel/syscall.h>
#include <syscall_table.h>
#include <kernel/errno.h>

#define CLOSE_RANGE_UNSHARE 0x2
#define CLOSE_RANGE_CLOEXEC 0x4

/* A table of the caller's own, if it shares one (CLONE_FILES). */
static long
files_unshare(struct proc *p)
{
	if (p->files->refcount == 1)
		return 0;
	struct files *mine = files_clone(p->files);
	if (!mine)
		return -ENOMEM;
	files_replace(p, mine);
	return 0;
}

/*
 * Closes (or, with CLOSE_RANGE_CLOEXEC, marks close-on-exec) every open
 * fd from first to last; fds past the table are nothing to do. The loop
 * is bounded by the table's size, at most NR_OPEN.
 */
long
sys_close_range(unsigned first, unsigned last, unsigned flags)
{
	struct proc *p = current()->proc;
	if (flags & ~(unsigned)(CLOSE_RANGE_UNSHARE | CLOSE_RANGE_CLOEXEC))
		return -EINVAL;
	if (first > last)
		return -EINVAL;
	if (flags & CLOSE_RANGE_UNSHARE) {
		long e = files_unshare(p);
		if (e < 0)
			return e;
	}
	unsigned size = (unsigned)fd_table_size(p);
	for (unsigned fd = first; fd <= last && fd < size; fd++) {
		if (!fd_get(p, (int)fd))
			continue;
		if (flags & CLOSE_RANGE_CLOEXEC)
			fd_set_cloexec(p, (int)fd, true);
		else
			fd_close(p, (int)fd);
	}
	return 0;
}
