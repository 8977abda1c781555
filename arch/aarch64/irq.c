/*
 * Interrupt handlers by the portable kernel's numbers (<kernel/irq.h>'s
 * vectors, x86_64's names for its interrupt sources), each mapped here to
 * the GIC INTID that source has on this machine: the timer's PPI and the
 * PL011's SPI from the device tree, an SGI for wake-ups. Device interrupts
 * for servers get a vector from irq_alloc, as on x86_64, and
 * arch_irq_route_gsi binds it to an SPI: a virtio-mmio transport's "GSI"
 * is its INTID from the device tree. A PCI function's MSI-X messages go
 * to a GICv2m frame, whose writes raise SPIs of its own range (edge), or
 * to GICv3's ITS, which raises LPIs (its.c).
 */
#include <kernel/arch.h>
#include <kernel/devices.h>
#include <kernel/errno.h>
#include <kernel/irq.h>
#include <kernel/printk.h>
#include <arch/boot.h>
#include <arch/mmu.h>
#include <arch/trap.h>

#define INTID_MAX 1020

static void (*handlers[INTID_MAX])(void);
static uint64_t interrupts;	/* device interrupts, for /proc/stat */

uint64_t
arch_interrupt_count(void)
{
	return interrupts;
}

/* The INTID of the source a portable vector names; 0 if none. */
static int
vector_intid(int vector)
{
	switch (vector) {
	case IRQ_VECTOR_TIMER: return fdt.timer_ppi;
	case IRQ_VECTOR_CONSOLE: return fdt.uart_irq;
	case IRQ_VECTOR_IPI: return SGI_WAKE;
	default: return 0;
	}
}

void
irq_register(int vector, void (*fn)(void))
{
	int intid = vector_intid(vector);
	if (intid <= 0 || intid >= INTID_MAX)
		panic("no interrupt for vector %#x on this machine", vector);
	handlers[intid] = fn;
	gic_enable(intid);
}

/* Device interrupts for servers: vectors handed out by irq_alloc (the
 * numbers x86_64 uses, clear of <kernel/irq.h>'s), and the vector each
 * routed SPI raises. Big lock held. */
#define IRQ_DYNAMIC_FIRST 0x30
#define IRQ_DYNAMIC_LAST 0xef
static struct {
	void (*fn)(void *);	/* set last (irq_dispatch_nolock) */
	void *ctx;
	bool nolock;		/* fn runs without the big lock */
} irq_dynamic[IRQ_DYNAMIC_LAST + 1];
static uint8_t spi_vector[INTID_MAX];	/* 0: not routed */

/* The server's vector intid raises, or 0. */
static int
dynamic_vector(int intid)
{
	if (intid >= LPI_FIRST)
		return its_lpi_vector(intid);
	if (intid < 0 || intid >= INTID_MAX || handlers[intid])
		return 0;
	return spi_vector[intid];
}

bool
irq_dispatch_nolock(int intid)
{
	int v = dynamic_vector(intid);
	if (!v)
		return false;
	void (*fn)(void *) = __atomic_load_n(&irq_dynamic[v].fn, __ATOMIC_ACQUIRE);
	if (!fn || !irq_dynamic[v].nolock)
		return false;
	__atomic_fetch_add(&interrupts, 1, __ATOMIC_RELAXED);
	fn(irq_dynamic[v].ctx);
	return true;
}

void
irq_dispatch(int intid)
{
	__atomic_fetch_add(&interrupts, 1, __ATOMIC_RELAXED);
	if (intid >= LPI_FIRST) {
		int lv = its_lpi_vector(intid);
		if (lv && irq_dynamic[lv].fn)
			irq_dynamic[lv].fn(irq_dynamic[lv].ctx);
		return;
	}
	if (intid < 0 || intid >= INTID_MAX)
		return;
	if (handlers[intid]) {
		handlers[intid]();
		return;
	}
	int v = spi_vector[intid];
	if (v && irq_dynamic[v].fn)
		irq_dynamic[v].fn(irq_dynamic[v].ctx);
}

/* trap_irq ends each interrupt at the GIC after its handler: nothing is
 * left for a handler to end. */
void
irq_eoi(void)
{
}

/* Legacy ISA interrupts do not exist here: the console's is an SPI. */
void
irq_route_isa(int irq, int vector)
{
	(void)irq;
	(void)vector;
}

int
irq_alloc(void (*fn)(void *), void *ctx, bool nolock)
{
	for (int v = IRQ_DYNAMIC_FIRST; v <= IRQ_DYNAMIC_LAST; v++) {
		if (!irq_dynamic[v].fn) {
			irq_dynamic[v].ctx = ctx;
			irq_dynamic[v].nolock = nolock;
			__atomic_store_n(&irq_dynamic[v].fn, fn, __ATOMIC_RELEASE);
			return v;
		}
	}
	return -ENOSPC;
}

/* The vector is free again; an SPI still routed to it is turned off. */
void
irq_free(int vector)
{
	if (vector < IRQ_DYNAMIC_FIRST || vector > IRQ_DYNAMIC_LAST)
		return;
	__atomic_store_n(&irq_dynamic[vector].fn, NULL, __ATOMIC_RELAXED);
	its_free_vector(vector);
	for (int intid = 32; intid < INTID_MAX; intid++) {
		if (spi_vector[intid] == vector) {
			gic_disable(intid);
			spi_vector[intid] = 0;
		}
	}
}

/* GICv2m (Arm's Server Base System Architecture, appendix: "GICv2m"): a
 * write of an SPI's INTID to the frame's MSI_SETSPI_NS raises it; the
 * frame's MSI_TYPER gives the first INTID and how many. */
#define V2M_MSI_TYPER 0x008
#define V2M_MSI_SETSPI_NS 0x040

/* The v2m SPI that raises vector, made for it if need be; 0 if none. */
static int
v2m_spi(int vector)
{
	if (!fdt.gic_v2m || vector < IRQ_DYNAMIC_FIRST ||
	    vector > IRQ_DYNAMIC_LAST)
		return 0;
	uint32_t typer = *(volatile uint32_t *)((uint8_t *)phys_to_virt(
	    fdt.gic_v2m) + V2M_MSI_TYPER);
	int first = (int)((typer >> 16) & 0x3ff), count = (int)(typer & 0x3ff);
	int spare = 0;
	for (int intid = first; intid < first + count && intid < INTID_MAX;
	     intid++) {
		if (spi_vector[intid] == vector)
			return intid;
		if (!spare && !spi_vector[intid] && !handlers[intid])
			spare = intid;
	}
	if (spare) {
		pr_info("irq: MSI by the GICv2m frame to INTID %d\n", spare);
		gic_set_trigger(spare, false);
		spi_vector[spare] = (uint8_t)vector;
		gic_enable(spare);
	}
	return spare;
}

/* The message that raises vector through the GICv2m frame, or with GICv3
 * through the ITS (its.c); address and data 0 where there is neither. */
void
arch_msi_message(uint32_t bdf, int vector, uint64_t *addr, uint32_t *data)
{
	if (!fdt.gic_v2m && its_available()) {
		if (its_message(bdf, vector, addr, data) < 0)
			*addr = *data = 0;
		return;
	}
	int intid = v2m_spi(vector);
	*addr = intid ? fdt.gic_v2m + V2M_MSI_SETSPI_NS : 0;
	*data = (uint32_t)intid;
}

/* An SPI (gsi is its INTID) raises vector on the boot CPU. The GIC takes
 * SPIs active-high (or rising), so active_low has no setting here. */
void
arch_irq_route_gsi(uint32_t gsi, int vector, bool level, bool active_low)
{
	(void)active_low;
	if (gsi < 32 || gsi >= INTID_MAX || vector < IRQ_DYNAMIC_FIRST ||
	    vector > IRQ_DYNAMIC_LAST || handlers[gsi]) {
		printk("irq: SPI %u cannot be routed\n", gsi);
		return;
	}
	gic_set_trigger((int)gsi, level);
	spi_vector[gsi] = (uint8_t)vector;
	gic_enable((int)gsi);
}

void
arch_irq_mask_gsi(uint32_t gsi, bool mask)
{
	if (gsi < 32 || gsi >= INTID_MAX || !spi_vector[gsi])
		return;
	if (mask)
		gic_disable((int)gsi);
	else
		gic_enable((int)gsi);
}
