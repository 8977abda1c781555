/*
 * Spinlocks for the objects that code without the big lock shares with
 * code holding it (docs/kernel.md, "Lock rules and asserts"): a
 * test-and-test-and-set word. Kernel code runs with interrupts off
 * (the big lock's holder, a nolock system call), so no interrupt handler
 * can come in on a holder.
 *
 * The holder's rules: it keeps the lock for a few hundred instructions;
 * it takes no other lock (the big lock included) and waits for nothing
 * another CPU must do (a TLB shootdown, an IPI's answer), as that CPU
 * may be spinning here with interrupts off; it neither sleeps nor
 * touches user memory (a fault would take the big lock). The
 * assert-enabled build counts the spinlocks each CPU holds, so that a
 * user copy with one held panics (uaccess_lock_ok).
 */
#ifndef KERNEL_SPINLOCK_H
#define KERNEL_SPINLOCK_H

#include <kernel/types.h>
#include <kernel/assert.h>
#include <kernel/cpu.h>
#include <kernel/arch.h>

typedef struct {
	int locked;	/* 0 free, 1 held: atomics only */
} spinlock_t;

#define SPINLOCK_INIT { 0 }

static inline void
spin_init(spinlock_t *l)
{
	l->locked = 0;
}

static inline void
spin_lock(spinlock_t *l)
{
	while (__atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE))
		while (__atomic_load_n(&l->locked, __ATOMIC_RELAXED))
			arch_spin_wait();
	if (ASSERTS_ENABLED)
		this_cpu()->spins_held++;
}

static inline void
spin_unlock(spinlock_t *l)
{
	KASSERT(l->locked);
	if (ASSERTS_ENABLED)
		this_cpu()->spins_held--;
	__atomic_store_n(&l->locked, 0, __ATOMIC_RELEASE);
}

/* True when this CPU holds no spinlock (asserted before a user copy). */
static inline bool
spin_none_held(void)
{
	return this_cpu()->spins_held == 0;
}

#endif
