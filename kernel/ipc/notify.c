/*
 * Notifications: 64 bits that signal asynchronously. pt_notify_signal (or an
 * interrupt bound to a bit) sets bits; pt_wait returns and clears them.
 */
#include <kernel/ipc.h>
#include <kernel/proc.h>
#include <kernel/kmalloc.h>
#include <kernel/errno.h>
#include <kernel/lock.h>
#include <kernel/spinlock.h>
#include <syscall_table.h>
#include "ipc_int.h"

/*
 * bits: raised (atomic or) under `lock`, by interrupt handlers and
 * pt_notify_signal, with or without the big lock; taken (atomic and) by
 * pt_wait with or without either, so that a raise racing a take is either
 * taken by it or left for the next. `lock` also guards the observers
 * (struct kobj): a sleeper hangs its observer under it before its last
 * look at the bits, and a raise tells the observers in the same hold as
 * it sets them, so no wake-up is lost. Taken from interrupt handlers:
 * with interrupts off, as all kernel code runs.
 */
struct notify {
	struct kobj obj;
	struct spinlock lock;
	uint64_t bits;			/* raised, not yet taken */
};

static struct notify *
notify_of(struct kobj *o)
{
	return container_of(o, struct notify, obj);
}

void
notify_destroy(struct kobj *o)
{
	kfree(notify_of(o));
}

struct spinlock *
notify_lock(struct kobj *o)
{
	return &notify_of(o)->lock;
}

/* Takes the wanted bits raised; with or without the big lock. */
uint64_t
notify_take(struct kobj *o, uint64_t want)
{
	struct notify *n = notify_of(o);
	uint64_t got = __atomic_load_n(&n->bits, __ATOMIC_RELAXED) & want;
	if (got)
		got &= __atomic_fetch_and(&n->bits, ~got, __ATOMIC_ACQ_REL);
	return got;
}

/* Sets bits and wakes waiters, with or without the big lock: interrupt
 * handlers call it too. Takes the notification's lock. */
void
notify_raise(struct kobj *o, uint64_t bits)
{
	struct notify *n = notify_of(o);
	spin_lock(&n->lock);
	uint64_t old = __atomic_fetch_or(&n->bits, bits, __ATOMIC_ACQ_REL);
	/* All raised already: the waiters were told. */
	if ((old | bits) != old)
		kobj_tell_held(o);
	spin_unlock(&n->lock);
}

long
sys_pt_notify_create(void)
{
	struct notify *n = kzalloc(sizeof(*n));
	if (!n)
		return -ENOMEM;
	kobj_init(&n->obj, PT_OBJ_NOTIFY);
	spin_init(&n->lock);
	return handle_install(current()->proc, &n->obj, PT_RIGHTS_NOTIFY);
}

long
sys_pt_notify_signal(int h, uint64_t bits)
{
	struct kobj *o = handle_lookup(current()->proc, h, PT_OBJ_NOTIFY,
				       PT_RIGHT_SIGNAL);
	if (IS_ERR(o))
		return PTR_ERR(o);
	notify_raise(o, bits);
	return 0;
}
