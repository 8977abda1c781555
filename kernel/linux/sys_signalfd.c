/*
 * signalfd: an anonymous file from which the reading thread takes its
 * pending signals (those in the file's mask) as struct signalfd_siginfo,
 * as Linux does: what a read or poll sees depends on who reads, not on
 * who made the file. Every signal queued anywhere wakes the readers and
 * pollers of every signalfd (signalfd_notify); they look again.
 */
#include <kernel/proc.h>
#include <kernel/vfs.h>
#include <kernel/vm.h>
#include <kernel/kmalloc.h>
#include <kernel/syscall.h>
#include <syscall_table.h>
#include <kernel/errno.h>
#include <kernel/string.h>
#include <kernel/stat.h>

#define SFD_FLAGS (O_CLOEXEC | O_NONBLOCK)
#define UNBLOCKABLE (SIGBIT(SIGKILL) | SIGBIT(SIGSTOP))

struct signalfd {
	uint64_t mask;
	struct file *file;
	struct list link;	/* all_signalfds */
};

/* struct signalfd_siginfo */
struct signalfd_siginfo_k {
	uint32_t signo;
	int32_t errno_, code;
	uint32_t pid, uid;
	int32_t fd;
	uint32_t tid, band, overrun, trapno;
	int32_t status, int_;
	uint64_t ptr, utime, stime, addr;
	uint16_t addr_lsb, pad2;
	int32_t syscall;
	uint64_t call_addr;
	uint32_t arch;
	uint8_t pad[28];
};
_Static_assert(sizeof(struct signalfd_siginfo_k) == 128,
	       "Linux's signalfd_siginfo is 128 bytes");

static struct list all_signalfds = LIST_INIT(all_signalfds);
static struct waitq signalfd_wq = WAITQ_INIT(signalfd_wq);

void
signalfd_notify(struct proc *p)
{
	(void)p;	/* any thread anywhere may read any signalfd */
	if (list_empty(&all_signalfds))
		return;
	waitq_wake_all(&signalfd_wq);
	list_for_each(it, &all_signalfds)
		file_notify(list_entry(it, struct signalfd, link)->file);
}

/* Linux's signalfd_copyinfo: the fields each kind of signal fills. */
static void
fill_info(struct signalfd_siginfo_k *out, int sig, const struct sig_info_k *k)
{
	memset(out, 0, sizeof(*out));
	out->signo = (uint32_t)sig;
	out->code = k->code;
	if (k->code == SI_TIMER) {
		out->tid = (uint32_t)k->pid;
		out->overrun = k->uid;
	} else {
		out->pid = (uint32_t)k->pid;
		out->uid = k->uid;
	}
	if (k->code == SI_QUEUE || k->code == SI_TIMER) {
		out->int_ = (int32_t)k->value;
		out->ptr = k->value;
	}
	if (sig == SIGCHLD && k->code > 0)
		out->status = (int32_t)k->value;
}

static long
signalfd_read(struct file *f, void *buf, size_t len, uint64_t *off)
{
	struct signalfd *s = f->priv;
	struct thread *t = current();
	struct sig_info_k k;
	size_t done = 0;
	(void)off;
	len /= sizeof(struct signalfd_siginfo_k);
	if (!len)
		return -EINVAL;
	while (done < len) {
		int sig = signal_take(t, s->mask, &k);
		if (sig) {
			fill_info((struct signalfd_siginfo_k *)buf + done, sig, &k);
			done++;
			continue;
		}
		/* Only the first waits, as on Linux. */
		if (done)
			break;
		if (f->flags & O_NONBLOCK)
			return -EAGAIN;
		if (waitq_wait(&signalfd_wq, 0, true) == -EINTR)
			return -ERESTARTSYS;
	}
	return (long)(done * sizeof(struct signalfd_siginfo_k));
}

static unsigned
signalfd_poll(struct file *f)
{
	struct signalfd *s = f->priv;
	struct thread *t = current();
	uint64_t pend = t->sig_pending | t->proc->sig_pending;
	return pend & s->mask ? POLLIN | POLLRDNORM : 0;
}

static void
signalfd_close(struct file *f)
{
	struct signalfd *s = f->priv;
	list_remove(&s->link);
	kfree(s);
}

static const struct file_ops signalfd_fops = {
	.read = signalfd_read,
	.poll = signalfd_poll,
	.close = signalfd_close,
};

long
sys_signalfd4(int fd, uaddr_t umask, size_t size, int flags)
{
	uint64_t mask;
	if (size != sizeof(mask))
		return -EINVAL;
	if (copyin(&mask, umask, sizeof(mask)) < 0)
		return -EFAULT;
	if (flags & ~SFD_FLAGS)
		return -EINVAL;
	mask &= ~UNBLOCKABLE;
	if (fd != -1) {
		struct file *f = fd_get(current()->proc, fd);
		if (!f)
			return -EBADF;
		if (f->ops != &signalfd_fops)
			return -EINVAL;
		((struct signalfd *)f->priv)->mask = mask;
		waitq_wake_all(&signalfd_wq);
		file_notify(f);
		return fd;
	}
	struct signalfd *s = kzalloc(sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->mask = mask;
	long r = install_anon("[signalfd]", &signalfd_fops, s, (unsigned)flags);
	if (r < 0) {
		kfree(s);
		return r;
	}
	s->file = fd_get(current()->proc, (int)r);
	list_push_back(&all_signalfds, &s->link);
	return r;
}

long
sys_signalfd(int fd, uaddr_t mask, size_t size)
{
	return sys_signalfd4(fd, mask, size, 0);
}
