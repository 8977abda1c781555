/*
 * PCI configuration space: not reached yet on AArch64 (PCIe's ECAM window
 * comes from the device tree, docs/aarch64.md), so every function reads
 * as absent (all ones), as an empty bus does, and writes go nowhere.
 * The ACPI DSDT does not exist on a device-tree machine.
 */
#include <kernel/arch.h>

uint32_t
arch_pci_cfg_read(uint32_t bdf, unsigned off, unsigned size)
{
	(void)bdf;
	(void)off;
	return size >= 4 ? 0xffffffffu : (1u << (size * 8)) - 1;
}

void
arch_pci_cfg_write(uint32_t bdf, unsigned off, unsigned size, uint32_t val)
{
	(void)bdf;
	(void)off;
	(void)size;
	(void)val;
}

bool
arch_acpi_dsdt(const uint8_t **table, size_t *len)
{
	*table = NULL;
	*len = 0;
	return false;
}
