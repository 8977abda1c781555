/*
 * What the ACPI tables told us (arch/x86_64/acpi.c).
 */
#ifndef ARCH_ACPI_H
#define ARCH_ACPI_H

#include <kernel/types.h>

#define ACPI_CPU_MAX 16
#define ACPI_IOAPIC_MAX 4

struct acpi_info {
	uint32_t apic_ids[ACPI_CPU_MAX];
	int cpu_count;			/* 0 if there was no MADT */
	uint64_t lapic_addr;
	uint64_t ioapic_addr;
	uint32_t ioapic_gsi_base;
	struct {
		uint64_t addr;
		uint32_t gsi_base;
		uint32_t pins;		/* read on first use; 0 until then */
	} ioapics[ACPI_IOAPIC_MAX];	/* every I/O APIC (microvm has two) */
	int ioapic_count;
	uint32_t isa_gsi[16];		/* ISA IRQ -> GSI after overrides */
	uint16_t isa_flags[16];
	paddr_t fadt;
};

extern struct acpi_info acpi;
void acpi_init(void);

#endif
