/*
 * pt_msg_read and pt_msg_write: the server copies between its own buffer
 * and a segment of a call it received, named by the call's token. Both
 * run with or without the big lock (nolock in syscalls.master): every
 * piece finds the call again under the channel's lock, which is what keeps
 * the caller's memory there, and copies user memory with no lock held
 * (docs/kernel.md, "The block form without the big lock").
 */
#include <kernel/ipc.h>
#include <kernel/proc.h>
#include <kernel/vm.h>
#include <kernel/page.h>
#include <kernel/string.h>
#include <kernel/errno.h>
#include <syscall_table.h>
#include "ipc_int.h"
#include "chan_int.h"

/* A kernel caller's bytes pass through this much of the stack a piece. */
#define SEG_BOUNCE 2048

/* The copy in progress: segment seg of the call token on ch, from byte
 * off of it, to or from the server's buffer ubuf. */
struct seg_copy {
	struct channel *ch;
	uint64_t token, off;
	unsigned seg;
	bool to_caller;		/* pt_msg_write */
	uaddr_t ubuf;
	size_t len;		/* cut to the segment at the first look */
	size_t done;
	size_t ahead;		/* bounce bytes copied in, not yet stored */
	size_t faulted;		/* done when the last fault was made + 1 */
	bool took_bkl;		/* this copy took the big lock for a fault */
	uint8_t *bounce;	/* SEG_BOUNCE bytes, for a kernel caller's */
};

/* The active call of q with its segment checked for the direction, or
 * NULL with *err (-ENOENT: answered or withdrawn). ch->lock held. */
static struct chan_call *
seg_call(struct seg_copy *q, long *err)
{
	SPIN_ASSERT_HELD(&q->ch->lock);
	struct chan_call *c = call_find(q->ch, q->token);
	*err = 0;
	if (!c)
		*err = -ENOENT;
	else if (q->seg >= c->nseg)
		*err = -EINVAL;
	else if (!(c->seg[q->seg].flags & (q->to_caller ? PT_SEG_OUT :
							   PT_SEG_IN)))
		*err = -EPERM;
	return *err ? NULL : c;
}

/*
 * A piece of a kernel caller's segment at kernel address at. Its buffer
 * lives only while the call is active, so it is read or written here,
 * under ch->lock (held on entry, released here), through the bounce
 * buffer, and the server's side copied with no lock: a write copies in
 * first and stores at the next look (q->ahead). Returns the bytes done,
 * or an error.
 */
static long
kseg_piece(struct seg_copy *q, uint64_t at)
{
	size_t n = MIN(q->len - q->done, SEG_BOUNCE);
	SPIN_ASSERT_HELD(&q->ch->lock);
	if (!q->to_caller) {
		memcpy(q->bounce, (const void *)(uintptr_t)at, n);
		spin_unlock(&q->ch->lock);
		int e = copyout(q->ubuf + q->done, q->bounce, n);
		return e < 0 ? e : (long)n;
	}
	if (q->ahead) {
		n = q->ahead;
		memcpy((void *)(uintptr_t)at, q->bounce, n);
		spin_unlock(&q->ch->lock);
		q->ahead = 0;
		return (long)n;
	}
	spin_unlock(&q->ch->lock);
	int e = copyin(q->bounce, q->ubuf + q->done, n);
	if (e < 0)
		return e;
	q->ahead = n;
	return 0;	/* stored once the call is found again */
}

/*
 * A page of the caller's memory that is not mapped for the access: faulted
 * in as the caller's own access would be, with the big lock (vm_fault's;
 * it may sleep). A nolock copy takes the lock first and looks again: the
 * rest of the copy keeps it. ch->lock held on entry, released here.
 * Returns 0 to look again, or -EFAULT.
 */
static long
useg_fault(struct seg_copy *q, struct vm *vm, uint64_t at)
{
	if (q->faulted == q->done + 1) {	/* faulted in, still not there */
		spin_unlock(&q->ch->lock);
		return -EFAULT;
	}
	if (!bkl_held()) {
		spin_unlock(&q->ch->lock);
		KASSERT(spin_none_held());
		bkl_lock();
		q->took_bkl = true;
		return 0;
	}
	q->faulted = q->done + 1;
	ref_get(&vm->refcount);	/* the big lock's count, held */
	spin_unlock(&q->ch->lock);
	int e = vm_fault(vm, at, q->to_caller, false);
	vm_put(vm);
	return e < 0 ? -EFAULT : 0;
}

/*
 * A piece of a user segment at the caller's address at, up to the end of
 * its page: the page is taken (a reference) from the caller's vm under
 * ch->lock (held on entry, released here; the call being active keeps the
 * vm), and copied through the direct map with no lock held. Returns the
 * bytes done, 0 to look again (a fault made), or an error.
 */
static long
useg_piece(struct seg_copy *q, struct vm *vm, uint64_t at)
{
	size_t n = MIN(q->len - q->done, PAGE_SIZE - (at & (PAGE_SIZE - 1)));
	paddr_t pa = vm_user_page_mapped(vm, at, q->to_caller);
	if (pa == 1) {	/* device memory */
		spin_unlock(&q->ch->lock);
		return -EFAULT;
	}
	if (!pa)
		return useg_fault(q, vm, at);
	spin_unlock(&q->ch->lock);
	char *k = (char *)phys_to_virt(pa) + (at & (PAGE_SIZE - 1));
	int e = q->to_caller ? copyin(k, q->ubuf + q->done, n)
			     : copyout(q->ubuf + q->done, k, n);
	page_put(pa);	/* vm_user_page_mapped's reference */
	return e < 0 ? e : (long)n;
}

/*
 * Copies q->len bytes a piece at a time. A copy may fault and sleep, and
 * the caller may withdraw its call meanwhile (a signal) and return, taking
 * its stack, where the call and a kernel caller's buffers live, with it;
 * its process may then exit. So nothing of the call is kept between
 * pieces: each finds the call again by its token, and a withdrawn call
 * ends the copy with what was done. Returns the bytes copied, or an error
 * if none were.
 */
static long
seg_run(struct seg_copy *q)
{
	bool cut = false;
	long r;
	for (;;) {
		spin_lock(&q->ch->lock);
		struct chan_call *c = seg_call(q, &r);
		if (!c)
			break;
		const struct chan_seg *s = &c->seg[q->seg];
		if (!cut) {
			q->len = q->off < s->len ? MIN(q->len, s->len - q->off) : 0;
			cut = true;
		}
		if (q->done == q->len)
			break;
		uint64_t at = s->addr + q->off + q->done;
		r = s->kernel ? kseg_piece(q, at) : useg_piece(q, c->vm, at);
		if (r < 0)
			return r;
		q->done += (size_t)r;
		if (q->done == q->len)
			return 0;	/* no look just to find the end */
	}
	spin_unlock(&q->ch->lock);
	return r;
}

static long
msg_copy(int h, uint64_t token, unsigned seg, uint64_t off, uaddr_t buf,
	 size_t len, bool to_caller)
{
	struct thread *t = current();
	bool unlocked = t->unlocked_call;
	if (unlocked && !chan_unlocked_ok(t))
		return -ERETRY_LOCKED;
	struct kobj *o = handle_lookup_inline(t->proc, h, PT_OBJ_CHANNEL_SERVER,
					      PT_RIGHT_READ);
	if (IS_ERR(o))
		return PTR_ERR(o);
	uint8_t bounce[SEG_BOUNCE];	/* apart: the initializer zeroes q */
	struct seg_copy q = {
		.ch = chan_of(o), .token = token, .off = off, .seg = seg,
		.to_caller = to_caller, .ubuf = buf, .len = len,
		.bounce = bounce,
	};
	if (!unlocked)
		kobj_get(o);	/* the copy may sleep, and the handle be closed */
	long r = seg_run(&q);
	if (!unlocked)
		kobj_put(o);
	if (q.took_bkl)
		bkl_unlock();
	return q.done ? (long)q.done : r;
}

long
sys_pt_msg_read(int h, uint64_t token, unsigned seg, uint64_t off,
		uaddr_t buf, size_t len)
{
	return msg_copy(h, token, seg, off, buf, len, false);
}

long
sys_pt_msg_write(int h, uint64_t token, unsigned seg, uint64_t off,
		 uaddr_t buf, size_t len)
{
	return msg_copy(h, token, seg, off, buf, len, true);
}
