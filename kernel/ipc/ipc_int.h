/*
 * What the object types of kernel/ipc/ offer the generic object code
 * (handle.c: destruction at the last reference; wait.c: the signals a wait
 * sees) and one another. Big lock held.
 */
#ifndef IPC_INT_H
#define IPC_INT_H

#include <kernel/types.h>

struct kobj;

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
/* notify.c: sets bits and wakes waiters. Interrupt handlers call it too. */
void notify_raise(struct kobj *o, uint64_t bits);

#endif
