/*
 * virtio-blk for fsd: one request queue; every request of a batch goes in
 * flight at once as a chain of header, data segments and status byte, and
 * rw sleeps on the device's interrupt until all are back. Data lies in DMA
 * chunks that alloc hands out, so a request's buffer is found by address;
 * headers and status bytes live in a small DMA area, one slot per chain.
 * Nothing the device writes (used ids, status bytes) is trusted further
 * than its bounds.
 */
#include "vblk.h"
#include <petrel/native.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#define F_SIZE_MAX 1
#define F_SEG_MAX 2
#define F_RO 5
#define F_BLK_SIZE 6
#define F_FLUSH 9

/* Device configuration (virtio 5.2.4). */
#define CFG_CAPACITY 0
#define CFG_SIZE_MAX 8
#define CFG_SEG_MAX 12
#define CFG_BLK_SIZE 20

#define T_IN 0
#define T_OUT 1
#define T_FLUSH 4

#define S_OK 0
#define S_IOERR 1
#define S_UNSUPP 2
#define S_NONE 0xff		/* not written by the device (yet) */

/* Data segments in one chain we build; QEMU allows a ring's worth. */
#define SEGS_MAX 64
/* One virtio request carries at most this, whatever the device allows. */
#define REQUEST_CAP PT_DMA_MAX
/* A wait wakes up this often even without an interrupt. */
#define WAIT_NS 1000000000ll

struct req_hdr {
	uint32_t type;
	uint32_t reserved;
	uint64_t sector;
};
_Static_assert(sizeof(struct req_hdr) == 16, "virtio-blk's request header");

static uint64_t
bit(unsigned feature)
{
	return 1ull << feature;
}

static void
say(const char *what)
{
	fprintf(stderr, "vblk: %s\n", what);
}

/* ---- Memory ------------------------------------------------------------- */

/* Maps a new DMA chunk of size bytes at hint (NULL: anywhere). */
static struct vblk_chunk *
chunk_add(struct vblk *b, size_t size, void *hint)
{
	if (b->nchunks == VBLK_CHUNKS)
		return NULL;
	long h = pt_dev_dma_alloc(b->v.dev, size);
	if (h < 0)
		return NULL;
	struct pt_mem_info mi;
	long va = pt_mem_map((pt_handle_t)h, hint, 0, size,
			     PROT_READ | PROT_WRITE);
	if (va < 0 || pt_mem_info((pt_handle_t)h, &mi) < 0 || !mi.phys) {
		if (va >= 0)
			munmap((void *)va, size);
		pt_handle_close((pt_handle_t)h);
		return NULL;
	}
	struct vblk_chunk *c = &b->chunk[b->nchunks++];
	c->dma = (struct vio_dma){ (pt_handle_t)h, (uint8_t *)va, mi.phys,
				   size };
	c->used = 0;
	return c;
}

/*
 * More than one chunk's worth: chunks mapped side by side over an address
 * range found free first (single-threaded, so nothing takes it meanwhile).
 */
static void *
alloc_large(struct vblk *b, size_t size)
{
	size_t nchunks = (size + PT_DMA_MAX - 1) / PT_DMA_MAX;
	if (b->nchunks + nchunks > VBLK_CHUNKS)
		return NULL;
	void *base = mmap(NULL, size, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS,
			  -1, 0);
	if (base == MAP_FAILED)
		return NULL;
	munmap(base, size);
	for (size_t off = 0; off < size; off += PT_DMA_MAX) {
		size_t len = size - off < PT_DMA_MAX ? size - off : PT_DMA_MAX;
		struct vblk_chunk *c = chunk_add(b, len, (uint8_t *)base + off);
		if (c == NULL)
			return NULL;
		/* Handed out whole; one that landed elsewhere is lost. */
		c->used = len;
		if (c->dma.va != (uint8_t *)base + off)
			return NULL;
	}
	return base;
}

static void *
vblk_alloc(struct blkdev *d, size_t size)
{
	struct vblk *b = d->priv;
	if (size == 0 || size > (size_t)VBLK_CHUNKS * PT_DMA_MAX)
		return NULL;
	size = (size + 4095) & ~(size_t)4095;
	if (size > PT_DMA_MAX)
		return alloc_large(b, size);
	struct vblk_chunk *c = b->nchunks ? &b->chunk[b->nchunks - 1] : NULL;
	if (c == NULL || c->dma.size - c->used < size) {
		size_t chunk = size < VBLK_CHUNK_MIN ? VBLK_CHUNK_MIN : size;
		c = chunk_add(b, chunk, NULL);
		if (c == NULL)
			return NULL;
	}
	void *p = c->dma.va + c->used;
	c->used += size;
	return p;
}

/*
 * The bytes from va on that lie in one chunk's handed-out memory, and the
 * physical address of va; 0 if va is in none.
 */
static size_t
span(const struct vblk *b, const void *va, uint64_t *pa)
{
	uintptr_t a = (uintptr_t)va;
	for (unsigned i = 0; i < b->nchunks; i++) {
		const struct vblk_chunk *c = &b->chunk[i];
		uintptr_t start = (uintptr_t)c->dma.va;
		if (a >= start && a < start + c->used) {
			*pa = c->dma.pa + (a - start);
			return start + c->used - a;
		}
	}
	return 0;
}

/* ---- Chains in flight --------------------------------------------------- */

static unsigned
in_flight(const struct vblk *b)
{
	return b->nslots - b->nfree;
}

static struct req_hdr *
slot_hdr(struct vblk *b, unsigned slot)
{
	return (struct req_hdr *)(b->slots.va + sizeof(struct req_hdr) * slot);
}

static volatile uint8_t *
slot_status(struct vblk *b, unsigned slot)
{
	return b->slots.va + sizeof(struct req_hdr) * b->nslots + slot;
}

/*
 * Queues a chain for request r: the header (type, sector), the n data
 * segments in pa/len (from index 1; index 0 and n + 1 are filled here)
 * and the status byte. The caller made sure a slot and n + 2 descriptors
 * are free.
 */
static void
chain_add(struct vblk *b, struct blk_io *r, uint32_t type, uint64_t sector,
	  uint64_t *pa, uint32_t *len, unsigned n)
{
	bool device_writes[SEGS_MAX + 2];
	unsigned slot = b->free_slots[--b->nfree];
	struct req_hdr *h = slot_hdr(b, slot);
	h->type = type;
	h->reserved = 0;
	h->sector = sector;
	*slot_status(b, slot) = S_NONE;
	pa[0] = b->slots.pa + sizeof(*h) * slot;
	len[0] = sizeof(*h);
	pa[n + 1] = b->slots.pa + sizeof(*h) * b->nslots + slot;
	len[n + 1] = 1;
	device_writes[0] = false;
	for (unsigned i = 1; i <= n; i++)
		device_writes[i] = type == T_IN;
	device_writes[n + 1] = true;
	b->slot_io[slot] = r;
	b->requests++;
	b->unkicked = true;
	/* Cannot fail: the caller counted the free descriptors. */
	vq_add(&b->q, pa, len, device_writes, n + 2,
	       (void *)(uintptr_t)(slot + 1));
}

/* Tells the device about the chains added since it was last told. */
static void
kick(struct vblk *b)
{
	if (b->unkicked)
		vq_kick(&b->v, &b->q);
	b->unkicked = false;
}

/* Ends the chain of a used cookie; one that is not ours is ignored. */
static void
chain_done(struct vblk *b, void *cookie)
{
	uintptr_t slot = (uintptr_t)cookie - 1;
	if (slot >= b->nslots || b->slot_io[slot] == NULL)
		return;
	struct blk_io *r = b->slot_io[slot];
	uint8_t s = *slot_status(b, slot);
	int e = s == S_OK ? 0 : s == S_UNSUPP ? -EOPNOTSUPP : -EIO;
	if (e && r->status == 0)
		r->status = e;
	b->slot_io[slot] = NULL;
	b->free_slots[b->nfree++] = (uint16_t)slot;
}

static bool
used_pending(const struct virtq *q)
{
	return q->last_used != *(volatile uint16_t *)(q->used + 2);
}

/* Takes every used chain; returns how many were ours. */
static unsigned
reap(struct vblk *b)
{
	unsigned before = b->nfree;
	uint32_t len;
	/* vq_next_used says NULL for an entry with a bad id, too: go on
	   while entries remain. */
	while (used_pending(&b->q)) {
		void *cookie = vq_next_used(&b->q, &len);
		if (cookie != NULL)
			chain_done(b, cookie);
	}
	return b->nfree - before;
}

/*
 * Returns once at least one chain in flight has come back (at once when
 * none is in flight). Interrupts stay on: vq_interrupts' check after the
 * ring was found empty closes the window in which a completion would go
 * unseen; an interrupt for chains already taken only makes one extra turn.
 */
static void
wait_some(struct vblk *b)
{
	while (in_flight(b) > 0 && reap(b) == 0) {
		if (vq_interrupts(&b->q, true))
			continue;
		struct pt_wait_item w = { b->v.notify, 0, 1ull << b->v.irq_bit,
					  0 };
		b->waits++;
		if (pt_wait(&w, 1, WAIT_NS) > 0 && w.got)
			b->interrupts++;
	}
}

/* ---- Requests ----------------------------------------------------------- */

/* 0, or why r cannot be sent (nothing of it is). */
static int
io_check(const struct vblk *b, const struct blk_io *r)
{
	uint64_t count = r->len / BLK_SECTOR;
	if (r->len == 0 || r->len % BLK_SECTOR || r->sector > b->blk.sectors ||
	    count > b->blk.sectors - r->sector)
		return -EINVAL;
	if (r->write && b->blk.read_only)
		return -EROFS;
	const uint8_t *p = r->buf;
	uint64_t pa;
	for (uint32_t left = r->len; left > 0;) {
		size_t run = span(b, p, &pa);
		if (run == 0)
			return -EINVAL;
		if (run > left)
			run = left;
		p += run;
		left -= (uint32_t)run;
	}
	return 0;
}

/* Data segments a chain may have now: the device's limit, or fewer when
   the ring is short of descriptors. */
static unsigned
segs_now(const struct vblk *b)
{
	unsigned segs = b->q.num_free - 2u;
	return segs < b->seg_cap ? segs : b->seg_cap;
}

/*
 * Sends the part of r from byte off: as much as one chain may carry (its
 * segments within chunks, size_max and the free descriptors), cut to whole
 * sectors. Returns the bytes sent; 0 if nothing fits now (the caller waits
 * for descriptors), or -EINVAL if even an empty ring would not take a
 * sector of it (a device with limits under a sector).
 */
static int
piece_send(struct vblk *b, struct blk_io *r, uint32_t off)
{
	uint64_t pa[SEGS_MAX + 2];
	uint32_t len[SEGS_MAX + 2];
	unsigned segs = segs_now(b), n = 0;
	uint32_t want = r->len - off, bytes = 0;
	if (want > b->request_max)
		want = b->request_max;
	while (bytes < want && n < segs) {
		uint64_t at = 0;
		size_t run = span(b, (uint8_t *)r->buf + off + bytes, &at);
		uint32_t take = want - bytes;
		if (run == 0)
			break;		/* cannot be: io_check looked */
		if (run < take)
			take = (uint32_t)run;
		if (b->size_max < take)
			take = b->size_max;
		n++;
		pa[n] = at;
		len[n] = take;
		bytes += take;
	}
	/* Only whole sectors: drop the tail of the last segments. */
	for (uint32_t cut = bytes % BLK_SECTOR; cut > 0;) {
		uint32_t from_last = len[n] < cut ? len[n] : cut;
		len[n] -= from_last;
		cut -= from_last;
		bytes -= from_last;
		if (len[n] == 0)
			n--;
	}
	if (bytes == 0)
		return segs < b->seg_cap ? 0 : -EINVAL;
	chain_add(b, r, r->write ? T_OUT : T_IN, r->sector + off / BLK_SECTOR,
		  pa, len, n);
	return (int)bytes;
}

static int
vblk_rw(struct blkdev *d, struct blk_io *io, unsigned n)
{
	struct vblk *b = d->priv;
	for (unsigned i = 0; i < n; i++)
		io[i].status = io_check(b, &io[i]);
	unsigned i = 0;
	uint32_t off = 0;
	while (i < n) {
		struct blk_io *r = &io[i];
		if (r->status != 0 || off >= r->len) {
			i++;
			off = 0;
			continue;
		}
		/* A slot and, beside header and status, one segment. */
		if (b->nfree == 0 || b->q.num_free < 3) {
			kick(b);
			wait_some(b);
			continue;
		}
		int sent = piece_send(b, r, off);
		if (sent > 0) {
			off += (uint32_t)sent;
		} else if (sent < 0) {
			r->status = sent;
		} else {
			kick(b);
			wait_some(b);
		}
	}
	kick(b);
	while (in_flight(b) > 0)
		wait_some(b);
	for (i = 0; i < n; i++)
		if (io[i].status)
			return io[i].status;
	return 0;
}

static int
vblk_flush(struct blkdev *d)
{
	struct vblk *b = d->priv;
	if (!b->has_flush)
		return 0;
	struct blk_io r = { 0 };
	uint64_t pa[2];
	uint32_t len[2];
	/* rw leaves nothing in flight; this is for safety's sake. */
	while (b->nfree == 0 || b->q.num_free < 2)
		wait_some(b);
	chain_add(b, &r, T_FLUSH, 0, pa, len, 0);
	kick(b);
	while (in_flight(b) > 0)
		wait_some(b);
	return r.status;
}

/* ---- Opening ------------------------------------------------------------ */

static uint64_t
capacity_read(struct vio_dev *v)
{
	uint32_t hi, lo;
	/* Two halves: read again if the high one moved in between. */
	for (int tries = 0;; tries++) {
		hi = vio_config_read(v, CFG_CAPACITY + 4, 4);
		lo = vio_config_read(v, CFG_CAPACITY, 4);
		if (hi == vio_config_read(v, CFG_CAPACITY + 4, 4) || tries == 3)
			break;
	}
	return (uint64_t)hi << 32 | lo;
}

/* Bytes one chain may carry under the device's limits and ours. */
static uint32_t
device_request_max(const struct vblk *b)
{
	uint64_t max = (uint64_t)b->seg_cap * b->size_max;
	if (max > REQUEST_CAP)
		max = REQUEST_CAP;
	return (uint32_t)(max / BLK_SECTOR * BLK_SECTOR);
}

static int
limits_read(struct vblk *b)
{
	uint64_t f = b->v.features;
	b->size_max = UINT32_MAX;
	if (f & bit(F_SIZE_MAX))
		b->size_max = vio_config_read(&b->v, CFG_SIZE_MAX, 4);
	b->seg_max = UINT32_MAX;
	if (f & bit(F_SEG_MAX))
		b->seg_max = vio_config_read(&b->v, CFG_SEG_MAX, 4);
	if (f & bit(F_BLK_SIZE))
		b->blk_size = vio_config_read(&b->v, CFG_BLK_SIZE, 4);
	b->has_flush = f & bit(F_FLUSH);
	if (b->size_max < BLK_SECTOR || b->seg_max == 0) {
		say("the device's size_max or seg_max is below one sector");
		return -ENODEV;
	}
	return 0;
}

static int
slots_setup(struct vblk *b)
{
	if (b->q.size < 3) {
		say("request queue too small");
		return -ENODEV;
	}
	b->nslots = b->q.size < VBLK_QUEUE_MAX ? b->q.size : VBLK_QUEUE_MAX;
	size_t bytes = (sizeof(struct req_hdr) + 1) * b->nslots;
	int e = vio_dma_alloc(&b->v, &b->slots, (bytes + 4095) & ~(size_t)4095);
	if (e < 0)
		return e;
	for (unsigned i = 0; i < b->nslots; i++)
		b->free_slots[i] = (uint16_t)(b->nslots - 1 - i);
	b->nfree = b->nslots;
	unsigned cap = b->q.size - 2u;
	if (cap > SEGS_MAX)
		cap = SEGS_MAX;
	b->seg_cap = b->seg_max < cap ? b->seg_max : cap;
	b->request_max = device_request_max(b);
	return 0;
}

int
vblk_open(struct vblk *b, pt_handle_t dev, pt_handle_t notify, unsigned irq_bit)
{
	memset(b, 0, sizeof(*b));
	int e = vio_open(&b->v, dev, VIRTIO_ID_BLOCK);
	if (e < 0)
		return e;
	uint64_t want = bit(F_SIZE_MAX) | bit(F_SEG_MAX) | bit(F_RO) |
			bit(F_BLK_SIZE) | bit(F_FLUSH);
	if ((e = vio_negotiate(&b->v, want)) < 0 || (e = limits_read(b)) < 0 ||
	    (e = vio_queue_setup(&b->v, &b->q, 0, VBLK_QUEUE_MAX)) < 0 ||
	    (e = slots_setup(b)) < 0 ||
	    (e = vio_irq_setup(&b->v, notify, irq_bit)) < 0 ||
	    (e = vio_ready(&b->v)) < 0) {
		vio_reset(&b->v);
		return e;
	}
	b->blk = (struct blkdev){
		.sectors = capacity_read(&b->v),
		.read_only = b->v.features & bit(F_RO),
		.rw = vblk_rw,
		.flush = vblk_flush,
		.alloc = vblk_alloc,
		.priv = b,
	};
	return 0;
}

void
vblk_limit(struct vblk *b, uint32_t bytes)
{
	uint32_t max = device_request_max(b);
	bytes = bytes / BLK_SECTOR * BLK_SECTOR;
	if (bytes < BLK_SECTOR)
		bytes = BLK_SECTOR;
	b->request_max = bytes < max ? bytes : max;
}
