/*
 * The sorted list of pending kernel timers. Its own spinlock guards the
 * list and each timer's link, deadline and armed flag, so a timer is armed
 * and cancelled with or without the big lock; expired timers run from
 * sched_tick with the big lock held, and without the timer lock.
 */
#include <kernel/timer.h>
#include <kernel/lock.h>
#include <kernel/spinlock.h>

static struct list timers = LIST_INIT(timers);	/* [T] */
static struct spinlock ktimer_lock = SPINLOCK_INIT;	/* [T]: innermost */
uint64_t ktimer_generation;	/* bumped by every add and cancel [T] */

static void
cancel_locked(struct ktimer *t)
{
	SPIN_ASSERT_HELD(&ktimer_lock);
	if (!t->armed)
		return;
	list_remove(&t->link);
	t->armed = false;
	ktimer_generation++;
}

uint64_t
ktimer_add(struct ktimer *t, uint64_t deadline, void (*fn)(struct ktimer *))
{
	spin_lock(&ktimer_lock);
	cancel_locked(t);
	t->deadline = deadline;
	t->fn = fn;
	t->armed = true;
	ktimer_generation++;
	struct list *pos = &timers;
	list_for_each(it, &timers) {
		if (list_entry(it, struct ktimer, link)->deadline > deadline)
			break;
		pos = it;
	}
	list_insert_after(pos, &t->link);
	uint64_t first = list_first(&timers, struct ktimer, link)->deadline;
	spin_unlock(&ktimer_lock);
	return first;
}

void
ktimer_cancel_armed(struct ktimer *t)
{
	spin_lock(&ktimer_lock);
	cancel_locked(t);
	spin_unlock(&ktimer_lock);
}

uint64_t
ktimer_run(uint64_t now)
{
	BKL_ASSERT_HELD();	/* the callbacks are the big lock's */
	spin_lock(&ktimer_lock);
	while (!list_empty(&timers)) {
		struct ktimer *t = list_first(&timers, struct ktimer, link);
		if (t->deadline > now) {
			spin_unlock(&ktimer_lock);
			return t->deadline;
		}
		cancel_locked(t);
		spin_unlock(&ktimer_lock);
		t->fn(t);
		spin_lock(&ktimer_lock);
	}
	spin_unlock(&ktimer_lock);
	return 0;
}
