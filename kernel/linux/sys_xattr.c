/*
 * Extended attributes. No Petrel file system keeps any, so these calls
 * answer as Linux does on a file system built without them: the file must
 * exist (ENOENT, EBADF...), then reading, setting or removing a named
 * attribute is EOPNOTSUPP and the list of names is empty. GNU ls, cp -a
 * and tar read that as "no attributes here".
 */
#include <kernel/proc.h>
#include <kernel/vfs.h>
#include <kernel/syscall.h>
#include <syscall_table.h>
#include <kernel/errno.h>
#include "path.h"

/* 0 if the file exists, else the lookup's error. */
static long
xattr_file(uaddr_t upath, bool follow)
{
	struct inode *ino = lookup_at(AT_FDCWD, upath,
				      follow ? 0 : AT_SYMLINK_NOFOLLOW);
	if (IS_ERR(ino))
		return PTR_ERR(ino);
	inode_put(ino);
	return 0;
}

static long
xattr_fd(int fd)
{
	return fd_get_open(current()->proc, fd) ? 0 : -EBADF;
}

/* What a call on an existing file answers: no attribute can be named. */
static long
unsupported(long found)
{
	return found < 0 ? found : -EOPNOTSUPP;
}

/* An existing file's list of names is empty. */
static long
empty_list(long found)
{
	return found < 0 ? found : 0;
}

long
sys_setxattr(uaddr_t path, uaddr_t name, uaddr_t value, size_t size,
	     int flags)
{
	(void)name, (void)value, (void)size, (void)flags;
	return unsupported(xattr_file(path, true));
}

long
sys_lsetxattr(uaddr_t path, uaddr_t name, uaddr_t value, size_t size,
	      int flags)
{
	(void)name, (void)value, (void)size, (void)flags;
	return unsupported(xattr_file(path, false));
}

long
sys_fsetxattr(int fd, uaddr_t name, uaddr_t value, size_t size, int flags)
{
	(void)name, (void)value, (void)size, (void)flags;
	return unsupported(xattr_fd(fd));
}

long
sys_getxattr(uaddr_t path, uaddr_t name, uaddr_t value, size_t size)
{
	(void)name, (void)value, (void)size;
	return unsupported(xattr_file(path, true));
}

long
sys_lgetxattr(uaddr_t path, uaddr_t name, uaddr_t value, size_t size)
{
	(void)name, (void)value, (void)size;
	return unsupported(xattr_file(path, false));
}

long
sys_fgetxattr(int fd, uaddr_t name, uaddr_t value, size_t size)
{
	(void)name, (void)value, (void)size;
	return unsupported(xattr_fd(fd));
}

long
sys_listxattr(uaddr_t path, uaddr_t list, size_t size)
{
	(void)list, (void)size;
	return empty_list(xattr_file(path, true));
}

long
sys_llistxattr(uaddr_t path, uaddr_t list, size_t size)
{
	(void)list, (void)size;
	return empty_list(xattr_file(path, false));
}

long
sys_flistxattr(int fd, uaddr_t list, size_t size)
{
	(void)list, (void)size;
	return empty_list(xattr_fd(fd));
}

long
sys_removexattr(uaddr_t path, uaddr_t name)
{
	(void)name;
	return unsupported(xattr_file(path, true));
}

long
sys_lremovexattr(uaddr_t path, uaddr_t name)
{
	(void)name;
	return unsupported(xattr_file(path, false));
}

long
sys_fremovexattr(int fd, uaddr_t name)
{
	(void)name;
	return unsupported(xattr_fd(fd));
}
