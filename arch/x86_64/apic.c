/*
 * The local APIC (xAPIC MMIO or x2APIC MSRs) and the I/O APIC: end of
 * interrupt, inter-processor interrupts, and routing of ISA interrupts.
 */
#include <kernel/irq.h>
#include <kernel/devices.h>
#include <kernel/cpu.h>
#include <kernel/printk.h>
#include <arch/acpi.h>
#include <arch/apic.h>
#include <arch/cpu.h>
#include <arch/mmu.h>

static bool x2apic;
static volatile uint32_t *lapic;

uint32_t
lapic_read(uint32_t reg)
{
	if (x2apic)
		return (uint32_t)rdmsr(0x800 + (reg >> 4));
	return lapic[reg / 4];
}

void
lapic_write(uint32_t reg, uint32_t v)
{
	if (x2apic)
		wrmsr(0x800 + (reg >> 4), v);
	else
		lapic[reg / 4] = v;
}

uint32_t
lapic_id(void)
{
	uint32_t id = lapic_read(LAPIC_ID);
	return x2apic ? id : id >> 24;
}

/* Enables this CPU's local APIC; x2APIC mode when the CPU has it. */
void
lapic_init(void)
{
	uint32_t r[4];
	cpuid(1, 0, r);
	uint64_t base = rdmsr(MSR_APIC_BASE);
	if (r[2] & (1u << 21)) {
		x2apic = true;
		wrmsr(MSR_APIC_BASE, base | (1 << 11) | (1 << 10));
	} else {
		wrmsr(MSR_APIC_BASE, base | (1 << 11));
		lapic = phys_to_virt(acpi.lapic_addr ? acpi.lapic_addr : 0xfee00000);
	}
	lapic_write(LAPIC_TPR, 0);
	lapic_write(LAPIC_SVR, 0x100 | IRQ_VECTOR_SPURIOUS);
}

void
irq_eoi(void)
{
	lapic_write(LAPIC_EOI, 0);
}

void
lapic_send_ipi(uint32_t apic_id, uint32_t icr)
{
	if (x2apic) {
		wrmsr(0x830, ((uint64_t)apic_id << 32) | icr);
		return;
	}
	lapic_write(LAPIC_ICR_HI, apic_id << 24);
	lapic_write(LAPIC_ICR_LO, icr);
	while (lapic_read(LAPIC_ICR_LO) & (1 << 12))
		pause();
}

static void
ioapic_write(uint32_t reg, uint32_t v)
{
	volatile uint32_t *io = phys_to_virt(acpi.ioapic_addr ? acpi.ioapic_addr : 0xfec00000);
	io[0] = reg;
	io[4] = v;
}

void
irq_route_isa(int irq, int vector)
{
	uint32_t gsi = acpi.isa_gsi[irq] - acpi.ioapic_gsi_base;
	uint16_t flags = acpi.isa_flags[irq];
	uint32_t lo = vector;
	if ((flags & 3) == 3)
		lo |= 1 << 13;		/* active low */
	if (((flags >> 2) & 3) == 3)
		lo |= 1 << 15;		/* level triggered */
	ioapic_write(0x10 + 2 * gsi + 1, lapic_id() << 24);
	ioapic_write(0x10 + 2 * gsi, lo);
}

/* Redirection entries' low words as written, by GSI, for masking. */
static uint32_t gsi_low[256];

/* The I/O APIC serving gsi and its pin there; NULL if none does. */
static volatile uint32_t *
ioapic_for(uint32_t gsi, uint32_t *pin)
{
	for (int i = 0; i < acpi.ioapic_count; i++) {
		volatile uint32_t *io = phys_to_virt(acpi.ioapics[i].addr);
		uint32_t base = acpi.ioapics[i].gsi_base;
		if (!acpi.ioapics[i].pins) {
			io[0] = 1;	/* version register: bits 16-23 the last pin */
			acpi.ioapics[i].pins = ((io[4] >> 16) & 0xff) + 1;
		}
		if (gsi >= base && gsi < base + acpi.ioapics[i].pins) {
			*pin = gsi - base;
			return io;
		}
	}
	return NULL;
}

static void
redirect_write(volatile uint32_t *io, uint32_t reg, uint32_t v)
{
	io[0] = reg;
	io[4] = v;
}

void
arch_irq_route_gsi(uint32_t gsi, int vector, bool level, bool active_low)
{
	uint32_t pin;
	volatile uint32_t *io = ioapic_for(gsi, &pin);
	if (!io || gsi >= ARRAY_SIZE(gsi_low))
		return;
	uint32_t lo = (uint32_t)vector;
	if (active_low)
		lo |= 1 << 13;
	if (level)
		lo |= 1 << 15;
	gsi_low[gsi] = lo;
	redirect_write(io, 0x10 + 2 * pin + 1, cpus[0].arch.apic_id << 24);
	redirect_write(io, 0x10 + 2 * pin, lo);
}

void
arch_irq_mask_gsi(uint32_t gsi, bool mask)
{
	uint32_t pin;
	volatile uint32_t *io = ioapic_for(gsi, &pin);
	if (!io || gsi >= ARRAY_SIZE(gsi_low))
		return;
	if (mask)
		gsi_low[gsi] |= 1 << 16;
	else
		gsi_low[gsi] &= ~(1u << 16);
	redirect_write(io, 0x10 + 2 * pin, gsi_low[gsi]);
}

/* MSI messages go to the boot CPU, fixed delivery, edge triggered. */
void
arch_msi_message(uint32_t bdf, int vector, uint64_t *addr, uint32_t *data)
{
	(void)bdf;	/* the local APIC does not ask who sent it */
	*addr = 0xfee00000u | cpus[0].arch.apic_id << 12;
	*data = (uint32_t)vector;
}

/* Masks the legacy 8259 PICs so only the APICs deliver interrupts. */
void
pic_disable(void)
{
	outb(0x21, 0xff);
	outb(0xa1, 0xff);
}
