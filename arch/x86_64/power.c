/*
 * Power off and reboot. QEMU's pc and q35 power off through the ACPI PM1a
 * control register at port 0x604; anywhere else we fall back to a reset,
 * which ends QEMU when it runs with -no-reboot.
 */
#include <kernel/arch.h>
#include <arch/cpu.h>

_Noreturn void
arch_reboot(void)
{
	cli();
	outb(0xcf9, 0x06);		/* PCI reset control: full reset */
	outb(0x64, 0xfe);		/* keyboard controller reset */
	/* Triple fault: load an empty IDT and trap. */
	struct {
		uint16_t limit;
		uint64_t base;
	} __attribute__((packed)) none = { 0, 0 };
	__asm__ volatile("lidt %0; int3" ::"m"(none));
	arch_halt();
}

_Noreturn void
arch_poweroff(void)
{
	cli();
	outw(0x604, 0x2000);		/* QEMU pc/q35 ACPI: SLP_EN, S5 */
	arch_reboot();
}
