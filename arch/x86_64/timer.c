/*
 * Time: the TSC is the clock; the local APIC timer (TSC-deadline mode where
 * the CPU has it) gives one-shot interrupts, so an idle CPU takes none.
 * The TSC rate comes from CPUID when the hypervisor tells it, else from a
 * short measurement against the PIT.
 */
#include <kernel/arch.h>
#include <kernel/boot.h>
#include <kernel/irq.h>
#include <kernel/printk.h>
#include <kernel/sched.h>
#include <arch/apic.h>
#include <arch/cpu.h>

static uint64_t tsc_khz;
uint64_t tsc_base;		/* arch/timer.h */
uint64_t tsc_ns_mult;
static uint64_t apic_ticks_per_ms;	/* local APIC timer, divide by 16 */
static bool tsc_deadline;

/* PIT channel 0 counts down at 1.193182 MHz; count its ticks for `ticks`. */
static bool
pit_measure(uint32_t ticks, uint64_t *tsc_delta, uint32_t *apic_delta)
{
	outb(0x43, 0x34);		/* channel 0, lo/hi, mode 2 */
	outb(0x40, 0xff);
	outb(0x40, 0xff);
	lapic_write(LAPIC_TIMER_DIV, 3);	/* divide by 16 */
	lapic_write(LAPIC_TIMER, 1 << 16);	/* masked */
	lapic_write(LAPIC_TIMER_INIT, 0xffffffff);

	uint32_t elapsed = 0, spins = 0;
	uint16_t last;
	outb(0x43, 0x00);
	last = inb(0x40) | (inb(0x40) << 8);
	uint64_t t0 = rdtsc();
	uint32_t a0 = lapic_read(LAPIC_TIMER_CUR);
	while (elapsed < ticks) {
		outb(0x43, 0x00);
		uint16_t now = inb(0x40) | (inb(0x40) << 8);
		elapsed += (uint16_t)(last - now);
		last = now;
		if (++spins > 10000000)
			return false;	/* no PIT */
	}
	*tsc_delta = rdtsc() - t0;
	*apic_delta = a0 - lapic_read(LAPIC_TIMER_CUR);
	return true;
}

/*
 * Calibration overlapped with boot: the PIT (channel 0, mode 0) and the
 * local APIC timer start counting down here, at the start of the boot, and
 * arch_timer_init reads them after the memory setup instead of busy-waiting.
 */
static uint64_t early_tsc;
static bool early_started;
#define PIT_HZ 1193182

void
timer_early_start(void)
{
	lapic_init();
	lapic_write(LAPIC_TIMER_DIV, 3);
	lapic_write(LAPIC_TIMER, 1 << 16);	/* masked: just counting */
	outb(0x43, 0x30);			/* channel 0, lo/hi, mode 0 */
	outb(0x40, 0xff);
	outb(0x40, 0xff);
	lapic_write(LAPIC_TIMER_INIT, 0xffffffff);
	early_tsc = rdtsc();
	early_started = true;
}

/* PIT ticks since timer_early_start, or -1 if it expired or is absent. */
static int32_t
pit_elapsed(void)
{
	outb(0x43, 0xe2);		/* read-back: status of channel 0 */
	uint8_t status = inb(0x40);
	if ((status & 0x80) || (status & 0x3f) != 0x30)
		return -1;		/* OUT high (expired), or no PIT there */
	outb(0x43, 0x00);		/* latch the count */
	uint16_t count = inb(0x40) | (inb(0x40) << 8);
	return 0xffff - count;
}

static bool
early_calibrate(void)
{
	if (!early_started)
		return false;
	int32_t ticks = pit_elapsed();
	/* At least 1 ms of PIT ticks for 0.1% accuracy. */
	while (ticks >= 0 && ticks < PIT_HZ / 1000)
		ticks = pit_elapsed();
	if (ticks <= 0)
		return false;
	uint64_t dt = rdtsc() - early_tsc;
	uint32_t da = 0xffffffff - lapic_read(LAPIC_TIMER_CUR);
	tsc_khz = dt * PIT_HZ / (uint64_t)ticks / 1000;
	apic_ticks_per_ms = (uint64_t)da * PIT_HZ / (uint64_t)ticks / 1000;
	return tsc_khz && apic_ticks_per_ms;
}

static void
timer_irq(void)
{
	/* One-shot: nothing is armed now. Timers run on the way out. */
	sched_timer_fired();
}

void timer_cpu_init(void);

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
	uint32_t r[4];
	cpuid(0x40000000, 0, r);
	if (r[0] >= 0x40000010) {
		cpuid(0x40000010, 0, r);
		tsc_khz = r[0];
		apic_ticks_per_ms = r[1] / 16;
	}
	if ((!tsc_khz || !apic_ticks_per_ms) && !early_calibrate()) {
		uint64_t dt;
		uint32_t da;
		/* 2 ms of PIT ticks: 2386 at 1.193182 MHz. */
		if (pit_measure(2386, &dt, &da)) {
			tsc_khz = dt / 2;
			apic_ticks_per_ms = da / 2;
		} else {
			tsc_khz = 1000000;	/* a guess: QEMU's usual rates */
			apic_ticks_per_ms = 1000000 / 16;
		}
	}
	tsc_ns_mult = (1000000ull << 32) / tsc_khz;
	/*
	 * The PIT fallback (an early calibration that ran out, on a slow
	 * boot) masked the timer to count with it: set the timer's mode
	 * again, and have the scheduler arm it anew with the real rates.
	 */
	timer_cpu_init();
	sched_timer_fired();
	pr_info("clock: TSC at %lu kHz, %s timer\n", tsc_khz,
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
arch_cycles(void)
{
	return rdtsc();
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
