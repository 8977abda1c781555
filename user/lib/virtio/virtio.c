/*
 * virtio transports and split virtqueues for user-space drivers. PCI
 * devices use the modern interface (its capability structures mapped from
 * the BARs); virtio-mmio devices (version 2) are reached register by
 * register through pt_dev_cfg_read/write, since slots share pages.
 */
#include "virtio.h"
#include <petrel/native.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define STATUS_ACKNOWLEDGE 1
#define STATUS_DRIVER 2
#define STATUS_DRIVER_OK 4
#define STATUS_FEATURES_OK 8
#define STATUS_FAILED 128

/* virtio-pci modern common configuration. */
#define PCI_DFSELECT 0
#define PCI_DF 4
#define PCI_GFSELECT 8
#define PCI_GF 12
#define PCI_MSIX_CONFIG 16
#define PCI_NUM_QUEUES 18
#define PCI_STATUS 20
#define PCI_Q_SELECT 22
#define PCI_Q_SIZE 24
#define PCI_Q_MSIX 26
#define PCI_Q_ENABLE 28
#define PCI_Q_NOFF 30
#define PCI_Q_DESC 32
#define PCI_Q_AVAIL 40
#define PCI_Q_USED 48
#define PCI_CAP_VENDOR 0x09
#define PCI_CAP_COMMON 1
#define PCI_CAP_NOTIFY 2
#define PCI_CAP_ISR 3
#define PCI_CAP_DEVICE 4
#define MSIX_NONE 0xffff

/* virtio-mmio version 2 registers. */
#define MMIO_VERSION 0x004
#define MMIO_DEVICE_ID 0x008
#define MMIO_DF 0x010
#define MMIO_DFSELECT 0x014
#define MMIO_GF 0x020
#define MMIO_GFSELECT 0x024
#define MMIO_Q_SEL 0x030
#define MMIO_Q_MAX 0x034
#define MMIO_Q_NUM 0x038
#define MMIO_Q_READY 0x044
#define MMIO_Q_NOTIFY 0x050
#define MMIO_STATUS 0x070
#define MMIO_Q_DESC 0x080
#define MMIO_Q_AVAIL 0x090
#define MMIO_Q_USED 0x0a0
#define MMIO_CONFIG 0x100

#define barrier() __asm__ volatile("" ::: "memory")

static void
say(const char *what)
{
	fprintf(stderr, "virtio: %s\n", what);
}

/* ---- Register access --------------------------------------------------- */

static uint32_t
mmio_read(struct vio_dev *v, unsigned off)
{
	return (uint32_t)pt_dev_cfg_read(v->dev, off, 4);
}

static void
mmio_write(struct vio_dev *v, unsigned off, uint32_t val)
{
	pt_dev_cfg_write(v->dev, off, 4, val);
}

static void
common_w8(struct vio_dev *v, unsigned off, uint8_t val)
{
	*(volatile uint8_t *)(v->common + off) = val;
}

static void
common_w16(struct vio_dev *v, unsigned off, uint16_t val)
{
	*(volatile uint16_t *)(v->common + off) = val;
}

static void
common_w32(struct vio_dev *v, unsigned off, uint32_t val)
{
	*(volatile uint32_t *)(v->common + off) = val;
}

static void
common_w64(struct vio_dev *v, unsigned off, uint64_t val)
{
	common_w32(v, off, (uint32_t)val);
	common_w32(v, off + 4, (uint32_t)(val >> 32));
}

static uint16_t
common_r16(struct vio_dev *v, unsigned off)
{
	return *(volatile uint16_t *)(v->common + off);
}

static uint32_t
common_r32(struct vio_dev *v, unsigned off)
{
	return *(volatile uint32_t *)(v->common + off);
}

static uint8_t
status_get(struct vio_dev *v)
{
	if (v->bus == PT_BUS_MMIO)
		return (uint8_t)mmio_read(v, MMIO_STATUS);
	return *(volatile uint8_t *)(v->common + PCI_STATUS);
}

static void
status_set(struct vio_dev *v, uint8_t s)
{
	if (v->bus == PT_BUS_MMIO)
		mmio_write(v, MMIO_STATUS, s);
	else
		common_w8(v, PCI_STATUS, s);
}

/* ---- Opening --------------------------------------------------------------- */

/* Maps the part of a BAR that a capability points into. */
static volatile uint8_t *
map_cap(struct vio_dev *v, unsigned cap)
{
	unsigned bar = (unsigned)pt_dev_cfg_read(v->dev, cap + 4, 1);
	uint32_t off = (uint32_t)pt_dev_cfg_read(v->dev, cap + 8, 4);
	uint32_t len = (uint32_t)pt_dev_cfg_read(v->dev, cap + 12, 4);
	if (bar >= 6 || !v->info.bar[bar].size)
		return NULL;
	uint64_t start = off & ~4095u;
	uint64_t size = ((uint64_t)off + len + 4095) / 4096 * 4096 - start;
	long va = pt_dev_map(v->dev, bar, start, size);
	if (va < 0)
		return NULL;
	return (volatile uint8_t *)va + (off - start);
}

static int
open_pci(struct vio_dev *v)
{
	long status = pt_dev_cfg_read(v->dev, 0x06, 2);
	if (status < 0 || !(status & 0x10))
		return -ENODEV;
	unsigned cap = (unsigned)pt_dev_cfg_read(v->dev, 0x34, 1) & 0xfc;
	for (int n = 0; cap >= 0x40 && n < 48; n++) {
		if (pt_dev_cfg_read(v->dev, cap, 1) == PCI_CAP_VENDOR) {
			long type = pt_dev_cfg_read(v->dev, cap + 3, 1);
			volatile uint8_t **slot = NULL;
			if (type == PCI_CAP_COMMON)
				slot = &v->common;
			else if (type == PCI_CAP_ISR)
				slot = &v->isr;
			else if (type == PCI_CAP_DEVICE)
				slot = &v->devcfg;
			else if (type == PCI_CAP_NOTIFY) {
				slot = &v->notify_base;
				v->notify_mult = (uint32_t)pt_dev_cfg_read(v->dev, cap + 16, 4);
			}
			if (slot && !*slot)
				*slot = map_cap(v, cap);
		}
		cap = (unsigned)pt_dev_cfg_read(v->dev, cap + 1, 1) & 0xfc;
	}
	if (!v->common || !v->notify_base || !v->isr) {
		say("no modern virtio-pci interface (legacy-only device?)");
		return -ENODEV;
	}
	/* Bus mastering: the device may now reach DMA memory. */
	long cmd = pt_dev_cfg_read(v->dev, 0x04, 2);
	pt_dev_cfg_write(v->dev, 0x04, 2, (uint32_t)cmd | 0x6);
	return 0;
}

static unsigned
device_type(struct vio_dev *v)
{
	if (v->bus == PT_BUS_MMIO)
		return v->info.device;
	if (v->info.vendor != 0x1af4)
		return 0;
	if (v->info.device >= 0x1040)
		return v->info.device - 0x1040u;
	/* Transitional IDs: the subsystem ID names the type. */
	return (unsigned)pt_dev_cfg_read(v->dev, 0x2e, 2);
}

int
vio_open(struct vio_dev *v, pt_handle_t dev, unsigned want)
{
	memset(v, 0, sizeof(*v));
	v->dev = dev;
	if (pt_dev_info(dev, 0, &v->info) < 0)
		return -EBADF;
	v->bus = v->info.bus;
	if (device_type(v) != want) {
		say("not the device type expected");
		return -ENODEV;
	}
	if (v->bus == PT_BUS_MMIO) {
		if (mmio_read(v, MMIO_VERSION) != 2) {
			say("virtio-mmio version 1 (legacy) is not supported");
			return -ENODEV;
		}
	} else {
		int e = open_pci(v);
		if (e < 0)
			return e;
	}
	vio_reset(v);
	status_set(v, STATUS_ACKNOWLEDGE);
	status_set(v, STATUS_ACKNOWLEDGE | STATUS_DRIVER);
	return 0;
}

void
vio_reset(struct vio_dev *v)
{
	status_set(v, 0);
	for (int i = 0; i < 1000 && status_get(v) != 0; i++)
		;
}

static uint64_t
features_get(struct vio_dev *v)
{
	uint64_t f = 0;
	for (unsigned half = 0; half < 2; half++) {
		uint32_t w;
		if (v->bus == PT_BUS_MMIO) {
			mmio_write(v, MMIO_DFSELECT, half);
			w = mmio_read(v, MMIO_DF);
		} else {
			common_w32(v, PCI_DFSELECT, half);
			w = common_r32(v, PCI_DF);
		}
		f |= (uint64_t)w << (32 * half);
	}
	return f;
}

static void
features_set(struct vio_dev *v, uint64_t f)
{
	for (unsigned half = 0; half < 2; half++) {
		uint32_t w = (uint32_t)(f >> (32 * half));
		if (v->bus == PT_BUS_MMIO) {
			mmio_write(v, MMIO_GFSELECT, half);
			mmio_write(v, MMIO_GF, w);
		} else {
			common_w32(v, PCI_GFSELECT, half);
			common_w32(v, PCI_GF, w);
		}
	}
}

int
vio_negotiate(struct vio_dev *v, uint64_t wanted)
{
	uint64_t offered = features_get(v);
	if (!(offered & (1ull << VIRTIO_F_VERSION_1))) {
		say("device does not offer VERSION_1");
		return -ENODEV;
	}
	v->features = offered & (wanted | (1ull << VIRTIO_F_VERSION_1));
	features_set(v, v->features);
	uint8_t s = STATUS_ACKNOWLEDGE | STATUS_DRIVER | STATUS_FEATURES_OK;
	status_set(v, s);
	if (!(status_get(v) & STATUS_FEATURES_OK)) {
		status_set(v, s | STATUS_FAILED);
		say("device refused the features");
		return -ENODEV;
	}
	return 0;
}

int
vio_dma_alloc(struct vio_dev *v, struct vio_dma *d, size_t size)
{
	long h = pt_dev_dma_alloc(v->dev, size);
	if (h < 0)
		return (int)h;
	struct pt_mem_info mi;
	long va = pt_mem_map((pt_handle_t)h, NULL, 0, size, 1 | 2);
	if (va < 0 || pt_mem_info((pt_handle_t)h, &mi) < 0 || !mi.phys) {
		pt_handle_close((pt_handle_t)h);
		return va < 0 ? (int)va : -EIO;
	}
	d->mem = (pt_handle_t)h;
	d->va = (uint8_t *)va;
	d->pa = mi.phys;
	d->size = size;
	return 0;
}

/* Layout of a split virtqueue of n entries in one DMA block. */
static size_t
ring_bytes(unsigned n, size_t *avail_off, size_t *used_off)
{
	*avail_off = 16ul * n;
	*used_off = (*avail_off + 6 + 2ul * n + 3) & ~3ul;
	return *used_off + 6 + 8ul * n;
}

int
vio_queue_setup(struct vio_dev *v, struct virtq *q, unsigned index, unsigned max)
{
	unsigned n;
	if (v->bus == PT_BUS_MMIO) {
		mmio_write(v, MMIO_Q_SEL, index);
		n = mmio_read(v, MMIO_Q_MAX);
	} else {
		common_w16(v, PCI_Q_SELECT, (uint16_t)index);
		n = common_r16(v, PCI_Q_SIZE);
	}
	if (n == 0)
		return -ENODEV;
	while (n > max)
		n /= 2;
	size_t avail_off, used_off;
	size_t bytes = ring_bytes(n, &avail_off, &used_off);
	struct vio_dma ring;
	int e = vio_dma_alloc(v, &ring, (bytes + 4095) & ~4095ul);
	if (e < 0)
		return e;
	memset(q, 0, sizeof(*q));
	q->index = (uint16_t)index;
	q->size = (uint16_t)n;
	q->desc = (struct virtq_desc *)ring.va;
	q->avail = (volatile uint16_t *)(ring.va + avail_off);
	q->used = ring.va + used_off;
	q->cookie = calloc(n, sizeof(void *));
	if (!q->cookie)
		return -ENOMEM;
	for (unsigned i = 0; i < n; i++)
		q->desc[i].next = (uint16_t)(i + 1);
	q->num_free = (uint16_t)n;
	if (v->bus == PT_BUS_MMIO) {
		mmio_write(v, MMIO_Q_NUM, n);
		mmio_write(v, MMIO_Q_DESC, (uint32_t)ring.pa);
		mmio_write(v, MMIO_Q_DESC + 4, (uint32_t)(ring.pa >> 32));
		mmio_write(v, MMIO_Q_AVAIL, (uint32_t)(ring.pa + avail_off));
		mmio_write(v, MMIO_Q_AVAIL + 4, (uint32_t)((ring.pa + avail_off) >> 32));
		mmio_write(v, MMIO_Q_USED, (uint32_t)(ring.pa + used_off));
		mmio_write(v, MMIO_Q_USED + 4, (uint32_t)((ring.pa + used_off) >> 32));
		mmio_write(v, MMIO_Q_READY, 1);
		return 0;
	}
	common_w16(v, PCI_Q_SIZE, (uint16_t)n);
	common_w64(v, PCI_Q_DESC, ring.pa);
	common_w64(v, PCI_Q_AVAIL, ring.pa + avail_off);
	common_w64(v, PCI_Q_USED, ring.pa + used_off);
	common_w16(v, PCI_Q_MSIX, 0);	/* every queue: MSI-X vector 0 */
	uint16_t noff = common_r16(v, PCI_Q_NOFF);
	q->notify = (volatile uint16_t *)(v->notify_base + (size_t)noff * v->notify_mult);
	common_w16(v, PCI_Q_ENABLE, 1);
	return 0;
}

int
vio_irq_setup(struct vio_dev *v, pt_handle_t n, unsigned bit)
{
	v->notify = n;
	v->irq_bit = bit;
	if (v->bus == PT_BUS_PCI)
		common_w16(v, PCI_MSIX_CONFIG, MSIX_NONE);
	long e = pt_dev_irq_bind(v->dev, 0, n, bit);
	return (int)e;
}

int
vio_ready(struct vio_dev *v)
{
	status_set(v, STATUS_ACKNOWLEDGE | STATUS_DRIVER | STATUS_FEATURES_OK |
			      STATUS_DRIVER_OK);
	return (status_get(v) & STATUS_FAILED) ? -EIO : 0;
}

uint32_t
vio_config_read(struct vio_dev *v, unsigned off, unsigned size)
{
	if (v->bus == PT_BUS_MMIO)
		return (uint32_t)pt_dev_cfg_read(v->dev, MMIO_CONFIG + off, size);
	volatile uint8_t *p = v->devcfg + off;
	if (size == 1)
		return *p;
	if (size == 2)
		return *(volatile uint16_t *)p;
	return *(volatile uint32_t *)p;
}

/* ---- Virtqueues -------------------------------------------------------- */

int
vq_add(struct virtq *q, const uint64_t *pa, const uint32_t *len,
       const bool *device_writes, unsigned n, void *cookie)
{
	if (n == 0 || n > q->num_free)
		return -ENOSPC;
	uint16_t head = q->free_head, d = head, last = head;
	for (unsigned i = 0; i < n; i++) {
		struct virtq_desc *desc = &q->desc[d];
		desc->addr = pa[i];
		desc->len = len[i];
		desc->flags = (uint16_t)((device_writes[i] ? VIRTQ_DESC_F_WRITE : 0) |
					 (i + 1 < n ? VIRTQ_DESC_F_NEXT : 0));
		last = d;
		d = desc->next;
	}
	q->free_head = q->desc[last].next;
	q->num_free = (uint16_t)(q->num_free - n);
	q->cookie[head] = cookie;
	q->avail[2 + (q->avail_idx % q->size)] = head;
	barrier();
	q->avail_idx++;
	q->avail[1] = q->avail_idx;	/* the device may take it from here */
	return head;
}

void
vq_kick(struct vio_dev *v, struct virtq *q)
{
	__sync_synchronize();
	if (v->bus == PT_BUS_MMIO)
		mmio_write(v, MMIO_Q_NOTIFY, q->index);
	else
		*q->notify = q->index;
}

#define VIRTQ_AVAIL_F_NO_INTERRUPT 1

bool
vq_interrupts(struct virtq *q, bool on)
{
	q->avail[0] = on ? 0 : VIRTQ_AVAIL_F_NO_INTERRUPT;
	if (!on)
		return false;
	/* The flag must be seen before the index is read, or a buffer used
	   in between would raise no interrupt and not be seen either. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	return q->last_used != *(volatile uint16_t *)(q->used + 2);
}

void *
vq_next_used(struct virtq *q, uint32_t *len)
{
	volatile uint16_t *used_idx = (volatile uint16_t *)(q->used + 2);
	if (q->last_used == *used_idx)
		return NULL;
	barrier();
	volatile struct virtq_used_elem *e = (volatile struct virtq_used_elem *)
		(q->used + 4 + 8ul * (q->last_used % q->size));
	uint32_t id = e->id;
	*len = e->len;
	q->last_used++;
	if (id >= q->size || !q->cookie[id])
		return NULL;	/* a confused device (a bad id, or a chain it
				   gave back already): ignore the entry */
	/* Return the chain to the free list. */
	uint16_t d = (uint16_t)id;
	unsigned n = 1;
	while ((q->desc[d].flags & VIRTQ_DESC_F_NEXT) && n < q->size) {
		d = q->desc[d].next;
		n++;
	}
	q->desc[d].next = q->free_head;
	q->free_head = (uint16_t)id;
	q->num_free = (uint16_t)(q->num_free + n);
	void *cookie = q->cookie[id];
	q->cookie[id] = NULL;
	return cookie;
}
