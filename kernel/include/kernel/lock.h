/*
 * Spinlocks and the big kernel lock. The kernel is not preemptible and, for
 * now, one CPU at a time runs kernel code: every entry from user mode or
 * from an idle halt takes the big lock, every exit drops it. A CPU waiting
 * for the lock keeps taking interrupts, so TLB shootdowns reach it.
 *
 * The lock remembers its owner CPU, so code that relies on it can say so:
 * BKL_ASSERT_HELD() checks, in the assert-enabled build, that this CPU
 * holds it. What it guards (docs/kernel.md, "Lock rules"): the timers'
 * callbacks, the kmalloc allocator, address spaces (with each one's vm
 * lock: <kernel/vm.h>) and user copies, and every kernel object without a
 * lock of its own; the scheduler, wait queues, the timer list and the
 * page allocator have spinlocks of their own (<kernel/spinlock.h>), taken
 * after it.
 */
#ifndef KERNEL_LOCK_H
#define KERNEL_LOCK_H

#include <kernel/types.h>
#include <kernel/assert.h>
#include <arch/timer.h>

void bkl_lock(void);	/* panics if this CPU holds it already */
bool bkl_trylock(void);	/* false if another CPU holds it */
bool bkl_held(void);	/* by this CPU */
/* Lets another CPU's waiter have the lock first, if one waits; the
 * caller holds it, and nothing across this that a sleep could change
 * (a preemption point). */
void bkl_pass(void);

/* The owner's CPU id, -1 when free: written only with atomics (lock.c). */
extern volatile int bkl_owner;

/*
 * Each CPU's use of the lock, written only by that CPU (with the lock held,
 * or just before taking it); a cache line each, so no CPU's writes evict
 * another's. While the CPU holds the lock, hold_cycles is less the clock
 * count at which it took it (subtracted then, the count at unlock added
 * then: one memory operand each way). Read through bkl_stat_read.
 */
struct bkl_cpu_stat {
	uint64_t acquired, contended;
	uint64_t wait_cycles, hold_cycles;	/* in arch_cycles() counts */
} __attribute__((aligned(64)));
extern struct bkl_cpu_stat bkl_stats[];	/* CPU_MAX of them */

/* Counts an acquisition by CPU me at clock count now. */
static inline void
bkl_taken(int me, uint64_t now)
{
	bkl_stats[me].hold_cycles -= now;
	bkl_stats[me].acquired++;
}

/* bkl_trylock for CPU me (this one), inline: the system-call fast path
 * takes the free lock without a call. */
static inline bool
bkl_trylock_cpu(int me)
{
	int expected = -1;
	if (!__atomic_compare_exchange_n(&bkl_owner, &expected, me, false,
					 __ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
		return false;
	bkl_taken(me, arch_cycles());
	return true;
}

/* Drops the lock; the caller must hold it (dropping another CPU's would
 * let two CPUs into the kernel), and counts its hold up to the clock
 * count `cycles`, an arch_cycles() value the caller read just before
 * (the system-call exit shares the scheduler's read). Inline: every exit
 * to user mode. */
static inline void
bkl_unlock_at(uint64_t cycles)
{
	KASSERT(bkl_held());
	bkl_stats[bkl_owner].hold_cycles += cycles;	/* ours */
	__atomic_store_n(&bkl_owner, -1, __ATOMIC_RELEASE);
}

/* bkl_unlock_at, the hold counted up to now. */
static inline void
bkl_unlock(void)
{
	bkl_unlock_at(arch_cycles());
}

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
