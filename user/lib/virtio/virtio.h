/*
 * A virtio driver library for Petrel's user-space servers (netd, fsd):
 * the modern virtio-pci and virtio-mmio (version 2) transports behind one
 * interface, and split virtqueues in DMA memory. Single-threaded callers.
 */
#ifndef VIRTIO_H
#define VIRTIO_H

#include <petrel/petrel.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VIRTIO_ID_NET 1
#define VIRTIO_ID_BLOCK 2

#define VIRTIO_F_VERSION_1 32

#define VIRTQ_DESC_F_NEXT 1
#define VIRTQ_DESC_F_WRITE 2

struct virtq_desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};

struct virtq_used_elem {
	uint32_t id;
	uint32_t len;
};

struct virtq {
	uint16_t index, size;
	struct virtq_desc *desc;
	volatile uint16_t *avail;	/* flags, idx, ring[size] */
	volatile uint8_t *used;		/* flags, idx, ring[size] of elems */
	uint16_t avail_idx;		/* next slot the driver fills */
	uint16_t last_used;		/* next used entry to read */
	uint16_t free_head, num_free;
	void **cookie;			/* per descriptor head */
	volatile uint16_t *notify;	/* PCI: the doorbell */
};

struct vio_dev {
	pt_handle_t dev;
	struct pt_dev_info info;
	uint32_t bus;			/* PT_BUS_PCI or PT_BUS_MMIO */
	/* PCI: the mapped capability structures. */
	volatile uint8_t *common, *isr, *devcfg, *notify_base;
	uint32_t notify_mult;
	uint64_t features;		/* negotiated */
	pt_handle_t notify;		/* interrupts land here, bit irq_bit */
	unsigned irq_bit;
};

/* Memory a device can reach: its virtual and physical address. */
struct vio_dma {
	pt_handle_t mem;
	uint8_t *va;
	uint64_t pa;
	size_t size;
};

/*
 * Opens device handle dev as a virtio device of type `want` (VIRTIO_ID_*):
 * resets it and acknowledges it. Returns 0 or a negative errno; a message
 * on stderr says what was wrong.
 */
int vio_open(struct vio_dev *v, pt_handle_t dev, unsigned want);
/* Negotiates features (VERSION_1 is added); returns 0 or -errno. */
int vio_negotiate(struct vio_dev *v, uint64_t wanted);
/* Sets up queue `index` with at most max entries; returns 0 or -errno. */
int vio_queue_setup(struct vio_dev *v, struct virtq *q, unsigned index,
		    unsigned max);
/* Binds the device's interrupts to bit of notification object n. Nothing
 * needs acknowledging afterwards: MSI-X is edge triggered, and the kernel
 * acknowledges a virtio-mmio slot's interrupt itself. */
int vio_irq_setup(struct vio_dev *v, pt_handle_t n, unsigned bit);
/* Declares the driver ready (DRIVER_OK). */
int vio_ready(struct vio_dev *v);
/* Resets the device: it stops using its queues. */
void vio_reset(struct vio_dev *v);
uint32_t vio_config_read(struct vio_dev *v, unsigned off, unsigned size);

int vio_dma_alloc(struct vio_dev *v, struct vio_dma *d, size_t size);

/*
 * Adds a chain of n buffers (physical addresses, lengths, writable flags)
 * with cookie (not NULL); returns the head descriptor or -ENOSPC. Call
 * vio_kick after.
 */
int vq_add(struct virtq *q, const uint64_t *pa, const uint32_t *len,
	   const bool *device_writes, unsigned n, void *cookie);
/* Tells the device about added buffers. */
void vq_kick(struct vio_dev *v, struct virtq *q);
/*
 * The next used chain's cookie (and bytes written), freeing it; NULL if
 * none, or for an entry naming no chain in flight (which is skipped).
 */
void *vq_next_used(struct virtq *q, uint32_t *len);
/*
 * Asks the device not to interrupt for q's used buffers (a driver busy
 * taking them anyway), or to again. When asking again, returns whether q
 * already holds used buffers the driver has not taken: no interrupt will
 * tell of those, so the driver must not sleep on them.
 */
bool vq_interrupts(struct virtq *q, bool on);

#endif
