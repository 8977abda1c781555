/*
 * The scheduler: a run queue per CPU (round robin, 10 ms slices for user
 * threads at nice 0, longer or shorter by nice weight; an idle CPU takes work from the busiest other queue;
 * a woken thread goes on its waker's CPU when that one's queue is empty,
 * and runs ahead of CPU hogs for what it left of its slice), a per-CPU
 * idle thread that halts with no periodic tick, wait queues and timeouts.
 * The next timer interrupt is programmed one-shot, by the tick
 * (kernel/sched/tick.c); affinity changes are affinity.c's.
 *
 * One scheduler lock, sched_lock, guards the run queues, every wait
 * queue, and each thread's scheduling state (the fields tagged [S] in
 * <kernel/sched.h> and <kernel/cpu.h>), with or without the big lock:
 * a wake, a sleep and a switch take it, not the big lock. A switch drops
 * it before arch_context_switch; a thread's on_cpu keeps any other CPU
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

/* Alone on its line: every CPU takes it at each wake, sleep and switch,
 * and every CPU reads the variables that were beside it at each return
 * to user mode (ktimer_generation, sched_tick_quiet). */
struct spinlock sched_lock CACHE_LINE_ALONE = SPINLOCK_INIT;
struct list sched_dead = LIST_INIT(sched_dead);	/* exited, stack still in use [S] */

/* How soon a CPU that queued a woken thread for itself is interrupted,
 * if nothing else runs its scheduler first (preempt_soon). */
#define WAKE_BACKSTOP_NS (4 * WAKE_PREEMPT_NS)

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
	spin_lock(&sched_lock);
	t->state = THREAD_DEAD;
	list_push_back(&sched_dead, &t->run_link);
	schedule_locked();
	panic("dead thread scheduled");
}

/* Frees the exited threads no CPU runs any more. Big lock held (the
 * allocators'); the scheduler lock not. */
static void
reap_dead_threads(void)
{
	BKL_ASSERT_HELD();
	for (;;) {
		struct thread *t = NULL;
		spin_lock(&sched_lock);
		list_for_each(it, &sched_dead) {
			t = list_entry(it, struct thread, run_link);
			/* its stack left (its switch away has ended) */
			if (!__atomic_load_n(&t->on_cpu, __ATOMIC_ACQUIRE))
				break;
			t = NULL;
		}
		if (t)
			list_remove(&t->run_link);
		spin_unlock(&sched_lock);
		if (!t)
			return;
		thread_free(t);
	}
}

void
waitq_init(struct waitq *wq)
{
	list_init(&wq->sleepers);
}

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
 * its affinity allows if there is one, woken with an IPI, so runnable
 * threads spread over idle CPUs; else the CPU it last ran on, else this.
 */
static struct cpu *
runq_spread(struct thread *t)
{
	for (int i = 0; i < cpu_count; i++) {
		if (cpus[i].halted && &cpus[i] != this_cpu() &&
		    cpu_allowed(t, &cpus[i])) {
			cpus[i].halted = false;
			sched_kick(&cpus[i]);
			return &cpus[i];
		}
	}
	return runq_home(t);
}

/* Queues t on c: at the front (ahead of threads that used their slices)
 * or at the back. */
static void
runq_insert(struct cpu *c, struct thread *t, bool ahead)
{
	SPIN_ASSERT_HELD(&sched_lock);
	t->state = THREAD_RUNNABLE;
	if (ahead)
		list_insert_after(&c->runq, &t->run_link);
	else
		list_push_back(&c->runq, &t->run_link);
	c->nr_ready++;
}

/* Queues t at the back of the queue runq_spread picks. */
static void
runq_push(struct thread *t)
{
	runq_insert(runq_spread(t), t, false);
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
	runq_insert(to, t, false);
	if (to != this_cpu())
		sched_kick(to);
	return to;
}

/* The first thread of from's queue that may run on c, or NULL. */
static struct thread *
runq_first_allowed(struct cpu *from, struct cpu *c)
{
	list_for_each(it, &from->runq) {
		struct thread *t = list_entry(it, struct thread, run_link);
		if (cpu_allowed(t, c))
			return t;
	}
	return NULL;
}

/* The next thread for this CPU: its own queue first, then the busiest
 * queue that holds a thread allowed here. */
static struct thread *
runq_pop(void)
{
	struct cpu *c = this_cpu(), *from = c;
	struct thread *t = NULL;
	SPIN_ASSERT_HELD(&sched_lock);
	if (list_empty(&c->runq)) {
		from = NULL;
		for (int i = 0; i < cpu_count; i++) {
			struct thread *cand;
			if (!cpus[i].online || cpus[i].nr_ready == 0 ||
			    (from && cpus[i].nr_ready <= from->nr_ready))
				continue;
			if ((cand = runq_first_allowed(&cpus[i], c)))
				from = &cpus[i], t = cand;
		}
		if (!from)
			return NULL;
		c->sched_stat.steals++;
	} else {
		t = list_first(&c->runq, struct thread, run_link);
	}
	list_remove(&t->run_link);
	from->nr_ready--;
	return t;
}

/* Whether a queued thread may run on this CPU (a pinned one elsewhere
 * does not keep it from halting). */
static bool
work_waiting(void)
{
	for (int i = 0; i < cpu_count; i++)
		if (cpus[i].nr_ready > 0 && runq_first_allowed(&cpus[i], this_cpu()))
			return true;
	return false;
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
	struct thread *cur = c->current;
	uint64_t at = MAX(now, cur->run_start + WAKE_PREEMPT_NS);

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
 * running there gives way soon.
 */
static void
runq_wake(struct thread *t, bool by_call)
{
	struct cpu *c = this_cpu();
	uint64_t now = arch_now_ns();

	t->slice_left = wake_credit(t, now);
	if (cpu_allowed(t, c) && list_empty(&c->runq) &&
	    (by_call || c->current == c->idle)) {
		c->sched_stat.wakes_here++;
		runq_insert(c, t, false);
		preempt_soon(c, now);
		return;
	}
	c = runq_spread(t);
	if (c == this_cpu())
		c->sched_stat.wakes_here++;
	else
		this_cpu()->sched_stat.wakes_other++;
	runq_insert(c, t, t->slice_left > 0);
	if (t->slice_left > 0)
		preempt_soon(c, now);
}

/* Ends t's sleep with result; by_call: a thread's call wakes it, not a
 * timer. */
static void
wake(struct thread *t, int result, bool by_call)
{
	SPIN_ASSERT_HELD(&sched_lock);
	if (t->state != THREAD_SLEEPING)
		return;
	list_remove(&t->run_link);
	t->waiting_on = NULL;
	t->wake_result = result;
	runq_wake(t, by_call);
}

void
sched_wake(struct thread *t)
{
	spin_lock(&sched_lock);
	if (t->state == THREAD_SLEEPING)
		wake(t, 0, true);
	else if (t->state != THREAD_RUNNING && t->state != THREAD_DEAD &&
		 t->run_link.next == &t->run_link && t != this_cpu()->idle)
		runq_push(t);
	spin_unlock(&sched_lock);
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
 * end it (LTP timer_settime01, "Cannot kill test processes"). Until
 * timers_cover, every CPU's timer fired for every kernel timer, which
 * hid this.
 */
static void
kick_running(struct thread *t)
{
	SPIN_ASSERT_HELD(&sched_lock);
	if (t->state != THREAD_RUNNING)
		return;
	for (int i = 0; i < cpu_count; i++)
		if (cpus[i].current == t && &cpus[i] != this_cpu())
			sched_kick(&cpus[i]);
}

void
thread_interrupt(struct thread *t)
{
	spin_lock(&sched_lock);
	if (t->state == THREAD_SLEEPING &&
	    sleep_interrupted(t, t->interruptible))
		wake(t, -EINTR, true);
	else
		kick_running(t);
	spin_unlock(&sched_lock);
}

void
thread_interrupt_sleep(struct thread *t)
{
	spin_lock(&sched_lock);
	if (t->state == THREAD_SLEEPING && t->interruptible)
		wake(t, -EINTR, true);
	spin_unlock(&sched_lock);
}

void
thread_kill(struct thread *t)
{
	spin_lock(&sched_lock);
	if (t->state == THREAD_SLEEPING && (t->interruptible || t->killable))
		wake(t, -EINTR, true);
	else
		kick_running(t);
	spin_unlock(&sched_lock);
}

void
waitq_wake_all(struct waitq *wq)
{
	spin_lock(&sched_lock);
	while (!list_empty(&wq->sleepers))
		wake(list_first(&wq->sleepers, struct thread, run_link), 0, true);
	spin_unlock(&sched_lock);
}

void
waitq_wake_one(struct waitq *wq)
{
	spin_lock(&sched_lock);
	if (!list_empty(&wq->sleepers))
		wake(list_first(&wq->sleepers, struct thread, run_link), 0, true);
	spin_unlock(&sched_lock);
}

/* A sleep's deadline passed: runs from sched_tick, big lock held. */
static void
timeout_fired(struct ktimer *k)
{
	spin_lock(&sched_lock);
	wake(container_of(k, struct thread, timeout), -ETIMEDOUT, false);
	spin_unlock(&sched_lock);
}

/*
 * Whether the current thread may go to sleep: 0, or why not. Checked with
 * the scheduler lock held, so that a signal sent or a deadline armed
 * before the check is seen, and a wake after it finds the thread asleep.
 */
static inline __attribute__((always_inline)) int
sleep_check(struct thread *t, uint64_t deadline, bool interruptible)
{
	SPIN_ASSERT_HELD(&sched_lock);
	if (sleep_interrupted(t, interruptible))
		return -EINTR;
	if (deadline && deadline <= arch_now_ns())
		return -ETIMEDOUT;
	return 0;
}

/*
 * Arms the timeout of t's sleep. A timeout runs under the big lock; armed
 * and cancelled under it too, it cannot fire for a later sleep of this
 * thread. Out of line: a call's hand-off has no deadline.
 */
__attribute__((noinline)) void
sleep_arm_timeout(struct thread *t, uint64_t deadline)
{
	BKL_ASSERT_HELD();
	uint64_t first = ktimer_add(&t->timeout, deadline, timeout_fired);
	/* the thread switched to may not tick */
	timer_arm(timers_cover(this_cpu(), first));
}

int
waitq_wait_cond(struct waitq *wq, uint64_t deadline, bool interruptible,
		bool (*done)(void *arg), void *arg)
{
	struct thread *t = current();
	int r;

	spin_lock(&sched_lock);
	if (done && done(arg)) {
		spin_unlock(&sched_lock);
		return 0;
	}
	if ((r = sleep_check(t, deadline, interruptible)) < 0) {
		spin_unlock(&sched_lock);
		return r;
	}
	sleep_on(t, wq, deadline, interruptible);
	schedule_locked();
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
 * space to let go (which may need a TLB shootdown, so never under the
 * scheduler lock), dead threads to free. */
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
 * Runs next on this CPU in place of the current thread. Called with the
 * scheduler lock held, dropped before the switch itself (switch_leave);
 * returns, in this thread once it runs again, with the big lock as this
 * thread held it. Inline in
 * switch_to only (the IPC hand-off has switch_handoff).
 */
static inline __attribute__((always_inline)) void
switch_to_inline(struct thread *next)
{
	struct cpu *c = this_cpu();
	struct thread *prev = c->current;
	uint64_t now = arch_now_ns();

	SPIN_ASSERT_HELD(&sched_lock);
	if (prev != next && prev != c->idle) {
		if (prev->state == THREAD_RUNNING)
			prev->nivcsw++;
		else
			prev->nvcsw++;
	}
	if (prev->state == THREAD_RUNNING && prev != next) {
		if (prev == c->idle)
			prev->state = THREAD_RUNNABLE;
		else
			runq_push(prev);
	}
	next->state = THREAD_RUNNING;
	if (next->last_cpu && next->last_cpu != c)
		c->sched_stat.migrations++;
	next->last_cpu = c;
	if (next == prev) {
		spin_unlock(&sched_lock);
		return;
	}
	prev->cpu_ns += now - prev->run_start;
	if (prev == c->idle) {
		c->idle_ns += now - prev->run_start;
		sample_start(c, now);
	} else if (prev->state == THREAD_SLEEPING)
		sleep_credit(prev, now);
	switch_in(c, next, now);
	bool had_bkl = bkl_mine(c);
	switch_leave(c, prev, next);
	arch_context_switch(prev, next);
	switch_done(had_bkl);
}

static __attribute__((noinline)) void
switch_to(struct thread *next)
{
	switch_to_inline(next);
}

/* schedule with the scheduler lock held; it drops it. */
void
schedule_locked(void)
{
	struct thread *next = runq_pop();
	switch_to(next ? next : this_cpu()->idle);
}

void
schedule(void)
{
	spin_lock(&sched_lock);
	schedule_locked();
}

struct thread *
waitq_take_one(struct waitq *wq)
{
	struct thread *t = NULL;
	spin_lock(&sched_lock);
	if (!list_empty(&wq->sleepers)) {
		t = list_first(&wq->sleepers, struct thread, run_link);
		list_remove(&t->run_link);
		list_init(&t->run_link);
		t->waiting_on = NULL;
		t->wake_result = 0;
		t->state = THREAD_RUNNABLE;
	}
	spin_unlock(&sched_lock);
	return t;
}

int
waitq_wait_handoff(struct waitq *wq, uint64_t deadline, bool interruptible,
		   struct thread *next)
{
	struct cpu *c = this_cpu();
	struct thread *t = c->current;
	int r;

	if (!next)
		return waitq_wait(wq, deadline, interruptible);
	spin_lock_on(&sched_lock, c);
	/* next may not run here (sched_setaffinity), or t must not sleep. */
	if (!cpu_allowed(next, c) ||
	    (r = sleep_check(t, deadline, interruptible)) < 0) {
		runq_push(next);	/* it still runs, the usual way */
		spin_unlock(&sched_lock);
		return waitq_wait(wq, deadline, interruptible);
	}
	sleep_on(t, wq, deadline, interruptible);
	switch_to(next);
	if (deadline)	/* a call's hand-off has none */
		ktimer_cancel(&t->timeout);
	return t->wake_result;
}

/*
 * The first sleeper of `from` (from may be NULL or empty), taken off it as
 * a wake would, in one hold of the scheduler lock with the current
 * thread's sleep: it runs here at once, or by the run queues where its
 * affinity or the sleep's refusal says so. Inline in its two forms:
 * waitq_wait_take and the round trip's waitq_handoff, whose constant
 * arguments fold the deadline's and `held`'s tests away.
 */
static inline __attribute__((always_inline)) int
wait_take(struct waitq *wq, uint64_t deadline, bool interruptible,
	  struct waitq *from, struct spinlock *held)
{
	struct cpu *c = this_cpu();
	struct thread *t = c->current, *next = NULL;
	int r;

	spin_lock_on(&sched_lock, c);
	if (from && !list_empty(&from->sleepers)) {
		next = list_first(&from->sleepers, struct thread, run_link);
		list_remove(&next->run_link);
		next->waiting_on = NULL;
		next->wake_result = 0;
		if (!cpu_allowed(next, c)) {
			runq_push(next);
			next = NULL;
		}
	}
	/* from is left alone from here on, and this thread's sleep is
	   decided under the scheduler lock: the object's lock may go. */
	KASSERT(held);
	spin_unlock(held);
	if ((r = sleep_check(t, deadline, interruptible)) < 0) {
		if (next)
			runq_push(next);
		spin_unlock(&sched_lock);
		return r;
	}
	sleep_on(t, wq, deadline, interruptible);
	if (next)
		switch_handoff(c, t, next);
	else
		schedule_locked();
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
 * (due timers, which run under it) or dead threads wait to be freed:
 * a thread that wakes another on a halted CPU costs that CPU no big lock.
 * The look for work and the halted flag are one step under the
 * scheduler lock, so a thread queued after the look finds the CPU
 * halted and sends the IPI, which ends the hlt (interrupts come on only
 * in arch_idle's sti; hlt).
 */
static _Noreturn void
idle_loop(void)
{
	struct cpu *c = this_cpu();
	if (bkl_held())
		bkl_unlock();	/* from the boot code */
	for (;;) {
		if (!sched_tick_quiet(c) || !list_empty(&sched_dead)) {
			bkl_lock();
			sched_tick();
			reap_dead_threads();
			bkl_unlock();
		}
		spin_lock(&sched_lock);
		c->halted = false;
		if (work_waiting()) {
			schedule_locked();
			continue;
		}
		c->halted = true;
		spin_unlock(&sched_lock);
		c->sched_stat.halts++;
		arch_idle();
	}
}

void
sched_init(void)
{
	for (int i = 0; i < CPU_MAX; i++)
		list_init(&cpus[i].runq);
}

_Noreturn void
sched_start(void)
{
	struct cpu *c = this_cpu();
	struct thread *idle = thread_new(NULL);
	if (!idle)
		panic("no memory for the idle thread");
	idle->state = THREAD_RUNNING;
	idle->on_cpu = true;
	idle->run_start = arch_now_ns();
	/* The boot CPU's work before this was busy time; the others begin now. */
	c->started_ns = c->id == 0 ? 0 : idle->run_start;
	c->idle = idle;
	c->current = idle;
	idle_loop();
}
