/*
 * The clock reads of arch/x86_64/timer.c, inline: the scheduler reads the
 * time on every return to user mode and every context switch.
 */
#ifndef ARCH_TIMER_H
#define ARCH_TIMER_H

#include <kernel/types.h>
#include <arch/cpu.h>

/*
 * The clock: ns = (TSC - base) * ns_mult >> 32. A slot is never written
 * once published; a new rate (the refined one) publishes a fresh slot
 * whose base makes the time go on from where it was, so a reader that
 * loads the pointer once reads a consistent pair on any CPU.
 */
struct tsc_clock {
	uint64_t base;			/* modulo 2^64 */
	uint64_t ns_mult;
	uint64_t tsc_khz;
	uint64_t apic_ticks_per_ms;	/* local APIC timer, divided by 16 */
};
extern const struct tsc_clock *tsc_clock;

/* tsc.c: the rates the clock and the local APIC timer run at. */
struct clock_rates {
	uint64_t tsc_khz;
	uint64_t apic_ticks_per_ms;	/* local APIC timer, divided by 16 */
	bool refine;			/* provisional: tsc_refine_step it */
	char source[96];		/* where tsc_khz came from, for the log */
};
enum refine_result { REFINE_AGAIN, REFINE_DONE, REFINE_FAILED };
/* Starts the measuring window; first thing in the boot. */
void timer_early_start(void);
/* Finds both rates; once, on the boot CPU, after the boot's work. */
void tsc_find_rates(struct clock_rates *c);
/* Ends a refinement window; the refined rates in *c when REFINE_DONE. */
enum refine_result tsc_refine_step(struct clock_rates *c);
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
	const struct tsc_clock *c = __atomic_load_n(&tsc_clock,
						    __ATOMIC_RELAXED);
	return (uint64_t)(((unsigned __int128)cycles * c->ns_mult) >> 32);
}

/* arch_now_ns at the raw count `cycles` (an arch_cycles() value): one
 * clock read for the time and the big lock's counters. */
static inline uint64_t
arch_ns_at(uint64_t cycles)
{
	const struct tsc_clock *c = __atomic_load_n(&tsc_clock,
						    __ATOMIC_ACQUIRE);
	return (uint64_t)(((unsigned __int128)(cycles - c->base) *
			   c->ns_mult) >> 32);
}

/* Monotonic nanoseconds since boot (valid after arch_timer_calibrate). */
static inline uint64_t
arch_now_ns(void)
{
	return arch_ns_at(rdtsc());
}

#endif
