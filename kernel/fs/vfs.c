/*
 * Inodes, open files, the mount table and path lookup. Lookups start at the
 * process's root or cwd (or a directory fd), follow symlinks up to a depth
 * of 40, and cross into mounted file systems at their mount points.
 */
#include <kernel/vfs.h>
#include <kernel/lock.h>
#include <kernel/spinlock.h>
#include <kernel/inotify.h>
#include <kernel/proc.h>
#include <kernel/kmalloc.h>
#include <kernel/errno.h>
#include <kernel/string.h>
#include <kernel/printk.h>
#include <kernel/arch.h>
#include <kernel/refcount.h>
#include <kernel/locks.h>
#include <kernel/vm.h>
#include <kernel/clock.h>
#include <kernel/srvfs.h>
#include <kernel/xattr.h>
#include <kernel/mount.h>
#include <kernel/landlock.h>
#include "vfs_int.h"


struct mount_entry mounts[MOUNT_MAX];
static struct inode *root_inode;

/* The types mount(2) knows, in /proc/filesystems's and sysfs(2)'s order;
 * ext2 follows them while a mounter (init's, with fsd) is there. */
static const char *const fs_types[] = {
	"sysfs", "tmpfs", "proc", "devtmpfs", "devpts", "mqueue",
};

const char *
vfs_fs_type(int index, bool *nodev)
{
	if (index == (int)ARRAY_SIZE(fs_types) && diskmount_available("ext2")) {
		if (nodev)
			*nodev = false;	/* on a block device, by fsd */
		return "ext2";
	}
	if (index < 0 || index >= (int)ARRAY_SIZE(fs_types))
		return NULL;
	if (nodev)
		*nodev = true;	/* none of these sits on a block device */
	return fs_types[index];
}

struct inode *
vfs_root(void)
{
	return root_inode;
}

void
vfs_set_root(struct inode *root)
{
	root_inode = root;
	inode_get(root);
	mounts[0] = (struct mount_entry){ .source = "rootfs", .type = "tmpfs",
					  .path = "/", .root = root,
					  .unique_id = MOUNT_ROOT_UNIQUE_ID };
}

/* While held (vfs_now_hold): the time every vfs_now gives. Written only
 * by the boot CPU before any other runs. */
static struct timespec_k now_held;
static bool now_is_held;

void
vfs_now_hold(bool hold)
{
	now_is_held = false;
	if (hold)
		vfs_now(&now_held);
	now_is_held = hold;
}

/* File times are on the wall clock, with what clock_settime set. */
void
vfs_now(struct timespec_k *ts)
{
	uint64_t ns = 0;
	if (now_is_held) {
		*ts = now_held;
		return;
	}
	clock_now(CLOCK_REALTIME, &ns);
	ts->tv_sec = (int64_t)(ns / NSEC_PER_SEC);
	ts->tv_nsec = (int64_t)(ns % NSEC_PER_SEC);
}

uint64_t
vfs_now_sec(void)
{
	uint64_t ns = 0;
	clock_now(CLOCK_REALTIME, &ns);
	return ns / NSEC_PER_SEC;
}

/*
 * The operations of an inode whose file system gives none (pipes,
 * sockets, eventfd/epoll/timerfd): every hook absent, so that callers
 * test only the hook, never whether iops is there.
 */
const struct inode_ops inode_no_ops;

struct inode *
inode_new(struct super *sb, unsigned mode)
{
	return inode_new_priv(sb, mode, 0);
}

struct inode *
inode_new_priv(struct super *sb, unsigned mode, size_t priv_size)
{
	struct inode *ino = kzalloc(sizeof(*ino) + priv_size);
	if (!ino)
		return NULL;
	if (priv_size)
		ino->priv = ino + 1;
	ino->sb = sb;
	ino->ino = ++sb->next_ino;
	ino->mode = mode;
	ino->nlink = 1;
	ino->refcount = 1;
	ino->iops = &inode_no_ops;
	list_init(&ino->maps);
	vfs_now(&ino->mtime);
	ino->atime = ino->ctime = ino->btime = ino->mtime;
	return ino;
}

void
inode_get(struct inode *ino)
{
	if (ino)
		ref_get(&ino->refcount);
}

void
inode_put(struct inode *ino)
{
	if (!ino || !ref_put(&ino->refcount))
		return;
	KASSERT(list_empty(&ino->maps));	/* each region holds a reference */
	if (ino->iops && ino->iops->release)
		ino->iops->release(ino);
	locks_inode_free(ino);
	xattr_drop(ino);
	kfree(ino);
}

int
inode_get_write(struct inode *ino)
{
	if (ino->writecount < 0)
		return -ETXTBSY;
	ino->writecount++;
	return 0;
}

void
inode_put_write(struct inode *ino)
{
	assert(ino->writecount > 0);
	ino->writecount--;
}

int
inode_deny_write(struct inode *ino)
{
	if (ino->writecount > 0)
		return -ETXTBSY;
	ino->writecount--;
	return 0;
}

void
inode_allow_write(struct inode *ino)
{
	assert(ino->writecount < 0);
	ino->writecount++;
}

void
inode_touch(struct inode *ino, bool access, bool modify, bool change)
{
	struct timespec_k now;
	vfs_now(&now);
	if (access && !mount_noatime(ino))
		ino->atime = now;
	if (modify)
		ino->mtime = now;
	if (change || modify)
		ino->ctime = now;
}

bool
vfs_is_dir(struct inode *ino)
{
	return S_ISDIR(ino->mode);
}

struct file *
file_new(struct inode *ino, unsigned flags)
{
	struct file *f = kzalloc(sizeof(*f));
	if (!f)
		return NULL;
	f->refcount = 1;
	f->flags = flags;
	f->inode = ino;
	inode_get(ino);
	f->ops = ino ? ino->fops : NULL;
	pollhead_init(&f->poll_own);
	f->poll_head = &f->poll_own;
	list_init(&f->ep_items);
	return f;
}

void
file_get(struct file *f)
{
	ref_get_atomic(&f->refcount);
}

void
file_put(struct file *f)
{
	if (!ref_put_atomic(&f->refcount))
		return;
	inotify_file_closed(f);
	epoll_forget(f);
	fasync_forget(f);
	locks_remove_file(f);
	if (f->ops && f->ops->close)
		f->ops->close(f);
	if (f->writer)
		inode_put_write(f->inode);
	if (f->reader)
		f->inode->readcount--;
	inode_put(f->inode);
	if (f->path_base)
		inode_put(f->path_base);
	kfree(f->path);
	vm_name_put(f->map_name);
	pollhead_free(&f->poll_own);
	kfree(f);
}

void
file_put_unlocked(struct file *f)
{
	if (ref_put_unless_last(&f->refcount))
		return;
	/* The last reference: another thread closed the fd meanwhile. Only
	   the lock's holder may free (the allocator, the close hooks). */
	KASSERT(spin_none_held());
	bkl_lock();
	file_put(f);
	bkl_unlock();
}

void
file_notify_key(struct file *f, unsigned key)
{
	if (f)
		pollhead_wake(f->poll_head, key);
	fasync_notify(NULL);
}

void
file_notify(struct file *f)
{
	file_notify_key(f, 0);
}

void
file_notify_in(struct file *f)
{
	if (f)
		pollhead_wake(f->poll_head, 0);
	fasync_notify(f);
}

void
vfs_new_owner(struct proc *p, struct inode *dir, unsigned *mode, unsigned *uid,
	      unsigned *gid)
{
	*uid = p->fsuid;
	*gid = p->fsgid;
	if (!(dir->mode & S_ISGID))
		return;
	*gid = dir->gid;
	if (S_ISDIR(*mode))
		*mode |= S_ISGID;
}

unsigned
vfs_strip_sgid(struct proc *p, struct inode *dir, unsigned mode)
{
	if ((mode & (S_ISGID | S_IXGRP)) != (S_ISGID | S_IXGRP) ||
	    S_ISDIR(mode) || !(dir->mode & S_ISGID))
		return mode;
	if (proc_capable(p, CAP_FSETID) || proc_in_group(p, dir->gid))
		return mode;
	return mode & ~S_ISGID;
}

void
vfs_init_owner(struct proc *p, struct inode *dir, struct inode *ino)
{
	unsigned mode = vfs_strip_sgid(p, dir, ino->mode);
	vfs_new_owner(p, dir, &mode, &ino->uid, &ino->gid);
	ino->mode = mode;
}

#define RLIMIT_FSIZE 1

long
vfs_fsize_room(uint64_t pos, size_t len)
{
	struct thread *t = current();
	uint64_t limit = t->proc->rlimits[RLIMIT_FSIZE][0];
	if (limit == ~0ull || pos + len <= limit)
		return (long)len;
	if (pos >= limit && (len || pos > limit)) {
		signal_send_thread(t, SIGXFSZ);
		return -EFBIG;
	}
	return (long)(limit - pos);
}

int
vfs_writable(struct inode *ino)
{
	return ino->sb && ino->sb->read_only ? -EROFS : 0;
}

void
vfs_set_read_only(struct inode *root, bool read_only)
{
	if (root->sb)
		root->sb->read_only = read_only;
	for (int i = 0; i < MOUNT_MAX; i++)
		if (mounts[i].root == root)
			mounts[i].read_only = read_only;
}

/*
 * Linux's generic_permission past the mode bits: CAP_DAC_READ_SEARCH
 * reads any file and reads or searches any directory, CAP_DAC_OVERRIDE
 * does anything but execute a file no execute bit allows.
 */
static int
dac_override(struct proc *p, struct inode *ino, int mask)
{
	if (!(mask & 2) && (mask == 4 || S_ISDIR(ino->mode)) &&
	    proc_capable(p, CAP_DAC_READ_SEARCH))
		return 0;
	if ((!(mask & 1) || S_ISDIR(ino->mode) || (ino->mode & 0111)) &&
	    proc_capable(p, CAP_DAC_OVERRIDE))
		return 0;
	return -EACCES;
}

int
vfs_permission(struct proc *p, struct inode *ino, int mask)
{
	if ((mask & 2) && (S_ISREG(ino->mode) || S_ISDIR(ino->mode) ||
			   S_ISLNK(ino->mode)) && vfs_writable(ino))
		return -EROFS;
	if ((mask & 2) && inode_immutable(ino))
		return -EPERM;
	unsigned bits = ino->mode & 7;
	if (p->fsuid == ino->uid)
		bits = (ino->mode >> 6) & 7;
	else if (proc_in_group(p, ino->gid))
		bits = (ino->mode >> 3) & 7;
	if ((bits & (unsigned)mask) == (unsigned)mask)
		return 0;
	return dac_override(p, ino, mask);
}

/* Where a walk goes when it crosses a mount point or ".." at a root:
 * the top of the mounts there that the caller's namespace sees. */
static struct inode *
enter_mounts(struct inode *ino)
{
	for (;;) {
		/* another mount namespace's trees are passed through: one of
		   this namespace's may be mounted on top of them */
		struct inode *m = ino->mounted;
		while (m && !mount_visible(m))
			m = m->mounted;
		if (!m)
			break;
		if (m->sb)
			m->sb->mnt_entered++;	/* clears an expiry mark */
		inode_get(m);
		inode_put(ino);
		ino = m;
	}
	return mount_bind_source(ino);	/* a bind shows its source */
}

struct inode *
start_dir(struct proc *p, int dirfd, const char *path)
{
	if (path[0] == '/') {
		inode_get(p->fs->root);
		return p->fs->root;
	}
	if (dirfd == AT_FDCWD) {
		inode_get(p->fs->cwd);
		return p->fs->cwd;
	}
	struct file *f = fd_get(p, dirfd);
	if (!f)
		return ERR_PTR(-EBADF);
	if (!f->inode || !S_ISDIR(f->inode->mode))
		return ERR_PTR(-ENOTDIR);
	inode_get(f->inode);
	return f->inode;
}

struct inode *
step(struct proc *p, struct inode *dir, const char *name, size_t len)
{
	if (!S_ISDIR(dir->mode))
		return ERR_PTR(-ENOTDIR);
	if (vfs_permission(p, dir, 1) < 0)
		return ERR_PTR(-EACCES);
	if (len == 1 && name[0] == '.') {
		inode_get(dir);
		return dir;
	}
	if (len == 2 && name[0] == '.' && name[1] == '.') {
		if (dir == p->fs->root) {
			inode_get(dir);
			return dir;
		}
		while (dir->covered)
			dir = dir->covered;
		struct inode *up = dir->parent ? dir->parent : dir;
		inode_get(up);
		return up;
	}
	struct inode *child = dir->iops->lookup(dir, name, len);
	if (IS_ERR(child))
		return child;
	return enter_mounts(child);
}

static struct inode *
follow_link(struct proc *p, struct inode *dir, struct inode *link, int *depth)
{
	if (++*depth > SYMLINK_DEPTH_MAX || mount_nosymfollow(link))
		return ERR_PTR(-ELOOP);
	if (link->iops->get_link)
		return link->iops->get_link(link);
	char *target = kmalloc(PATH_MAX_K);
	if (!target)
		return ERR_PTR(-ENOMEM);
	long n = link->iops->readlink(link, target, PATH_MAX_K - 1);
	struct inode *r;
	if (n < 0) {
		r = ERR_PTR(n);
	} else {
		target[n] = 0;
		struct inode *base = target[0] == '/' ? p->fs->root : dir;
		inode_get(base);
		r = walk(p, base, target, true, depth, NULL, NULL);
	}
	kfree(target);
	return r;
}

/*
 * Walks path from dir (whose reference it consumes). With last != NULL,
 * stops before the final component and returns its directory.
 */
struct inode *
walk(struct proc *p, struct inode *dir, const char *path, bool follow,
     int *depth, const char **last, size_t *last_len)
{
	const char *s = path;

	for (;;) {
		while (*s == '/')
			s++;
		const char *e = s;
		while (*e && *e != '/')
			e++;
		size_t len = e - s;
		const char *rest = e;
		while (*rest == '/')
			rest++;
		bool final = *rest == 0;
		if (len == 0) {		/* path was "" or only slashes */
			if (last) {
				*last = ".";
				*last_len = 1;
			}
			return dir;
		}
		if (len > 255) {
			inode_put(dir);
			return ERR_PTR(-ENAMETOOLONG);
		}
		if (final && last) {
			if (!S_ISDIR(dir->mode)) {
				inode_put(dir);
				return ERR_PTR(-ENOTDIR);
			}
			*last = s;
			*last_len = len;
			return dir;
		}
		struct inode *next = step(p, dir, s, len);
		if (IS_ERR(next)) {
			inode_put(dir);
			return next;
		}
		if (S_ISLNK(next->mode) && (!final || follow || *e == '/')) {
			struct inode *t = follow_link(p, dir, next, depth);
			inode_put(next);
			next = t;
			if (IS_ERR(next)) {
				inode_put(dir);
				return next;
			}
		}
		inode_put(dir);
		dir = next;
		if (final) {
			if (*e == '/' && !S_ISDIR(dir->mode)) {
				inode_put(dir);
				return ERR_PTR(-ENOTDIR);
			}
			return dir;
		}
		s = e;
	}
}

struct inode *
vfs_lookup(struct proc *p, int dirfd, const char *path, bool follow)
{
	int depth = 0;
	if (path[0] == 0)
		return ERR_PTR(-ENOENT);
	struct inode *dir = start_dir(p, dirfd, path);
	if (IS_ERR(dir))
		return dir;
	return walk(p, dir, path, follow, &depth, NULL, NULL);
}

struct inode *
vfs_lookup_parent(struct proc *p, int dirfd, const char *path,
		  const char **last, size_t *last_len)
{
	int depth = 0;
	if (path[0] == 0)
		return ERR_PTR(-ENOENT);
	struct inode *dir = start_dir(p, dirfd, path);
	if (IS_ERR(dir))
		return dir;
	return walk(p, dir, path, true, &depth, last, last_len);
}

/* A regular file opened to be written is one a program cannot run from. */
static bool
opens_for_write(struct inode *ino, unsigned flags)
{
	return S_ISREG(ino->mode) && !(flags & O_PATH) &&
	       (flags & O_ACCMODE) != O_RDONLY;
}

struct file *
vfs_open_inode(struct inode *ino, unsigned flags)
{
	if (opens_for_write(ino, flags) && ino->sb && ino->sb->read_only)
		return ERR_PTR(-EROFS);
	if (opens_for_write(ino, flags) && ino->writecount < 0)
		return ERR_PTR(-ETXTBSY);
	/* O_NOCTTY is for the open hook (a terminal's) alone, as on Linux. */
	struct file *f = file_new(ino, flags & ~(O_CREAT | O_EXCL | O_TRUNC | O_CLOEXEC));
	if (!f)
		return ERR_PTR(-ENOMEM);
	if (file_is_path(f)) {	/* opened for nothing: no driver sees it */
		f->ops = NULL;
		return f;
	}
	unsigned type = ino->mode & S_IFMT;
	if ((type == S_IFCHR || type == S_IFBLK || type == S_IFSOCK) &&
	    !f->ops) {
		file_put(f);	/* a node mknod made: no driver has it */
		return ERR_PTR(-ENXIO);
	}
	if (opens_for_write(ino, flags)) {
		inode_get_write(ino);	/* cannot fail: checked above */
		f->writer = true;
	} else if (S_ISREG(ino->mode)) {
		ino->readcount++;
		f->reader = true;
	}
	int e = S_ISREG(ino->mode) ? lease_break(ino, flags) : 0;
	if (e < 0) {
		f->ops = NULL;
		file_put(f);
		return ERR_PTR(e);
	}
	if (f->ops && f->ops->open) {
		int e = f->ops->open(f);
		if (e < 0) {
			f->ops = NULL;
			file_put(f);
			return ERR_PTR(e);
		}
	}
	f->flags &= ~O_NOCTTY;
	return f;
}

static int
may_open(struct proc *p, struct inode *ino, unsigned flags)
{
	unsigned acc = flags & O_ACCMODE;
	/* O_DIRECTORY holds for O_PATH too: coreutils' mv asks
	 * O_PATH|O_DIRECTORY whether its target is a directory. */
	if ((flags & O_DIRECTORY) && !S_ISDIR(ino->mode))
		return -ENOTDIR;
	if (flags & O_PATH)
		return 0;
	if (S_ISDIR(ino->mode) && acc != O_RDONLY)
		return -EISDIR;
	if ((ino->mode & S_IFMT) == S_IFSOCK)
		return -ENXIO;	/* a socket is reached by connect(2), not open */
	if ((S_ISCHR(ino->mode) || S_ISBLK(ino->mode)) && mount_nodev(ino))
		return -EACCES;
	int mask = (acc == O_RDONLY ? 4 : acc == O_WRONLY ? 2 : 6);
	int e = vfs_permission(p, ino, mask);
	/* An append-only file opens for writing only with O_APPEND. */
	if (!e && inode_append_only(ino) &&
	    ((acc != O_RDONLY && !(flags & O_APPEND)) || (flags & O_TRUNC)))
		e = -EPERM;
	/* O_NOATIME is the owner's (or root's) to ask. */
	if (!e && (flags & O_NOATIME) && !proc_capable(p, CAP_FOWNER) &&
	    p->euid != ino->uid)
		e = -EPERM;
	return e;
}

/*
 * What O_CREAT finds at *last in *dir: a new reference, or an error
 * (-ENOENT: make it there). A symlink in the final place is followed
 * unless O_EXCL or O_NOFOLLOW, and a dangling one moves *dir and *last to
 * where it points, as Linux creates a dangling link's target; *target
 * then holds the link text *last points into (the caller frees it). On an
 * error that leaves no place to create, *dir is put and set to NULL.
 */
static struct inode *
create_point(struct proc *p, struct inode **dir, const char **last,
	     size_t *len, unsigned flags, char **target)
{
	int depth = 0;
	for (;;) {
		struct inode *ino = step(p, *dir, *last, *len);
		if (IS_ERR(ino) || !S_ISLNK(ino->mode) ||
		    (flags & (O_EXCL | O_NOFOLLOW)))
			return ino;
		if (ino->iops->get_link) {	/* found: the file itself */
			struct inode *t = ino->iops->get_link(ino);
			inode_put(ino);
			return t;
		}
		long n = -ELOOP;
		if (++depth <= SYMLINK_DEPTH_MAX && !mount_nosymfollow(ino)) {
			if (!*target)
				*target = kmalloc(PATH_MAX_K);
			n = !*target ? -ENOMEM :
			    ino->iops->readlink(ino, *target, PATH_MAX_K - 1);
		}
		inode_put(ino);
		if (n == 0)
			n = -ENOENT;
		struct inode *next = ERR_PTR(n);
		if (n > 0) {
			(*target)[n] = 0;
			struct inode *base = (*target)[0] == '/' ?
					     p->fs->root : *dir;
			inode_get(base);
			next = walk(p, base, *target, true, &depth, last, len);
		}
		inode_put(*dir);
		*dir = IS_ERR(next) ? NULL : next;
		if (!*dir)
			return next;
		if ((*last)[*len] == '/') {	/* a link to "name/" */
			inode_put(*dir);
			*dir = NULL;
			return ERR_PTR(-EISDIR);
		}
	}
}

/*
 * open(O_CREAT) in one call to a file system that can (create_open): 1
 * made (*out, owned by the caller), 0 found a plain file or directory
 * there (*out), -1 the long way is needed (a symlink or mount point to
 * follow, no right to create, a dot name, or the file system said no).
 */
static int
create_open(struct proc *p, struct inode *dir, const char *last, size_t len,
	    unsigned mode, struct inode **out)
{
	if ((len == 1 && last[0] == '.') || (len == 2 && last[0] == '.' && last[1] == '.'))
		return -1;
	if (vfs_permission(p, dir, 3) < 0)
		return -1;
	struct inode *ino;
	int r = dir->iops->create_open(dir, last, len,
				       S_IFREG | (vfs_strip_sgid(p, dir, mode) &
						  07777 & ~p->fs->umask), &ino);
	if (r < 0)
		return -1;
	if (r == 0 && (S_ISLNK(ino->mode) || ino->mounted)) {
		inode_put(ino);
		return -1;
	}
	if (r == 1)
		vfs_init_owner(p, dir, ino);
	*out = ino;
	return r;
}

static struct file *open_found(struct proc *p, struct inode *ino,
			       unsigned flags, bool created, int dirfd,
			       const char *path);

struct file *
vfs_open(struct proc *p, int dirfd, const char *path, unsigned flags, unsigned mode)
{
	struct inode *ino;
	bool created = false;

	if (flags & __O_TMPFILE)
		return vfs_open_tmpfile(p, dirfd, path, flags, mode);
	/* O_PATH names the file and nothing more: no access mode, no
	 * O_CREAT or O_TRUNC, no permission asked (Linux's O_PATH_FLAGS). */
	if (flags & O_PATH)
		flags &= O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;
	if (flags & O_CREAT) {
		const char *last;
		size_t len;
		struct inode *dir = vfs_lookup_parent(p, dirfd, path, &last, &len);
		if (IS_ERR(dir))
			return (struct file *)dir;
		if (last[len] == '/') {	/* "name/": O_CREAT makes no directory */
			inode_put(dir);
			return ERR_PTR(-EISDIR);
		}
		char *target = NULL;
		ino = ERR_PTR(-ENOENT);
		bool may_make = landlock_make(dir, S_IFREG) == 0;
		int made = may_make && dir->iops->create_open &&
			   !(flags & O_EXCL) ?
			   create_open(p, dir, last, len, mode, &ino) : -1;
		if (made == 1) {
			inotify_dir_event(dir, IN_CREATE, last, len, 0);
			inode_put(dir);
			created = true;
			goto opened;
		}
		if (made < 0)
			ino = create_point(p, &dir, &last, &len, flags, &target);
		if (!dir) {
			kfree(target);
			return (struct file *)ino;
		}
		if (IS_ERR(ino) && PTR_ERR(ino) == -ENOENT) {
			/* procfs makes no names: ENOENT, as on Linux. */
			if (!dir->iops->create) {
				inode_put(dir);
				kfree(target);
				return ERR_PTR(-ENOENT);
			}
			int e = may_make ? vfs_permission(p, dir, 2) : -EACCES;
			if (e < 0) {
				inode_put(dir);
				kfree(target);
				return ERR_PTR(e);
			}
			e = dir->iops->create(dir, last, len,
					      S_IFREG | (vfs_strip_sgid(p, dir, mode) &
					      07777 & ~p->fs->umask), &ino);
			kfree(target);
			target = NULL;
			if (e < 0) {
				inode_put(dir);
				return ERR_PTR(e);
			}
			vfs_init_owner(p, dir, ino);
			created = true;
			inotify_dir_event(dir, IN_CREATE, last, len, 0);
		} else if (!IS_ERR(ino) && (flags & O_EXCL)) {
			inode_put(ino);
			inode_put(dir);
			return ERR_PTR(-EEXIST);
		}
		inode_put(dir);
		kfree(target);
		if (IS_ERR(ino))
			return (struct file *)ino;
	} else {
		ino = vfs_lookup(p, dirfd, path, !(flags & O_NOFOLLOW));
		if (IS_ERR(ino))
			return (struct file *)ino;
	}
opened:
	return open_found(p, ino, flags, created, dirfd, path);
}

struct file *
vfs_open_existing(struct proc *p, struct inode *ino, unsigned flags)
{
	inode_get(ino);
	return open_found(p, ino, flags, false, AT_FDCWD, NULL);
}

/* vfs_open's end: opens ino found (or created) at dirfd/path, or at no
 * path, taking over the reference. */
static struct file *
open_found(struct proc *p, struct inode *ino, unsigned flags, bool created,
	   int dirfd, const char *path)
{
	/* Linux's do_open: O_CREAT never opens a directory, even one a
	   symlink leads to. */
	if ((flags & O_CREAT) && S_ISDIR(ino->mode)) {
		inode_put(ino);
		return ERR_PTR(-EISDIR);
	}
	if (S_ISLNK(ino->mode) && !(flags & O_PATH)) {
		inode_put(ino);
		return ERR_PTR(-ELOOP);
	}
	int e = created ? 0 : may_open(p, ino, flags);
	uint8_t landlock_later = 0;
	if (!e)
		e = landlock_open(p, dirfd, path, ino, flags, &landlock_later);
	/* Before O_TRUNC could cut a running program. */
	if (!e && opens_for_write(ino, flags) && ino->writecount < 0)
		e = -ETXTBSY;
	if (!e && (flags & O_TRUNC) && S_ISREG(ino->mode) &&
	    (flags & O_ACCMODE) != O_RDONLY && ino->size > 0) {
		e = ino->iops->truncate ? ino->iops->truncate(ino, 0) : -EINVAL;
	}
	if (e < 0) {
		inode_put(ino);
		return ERR_PTR(e);
	}
	struct file *f = vfs_open_inode(ino, flags);
	inode_put(ino);
	if (!IS_ERR(f)) {
		f->landlock_denied = landlock_later;
		f->created = created;
	}
	if (!IS_ERR(f) && inotify_active() && !file_is_path(f)) {
		/* Named before fanotify's listener opens it by its events. */
		if (path)
			vfs_file_set_path(p, f, dirfd, path);
		if ((e = fanotify_open_perm(f)) < 0) {
			f->no_notify = true;	/* never opened: no close */
			file_put(f);
			return ERR_PTR(e);
		}
		/* An existing file O_TRUNC cuts (even an empty one) is
		   modified, after it is opened as Linux now tells it. */
		inotify_file_event(f, IN_OPEN);
		if ((flags & O_TRUNC) && !created && S_ISREG(f->inode->mode) &&
		    (flags & O_ACCMODE) != O_RDONLY)
			inotify_file_event(f, IN_MODIFY);
	}
	return f;
}
