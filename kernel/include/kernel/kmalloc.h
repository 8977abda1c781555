/*
 * The kernel heap (kernel/mm/kmalloc.c). Host unit tests map these onto
 * malloc/free. None of them sleep; callers hold the big kernel lock.
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
