/*
 * Host stand-ins for the kernel services portable code links against:
 * the heap maps onto malloc, so ASan sees every kernel allocation.
 */
#include <stdlib.h>
#include <kernel/kmalloc.h>

/* Returns a 16-byte aligned block of size bytes, or NULL. */
void *
kmalloc(size_t size)
{
	void *p = NULL;

	if (posix_memalign(&p, 16, size ? size : 1) != 0)
		return NULL;
	return p;
}

/* Returns a zero-filled block like kmalloc, or NULL. */
void *
kzalloc(size_t size)
{
	return calloc(1, size ? size : 1);
}

/* Frees a block from kmalloc/kzalloc; NULL is ignored. */
void
kfree(void *p)
{
	free(p);
}
