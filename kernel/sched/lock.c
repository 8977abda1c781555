/*
 * The big kernel lock: a ticket-free test-and-set spinlock that remembers
 * its owner CPU, so a fault taken with the lock held does not deadlock and
 * "held by this CPU" can be asserted (BKL_ASSERT_HELD in <kernel/lock.h>).
 */
#include <kernel/lock.h>
#include <kernel/cpu.h>
#include <kernel/arch.h>

volatile int bkl_owner = -1;

bool
bkl_held(void)
{
	return bkl_owner == this_cpu()->id;
}

bool
bkl_trylock(void)
{
	int expected = -1;
	return __atomic_compare_exchange_n(&bkl_owner, &expected, this_cpu()->id,
					   false, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED);
}

void
bkl_lock(void)
{
	int me = this_cpu()->id;
	/* Taken twice, the lock would spin for ever: say where instead. */
	assert(bkl_owner != me);
	for (;;) {
		int expected = -1;
		if (__atomic_compare_exchange_n(&bkl_owner, &expected, me, false,
						__ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
			return;
		/* Let shootdown and wake-up interrupts in while we wait. */
		arch_irq_enable();
		while (__atomic_load_n(&bkl_owner, __ATOMIC_RELAXED) != -1)
			arch_spin_wait();
		arch_irq_disable();
	}
}
