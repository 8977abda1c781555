/*
 * Handles: each process names kernel objects through a table of slots,
 * each with rights; a handle's value is its slot and the slot's generation,
 * so a stale value never names a later object. A process can use only what
 * it was handed; fork copies the table and execve keeps only what
 * pt_handle_keep marked.
 */
#include <kernel/ipc.h>
#include <kernel/proc.h>
#include <kernel/kmalloc.h>
#include <kernel/errno.h>
#include <kernel/printk.h>
#include <syscall_table.h>
#include "ipc_int.h"
#include <kernel/vm.h>
#include <kernel/refcount.h>

void
kobj_init(struct kobj *o, uint32_t type)
{
	o->type = type;
	o->refcount = 1;
	list_init(&o->observers);
}

void
kobj_destroy(struct kobj *o)
{
	switch (o->type) {
	case PT_OBJ_CHANNEL_CLIENT:
	case PT_OBJ_CHANNEL_SERVER:
		chan_end_destroy(o);
		break;
	case PT_OBJ_NOTIFY:
		notify_destroy(o);
		break;
	case PT_OBJ_MEM:
		mem_destroy(o);
		break;
	case PT_OBJ_DEVICE:
		device_destroy(o);
		break;
	default:
		panic("kobj_destroy: object of type %u", o->type);
	}
}

/* The table of p, made on first use: most programs never hold a handle. */
static struct handles *
table_of(struct proc *p, bool create)
{
	if (!p->handles && create)
		p->handles = kzalloc(sizeof(*p->handles));
	return p->handles;
}

int
handle_install(struct proc *p, struct kobj *o, uint32_t rights)
{
	struct handles *t = table_of(p, true);
	if (!t) {
		kobj_put(o);
		return -ENOMEM;
	}
	for (int h = 1; h < PT_HANDLE_MAX; h++) {
		struct handle_slot *s = &t->slot[h];
		if (!s->obj) {
			s->obj = o;
			s->rights = rights;
			s->keep_on_exec = false;
			return h | (int)(s->gen << HANDLE_SLOT_BITS);
		}
	}
	kobj_put(o);
	return -EMFILE;
}

struct kobj *
handle_lookup(struct proc *p, int h, uint32_t type, uint32_t rights)
{
	return handle_lookup_inline(p, h, type, rights);
}

static void
slot_close(struct handle_slot *s)
{
	struct kobj *o = s->obj;
	s->obj = NULL;
	s->gen = (s->gen + 1) & HANDLE_GEN_MASK;	/* old values go stale */
	kobj_put(o);
}

int
handles_fork(struct proc *child, struct proc *parent)
{
	if (!parent->handles)
		return 0;
	if (!table_of(child, true))
		return -ENOMEM;
	for (int h = 1; h < PT_HANDLE_MAX; h++) {
		struct handle_slot *s = &parent->handles->slot[h];
		child->handles->slot[h] = *s;	/* generations too */
		if (s->obj)
			kobj_get(s->obj);
	}
	return 0;
}

void
handles_exec(struct proc *p)
{
	if (!p->handles)
		return;
	for (int h = 1; h < PT_HANDLE_MAX; h++) {
		struct handle_slot *s = &p->handles->slot[h];
		if (s->obj && !s->keep_on_exec)
			slot_close(s);
	}
}

void
handles_exit(struct proc *p)
{
	if (!p->handles)
		return;
	for (int h = 1; h < PT_HANDLE_MAX; h++)
		if (p->handles->slot[h].obj)
			slot_close(&p->handles->slot[h]);
	wait_sleeper_exit(&p->handles->sleeper);
	kfree(p->handles);
	p->handles = NULL;
}

/* ---- System calls ---------------------------------------------------------- */

long
sys_pt_handle_close(int h)
{
	struct handle_slot *s = handle_slot_of(current()->proc, h);
	if (!s)
		return -EBADF;
	slot_close(s);
	return 0;
}

long
sys_pt_handle_dup(int h, unsigned rights)
{
	struct proc *p = current()->proc;
	struct handle_slot *s = handle_slot_of(p, h);
	if (!s)
		return -EBADF;
	if (!(s->rights & PT_RIGHT_DUP))
		return -EPERM;
	if (rights & ~s->rights)
		return -EPERM;	/* rights only ever shrink */
	kobj_get(s->obj);
	return handle_install(p, s->obj, rights);
}

long
sys_pt_handle_info(int h, uaddr_t uinfo)
{
	struct handle_slot *s = handle_slot_of(current()->proc, h);
	if (!s)
		return -EBADF;
	struct pt_handle_info info = { s->obj->type, s->rights };
	return copyout(uinfo, &info, sizeof(info));
}

long
sys_pt_handle_keep(int h, unsigned flags)
{
	struct handle_slot *s = handle_slot_of(current()->proc, h);
	if (!s)
		return -EBADF;
	if (flags & ~PT_KEEP_ON_EXEC)
		return -EINVAL;
	if ((flags & PT_KEEP_ON_EXEC) && !(s->rights & PT_RIGHT_TRANSFER))
		return -EPERM;	/* the next program is another holder */
	s->keep_on_exec = flags & PT_KEEP_ON_EXEC;
	return 0;
}
