/*
 * System calls on path names: open, stat, create and remove, links, rename,
 * access, the working directory (chmod, chown, times and truncate are in
 * sys_attr.c; mounts, sync and statfs in sys_mount.c).
 */
#include <kernel/proc.h>
#include <kernel/caps.h>
#include <kernel/vfs.h>
#include <kernel/xattr.h>
#include <kernel/mount.h>
#include <kernel/inotify.h>
#include <kernel/vm.h>
#include <kernel/tmpfs.h>
#include <kernel/syscall.h>
#include <syscall_table.h>
#include <kernel/kmalloc.h>
#include <kernel/errno.h>
#include <kernel/string.h>
#include <kernel/landlock.h>
#include "path.h"

char *
getpath(uaddr_t upath, long *err)
{
	char *k = kmalloc(PATH_MAX_K);
	if (!k) {
		*err = -ENOMEM;
		return NULL;
	}
	long n = copyinstr(k, upath, PATH_MAX_K);
	if (n < 0) {
		kfree(k);
		*err = n;
		return NULL;
	}
	return k;
}

long
sys_openat(int dirfd, uaddr_t upath, int flags, unsigned mode)
{
	struct proc *p = current()->proc;
	WITH_PATH(path, upath);
	struct file *f = vfs_open(p, dirfd, path, (unsigned)flags, mode);
	if (!IS_ERR(f))
		vfs_file_set_path(p, f, dirfd, path);
	kfree(path);
	if (IS_ERR(f))
		return PTR_ERR(f);
	int fd = fd_install(p, f, 0, flags & O_CLOEXEC);
	if (fd < 0)
		file_put(f);
	return fd;
}

long
sys_open(uaddr_t path, int flags, unsigned mode)
{
	return sys_openat(AT_FDCWD, path, flags, mode);
}

long
sys_creat(uaddr_t path, unsigned mode)
{
	return sys_openat(AT_FDCWD, path, O_CREAT | O_WRONLY | O_TRUNC, mode);
}

struct inode *
lookup_at(int dirfd, uaddr_t upath, int flags)
{
	struct proc *p = current()->proc;
	long err = 0;
	char *path = getpath(upath, &err);
	if (!path)
		return ERR_PTR(err);
	struct inode *ino;
	if (path[0] == 0 && (flags & AT_EMPTY_PATH)) {
		if (dirfd == AT_FDCWD) {
			ino = p->fs->cwd;
			inode_get(ino);
		} else {
			struct file *f = fd_get(p, dirfd);
			ino = f && f->inode ? f->inode : ERR_PTR(-EBADF);
			if (!IS_ERR(ino))
				inode_get(ino);
		}
	} else {
		ino = vfs_lookup(p, dirfd, path, !(flags & AT_SYMLINK_NOFOLLOW));
	}
	kfree(path);
	return ino;
}

long
sys_newfstatat(int dirfd, uaddr_t path, uaddr_t ust, int flags)
{
	struct linux_stat st;
	if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT | AT_EMPTY_PATH |
		      AT_STATX_SYNC_TYPE))
		return -EINVAL;
	struct inode *ino = lookup_at(dirfd, path, flags);
	if (IS_ERR(ino))
		return PTR_ERR(ino);
	long r = vfs_getattr(ino);
	stat_fill(ino, &st);
	inode_put(ino);
	return r < 0 ? r : copyout(ust, &st, sizeof(st));
}

long
sys_stat(uaddr_t path, uaddr_t st)
{
	return sys_newfstatat(AT_FDCWD, path, st, 0);
}

long
sys_lstat(uaddr_t path, uaddr_t st)
{
	return sys_newfstatat(AT_FDCWD, path, st, AT_SYMLINK_NOFOLLOW);
}

long
sys_faccessat2(int dirfd, uaddr_t path, int mode, int flags)
{
	struct proc *p = current()->proc;
	const int AT_EACCESS = 0x200;
	if (mode & ~7)
		return -EINVAL;
	if (flags & ~(AT_EACCESS | AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	struct inode *ino = lookup_at(dirfd, path, flags & ~AT_EACCESS);
	if (IS_ERR(ino))
		return PTR_ERR(ino);
	int e = mode ? vfs_permission(p, ino, mode) : 0;
	inode_put(ino);
	return e;
}

long
sys_faccessat(int dirfd, uaddr_t path, int mode)
{
	return sys_faccessat2(dirfd, path, mode, 0);
}

long
sys_access(uaddr_t path, int mode)
{
	return sys_faccessat2(AT_FDCWD, path, mode, 0);
}

/* Runs fn on the parent directory and final name of a kernel path, once
 * the caller may write and search the directory. */
static long
with_kernel_parent(int dirfd, const char *path,
		   long (*fn)(struct inode *dir, const char *name, size_t len,
			      void *arg),
		   void *arg)
{
	struct proc *p = current()->proc;
	const char *last;
	size_t len;
	struct inode *dir = vfs_lookup_parent(p, dirfd, path, &last, &len);
	if (IS_ERR(dir))
		return PTR_ERR(dir);
	long r = vfs_permission(p, dir, 3);
	if (r == 0)
		r = fn(dir, last, len, arg);
	inode_put(dir);
	return r;
}

/* ... of a user path. */
static long
with_parent(int dirfd, uaddr_t upath,
	    long (*fn)(struct inode *dir, const char *name, size_t len, void *arg),
	    void *arg)
{
	WITH_PATH(path, upath);
	long r = with_kernel_parent(dirfd, path, fn, arg);
	kfree(path);
	return r;
}

static bool
is_dot(const char *name, size_t len)
{
	return (len == 1 && name[0] == '.') || (len == 2 && name[0] == '.' && name[1] == '.');
}

/*
 * True if the final name (from vfs_lookup_parent) had a slash after it,
 * "name/": Linux then wants it to be a directory.
 */
static bool
slash_after(const char *name, size_t len)
{
	return name[len] == '/';
}

/*
 * What a call that cannot make name returns: -EEXIST if the name is
 * taken, else the lookup's error (-ENOENT), as Linux does. Used for a
 * non-directory named "name/" (symlink, link, mknod), and where the file
 * system makes no names at all (procfs, whose lookup Linux also lets
 * fail first: mkfifo("/proc/x") is ENOENT, mkdir("/proc/self") EEXIST).
 */
static long
slash_create_error(struct inode *dir, const char *name, size_t len)
{
	if (is_dot(name, len))
		return -EEXIST;
	struct inode *old = dir->iops->lookup(dir, name, len);
	if (IS_ERR(old))
		return PTR_ERR(old);
	inode_put(old);
	return -EEXIST;
}

/*
 * What removing or renaming name returns where the file system removes
 * nothing (procfs): the lookup's error for a missing name, else as Linux
 * answers for /proc: -ENOTDIR (rmdir of a non-directory), -EISDIR (unlink
 * of one), -EPERM. rmdir: 1 for rmdir, 0 for unlink, -1 for rename.
 */
static long
remove_refused(struct inode *dir, const char *name, size_t len, int rmdir)
{
	struct inode *victim = dir->iops->lookup(dir, name, len);
	if (IS_ERR(victim))
		return PTR_ERR(victim);
	long r = -EPERM;
	if (rmdir > 0 && !S_ISDIR(victim->mode))
		r = -ENOTDIR;
	else if (rmdir == 0 && S_ISDIR(victim->mode))
		r = -EISDIR;
	inode_put(victim);
	return r;
}

/*
 * In a sticky directory (S_ISVTX) only root, the directory's owner and
 * the file's may remove or replace a name: -EPERM for anyone else. Nor
 * may anyone in an append-only directory, or for an immutable or
 * append-only file (Linux's may_delete). A missing name passes; the call
 * itself reports it.
 */
static long
sticky_check(struct inode *dir, const char *name, size_t len)
{
	struct proc *p = current()->proc;
	if (inode_append_only(dir))
		return -EPERM;
	bool sticky = (dir->mode & S_ISVTX) && !capable(CAP_FOWNER) &&
		      p->euid != dir->uid;
	if (!sticky && !inode_flags_in_use())
		return 0;
	struct inode *x = dir->iops->lookup(dir, name, len);
	if (IS_ERR(x))
		return 0;
	long r = sticky && x->uid != p->euid ? -EPERM : 0;
	if (inode_immutable(x) || inode_append_only(x))
		r = -EPERM;
	inode_put(x);
	return r;
}

static long
do_mkdir(struct inode *dir, const char *name, size_t len, void *arg)
{
	struct proc *p = current()->proc;
	struct inode *ino;
	if (is_dot(name, len))
		return -EEXIST;
	if (!dir->iops->create)
		return slash_create_error(dir, name, len);
	struct inode *old = dir->iops->lookup(dir, name, len);
	if (!IS_ERR(old)) {
		inode_put(old);
		return -EEXIST;
	}
	int e = landlock_make(dir, S_IFDIR);
	if (e < 0)
		return e;
	e = dir->iops->create(dir, name, len,
			      S_IFDIR | (*(unsigned *)arg & 07777 &
					 ~p->fs->umask), &ino);
	if (e == 0) {
		vfs_init_owner(p, dir, ino);
		inode_put(ino);
		inotify_dir_event(dir, IN_CREATE | IN_ISDIR, name, len, 0);
	}
	return e;
}

long
sys_mkdirat(int dirfd, uaddr_t path, unsigned mode)
{
	return with_parent(dirfd, path, do_mkdir, &mode);
}

long
sys_mkdir(uaddr_t path, unsigned mode)
{
	return sys_mkdirat(AT_FDCWD, path, mode);
}

static long
do_mknod(struct inode *dir, const char *name, size_t len, void *arg)
{
	struct proc *p = current()->proc;
	unsigned mode = ((unsigned *)arg)[0];
	struct inode *ino;
	unsigned dev = ((unsigned *)arg)[1];
	unsigned type = mode & S_IFMT;
	if (type == 0)
		type = S_IFREG;
	/* Linux's may_mknod, then CAP_MKNOD for device nodes. */
	if (type == S_IFDIR)
		return -EPERM;
	if (type != S_IFREG && type != S_IFIFO && type != S_IFCHR &&
	    type != S_IFBLK && type != S_IFSOCK)
		return -EINVAL;
	bool device = type == S_IFCHR || type == S_IFBLK;
	if (device && !capable(CAP_MKNOD))
		return -EPERM;
	if (slash_after(name, len) || !dir->iops->create)
		return slash_create_error(dir, name, len);
	/* A device or socket node lives in a tmpfs, or on a server's file
	   system that keeps them (mknod: ext2's). */
	bool node = type != S_IFREG && type != S_IFIFO;
	bool in_tmpfs = dir->sb && strstr(dir->sb->type, "tmpfs");
	if (node && !in_tmpfs && !dir->iops->mknod)
		return -EPERM;
	struct inode *old = dir->iops->lookup(dir, name, len);
	if (!IS_ERR(old)) {
		inode_put(old);
		return -EEXIST;
	}
	int e = landlock_make(dir, type);
	if (e < 0)
		return e;
	mode = vfs_strip_sgid(p, dir, mode);
	mode = type | (mode & 07777 & ~p->fs->umask);
	/* Linux's new_decode_dev, into Petrel's major << 8 | minor. */
	unsigned major = (dev & 0xfff00) >> 8;
	unsigned minor = (dev & 0xff) | ((dev >> 12) & 0xfff00);
	uint32_t rdev = device ? (major << 8) | minor : 0;
	if (node && !in_tmpfs)
		e = dir->iops->mknod(dir, name, len, mode, rdev, &ino);
	else
		e = dir->iops->create(dir, name, len, mode, &ino);
	if (e < 0)
		return e;
	if (node) {
		ino->rdev = rdev;
		ino->fops = devfs_fops(type, ino->rdev);
	}
	vfs_init_owner(p, dir, ino);
	inode_put(ino);
	inotify_dir_event(dir, IN_CREATE, name, len, 0);
	return 0;
}

long
sys_mknodat(int dirfd, uaddr_t path, unsigned mode, unsigned dev)
{
	unsigned arg[2] = { mode, dev };
	return with_parent(dirfd, path, do_mknod, arg);
}

long
sys_mknod(uaddr_t path, unsigned mode, unsigned dev)
{
	return sys_mknodat(AT_FDCWD, path, mode, dev);
}

/* Landlock's right to remove name from dir, asked once the name is
 * found (ENOENT comes first, as on Linux). */
static long
landlock_unlink(struct inode *dir, const char *name, size_t len, bool rmdir)
{
	if (!current()->landlock)
		return 0;
	struct inode *victim = dir->iops->lookup(dir, name, len);
	if (IS_ERR(victim))
		return PTR_ERR(victim);
	inode_put(victim);
	return landlock_check(NULL, dir, rmdir ? LANDLOCK_ACCESS_FS_REMOVE_DIR :
						 LANDLOCK_ACCESS_FS_REMOVE_FILE);
}

static long
do_unlink(struct inode *dir, const char *name, size_t len, void *arg)
{
	bool rmdir = *(int *)arg & AT_REMOVEDIR;
	if (rmdir && len == 1 && name[0] == '.')
		return -EINVAL;
	if (rmdir && len == 2 && name[0] == '.' && name[1] == '.')
		return -ENOTEMPTY;
	if (!dir->iops->unlink)
		return remove_refused(dir, name, len, rmdir);
	if (!rmdir && slash_after(name, len)) {
		/* "name/" must be a directory, which unlink refuses. */
		struct inode *victim = dir->iops->lookup(dir, name, len);
		if (IS_ERR(victim))
			return PTR_ERR(victim);
		long r = S_ISDIR(victim->mode) ? -EISDIR : -ENOTDIR;
		inode_put(victim);
		return r;
	}
	long r = sticky_check(dir, name, len);
	if (r < 0)
		return r;
	if ((r = landlock_unlink(dir, name, len, rmdir)) < 0)
		return r;
	if (!inotify_active())
		return dir->iops->unlink(dir, name, len, rmdir);
	struct inode *victim = dir->iops->lookup(dir, name, len);
	r = dir->iops->unlink(dir, name, len, rmdir);
	if (r == 0 && !IS_ERR(victim)) {
		uint32_t isdir = S_ISDIR(victim->mode) ? IN_ISDIR : 0;
		inotify_unlinked(victim);
		inotify_dir_event(dir, IN_DELETE | isdir, name, len, 0);
	}
	if (!IS_ERR(victim))
		inode_put(victim);
	return r;
}

long
sys_unlinkat(int dirfd, uaddr_t path, int flags)
{
	if (flags & ~AT_REMOVEDIR)
		return -EINVAL;
	return with_parent(dirfd, path, do_unlink, &flags);
}

long
unlink_kernel_path(const char *path)
{
	int flags = 0;
	return with_kernel_parent(AT_FDCWD, path, do_unlink, &flags);
}

long
sys_unlink(uaddr_t path)
{
	return sys_unlinkat(AT_FDCWD, path, 0);
}

long
sys_rmdir(uaddr_t path)
{
	return sys_unlinkat(AT_FDCWD, path, AT_REMOVEDIR);
}

static long
do_symlink(struct inode *dir, const char *name, size_t len, void *arg)
{
	struct inode *old = dir->iops->lookup(dir, name, len);
	if (!IS_ERR(old)) {
		inode_put(old);
		return -EEXIST;
	}
	if (slash_after(name, len))
		return -ENOENT;
	if (!dir->iops->symlink)
		return PTR_ERR(old);	/* as Linux's /proc: lookup's error */
	long r = landlock_make(dir, S_IFLNK);
	if (r < 0)
		return r;
	r = dir->iops->symlink(dir, name, len, arg);
	if (r == 0)
		inotify_dir_event(dir, IN_CREATE, name, len, 0);
	return r;
}

long
sys_symlinkat(uaddr_t utarget, int dirfd, uaddr_t path)
{
	WITH_PATH(target, utarget);
	long r = target[0] ? with_parent(dirfd, path, do_symlink, target) : -ENOENT;
	kfree(target);
	return r;
}

long
sys_symlink(uaddr_t target, uaddr_t path)
{
	return sys_symlinkat(target, AT_FDCWD, path);
}

long
sys_readlinkat(int dirfd, uaddr_t path, uaddr_t buf, size_t size)
{
	/* An empty path: the link dirfd names (opened O_PATH|O_NOFOLLOW). */
	struct inode *ino = lookup_at(dirfd, path, AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH);
	if (IS_ERR(ino))
		return PTR_ERR(ino);
	char first = 0;
	long r = copyin(&first, path, 1) == 0 && first == 0 ? -ENOENT : -EINVAL;
	if (S_ISLNK(ino->mode) && ino->iops->readlink && (long)size > 0) {
		char *k = kmalloc(PATH_MAX_K);
		r = k ? ino->iops->readlink(ino, k, MIN(size, (size_t)PATH_MAX_K)) : -ENOMEM;
		if (r > 0 && copyout(buf, k, (size_t)r) < 0)
			r = -EFAULT;
		kfree(k);
	}
	inode_put(ino);
	return r;
}

long
sys_readlink(uaddr_t path, uaddr_t buf, size_t size)
{
	return sys_readlinkat(AT_FDCWD, path, buf, size);
}

struct link_arg {
	struct inode *target;
	struct inode *odir;	/* where target was found, for Landlock */
};

/* The directory a user path's last name lies in, or NULL. */
static struct inode *
parent_at(int dirfd, uaddr_t upath)
{
	long err = 0;
	char *path = getpath(upath, &err);
	const char *last;
	size_t len;
	if (!path)
		return NULL;
	struct inode *dir = vfs_lookup_parent(current()->proc, dirfd, path,
					      &last, &len);
	kfree(path);
	return IS_ERR(dir) ? NULL : dir;
}

static long
do_link(struct inode *dir, const char *name, size_t len, void *arg)
{
	struct link_arg *a = arg;
	if (slash_after(name, len) || !dir->iops->link)
		return slash_create_error(dir, name, len);
	if (inode_immutable(a->target) || inode_append_only(a->target))
		return -EPERM;
	long r = landlock_link(a->odir ? a->odir : dir, a->target, dir);
	if (r < 0)
		return r;
	r = dir->iops->link(dir, name, len, a->target);
	if (r == 0) {
		inotify_inode_event(a->target, IN_ATTRIB);
		inotify_dir_event(dir, IN_CREATE, name, len, 0);
	}
	return r;
}

long
sys_linkat(int odirfd, uaddr_t old, int ndirfd, uaddr_t new, int flags)
{
	if (flags & ~(AT_SYMLINK_FOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	/* Linux 6.1: naming an open file by AT_EMPTY_PATH takes
	   CAP_DAC_READ_SEARCH, else ENOENT. */
	if ((flags & AT_EMPTY_PATH) && !capable(CAP_DAC_READ_SEARCH))
		return -ENOENT;
	int at = (flags & AT_SYMLINK_FOLLOW ? 0 : AT_SYMLINK_NOFOLLOW) |
		 (flags & AT_EMPTY_PATH);
	struct inode *target = lookup_at(odirfd, old, at);
	if (IS_ERR(target))
		return PTR_ERR(target);
	struct link_arg a = { target, NULL };
	if (current()->landlock)
		a.odir = parent_at(odirfd, old);
	long r = with_parent(ndirfd, new, do_link, &a);
	if (a.odir)
		inode_put(a.odir);
	inode_put(target);
	return r;
}

long
sys_link(uaddr_t old, uaddr_t new)
{
	return sys_linkat(AT_FDCWD, old, AT_FDCWD, new, 0);
}

/* rename where the file system renames nothing: -ENOENT for a missing
 * name on either side, else -EPERM (Linux's /proc). */
static long
rename_refused(struct inode *od, const char *on, size_t ol,
	       struct inode *nd, const char *nn, size_t nl)
{
	long r = remove_refused(od, on, ol, -1);
	return r == -EPERM ? remove_refused(nd, nn, nl, -1) : r;
}

/*
 * The file system's rename, and the events it makes: IN_MOVED_FROM and
 * IN_MOVED_TO with one cookie, a replaced file's link lost, then
 * IN_MOVE_SELF on what moved (Linux's fsnotify_move).
 */
static long
rename_notified(struct inode *od, const char *on, size_t ol,
		struct inode *nd, const char *nn, size_t nl)
{
	if (!inotify_active())
		return od->iops->rename(od, on, ol, nd, nn, nl);
	struct inode *moved = od->iops->lookup(od, on, ol);
	struct inode *over = nd->iops->lookup(nd, nn, nl);
	long r = od->iops->rename(od, on, ol, nd, nn, nl);
	if (r == 0 && !IS_ERR(moved) && moved != over) {
		uint32_t isdir = S_ISDIR(moved->mode) ? IN_ISDIR : 0;
		uint32_t cookie = inotify_cookie();
		inotify_dir_event(od, IN_MOVED_FROM | isdir, on, ol, cookie);
		inotify_dir_event(nd, IN_MOVED_TO | isdir, nn, nl, cookie);
		if (!IS_ERR(over))
			inotify_unlinked(over);
		inotify_self_event(moved, IN_MOVE_SELF);
	}
	if (!IS_ERR(moved))
		inode_put(moved);
	if (!IS_ERR(over))
		inode_put(over);
	return r;
}

/* Landlock's rights to move on from od to nn in nd (ENOENT first). */
static long
landlock_renaming(struct inode *od, const char *on, size_t ol,
		  struct inode *nd, const char *nn, size_t nl, bool exchange)
{
	if (!current()->landlock)
		return 0;
	struct inode *moved = od->iops->lookup(od, on, ol);
	if (IS_ERR(moved))
		return PTR_ERR(moved);
	struct inode *over = nd->iops->lookup(nd, nn, nl);
	long r = landlock_rename(od, moved, nd, IS_ERR(over) ? NULL : over,
				 exchange);
	if (!IS_ERR(over))
		inode_put(over);
	inode_put(moved);
	return r;
}

/* Whether name in dir is a mount point (an ENOENT lookup: no). */
static bool
is_mount_point(struct inode *dir, const char *name, size_t len)
{
	struct inode *x = dir->iops->lookup(dir, name, len);
	if (IS_ERR(x))
		return false;
	bool mounted = x->mounted != NULL;
	inode_put(x);
	return mounted;
}

/*
 * Linux's is_local_mountpoint check in vfs_rename: neither name may be a
 * mount point (EBUSY); moving the directory a file system is mounted on
 * would carry the mount off to wherever the rename put it (the fuzzer's
 * root workers moved /proc into their own directories so). Only a file
 * system some mount point lies on is asked.
 */
static long
rename_mount_points(struct inode *od, const char *on, size_t ol,
		    struct inode *nd, const char *nn, size_t nl)
{
	bool any = false;
	for (int i = 0; i < MOUNT_MAX && !any; i++)
		any = mounts[i].root && mounts[i].root->covered &&
		      mounts[i].root->covered->sb == od->sb;
	if (any && (is_mount_point(od, on, ol) || is_mount_point(nd, nn, nl)))
		return -EBUSY;
	return 0;
}

long
sys_renameat2(int odirfd, uaddr_t uold, int ndirfd, uaddr_t unew, unsigned flags)
{
	struct proc *p = current()->proc;
	const unsigned RENAME_NOREPLACE = 1, RENAME_EXCHANGE = 2;
	const unsigned RENAME_WHITEOUT = 4;
	/* Linux's checks; a whiteout (for overlayfs) is not made here. */
	if (flags & ~(RENAME_NOREPLACE | RENAME_EXCHANGE | RENAME_WHITEOUT))
		return -EINVAL;
	if ((flags & (RENAME_NOREPLACE | RENAME_WHITEOUT)) &&
	    (flags & RENAME_EXCHANGE))
		return -EINVAL;
	if (flags & RENAME_WHITEOUT)
		return -EINVAL;
	WITH_PATH(oldp, uold);
	long err = 0;
	char *newp = getpath(unew, &err);
	if (!newp) {
		kfree(oldp);
		return err;
	}
	const char *on, *nn;
	size_t ol, nl;
	struct inode *od = vfs_lookup_parent(p, odirfd, oldp, &on, &ol);
	struct inode *nd = IS_ERR(od) ? NULL : vfs_lookup_parent(p, ndirfd, newp, &nn, &nl);
	long r;
	if (IS_ERR(od))
		r = PTR_ERR(od);
	else if (IS_ERR(nd))
		r = PTR_ERR(nd);
	else if (is_dot(on, ol) || is_dot(nn, nl))
		r = -EBUSY;
	else if (od->sb != nd->sb)
		r = -EXDEV;
	else if (!od->iops->rename)
		r = rename_refused(od, on, ol, nd, nn, nl);
	else if ((r = vfs_permission(p, od, 3)) < 0 ||
		 (r = vfs_permission(p, nd, 3)) < 0)
		;
	else if ((r = sticky_check(od, on, ol)) < 0 ||
		 (r = sticky_check(nd, nn, nl)) < 0)
		;
	else if ((r = landlock_renaming(od, on, ol, nd, nn, nl,
					flags & RENAME_EXCHANGE)) < 0)
		;
	else if ((r = rename_mount_points(od, on, ol, nd, nn, nl)) < 0)
		;
	else {
		r = 0;
		if (slash_after(on, ol) || slash_after(nn, nl)) {
			/* "name/" on either side: only a directory moves. */
			struct inode *x = od->iops->lookup(od, on, ol);
			r = IS_ERR(x) ? PTR_ERR(x) : S_ISDIR(x->mode) ? 0 : -ENOTDIR;
			if (!IS_ERR(x))
				inode_put(x);
		}
		if (!r && (flags & RENAME_NOREPLACE)) {
			struct inode *x = nd->iops->lookup(nd, nn, nl);
			if (!IS_ERR(x)) {
				inode_put(x);
				r = -EEXIST;
			}
		}
		if (!r && (flags & RENAME_EXCHANGE))
			r = od->iops->exchange ?
			    od->iops->exchange(od, on, ol, nd, nn, nl) : -EINVAL;
		else if (!r)
			r = rename_notified(od, on, ol, nd, nn, nl);
	}
	if (!IS_ERR(od))
		inode_put(od);
	if (nd && !IS_ERR(nd))
		inode_put(nd);
	kfree(oldp);
	kfree(newp);
	return r;
}

long
sys_renameat(int odirfd, uaddr_t old, int ndirfd, uaddr_t new)
{
	return sys_renameat2(odirfd, old, ndirfd, new, 0);
}

long
sys_rename(uaddr_t old, uaddr_t new)
{
	return sys_renameat2(AT_FDCWD, old, AT_FDCWD, new, 0);
}

static long
set_cwd(struct inode *ino)
{
	struct proc *p = current()->proc;
	if (!S_ISDIR(ino->mode)) {
		inode_put(ino);
		return -ENOTDIR;
	}
	int e = vfs_permission(p, ino, 1);
	if (e) {
		inode_put(ino);
		return e;
	}
	inode_put(p->fs->cwd);
	p->fs->cwd = ino;
	return 0;
}

long
sys_chdir(uaddr_t path)
{
	struct inode *ino = lookup_at(AT_FDCWD, path, 0);
	if (IS_ERR(ino))
		return PTR_ERR(ino);
	return set_cwd(ino);
}

long
sys_fchdir(int fd)
{
	struct file *f = fd_get(current()->proc, fd);
	if (!f || !f->inode)
		return -EBADF;
	inode_get(f->inode);
	return set_cwd(f->inode);
}

long
sys_chroot(uaddr_t path)
{
	struct proc *p = current()->proc;
	struct inode *ino = lookup_at(AT_FDCWD, path, 0);
	if (IS_ERR(ino))
		return PTR_ERR(ino);
	/* Linux's order: the directory, search permission, then root. */
	long r = !S_ISDIR(ino->mode) ? -ENOTDIR : vfs_permission(p, ino, 1);
	if (r == 0 && !capable(CAP_SYS_CHROOT))
		r = -EPERM;
	if (r < 0) {
		inode_put(ino);
		return r;
	}
	inode_put(p->fs->root);
	p->fs->root = ino;
	return 0;
}

long
sys_getcwd(uaddr_t buf, size_t size)
{
	struct proc *p = current()->proc;
	if (S_ISDIR(p->fs->cwd->mode) && p->fs->cwd->nlink == 0)
		return -ENOENT;	/* removed: it has no path, as on Linux */
	char *k = kmalloc(PATH_MAX_K);
	if (!k)
		return -ENOMEM;
	long n = vfs_path_of(p, p->fs->cwd, k, PATH_MAX_K);
	/* A cwd outside a chroot is shown from the real root, marked as
	 * Linux marks it; glibc's getcwd turns that into ENOENT. */
	static const char mark[] = "(unreachable)";
	size_t pre = vfs_under_root(p, p->fs->cwd) ? 0 : sizeof(mark) - 1;
	if (n > 0 && (size_t)n + pre > size)
		n = -ERANGE;
	else if (n > 0 && (copyout(buf, mark, pre) < 0 ||
			   copyout(buf + pre, k, (size_t)n) < 0))
		n = -EFAULT;
	else if (n > 0)
		n += (long)pre;
	kfree(k);
	return n;
}

long
sys_umask(unsigned mask)
{
	struct proc *p = current()->proc;
	unsigned old = p->fs->umask;
	p->fs->umask = mask & 0777;
	return old;
}
