/*
 * pidfds: a file that names one process, as Linux's pidfd_open gives.
 * It turns readable (POLLIN) when the process exits, takes signals
 * (pidfd_send_signal), lends its descriptors (pidfd_getfd) and names the
 * child waitid(P_PIDFD) waits for. A pidfd holds the pid and the
 * process's start time, so a pid used again by a later process is not
 * mistaken for it. A /proc/PID directory's descriptor also takes
 * pidfd_send_signal's signals, as on Linux.
 */
#include <kernel/proc.h>
#include <kernel/vfs.h>
#include <kernel/vm.h>
#include <kernel/kmalloc.h>
#include <kernel/syscall.h>
#include <syscall_table.h>
#include <kernel/errno.h>
#include <kernel/string.h>

#define PIDFD_NONBLOCK O_NONBLOCK

struct pidfd {
	int pid;
	uint64_t start_ns;		/* the process's, to tell it apart */
	struct file *file;		/* for readiness notifications */
	struct list link;		/* pidfds */
};

/* Every open pidfd, for the exit notification; big lock. */
static struct list pidfds = LIST_INIT(pidfds);

static const struct file_ops pidfd_fops;

/* The process a pidfd names while it exists (a zombie too), else NULL. */
static struct proc *
pidfd_proc(struct pidfd *pf)
{
	struct proc *p = proc_find(pf->pid);
	return p && p->start_ns == pf->start_ns ? p : NULL;
}

static unsigned
pidfd_poll(struct file *f)
{
	struct proc *p = pidfd_proc(f->priv);
	return !p || p->state == PROC_ZOMBIE ? POLLIN | POLLRDNORM : 0;
}

static void
pidfd_close(struct file *f)
{
	struct pidfd *pf = f->priv;
	list_remove(&pf->link);
	kfree(pf);
}

static const struct file_ops pidfd_fops = {
	.poll = pidfd_poll,
	.close = pidfd_close,
};

void
pidfd_proc_exited(struct proc *p)
{
	list_for_each(it, &pidfds) {
		struct pidfd *pf = list_entry(it, struct pidfd, link);
		if (pf->pid == p->pid && pf->start_ns == p->start_ns)
			file_notify(pf->file);
	}
}

long
pidfd_new(struct proc *p, unsigned flags, struct file **held)
{
	struct pidfd *pf = kzalloc(sizeof(*pf));
	if (!pf)
		return -ENOMEM;
	if (p) {
		pf->pid = p->pid;
		pf->start_ns = p->start_ns;
	}
	long fd = install_anon("[pidfd]", &pidfd_fops, pf, flags | O_CLOEXEC);
	if (fd < 0) {
		kfree(pf);
		return fd;
	}
	pf->file = fd_get(current()->proc, (int)fd);
	list_push_back(&pidfds, &pf->link);
	if (held) {
		file_get(pf->file);
		*held = pf->file;
	}
	return fd;
}

void
pidfd_name(struct file *f, struct proc *p)
{
	struct pidfd *pf = f->priv;
	pf->pid = p->pid;
	pf->start_ns = p->start_ns;
}

long
sys_pidfd_open(int pid, unsigned flags)
{
	if (flags & ~(unsigned)PIDFD_NONBLOCK || pid <= 0)
		return -EINVAL;
	struct proc *p = proc_find(pid);
	if (!p)
		return -ESRCH;
	return pidfd_new(p, flags, NULL);
}

/*
 * The process behind a pidfd, or a /proc/PID directory when proc_dirs:
 * *p gets it (NULL once it is gone) and 0 returns, or -EBADF when f is
 * neither.
 */
static int
target_of(struct file *f, bool proc_dirs, struct proc **p)
{
	if (f->ops == &pidfd_fops) {
		*p = pidfd_proc(f->priv);
		return 0;
	}
	int pid = proc_dirs ? procfs_dir_pid(f->inode) : -1;
	if (pid < 0)
		return -EBADF;
	*p = proc_find(pid);
	return 0;
}

long
sys_pidfd_send_signal(int pidfd, int sig, uaddr_t uinfo, unsigned flags)
{
	struct proc *self = current()->proc, *p;
	if (flags)
		return -EINVAL;
	struct file *f = fd_hold(pidfd);
	if (!f)
		return -EBADF;
	int e = target_of(f, true, &p);
	if (e < 0)
		return e;
	if (sig < 0 || sig >= NSIG)
		return -EINVAL;
	struct sig_info_k info = { .code = SI_USER, .pid = self->pid,
				   .uid = self->uid };
	if (uinfo) {
		int32_t signo;
		if (copyin(&signo, uinfo, sizeof(signo)) < 0)
			return -EFAULT;
		if (signo != sig)
			return -EINVAL;
		/* Only a signal to itself may carry a kernel's si_code. */
		e = signal_queueinfo_copy(uinfo, p == self ? current()->tid : 0,
					  &info);
		if (e < 0)
			return e;
	}
	if (!p || p->state != PROC_ALIVE)
		return -ESRCH;
	if (!signal_permitted(self, p, sig))
		return -EPERM;
	return sig ? signal_send_proc_info(p, sig, &info) : 0;
}

long
sys_pidfd_getfd(int pidfd, int targetfd, unsigned flags)
{
	struct proc *self = current()->proc, *p;
	if (flags)
		return -EINVAL;
	struct file *f = fd_hold(pidfd);
	if (!f)
		return -EBADF;
	int e = target_of(f, false, &p);
	if (e < 0)
		return e;
	if (!p)
		return -ESRCH;
	if (!proc_may_access(self, p))
		return -EPERM;
	struct file *their = p->files ? fd_get_open(p, targetfd) : NULL;
	if (!their)
		return -EBADF;
	file_get(their);
	int fd = fd_install(self, their, 0, true);
	if (fd < 0)
		file_put(their);
	return fd;
}

int
pidfd_wait_target(int fd, int *pid, bool *nonblock)
{
	struct file *f = fd_hold(fd);
	if (!f || f->ops != &pidfd_fops)
		return -EBADF;
	struct pidfd *pf = f->priv;
	/* Reaped, its pid perhaps taken again: no child to wait for (0). */
	*pid = pidfd_proc(pf) ? pf->pid : 0;
	*nonblock = f->flags & O_NONBLOCK;
	return 0;
}
