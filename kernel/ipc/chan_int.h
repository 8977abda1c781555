/*
 * What the parts of the channel code share (chan.c: the block calls, the
 * kernel's own calls, an end's destruction; chan_short.c: the short calls;
 * chan_seg.c: the server's copies of a call's segments): the channel, a
 * call in flight, and the call and reply steps they take.
 *
 * Locking (docs/kernel.md, "Channels without the big lock", "The block
 * form without the big lock"): each channel's spinlock guards the fields
 * tagged [C] and, for every call on its queue or active list, the call's
 * fields tagged [C]; while a call is active, its holder may also reach
 * the caller's buffers and address space, which the call's withdrawal
 * (under the same lock) comes before. Every path that reads or changes
 * them takes it, with the big lock (the kernel's calls, destruction,
 * pt_wait, any call of a process with threads) or without (the program's
 * calls, short and block, of a one-thread process). Its holder copies no
 * user memory, runs no callback of the layers above (on_reply, an async
 * call's done, an observer's changed) and frees nothing; the order is the
 * big lock, a channel's lock, the wait queue locks, and a caller's vm lock
 * is taken under a channel's (vm_user_page_mapped), never the reverse.
 */
#ifndef CHAN_INT_H
#define CHAN_INT_H

#include <kernel/ipc.h>
#include <kernel/proc.h>
#include <kernel/spinlock.h>
#include <kernel/errno.h>

struct channel {
	struct spinlock lock;
	struct kobj client, server;
	struct list queue;		/* [C] calls not yet received */
	struct list active;		/* [C] received, not yet answered */
	struct waitq receivers;		/* server threads in a receive */
	uint64_t next_token;		/* [C] */
	/* [C] and the big lock: an end's last reference is gone. */
	bool client_gone, server_gone;
};

/* thread.chan_rx of a short receive a fast call may give its call to. */
#define CHAN_RX_WAITING (-1L)

/* One call in flight; it lives on the caller's kernel stack. A fast call
 * (chan_short.c) goes straight to the active list and sets only the
 * fields an active call with no segment is read for: link, token, nseg,
 * reply, reply_cap, reply_len, status, done, handed, wq, on_reply, async,
 * nointr. */
struct chan_call {
	struct list link;		/* [C] channel queue, then active list */
	uint64_t token;
	struct vm *vm;			/* the caller's, for user segments */
	int pid, uid, gid;
	uint32_t flags;			/* PT_RECV_KERNEL */
	bool nointr;			/* signals do not end the wait */
	const void *msg;		/* kernel copy */
	size_t msg_len;
	void *reply;			/* [C] kernel buffer */
	size_t reply_cap, reply_len;	/* reply_len [C] */
	unsigned nseg;
	struct chan_seg seg[PT_SEG_MAX];
	long status;			/* [C] */
	bool done;			/* [C] answered or failed */
	/* [C] set by a fast reply (chan_short.c) that handed the CPU to this
	   call's caller: it is done with the call and its wq, so the caller
	   need not take ch->lock to leave. Read only by a fast call, the
	   one kind of caller that sets it false first. */
	bool handed;
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
	/* Allocated here (chan_kcall_async), freed after done; else its
	   caller's storage (chan_kcall_async_at), which done frees. */
	bool allocated;
	/* done may run without the big lock (chan_kcall_async_at's
	   done_unlocked): a nolock reply runs it instead of going locked. */
	bool done_unlocked;
};

static inline struct channel *
chan_of(struct kobj *o)
{
	if (o->type == PT_OBJ_CHANNEL_CLIENT)
		return container_of(o, struct channel, client);
	return container_of(o, struct channel, server);
}

/* The active call `token`, or NULL. ch->lock held. */
static inline struct chan_call *
call_find(struct channel *ch, uint64_t token)
{
	SPIN_ASSERT_HELD(&ch->lock);
	list_for_each(it, &ch->active) {
		struct chan_call *c = list_entry(it, struct chan_call, link);
		if (c->token == token)
			return c;
	}
	return NULL;
}

/* Ends a call: its caller is told the status and may run again once it
 * can take ch->lock. ch->lock held. */
static inline void
call_finish(struct channel *ch, struct chan_call *c, long status)
{
	SPIN_ASSERT_HELD(&ch->lock);
	(void)ch;
	list_remove(&c->link);
	c->status = status;
	c->done = true;
}

/*
 * Whether thread t may run a channel call without the big lock: its
 * process has no other thread, so no one else can close the handle (its
 * reference keeps the channel) or change the handle table meanwhile, and
 * the object's reference count, the big lock's, is left alone. The
 * count only grows by this thread's clone.
 */
static inline bool
chan_unlocked_ok(struct thread *t)
{
	return t->proc->nthreads == 1;
}

/*
 * A signal ended a nolock call's sleep after it changed something (a call
 * queued, received or answered): -EINTR through the locked way out, which
 * delivers the signal, and the call is not run again
 * (syscall_nolock_deliver).
 */
static inline long
chan_nolock_eintr(struct thread *t)
{
	t->unlocked_eintr = true;
	return -ERETRY_LOCKED;
}

/* Copies up to PT_MSG_MAX bytes in line: memcpy is a call here. */
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

/*
 * Sleeps on c->wq, handing the CPU to the first of receivers (may be
 * NULL), and lets ch->lock go once asleep. A nointr call (the kernel's
 * own) ignores signals but not SIGKILL: a server that never answers must
 * not make its callers unkillable, and a dying caller's result is seen by
 * nobody.
 */
static inline __attribute__((always_inline)) int
call_wait(struct channel *ch, struct chan_call *c, struct waitq *receivers)
{
	if (c->nointr) {
		struct thread *t = current();
		t->killable = true;
		int r = waitq_wait_take(&c->wq, 0, false, receivers, &ch->lock);
		t->killable = false;
		/* exit_group wakes every sleeper plainly (wake_result 0). */
		return fatal_signal_pending(t) ? -EINTR : r;
	}
	return waitq_handoff(&c->wq, receivers, &ch->lock);
}

/*
 * Queues c on ch and sleeps until it is answered; a server thread waiting
 * to receive runs at once, on this CPU. Called with ch->lock held, which
 * it releases. Returns the reply's status, -ECONNRESET (no server), -EINTR
 * (a signal withdrew the call: its token now fails with -ENOENT, so a late
 * reply, read or write never reaches this stack; c->done is false), or,
 * unlocked, -ERETRY_LOCKED before anything changed: the server end has
 * observers (pt_wait, sockfile's watch), whose wake-up is the big lock's.
 * Inline: the round trip's path is one function per side. May sleep.
 */
static inline __attribute__((always_inline)) long
chan_do_call(struct channel *ch, struct chan_call *c, bool unlocked)
{
	struct proc *p = current()->proc;
	long r = -ECONNRESET;

	SPIN_ASSERT_HELD(&ch->lock);
	if (ch->server_gone)
		goto out;
	r = -ERETRY_LOCKED;
	if (unlocked && !list_empty(&ch->server.observers))
		goto out;
	c->token = ++ch->next_token;
	c->vm = p->vm;
	c->pid = p->pid;
	c->uid = (int)p->euid;
	c->gid = (int)p->egid;
	c->done = false;
	waitq_init_beside(&c->wq, &ch->receivers);	/* one lock */
	list_push_back(&ch->queue, &c->link);
	if (!list_empty(&ch->server.observers)) {
		/* Locked: the observers' code runs without ch->lock. The
		   call may be taken and answered meanwhile: c->done says. */
		spin_unlock(&ch->lock);
		kobj_tell_observers(&ch->server);
		spin_lock(&ch->lock);
	}

	struct waitq *receivers = &ch->receivers;
	while (!c->done) {
		int w = call_wait(ch, c, receivers);
		receivers = NULL;
		/* The replier lets go of ch->lock only when done with c->wq:
		   taking it here keeps this stack until then. */
		spin_lock(&ch->lock);
		if (!c->done && (w == -EINTR || fatal_signal_pending(current()))) {
			list_remove(&c->link);	/* withdrawn */
			r = -EINTR;
			goto out;
		}
	}
	r = c->status;
out:
	spin_unlock(&ch->lock);
	return r;
}

/*
 * A call system call's run of c on the channel of its handle's object o,
 * with or without the big lock: a locked caller holds o across the sleep
 * (its handle may be closed meanwhile), an unlocked one's process has no
 * other thread to close it. Returns chan_do_call's status, c->done telling
 * whether it was answered; a call withdrawn by a signal without the big
 * lock goes the locked way out, which delivers the signal.
 */
static inline __attribute__((always_inline)) long
chan_syscall_call(struct thread *t, struct kobj *o, struct chan_call *c,
		  bool unlocked)
{
	struct channel *ch = chan_of(o);
	if (!unlocked)
		kobj_get(o);
	spin_lock(&ch->lock);
	long status = chan_do_call(ch, c, unlocked);
	if (!unlocked)
		kobj_put(o);
	if (!c->done && unlocked && status == -EINTR)
		return chan_nolock_eintr(t);
	return status;
}

/* reply_to's part for a kernel call (on_reply, async): chan.c. */
struct waitq *reply_kernel(struct channel *ch, struct chan_call *c,
			   int64_t status, const void *kdata, size_t len);

/*
 * Answers the call `token` with status and len bytes of reply at kdata
 * (kernel memory). ch->lock held, and held again on return. Returns the
 * wait queue its caller sleeps on, which the replier must wake
 * (waitq_wake_one) or hand the CPU to (waitq_wait_take, ch->lock as
 * `held`) before it lets go of ch->lock: the caller, once its call is
 * done, leaves as soon as it can take ch->lock, and the queue is on its
 * stack. NULL otherwise, with *err: -ENOENT (never received, answered, or
 * given up), -EMSGSIZE, -ERETRY_LOCKED (unlocked, before anything
 * changed: a kernel call whose reply runs the kernel's code, unless an
 * asynchronous one whose done may run unlocked), or 0 (an asynchronous
 * call, finished).
 */
static inline __attribute__((always_inline)) struct waitq *
reply_to(struct channel *ch, uint64_t token, int64_t status,
	 const void *kdata, size_t len, bool unlocked, long *err)
{
	struct chan_call *c = call_find(ch, token);
	*err = 0;
	if (!c) {
		*err = -ENOENT;
		return NULL;
	}
	if (len > PT_MSG_MAX) {
		*err = -EMSGSIZE;
		return NULL;
	}
	if (__builtin_expect(c->async || c->on_reply, 0)) {
		if (unlocked && !(c->async && c->async->done_unlocked)) {
			*err = -ERETRY_LOCKED;
			return NULL;
		}
		return reply_kernel(ch, c, status, kdata, len);
	}
	len = MIN(len, c->reply_cap);
	short_copy(c->reply, kdata, len);
	c->reply_len = len;
	call_finish(ch, c, (long)status);
	return &c->wq;
}

#endif
