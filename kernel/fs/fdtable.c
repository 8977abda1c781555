/*
 * File-descriptor tables: one per process, or shared by CLONE_FILES.
 */
#include <kernel/proc.h>
#include <kernel/vfs.h>
#include <kernel/kmalloc.h>
#include <kernel/errno.h>
#include <kernel/string.h>
#include <kernel/refcount.h>

struct files *
files_new(void)
{
	struct files *f = kzalloc(sizeof(*f));
	if (f)
		f->refcount = 1;
	return f;
}

struct files *
files_clone(struct files *src)
{
	struct files *f = files_new();
	if (!f)
		return NULL;
	for (int i = 0; i < FD_MAX; i++) {
		if (src->fd[i]) {
			f->fd[i] = src->fd[i];
			file_get(f->fd[i]);
		}
	}
	memcpy(f->cloexec, src->cloexec, sizeof(f->cloexec));
	return f;
}

void
files_put(struct files *f)
{
	if (!f || !ref_put(&f->refcount))
		return;
	for (int i = 0; i < FD_MAX; i++)
		if (f->fd[i])
			file_put(f->fd[i]);
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

int
fd_install(struct proc *p, struct file *file, int min, bool cloexec)
{
	struct files *f = p->files;
	uint64_t limit = MIN(p->rlimits[7][0], (uint64_t)FD_MAX);
	for (int i = min; i < (int)limit; i++) {
		if (!f->fd[i]) {
			f->fd[i] = file;
			set_cloexec(f, i, cloexec);
			return i;
		}
	}
	return -EMFILE;
}

/* Puts file at exactly fd, closing what was there. */
int
fd_install_at(struct proc *p, struct file *file, int fd, bool cloexec)
{
	struct files *f = p->files;
	if (fd < 0 || fd >= FD_MAX)
		return -EBADF;
	struct file *old = f->fd[fd];
	f->fd[fd] = file;
	set_cloexec(f, fd, cloexec);
	if (old)
		file_put(old);
	return fd;
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
	if (fd < 0 || fd >= FD_MAX || !p->files)
		return NULL;
	return p->files->fd[fd];
}

struct file *
fd_hold(int fd)
{
	struct thread *t = current();
	struct file *f = fd_get(t->proc, fd);
	if (f && t->nheld < ARRAY_SIZE(t->held)) {
		file_get(f);
		t->held[t->nheld++] = f;
	}
	return f;
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
	p->files->fd[fd] = NULL;
	set_cloexec(p->files, fd, false);
	file_put(f);
	return 0;
}

void
files_close_on_exec(struct proc *p)
{
	if (p->files->refcount > 1) {
		struct files *mine = files_clone(p->files);
		if (mine) {
			files_put(p->files);
			p->files = mine;
		}
	}
	for (int i = 0; i < FD_MAX; i++)
		if (p->files->fd[i] && fd_cloexec(p, i))
			fd_close(p, i);
}
