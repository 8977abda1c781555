/*
 * Kernel timers: a callback at a deadline in arch_now_ns() time, run from
 * sched_tick() with the big lock held. Used for sleep timeouts and alarms.
 * Armed and cancelled with or without the big lock: the timer lock
 * (kernel/sched/timer.c, [T]) guards the fields, and is the innermost
 * lock (taken under the scheduler locks, never the other way round).
 */
#ifndef KERNEL_TIMER_H
#define KERNEL_TIMER_H

#include <kernel/types.h>
#include <kernel/list.h>

struct ktimer {
	struct list link;		/* [T] */
	uint64_t deadline;		/* [T] */
	void (*fn)(struct ktimer *t);	/* [T] */
	bool armed;			/* [T] */
};

/* Arms t for deadline; returns the first timer's deadline then. */
uint64_t ktimer_add(struct ktimer *t, uint64_t deadline,
		    void (*fn)(struct ktimer *));
void ktimer_cancel_armed(struct ktimer *t);

/*
 * Disarms t if armed. The test is unlocked, for the common case (a timer
 * never armed, or run already): only t's owner arms it, so one found
 * unarmed stays so, and ktimer_cancel_armed looks again under the lock.
 */
static inline void
ktimer_cancel(struct ktimer *t)
{
	if (__atomic_load_n(&t->armed, __ATOMIC_ACQUIRE))
		ktimer_cancel_armed(t);
}
/* Changes whenever a timer is added or cancelled (sched_tick's shortcut). */
extern uint64_t ktimer_generation;
/* Runs expired timers; returns the next deadline, 0 if none. */
uint64_t ktimer_run(uint64_t now);

#endif
