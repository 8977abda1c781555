/*
 * The kernel timers: a sorted list per CPU, each under its own lock. A
 * timer is added to the adding CPU's list, which alone changes that
 * CPU's quiet shortcut and timer (no other CPU's tick looks at it); any
 * CPU cancels it, under the lock of the list it is on. Due timers run on
 * their CPU from sched_tick (big lock held) or the idle loop (without
 * it, the nolock ones only). There is no CPU hot-unplug, so a list is
 * never handed to another CPU.
 */
#include "sched_internal.h"

/*
 * One CPU's timers. Alone on a line: its CPU takes the lock at every
 * timed sleep, another CPU only to cancel a timer armed here (a sleeper
 * that woke elsewhere).
 */
struct ktimer_queue {
	struct spinlock lock;		/* [T]: innermost */
	struct list timers;		/* [T], sorted by deadline */
	struct ktimer *running;		/* whose callback runs now [T] */
} __attribute__((aligned(CACHE_LINE)));

static struct ktimer_queue queues[CPU_MAX];

void
ktimer_init(void)
{
	for (int i = 0; i < CPU_MAX; i++) {
		spin_init(&queues[i].lock);
		list_init(&queues[i].timers);
	}
}

static void
cancel_locked(struct ktimer_queue *q, struct ktimer *t)
{
	SPIN_ASSERT_HELD(&q->lock);
	if (!t->armed)
		return;
	list_remove(&t->link);
	__atomic_store_n(&t->armed, false, __ATOMIC_RELEASE);
}

/* Locks the queue t is on (t->queue moves only while t is disarmed,
 * by its owner: the look again is for a cancel racing none). */
static struct ktimer_queue *
queue_lock(struct ktimer *t)
{
	for (;;) {
		struct ktimer_queue *q = &queues[t->queue];
		spin_lock(&q->lock);
		if (q == &queues[t->queue])
			return q;
		spin_unlock(&q->lock);
	}
}

/*
 * Disarms t; then, for a nolock timer, waits while its callback runs on
 * another CPU (it takes only spinlocks the caller does not hold: a
 * canceller holds none but the big lock, which that callback never
 * waits for). A locked callback runs under the big lock, which a
 * canceller of one holds: never running then.
 */
void
ktimer_cancel_armed(struct ktimer *t)
{
	struct ktimer_queue *q = queue_lock(t);
	cancel_locked(q, t);
	spin_unlock(&q->lock);
	/* A nolock callback never cancels its own timer (timer.h): it
	   would wait for itself. A locked one may. */
	KASSERT(!t->nolock || queues[this_cpu()->id].running != t);
	while (__atomic_load_n(&t->running, __ATOMIC_ACQUIRE))
		arch_spin_wait();
}

/*
 * Brings this CPU's quiet shortcut forward to deadline: a compare and
 * swap, as sched_set_affinity may clear it from another CPU meanwhile.
 * Only this CPU's own timers move it, so no other CPU's tick is sent
 * through its timers by an arm here (the global generation did).
 */
static void
quiet_before(struct cpu *c, uint64_t deadline)
{
	uint64_t q = __atomic_load_n(&c->quiet_until, __ATOMIC_RELAXED);
	while (deadline < q &&
	       !__atomic_compare_exchange_n(&c->quiet_until, &q, deadline,
					    false, __ATOMIC_RELAXED,
					    __ATOMIC_RELAXED))
		;
}

static void
add(struct ktimer *t, uint64_t deadline, void (*fn)(struct ktimer *),
    bool nolock)
{
	struct cpu *c = this_cpu();
	struct ktimer_queue *q = &queues[c->id];

	ktimer_cancel(t);	/* from the list it was on, maybe another's */
	spin_lock(&q->lock);
	t->deadline = deadline;
	t->fn = fn;
	t->nolock = nolock;
	t->queue = (uint8_t)c->id;
	struct list *pos = &q->timers;
	list_for_each(it, &q->timers) {
		if (list_entry(it, struct ktimer, link)->deadline > deadline)
			break;
		pos = it;
	}
	list_insert_after(pos, &t->link);
	__atomic_store_n(&t->armed, true, __ATOMIC_RELEASE);
	spin_unlock(&q->lock);
	if (!nolock) {
		/* The next tick here arms the timer, by when a timer armed
		   and cancelled in one call is gone: armed now, it would
		   fire once for nothing. */
		__atomic_store_n(&c->quiet_until, 0, __ATOMIC_RELAXED);
		return;
	}
	/* A nolock timer's arm comes before a sleep: the thread switched
	   to, or the idle loop, may not tick before the deadline. */
	quiet_before(c, deadline);
	timer_arm_on(c, deadline);
}

void
ktimer_add(struct ktimer *t, uint64_t deadline, void (*fn)(struct ktimer *))
{
	add(t, deadline, fn, false);
}

void
ktimer_add_nolock(struct ktimer *t, uint64_t deadline,
		  void (*fn)(struct ktimer *))
{
	add(t, deadline, fn, true);
}

/*
 * Runs t's callback, taken off q due; q's lock held on entry and on
 * return, not while the callback runs. A nolock timer is marked running
 * before it reads as disarmed, so a canceller that finds it disarmed
 * finds it running too, until the callback is done with it.
 */
static void
run_one(struct ktimer_queue *q, struct ktimer *t)
{
	void (*fn)(struct ktimer *) = t->fn;
	bool nolock = t->nolock;

	if (nolock)
		__atomic_store_n(&t->running, true, __ATOMIC_RELAXED);
	cancel_locked(q, t);
	q->running = t;
	spin_unlock(&q->lock);
	fn(t);
	spin_lock(&q->lock);
	q->running = NULL;
	if (nolock)	/* the last touch of t: a canceller may free it */
		__atomic_store_n(&t->running, false, __ATOMIC_RELEASE);
}

uint64_t
ktimer_run(uint64_t now, bool locked, bool *locked_due)
{
	struct ktimer_queue *q = &queues[this_cpu()->id];
	uint64_t next = 0;

	KASSERT(!locked || bkl_held());	/* the locked callbacks' */
	spin_lock(&q->lock);
	while (!list_empty(&q->timers)) {
		struct ktimer *t = list_first(&q->timers, struct ktimer, link);
		if (t->deadline > now || (!t->nolock && !locked)) {
			*locked_due = t->deadline <= now;
			next = t->deadline;
			break;
		}
		run_one(q, t);
	}
	spin_unlock(&q->lock);
	return next;
}
