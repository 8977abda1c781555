/*
 * The scheduler: a run queue per CPU (round robin, 10 ms slices for user
 * threads at nice 0, longer or shorter by nice weight; an idle CPU takes work from the busiest other queue;
 * a woken thread goes on its waker's CPU when that one's queue is empty,
 * and runs ahead of CPU hogs for what it left of its slice), a per-CPU
 * idle thread that halts with no periodic tick, wait queues and timeouts.
 * The next timer interrupt is programmed one-shot, by the tick
 * (kernel/sched/tick.c); affinity changes are affinity.c's.
 *
 * The scheduler's locks, with or without the big lock: each CPU's run
 * queue lock [R] (sched_internal.h), taken to queue a thread there or
 * take one off; the wait queue locks [W] (<kernel/sched_handoff.h>), a
 * queue's sleepers and a sleeping thread's fields, under which a thread
 * goes to sleep and exactly one waker ends its sleep; the dead list's
 * own lock [D]. Order: a wait queue lock, then one run queue lock.
 * A switch drops them
 * before arch_context_switch; a thread's on_cpu keeps any other CPU
 * from running it before its stack is left (switch_leave, switch_done).
 * Each thread leaves a switch holding the big lock if, and only if, it
 * held it when it switched away (docs/kernel.md, "The scheduler lock").
 */
#include "sched_internal.h"
#include <kernel/errno.h>
#include <kernel/printk.h>
#include <kernel/proc.h>
#include <kernel/vm.h>
#include <arch/switch.h>

struct waitq_lock waitq_locks[WAITQ_LOCKS];
struct runq_lock runq_locks[CPU_MAX];
static struct spinlock dead_lock = SPINLOCK_INIT;
/* exited, stack still in use [D] */
struct list sched_dead = LIST_INIT(sched_dead);

/* Linux's sched_prio_to_weight, nice -20 to 19: 1024 at nice 0, about
 * 1.25 times more for each step down. */
static const uint32_t nice_weight[40] = {
	88761, 71755, 56483, 46273, 36291, 29154, 23254, 18705, 14949, 11916,
	9548, 7620, 6100, 4904, 3906, 3121, 2501, 1991, 1586, 1277,
	1024, 820, 655, 526, 423, 335, 272, 215, 172, 137,
	110, 87, 70, 56, 45, 36, 29, 23, 18, 15,
};

/*
 * A thread's time slice off nice 0 (slice_ns, <kernel/sched_handoff.h>):
 * TIME_SLICE_NS weighted by its nice value as Linux weighs CPU shares, so
 * threads that share a CPU get time in proportion to their weights; kept
 * between a tenth and ten times the slice, so no thread waits too long or
 * switches too often.
 */
uint64_t
slice_ns_weighted(const struct thread *t)
{
	int nice = t->sched.nice < -20 ? -20 : t->sched.nice > 19 ? 19 :
									   t->sched.nice;
	uint64_t ns = TIME_SLICE_NS * nice_weight[nice + 20] / 1024;
	if (ns < TIME_SLICE_NS / 10)
		return TIME_SLICE_NS / 10;
	return ns > TIME_SLICE_NS * 10 ? TIME_SLICE_NS * 10 : ns;
}

/* Queues the current (exiting) thread's memory to be freed once off-CPU. */
void
sched_exit_current(void)
{
	struct thread *t = current();
	spin_lock(&dead_lock);
	t->state = THREAD_DEAD;
	list_push_back(&sched_dead, &t->run_link);
	spin_unlock(&dead_lock);
	schedule_locked(NULL);
	panic("dead thread scheduled");
}

/* Frees the exited threads no CPU runs any more. Big lock held (the
 * allocators'); no spinlock. */
static void
reap_dead_threads(void)
{
	BKL_ASSERT_HELD();
	for (;;) {
		struct thread *t = NULL;
		spin_lock(&dead_lock);
		list_for_each(it, &sched_dead) {
			t = list_entry(it, struct thread, run_link);
			/* its stack left (its switch away has ended) */
			if (!__atomic_load_n(&t->on_cpu, __ATOMIC_ACQUIRE))
				break;
			t = NULL;
		}
		if (t)
			list_remove(&t->run_link);
		spin_unlock(&dead_lock);
		if (!t)
			return;
		thread_free(t);
	}
}

void
waitq_init(struct waitq *wq)
{
	waitq_init_inline(wq);
}

/* How soon a CPU that queued a woken thread for itself is interrupted,
 * if nothing else runs its scheduler first (preempt_soon). */
#define WAKE_BACKSTOP_NS (4 * WAKE_PREEMPT_NS)

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
	/* now may be a bound from below (wake_clock): before slept_at, no
	   sleep at all. */
	if (now > t->slept_at && now - t->slept_at >= 2 * half &&
	    t->slice_left < half)
		return half;
	return t->slice_left;
}

/*
 * The clock for a wake on CPU me: the time its running thread was
 * switched in, a bound from below that costs no clock read; read only
 * when the idle thread runs (an interrupt's wake, after a halt of any
 * length). A TSC read under QEMU's TCG takes a lock that every vCPU
 * shares (docs/performance-smp-lock.md, "vCPU scaling: pipe and futex
 * pairs"),
 * and a pair of threads passing a turn read it at each wake as well as
 * at each switch. What it bounds: a running thread switched in long ago
 * (one alone on its CPU, never switched since) makes a sleeper's sleep
 * look shorter by as much (wake_credit: its own slice's rest instead of
 * half a slice), and preempt_soon's backstop come at once, which only
 * hastens the preemption it backs up: that thread has run its
 * WAKE_PREEMPT_NS.
 */
static inline uint64_t
wake_clock(struct cpu *me)
{
	struct thread *cur = me->current;
	if (cur == me->idle) {
		me->sched_stat.wake_clocks++;
		return arch_now_ns();
	}
	return cur->run_start;
}

/*
 * c's running thread gives way soon to the thread just queued there (me:
 * this CPU): once it has run WAKE_PREEMPT_NS since it was switched in (at
 * once if it has), as Linux's wake-up granularity keeps a thread from
 * being preempted at every wake. Its slice end is brought forward, which
 * sched_slice_over reads; the CPU's timer is armed for it, here or by the
 * other CPU's sched_tick after the IPI (quiet_thread cleared: not quiet
 * any more).
 */
static void
preempt_soon(struct cpu *c, struct cpu *me)
{
	struct thread *cur = c->current;	/* a hint: c may switch now */
	/* A slice end already passed reads as one now (sched_slice_over):
	 * no clock needed. */
	uint64_t at = cur->run_start + WAKE_PREEMPT_NS;

	SPIN_ASSERT_HELD(runq_lock(c));
	if (cur == c->idle)
		return;
	if (at < cur->slice_end)
		cur->slice_end = at;
	c->quiet_thread = NULL;
	/*
	 * A nolock call's return does no sched_tick, so this CPU's timer is
	 * armed here, as a backstop 4 ms after the thread was switched in:
	 * one at `at` itself fired about every millisecond in a futex
	 * ping-pong (the waker sleeps before it), and each fire and re-arm
	 * costs TCG a device write and an interrupt. A locked return arms
	 * it for the slice end.
	 */
	if (c == me)
		timer_arm_on(me, cur->run_start + WAKE_BACKSTOP_NS);
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
static void
runq_wake(struct thread *t, bool by_call)
{
	struct cpu *me = this_cpu(), *c = me;
	bool ahead = false, preempt = true;

	if (cpu_allowed(t, c) && list_empty(&c->runq) &&
	    (by_call || c->current == c->idle)) {
		t->slice_left = wake_credit(t, wake_clock(me));
		c->sched_stat.wakes_here++;
	} else {
		/* its credit orders it among the queued: read exactly */
		me->sched_stat.wake_clocks++;
		t->slice_left = wake_credit(t, arch_now_ns());
		c = runq_spread(t);
		if (c == me)
			c->sched_stat.wakes_here++;
		else
			me->sched_stat.wakes_other++;
		ahead = preempt = t->slice_left > 0;
	}
	spin_lock_on(runq_lock(c), me);
	runq_insert(c, t, ahead);
	if (preempt)
		preempt_soon(c, me);
	spin_unlock(runq_lock(c));
}

/*
 * Ends t's sleep with result, if it sleeps on a queue; by_call: a
 * thread's call wakes it, not a timer. A sleeper taken off its queue for
 * a hand-off (waiting_on NULL) is its taker's, which runs it. The lock
 * of t's queue held.
 */
static void
wake(struct thread *t, int result, bool by_call)
{
	if (t->state != THREAD_SLEEPING || !t->waiting_on)
		return;
	SPIN_ASSERT_HELD(waitq_lock(t->waiting_on));
	list_remove(&t->run_link);
	t->waiting_on = NULL;
	t->wake_result = result;
	runq_wake(t, by_call);
}

/*
 * Takes and returns the lock of the queue t sleeps on, t asleep there;
 * NULL if t sleeps on none. A thread's own waker (a signal's sender, a
 * timeout) has stored what ends the sleep first: the barrier orders that
 * before the read of waiting_on (sleep_publish). t about to sleep, or
 * taking back its sleep, is a moment away: looked at again. The queue
 * may be gone (on a stack, freed) once read: its lock field is read from
 * memory that stays mapped, and only a lock of the table is taken; under
 * it, t still sleeping on that queue means it is there.
 */
static struct spinlock *
sleeper_lock(struct thread *t)
{
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	for (;;) {
		struct waitq *wq = __atomic_load_n(&t->waiting_on,
						   __ATOMIC_ACQUIRE);
		if (!wq)
			return NULL;
		struct spinlock *sl = __atomic_load_n(&wq->lock,
						      __ATOMIC_RELAXED);
		uintptr_t at = (uintptr_t)sl - (uintptr_t)waitq_locks;
		if (at < sizeof(waitq_locks) &&
		    at % sizeof(waitq_locks[0]) == 0) {
			spin_lock(sl);
			if (t->waiting_on == wq && t->state == THREAD_SLEEPING)
				return sl;
			spin_unlock(sl);
		}
		arch_spin_wait();
	}
}

void
sched_wake(struct thread *t)
{
	struct spinlock *sl = sleeper_lock(t);
	if (sl) {
		wake(t, 0, true);
		spin_unlock(sl);
	} else if (t->unqueued) {
		BKL_ASSERT_HELD();	/* its taker's, or its creator's */
		t->unqueued = false;
		runq_push(t);
	}
}

/* Whether a signal ends t's sleep now (t sleeps, or is about to). */
static inline __attribute__((always_inline)) bool
sleep_interrupted(struct thread *t, bool interruptible)
{
	/* A pending SIGKILL is a pending signal: killable adds nothing to
	   an interruptible sleep's test. */
	if (interruptible)
		return signal_pending(t);
	return t->killable && fatal_signal_pending(t);
}

/*
 * t, running on another CPU, is to notice a signal: that CPU is sent an
 * IPI, whose return to user mode delivers it (Linux's kick_process). A
 * thread looping in user mode otherwise saw it only at its CPU's next
 * interrupt, which on a tickless CPU may never come: a SIGKILL did not
 * end it (LTP timer_settime01, "Cannot kill test processes"). While
 * every CPU's timer fired for every kernel timer, this was hidden.
 * Each CPU's current is read as a hint: one that switches
 * away from t meanwhile takes an IPI for nothing.
 */
static void
kick_running(struct thread *t)
{
	if (t->state != THREAD_RUNNING)
		return;
	for (int i = 0; i < cpu_count; i++)
		if (cpus[i].current == t && &cpus[i] != this_cpu())
			sched_kick(&cpus[i]);
}

void
thread_interrupt(struct thread *t)
{
	struct spinlock *sl = sleeper_lock(t);
	if (!sl) {
		kick_running(t);
		return;
	}
	if (sleep_interrupted(t, t->interruptible))
		wake(t, -EINTR, true);
	spin_unlock(sl);
}

void
thread_interrupt_sleep(struct thread *t)
{
	struct spinlock *sl = sleeper_lock(t);
	if (!sl)
		return;
	if (t->interruptible)
		wake(t, -EINTR, true);
	spin_unlock(sl);
}

void
thread_kill(struct thread *t)
{
	struct spinlock *sl = sleeper_lock(t);
	if (!sl) {
		kick_running(t);
		return;
	}
	if (t->interruptible || t->killable)
		wake(t, -EINTR, true);
	spin_unlock(sl);
}

void
waitq_wake_all(struct waitq *wq)
{
	struct spinlock *sl = waitq_lock(wq);
	spin_lock(sl);
	while (!list_empty(&wq->sleepers))
		wake(list_first(&wq->sleepers, struct thread, run_link), 0, true);
	spin_unlock(sl);
}

void
waitq_wake_one(struct waitq *wq)
{
	struct spinlock *sl = waitq_lock(wq);
	spin_lock(sl);
	if (!list_empty(&wq->sleepers))
		wake(list_first(&wq->sleepers, struct thread, run_link), 0, true);
	spin_unlock(sl);
}

/*
 * A sleep's deadline passed: runs on the CPU the timeout was armed on,
 * without the big lock (ktimer_add_nolock): the wake takes only t's wait
 * queue lock and a run queue lock. t is alive while it runs: t's cancel
 * after any sleep with a deadline waits for it (ktimer_cancel).
 */
static void
timeout_fired(struct ktimer *k)
{
	struct thread *t = container_of(k, struct thread, timeout);
	struct spinlock *sl = sleeper_lock(t);
	if (sl) {
		wake(t, -ETIMEDOUT, false);
		spin_unlock(sl);
	}
}

/*
 * Whether the current thread may go to sleep on wq: 0, or why not; then
 * it is not about to sleep any more. Checked with wq's lock held, the
 * thread published as about to sleep there (sleep_publish), so that a
 * signal sent or a deadline armed before the check is seen, and a wake
 * after it finds the thread asleep.
 */
static inline __attribute__((always_inline)) int
sleep_check(struct thread *t, struct waitq *wq, uint64_t deadline,
	    bool interruptible)
{
	SPIN_ASSERT_HELD(waitq_lock(wq));
	sleep_publish(t, wq);
	if (sleep_interrupted(t, interruptible)) {
		t->waiting_on = NULL;
		return -EINTR;
	}
	if (deadline && deadline <= arch_now_ns()) {
		t->waiting_on = NULL;
		return -ETIMEDOUT;
	}
	return 0;
}

/*
 * Arms the timeout of t's sleep, on this CPU's timers, which arms its
 * timer. It cannot fire for a later sleep of this thread: t cancels it
 * after the sleep, which waits for the callback if it runs on another
 * CPU then (ktimer_cancel). Out of line: a call's hand-off has no
 * deadline.
 */
__attribute__((noinline)) void
sleep_arm_timeout(struct thread *t, uint64_t deadline)
{
	ktimer_add_nolock(&t->timeout, deadline, timeout_fired);
}

int
waitq_wait_cond(struct waitq *wq, uint64_t deadline, bool interruptible,
		bool (*done)(void *arg), void *arg)
{
	struct thread *t = current();
	struct spinlock *sl = waitq_lock(wq);
	int r;

	spin_lock(sl);
	if (done && done(arg)) {
		spin_unlock(sl);
		return 0;
	}
	if ((r = sleep_check(t, wq, deadline, interruptible)) < 0) {
		spin_unlock(sl);
		return r;
	}
	sleep_on(t, wq, deadline, interruptible);
	schedule_locked(sl);
	ktimer_cancel(&t->timeout);
	return t->wake_result;
}

int
waitq_wait(struct waitq *wq, uint64_t deadline, bool interruptible)
{
	return waitq_wait_cond(wq, deadline, interruptible, NULL, NULL);
}

int
sched_sleep_until(uint64_t deadline)
{
	struct waitq wq;
	waitq_init(&wq);
	int r = waitq_wait(&wq, deadline, true);
	return r == -ETIMEDOUT ? 0 : r;
}

/* switch_done's rare work: the big lock to take or drop, a lazy address
 * space to let go (which may need a TLB shootdown, so never under a
 * spinlock), dead threads to free. */
__attribute__((noinline)) void
switch_done_slow(struct cpu *c, bool had_bkl, struct vm *put)
{
	if (bkl_mine(c) != had_bkl) {
		if (had_bkl)
			bkl_lock();
		else
			bkl_unlock();
	}
	if (put) {
		if (!had_bkl)
			bkl_lock();
		vm_put(put);
		if (!had_bkl)
			bkl_unlock();
	}
	if (had_bkl && !list_empty(&sched_dead))
		reap_dead_threads();
}

/* next is still being left by the CPU it last ran on: waits until that
 * CPU's switch has ended (switch_leave), taking meanwhile any TLB
 * shootdown sent to this one, as a spinlock's waiter does. */
__attribute__((noinline)) void
switch_wait_left(struct thread *next)
{
	while (__atomic_load_n(&next->on_cpu, __ATOMIC_ACQUIRE)) {
		arch_ipi_poll();
		arch_spin_wait();
	}
}

void
sched_first_run(void)
{
	switch_done(true);	/* on its way to user mode: trap_return_to_user */
}

/*
 * The first half of a switch away from prev, CPU c's current thread, at
 * now, before the next thread is chosen: prev's time and switch counts;
 * a sleeping prev keeps its wake credit (under the sleep lock, held);
 * a prev still RUNNING (preempted, or moved off c by its affinity) is
 * queued where runq_spread says. From then on another CPU may take prev,
 * so its fields are not touched again here: only its on_cpu, cleared
 * once the switch has left its stack (switch_done). The idle thread's
 * time is the switch's (switch_to), under c's run queue lock.
 */
static inline __attribute__((always_inline)) void
switch_out(struct cpu *c, struct thread *prev, uint64_t now)
{
	if (prev == c->idle)
		return;
	prev->cpu_ns += now - prev->run_start;
	if (prev->state != THREAD_RUNNING) {
		prev->nvcsw++;
		if (prev->state == THREAD_SLEEPING)
			sleep_credit(prev, now);
		return;
	}
	prev->nivcsw++;
	if (cpu_allowed(prev, c))
		runq_push(prev);
	else
		runq_move(prev);	/* sched_move_off: told at once */
}

/*
 * Runs next on CPU c in place of prev, after switch_out: called with c's
 * run queue lock held and, if prev went to sleep, the sleep lock sl;
 * both dropped before the switch itself (switch_leave). Returns, in prev
 * once it runs again, with the big lock as prev held it.
 */
static inline __attribute__((always_inline)) void
switch_to_inline(struct cpu *c, struct thread *prev, struct thread *next,
		 uint64_t now, struct spinlock *sl)
{
	SPIN_ASSERT_HELD(runq_lock(c));
	next->state = THREAD_RUNNING;
	if (next->last_cpu && next->last_cpu != c)
		c->sched_stat.migrations++;
	next->last_cpu = c;
	if (next == prev) {
		/* queued by switch_out and taken back: it runs on */
		if (prev != c->idle) {
			prev->nivcsw--;
			prev->run_start = now;
		}
		spin_unlock(runq_lock(c));
		return;
	}
	if (prev == c->idle) {
		prev->state = THREAD_RUNNABLE;
		prev->cpu_ns += now - prev->run_start;
		c->idle_ns += now - prev->run_start;
		sample_start(c, now);
	}
	switch_in(c, next, now);
	bool had_bkl = bkl_mine(c);
	spin_unlock(runq_lock(c));
	if (sl)
		spin_unlock(sl);
	switch_leave(c, prev, next);
	arch_context_switch(prev, next);
	switch_done(had_bkl);
}

/* switch_to_inline for the rarer switches (a hand-off's, the idle
 * loop's); a sleep's and a preemption's have it inline (schedule_locked). */
static __attribute__((noinline)) void
switch_to(struct cpu *c, struct thread *prev, struct thread *next,
	  uint64_t now, struct spinlock *sl)
{
	switch_to_inline(c, prev, next, now, sl);
}

void
schedule_locked(struct spinlock *sl)
{
	struct cpu *c = this_cpu();
	struct thread *prev = c->current, *next;
	uint64_t now = arch_now_ns();
	bool busy = false;

	switch_out(c, prev, now);
	spin_lock_on(runq_lock(c), c);
	next = runq_pop(c, &busy);
	switch_to_inline(c, prev, next ? next : c->idle, now, sl);
}

void
schedule(void)
{
	schedule_locked(NULL);
}

struct thread *
waitq_take_one(struct waitq *wq)
{
	struct spinlock *sl = waitq_lock(wq);
	struct thread *t = NULL;
	spin_lock(sl);
	if (!list_empty(&wq->sleepers)) {
		t = list_first(&wq->sleepers, struct thread, run_link);
		list_remove(&t->run_link);
		list_init(&t->run_link);
		t->waiting_on = NULL;
		t->wake_result = 0;
		t->state = THREAD_RUNNABLE;
		t->unqueued = true;
	}
	spin_unlock(sl);
	return t;
}

int
waitq_wait_handoff(struct waitq *wq, uint64_t deadline, bool interruptible,
		   struct thread *next)
{
	struct cpu *c = this_cpu();
	struct thread *t = c->current;
	struct spinlock *sl = waitq_lock(wq);
	int r;

	if (!next)
		return waitq_wait(wq, deadline, interruptible);
	spin_lock_on(sl, c);
	KASSERT(next->unqueued);
	next->unqueued = false;
	/* next may not run here (sched_setaffinity), or t must not sleep. */
	if (!cpu_allowed(next, c) ||
	    (r = sleep_check(t, wq, deadline, interruptible)) < 0) {
		runq_push(next);	/* it still runs, the usual way */
		spin_unlock(sl);
		return waitq_wait(wq, deadline, interruptible);
	}
	sleep_on(t, wq, deadline, interruptible);
	uint64_t now = arch_now_ns();
	switch_out(c, t, now);
	spin_lock_on(runq_lock(c), c);
	switch_to(c, t, next, now, sl);
	if (deadline)	/* a call's hand-off has none */
		ktimer_cancel(&t->timeout);
	return t->wake_result;
}

/*
 * The first sleeper of `from` (from may be NULL or empty), taken off it
 * under from's lock as a wake would; then, under wq's, the current
 * thread's sleep: next runs here at once, or by the run queues where its
 * affinity or the sleep's refusal says so. Between the two, next is off
 * every queue, this thread's alone (a targeted wake finds it on none).
 * Inline in its two forms: waitq_wait_take and the round trip's
 * waitq_handoff, whose constant arguments fold the deadline's and
 * `held`'s tests away.
 */
static inline __attribute__((always_inline)) int
wait_take(struct waitq *wq, uint64_t deadline, bool interruptible,
	  struct waitq *from, struct spinlock *held)
{
	struct cpu *c = this_cpu();
	struct thread *t = c->current, *next = NULL;
	struct spinlock *sl = waitq_lock(wq);
	int r;

	if (from) {
		struct spinlock *fl = waitq_lock(from);
		spin_lock_on(fl, c);
		if (!list_empty(&from->sleepers)) {
			next = list_first(&from->sleepers, struct thread,
					  run_link);
			list_remove(&next->run_link);
			next->waiting_on = NULL;
			next->wake_result = 0;
		}
		if (fl != sl) {
			spin_unlock(fl);
			spin_lock_on(sl, c);
		}
		if (next && !cpu_allowed(next, c)) {
			runq_push(next);
			next = NULL;
		}
	} else {
		spin_lock_on(sl, c);
	}
	/* from is left alone from here on, and this thread's sleep is
	   decided under wq's lock: the object's lock may go. */
	KASSERT(held);
	spin_unlock(held);
	if ((r = sleep_check(t, wq, deadline, interruptible)) < 0) {
		if (next)
			runq_push(next);
		spin_unlock(sl);
		return r;
	}
	sleep_on(t, wq, deadline, interruptible);
	if (next)
		switch_handoff(c, t, next, sl);
	else
		schedule_locked(sl);
	if (deadline)
		ktimer_cancel(&t->timeout);
	return t->wake_result;
}

int
waitq_wait_take(struct waitq *wq, uint64_t deadline, bool interruptible,
		struct waitq *from, struct spinlock *held)
{
	return wait_take(wq, deadline, interruptible, from, held);
}

int
waitq_handoff(struct waitq *wq, struct waitq *from, struct spinlock *held)
{
	return wait_take(wq, 0, true, from, held);
}

int
waitq_wait_killable(struct waitq *wq, struct thread *next)
{
	struct thread *t = current();
	if (fatal_signal_pending(t)) {
		if (next)
			sched_wake(next);	/* it runs the usual way */
		return -EINTR;
	}
	t->killable = true;
	int r = waitq_wait_handoff(wq, 0, false, next);
	t->killable = false;
	/* exit_group wakes every sleeper plainly (wake_result 0). */
	return fatal_signal_pending(t) ? -EINTR : r;
}

void
sched_yield(void)
{
	if (list_empty(&this_cpu()->runq))
		return;
	schedule();
}

/*
 * Runs without the big lock, taking it only when sched_tick has work
 * that needs it (a due timer whose callback runs under it, the load
 * average) or dead threads wait to be freed: a thread that wakes another
 * on a halted CPU, or a sleep's timeout that runs out here, costs this
 * CPU no big lock (sched_tick_idle runs the nolock timers).
 * The look for work and the halted flag are one step under this CPU's
 * run queue lock, so a thread queued here after the look finds the CPU
 * halted and sends the IPI (runq_insert), which ends the hlt (interrupts
 * come on only in arch_idle's sti; hlt). A thread queued on another busy
 * CPU meanwhile waits for that one, as it did when it was queued.
 */
static _Noreturn void
idle_loop(void)
{
	struct cpu *c = this_cpu();
	if (bkl_held())
		bkl_unlock();	/* from the boot code */
	for (;;) {
		if ((!sched_tick_quiet(c) && !sched_tick_idle(c)) ||
		    !list_empty(&sched_dead)) {
			bkl_lock();
			sched_tick();
			reap_dead_threads();
			bkl_unlock();
		}
		bool busy = false;
		spin_lock_on(runq_lock(c), c);
		c->halted = false;
		struct thread *next = runq_pop(c, &busy);
		if (next) {
			switch_to(c, c->idle, next, arch_now_ns(), NULL);
			continue;
		}
		if (busy) {	/* another queue was busy: look again */
			spin_unlock(runq_lock(c));
			continue;
		}
		c->halted = true;
		spin_unlock(runq_lock(c));
		c->sched_stat.halts++;
		arch_idle();
	}
}

void
sched_init(void)
{
	ktimer_init();
	for (int i = 0; i < CPU_MAX; i++) {
		list_init(&cpus[i].runq);
		spin_init(&runq_locks[i].lock);
		cpus[i].runq_lock = &runq_locks[i].lock;
	}
}

_Noreturn void
sched_start(void)
{
	struct cpu *c = this_cpu();
	struct thread *idle = thread_new_idle();
	if (!idle)
		panic("no memory for the idle thread");
	idle->state = THREAD_RUNNING;
	idle->unqueued = false;
	idle->on_cpu = true;
	idle->run_start = arch_now_ns();
	/* The boot CPU's work before this was busy time; the others begin now. */
	c->started_ns = c->id == 0 ? 0 : idle->run_start;
	c->idle = idle;
	c->current = idle;
	idle_loop();
}
