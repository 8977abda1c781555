/*
 * Inode flags (chattr's): ioctl FS_IOC_GETFLAGS, FS_IOC_SETFLAGS,
 * FS_IOC_FSGETXATTR, FS_IOC_FSSETXATTR and the calls file_getattr and
 * file_setattr (Linux 6.17). tmpfs keeps immutable, append-only, nodump
 * and noatime on regular files and directories (as Linux's shmem since
 * 6.0); the VFS refuses changes to immutable and append-only files.
 * fsd's ext2 does not hand its flags over yet: they read as none there
 * through file_getattr, and every change is EOPNOTSUPP.
 */
#include <kernel/proc.h>
#include <kernel/vfs.h>
#include <kernel/xattr.h>
#include <kernel/inotify.h>
#include <kernel/vm.h>
#include <kernel/syscall.h>
#include <syscall_table.h>
#include <kernel/errno.h>
#include <kernel/string.h>
#include "path.h"

#define FS_IOC_GETFLAGS 0x80086601u
#define FS_IOC_SETFLAGS 0x40086602u
#define FS_IOC_FSGETXATTR 0x801c581fu
#define FS_IOC_FSSETXATTR 0x401c5820u

/* What tmpfs keeps (SHMEM_FL_USER_MODIFIABLE). */
#define TMPFS_FLAGS (FS_IMMUTABLE_FL | FS_APPEND_FL | FS_NODUMP_FL | \
		     FS_NOATIME_FL)

/* The FS_XFLAG_* bits of the flags that have one (fileattr_fill_flags). */
static const struct {
	unsigned flag, xflag;
} xflag_of[] = {
	{ FS_SYNC_FL, 0x20 },		/* FS_XFLAG_SYNC */
	{ FS_IMMUTABLE_FL, 0x8 },	/* FS_XFLAG_IMMUTABLE */
	{ FS_APPEND_FL, 0x10 },		/* FS_XFLAG_APPEND */
	{ FS_NODUMP_FL, 0x80 },		/* FS_XFLAG_NODUMP */
	{ FS_NOATIME_FL, 0x40 },	/* FS_XFLAG_NOATIME */
	{ FS_DAX_FL, 0x8000 },		/* FS_XFLAG_DAX */
	{ FS_PROJINHERIT_FL, 0x200 },	/* FS_XFLAG_PROJINHERIT */
};
#define XFLAG_COMMON 0x82f8u		/* the seven above */
#define XFLAGS_MASK 0x8001fffbu		/* every FS_XFLAG_* Linux knows */
#define XFLAGS_RDONLY 0x80000002u	/* PREALLOC, HASATTR: not set */

/* Linux's struct file_kattr, reduced to what Petrel keeps or checks. */
struct fattr {
	unsigned flags;			/* FS_*_FL */
	uint32_t xflags, extsize, projid, cowextsize;
	bool fsx;			/* came as xflags (may carry more) */
};

static uint32_t
flags_to_xflags(unsigned flags)
{
	uint32_t x = 0;
	for (size_t i = 0; i < ARRAY_SIZE(xflag_of); i++)
		if (flags & xflag_of[i].flag)
			x |= xflag_of[i].xflag;
	return x;
}

static unsigned
xflags_to_flags(uint32_t xflags)
{
	unsigned f = 0;
	for (size_t i = 0; i < ARRAY_SIZE(xflag_of); i++)
		if (xflags & xflag_of[i].xflag)
			f |= xflag_of[i].flag;
	return f;
}

/* fsd's ext2: flags not passed on yet (read as none). */
static bool
server_ext2(const struct inode *ino)
{
	return ino->sb && ino->sb->type && strcmp(ino->sb->type, "ext2") == 0;
}

/* Whether ino has flags to show (Linux: a fileattr_get operation). */
static bool
has_flags(const struct inode *ino)
{
	return xattr_supported(ino) &&
	       (S_ISREG(ino->mode) || S_ISDIR(ino->mode));
}

/* ino's flags; -ENOTTY where its file system has none. */
static int
fattr_get(struct inode *ino, struct fattr *fa, bool none_ok)
{
	memset(fa, 0, sizeof(*fa));
	if (!has_flags(ino) && !(none_ok && server_ext2(ino)))
		return -ENOTTY;
	fa->flags = ino->attr_flags;
	fa->xflags = flags_to_xflags(fa->flags);
	return 0;
}

/* Linux's vfs_fileattr_set and fileattr_set_prepare, then shmem's. */
static int
fattr_set(struct inode *ino, struct fattr *fa)
{
	struct proc *p = current()->proc;
	if (!has_flags(ino))
		return -ENOTTY;
	if (!capable(CAP_FOWNER) && p->euid != ino->uid)
		return -EPERM;
	if (((ino->attr_flags ^ fa->flags) & (FS_APPEND_FL | FS_IMMUTABLE_FL))
	    && !capable(CAP_LINUX_IMMUTABLE))
		return -EPERM;
	if (fa->fsx && ((fa->xflags & ~XFLAG_COMMON) || fa->extsize ||
			fa->projid || fa->cowextsize))
		return -EOPNOTSUPP;
	if (fa->flags & ~TMPFS_FLAGS)
		return -EOPNOTSUPP;
	inode_set_flags(ino, fa->flags);
	inode_touch(ino, false, false, true);
	inotify_inode_event(ino, IN_ATTRIB);
	return 0;
}

/* struct fsxattr, as the FS_IOC_FS*XATTR ioctls carry it. */
struct fsxattr_k {
	uint32_t xflags, extsize, nextents, projid, cowextsize;
	uint8_t pad[8];
};
_Static_assert(sizeof(struct fsxattr_k) == 28, "Linux's struct fsxattr");

bool
fileattr_ioctl_cmd(struct file *f, unsigned cmd)
{
	return (cmd == FS_IOC_GETFLAGS || cmd == FS_IOC_SETFLAGS ||
		cmd == FS_IOC_FSGETXATTR || cmd == FS_IOC_FSSETXATTR) &&
	       f->inode && has_flags(f->inode);
}

static long
ioctl_set(struct file *f, unsigned cmd, uint64_t arg)
{
	struct fattr fa = { 0 };
	if (cmd == FS_IOC_FSSETXATTR) {
		struct fsxattr_k x;
		if (copyin(&x, arg, sizeof(x)) < 0)
			return -EFAULT;
		fa = (struct fattr){ xflags_to_flags(x.xflags), x.xflags,
				     x.extsize, x.projid, x.cowextsize, true };
	} else {
		int flags;
		if (copyin(&flags, arg, sizeof(flags)) < 0)
			return -EFAULT;
		fa.flags = (unsigned)flags;
	}
	long r = vfs_writable(f->inode);
	return r ?: fattr_set(f->inode, &fa);
}

long
fileattr_ioctl(struct file *f, unsigned cmd, uint64_t arg)
{
	if (cmd == FS_IOC_SETFLAGS || cmd == FS_IOC_FSSETXATTR)
		return ioctl_set(f, cmd, arg);
	struct fattr fa;
	long r = fattr_get(f->inode, &fa, false);
	if (r < 0)
		return r;
	if (cmd == FS_IOC_FSGETXATTR) {
		struct fsxattr_k x = { .xflags = fa.xflags };
		return copyout(arg, &x, sizeof(x)) < 0 ? -EFAULT : 0;
	}
	int flags = (int)fa.flags;
	return copyout(arg, &flags, sizeof(flags)) < 0 ? -EFAULT : 0;
}

/* struct file_attr of file_getattr and file_setattr. */
struct file_attr_k {
	uint64_t xflags;
	uint32_t extsize, nextents, projid, cowextsize;
};
#define FILE_ATTR_SIZE_VER0 24
_Static_assert(sizeof(struct file_attr_k) == FILE_ATTR_SIZE_VER0,
	       "Linux's struct file_attr");

/* The checks file_getattr and file_setattr start with. */
static long
attr_args(size_t usize, unsigned at_flags)
{
	if (at_flags & ~(unsigned)(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	if (usize > PAGE_SIZE)
		return -E2BIG;
	return usize < FILE_ATTR_SIZE_VER0 ? -EINVAL : 0;
}

/* Linux's copy_struct_from_user: a longer struct's tail must be zero. */
static long
attr_copyin(struct file_attr_k *a, uaddr_t ua, size_t usize)
{
	return copy_struct_in(a, sizeof(*a), ua, usize);
}

static long
attr_copyout(uaddr_t ua, size_t usize, const struct file_attr_k *a)
{
	if (usize > sizeof(*a) && user_zero(ua + sizeof(*a),
					    usize - sizeof(*a)) < 0)
		return -EFAULT;
	return copyout(ua, a, sizeof(*a)) < 0 ? -EFAULT : 0;
}

long
sys_file_getattr(int dirfd, uaddr_t path, uaddr_t ufattr, size_t usize,
		 unsigned at_flags)
{
	long r = attr_args(usize, at_flags);
	if (r < 0)
		return r;
	struct inode *ino = lookup_at(dirfd, path, (int)at_flags);
	if (IS_ERR(ino))
		return PTR_ERR(ino);
	struct fattr fa;
	r = fattr_get(ino, &fa, true);
	inode_put(ino);
	if (r < 0)
		return -EOPNOTSUPP;
	struct file_attr_k a = { .xflags = fa.xflags };
	return attr_copyout(ufattr, usize, &a);
}

long
sys_file_setattr(int dirfd, uaddr_t path, uaddr_t ufattr, size_t usize,
		 unsigned at_flags)
{
	struct file_attr_k a;
	long r = attr_args(usize, at_flags);
	r = r ?: attr_copyin(&a, ufattr, usize);
	if (r < 0)
		return r;
	if (a.xflags & ~(uint64_t)XFLAGS_MASK)
		return -EINVAL;
	uint32_t xflags = (uint32_t)a.xflags & ~XFLAGS_RDONLY;
	struct fattr fa = { xflags_to_flags(xflags), xflags, a.extsize,
			    a.projid, a.cowextsize, true };
	struct inode *ino = lookup_at(dirfd, path, (int)at_flags);
	if (IS_ERR(ino))
		return PTR_ERR(ino);
	r = vfs_writable(ino);
	r = r ?: fattr_set(ino, &fa);
	inode_put(ino);
	return r == -ENOTTY ? -EOPNOTSUPP : r;
}
