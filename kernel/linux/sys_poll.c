/*
 * Readiness: poll/ppoll and select/pselect6, eventfd, and the anonymous
 * inodes that eventfd, epoll (kernel/linux/epoll.c), timerfd and signalfd
 * are. A caller that must wait hangs one entry per descriptor on that
 * file's own queue (kernel/fs/pollwait.c) and sleeps until one of them
 * wakes; it looks at its files again, and takes the entries off when it
 * returns.
 */
#include <kernel/proc.h>
#include <kernel/vfs.h>
#include <kernel/vm.h>
#include <kernel/kmalloc.h>
#include <kernel/syscall.h>
#include <syscall_table.h>
#include <kernel/errno.h>
#include <kernel/string.h>
#include <kernel/arch.h>
#include <kernel/stat.h>
#include "poll_int.h"

unsigned
file_events(struct file *f)
{
	if (!f->ops || !f->ops->poll)
		return POLLIN | POLLOUT | POLLRDNORM | POLLWRNORM;
	return f->ops->poll(f);
}

uint64_t
deadline_ms(int ms)
{
	if (ms < 0)
		return 0;
	return arch_now_ns() + (uint64_t)ms * 1000000 + 1;
}

long
deadline_ts(uaddr_t uts, uint64_t *deadline, bool *zero)
{
	*deadline = 0;
	*zero = false;
	if (!uts)
		return 0;
	struct timespec_k ts;
	if (copyin(&ts, uts, sizeof(ts)) < 0)
		return -EFAULT;
	if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= 1000000000)
		return -EINVAL;
	uint64_t ns = (uint64_t)ts.tv_sec * 1000000000 + (uint64_t)ts.tv_nsec;
	*zero = ns == 0;
	*deadline = arch_now_ns() + ns + 1;
	return 0;
}

struct pollfd_k {
	int32_t fd;
	int16_t events, revents;
};

static long
do_poll(uaddr_t ufds, unsigned nfds, uint64_t deadline, bool zero)
{
	struct proc *p = current()->proc;
	if (nfds > p->rlimits[7][0] || nfds > NR_OPEN)
		return -EINVAL;	/* more than RLIMIT_NOFILE, as Linux */
	struct pollfd_k *fds = kmalloc(sizeof(*fds) * (nfds ? nfds : 1));
	if (!fds)
		return -ENOMEM;
	if (copyin(fds, ufds, sizeof(*fds) * nfds) < 0) {
		kfree(fds);
		return -EFAULT;
	}
	struct poll_table pt;
	poll_table_init(&pt);
	long r;
	for (;;) {
		int ready = 0;
		for (unsigned i = 0; i < nfds; i++) {
			fds[i].revents = 0;
			if (fds[i].fd < 0)
				continue;
			struct file *f = fd_get_open(p, fds[i].fd);
			/* Wait on each file until one is found ready (Linux
			 * stops queueing there too): then no wait comes. */
			if (!ready && !zero &&
			    poll_table_watch(&pt, i, nfds, f) < 0) {
				r = -ENOMEM;
				goto out;
			}
			unsigned ev = f ? file_events(f) : POLLNVAL;
			ev &= (unsigned)(uint16_t)fds[i].events | POLLERR | POLLHUP | POLLNVAL;
			fds[i].revents = (int16_t)ev;
			if (ev)
				ready++;
		}
		if (ready || zero) {
			r = ready;
			break;
		}
		/* Timed out: one more look, as Linux's, which sees a
		 * descriptor closed meanwhile (POLLNVAL). */
		int w = poll_table_wait(&pt, deadline);
		if (w == -ETIMEDOUT)
			zero = true;
		if (w == -EINTR) {
			r = -EINTR;
			break;
		}
	}
	if (r >= 0 && copyout(ufds, fds, sizeof(*fds) * nfds) < 0)
		r = -EFAULT;
out:
	poll_table_free(&pt);
	kfree(fds);
	return r;
}

long
sys_poll(uaddr_t fds, unsigned nfds, int timeout)
{
	return do_poll(fds, nfds, deadline_ms(timeout), timeout == 0);
}

long
with_sigmask(uaddr_t usigmask, uint64_t *saved)
{
	struct thread *t = current();
	*saved = t->sig_blocked;
	if (!usigmask)
		return 0;
	uint64_t m;
	if (copyin(&m, usigmask, 8) < 0)
		return -EFAULT;
	t->sig_blocked = m & ~(SIGBIT(SIGKILL) | SIGBIT(SIGSTOP));
	return 1;
}

void
restore_sigmask(uint64_t saved, long r)
{
	struct thread *t = current();
	if (r == -EINTR) {
		t->saved_mask = saved;
		t->restore_mask = true;
	} else {
		t->sig_blocked = saved;
	}
}

long
sys_ppoll(uaddr_t fds, unsigned nfds, uaddr_t ts, uaddr_t sigmask, size_t size)
{
	uint64_t deadline, saved;
	bool zero;
	(void)size;
	long e = deadline_ts(ts, &deadline, &zero);
	if (e)
		return e;
	e = with_sigmask(sigmask, &saved);
	if (e < 0)
		return e;
	long r = do_poll(fds, nfds, deadline, zero);
	restore_sigmask(saved, r);
	return r;
}

static long
do_select(int n, uaddr_t ur, uaddr_t uw, uaddr_t ue, uint64_t deadline, bool zero)
{
	struct proc *p = current()->proc;
	uint64_t in[3][SELECT_MAX / 64], out[3][SELECT_MAX / 64];
	uaddr_t u[3] = { ur, uw, ue };
	if (n < 0 || n > SELECT_MAX)
		return -EINVAL;
	size_t bytes = ALIGN_UP((size_t)n, 64) / 8;
	memset(in, 0, sizeof(in));
	for (int k = 0; k < 3; k++)
		if (u[k] && copyin(in[k], u[k], bytes) < 0)
			return -EFAULT;
	for (int fd = 0; fd < n; fd++) {
		bool asked = false;
		for (int k = 0; k < 3; k++)
			asked |= (in[k][fd / 64] >> (fd % 64)) & 1;
		if (asked && !fd_get_open(p, fd))
			return -EBADF;
	}
	struct poll_table pt;
	poll_table_init(&pt);
	long ready;
	for (;;) {
		ready = 0;
		memset(out, 0, sizeof(out));
		for (int fd = 0; fd < n; fd++) {
			uint64_t bit = 1ull << (fd % 64);
			if (!((in[0][fd / 64] | in[1][fd / 64] | in[2][fd / 64]) & bit))
				continue;
			/* Closed by another thread while we slept: ready in
			   every set asked, as Linux, so the caller's next
			   use of it sees EBADF. */
			struct file *f = fd_get_open(p, fd);
			if (!ready && !zero &&
			    poll_table_watch(&pt, (unsigned)fd, (unsigned)n, f) < 0) {
				ready = -ENOMEM;
				goto out;
			}
			unsigned ev = f ? file_events(f) : POLLNVAL;
			if ((in[0][fd / 64] & bit) &&
			    (ev & (POLLIN | POLLHUP | POLLERR | POLLNVAL))) {
				out[0][fd / 64] |= bit;
				ready++;
			}
			if ((in[1][fd / 64] & bit) &&
			    (ev & (POLLOUT | POLLERR | POLLNVAL))) {
				out[1][fd / 64] |= bit;
				ready++;
			}
			if ((in[2][fd / 64] & bit) && (ev & (POLLPRI | POLLNVAL))) {
				out[2][fd / 64] |= bit;
				ready++;
			}
		}
		if (ready || zero)
			break;
		int w = poll_table_wait(&pt, deadline);
		if (w == -ETIMEDOUT)
			zero = true;	/* one more look, as do_poll */
		if (w == -EINTR) {
			ready = -EINTR;
			goto out;
		}
	}
	poll_table_free(&pt);
	for (int k = 0; k < 3; k++)
		if (u[k] && copyout(u[k], out[k], bytes) < 0)
			return -EFAULT;
	return ready;
out:
	poll_table_free(&pt);
	return ready;
}

long
sys_select(int n, uaddr_t r, uaddr_t w, uaddr_t e, uaddr_t utv)
{
	uint64_t deadline = 0;
	bool zero = false;
	if (utv) {
		int64_t tv[2];
		if (copyin(tv, utv, sizeof(tv)) < 0)
			return -EFAULT;
		if (tv[0] < 0 || tv[1] < 0 || tv[1] >= 1000000)
			return -EINVAL;
		uint64_t ns = (uint64_t)tv[0] * 1000000000 + (uint64_t)tv[1] * 1000;
		zero = ns == 0;
		deadline = arch_now_ns() + ns + 1;
	}
	return do_select(n, r, w, e, deadline, zero);
}

long
sys_pselect6(int n, uaddr_t r, uaddr_t w, uaddr_t e, uaddr_t ts, uaddr_t usig)
{
	uint64_t deadline, saved;
	bool zero;
	long err = deadline_ts(ts, &deadline, &zero);
	if (err)
		return err;
	uaddr_t mask = 0;
	if (usig) {
		uint64_t v[2];
		if (copyin(v, usig, sizeof(v)) < 0)
			return -EFAULT;
		mask = v[0];
	}
	err = with_sigmask(mask, &saved);
	if (err < 0)
		return err;
	long rr = do_select(n, r, w, e, deadline, zero);
	restore_sigmask(saved, rr);
	return rr;
}

static struct super anon_sb = { .type = "anon_inodefs" };

/*
 * An anonymous inode's mode, owner and times stay as made (Linux 6.14 and
 * later: EOPNOTSUPP): a chmod +x would otherwise make an eventfd look
 * executable to execveat and friends.
 */
static int
anon_setattr(struct inode *ino, const struct iattr_k *a)
{
	(void)ino, (void)a;
	return -EOPNOTSUPP;
}

static const struct inode_ops anon_iops = {
	.setattr = anon_setattr,
};

long
install_anon(const char *kind, const struct file_ops *ops, void *priv,
	     unsigned flags)
{
	struct inode *ino = inode_new(&anon_sb, S_IFREG | 0600);
	if (!ino)
		return -ENOMEM;
	ino->iops = &anon_iops;
	ino->priv = (void *)kind;
	ino->fops = ops;
	struct file *f = file_new(ino, O_RDWR | (flags & O_NONBLOCK));
	inode_put(ino);
	if (!f)
		return -ENOMEM;
	f->priv = priv;
	int fd = fd_install(current()->proc, f, 0, flags & O_CLOEXEC);
	if (fd < 0) {
		f->ops = NULL;
		file_put(f);
	}
	return fd;
}

/* eventfd: a 64-bit counter. */
struct eventfd {
	uint64_t count;
	bool semaphore;
	struct waitq wq;
};

static long
eventfd_read(struct file *f, void *buf, size_t len, uint64_t *off)
{
	struct eventfd *e = f->priv;
	(void)off;
	if (len < 8)
		return -EINVAL;
	while (e->count == 0) {
		if (f->flags & O_NONBLOCK)
			return -EAGAIN;
		if (waitq_wait(&e->wq, 0, true) == -EINTR)
			return -ERESTARTSYS;
	}
	uint64_t v = e->semaphore ? 1 : e->count;
	e->count -= v;
	memcpy(buf, &v, 8);
	waitq_wake_all(&e->wq);
	file_notify(f);
	return 8;
}

static long
eventfd_write(struct file *f, const void *buf, size_t len, uint64_t *off)
{
	struct eventfd *e = f->priv;
	uint64_t v;
	(void)off;
	if (len < 8)
		return -EINVAL;
	memcpy(&v, buf, 8);
	if (v == ~0ull)
		return -EINVAL;
	while (e->count + v < e->count || e->count + v == ~0ull) {
		if (f->flags & O_NONBLOCK)
			return -EAGAIN;
		if (waitq_wait(&e->wq, 0, true) == -EINTR)
			return -ERESTARTSYS;
	}
	e->count += v;
	waitq_wake_all(&e->wq);
	file_notify(f);
	return 8;
}

static unsigned
eventfd_poll(struct file *f)
{
	struct eventfd *e = f->priv;
	unsigned ev = 0;
	if (e->count)
		ev |= POLLIN | POLLRDNORM;
	if (e->count < ~0ull - 1)
		ev |= POLLOUT | POLLWRNORM;
	return ev;
}

static void
eventfd_close(struct file *f)
{
	kfree(f->priv);
}

static const struct file_ops eventfd_fops = {
	.read = eventfd_read,
	.write = eventfd_write,
	.poll = eventfd_poll,
	.close = eventfd_close,
};

int
eventfd_add(struct file *f, uint64_t n)
{
	if (f->ops != &eventfd_fops)
		return -EINVAL;
	if (!n)
		return 0;
	struct eventfd *e = f->priv;
	e->count = e->count + n < e->count ? ~0ull : e->count + n;
	waitq_wake_all(&e->wq);
	file_notify_in(f);
	return 0;
}

long
sys_eventfd2(unsigned initval, int flags)
{
	if (flags & ~(O_CLOEXEC | O_NONBLOCK | 1))
		return -EINVAL;
	struct eventfd *e = kzalloc(sizeof(*e));
	if (!e)
		return -ENOMEM;
	e->count = initval;
	e->semaphore = flags & 1;
	waitq_init(&e->wq);
	long fd = install_anon("[eventfd]", &eventfd_fops, e, (unsigned)flags);
	if (fd < 0)
		kfree(e);
	return fd;
}

long
sys_eventfd(unsigned initval)
{
	return sys_eventfd2(initval, 0);
}
