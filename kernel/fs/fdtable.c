/*
 * File-descriptor tables: one per process, or shared by CLONE_FILES. A
 * table starts with FDS_FIRST entries and doubles when an fd past its end
 * is wanted, up to RLIMIT_NOFILE's soft limit (at most NR_OPEN).
 */
#include <kernel/proc.h>
#include <kernel/vfs.h>
#include <kernel/kmalloc.h>
#include <kernel/errno.h>
#include <kernel/string.h>
#include <kernel/refcount.h>
#include <kernel/locks.h>
#include <kernel/arch.h>
#include <kernel/tmpfs.h>
#include <kernel/sockfile.h>

unsigned fd_nr_open = NR_OPEN;

/* Sets fd's bit in f->nolock_fds as file is a pipe end, a server-backed
 * stream socket or a tmpfs file open for writing or not, and in
 * f->nolock_rfds as it is a pipe end, a tmpfs file open for reading or
 * such a socket (lock held): read (and recvfrom of a socket) and write
 * may run without the big lock. An fd past 63 only sets bit fd % 64 of the _high words, which
 * nothing clears: a server with thousands of sockets has them all set,
 * and a stale bit costs a trip to the nolock handler, which looks again. */
static void
nolock_hint(struct files *f, int fd, const struct file *file)
{
	SPIN_ASSERT_HELD(&f->lock);
	uint64_t bit = 1ull << (fd & 63);
	bool pipe = file && pipe_is_file(file);
	bool sock = file && sockfile_is_stream(file);
	bool tmpfs = file && tmpfs_is_file(file) && !(file->flags & O_PATH);
	bool rd = pipe || sock ||
		  (tmpfs && (file->flags & O_ACCMODE) != O_WRONLY);
	bool wr = pipe || sock ||
		  (tmpfs && (file->flags & O_ACCMODE) != O_RDONLY);
	if (fd >= 64) {
		if (wr)
			__atomic_or_fetch(&f->nolock_fds_high, bit,
					  __ATOMIC_RELAXED);
		if (rd)
			__atomic_or_fetch(&f->nolock_rfds_high, bit,
					  __ATOMIC_RELAXED);
		return;
	}
	__atomic_store_n(&f->nolock_fds,
			 wr ? f->nolock_fds | bit : f->nolock_fds & ~bit,
			 __ATOMIC_RELAXED);
	__atomic_store_n(&f->nolock_rfds,
			 rd ? f->nolock_rfds | bit : f->nolock_rfds & ~bit,
			 __ATOMIC_RELAXED);
}

/* Makes f's arrays hold size entries (a multiple of 64); 0 or -ENOMEM. */
static int
files_resize(struct files *f, int size)
{
	struct file **fd = kzalloc(sizeof(*fd) * (size_t)size);
	uint64_t *cloexec = kzalloc(sizeof(*cloexec) * (size_t)(size / 64));
	if (!fd || !cloexec) {
		kfree(fd);
		kfree(cloexec);
		return -ENOMEM;
	}
	if (f->size) {
		memcpy(fd, f->fd, sizeof(*fd) * (size_t)f->size);
		memcpy(cloexec, f->cloexec,
		       sizeof(*cloexec) * (size_t)(f->size / 64));
	}
	struct file **old_fd = f->fd;
	uint64_t *old_cloexec = f->cloexec;
	spin_lock(&f->lock);	/* a nolock lookup reads size and fd */
	f->fd = fd;
	f->cloexec = cloexec;
	f->size = size;
	spin_unlock(&f->lock);
	kfree(old_fd);
	kfree(old_cloexec);
	return 0;
}

/* Grows f so that fd fits; 0 or -ENOMEM. */
static int
files_grow(struct files *f, int fd)
{
	if (fd < f->size)
		return 0;
	int size = f->size ? f->size : FDS_FIRST;
	while (size <= fd)
		size *= 2;
	return files_resize(f, MIN(size, NR_OPEN));
}

static struct files *
files_alloc(int size)
{
	struct files *f = kzalloc(sizeof(*f));
	if (!f)
		return NULL;
	f->refcount = 1;
	spin_init(&f->lock);
	if (files_resize(f, size) < 0) {
		kfree(f);
		return NULL;
	}
	return f;
}

struct files *
files_new(void)
{
	return files_alloc(FDS_FIRST);
}

struct files *
files_clone(struct files *src)
{
	struct files *f = files_alloc(src->size);
	if (!f)
		return NULL;
	for (int i = 0; i < src->size; i++) {
		if (src->fd[i]) {
			f->fd[i] = src->fd[i];
			file_get(f->fd[i]);
		}
	}
	memcpy(f->cloexec, src->cloexec,
	       sizeof(*f->cloexec) * (size_t)(f->size / 64));
	f->nolock_fds = src->nolock_fds;	/* no other CPU sees f yet */
	f->nolock_rfds = src->nolock_rfds;
	f->nolock_fds_high = src->nolock_fds_high;
	f->nolock_rfds_high = src->nolock_rfds_high;
	return f;
}

bool
files_fit_nr_open(struct files *f)
{
	int span = 0;	/* open fds' words of 64, as Linux's dup_fd counts */
	for (int i = 0; i < f->size; i++)
		if (f->fd[i])
			span = ALIGN_UP(i + 1, 64);
	return span <= (int)fd_nr_open;
}

/* An fd of f in the table owner goes (Linux's filp_close): the POSIX
 * locks the table holds on f's file go, whichever fd set them, and f's
 * flush hook runs. */
static void
fd_flush(struct file *f, struct files *owner)
{
	locks_remove_posix(f, owner);
	if (f->ops && f->ops->flush)
		f->ops->flush(f);
}

void
files_put(struct files *f)
{
	if (!f || !ref_put(&f->refcount))
		return;
	for (int i = 0; i < f->size; i++) {
		if (f->fd[i]) {
			fd_flush(f->fd[i], f);
			file_put(f->fd[i]);
		}
	}
	kfree(f->fd);
	kfree(f->cloexec);
	kfree(f);
}

static void
set_cloexec(struct files *f, int fd, bool on)
{
	if (on)
		f->cloexec[fd / 64] |= 1ull << (fd % 64);
	else
		f->cloexec[fd / 64] &= ~(1ull << (fd % 64));
}

/* RLIMIT_NOFILE's soft limit: fds must stay below it. */
static int
nofile_limit(struct proc *p)
{
	return (int)MIN(p->rlimits[7][0], (uint64_t)fd_nr_open);
}

int
fd_install(struct proc *p, struct file *file, int min, bool cloexec)
{
	struct files *f = p->files;
	int limit = nofile_limit(p);
	int i = min;
	while (i < MIN(limit, f->size) && f->fd[i])
		i++;
	if (i >= limit)
		return -EMFILE;
	if (files_grow(f, i) < 0)
		return -ENOMEM;
	spin_lock(&f->lock);
	f->fd[i] = file;
	nolock_hint(f, i, file);
	spin_unlock(&f->lock);
	set_cloexec(f, i, cloexec);
	return i;
}

int
fd_install_at(struct proc *p, struct file *file, int fd, bool cloexec)
{
	struct files *f = p->files;
	if (fd < 0 || fd >= nofile_limit(p))
		return -EBADF;
	if (files_grow(f, fd) < 0)
		return -ENOMEM;
	spin_lock(&f->lock);
	struct file *old = f->fd[fd];
	f->fd[fd] = file;
	nolock_hint(f, fd, file);
	spin_unlock(&f->lock);
	set_cloexec(f, fd, cloexec);
	if (old) {
		fd_flush(old, f);
		file_put(old);
	}
	return fd;
}

int
fd_table_size(struct proc *p)
{
	return p->files ? p->files->size : 0;
}

bool
fd_cloexec(struct proc *p, int fd)
{
	return p->files->cloexec[fd / 64] & (1ull << (fd % 64));
}

void
fd_set_cloexec(struct proc *p, int fd, bool on)
{
	set_cloexec(p->files, fd, on);
}

struct file *
fd_get(struct proc *p, int fd)
{
	if (fd < 0 || !p->files || fd >= p->files->size)
		return NULL;
	return p->files->fd[fd];
}

struct file *
fd_get_unlocked(int fd, bool (*want)(const struct file *))
{
	/* p->files stays while this thread runs: files_replace waits for
	   every CPU to leave its nolock call before it puts the old one. */
	struct files *t = current()->proc->files;
	struct file *f = NULL;
	if (fd < 0)
		return NULL;
	spin_lock(&t->lock);
	if (fd < t->size && (f = t->fd[fd]) != NULL && want(f))
		file_get(f);	/* atomic: the table's own stays till cleared */
	else
		f = NULL;	/* none, or one the caller does not take */
	spin_unlock(&t->lock);
	return f;
}

struct file *
fd_get_open(struct proc *p, int fd)
{
	struct file *f = fd_get(p, fd);
	return f && !file_is_path(f) ? f : NULL;
}

struct file *
fd_hold_path(int fd)
{
	struct thread *t = current();
	struct file *f = fd_get(t->proc, fd);
	if (f && t->nheld < ARRAY_SIZE(t->held)) {
		file_get(f);
		t->held[t->nheld++] = f;
	}
	return f;
}

struct file *
fd_hold(int fd)
{
	struct file *f = fd_hold_path(fd);
	return f && !file_is_path(f) ? f : NULL;
}

void
fd_release_held(void)
{
	struct thread *t = current();
	while (t->nheld > 0)
		file_put(t->held[--t->nheld]);
}

int
fd_close(struct proc *p, int fd)
{
	struct file *f = fd_get(p, fd);
	if (!f)
		return -EBADF;
	spin_lock(&p->files->lock);
	p->files->fd[fd] = NULL;
	nolock_hint(p->files, fd, NULL);
	spin_unlock(&p->files->lock);
	set_cloexec(p->files, fd, false);
	fd_flush(f, p->files);
	file_put(f);
	return 0;
}

void
files_replace(struct proc *p, struct files *mine)
{
	struct files *old = p->files;
	p->files = mine;
	/* Another thread of p may have read old in a nolock call on another
	   CPU (fd_get_unlocked), and old may go with the next put by
	   another process sharing it: those calls run with interrupts off,
	   so once every CPU has taken an interrupt, none is still in one. */
	if (p->nthreads > 1)
		arch_cpu_sync(0);
	files_put(old);
}

void
files_close_on_exec(struct proc *p)
{
	if (p->files->refcount > 1) {
		struct files *mine = files_clone(p->files);
		if (mine)
			files_replace(p, mine);
	}
	for (int i = 0; i < p->files->size; i++)
		if (p->files->fd[i] && fd_cloexec(p, i))
			fd_close(p, i);
}
