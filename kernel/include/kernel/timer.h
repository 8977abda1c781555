/*
 * Kernel timers: a callback at a deadline in arch_now_ns() time, run from
 * sched_tick() with the big lock held. Used for sleep timeouts and alarms.
 */
#ifndef KERNEL_TIMER_H
#define KERNEL_TIMER_H

#include <kernel/types.h>
#include <kernel/list.h>

struct ktimer {
	struct list link;
	uint64_t deadline;
	void (*fn)(struct ktimer *t);
	bool armed;
};

void ktimer_add(struct ktimer *t, uint64_t deadline, void (*fn)(struct ktimer *));
void ktimer_cancel(struct ktimer *t);
/* Changes whenever a timer is added or cancelled (sched_tick's shortcut). */
extern uint64_t ktimer_generation;
/* Runs expired timers; returns the next deadline, 0 if none. */
uint64_t ktimer_run(uint64_t now);

#endif
