/*
 * netd's virtio-net driver (servers/netd/vnet.c): one receive and one
 * transmit queue over the virtio library; outgoing frames are copied into
 * DMA buffers, received ones may be lent out in theirs. Single-threaded:
 * netd's event loop calls everything.
 */
#ifndef NETD_VNET_H
#define NETD_VNET_H

#include "../../user/lib/virtio/virtio.h"

#define VNET_BUFS 256			/* ring entries; transmit buffers */
/* Receive buffers: a ring's worth posted, the rest lent out or spare. */
#define VNET_RX_BUFS 512
#define VNET_BUF_SIZE 2048		/* a header and one Ethernet frame */
#define VNET_FRAME_MAX 1514

/* Set on received frames whose checksums the device checked or made. */
#define VNET_RX_CSUM_OK 1

struct vnet {
	struct vio_dev v;
	struct virtq rx, tx;
	struct vio_dma rxbuf, txbuf;
	uint8_t mac[6];
	bool tx_csum;			/* the device completes checksums */
	bool rx_csum;			/* the device reports checked ones */
	uint16_t rx_spare[VNET_RX_BUFS];	/* neither posted nor lent */
	unsigned rx_nspare;
	uint16_t tx_slots[VNET_BUFS];	/* free transmit buffers */
	unsigned tx_nfree;
	unsigned tx_unkicked;		/* queued since the device was told */
	unsigned rx_skip;		/* buffers of a refused frame to come */
	uint64_t rx_frames, tx_frames, rx_dropped, tx_dropped;
	uint64_t rx_bytes, tx_bytes;	/* of the frames counted */
};

/*
 * Brings the device up; interrupts set `bit` of notification n. Returns 0
 * or -errno (with a message on stderr).
 */
int vnet_open(struct vnet *n, pt_handle_t dev, pt_handle_t notify, unsigned bit);

/*
 * Sending without a copy: vnet_tx_frame gives the frame area of a free
 * transmit buffer (NULL when all are in flight); vnet_tx_send queues the
 * len bytes written there. csum_start/csum_offset (when csum_start != 0)
 * ask the device to complete the checksum as virtio's NEEDS_CSUM says: the
 * field must hold the pseudo-header's sum. Returns 0 or -errno. Queued
 * frames go when vnet_tx_flush tells the device, or once VNET_TX_BATCH
 * of them wait.
 */
uint8_t *vnet_tx_frame(struct vnet *n);
int vnet_tx_send(struct vnet *n, size_t len, uint16_t csum_start,
		 uint16_t csum_offset);
/* Tells the device about the frames queued since it was last told. */
void vnet_tx_flush(struct vnet *n);
/* Queues a copy of one frame; 0, or -ENOBUFS when all buffers are in
   flight. */
int vnet_send(struct vnet *n, const void *frame, size_t len);

/*
 * The 16-bit one's complement sum of len bytes (network-order words) added
 * to sum, folded: checksums as the Internet protocols compute them.
 */
uint16_t vnet_sum(uint32_t sum, const uint8_t *p, size_t len);

/*
 * Hands each received frame to deliver(ctx, frame, len, flags, buf).
 * When a spare can take its place in the ring, buf names the receive
 * buffer the frame lies in, and deliver may keep it (returning true)
 * until it gives it back with vnet_rx_return; else buf is VNET_RX_BUFS
 * and the frame must be copied before deliver returns (false).
 */
void vnet_receive(struct vnet *n,
		  bool (*deliver)(void *ctx, uint8_t *frame, size_t len,
				  unsigned flags, unsigned buf),
		  void *ctx);
void vnet_rx_return(struct vnet *n, unsigned buf);

/* After an interrupt, or with used buffers pending: reclaims sent buffers. */
void vnet_interrupt(struct vnet *n);
/*
 * Interrupts only while netd sleeps: vnet_busy turns them off once it has
 * woken (it takes every used buffer in its turn anyway), and
 * vnet_wait_prepare on again before it sleeps, returning true if buffers
 * were used meanwhile (then it must not sleep).
 */
bool vnet_wait_prepare(struct vnet *n);
void vnet_busy(struct vnet *n);

#endif
