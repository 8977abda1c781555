/*
 * System calls on file systems as a whole: mount and umount, pivot_root,
 * sync and syncfs, statfs, fstatfs and ustat, and sysfs(2)'s list of
 * types.
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
#include <kernel/printk.h>
#include <kernel/tmpfs.h>
#include <kernel/page.h>
#include <kernel/tty.h>
#include <kernel/srvfs.h>
#include <kernel/mount.h>
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

#define MNT_FORCE 1
#define MNT_DETACH 2
#define MNT_EXPIRE 4
#define UMOUNT_NOFOLLOW 8
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
		if (!writers &&
		    (in_sb(q->fs->cwd, sb) || in_sb(q->fs->root, sb)))
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


/* Whether where is the root of a mount ("/" included). */
static bool
is_mount_root(struct inode *where)
{
	return where->covered || where == vfs_root();
}

static struct mount_entry *
entry_of(struct inode *root)
{
	for (int i = 0; i < MOUNT_MAX; i++)
		if (mounts[i].root == root)
			return &mounts[i];
	return NULL;
}

/*
 * A disk's server started read-only refuses changes for good, so making
 * its mount writable starts a new server (the mounter's) on the same
 * device and place, when nothing is open on it (EBUSY otherwise).
 */
static long
remount_disk_rw(struct proc *p, struct inode *root)
{
	struct mount_entry *e = entry_of(root);
	char source[64], type[16];
	if (!e || !e->source || !e->type || !root->covered ||
	    strncmp(e->source, "/dev/loop", 9) != 0 ||
	    !diskmount_available(e->type))
		return -EACCES;
	if (mount_busy(root->sb, root, false))
		return -EBUSY;
	snprintk(source, sizeof(source), "%s", e->source);
	snprintk(type, sizeof(type), "%s", e->type);
	unsigned flags = root->sb->mnt_flags;
	struct inode *where = root->covered;
	inode_get(where);
	long r = root->sb->ops->unmount(root->sb);
	if (r == 0)
		r = diskmount(p, source, where, type, 0);
	if (r == 0 && where->mounted && where->mounted->sb)
		where->mounted->sb->mnt_flags = flags;
	inode_put(where);
	return r;
}

long
mount_reconfigure(struct inode *root, bool ro, const char *options)
{
	long r = tmpfs_configure(root, options);
	if (r != 0 && r != -ENODEV)
		return r;
	if (ro && !root->sb->read_only && mount_busy(root->sb, root, true))
		return -EBUSY;
	if (r == 0)
		vfs_set_read_only(root, ro);
	else
		r = srvfs_remount(root, ro);
	if (r == -EACCES && !ro)
		r = remount_disk_rw(current()->proc, root);
	if (r == 0 || r == -ENODEV)
		procfs_mounts_changed();
	return r == -ENODEV ? 0 : r;
}

/*
 * A remount of a bind (MS_BIND: the mount's own flags): a bind shows its
 * source's files, whose file system's flags rule them, so only the flags
 * the source has are taken (kernel/fs/mount_bind.c).
 */
static long
remount_bind(struct inode *node, unsigned long flags)
{
	unsigned want = mount_flags_from_ms(flags, node->sb->mnt_flags);
	if (!mount_bind_flags_kept(node, flags & MS_RDONLY, want))
		return -EINVAL;
	procfs_mounts_changed();
	return 0;
}

/*
 * mount -o remount: a tmpfs takes its new options (size=); MS_RDONLY
 * makes a tmpfs or a server's tree read-only (EBUSY while a file on it is
 * open for writing) or, absent, writable again; the mount's flags
 * (nosuid, nodev...) become those asked. With MS_BIND only the mount's
 * flags change (Linux's do_reconfigure_mnt).
 */
static long
remount(struct proc *p, uaddr_t utarget, unsigned long flags,
	const char *options)
{
	WITH_PATH(target, utarget);
	struct inode *where = mount_lookup(p, AT_FDCWD, target, true);
	kfree(target);
	if (IS_ERR(where))
		return PTR_ERR(where);
	if (mount_is_bind(where) && (flags & MS_BIND)) {
		long r = remount_bind(where, flags);
		inode_put(where);
		return r;
	}
	if (mount_is_bind(where))
		where = mount_fs_root(where);	/* its file system's */
	if (IS_ERR(where))
		return PTR_ERR(where);
	long r = -EINVAL;	/* not the root of a mount */
	struct inode *place = where->covered;
	if (place)
		inode_get(place);	/* a disk's new server has a new root */
	if (is_mount_root(where)) {
		bool ro = flags & MS_RDONLY;
		unsigned old = where->sb ? where->sb->mnt_flags : 0;
		r = mount_reconfigure(where, ro, flags & MS_BIND ? "" : options);
		struct inode *now = place ? place->mounted : where;
		if (r == 0 && now && now->sb) {
			struct super *sb = now->sb;
			sb->mnt_flags = (sb->mnt_flags & ~(unsigned)MS_MNT_FLAGS) |
					mount_flags_from_ms(flags, old);
		}
	}
	if (place)
		inode_put(place);
	inode_put(where);
	return r;
}

/* The root of the mount at upath, or an error pointer (EINVAL: none). */
static struct inode *
mount_root_at(struct proc *p, uaddr_t upath)
{
	long err = 0;
	char *path = getpath(upath, &err);
	if (!path)
		return ERR_PTR(err);
	struct inode *root = mount_lookup(p, AT_FDCWD, path, true);
	kfree(path);
	if (!IS_ERR(root) && !is_mount_root(root)) {
		inode_put(root);
		return ERR_PTR(-EINVAL);
	}
	return root;
}

/*
 * MS_SHARED, MS_PRIVATE, MS_SLAVE or MS_UNBINDABLE (one, with MS_REC):
 * recorded for mountinfo. There is one mount namespace and no bind
 * mounts, so nothing ever propagates; a slave without a master is
 * private, as on Linux.
 */
static long
change_type(struct proc *p, uaddr_t utarget, unsigned long flags)
{
	unsigned long type = flags & ~(unsigned long)(MS_REC | MS_SILENT);
	if (type & (type - 1))
		return -EINVAL;
	struct inode *root = mount_root_at(p, utarget);
	if (IS_ERR(root))
		return PTR_ERR(root);
	if (root->sb) {
		root->sb->mnt_flags &= ~(unsigned)(MS_SHARED | MS_UNBINDABLE);
		root->sb->mnt_flags |= type & (MS_SHARED | MS_UNBINDABLE);
	}
	inode_put(root);
	return 0;
}

/* MS_MOVE: the mount at usource moves to utarget, with its submounts. */
static long
move_old(struct proc *p, uaddr_t usource, uaddr_t utarget)
{
	if (!usource)
		return -EINVAL;
	struct inode *root = mount_root_at(p, usource);
	if (IS_ERR(root))
		return PTR_ERR(root);
	long r = 0;
	char *target = getpath(utarget, &r);
	struct inode *where = target ? vfs_lookup(p, AT_FDCWD, target, true) :
				       ERR_PTR(r);
	kfree(target);
	r = IS_ERR(where) ? PTR_ERR(where) : mount_attach_moved(root, where);
	if (!IS_ERR(where))
		inode_put(where);
	inode_put(root);
	return r;
}

long
mount_attach_moved(struct inode *root, struct inode *where)
{
	char *abs = kmalloc(PATH_MAX_K);
	long r = abs ? mount_path_global(where, abs, PATH_MAX_K) : -ENOMEM;
	if (r > 0)
		r = mount_move(root, where, abs);
	kfree(abs);
	return r;
}

static const char *const kernel_kinds[] = {
	"proc", "sysfs", "devtmpfs", "devpts", "tmpfs", "mqueue",
};

const char *
mount_kernel_type(const char *type)
{
	for (size_t i = 0; i < ARRAY_SIZE(kernel_kinds); i++)
		if (strcmp(type, kernel_kinds[i]) == 0)
			return kernel_kinds[i];
	return NULL;
}

struct inode *
mount_new_tree(const char *type, const char *options, const char **name)
{
	struct inode *root = ERR_PTR(-ENODEV);
	*name = mount_kernel_type(type);
	if (strcmp(type, "proc") == 0)
		root = procfs_new();
	else if (strcmp(type, "sysfs") == 0)
		root = sysfs_new();
	else if (strcmp(type, "devtmpfs") == 0)
		root = devfs_new();
	else if (strcmp(type, "devpts") == 0)
		root = devpts_new(options);
	else if (strcmp(type, "tmpfs") == 0)
		root = tmpfs_new_root("tmpfs");
	else if (strcmp(type, "mqueue") == 0)
		root = mqueue_fs_root();
	if (!root)
		return ERR_PTR(-ENOMEM);
	if (!IS_ERR(root) && strcmp(type, "tmpfs") == 0) {
		long r = tmpfs_configure(root, options);
		if (r < 0) {
			inode_put(root);
			return ERR_PTR(r);
		}
	}
	return root;
}

long
mount_attach(struct inode *where, struct inode *root,
	     const char *source, const char *type, bool ro, unsigned mnt_flags)
{
	char *abs = kmalloc(PATH_MAX_K);
	long r = abs ? mount_path_global(where, abs, PATH_MAX_K) : -ENOMEM;
	if (r > 0) {
		size_t sl = strlen(source) + 1;
		char *src = kmalloc(sl);
		if (src)
			memcpy(src, source, sl);
		r = vfs_mount(where, root, abs, src ? src : "none", type);
		if (r < 0)
			kfree(src);
	}
	if (r == 0 && ro)
		vfs_set_read_only(root, true);
	if (r == 0 && root->sb)
		root->sb->mnt_flags = mnt_flags;
	kfree(abs);
	return r;
}

/*
 * MS_BIND: the directory or file at usource is shown at utarget too
 * (kernel/fs/mount_bind.c). The mounts inside the source are seen
 * through the bind whether MS_REC asks or not: a walk in the bind is one
 * in the source's own tree.
 */
static long
bind(struct proc *p, uaddr_t usource, uaddr_t utarget)
{
	long r = 0;
	char *from = usource ? getpath(usource, &r) : NULL;
	if (!from)
		return r ? r : -EINVAL;
	struct inode *source = from[0] ? vfs_lookup(p, AT_FDCWD, from, true) :
					 ERR_PTR(-EINVAL);
	kfree(from);
	if (IS_ERR(source))
		return PTR_ERR(source);
	char *to = getpath(utarget, &r);
	struct inode *where = to ? mount_lookup(p, AT_FDCWD, to, true) :
			      ERR_PTR(r);
	kfree(to);
	r = IS_ERR(where) ? PTR_ERR(where) : mount_bind(source, where);
	if (!IS_ERR(where))
		inode_put(where);
	inode_put(source);
	return r;
}

long
sys_mount(uaddr_t usource, uaddr_t utarget, uaddr_t utype, unsigned long flags, uaddr_t data)
{
	struct proc *p = current()->proc;
	char type[32], source[64], options[MOUNT_DATA_MAX];
	if (flags & MS_NOUSER)
		return -EINVAL;
	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	options[0] = 0;
	long n = data ? copyinstr(options, data, sizeof(options)) : 0;
	if (n == -EFAULT)
		return n;
	if (n < 0)
		return -EINVAL;	/* longer than any options tmpfs knows */
	if (flags & MS_REMOUNT)
		return remount(p, utarget, flags, options);
	if (flags & MS_BIND)
		return bind(p, usource, utarget);
	if (flags & MS_PROPAGATION)
		return change_type(p, utarget, flags);
	if (flags & MS_MOVE)
		return move_old(p, usource, utarget);
	if (!utype)
		return -EINVAL;	/* a new mount needs a type */
	if (copyinstr(type, utype, sizeof(type)) < 0)
		return -EFAULT;
	if (!usource || copyinstr(source, usource, sizeof(source)) < 0)
		memcpy(source, "none", 5);
	WITH_PATH(target, utarget);
	struct inode *where = vfs_lookup(p, AT_FDCWD, target, true);
	kfree(target);
	if (IS_ERR(where))
		return PTR_ERR(where);
	if (S_ISLNK(where->mode)) {
		inode_put(where);	/* a symlink a magic link named */
		return -ENOENT;
	}
	const char *t = NULL;
	struct inode *root = mount_new_tree(type, options, &t);
	long r = IS_ERR(root) ? PTR_ERR(root) : 0;
	if (r == 0) {
		r = mount_attach(where, root, source, t, flags & MS_RDONLY,
				 mount_flags_from_ms(flags, 0));
		inode_put(root);
	} else if (r == -ENODEV && !usource) {
		r = diskmount_available(type) ? -EINVAL : -ENODEV;
	} else if (r == -ENODEV) {
		char *dev = getpath(usource, &r);
		r = dev ? diskmount(p, dev, where, type, flags) : r;
		kfree(dev);
		if (r == 0 && where->mounted && where->mounted->sb)
			where->mounted->sb->mnt_flags =
				mount_flags_from_ms(flags, 0);
	}
	inode_put(where);
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

void
mount_detach(struct inode *root)
{
	if (root->sb->ops && root->sb->ops->detach)
		root->sb->ops->detach(root->sb);
	else if (root->sb->ops && root->sb->ops->unmount)
		root->sb->ops->unmount(root->sb);
	else
		kernel_unmount(root);
}

/*
 * MNT_EXPIRE: the first call marks the mount and is EAGAIN; a second one
 * unmounts it if no walk entered it since (this call's own walk aside),
 * else marks it again. Linux clears the mark at every use of the mount.
 */
static bool
expired(struct super *sb)
{
	bool unused = sb->expiry_mark && sb->mnt_entered == sb->expiry_mark + 1;
	sb->expiry_mark = sb->mnt_entered;
	return unused;
}

/*
 * A server's file system is unmounted by its server, which writes
 * everything back; with MNT_DETACH it leaves the tree at once and the
 * server serves the files still open until the last is closed
 * (super_ops.detach). An in-kernel one (tmpfs, proc...) just leaves the
 * tree: its open files keep working. The root stays. Without MNT_DETACH
 * a file system in use is EBUSY.
 */
long
sys_umount2(uaddr_t utarget, int flags)
{
	struct proc *p = current()->proc;
	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	if (flags & ~0xf)
		return -EINVAL;
	WITH_PATH(target, utarget);
	struct inode *root = mount_lookup(p, AT_FDCWD, target,
					  !(flags & UMOUNT_NOFOLLOW));
	kfree(target);
	if (IS_ERR(root))
		return PTR_ERR(root);
	long r;
	if (!root->covered)
		r = -EINVAL;	/* not a mount point */
	else if ((flags & MNT_EXPIRE) && (flags & (MNT_FORCE | MNT_DETACH)))
		r = -EINVAL;
	else if (mount_ns_leave(root))
		r = 0;		/* another mount namespace keeps it */
	else if (!(flags & MNT_DETACH) && mount_is_bind(root) &&
		 mount_bind_busy(root))
		r = -EBUSY;
	else if (!(flags & MNT_DETACH) && !mount_is_bind(root) &&
		 mount_busy(root->sb, root, false))
		r = -EBUSY;
	else if ((flags & MNT_EXPIRE) && !expired(root->sb))
		r = -EAGAIN;
	else if ((flags & MNT_DETACH) && root->sb->ops &&
		 root->sb->ops->detach)
		r = root->sb->ops->detach(root->sb);
	else if (root->sb->ops && root->sb->ops->unmount)
		r = root->sb->ops->unmount(root->sb);
	else
		r = kernel_unmount(root);
	inode_put(root);
	return r;
}

/* A directory pivot_root names (Linux's LOOKUP_DIRECTORY), or an error. */
static struct inode *
pivot_dir(struct proc *p, uaddr_t upath)
{
	long err = 0;
	char *path = getpath(upath, &err);
	if (!path)
		return ERR_PTR(err);
	struct inode *dir = vfs_lookup(p, AT_FDCWD, path, true);
	kfree(path);
	if (!IS_ERR(dir) && !S_ISDIR(dir->mode)) {
		inode_put(dir);
		return ERR_PTR(-ENOTDIR);
	}
	return dir;
}

/*
 * pivot_root(2): the mount at new_root becomes the caller's root, the old
 * root mount goes to put_old (kernel/fs/mount_pivot.c). "." for both,
 * then umount2(".", MNT_DETACH), leaves only the new root, as runc does.
 */
long
sys_pivot_root(uaddr_t unew_root, uaddr_t uput_old)
{
	struct proc *p = current()->proc;
	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	struct inode *new_root = pivot_dir(p, unew_root);
	if (IS_ERR(new_root))
		return PTR_ERR(new_root);
	struct inode *put_old = pivot_dir(p, uput_old);
	long r = IS_ERR(put_old) ? PTR_ERR(put_old) :
				   mount_pivot(p, new_root, put_old);
	if (!IS_ERR(put_old))
		inode_put(put_old);
	inode_put(new_root);
	return r;
}

/* What statfs reports for the file system holding ino (mount.h). */
int
statfs_fill(struct inode *ino, struct statfs_k *s)
{
	ino = mount_bind_shown(ino);	/* a bind's: its source's */
	memset(s, 0, sizeof(*s));
	if (ino->sb && ino->sb->ops && ino->sb->ops->statfs) {
		int e = ino->sb->ops->statfs(ino->sb, s);
		s->flags = mount_statfs_flags(ino->sb);
		return e;
	}
	const char *t = ino->sb ? ino->sb->type : "";
	/* The PROC, SYSFS and TMPFS magic numbers. */
	s->type = strcmp(t, "proc") == 0 ? 0x9fa0 :
		  strcmp(t, "sysfs") == 0 ? 0x62656572 : 0x01021994;
	s->bsize = s->frsize = 4096;
	if (strcmp(t, "proc") != 0) {	/* memory-backed: RAM is the limit */
		s->blocks = page_total();
		s->bfree = s->bavail = page_free_count();
	}
	s->files = 1 << 20;
	s->ffree = (1 << 20) - 1000;
	s->namelen = 255;
	s->flags = mount_statfs_flags(ino->sb);
	return 0;
}

static long
statfs_inode(struct inode *ino, uaddr_t buf)
{
	struct statfs_k s;
	int e = statfs_fill(ino, &s);
	return e < 0 ? e : copyout(buf, &s, sizeof(s));
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

/* struct ustat, as x86_64 lays it out. */
struct ustat_k {
	int32_t tfree;
	uint64_t tinode;
	char fname[6], fpack[6];
};

/*
 * ustat(2): free blocks and inodes of the mounted file system whose
 * device number is dev (the st_dev its files show); EINVAL if none.
 */
long
sys_ustat(unsigned dev, uaddr_t buf)
{
	struct inode *root = NULL;
	for (int i = 0; i < MOUNT_MAX && !root; i++)
		if (mounts[i].root && mounts[i].root->sb->dev == dev)
			root = mounts[i].root;
	if (!root)
		return -EINVAL;
	struct statfs_k s;
	inode_get(root);	/* a server's statfs sleeps */
	int e = statfs_fill(root, &s);
	inode_put(root);
	if (e < 0)
		return e;
	struct ustat_k u;
	memset(&u, 0, sizeof(u));
	u.tfree = (int32_t)s.bfree;
	u.tinode = s.ffree;
	return copyout(buf, &u, sizeof(u));
}

/*
 * sysfs(2), the old way to list the file system types (as
 * /proc/filesystems): option 1 gives the index of a name, 2 copies the
 * name at an index, 3 counts them.
 */
long
sys_sysfs(int option, uint64_t arg1, uint64_t arg2)
{
	char name[32];
	int count = 0;
	while (vfs_fs_type(count, NULL))
		count++;
	switch (option) {
	case 1: {
		long n = copyinstr(name, arg1, sizeof(name));
		if (n == -EFAULT)
			return n;
		for (int i = 0; n >= 0 && i < count; i++)
			if (strcmp(vfs_fs_type(i, NULL), name) == 0)
				return i;
		return -EINVAL;
	}
	case 2: {
		const char *t = vfs_fs_type((int)arg1, NULL);
		if (arg1 >= (uint64_t)count || !t)
			return -EINVAL;
		return copyout(arg2, t, strlen(t) + 1);
	}
	case 3:
		return count;
	}
	return -EINVAL;
}
