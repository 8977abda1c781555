/*
 * Arch setup that must happen before the portable boot sequence runs.
 */
#include <kernel/arch.h>

void arch_early_init(void);

void timer_early_start(void);

void
arch_early_init(void)
{
	arch_cpu_init();
	timer_early_start();
}
