/*
 * pread64 without the big lock (nolock in syscalls.master; docs/kernel.md,
 * "Calls without the big lock"): a tmpfs regular file's data, copied under
 * the file's node lock into a buffer on the stack, then out to the caller
 * with no lock held; read (nolock(rfd)) the same, from and moving an
 * offset no one else can reach (tmpfs_offset_mine), and lseek moving it.
 * write, pwrite64 and writev of a tmpfs file: the bytes copied onto the
 * stack first, then put into pages the file has under the node lock
 * (tmpfs_write_unlocked), at an offset the call's alone or at the end of
 * an O_WRONLY | O_APPEND file, shared or not. read and write of a
 * pipe end (nolock(fd)): the pipe's own code (kernel/fs/pipe.c); read of
 * a TCP socket's kept bytes: kernel/fs/sockfile_rx.c; write of one within
 * the room netd promised: kernel/fs/socktx.c. readv and writev
 * (nolock(rfd), nolock(fd)) the same for the same files, their few
 * pieces walked by uvec_copyin and uvec_copyout. Anything
 * else goes back to the locked path (sys_file.c) with -ERETRY_LOCKED
 * before anything changed.
 */
#include <kernel/proc.h>
#include <kernel/vfs.h>
#include <kernel/tmpfs.h>
#include <kernel/mount.h>
#include <kernel/inotify.h>
#include <kernel/sockfile.h>
#include <kernel/syscall.h>
#include <kernel/vm.h>
#include <kernel/errno.h>

#define CHUNK 1024		/* copied under the node lock at a time */
/* Longer reads keep interrupts off too long (a TLB shootdown waits for
   the call's end): locked. */
#define UNLOCKED_MAX 65536
#define RLIMIT_FSIZE 1

/* Whether f's read may run here: a tmpfs file open for reading, no
 * watcher to tell, no atime to move. */
static inline bool
readable_unlocked(const struct file *f, size_t count)
{
	if (count > UNLOCKED_MAX ||
	    (f->flags & O_ACCMODE) == O_WRONLY ||
	    (f->flags & (O_PATH | O_DIRECT)))
		return false;
	/* inotify's IN_ACCESS and fanotify's FAN_ACCESS(_PERM) are made
	   under the big lock; relatime's update too (the first read after
	   a change). */
	return !inotify_active() && !mount_atime_due(f);
}

/* The most bytes a piece of a nolock call may ask for (more: locked,
 * which says EINVAL past SSIZE_MAX), so that a sum cannot overflow. */
#define UVEC_PIECE_MAX (1ul << 30)

long
uvec_copyin(void *k, const struct uvec *u, size_t at, size_t len)
{
	if (u->n == 1)	/* read and write's one buffer */
		return copyin(k, u->v[0].base + at, len);
	for (int i = 0; i < u->n && len; i++) {
		const struct uiovec *v = &u->v[i];
		if (at >= v->len) {
			at -= v->len;
			continue;
		}
		size_t n = MIN(len, v->len - at);
		if (copyin(k, v->base + at, n) < 0)
			return -EFAULT;
		k = (char *)k + n;
		len -= n;
		at = 0;
	}
	return 0;
}

size_t
uvec_copyout(const struct uvec *u, size_t at, const void *k, size_t len)
{
	if (u->n == 1)
		return copyout(u->v[0].base + at, k, len) < 0 ? 0 : len;
	size_t done = 0;
	for (int i = 0; i < u->n && done < len; i++) {
		const struct uiovec *v = &u->v[i];
		if (at >= v->len) {
			at -= v->len;
			continue;
		}
		size_t n = MIN(len - done, v->len - at);
		if (copyout(v->base + at, (const char *)k + done, n) < 0)
			break;
		done += n;
		at = 0;
	}
	return done;
}

static long
copy_unlocked(struct file *f, const struct uvec *u, uint64_t off)
{
	char k[CHUNK];
	size_t done = 0, count = u->len;
	while (done < count) {
		size_t want = MIN(count - done, sizeof(k));
		long r = tmpfs_read_unlocked(f->inode, k, want, off + done);
		if (r <= 0)
			break;
		size_t c = uvec_copyout(u, done, k, (size_t)r);
		done += c;
		if (c < (size_t)r)
			return done > 0 ? (long)done : -EFAULT;
		if ((size_t)r < want)
			break;	/* the end of the file */
	}
	return (long)done;
}

long
pread_unlocked(int fd, uaddr_t buf, size_t count, int64_t off)
{
	/* No reference taken on anything else (a pipe, a socket): their
	   calls go back to the locked path at the least cost. */
	struct file *f = fd_get_unlocked(fd, tmpfs_is_file);
	long r = -ERETRY_LOCKED;
	if (!f)
		return -ERETRY_LOCKED;	/* or EBADF, said by the locked path */
	/* Past INT64_MAX: the locked path says what Linux says. */
	struct uiovec one = { buf, count };
	struct uvec u = { &one, 1, count };
	if (readable_unlocked(f, count) && off >= 0 &&
	    off <= INT64_MAX - (int64_t)count)
		r = copy_unlocked(f, &u, (uint64_t)off);
	file_put_unlocked(f);
	return r;
}

/* A pipe end open for reading (or writing): no O_PATH, no other mode. */
static bool
pipe_for_read(const struct file *f)
{
	return pipe_is_file(f) && (f->flags & O_ACCMODE) != O_WRONLY &&
	       !(f->flags & O_PATH);
}

static bool
pipe_for_write(const struct file *f)
{
	return pipe_is_file(f) && (f->flags & O_ACCMODE) != O_RDONLY &&
	       !(f->flags & O_PATH);
}

/*
 * A tmpfs file whose offset is this call's alone (table lock held, before
 * the lookup's reference): the process has one thread and a table of its
 * own, and the table's is the file's only reference (a dup, a fork, a
 * mapping or an SCM_RIGHTS message in flight each hold one), so nothing
 * else can read or move f->offset until the call ends, but a reference
 * taken meanwhile from outside (pidfd_getfd), which Linux's f_pos_lock
 * leaves unlocked too for a file whose count is 1.
 */
static bool
offset_alone(const struct file *f, int refs)
{
	const struct proc *p = current()->proc;
	return p->nthreads == 1 && p->files->refcount == 1 &&
	       __atomic_load_n(&f->refcount, __ATOMIC_RELAXED) == refs;
}

static bool
tmpfs_offset_mine(const struct file *f)
{
	return tmpfs_is_file(f) && offset_alone(f, 1);
}

static bool
read_takes(const struct file *f)
{
	return pipe_for_read(f) || tmpfs_offset_mine(f) ||
	       sockfile_read_mine(f);
}

/* read of a tmpfs file from and moving its offset (tmpfs_offset_mine). */
static long
file_read_unlocked(struct file *f, const struct uvec *u)
{
	uint64_t off = f->offset;
	if (!readable_unlocked(f, u->len) ||
	    off > (uint64_t)INT64_MAX - u->len)
		return -ERETRY_LOCKED;
	long r = copy_unlocked(f, u, off);
	/* Moved by what reached the caller (Linux's, on EFAULT too). Read
	   by others (fdinfo) under the big lock: one store. */
	if (r > 0)
		__atomic_store_n(&f->offset, off + (uint64_t)r, __ATOMIC_RELAXED);
	return r;
}

/* read and readv: into u's buffers. */
static long
read_vec(int fd, const struct uvec *u)
{
	/* The entry's hint said pipe or tmpfs file; the table, under its
	   lock, says. */
	struct file *f = fd_get_unlocked(fd, read_takes);
	if (!f)
		return -ERETRY_LOCKED;
	long r;
	if (pipe_is_file(f))
		r = pipe_read_unlocked(f, u);
	else if (tmpfs_is_file(f))
		r = file_read_unlocked(f, u);
	else	/* a socket's kept bytes (kernel/fs/sockfile_rx.c) */
		r = sockfile_read_unlocked(f, u,
					   __atomic_load_n(&f->flags,
							   __ATOMIC_RELAXED) &
						   O_NONBLOCK);
	file_put_unlocked(f);
	return r;
}

long
read_unlocked(int fd, uaddr_t buf, size_t count)
{
	struct uiovec one = { buf, count };
	struct uvec u = { &one, 1, count };
	return read_vec(fd, &u);
}

/*
 * lseek of a tmpfs file whose offset is this call's alone
 * (tmpfs_offset_mine, as read's): SEEK_SET, SEEK_CUR and SEEK_END to a
 * valid offset, stored with one store (fdinfo reads it under the big
 * lock). SEEK_DATA, SEEK_HOLE and every error go to the locked path, as
 * does anything else the entry's hint let through (a pipe: ESPIPE).
 */
long
lseek_unlocked(int fd, int64_t off, int whence)
{
	struct file *f = fd_get_unlocked(fd, tmpfs_offset_mine);
	if (!f)
		return -ERETRY_LOCKED;
	int64_t base = -1;
	if (whence == 0)		/* SEEK_SET */
		base = 0;
	else if (whence == 1)		/* SEEK_CUR */
		base = (int64_t)f->offset;
	else if (whence == 2)		/* SEEK_END: i_size_read's moment */
		base = (int64_t)__atomic_load_n(&f->inode->size,
						__ATOMIC_RELAXED);
	long r = -ERETRY_LOCKED;
	if (base >= 0 && !(off > 0 && base > INT64_MAX - off) &&
	    base + off >= 0) {
		r = base + off;
		__atomic_store_n(&f->offset, (uint64_t)r, __ATOMIC_RELAXED);
	}
	file_put_unlocked(f);
	return r;
}

/* A tmpfs file open for writing, not O_PATH or O_DIRECT. */
static bool
tmpfs_for_write(const struct file *f)
{
	return tmpfs_is_file(f) && (f->flags & O_ACCMODE) != O_RDONLY &&
	       !(f->flags & (O_PATH | O_DIRECT));
}

/*
 * write's tmpfs files: one whose offset is the call's alone, or one open
 * O_WRONLY | O_APPEND, shared or not (a server's log), whose offset only
 * ever becomes the end an append left, set under the node lock (read's
 * and lseek's read and move it only where the offset is theirs alone).
 */
static bool
write_takes(const struct file *f)
{
	return pipe_for_write(f) || sockfile_write_mine(f) ||
	       (tmpfs_for_write(f) &&
		((f->flags & (O_ACCMODE | O_APPEND)) == (O_WRONLY | O_APPEND) ||
		 offset_alone(f, 1)));
}

size_t
uvec_copyin_part(char *k, const struct uvec *u)
{
	if (uvec_copyin(k, u, 0, u->len) == 0)
		return u->len;
	if (u->n > 1)
		return 0;	/* writev: its pieces one by one, locked */
	/* A fault: the pages before it, one copy each. */
	size_t done = 0, n;
	for (uaddr_t at = u->v[0].base; done < u->len; done += n, at += n) {
		n = MIN(u->len - done, PAGE_SIZE - (at & (PAGE_SIZE - 1)));
		if (uvec_copyin(k + done, u, done, n) < 0)
			break;
	}
	return done;
}

/*
 * u's bytes into tmpfs file f at *off (an append: at its end), when no
 * watcher is to be told (inotify, fanotify), no file size limit may
 * signal SIGXFSZ and no set-ID bit is to drop: each the locked path's.
 * The bytes written, or -ERETRY_LOCKED with nothing changed.
 */
static long
tmpfs_write_vec(struct file *f, const struct uvec *u, uint64_t *off,
		bool append)
{
	char k[NOLOCK_WRITE_MAX];
	unsigned mode = __atomic_load_n(&f->inode->mode, __ATOMIC_RELAXED);
	if (inotify_active() || (mode & (S_ISUID | S_ISGID)) ||
	    current()->proc->rlimits[RLIMIT_FSIZE][0] != ~0ull)
		return -ERETRY_LOCKED;
	size_t len = uvec_copyin_part(k, u);
	if (len == 0)
		return -ERETRY_LOCKED;	/* EFAULT, after the locked checks */
	return tmpfs_write_unlocked(f->inode, k, len, off, append);
}

/* write and writev: u's bytes, as one write. */
static long
write_vec(int fd, const struct uvec *u)
{
	/* Past what any nolock write takes (a bulk write to a socket): no
	   lookup, the locked path at once. */
	if (u->len == 0 || u->len > NOLOCK_WRITE_MAX)
		return -ERETRY_LOCKED;
	struct file *f = fd_get_unlocked(fd, write_takes);
	if (!f)
		return -ERETRY_LOCKED;
	long r;
	if (pipe_is_file(f)) {
		r = pipe_write_unlocked(f, u);
	} else if (tmpfs_is_file(f)) {
		/* Without O_APPEND (F_SETFL may have cleared it since the
		   lookup), the offset must be the call's alone. */
		bool append = __atomic_load_n(&f->flags, __ATOMIC_RELAXED) &
			      O_APPEND;
		r = append || offset_alone(f, 2) ?
			    tmpfs_write_vec(f, u, &f->offset, append) :
			    -ERETRY_LOCKED;
	} else {	/* within a socket's promised room (kernel/fs/socktx.c) */
		r = sockfile_write_unlocked(f, u);
	}
	file_put_unlocked(f);
	return r;
}

long
write_unlocked(int fd, uaddr_t buf, size_t count)
{
	struct uiovec one = { buf, count };
	struct uvec u = { &one, 1, count };
	return write_vec(fd, &u);
}

/* pwrite64 of a tmpfs file open for writing (O_APPEND: at its end, as
 * Linux's), its offset untouched. */
long
pwrite_unlocked(int fd, uaddr_t buf, size_t count, int64_t off)
{
	if (count == 0 || count > NOLOCK_WRITE_MAX || off < 0)
		return -ERETRY_LOCKED;	/* EINVAL, ESPIPE...: locked */
	struct file *f = fd_get_unlocked(fd, tmpfs_for_write);
	if (!f)
		return -ERETRY_LOCKED;
	struct uiovec one = { buf, count };
	struct uvec u = { &one, 1, count };
	uint64_t at = (uint64_t)off;
	long r = tmpfs_write_vec(f, &u, &at,
				 __atomic_load_n(&f->flags, __ATOMIC_RELAXED) &
					 O_APPEND);
	file_put_unlocked(f);
	return r;
}

/* Empty pieces count for nothing; none may pass UVEC_PIECE_MAX. */
long
uvec_import(struct uiovec v[UVEC_MAX], uaddr_t uiov, int iovcnt,
	    struct uvec *u)
{
	if (iovcnt <= 0 || iovcnt > UVEC_MAX ||
	    copyin(v, uiov, sizeof(*v) * (size_t)iovcnt) < 0)
		return -ERETRY_LOCKED;
	size_t len = 0;
	for (int i = 0; i < iovcnt; i++) {
		if (v[i].len > UVEC_PIECE_MAX)
			return -ERETRY_LOCKED;
		len += v[i].len;
	}
	*u = (struct uvec){ v, iovcnt, len };
	return 0;
}

long
readv_unlocked(int fd, uaddr_t uiov, int iovcnt)
{
	struct uiovec v[UVEC_MAX];
	struct uvec u;
	if (uvec_import(v, uiov, iovcnt, &u) < 0 || u.len == 0)
		return -ERETRY_LOCKED;
	return read_vec(fd, &u);
}

long
writev_unlocked(int fd, uaddr_t uiov, int iovcnt)
{
	struct uiovec v[UVEC_MAX];
	struct uvec u;
	if (uvec_import(v, uiov, iovcnt, &u) < 0)
		return -ERETRY_LOCKED;
	return write_vec(fd, &u);
}
