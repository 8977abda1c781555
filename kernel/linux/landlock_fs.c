/*
 * Landlock's file-system checks: the rights a layer grants a file are
 * those of its rules on the file itself and on every directory above it,
 * up to the root of the whole tree (crossing mount points; the covered
 * directory itself does not count, as Linux skips hidden mount points).
 * An access is allowed when each layer that handles it grants it.
 * Directories know their parent (inode.parent); a file's directory is
 * the one its name leads to, final symlinks followed.
 */
#include <kernel/landlock.h>
#include "landlock_int.h"
#include <kernel/proc.h>
#include <kernel/vfs.h>
#include <kernel/kmalloc.h>
#include <kernel/errno.h>
#include <kernel/string.h>

#define WALK_MAX 4096		/* a loop in the tree ends the walk */

static struct inode *
walk_up(struct inode *ino)
{
	while (ino->covered)
		ino = ino->covered;
	struct inode *up = ino->parent;
	return up && up != ino ? up : NULL;
}

static uint64_t
granted_on(const struct landlock_layer *l, const struct inode *ino)
{
	uint64_t access = 0;
	for (unsigned i = 0; i < l->nrules; i++)
		if (l->rules[i].inode == ino)
			access |= l->rules[i].access;
	return access;
}

/* What layer l grants on file (may be NULL) in dir and above. */
static uint64_t
layer_grants(const struct landlock_layer *l, struct inode *file,
	     struct inode *dir)
{
	uint64_t access = file ? granted_on(l, file) : 0;
	int steps = 0;
	for (struct inode *i = dir; i && steps < WALK_MAX; i = walk_up(i), steps++)
		access |= granted_on(l, i);
	return access;
}

/* Whether every layer of d grants what it handles of access. */
static bool
allowed(const struct landlock_domain *d, struct inode *file,
	struct inode *dir, uint64_t access)
{
	for (; d; d = d->parent) {
		uint64_t need = access & d->layer.handled_fs;
		if (need && (layer_grants(&d->layer, file, dir) & need) != need)
			return false;
	}
	return true;
}

int
landlock_check(struct inode *file, struct inode *dir, uint64_t access)
{
	struct landlock_domain *d = current()->landlock;
	if (!d)
		return 0;
	if (file && S_ISDIR(file->mode)) {
		dir = file;
		file = NULL;
	}
	return allowed(d, file, dir, access) ? 0 : -EACCES;
}

int
landlock_check_path(struct proc *p, int dirfd, const char *path,
		    struct inode *ino, uint64_t access)
{
	if (!current()->landlock)
		return 0;
	if (S_ISDIR(ino->mode))
		return landlock_check(ino, NULL, access);
	struct inode *dir = vfs_lookup_final_dir(p, dirfd, path);
	/* No directory to find ("" with AT_EMPTY_PATH, a /proc magic
	   link): only the file's own rules count. */
	if (IS_ERR(dir))
		return landlock_check(ino, NULL, access);
	int e = landlock_check(ino, dir, access);
	inode_put(dir);
	return e;
}

static bool
is_device(const struct inode *ino)
{
	return S_ISCHR(ino->mode) || S_ISBLK(ino->mode);
}

int
landlock_open(struct proc *p, int dirfd, const char *path, struct inode *ino,
	      unsigned flags, uint8_t *later)
{
	uint64_t access = 0;
	*later = 0;
	if (!current()->landlock || (flags & O_PATH))
		return 0;
	unsigned acc = flags & O_ACCMODE;
	if (S_ISDIR(ino->mode))
		access = acc != O_WRONLY ? LANDLOCK_ACCESS_FS_READ_DIR : 0;
	else
		access = (acc != O_WRONLY ? LANDLOCK_ACCESS_FS_READ_FILE : 0) |
			 (acc != O_RDONLY ? LANDLOCK_ACCESS_FS_WRITE_FILE : 0) |
			 ((flags & O_TRUNC) ? LANDLOCK_ACCESS_FS_TRUNCATE : 0);
	int e = landlock_check_path(p, dirfd, path, ino, access);
	if (e < 0 || S_ISDIR(ino->mode))
		return e;
	/* What the open file may do later is decided now, as Linux does. */
	if (landlock_check_path(p, dirfd, path, ino,
				LANDLOCK_ACCESS_FS_TRUNCATE) < 0)
		*later |= LANDLOCK_DENY_TRUNCATE;
	if (is_device(ino) && landlock_check_path(p, dirfd, path, ino,
						  LANDLOCK_ACCESS_FS_IOCTL_DEV) < 0)
		*later |= LANDLOCK_DENY_IOCTL_DEV;
	return 0;
}

static uint64_t
make_right(unsigned type)
{
	switch (type & S_IFMT) {
	case S_IFDIR: return LANDLOCK_ACCESS_FS_MAKE_DIR;
	case S_IFCHR: return LANDLOCK_ACCESS_FS_MAKE_CHAR;
	case S_IFBLK: return LANDLOCK_ACCESS_FS_MAKE_BLOCK;
	case S_IFIFO: return LANDLOCK_ACCESS_FS_MAKE_FIFO;
	case S_IFSOCK: return LANDLOCK_ACCESS_FS_MAKE_SOCK;
	case S_IFLNK: return LANDLOCK_ACCESS_FS_MAKE_SYM;
	}
	return LANDLOCK_ACCESS_FS_MAKE_REG;
}

static uint64_t
remove_right(const struct inode *victim)
{
	return S_ISDIR(victim->mode) ? LANDLOCK_ACCESS_FS_REMOVE_DIR :
				       LANDLOCK_ACCESS_FS_REMOVE_FILE;
}

int
landlock_make(struct inode *dir, unsigned type)
{
	return landlock_check(NULL, dir, make_right(type));
}

int
landlock_make_name(struct inode *dir, const char *name, size_t len,
		   unsigned type)
{
	if (!current()->landlock)
		return 0;
	struct inode *old = dir->iops->lookup(dir, name, len);
	if (!IS_ERR(old)) {
		inode_put(old);
		return 0;
	}
	return landlock_make(dir, type);
}

int
landlock_remove(struct inode *dir, struct inode *victim)
{
	return landlock_check(NULL, dir, remove_right(victim));
}

/*
 * Moving file (its own rules go with it) from od to nd must not give it
 * rights it lacked in od (Linux's no_more_access): per layer, REFER
 * granted on both sides and what nd's side grants of the layer's
 * handled rights within what od's side grants.
 */
static bool
refer_allowed(const struct landlock_domain *d, struct inode *file,
	      struct inode *od, struct inode *nd)
{
	for (; d; d = d->parent) {
		const struct landlock_layer *l = &d->layer;
		uint64_t handled = l->handled_fs & ~LANDLOCK_ACCESS_FS_REFER;
		uint64_t from = layer_grants(l, file, od);
		uint64_t to = layer_grants(l, file, nd);
		if (!(from & to & LANDLOCK_ACCESS_FS_REFER))
			return false;
		if ((to & handled) & ~(from & handled))
			return false;
	}
	return true;
}

int
landlock_rename(struct inode *od, struct inode *moved, struct inode *nd,
		struct inode *over, bool exchange)
{
	struct landlock_domain *d = current()->landlock;
	if (!d)
		return 0;
	int e = landlock_check(NULL, od, remove_right(moved));
	if (!e)
		e = landlock_check(NULL, nd, make_right(moved->mode));
	if (!e && over)
		e = landlock_check(NULL, nd, remove_right(over));
	if (!e && exchange && over) {
		e = landlock_check(NULL, od, make_right(over->mode));
		if (!e)
			e = landlock_check(NULL, nd, remove_right(over));
	}
	if (e || od == nd)
		return e;
	if (!refer_allowed(d, moved, od, nd))
		return -EXDEV;
	if (exchange && over && !refer_allowed(d, over, nd, od))
		return -EXDEV;
	return 0;
}

int
landlock_link(struct inode *od, struct inode *target, struct inode *nd)
{
	struct landlock_domain *d = current()->landlock;
	if (!d)
		return 0;
	int e = landlock_check(NULL, nd, make_right(target->mode));
	if (e || od == nd)
		return e;
	return refer_allowed(d, target, od, nd) ? 0 : -EXDEV;
}

int
landlock_ftruncate(struct file *f)
{
	return (f->landlock_denied & LANDLOCK_DENY_TRUNCATE) ? -EACCES : 0;
}

/* The ioctls Linux lets through on any device file: they act on the
 * descriptor or the file system, not the device. */
static bool
ioctl_always_allowed(unsigned cmd)
{
	switch (cmd) {
	case 0x5451:		/* FIOCLEX */
	case 0x5450:		/* FIONCLEX */
	case 0x5421:		/* FIONBIO */
	case 0x5452:		/* FIOASYNC */
	case 0x5460:		/* FIOQSIZE */
	case 0xc0045877:	/* FIFREEZE */
	case 0xc0045878:	/* FITHAW */
	case 0xc020660b:	/* FS_IOC_FIEMAP */
	case 0x2:		/* FIGETBSZ */
	case 0x40049409:	/* FICLONE */
	case 0x4020940d:	/* FICLONERANGE */
	case 0xc0189436:	/* FIDEDUPERANGE */
		return true;
	}
	return false;
}

int
landlock_ioctl(struct file *f, unsigned cmd)
{
	if (!(f->landlock_denied & LANDLOCK_DENY_IOCTL_DEV) ||
	    ioctl_always_allowed(cmd))
		return 0;
	return -EACCES;
}
