/*
 * System calls on file systems as a whole: mount and umount, sync and
 * syncfs, statfs and fstatfs.
 */
#include <kernel/proc.h>
#include <kernel/vfs.h>
#include <kernel/mqueue.h>
#include <kernel/vm.h>
#include <kernel/syscall.h>
#include <syscall_table.h>
#include <kernel/kmalloc.h>
#include <kernel/errno.h>
#include <kernel/string.h>
#include <kernel/tmpfs.h>
#include <kernel/page.h>
#include <kernel/tty.h>
#include <kernel/srvfs.h>
#include "path.h"

long
sys_sync(void)
{
	for (int i = 0; i < MOUNT_MAX; i++) {
		struct inode *root = mounts[i].root;
		if (!root || !root->sb->ops || !root->sb->ops->sync)
			continue;
		inode_get(root);	/* the mount may go while we sleep */
		root->sb->ops->sync(root->sb);
		inode_put(root);
	}
	return 0;
}

long
sys_syncfs(int fd)
{
	struct file *f = fd_hold(fd);	/* sync sleeps */
	if (!f)
		return -EBADF;
	struct super *sb = f->inode ? f->inode->sb : NULL;
	return sb && sb->ops && sb->ops->sync ? sb->ops->sync(sb) : 0;
}

#define MS_RDONLY 1
#define MS_REMOUNT 32
#define MNT_DETACH 2
#define MOUNT_DATA_MAX 256

static bool
in_sb(struct inode *ino, struct super *sb)
{
	return ino && ino->sb == sb;
}

/*
 * Whether a process uses the file system of sb: an open file, its working
 * or root directory on it, or another file system mounted inside it (as
 * Linux's may_umount_tree finds them by the mount's references). With
 * writers, only files open for writing count (a remount read-only).
 */
static bool
mount_busy(struct super *sb, struct inode *root, bool writers)
{
	for (int i = 0; i < MOUNT_MAX && !writers; i++)
		if (mounts[i].root && mounts[i].root != root &&
		    in_sb(mounts[i].root->covered, sb))
			return true;
	list_for_each(it, &all_procs) {
		struct proc *q = list_entry(it, struct proc, all_link);
		if (!q->files)
			continue;	/* a zombie: its directories are let go */
		if (!writers && (in_sb(q->cwd, sb) || in_sb(q->root, sb)))
			return true;
		struct files *fs = q->files;
		for (int fd = 0; fs && fd < fs->size; fd++) {
			struct file *f = fs->fd[fd];
			if (f && in_sb(f->inode, sb) && (!writers || f->writer))
				return true;
		}
	}
	return false;
}


/*
 * mount -o remount: a tmpfs takes its new options (size=); MS_RDONLY
 * makes a tmpfs or a server's tree read-only (EBUSY while a file on it is
 * open for writing) or, absent, writable again; other flags are not kept.
 */
static long
remount(struct proc *p, uaddr_t utarget, unsigned long flags,
	const char *options)
{
	WITH_PATH(target, utarget);
	struct inode *where = vfs_lookup(p, AT_FDCWD, target, true);
	kfree(target);
	if (IS_ERR(where))
		return PTR_ERR(where);
	long r = -EINVAL;	/* not the root of a mount */
	if (where->covered || where == vfs_root()) {
		r = tmpfs_configure(where, options);
		bool ro = flags & MS_RDONLY;
		if (r == 0 || r == -ENODEV) {
			if (ro && !where->sb->read_only &&
			    mount_busy(where->sb, where, true))
				r = -EBUSY;
			else if (r == 0)
				vfs_set_read_only(where, ro);
			else
				r = srvfs_remount(where, ro);
		}
		if (r == -ENODEV)
			r = 0;
	}
	inode_put(where);
	return r;
}

long
sys_mount(uaddr_t usource, uaddr_t utarget, uaddr_t utype, unsigned long flags, uaddr_t data)
{
	struct proc *p = current()->proc;
	char type[32], source[64], options[MOUNT_DATA_MAX];
	if (p->euid != 0)
		return -EPERM;
	options[0] = 0;
	long n = data ? copyinstr(options, data, sizeof(options)) : 0;
	if (n == -EFAULT)
		return n;
	if (n < 0)
		return -EINVAL;	/* longer than any options tmpfs knows */
	if (flags & MS_REMOUNT)
		return remount(p, utarget, flags, options);
	if (!utype)
		return -EINVAL;	/* a new mount needs a type */
	if (copyinstr(type, utype, sizeof(type)) < 0)
		return -EFAULT;
	if (!usource || copyinstr(source, usource, sizeof(source)) < 0)
		memcpy(source, "none", 5);
	WITH_PATH(target, utarget);
	struct inode *where = vfs_lookup(p, AT_FDCWD, target, true);
	long r;
	if (IS_ERR(where)) {
		kfree(target);
		return PTR_ERR(where);
	}
	struct inode *root = NULL;
	const char *t = NULL;
	if (strcmp(type, "proc") == 0) {
		root = procfs_new();
		t = "proc";
	} else if (strcmp(type, "sysfs") == 0) {
		root = sysfs_new();
		t = "sysfs";
	} else if (strcmp(type, "devtmpfs") == 0) {
		root = devfs_new();
		t = "devtmpfs";
	} else if (strcmp(type, "devpts") == 0) {
		root = devpts_new(options);
		t = "devpts";
		if (IS_ERR(root)) {
			r = PTR_ERR(root);
			goto out;
		}
	} else if (strcmp(type, "mqueue") == 0) {
		root = mqueue_fs_root();
		t = "mqueue";
	} else if (strcmp(type, "tmpfs") == 0) {
		root = tmpfs_new_root("tmpfs");
		t = "tmpfs";
		if (root && (r = tmpfs_configure(root, options)) < 0) {
			inode_put(root);
			goto out;
		}
	} else if (!usource) {
		r = diskmount_available(type) ? -EINVAL : -ENODEV;
		goto out;
	} else {
		char *dev = getpath(usource, &r);
		r = dev ? diskmount(p, dev, where, type, flags) : r;
		kfree(dev);
		goto out;
	}
	if (!root) {
		r = -ENOMEM;
		goto out;
	}
	char *abs = kmalloc(PATH_MAX_K);
	r = abs ? vfs_path_of(p, where, abs, PATH_MAX_K) : -ENOMEM;
	if (r > 0) {
		size_t sl = strlen(source) + 1;
		char *src = kmalloc(sl);
		if (src)
			memcpy(src, source, sl);
		r = vfs_mount(where, root, abs, src ? src : "none", t);
		if (r == 0 && (flags & MS_RDONLY))
			vfs_set_read_only(root, true);
	}
	kfree(abs);
	inode_put(root);
out:
	inode_put(where);
	kfree(target);
	return r;
}

/*
 * An in-kernel file system (tmpfs, proc...) leaves the tree. One still in
 * use (MNT_DETACH) keeps its tree in memory for its users, as the
 * directories' ".." need it.
 */
static long
kernel_unmount(struct inode *root)
{
	if (mount_busy(root->sb, root, false))
		inode_get(root);	/* kept for the files still in use */
	return vfs_unmount(root);
}

/*
 * A server's file system is unmounted by its server, which writes
 * everything back; files still open on it fail from then on, as after
 * MNT_DETACH. An in-kernel one (tmpfs, proc...) just leaves the tree: its
 * open files keep working. The root stays. Without MNT_DETACH a file
 * system in use is EBUSY.
 */
long
sys_umount2(uaddr_t utarget, int flags)
{
	struct proc *p = current()->proc;
	if (p->euid != 0)
		return -EPERM;
	if (flags & ~0xf)
		return -EINVAL;
	WITH_PATH(target, utarget);
	struct inode *root = vfs_lookup(p, AT_FDCWD, target, !(flags & 8));
	kfree(target);
	if (IS_ERR(root))
		return PTR_ERR(root);
	long r;
	if (!root->covered)
		r = -EINVAL;	/* not a mount point */
	else if (!(flags & MNT_DETACH) && mount_busy(root->sb, root, false))
		r = -EBUSY;
	else if (root->sb->ops && root->sb->ops->unmount)
		r = root->sb->ops->unmount(root->sb);
	else
		r = kernel_unmount(root);
	inode_put(root);
	return r;
}

static long
statfs_inode(struct inode *ino, uaddr_t buf)
{
	struct statfs_k s;
	memset(&s, 0, sizeof(s));
	if (ino->sb && ino->sb->ops && ino->sb->ops->statfs) {
		int e = ino->sb->ops->statfs(ino->sb, &s);
		return e < 0 ? e : copyout(buf, &s, sizeof(s));
	}
	const char *t = ino->sb ? ino->sb->type : "";
	/* The PROC, SYSFS and TMPFS magic numbers. */
	s.type = strcmp(t, "proc") == 0 ? 0x9fa0 :
		 strcmp(t, "sysfs") == 0 ? 0x62656572 : 0x01021994;
	s.bsize = s.frsize = 4096;
	if (strcmp(t, "proc") != 0) {	/* memory-backed: RAM is the limit */
		s.blocks = page_total();
		s.bfree = s.bavail = page_free_count();
	}
	s.files = 1 << 20;
	s.ffree = (1 << 20) - 1000;
	s.namelen = 255;
	return copyout(buf, &s, sizeof(s));
}

long
sys_statfs(uaddr_t path, uaddr_t buf)
{
	struct inode *ino = lookup_at(AT_FDCWD, path, 0);
	if (IS_ERR(ino))
		return PTR_ERR(ino);
	long r = statfs_inode(ino, buf);
	inode_put(ino);
	return r;
}

long
sys_fstatfs(int fd, uaddr_t buf)
{
	struct file *f = fd_hold_path(fd);	/* a server's statfs sleeps */
	if (!f || !f->inode)
		return -EBADF;
	return statfs_inode(f->inode, buf);
}
