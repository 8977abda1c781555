/*
 * The big kernel lock, and the slow path of the other spinlocks
 * (<kernel/spinlock.h>). The big lock: a ticket-free test-and-set
 * spinlock that remembers its owner CPU, so a fault taken with the lock
 * held does not deadlock and "held by this CPU" can be asserted
 * (BKL_ASSERT_HELD in <kernel/lock.h>); a long locked call lets another
 * CPU's waiter have it at its preemption points (bkl_pass).
 * Each CPU counts its acquisitions and the time it waited for and held
 * the lock (/proc/petrel/bkl): a clock read at each lock and unlock, and
 * two more only when the lock was busy.
 */
#include <kernel/lock.h>
#include <kernel/spinlock.h>
#include <kernel/cpu.h>
#include <kernel/arch.h>
#include <kernel/sched_handoff.h>
#include "sched_internal.h"

volatile int bkl_owner = -1;
/* CPUs spinning for the lock now (bkl_wait), a nested wait counted too:
 * what bkl_pass looks at. */
static int bkl_waiting;

struct bkl_cpu_stat bkl_stats[CPU_MAX];

bool
bkl_held(void)
{
	return bkl_owner == this_cpu()->id;
}

bool
bkl_trylock(void)
{
	return bkl_trylock_cpu(this_cpu()->id);
}

/* The lock was busy: spins until CPU me has it and counts the time
 * waited. Out of line, so that bkl_lock's common path saves no
 * registers. */
static __attribute__((noinline)) void
bkl_wait(int me)
{
	struct bkl_cpu_stat *s = &bkl_stats[me];
	uint64_t start = arch_cycles(), now;
	uint64_t waited = s->wait_cycles, held = s->hold_cycles;
	__atomic_fetch_add(&bkl_waiting, 1, __ATOMIC_RELAXED);
	for (;;) {
		int expected = -1;
		/* Let shootdown and wake-up interrupts in while we wait. */
		arch_irq_enable();
		while (__atomic_load_n(&bkl_owner, __ATOMIC_RELAXED) != -1)
			arch_spin_wait();
		arch_irq_disable();
		if (__atomic_compare_exchange_n(&bkl_owner, &expected, me, false,
						__ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
			break;
	}
	__atomic_fetch_sub(&bkl_waiting, 1, __ATOMIC_RELAXED);
	now = arch_cycles();
	/*
	 * An interrupt taken while spinning may have waited for the lock and
	 * held it itself: the span counts once, as waiting less what this CPU
	 * held meanwhile, so that waiting and holding never overlap.
	 */
	s->contended++;
	s->wait_cycles = waited + (now - start) - (s->hold_cycles - held);
	bkl_taken(me, now);
}

void
bkl_lock(void)
{
	int expected = -1, me = this_cpu()->id;
	/* Taken twice, the lock would spin for ever: say where instead. */
	assert(bkl_owner != me);
	SPIN_ASSERT_NONE_HELD();	/* the lock order: the big lock first */
	if (__builtin_expect(__atomic_compare_exchange_n(&bkl_owner, &expected,
							 me, false,
							 __ATOMIC_ACQUIRE,
							 __ATOMIC_RELAXED), 1))
		bkl_taken(me, arch_cycles());
	else
		bkl_wait(me);
}

/*
 * At a preemption point of a long locked call: if another CPU waits for
 * the lock, drops it, lets a waiter take it and takes it again after
 * that one's hold. The lock is a test-and-set one: dropped and taken
 * again at once, the waiter (a vCPU the host may not be running) would
 * rarely see it free, so this waits until another CPU has it.
 */
void
bkl_pass(void)
{
	BKL_ASSERT_HELD();
	if (!__atomic_load_n(&bkl_waiting, __ATOMIC_RELAXED))
		return;
	bkl_unlock();
	while (__atomic_load_n(&bkl_owner, __ATOMIC_RELAXED) == -1 &&
	       __atomic_load_n(&bkl_waiting, __ATOMIC_RELAXED)) {
		arch_ipi_poll();	/* a shootdown, as a spinlock's waiter */
		arch_spin_wait();
	}
	bkl_lock();
}

void
bkl_stat_read(int cpu, struct bkl_stat *out)
{
	const struct bkl_cpu_stat *s = &bkl_stats[cpu];
	uint64_t hold = s->hold_cycles;
	if (bkl_owner == cpu)	/* taken and not dropped yet: up to now */
		hold += arch_cycles();
	out->acquired = s->acquired;
	out->contended = s->contended;
	out->wait_ns = arch_cycles_to_ns(s->wait_cycles);
	out->hold_ns = arch_cycles_to_ns(hold);
}

/*
 * A spinlock was busy: spins with interrupts off until CPU me has it,
 * taking any TLB shootdown meant for this CPU meanwhile (the holder of
 * the big lock may wait for it; <kernel/spinlock.h> has the rules).
 */
void
spin_wait(struct spinlock *l, struct cpu *me)
{
	/* Taken twice, the lock would spin for ever: say where instead. */
	assert(__atomic_load_n(&l->owner, __ATOMIC_RELAXED) != me);
	if ((uintptr_t)l - (uintptr_t)waitq_locks < sizeof(waitq_locks))
		me->sched_stat.lock_waits++;
	else if ((uintptr_t)l - (uintptr_t)runq_locks < sizeof(runq_locks))
		me->sched_stat.runq_waits++;
	me->spins_contended++;
	for (;;) {
		struct cpu *expected = NULL;
		while (__atomic_load_n(&l->owner, __ATOMIC_RELAXED)) {
			arch_ipi_poll();
			arch_spin_wait();
		}
		if (__atomic_compare_exchange_n(&l->owner, &expected, me, false,
						__ATOMIC_ACQUIRE,
						__ATOMIC_RELAXED))
			return;
	}
}
