/*
 * The clock and the one-shot timer: the generic timer's virtual counter
 * (CNTVCT_EL0, at CNTFRQ_EL0 Hz) and its comparator (CNTV_CVAL_EL0),
 * whose interrupt is a PPI the device tree names. No tick: the comparator
 * is set for the next deadline alone, and masked when there is none.
 */
#include <kernel/arch.h>
#include <kernel/printk.h>
#include <arch/boot.h>
#include <arch/sysreg.h>
#include <arch/trap.h>

#define CTL_ENABLE (1ul << 0)
#define CTL_IMASK (1ul << 1)
#define NS_PER_S 1000000000ul

uint64_t timer_base;
uint64_t timer_ns_mult;
static uint64_t timer_hz;
uint64_t timer_fired;	/* interrupts taken, for the boot's check */

/* The count at the first kernel instruction would be better; this is
 * the first one C reads. */
void
arch_timer_init(void)
{
	timer_base = read_sysreg(cntvct_el0);
	timer_hz = read_sysreg(cntfrq_el0);
	if (timer_hz == 0)
		panic("the generic timer has no frequency (CNTFRQ_EL0)");
	timer_ns_mult = (NS_PER_S << 32) / timer_hz;
	write_sysreg(cntv_ctl_el0, CTL_IMASK);
	if (fdt.timer_ppi == 0)
		panic("no timer interrupt in the device tree");
	gic_enable(fdt.timer_ppi);
}

uint64_t
arch_cycles(void)
{
	isb();
	return read_sysreg(cntvct_el0);
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
	uint64_t counts = (uint64_t)((unsigned __int128)deadline_ns * timer_hz /
				     NS_PER_S);
	write_sysreg(cntv_cval_el0, timer_base + counts);
	write_sysreg(cntv_ctl_el0, CTL_ENABLE);
	isb();
}

/* The comparator fired: one shot, so mask it until the next set. */
void
timer_irq(void)
{
	write_sysreg(cntv_ctl_el0, CTL_IMASK);
	timer_fired++;
}
