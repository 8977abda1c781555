/*
 * The short calls: a channel call and a receive-with-reply that carry up
 * to PT_SHORT_MAX bytes each way in registers, nothing through user
 * memory. Both are "nolock" calls (syscalls.master): they run without the
 * big lock, under the channel's own lock (chan_int.h), and hand anything
 * that needs the big lock to the locked way (-ERETRY_LOCKED, before they
 * change anything). For the other side the call is one like any other.
 * Between two one-thread processes on one CPU they take a fast path
 * (fast_call, fast_reply, below), and x86_64's entry runs them without
 * the table's layers (chan_short_fast, at the end).
 */
#include <kernel/ipc.h>
#include <kernel/proc.h>
#include <kernel/errno.h>
#include <syscall_table.h>
#include <petrel/calls.h>
#include <kernel/lock.h>
#include <kernel/signal.h>
#include <kernel/sched_handoff.h>
#include <arch/trap.h>
#include "ipc_int.h"
#include "chan_int.h"

/*
 * The short round trip's fast path (issue 13 section 3; docs/kernel.md,
 * "The short round trip's fast path"), as seL4's: where a short receive
 * of a one-thread server waits on this CPU, a short call of a one-thread
 * client, nolock, goes to it in one step and the reply comes back in
 * one. Anything else, or anything that would need more than that, takes
 * the ordinary way, which these steps leave as it was.
 */

/* The first n bytes (little-endian: the low ones) of word w, n <= 8. */
static inline uint64_t
low_bytes(uint64_t w, unsigned n)
{
	return n >= 8 ? w : w & ((1ull << (n * 8)) - 1);
}
_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__,
	       "low_bytes takes a message's first bytes as the word's low ones");

/*
 * A fast call's caller after its sleep on c->wq, which returned w: unless
 * the replier handed it the CPU with the reply (c->handed), it takes
 * ch->lock, as chan_do_call's loop does after every sleep, and goes on as
 * that loop does (the call withdrawn by a signal: -EINTR; else asleep
 * again until it is answered). Returns the status.
 */
static inline __attribute__((always_inline)) long
fast_call_woken(struct channel *ch, struct chan_call *c, int w)
{
	if (c->handed)
		return c->status;
	spin_lock(&ch->lock);
	while (!c->done) {
		if (w == -EINTR || fatal_signal_pending(current())) {
			list_remove(&c->link);	/* withdrawn */
			spin_unlock(&ch->lock);
			return -EINTR;
		}
		w = call_wait(ch, c, NULL);
		spin_lock(&ch->lock);
	}
	spin_unlock(&ch->lock);
	return c->status;
}

/*
 * The fast call: when ch's first receiver is a short receive that may
 * take a call here (thread.chan_rx, this CPU allowed) and this thread may
 * sleep, c goes straight to the active list (no queue), its message,
 * length and caller straight into the receiver's registers as take_short
 * would put them, and the CPU to the receiver, which returns the token
 * without taking ch->lock again. The server end must be there with no
 * observers and no call queued before (calls are taken in order). False,
 * nothing changed, when it is not so: the ordinary way then. Else true,
 * *status the call's (c->done false: withdrawn by a signal, -EINTR).
 */
static inline __attribute__((always_inline)) bool
fast_call(struct thread *t, struct channel *ch, struct chan_call *c,
	  uint64_t w0, uint64_t w1, unsigned len, uint64_t *reply,
	  long *status)
{
	struct cpu *cpu = this_cpu();
	struct proc *p = t->proc;
	struct thread *srv;

	spin_lock_on(&ch->lock, cpu);
	waitq_init_beside(&c->wq, &ch->receivers);	/* one lock */
	if (ch->server_gone || !list_empty(&ch->server.observers) ||
	    !list_empty(&ch->queue) ||
	    (srv = handoff_begin(cpu, &ch->receivers, &c->wq)) == NULL)
		goto no;
	if (srv->chan_rx != CHAN_RX_WAITING) {
		handoff_cancel(cpu, &c->wq);	/* block receive, or locked */
		goto no;
	}
	c->token = ++ch->next_token;
	c->nseg = 0;
	c->nointr = false;
	c->on_reply = NULL;
	c->async = NULL;
	c->reply = reply;
	c->reply_cap = PT_SHORT_MAX;
	c->reply_len = 0;
	c->done = false;
	c->handed = false;
	list_push_back(&ch->active, &c->link);
	uint64_t *sr = trap_syscall_regs(srv->tf);
	sr[1] = low_bytes(w0, len);
	sr[2] = len > 8 ? low_bytes(w1, len - 8) : 0;
	sr[3] = len;	/* flags 0: a program's call */
	sr[4] = (uint32_t)p->euid | (uint64_t)(uint32_t)p->egid << 32;
	sr[5] = (uint32_t)p->pid;	/* no segment */
	srv->chan_rx = (long)c->token;
	cpu->ipc_fast_calls++;
	int w = handoff_finish(cpu, &c->wq, srv, &ch->lock);
	*status = fast_call_woken(ch, c, w);
	return true;
no:
	spin_unlock(&ch->lock);
	return false;
}

/*
 * pt_channel_call_regs: the message in the argument registers w0 and w1
 * (len bytes), the reply written back to them (trap_syscall_regs), its
 * length to len's. A block-form receive sees a message of len bytes and
 * reply room of PT_SHORT_MAX. One copy, out of line, as short_recv:
 * inlined with `unlocked` a constant into chan_short_fast and again into
 * the system call, the two bodies cost 6 KiB of kernel text, which
 * --mem 4M has not got, for 5 instructions a round trip.
 */
static __attribute__((noinline)) long
short_call(struct thread *t, int h, uint64_t w0, uint64_t w1, unsigned len,
	   bool unlocked)
{
	struct kobj *o = handle_lookup_inline(t->proc, h, PT_OBJ_CHANNEL_CLIENT,
					      PT_RIGHT_WRITE);
	if (IS_ERR(o))
		return PTR_ERR(o);
	if (len > PT_SHORT_MAX)
		return -EMSGSIZE;
	/* Past the reply's length the words read 0, never the stack's. */
	uint64_t msg[2] = { w0, w1 }, reply[2] = { 0, 0 };
	struct chan_call c;
	long status;
	if (unlocked && fast_call(t, chan_of(o), &c, w0, w1, len, reply,
				  &status)) {
		if (!c.done)	/* -EINTR: delivered the locked way */
			return chan_nolock_eintr(t);
	} else {
		program_call_init(&c, msg, len, reply, PT_SHORT_MAX);
		c.nseg = 0;
		status = chan_syscall_call(t, o, &c, unlocked);
		if (!c.done)
			return status;
	}
	uint64_t *regs = trap_syscall_regs(t->tf);
	regs[1] = reply[0];
	regs[2] = reply[1];
	regs[3] = c.reply_len;
	return status;
}

/* Gives the first queued call to a short receive: into the registers
 * regs[1..5]; returns its token. ch->lock held. */
static inline __attribute__((always_inline)) long
take_short(struct channel *ch, uint64_t *regs)
{
	SPIN_ASSERT_HELD(&ch->lock);
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

/* What a short receive that slept as CHAN_RX_WAITING was given: a fast
 * call's token (> 0), its call in the registers; else nothing (<= 0). */
static inline long
rx_given(struct thread *t)
{
	long given = t->chan_rx;
	t->chan_rx = 0;
	return given;
}

/* The first len bytes (at most PT_SHORT_MAX) of the words w0, w1 to dst:
 * whole words, the common case, stored as words, without short_copy's
 * loops (a dozen instructions of the round trip). */
static inline __attribute__((always_inline)) void
reply_words(void *dst, uint64_t w0, uint64_t w1, unsigned len)
{
	uint64_t words[2] = { w0, w1 };

	if (len % 8) {
		short_copy(dst, words, len);
		return;
	}
	if (len >= 8)
		__builtin_memcpy(dst, &w0, 8);
	if (len == 16)
		__builtin_memcpy((char *)dst + 8, &w1, 8);
}
_Static_assert(PT_SHORT_MAX == 16, "reply_words stores at most two words");

/*
 * The fast reply: a short receive's reply to a program's call (no
 * on_reply, not async) whose caller sleeps for it and may run here, where
 * this receive would sleep next (no call queued, the clients there). The
 * reply goes in as reply_to's, the call is marked handed, and the CPU
 * goes to the caller while this thread sleeps on the receivers as one a
 * fast call may give its call to. ch->lock held. False, nothing changed,
 * where it is not so. True, with *e either a call so given (> 0: its
 * token; ch->lock not held) or, ch->lock held again, the wake's result.
 */
static inline __attribute__((always_inline)) bool
fast_reply(struct thread *t, struct channel *ch, uint64_t token,
	   int64_t status, uint64_t w0, uint64_t w1, unsigned len, long *e)
{
	struct cpu *cpu = this_cpu();
	struct chan_call *c;
	struct thread *caller;

	if (!list_empty(&ch->queue) || ch->client_gone ||
	    (c = call_find(ch, token)) == NULL || c->async || c->on_reply ||
	    (caller = handoff_begin(cpu, &c->wq, &ch->receivers)) == NULL)
		return false;
	len = MIN(len, c->reply_cap);
	reply_words(c->reply, w0, w1, len);
	c->reply_len = len;
	call_finish(ch, c, (long)status);
	c->handed = true;
	t->chan_rx = CHAN_RX_WAITING;
	cpu->ipc_fast_replies++;
	int w = handoff_finish(cpu, &ch->receivers, caller, &ch->lock);
	if ((*e = rx_given(t)) > 0)
		return true;
	*e = w;
	spin_lock(&ch->lock);
	return true;
}

/*
 * pt_channel_recv_regs: answers reply_token (if not 0) with status and the
 * words w0, w1 (len bytes), as pt_channel_recv's reply does, then waits
 * for a call, for ever or until the clients are gone (EPIPE). Returns the
 * call's token; its first PT_SHORT_MAX bytes go to the registers of w0
 * and w1, the rest of what pt_recv says to those of len, reply_token and
 * status (syscalls.master). A longer message is cut: its whole length
 * tells the server so. Without the big lock, a reply to a kernel call
 * with on_reply or done goes the locked way (reply_to).
 */
static __attribute__((noinline)) long
short_recv(struct thread *t, int h, uint64_t w0, uint64_t w1, unsigned len,
	   uint64_t reply_token, int64_t status, bool unlocked)
{
	struct kobj *o = handle_lookup_inline(t->proc, h, PT_OBJ_CHANNEL_SERVER,
					      PT_RIGHT_READ);
	if (IS_ERR(o))
		return PTR_ERR(o);
	if (reply_token && len > PT_SHORT_MAX)
		return -EMSGSIZE;
	struct channel *ch = chan_of(o);
	struct waitq *caller = NULL;
	uint64_t words[2] = { w0, w1 };
	long e = 0;
	spin_lock(&ch->lock);
	if (reply_token && unlocked &&
	    fast_reply(t, ch, reply_token, status, w0, w1, len, &e)) {
		if (e > 0)
			return e;	/* a fast call's, in the registers */
	} else if (reply_token) {
		caller = reply_to(ch, reply_token, status, words, len, unlocked,
				  &e);
		if (e < 0) {
			spin_unlock(&ch->lock);
			return e;
		}
		if (caller && (!list_empty(&ch->queue) || ch->client_gone)) {
			waitq_wake_one(caller);
			caller = NULL;
		}
	}
	if (!unlocked)
		kobj_get(o);	/* ch outlives the sleep, whoever closes the handle */
	while (e == 0 && list_empty(&ch->queue)) {
		if (ch->client_gone) {
			e = -EPIPE;
			break;
		}
		if (unlocked)
			t->chan_rx = CHAN_RX_WAITING;
		e = waitq_handoff(&ch->receivers, caller, &ch->lock);
		caller = NULL;
		long given = unlocked ? rx_given(t) : 0;
		if (given > 0)
			return given;	/* a fast call's, in the registers */
		spin_lock(&ch->lock);
	}
	if (e == 0)
		e = take_short(ch, trap_syscall_regs(t->tf));
	spin_unlock(&ch->lock);
	if (!unlocked)
		kobj_put(o);
	/* A signal ended the wait, maybe after a reply: delivered the
	   locked way, the call not run again. */
	if (unlocked && e == -EINTR)
		return chan_nolock_eintr(t);
	return e;
}

long
sys_pt_channel_call_regs(int h, uint64_t w0, uint64_t w1, unsigned len)
{
	struct thread *t = current();
	bool unlocked = t->unlocked_call;
	if (unlocked && !chan_unlocked_ok(t))
		return -ERETRY_LOCKED;
	return short_call(t, h, w0, w1, len, unlocked);
}

long
sys_pt_channel_recv_regs(int h, uint64_t w0, uint64_t w1, unsigned len,
			 uint64_t reply_token, int64_t status)
{
	struct thread *t = current();
	bool unlocked = t->unlocked_call;
	if (unlocked && !chan_unlocked_ok(t))
		return -ERETRY_LOCKED;
	return short_recv(t, h, w0, w1, len, reply_token, status, unlocked);
}

/*
 * The short calls' nolock way, from the arch's entry (x86_64's
 * syscall_handler) in place of syscall_run_unlocked_native and the
 * table's thunk: the same tests on the way in (a watcher, a signal to
 * deliver, a stop: syscall_run_unlocked_entry), then the call's code.
 * True: it ran, *r its result; false: the locked way runs it, or
 * (thread.unlocked_eintr) delivers the -EINTR of a call a signal ended
 * after it changed something.
 */
bool
chan_short_fast(const uint64_t *a, uint64_t nr, long *r)
{
	struct thread *t = current();
	struct proc *p = t->proc;
	uint64_t pend = t->sig_pending | p->sig_pending;

	if (t->work != 0 ||
	    (pend & (~t->sig_blocked | SIGBIT(SIGKILL) | SIGBIT(SIGSTOP))) ||
	    p->stopped || !chan_unlocked_ok(t))
		return false;
	BKL_ASSERT_NOT_HELD();
	long v;
	if (nr == PT_NR_channel_call_regs)
		v = short_call(t, (int)a[0], a[1], a[2], (unsigned)a[3], true);
	else
		v = short_recv(t, (int)a[0], a[1], a[2], (unsigned)a[3], a[4],
			       (int64_t)a[5], true);
	KASSERT(spin_none_held());	/* none kept past the call */
	if (v == -ERETRY_LOCKED)
		return false;	/* *r, the number, left for the locked way */
	*r = v;
	return true;
}
