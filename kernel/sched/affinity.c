/*
 * CPU affinity: sched_setaffinity's mask takes effect at once, as on
 * Linux. A thread queued on a CPU its new mask leaves out goes to an
 * allowed CPU's queue; one running there is switched out by that CPU,
 * interrupted, on its way back to user mode (tick_work in tick.c); the
 * caller itself moves before the call returns.
 */
#include "sched_internal.h"

/* Whether t is queued on c's run queue, whose lock is held. */
static bool
runq_holds(struct cpu *c, struct thread *t)
{
	SPIN_ASSERT_HELD(runq_lock(c));
	list_for_each(it, &c->runq)
		if (it == &t->run_link)
			return true;
	return false;
}

/* Takes t off the queue of a CPU it may no longer run on, if it is on
 * one, to a queue it may. A wake that read the old mask may queue t on
 * such a CPU after this looked there: that CPU, running t, moves it off
 * (tick_work), as a running one. */
static void
runq_move_off_disallowed(struct thread *t)
{
	for (int i = 0; i < cpu_count; i++) {
		struct cpu *c = &cpus[i];
		if (cpu_allowed(t, c))
			continue;
		spin_lock(runq_lock(c));
		bool held = runq_holds(c, t);
		if (held) {
			list_remove(&t->run_link);
			c->nr_ready--;
		}
		spin_unlock(runq_lock(c));
		if (held) {
			runq_move(t);
			return;
		}
	}
}

/*
 * The current thread t leaves CPU c, which its affinity no longer allows
 * (sched_set_affinity, or tick_work after it on another CPU), for one it
 * may run on, which is told at once (switch_out's runq_move). Queued as
 * the switch begins; the CPU that takes it waits until this one has
 * left its stack (switch_leave); an involuntary switch, as Linux counts
 * a migration.
 */
void
sched_move_off(struct cpu *c, struct thread *t)
{
	KASSERT(t == c->current);
	if (!cpu_allowed(t, c))	/* else set back meanwhile */
		schedule();
}

/*
 * Whatever t runs on when its mask is set: a CPU that no longer allows
 * it is interrupted (arch_wake_cpu), and its return to user mode, or the
 * end of the call t is in, does tick_work, which switches t out. Its
 * quiet_until is cleared so that sched_tick does not skip tick_work: a
 * hint, as preempt_soon's quiet_thread, written under the big lock that
 * tick_work holds.
 */
void
sched_set_affinity(struct thread *t, uint64_t mask)
{
	BKL_ASSERT_HELD();
	__atomic_store_n(&t->sched.affinity, mask, __ATOMIC_SEQ_CST);
	if (t->state == THREAD_RUNNABLE)
		runq_move_off_disallowed(t);
	for (int i = 0; i < cpu_count; i++) {
		if (cpus[i].current == t && &cpus[i] != this_cpu() &&
		    !cpu_allowed(t, &cpus[i])) {
			cpus[i].quiet_until = 0;
			sched_kick(&cpus[i]);
		}
	}
	if (t == current() && !cpu_allowed(t, this_cpu()))
		sched_move_off(this_cpu(), t);
}
