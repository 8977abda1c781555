/*
 * Reference counts of kernel objects (inodes, files, address spaces,
 * descriptor tables, IPC objects...): plain ints under the big lock, or
 * atomic ones (the _atomic helpers) for objects nolock calls share. The
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

/* The same for a count that calls without the big lock share (a file's):
 * atomic, so two CPUs dropping at once see one of them reach zero. */
static inline void
ref_get_atomic(int *count)
{
	int was = __atomic_fetch_add(count, 1, __ATOMIC_RELAXED);
	KASSERT(was > 0);	/* never taken once freed */
}

static inline bool
ref_put_atomic(int *count)
{
	int was = __atomic_fetch_sub(count, 1, __ATOMIC_ACQ_REL);
	assert(was > 0);
	return was == 1;
}

/* Drops one reference unless it is the last; returns false, leaving the
 * count at one, when the caller must drop the last itself (where it may
 * free). */
static inline bool
ref_put_unless_last(int *count)
{
	int c = __atomic_load_n(count, __ATOMIC_RELAXED);
	while (c > 1)
		if (__atomic_compare_exchange_n(count, &c, c - 1, false,
						__ATOMIC_RELEASE, __ATOMIC_RELAXED))
			return true;
	return false;
}

#endif
