/*
 * ioctl FS_IOC_FIEMAP: where a file's blocks lie, as Linux's ioctl_fiemap
 * with fiemap_prep's checks. The file system answers (inode_ops.fiemap:
 * a server's asks its server, ext2 through fsd); one without it gives
 * EOPNOTSUPP, as Linux's tmpfs. Only FIEMAP_FLAG_SYNC is taken (ext2's
 * set); others are EBADR with them in fm_flags.
 */
#include <kernel/proc.h>
#include <kernel/vfs.h>
#include <kernel/vm.h>
#include <kernel/kmalloc.h>
#include <kernel/string.h>
#include <kernel/errno.h>

#define FIEMAP_FLAG_SYNC 1u
#define FIEMAP_EXTENT_LAST 1u
#define EXTENTS_AT_ONCE 64	/* asked of the file system per call */

/* Linux's struct fiemap (without the extents after it) and extent. */
struct fiemap_k {
	uint64_t start, length;
	uint32_t flags, mapped_extents, extent_count, reserved;
};
struct fiemap_extent_k {
	uint64_t logical, physical, length, reserved64[2];
	uint32_t flags, reserved[3];
};
_Static_assert(sizeof(struct fiemap_k) == 32, "Linux's struct fiemap");
_Static_assert(sizeof(struct fiemap_extent_k) == 56,
	       "Linux's struct fiemap_extent");
#define FIEMAP_MAX_EXTENTS (UINT32_MAX / sizeof(struct fiemap_extent_k))

/* The extents into the caller's array from uext on: how many, or -errno. */
static long
fill_extents(struct inode *ino, const struct fiemap_k *fm, uint64_t uext)
{
	if (fm->extent_count == 0)
		return ino->iops->fiemap(ino, fm->start, fm->length, NULL, 0);
	struct vfs_extent *ex = kmalloc(EXTENTS_AT_ONCE * sizeof(*ex));
	if (!ex)
		return -ENOMEM;
	uint64_t start = fm->start;
	uint64_t end = fm->length > UINT64_MAX - start ? UINT64_MAX :
						      start + fm->length;
	uint32_t mapped = 0;
	long r = 0;
	while (mapped < fm->extent_count && start < end) {
		size_t want = MIN(EXTENTS_AT_ONCE, fm->extent_count - mapped);
		r = ino->iops->fiemap(ino, start, end - start, ex, want);
		if (r <= 0)
			break;
		for (long i = 0; i < r; i++) {
			struct fiemap_extent_k e = {
				.logical = ex[i].logical,
				.physical = ex[i].physical,
				.length = ex[i].length,
				.flags = ex[i].last ? FIEMAP_EXTENT_LAST : 0,
			};
			if (copyout(uext + (mapped + (uint64_t)i) * sizeof(e), &e,
				    sizeof(e)) < 0) {
				kfree(ex);
				return -EFAULT;
			}
		}
		mapped += (uint32_t)r;
		if ((size_t)r < want || ex[r - 1].last)
			break;
		start = ex[r - 1].logical + ex[r - 1].length;
	}
	kfree(ex);
	return r < 0 ? r : (long)mapped;
}

long
file_fiemap(struct file *f, uint64_t arg)
{
	struct inode *ino = f->inode;
	if (!ino || !ino->iops || !ino->iops->fiemap)
		return -EOPNOTSUPP;
	struct fiemap_k fm;
	if (copyin(&fm, arg, sizeof(fm)) < 0)
		return -EFAULT;
	if (fm.extent_count > FIEMAP_MAX_EXTENTS)
		return -EINVAL;
	long r = 0;
	if (fm.flags & ~FIEMAP_FLAG_SYNC) {
		fm.flags &= ~FIEMAP_FLAG_SYNC;	/* those it cannot do */
		r = -EBADR;
	} else if (fm.length == 0) {
		r = -EINVAL;
	} else if (!S_ISREG(ino->mode)) {
		r = -EOPNOTSUPP;	/* ext2's fiemap maps files only */
	} else if ((fm.flags & FIEMAP_FLAG_SYNC) && f->ops && f->ops->fsync) {
		r = f->ops->fsync(f, false);
	}
	fm.mapped_extents = 0;
	if (r == 0) {
		r = fill_extents(ino, &fm, arg + sizeof(fm));
		fm.mapped_extents = r > 0 ? (uint32_t)r : 0;
		r = r < 0 ? r : 0;
	}
	if (copyout(arg, &fm, sizeof(fm)) < 0)
		return -EFAULT;
	return r;
}
