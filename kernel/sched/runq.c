/*
 * The run queues (kernel/sched/sched.c has the switches and sleeps):
 * where a thread is queued (its home CPU, a halted one, the waker's own
 * for a wake-affine pair), a thread taken off them, by its own CPU or
 * stolen by an idle one, and the wake credit and preemption a woken
 * thread brings. Each queue under its CPU's run queue lock [R]
 * (sched_internal.h), taken here; never two but by trylock.
 */
#include "sched_internal.h"

/* How soon a CPU that queued a woken thread for itself is interrupted,
 * if nothing else runs its scheduler first (preempt_soon). */
#define WAKE_BACKSTOP_NS (4 * WAKE_PREEMPT_NS)

/* The CPU t runs on when no halted one is free: the one it last ran on,
 * else this one, else the first its affinity allows. */
static struct cpu *
runq_home(struct thread *t)
{
	if (t->last_cpu && t->last_cpu->online && cpu_allowed(t, t->last_cpu))
		return t->last_cpu;
	if (cpu_allowed(t, this_cpu()))
		return this_cpu();
	for (int i = 0; i < cpu_count; i++)
		if (cpus[i].online && cpu_allowed(t, &cpus[i]))
			return &cpus[i];
	return this_cpu();	/* the mask names no CPU that is up */
}

/*
 * Where a thread goes that nothing ties to this CPU (a new thread, one
 * preempted at the end of its slice, one woken by a timer): a halted CPU
 * its affinity allows if there is one (runq_insert wakes it), so runnable
 * threads spread over idle CPUs; else the CPU it last ran on, else this.
 * halted is read without its lock, a hint: a CPU that halts meanwhile is
 * missed, and the thread waits on its home CPU, never lost.
 */
static struct cpu *
runq_spread(struct thread *t)
{
	for (int i = 0; i < cpu_count; i++) {
		if (__atomic_load_n(&cpus[i].halted, __ATOMIC_RELAXED) &&
		    &cpus[i] != this_cpu() && cpu_allowed(t, &cpus[i]))
			return &cpus[i];
	}
	return runq_home(t);
}

/*
 * Queues t on c: at the front (ahead of threads that used their slices)
 * or at the back. A halted c is woken: its idle loop looked at its queue
 * and set halted under the same lock, so it either finds t or is halted
 * now. Returns whether it sent the IPI. c's run queue lock held.
 */
static bool
runq_insert(struct cpu *c, struct thread *t, bool ahead)
{
	SPIN_ASSERT_HELD(runq_lock(c));
	t->state = THREAD_RUNNABLE;
	if (ahead)
		list_insert_after(&c->runq, &t->run_link);
	else
		list_push_back(&c->runq, &t->run_link);
	c->nr_ready++;
	if (!c->halted)
		return false;
	c->halted = false;
	if (c != this_cpu())
		sched_kick(c);
	return true;
}

/* Queues t at the back of the queue runq_spread picks, taking its lock. */
void
runq_push(struct thread *t)
{
	struct cpu *c = runq_spread(t);
	spin_lock(runq_lock(c));
	runq_insert(c, t, false);
	spin_unlock(runq_lock(c));
}

/*
 * Queues t, which its affinity sends off a CPU, at the back of a queue it
 * may run from (a halted CPU's, woken; else its home's), and interrupts
 * that CPU if it is another: a thread looping in user mode there would
 * otherwise not see the queue (no timer armed for its slice end) until it
 * enters the kernel.
 */
struct cpu *
runq_move(struct thread *t)
{
	struct cpu *to = runq_spread(t);
	spin_lock(runq_lock(to));
	bool kicked = runq_insert(to, t, false);
	spin_unlock(runq_lock(to));
	if (!kicked && to != this_cpu())
		sched_kick(to);
	return to;
}

/* The first thread of from's queue that may run on c, or NULL. from's
 * run queue lock held. */
static struct thread *
runq_first_allowed(struct cpu *from, struct cpu *c)
{
	SPIN_ASSERT_HELD(runq_lock(from));
	list_for_each(it, &from->runq) {
		struct thread *t = list_entry(it, struct thread, run_link);
		if (cpu_allowed(t, c))
			return t;
	}
	return NULL;
}

/* Takes t off from's queue, from's lock held. */
static struct thread *
runq_take(struct cpu *from, struct thread *t)
{
	list_remove(&t->run_link);
	from->nr_ready--;
	return t;
}

/*
 * A thread for c, whose own queue is empty, from the busiest other queue
 * that holds one allowed there, or NULL. c's lock is held, so the others
 * are only tried (spin_trylock): *busy is set when one with threads was
 * taken, and the caller looks again rather than halt. nr_ready is read
 * without the lock, as a hint: each queue's lock decides.
 */
static struct thread *
runq_steal(struct cpu *c, bool *busy)
{
	struct cpu *from = NULL;
	struct thread *t = NULL;

	for (int i = 0; i < cpu_count; i++) {
		struct cpu *o = &cpus[i];
		int n = __atomic_load_n(&o->nr_ready, __ATOMIC_RELAXED);
		if (o == c || !o->online || n == 0 || (from && n <= from->nr_ready))
			continue;
		if (!spin_trylock(runq_lock(o))) {
			*busy = true;
			continue;
		}
		struct thread *cand = runq_first_allowed(o, c);
		if (cand) {
			if (from)
				spin_unlock(runq_lock(from));
			from = o, t = cand;
		} else {
			spin_unlock(runq_lock(o));
		}
	}
	if (!from)
		return NULL;
	runq_take(from, t);
	spin_unlock(runq_lock(from));
	c->sched_stat.steals++;
	return t;
}

/* The next thread for CPU c: its own queue first, then another's
 * (runq_steal, *busy as it says). c's run queue lock held. */
struct thread *
runq_pop(struct cpu *c, bool *busy)
{
	SPIN_ASSERT_HELD(runq_lock(c));
	if (!list_empty(&c->runq))
		return runq_take(c, list_first(&c->runq, struct thread,
					       run_link));
	return runq_steal(c, busy);
}

/*
 * A sleeper's wake credit: what it left of its slice when it went to
 * sleep, and at least half a slice once it has slept a whole one (as
 * Linux's sleeper credit is half its latency target). A thread woken with
 * credit runs ahead of the threads that used their slices, only for as
 * long as its credit lasts (switch_to gives it that, not a fresh slice):
 * a thread that wakes in a loop gets at most its share, and those it
 * passed wait no longer than its slice.
 */
static uint64_t
wake_credit(struct thread *t, uint64_t now)
{
	uint64_t half = slice_ns(t) / 2;
	if (now - t->slept_at >= 2 * half && t->slice_left < half)
		return half;
	return t->slice_left;
}

/*
 * c's running thread gives way soon to the thread just queued there: once
 * it has run WAKE_PREEMPT_NS since it was switched in (at once if it has),
 * as Linux's wake-up granularity keeps a thread from being preempted at
 * every wake. Its slice end is brought forward, which sched_slice_over
 * reads; the CPU's timer is armed for it, here or by the other CPU's
 * sched_tick after the IPI (quiet_thread cleared: not quiet any more).
 */
static void
preempt_soon(struct cpu *c, uint64_t now)
{
	struct thread *cur = c->current;	/* a hint: c may switch now */
	uint64_t at = MAX(now, cur->run_start + WAKE_PREEMPT_NS);

	SPIN_ASSERT_HELD(runq_lock(c));
	if (cur == c->idle)
		return;
	if (at < cur->slice_end)
		cur->slice_end = at;
	else
		at = cur->slice_end;
	c->quiet_thread = NULL;
	/*
	 * A nolock call's return does no sched_tick, so this CPU's timer is
	 * armed here, as a backstop at least 4 ms on: one at `at` itself
	 * fired about every millisecond in a futex ping-pong (the waker
	 * sleeps before it), and each fire and re-arm costs TCG a device
	 * write and an interrupt. A locked return arms it for `at`.
	 */
	if (c == this_cpu())
		timer_arm(MAX(at, now + WAKE_BACKSTOP_NS));
	else
		sched_kick(c);
}

/*
 * Queues a woken thread. Wake-affine: woken by a thread's call (a futex
 * wake, a pipe write, a reply), it goes on this CPU, if its queue is
 * empty: the waker is likely about to sleep (it waits for an answer), and
 * the woken thread then runs here at once, with no IPI and no halted CPU
 * to wake; a pair of threads that wake each other stays on one CPU. If the
 * waker goes on running instead, preempt_soon makes it give way within
 * WAKE_PREEMPT_NS, and the waker, preempted, goes to a halted CPU
 * (runq_spread): CPU-bound threads still spread. Woken otherwise (a
 * timeout, or this CPU busy), it goes where runq_spread says, ahead of
 * those that used their slices if it has wake credit, and the thread
 * running there gives way soon. t's wait queue lock held (its wake
 * credit is that lock's), and the chosen run queue's lock taken here.
 */
void
runq_wake(struct thread *t, bool by_call)
{
	struct cpu *c = this_cpu();
	uint64_t now = arch_now_ns();
	bool ahead = false, preempt = true;

	t->slice_left = wake_credit(t, now);
	if (cpu_allowed(t, c) && list_empty(&c->runq) &&
	    (by_call || c->current == c->idle)) {
		c->sched_stat.wakes_here++;
	} else {
		c = runq_spread(t);
		if (c == this_cpu())
			c->sched_stat.wakes_here++;
		else
			this_cpu()->sched_stat.wakes_other++;
		ahead = preempt = t->slice_left > 0;
	}
	spin_lock(runq_lock(c));
	runq_insert(c, t, ahead);
	if (preempt)
		preempt_soon(c, now);
	spin_unlock(runq_lock(c));
}
