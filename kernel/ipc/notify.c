/*
 * Notifications: 64 bits that signal asynchronously. pt_notify_signal (or an
 * interrupt bound to a bit) sets bits; pt_wait returns and clears them.
 */
#include <kernel/ipc.h>
#include <kernel/proc.h>
#include <kernel/kmalloc.h>
#include <kernel/errno.h>
#include <syscall_table.h>
#include "ipc_int.h"

struct notify {
	struct kobj obj;
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

uint64_t
notify_take(struct kobj *o, uint64_t want)
{
	struct notify *n = notify_of(o);
	uint64_t got = n->bits & want;
	n->bits &= ~got;
	return got;
}

/* Sets bits and wakes waiters. Interrupt handlers call it too. */
void
notify_raise(struct kobj *o, uint64_t bits)
{
	struct notify *n = notify_of(o);
	if ((n->bits | bits) == n->bits)
		return;
	n->bits |= bits;
	kobj_changed(o);
}

long
sys_pt_notify_create(void)
{
	struct notify *n = kzalloc(sizeof(*n));
	if (!n)
		return -ENOMEM;
	kobj_init(&n->obj, PT_OBJ_NOTIFY);
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
