/*
 * Readiness: poll/ppoll, select/pselect6, epoll and eventfd, and the
 * anonymous inodes eventfd, epoll, timerfd and signalfd are. Every object
 * that changes readiness wakes the one poll queue (file_notify); a waiter
 * then checks its files again. Simple and correct; a per-file queue is the
 * next step when many descriptors are watched.
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

static unsigned
file_events(struct file *f)
{
	if (!f->ops || !f->ops->poll)
		return POLLIN | POLLOUT | POLLRDNORM | POLLWRNORM;
	return f->ops->poll(f);
}

/* Timeout in ms (negative = forever) to a deadline (0 = none). */
static uint64_t
deadline_ms(int ms)
{
	if (ms < 0)
		return 0;
	return arch_now_ns() + (uint64_t)ms * 1000000 + 1;
}

static long
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
	long r;
	for (;;) {
		int ready = 0;
		for (unsigned i = 0; i < nfds; i++) {
			fds[i].revents = 0;
			if (fds[i].fd < 0)
				continue;
			struct file *f = fd_get_open(p, fds[i].fd);
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
		int w = waitq_wait(&poll_waitq, deadline, true);
		if (w == -ETIMEDOUT) {
			r = 0;
			break;
		}
		if (w == -EINTR) {
			r = -EINTR;
			break;
		}
	}
	if (r >= 0 && copyout(ufds, fds, sizeof(*fds) * nfds) < 0)
		r = -EFAULT;
	kfree(fds);
	return r;
}

long
sys_poll(uaddr_t fds, unsigned nfds, int timeout)
{
	return do_poll(fds, nfds, deadline_ms(timeout), timeout == 0);
}

static long
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

/* After a wait with a temporary mask: restore it after any handler runs. */
static void
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
		int w = waitq_wait(&poll_waitq, deadline, true);
		if (w == -ETIMEDOUT)
			break;
		if (w == -EINTR)
			return -EINTR;
	}
	for (int k = 0; k < 3; k++)
		if (u[k] && copyout(u[k], out[k], bytes) < 0)
			return -EFAULT;
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

/* epoll: an interest list of (file, fd, events, data). */
#define EPOLLIN 0x001
#define EPOLLOUT 0x004
#define EPOLLERR 0x008
#define EPOLLHUP 0x010
#define EPOLLRDHUP 0x2000
#define EPOLLEXCLUSIVE (1u << 28)
#define EPOLLONESHOT (1u << 30)
#define EPOLLET (1u << 31)

struct epitem {
	struct list link;		/* owner->items */
	struct list all_link;
	struct epoll *owner;
	struct file *file;
	int fd;
	uint32_t events;
	uint64_t data;
	uint32_t seen_seq;
	unsigned last_ready;
	bool disabled;
};

struct epoll {
	struct list items;
};

static struct list all_items = LIST_INIT(all_items);

static void
epoll_close(struct file *f)
{
	struct epoll *ep = f->priv;
	list_for_each_safe(it, nx, &ep->items) {
		struct epitem *e = list_entry(it, struct epitem, link);
		list_remove(&e->all_link);
		kfree(e);
	}
	kfree(ep);
}

static unsigned
epoll_poll(struct file *f)
{
	struct epoll *ep = f->priv;
	list_for_each(it, &ep->items) {
		struct epitem *e = list_entry(it, struct epitem, link);
		if (!e->disabled && (file_events(e->file) & (e->events | EPOLLERR | EPOLLHUP)))
			return POLLIN | POLLRDNORM;
	}
	return 0;
}

static const struct file_ops epoll_fops = {
	.poll = epoll_poll,
	.close = epoll_close,
};

void
epoll_forget(struct file *f)
{
	list_for_each_safe(it, nx, &all_items) {
		struct epitem *e = list_entry(it, struct epitem, all_link);
		if (e->file == f) {
			list_remove(&e->link);
			list_remove(&e->all_link);
			kfree(e);
		}
	}
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

long
sys_epoll_create1(int flags)
{
	if (flags & ~O_CLOEXEC)
		return -EINVAL;
	struct epoll *ep = kzalloc(sizeof(*ep));
	if (!ep)
		return -ENOMEM;
	list_init(&ep->items);
	long fd = install_anon("[eventpoll]", &epoll_fops, ep, (unsigned)flags);
	if (fd < 0)
		kfree(ep);
	return fd;
}

long
sys_epoll_create(int size)
{
	return size <= 0 ? -EINVAL : sys_epoll_create1(0);
}

/* The epoll file is held until the call returns (fd_hold): a sleeping
 * epoll_wait must not find it freed by another thread's close. */
static struct epoll *
get_epoll(int epfd)
{
	struct file *f = fd_hold(epfd);
	if (!f)
		return ERR_PTR(-EBADF);
	if (f->ops != &epoll_fops)
		return ERR_PTR(-EINVAL);
	return f->priv;
}

struct file *
epoll_target(struct file *ep, int tfd, unsigned toff)
{
	if (ep->ops != &epoll_fops)
		return NULL;
	struct epoll *e = ep->priv;
	list_for_each(it, &e->items) {
		struct epitem *x = list_entry(it, struct epitem, link);
		if (x->fd == tfd && toff-- == 0)
			return x->file;
	}
	return NULL;
}

/* Linux's EP_MAX_NESTS: instances inside instances, at most this deep. */
#define EP_MAX_NESTS 4

/*
 * How many levels of epoll instances ep holds (0: none), or -1 if find is
 * among them; past EP_MAX_NESTS the count stops there.
 */
static int
ep_height(struct epoll *ep, struct epoll *find, int depth)
{
	if (ep == find)
		return -1;
	if (depth > EP_MAX_NESTS)
		return 0;
	int height = 0;
	list_for_each(it, &ep->items) {
		struct epitem *x = list_entry(it, struct epitem, link);
		if (x->file->ops != &epoll_fops)
			continue;
		int h = ep_height(x->file->priv, find, depth + 1);
		if (h < 0)
			return -1;
		height = MAX(height, h + 1);
	}
	return height;
}

/* How many levels of epoll instances hold ep (0: none). */
static int
ep_depth(struct epoll *ep, int depth)
{
	if (depth > EP_MAX_NESTS)
		return 0;
	int deepest = 0;
	list_for_each(it, &all_items) {
		struct epitem *x = list_entry(it, struct epitem, all_link);
		if (x->file->ops == &epoll_fops && x->file->priv == ep)
			deepest = MAX(deepest, 1 + ep_depth(x->owner, depth + 1));
	}
	return deepest;
}

/* Linux's ep_loop_check: adding `in` to ep makes no cycle and nests no
   deeper than EP_MAX_NESTS; else ELOOP. */
static long
ep_loop_check(struct epoll *ep, struct file *in)
{
	if (in->ops != &epoll_fops)
		return 0;
	int height = ep_height(in->priv, ep, 0);
	if (height < 0 || ep_depth(ep, 0) + 1 + height > EP_MAX_NESTS)
		return -ELOOP;
	return 0;
}

/* struct epoll_event: packed on x86_64 alone (<arch/abi.h>). */
struct EPOLL_PACKED epoll_event_k {
	uint32_t events;
	uint64_t data;
};

long
sys_epoll_ctl(int epfd, int op, int fd, uaddr_t uev)
{
	/* Copied in first: a fault here may sleep, and the lookups below
	 * must not outlive a sleep (another thread may close fd). */
	struct epoll_event_k ev = { 0, 0 };
	bool copied = op == 2 || copyin(&ev, uev, sizeof(ev)) == 0;
	struct epoll *ep = get_epoll(epfd);
	if (IS_ERR(ep))
		return PTR_ERR(ep);
	struct file *f = fd_get_open(current()->proc, fd);
	if (!f)
		return -EBADF;
	if (f->priv == ep)
		return -EINVAL;
	if (!f->ops || !f->ops->poll)
		return -EPERM;
	if (!copied)
		return -EFAULT;
	struct epitem *e = NULL;
	list_for_each(it, &ep->items) {
		struct epitem *x = list_entry(it, struct epitem, link);
		if (x->file == f && x->fd == fd)
			e = x;
	}
	switch (op) {
	case 1: {	/* EPOLL_CTL_ADD */
		if (e)
			return -EEXIST;
		long r = ep_loop_check(ep, f);
		if (r < 0)
			return r;
		e = kzalloc(sizeof(*e));
		if (!e)
			return -ENOMEM;
		e->owner = ep;
		e->file = f;
		e->fd = fd;
		e->events = ev.events;
		e->data = ev.data;
		e->seen_seq = f->events_seq - 1;
		list_push_back(&ep->items, &e->link);
		list_push_back(&all_items, &e->all_link);
		return 0;
	}
	case 2:		/* EPOLL_CTL_DEL */
		if (!e)
			return -ENOENT;
		list_remove(&e->link);
		list_remove(&e->all_link);
		kfree(e);
		return 0;
	case 3:		/* EPOLL_CTL_MOD */
		if (!e)
			return -ENOENT;
		e->events = ev.events;
		e->data = ev.data;
		e->disabled = false;
		e->seen_seq = f->events_seq - 1;
		return 0;
	}
	return -EINVAL;
}

/* The most events one epoll_wait returns (Linux may return fewer than
 * maxevents too): they are gathered in a kernel buffer first. */
#define EPOLL_BATCH 512

/*
 * Gathers up to max ready events of ep into out. Nothing here sleeps, so
 * the interest list cannot change under the walk; the copy to the user,
 * which may fault and sleep, comes after it. What was reported goes to
 * the back of the list, so the next call starts with the others (Linux
 * puts a level-triggered item back at the tail of its ready list): many
 * ready files and a small maxevents still see each one in turn.
 */
static int
epoll_gather(struct epoll *ep, struct epoll_event_k *out, int max)
{
	int n = 0;
	struct list reported;
	list_init(&reported);
	list_for_each_safe(it, nx, &ep->items) {
		if (n >= max)
			break;
		struct epitem *e = list_entry(it, struct epitem, link);
		if (e->disabled)
			continue;
		unsigned ready = file_events(e->file) & (e->events | EPOLLERR | EPOLLHUP);
		if (!ready)
			continue;
		if ((e->events & EPOLLET) && e->seen_seq == e->file->events_seq &&
		    (ready & ~e->last_ready) == 0)
			continue;
		out[n].events = ready;
		out[n].data = e->data;
		e->seen_seq = e->file->events_seq;
		e->last_ready = ready;
		if (e->events & EPOLLONESHOT)
			e->disabled = true;
		n++;
		list_remove(&e->link);
		list_push_back(&reported, &e->link);
	}
	while (!list_empty(&reported)) {
		struct list *first = reported.next;
		list_remove(first);
		list_push_back(&ep->items, first);
	}
	return n;
}

static long
do_epoll_wait(int epfd, uaddr_t uevents, int max, uint64_t deadline, bool zero)
{
	struct epoll *ep = get_epoll(epfd);
	if (IS_ERR(ep))
		return PTR_ERR(ep);
	if (max <= 0 || max > 65536)
		return -EINVAL;
	struct epoll_event_k *out = kmalloc(sizeof(*out) * EPOLL_BATCH);
	if (!out)
		return -ENOMEM;
	long r;
	for (;;) {
		int n = epoll_gather(ep, out, MIN(max, EPOLL_BATCH));
		if (n || zero) {
			r = n && copyout(uevents, out, sizeof(*out) * (size_t)n) < 0 ?
			    -EFAULT : n;
			break;
		}
		int w = waitq_wait(&poll_waitq, deadline, true);
		if (w == -ETIMEDOUT || w == -EINTR) {
			r = w == -EINTR ? -EINTR : 0;
			break;
		}
	}
	kfree(out);
	return r;
}

long
sys_epoll_wait(int epfd, uaddr_t events, int max, int timeout)
{
	return do_epoll_wait(epfd, events, max, deadline_ms(timeout), timeout == 0);
}

long
sys_epoll_pwait(int epfd, uaddr_t events, int max, int timeout, uaddr_t sigmask, size_t size)
{
	uint64_t saved;
	(void)size;
	long e = with_sigmask(sigmask, &saved);
	if (e < 0)
		return e;
	long r = do_epoll_wait(epfd, events, max, deadline_ms(timeout), timeout == 0);
	restore_sigmask(saved, r);
	return r;
}

/* epoll_pwait with a timespec timeout (NULL: forever), checked first. */
long
sys_epoll_pwait2(int epfd, uaddr_t events, int max, uaddr_t timeout, uaddr_t sigmask, size_t size)
{
	uint64_t deadline, saved;
	bool zero;
	(void)size;
	long e = deadline_ts(timeout, &deadline, &zero);
	if (e < 0)
		return e;
	e = with_sigmask(sigmask, &saved);
	if (e < 0)
		return e;
	long r = do_epoll_wait(epfd, events, max, deadline, zero);
	restore_sigmask(saved, r);
	return r;
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
