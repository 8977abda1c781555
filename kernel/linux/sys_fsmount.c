/*
 * The new mount API (Linux 5.2): fsopen and fspick make a file system
 * context, fsconfig sets its parameters and creates or reconfigures the
 * file system, fsmount makes a detached mount of it (an O_PATH fd on its
 * root), move_mount attaches a detached mount or moves an attached one,
 * open_tree names a tree and mount_setattr changes a mount's flags.
 * Errors are Linux's (fs/fsopen.c, fs/namespace.c).
 */
#include <kernel/proc.h>
#include <kernel/vfs.h>
#include <kernel/vm.h>
#include <arch/mmu.h>
#include <kernel/printk.h>
#include <kernel/mount.h>
#include <kernel/srvfs.h>
#include <kernel/tmpfs.h>
#include <kernel/loop.h>
#include <kernel/syscall.h>
#include <syscall_table.h>
#include <kernel/kmalloc.h>
#include <kernel/errno.h>
#include <kernel/string.h>
#include "path.h"

#define FSOPEN_CLOEXEC 1
#define FSPICK_CLOEXEC 1
#define FSPICK_SYMLINK_NOFOLLOW 2
#define FSPICK_NO_AUTOMOUNT 4
#define FSPICK_EMPTY_PATH 8
#define FSMOUNT_CLOEXEC 1

enum {
	FSCONFIG_SET_FLAG, FSCONFIG_SET_STRING, FSCONFIG_SET_BINARY,
	FSCONFIG_SET_PATH, FSCONFIG_SET_PATH_EMPTY, FSCONFIG_SET_FD,
	FSCONFIG_CMD_CREATE, FSCONFIG_CMD_RECONFIGURE,
	FSCONFIG_CMD_CREATE_EXCL,
};

/* What a context may do next, as Linux's fs_context_phase. */
enum fs_phase {
	PHASE_CREATE_PARAMS,	/* fsopen: parameters, then CMD_CREATE */
	PHASE_AWAITING_MOUNT,	/* created: fsmount */
	PHASE_RECONF_PARAMS,	/* fspick: parameters, then CMD_RECONFIGURE */
	PHASE_FAILED,		/* a create or reconfigure failed */
	PHASE_MOUNTED,		/* fsmount took it: no reuse */
};

#define CTX_OPTIONS_MAX 256

/*
 * A file system context, the private data of an fscontext fd. For a
 * disk file system (ext2) creating only checks the source: the mounter
 * starts its server when the mount is attached (see struct detached).
 */
struct fs_context {
	enum fs_phase phase;
	char type[16];
	const char *kind;		/* an in-kernel type's static name
					   once created (the mount table
					   keeps it); NULL for a disk's */
	char source[64];		/* "" until set */
	char options[CTX_OPTIONS_MAX];	/* tmpfs's, "key=value,..." */
	bool ro, ro_set;		/* "ro"/"rw" given */
	struct inode *root;		/* created tree or fspick's mount, a
					   reference; NULL before */
};

/*
 * A detached mount (fsmount's fd): an in-kernel tree not yet attached,
 * or a disk file system's request, attached by move_mount. The fd is
 * O_PATH on the tree's root; a disk file system's fd stands on an empty
 * directory until then, since its server has not started.
 */
struct detached {
	struct list link;		/* detached_list */
	struct inode *root;		/* the fd's inode */
	char type[16];
	const char *kind;		/* an in-kernel type's static name */
	char source[64];
	bool disk;			/* mounted by the mounter on attach */
	bool clone;			/* open_tree's: root is what a bind
					   of it shows (mount_bind) */
	bool ro;
	unsigned mnt_flags;
	bool attached;
};

static struct list detached_list = LIST_INIT(detached_list);

static void
ctx_close(struct file *f)
{
	struct fs_context *fc = f->priv;
	if (fc && fc->root)
		inode_put(fc->root);
	kfree(fc);
}

/* read(2) gives the context's messages; Petrel logs none. */
static long
ctx_read(struct file *f, void *buf, size_t len, uint64_t *off)
{
	(void)f, (void)buf, (void)len, (void)off;
	return -ENODATA;
}

static const struct file_ops fscontext_fops = {
	.read = ctx_read,
	.close = ctx_close,
};

static bool
disk_type(const char *type)
{
	return diskmount_available(type);
}

static bool
known_type(const char *type)
{
	return disk_type(type) || mount_kernel_type(type);
}

static long
install_context(struct fs_context *fc, bool cloexec)
{
	long fd = install_anon("[fscontext]", &fscontext_fops, fc,
			       cloexec ? O_CLOEXEC : 0);
	if (fd < 0) {
		if (fc->root)
			inode_put(fc->root);
		kfree(fc);
	}
	return fd;
}

long
sys_fsopen(uaddr_t uname, unsigned flags)
{
	char type[16];
	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	if (flags & ~FSOPEN_CLOEXEC)
		return -EINVAL;
	long n = copyinstr(type, uname, sizeof(type));
	if (n == -EFAULT)
		return n;
	if (n < 0 || !known_type(type))
		return -ENODEV;
	struct fs_context *fc = kzalloc(sizeof(*fc));
	if (!fc)
		return -ENOMEM;
	memcpy(fc->type, type, strlen(type) + 1);
	fc->phase = PHASE_CREATE_PARAMS;
	return install_context(fc, flags & FSOPEN_CLOEXEC);
}

static struct detached *detached_of(struct inode *ino);

/*
 * The root of the mount upath names (the top one there, a bind's own
 * node), or an open_tree clone's fd with AT_EMPTY_PATH; EINVAL for what
 * is no mount's root.
 */
static struct inode *
mount_root_lookup(int dfd, uaddr_t upath, int at_flags)
{
	long err = 0;
	char *path = getpath(upath, &err);
	if (!path)
		return ERR_PTR(err);
	struct inode *ino = path[0] || !(at_flags & AT_EMPTY_PATH) ?
		mount_lookup(current()->proc, dfd, path,
			     !(at_flags & AT_SYMLINK_NOFOLLOW)) :
		lookup_at(dfd, upath, at_flags);
	bool empty = path[0] == 0;
	kfree(path);
	if (IS_ERR(ino))
		return ino;
	struct detached *d = empty ? detached_of(ino) : NULL;
	if (!(d && d->clone) && !ino->covered && ino != vfs_root()) {
		inode_put(ino);
		return ERR_PTR(-EINVAL);
	}
	return ino;
}

long
sys_fspick(int dfd, uaddr_t upath, unsigned flags)
{
	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	if (flags & ~(FSPICK_CLOEXEC | FSPICK_SYMLINK_NOFOLLOW |
		      FSPICK_NO_AUTOMOUNT | FSPICK_EMPTY_PATH))
		return -EINVAL;
	int at = (flags & FSPICK_SYMLINK_NOFOLLOW ? AT_SYMLINK_NOFOLLOW : 0) |
		 (flags & FSPICK_EMPTY_PATH ? AT_EMPTY_PATH : 0);
	struct inode *root = mount_root_lookup(dfd, upath, at);
	if (!IS_ERR(root))
		root = mount_fs_root(root);	/* a bind's or clone's */
	if (IS_ERR(root))
		return PTR_ERR(root);
	struct fs_context *fc = kzalloc(sizeof(*fc));
	if (!fc) {
		inode_put(root);
		return -ENOMEM;
	}
	fc->root = root;
	fc->phase = PHASE_RECONF_PARAMS;
	if (root->sb && root->sb->type)
		snprintk(fc->type, sizeof(fc->type), "%s", root->sb->type);
	return install_context(fc, flags & FSPICK_CLOEXEC);
}

/* The superblock flags every file system takes (vfs_parse_sb_flag). */
static bool
sb_flag(struct fs_context *fc, const char *key)
{
	static const char *const ignored[] = {
		"dirsync", "lazytime", "mand", "sync", "async",
		"nolazytime", "nomand", "silent",
	};
	if (strcmp(key, "ro") == 0 || strcmp(key, "rw") == 0) {
		fc->ro = key[0] == 'r' && key[1] == 'o';
		fc->ro_set = true;
		return true;
	}
	for (size_t i = 0; i < ARRAY_SIZE(ignored); i++)
		if (strcmp(key, ignored[i]) == 0)
			return true;
	return false;
}

static bool
tmpfs_key(const char *key)
{
	return strcmp(key, "size") == 0 || strcmp(key, "nr_inodes") == 0 ||
	       strcmp(key, "mode") == 0 || strcmp(key, "uid") == 0 ||
	       strcmp(key, "gid") == 0;
}

/* One parameter, as Linux's vfs_parse_fs_param; value NULL but for
   FSCONFIG_SET_STRING. */
static long
ctx_param(struct fs_context *fc, const char *key, const char *value)
{
	if (fc->phase != PHASE_CREATE_PARAMS && fc->phase != PHASE_RECONF_PARAMS)
		return -EBUSY;
	if (sb_flag(fc, key))
		return 0;
	if (strcmp(fc->type, "tmpfs") == 0 && tmpfs_key(key) && value) {
		size_t used = strlen(fc->options);
		int n = snprintk(fc->options + used, sizeof(fc->options) - used,
				 "%s%s=%s", used ? "," : "", key, value);
		if (used + (size_t)n >= sizeof(fc->options)) {
			fc->options[used] = 0;
			return -EINVAL;
		}
		return 0;
	}
	if (strcmp(key, "source") == 0) {
		if (!value || fc->source[0])
			return -EINVAL;	/* not a string, or a second one */
		if (strlen(value) >= sizeof(fc->source))
			return -ENAMETOOLONG;
		memcpy(fc->source, value, strlen(value) + 1);
		return 0;
	}
	return -EINVAL;		/* a parameter the file system does not know */
}

/* CMD_CREATE: an in-kernel tree is made now; a disk's source is checked. */
static long
ctx_create(struct proc *p, struct fs_context *fc)
{
	if (fc->phase != PHASE_CREATE_PARAMS)
		return -EBUSY;
	fc->phase = PHASE_FAILED;
	if (disk_type(fc->type)) {
		if (!fc->source[0])
			return -EINVAL;	/* ext2 needs its device */
		struct inode *dev = vfs_lookup(p, AT_FDCWD, fc->source, true);
		if (IS_ERR(dev))
			return PTR_ERR(dev);
		long r = loop_check_source(dev);
		if (r == -ENXIO)
			r = -EINVAL;	/* unbound: no superblock on it */
		inode_put(dev);
		if (r < 0)
			return r;
		fc->root = tmpfs_new_root("tmpfs");	/* the placeholder */
		if (!fc->root)
			return -ENOMEM;
	} else {
		struct inode *root = mount_new_tree(fc->type, fc->options,
						    &fc->kind);
		if (IS_ERR(root))
			return PTR_ERR(root);
		fc->root = root;
	}
	fc->phase = PHASE_AWAITING_MOUNT;
	return 0;
}

static long
ctx_reconfigure(struct fs_context *fc)
{
	if (fc->phase != PHASE_RECONF_PARAMS)
		return -EBUSY;
	struct inode *place = fc->root->covered;
	if (!place && fc->root != vfs_root())
		return -EINVAL;	/* unmounted since fspick */
	bool ro = fc->ro_set ? fc->ro : fc->root->sb && fc->root->sb->read_only;
	if (place)
		inode_get(place);
	long r = mount_reconfigure(fc->root, ro, fc->options);
	if (place && place->mounted && place->mounted != fc->root) {
		inode_put(fc->root);	/* a disk's new server, new root */
		fc->root = place->mounted;
		inode_get(fc->root);
	}
	if (place)
		inode_put(place);
	/* Linux cleans the context for the next round either way. */
	fc->options[0] = 0;
	fc->ro_set = false;
	return r;
}

/* fsconfig's argument checks, before the fd is looked at. */
static long
fsconfig_check(unsigned cmd, uaddr_t key, uaddr_t value, int aux)
{
	switch (cmd) {
	case FSCONFIG_SET_FLAG:
		return !key || value || aux ? -EINVAL : 0;
	case FSCONFIG_SET_STRING:
		return !key || !value || aux ? -EINVAL : 0;
	case FSCONFIG_SET_BINARY:
		return !key || !value || aux <= 0 || aux > 1024 * 1024 ?
		       -EINVAL : 0;
	case FSCONFIG_SET_PATH:
	case FSCONFIG_SET_PATH_EMPTY:
		return !key || !value || (aux != AT_FDCWD && aux < 0) ?
		       -EINVAL : 0;
	case FSCONFIG_SET_FD:
		return !key || value || aux < 0 ? -EINVAL : 0;
	case FSCONFIG_CMD_CREATE:
	case FSCONFIG_CMD_CREATE_EXCL:
	case FSCONFIG_CMD_RECONFIGURE:
		return key || value || aux ? -EINVAL : 0;
	}
	return -EOPNOTSUPP;
}

/* A user string of up to 255 bytes into buf[256]. */
static long
copy_param(char *buf, uaddr_t u)
{
	long n = copyinstr(buf, u, 256);
	return n == -EFAULT ? n : n < 0 ? -EINVAL : 0;
}

long
sys_fsconfig(int fd, unsigned cmd, uaddr_t ukey, uaddr_t uvalue, int aux)
{
	struct proc *p = current()->proc;
	if (fd < 0)
		return -EINVAL;
	long r = fsconfig_check(cmd, ukey, uvalue, aux);
	if (r < 0)
		return r;
	struct file *f = fd_hold(fd);	/* a reconfigure may sleep */
	if (!f)
		return -EBADF;
	if (f->ops != &fscontext_fops)
		return -EINVAL;
	struct fs_context *fc = f->priv;
	if (cmd == FSCONFIG_CMD_CREATE || cmd == FSCONFIG_CMD_CREATE_EXCL)
		return ctx_create(p, fc);
	if (cmd == FSCONFIG_CMD_RECONFIGURE)
		return ctx_reconfigure(fc);
	char *buf = kmalloc(512);
	if (!buf)
		return -ENOMEM;
	char *key = buf, *value = buf + 256;
	r = copy_param(key, ukey);
	if (r == 0 && cmd == FSCONFIG_SET_STRING)
		r = copy_param(value, uvalue);
	if (r == 0 && cmd == FSCONFIG_SET_FD && !fd_get(p, aux))
		r = -EBADF;
	if (r == 0 && (cmd == FSCONFIG_SET_PATH ||
		       cmd == FSCONFIG_SET_PATH_EMPTY)) {
		char *path = getpath(uvalue, &r);
		if (path && !path[0] && cmd == FSCONFIG_SET_PATH)
			r = -ENOENT;
		kfree(path);
	}
	if (r == 0)
		r = ctx_param(fc, key, cmd == FSCONFIG_SET_STRING ? value : NULL);
	kfree(buf);
	return r;
}

static void
detached_close(struct file *f)
{
	struct detached *d = f->priv;
	if (!d)
		return;
	list_remove(&d->link);
	kfree(d);
}

static const struct file_ops detached_fops = {
	.close = detached_close,
};

#define FSMOUNT_ATTRS (MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | \
		       MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC | MOUNT_ATTR__ATIME | \
		       MOUNT_ATTR_NODIRATIME | MOUNT_ATTR_NOSYMFOLLOW)

static bool
atime_valid(unsigned attr)
{
	unsigned a = attr & MOUNT_ATTR__ATIME;
	return a == MOUNT_ATTR_RELATIME || a == MOUNT_ATTR_NOATIME ||
	       a == MOUNT_ATTR_STRICTATIME;
}

/* An O_PATH fd on d's root whose close forgets d. */
static long
install_detached(struct detached *d, bool cloexec)
{
	struct file *f = file_new(d->root, O_PATH);
	if (!f) {
		kfree(d);
		return -ENOMEM;
	}
	f->ops = &detached_fops;
	f->priv = d;
	list_push_back(&detached_list, &d->link);
	int fd = fd_install(current()->proc, f, 0, cloexec);
	if (fd < 0)
		file_put(f);
	return fd;
}

long
sys_fsmount(int fs_fd, unsigned flags, unsigned attr)
{
	struct proc *p = current()->proc;
	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	if (flags & ~FSMOUNT_CLOEXEC)
		return -EINVAL;
	if ((attr & ~(unsigned)FSMOUNT_ATTRS) || !atime_valid(attr))
		return -EINVAL;
	struct file *f = fd_get(p, fs_fd);
	if (!f)
		return -EBADF;
	if (f->ops != &fscontext_fops)
		return -EINVAL;
	struct fs_context *fc = f->priv;
	if (!fc->root)
		return -EINVAL;	/* nothing created */
	if (fc->phase != PHASE_AWAITING_MOUNT)
		return -EBUSY;
	struct detached *d = kzalloc(sizeof(*d));
	if (!d)
		return -ENOMEM;
	d->root = fc->root;
	d->disk = !fc->kind;	/* decided at create: the mounter may go */
	d->ro = (attr & MOUNT_ATTR_RDONLY) || (fc->ro_set && fc->ro);
	d->mnt_flags = mount_flags_from_attr(attr);
	memcpy(d->type, fc->type, sizeof(d->type));
	d->kind = fc->kind;
	snprintk(d->source, sizeof(d->source), "%s",
		 fc->source[0] ? fc->source : "none");
	long fd = install_detached(d, flags & FSMOUNT_CLOEXEC);
	if (fd >= 0)
		fc->phase = PHASE_MOUNTED;
	return fd;
}

/* The detached mount whose root is ino, or NULL. */
static struct detached *
detached_of(struct inode *ino)
{
	list_for_each(it, &detached_list) {
		struct detached *d = list_entry(it, struct detached, link);
		if (d->root == ino && !d->attached)
			return d;
	}
	return NULL;
}

static long
attach_detached(struct proc *p, struct detached *d, struct inode *where)
{
	long r;
	if (!mount_in_tree(where, vfs_root()))
		return -EINVAL;	/* into a detached tree, its own included */
	if (d->clone) {
		r = mount_bind(d->root, where);
	} else if (d->disk) {
		r = diskmount(p, d->source, where, d->type,
			      d->ro ? MS_RDONLY : 0);
		if (r == 0 && where->mounted && where->mounted->sb)
			where->mounted->sb->mnt_flags = d->mnt_flags;
	} else {
		if (where->mounted)
			return -EBUSY;
		r = mount_attach(where, d->root, d->source, d->kind,
				 d->ro, d->mnt_flags);
	}
	if (r == 0)
		d->attached = true;
	return r;
}

#define MOVE_MOUNT_F_SYMLINKS 0x1
#define MOVE_MOUNT_F_EMPTY_PATH 0x4
#define MOVE_MOUNT_T_SYMLINKS 0x10
#define MOVE_MOUNT_T_EMPTY_PATH 0x40
#define MOVE_MOUNT_SET_GROUP 0x100
#define MOVE_MOUNT_BENEATH 0x200
#define MOVE_MOUNT__MASK 0x377

/* move_mount of an attached mount: the top one at its path (a bind's own
 * node, not the mount of what it shows). */
static long
move_attached(int dfd, uaddr_t upath, int at_flags, struct inode *where)
{
	struct inode *root = mount_root_lookup(dfd, upath, at_flags);
	if (IS_ERR(root))
		return PTR_ERR(root);
	long r = mount_attach_moved(root, where);
	inode_put(root);
	return r;
}

long
sys_move_mount(int from_dfd, uaddr_t from_path, int to_dfd, uaddr_t to_path,
	       unsigned flags)
{
	struct proc *p = current()->proc;
	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	if (flags & ~(unsigned)MOVE_MOUNT__MASK)
		return -EINVAL;
	if ((flags & (MOVE_MOUNT_BENEATH | MOVE_MOUNT_SET_GROUP)) ==
	    (MOVE_MOUNT_BENEATH | MOVE_MOUNT_SET_GROUP))
		return -EINVAL;
	if (flags & (MOVE_MOUNT_BENEATH | MOVE_MOUNT_SET_GROUP))
		return -EINVAL;	/* needs peer groups and stacked mounts */
	int fat = (flags & MOVE_MOUNT_F_SYMLINKS ? 0 : AT_SYMLINK_NOFOLLOW) |
		  (flags & MOVE_MOUNT_F_EMPTY_PATH ? AT_EMPTY_PATH : 0);
	int tat = (flags & MOVE_MOUNT_T_SYMLINKS ? 0 : AT_SYMLINK_NOFOLLOW) |
		  (flags & MOVE_MOUNT_T_EMPTY_PATH ? AT_EMPTY_PATH : 0);
	struct inode *from = lookup_at(from_dfd, from_path, fat);
	if (IS_ERR(from))
		return PTR_ERR(from);
	struct inode *where = lookup_at(to_dfd, to_path, tat);
	long r = IS_ERR(where) ? PTR_ERR(where) : 0;
	struct detached *d = r == 0 ? detached_of(from) : NULL;
	if (r == 0 && !S_ISDIR(where->mode) && !(d && d->clone))
		r = -EINVAL;	/* a directory's mount onto a file */
	else if (r == 0 && d)
		r = attach_detached(p, d, where);
	else if (r == 0)
		r = move_attached(from_dfd, from_path, fat, where);
	if (!IS_ERR(where))
		inode_put(where);
	inode_put(from);
	return r;
}

#define AT_RECURSIVE 0x8000
#define OPEN_TREE_CLONE 1

/*
 * open_tree's OPEN_TREE_CLONE: a detached bind of ino (an O_PATH fd on
 * it), which move_mount attaches. With AT_RECURSIVE or without, the mounts
 * inside are seen through it (kernel/fs/mount_bind.c).
 */
static long
open_tree_clone(struct inode *ino, bool cloexec)
{
	if (!ino->sb || (S_ISDIR(ino->mode) && !mount_in_tree(ino, vfs_root())))
		return -EINVAL;	/* a detached tree, an anonymous inode */
	struct detached *d = kzalloc(sizeof(*d));
	if (!d)
		return -ENOMEM;
	d->root = ino;		/* the fd's reference keeps it */
	d->clone = true;
	return install_detached(d, cloexec);
}

/* open_tree without OPEN_TREE_CLONE is an O_PATH open. */
long
sys_open_tree(int dfd, uaddr_t upath, unsigned flags)
{
	struct proc *p = current()->proc;
	if (flags & ~(unsigned)(AT_EMPTY_PATH | AT_NO_AUTOMOUNT | AT_RECURSIVE |
				AT_SYMLINK_NOFOLLOW | OPEN_TREE_CLONE |
				O_CLOEXEC))
		return -EINVAL;
	if ((flags & (AT_RECURSIVE | OPEN_TREE_CLONE)) == AT_RECURSIVE)
		return -EINVAL;
	if ((flags & OPEN_TREE_CLONE) && !capable(CAP_SYS_ADMIN))
		return -EPERM;
	struct inode *ino = lookup_at(dfd, upath,
				      flags & (AT_EMPTY_PATH |
					       AT_SYMLINK_NOFOLLOW));
	if (IS_ERR(ino))
		return PTR_ERR(ino);
	long r;
	if (flags & OPEN_TREE_CLONE) {
		r = open_tree_clone(ino, flags & O_CLOEXEC);
	} else {
		struct file *f = file_new(ino, O_PATH);
		r = -ENOMEM;
		if (f) {
			f->ops = NULL;
			r = fd_install(p, f, 0, flags & O_CLOEXEC);
			if (r < 0)
				file_put(f);
		}
	}
	inode_put(ino);
	return r;
}

struct mount_attr_k {
	uint64_t attr_set, attr_clr, propagation, userns_fd;
};

#define MOUNT_SETATTR_VALID (FSMOUNT_ATTRS | MOUNT_ATTR_IDMAP)

/* mount_setattr's checks of what is asked (Linux's build_mount_kattr). */
static long
setattr_check(const struct mount_attr_k *a)
{
	uint64_t prop = a->propagation;
	if (prop & ~(uint64_t)MS_PROPAGATION || (prop & (prop - 1)))
		return -EINVAL;
	if ((a->attr_set | a->attr_clr) & ~(uint64_t)MOUNT_SETATTR_VALID)
		return -EINVAL;
	if ((a->attr_clr & MOUNT_ATTR__ATIME) &&
	    (a->attr_clr & MOUNT_ATTR__ATIME) != MOUNT_ATTR__ATIME)
		return -EINVAL;
	if ((a->attr_set & MOUNT_ATTR__ATIME) &&
	    !(a->attr_clr & MOUNT_ATTR__ATIME))
		return -EINVAL;	/* a new atime rule replaces the old */
	if ((a->attr_clr & MOUNT_ATTR__ATIME) && !atime_valid(a->attr_set))
		return -EINVAL;
	if (a->attr_set & MOUNT_ATTR_IDMAP)
		return a->userns_fd > 0x7fffffff ? -EBADF : -EINVAL;
	if (a->attr_clr & MOUNT_ATTR_IDMAP)
		return -EINVAL;
	return 0;
}

/* The MOUNT_ATTR_* a mount has now. */
static unsigned
attr_of(const struct super *sb)
{
	unsigned f = sb->mnt_flags, a = sb->read_only ? MOUNT_ATTR_RDONLY : 0;
	a |= f & MS_NOSUID ? MOUNT_ATTR_NOSUID : 0;
	a |= f & MS_NODEV ? MOUNT_ATTR_NODEV : 0;
	a |= f & MS_NOEXEC ? MOUNT_ATTR_NOEXEC : 0;
	a |= f & MS_NODIRATIME ? MOUNT_ATTR_NODIRATIME : 0;
	a |= f & MS_NOSYMFOLLOW ? MOUNT_ATTR_NOSYMFOLLOW : 0;
	a |= f & MS_NOATIME ? MOUNT_ATTR_NOATIME :
	     f & MS_STRICTATIME ? MOUNT_ATTR_STRICTATIME : 0;
	return a;
}

static long
setattr_one(struct inode *root, const struct mount_attr_k *a)
{
	struct super *sb = root->sb;
	if (!sb)
		return 0;
	unsigned now = attr_of(sb);
	unsigned want = (now & ~(unsigned)a->attr_clr) | (unsigned)a->attr_set;
	bool ro = want & MOUNT_ATTR_RDONLY;
	if (mount_is_bind(root) &&
	    !mount_bind_flags_kept(root, ro, mount_flags_from_attr(want)))
		return -EINVAL;
	if (ro != sb->read_only && !mount_is_bind(root)) {
		long r = mount_reconfigure(root, ro, "");
		if (r < 0)
			return r;
	}
	unsigned keep = sb->mnt_flags & (MS_SHARED | MS_UNBINDABLE);
	if (a->propagation)
		keep = a->propagation & (MS_SHARED | MS_UNBINDABLE);
	sb->mnt_flags = mount_flags_from_attr(want) | keep;
	return 0;
}

/* mount_setattr on open_tree's clone before move_mount: its flags are
 * its source's (mount_bind_flags_kept), propagation aside. */
static long
setattr_clone(struct inode *ino, const struct mount_attr_k *a)
{
	unsigned now = attr_of(ino->sb);
	unsigned want = (now & ~(unsigned)a->attr_clr) | (unsigned)a->attr_set;
	return want == now ? 0 : -EINVAL;
}

long
sys_mount_setattr(int dfd, uaddr_t upath, unsigned flags, uaddr_t uattr,
		  size_t size)
{
	struct mount_attr_k a;
	if (flags & ~(unsigned)(AT_EMPTY_PATH | AT_RECURSIVE |
				AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT))
		return -EINVAL;
	if (size > PAGE_SIZE)
		return -E2BIG;
	if (size < sizeof(a))
		return -EINVAL;
	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	long r = copy_struct_in(&a, sizeof(a), uattr, size);
	if (r < 0)
		return r;
	if (!a.attr_set && !a.attr_clr && !a.propagation)
		return 0;
	if ((r = setattr_check(&a)) < 0)
		return r;
	struct inode *top = mount_root_lookup(dfd, upath,
					      flags & (AT_EMPTY_PATH |
						       AT_SYMLINK_NOFOLLOW));
	if (IS_ERR(top))
		return PTR_ERR(top);
	struct detached *d = detached_of(top);
	r = d && d->clone ? setattr_clone(top, &a) : setattr_one(top, &a);
	bool recursive = (flags & AT_RECURSIVE) && !(d && d->clone);
	for (int i = 0; r == 0 && recursive && i < MOUNT_MAX; i++)
		if (mounts[i].root && mounts[i].root != top &&
		    mounts[i].root->covered &&
		    mount_in_tree(mounts[i].root->covered, top))
			r = setattr_one(mounts[i].root, &a);
	inode_put(top);
	return r;
}
