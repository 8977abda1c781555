/*
 * Time: the TSC is the clock; the local APIC timer (TSC-deadline mode where
 * the CPU has it) gives one-shot interrupts, so an idle CPU takes none.
 * The rates of both come from tsc.c.
 */
#include <kernel/arch.h>
#include <kernel/boot.h>
#include <kernel/irq.h>
#include <kernel/printk.h>
#include <kernel/sched.h>
#include <arch/apic.h>
#include <arch/cpu.h>
#include <arch/timer.h>

static uint64_t tsc_khz;
uint64_t tsc_base;		/* arch/timer.h */
uint64_t tsc_ns_mult;
static uint64_t apic_ticks_per_ms;	/* local APIC timer, divide by 16 */
static bool tsc_deadline;

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
	tsc_base = boot_info.tsc_at_entry;
	cpuid(1, 0, r);
	tsc_deadline = r[2] & (1u << 24);
	arch_rtc_init();
	irq_register(IRQ_VECTOR_TIMER, timer_irq);
	timer_cpu_init();
}

void
arch_timer_calibrate(void)
{
	struct clock_rates rates;

	tsc_find_rates(&rates);
	tsc_khz = rates.tsc_khz;
	apic_ticks_per_ms = rates.apic_ticks_per_ms;
	tsc_ns_mult = (1000000ull << 32) / tsc_khz;
	/*
	 * The measurement masked the timer to count with it: set the
	 * timer's mode again, and have the scheduler arm it anew with the
	 * real rates.
	 */
	timer_cpu_init();
	sched_timer_fired();
	pr_info("clock: TSC at %lu kHz (%s), %s timer\n", tsc_khz,
		rates.source,
		tsc_deadline ? "TSC-deadline" : "local APIC one-shot");
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
	return tsc_khz;
}

void
arch_timer_set(uint64_t deadline_ns)
{
	if (deadline_ns == 0) {
		if (tsc_deadline)
			wrmsr(MSR_TSC_DEADLINE, 0);
		else
			lapic_write(LAPIC_TIMER_INIT, 0);
		return;
	}
	if (tsc_deadline) {
		uint64_t cycles = (uint64_t)((unsigned __int128)deadline_ns * tsc_khz / 1000000);
		wrmsr(MSR_TSC_DEADLINE, tsc_base + cycles);
		return;
	}
	uint64_t now = arch_now_ns();
	uint64_t delta = deadline_ns > now ? deadline_ns - now : 1000;
	uint64_t ticks = delta / 1000 * apic_ticks_per_ms / 1000;
	if (ticks == 0)
		ticks = 1;
	if (ticks > 0xffffffff)
		ticks = 0xffffffff;
	lapic_write(LAPIC_TIMER_INIT, (uint32_t)ticks);	/* one-shot mode set at init */
}
