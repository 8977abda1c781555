/*
 * Changing a file's attributes by path or descriptor: chmod, chown,
 * utimensat and its older forms, truncate. Each asks for a writable file
 * system first, then Linux's ownership rules, and reports the change to
 * inotify through vfs_setattr.
 */
#include <kernel/proc.h>
#include <kernel/vfs.h>
#include <kernel/xattr.h>
#include <kernel/inotify.h>
#include <kernel/vm.h>
#include <kernel/syscall.h>
#include <syscall_table.h>
#include <kernel/errno.h>
#include <kernel/locks.h>
#include <kernel/string.h>
#include <kernel/landlock.h>
#include <kernel/kmalloc.h>
#include "path.h"

static long
chmod_inode(struct inode *ino, unsigned mode)
{
	struct proc *p = current()->proc;
	if (vfs_writable(ino))
		return -EROFS;
	if (inode_immutable(ino) || inode_append_only(ino))
		return -EPERM;
	/* Linux 6.6's notify_change: a symlink's mode means nothing. */
	if (S_ISLNK(ino->mode))
		return -EOPNOTSUPP;
	if (!capable(CAP_FOWNER) && p->euid != ino->uid)
		return -EPERM;
	/* Linux's setattr_copy: the set-group-ID bit needs the group. */
	if (!capable(CAP_FSETID) && !proc_in_group(p, ino->gid))
		mode &= ~(unsigned)S_ISGID;
	struct iattr_k a = { .mask = IATTR_MODE, .mode = mode & 07777 };
	return vfs_setattr(ino, &a);
}

long
sys_fchmodat2(int dirfd, uaddr_t path, unsigned mode, int flags)
{
	if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	struct inode *ino = lookup_at(dirfd, path, flags);
	if (IS_ERR(ino))
		return PTR_ERR(ino);
	long r = chmod_inode(ino, mode);
	inode_put(ino);
	return r;
}

long
sys_fchmodat(int dirfd, uaddr_t path, unsigned mode)
{
	return sys_fchmodat2(dirfd, path, mode, 0);
}

long
sys_chmod(uaddr_t path, unsigned mode)
{
	return sys_fchmodat(AT_FDCWD, path, mode);
}

long
sys_fchmod(int fd, unsigned mode)
{
	struct file *f = fd_hold(fd);	/* a server's setattr sleeps */
	if (!f || !f->inode)
		return -EBADF;
	return chmod_inode(f->inode, mode);
}

static long
chown_inode(struct inode *ino, unsigned uid, unsigned gid)
{
	/* Linux's chown_ok and chgrp_ok: root, or the owner keeping the
	   owner and giving the file one of its own groups. */
	struct proc *p = current()->proc;
	if (vfs_writable(ino))
		return -EROFS;
	if (inode_immutable(ino) || inode_append_only(ino))
		return -EPERM;
	bool owner = p->euid == ino->uid;
	if (!capable(CAP_CHOWN) &&
	    ((uid != (unsigned)-1 && !(owner && uid == ino->uid)) ||
	     (gid != (unsigned)-1 && !(owner && (gid == ino->gid ||
						 proc_in_group(p, gid))))))
		return -EPERM;
	struct iattr_k a = { .uid = uid, .gid = gid };
	if (uid != (unsigned)-1)
		a.mask |= IATTR_UID;
	if (gid != (unsigned)-1)
		a.mask |= IATTR_GID;
	/* As Linux: chown of a non-directory clears set-user-ID, and
	   set-group-ID where it means one (with group execute). */
	unsigned kill = S_ISUID | ((ino->mode & S_IXGRP) ? S_ISGID : 0);
	if (!S_ISDIR(ino->mode) && (ino->mode & kill)) {
		a.mask |= IATTR_MODE;
		a.mode = ino->mode & 07777 & ~kill;
	}
	return vfs_setattr(ino, &a);
}

long
sys_fchownat(int dirfd, uaddr_t path, unsigned uid, unsigned gid, int flags)
{
	if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	struct inode *ino = lookup_at(dirfd, path, flags);
	if (IS_ERR(ino))
		return PTR_ERR(ino);
	long r = chown_inode(ino, uid, gid);
	inode_put(ino);
	return r;
}

long
sys_chown(uaddr_t path, unsigned uid, unsigned gid)
{
	return sys_fchownat(AT_FDCWD, path, uid, gid, 0);
}

long
sys_lchown(uaddr_t path, unsigned uid, unsigned gid)
{
	return sys_fchownat(AT_FDCWD, path, uid, gid, AT_SYMLINK_NOFOLLOW);
}

long
sys_fchown(int fd, unsigned uid, unsigned gid)
{
	struct file *f = fd_hold(fd);
	if (!f || !f->inode)
		return -EBADF;
	return chown_inode(f->inode, uid, gid);
}

#define UTIME_NOW ((1l << 30) - 1l)
#define UTIME_OMIT ((1l << 30) - 2l)

/* Sets a file's times; ts == NULL means now, UTIME_OMIT leaves one as is. */
static long
set_times(struct inode *ino, const struct timespec_k *ts)
{
	struct iattr_k a = { 0 };
	struct timespec_k now;
	vfs_now(&now);
	for (int i = 0; i < 2; i++) {
		struct timespec_k v = now;
		if (ts && ts[i].tv_nsec == UTIME_OMIT)
			continue;
		if (ts && ts[i].tv_nsec != UTIME_NOW) {
			if (ts[i].tv_nsec < 0 || ts[i].tv_nsec >= 1000000000)
				return -EINVAL;
			v = ts[i];
		}
		if (i == 0) {
			a.atime = v;
			a.mask |= IATTR_ATIME;
		} else {
			a.mtime = v;
			a.mask |= IATTR_MTIME;
		}
	}
	if (!a.mask)
		return 0;
	if (vfs_writable(ino))
		return -EROFS;
	/* Now for both: the owner or a writer. Anything else: the owner. */
	struct proc *p = current()->proc;
	bool both_now = !ts || (ts[0].tv_nsec == UTIME_NOW &&
				ts[1].tv_nsec == UTIME_NOW);
	/* notify_change: times given are refused to both kinds of flagged
	   file, "now" to an immutable one. */
	if (inode_immutable(ino) || (!both_now && inode_append_only(ino)))
		return -EPERM;
	if (!capable(CAP_FOWNER) && p->euid != ino->uid) {
		if (!both_now)
			return -EPERM;
		if (vfs_permission(p, ino, 2) < 0)
			return -EACCES;
	}
	return vfs_setattr(ino, &a);
}

static long
set_times_at(int dirfd, uaddr_t path, int flags, const struct timespec_k *ts)
{
	struct inode *ino;
	if (!path && dirfd == AT_FDCWD)
		return -EFAULT;	/* Linux's do_utimes: a path to read */
	if (!path) {	/* utimensat(fd, NULL, ...): the open file itself */
		if (dirfd == AT_FDCWD)
			return -EFAULT;	/* a path was meant: Linux's getname */
		struct file *f = fd_get(current()->proc, dirfd);
		if (!f || !f->inode)
			return -EBADF;
		ino = f->inode;
		inode_get(ino);
	} else {
		ino = lookup_at(dirfd, path, flags);
	}
	if (IS_ERR(ino))
		return PTR_ERR(ino);
	long r = set_times(ino, ts);
	inode_put(ino);
	return r;
}

long
sys_utimensat(int dirfd, uaddr_t path, uaddr_t times, int flags)
{
	struct timespec_k ts[2];
	if (times && copyin(ts, times, sizeof(ts)) < 0)
		return -EFAULT;
	return set_times_at(dirfd, path, flags, times ? ts : NULL);
}

/* utimes relative to dirfd; a NULL path is dirfd's file (glibc's futimes). */
long
sys_futimesat(int dirfd, uaddr_t path, uaddr_t times)
{
	int64_t tv[4];
	struct timespec_k ts[2];
	if (times) {
		if (copyin(tv, times, sizeof(tv)) < 0)
			return -EFAULT;
		if (tv[1] < 0 || tv[1] >= 1000000 || tv[3] < 0 || tv[3] >= 1000000)
			return -EINVAL;
		ts[0] = (struct timespec_k){ tv[0], tv[1] * 1000 };
		ts[1] = (struct timespec_k){ tv[2], tv[3] * 1000 };
	}
	return set_times_at(dirfd, path, 0, times ? ts : NULL);
}

long
sys_utimes(uaddr_t path, uaddr_t times)
{
	return sys_futimesat(AT_FDCWD, path, times);
}

long
sys_utime(uaddr_t path, uaddr_t times)
{
	int64_t t[2];
	struct timespec_k ts[2];
	if (times) {
		if (copyin(t, times, sizeof(t)) < 0)
			return -EFAULT;
		ts[0] = (struct timespec_k){ t[0], 0 };
		ts[1] = (struct timespec_k){ t[1], 0 };
	}
	return set_times_at(AT_FDCWD, path, 0, times ? ts : NULL);
}

/* Landlock's TRUNCATE right on the file path names. */
static long
landlock_truncate_path(uaddr_t upath, struct inode *ino)
{
	if (!current()->landlock)
		return 0;
	char *path = kmalloc(PATH_MAX_K);
	long r = path ? copyinstr(path, upath, PATH_MAX_K) : -ENOMEM;
	if (r >= 0)
		r = landlock_check_path(current()->proc, AT_FDCWD, path, ino,
					LANDLOCK_ACCESS_FS_TRUNCATE);
	kfree(path);
	return r;
}

long
sys_truncate(uaddr_t path, int64_t len)
{
	struct inode *ino = lookup_at(AT_FDCWD, path, 0);
	if (IS_ERR(ino))
		return PTR_ERR(ino);
	long r;
	if (len < 0)
		r = -EINVAL;
	else if (S_ISDIR(ino->mode))
		r = -EISDIR;
	else if (!S_ISREG(ino->mode) || !ino->iops->truncate)
		r = -EINVAL;
	else if ((r = vfs_permission(current()->proc, ino, 2)) == 0 &&
		 (r = landlock_truncate_path(path, ino)) == 0 &&
		 (r = inode_append_only(ino) ? -EPERM : 0) == 0 &&
		 (r = vfs_fsize_room((uint64_t)len, 0)) == 0 &&
		 (r = inode_get_write(ino)) == 0) {
		r = lease_break(ino, O_WRONLY);
		if (r == 0)
			r = ino->iops->truncate(ino, (uint64_t)len);
		inode_put_write(ino);
		if (r == 0)
			inotify_inode_event(ino, IN_MODIFY);
	}
	inode_put(ino);
	return r;
}
