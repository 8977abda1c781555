/*
 * The kernel heap (kernel/mm/kmalloc.c). Host unit tests map these onto
 * malloc/free. None of them sleeps or needs the big lock: each CPU's lists
 * are its own, used with interrupts off (docs/kernel.md, "The kernel heap").
 */
#ifndef KERNEL_KMALLOC_H
#define KERNEL_KMALLOC_H

#include <kernel/types.h>

/* Returns a 16-byte aligned block of at least size bytes, or NULL. */
void *kmalloc(size_t size);
/* Like kmalloc, zero-filled. */
void *kzalloc(size_t size);
/* Frees a block from kmalloc/kzalloc; NULL is ignored. */
void kfree(void *p);
/* Pages the heap holds, in use or on its free lists (/proc/meminfo Slab). */
uint64_t kmalloc_page_count(void);

#endif
