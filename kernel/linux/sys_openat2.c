/*
 * openat2: openat with its arguments in an extensible struct open_how,
 * checked as Linux checks them (copy_struct_from_user's size rules, then
 * build_open_flags), and the RESOLVE_* rules of kernel/fs/resolve.c.
 */
#include <kernel/proc.h>
#include <kernel/vfs.h>
#include <kernel/vm.h>
#include <kernel/kmalloc.h>
#include <kernel/syscall.h>
#include <syscall_table.h>
#include <kernel/errno.h>
#include "path.h"

struct open_how {
	uint64_t flags, mode, resolve;
};

#define OPEN_HOW_SIZE_VER0 24
#define O_TMPFILE_BIT 020000000		/* __O_TMPFILE */
/* Linux's VALID_OPEN_FLAGS. */
#define VALID_OPEN_FLAGS (O_ACCMODE | O_CREAT | O_EXCL | O_NOCTTY | O_TRUNC | \
			  O_APPEND | O_NONBLOCK | 04010000 | O_ASYNC | \
			  O_DIRECT | O_LARGEFILE | O_DIRECTORY | O_NOFOLLOW | \
			  O_NOATIME | O_CLOEXEC | O_PATH | O_TMPFILE_BIT)
#define VALID_RESOLVE_FLAGS (RESOLVE_NO_XDEV | RESOLVE_NO_MAGICLINKS | \
			     RESOLVE_NO_SYMLINKS | RESOLVE_BENEATH | \
			     RESOLVE_IN_ROOT | RESOLVE_CACHED)
#define O_PATH_FLAGS (O_DIRECTORY | O_NOFOLLOW | O_PATH | O_CLOEXEC)

/* copy_struct_from_user: a shorter struct is the first version, a longer
 * one must hold zeros past what the kernel knows (E2BIG). */
static long
how_in(uaddr_t uhow, size_t size, struct open_how *how)
{
	if (size < OPEN_HOW_SIZE_VER0)
		return -EINVAL;
	if (size > PAGE_SIZE)
		return -E2BIG;
	return copy_struct_in(how, sizeof(*how), uhow, size);
}

/* build_open_flags' checks of an open_how. */
static long
how_check(const struct open_how *how)
{
	if (how->flags & ~(uint64_t)VALID_OPEN_FLAGS ||
	    how->resolve & ~(uint64_t)VALID_RESOLVE_FLAGS)
		return -EINVAL;
	if ((how->resolve & RESOLVE_BENEATH) && (how->resolve & RESOLVE_IN_ROOT))
		return -EINVAL;
	if (how->flags & (O_CREAT | O_TMPFILE_BIT) ? how->mode & ~07777ull :
	    how->mode != 0)
		return -EINVAL;
	if ((how->flags & O_PATH) && (how->flags & ~(uint64_t)O_PATH_FLAGS))
		return -EINVAL;
	/* Nothing is known to be cached: what would create or truncate
	   cannot be done without blocking, as Linux says. */
	if ((how->resolve & RESOLVE_CACHED) &&
	    (how->flags & (O_CREAT | O_TRUNC | O_TMPFILE_BIT)))
		return -EAGAIN;
	return 0;
}

long
sys_openat2(int dirfd, uaddr_t upath, uaddr_t uhow, size_t size)
{
	struct proc *p = current()->proc;
	struct open_how how;
	long e = how_in(uhow, size, &how);
	if (e == 0)
		e = how_check(&how);
	if (e)
		return e;
	WITH_PATH(path, upath);
	struct file *f = vfs_open_resolve(p, dirfd, path, (unsigned)how.flags,
					  (unsigned)how.mode, how.resolve);
	if (!IS_ERR(f))
		vfs_file_set_path(p, f, dirfd, path);
	kfree(path);
	if (IS_ERR(f))
		return PTR_ERR(f);
	int fd = fd_install(p, f, 0, (int)how.flags & O_CLOEXEC);
	if (fd < 0)
		file_put(f);
	return fd;
}
