/*
 * A tmpfs file's pages by index: a directory of chunks of 512 page
 * addresses, each chunk made when one of its pages first comes, so a
 * sparse file (one page written past 4 GiB) costs a few pages of index,
 * not one slot per page of its size. The first chunk starts with a few
 * slots and doubles as the file grows: a small file's index is a few
 * bytes, not a page (the 40 files of the boot image took 164 KiB).
 */
#include <kernel/tmpfs.h>
#include <kernel/kmalloc.h>
#include <kernel/page.h>
#include <kernel/string.h>
#include <kernel/errno.h>
#include "tmpfs_int.h"

#define CHUNK_PAGES 512
#define FIRST_SLOTS_MIN 4

/* The slots chunk c has (chunks[c] must exist). */
static unsigned
chunk_slots(const struct tmpfs_node *n, uint64_t c)
{
	return c == 0 ? n->first_slots : CHUNK_PAGES;
}

/* The slot of page i, or NULL when its chunk or slot is not there. */
static paddr_t *
slot_of(const struct tmpfs_node *n, uint64_t i)
{
	uint64_t c = i / CHUNK_PAGES;
	if (c >= n->nchunks || !n->chunks[c] || i % CHUNK_PAGES >= chunk_slots(n, c))
		return NULL;
	return &n->chunks[c][i % CHUNK_PAGES];
}

paddr_t
tmpfs_page(const struct tmpfs_node *n, uint64_t i)
{
	paddr_t *slot = slot_of(n, i);
	return slot ? *slot : 0;
}

/* Makes the directory hold chunk c; 0 or -ENOMEM. */
static int
grow_directory(struct tmpfs_node *n, uint64_t c)
{
	if (c < n->nchunks)
		return 0;
	size_t cap = MAX((size_t)c + 1, n->nchunks * 2);
	paddr_t **d = kzalloc(cap * sizeof(*d));
	if (!d)
		return -ENOMEM;
	if (n->chunks)
		memcpy(d, n->chunks, n->nchunks * sizeof(*d));
	kfree(n->chunks);
	n->chunks = d;
	n->nchunks = cap;
	return 0;
}

/* Makes the first chunk hold slot i (below CHUNK_PAGES); 0 or -ENOMEM. */
static int
grow_first(struct tmpfs_node *n, uint64_t i)
{
	unsigned slots = MAX(n->first_slots, (unsigned)FIRST_SLOTS_MIN);
	while (slots <= i)
		slots *= 2;
	paddr_t *chunk = kzalloc(slots * sizeof(paddr_t));
	if (!chunk)
		return -ENOMEM;
	if (n->chunks[0])
		memcpy(chunk, n->chunks[0], n->first_slots * sizeof(paddr_t));
	kfree(n->chunks[0]);
	n->chunks[0] = chunk;
	n->first_slots = slots;
	return 0;
}

paddr_t *
tmpfs_page_slot(struct tmpfs_node *n, uint64_t i)
{
	uint64_t c = i / CHUNK_PAGES;
	SPIN_ASSERT_HELD(&n->lock);	/* [N]: a nolock read may be looking */
	if (grow_directory(n, c) < 0)
		return NULL;
	if (c == 0 && i >= n->first_slots && grow_first(n, i) < 0)
		return NULL;
	if (!n->chunks[c])
		n->chunks[c] = kzalloc(CHUNK_PAGES * sizeof(paddr_t));
	return slot_of(n, i);
}

/* The last index of [i, end)'s part in i's chunk. */
static uint64_t
chunk_last(uint64_t i, uint64_t end)
{
	return MIN(end, (i / CHUNK_PAGES + 1) * CHUNK_PAGES) - 1;
}

/* Makes every slot of [first, end) (the last of each chunk first, which
 * makes the chunk); with empty, fails with -EEXIST if one is in use. */
static int
slots_make(struct tmpfs_node *n, uint64_t first, uint64_t end, bool empty)
{
	uint64_t i, last;
	paddr_t *slot;

	for (i = first; i < end; i = last + 1) {
		last = chunk_last(i, end);
		slot = tmpfs_page_slot(n, last);
		if (!slot)
			return -ENOMEM;
		for (slot -= last - i; empty && i <= last; i++, slot++)
			if (*slot)
				return -EEXIST;
	}
	return 0;
}

/* Fills the slots of [first, end), all made: value, value + step, ... */
static void
slots_fill(struct tmpfs_node *n, uint64_t first, uint64_t end,
	   paddr_t value, paddr_t step)
{
	uint64_t i, last;
	paddr_t *slot;

	for (i = first; i < end; i = last + 1) {
		last = chunk_last(i, end);
		for (slot = slot_of(n, i); i <= last; i++, slot++)
			*slot = value + (i - first) * step;
	}
}

int
tmpfs_pages_place(struct tmpfs_node *n, uint64_t first, paddr_t pa,
		  size_t count)
{
	/* Every slot made and found empty before any is filled. */
	int err = slots_make(n, first, first + count, true);
	if (err == 0)
		slots_fill(n, first, first + count, pa, PAGE_SIZE);
	return err;
}

int
tmpfs_pages_mark(struct tmpfs_node *n, uint64_t first, size_t count,
		 paddr_t value)
{
	int err = slots_make(n, first, first + count, false);
	if (err == 0)
		slots_fill(n, first, first + count, value, 0);
	return err;
}

uint64_t
tmpfs_page_next(const struct tmpfs_node *n, uint64_t i, bool present,
		uint64_t limit)
{
	while (i < limit) {
		uint64_t c = i / CHUNK_PAGES;
		if (c >= n->nchunks)	/* holes from here on */
			return present ? limit : i;
		if (!n->chunks[c]) {
			if (!present)
				return i;
			i = (c + 1) * CHUNK_PAGES;	/* a chunk of holes */
			continue;
		}
		if (i % CHUNK_PAGES >= chunk_slots(n, c)) {	/* holes to the chunk's end */
			if (!present)
				return i;
			i = (c + 1) * CHUNK_PAGES;
			continue;
		}
		if ((n->chunks[c][i % CHUNK_PAGES] != 0) == present)
			return i;
		i++;
	}
	return limit;
}

void
tmpfs_pages_drop(struct inode *ino, uint64_t first, uint64_t last)
{
	struct tmpfs_node *n = node(ino);
	SPIN_ASSERT_HELD(&n->lock);	/* [N]: a nolock read may be copying */
	for (uint64_t c = first / CHUNK_PAGES; c < n->nchunks &&
	     c * CHUNK_PAGES < last; c++) {
		if (!n->chunks[c])
			continue;
		for (unsigned k = 0; k < chunk_slots(n, c); k++) {
			uint64_t i = c * CHUNK_PAGES + k;
			if (i >= first && i < last && n->chunks[c][k]) {
				paddr_t pa = n->chunks[c][k];
				n->chunks[c][k] = 0;
				if (pa == TMPFS_SLOT_PACKED)
					tmpfs_packed_slot_gone(ino);
				else
					tmpfs_page_put(ino->sb, pa);
				ino->blocks -= PAGE_SIZE / 512;
			}
		}
	}
}

void
tmpfs_pages_cut(struct inode *ino, uint64_t size)
{
	struct tmpfs_node *n = node(ino);
	uint64_t keep = ALIGN_UP(size, PAGE_SIZE) / PAGE_SIZE;
	tmpfs_pages_drop(ino, keep, UINT64_MAX);	/* [N] asserted there */
	tmpfs_packed_truncate(n, size);	/* a packed last page: unpacked so */
	paddr_t last = keep > 0 ? tmpfs_page(n, keep - 1) : 0;
	if ((size & (PAGE_SIZE - 1)) && last && last != TMPFS_SLOT_PACKED) {
		size_t off = size & (PAGE_SIZE - 1);
		memset((char *)phys_to_virt(last) + off, 0, PAGE_SIZE - off);
		page_changed(last);
	}
}

void
tmpfs_pages_free(struct tmpfs_node *n)
{
	SPIN_ASSERT_HELD(&n->lock);
	for (size_t c = 0; c < n->nchunks; c++)
		kfree(n->chunks[c]);
	kfree(n->chunks);
	n->chunks = NULL;
	n->nchunks = 0;
	n->first_slots = 0;
}

uint64_t
tmpfs_pages_count(const struct tmpfs_node *n, uint64_t first, uint64_t last)
{
	uint64_t count = 0;
	for (uint64_t i = tmpfs_page_next(n, first, true, last); i < last;
	     i = tmpfs_page_next(n, i + 1, true, last))
		count++;
	return count;
}
