/*
 * Extended attributes: the twelve calls (path, l- and f- forms of set,
 * get, list and remove) with Linux's checks in Linux's order. tmpfs keeps
 * user.*, trusted.* (root alone) and security.* attributes in memory
 * (kernel/fs/xattr.c); other file systems (fsd's ext2, procfs) and the
 * system.* names (POSIX ACLs: a kernel built without them) answer
 * EOPNOTSUPP once the permission checks have passed.
 */
#include <kernel/proc.h>
#include <kernel/vfs.h>
#include <kernel/xattr.h>
#include <kernel/inotify.h>
#include <kernel/vm.h>
#include <kernel/kmalloc.h>
#include <kernel/syscall.h>
#include <syscall_table.h>
#include <kernel/errno.h>
#include <kernel/string.h>
#include "path.h"

enum xattr_ns { NS_USER, NS_TRUSTED, NS_SECURITY, NS_SYSTEM, NS_OTHER };

static const struct {
	const char *prefix;
	size_t len;
} ns_prefix[] = {
	[NS_USER] = { "user.", 5 },
	[NS_TRUSTED] = { "trusted.", 8 },
	[NS_SECURITY] = { "security.", 9 },
	[NS_SYSTEM] = { "system.", 7 },
};

#define CAPS_NAME "security.capability"

static enum xattr_ns
name_space(const char *name)
{
	for (int ns = NS_USER; ns < NS_OTHER; ns++)
		if (strncmp(name, ns_prefix[ns].prefix, ns_prefix[ns].len) == 0)
			return ns;
	return NS_OTHER;
}

/* Copies a name in: -ERANGE if empty or longer than XATTR_NAME_MAX. */
static long
get_name(char name[XATTR_NAME_MAX + 1], uaddr_t uname)
{
	long n = copyinstr(name, uname, XATTR_NAME_MAX + 1);
	if (n == 0 || n == -ENAMETOOLONG)
		return -ERANGE;
	return n < 0 ? n : 0;
}

/*
 * Linux's xattr_permission: immutable and append-only files refuse
 * changes; trusted.* is root's (others read nothing there); user.* is
 * for regular files and directories, and in a sticky directory for its
 * owner; then the file's own read or write permission.
 */
static long
may_access(struct inode *ino, const char *name, bool write)
{
	struct proc *p = current()->proc;
	if (write && (inode_immutable(ino) || inode_append_only(ino)))
		return -EPERM;
	enum xattr_ns ns = name_space(name);
	if (ns == NS_SECURITY || ns == NS_SYSTEM)
		return 0;
	if (ns == NS_TRUSTED)
		return capable(CAP_SYS_ADMIN) ? 0 : write ? -EPERM : -ENODATA;
	if (ns == NS_USER) {
		if (!S_ISREG(ino->mode) && !S_ISDIR(ino->mode))
			return write ? -EPERM : -ENODATA;
		if (write && S_ISDIR(ino->mode) && (ino->mode & S_ISVTX) &&
		    !capable(CAP_FOWNER) && p->euid != ino->uid)
			return -EPERM;
	}
	return vfs_permission(p, ino, write ? 2 : 4);
}

/* The capability module's rule (cap_inode_setxattr): changing security.*
   names takes CAP_SYS_ADMIN, security.capability CAP_SETFCAP. */
static long
may_change_security(const char *name)
{
	if (name_space(name) != NS_SECURITY)
		return 0;
	int cap = strcmp(name, CAPS_NAME) == 0 ? CAP_SETFCAP : CAP_SYS_ADMIN;
	return capable(cap) ? 0 : -EPERM;
}

/* A file capability must be a version 2 or 3 header (cap_convert_nscap). */
static long
caps_valid(const void *value, size_t size)
{
	uint32_t magic;
	if (size < sizeof(magic))
		return -EINVAL;
	memcpy(&magic, value, sizeof(magic));
	uint32_t rev = magic & 0xff000000u;
	if (!(rev == 0x02000000u && size == 20) &&
	    !(rev == 0x03000000u && size == 24))
		return -EINVAL;
	return capable(CAP_SETFCAP) ? 0 : -EPERM;
}

/*
 * Whether ino's file system has a handler for name (Linux's
 * xattr_resolve_name): -EOPNOTSUPP if not, -EINVAL for a bare prefix.
 */
static long
resolve(struct inode *ino, const char *name)
{
	enum xattr_ns ns = name_space(name);
	if (!xattr_supported(ino) || ns == NS_SYSTEM || ns == NS_OTHER)
		return -EOPNOTSUPP;
	return name[ns_prefix[ns].len] ? 0 : -EINVAL;
}

static void
changed(struct inode *ino)
{
	inode_touch(ino, false, false, true);
	inotify_inode_event(ino, IN_ATTRIB);
}

static long
do_set(struct inode *ino, uaddr_t uname, uaddr_t uvalue, size_t size,
       int flags)
{
	char name[XATTR_NAME_MAX + 1];
	long r = vfs_writable(ino);
	if (r < 0)
		return r;
	if (flags & ~(XATTR_CREATE | XATTR_REPLACE))
		return -EINVAL;
	if ((r = get_name(name, uname)) < 0)
		return r;
	if (size > XATTR_SIZE_MAX)
		return -E2BIG;
	void *value = kmalloc(size ? size : 1);
	if (!value)
		return -ENOMEM;
	if (size && copyin(value, uvalue, size) < 0)
		r = -EFAULT;
	if (!r && size && strcmp(name, CAPS_NAME) == 0)
		r = caps_valid(value, size);
	r = r ?: may_access(ino, name, true);
	r = r ?: may_change_security(name);
	r = r ?: resolve(ino, name);
	r = r ?: xattr_set(ino, name, value, size, flags);
	kfree(value);
	if (!r)
		changed(ino);
	return r;
}

static long
do_get(struct inode *ino, uaddr_t uname, uaddr_t uvalue, size_t size)
{
	char name[XATTR_NAME_MAX + 1];
	long r = get_name(name, uname);
	if (r < 0)
		return r;
	if (size > XATTR_SIZE_MAX)
		size = XATTR_SIZE_MAX;
	r = may_access(ino, name, false);
	r = r ?: resolve(ino, name);
	void *value = NULL;
	if (!r && size && !(value = kmalloc(size)))
		r = -ENOMEM;
	if (!r)
		r = xattr_get(ino, name, value, size);
	if (r > 0 && size && copyout(uvalue, value, (size_t)r) < 0)
		r = -EFAULT;
	else if (r == -ERANGE && size >= XATTR_SIZE_MAX)
		r = -E2BIG;	/* as Linux, though no value here is so long */
	kfree(value);
	return r;
}

static long
do_list(struct inode *ino, uaddr_t ulist, size_t size)
{
	if (!xattr_supported(ino))
		return 0;
	if (size > XATTR_LIST_MAX)
		size = XATTR_LIST_MAX;
	char *list = NULL;
	if (size && !(list = kmalloc(size)))
		return -ENOMEM;
	long r = xattr_list(ino, list, size, capable(CAP_SYS_ADMIN));
	if (r > 0 && size && copyout(ulist, list, (size_t)r) < 0)
		r = -EFAULT;
	else if (r == -ERANGE && size >= XATTR_LIST_MAX)
		r = -E2BIG;
	kfree(list);
	return r;
}

static long
do_remove(struct inode *ino, uaddr_t uname)
{
	char name[XATTR_NAME_MAX + 1];
	long r = vfs_writable(ino);
	r = r ?: get_name(name, uname);
	r = r ?: may_access(ino, name, true);
	r = r ?: may_change_security(name);
	r = r ?: resolve(ino, name);
	r = r ?: xattr_set(ino, name, NULL, 0, XATTR_REPLACE);
	if (!r)
		changed(ino);
	return r;
}

/* The calls by path and by descriptor share these. */
enum xattr_op { OP_SET, OP_GET, OP_LIST, OP_REMOVE };

struct xattr_args {
	uaddr_t name, value;
	size_t size;
	int flags;
};

static long
do_op(struct inode *ino, enum xattr_op op, const struct xattr_args *a)
{
	switch (op) {
	case OP_SET:
		return do_set(ino, a->name, a->value, a->size, a->flags);
	case OP_GET:
		return do_get(ino, a->name, a->value, a->size);
	case OP_LIST:
		return do_list(ino, a->value, a->size);
	default:
		return do_remove(ino, a->name);
	}
}

static long
on_path(uaddr_t path, bool follow, enum xattr_op op,
	const struct xattr_args *a)
{
	struct inode *ino = lookup_at(AT_FDCWD, path,
				      follow ? 0 : AT_SYMLINK_NOFOLLOW);
	if (IS_ERR(ino))
		return PTR_ERR(ino);
	long r = do_op(ino, op, a);
	inode_put(ino);
	return r;
}

/* As Linux's fdget: an O_PATH descriptor is EBADF here. */
static long
on_fd(int fd, enum xattr_op op, const struct xattr_args *a)
{
	struct file *f = fd_hold(fd);
	if (!f)
		return -EBADF;
	if (!f->inode)	/* no Petrel file lacks one today; be safe */
		return op == OP_LIST ? 0 : -EOPNOTSUPP;
	struct inode *ino = f->inode;
	inode_get(ino);
	long r = do_op(ino, op, a);
	inode_put(ino);
	return r;
}

long
sys_setxattr(uaddr_t path, uaddr_t name, uaddr_t value, size_t size,
	     int flags)
{
	struct xattr_args a = { name, value, size, flags };
	return on_path(path, true, OP_SET, &a);
}

long
sys_lsetxattr(uaddr_t path, uaddr_t name, uaddr_t value, size_t size,
	      int flags)
{
	struct xattr_args a = { name, value, size, flags };
	return on_path(path, false, OP_SET, &a);
}

long
sys_fsetxattr(int fd, uaddr_t name, uaddr_t value, size_t size, int flags)
{
	struct xattr_args a = { name, value, size, flags };
	return on_fd(fd, OP_SET, &a);
}

long
sys_getxattr(uaddr_t path, uaddr_t name, uaddr_t value, size_t size)
{
	struct xattr_args a = { name, value, size, 0 };
	return on_path(path, true, OP_GET, &a);
}

long
sys_lgetxattr(uaddr_t path, uaddr_t name, uaddr_t value, size_t size)
{
	struct xattr_args a = { name, value, size, 0 };
	return on_path(path, false, OP_GET, &a);
}

long
sys_fgetxattr(int fd, uaddr_t name, uaddr_t value, size_t size)
{
	struct xattr_args a = { name, value, size, 0 };
	return on_fd(fd, OP_GET, &a);
}

long
sys_listxattr(uaddr_t path, uaddr_t list, size_t size)
{
	struct xattr_args a = { 0, list, size, 0 };
	return on_path(path, true, OP_LIST, &a);
}

long
sys_llistxattr(uaddr_t path, uaddr_t list, size_t size)
{
	struct xattr_args a = { 0, list, size, 0 };
	return on_path(path, false, OP_LIST, &a);
}

long
sys_flistxattr(int fd, uaddr_t list, size_t size)
{
	struct xattr_args a = { 0, list, size, 0 };
	return on_fd(fd, OP_LIST, &a);
}

long
sys_removexattr(uaddr_t path, uaddr_t name)
{
	struct xattr_args a = { name, 0, 0, 0 };
	return on_path(path, true, OP_REMOVE, &a);
}

long
sys_lremovexattr(uaddr_t path, uaddr_t name)
{
	struct xattr_args a = { name, 0, 0, 0 };
	return on_path(path, false, OP_REMOVE, &a);
}

long
sys_fremovexattr(int fd, uaddr_t name)
{
	struct xattr_args a = { name, 0, 0, 0 };
	return on_fd(fd, OP_REMOVE, &a);
}
