/*
 * The direct hand-off of this CPU from the current thread to a sleeper,
 * in the pieces the IPC fast path (kernel/ipc/chan_short.c) runs inline
 * around its own changes, and the scheduler's own (kernel/sched/sched.c)
 * shares: the sleep lock, where a thread may run, the sleep and the
 * switch of a hand-off, inline for both.
 */
#ifndef KERNEL_SCHED_HANDOFF_H
#define KERNEL_SCHED_HANDOFF_H

#include <kernel/proc.h>
#include <kernel/cpu.h>
#include <kernel/spinlock.h>
#include <kernel/lock.h>
#include <arch/switch.h>

/*
 * The wait queue locks [W]: a queue's sleepers and a thread's fields
 * while it sleeps on it; a thread goes to sleep, and is woken, under the
 * lock of its queue. A static table, each on a line of its own, that
 * queues hash into (waitq_init): a lock outlives any queue, so a
 * signal's sender may take the lock of a queue on a sleeper's stack that
 * may be gone, and look again (sleeper_lock). Inside object locks (a
 * futex bucket, a channel's), outside the run queue locks and the timer
 * lock; two only in a hand-off between queues, one at a time
 * (docs/kernel.md, "The scheduler locks").
 */
static inline struct spinlock *
waitq_lock(const struct waitq *wq)
{
	return wq->lock;
}

/*
 * The current thread t is about to sleep on wq: says so before its
 * sleep's checks read its signals, with a full barrier between, as
 * a signal's sender stores the signal, then (after one) reads where t
 * sleeps. So either the checks see the signal, or the sender finds wq
 * and waits for its lock (sleeper_lock). wq's lock held.
 */
static inline __attribute__((always_inline)) void
sleep_publish(struct thread *t, struct waitq *wq)
{
	__atomic_store_n(&t->waiting_on, wq, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
}

/* Whether t may run on c: sched_setaffinity's mask (0: anywhere). */
static inline bool
cpu_allowed(const struct thread *t, const struct cpu *c)
{
	return !t->sched.affinity || (t->sched.affinity >> c->id & 1);
}

/* Arms the timeout of t's sleep (sched.c; big lock held or not). */
void sleep_arm_timeout(struct thread *t, uint64_t deadline);

/* Puts the current thread t on wq, asleep; the caller switches away.
 * Inline: it is on the IPC hand-off's path. */
static inline __attribute__((always_inline)) void
sleep_on(struct thread *t, struct waitq *wq, uint64_t deadline,
	 bool interruptible)
{
	SPIN_ASSERT_HELD(waitq_lock(wq));
	KASSERT(t->waiting_on == wq);	/* sleep_publish */
	t->state = THREAD_SLEEPING;
	t->interruptible = interruptible;	/* wake_result: its waker's */
	list_push_back(&wq->sleepers, &t->run_link);
	if (deadline)
		sleep_arm_timeout(t, deadline);
}

/* A thread's time slice: TIME_SLICE_NS at nice 0, every switch's case;
 * else weighted by its nice value (sched.c). */
uint64_t slice_ns_weighted(const struct thread *t);
static inline uint64_t
slice_ns(const struct thread *t)
{
	if (__builtin_expect(t->sched.nice == 0, 1))
		return TIME_SLICE_NS;
	return slice_ns_weighted(t);
}

/* Whether CPU c holds the big lock: bkl_held, inline on the switch path. */
static inline bool
bkl_mine(const struct cpu *c)
{
	return __atomic_load_n(&bkl_owner, __ATOMIC_RELAXED) == c->id;
}

extern struct list sched_dead;	/* exited, stack still in use [D] */
/* switch_done's rare work (sched.c). */
void switch_done_slow(struct cpu *c, bool had_bkl, struct vm *put);

/*
 * The step of every switch between its decisions, under the scheduler
 * locks, and the switch itself: CPU c, leaving prev for next, has dropped
 * them, so that another CPU's wake or sleep need not wait for this
 * switch's register, FPU and page-table work; it waits until next's
 * stack is let go by the CPU that ran it last, if it is still leaving it
 * (a thread that went to sleep there an instant ago, woken and queued
 * here meanwhile), and marks it in use here. prev is marked free once
 * the switch has left it (switch_done), so no other CPU can run prev on
 * the stack this CPU still uses. No CPU waits here for one that waits in
 * turn: each took its next thread under the lock, where every thread
 * still being left was already let go by a CPU whose own next was chosen
 * in an earlier hold (docs/kernel.md, "The scheduler lock").
 */
void switch_wait_left(struct thread *next);	/* the rare wait (sched.c) */

static inline __attribute__((always_inline)) void
switch_leave(struct cpu *c, struct thread *prev, struct thread *next)
{
	KASSERT(prev->on_cpu && prev != next);
	c->switched_from = prev;
	if (__builtin_expect(__atomic_load_n(&next->on_cpu, __ATOMIC_ACQUIRE),
			     0))
		switch_wait_left(next);
	next->on_cpu = true;
}

/*
 * The end of every switch, in the thread switched to (or a new thread's
 * first code): lets the thread switched away from go (another CPU may
 * run it now), then takes or drops the big lock so that this thread
 * holds it as it did when it switched away (had_bkl); then, with the big
 * lock, frees what the switch left behind (the address space a lazy idle
 * CPU let go, dead threads).
 */
static inline void
switch_done(bool had_bkl)
{
	struct cpu *c = this_cpu();
	struct vm *put = c->vm_to_put;

	if (put)
		c->vm_to_put = NULL;
	__atomic_store_n(&c->switched_from->on_cpu, false, __ATOMIC_RELEASE);
	if (__builtin_expect(bkl_mine(c) != had_bkl || put ||
			     (had_bkl && !list_empty(&sched_dead)), 0))
		switch_done_slow(c, had_bkl, put);
}

/* t goes to sleep at now: it keeps what it left of its slice as its
 * wake credit (wake_credit). Under the sleep lock, before a waker can
 * read them. */
static inline void
sleep_credit(struct thread *t, uint64_t now)
{
	t->slice_left = t->slice_end > now ? t->slice_end - now : 0;
	t->slept_at = now;
}

/* next becomes c's running thread at now, with its slice (what is left
 * of the last one, or a fresh one). Both switches' common part. */
static inline __attribute__((always_inline)) void
switch_in(struct cpu *c, struct thread *next, uint64_t now)
{
	next->run_start = now;
	next->slice_end = now + (next->slice_left ? next->slice_left :
						    slice_ns(next));
	next->slice_left = 0;
	c->current = next;
	c->switches++;
}

/*
 * The general switch (sched.c, switch_to_inline) for a hand-off: prev,
 * the current thread, has just gone to sleep (sleep_on) and next, a
 * sleeper just taken off its wait queue, runs in its place. What a
 * general switch tests is known here: prev is neither next nor the idle
 * thread (which never sleeps), and it goes on no run queue; both are
 * threads of processes, asleep in or making a system call. Called with
 * the sleep lock held, dropped before the switch itself (switch_leave).
 * No run queue lock: neither thread is on a queue, and c's current
 * changes as a queue's reader on another CPU (preempt_soon) takes it, a
 * hint. Returns, in prev once it runs again, with the big lock as prev
 * held it.
 */
static inline __attribute__((always_inline)) void
switch_handoff(struct cpu *c, struct thread *prev, struct thread *next,
	       struct spinlock *sl)
{
	uint64_t now = arch_now_ns();

	SPIN_ASSERT_HELD(sl);
	KASSERT(prev == c->current && prev != next && prev != c->idle &&
		prev->state == THREAD_SLEEPING);
	prev->nvcsw++;
	next->state = THREAD_RUNNING;
	next->last_cpu = c;
	prev->cpu_ns += now - prev->run_start;
	sleep_credit(prev, now);
	switch_in(c, next, now);
	bool had_bkl = bkl_mine(c);
	spin_unlock(sl);
	switch_leave(c, prev, next);
	arch_switch_procs_inline(prev, next);	/* arch_context_switch_procs */
	switch_done(had_bkl);
}

/*
 * The fast path's hand-off, in two steps around the caller's own changes,
 * between two queues under one lock (a call's, set up beside its
 * channel's receivers, and those receivers). handoff_begin takes that
 * lock and returns from's first sleeper when it may run on c and the
 * current thread may sleep on wq (no signal pending, as an interruptible
 * sleep's check, made once the thread is published as about to sleep
 * there: sleep_publish), the lock still held; else NULL, the lock
 * dropped, nothing changed. The caller then gives up (handoff_cancel:
 * nothing changed) or commits: handoff_finish takes next off from as a
 * wake would, lets `held` go, puts the current thread to sleep on wq
 * (interruptible, no deadline) and runs next here, all in that one hold
 * of the lock, so nothing can take next, or end this thread's sleep
 * unseen, in between; it returns the wake's result once this thread
 * runs again, no lock held.
 */
static inline __attribute__((always_inline)) struct thread *
handoff_begin(struct cpu *c, struct waitq *from, struct waitq *wq)
{
	struct spinlock *sl = waitq_lock(from);
	struct thread *t = c->current;

	KASSERT(waitq_lock(wq) == sl);
	spin_lock_on(sl, c);
	if (!list_empty(&from->sleepers)) {
		struct thread *next = list_first(&from->sleepers,
						 struct thread, run_link);
		if (cpu_allowed(next, c)) {
			sleep_publish(t, wq);
			if (!signal_pending(t))
				return next;
			t->waiting_on = NULL;
		}
	}
	spin_unlock(sl);
	return NULL;
}

static inline void
handoff_cancel(struct cpu *c, struct waitq *wq)
{
	c->current->waiting_on = NULL;
	spin_unlock(waitq_lock(wq));
}

static inline __attribute__((always_inline)) int
handoff_finish(struct cpu *c, struct waitq *wq, struct thread *next,
	       struct spinlock *held)
{
	struct thread *t = c->current;
	struct spinlock *sl = waitq_lock(wq);

	SPIN_ASSERT_HELD(sl);
	KASSERT(next->state == THREAD_SLEEPING && t->waiting_on == wq);
	list_remove(&next->run_link);	/* as a wake takes it */
	next->waiting_on = NULL;
	next->wake_result = 0;
	spin_unlock(held);
	sleep_on(t, wq, 0, true);
	switch_handoff(c, t, next, sl);
	return t->wake_result;
}

#endif
