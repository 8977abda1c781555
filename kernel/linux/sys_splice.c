/*
 * splice, tee and vmsplice: data moved between a pipe and a file, a
 * socket, another pipe or the caller's memory, with Linux's argument
 * checks. Petrel's pipes hold bytes, not page references, so each move is
 * a copy through a kernel buffer (kernel/fs/pipe.c's primitives); a
 * pipe's bytes leave it only once the other side has taken them.
 */
#include <kernel/proc.h>
#include <kernel/vfs.h>
#include <kernel/vm.h>
#include <kernel/kmalloc.h>
#include <kernel/syscall.h>
#include <syscall_table.h>
#include <kernel/errno.h>
#include <kernel/string.h>

#define SPLICE_F_NONBLOCK 0x02
#define SPLICE_F_ALL 0x0f	/* MOVE, NONBLOCK, MORE, GIFT */
#define SPLICE_BUF 65536
#define MAX_RW_COUNT 0x7ffff000ul
#define UIO_MAXIOV 1024

static bool
readable(struct file *f)
{
	return (f->flags & O_ACCMODE) != O_WRONLY;
}

static bool
writable(struct file *f)
{
	return (f->flags & O_ACCMODE) != O_RDONLY;
}

/*
 * Whether a file can be one side of a splice: a regular file, a device or
 * a socket, as those are what Linux gives splice_read and splice_write;
 * an anonymous inode's file (eventfd, epoll...) cannot.
 */
static bool
splice_capable(struct file *f)
{
	struct inode *ino = f->inode;
	if (f->ops && f->ops->sock)
		return true;
	if (!ino || (ino->sb && strcmp(ino->sb->type, "anon_inodefs") == 0))
		return false;
	return S_ISREG(ino->mode) || S_ISCHR(ino->mode);
}

/* A pipe side does not block under SPLICE_F_NONBLOCK or its O_NONBLOCK. */
static bool
nonblocking(struct file *f, unsigned flags)
{
	return (flags & SPLICE_F_NONBLOCK) || (f->flags & O_NONBLOCK);
}

/* A file side's offset: *uoff's when given (the file must be seekable). */
static long
side_offset(struct file *f, uaddr_t uoff, uint64_t *off)
{
	*off = f->offset;
	if (!uoff)
		return 0;
	if (!f->ops || !f->ops->seekable)
		return -EINVAL;
	int64_t o;
	if (copyin(&o, uoff, sizeof(o)) < 0)
		return -EFAULT;
	if (o < 0)
		return -EINVAL;
	*off = (uint64_t)o;
	return 0;
}

static void
side_offset_done(struct file *f, uaddr_t uoff, uint64_t off)
{
	int64_t o = (int64_t)off;
	if (!uoff)
		f->offset = off;
	else
		copyout(uoff, &o, sizeof(o));
}

/*
 * Pipe to pipe: as much as one holds and the other has room for; the
 * input gives up what was copied unless keep (tee).
 */
static long
pipe_to_pipe(struct file *in, struct file *out, size_t len, unsigned flags,
	     bool keep)
{
	struct pipe *pi = pipe_of(in), *po = pipe_of(out);
	long r = pipe_wait_data(pi, nonblocking(in, flags));
	if (r <= 0)
		return r;
	r = pipe_wait_room(po, nonblocking(out, flags));
	if (r < 0)
		return r;
	size_t n = MIN(len, MIN(pipe_used(pi), (size_t)r));
	char *k = kmalloc(n);
	if (!k)
		return -ENOMEM;
	pipe_peek(pi, 0, k, n);
	r = pipe_put(po, k, n);
	if (r > 0 && !keep)
		pipe_consume(pi, n);
	kfree(k);
	return r;
}

/* Pipe to a file or socket: the pipe gives up what the file took. */
static long
pipe_to_file(struct file *in, struct file *out, uaddr_t uoff, size_t len,
	     unsigned flags)
{
	struct pipe *pi = pipe_of(in);
	if (out->flags & O_APPEND)
		return -EINVAL;
	if (!splice_capable(out) || !out->ops || !out->ops->write)
		return -EINVAL;
	uint64_t off;
	long r = side_offset(out, uoff, &off);
	if (r < 0)
		return r;
	r = pipe_wait_data(pi, nonblocking(in, flags));
	if (r <= 0)
		return r;
	size_t n = MIN(MIN(len, pipe_used(pi)), (size_t)SPLICE_BUF);
	char *k = kmalloc(n);
	if (!k)
		return -ENOMEM;
	pipe_peek(pi, 0, k, n);
	r = out->ops->write(out, k, n, &off);
	kfree(k);
	if (r > 0) {
		pipe_consume(pi, (size_t)r);
		side_offset_done(out, uoff, off);
	}
	return r;
}

/* A file or socket to a pipe: no more than the pipe has room for. */
static long
file_to_pipe(struct file *in, uaddr_t uoff, struct file *out, size_t len,
	     unsigned flags)
{
	struct pipe *po = pipe_of(out);
	if (!splice_capable(in) || !in->ops || !in->ops->read)
		return -EINVAL;
	uint64_t off;
	long r = side_offset(in, uoff, &off);
	if (r < 0)
		return r;
	r = pipe_wait_room(po, nonblocking(out, flags));
	if (r < 0)
		return r;
	size_t n = MIN(MIN(len, (size_t)r), (size_t)SPLICE_BUF);
	char *k = kmalloc(n);
	if (!k)
		return -ENOMEM;
	r = in->ops->read(in, k, n, &off);
	if (r > 0)
		side_offset_done(in, uoff, off);
	/* The read may have slept and another writer filled the pipe: what
	   was read waits for room rather than being lost. */
	for (long put = 0; r > 0 && put < r;) {
		long w = pipe_wait_room(po, false);
		if (w >= 0)
			w = pipe_put(po, k + put, MIN((size_t)(r - put), (size_t)w));
		if (w < 0)
			r = put ? put : w;
		else
			put += w;
	}
	kfree(k);
	return r;
}

long
sys_splice(int fd_in, uaddr_t off_in, int fd_out, uaddr_t off_out,
	   size_t len, unsigned flags)
{
	if (flags & ~SPLICE_F_ALL)
		return -EINVAL;
	if (len == 0)
		return 0;
	struct file *in = fd_hold(fd_in), *out = fd_hold(fd_out);
	if (!in || !out)
		return -EBADF;
	bool pin = pipe_of(in), pout = pipe_of(out);
	if ((pin && off_in) || (pout && off_out))
		return -ESPIPE;
	if (!readable(in) || !writable(out))
		return -EBADF;
	len = MIN(len, (size_t)MAX_RW_COUNT);
	if (pin && pout)
		return pipe_of(in) == pipe_of(out) ? -EINVAL :
		       pipe_to_pipe(in, out, len, flags, false);
	if (pin)
		return pipe_to_file(in, out, off_out, len, flags);
	if (pout)
		return file_to_pipe(in, off_in, out, len, flags);
	return -EINVAL;
}

/*
 * tee: copies what the input pipe holds into the output pipe, leaving
 * the input as it was.
 */
long
sys_tee(int fd_in, int fd_out, size_t len, unsigned flags)
{
	if (flags & ~SPLICE_F_ALL)
		return -EINVAL;
	if (len == 0)
		return 0;
	struct file *in = fd_hold(fd_in), *out = fd_hold(fd_out);
	if (!in || !out)
		return -EBADF;
	if (!readable(in) || !writable(out))
		return -EBADF;
	struct pipe *pi = pipe_of(in), *po = pipe_of(out);
	if (!pi || !po || pi == po)
		return -EINVAL;
	return pipe_to_pipe(in, out, len, flags, true);
}

/* vmsplice into a pipe: the caller's pieces, as far as room allows. */
static long
vmsplice_in(struct file *f, const struct uiovec *v, int n, unsigned flags)
{
	struct pipe *p = pipe_of(f);
	char *k = kmalloc(SPLICE_BUF);
	if (!k)
		return -ENOMEM;
	long done = 0, r = 0;
	for (int i = 0; i < n && r >= 0; i++) {
		for (size_t at = 0; at < v[i].len;) {
			/* Blocks only until the first bytes go in. */
			r = pipe_wait_room(p, done || nonblocking(f, flags));
			if (r < 0)
				break;
			size_t c = MIN(MIN(v[i].len - at, (size_t)r),
				       (size_t)SPLICE_BUF);
			if (copyin(k, v[i].base + at, c) < 0) {
				r = -EFAULT;
				break;
			}
			r = pipe_put(p, k, c);
			if (r < 0)
				break;
			done += r;
			at += c;
		}
	}
	kfree(k);
	return done ? done : r;
}

/* vmsplice out of a pipe: into the caller's pieces, what it holds. */
static long
vmsplice_out(struct file *f, const struct uiovec *v, int n, unsigned flags)
{
	struct pipe *p = pipe_of(f);
	long r = pipe_wait_data(p, nonblocking(f, flags));
	if (r <= 0)
		return r;
	char *k = kmalloc(SPLICE_BUF);
	if (!k)
		return -ENOMEM;
	long done = 0;
	for (int i = 0; i < n && pipe_used(p); i++) {
		for (size_t at = 0; at < v[i].len && pipe_used(p);) {
			size_t c = pipe_peek(p, 0, k,
					     MIN(v[i].len - at, (size_t)SPLICE_BUF));
			if (copyout(v[i].base + at, k, c) < 0) {
				kfree(k);
				return done ? done : -EFAULT;
			}
			pipe_consume(p, c);
			done += (long)c;
			at += c;
		}
	}
	kfree(k);
	return done;
}

long
sys_vmsplice(int fd, uaddr_t uiov, unsigned long nr, unsigned flags)
{
	if (flags & ~SPLICE_F_ALL)
		return -EINVAL;
	struct file *f = fd_hold(fd);
	if (!f || !pipe_of(f))
		return -EBADF;
	if (nr > UIO_MAXIOV)
		return -EINVAL;
	struct uiovec *v = kmalloc(sizeof(*v) * (nr ? nr : 1));
	if (!v)
		return -ENOMEM;
	long r = copyin(v, uiov, sizeof(*v) * nr) < 0 ? -EFAULT : 0;
	for (unsigned long i = 0; r == 0 && i < nr; i++)
		if ((int64_t)v[i].len < 0)
			r = -EINVAL;
	if (r == 0)
		r = writable(f) ? vmsplice_in(f, v, (int)nr, flags) :
				  vmsplice_out(f, v, (int)nr, flags);
	kfree(v);
	return r;
}
