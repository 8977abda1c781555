/*
 * The clock reads of arch/aarch64/timer.c, inline: the generic timer's
 * virtual count (CNTVCT_EL0), readable at EL1 and EL0 alike.
 */
#ifndef ARCH_TIMER_H
#define ARCH_TIMER_H

#include <kernel/types.h>
#include <arch/sysreg.h>

extern uint64_t timer_base;		/* the count at the first kernel instruction */
extern uint64_t timer_ns_mult;		/* ns = counts * timer_ns_mult >> 32 */

/* The raw count (no read ahead of the code before it). */
static inline uint64_t
arch_cycles(void)
{
	isb();
	return read_sysreg(cntvct_el0);
}

static inline uint64_t
arch_cycles_to_ns(uint64_t cycles)
{
	return (uint64_t)(((unsigned __int128)cycles * timer_ns_mult) >> 32);
}

/* arch_now_ns at the raw count `cycles` (an arch_cycles() value): one
 * clock read for the time and the big lock's counters. */
static inline uint64_t
arch_ns_at(uint64_t cycles)
{
	return arch_cycles_to_ns(cycles - timer_base);
}

/* Monotonic nanoseconds since boot (valid after arch_timer_init). */
static inline uint64_t
arch_now_ns(void)
{
	isb();	/* no read of the count ahead of the code before it */
	return arch_cycles_to_ns(read_sysreg(cntvct_el0) - timer_base);
}

/* timer.c: starts the clock, first thing in the boot. */
void timer_early_start(void);
/* Each other CPU's timer, as it starts (smp.c). */
void timer_cpu_init(void);
/* The virtual timer's interrupt (a PPI the device tree names). */
void timer_irq(void);
extern uint64_t timer_fired;	/* its interrupts taken so far */

#endif
