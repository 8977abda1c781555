/*
 * Kernel timers: a callback at a deadline in arch_now_ns() time. Each CPU
 * has its own queue of them, under its own lock (kernel/sched/timer.c,
 * [T]: that queue's lock); a timer goes on the queue of the CPU that
 * arms it, and its callback runs there, from sched_tick or the idle loop.
 * A callback runs with the big lock held (ktimer_add), or without it,
 * where it needs only spinlocks (ktimer_add_nolock). Armed and cancelled
 * with or without the big lock; a queue's lock is the innermost lock
 * (taken under the scheduler locks, never the other way round).
 */
#ifndef KERNEL_TIMER_H
#define KERNEL_TIMER_H

#include <kernel/types.h>
#include <kernel/list.h>

struct ktimer {
	struct list link;		/* [T] */
	uint64_t deadline;		/* [T] */
	void (*fn)(struct ktimer *t);	/* [T] */
	bool armed;			/* [T]; read unlocked (ktimer_cancel) */
	bool nolock;			/* [T]: fn runs without the big lock */
	bool running;			/* a nolock fn runs now: set under
					   [T], cleared by an atomic store */
	uint8_t queue;			/* [T]: the CPU whose queue it is on */
};

/* Sets up each CPU's queue (sched_init, before any timer). */
void ktimer_init(void);

/*
 * Arms t for deadline on this CPU's queue (disarming it first), to call
 * fn with the big lock held; this CPU's next tick (sched_tick, the idle
 * loop's) arms its timer for it. Any locks or none held but a timer
 * queue's; does not sleep.
 */
void ktimer_add(struct ktimer *t, uint64_t deadline,
		void (*fn)(struct ktimer *));
/*
 * ktimer_add for a callback that runs without the big lock: it may take
 * only spinlocks (a wait queue's, a run queue's), must not touch what
 * the big lock guards, and must not add or cancel its own timer. Arms
 * this CPU's timer at once, as a sleep follows.
 */
void ktimer_add_nolock(struct ktimer *t, uint64_t deadline,
		       void (*fn)(struct ktimer *));
void ktimer_cancel_armed(struct ktimer *t);

/*
 * How late a wait of timeout_ns may end (Linux's select_estimate_accuracy
 * for a thread at nice 0: 0.1% of the timeout, at least 50 us, at most
 * 100 ms).
 */
static inline uint64_t
ktimer_slack_ns(uint64_t timeout_ns)
{
	uint64_t slack = timeout_ns / 1000;
	return slack < 50000 ? 50000 : slack > 100000000 ? 100000000 : slack;
}

/*
 * A waiter's own nolock timer t, kept armed between its waits: armed for
 * deadline unless armed already for no later than deadline + slack (one
 * that fires early only wakes the sleeper, which arms it again); *at is
 * the deadline it was armed for. Its one owner calls it.
 */
static inline void
ktimer_keep_nolock(struct ktimer *t, uint64_t *at, uint64_t deadline,
		   uint64_t slack, void (*fn)(struct ktimer *))
{
	if (__atomic_load_n(&t->armed, __ATOMIC_ACQUIRE) &&
	    *at <= deadline + slack)
		return;
	*at = deadline;
	ktimer_add_nolock(t, deadline, fn);
}

/*
 * Disarms t if armed; a nolock timer's callback running on another CPU
 * is waited for, so that t may be freed or armed again after. The test
 * is unlocked, for the common case (a timer never armed, or run
 * already): only t's owner arms it, so one found unarmed and not running
 * stays so, and ktimer_cancel_armed looks again under the lock.
 */
static inline void
ktimer_cancel(struct ktimer *t)
{
	if (__atomic_load_n(&t->armed, __ATOMIC_ACQUIRE) ||
	    __atomic_load_n(&t->running, __ATOMIC_ACQUIRE))
		ktimer_cancel_armed(t);
}

/*
 * Runs this CPU's expired timers; locked: the big lock is held, and
 * every due callback runs; else only the nolock ones, stopping at the
 * first due timer that needs the lock (*locked_due set). Returns the
 * next deadline left on the queue, 0 if none.
 */
uint64_t ktimer_run(uint64_t now, bool locked, bool *locked_due);

#endif
