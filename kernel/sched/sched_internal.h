/*
 * What the scheduler's files share (kernel/sched/sched.c, the switches
 * and sleeps; runq.c, the run queues; tick.c, the tick and the timers;
 * affinity.c, moving a thread its new mask sends elsewhere): the helpers
 * more than one uses, inline where they were inline before the split, so
 * that no path runs more instructions for it; the run queue locks; the
 * wait queue locks, the sleep and the hand-off's switch are
 * <kernel/sched_handoff.h>'s, which the IPC fast path shares.
 */
#ifndef KERNEL_SCHED_INTERNAL_H
#define KERNEL_SCHED_INTERNAL_H

#include <kernel/sched.h>
#include <kernel/arch.h>
#include <kernel/cpu.h>
#include <kernel/lock.h>
#include <kernel/spinlock.h>
#include <kernel/timer.h>
#include <kernel/sched_handoff.h>

/*
 * Arms CPU c's timer (c is this CPU) for deadline (0: nothing due). The
 * hardware is only written when the deadline comes before the armed one:
 * a timer that fires early or for nothing costs one interrupt, after
 * which tick_work arms the true next deadline, while reprogramming on
 * every sleep and switch cost several device writes per request (each
 * one wakes QEMU's main loop under TCG).
 */
static inline void
timer_arm_on(struct cpu *c, uint64_t deadline)
{
	if (!deadline || (c->armed_deadline && c->armed_deadline <= deadline))
		return;
	c->armed_deadline = deadline;
	c->sched_stat.timer_sets++;
	arch_timer_set(deadline);
}

/* timer_arm for this CPU. */
static inline void
timer_arm(uint64_t deadline)
{
	timer_arm_on(this_cpu(), deadline);
}

/*
 * How long a busy CPU goes at most between samples of its running
 * thread's user or system time (Linux's tick: HZ=500 here, as a sample
 * moves the split by up to its interval and getrusage04 allows 5 ms
 * between two readings). Kernel code runs with interrupts off, so the
 * timer interrupt that comes for a sample finds the thread in user mode
 * even when the time came in a system call: the way out of the kernel
 * (sched_tick, with the time come) takes that sample as system time first
 * (tick_work), and the interrupt (sched_account_tick) then finds none
 * due. An idle CPU takes none.
 */
#define SAMPLE_NS 2000000ull

/* c starts to run a thread at now, after its idle thread: the samples
 * start again, and the way out of the kernel looks for the first. */
static inline void
sample_start(struct cpu *c, uint64_t now)
{
	c->sample_due = now + SAMPLE_NS;
	c->quiet_until = MIN(c->quiet_until, c->sample_due);
	timer_arm(c->sample_due);
}

/* Keeps c's coarse clock (cpu.clock_coarse) at now: a store a second,
 * not one a call. */
static inline void
clock_coarse_note(struct cpu *c, uint64_t now)
{
	uint32_t coarse = (uint32_t)(now >> CLOCK_COARSE_SHIFT);
	if (c->clock_coarse != coarse)
		c->clock_coarse = coarse;
}

/* Whether sched_tick would find nothing to do on CPU c now; keeps its
 * coarse clock, as a halt of any length ends here. */
static inline bool
sched_tick_quiet(struct cpu *c)
{
	bool waiting = !list_empty(&c->runq);
	uint64_t now = arch_now_ns();
	clock_coarse_note(c, now);
	return now < c->quiet_until && c->quiet_runq == waiting &&
	       (!waiting || c->quiet_thread == c->current);
}

/*
 * The idle loop's tick on CPU c (its idle thread running), without the
 * big lock: runs the due timers whose callbacks need none and arms the
 * timer for the next. False when the rest needs sched_tick under the big
 * lock: a locked callback due, or the load average's update.
 */
bool sched_tick_idle(struct cpu *c);

/* Interrupts CPU c (not this one) to look at its run queue, counted. */
static inline void
sched_kick(struct cpu *c)
{
	this_cpu()->sched_stat.ipis++;
	arch_wake_cpu(c->id);
}

/*
 * Each CPU's run queue lock [R]: its runq, nr_ready and halted. Taken by
 * the CPU itself to queue and take threads, by another to queue one
 * there; never two at once but by spin_trylock (runq_steal). Inside the
 * sleep lock, outside the timer lock. Apart from struct cpu, each on a
 * line of its own: a waker on another CPU takes it, while the CPU's own
 * fields are written at every system call.
 */
struct runq_lock {
	struct spinlock lock;
} __attribute__((aligned(CACHE_LINE)));
extern struct runq_lock runq_locks[CPU_MAX];

/* c's run queue lock: a pointer kept in struct cpu, one load where the
 * index into the table took three. */
static inline struct spinlock *
runq_lock(const struct cpu *c)
{
	return c->runq_lock;
}

/* Switches away from the current thread; sl: the wait queue lock it went
 * to sleep under (held, dropped here), or NULL (sched.c). */
void schedule_locked(struct spinlock *sl);
/*
 * The run queues (runq.c), each taking the queue's lock itself but
 * runq_pop: runq_move queues t where its affinity lets it run and tells
 * that CPU; runq_push queues t at the back of the queue runq_spread
 * picks (a halted CPU's, else t's home); runq_insert queues t on c, c's
 * lock held, waking c from its halt (true: it sent the IPI); runq_steal
 * takes a thread for c from another queue, c's lock held.
 */
struct cpu *runq_move(struct thread *t);
void runq_push(struct thread *t);
struct cpu *runq_spread(struct thread *t);
struct thread *runq_steal(struct cpu *c, bool *busy);

/*
 * Queues t on c: at the front (ahead of threads that used their slices)
 * or at the back. A halted c is woken: its idle loop looked at its queue
 * and set halted under the same lock, so it either finds t or is halted
 * now. Returns whether it sent the IPI. c's run queue lock held.
 */
static inline __attribute__((always_inline)) bool
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

/* Takes t off from's queue, from's lock held. */
static inline struct thread *
runq_take(struct cpu *from, struct thread *t)
{
	list_remove(&t->run_link);
	from->nr_ready--;
	return t;
}

/* The next thread for CPU c: its own queue first, then another's
 * (runq_steal, *busy as it says). c's run queue lock held. */
static inline struct thread *
runq_pop(struct cpu *c, bool *busy)
{
	SPIN_ASSERT_HELD(runq_lock(c));
	if (!list_empty(&c->runq))
		return runq_take(c, list_first(&c->runq, struct thread,
					       run_link));
	return runq_steal(c, busy);
}
/* The current thread t leaves CPU c, which its affinity no longer allows
 * (affinity.c). */
void sched_move_off(struct cpu *c, struct thread *t);

#endif
