/*
 * What the object types of kernel/ipc/ offer the generic object code
 * (handle.c: destruction at the last reference; wait.c: the signals a wait
 * sees) and one another. Big lock held.
 */
#ifndef IPC_INT_H
#define IPC_INT_H

#include <kernel/types.h>
#include <kernel/errno.h>
#include <kernel/ipc.h>
#include <kernel/proc.h>

/* Each type's destructor, called by kobj_put at the last reference. */
void chan_end_destroy(struct kobj *o);	/* chan.c: one end of a channel */
void notify_destroy(struct kobj *o);	/* notify.c */
void mem_destroy(struct kobj *o);	/* mem.c */
void device_destroy(struct kobj *o);	/* device.c */

/* mem.c: a memory object of size bytes (physically contiguous if
 * contig, for DMA): one reference, or an error pointer. */
struct kobj *mem_create(uint64_t size, bool contig);
/* chan.c: a channel end's signals now (PT_SIG_READABLE, _PEER_CLOSED). */
uint64_t chan_signals(struct kobj *o);
/* notify.c: takes and returns the notification's bits among want. */
uint64_t notify_take(struct kobj *o, uint64_t want);
/* notify.c: sets bits and wakes waiters, with or without the big lock;
 * interrupt handlers call it too. Takes the notification's lock. */
void notify_raise(struct kobj *o, uint64_t bits);
/* notify.c: the notification's lock, which guards its bits' raise and its
 * observers. */
struct spinlock *notify_lock(struct kobj *o);
/* wait.c: tells o's observers, every one a pt_wait's, with o's observers
 * lock held (notify_raise). */
void kobj_tell_held(struct kobj *o);

/* The live slot that value h names in p's table, or NULL (none, or a
 * stale value). */
static inline struct handle_slot *
handle_slot_of(struct proc *p, int h)
{
	if (h <= 0 || !p->handles)
		return NULL;
	struct handle_slot *s = &p->handles->slot[h & (PT_HANDLE_MAX - 1)];
	if (!s->obj || (uint32_t)h >> HANDLE_SLOT_BITS != s->gen)
		return NULL;
	return s;
}

/* handle_lookup, inline for the channel calls (one per call). */
static inline struct kobj *
handle_lookup_inline(struct proc *p, int h, uint32_t type, uint32_t rights)
{
	struct handle_slot *s = handle_slot_of(p, h);
	if (!s)
		return ERR_PTR(-EBADF);
	if (type && s->obj->type != type)
		return ERR_PTR(-EBADFD);
	if ((s->rights & rights) != rights)
		return ERR_PTR(-EPERM);
	return s->obj;
}

#endif
