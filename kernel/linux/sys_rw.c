/*
 * Data calls beyond read and write: preadv2/pwritev2 (their flags),
 * copy_file_range (a copy through a kernel buffer), the hints fadvise64
 * and readahead (checked, then nothing to do: there is no page cache to
 * warm), fallocate (growing a file; no other mode), and sync_file_range
 * (a datasync of the whole file when asked to write).
 */
#include <kernel/proc.h>
#include <kernel/vfs.h>
#include <kernel/vm.h>
#include <kernel/kmalloc.h>
#include <kernel/syscall.h>
#include <syscall_table.h>
#include <kernel/errno.h>
#include <kernel/string.h>
#include <kernel/tmpfs.h>

#define RWF_HIPRI 0x01
#define RWF_DSYNC 0x02
#define RWF_SYNC 0x04
#define RWF_NOWAIT 0x08
#define RWF_APPEND 0x10
#define MAX_RW_COUNT 0x7ffff000ul
#define COPY_BUF 65536

/*
 * The flags Petrel honours: HIPRI is a hint, DSYNC and SYNC sync the file
 * after a write. NOWAIT (never block on I/O) and APPEND are EOPNOTSUPP,
 * as Linux answers for a file that lacks them.
 */
static long
rwf_check(int fd, int flags)
{
	if (!fd_hold(fd))
		return -EBADF;
	if ((unsigned)flags & ~(unsigned)(RWF_HIPRI | RWF_DSYNC | RWF_SYNC))
		return -EOPNOTSUPP;
	return 0;
}

/* pos_h is for 32-bit callers: on x86_64 pos_l is the whole offset. */
long
sys_preadv2(int fd, uaddr_t iov, int iovcnt, int64_t pos_l, int64_t pos_h,
	    int flags)
{
	(void)pos_h;
	if (pos_l < -1)
		return -EINVAL;
	long e = rwf_check(fd, flags);
	if (e < 0)
		return e;
	return pos_l == -1 ? sys_readv(fd, iov, iovcnt) :
			     sys_preadv(fd, iov, iovcnt, pos_l);
}

long
sys_pwritev2(int fd, uaddr_t iov, int iovcnt, int64_t pos_l, int64_t pos_h,
	     int flags)
{
	(void)pos_h;
	if (pos_l < -1)
		return -EINVAL;
	long e = rwf_check(fd, flags);
	if (e < 0)
		return e;
	long r = pos_l == -1 ? sys_writev(fd, iov, iovcnt) :
			       sys_pwritev(fd, iov, iovcnt, pos_l);
	if (r > 0 && (flags & (RWF_DSYNC | RWF_SYNC)))
		sys_fsync(fd);
	return r;
}

/* ---- copy_file_range ------------------------------------------------------ */

/* Linux's generic_copy_file_checks, in its order. */
static long
copy_checks(struct file *in, struct file *out)
{
	if (!in->inode || !out->inode)
		return -EINVAL;
	if (S_ISDIR(in->inode->mode) || S_ISDIR(out->inode->mode))
		return -EISDIR;
	if (!S_ISREG(in->inode->mode) || !S_ISREG(out->inode->mode))
		return -EINVAL;
	if ((in->flags & O_ACCMODE) == O_WRONLY || (in->flags & O_PATH) ||
	    (out->flags & O_ACCMODE) == O_RDONLY || (out->flags & O_PATH) ||
	    (out->flags & O_APPEND))
		return -EBADF;
	if (in->inode->sb != out->inode->sb)
		return -EXDEV;
	if (!in->ops || !in->ops->read || !out->ops || !out->ops->write)
		return -EINVAL;
	return 0;
}

/* The offset a copy_file_range side uses: *uoff's, else the file's. */
static long
copy_offset(struct file *f, uaddr_t uoff, uint64_t *off)
{
	int64_t o;
	*off = f->offset;
	if (!uoff)
		return 0;
	if (copyin(&o, uoff, sizeof(o)) < 0)
		return -EFAULT;
	if (o < 0)
		return -EINVAL;
	*off = (uint64_t)o;
	return 0;
}

/* Copies len bytes from in at *ioff to out at *ooff; returns the count. */
static long
copy_loop(struct file *in, uint64_t *ioff, struct file *out, uint64_t *ooff,
	  size_t len)
{
	char *k = kmalloc(COPY_BUF);
	if (!k)
		return -ENOMEM;
	size_t done = 0;
	long r = 0;
	while (done < len) {
		r = in->ops->read(in, k, MIN(len - done, (size_t)COPY_BUF), ioff);
		if (r <= 0)
			break;
		long w = out->ops->write(out, k, (size_t)r, ooff);
		if (w < 0) {
			r = w;
			break;
		}
		done += (size_t)w;
		if (w < r || syscall_preempt_point())
			break;
	}
	kfree(k);
	return done ? (long)done : r;
}

long
sys_copy_file_range(int fd_in, uaddr_t off_in, int fd_out, uaddr_t off_out,
		    size_t len, unsigned flags)
{
	if (flags)
		return -EINVAL;
	struct file *in = fd_hold(fd_in), *out = fd_hold(fd_out);
	if (!in || !out)
		return -EBADF;
	uint64_t ioff, ooff;
	long e = copy_offset(in, off_in, &ioff);
	if (!e)
		e = copy_offset(out, off_out, &ooff);
	if (!e)
		e = copy_checks(in, out);
	if (e < 0)
		return e;
	len = MIN(len, (size_t)MAX_RW_COUNT);
	if (in->inode == out->inode && ioff < ooff + len && ooff < ioff + len)
		return -EINVAL;		/* overlapping ranges of one file */
	if (!len)
		return 0;
	long r = copy_loop(in, &ioff, out, &ooff, len);
	if (r <= 0)
		return r;
	int64_t o;
	if (off_in && (o = (int64_t)ioff, copyout(off_in, &o, sizeof(o)) < 0))
		return -EFAULT;
	if (off_out && (o = (int64_t)ooff, copyout(off_out, &o, sizeof(o)) < 0))
		return -EFAULT;
	if (!off_in)
		in->offset = ioff;
	if (!off_out)
		out->offset = ooff;
	return r;
}

/* ---- Hints ---------------------------------------------------------------- */

/* Linux's generic_fadvise: checked, then there is nothing to do. */
long
sys_fadvise64(int fd, int64_t offset, int64_t len, int advice)
{
	(void)offset;
	struct file *f = fd_hold(fd);
	if (!f)
		return -EBADF;
	if (f->inode && S_ISFIFO(f->inode->mode))
		return -ESPIPE;
	if (len < 0 || advice < 0 || advice > 5)	/* NORMAL .. NOREUSE */
		return -EINVAL;
	return 0;
}

long
sys_readahead(int fd, int64_t offset, size_t count)
{
	(void)offset, (void)count;
	struct file *f = fd_hold(fd);
	if (!f || (f->flags & O_ACCMODE) == O_WRONLY || (f->flags & O_PATH))
		return -EBADF;
	/* Linux's test is a page cache: anonymous inodes (epoll, eventfd,
	   fsopen...) have none, and here only what can be mapped has one. */
	if (!f->inode || !S_ISREG(f->inode->mode) || !f->inode->iops->getpage)
		return -EINVAL;
	return 0;
}

/* ---- fallocate ------------------------------------------------------------ */

#define FALLOC_FL_KEEP_SIZE 0x01
#define FALLOC_FL_PUNCH_HOLE 0x02
#define FALLOC_FL_KNOWN 0x7f
#define MAX_FILE_BYTES 0x7fffffffffffffffll

/*
 * Linux's vfs_fallocate checks, then, on a tmpfs file: mode 0 and
 * KEEP_SIZE give the range its pages now (ENOSPC then, not at a later
 * write), and a hole can be punched. A server's file (ext2, through fsd)
 * answers EOPNOTSUPP, as Linux's ext2, which has no fallocate: glibc's
 * posix_fallocate then writes the zeroes itself. Every other mode
 * (zeroing holes, collapsing, inserting) is EOPNOTSUPP.
 */
long
sys_fallocate(int fd, int mode, int64_t offset, int64_t len)
{
	struct file *f = fd_hold(fd);
	if (!f)
		return -EBADF;
	if (offset < 0 || len <= 0)
		return -EINVAL;
	if ((unsigned)mode & ~(unsigned)FALLOC_FL_KNOWN)
		return -EOPNOTSUPP;
	if ((mode & FALLOC_FL_PUNCH_HOLE) && !(mode & FALLOC_FL_KEEP_SIZE))
		return -EOPNOTSUPP;
	if ((f->flags & O_ACCMODE) == O_RDONLY || (f->flags & O_PATH))
		return -EBADF;
	struct inode *ino = f->inode;
	if (!ino)
		return -ENODEV;
	if (S_ISFIFO(ino->mode))
		return -ESPIPE;
	if (S_ISDIR(ino->mode))
		return -EISDIR;
	if (!S_ISREG(ino->mode))
		return -ENODEV;
	if (offset > MAX_FILE_BYTES - len)
		return -EFBIG;
	if (mode == (FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE))
		return tmpfs_punch_hole(ino, (uint64_t)offset, (uint64_t)len);
	if (mode & ~FALLOC_FL_KEEP_SIZE)
		return -EOPNOTSUPP;
	return tmpfs_fill_holes(ino, (uint64_t)offset, (uint64_t)len,
				mode & FALLOC_FL_KEEP_SIZE);
}

#define SYNC_FILE_RANGE_WAIT_BEFORE 1
#define SYNC_FILE_RANGE_WRITE 2
#define SYNC_FILE_RANGE_WAIT_AFTER 4

/*
 * sync_file_range, with Linux's checks: the range's pages are written
 * when SYNC_FILE_RANGE_WRITE asks, by a datasync of the whole file (a
 * server writes back no less); waiting alone has nothing to wait for.
 */
long
sys_sync_file_range(int fd, int64_t offset, int64_t nbytes, unsigned flags)
{
	struct file *f = fd_hold(fd);
	if (!f)
		return -EBADF;
	if (flags & ~(unsigned)(SYNC_FILE_RANGE_WAIT_BEFORE |
				SYNC_FILE_RANGE_WRITE |
				SYNC_FILE_RANGE_WAIT_AFTER))
		return -EINVAL;
	if (offset < 0 || nbytes < 0 || offset > INT64_MAX - nbytes)
		return -EINVAL;
	unsigned mode = f->inode ? f->inode->mode : 0;
	unsigned type = mode & S_IFMT;
	if (type != S_IFREG && type != S_IFBLK && type != S_IFDIR &&
	    type != S_IFLNK)
		return -ESPIPE;
	if ((flags & SYNC_FILE_RANGE_WRITE) && f->ops && f->ops->fsync)
		return f->ops->fsync(f, true);
	return 0;
}
