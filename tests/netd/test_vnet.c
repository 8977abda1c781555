/*
 * Host test of netd's virtio-net receive path (servers/netd/vnet.c): the
 * virtqueue calls are faked here, so the test plays the device, filling
 * receive buffers and handing them back as used, and checks which frames
 * the driver delivers and that every buffer goes back to the ring.
 */
#include <stdlib.h>

#include "check.h"
#include "vnet.h"

#define HDR_LEN		12	/* struct vnet_hdr */
#define F_DATA_VALID	2

/* ---- The fake device: used entries to hand out, buffers posted ---- */

static struct {
	void *cookie;
	uint32_t len;
} used[64];
static unsigned used_head, used_tail;
static unsigned posted;			/* rx_post calls */
static uint16_t used_flags;		/* the ring's flags word */

void *
vq_next_used(struct virtq *q, uint32_t *len)
{
	(void)q;
	if (used_head == used_tail)
		return NULL;
	*len = used[used_head].len;
	return used[used_head++].cookie;
}

int
vq_add(struct virtq *q, const uint64_t *pa, const uint32_t *len,
       const bool *device_writes, unsigned n, void *cookie)
{
	(void)q, (void)pa, (void)len, (void)device_writes, (void)n;
	(void)cookie;
	posted++;
	return 0;
}

void
vq_kick(struct vio_dev *v, struct virtq *q)
{
	(void)v, (void)q;
}

bool
vq_interrupts(struct virtq *q, bool on)
{
	(void)q, (void)on;
	return false;
}

/* vnet_open's calls: never reached, as the test sets the driver up. */
int
vio_open(struct vio_dev *v, pt_handle_t dev, unsigned want)
{
	(void)v, (void)dev, (void)want;
	return -1;
}

int
vio_negotiate(struct vio_dev *v, uint64_t wanted)
{
	(void)v, (void)wanted;
	return -1;
}

int
vio_queue_setup(struct vio_dev *v, struct virtq *q, unsigned i, unsigned m)
{
	(void)v, (void)q, (void)i, (void)m;
	return -1;
}

int
vio_irq_setup(struct vio_dev *v, pt_handle_t n, unsigned bit)
{
	(void)v, (void)n, (void)bit;
	return -1;
}

int
vio_ready(struct vio_dev *v)
{
	(void)v;
	return -1;
}

uint32_t
vio_config_read(struct vio_dev *v, unsigned off, unsigned size)
{
	(void)v, (void)off, (void)size;
	return 0;
}

int
vio_dma_alloc(struct vio_dev *v, struct vio_dma *d, size_t size)
{
	(void)v, (void)d, (void)size;
	return -1;
}

/* ---- Frames: what the device writes, what the driver delivers ---- */

static struct vnet nic;
static unsigned delivered;
static uint8_t last_frame[VNET_BUF_SIZE];
static size_t last_len;

static bool
deliver(void *ctx, uint8_t *frame, size_t len, unsigned flags, unsigned buf)
{
	(void)ctx, (void)flags, (void)buf;
	delivered++;
	last_len = len < sizeof(last_frame) ? len : sizeof(last_frame);
	memcpy(last_frame, frame, last_len);
	return false;
}

/*
 * The device fills buffer i with len bytes: a header saying
 * num_buffers and flags, then a frame whose first byte is tag.
 */
static void
device_fill(unsigned i, uint32_t len, uint16_t num_buffers, uint8_t flags,
	    uint8_t tag)
{
	uint8_t *b = nic.rxbuf.va + (size_t)i * VNET_BUF_SIZE;
	memset(b, 0, VNET_BUF_SIZE);
	b[0] = flags;
	b[10] = (uint8_t)num_buffers;
	b[11] = (uint8_t)(num_buffers >> 8);
	b[HDR_LEN] = tag;
	used[used_tail].cookie = (void *)(uintptr_t)(i + 1);
	used[used_tail++].len = len;
}

static void
setup(void)
{
	memset(&nic, 0, sizeof(nic));
	nic.rxbuf.va = calloc(VNET_RX_BUFS, VNET_BUF_SIZE);
	nic.rx.used = (volatile uint8_t *)&used_flags;
	nic.rx_csum = true;
	used_head = used_tail = 0;
	posted = delivered = 0;
}

/* A frame in one buffer is delivered, and its buffer posted again. */
static void
test_single(void)
{
	setup();
	device_fill(0, HDR_LEN + 60, 1, 0, 0xa1);
	vnet_receive(&nic, deliver, NULL);
	CHECK_EQ(delivered, 1);
	CHECK_EQ(last_len, 60);
	CHECK_EQ(last_frame[0], 0xa1);
	CHECK_EQ(posted, 1);
	free(nic.rxbuf.va);
}

/*
 * A frame over three buffers is refused whole: the second and third
 * start with bytes the sender chose, here a header saying one buffer
 * and DATA_VALID, and a frame. None of it is delivered; all three
 * buffers are posted again, and the next frame is delivered.
 */
static void
test_multi_refused(void)
{
	setup();
	device_fill(0, VNET_BUF_SIZE, 3, 0, 0xb0);
	device_fill(1, VNET_BUF_SIZE, 1, F_DATA_VALID, 0xb1);
	device_fill(2, 600, 1, F_DATA_VALID, 0xb2);
	device_fill(3, HDR_LEN + 60, 1, 0, 0xb3);
	vnet_receive(&nic, deliver, NULL);
	CHECK_EQ(delivered, 1);
	CHECK_EQ(last_frame[0], 0xb3);
	CHECK_EQ(nic.rx_dropped, 3);
	CHECK_EQ(posted, 4);
	free(nic.rxbuf.va);
}

/* The rest of a refused frame may be used only after the driver looked. */
static void
test_multi_split(void)
{
	setup();
	device_fill(0, VNET_BUF_SIZE, 2, 0, 0xc0);
	vnet_receive(&nic, deliver, NULL);
	device_fill(1, 300, 1, F_DATA_VALID, 0xc1);
	vnet_receive(&nic, deliver, NULL);
	CHECK_EQ(delivered, 0);
	device_fill(2, HDR_LEN + 60, 1, 0, 0xc2);
	vnet_receive(&nic, deliver, NULL);
	CHECK_EQ(delivered, 1);
	CHECK_EQ(last_frame[0], 0xc2);
	CHECK_EQ(posted, 3);
	free(nic.rxbuf.va);
}

/* A buffer too short for its header, or holding no frame, is refused. */
static void
test_short(void)
{
	setup();
	device_fill(0, HDR_LEN - 1, 1, 0, 0xd0);
	device_fill(1, HDR_LEN, 1, 0, 0xd1);
	device_fill(2, HDR_LEN + 60, 0, 0, 0xd2);
	vnet_receive(&nic, deliver, NULL);
	CHECK_EQ(delivered, 1);
	CHECK_EQ(last_frame[0], 0xd2);
	CHECK_EQ(posted, 3);
	free(nic.rxbuf.va);
}

int
main(void)
{
	test_single();
	test_multi_refused();
	test_multi_split();
	test_short();
	return check_done("test_netd_vnet");
}
