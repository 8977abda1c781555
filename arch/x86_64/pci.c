/*
 * PCI configuration space through the legacy ports 0xcf8/0xcfc (every x86
 * machine QEMU models has them; microvm has no PCI and reads all ones).
 */
#include <kernel/devices.h>
#include <arch/cpu.h>

#define PCI_ADDRESS 0xcf8
#define PCI_DATA 0xcfc

static void
select_reg(uint32_t bdf, unsigned off)
{
	outl(PCI_ADDRESS, 0x80000000u | bdf << 8 | (off & 0xfc));
}

uint32_t
arch_pci_cfg_read(uint32_t bdf, unsigned off, unsigned size)
{
	select_reg(bdf, off);
	uint16_t port = (uint16_t)(PCI_DATA + (off & 3));
	if (size == 1)
		return inb(port);
	if (size == 2)
		return inw(port);
	return inl(port);
}

void
arch_pci_cfg_write(uint32_t bdf, unsigned off, unsigned size, uint32_t val)
{
	select_reg(bdf, off);
	uint16_t port = (uint16_t)(PCI_DATA + (off & 3));
	if (size == 1)
		outb(port, (uint8_t)val);
	else if (size == 2)
		outw(port, (uint16_t)val);
	else
		outl(port, val);
}

/* The local APIC takes MSI on every x86 machine QEMU models. */
bool
arch_msi_available(void)
{
	return true;
}

/* INTx through the I/O APIC is not routed: functions interrupt by MSI-X. */
uint32_t
arch_pci_intx(uint32_t bdf, unsigned pin)
{
	(void)bdf;
	(void)pin;
	return 0;
}
