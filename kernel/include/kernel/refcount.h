/*
 * Reference counts of kernel objects (inodes, files, address spaces,
 * descriptor tables, IPC objects...): plain ints under the big lock. The
 * helpers check the two rules every count obeys: it never goes below zero,
 * and an object whose count reached zero (freed) is never taken again.
 * The drop's check is always on, being one compare on a path that frees;
 * the take's is the assert-enabled build's. Freed kmalloc memory is
 * poisoned there with bytes that read as a negative count, so a take or
 * drop of a freed object fails the check.
 */
#ifndef KERNEL_REFCOUNT_H
#define KERNEL_REFCOUNT_H

#include <kernel/types.h>
#include <kernel/assert.h>

/* Takes one more reference on a live object. */
static inline void
ref_get(int *count)
{
	KASSERT(*count > 0);
	(*count)++;
}

/* Drops one reference; returns true if it was the last (free the object). */
static inline bool
ref_put(int *count)
{
	assert(*count > 0);
	return --*count == 0;
}

#endif
