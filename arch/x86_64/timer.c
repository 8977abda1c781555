/*
 * Time: the TSC is the clock; the local APIC timer (TSC-deadline mode where
 * the CPU has it) gives one-shot interrupts, so an idle CPU takes none.
 * The rates of both come from tsc.c; the clock is rebased, never stepped,
 * when the refined rate comes (clock_publish).
 */
#include <kernel/arch.h>
#include <kernel/boot.h>
#include <kernel/irq.h>
#include <kernel/printk.h>
#include <kernel/sched.h>
#include <kernel/timer.h>
#include <kernel/vdso.h>
#include <arch/apic.h>
#include <arch/cpu.h>
#include <arch/timer.h>

/* The first refinement window: long enough for a bound of a few ppm
   under TCG on a quiet host. Each next one is twice as long, up to 16
   times: PIT reads on a loaded host can take tens of us. */
#define REFINE_WINDOW_NS 25000000ull
#define REFINE_WINDOW_GROWTH_MAX 4
#define CLOCK_SLOTS 4		/* before calibration, provisional, refined */

static struct tsc_clock clock_slots[CLOCK_SLOTS];
static int clock_slots_used = 1;	/* slot 0: no rate yet, time 0 */
const struct tsc_clock *tsc_clock = &clock_slots[0];	/* arch/timer.h */
static bool tsc_deadline;
static struct ktimer refine_timer;
static int refine_windows;

static void
timer_irq(void)
{
	/* One-shot: nothing is armed now. Timers run on the way out. */
	this_cpu()->timer_interrupts++;
	sched_timer_fired();
}

/*
 * Sets the local APIC timer and reads the RTC. The TSC's rate is found
 * later, by arch_timer_calibrate, so the boot work in between serves as
 * the calibration window instead of a busy-wait.
 */
void
arch_timer_init(void)
{
	uint32_t r[4];
	clock_slots[0].base = boot_info.tsc_at_entry;
	cpuid(1, 0, r);
	tsc_deadline = r[2] & (1u << 24);
	arch_rtc_init();
	irq_register(IRQ_VECTOR_TIMER, timer_irq);
	timer_cpu_init();
}

/*
 * Publishes the rates in r as the clock's from now on. The new slot's
 * base is where, at the new rate, the TSC reaches the time the clock says
 * now, rounded up: the time neither goes back nor jumps (the first
 * rate starts it at the first kernel instruction). Returns false if no
 * slot is left. Called under the big lock, on any CPU.
 */
static bool
clock_publish(const struct clock_rates *r, bool first)
{
	if (clock_slots_used == CLOCK_SLOTS)
		return false;
	struct tsc_clock *n = &clock_slots[clock_slots_used++];
	n->tsc_khz = r->tsc_khz;
	n->apic_ticks_per_ms = r->apic_ticks_per_ms;
	n->ns_mult = (1000000ull << 32) / r->tsc_khz;
	n->base = boot_info.tsc_at_entry;
	if (!first) {
		uint64_t now = rdtsc();
		uint64_t ns = (uint64_t)(((unsigned __int128)(now -
				tsc_clock->base) * tsc_clock->ns_mult) >> 32);
		uint64_t cycles = (uint64_t)((((unsigned __int128)ns << 32) +
					      n->ns_mult - 1) / n->ns_mult);
		n->base = now - cycles;
		KASSERT((uint64_t)(((unsigned __int128)cycles * n->ns_mult) >>
				   32) - ns <= 1 + (n->ns_mult >> 32));
	}
	__atomic_store_n(&tsc_clock, n, __ATOMIC_RELEASE);
	vdso_clock_changed();	/* the [vvar] page follows */
	return true;
}

/*
 * Ends a refinement window (tsc.c); at the last one, rebases the clock on
 * the refined rate. This CPU's timer is re-armed at the new rate; another
 * CPU's armed one is off by the rates' difference at most (a few hundred
 * ppm of its wait), and fires early rather than late with the APIC rate
 * taken low.
 */
static void
refine_fired(struct ktimer *k)
{
	struct clock_rates rates;

	switch (tsc_refine_step(&rates)) {
	case REFINE_AGAIN:
		refine_windows = MIN(refine_windows + 1,
				     REFINE_WINDOW_GROWTH_MAX);
		ktimer_add(k, arch_now_ns() + (REFINE_WINDOW_NS <<
					       refine_windows), refine_fired);
		return;
	case REFINE_DONE:
		if (!clock_publish(&rates, false))
			return;
		sched_timer_fired();
		pr_info("clock: TSC at %lu kHz (%s)\n", rates.tsc_khz,
			rates.source);
		return;
	case REFINE_FAILED:
		pr_info("clock: TSC at %lu kHz stays provisional: no two of "
			"the PIT's windows agreed\n", tsc_clock->tsc_khz);
		return;
	}
}

void
arch_timer_calibrate(void)
{
	struct clock_rates rates;

	tsc_find_rates(&rates);
	clock_publish(&rates, true);
	/*
	 * The measurement masked the timer to count with it: set the
	 * timer's mode again, and have the scheduler arm it anew with the
	 * real rates.
	 */
	timer_cpu_init();
	sched_timer_fired();
	if (rates.refine)
		ktimer_add(&refine_timer, arch_now_ns() + REFINE_WINDOW_NS,
			   refine_fired);
	pr_info("clock: TSC at %lu kHz (%s), %s timer%s\n", rates.tsc_khz,
		rates.source,
		tsc_deadline ? "TSC-deadline" : "local APIC one-shot",
		rates.refine ? "; refined in the background" : "");
}

/* Programs this CPU's local APIC timer after a secondary CPU comes up. */
void
timer_cpu_init(void)
{
	lapic_write(LAPIC_TIMER_DIV, 3);
	/* TSC-deadline mode stays on; arming and cancelling go through the MSR. */
	if (tsc_deadline)
		lapic_write(LAPIC_TIMER, (2 << 17) | IRQ_VECTOR_TIMER);
	else	/* one-shot, stopped until an initial count is written */
		lapic_write(LAPIC_TIMER, IRQ_VECTOR_TIMER);
}

uint64_t
arch_tsc_khz(void)
{
	return tsc_clock->tsc_khz;
}

void
arch_timer_set(uint64_t deadline_ns)
{
	const struct tsc_clock *c = __atomic_load_n(&tsc_clock,
						    __ATOMIC_ACQUIRE);
	if (deadline_ns == 0) {
		if (tsc_deadline)
			wrmsr(MSR_TSC_DEADLINE, 0);
		else
			lapic_write(LAPIC_TIMER_INIT, 0);
		return;
	}
	/* Rounded up: an interrupt a fraction of a tick early finds nothing
	   due and costs a re-arm (sched_tick_idle spins that out). */
	if (tsc_deadline) {
		uint64_t cycles = (uint64_t)(((unsigned __int128)deadline_ns *
					      c->tsc_khz + 999999) / 1000000);
		wrmsr(MSR_TSC_DEADLINE, c->base + cycles);
		return;
	}
	uint64_t now = arch_now_ns();
	uint64_t delta = deadline_ns > now ? deadline_ns - now : 1000;
	/* Past 100 s the count saturates anyway; the product fits. */
	uint64_t ticks = (MIN(delta, 100000000000ull) * c->apic_ticks_per_ms +
			  999999) / 1000000;
	if (ticks == 0)
		ticks = 1;
	if (ticks > 0xffffffff)
		ticks = 0xffffffff;
	lapic_write(LAPIC_TIMER_INIT, (uint32_t)ticks);	/* one-shot mode set at init */
}
