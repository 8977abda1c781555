/*
 * Interrupt handlers by the portable kernel's numbers (<kernel/irq.h>'s
 * vectors, x86_64's names for its interrupt sources), each mapped here to
 * the GIC INTID that source has on this machine: the timer's PPI and the
 * PL011's SPI from the device tree, an SGI for wake-ups. Device interrupts
 * for servers (irq_alloc) and MSI wait for virtio-mmio and PCIe
 * (docs/aarch64.md).
 */
#include <kernel/arch.h>
#include <kernel/devices.h>
#include <kernel/errno.h>
#include <kernel/irq.h>
#include <kernel/printk.h>
#include <arch/boot.h>
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

void
irq_dispatch(int intid)
{
	interrupts++;
	if (intid < INTID_MAX && handlers[intid])
		handlers[intid]();
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
irq_alloc(void (*fn)(void *), void *ctx)
{
	(void)fn;
	(void)ctx;
	return -ENOSPC;
}

void
irq_free(int vector)
{
	(void)vector;
}

void
arch_msi_message(int vector, uint64_t *addr, uint32_t *data)
{
	(void)vector;
	*addr = 0;
	*data = 0;
}

void
arch_irq_route_gsi(uint32_t gsi, int vector, bool level, bool active_low)
{
	(void)gsi;
	(void)vector;
	(void)level;
	(void)active_low;
}

void
arch_irq_mask_gsi(uint32_t gsi, bool mask)
{
	(void)gsi;
	(void)mask;
}
