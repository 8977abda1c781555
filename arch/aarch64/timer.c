/*
 * The clock and the one-shot timer: the generic timer's virtual counter
 * (CNTVCT_EL0, at CNTFRQ_EL0 Hz) and its comparator (CNTV_CVAL_EL0),
 * whose interrupt is a PPI the device tree names. No tick: the comparator
 * is set for the next deadline alone, and masked when there is none.
 */
#include <kernel/arch.h>
#include <kernel/irq.h>
#include <kernel/printk.h>
#include <kernel/sched.h>
#include <arch/boot.h>
#include <arch/sysreg.h>
#include <arch/trap.h>

#define CTL_ENABLE (1ul << 0)
#define CTL_IMASK (1ul << 1)
#define CNTKCTL_EL0VCTEN (1ul << 1)	/* EL0 reads CNTVCT_EL0 and CNTFRQ_EL0 */
#define NS_PER_S 1000000000ul

uint64_t timer_base;
uint64_t timer_ns_mult;
static uint64_t timer_hz;
uint64_t timer_fired;	/* interrupts taken */

/* The clock starts at the first instruction C runs (early.c). */
void
timer_early_start(void)
{
	timer_base = read_sysreg(cntvct_el0);
	timer_hz = read_sysreg(cntfrq_el0);
	if (timer_hz == 0)
		timer_hz = 62500000;	/* QEMU's; firmware should have said */
	timer_ns_mult = (NS_PER_S << 32) / timer_hz;
}

/* User programs may read the virtual counter, as on Linux (its vDSO and
 * programs that time themselves do); the physical one stays the kernel's. */
static void
user_counter_access(void)
{
	write_sysreg(cntkctl_el1, CNTKCTL_EL0VCTEN);
	isb();
}

void
arch_timer_init(void)
{
	write_sysreg(cntv_ctl_el0, CTL_IMASK);
	user_counter_access();
	if (fdt.timer_ppi == 0)
		panic("no timer interrupt in the device tree");
	arch_rtc_init();
	irq_register(IRQ_VECTOR_TIMER, timer_irq);
}

/* Each other CPU's own comparator, masked, and its PPI on. */
void
timer_cpu_init(void)
{
	write_sysreg(cntv_ctl_el0, CTL_IMASK);
	user_counter_access();
	gic_enable(fdt.timer_ppi);
}

/*
 * The rate is CNTFRQ_EL0's, known from the start: nothing to measure.
 * One one-shot interrupt is waited for here (big lock held, as in kmain),
 * which shows the GIC and the timer work; then the scheduler arms it.
 */
void
arch_timer_calibrate(void)
{
	uint64_t start = arch_now_ns();
	uint64_t before = timer_fired;
	arch_timer_set(start + 50000);	/* 50 us: a boot pays for it */
	while (timer_fired == before)
		arch_idle();
	pr_info("clock: generic timer at %lu kHz; one-shot interrupt after %lu us\n",
		timer_hz / 1000, (arch_now_ns() - start) / 1000);
	sched_timer_fired();
}

/* The counter's rate in kHz (x86_64's TSC rate, for /proc/cpuinfo). */
uint64_t
arch_tsc_khz(void)
{
	return timer_hz / 1000;
}

void
arch_timer_set(uint64_t deadline_ns)
{
	if (deadline_ns == 0) {
		write_sysreg(cntv_ctl_el0, CTL_IMASK);
		return;
	}
	/* Rounded up: a comparator a fraction of a count early finds
	   nothing due and costs a re-arm. */
	uint64_t counts = (uint64_t)(((unsigned __int128)deadline_ns *
				      timer_hz + NS_PER_S - 1) / NS_PER_S);
	write_sysreg(cntv_cval_el0, timer_base + counts);
	write_sysreg(cntv_ctl_el0, CTL_ENABLE);
	isb();
}

/* The comparator fired: one shot, so mask it until the next set; timers
 * run on the way out. */
void
timer_irq(void)
{
	write_sysreg(cntv_ctl_el0, CTL_IMASK);
	timer_fired++;
	this_cpu()->timer_interrupts++;
	sched_timer_fired();
}
