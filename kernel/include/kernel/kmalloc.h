/*
 * The kernel heap (kernel/mm/kmalloc.c). Host unit tests map these onto
 * malloc/free. None of them sleeps or needs the big lock: each CPU's lists
 * are its own, used with interrupts off (docs/kernel.md, "The kernel heap").
 */
#ifndef KERNEL_KMALLOC_H
#define KERNEL_KMALLOC_H

#include <kernel/types.h>

/* The small blocks' size classes: 32 to 2048 bytes, header included. */
#define KMALLOC_CLASS_MIN 5
#define KMALLOC_CLASS_MAX 11

struct block_hdr;

/*
 * One CPU's heap, in its struct cpu (kmalloc.c): for each size class its
 * freed blocks, and its newest page and how far it is carved (a block is
 * carved only when asked for and none is free, not all of a page's
 * blocks put on the free list at once: the boot's some 2,000 allocations
 * paid 8 instructions a block for that); the pages it took less those it
 * gave back (the heap's size is the sum). Its CPU's only, interrupts off.
 */
struct heap_class {
	struct block_hdr *free;
	uint8_t *carve_next, *carve_end;
};

struct heap_cpu {
	struct heap_class cls[KMALLOC_CLASS_MAX + 1];
	int64_t pages;
};

/* Returns a 16-byte aligned block of at least size bytes, or NULL. */
void *kmalloc(size_t size);
/* Like kmalloc, zero-filled. */
void *kzalloc(size_t size);
/* Frees a block from kmalloc/kzalloc; NULL is ignored. */
void kfree(void *p);
/* Pages the heap holds, in use or on its free lists (/proc/meminfo Slab). */
uint64_t kmalloc_page_count(void);

#endif
