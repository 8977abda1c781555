/*
 * kcmp: whether two processes share a kernel object (an open file, the
 * address space, the descriptor table, signal handlers...), as Linux's
 * kernel/kcmp.c answers: 0 the same, else 1 or 2, an order of the objects
 * through a random per-type scramble, so no kernel address leaks.
 */
#include <kernel/proc.h>
#include <kernel/vfs.h>
#include <kernel/vm.h>
#include <kernel/syscall.h>
#include <syscall_table.h>
#include <kernel/errno.h>
#include <kernel/random.h>

enum {
	KCMP_FILE, KCMP_VM, KCMP_FILES, KCMP_FS, KCMP_SIGHAND, KCMP_IO,
	KCMP_SYSVSEM, KCMP_EPOLL_TFD, KCMP_TYPES,
};

/* struct kcmp_epoll_slot */
struct epoll_slot {
	uint32_t efd, tfd, toff;
};

static uint64_t cookies[KCMP_TYPES][2];

/* Linux's kcmp_ptr: 0 equal, 1 or 2 by the scrambled order. */
static long
order(const void *a, const void *b, int type)
{
	if (!cookies[0][1]) {
		random_bytes(cookies, sizeof(cookies));
		for (int i = 0; i < KCMP_TYPES; i++)
			cookies[i][1] |= 1ul << 63 | 1;	/* odd: no collisions */
	}
	uint64_t x = ((uint64_t)a ^ cookies[type][0]) * cookies[type][1];
	uint64_t y = ((uint64_t)b ^ cookies[type][0]) * cookies[type][1];
	return (x < y) | ((x > y) << 1);
}

/* The file an epoll instance of p watches, as a kcmp_epoll_slot names it. */
static struct file *
epoll_slot_file(struct proc *p, uaddr_t uslot, long *err)
{
	struct epoll_slot slot;
	if (copyin(&slot, uslot, sizeof(slot)) < 0) {
		*err = -EFAULT;
		return NULL;
	}
	struct file *ep = fd_get_open(p, (int)slot.efd);
	if (!ep) {
		*err = -EBADF;
		return NULL;
	}
	struct file *f = epoll_target(ep, (int)slot.tfd, slot.toff);
	if (!f)
		*err = -ENOENT;
	return f;
}

long
sys_kcmp(int pid1, int pid2, int type, uint64_t idx1, uint64_t idx2)
{
	struct proc *me = current()->proc;
	struct proc *a = proc_find(pid1), *b = proc_find(pid2);
	if (!a || !b || a->state != PROC_ALIVE || b->state != PROC_ALIVE)
		return -ESRCH;
	if (!proc_may_access(me, a) || !proc_may_access(me, b))
		return -EPERM;
	long err = 0;
	switch (type) {
	case KCMP_FILE: {
		struct file *fa = fd_get(a, (int)idx1), *fb = fd_get(b, (int)idx2);
		return fa && fb ? order(fa, fb, type) : -EBADF;
	}
	case KCMP_VM:
		return order(a->vm, b->vm, type);
	case KCMP_FILES:
		return order(a->files, b->files, type);
	case KCMP_FS:	/* cwd, root and umask: shared by CLONE_FS */
		return order(a->fs, b->fs, type);
	case KCMP_SIGHAND:
		return order(a->sighand, b->sighand, type);
	case KCMP_IO:	/* no I/O contexts: none on either side, as Linux's NULLs */
		return 0;
	case KCMP_SYSVSEM:	/* the SEM_UNDO lists: none on either side is 0 */
		return order(a->sem_undo, b->sem_undo, type);
	case KCMP_EPOLL_TFD: {
		struct file *fa = fd_get(a, (int)idx1);
		if (!fa)
			return -EBADF;
		struct file *fb = epoll_slot_file(b, idx2, &err);
		return fb ? order(fa, fb, type) : err;
	}
	}
	return -EINVAL;
}
