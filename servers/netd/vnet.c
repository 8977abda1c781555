/*
 * virtio-net for netd: negotiates MAC, status, mergeable receive buffers and
 * checksum offload; keeps a ring of receive buffers posted, and lends a
 * received frame's buffer to the caller while a spare can take its place
 * (no copy); outgoing frames are written straight into a free transmit
 * buffer behind its virtio-net header. Received frames whose checksum the
 * host left to the guest (NEEDS_CSUM) are completed here, so lwIP sees
 * only whole checksums.
 */
#include "vnet.h"
#include "arch/cc.h"	/* the checksum routine netd shares with lwIP */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#define F_CSUM 0
#define F_GUEST_CSUM 1
#define F_MAC 5
#define F_MRG_RXBUF 15
#define F_STATUS 16

/*
 * Telling the device of new frames traps to the host, which on QEMU's
 * microvm waits for the thread that runs the network backend: once per
 * frame it cost more than all the rest of receiving (a pure ACK per two
 * segments received). So frames are told in batches.
 */
#define VNET_TX_BATCH 32

/* The device's "do not notify me" flag in its used ring (virtio 2.7.10). */
#define USED_F_NO_NOTIFY 1

#define HDR_F_NEEDS_CSUM 1
#define HDR_F_DATA_VALID 2

/* The header before every frame (VERSION_1: always with num_buffers). */
struct vnet_hdr {
	uint8_t flags;
	uint8_t gso_type;
	uint16_t hdr_len;
	uint16_t gso_size;
	uint16_t csum_start;
	uint16_t csum_offset;
	uint16_t num_buffers;
} __attribute__((packed));

/*
 * Tells the device about buffers added to q, unless it said it needs no
 * telling: it sets NO_NOTIFY while it works through the queue anyway
 * (QEMU: while it holds receive buffers, and while a transmit pass is
 * pending), and looks at the queue again before it clears the flag.
 */
static void
kick(struct vnet *n, struct virtq *q)
{
	__sync_synchronize();	/* the new avail index before the flag */
	if (*(volatile uint16_t *)q->used & USED_F_NO_NOTIFY)
		return;
	vq_kick(&n->v, q);
}

static int
rx_post(struct vnet *n, unsigned i)
{
	uint64_t pa = n->rxbuf.pa + (uint64_t)i * VNET_BUF_SIZE;
	uint32_t len = VNET_BUF_SIZE;
	bool writes = true;
	return vq_add(&n->rx, &pa, &len, &writes, 1, (void *)(uintptr_t)(i + 1));
}

static int
buffers_setup(struct vnet *n)
{
	int e = vio_dma_alloc(&n->v, &n->rxbuf,
			      (size_t)VNET_RX_BUFS * VNET_BUF_SIZE);
	if (e == 0)
		e = vio_dma_alloc(&n->v, &n->txbuf, (size_t)VNET_BUFS * VNET_BUF_SIZE);
	if (e < 0)
		return e;
	unsigned i = 0;
	while (i < VNET_RX_BUFS && i < n->rx.size && rx_post(n, i) >= 0)
		i++;
	for (; i < VNET_RX_BUFS; i++)
		n->rx_spare[n->rx_nspare++] = (uint16_t)i;
	for (unsigned i = 0; i < VNET_BUFS && i < n->tx.size; i++)
		n->tx_slots[n->tx_nfree++] = (uint16_t)i;
	return 0;
}

int
vnet_open(struct vnet *n, pt_handle_t dev, pt_handle_t notify, unsigned bit)
{
	memset(n, 0, sizeof(*n));
	int e = vio_open(&n->v, dev, VIRTIO_ID_NET);
	if (e < 0)
		return e;
	uint64_t want = 1ull << F_MAC | 1ull << F_STATUS | 1ull << F_MRG_RXBUF |
			1ull << F_CSUM | 1ull << F_GUEST_CSUM;
	if ((e = vio_negotiate(&n->v, want)) < 0)
		return e;
	n->tx_csum = n->v.features & (1ull << F_CSUM);
	n->rx_csum = n->v.features & (1ull << F_GUEST_CSUM);
	if (n->v.features & (1ull << F_MAC)) {
		for (unsigned i = 0; i < 6; i++)
			n->mac[i] = (uint8_t)vio_config_read(&n->v, i, 1);
	} else {
		static const uint8_t fallback[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };
		memcpy(n->mac, fallback, 6);
	}
	if ((e = vio_queue_setup(&n->v, &n->rx, 0, VNET_BUFS)) < 0 ||
	    (e = vio_queue_setup(&n->v, &n->tx, 1, VNET_BUFS)) < 0 ||
	    (e = vio_irq_setup(&n->v, notify, bit)) < 0 ||
	    (e = buffers_setup(n)) < 0)
		return e;
	if ((e = vio_ready(&n->v)) < 0)
		return e;
	vq_kick(&n->v, &n->rx);
	return 0;
}

static void
tx_reclaim(struct vnet *n)
{
	void *cookie;
	uint32_t len;
	while ((cookie = vq_next_used(&n->tx, &len)) != NULL)
		n->tx_slots[n->tx_nfree++] = (uint16_t)((uintptr_t)cookie - 1);
}

uint8_t *
vnet_tx_frame(struct vnet *n)
{
	if (n->tx_nfree == 0)
		tx_reclaim(n);
	if (n->tx_nfree == 0) {
		n->tx_dropped++;
		return NULL;
	}
	unsigned slot = n->tx_slots[n->tx_nfree - 1];
	return n->txbuf.va + (size_t)slot * VNET_BUF_SIZE + sizeof(struct vnet_hdr);
}

int
vnet_tx_send(struct vnet *n, size_t len, uint16_t csum_start,
	     uint16_t csum_offset)
{
	if (len > VNET_FRAME_MAX || len < 14 || n->tx_nfree == 0)
		return -EINVAL;
	unsigned slot = n->tx_slots[--n->tx_nfree];
	uint8_t *buf = n->txbuf.va + (size_t)slot * VNET_BUF_SIZE;
	struct vnet_hdr *h = (struct vnet_hdr *)buf;
	memset(h, 0, sizeof(*h));
	if (csum_start && n->tx_csum) {
		h->flags = HDR_F_NEEDS_CSUM;
		h->csum_start = csum_start;
		h->csum_offset = csum_offset;
	}
	uint64_t pa = n->txbuf.pa + (uint64_t)slot * VNET_BUF_SIZE;
	uint32_t total = (uint32_t)(sizeof(*h) + len);
	bool writes = false;
	if (vq_add(&n->tx, &pa, &total, &writes, 1, (void *)(uintptr_t)(slot + 1)) < 0) {
		n->tx_slots[n->tx_nfree++] = (uint16_t)slot;
		n->tx_dropped++;
		return -ENOBUFS;
	}
	n->tx_frames++;
	n->tx_bytes += len;
	if (++n->tx_unkicked >= VNET_TX_BATCH)
		vnet_tx_flush(n);
	return 0;
}

void
vnet_tx_flush(struct vnet *n)
{
	if (n->tx_unkicked == 0)
		return;
	kick(n, &n->tx);
	n->tx_unkicked = 0;
}

int
vnet_send(struct vnet *n, const void *frame, size_t len)
{
	if (len > VNET_FRAME_MAX || len < 14)
		return -EINVAL;
	uint8_t *out = vnet_tx_frame(n);
	if (out == NULL)
		return -ENOBUFS;
	memcpy(out, frame, len);
	return vnet_tx_send(n, len, 0, 0);
}

uint16_t
vnet_sum(uint32_t sum, const uint8_t *p, size_t len)
{
	/* LWIP_CHKSUM sums words in memory order: swapped to network order. */
	sum += __builtin_bswap16(LWIP_CHKSUM(p, (int)len));
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

/*
 * A received frame whose checksum the host left for us (NEEDS_CSUM, as a
 * tap device passes on the host's own partial checksums): the field holds
 * the pseudo-header's sum; the sum from csum_start to the end completes it.
 * False if the offsets do not fit the frame.
 */
static bool
complete_csum(uint8_t *frame, size_t len, const struct vnet_hdr *h)
{
	size_t start = h->csum_start, at = start + h->csum_offset;
	if (start >= len || at + 2 > len)
		return false;
	uint16_t c = (uint16_t)~vnet_sum(0, frame + start, len - start);
	frame[at] = (uint8_t)(c >> 8);
	frame[at + 1] = (uint8_t)c;
	return true;
}

void
vnet_rx_return(struct vnet *n, unsigned buf)
{
	if (buf < VNET_RX_BUFS && n->rx_nspare < VNET_RX_BUFS)
		n->rx_spare[n->rx_nspare++] = (uint16_t)buf;
}

/*
 * Whether the buffer of i, len bytes used, holds a frame lwIP may see:
 * a header and one whole frame, its checksum completed if the host left
 * it to us. A frame spread over several buffers (num_buffers > 1, which
 * without segmentation offloads only an oversized frame is) is refused
 * whole: the buffers after its first hold the rest of its bytes, which
 * the sender chose, so each is skipped rather than read as a header and
 * a frame of its own.
 */
static bool
rx_accept(struct vnet *n, uint8_t *buf, uint32_t len)
{
	const struct vnet_hdr *h = (const struct vnet_hdr *)buf;
	if (n->rx_skip > 0) {
		n->rx_skip--;
		return false;
	}
	if (len < sizeof(*h))
		return false;
	if (h->num_buffers > 1) {
		n->rx_skip = h->num_buffers - 1u;
		return false;
	}
	if (len == sizeof(*h) || len > VNET_BUF_SIZE)
		return false;
	return !(h->flags & HDR_F_NEEDS_CSUM) ||
	       complete_csum(buf + sizeof(*h), len - sizeof(*h), h);
}

void
vnet_receive(struct vnet *n,
	     bool (*deliver)(void *ctx, uint8_t *frame, size_t len,
			     unsigned flags, unsigned buf),
	     void *ctx)
{
	void *cookie;
	uint32_t len;
	bool posted = false;
	while ((cookie = vq_next_used(&n->rx, &len)) != NULL) {
		unsigned i = (unsigned)((uintptr_t)cookie - 1);
		uint8_t *buf = n->rxbuf.va + (size_t)i * VNET_BUF_SIZE;
		struct vnet_hdr *h = (struct vnet_hdr *)buf;
		if (rx_accept(n, buf, len)) {
			unsigned flags = (n->rx_csum && (h->flags & (HDR_F_DATA_VALID |
								  HDR_F_NEEDS_CSUM)))
					 ? VNET_RX_CSUM_OK : 0;
			n->rx_frames++;
			n->rx_bytes += len - sizeof(*h);
			/* A buffer lent out is replaced by a spare. */
			unsigned lend = n->rx_nspare > 0 ? i : VNET_RX_BUFS;
			if (deliver(ctx, buf + sizeof(*h), len - sizeof(*h),
				    flags, lend) && lend == i)
				i = n->rx_spare[--n->rx_nspare];
		} else {
			n->rx_dropped++;
		}
		rx_post(n, i);
		posted = true;
	}
	if (posted)
		kick(n, &n->rx);
}

void
vnet_interrupt(struct vnet *n)
{
	tx_reclaim(n);
}

bool
vnet_wait_prepare(struct vnet *n)
{
	bool rx = vq_interrupts(&n->rx, true);
	/* Sent buffers are reclaimed as frames go out; an interrupt for them
	   is only worth a wakeup when the ring runs short. */
	tx_reclaim(n);
	bool tx = n->tx_nfree < VNET_BUFS / 2 && vq_interrupts(&n->tx, true);
	return rx || tx;
}

void
vnet_busy(struct vnet *n)
{
	vq_interrupts(&n->rx, false);
	vq_interrupts(&n->tx, false);
}
