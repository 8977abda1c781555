/*
 * Signal-driven I/O, as Linux's fs/fcntl.c: a file with O_ASYNC (fcntl
 * F_SETFL, ioctl FIOASYNC) sends its owner (F_SETOWN, F_SETOWN_EX) SIGIO,
 * or the signal F_SETSIG names with si_fd and si_band, when it becomes
 * readable or writable. Only kinds of file with a fasync hook take part
 * (pipes and FIFOs, sockets, the console). They sit on one list, and every
 * readiness change (file_notify) polls them: a file signals for what it
 * gained since it was last looked at, and (file_notify_in) for data that
 * came to it while it was readable already, as Linux signals each
 * arrival. Big lock.
 */
#include <kernel/vfs.h>
#include <kernel/proc.h>
#include <kernel/errno.h>

#define POLLRDBAND 0x080
#define POLLWRBAND 0x200
#define POLLMSG 0x400

static struct list async_files = LIST_INIT(async_files);
static bool notifying;		/* in fasync_notify: no recursion */

/* si_band for each POLL_* reason (Linux's band_table). */
static const unsigned band_of[POLL_HUP + 1] = {
	[POLL_IN] = POLLIN | POLLRDNORM,
	[POLL_OUT] = POLLOUT | POLLWRNORM | POLLWRBAND,
	[POLL_MSG] = POLLIN | POLLRDNORM | POLLMSG,
	[POLL_ERR] = POLLERR,
	[POLL_PRI] = POLLPRI | POLLRDBAND,
	[POLL_HUP] = POLLHUP | POLLERR,
};

int
fasync_plain(struct file *f, bool on)
{
	(void)f;
	(void)on;
	return 0;
}

int
fasync_set(struct file *f, int fd, bool on)
{
	if (!f->ops || !f->ops->fasync)
		return -ENOTTY;
	int e = f->ops->fasync(f, on);
	if (e < 0)
		return e;
	if (!on) {
		fasync_forget(f);
		f->flags &= ~O_ASYNC;
		return 0;
	}
	f->async_fd = fd;
	/* On the list before its first look: a nolock pipe call that does
	   not see it there (fasync_active) came before that look. */
	if (!f->async_on)
		list_push_back(&async_files, &f->async_link);
	f->async_on = true;
	f->async_events = f->ops->poll ? f->ops->poll(f) : 0;
	f->flags |= O_ASYNC;
	return 0;
}

bool
fasync_active(void)
{
	return !list_empty(&async_files);
}

void
fasync_forget(struct file *f)
{
	if (f->async_on)
		list_remove(&f->async_link);
	f->async_on = false;
}

/* ---- Owners ------------------------------------------------------------ */

/*
 * Whether a thread, process, process group or session has the id nr
 * (Linux's find_vpid: a zombie's pid still counts).
 */
static bool
id_in_use(int nr)
{
	if (thread_find(nr))
		return true;
	list_for_each(it, &all_procs) {
		struct proc *p = list_entry(it, struct proc, all_link);
		if (p->pid == nr || p->pgid == nr || p->sid == nr)
			return true;
	}
	return false;
}

static bool
pgrp_exists(int pgid)
{
	list_for_each(it, &all_procs) {
		struct proc *p = list_entry(it, struct proc, all_link);
		if (p->pgid == pgid)
			return true;
	}
	return false;
}

int
fown_set(struct file *f, int type, int pid)
{
	if (type != F_OWNER_TID && type != F_OWNER_PID && type != F_OWNER_PGRP)
		return -EINVAL;
	if (pid && !id_in_use(pid))
		return -ESRCH;
	struct proc *p = current()->proc;
	f->owner.type = type;
	f->owner.pid = pid;
	if (pid) {
		f->owner.uid = p->uid;
		f->owner.euid = p->euid;
	}
	return 0;
}

int
fown_get(struct file *f)
{
	const struct fown *o = &f->owner;
	switch (o->type) {
	case F_OWNER_TID:
		return o->pid && thread_find(o->pid) ? o->pid : 0;
	case F_OWNER_PID:
		return o->pid && proc_find(o->pid) ? o->pid : 0;
	default:
		return o->pid && pgrp_exists(o->pid) ? -o->pid : 0;
	}
}

/* ---- Sending ------------------------------------------------------------ */

/* Linux's sigio_perm: whoever set the owner may signal p. */
static bool
sigio_permitted(const struct fown *o, const struct proc *p)
{
	return o->euid == 0 || o->euid == p->suid || o->euid == p->uid ||
	       o->uid == p->suid || o->uid == p->uid;
}

/* Linux's send_sigio_to_task: to thread t, or to p when t is NULL. */
static void
sigio_send_to(struct file *f, int fd, struct proc *p, struct thread *t,
	      int reason)
{
	const struct fown *o = &f->owner;
	if (p->state != PROC_ALIVE || !sigio_permitted(o, p))
		return;
	struct sig_info_k info = { .code = SI_KERNEL };
	int sig = SIGIO;
	if (o->signum) {
		sig = o->signum;
		info.code = signal_has_own_codes(sig) ? SI_SIGIO : reason;
		info.fd = fd;
		info.value = band_of[reason];
	}
	if (t)
		signal_send_thread_info(t, sig, &info);
	else
		signal_send_proc_info(p, sig, &info);
}

/* Linux's send_sigio: to the owner's thread, process or group. */
void
fown_signal(struct file *f, int fd, int reason)
{
	const struct fown *o = &f->owner;
	if (!o->pid)
		return;
	if (o->type == F_OWNER_PGRP) {
		list_for_each(it, &all_procs) {
			struct proc *p = list_entry(it, struct proc, all_link);
			if (p->pgid == o->pid)
				sigio_send_to(f, fd, p, NULL, reason);
		}
		return;
	}
	struct thread *t = thread_find(o->pid);
	if (o->type == F_OWNER_TID) {
		if (t && t->proc)
			sigio_send_to(f, fd, t->proc, t, reason);
		return;
	}
	struct proc *p = proc_find(o->pid);
	if (!p && t)
		p = t->proc;	/* a thread's id names its process */
	if (p)
		sigio_send_to(f, fd, p, NULL, reason);
}

/*
 * The POLL_* reason for events f gained, 0 for none: data to read (a
 * hang-up too on a file only read, where the reader then finds the end,
 * as Linux's pipe_release says POLL_IN), room to write (an error too on a
 * file only written), else a hang-up, an error, urgent data.
 */
static int
sigio_reason(const struct file *f, unsigned gained)
{
	unsigned acc = f->flags & O_ACCMODE;
	if ((gained & (POLLIN | POLLRDNORM | POLLRDHUP)) ||
	    ((gained & POLLHUP) && acc == O_RDONLY))
		return POLL_IN;
	if ((gained & (POLLOUT | POLLWRNORM)) ||
	    ((gained & POLLERR) && acc == O_WRONLY))
		return POLL_OUT;
	if (gained & POLLHUP)
		return POLL_HUP;
	if (gained & POLLERR)
		return POLL_ERR;
	if (gained & POLLPRI)
		return POLL_PRI;
	return 0;
}

void
fasync_notify(struct file *arrived)
{
	if (list_empty(&async_files) || notifying)
		return;
	notifying = true;
	list_for_each_safe(it, next, &async_files) {
		struct file *f = list_entry(it, struct file, async_link);
		unsigned now = f->ops->poll ? f->ops->poll(f) : 0;
		unsigned gained = now & ~f->async_events;
		/* More data for a file that was readable already. */
		if (f == arrived)
			gained |= now & (POLLIN | POLLRDNORM);
		f->async_events = now;
		int reason = sigio_reason(f, gained);
		if (reason)
			fown_signal(f, f->async_fd, reason);
	}
	notifying = false;
}
