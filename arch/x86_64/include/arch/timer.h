/*
 * The clock reads of arch/x86_64/timer.c, inline: the scheduler reads the
 * time on every return to user mode and every context switch.
 */
#ifndef ARCH_TIMER_H
#define ARCH_TIMER_H

#include <kernel/types.h>
#include <arch/cpu.h>

extern uint64_t tsc_base;		/* TSC at the first kernel instruction */
extern uint64_t tsc_ns_mult;		/* ns = cycles * tsc_ns_mult >> 32 */

/* tsc.c: the rates the clock and the local APIC timer run at. */
struct clock_rates {
	uint64_t tsc_khz;
	uint64_t apic_ticks_per_ms;	/* local APIC timer, divided by 16 */
	char source[48];		/* where tsc_khz came from, for the log */
};
/* Starts the measuring window; first thing in the boot. */
void timer_early_start(void);
/* Finds both rates; once, on the boot CPU, after the boot's work. */
void tsc_find_rates(struct clock_rates *c);
/* timer.c: this CPU's local APIC timer, on each CPU as it starts. */
void timer_cpu_init(void);

/* The raw count: one instruction, cheap enough for the big lock's
 * counters on every kernel entry. */
static inline uint64_t
arch_cycles(void)
{
	return rdtsc();
}

static inline uint64_t
arch_cycles_to_ns(uint64_t cycles)
{
	return (uint64_t)(((unsigned __int128)cycles * tsc_ns_mult) >> 32);
}

/* Monotonic nanoseconds since boot (valid after arch_timer_calibrate). */
static inline uint64_t
arch_now_ns(void)
{
	return arch_cycles_to_ns(rdtsc() - tsc_base);
}

#endif
