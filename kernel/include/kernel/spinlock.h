/*
 * The kernel's own spinlocks, for data that code without the big lock
 * reaches (the scheduler, wait queues, timers, futex buckets, descriptor
 * tables, tmpfs files' pages). A lock
 * records its owner CPU, so "held by this CPU" can be asserted and a lock
 * taken twice by one CPU panics instead of spinning for ever.
 *
 * The rules (docs/kernel.md, "Spinlocks"):
 * - Order: the big lock, then object locks (a futex bucket), then the
 *   scheduler lock, then the timer lock. Never the big lock while holding
 *   a spinlock (bkl_lock asserts it in the assert-enabled build).
 * - A holder does not sleep, copy user memory (a fault takes the big
 *   lock), allocate, or wait for another CPU's acknowledgement (a TLB
 *   shootdown, membarrier): so a holder always lets go in bounded time.
 *   The vm lock (<kernel/vm.h>) is the exception: its holder allocates
 *   pages (the page lock is inner) and waits for TLB shootdowns, which
 *   every waiter, and every other shootdown's sender, takes as it spins.
 * - A waiter spins with interrupts off, and takes a TLB shootdown meant
 *   for it while it spins (arch_ipi_poll): a CPU that holds the big lock
 *   and waits for this one's acknowledgement is never held up by it. A
 *   wake-up IPI needs no answer; it is taken when interrupts come on.
 */
#ifndef KERNEL_SPINLOCK_H
#define KERNEL_SPINLOCK_H

#include <kernel/types.h>
#include <kernel/assert.h>
#include <kernel/cpu.h>
#include <kernel/arch.h>

/* The owner is its struct cpu, not its id: one load fewer to take it. */
struct spinlock {
	struct cpu *owner;	/* NULL when free; atomics only */
};

#define SPINLOCK_INIT { .owner = NULL }

typedef struct spinlock spinlock_t;

static inline void
spin_init(struct spinlock *l)
{
	l->owner = NULL;
}

/* Out of line: the lock was busy; spins until CPU me has it. */
void spin_wait(struct spinlock *l, struct cpu *me);

#ifdef PETREL_ASSERTS
/* How many spinlocks this CPU holds (the assert-enabled build only). */
#define SPIN_COUNT(n) (this_cpu()->spins_held += (n))
#else
#define SPIN_COUNT(n) ((void)0)
#endif

/* spin_lock for CPU me, this one (its struct at hand already). */
static inline void
spin_lock_on(struct spinlock *l, struct cpu *me)
{
	struct cpu *expected = NULL;
	if (!__builtin_expect(__atomic_compare_exchange_n(&l->owner, &expected,
							  me, false,
							  __ATOMIC_ACQUIRE,
							  __ATOMIC_RELAXED), 1))
		spin_wait(l, me);
	SPIN_COUNT(1);
}

/* Takes l if it is free: true then, as spin_lock; false at once if busy. */
static inline bool
spin_trylock(struct spinlock *l)
{
	struct cpu *expected = NULL;
	if (!__atomic_compare_exchange_n(&l->owner, &expected, this_cpu(),
					 false, __ATOMIC_ACQUIRE,
					 __ATOMIC_RELAXED))
		return false;
	SPIN_COUNT(1);
	return true;
}

/* Takes l; interrupts must be off (kernel code runs with them off). */
static inline void
spin_lock(struct spinlock *l)
{
	spin_lock_on(l, this_cpu());
}

static inline bool
spin_held(const struct spinlock *l)
{
	return __atomic_load_n(&l->owner, __ATOMIC_RELAXED) == this_cpu();
}

#define SPIN_ASSERT_HELD(l) KASSERT(spin_held(l))
#define SPIN_ASSERT_NONE_HELD() KASSERT(spin_none_held())

/* True when this CPU holds no spinlock; counted in the assert-enabled
 * build only, where a user copy or a nolock handler's return asserts it. */
static inline bool
spin_none_held(void)
{
	return !ASSERTS_ENABLED || this_cpu()->spins_held == 0;
}

static inline void
spin_unlock(struct spinlock *l)
{
	KASSERT(spin_held(l));
	SPIN_COUNT(-1);
	__atomic_store_n(&l->owner, NULL, __ATOMIC_RELEASE);
}

/*
 * For code that may run with interrupts on: turns them off, takes l, and
 * returns whether they were on, for spin_unlock_irqrestore.
 */
static inline bool
spin_lock_irqsave(struct spinlock *l)
{
	bool was_on = arch_irq_enabled();
	arch_irq_disable();
	spin_lock(l);
	return was_on;
}

static inline void
spin_unlock_irqrestore(struct spinlock *l, bool was_on)
{
	spin_unlock(l);
	if (was_on)
		arch_irq_enable();
}

#endif
