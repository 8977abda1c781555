/*
 * Spinlocks and the big kernel lock. The kernel is not preemptible and, for
 * now, one CPU at a time runs kernel code: every entry from user mode or
 * from an idle halt takes the big lock, every exit drops it. A CPU waiting
 * for the lock keeps taking interrupts, so TLB shootdowns reach it.
 *
 * The lock remembers its owner CPU, so code that relies on it can say so:
 * BKL_ASSERT_HELD() checks, in the assert-enabled build, that this CPU
 * holds it. What it guards (docs/kernel.md, "Lock rules"): the run queues
 * and wait queues, timers, the page and kmalloc allocators, address spaces
 * and user copies, and every kernel object without a lock of its own.
 */
#ifndef KERNEL_LOCK_H
#define KERNEL_LOCK_H

#include <kernel/types.h>
#include <kernel/assert.h>

void bkl_lock(void);	/* panics if this CPU holds it already */
bool bkl_trylock(void);	/* false if another CPU holds it */
bool bkl_held(void);	/* by this CPU */

/* The owner's CPU id, -1 when free: written only with atomics (lock.c). */
extern volatile int bkl_owner;

/* bkl_trylock for CPU me (this one), inline: the system-call fast path
 * takes the free lock without a call. */
static inline bool
bkl_trylock_cpu(int me)
{
	int expected = -1;
	return __atomic_compare_exchange_n(&bkl_owner, &expected, me, false,
					   __ATOMIC_ACQUIRE, __ATOMIC_RELAXED);
}

/* Drops the lock; the caller must hold it (dropping another CPU's would
 * let two CPUs into the kernel). Inline: every exit to user mode. */
static inline void
bkl_unlock(void)
{
	KASSERT(bkl_held());
	__atomic_store_n(&bkl_owner, -1, __ATOMIC_RELEASE);
}

#define BKL_ASSERT_HELD() KASSERT(bkl_held())

#endif
