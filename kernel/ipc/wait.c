/*
 * Waiting on several objects at once (pt_wait), the one blocking primitive
 * of the native ABI besides a call and a receive. A waiting thread hangs an
 * observer on each object; a change of an object's signals wakes them all.
 * A one-thread process waits without the big lock, its sleep too
 * (docs/kernel.md, "pt_wait without the big lock").
 */
#include <kernel/ipc.h>
#include <kernel/proc.h>
#include <kernel/vm.h>
#include <kernel/errno.h>
#include <kernel/arch.h>
#include <kernel/lock.h>
#include <kernel/spinlock.h>
#include <kernel/timer.h>
#include <syscall_table.h>
#include "ipc_int.h"
#include "chan_int.h"

/* A channel end's lock, or a notification's: each guards its
 * observers; else NULL (no other type is waited on). */
static struct spinlock *
observers_lock(struct kobj *o)
{
	if (o->type == PT_OBJ_CHANNEL_CLIENT || o->type == PT_OBJ_CHANNEL_SERVER)
		return &chan_of(o)->lock;
	if (o->type == PT_OBJ_NOTIFY)
		return notify_lock(o);
	return NULL;
}

/* Tells o's sleepers (a wait queue each), o's observers lock held: told
 * first, then the wake. True if a layer's observer (changed) is among
 * them, for the caller to tell without the lock. */
static bool
tell_sleepers(struct kobj *o)
{
	bool layers = false;
	list_for_each(it, &o->observers) {
		struct kobj_observer *obs =
			list_entry(it, struct kobj_observer, link);
		__atomic_store_n(&obs->told, true, __ATOMIC_RELEASE);
		if (obs->wq)
			waitq_wake_all(obs->wq);
		if (obs->changed)
			layers = true;
	}
	return layers;
}

void
kobj_tell_held(struct kobj *o)
{
	bool layers = tell_sleepers(o);
	KASSERT(!layers);	/* only a channel end has a layer's */
	(void)layers;
}

/* The first layer's observer of o after `from` (NULL: from the start), o's
 * observers lock held; NULL when none is left. */
static struct kobj_observer *
next_layer(struct kobj *o, struct kobj_observer *from)
{
	struct list *it = from ? from->link.next : o->observers.next;
	for (; it != &o->observers; it = it->next) {
		struct kobj_observer *obs =
			list_entry(it, struct kobj_observer, link);
		if (obs->changed)
			return obs;
	}
	return NULL;
}

/*
 * The layers' observers are told without o's lock (changed may do what a
 * spinlock's holder may not). Only the big lock's holder adds or removes
 * one, so each stays on the list while the walk goes on from it, as
 * pt_wait's own come and go under the lock.
 */
static void
tell_layers(struct kobj *o, struct spinlock *l)
{
	struct kobj_observer *obs = NULL;
	BKL_ASSERT_HELD();
	for (;;) {
		spin_lock(l);
		obs = next_layer(o, obs);
		spin_unlock(l);
		if (!obs)
			return;
		obs->changed(obs);
	}
}

void
kobj_tell_observers(struct kobj *o)
{
	struct spinlock *l = observers_lock(o);
	if (!l) {	/* no sleeper: the big lock's layers alone */
		BKL_ASSERT_HELD();
		list_for_each(it, &o->observers) {
			struct kobj_observer *obs =
				list_entry(it, struct kobj_observer, link);
			if (obs->changed)
				obs->changed(obs);
		}
		return;
	}
	spin_lock(l);
	bool layers = tell_sleepers(o);
	spin_unlock(l);
	if (layers)
		tell_layers(o, l);
}

void
kobj_observe(struct kobj *o, struct kobj_observer *obs)
{
	struct spinlock *l = observers_lock(o);
	obs->obj = o;
	obs->told = false;
	if (l)
		spin_lock(l);
	list_push_back(&o->observers, &obs->link);
	if (l)
		spin_unlock(l);
}

void
kobj_unobserve(struct kobj_observer *obs)
{
	struct spinlock *l = observers_lock(obs->obj);
	if (l)
		spin_lock(l);
	list_remove(&obs->link);
	if (l)
		spin_unlock(l);
}

uint64_t
kobj_take_signals(struct kobj *o, uint64_t want)
{
	switch (o->type) {
	case PT_OBJ_CHANNEL_CLIENT:
	case PT_OBJ_CHANNEL_SERVER:
		return chan_signals(o) & want;
	case PT_OBJ_NOTIFY:
		return notify_take(o, want);
	default:
		return 0;
	}
}

/* Objects with signals: channel ends and notifications. */
static bool
waitable(struct kobj *o)
{
	return o->type == PT_OBJ_CHANNEL_CLIENT ||
	       o->type == PT_OBJ_CHANNEL_SERVER || o->type == PT_OBJ_NOTIFY;
}

/* What a pt_wait sleeps until: one of its observers told (struct
 * kobj_observer's told), or its deadline's timer run. */
struct wait_state {
	struct kobj_observer *obs;
	unsigned n;
	struct wait_sleeper *sleeper;
	bool timed;			/* sleeper's timer armed for it */
};

/*
 * The sleep's test, under the sleeper's queue's lock. Each waker changes
 * what it reads before it wakes the queue (an observer's told, set under
 * the object's lock; the timer, disarmed by ktimer_run before its
 * callback), so a wake between the last look and the sleep is not lost.
 */
static bool
wait_done(void *arg)
{
	const struct wait_state *w = arg;
	if (w->timed &&
	    !__atomic_load_n(&w->sleeper->timer.armed, __ATOMIC_ACQUIRE))
		return true;
	for (unsigned i = 0; i < w->n; i++)
		if (__atomic_load_n(&w->obs[i].told, __ATOMIC_ACQUIRE))
			return true;
	return false;
}

/* A wait's deadline passed: runs from ktimer_run without the big lock
 * (ktimer_add_nolock), taking the queue's lock alone. */
static void
wait_timer_fired(struct ktimer *k)
{
	waitq_wake_all(&container_of(k, struct wait_sleeper, timer)->wq);
}

/* Arms s's timer for deadline, or keeps it (a nolock wait: its table's
 * timer stays armed between waits, within Linux's slack, as epoll's). */
static void
sleeper_arm(struct wait_sleeper *s, uint64_t deadline, uint64_t slack)
{
	ktimer_keep_nolock(&s->timer, &s->timer_at, deadline, slack,
			   wait_timer_fired);
}

void
wait_sleeper_exit(struct wait_sleeper *s)
{
	BKL_ASSERT_HELD();
	ktimer_cancel(&s->timer);
}

/* The table's sleeper, for a nolock wait (the process's one thread). */
static struct wait_sleeper *
table_sleeper(struct proc *p)
{
	struct wait_sleeper *s = &p->handles->sleeper;
	if (!s->wq.sleepers.next)	/* zeroed with the table */
		waitq_init(&s->wq);
	return s;
}

/* Counts the items whose objects have signals they want, taking them;
 * clears the observers' told first, so a wake after the look is seen. */
static long
collect(struct kobj **objs, struct pt_wait_item *items,
	struct kobj_observer *obs, unsigned n)
{
	long ready = 0;
	for (unsigned i = 0; i < n; i++)
		__atomic_store_n(&obs[i].told, false, __ATOMIC_RELAXED);
	/* The clears before the looks: a raise after a look tells anew. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	for (unsigned i = 0; i < n; i++) {
		items[i].got = kobj_take_signals(objs[i], items[i].want);
		if (items[i].got)
			ready++;
	}
	return ready;
}

/* Looks the items' handles up, as one check of type, rights and the
 * reserved word each; returns 0 or the first error. */
static long
lookup_items(struct proc *p, const struct pt_wait_item *items,
	     struct kobj **objs, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		/* The type first, as handle_lookup checks it before rights. */
		objs[i] = handle_lookup(p, items[i].handle, 0, 0);
		if (IS_ERR(objs[i]))
			return PTR_ERR(objs[i]);
		if (!waitable(objs[i]))
			return -EBADFD;	/* the wrong-type error */
		objs[i] = handle_lookup(p, items[i].handle, 0, PT_RIGHT_WAIT);
		if (IS_ERR(objs[i]))
			return PTR_ERR(objs[i]);
		if (items[i].reserved)
			return -EINVAL;
	}
	return 0;
}

/*
 * The wait, on sleeper s, with the big lock (s on the caller's stack) or
 * without it (a one-thread process: nobody else closes a handle of its
 * table meanwhile, so the objects need no reference; s its table's).
 * Hangs an observer on each object under the object's own lock, then
 * looks and sleeps until an observer is told or the deadline passes, on
 * s's timer (a nolock timer, as the thread's sleep timeout). Returns the items ready, 0 at the deadline, or -EINTR.
 * May sleep.
 */
static long
wait_sleep(struct kobj **objs, struct pt_wait_item *items, unsigned n,
	   int64_t timeout_ns, struct wait_sleeper *s)
{
	struct kobj_observer obs[PT_WAIT_MAX];
	struct wait_state w = { obs, n, s, timeout_ns > 0 };
	bool locked = bkl_held();
	long r;

	for (unsigned i = 0; i < n; i++) {
		if (locked)
			kobj_get(objs[i]);	/* a close elsewhere must not free it */
		obs[i].wq = &s->wq;
		obs[i].changed = NULL;
		kobj_observe(objs[i], &obs[i]);
	}
	uint64_t deadline = w.timed ? arch_now_ns() + (uint64_t)timeout_ns : 0;
	for (;;) {
		r = collect(objs, items, obs, n);
		if (r > 0 || timeout_ns == 0)
			break;
		if (w.timed) {
			if (arch_now_ns() >= deadline)
				break;	/* r is 0 */
			sleeper_arm(s, deadline, locked ? 0 : ktimer_slack_ns((uint64_t)timeout_ns));
		}
		r = waitq_wait_cond(&s->wq, 0, true, wait_done, &w);
		if (r == -EINTR)
			break;
	}
	for (unsigned i = 0; i < n; i++) {
		kobj_unobserve(&obs[i]);
		if (locked)
			kobj_put(objs[i]);
	}
	return r;
}

/* The locked wait: its sleeper on the stack, its timer cancelled before
 * it goes (ktimer_cancel waits for a callback running elsewhere: done
 * or never to run once it returns). */
static long
wait_locked(struct kobj **objs, struct pt_wait_item *items, unsigned n,
	    int64_t timeout_ns)
{
	struct wait_sleeper s = { .timer_at = 0 };

	BKL_ASSERT_HELD();
	waitq_init(&s.wq);
	long r = wait_sleep(objs, items, n, timeout_ns, &s);
	ktimer_cancel(&s.timer);
	return r;
}

/* The nolock look: takes the signals already raised, with no observer
 * hung. Returns the items ready. */
static long
wait_look(struct kobj **objs, struct pt_wait_item *items, unsigned n)
{
	long ready = 0;

	BKL_ASSERT_NOT_HELD();
	for (unsigned i = 0; i < n; i++) {
		items[i].got = kobj_take_signals(objs[i], items[i].want);
		if (items[i].got)
			ready++;
	}
	return ready;
}

/*
 * pt_wait without the big lock (a one-thread process; chan_unlocked_ok):
 * a look first, then, if nothing is ready and the caller would wait, the
 * sleep. A signal's -EINTR goes back by the locked way out, which
 * delivers it (thread.unlocked_eintr).
 */
static long
wait_unlocked(struct kobj **objs, struct pt_wait_item *items, unsigned n,
	      int64_t timeout_ns)
{
	long r = wait_look(objs, items, n);
	if (r != 0 || timeout_ns == 0)
		return r;
	r = wait_sleep(objs, items, n, timeout_ns, table_sleeper(current()->proc));
	if (r == -EINTR) {
		current()->unlocked_eintr = true;
		return -ERETRY_LOCKED;
	}
	return r;
}

/* pt_wait: runs with or without the big lock (wait_unlocked). */
long
sys_pt_wait(uaddr_t uitems, unsigned n, int64_t timeout_ns)
{
	struct thread *t = current();
	struct pt_wait_item items[PT_WAIT_MAX];
	struct kobj *objs[PT_WAIT_MAX];
	long r;

	if (t->unlocked_call && !chan_unlocked_ok(t))
		return -ERETRY_LOCKED;
	if (n == 0 || n > PT_WAIT_MAX)
		return -EINVAL;
	if ((r = copyin(items, uitems, n * sizeof(items[0]))) < 0)
		return r;
	if ((r = lookup_items(t->proc, items, objs, n)) < 0)
		return r;
	if (t->unlocked_call)
		r = wait_unlocked(objs, items, n, timeout_ns);
	else
		r = wait_locked(objs, items, n, timeout_ns);
	if (r >= 0) {
		int e = copyout(uitems, items, n * sizeof(items[0]));
		if (e < 0)
			return e;
	}
	return r;
}
