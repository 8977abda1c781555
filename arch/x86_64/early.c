/*
 * Arch setup that must happen before the portable boot sequence runs.
 */
#include <kernel/arch.h>
#include <arch/entry.h>
#include <arch/timer.h>

void
early_init(void)
{
	arch_cpu_init();
	timer_early_start();
}
