/*
 * epoll: an interest list of (file, fd) items and a ready list, as
 * Linux's eventpoll. Each item hangs an entry on its file's readiness
 * queue (kernel/fs/pollwait.c); a wake there puts the item on the ready
 * list and wakes the instance's epoll_wait callers and its own queue (an
 * instance inside another, or polled). epoll_wait looks only at the ready
 * list: its cost follows the files that moved, not the files watched.
 * Big lock; nothing here sleeps but epoll_wait's wait and user copies.
 * A wake without the big lock (ep_entry_wake_unlocked: netd's post to a
 * socket) puts the item on the instance's posted list under its lock,
 * which the locked code moves to the ready list before it looks there;
 * epoll_wait runs without the big lock for an instance only its caller
 * can reach (epoll_wait_unlocked), and sleeps so too: on the instance's
 * queue, until its own timer (epoll.timer) or a wake (ep_wait_nolock).
 */
#include <kernel/proc.h>
#include <kernel/vfs.h>
#include <kernel/vm.h>
#include <kernel/kmalloc.h>
#include <kernel/syscall.h>
#include <syscall_table.h>
#include <kernel/errno.h>
#include <kernel/arch.h>
#include <kernel/lock.h>
#include <kernel/sockfile.h>
#include "poll_int.h"

#define EPOLLIN 0x001
#define EPOLLOUT 0x004
#define EPOLLERR 0x008
#define EPOLLHUP 0x010
#define EPOLLWAKEUP (1u << 29)
#define EPOLLEXCLUSIVE (1u << 28)
#define EPOLLONESHOT (1u << 30)
#define EPOLLET (1u << 31)
/* Linux's EPOLLEXCLUSIVE_OK_BITS: what an exclusive item may ask. */
#define EPOLLEXCLUSIVE_OK (EPOLLIN | EPOLLOUT | EPOLLERR | EPOLLHUP | \
			   EPOLLWAKEUP | EPOLLET | EPOLLEXCLUSIVE)

#define EPOLL_CTL_ADD 1
#define EPOLL_CTL_DEL 2
#define EPOLL_CTL_MOD 3

/*
 * One watched (file, fd); big lock, but for [E]: the instance's lock
 * guards them, and every access takes it; [b E]: changed with both held,
 * read under either.
 */
struct epitem {
	struct list link;		/* ep->items: the interest list */
	struct list rdlink;		/* ep->ready, while on_ready */
	struct list postlink;		/* [E] ep->posted, while on_posted */
	struct list file_link;		/* file->ep_items */
	struct poll_entry entry;	/* on file->poll_head */
	struct epoll *ep;
	struct file *file;		/* no reference: epoll_forget drops
					   the item when the file goes */
	int fd;
	uint32_t events;		/* [b E] */
	uint64_t data;
	bool on_ready;
	bool on_posted;			/* [E] */
	bool disabled;			/* [b E] EPOLLONESHOT reported, until
					   MOD */
};

/*
 * An epoll instance; big lock, but for [E] and [b E] as in epitem, and
 * the ready list: the instance's calls change it with the big lock, or,
 * for an instance only one thread can reach (ep_mine), without it under
 * `lock` (epoll_wait_unlocked); the two others that may change it at the
 * same time, a locked wake and an item's removal when another process
 * closes its file, take `lock` as well.
 */
struct epoll {
	struct list items;
	struct list ready;		/* items woken since last looked at */
	struct spinlock lock;
	struct list posted;		/* [E] items woken without the big
					   lock, for the ready list; also
					   read by a waiter's sleep test */
	struct waitq wq;		/* epoll_wait callers */
	struct file *file;		/* its own file (no reference) */
	/* A nolock epoll_wait's deadline (ep_timer_arm): armed only by
	 * the one thread that reaches the instance (ep_mine), kept armed
	 * after its wait, cancelled at the last close (big lock). */
	struct ktimer timer;		/* [T] (<kernel/timer.h>) */
	uint64_t timer_at;		/* its deadline, the armer's */
};

static void
ep_set_ready(struct epitem *e)
{
	if (e->on_ready)
		return;
	list_push_back(&e->ep->ready, &e->rdlink);
	e->on_ready = true;
}

static void
ep_unset_ready(struct epitem *e)
{
	if (!e->on_ready)
		return;
	list_remove(&e->rdlink);
	e->on_ready = false;
}

/* The items woken without the big lock go on the ready list. ep->lock
 * held. */
static void
ep_take_posted_held(struct epoll *ep)
{
	SPIN_ASSERT_HELD(&ep->lock);
	while (!list_empty(&ep->posted)) {
		struct epitem *e = list_first(&ep->posted, struct epitem,
					      postlink);
		list_remove(&e->postlink);
		e->on_posted = false;
		ep_set_ready(e);
	}
}

/* ep_take_posted_held, before the locked code looks at the ready list.
 * Big lock held. */
static void
ep_take_posted(struct epoll *ep)
{
	BKL_ASSERT_HELD();
	/* Always under the lock, no unlocked look first: a watcher that
	 * hangs on ep's queue and then looks here must see a post that did
	 * not see it (ep_entry_wake_unlocked). */
	spin_lock(&ep->lock);
	ep_take_posted_held(ep);
	spin_unlock(&ep->lock);
}

/* A sleeping epoll_wait's test, under its wait queue's lock: an item was
 * posted (its waker wakes ep->wq after it posts). */
static bool
ep_posted(void *arg)
{
	struct epoll *ep = arg;
	return !list_empty(&ep->posted);
}

/* Something is ready: epoll_wait callers and the instance's own waiters
 * (epoll instances holding it, poll and select on it) hear of it. */
static void
ep_wake_waiters(struct epoll *ep)
{
	waitq_wake_all(&ep->wq);
	if (ep->file)
		pollhead_wake(ep->file->poll_head, POLLIN | POLLRDNORM);
}

/*
 * The watched file's queue woke (Linux's ep_poll_callback): the item goes
 * on the ready list unless disabled or the change is none it asked for.
 * An exclusive item counts as a wake only if a caller was waiting.
 */
static bool
ep_entry_wake(struct poll_entry *pe, unsigned key)
{
	struct epitem *e = container_of(pe, struct epitem, entry);
	struct epoll *ep = e->ep;
	if (e->disabled)
		return false;
	if (key && !(key & (e->events | EPOLLERR | EPOLLHUP)))
		return false;
	bool waiting = !list_empty(&ep->wq.sleepers);
	spin_lock(&ep->lock);	/* a nolock epoll_wait may be gathering */
	ep_set_ready(e);
	spin_unlock(&ep->lock);
	ep_wake_waiters(ep);
	return !(e->events & EPOLLEXCLUSIVE) || waiting;
}

/*
 * ep_entry_wake without the big lock (pollhead_wake_unlocked, the file's
 * queue lock held, which keeps e and its instance): the item goes on the
 * posted list and epoll_wait callers wake. An instance that is itself
 * watched (inside another, polled) asks for the locked wake as well, to
 * wake its own queue: that test comes under the instance's lock after
 * the post, so a watcher added meanwhile, which looks at the ready list
 * (epoll_poll, under the same lock) after it hangs on, is never missed.
 */
static bool
ep_entry_wake_unlocked(struct poll_entry *pe, unsigned key)
{
	struct epitem *e = container_of(pe, struct epitem, entry);
	struct epoll *ep = e->ep;
	bool alone = true;

	spin_lock(&ep->lock);
	if (e->disabled || (key && !(key & (e->events | EPOLLERR | EPOLLHUP)))) {
		spin_unlock(&ep->lock);
		return true;
	}
	if (!e->on_posted) {
		list_push_back(&ep->posted, &e->postlink);
		e->on_posted = true;
	}
	if (ep->file)
		alone = list_empty(&ep->file->poll_head->entries);
	spin_unlock(&ep->lock);
	waitq_wake_all(&ep->wq);
	return alone;
}

static unsigned
item_events(struct epitem *e)
{
	return file_events(e->file) & (e->events | EPOLLERR | EPOLLHUP);
}

static void
item_free(struct epitem *e)
{
	poll_entry_remove(&e->entry);
	/* Under the lock: a nolock epoll_wait may be gathering, and another
	 * process's last close of e->file may be what frees e. */
	spin_lock(&e->ep->lock);
	if (e->on_posted)
		list_remove(&e->postlink);
	ep_unset_ready(e);
	spin_unlock(&e->ep->lock);
	list_remove(&e->link);
	list_remove(&e->file_link);
	kfree(e);
}

static void
epoll_close(struct file *f)
{
	struct epoll *ep = f->priv;
	/* Its callback, running on another CPU, is waited for. */
	ktimer_cancel(&ep->timer);
	list_for_each_safe(it, nx, &ep->items)
		item_free(list_entry(it, struct epitem, link));
	kfree(ep);
}

/*
 * Readable while an item on the ready list is ready; those that are not
 * any more leave it (Linux's ep_read_events_proc).
 */
static unsigned
epoll_poll(struct file *f)
{
	struct epoll *ep = f->priv;
	ep_take_posted(ep);
	list_for_each_safe(it, nx, &ep->ready) {
		struct epitem *e = list_entry(it, struct epitem, rdlink);
		if (item_events(e))
			return POLLIN | POLLRDNORM;
		ep_unset_ready(e);
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
	while (!list_empty(&f->ep_items))
		item_free(list_first(&f->ep_items, struct epitem, file_link));
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
	list_init(&ep->ready);
	spin_init(&ep->lock);
	list_init(&ep->posted);
	waitq_init(&ep->wq);
	long fd = install_anon("[eventpoll]", &epoll_fops, ep, (unsigned)flags);
	if (fd < 0) {
		kfree(ep);
		return fd;
	}
	ep->file = fd_get_open(current()->proc, (int)fd);
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

/* How many levels of epoll instances hold ep (0: none): the items that
 * watch its file, and theirs. */
static int
ep_depth(struct epoll *ep, int depth)
{
	if (depth > EP_MAX_NESTS || !ep->file)
		return 0;
	int deepest = 0;
	list_for_each(it, &ep->file->ep_items) {
		struct epitem *x = list_entry(it, struct epitem, file_link);
		deepest = MAX(deepest, 1 + ep_depth(x->ep, depth + 1));
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

/* A new or changed item that is ready now goes on the ready list. */
static void
item_arm(struct epitem *e)
{
	if (item_events(e)) {
		ep_set_ready(e);
		ep_wake_waiters(e->ep);
	}
}

static long
item_add(struct epoll *ep, struct file *f, int fd,
	 const struct epoll_event_k *ev)
{
	if ((ev->events & EPOLLEXCLUSIVE) &&
	    (f->ops == &epoll_fops || (ev->events & ~EPOLLEXCLUSIVE_OK)))
		return -EINVAL;
	long r = ep_loop_check(ep, f);
	if (r < 0)
		return r;
	struct epitem *e = kzalloc(sizeof(*e));
	if (!e)
		return -ENOMEM;
	e->ep = ep;
	e->file = f;
	e->fd = fd;
	e->events = ev->events;
	e->data = ev->data;
	list_push_back(&ep->items, &e->link);
	list_push_back(&f->ep_items, &e->file_link);
	poll_entry_add(f->poll_head, &e->entry, ep_entry_wake,
		       ev->events & EPOLLEXCLUSIVE);
	poll_entry_set_unlocked(&e->entry, ep_entry_wake_unlocked);
	item_arm(e);
	return 0;
}

static long
item_mod(struct epitem *e, const struct epoll_event_k *ev)
{
	/* Linux: an exclusive item cannot be changed, nor made exclusive. */
	if ((ev->events | e->events) & EPOLLEXCLUSIVE)
		return -EINVAL;
	spin_lock(&e->ep->lock);
	e->events = ev->events;
	e->disabled = false;
	spin_unlock(&e->ep->lock);
	e->data = ev->data;
	ep_unset_ready(e);
	item_arm(e);
	return 0;
}

long
sys_epoll_ctl(int epfd, int op, int fd, uaddr_t uev)
{
	/* Copied in first: a fault here may sleep, and the lookups below
	 * must not outlive a sleep (another thread may close fd). */
	struct epoll_event_k ev = { 0, 0 };
	bool copied = op == EPOLL_CTL_DEL || copyin(&ev, uev, sizeof(ev)) == 0;
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
	list_for_each(it, &f->ep_items) {
		struct epitem *x = list_entry(it, struct epitem, file_link);
		if (x->ep == ep && x->fd == fd)
			e = x;
	}
	switch (op) {
	case EPOLL_CTL_ADD:
		return e ? -EEXIST : item_add(ep, f, fd, &ev);
	case EPOLL_CTL_DEL:
		if (!e)
			return -ENOENT;
		item_free(e);
		return 0;
	case EPOLL_CTL_MOD:
		return e ? item_mod(e, &ev) : -ENOENT;
	}
	return -EINVAL;
}

/* The most events one epoll_wait returns (Linux may return fewer than
 * maxevents too): they are gathered in a kernel buffer first. */
#define EPOLL_BATCH 512

/*
 * Takes up to max ready events of ep into out, from the ready list only.
 * Nothing here sleeps, so no list changes under the walk; the copy to
 * the user, which may fault and sleep, comes after it. An item found not
 * ready leaves the list; an edge-triggered or one-shot item leaves it
 * when reported (a later wake brings it back); a level-triggered one goes
 * to the back, to be looked at again next time, so many ready files and
 * a small maxevents still see each one in turn (Linux's ep_send_events).
 */
static int
epoll_gather(struct epoll *ep, struct epoll_event_k *out, int max, bool held)
{
	int n = 0;
	struct list again;
	list_init(&again);
	if (!held)
		ep_take_posted(ep);
	while (n < max && !list_empty(&ep->ready)) {
		struct epitem *e = list_first(&ep->ready, struct epitem, rdlink);
		ep_unset_ready(e);
		unsigned ready = e->disabled ? 0 : item_events(e);
		if (!ready)
			continue;
		out[n].events = ready;
		out[n].data = e->data;
		n++;
		if (e->events & EPOLLONESHOT) {
			if (!held)
				spin_lock(&ep->lock);
			e->disabled = true;
			if (!held)
				spin_unlock(&ep->lock);
		} else if (!(e->events & EPOLLET))
			list_push_back(&again, &e->rdlink);
	}
	while (!list_empty(&again)) {
		struct epitem *e = list_first(&again, struct epitem, rdlink);
		list_remove(&e->rdlink);
		ep_set_ready(e);
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
		int n = epoll_gather(ep, out, MIN(max, EPOLL_BATCH), false);
		if (n || zero) {
			r = n && copyout(uevents, out, sizeof(*out) * (size_t)n) < 0 ?
			    -EFAULT : n;
			break;
		}
		int w = waitq_wait_cond(&ep->wq, deadline, true, ep_posted, ep);
		if (w == -ETIMEDOUT || w == -EINTR) {
			r = w == -EINTR ? -EINTR : 0;
			break;
		}
	}
	kfree(out);
	return r;
}

/* ---- epoll_wait without the big lock -------------------------------------- */

/* The most events a nolock epoll_wait returns: gathered on the stack. */
#define EPOLL_NOLOCK_BATCH 32

/*
 * Whether f is an epoll instance only the caller's thread can reach (a
 * one-thread process, its own descriptor table, the table's reference
 * f's only one; files.lock held, fd_get_unlocked) and that nothing
 * watches (no instance holds it, nothing polls it): then only this
 * thread's calls use its ready list, but for a wake and an item's
 * removal, which take ep->lock.
 */
static bool
ep_mine(const struct file *f)
{
	const struct proc *p = current()->proc;
	return f->ops == &epoll_fops && p->nthreads == 1 &&
	       p->files->refcount == 1 &&
	       __atomic_load_n(&f->refcount, __ATOMIC_RELAXED) == 1 &&
	       list_empty(&f->ep_items) && list_empty(&f->poll_head->entries);
}

/* Whether every ready item's poll hook may run without the big lock:
 * server-backed sockets (sock_poll reads a few words). ep->lock held. */
static bool
ready_unlocked_ok(struct epoll *ep)
{
	list_for_each(it, &ep->ready) {
		struct epitem *e = list_entry(it, struct epitem, rdlink);
		if (!e->disabled && !sockfile_is_sock(e->file))
			return false;
	}
	return true;
}

/*
 * Takes up to max ready events of ep, as epoll_gather, under ep->lock
 * (which keeps each item and its file: an item leaves, at its file's last
 * close, under the same lock) and copies them out with no lock held: the
 * count, 0 for none ready, -EFAULT, or -ERETRY_LOCKED for a ready file
 * whose poll hook is the big lock's.
 */
static long
ep_report_unlocked(struct epoll *ep, uaddr_t uevents, int max)
{
	struct epoll_event_k out[EPOLL_NOLOCK_BATCH];
	int n = 0;

	spin_lock(&ep->lock);
	ep_take_posted_held(ep);
	bool ok = ready_unlocked_ok(ep);
	if (ok)
		n = epoll_gather(ep, out, MIN(max, EPOLL_NOLOCK_BATCH), true);
	spin_unlock(&ep->lock);
	if (!ok)
		return -ERETRY_LOCKED;
	if (n && copyout(uevents, out, sizeof(*out) * (size_t)n) < 0)
		return -EFAULT;
	return n;
}

/* A nolock wait's deadline passed: its sleeper wakes (ktimer_run; the
 * timer is disarmed already, which ep_sleep_done sees). Without the big
 * lock (ktimer_add_nolock): the wake takes only wait queue and run queue
 * locks, and epoll_close's cancel waits for it before the free. */
static void
ep_timer_fired(struct ktimer *k)
{
	waitq_wake_all(&container_of(k, struct epoll, timer)->wq);
}

/*
 * Arms ep's timer for a nolock wait until deadline, unless it is armed
 * for no later than deadline + slack already: one that fires early only
 * wakes the sleeper, which arms it again. Kept armed after the wait, the
 * timer serves the next one too, whose deadline (a server's next timeout)
 * is seldom earlier: one timer lock's take saved a wait. The caller is
 * the one thread that reaches ep (ep_mine).
 */
static void
ep_timer_arm(struct epoll *ep, uint64_t deadline, uint64_t slack)
{
	ktimer_keep_nolock(&ep->timer, &ep->timer_at, deadline, slack,
			   ep_timer_fired);
}

/* ep_mine still holds for f, which the caller holds too: no other
 * reference was taken while it slept. */
static bool
ep_still_mine(struct file *f)
{
	return __atomic_load_n(&f->refcount, __ATOMIC_RELAXED) == 2;
}

/* What a nolock epoll_wait sleeps on. */
struct ep_sleep {
	struct epoll *ep;
	bool timed;	/* it has a deadline: ep->timer armed for it */
};

/*
 * A nolock sleep's test, under ep->wq's lock: an item was posted or
 * put on the ready list, or the timer ran (disarmed, then its callback
 * wakes ep->wq). Each waker changes what this reads before it wakes
 * ep->wq, so none is missed (waitq_wait_cond).
 */
static bool
ep_sleep_done(void *arg)
{
	const struct ep_sleep *s = arg;
	const struct epoll *ep = s->ep;
	return !list_empty(&ep->posted) || !list_empty(&ep->ready) ||
	       (s->timed &&
		!__atomic_load_n(&ep->timer.armed, __ATOMIC_ACQUIRE));
}

/*
 * A signal ended a nolock wait with nothing ready: -EINTR the locked way
 * out, which delivers it (syscall_nolock_deliver) under the call's mask,
 * and restores the caller's (restore_sigmask's rule).
 */
static long
ep_nolock_eintr(struct thread *t, bool masked, uint64_t saved)
{
	if (masked) {
		t->saved_mask = saved;
		t->restore_mask = true;
	}
	t->unlocked_eintr = true;
	return -ERETRY_LOCKED;
}

/*
 * The wait of epoll_wait_unlocked: events ready now are reported at
 * once; else, unless timeout is 0, the caller sleeps on ep->wq under its
 * mask (if masked) until an item is posted or made ready, the deadline
 * passes (ep->timer) or a signal comes. The events, 0 at the deadline,
 * -EFAULT, or -ERETRY_LOCKED: with thread.unlocked_eintr for a signal,
 * else (a ready file of another kind, another reference to the instance
 * taken while it slept) with the mask restored, for the
 * locked path to run the call again (its timeout anew). The mask is the
 * thread's own: a sender reads it under the big lock, and one that did
 * not see it unblock a signal finds the signal pending when it wakes
 * the thread (signal.c's notify, whose fence orders the two).
 */
static long
ep_wait_nolock(struct file *f, uaddr_t uevents, int max, int timeout,
	       const uint64_t *mask)
{
	struct epoll *ep = f->priv;
	struct thread *t = current();
	struct ep_sleep s = { ep, timeout > 0 };
	uint64_t deadline = deadline_ms(timeout);
	uint64_t saved = t->sig_blocked;
	long r = ep_report_unlocked(ep, uevents, max);

	if (r != 0 || timeout == 0)
		return r;
	if (mask)
		t->sig_blocked = *mask & ~(SIGBIT(SIGKILL) | SIGBIT(SIGSTOP));
	for (;;) {
		if (s.timed)
			ep_timer_arm(ep, deadline,
				     ktimer_slack_ns((uint64_t)timeout * 1000000));
		int w = waitq_wait_cond(&ep->wq, 0, true, ep_sleep_done, &s);
		/* Another process took the file meanwhile (pidfd_getfd): its
		 * calls would change the ready list under the big lock. */
		r = ep_still_mine(f) ? ep_report_unlocked(ep, uevents, max) :
				       -ERETRY_LOCKED;
		if (r == 0 && w == -EINTR)
			return ep_nolock_eintr(t, mask != NULL, saved);
		if (r != 0 || (s.timed && arch_now_ns() >= deadline))
			break;
	}
	if (mask)
		t->sig_blocked = saved;
	return r;
}

/*
 * epoll_wait and epoll_pwait without the big lock, for an instance only
 * the caller reaches (ep_mine): ep_wait_nolock, with the file held. A
 * ready file of another kind, an instance another thread may reach or
 * one watched, a bad count or mask (the locked path's errors) go back to
 * the locked path with -ERETRY_LOCKED, having changed nothing.
 */
static long
epoll_wait_unlocked(int epfd, uaddr_t uevents, int max, int timeout,
		    uaddr_t sigmask)
{
	uint64_t mask;

	if (max <= 0 || max > 65536 ||
	    (sigmask && copyin(&mask, sigmask, sizeof(mask)) < 0))
		return -ERETRY_LOCKED;
	struct file *f = fd_get_unlocked(epfd, ep_mine);
	if (!f)
		return -ERETRY_LOCKED;
	long r = ep_wait_nolock(f, uevents, max, timeout,
				sigmask ? &mask : NULL);
	file_put_unlocked(f);
	return r;
}

long
sys_epoll_wait(int epfd, uaddr_t events, int max, int timeout)
{
	if (current()->unlocked_call)
		return epoll_wait_unlocked(epfd, events, max, timeout, 0);
	return do_epoll_wait(epfd, events, max, deadline_ms(timeout), timeout == 0);
}

long
sys_epoll_pwait(int epfd, uaddr_t events, int max, int timeout, uaddr_t sigmask, size_t size)
{
	uint64_t saved;
	(void)size;
	if (current()->unlocked_call)
		return epoll_wait_unlocked(epfd, events, max, timeout,
					   sigmask);
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
