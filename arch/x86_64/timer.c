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

static uint64_t tsc_khz;
uint64_t tsc_base;		/* arch/timer.h */
uint64_t tsc_ns_mult;
static uint64_t apic_ticks_per_ms;	/* local APIC timer, divide by 16 */
static bool tsc_deadline;
static uint64_t rtc_boot_seconds;

static uint8_t
cmos_read(uint8_t reg)
{
	outb(0x70, reg);
	return inb(0x71);
}

static uint64_t
bcd(uint8_t v, bool is_bcd)
{
	return is_bcd ? (v & 15) + (v >> 4) * 10 : v;
}

/* Days from 1970-01-01 to y-m-d (civil calendar). */
static uint64_t
days_from_civil(uint64_t y, unsigned m, unsigned d)
{
	y -= m <= 2;
	uint64_t era = y / 400;
	uint64_t yoe = y - era * 400;
	uint64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	uint64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static void
rtc_read(void)
{
	while (cmos_read(0x0a) & 0x80)
		pause();
	uint8_t b = cmos_read(0x0b);
	bool is_bcd = !(b & 4);
	uint64_t s = bcd(cmos_read(0), is_bcd), mi = bcd(cmos_read(2), is_bcd);
	uint8_t hr = cmos_read(4);
	uint64_t h = bcd(hr & 0x7f, is_bcd);
	if (!(b & 2) && (hr & 0x80))
		h = (h % 12) + 12;
	uint64_t d = bcd(cmos_read(7), is_bcd), mo = bcd(cmos_read(8), is_bcd);
	uint64_t y = bcd(cmos_read(9), is_bcd) + 2000;
	if (mo < 1 || mo > 12 || d < 1 || d > 31)
		return;
	rtc_boot_seconds = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + s;
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
	rtc_read();
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
arch_cycles(void)
{
	return rdtsc();
}

uint64_t
arch_tsc_khz(void)
{
	return tsc_khz;
}

uint64_t
arch_rtc_seconds(void)
{
	return rtc_boot_seconds;
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
