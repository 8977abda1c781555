/*
 * The kernel heap: power-of-two size classes from 32 to 2048 bytes carved
 * from pages, and whole page blocks above that. A 16-byte header before each
 * small block records its class so kfree needs no size; a page block has
 * none (a 4 KiB request took 8 KiB with one), so kfree knows it by its
 * page alignment, which no small block has, and asks the page allocator
 * its order. Blocks are not zeroed (kzalloc is): a 4 KiB path or a read's
 * bounce buffer is filled at once.
 *
 * Each CPU has free lists and carving pages of its own (struct heap_cpu),
 * touched only by that CPU with interrupts off, as all kernel code runs:
 * no lock, and no big lock either, so the nolock system calls allocate
 * too (docs/kernel.md, "The kernel heap"). A block freed on another CPU
 * than the one that carved it joins the freeing CPU's lists.
 */
#include <kernel/kmalloc.h>
#include <kernel/page.h>
#include <kernel/printk.h>
#include <kernel/string.h>
#include <kernel/lock.h>
#include <kernel/cpu.h>
#include <kernel/arch.h>

#define HDR 16
#define CLASS_MIN KMALLOC_CLASS_MIN
#define CLASS_MAX KMALLOC_CLASS_MAX
#define KMALLOC_MAGIC 0x6b6d616c

struct block_hdr {
	uint32_t magic;
	uint32_t class;		/* size class */
	struct block_hdr *next;	/* free list link while free */
};

/* Freed blocks are filled with this in the assert-enabled build: a pointer
 * read from one is not canonical, an int (a reference count) negative. */
#define KMALLOC_POISON 0xa5

static inline struct heap_cpu *
heap_here(void)
{
	/* Interrupts off (no handler of this CPU allocates meanwhile) and no
	   sleep before the caller is done with it (same CPU throughout). */
	KASSERT(!arch_irq_enabled());
	return &this_cpu()->heap;
}

/* h took `pages` more pages (gave back, if negative). */
static inline void
heap_count(struct heap_cpu *h, int64_t pages)
{
	__atomic_store_n(&h->pages, h->pages + pages, __ATOMIC_RELAXED);
}

/* Summed unlocked: a moment's view (meminfo's Slab, the boot banner). */
uint64_t
kmalloc_page_count(void)
{
	int64_t pages = 0;
	for (int i = 0; i < CPU_MAX; i++)
		pages += __atomic_load_n(&cpus[i].heap.pages, __ATOMIC_RELAXED);
	return pages > 0 ? (uint64_t)pages : 0;
}

/* The smallest class whose blocks hold total bytes (total > 1). */
static unsigned
class_for(size_t total)
{
	unsigned c = 64 - (unsigned)__builtin_clzl(total - 1);

	return c < CLASS_MIN ? CLASS_MIN : c;
}

/* A new page for class k to carve; false if memory is short. */
static __attribute__((noinline)) bool
carve_page(struct heap_class *k)
{
	/* Not zeroed: kzalloc zeroes each block it hands out anyway. */
	uint8_t *page = page_alloc_kva_dirty(0);
	if (!page)
		return false;
	/* A size class's page is never given back. */
	heap_count(heap_here(), 1);
	if (ASSERTS_ENABLED)	/* as if freed: a read before a write shows */
		memset(page, KMALLOC_POISON, PAGE_SIZE);
	k->carve_next = page;
	k->carve_end = page + PAGE_SIZE;
	return true;
}

/* A new block of class c, from k's newest page or a new one; NULL if
 * memory is short. Inline: at boot every allocation carves (the free
 * lists are empty), some 2,000 of them. */
static inline __attribute__((always_inline)) struct block_hdr *
carve(struct heap_class *k, unsigned c)
{
	if (k->carve_next == k->carve_end && !carve_page(k))
		return NULL;
	struct block_hdr *b = (struct block_hdr *)k->carve_next;
	k->carve_next += (size_t)1 << c;
	b->class = c;
	return b;
}

/* kmalloc of more than the largest class: whole pages. */
static __attribute__((noinline)) void *
kmalloc_pages(size_t size)
{
	unsigned order = 0;

	if (size > (1ul << 30))
		return NULL;
	while ((PAGE_SIZE << order) < size)
		order++;
	if (order > PAGE_ORDER_MAX)
		return NULL;
	void *block = page_alloc_kva_dirty(order);	/* kzalloc zeroes */
	if (block)
		heap_count(heap_here(), (int64_t)1 << order);
	return block;
}

/* kmalloc, inline in kzalloc too. */
static inline __attribute__((always_inline)) void *
heap_alloc(size_t size)
{
	size_t total = size + HDR;
	struct block_hdr *b;

	if (size > (1ul << 30) || total > ((size_t)1 << CLASS_MAX) ||
	    total > PAGE_SIZE / 2)
		return kmalloc_pages(size);
	unsigned c = class_for(total);
	struct heap_class *k = &heap_here()->cls[c];
	b = k->free;
	if (b)
		k->free = b->next;
	else if (!(b = carve(k, c)))
		return NULL;
	b->magic = KMALLOC_MAGIC;
	return (uint8_t *)b + HDR;
}

void *
kmalloc(size_t size)
{
	return heap_alloc(size);
}

void *
kzalloc(size_t size)
{
	void *p = heap_alloc(size);
	if (p)
		memset(p, 0, size);
	return p;
}

void
kfree(void *p)
{
	if (!p)
		return;
	if (((uintptr_t)p & (PAGE_SIZE - 1)) == 0) {	/* a page block */
		unsigned order = page_block_order(virt_to_phys(p));
		if (ASSERTS_ENABLED)
			memset(p, KMALLOC_POISON, PAGE_SIZE << order);
		heap_count(heap_here(), -((int64_t)1 << order));
		page_free_kva(p, order);
		return;
	}
	struct block_hdr *b = (struct block_hdr *)((uint8_t *)p - HDR);
	if (b->magic != KMALLOC_MAGIC)
		panic("kfree: bad block %p", p);
	b->magic = 0;
	if (ASSERTS_ENABLED)
		memset(p, KMALLOC_POISON, ((size_t)1 << b->class) - HDR);
	struct heap_class *k = &heap_here()->cls[b->class];
	b->next = k->free;
	k->free = b;
}
