/*
 * statx(2): what stat gives plus the mount's id, whether the file is a
 * mount's root, tmpfs's birth time and inode flags (immutable,
 * append-only, nodump) and a block device's direct-I/O alignment, with
 * the mask bits Linux 6.1 sets for each.
 */
#include <kernel/proc.h>
#include <kernel/vfs.h>
#include <kernel/mount.h>
#include <kernel/xattr.h>
#include <kernel/vm.h>
#include <kernel/syscall.h>
#include <syscall_table.h>
#include <kernel/errno.h>
#include <kernel/kmalloc.h>
#include <kernel/string.h>
#include "path.h"

#define STATX_BASIC_STATS 0x07ffu
#define STATX_BTIME 0x0800u
#define STATX_MNT_ID 0x1000u
#define STATX_MNT_ID_UNIQUE 0x4000u
#define STATX_DIOALIGN 0x2000u
#define STATX__RESERVED 0x80000000u

#define STATX_ATTR_IMMUTABLE 0x0010u
#define STATX_ATTR_APPEND 0x0020u
#define STATX_ATTR_NODUMP 0x0040u
#define STATX_ATTR_AUTOMOUNT 0x1000u
#define STATX_ATTR_MOUNT_ROOT 0x2000u
#define STATX_ATTR_DAX 0x200000u

struct statx_ts {
	int64_t sec;
	uint32_t nsec;
	int32_t pad;
};

/* struct statx, as Linux lays it out (256 bytes). */
struct statx_k {
	uint32_t mask, blksize;
	uint64_t attributes;
	uint32_t nlink, uid, gid;
	uint16_t mode, pad0;
	uint64_t ino, size, blocks, attributes_mask;
	struct statx_ts atime, btime, ctime, mtime;
	uint32_t rdev_major, rdev_minor, dev_major, dev_minor;
	uint64_t mnt_id;
	uint32_t dio_mem_align, dio_offset_align;
	uint64_t spare[12];
};
_Static_assert(sizeof(struct statx_k) == 256, "struct statx is 256 bytes");

static struct statx_ts
ts_of(struct timespec_k t)
{
	return (struct statx_ts){ t.tv_sec, (uint32_t)t.tv_nsec, 0 };
}

static bool
is_mount_root(struct inode *ino)
{
	return ino->covered || ino == vfs_root();
}

/* tmpfs's flags, as shmem_getattr shows them. */
static void
flags_fill(const struct inode *ino, struct statx_k *sx)
{
	static const struct {
		unsigned flag, attr;
	} map[] = {
		{ FS_IMMUTABLE_FL, STATX_ATTR_IMMUTABLE },
		{ FS_APPEND_FL, STATX_ATTR_APPEND },
		{ FS_NODUMP_FL, STATX_ATTR_NODUMP },
	};
	for (size_t i = 0; i < ARRAY_SIZE(map); i++) {
		sx->attributes_mask |= map[i].attr;
		if (ino->attr_flags & map[i].flag)
			sx->attributes |= map[i].attr;
	}
}

static void
statx_fill(struct inode *ino, unsigned want, struct statx_k *sx)
{
	memset(sx, 0, sizeof(*sx));
	/* stx_mnt_id: the unique id if asked (STATX_MNT_ID_UNIQUE) */
	sx->mask = STATX_BASIC_STATS | (want & STATX_MNT_ID_UNIQUE ?
					STATX_MNT_ID_UNIQUE : STATX_MNT_ID);
	sx->blksize = inode_blksize(ino);
	sx->nlink = ino->nlink;
	sx->uid = ino->uid;
	sx->gid = ino->gid;
	sx->mode = (uint16_t)ino->mode;
	sx->ino = ino->ino;
	sx->size = ino->size;
	sx->blocks = ino->sb && ino->sb->real_blocks ? ino->blocks :
		     ALIGN_UP(ino->size, 4096) / 512;
	sx->atime = ts_of(ino->atime);
	sx->mtime = ts_of(ino->mtime);
	sx->ctime = ts_of(ino->ctime);
	/* Devices in Linux's new_encode_dev form (minors past 255: pts). */
	sx->rdev_major = (ino->rdev >> 8) & 0xfff;
	sx->rdev_minor = (ino->rdev & 0xff) | ((ino->rdev >> 12) & ~0xffu);
	uint32_t dev = ino->sb ? ino->sb->dev : 0;
	sx->dev_major = (dev >> 8) & 0xfff;
	sx->dev_minor = (dev & 0xff) | ((dev >> 12) & ~0xffu);
	sx->mnt_id = mount_id_of(ino, want & STATX_MNT_ID_UNIQUE);
	sx->attributes_mask = STATX_ATTR_AUTOMOUNT | STATX_ATTR_DAX |
			      STATX_ATTR_MOUNT_ROOT;
	if (is_mount_root(ino))
		sx->attributes |= STATX_ATTR_MOUNT_ROOT;
	if (xattr_supported(ino)) {
		flags_fill(ino, sx);
		if (ino->attr_flags & FS_NOATIME_FL)
			sx->mask &= ~0x20u;	/* STATX_ATIME: not kept */
		if (want & STATX_BTIME) {
			sx->mask |= STATX_BTIME;
			sx->btime = ts_of(ino->btime);
		}
	}
	/* A block device (a loop device): what /sys/block/loopN/queue says
	   of its alignment (dma_alignment + 1, logical_block_size). */
	if (S_ISBLK(ino->mode) && (want & STATX_DIOALIGN)) {
		sx->mask |= STATX_DIOALIGN;
		sx->dio_mem_align = 512;
		sx->dio_offset_align = 512;
	}
}

/*
 * The mount id of a bind's root named by its path: the bind's, as Linux's
 * (a walk ends on the bound inode itself, whose id is its own mount's).
 */
static void
bind_mnt_id(int dirfd, uaddr_t upath, int flags, unsigned mask,
	    struct statx_k *sx)
{
	long err = 0;
	char *path = getpath(upath, &err);
	if (!path || !path[0]) {
		kfree(path);
		return;
	}
	struct inode *top = mount_lookup(current()->proc, dirfd, path,
					 !(flags & AT_SYMLINK_NOFOLLOW));
	kfree(path);
	if (IS_ERR(top))
		return;
	if (mount_is_bind(top))
		sx->mnt_id = mount_id_of(top, mask & STATX_MNT_ID_UNIQUE);
	inode_put(top);
}

long
sys_statx(int dirfd, uaddr_t path, int flags, unsigned mask, uaddr_t buf)
{
	if (mask & STATX__RESERVED)
		return -EINVAL;
	if ((flags & AT_STATX_SYNC_TYPE) == AT_STATX_SYNC_TYPE)
		return -EINVAL;
	if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT | AT_EMPTY_PATH |
		      AT_STATX_SYNC_TYPE))
		return -EINVAL;
	struct inode *ino = lookup_at(dirfd, path, flags);
	if (IS_ERR(ino))
		return PTR_ERR(ino);
	long r = vfs_getattr(ino);
	struct statx_k sx;
	if (r == 0)
		statx_fill(ino, mask, &sx);
	if (r == 0 && mount_bind_shows(ino))
		bind_mnt_id(dirfd, path, flags, mask, &sx);
	inode_put(ino);
	return r < 0 ? r : copyout(buf, &sx, sizeof(sx));
}
