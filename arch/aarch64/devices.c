/*
 * Boot-time device setup on AArch64: the GIC, the timer, the console's
 * receive interrupt. The per-run command line of ./petrel (QEMU's fw_cfg,
 * memory-mapped on virt) is not read yet.
 */
#include <kernel/arch.h>
#include <kernel/irq.h>
#include <kernel/tty.h>
#include <arch/boot.h>
#include <arch/trap.h>

void
arch_devices_init(void)
{
	gic_init();
	arch_timer_init();
	if (fdt.uart_irq) {
		irq_register(IRQ_VECTOR_CONSOLE, tty_console_irq);
		console_enable_irq();
	}
}

size_t
arch_fw_cmdline(char *buf, size_t size)
{
	(void)buf;
	(void)size;
	return 0;
}
