/*
 * Channels: synchronous call and reply between a client end and a server
 * end. The kernel copies the small message and reply (the short calls
 * carry up to 16 bytes of each in registers instead); bulk data moves once,
 * when the server reads or writes the caller's buffers through the call's
 * token (as QNX MsgRead/MsgWrite). A call to a server thread waiting in
 * pt_channel_recv runs it at once on the caller's CPU, and a reply given
 * with the next receive runs the caller at once.
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
#include <arch/trap.h>
#include "ipc_int.h"

struct channel {
	struct kobj client, server;
	struct list queue;		/* calls not yet received */
	struct list active;		/* received, not yet answered */
	struct waitq receivers;		/* server threads in pt_channel_recv */
	uint64_t next_token;
	bool client_gone, server_gone;	/* an end's last reference is gone */
};

/* One call in flight; it lives on the caller's kernel stack. */
struct chan_call {
	struct list link;		/* channel queue, then active list */
	uint64_t token;
	struct vm *vm;			/* the caller's, for user segments */
	int pid, uid, gid;
	uint32_t flags;			/* PT_RECV_KERNEL */
	bool nointr;			/* signals do not end the wait */
	const void *msg;		/* kernel copy */
	size_t msg_len;
	void *reply;			/* kernel buffer */
	size_t reply_cap, reply_len;
	unsigned nseg;
	struct chan_seg seg[PT_SEG_MAX];
	long status;
	bool done;
	struct waitq wq;		/* the caller sleeps here */
	void (*on_reply)(void *ctx, long status, const void *reply, size_t len);
	void *ctx;			/* for on_reply, or chan_async's done */
	struct chan_async *async;	/* a call nobody waits for, or NULL */
};

/* A call made by chan_kcall_async: it owns its message and reply. */
struct chan_async {
	struct chan_call call;
	uint8_t msg[PT_MSG_MAX], reply[PT_MSG_MAX];
	void (*done)(void *ctx, long status, const void *reply, size_t len);
};

static struct channel *
chan_of(struct kobj *o)
{
	if (o->type == PT_OBJ_CHANNEL_CLIENT)
		return container_of(o, struct channel, client);
	return container_of(o, struct channel, server);
}

int
chan_create(struct kobj **client, struct kobj **server)
{
	struct channel *ch = kzalloc(sizeof(*ch));
	if (!ch)
		return -ENOMEM;
	kobj_init(&ch->client, PT_OBJ_CHANNEL_CLIENT);
	kobj_init(&ch->server, PT_OBJ_CHANNEL_SERVER);
	list_init(&ch->queue);
	list_init(&ch->active);
	waitq_init(&ch->receivers);
	*client = &ch->client;
	*server = &ch->server;
	return 0;
}

/* Ends a call: its caller is told the status and may run again. */
static void
call_finish(struct chan_call *c, long status)
{
	list_remove(&c->link);
	c->status = status;
	c->done = true;
}

/* An asynchronous call is answered (or failed): tells its maker, frees it. */
static void
async_finish(struct chan_call *c, long status)
{
	struct chan_async *a = c->async;
	call_finish(c, status);
	a->done(c->ctx, status, a->reply, c->reply_len);
	kfree(a);
}

static void
fail_all(struct list *calls)
{
	while (!list_empty(calls)) {
		struct chan_call *c = list_first(calls, struct chan_call, link);
		if (c->async) {
			async_finish(c, -ECONNRESET);
			continue;
		}
		call_finish(c, -ECONNRESET);
		waitq_wake_all(&c->wq);
	}
}

/* The last reference to one end is gone (kobj_put). */
void
chan_end_destroy(struct kobj *o)
{
	struct channel *ch = chan_of(o);
	if (o->type == PT_OBJ_CHANNEL_SERVER) {
		ch->server_gone = true;
		fail_all(&ch->queue);
		fail_all(&ch->active);
		if (!ch->client_gone)
			kobj_changed(&ch->client);	/* PT_SIG_PEER_CLOSED */
	} else {
		ch->client_gone = true;
		/* Receivers hold the server end: ch outlives their EPIPE. */
		waitq_wake_all(&ch->receivers);
		if (!ch->server_gone)
			kobj_changed(&ch->server);
	}
	if (ch->client_gone && ch->server_gone)
		kfree(ch);
}

struct kobj *
chan_peer(struct kobj *server)
{
	return &chan_of(server)->client;
}

bool
chan_peer_gone(struct kobj *client)
{
	return chan_of(client)->server_gone;
}

uint64_t
chan_signals(struct kobj *o)
{
	struct channel *ch = chan_of(o);
	uint64_t s = 0;
	if (o->type == PT_OBJ_CHANNEL_SERVER) {
		if (!list_empty(&ch->queue))
			s |= PT_SIG_READABLE;
		if (ch->client_gone)
			s |= PT_SIG_PEER_CLOSED;
	} else if (ch->server_gone) {
		s |= PT_SIG_PEER_CLOSED;
	}
	return s;
}

/*
 * Sleeps until c is answered or a signal comes. A nointr call (the kernel's
 * own) ignores signals but not SIGKILL: a server that never answers must
 * not make its callers unkillable, and a dying caller's result is seen by
 * nobody.
 */
static int
call_wait(struct chan_call *c, struct waitq *receivers)
{
	if (c->nointr) {
		struct thread *server = NULL;
		if (receivers)
			server = waitq_take_one(receivers);
		return waitq_wait_killable(&c->wq, server);
	}
	/* The waiting server taken and this thread asleep: one lock hold. */
	return waitq_wait_take(&c->wq, 0, true, receivers);
}

/*
 * Queues c on the channel and sleeps until it is answered. A server thread
 * waiting to receive runs at once, on this CPU. Inline: the round trip's
 * path is one function per side.
 */
static inline __attribute__((always_inline)) long
chan_do_call(struct channel *ch, struct chan_call *c)
{
	struct proc *p = current()->proc;

	if (ch->server_gone)
		return -ECONNRESET;
	c->token = ++ch->next_token;
	c->vm = p->vm;
	c->pid = p->pid;
	c->uid = (int)p->euid;
	c->gid = (int)p->egid;
	c->done = false;
	waitq_init(&c->wq);
	list_push_back(&ch->queue, &c->link);
	kobj_changed(&ch->server);

	struct waitq *receivers = &ch->receivers;
	while (!c->done) {
		int r = call_wait(c, receivers);
		receivers = NULL;
		bool dying = fatal_signal_pending(current());
		if (!c->done && (r == -EINTR || dying)) {
			/*
			 * Withdrawn: its token now fails with -ENOENT, so a
			 * late reply, read or write never reaches this stack.
			 */
			list_remove(&c->link);
			return -EINTR;
		}
	}
	return c->status;
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
	kobj_get(client);
	long r = chan_do_call(chan_of(client), &c);
	kobj_put(client);
	k->reply_len = c.done ? c.reply_len : 0;
	if (r < -4095)
		r = -EIO;	/* not an errno: the server is confused */
	return r;
}

int
chan_kcall_async(struct kobj *client, const struct chan_kcall *k,
		 void (*done)(void *ctx, long status, const void *reply,
			      size_t len),
		 void *ctx)
{
	struct channel *ch = chan_of(client);
	/* A kernel timer may call with no process (the idle thread): the
	   kernel's own call then, as root. */
	struct proc *p = current()->proc;
	if (ch->server_gone)
		return -ECONNRESET;
	if (k->msg_len > PT_MSG_MAX || k->reply_cap > PT_MSG_MAX ||
	    k->nseg > PT_SEG_MAX)
		return -EINVAL;
	for (unsigned i = 0; i < k->nseg; i++)
		if (!k->seg[i].kernel)
			return -EINVAL;	/* no caller's memory to reach */
	struct chan_async *a = kmalloc(sizeof(*a));
	if (!a)
		return -ENOMEM;
	memcpy(a->msg, k->msg, k->msg_len);
	a->done = done;
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
		.token = ++ch->next_token,
		.pid = p ? p->pid : 0,
		.uid = p ? (int)p->euid : 0,
		.gid = p ? (int)p->egid : 0,
	};
	memcpy(c->seg, k->seg, k->nseg * sizeof(c->seg[0]));
	waitq_init(&c->wq);
	list_push_back(&ch->queue, &c->link);
	kobj_changed(&ch->server);
	struct thread *server = waitq_take_one(&ch->receivers);
	if (server)
		sched_wake(server);	/* it runs when this thread gives way */
	return 0;
}

static struct chan_call *
call_find(struct channel *ch, uint64_t token)
{
	list_for_each(it, &ch->active) {
		struct chan_call *c = list_entry(it, struct chan_call, link);
		if (c->token == token)
			return c;
	}
	return NULL;
}

/* Copies up to PT_SHORT_MAX bytes in line: memcpy is a call here. */
static inline __attribute__((always_inline)) void
short_copy(void *dst, const void *src, size_t len)
{
	char *d = dst;
	const char *s = src;
	for (; len >= 8; len -= 8, d += 8, s += 8)
		__builtin_memcpy(d, s, 8);
	while (len--)
		*d++ = *s++;
}

/* ---- Copies between the server and the caller's memory ----------------- */

/*
 * Copies between the server's buffer ubuf and segment seg of the call
 * token on ch, a page at a time. Any copy may fault and sleep, and the
 * caller may withdraw its call meanwhile (a signal) and return, taking
 * its stack, where the call and a kernel caller's buffers live, with it;
 * its process may then exit. So nothing of the call is used across a
 * sleep: the call is found again by its token after each piece (a
 * withdrawn one ends the copy), a kernel caller's bytes pass through a
 * bounce buffer, and the caller's vm is held (vm_fault may sleep in it).
 */
static long
seg_copy(struct channel *ch, uint64_t token, unsigned seg, uint64_t off,
	 uaddr_t ubuf, size_t len, bool to_caller)
{
	struct chan_call *c = call_find(ch, token);
	uint8_t bounce[2048];
	struct vm *vm = NULL;
	size_t done = 0;
	long r = 0;

	if (!c)
		return -ENOENT;
	if (seg >= c->nseg)
		return -EINVAL;
	if (!(c->seg[seg].flags & (to_caller ? PT_SEG_OUT : PT_SEG_IN)))
		return -EPERM;
	if (off >= c->seg[seg].len)
		return 0;
	len = MIN(len, c->seg[seg].len - off);
	if (!c->seg[seg].kernel) {
		vm = c->vm;
		ref_get(&vm->refcount);
	}
	while (done < len) {
		struct chan_seg *s = &c->seg[seg];
		uint64_t at = s->addr + off + done;
		if (s->kernel) {
			char *k = (char *)(uintptr_t)at;
			size_t chunk = MIN(len - done, sizeof(bounce));
			if (!to_caller)
				memcpy(bounce, k, chunk);
			r = to_caller ? copyin(bounce, ubuf + done, chunk)
				      : copyout(ubuf + done, bounce, chunk);
			if (r < 0)
				break;
			c = call_find(ch, token);
			if (!c) {
				r = -ENOENT;
				break;
			}
			if (to_caller)
				memcpy((char *)(uintptr_t)c->seg[seg].addr +
				       off + done, bounce, chunk);
			done += chunk;
			continue;
		}
		size_t chunk = MIN(len - done, PAGE_SIZE - (at & (PAGE_SIZE - 1)));
		paddr_t pa = vm_user_page(vm, at, to_caller);
		if (!pa) {
			r = -EFAULT;
			break;
		}
		char *k = (char *)phys_to_virt(pa) + (at & (PAGE_SIZE - 1));
		r = to_caller ? copyin(k, ubuf + done, chunk)
			      : copyout(ubuf + done, k, chunk);
		page_put(pa);	/* vm_user_page's reference */
		if (r < 0)
			break;
		done += chunk;
		c = call_find(ch, token);
		if (!c) {
			r = -ENOENT;
			break;
		}
	}
	if (vm)
		vm_put(vm);
	return done ? (long)done : r;
}

static long
msg_copy(int h, uint64_t token, unsigned seg, uint64_t off, uaddr_t buf,
	 size_t len, bool to_caller)
{
	struct kobj *o = handle_lookup(current()->proc, h,
				       PT_OBJ_CHANNEL_SERVER, PT_RIGHT_READ);
	if (IS_ERR(o))
		return PTR_ERR(o);
	kobj_get(o);	/* the copy may sleep, and the handle be closed */
	long r = seg_copy(chan_of(o), token, seg, off, buf, len, to_caller);
	kobj_put(o);
	return r;
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

/* ---- System calls ---------------------------------------------------------- */

/* A program's call of msg_len bytes at msg, its reply into reply (cap
 * bytes): every field but the segments set, as chan_do_call reads them. */
static inline void
program_call_init(struct chan_call *c, void *msg, size_t msg_len,
		  void *reply, size_t reply_cap)
{
	c->flags = 0;
	c->nointr = false;	/* any signal withdraws a program's call */
	c->on_reply = NULL;
	c->async = NULL;
	c->msg = msg;
	c->msg_len = msg_len;
	c->reply = reply;
	c->reply_cap = reply_cap;
	c->reply_len = 0;
	c->done = false;	/* read after a call the channel refused at once */
}

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

long
sys_pt_channel_call(int h, uaddr_t ucall)
{
	struct proc *p = current()->proc;
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
	kobj_get(o);
	long status = chan_do_call(chan_of(o), &c);
	kobj_put(o);
	if (!c.done)
		return status;
	call.reply_len = (uint32_t)c.reply_len;
	if ((e = copyout(call.reply, reply, c.reply_len)) < 0 ||
	    (e = copyout(ucall + offsetof(struct pt_call, reply_len),
			 &call.reply_len, sizeof(call.reply_len))) < 0)
		return e;
	return status;
}

/*
 * Answers the call `token`; returns the wait queue its caller sleeps on,
 * for the replier to wake (waitq_wake_one) or hand the CPU to
 * (waitq_wait_take) before it may sleep or let go of the big lock: the
 * queue lives on the caller's stack, which the caller, once woken by
 * anything else (a signal), leaves as soon as it holds the big lock.
 */
static inline __attribute__((always_inline)) struct waitq *
reply_to(struct channel *ch, uint64_t token, int64_t status, uaddr_t data,
	 const void *kdata, size_t len, long *err)
{
	struct chan_call *c = call_find(ch, token);
	*err = 0;
	if (!c) {
		*err = -ENOENT;	/* never received, answered, or given up */
		return NULL;
	}
	if (len > PT_MSG_MAX) {
		*err = -EMSGSIZE;
		return NULL;
	}
	len = MIN(len, c->reply_cap);
	if (kdata)
		short_copy(c->reply, kdata, len);	/* a short reply's words */
	else if (len && (*err = copyin(c->reply, data, len)) < 0)
		return NULL;
	c->reply_len = len;
	if (c->async) {
		async_finish(c, (long)status);
		return NULL;
	}
	if (c->on_reply)
		c->on_reply(c->ctx, (long)status, c->reply, len);
	call_finish(c, (long)status);
	return &c->wq;
}

long
sys_pt_channel_reply(int h, uint64_t token, int64_t status, uaddr_t data,
		     size_t len)
{
	struct kobj *o = handle_lookup(current()->proc, h,
				       PT_OBJ_CHANNEL_SERVER, PT_RIGHT_READ);
	if (IS_ERR(o))
		return PTR_ERR(o);
	long err;
	struct waitq *caller = reply_to(chan_of(o), token, status, data, NULL,
					len, &err);
	if (caller)
		waitq_wake_one(caller);
	return err;
}

/* Gives the first queued call to the server: copies it out, makes it active. */
static long
take_call(struct channel *ch, struct pt_recv *r, uaddr_t urecv)
{
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
	const size_t out = offsetof(struct pt_recv, token);
	int e = copyout(r->msg, c->msg, MIN(c->msg_len, r->msg_cap));
	if (e == 0)
		e = copyout(urecv + out, (char *)r + out, sizeof(*r) - out);
	if (e < 0)
		return e;	/* the call stays queued for a better receive */
	list_remove(&c->link);
	list_push_back(&ch->active, &c->link);
	return 0;
}

long
sys_pt_channel_recv(int h, uaddr_t urecv, int64_t timeout_ns)
{
	struct kobj *o = handle_lookup_inline(current()->proc, h,
					      PT_OBJ_CHANNEL_SERVER,
					      PT_RIGHT_READ);
	if (IS_ERR(o))
		return PTR_ERR(o);
	struct channel *ch = chan_of(o);
	struct pt_recv r;
	long e = copyin(&r, urecv, offsetof(struct pt_recv, token));
	if (e < 0)
		return e;
	struct waitq *caller = NULL;
	if (r.reply_token) {
		caller = reply_to(ch, r.reply_token, r.reply_status,
				  r.reply_data, NULL, r.reply_len, &e);
		if (e < 0)
			return e;
	}
	/* Unless this thread sleeps at once, its caller is woken now, before
	   a copy's fault may sleep (reply_to). */
	if (caller && (!list_empty(&ch->queue) || ch->client_gone ||
		       timeout_ns == 0)) {
		waitq_wake_one(caller);
		caller = NULL;
	}
	uint64_t deadline = timeout_ns > 0 ? arch_now_ns() + (uint64_t)timeout_ns : 0;
	kobj_get(o);
	for (;;) {
		if (!list_empty(&ch->queue)) {
			e = take_call(ch, &r, urecv);
			break;
		}
		if (ch->client_gone) {
			e = -EPIPE;
			break;
		}
		if (timeout_ns == 0) {
			e = -EAGAIN;
			break;
		}
		e = waitq_wait_take(&ch->receivers, deadline, true, caller);
		caller = NULL;
		if (e < 0)
			break;
	}
	kobj_put(o);
	return e;
}

/* ---- The short calls: the message and reply in registers ---------------- */

/*
 * pt_channel_call_regs: the message in the argument registers w0 and w1
 * (len bytes), the reply written back to them (trap_syscall_regs), its
 * length to len's. Nothing goes through user memory; for the server, the
 * call is one like any other (a block-form receive sees a message of len
 * bytes and reply room of PT_SHORT_MAX).
 */
long
sys_pt_channel_call_regs(int h, uint64_t w0, uint64_t w1, unsigned len)
{
	struct thread *t = current();
	struct kobj *o = handle_lookup_inline(t->proc, h, PT_OBJ_CHANNEL_CLIENT,
					      PT_RIGHT_WRITE);
	if (IS_ERR(o))
		return PTR_ERR(o);
	if (len > PT_SHORT_MAX)
		return -EMSGSIZE;
	/* Past the reply's length the words read 0, never the stack's. */
	uint64_t msg[2] = { w0, w1 }, reply[2] = { 0, 0 };
	struct chan_call c;
	program_call_init(&c, msg, len, reply, PT_SHORT_MAX);
	c.nseg = 0;
	kobj_get(o);
	long status = chan_do_call(chan_of(o), &c);
	kobj_put(o);
	if (!c.done)
		return status;
	uint64_t *regs = trap_syscall_regs(t->tf);
	regs[1] = reply[0];
	regs[2] = reply[1];
	regs[3] = c.reply_len;
	return status;
}

/* Gives the first queued call to a short receive: into the registers
 * regs[1..5]; returns its token. */
static inline __attribute__((always_inline)) long
take_short(struct channel *ch, uint64_t *regs)
{
	struct chan_call *c = list_first(&ch->queue, struct chan_call, link);
	uint64_t msg[2] = { 0, 0 };
	short_copy(msg, c->msg, MIN(c->msg_len, (size_t)PT_SHORT_MAX));
	regs[1] = msg[0];
	regs[2] = msg[1];
	regs[3] = c->msg_len | (uint64_t)c->flags << 32;
	regs[4] = (uint32_t)c->uid | (uint64_t)(uint32_t)c->gid << 32;
	regs[5] = (uint32_t)c->pid | (uint64_t)c->nseg << 32;
	list_remove(&c->link);
	list_push_back(&ch->active, &c->link);
	return (long)c->token;
}

/*
 * pt_channel_recv_regs: answers reply_token (if not 0) with status and the
 * words w0, w1 (len bytes), as pt_channel_recv's reply does, then waits
 * for a call, for ever or until the clients are gone (EPIPE). Returns the
 * call's token; its first PT_SHORT_MAX bytes go to the registers of w0
 * and w1, the rest of what pt_recv says to those of len, reply_token and
 * status (syscalls.master). A longer message is cut: its whole length
 * tells the server so.
 */
long
sys_pt_channel_recv_regs(int h, uint64_t w0, uint64_t w1, unsigned len,
			 uint64_t reply_token, int64_t status)
{
	struct thread *t = current();
	struct kobj *o = handle_lookup_inline(t->proc, h, PT_OBJ_CHANNEL_SERVER,
					      PT_RIGHT_READ);
	if (IS_ERR(o))
		return PTR_ERR(o);
	struct channel *ch = chan_of(o);
	struct waitq *caller = NULL;
	long e = 0;
	if (reply_token) {
		if (len > PT_SHORT_MAX)
			return -EMSGSIZE;
		uint64_t words[2] = { w0, w1 };
		caller = reply_to(ch, reply_token, status, 0, words, len, &e);
		if (e < 0)
			return e;
	}
	if (caller && (!list_empty(&ch->queue) || ch->client_gone)) {
		waitq_wake_one(caller);
		caller = NULL;
	}
	kobj_get(o);	/* ch outlives the sleep, whoever closes the handle */
	while (list_empty(&ch->queue)) {
		if (ch->client_gone) {
			e = -EPIPE;
			break;
		}
		e = waitq_wait_take(&ch->receivers, 0, true, caller);
		caller = NULL;
		if (e < 0)
			break;
	}
	if (e == 0)
		e = take_short(ch, trap_syscall_regs(t->tf));
	kobj_put(o);
	return e;
}
