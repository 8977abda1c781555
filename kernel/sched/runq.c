/*
 * The run queues (kernel/sched/sched.c has the switches and sleeps):
 * where a thread is queued (its home CPU, a halted one), and a thread
 * stolen by an idle CPU; the wake-affine choice of a woken thread's
 * queue, on every wake's path, is sched.c's (runq_wake). Each queue
 * under its CPU's run queue lock [R] (sched_internal.h), taken here;
 * never two but by trylock.
 */
#include "sched_internal.h"

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
struct cpu *
runq_spread(struct thread *t)
{
	for (int i = 0; i < cpu_count; i++) {
		if (__atomic_load_n(&cpus[i].halted, __ATOMIC_RELAXED) &&
		    &cpus[i] != this_cpu() && cpu_allowed(t, &cpus[i]))
			return &cpus[i];
	}
	return runq_home(t);
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

/*
 * A thread for c, whose own queue is empty, from the busiest other queue
 * that holds one allowed there, or NULL. c's lock is held, so the others
 * are only tried (spin_trylock): *busy is set when one with threads was
 * taken, and the caller looks again rather than halt. nr_ready is read
 * without the lock, as a hint: each queue's lock decides.
 */
struct thread *
runq_steal(struct cpu *c, bool *busy)
{
	struct cpu *from = NULL;
	struct thread *t = NULL;

	for (int i = 0; i < cpu_count; i++) {
		struct cpu *o = &cpus[i];
		int n = __atomic_load_n(&o->nr_ready, __ATOMIC_RELAXED);
		if (o == c || !o->online || n == 0 ||
		    (from && n <= from->nr_ready))
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
