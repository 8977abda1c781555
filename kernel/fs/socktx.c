/*
 * Stream output that does not wait for the server. A send within the
 * room the server promised goes behind the caller (PT_SOCK_X_WHOLE): the
 * bytes are copied and the call queued. Output held back by TCP_CORK or
 * MSG_MORE is gathered here and sent as one such call when the hold ends
 * (the cork is lifted, a send without MSG_MORE, a call that must see it
 * sent, Linux's 200 ms limit), so nginx's response (cork, writev,
 * sendfile, uncork) is one message to netd instead of four calls.
 * A write(2) within the room, by any thread of the process that alone
 * holds the socket, runs without the big lock (sockfile_write_unlocked):
 * its bytes and call are one page.
 */
#include "sockfile_int.h"
#include <kernel/sock.h>
#include <kernel/ipc.h>
#include <kernel/vfs.h>
#include <kernel/kmalloc.h>
#include <kernel/string.h>
#include <kernel/errno.h>
#include <kernel/arch.h>
#include <kernel/timer.h>
#include <kernel/page.h>
#include <kernel/vm.h>
#include <kernel/lock.h>
#include <kernel/inotify.h>
#include <kernel/proc.h>
#include <arch/mmu.h>

#define TX_CALLS_MAX 8		/* sends behind the caller unanswered */
#define TX_GATHER_FIRST 2048	/* a gathering buffer's first size */
/* Linux's ceiling on corked output (tcp(7)), also MSG_MORE's tail. */
#define TX_HOLD_MAX_NS 200000000ull
/* The hold's timer again after a nolock call had the output claimed. */
#define TX_CLAIMED_NS 1000000ull

/*
 * Bytes of a send nobody waits for, until the server answers it; also
 * what a stream gathers while its output is held (len of cap used). A
 * send behind the caller of up to tx_page_cap() bytes is one page from
 * the page allocator (page), which needs no big lock: the bytes, then
 * the queued call's storage at the page's end (tx_storage); else the
 * bytes are kmalloc's and the call chan_kcall_async's.
 */
struct tx_bytes {
	struct kobj *chan;
	uint64_t id;
	uint32_t len, cap;
	bool page;
	char data[];
};

/* Where a page's call lies: chan_async_size() bytes at the end. */
static size_t
tx_storage_off(void)
{
	return (PAGE_SIZE - chan_async_size()) & ~(size_t)15;
}

static void *
tx_storage(struct tx_bytes *b)
{
	return (char *)b + tx_storage_off();
}

/* The most bytes a page holds with its call. */
static uint32_t
tx_page_cap(void)
{
	return (uint32_t)(tx_storage_off() - sizeof(struct tx_bytes));
}

/* A page for a send behind the caller, or NULL. With or without the big
 * lock. */
static struct tx_bytes *
tx_page_new(void)
{
	struct tx_bytes *b = page_alloc_kva_dirty(0);
	if (b) {
		b->page = true;
		b->cap = tx_page_cap();
		b->len = 0;
	}
	return b;
}

/* Frees b (kmalloc's only with the big lock held). */
static void
tx_free(struct tx_bytes *b)
{
	if (b && b->page)
		page_free_kva(b, 0);
	else
		kfree(b);
}

static uint32_t
gathered(const struct sockfile *s)
{
	return s->tx_buf ? s->tx_buf->len : 0;
}

/* b's call answered: no longer in flight. tx_lock held. */
static void
tx_uncount(struct sockfile *s, const struct tx_bytes *b)
{
	SPIN_ASSERT_HELD(&s->tx_lock);
	s->tx_inflight -= MIN(s->tx_inflight, b->len);
	s->tx_calls -= s->tx_calls > 0;
}

/*
 * tx_done without the big lock (a page's call queued by a nolock write,
 * answered by the server's nolock receive): under the table's lock,
 * which keeps the socket from being freed, and tx_lock, b is counted
 * answered and, when the readiness is what the socket has, the room
 * taken (tx_room is tx_lock's alone). Returns whether the reply's
 * readiness is still to be taken: it changed, so its waiters and
 * pollers are to be told, which is the big lock's (file_notify).
 */
static bool
tx_done_unlocked(struct tx_bytes *b, const void *reply, size_t len)
{
	const struct pt_sock_reply *rep = reply;
	bool whole = len >= offsetof(struct pt_sock_reply, addr);
	bool rest = false;
	sockfile_table_lock();
	struct sockfile *s = sockfile_find_held(b->chan, b->id);
	if (s) {
		spin_lock(&s->tx_lock);
		tx_uncount(s, b);
		if (whole && rep->events == s->events)
			s->tx_room = rep->room;
		else
			rest = whole;
		spin_unlock(&s->tx_lock);
	}
	sockfile_table_unlock();
	return rest;
}

/* Answered, or failed with the server: b's call is over. With the big
 * lock, or without it for a call queued by a nolock write (tx_call's
 * done_unlocked), which takes it only when the readiness changed. */
static void
tx_done(void *ctx, long status, const void *reply, size_t len)
{
	struct tx_bytes *b = ctx;
	struct sockfile *s;
	if (!bkl_held()) {
		if (tx_done_unlocked(b, reply, len)) {
			bkl_lock();	/* no spinlock held: ch->lock is dropped */
			if ((s = sockfile_find(b->chan, b->id)) != NULL)
				sockfile_reply_events(s, status, reply, len);
			bkl_unlock();
		}
		tx_free(b);	/* a page: freed without the big lock */
		return;
	}
	if ((s = sockfile_find(b->chan, b->id)) != NULL) {
		/* short or failed: the server reset the connection */
		spin_lock(&s->tx_lock);
		tx_uncount(s, b);
		spin_unlock(&s->tx_lock);
		sockfile_reply_events(s, status, reply, len);	/* reads b's page */
	}
	tx_free(b);
}

/* Whether len more bytes may go behind the caller now. tx_lock held. */
static bool
tx_room_for(const struct sockfile *s, uint64_t len)
{
	SPIN_ASSERT_HELD(&s->tx_lock);
	return len && len <= PT_SEND_BEHIND_MAX &&
	       !__atomic_load_n(&s->dead, __ATOMIC_RELAXED) &&
	       s->tx_calls < TX_CALLS_MAX && !s->tx_waits &&
	       len + s->tx_inflight <= s->tx_room &&
	       !(s->events & (POLLERR | POLLHUP)) && (s->events & POLLOUT);
}

/*
 * Whether len more bytes may go behind the caller, and if so they are
 * counted in flight: a send's, until its answer (tx_uncount), or
 * gathered bytes', from when they are gathered, so that the room they
 * will go in stays theirs while the caller or another thread sends.
 */
static bool
tx_take_room(struct sockfile *s, uint64_t len)
{
	spin_lock(&s->tx_lock);
	bool room = tx_room_for(s, len);
	if (room)
		s->tx_inflight += (uint32_t)len;
	spin_unlock(&s->tx_lock);
	return room;
}

/*
 * A send that is a call (it waits for the server: no room, too big, a
 * flag or address) starts (+1) or ends (-1). While one is at the server,
 * nothing goes behind the caller: the room the server last promised does
 * not count the call's bytes, which another thread's write behind it
 * would then overrun (the server resets a send it cannot take whole).
 */
static void
tx_wait(struct sockfile *s, int n)
{
	spin_lock(&s->tx_lock);
	s->tx_waits += n;
	spin_unlock(&s->tx_lock);
}

/* Bytes counted by tx_take_room that will not be sent after all. */
static void
tx_give_room(struct sockfile *s, uint64_t len)
{
	spin_lock(&s->tx_lock);
	s->tx_inflight -= MIN(s->tx_inflight, (uint32_t)len);
	spin_unlock(&s->tx_lock);
}

/*
 * b's bytes as a SEND the server takes whole (flags: MSG_MORE or 0;
 * xflags: PT_SOCK_X_PUSH or 0), queued on s's channel with a page's
 * storage or, for a kmalloc'd b, chan_kcall_async's.
 */
static int
tx_call(struct sockfile *s, struct tx_bytes *b, uint32_t flags,
	uint32_t xflags)
{
	b->chan = s->chan;
	b->id = s->id;
	struct pt_sock_msg msg = { .op = PT_SOCK_SEND,
				   .flags = MSG_NOSIGNAL_K | flags,
				   .id = s->id,
				   .xflags = PT_SOCK_X_WHOLE | xflags };
	struct chan_kcall k = {
		.msg = &msg, .msg_len = sizeof(msg),
		.reply_cap = sizeof(struct pt_sock_reply),
		.nseg = b->len ? 1 : 0,
	};
	k.seg[0] = (struct chan_seg){ (uint64_t)(uintptr_t)b->data, b->len,
				      PT_SEG_IN, true };
	/* A nolock write's call is counted under tx_lock before it is
	   queued (tx_queue_room), so its done may run unlocked; a locked
	   one's done runs with the big lock. */
	if (b->page)
		return chan_kcall_async_at(s->chan, &k, tx_storage(b), tx_done,
					   b, !bkl_held());
	return chan_kcall_async(s->chan, &k, tx_done, b);
}

/*
 * Queues b (see tx_call), with the big lock, its bytes counted in flight
 * already (gathered, or none). The server runs when this CPU next gives
 * way, and calls on the channel are answered in order, so a later send,
 * shutdown or close comes after it. The big lock keeps tx_done off until
 * b is counted. On success b belongs to the call.
 */
static int
tx_queue(struct sockfile *s, struct tx_bytes *b, uint32_t flags,
	 uint32_t xflags)
{
	BKL_ASSERT_HELD();
	int e = tx_call(s, b, flags, xflags);
	if (e < 0)
		return e;
	spin_lock(&s->tx_lock);
	s->tx_calls++;
	spin_unlock(&s->tx_lock);
	s->tx_held = flags & MSG_MORE_K;
	return 0;
}

/*
 * Queues b within the room the server promised, with the big lock or
 * without it (a nolock write): the room looked at and b counted in
 * flight under tx_lock, then the call queued. A caller's look at the
 * room before its copy in (which may sleep) is only a hint: a write of
 * another thread may have taken it since. 0, or -EAGAIN (no room now)
 * or the call's error, b counted off again: b is still the caller's.
 */
static int
tx_queue_room(struct sockfile *s, struct tx_bytes *b, uint32_t flags)
{
	spin_lock(&s->tx_lock);
	bool room = tx_room_for(s, b->len);
	if (room) {
		s->tx_inflight += b->len;
		s->tx_calls++;
	}
	spin_unlock(&s->tx_lock);
	if (!room)
		return -EAGAIN;
	int e = tx_call(s, b, flags, 0);
	if (e < 0) {
		spin_lock(&s->tx_lock);
		tx_uncount(s, b);
		spin_unlock(&s->tx_lock);
	}
	return e;
}

/*
 * The held output (tx_buf, cork) for a nolock call of a one-thread
 * process, against the hold's timer, which with the big lock may send
 * it from another CPU meanwhile: whoever claims it works on it; a nolock
 * call that finds it claimed goes locked, a timer comes back shortly.
 * The process's other calls are its one thread's, one at a time.
 */
static bool
tx_claim(struct sockfile *s)
{
	return !__atomic_exchange_n(&s->tx_claimed, true, __ATOMIC_ACQUIRE);
}

static void
tx_unclaim(struct sockfile *s)
{
	__atomic_store_n(&s->tx_claimed, false, __ATOMIC_RELEASE);
}

/* Under the big lock (ktimer_add, not _nolock): the push allocates and
 * calls the server, and the socket's send state is the big lock's. */
static void
tx_timer_fired(struct ktimer *t)
{
	struct sockfile *s = container_of(t, struct sockfile, tx_timer);
	if (!tx_claim(s)) {	/* a nolock call is at it: a moment */
		ktimer_add(t, arch_now_ns() + TX_CLAIMED_NS, tx_timer_fired);
		return;
	}
	sockfile_tx_push(s);
	tx_unclaim(s);
}

/* Output is held back: it goes within Linux's 200 ms at the latest.
 * With the big lock or without it (a nolock gather). */
static void
tx_hold(struct sockfile *s)
{
	if (!__atomic_load_n(&s->tx_timer.armed, __ATOMIC_RELAXED))
		ktimer_add(&s->tx_timer, arch_now_ns() + TX_HOLD_MAX_NS,
			   tx_timer_fired);
}

/*
 * Sends what was gathered as one call (more: MSG_MORE, the server keeps
 * a partial tail). The bytes always fit (tx_gather_at); they are lost
 * only with the connection (dead, or reset by the server) or when no
 * call can be made, which the next send reports.
 */
static void
tx_flush(struct sockfile *s, bool more)
{
	struct tx_bytes *b = s->tx_buf;
	if (!b || !b->len) {
		s->tx_buf = NULL;
		tx_free(b);
		return;
	}
	int e = s->dead ? 0 : tx_queue(s, b, more ? MSG_MORE_K : 0, 0);
	/* Only once queued: a nolock write (tx_busy), on another CPU than
	   the hold's timer, goes locked until then, so its bytes come after
	   these on the channel. */
	__atomic_store_n(&s->tx_buf, NULL, __ATOMIC_RELEASE);
	if (s->dead || e < 0) {
		tx_give_room(s, b->len);
		tx_free(b);
		s->tx_error = s->dead ? 0 : e;
	}
}

void
sockfile_tx_push(struct sockfile *s)
{
	ktimer_cancel(&s->tx_timer);
	if (gathered(s)) {
		tx_flush(s, false);
		return;
	}
	if (!s->tx_held || s->dead) {
		s->tx_held = false;
		return;
	}
	struct tx_bytes *b = kzalloc(sizeof(*b));	/* not a page's */
	if (!b || tx_queue(s, b, 0, PT_SOCK_X_PUSH) < 0)
		kfree(b);	/* the timer or the next call tries again */
	if (s->tx_held)
		tx_hold(s);
}

void
sockfile_set_cork(struct sockfile *s, bool on)
{
	s->cork = on;
	if (!on)
		sockfile_tx_push(s);
}

void
sockfile_tx_drop(struct sockfile *s)
{
	ktimer_cancel(&s->tx_timer);
	tx_give_room(s, gathered(s));
	tx_free(s->tx_buf);
	s->tx_buf = NULL;
}

/*
 * Where len more bytes are gathered (the buffer grows), or NULL: no room.
 * All that s gathers must go as one send the server promised to take
 * whole, when the hold ends: its bytes are counted in flight as they
 * come (tx_take_room), so that no send of another thread takes their
 * room meanwhile; the promise holds until then, short of a reset.
 */
static char *
tx_gather_at(struct sockfile *s, uint64_t len)
{
	struct tx_bytes *b = s->tx_buf;
	uint64_t have = gathered(s);
	if (!len || have + len > PT_SEND_BEHIND_MAX || !tx_take_room(s, len))
		return NULL;
	if (!b && len <= tx_page_cap() && (b = tx_page_new()) != NULL)
		s->tx_buf = b;	/* a page: nolock gathers may go on in it */
	if (!b || have + len > b->cap) {
		uint64_t cap = MAX(have + len, b ? 2 * (uint64_t)b->cap
						 : TX_GATHER_FIRST);
		cap = MIN(cap, PT_SEND_BEHIND_MAX);
		struct tx_bytes *n = kmalloc(sizeof(*n) + cap);
		if (!n) {
			tx_give_room(s, len);
			return NULL;
		}
		n->len = (uint32_t)have;
		n->cap = (uint32_t)cap;
		n->page = false;
		if (have)
			memcpy(n->data, b->data, have);
		tx_free(b);
		s->tx_buf = b = n;
	}
	return b->data + have;
}

/* len bytes were written at tx_gather_at: held, or all sent now. */
static void
tx_gathered(struct sockfile *s, uint64_t len, bool more)
{
	s->tx_buf->len += (uint32_t)len;
	if (more)
		tx_hold(s);
	else
		sockfile_tx_push(s);	/* the held bytes and these: one call */
}

/* The caller's bytes at cursor gathered whole; 0 if they do not fit. */
static long
tx_gather(struct sockfile *s, const struct sock_uio *cursor, bool more)
{
	struct sock_uio at = *cursor;
	uint64_t len = at.left;
	char *to = tx_gather_at(s, len);
	if (!to)
		return 0;
	if (sock_uio_copy(&at, to, len, false) < 0) {
		tx_give_room(s, len);
		return -EFAULT;	/* nothing of it is sent, as Linux */
	}
	tx_gathered(s, len, more);
	return (long)len;
}

/*
 * A send the server promised to take whole (pt_sock_reply.room): the
 * bytes are copied and the call queued, and the caller goes on, so a
 * request's reply and the caller's next wait cost one switch to the
 * server instead of two. Returns the bytes, 0 when this send must be a
 * call, or -EFAULT.
 */
static long
send_behind(struct sockfile *s, const struct sock_uio *cursor, bool more)
{
	struct sock_uio at = *cursor;	/* a call goes from cursor */
	uint64_t len = at.left;
	spin_lock(&s->tx_lock);
	bool room = tx_room_for(s, len);
	spin_unlock(&s->tx_lock);
	if (!room)
		return 0;
	/* A page up to its room (no kmalloc: the nolock write's way too). */
	struct tx_bytes *b = len <= tx_page_cap() ? tx_page_new()
						   : kmalloc(sizeof(*b) + len);
	if (!b)
		return 0;
	if (len > tx_page_cap()) {
		b->page = false;
		b->cap = (uint32_t)len;
	}
	if (sock_uio_copy(&at, b->data, len, false) < 0) {
		tx_free(b);
		return -EFAULT;	/* nothing of it is sent, as Linux */
	}
	b->len = (uint32_t)len;
	if (tx_queue_room(s, b, more ? MSG_MORE_K : 0) < 0) {
		tx_free(b);
		return 0;	/* the call waits for room or says what went wrong */
	}
	s->tx_held = more;
	if (more)
		tx_hold(s);
	return (long)len;
}

long
socktx_send(struct sockfile *s, const struct sock_uio *u,
	    const struct pt_sock_msg *msg, bool more)
{
	if (s->tx_error) {
		int e = s->tx_error;
		s->tx_error = 0;
		return e;
	}
	bool plain = !msg->addr_len &&
		     !(msg->flags & ~(MSG_NOSIGNAL_K | MSG_DONTWAIT_K |
				      MSG_MORE_K));
	if (plain && (more || gathered(s))) {
		long r = tx_gather(s, u, more);
		if (r != 0)
			return r;
	}
	tx_flush(s, true);	/* the send that follows ends it or holds on */
	long r = plain ? send_behind(s, u, more) : 0;
	if (r == 0)
		tx_wait(s, 1);	/* the caller's call, until socktx_sent */
	return r;
}

void
socktx_sent(struct sockfile *s, long r, bool more)
{
	tx_wait(s, -1);
	if (r > 0)
		s->tx_held = more;
	if (s->tx_held)
		tx_hold(s);
	else
		ktimer_cancel(&s->tx_timer);
}

long
sockfile_send_kernel(struct sockfile *s, const void *buf, size_t len,
		     bool nonblock)
{
	bool more = s->cork;
	if (s->tx_error) {
		int e = s->tx_error;
		s->tx_error = 0;
		return e;
	}
	if (more || gathered(s)) {
		char *to = tx_gather_at(s, len);
		if (to) {
			memcpy(to, buf, len);
			tx_gathered(s, len, more);
			return (long)len;
		}
	}
	tx_flush(s, true);
	struct pt_sock_msg msg = {
		.op = PT_SOCK_SEND,
		.flags = MSG_NOSIGNAL_K | (more ? MSG_MORE_K : 0),
	};
	struct chan_seg seg = { (uint64_t)(uintptr_t)buf, len, PT_SEG_IN, true };
	tx_wait(s, 1);
	long r = sockfile_call_wait(s, &msg, NULL, &seg, 1, POLLOUT, nonblock);
	socktx_sent(s, r, more);
	return r;
}

/* Output held back or an error kept: the locked path's to handle.
 * Changed only with the big lock, read here relaxed: a thread's own
 * earlier calls (and any another thread's before it, by the program's
 * own ordering) are seen; a call of another thread running meanwhile is
 * unordered with this write, as two threads' sends on Linux, and the
 * room its gathered bytes will go in is counted already (tx_gather_at).
 * The timer, with nothing held, changes nothing; with bytes gathered
 * it sends them, and tx_buf is cleared only once they are queued
 * (tx_flush), so a write that sees it clear comes after them. */
static bool
tx_busy(const struct sockfile *s)
{
	return __atomic_load_n(&s->cork, __ATOMIC_RELAXED) ||
	       __atomic_load_n(&s->tx_buf, __ATOMIC_ACQUIRE) ||
	       __atomic_load_n(&s->tx_held, __ATOMIC_RELAXED) ||
	       __atomic_load_n(&s->tx_error, __ATOMIC_RELAXED) ||
	       __atomic_load_n(&s->dead, __ATOMIC_RELAXED);
}

/*
 * The nolock send: send_behind's common case, the bytes put into a page
 * before any lock (fill: up to count of them, how many it put, 0 at a
 * file's end, or -ERETRY_LOCKED), then the room looked at and the call
 * queued under tx_lock. Anything else goes back to the locked path
 * before a change: a fault (it says EFAULT), no room, output held back
 * (but for tx_gather_unlocked's case), an observer of the channel that
 * is not a pt_wait.
 */
static long
tx_send_unlocked(struct sockfile *s, size_t count, sockfile_fill_fn fill,
		 const void *arg)
{
	if (tx_busy(s))
		return -ERETRY_LOCKED;
	struct tx_bytes *b = tx_page_new();
	if (!b)
		return -ERETRY_LOCKED;
	long n = fill(b->data, count, arg);
	if (n > 0) {
		b->len = (uint32_t)n;
		if (tx_queue_room(s, b, 0) == 0)
			return n;
	}
	tx_free(b);
	return n == 0 ? 0 : -ERETRY_LOCKED;
}

/*
 * Corked output gathered without the big lock: a one-thread process's
 * send while TCP_CORK is on (nginx's headers and file), put (fill) into
 * the page gathering it, or a fresh one, with the output claimed
 * (tx_claim), and counted in flight. Goes back locked, nothing changed,
 * for more than a page gathers, an error kept, no room.
 */
static long
tx_gather_unlocked(struct sockfile *s, size_t count, sockfile_fill_fn fill,
		   const void *arg)
{
	if (current()->proc->nthreads != 1 || !tx_claim(s))
		return -ERETRY_LOCKED;
	long r = -ERETRY_LOCKED;
	struct tx_bytes *b = s->tx_buf, *fresh = NULL;
	uint32_t have = b ? b->len : 0;
	if (!s->cork || s->tx_error || (b && !b->page) ||
	    have + count > tx_page_cap())
		goto out;
	if (!b && !(b = fresh = tx_page_new()))
		goto out;
	r = fill(b->data + have, count, arg);
	if (r > 0 && tx_take_room(s, (uint64_t)r)) {
		b->len = have + (uint32_t)r;
		if (fresh)
			__atomic_store_n(&s->tx_buf, fresh, __ATOMIC_RELEASE);
		fresh = NULL;
		tx_hold(s);
	} else if (r != 0) {
		r = -ERETRY_LOCKED;
	}
out:
	if (fresh)
		tx_free(fresh);
	tx_unclaim(s);
	return r;
}

long
sockfile_send_unlocked(struct file *f, size_t count, sockfile_fill_fn fill,
		       const void *arg)
{
	struct sockfile *s = f->priv;
	KASSERT(tx_page_cap() <= NOLOCK_WRITE_MAX);	/* write_unlocked's test */
	if (!count || count > tx_page_cap() || inotify_active())
		return -ERETRY_LOCKED;
	if (__atomic_load_n(&s->cork, __ATOMIC_RELAXED))
		return tx_gather_unlocked(s, count, fill, arg);
	return tx_send_unlocked(s, count, fill, arg);
}

static long
fill_user(void *to, size_t len, const void *arg)
{
	return uvec_copyin(to, arg, 0, len) == 0 ? (long)len : -ERETRY_LOCKED;
}

long
sockfile_write_unlocked(struct file *f, const struct uvec *u)
{
	/* a writev's pieces: one write's bytes */
	return sockfile_send_unlocked(f, u->len, fill_user, u);
}

/*
 * TCP_CORK set without the big lock, by a one-thread process (its
 * setsockopt, nolock(fd)): on, a store; off, what was gathered in a page
 * goes as one call, queued here (counted first, as tx_queue_room), and
 * the hold's timer is cancelled. Back locked, nothing changed, for output
 * gathered past a page, the server holding a MSG_MORE tail (tx_held: an
 * empty push call), an error kept, a dead socket, a failed queue.
 */
long
sockfile_cork_unlocked(struct file *f, bool on)
{
	struct sockfile *s = f->priv;
	if (on) {
		__atomic_store_n(&s->cork, true, __ATOMIC_RELAXED);
		return 0;
	}
	if (current()->proc->nthreads != 1 || !tx_claim(s))
		return -ERETRY_LOCKED;
	long r = -ERETRY_LOCKED;
	struct tx_bytes *b = s->tx_buf;
	if (s->tx_held || s->tx_error || s->dead || (b && !b->page))
		goto out;
	if (b && b->len) {
		spin_lock(&s->tx_lock);
		s->tx_calls++;
		spin_unlock(&s->tx_lock);
		if (tx_call(s, b, 0, 0) < 0) {
			spin_lock(&s->tx_lock);
			s->tx_calls -= s->tx_calls > 0;
			spin_unlock(&s->tx_lock);
			goto out;
		}
	} else if (b) {
		tx_free(b);
	}
	__atomic_store_n(&s->tx_buf, NULL, __ATOMIC_RELEASE);
	ktimer_cancel(&s->tx_timer);
	__atomic_store_n(&s->cork, false, __ATOMIC_RELAXED);
	r = 0;
out:
	tx_unclaim(s);
	return r;
}
