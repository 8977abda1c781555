/*
 * fsd's block cache: a fixed pool of block buffers in memory the device
 * can reach, found by a hash on the block number and reused least
 * recently used first. Dirty blocks go back on eviction (the oldest ones
 * together) and on sync, sorted by block number, consecutive blocks merged
 * into one request, and each batch's requests in flight together.
 */
#include "ext2_int.h"
#include <stdlib.h>

#define CHUNK_MAX (4u << 20)	/* the most the device gives in one piece */
#define CHUNKS_MAX 64
#define STAGE_BYTES (1u << 20)	/* where scattered runs are merged */
#define REQ_MAX_BYTES (256u << 10)	/* the longest request made */
#define IO_BATCH 64		/* requests in flight per batch */
#define EVICT_BYTES (1u << 20)	/* dirty data written per eviction */
#define EVICT_BATCH 1024	/* and at most so many blocks */
#define NO_BLOCK UINT64_MAX

struct io_req {
	unsigned first, count;	/* the buffers of a list it covers */
	bool staged;		/* through the stage, not the buffer */
};

struct bcache {
	struct blkdev *dev;
	bcache_error_fn on_error;
	void *ctx;
	uint8_t *chunk[CHUNKS_MAX];
	size_t chunk_bytes[CHUNKS_MAX];
	unsigned nchunks;
	uint8_t *stage;
	size_t stage_bytes;

	uint32_t bsize;
	struct bbuf *bufs;
	unsigned nbufs;
	struct bbuf **hash;
	unsigned hash_mask;
	struct bbuf lru;	/* lru.lru_next: the least recently used */
	struct bbuf **list;	/* scratch for batches, nbufs long */
	struct bbuf *evict[EVICT_BATCH];	/* scratch for write_oldest */
	struct blk_io io[IO_BATCH];
	struct io_req req[IO_BATCH];
};

/*
 * A cache over dev of about bytes of buffers (taken from dev->alloc in
 * pieces of at most 4 MiB); bcache_set_block_size makes the buffers. NULL
 * when the device gives too little memory.
 */
struct bcache *
bcache_create(struct blkdev *dev, size_t bytes, bcache_error_fn on_error,
	      void *ctx)
{
	struct bcache *c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	c->dev = dev;
	c->on_error = on_error;
	c->ctx = ctx;
	bytes = (bytes + 4095) & ~(size_t)4095;
	c->stage_bytes = bytes / 4 < STAGE_BYTES ? bytes / 4 : STAGE_BYTES;
	c->stage_bytes &= ~(size_t)4095;
	c->stage = dev->alloc(dev, c->stage_bytes);
	if (!c->stage) {
		free(c);
		return NULL;
	}
	while (bytes && c->nchunks < CHUNKS_MAX) {
		size_t n = bytes < CHUNK_MAX ? bytes : CHUNK_MAX;
		uint8_t *p = dev->alloc(dev, n);
		if (!p)
			break;
		c->chunk[c->nchunks] = p;
		c->chunk_bytes[c->nchunks++] = n;
		bytes -= n;
	}
	if (c->nchunks == 0) {
		free(c);
		return NULL;
	}
	c->lru.lru_next = c->lru.lru_prev = &c->lru;
	return c;
}

/* Reads len bytes (at most the stage, sector-aligned) at byte into out. */
int
bcache_read_raw(struct bcache *c, uint64_t byte, void *out, size_t len)
{
	if (byte % BLK_SECTOR || len % BLK_SECTOR || len > c->stage_bytes)
		return -EINVAL;
	struct blk_io io = {
		.sector = byte / BLK_SECTOR, .buf = c->stage,
		.len = (uint32_t)len, .write = false,
	};
	int err = c->dev->rw(c->dev, &io, 1);
	if (err)
		return err;
	memcpy(out, c->stage, len);
	return 0;
}

static void
lru_unlink(struct bbuf *b)
{
	b->lru_prev->lru_next = b->lru_next;
	b->lru_next->lru_prev = b->lru_prev;
}

static void
lru_append(struct bcache *c, struct bbuf *b)
{
	b->lru_prev = c->lru.lru_prev;
	b->lru_next = &c->lru;
	c->lru.lru_prev->lru_next = b;
	c->lru.lru_prev = b;
}

static void
lru_prepend(struct bcache *c, struct bbuf *b)
{
	b->lru_next = c->lru.lru_next;
	b->lru_prev = &c->lru;
	c->lru.lru_next->lru_prev = b;
	c->lru.lru_next = b;
}

/*
 * Carves the pool into buffers of bsize bytes. 0, or -ENOMEM when there
 * would be too few of them to work with.
 */
int
bcache_set_block_size(struct bcache *c, uint32_t bsize)
{
	unsigned n = 0;
	for (unsigned i = 0; i < c->nchunks; i++)
		n += (unsigned)(c->chunk_bytes[i] / bsize);
	if (n < 32)
		return -ENOMEM;
	unsigned hsize = 1;
	while (hsize < n)
		hsize <<= 1;
	c->bufs = calloc(n, sizeof(*c->bufs));
	c->hash = calloc(hsize, sizeof(*c->hash));
	c->list = calloc(n, sizeof(*c->list));
	if (!c->bufs || !c->hash || !c->list) {
		free(c->bufs);
		free(c->hash);
		free(c->list);
		c->bufs = NULL;
		return -ENOMEM;
	}
	c->bsize = bsize;
	c->nbufs = n;
	c->hash_mask = hsize - 1;
	unsigned k = 0;
	for (unsigned i = 0; i < c->nchunks; i++) {
		size_t per = c->chunk_bytes[i] / bsize;
		for (size_t j = 0; j < per; j++, k++) {
			struct bbuf *b = &c->bufs[k];
			b->blk = NO_BLOCK;
			b->data = c->chunk[i] + j * bsize;
			b->chunk = (uint16_t)i;
			lru_append(c, b);
		}
	}
	return 0;
}

unsigned
bcache_nbufs(const struct bcache *c)
{
	return c->nbufs;
}

/* Frees what malloc gave (the device's memory is never given back). */
void
bcache_destroy(struct bcache *c)
{
	if (!c)
		return;
	free(c->bufs);
	free(c->hash);
	free(c->list);
	free(c);
}

static unsigned
hash_of(const struct bcache *c, uint64_t blk)
{
	return (unsigned)((blk ^ (blk >> 20)) & c->hash_mask);
}

static struct bbuf *
hash_find(struct bcache *c, uint64_t blk)
{
	struct bbuf *b = c->hash[hash_of(c, blk)];
	while (b && b->blk != blk)
		b = b->hash_next;
	return b;
}

static void
hash_insert(struct bcache *c, struct bbuf *b)
{
	unsigned h = hash_of(c, b->blk);
	b->hash_next = c->hash[h];
	c->hash[h] = b;
}

static void
hash_remove(struct bcache *c, struct bbuf *b)
{
	struct bbuf **pp = &c->hash[hash_of(c, b->blk)];
	while (*pp && *pp != b)
		pp = &(*pp)->hash_next;
	if (*pp)
		*pp = b->hash_next;
}

static int
cmp_blk(const void *a, const void *b)
{
	const struct bbuf *x = *(struct bbuf *const *)a;
	const struct bbuf *y = *(struct bbuf *const *)b;
	return x->blk < y->blk ? -1 : x->blk > y->blk;
}

/* Adds to c->req/c->io the request for list[i..i+count). */
static void
add_request(struct bcache *c, unsigned nio, struct bbuf **list, unsigned i,
	    unsigned count, bool staged, size_t stage_at, bool write)
{
	struct blk_io *io = &c->io[nio];
	uint32_t spb = c->bsize / BLK_SECTOR;
	io->sector = list[i]->blk * spb;
	io->len = count * c->bsize;
	io->write = write;
	io->status = 0;
	io->buf = staged ? c->stage + stage_at : list[i]->data;
	c->req[nio] = (struct io_req){ .first = i, .count = count,
				       .staged = staged };
	if (staged && write)
		for (unsigned k = 0; k < count; k++)
			memcpy(c->stage + stage_at + (size_t)k * c->bsize,
			       list[i + k]->data, c->bsize);
}

/* The run from list[i] of consecutive blocks adjacent in memory. */
static unsigned
memory_run(const struct bcache *c, struct bbuf **list, unsigned i,
	   unsigned n)
{
	unsigned run = 1, max = REQ_MAX_BYTES / c->bsize;
	while (i + run < n && run < max &&
	       list[i + run]->blk == list[i + run - 1]->blk + 1 &&
	       list[i + run]->chunk == list[i + run - 1]->chunk &&
	       list[i + run]->data == list[i + run - 1]->data + c->bsize)
		run++;
	return run;
}

/* The run from list[i] of consecutive blocks that fits the stage. */
static unsigned
staged_run(const struct bcache *c, struct bbuf **list, unsigned i,
	   unsigned n, size_t room)
{
	unsigned run = 1, max = REQ_MAX_BYTES / c->bsize;
	while (i + run < n && run < max &&
	       (size_t)(run + 1) * c->bsize <= room &&
	       list[i + run]->blk == list[i + run - 1]->blk + 1)
		run++;
	return run;
}

/* Finishes a batch of nio requests: copies staged reads, marks results. */
static int
finish_batch(struct bcache *c, struct bbuf **list, unsigned nio, bool write)
{
	int ret = c->dev->rw(c->dev, c->io, nio), err = 0;
	bool any = false;
	for (unsigned r = 0; r < nio; r++)
		any |= c->io[r].status != 0;
	for (unsigned r = 0; r < nio; r++) {
		struct io_req *q = &c->req[r];
		/* A device that failed without saying which: all did. */
		int st = ret && !any ? ret : c->io[r].status;
		if (st && !err)
			err = st;
		if (st && write && c->on_error)
			c->on_error(c->ctx, list[q->first]->blk, q->count, st);
		for (unsigned k = 0; k < q->count; k++) {
			struct bbuf *b = list[q->first + k];
			if (write) {
				b->dirty = false;
			} else if (st) {
				b->valid = false;
			} else {
				if (q->staged)
					memcpy(b->data,
					       (uint8_t *)c->io[r].buf +
						       (size_t)k * c->bsize,
					       c->bsize);
				b->valid = true;
			}
		}
	}
	return err;
}

/*
 * Reads or writes the n buffers of list (sorted by block number) in
 * batches of requests, each a run of consecutive blocks. 0 or the first
 * error; a failed read leaves its buffers invalid.
 */
static int
run_io(struct bcache *c, struct bbuf **list, unsigned n, bool write)
{
	int err = 0;
	unsigned i = 0;
	while (i < n) {
		unsigned nio = 0;
		size_t staged = 0;
		while (i < n && nio < IO_BATCH) {
			unsigned run = memory_run(c, list, i, n);
			bool use_stage = false;
			if (run == 1 && i + 1 < n &&
			    list[i + 1]->blk == list[i]->blk + 1) {
				/* Consecutive but apart in memory: merge them in
				 * the stage, or first send what fills it. */
				size_t room = c->stage_bytes - staged;
				if (room < 2 * c->bsize && nio)
					break;
				if (room >= 2 * c->bsize) {
					run = staged_run(c, list, i, n, room);
					use_stage = true;
				}
			}
			add_request(c, nio++, list, i, run, use_stage, staged,
				    write);
			if (use_stage)
				staged += (size_t)run * c->bsize;
			i += run;
		}
		int e = finish_batch(c, list, nio, write);
		if (e && !err)
			err = e;
	}
	return err;
}

/* Writes back the oldest dirty buffers, up to EVICT_BATCH of them. */
static void
write_oldest(struct bcache *c)
{
	unsigned n = 0, seen = 0, max = EVICT_BYTES / c->bsize;
	if (max > EVICT_BATCH)
		max = EVICT_BATCH;
	for (struct bbuf *b = c->lru.lru_next;
	     b != &c->lru && n < max && seen < 4 * max;
	     b = b->lru_next, seen++)
		if (b->dirty)
			c->evict[n++] = b;
	qsort(c->evict, n, sizeof(*c->evict), cmp_blk);
	run_io(c, c->evict, n, true);
}

/* An unpinned buffer to reuse, emptied and pinned; NULL if all pinned. */
static struct bbuf *
take_buffer(struct bcache *c)
{
	struct bbuf *b = c->lru.lru_next;
	if (b == &c->lru)
		return NULL;
	if (b->dirty)
		write_oldest(c);
	lru_unlink(b);
	if (b->blk != NO_BLOCK)
		hash_remove(c, b);
	b->blk = NO_BLOCK;
	b->valid = false;
	b->dirty = false;
	b->pins = 1;
	return b;
}

static void
pin(struct bcache *c, struct bbuf *b)
{
	(void)c;
	if (b->pins++ == 0)
		lru_unlink(b);
}

/* Gives the buffer back unused: first in line for reuse. */
static void
drop_buffer(struct bcache *c, struct bbuf *b)
{
	if (b->blk != NO_BLOCK)
		hash_remove(c, b);
	b->blk = NO_BLOCK;
	b->valid = b->dirty = false;
	b->pins = 0;
	lru_prepend(c, b);
}

/*
 * Block blk, read from the device unless cached, pinned in *out until
 * bcache_put. 0, -EIO, or -ENOMEM when every buffer is pinned.
 */
int
bcache_get(struct bcache *c, uint64_t blk, struct bbuf **out)
{
	struct bbuf *b = hash_find(c, blk);
	if (b) {
		pin(c, b);
		*out = b;
		return 0;
	}
	b = take_buffer(c);
	if (!b)
		return -ENOMEM;
	b->blk = blk;
	hash_insert(c, b);
	c->list[0] = b;
	if (run_io(c, c->list, 1, false)) {
		drop_buffer(c, b);
		return -EIO;
	}
	*out = b;
	return 0;
}

/*
 * Block blk without reading it, for a caller about to fill it all: the
 * cached copy if there is one, else zeros. Pinned until bcache_put.
 */
int
bcache_get_nofill(struct bcache *c, uint64_t blk, struct bbuf **out)
{
	struct bbuf *b = hash_find(c, blk);
	if (b) {
		pin(c, b);
		*out = b;
		return 0;
	}
	b = take_buffer(c);
	if (!b)
		return -ENOMEM;
	b->blk = blk;
	b->valid = true;
	memset(b->data, 0, c->bsize);
	hash_insert(c, b);
	*out = b;
	return 0;
}

bool
bcache_cached(struct bcache *c, uint64_t blk)
{
	return hash_find(c, blk) != NULL;
}

/* Unpins b: it becomes the most recently used. */
void
bcache_put(struct bcache *c, struct bbuf *b)
{
	if (b->pins && --b->pins == 0)
		lru_append(c, b);
}

void
bcache_dirty(struct bcache *c, struct bbuf *b)
{
	(void)c;
	b->dirty = true;
}

/*
 * Reads the blocks of blks not yet cached, all in one batch, as a guess
 * that they are wanted next; failures are left for bcache_get to meet.
 * At most a quarter of the cache is given to it.
 */
void
bcache_readahead(struct bcache *c, const uint64_t *blks, unsigned n)
{
	unsigned max = c->nbufs / 4, m = 0;
	for (unsigned i = 0; i < n && m < max; i++) {
		if (hash_find(c, blks[i]))
			continue;
		struct bbuf *b = take_buffer(c);
		if (!b)
			break;
		b->blk = blks[i];
		hash_insert(c, b);
		c->list[m++] = b;
	}
	qsort(c->list, m, sizeof(*c->list), cmp_blk);
	run_io(c, c->list, m, false);
	for (unsigned i = 0; i < m; i++) {
		struct bbuf *b = c->list[i];
		if (b->valid)
			bcache_put(c, b);
		else
			drop_buffer(c, b);
	}
}

/* Forgets block blk (freed): its contents need not reach the disk. */
void
bcache_discard(struct bcache *c, uint64_t blk)
{
	struct bbuf *b = hash_find(c, blk);
	if (!b || b->pins)
		return;
	lru_unlink(b);
	drop_buffer(c, b);
}

/* Writes every dirty block back. 0 or the first error. */
int
bcache_sync(struct bcache *c)
{
	unsigned n = 0;
	for (unsigned i = 0; i < c->nbufs; i++)
		if (c->bufs[i].dirty)
			c->list[n++] = &c->bufs[i];
	qsort(c->list, n, sizeof(*c->list), cmp_blk);
	return run_io(c, c->list, n, true);
}
