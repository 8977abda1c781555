/*
 * Waiting on several objects at once (pt_wait), the one blocking primitive
 * of the native ABI besides a call and a receive. A waiting thread hangs an
 * observer on each object; a change of an object's signals wakes them all.
 * A wait that finds signals raised, or would not sleep, runs without the
 * big lock (docs/kernel.md, "pt_wait and register access without the
 * big lock").
 */
#include <kernel/ipc.h>
#include <kernel/proc.h>
#include <kernel/vm.h>
#include <kernel/errno.h>
#include <kernel/arch.h>
#include <syscall_table.h>
#include "ipc_int.h"
#include "chan_int.h"

void
kobj_tell_observers(struct kobj *o)
{
	list_for_each(it, &o->observers) {
		struct kobj_observer *obs =
			list_entry(it, struct kobj_observer, link);
		if (obs->wq)
			waitq_wake_all(obs->wq);
		if (obs->changed)
			obs->changed(obs);
	}
}

/* A channel end's lock, which guards its observers too; else NULL. */
static struct spinlock *
observers_lock(struct kobj *o)
{
	if (o->type == PT_OBJ_CHANNEL_CLIENT || o->type == PT_OBJ_CHANNEL_SERVER)
		return &chan_of(o)->lock;
	return NULL;
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

/* What a pt_wait sleeps on: its observers, one of which a nolock call
 * may have told (struct kobj_observer's told). */
struct wait_obs {
	struct kobj_observer *obs;
	unsigned n;
};

static bool
wait_told(void *arg)
{
	const struct wait_obs *w = arg;
	for (unsigned i = 0; i < w->n; i++)
		if (__atomic_load_n(&w->obs[i].told, __ATOMIC_ACQUIRE))
			return true;
	return false;
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
 * The locked wait: hangs an observer on each object (a notification's are
 * the big lock's), then looks and sleeps until one is told or the deadline
 * passes. Returns the items ready, 0 at the deadline, or -EINTR.
 */
static long
wait_locked(struct kobj **objs, struct pt_wait_item *items, unsigned n,
	    int64_t timeout_ns)
{
	struct kobj_observer obs[PT_WAIT_MAX];
	struct waitq wq;
	long r;

	BKL_ASSERT_HELD();
	waitq_init(&wq);
	for (unsigned i = 0; i < n; i++) {
		kobj_get(objs[i]);	/* a close elsewhere must not free it */
		obs[i].wq = &wq;
		obs[i].changed = NULL;
		kobj_observe(objs[i], &obs[i]);
	}
	uint64_t deadline = timeout_ns > 0 ? arch_now_ns() + (uint64_t)timeout_ns : 0;
	struct wait_obs told = { obs, n };
	for (;;) {
		r = collect(objs, items, obs, n);
		if (r > 0 || timeout_ns == 0)
			break;
		int e = waitq_wait_cond(&wq, deadline, true, wait_told, &told);
		if (e == -ETIMEDOUT) {
			r = 0;
			break;
		}
		if (e < 0) {
			r = e;
			break;
		}
	}
	for (unsigned i = 0; i < n; i++) {
		kobj_unobserve(&obs[i]);
		kobj_put(objs[i]);
	}
	return r;
}

/*
 * The nolock look: takes the signals already raised, with no observer
 * hung and no reference taken (one thread: nobody else closes a handle
 * of its table meanwhile). Returns the items ready, 0 when none is and
 * the caller would not sleep, or -ERETRY_LOCKED, nothing taken, when it
 * would: its sleep is the locked wait's.
 */
static long
wait_look(struct kobj **objs, struct pt_wait_item *items, unsigned n,
	  int64_t timeout_ns)
{
	long ready = 0;

	BKL_ASSERT_NOT_HELD();
	for (unsigned i = 0; i < n; i++) {
		items[i].got = kobj_take_signals(objs[i], items[i].want);
		if (items[i].got)
			ready++;
	}
	if (ready == 0 && timeout_ns != 0)
		return -ERETRY_LOCKED;
	return ready;
}

/*
 * pt_wait: runs with or without the big lock. Without it (a one-thread
 * process; chan_unlocked_ok), only a wait that need not sleep is answered;
 * one that must sleep goes locked before anything changed.
 */
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
		r = wait_look(objs, items, n, timeout_ns);
	else
		r = wait_locked(objs, items, n, timeout_ns);
	if (r >= 0) {
		int e = copyout(uitems, items, n * sizeof(items[0]));
		if (e < 0)
			return e;
	}
	return r;
}
