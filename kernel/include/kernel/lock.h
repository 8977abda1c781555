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
void bkl_unlock(void);	/* the caller must hold it */
bool bkl_held(void);	/* by this CPU */

#define BKL_ASSERT_HELD() KASSERT(bkl_held())
/* For code that runs without it (the nolock system calls). */
#define BKL_ASSERT_NOT_HELD() KASSERT(!bkl_held())

/* One CPU's use of the big lock since boot (/proc/petrel/bkl). */
struct bkl_stat {
	uint64_t acquired;	/* times this CPU took it */
	uint64_t contended;	/* of those, times it was busy at first */
	uint64_t wait_ns;	/* spent spinning for it */
	uint64_t hold_ns;	/* spent holding it */
};

/* A copy of CPU cpu's counters, hold_ns counted up to now if it holds
 * the lock. Without the big lock, another CPU's hold_ns may be off by
 * its current hold (its words are read one by one). */
void bkl_stat_read(int cpu, struct bkl_stat *out);

#endif
