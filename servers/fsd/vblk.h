/*
 * fsd's virtio-blk driver (servers/fsd/vblk.c): the block device of
 * blkdev.h over one request queue of a virtio-blk device, PCI or MMIO,
 * through the virtio library. Single-threaded: fsd's loop calls it.
 */
#ifndef FSD_VBLK_H
#define FSD_VBLK_H

#include "blkdev.h"
#include "virtio.h"

#define VBLK_QUEUE_MAX 256		/* ring entries asked for */
/* DMA chunks alloc may take (the kernel allows 64 per device; the ring
   and the request headers take two). */
#define VBLK_CHUNKS 60
#define VBLK_CHUNK_MIN (1ul << 20)	/* a new chunk holds at least this */

/* Memory the device reaches: alloc's memory comes out of these. */
struct vblk_chunk {
	struct vio_dma dma;
	size_t used;			/* bytes handed out, from the start */
};

struct vblk {
	struct blkdev blk;		/* what fsd's file system uses */
	struct vio_dev v;
	struct virtq q;
	/* What the device said (config space), for fsd's report; seg_max
	   and size_max are UINT32_MAX when it set no limit. */
	uint32_t seg_max;		/* data segments a request may have */
	uint32_t size_max;		/* bytes in one segment */
	uint32_t blk_size;		/* its preferred block; 0: not said */
	bool has_flush;			/* FLUSH offered: writes need one */
	unsigned seg_cap;		/* data segments we put in a chain */
	uint32_t request_max;		/* bytes in one chain */
	/* Headers and status bytes, one slot per chain in flight. */
	struct vio_dma slots;
	unsigned nslots;
	uint16_t free_slots[VBLK_QUEUE_MAX];
	unsigned nfree;
	struct blk_io *slot_io[VBLK_QUEUE_MAX];	/* its request; NULL: free */
	bool unkicked;			/* chains the device was not told of */
	struct vblk_chunk chunk[VBLK_CHUNKS];
	unsigned nchunks;
	/* Counters, for reports. */
	uint64_t requests, interrupts, waits;
};

/*
 * Brings up the virtio-blk device behind device handle dev; its interrupts
 * set bit irq_bit of notification notify, which the driver waits on inside
 * rw and flush (so fsd must not wait for that bit itself). On success b->blk
 * is the block device (b->blk.priv is b): its sectors, read_only (the
 * device offered RO), rw, flush and alloc. Returns 0 or -errno, with a
 * message on stderr. b must stay where it is while the device is used.
 *
 * blk.rw refuses, before anything is sent, a request whose length is 0 or
 * not a multiple of BLK_SECTOR, that runs past the end (-EINVAL), whose
 * buf..buf+len is not all memory from blk.alloc (-EINVAL), or that writes
 * to a read-only device (-EROFS); the batch's other requests still run.
 * A request longer than the device takes in one (size_max, seg_max) is
 * sent as several; a buf may cross from one alloc chunk into the next
 * when they lie side by side. blk.rw and blk.flush wait for the device
 * (they sleep in pt_wait).
 *
 * blk.flush sends a FLUSH when the device offered it. A device that does
 * not offer FLUSH is taken to have no volatile write cache (as Linux's
 * driver takes it; QEMU offers FLUSH whenever its cache is writeback), so
 * flush then returns 0 at once.
 *
 * blk.alloc carves page-aligned memory out of DMA chunks of at least
 * VBLK_CHUNK_MIN (each up to PT_DMA_MAX, physically contiguous); a size
 * over PT_DMA_MAX takes several chunks mapped side by side. NULL once the
 * device's DMA allowance is spent.
 */
int vblk_open(struct vblk *b, pt_handle_t dev, pt_handle_t notify,
	      unsigned irq_bit);

/*
 * Caps the bytes of one virtio request at bytes (rounded down to sectors,
 * at least one sector); longer requests are split. For tests of the
 * splitting; the device's own limits still apply.
 */
void vblk_limit(struct vblk *b, uint32_t bytes);

#endif
