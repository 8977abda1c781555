/*
 * The sorted list of pending kernel timers, guarded by the big lock.
 */
#include <kernel/timer.h>
#include <kernel/lock.h>

static struct list timers = LIST_INIT(timers);
uint64_t ktimer_generation;	/* bumped by every add and cancel */

void
ktimer_add(struct ktimer *t, uint64_t deadline, void (*fn)(struct ktimer *))
{
	BKL_ASSERT_HELD();
	if (t->armed)
		ktimer_cancel(t);
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
}

void
ktimer_cancel(struct ktimer *t)
{
	if (!t->armed)
		return;
	list_remove(&t->link);
	t->armed = false;
	ktimer_generation++;
}

uint64_t
ktimer_run(uint64_t now)
{
	while (!list_empty(&timers)) {
		struct ktimer *t = list_first(&timers, struct ktimer, link);
		if (t->deadline > now)
			return t->deadline;
		ktimer_cancel(t);
		t->fn(t);
	}
	return 0;
}
