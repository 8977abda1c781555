/*
 * The devices the kernel lists for servers (kernel/ipc/device.c, pci.c,
 * virtio_mmio.c): what is known of each, its interrupts, and the arch
 * hooks for configuration space and interrupt routing. Big lock held.
 */
#ifndef KERNEL_DEVICES_H
#define KERNEL_DEVICES_H

#include <kernel/types.h>
#include <kernel/arch.h>	/* the PCI, interrupt and ACPI hooks */
#include <petrel/petrel.h>

#define DEV_MAX 32
#define DEV_IRQ_MAX 8		/* interrupts a driver may bind per device */
#define DEV_DMA_MAX 64		/* DMA memory objects per open device */

struct kobj;

struct dev_irq {
	int vector;
	struct kobj *notify;		/* NULL: not bound */
	uint64_t bits;
	uint32_t gsi;
	struct dev_desc *line;		/* a virtio-mmio slot's line; NULL: MSI-X */
};

struct dev_desc {
	struct pt_dev_info info;
	bool open;			/* a device object exists */
	/* PCI: where MSI-X lives. */
	uint8_t msix_cap;		/* capability offset, 0: none */
	uint8_t msix_bar, pba_bar;
	uint32_t msix_off, pba_off;
	uint16_t msix_size;
	uint8_t msi_cap;		/* plain MSI capability (not written) */
	/* PCI without MSI-X (no MSI controller): its INTx line, in gsi, and
	 * where a virtio function's ISR status lies, read to acknowledge
	 * (0: not virtio; DisINTx masks it until pt_dev_irq_ack). */
	bool intx;
	paddr_t virtio_isr;
	/* virtio-mmio: its line. */
	uint32_t gsi;
	struct dev_irq irqs[DEV_IRQ_MAX];
};

/* A new, zeroed entry in the device list (its index set), or NULL. */
struct dev_desc *dev_add(void);

void pci_scan(void);
long pci_cfg_read_checked(struct dev_desc *d, unsigned off, unsigned size);
long pci_cfg_write_checked(struct dev_desc *d, unsigned off, unsigned size,
			   uint32_t val);
void pci_msix_route(struct dev_desc *d, unsigned index, int vector);
void pci_msix_mask(struct dev_desc *d, unsigned index, bool mask);
bool pci_msix_overlaps(struct dev_desc *d, unsigned bar, uint64_t off,
		       uint64_t len);
/* Stops the function's DMA and interrupts (bus mastering off). */
void pci_stop(struct dev_desc *d);
/* An INTx function's interrupt taken at the device so its line drops
 * (its ISR status read, or DisINTx set); 0: it raised none. */
uint32_t pci_intx_take(struct dev_desc *d);
/* The driver handled it: DisINTx, if pci_intx_take set it, is cleared. */
void pci_intx_unmask(struct dev_desc *d);

void virtio_mmio_scan(void);
long virtio_mmio_reg(struct dev_desc *d, unsigned off, unsigned size,
		     uint32_t val, bool write);
/* Resets the device: it stops using its queues. */
void virtio_mmio_stop(struct dev_desc *d);
/* Reads and acknowledges the slot's interrupt status; 0: it raised none. */
uint32_t virtio_mmio_irq_take(struct dev_desc *d);

/* A free vector whose interrupts call fn(ctx), with the big lock held
 * unless nolock (fn then takes what it needs itself); -ENOSPC. */
int irq_alloc(void (*fn)(void *), void *ctx, bool nolock);
void irq_free(int vector);

#endif
