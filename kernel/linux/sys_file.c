/*
 * System calls on open files: read/write and their vector and positional
 * forms, seeking, descriptors (dup, close), pipes, ioctl, sendfile,
 * getdents, fstat. Data moves through a kernel bounce buffer. fcntl and
 * flock are in sys_fcntl.c.
 */
#include <kernel/proc.h>
#include <kernel/vfs.h>
#include <kernel/xattr.h>
#include <kernel/inotify.h>
#include <kernel/tmpfs.h>
#include <kernel/netif.h>
#include <kernel/vm.h>
#include <kernel/syscall.h>
#include <syscall_table.h>
#include <kernel/kmalloc.h>
#include <kernel/errno.h>
#include <kernel/string.h>
#include <kernel/landlock.h>

#define BOUNCE 65536
/* Linux's PIPE_BUF: a stream's writev up to it is one write. */
#define VEC_ATOMIC_MAX 4096
#define SENDFILE_MAX 0x7ffff000ul	/* Linux's MAX_RW_COUNT */

/* The file at fd, opened for I/O: an O_PATH descriptor is -EBADF here. */
static struct file *
getf(int fd)
{
	return fd_hold(fd);
}

/* The file at fd, an O_PATH descriptor too: for dup, fcntl and fstat. */
static struct file *
getf_path(int fd)
{
	return fd_hold_path(fd);
}

static long
do_read(struct file *f, uaddr_t buf, size_t len, uint64_t *off)
{
	if ((f->flags & O_ACCMODE) == O_WRONLY || (f->flags & O_PATH))
		return -EBADF;
	if (f->inode && S_ISDIR(f->inode->mode))
		return -EISDIR;
	if (!f->ops || !f->ops->read)
		return -EINVAL;
	if (len > 0x7ffff000)
		len = 0x7ffff000;
	int e = fanotify_access_perm(f);
	if (e < 0)
		return e;
	char *k = kmalloc(MIN(len, (size_t)BOUNCE) + 1);
	if (!k)
		return -ENOMEM;
	size_t done = 0;
	long r = 0;
	while (done < len) {
		size_t want = MIN(len - done, (size_t)BOUNCE);
		r = f->ops->read(f, k, want, off);
		if (r <= 0)
			break;
		if (copyout(buf + done, k, (size_t)r) < 0) {
			r = -EFAULT;
			break;
		}
		done += (size_t)r;
		/* Only regular files keep reading after a short count. */
		if ((size_t)r < want || !f->ops->seekable)
			break;
	}
	kfree(k);
	if (done > 0)
		inotify_file_event(f, IN_ACCESS);
	return done > 0 ? (long)done : r;
}

static long
do_write(struct file *f, uaddr_t buf, size_t len, uint64_t *off)
{
	if ((f->flags & O_ACCMODE) == O_RDONLY || (f->flags & O_PATH))
		return -EBADF;
	if (!f->ops || !f->ops->write)
		return -EINVAL;
	if (len > 0x7ffff000)
		len = 0x7ffff000;
	if (f->inode && S_ISREG(f->inode->mode) && len) {
		uint64_t pos = (f->flags & O_APPEND) ? f->inode->size : *off;
		long room = vfs_fsize_room(pos, len);
		if (room < 0)
			return room;
		len = (size_t)room;
	}
	char *k = kmalloc(MIN(len, (size_t)BOUNCE) + 1);
	if (!k)
		return -ENOMEM;
	size_t done = 0;
	long r = 0;
	while (done < len) {
		size_t want = MIN(len - done, (size_t)BOUNCE);
		struct uiovec v = { buf + done, want };
		/* A fault part way: the bytes before it, as Linux. */
		size_t got = uvec_copyin_part(k, &(struct uvec){ &v, 1, want });
		if (got == 0) {
			r = -EFAULT;
			break;
		}
		r = f->ops->write(f, k, got, off);
		if (r <= 0)
			break;
		done += (size_t)r;
		if ((size_t)r < want)
			break;
	}
	kfree(k);
	if (done > 0)
		inotify_file_event(f, IN_MODIFY);
	return done > 0 ? (long)done : r;
}

/* A file that takes the caller's buffers whole (file_ops.rw_iov). */
static long
do_rw_iov(struct file *f, const struct uiovec *iov, int n, bool write)
{
	if ((f->flags & O_ACCMODE) == (write ? O_RDONLY : O_WRONLY) ||
	    (f->flags & O_PATH))
		return -EBADF;
	long r = write ? 0 : fanotify_access_perm(f);
	if (r < 0)
		return r;
	r = f->ops->rw_iov(f, iov, n, write);
	if (r > 0)
		inotify_file_event(f, write ? IN_MODIFY : IN_ACCESS);
	return r;
}

/* A file whose data is elsewhere takes the caller's buffers (rw_at). */
static long
do_rw_at(struct file *f, const struct uiovec *iov, int n, bool write,
	 uint64_t *off)
{
	if ((f->flags & O_ACCMODE) == (write ? O_RDONLY : O_WRONLY) ||
	    (f->flags & O_PATH))
		return -EBADF;
	if (f->inode && S_ISDIR(f->inode->mode))
		return -EISDIR;
	long r = write ? 0 : fanotify_access_perm(f);
	if (r < 0)
		return r;
	r = f->ops->rw_at(f, iov, n, write, off);
	if (r > 0)
		inotify_file_event(f, write ? IN_MODIFY : IN_ACCESS);
	return r;
}

long
file_rw_vec(struct file *f, const struct uiovec *iov, int n, bool write,
	    uint64_t *off)
{
	if (f->ops && f->ops->rw_at)
		return do_rw_at(f, iov, n, write, off);
	long total = 0;
	for (int i = 0; i < n; i++) {
		if (iov[i].len == 0)
			continue;
		long r = write ? do_write(f, iov[i].base, iov[i].len, off)
			       : do_read(f, iov[i].base, iov[i].len, off);
		if (r < 0)
			return total ? total : r;
		total += r;
		if ((uint64_t)r < iov[i].len)
			break;
	}
	return total;
}

long
sys_read(int fd, uaddr_t buf, size_t count)
{
	if (current()->unlocked_call)	/* nolock(fd): a pipe's, or back */
		return read_unlocked(fd, buf, count);
	struct file *f = getf(fd);
	if (!f)
		return -EBADF;
	if (f->ops && f->ops->rw_at) {
		struct uiovec v = { buf, count };
		return do_rw_at(f, &v, 1, false, &f->offset);
	}
	if (f->ops && f->ops->rw_iov) {
		struct uiovec v = { buf, count };
		return do_rw_iov(f, &v, 1, false);
	}
	return do_read(f, buf, count, &f->offset);
}

long
sys_write(int fd, uaddr_t buf, size_t count)
{
	if (current()->unlocked_call)	/* nolock(fd): a pipe's, or back */
		return write_unlocked(fd, buf, count);
	struct file *f = getf(fd);
	if (!f)
		return -EBADF;
	if (f->ops && f->ops->rw_at) {
		struct uiovec v = { buf, count };
		return do_rw_at(f, &v, 1, true, &f->offset);
	}
	if (f->ops && f->ops->rw_iov) {
		struct uiovec v = { buf, count };
		return do_rw_iov(f, &v, 1, true);
	}
	return do_write(f, buf, count, &f->offset);
}

long
sys_pread64(int fd, uaddr_t buf, size_t count, int64_t off)
{
	if (current()->unlocked_call)	/* nolock: a tmpfs file's, or back */
		return pread_unlocked(fd, buf, count, off);
	struct file *f = getf(fd);
	if (!f)
		return -EBADF;
	if (!f->ops || !f->ops->seekable)
		return -ESPIPE;
	if (off < 0)
		return -EINVAL;
	uint64_t o = (uint64_t)off;
	if (f->ops->rw_at) {
		struct uiovec v = { buf, count };
		return do_rw_at(f, &v, 1, false, &o);
	}
	return do_read(f, buf, count, &o);
}

long
sys_pwrite64(int fd, uaddr_t buf, size_t count, int64_t off)
{
	if (current()->unlocked_call)	/* nolock(fd): a tmpfs file's, or back */
		return pwrite_unlocked(fd, buf, count, off);
	struct file *f = getf(fd);
	if (!f)
		return -EBADF;
	if (!f->ops || !f->ops->seekable)
		return -ESPIPE;
	if (off < 0)
		return -EINVAL;
	uint64_t o = (uint64_t)off;
	if (f->ops->rw_at) {
		struct uiovec v = { buf, count };
		return do_rw_at(f, &v, 1, true, &o);
	}
	return do_write(f, buf, count, &o);	/* O_APPEND still appends, as on Linux */
}

#define UIO_MAXIOV 1024

/*
 * Copies in the caller's iovec array as Linux's import_iovec checks it:
 * at most UIO_MAXIOV pieces (EINVAL), the array readable (EFAULT), no
 * length above SSIZE_MAX (EINVAL). Returns 0 with *out (kfree it).
 */
static long
iov_import(uaddr_t uiov, int iovcnt, struct uiovec **out)
{
	if (iovcnt < 0 || iovcnt > UIO_MAXIOV)
		return -EINVAL;
	struct uiovec *v = kmalloc(sizeof(*v) * (iovcnt ? iovcnt : 1));
	if (!v)
		return -ENOMEM;
	long r = copyin(v, uiov, sizeof(*v) * iovcnt) < 0 ? -EFAULT : 0;
	for (int i = 0; r == 0 && i < iovcnt; i++)
		if ((int64_t)v[i].len < 0)
			r = -EINVAL;
	if (r < 0) {
		kfree(v);
		return r;
	}
	*out = v;
	return 0;
}

/*
 * A stream's writev of up to PIPE_BUF bytes in all, gathered into one
 * write: Linux's pipe_write takes the whole iovec at once, so it goes in
 * whole or not at all (EAGAIN), never split among other writers' bytes.
 * A piece that faults ends what is gathered, as Linux's copy stops there.
 */
static long
write_gathered(struct file *f, const struct uiovec *v, int n, size_t total,
	       uint64_t *off)
{
	if ((f->flags & O_ACCMODE) == O_RDONLY || (f->flags & O_PATH))
		return -EBADF;
	char *k = kmalloc(total + 1);
	if (!k)
		return -ENOMEM;
	size_t got = 0;
	for (int i = 0; i < n && copyin(k + got, v[i].base, v[i].len) == 0; i++)
		got += v[i].len;
	long r = got ? f->ops->write(f, k, got, off) : -EFAULT;
	kfree(k);
	if (r > 0)
		inotify_file_event(f, IN_MODIFY);
	return r;
}

/*
 * Moves the pieces one by one through do_read or do_write. A read that
 * has bytes stops before a piece that would wait (a pipe, a terminal
 * with nothing more to read), as Linux's readv takes what the file holds.
 */
static long
vec_loop(struct file *f, const struct uiovec *v, int n, bool write,
	 uint64_t *off)
{
	if (write && n > 1 && f->ops && f->ops->write && !f->ops->seekable) {
		size_t sum = 0;
		for (int i = 0; i < n && sum <= VEC_ATOMIC_MAX; i++)
			sum += v[i].len;
		if (sum > 0 && sum <= VEC_ATOMIC_MAX)
			return write_gathered(f, v, n, sum, off);
	}
	long total = 0;
	for (int i = 0; i < n; i++) {
		if (v[i].len == 0)
			continue;
		if (!write && total && f->ops && f->ops->poll &&
		    !(f->ops->poll(f) & POLLIN))
			break;
		long r = write ? do_write(f, v[i].base, v[i].len, off) :
				 do_read(f, v[i].base, v[i].len, off);
		if (r < 0)
			return total ? total : r;
		total += r;
		if ((uint64_t)r < v[i].len)
			break;
	}
	return total;
}

static long
do_vec_at(int fd, uaddr_t iov, int iovcnt, bool write, int64_t at)
{
	struct file *f = getf(fd);
	if (!f)
		return -EBADF;
	uint64_t pos = f->offset, *off = &f->offset;
	if (at >= 0) {
		if (!f->ops || !f->ops->seekable)
			return -ESPIPE;
		pos = (uint64_t)at;
		off = &pos;
	}
	/* Linux's vfs_readv/vfs_writev look at the mode before the iovecs. */
	if ((f->flags & O_ACCMODE) == (write ? O_RDONLY : O_WRONLY))
		return -EBADF;
	struct uiovec *v;
	long r = iov_import(iov, iovcnt, &v);
	if (r < 0)
		return r;
	uint64_t any = 0;
	for (int i = 0; i < iovcnt; i++)
		any |= v[i].len;
	if (f->ops && f->ops->rw_at)
		r = do_rw_at(f, v, iovcnt, write, off);
	else if (f->ops && f->ops->rw_iov && at < 0)
		/* Nothing to move: Linux's vfs_readv/vfs_writev stop here, so
		   an empty writev sends no datagram (write(fd, p, 0) does). */
		r = any ? do_rw_iov(f, v, iovcnt, write) : 0;
	else
		r = vec_loop(f, v, iovcnt, write, off);
	kfree(v);
	return r;
}

long
sys_readv(int fd, uaddr_t iov, int iovcnt)
{
	if (current()->unlocked_call)	/* nolock(rfd): as read's, or back */
		return readv_unlocked(fd, iov, iovcnt);
	return do_vec_at(fd, iov, iovcnt, false, -1);
}

long
sys_writev(int fd, uaddr_t iov, int iovcnt)
{
	if (current()->unlocked_call)	/* nolock(fd): as write's, or back */
		return writev_unlocked(fd, iov, iovcnt);
	return do_vec_at(fd, iov, iovcnt, true, -1);
}

long
sys_preadv(int fd, uaddr_t iov, int iovcnt, int64_t off)
{
	return off < 0 ? -EINVAL : do_vec_at(fd, iov, iovcnt, false, off);
}

long
sys_pwritev(int fd, uaddr_t iov, int iovcnt, int64_t off)
{
	return off < 0 ? -EINVAL : do_vec_at(fd, iov, iovcnt, true, off);
}

/*
 * SEEK_DATA and SEEK_HOLE: a tmpfs file's holes are found; any other
 * regular file is all data up to its end, as Linux's generic answer.
 * Other files (directories, devices) are EINVAL.
 */
static long
seek_data(struct file *f, int64_t off, bool hole)
{
	struct inode *ino = f->inode;
	if (!ino || !S_ISREG(ino->mode))
		return -EINVAL;
	uint64_t size = f->ops->size ? f->ops->size(f) : ino->size;
	if (off < 0 || (uint64_t)off >= size)
		return -ENXIO;
	int64_t at = tmpfs_seals(ino) >= 0 ?
		     tmpfs_seek_data(ino, (uint64_t)off, hole) :
		     hole ? (int64_t)size : off;
	if (at >= 0)
		f->offset = (uint64_t)at;
	return at;
}

long
sys_lseek(int fd, int64_t off, int whence)
{
	if (current()->unlocked_call)	/* nolock(rfd): a tmpfs file's, or back */
		return lseek_unlocked(fd, off, whence);
	struct file *f = getf(fd);
	if (!f)
		return -EBADF;
	if (!f->ops || !f->ops->seekable)
		return -ESPIPE;
	int64_t base;
	switch (whence) {
	case 0: base = 0; break;
	case 1: base = (int64_t)f->offset; break;
	case 2:
		base = f->ops->size ? (int64_t)f->ops->size(f) :
		       f->inode ? (int64_t)f->inode->size : 0;
		break;
	case 3: return seek_data(f, off, false);	/* SEEK_DATA */
	case 4: return seek_data(f, off, true);		/* SEEK_HOLE */
	default: return -EINVAL;
	}
	if ((off > 0 && base > INT64_MAX - off) || base + off < 0)
		return -EINVAL;
	f->offset = (uint64_t)(base + off);
	return (long)f->offset;
}

long
sys_close(int fd)
{
	return fd_close(current()->proc, fd);
}

long
sys_dup(int fd)
{
	struct file *f = getf_path(fd);
	if (!f)
		return -EBADF;
	file_get(f);
	int r = fd_install(current()->proc, f, 0, false);
	if (r < 0)
		file_put(f);
	return r;
}

long
sys_dup3(int fd, int newfd, int flags)
{
	/* Linux's order: the flags, the same fd, then the fds themselves. */
	if (flags & ~O_CLOEXEC)
		return -EINVAL;
	if (fd == newfd)
		return -EINVAL;
	struct file *f = getf_path(fd);
	if (!f || newfd < 0)
		return -EBADF;
	file_get(f);
	long r = fd_install_at(current()->proc, f, newfd, flags & O_CLOEXEC);
	if (r < 0)
		file_put(f);
	return r;
}

long
sys_dup2(int fd, int newfd)
{
	if (fd == newfd)
		return getf_path(fd) ? newfd : -EBADF;
	return sys_dup3(fd, newfd, 0);
}

#define FICLONE 0x40049409u
#define FICLONERANGE 0x4020940du
#define FS_IOC_FIEMAP 0xc020660bu

/* FICLONE and FICLONERANGE (dst shares src's extents): no Petrel file
 * system can, as Linux's tmpfs and ext2 cannot, so past the checks of
 * Linux's vfs_clone_file_range the answer is EOPNOTSUPP. */
static long
file_clone(struct file *dst, unsigned cmd, uint64_t arg)
{
	int64_t range[4];	/* struct file_clone_range: src_fd first */
	if (cmd == FICLONERANGE && copyin(range, arg, sizeof(range)) < 0)
		return -EFAULT;
	struct file *src = getf(cmd == FICLONE ? (int)arg : (int)range[0]);
	if (!src)
		return -EBADF;
	if (!src->inode || !dst->inode || src->inode->sb != dst->inode->sb)
		return -EXDEV;
	if (S_ISDIR(src->inode->mode) || S_ISDIR(dst->inode->mode))
		return -EISDIR;
	if (!S_ISREG(src->inode->mode) || !S_ISREG(dst->inode->mode))
		return -EINVAL;
	if ((src->flags & O_ACCMODE) == O_WRONLY ||
	    (dst->flags & O_ACCMODE) == O_RDONLY || (dst->flags & O_APPEND))
		return -EBADF;
	return -EOPNOTSUPP;
}

long
sys_ioctl(int fd, unsigned long cmd, uint64_t arg)
{
	struct file *f = getf(fd);
	if (!f)
		return -EBADF;
	/* Linux takes the command as an unsigned int: musl passes an int,
	 * so _IOR() values with the top bit set arrive sign-extended. */
	cmd = (unsigned)cmd;
	long denied = landlock_ioctl(f, (unsigned)cmd);
	if (denied < 0)
		return denied;
	if (cmd == 0x5421) {	/* FIONBIO */
		int v;
		if (copyin(&v, arg, sizeof(v)) < 0)
			return -EFAULT;
		f->flags = v ? f->flags | O_NONBLOCK : f->flags & ~O_NONBLOCK;
		return 0;
	}
	if (cmd == 0x5451 || cmd == 0x5450) {	/* FIOCLEX, FIONCLEX */
		fd_set_cloexec(current()->proc, fd, cmd == 0x5451);
		return 0;
	}
	if (cmd == 0x5452) {	/* FIOASYNC */
		int on;
		if (copyin(&on, arg, sizeof(on)) < 0)
			return -EFAULT;
		if (!on == !(f->flags & O_ASYNC))
			return 0;
		return fasync_set(f, fd, on != 0);
	}
	if (cmd == 0x541b && f->inode && S_ISREG(f->inode->mode)) {
		/* FIONREAD on a regular file: the bytes past the offset (may
		 * be negative), as Linux's do_vfs_ioctl. A file of its own
		 * (inotify, fanotify: an anonymous inode, not regular on
		 * Linux) answers for itself first. */
		long r = f->ops && f->ops->ioctl ? f->ops->ioctl(f, cmd, arg)
						 : -ENOTTY;
		if (r != -ENOTTY)
			return r;
		int n = (int)(f->inode->size - f->offset);
		return copyout(arg, &n, sizeof(n));
	}
	if (cmd == FICLONE || cmd == FICLONERANGE)
		return file_clone(f, (unsigned)cmd, arg);
	if (cmd == FS_IOC_FIEMAP)
		return file_fiemap(f, arg);
	if (fileattr_ioctl_cmd(f, (unsigned)cmd))
		return fileattr_ioctl(f, (unsigned)cmd, arg);
	if (f->ops && f->ops->sock && netif_ioctl_cmd(cmd))
		return netif_ioctl(cmd, arg);	/* any socket, as Linux */
	if (!f->ops || !f->ops->ioctl)
		return -ENOTTY;
	return f->ops->ioctl(f, cmd, arg);
}

long
sys_pipe2(uaddr_t fds, int flags)
{
	struct proc *p = current()->proc;
	struct file *files[2];
	if (flags & ~(O_CLOEXEC | O_NONBLOCK | O_DIRECT))
		return -EINVAL;
	int e = pipe_create(files, (unsigned)flags);
	if (e < 0)
		return e;
	int k[2];
	k[0] = fd_install(p, files[0], 0, flags & O_CLOEXEC);
	if (k[0] < 0) {
		file_put(files[0]);
		file_put(files[1]);
		return k[0];
	}
	k[1] = fd_install(p, files[1], 0, flags & O_CLOEXEC);
	if (k[1] < 0) {
		fd_close(p, k[0]);
		file_put(files[1]);
		return k[1];
	}
	if (copyout(fds, k, sizeof(k)) < 0) {
		fd_close(p, k[0]);
		fd_close(p, k[1]);
		return -EFAULT;
	}
	return 0;
}

long
sys_pipe(uaddr_t fds)
{
	return sys_pipe2(fds, 0);
}

long
sys_sendfile(int out, int in, uaddr_t uoff, size_t count)
{
	struct file *fo = getf(out), *fi = getf(in);
	if (!fo || !fi)
		return -EBADF;
	if ((fi->flags & O_ACCMODE) == O_WRONLY ||
	    (fo->flags & O_ACCMODE) == O_RDONLY)
		return -EBADF;
	if (!fi->ops || !fi->ops->read || !fo->ops || !fo->ops->write)
		return -EINVAL;
	/* As Linux: no pipe as the input. From a pipe into its own write
	 * end the copy never ran dry: a guest hung in here. */
	if (fi->inode && S_ISFIFO(fi->inode->mode))
		return -EINVAL;
	uint64_t off = fi->offset;
	if (uoff) {
		int64_t o;
		if (copyin(&o, uoff, 8) < 0)
			return -EFAULT;
		if (o < 0)
			return -EINVAL;
		off = (uint64_t)o;
	}
	/*
	 * Linux's limit on the count; and the loop gives others the CPU as
	 * it goes, and ends at a signal (a copy from /dev/zero to /dev/null
	 * held the big lock for ever once: docs/fuzzing.md).
	 */
	count = MIN(count, (size_t)SENDFILE_MAX);
	/* No bigger than the copy: a small file's page (nginx's) needs no
	 * 64 KiB buffer, a block of 128 KiB pages from kmalloc. */
	size_t bounce = MIN(count, (size_t)BOUNCE);
	if (fi->inode && S_ISREG(fi->inode->mode) && fi->inode->size > off)
		bounce = MIN(bounce, (size_t)(fi->inode->size - off));
	char *k = kmalloc(bounce ? bounce : 1);
	if (!k)
		return -ENOMEM;
	size_t done = 0;
	long r = 0;
	while (done < count) {
		uint64_t at = off;
		size_t want = MIN(count - done, bounce);
		r = fi->ops->read(fi, k, want, &off);
		if (r <= 0)
			break;
		long w = fo->ops->write(fo, k, (size_t)r, &fo->offset);
		/* The offset moves by what the output took (Linux's), so a
		 * full non-blocking output loses nothing. */
		off = at + (uint64_t)MAX(w, 0);
		if (w < 0) {
			r = w;
			break;
		}
		done += (size_t)w;
		/* A short read ends it, as Linux's: a socket has no more now. */
		if (w < r || (size_t)r < want || syscall_preempt_point())
			break;
	}
	kfree(k);
	if (uoff) {
		int64_t o = (int64_t)off;
		if (copyout(uoff, &o, 8) < 0)
			return -EFAULT;	/* as Linux, even after a copy */
	} else {
		fi->offset = off;
	}
	return done ? (long)done : r;
}

static long
do_fsync(int fd, bool datasync)
{
	struct file *f = getf(fd);
	if (!f)
		return -EBADF;
	if (f->ops && f->ops->fsync)
		return f->ops->fsync(f, datasync);
	/* In-memory files are always in sync; pipes, sockets, FIFOs and
	   devices cannot be synced (EINVAL, as Linux's missing fsync). */
	unsigned type = f->inode ? f->inode->mode & S_IFMT : 0;
	return type == S_IFREG || type == S_IFDIR || type == S_IFLNK ? 0 : -EINVAL;
}

long
sys_fsync(int fd)
{
	return do_fsync(fd, false);
}

long
sys_fdatasync(int fd)
{
	return do_fsync(fd, true);
}

long
sys_ftruncate(int fd, int64_t len)
{
	struct file *f = getf(fd);
	if (!f)
		return -EBADF;
	if (len < 0)
		return -EINVAL;
	if (!f->inode || !S_ISREG(f->inode->mode) || (f->flags & O_ACCMODE) == O_RDONLY)
		return -EINVAL;
	if (!f->inode->iops->truncate)
		return -EINVAL;
	if (inode_immutable(f->inode) || inode_append_only(f->inode))
		return -EPERM;
	long r = landlock_ftruncate(f);
	if (r < 0)
		return r;
	r = vfs_fsize_room((uint64_t)len, 0);
	if (r < 0)
		return r;
	r = f->inode->iops->truncate(f->inode, (uint64_t)len);
	if (r == 0)
		inotify_file_event(f, IN_MODIFY);
	return r;
}

long
sys_getdents64(int fd, uaddr_t buf, size_t len)
{
	struct file *f = getf(fd);
	if (!f)
		return -EBADF;
	if (!f->inode || !S_ISDIR(f->inode->mode))
		return -ENOTDIR;
	if (!f->ops || !f->ops->getdents)
		return -ENOTDIR;
	if (f->inode->nlink == 0)
		return -ENOENT;	/* removed: Linux's dead directory */
	len = MIN(len, (size_t)BOUNCE);
	char *k = kmalloc(len + 1);
	if (!k)
		return -ENOMEM;
	long r = f->ops->getdents(f, k, len, &f->offset);
	if (r > 0 && copyout(buf, k, (size_t)r) < 0)
		r = -EFAULT;
	kfree(k);
	return r;
}

/* The old getdents: same records with the type after the name. */
long
sys_getdents(int fd, uaddr_t buf, size_t len)
{
	struct file *f = getf(fd);
	if (!f)
		return -EBADF;
	if (!f->inode || !S_ISDIR(f->inode->mode) || !f->ops ||
	    !f->ops->getdents)
		return -ENOTDIR;
	if (f->inode->nlink == 0)
		return -ENOENT;
	len = MIN(len, (size_t)BOUNCE);
	char *k = kmalloc(len + 1);
	if (!k)
		return -ENOMEM;
	uint64_t pos = f->offset;
	long r = f->ops->getdents(f, k, len, &pos);
	if (r > 0) {
		/* linux_dirent: ino, off, reclen, name..., pad, type (last byte). */
		for (long i = 0; i < r;) {
			uint8_t *d = (uint8_t *)k + i;
			uint16_t reclen;
			memcpy(&reclen, d + 16, 2);
			uint8_t type = d[18];
			size_t nl = strlen((char *)d + 19);
			memmove(d + 18, d + 19, nl + 1);
			d[reclen - 1] = type;
			i += reclen;
		}
		if (copyout(buf, k, (size_t)r) < 0)
			r = -EFAULT;
		else
			f->offset = pos;
	}
	kfree(k);
	return r;
}

void
stat_fill(struct inode *ino, struct linux_stat *st)
{
	memset(st, 0, sizeof(*st));
	st->st_dev = ino->sb ? ino->sb->dev : 0;
	st->st_ino = ino->ino;
	st->st_nlink = ino->nlink;
	st->st_mode = ino->mode;
	st->st_uid = ino->uid;
	st->st_gid = ino->gid;
	st->st_rdev = ino->rdev;
	st->st_size = (int64_t)ino->size;
	st->st_blksize = inode_blksize(ino);
	st->st_blocks = ino->sb && ino->sb->real_blocks ? (int64_t)ino->blocks :
			(int64_t)(ALIGN_UP(ino->size, 4096) / 512);
	st->st_atim = ino->atime;
	st->st_mtim = ino->mtime;
	st->st_ctim = ino->ctime;
}

long
sys_fstat(int fd, uaddr_t ust)
{
	struct file *f = getf_path(fd);
	struct linux_stat st;
	if (!f)
		return -EBADF;
	if (!f->inode)
		return -EBADF;
	long r = vfs_getattr(f->inode);
	if (r < 0)
		return r;
	stat_fill(f->inode, &st);
	return copyout(ust, &st, sizeof(st));
}
