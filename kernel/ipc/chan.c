/*
 * Channels: synchronous call and reply between a client end and a server
 * end. The kernel copies the small message and reply (the short calls
 * carry up to 16 bytes of each in registers instead); bulk data moves once,
 * when the server reads or writes the caller's buffers through the call's
 * token (as QNX MsgRead/MsgWrite). A call to a server thread waiting in
 * pt_channel_recv runs it at once on the caller's CPU, and a reply given
 * with the next receive runs the caller at once. The short calls are in
 * chan_short.c, the server's copies (pt_msg_read, pt_msg_write) in
 * chan_seg.c. The program's calls, short and block, run with or without
 * the big lock; the lock they share with everything here is each
 * channel's own (chan_int.h).
 */
#include <kernel/ipc.h>
#include <kernel/proc.h>
#include <kernel/vm.h>
#include <kernel/mmu.h>
#include <kernel/page.h>
#include <kernel/kmalloc.h>
#include <kernel/string.h>
#include <kernel/errno.h>
#include <kernel/arch.h>
#include <syscall_table.h>
#include "ipc_int.h"
#include "chan_int.h"

int
chan_create(struct kobj **client, struct kobj **server)
{
	struct channel *ch = kzalloc(sizeof(*ch));
	if (!ch)
		return -ENOMEM;
	spin_init(&ch->lock);
	kobj_init(&ch->client, PT_OBJ_CHANNEL_CLIENT);
	kobj_init(&ch->server, PT_OBJ_CHANNEL_SERVER);
	list_init(&ch->queue);
	list_init(&ch->active);
	waitq_init(&ch->receivers);
	*client = &ch->client;
	*server = &ch->server;
	return 0;
}

/* Runs a's done (status, len bytes of reply); frees a if it is the
 * channel's. No lock held but the big lock, or none for a done_unlocked
 * call (never the channel's: kfree is the big lock's). */
static void
async_done(struct chan_async *a, void *ctx, long status, size_t len)
{
	bool allocated = a->allocated;	/* done may free the caller's */
	a->done(ctx, status, a->reply, len);
	if (allocated)
		kfree(a);
}

/*
 * Fails every call on calls (-ECONNRESET): the server end is gone. An
 * asynchronous call's done runs without ch->lock; server_gone, set first,
 * refuses any call it makes on ch.
 */
static void
fail_all(struct channel *ch, struct list *calls)
{
	SPIN_ASSERT_HELD(&ch->lock);
	while (!list_empty(calls)) {
		struct chan_call *c = list_first(calls, struct chan_call, link);
		struct chan_async *a = c->async;
		call_finish(ch, c, -ECONNRESET);
		if (!a) {
			waitq_wake_all(&c->wq);
			continue;
		}
		spin_unlock(&ch->lock);
		async_done(a, c->ctx, -ECONNRESET, 0);
		spin_lock(&ch->lock);
	}
}

/* The last reference to one end is gone (kobj_put). Big lock held. */
void
chan_end_destroy(struct kobj *o)
{
	struct channel *ch = chan_of(o);
	spin_lock(&ch->lock);
	if (o->type == PT_OBJ_CHANNEL_SERVER) {
		ch->server_gone = true;
		fail_all(ch, &ch->queue);
		fail_all(ch, &ch->active);
	} else {
		ch->client_gone = true;
		/* Receivers hold the server end: ch outlives their EPIPE. */
		waitq_wake_all(&ch->receivers);
	}
	bool both = ch->client_gone && ch->server_gone;
	spin_unlock(&ch->lock);
	if (o->type == PT_OBJ_CHANNEL_SERVER && !ch->client_gone)
		kobj_changed(&ch->client);	/* PT_SIG_PEER_CLOSED */
	else if (o->type == PT_OBJ_CHANNEL_CLIENT && !ch->server_gone)
		kobj_changed(&ch->server);
	if (both)
		kfree(ch);
}

struct kobj *
chan_peer(struct kobj *server)
{
	return &chan_of(server)->client;
}

/* Big lock held: server_gone changes only under it (and ch->lock). */
bool
chan_peer_gone(struct kobj *client)
{
	return chan_of(client)->server_gone;
}

/*
 * Under ch->lock: a waiter hangs its observer on the end first, then
 * looks here, so a short call either sees the observer (and goes the
 * locked way, which tells it) or queued its call before this look.
 */
uint64_t
chan_signals(struct kobj *o)
{
	struct channel *ch = chan_of(o);
	uint64_t s = 0;
	spin_lock(&ch->lock);
	if (o->type == PT_OBJ_CHANNEL_SERVER) {
		if (!list_empty(&ch->queue))
			s |= PT_SIG_READABLE;
		if (ch->client_gone)
			s |= PT_SIG_PEER_CLOSED;
	} else if (ch->server_gone) {
		s |= PT_SIG_PEER_CLOSED;
	}
	spin_unlock(&ch->lock);
	return s;
}

long
chan_kcall(struct kobj *client, struct chan_kcall *k)
{
	struct chan_call c = {
		.flags = PT_RECV_KERNEL,
		.msg = k->msg,
		.msg_len = k->msg_len,
		.reply = k->reply,
		.reply_cap = k->reply_cap,
		.nseg = k->nseg,
		.on_reply = k->on_reply,
		.ctx = k->ctx,
		.nointr = k->nointr,
	};
	memcpy(c.seg, k->seg, sizeof(c.seg));
	struct channel *ch = chan_of(client);
	kobj_get(client);
	spin_lock(&ch->lock);
	long r = chan_do_call(ch, &c, false);
	kobj_put(client);
	k->reply_len = c.done ? c.reply_len : 0;
	if (r < -4095)
		r = -EIO;	/* not an errno: the server is confused */
	return r;
}

/*
 * Under ch->lock: whether a nolock call may tell o's observers itself,
 * every one a pt_wait's (a wait queue to wake); a layer's `changed` is
 * the big lock's.
 */
static bool
observers_plain(struct kobj *o)
{
	list_for_each(it, &o->observers)
		if (list_entry(it, struct kobj_observer, link)->changed)
			return false;
	return true;
}

/* A nolock call's kobj_changed, under ch->lock (observers_plain). */
static void
observers_tell_unlocked(struct kobj *o)
{
	list_for_each(it, &o->observers) {
		struct kobj_observer *obs =
			list_entry(it, struct kobj_observer, link);
		__atomic_store_n(&obs->told, true, __ATOMIC_RELEASE);
		if (obs->wq)
			waitq_wake_all(obs->wq);
	}
}

/* Fills a's call from k for the current process (or the kernel). */
static int
async_fill(struct chan_async *a, const struct chan_kcall *k,
	   void (*done)(void *ctx, long status, const void *reply,
			size_t len),
	   void *ctx)
{
	/* A kernel timer may call with no process (the idle thread): the
	   kernel's own call then, as root. */
	struct proc *p = current()->proc;
	if (k->msg_len > PT_MSG_MAX || k->reply_cap > PT_MSG_MAX ||
	    k->nseg > PT_SEG_MAX)
		return -EINVAL;
	for (unsigned i = 0; i < k->nseg; i++)
		if (!k->seg[i].kernel)
			return -EINVAL;	/* no caller's memory to reach */
	memcpy(a->msg, k->msg, k->msg_len);
	a->done = done;
	a->done_unlocked = false;
	struct chan_call *c = &a->call;
	*c = (struct chan_call){
		.flags = PT_RECV_KERNEL,
		.msg = a->msg,
		.msg_len = k->msg_len,
		.reply = a->reply,
		.reply_cap = k->reply_cap,
		.nseg = k->nseg,
		.ctx = ctx,
		.async = a,
		.pid = p ? p->pid : 0,
		.uid = p ? (int)p->euid : 0,
		.gid = p ? (int)p->egid : 0,
	};
	memcpy(c->seg, k->seg, k->nseg * sizeof(c->seg[0]));
	waitq_init(&c->wq);
	return 0;
}

/*
 * Queues a's call on ch and wakes the server. Unlocked, the observers
 * are told under ch->lock, or -ERETRY_LOCKED before anything changed
 * when one is a layer's; locked, as kobj_changed tells them.
 */
static int
async_queue(struct channel *ch, struct chan_async *a, bool unlocked)
{
	struct chan_call *c = &a->call;
	spin_lock(&ch->lock);
	int e = ch->server_gone ? -ECONNRESET : 0;
	if (!e && unlocked && !observers_plain(&ch->server))
		e = -ERETRY_LOCKED;
	if (e < 0) {
		spin_unlock(&ch->lock);
		return e;
	}
	c->token = ++ch->next_token;
	list_push_back(&ch->queue, &c->link);
	if (unlocked)
		observers_tell_unlocked(&ch->server);
	spin_unlock(&ch->lock);
	if (!unlocked)
		kobj_changed(&ch->server);
	/* A receiver that found the queue empty under ch->lock is asleep on
	   receivers by the time this takes their queue's lock. */
	struct thread *server = waitq_take_one(&ch->receivers);
	if (server)
		sched_wake(server);	/* it runs when this thread gives way */
	return 0;
}

int
chan_kcall_async(struct kobj *client, const struct chan_kcall *k,
		 void (*done)(void *ctx, long status, const void *reply,
			      size_t len),
		 void *ctx)
{
	struct channel *ch = chan_of(client);
	if (ch->server_gone)	/* the big lock's too: it stays so */
		return -ECONNRESET;
	struct chan_async *a = kmalloc(sizeof(*a));
	if (!a)
		return -ENOMEM;
	int e = async_fill(a, k, done, ctx);
	a->allocated = true;
	if (e == 0)
		e = async_queue(ch, a, false);
	if (e < 0)
		kfree(a);
	return e;
}

size_t
chan_async_size(void)
{
	return sizeof(struct chan_async);
}

int
chan_kcall_async_at(struct kobj *client, const struct chan_kcall *k,
		    void *storage,
		    void (*done)(void *ctx, long status, const void *reply,
				 size_t len),
		    void *ctx, bool done_unlocked)
{
	struct chan_async *a = storage;
	int e = async_fill(a, k, done, ctx);
	a->allocated = false;
	a->done_unlocked = done_unlocked;
	if (e == 0)
		e = async_queue(chan_of(client), a, !bkl_held());
	return e;
}

/* ---- System calls ---------------------------------------------------------- */

long
sys_pt_channel_create(uaddr_t uends)
{
	struct proc *p = current()->proc;
	struct kobj *client, *server;
	int e = chan_create(&client, &server);
	if (e < 0)
		return e;
	int hc = handle_install(p, client, PT_RIGHTS_CHANNEL_CLIENT);
	if (hc < 0) {
		kobj_put(server);
		return hc;
	}
	int hs = handle_install(p, server, PT_RIGHTS_CHANNEL_SERVER);
	if (hs < 0) {
		sys_pt_handle_close(hc);
		return hs;
	}
	int32_t ends[2] = { hc, hs };
	e = copyout(uends, ends, sizeof(ends));
	if (e < 0) {
		sys_pt_handle_close(hc);
		sys_pt_handle_close(hs);
	}
	return e;
}

/* Checks and copies the caller's segment list. */
static int
segs_check(struct chan_call *c, const struct pt_call *call)
{
	if (call->nseg > PT_SEG_MAX)
		return -EINVAL;
	c->nseg = call->nseg;
	for (unsigned i = 0; i < call->nseg; i++) {
		const struct pt_seg *s = &call->seg[i];
		if ((s->flags & ~(PT_SEG_IN | PT_SEG_OUT)) || s->reserved ||
		    s->addr + s->len < s->addr || s->addr + s->len > USER_TOP)
			return -EINVAL;
		c->seg[i] = (struct chan_seg){ s->addr, s->len, s->flags, false };
	}
	return 0;
}

/*
 * pt_channel_call: runs with or without the big lock (a one-thread
 * process; chan_unlocked_ok), as the short call does; the copies of the
 * block and the message are made before the channel lock is taken, the
 * reply's after it is let go.
 */
long
sys_pt_channel_call(int h, uaddr_t ucall)
{
	struct thread *t = current();
	bool unlocked = t->unlocked_call;
	if (unlocked && !chan_unlocked_ok(t))
		return -ERETRY_LOCKED;
	struct proc *p = t->proc;
	struct kobj *o = handle_lookup_inline(p, h, PT_OBJ_CHANNEL_CLIENT,
					      PT_RIGHT_WRITE);
	if (IS_ERR(o))
		return PTR_ERR(o);
	struct pt_call call;
	const size_t head = offsetof(struct pt_call, seg);
	int e = copyin(&call, ucall, head);
	if (e < 0)
		return e;
	if (call.msg_len > PT_MSG_MAX || call.reply_cap > PT_MSG_MAX)
		return -EMSGSIZE;
	if (call.nseg > PT_SEG_MAX)
		return -EINVAL;
	if (call.nseg && (e = copyin(call.seg, ucall + head,
				     call.nseg * sizeof(call.seg[0]))) < 0)
		return e;
	uint8_t msg[PT_MSG_MAX], reply[PT_MSG_MAX];
	struct chan_call c;
	program_call_init(&c, msg, call.msg_len, reply, call.reply_cap);
	if ((e = segs_check(&c, &call)) < 0 ||
	    (e = copyin(msg, call.msg, call.msg_len)) < 0)
		return e;
	long status = chan_syscall_call(t, o, &c, unlocked);
	if (!c.done)
		return status;
	call.reply_len = (uint32_t)c.reply_len;
	if ((e = copyout(call.reply, reply, c.reply_len)) < 0 ||
	    (e = copyout(ucall + offsetof(struct pt_call, reply_len),
			 &call.reply_len, sizeof(call.reply_len))) < 0)
		return e;
	return status;
}

struct waitq *
reply_kernel(struct channel *ch, struct chan_call *c, int64_t status,
	     const void *kdata, size_t len)
{
	len = MIN(len, c->reply_cap);
	memcpy(c->reply, kdata, len);
	c->reply_len = len;
	if (c->async) {
		/* Its done may make calls on ch: run without ch->lock. */
		struct chan_async *a = c->async;
		call_finish(ch, c, (long)status);
		spin_unlock(&ch->lock);
		async_done(a, c->ctx, (long)status, len);
		spin_lock(&ch->lock);
		return NULL;
	}
	/*
	 * on_reply runs without ch->lock too, c still active: its caller, a
	 * kernel call, leaves only with the big lock, which this holds, and
	 * the short calls leave a call with on_reply to the locked way.
	 */
	spin_unlock(&ch->lock);
	c->on_reply(c->ctx, (long)status, c->reply, len);
	spin_lock(&ch->lock);
	call_finish(ch, c, (long)status);
	return &c->wq;
}

/*
 * A block reply's data, copied in before ch->lock is taken (a copy may
 * fault), *len cut to the call's reply room; reply_to finds the call
 * again. 0, or -ENOENT, -EMSGSIZE, -EFAULT, in reply_to's order.
 */
static long
reply_copyin(struct channel *ch, uint64_t token, uaddr_t data, size_t *len,
	     void *buf)
{
	spin_lock(&ch->lock);
	struct chan_call *c = call_find(ch, token);
	size_t cap = c ? c->reply_cap : 0;
	spin_unlock(&ch->lock);
	if (!c)
		return -ENOENT;
	if (*len > PT_MSG_MAX)
		return -EMSGSIZE;
	*len = MIN(*len, cap);
	return *len ? copyin(buf, data, *len) : 0;
}

/* With or without the big lock; a reply to a kernel call with on_reply
 * or done goes the locked way (reply_to). */
long
sys_pt_channel_reply(int h, uint64_t token, int64_t status, uaddr_t data,
		     size_t len)
{
	struct thread *t = current();
	bool unlocked = t->unlocked_call;
	if (unlocked && !chan_unlocked_ok(t))
		return -ERETRY_LOCKED;
	struct kobj *o = handle_lookup(t->proc, h, PT_OBJ_CHANNEL_SERVER,
				       PT_RIGHT_READ);
	if (IS_ERR(o))
		return PTR_ERR(o);
	struct channel *ch = chan_of(o);
	uint8_t buf[PT_MSG_MAX];
	long err = reply_copyin(ch, token, data, &len, buf);
	if (err < 0)
		return err;
	spin_lock(&ch->lock);
	struct waitq *caller = reply_to(ch, token, status, buf, len, unlocked,
					&err);
	if (caller)
		waitq_wake_one(caller);
	spin_unlock(&ch->lock);
	return err;
}

/*
 * Gives the first queued call to a block receive: takes it under
 * ch->lock (held on entry, released here), copies it out without. A copy
 * that fails puts it back at the queue's head for a better receive,
 * unless its caller has given it up meanwhile.
 */
static long
take_call(struct channel *ch, struct pt_recv *r, uaddr_t urecv)
{
	uint8_t msg[PT_MSG_MAX];
	struct chan_call *c = list_first(&ch->queue, struct chan_call, link);
	r->token = c->token;
	r->msg_len = (uint32_t)c->msg_len;
	r->flags = c->flags;
	r->pid = c->pid;
	r->uid = c->uid;
	r->gid = c->gid;
	r->nseg = c->nseg;
	/* Unused entries read 0; most calls have no segment at all. The
	   builtin: six stores in line, where -fno-builtin makes memset a call. */
	__builtin_memset(r->seg_len, 0, sizeof(r->seg_len));
	__builtin_memset(r->seg_flags, 0, sizeof(r->seg_flags));
	for (unsigned i = 0; i < c->nseg; i++) {
		r->seg_len[i] = c->seg[i].len;
		r->seg_flags[i] = c->seg[i].flags;
	}
	size_t n = MIN(c->msg_len, (size_t)r->msg_cap);
	memcpy(msg, c->msg, n);
	list_remove(&c->link);
	list_push_back(&ch->active, &c->link);
	spin_unlock(&ch->lock);

	const size_t out = offsetof(struct pt_recv, token);
	int e = copyout(r->msg, msg, n);
	if (e == 0)
		e = copyout(urecv + out, (char *)r + out, sizeof(*r) - out);
	if (e < 0) {
		spin_lock(&ch->lock);
		if ((c = call_find(ch, r->token)) != NULL) {
			list_remove(&c->link);
			list_insert_after(&ch->queue, &c->link);
		}
		spin_unlock(&ch->lock);
	}
	return e;
}

/*
 * pt_channel_recv: with or without the big lock, as the short receive;
 * without it, a receive with a timeout (its timer is the big lock's) and
 * a reply to a kernel call with on_reply or done go the locked way
 * before anything changed.
 */
long
sys_pt_channel_recv(int h, uaddr_t urecv, int64_t timeout_ns)
{
	struct thread *t = current();
	bool unlocked = t->unlocked_call;
	if (unlocked && (!chan_unlocked_ok(t) || timeout_ns > 0))
		return -ERETRY_LOCKED;
	struct kobj *o = handle_lookup_inline(t->proc, h,
					      PT_OBJ_CHANNEL_SERVER,
					      PT_RIGHT_READ);
	if (IS_ERR(o))
		return PTR_ERR(o);
	struct channel *ch = chan_of(o);
	struct pt_recv r;
	long e = copyin(&r, urecv, offsetof(struct pt_recv, token));
	if (e < 0)
		return e;
	uint8_t reply[PT_MSG_MAX];
	size_t reply_len = r.reply_len;
	if (r.reply_token &&
	    (e = reply_copyin(ch, r.reply_token, r.reply_data, &reply_len,
			      reply)) < 0)
		return e;
	uint64_t deadline = timeout_ns > 0 ? arch_now_ns() + (uint64_t)timeout_ns : 0;
	struct waitq *caller = NULL;
	spin_lock(&ch->lock);
	if (r.reply_token) {
		caller = reply_to(ch, r.reply_token, r.reply_status, reply,
				  reply_len, unlocked, &e);
		if (e < 0) {
			spin_unlock(&ch->lock);
			return e;
		}
	}
	/* Unless this thread sleeps at once, its caller is woken now. */
	if (caller && (!list_empty(&ch->queue) || ch->client_gone ||
		       timeout_ns == 0)) {
		waitq_wake_one(caller);
		caller = NULL;
	}
	if (!unlocked)
		kobj_get(o);	/* ch outlives the sleep, whoever closes the handle */
	for (;;) {
		if (!list_empty(&ch->queue)) {
			e = take_call(ch, &r, urecv);	/* lets ch->lock go */
			goto out;
		}
		if (ch->client_gone) {
			e = -EPIPE;
			break;
		}
		if (timeout_ns == 0) {
			e = -EAGAIN;
			break;
		}
		e = waitq_wait_take(&ch->receivers, deadline, true, caller,
				    &ch->lock);
		caller = NULL;
		spin_lock(&ch->lock);
		if (e < 0)
			break;
	}
	spin_unlock(&ch->lock);
out:
	if (!unlocked)
		kobj_put(o);
	/* A signal ended the wait, maybe after a reply: delivered the
	   locked way, the call not run again. */
	if (unlocked && e == -EINTR)
		return chan_nolock_eintr(t);
	return e;
}
