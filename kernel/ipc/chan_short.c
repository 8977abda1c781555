/*
 * The short calls: a channel call and a receive-with-reply that carry up
 * to PT_SHORT_MAX bytes each way in registers, nothing through user
 * memory. Both are "nolock" calls (syscalls.master): they run without the
 * big lock, under the channel's own lock (chan_int.h), and hand anything
 * that needs the big lock to the locked way (-ERETRY_LOCKED, before they
 * change anything). For the other side the call is one like any other.
 */
#include <kernel/ipc.h>
#include <kernel/proc.h>
#include <kernel/errno.h>
#include <syscall_table.h>
#include <petrel/calls.h>
#include <kernel/lock.h>
#include <kernel/signal.h>
#include <arch/trap.h>
#include "ipc_int.h"
#include "chan_int.h"

/*
 * pt_channel_call_regs: the message in the argument registers w0 and w1
 * (len bytes), the reply written back to them (trap_syscall_regs), its
 * length to len's. A block-form receive sees a message of len bytes and
 * reply room of PT_SHORT_MAX.
 */
static inline __attribute__((always_inline)) long
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
	program_call_init(&c, msg, len, reply, PT_SHORT_MAX);
	c.nseg = 0;
	long status = chan_syscall_call(t, o, &c, unlocked);
	if (!c.done)
		return status;
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
static inline __attribute__((always_inline)) long
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
	if (reply_token) {
		caller = reply_to(ch, reply_token, status, words, len, unlocked,
				  &e);
		if (e < 0) {
			spin_unlock(&ch->lock);
			return e;
		}
	}
	if (caller && (!list_empty(&ch->queue) || ch->client_gone)) {
		waitq_wake_one(caller);
		caller = NULL;
	}
	if (!unlocked)
		kobj_get(o);	/* ch outlives the sleep, whoever closes the handle */
	while (list_empty(&ch->queue)) {
		if (ch->client_gone) {
			e = -EPIPE;
			break;
		}
		e = waitq_handoff(&ch->receivers, caller, &ch->lock);
		caller = NULL;
		spin_lock(&ch->lock);
		if (e < 0)
			break;
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
 * deliver, a stop: syscall_run_unlocked_entry), then the call's code,
 * inline, with `unlocked` a constant. True: it ran, *r its result; false:
 * the locked way runs it, or (thread.unlocked_eintr) delivers the -EINTR
 * of a call a signal ended after it changed something.
 */
bool
chan_short_fast(uint64_t nr, const uint64_t *a, long *r)
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
	*r = v;
	return v != -ERETRY_LOCKED;
}
