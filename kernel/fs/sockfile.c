/*
 * Server-backed sockets: an AF_INET/AF_INET6 descriptor is a file whose
 * operations are calls to the server registered for PT_ROUTE_INET (netd).
 * The server never blocks; the kernel does, on the readiness the server
 * reports in every reply and pushes with pt_channel_post. Nothing a server
 * says is trusted: lengths are bounded, a server that dies fails its
 * sockets with ECONNRESET.
 */
#include "sockfile_int.h"
#include <kernel/sock.h>
#include <kernel/ipc.h>
#include <kernel/vfs.h>
#include <kernel/proc.h>
#include <kernel/vm.h>
#include <kernel/kmalloc.h>
#include <kernel/page.h>
#include <kernel/string.h>
#include <kernel/errno.h>
#include <kernel/arch.h>
#include <arch/mmu.h>
#include <syscall_table.h>

#define SOCK_HASH 1024
#define SOCK_MAX_RW 0x7ffff000ul	/* Linux's MAX_RW_COUNT */
#define SOCK_DGRAM_MAX 65535		/* the largest datagram netd sends */
#define SOCK_BOUNCE 65536		/* buffer for a receive that is cut */

static struct kobj *routes[3];		/* [PT_ROUTE_*]: a client end */
/* struct sockfile by id, allocated with the first socket: the 16 KiB
 * of buckets stay free in a guest without one (--mem 4M). A bucket is
 * made a list at its first use (a zeroed one is empty): 1,024 list_init
 * calls took 5,000 instructions of the boot. */
static struct list *sock_hash;
/*
 * The table's chains change (a socket added, sockfile_new; removed,
 * sock_close) with the big lock and this lock held, so a big-lock
 * holder walks them without it, and a reply to a send behind the caller
 * without the big lock finds its socket under it (sockfile_find_held):
 * a socket is freed only after it left its chain. Taken before a
 * socket's tx_lock.
 */
static struct spinlock sock_hash_lock = SPINLOCK_INIT;
static struct super sock_super = { .type = "sockfs" };

static unsigned
hash_of(struct kobj *chan, uint64_t id)
{
	return (unsigned)(((uintptr_t)chan >> 4) ^ id ^ (id >> 16)) % SOCK_HASH;
}

/* The bucket of (chan, id), a list from now on. */
static struct list *
bucket(struct kobj *chan, uint64_t id)
{
	struct list *b = &sock_hash[hash_of(chan, id)];

	if (!b->next)
		list_init(b);
	return b;
}

struct sockfile *
sockfile_find(struct kobj *chan, uint64_t id)
{
	if (!sock_hash)
		return NULL;	/* no socket yet */
	struct list *b = bucket(chan, id);

	list_for_each(it, b) {
		struct sockfile *s = list_entry(it, struct sockfile, link);
		if (s->chan == chan && s->id == id)
			return s;
	}
	return NULL;
}

void
sockfile_table_lock(void)
{
	spin_lock(&sock_hash_lock);
}

void
sockfile_table_unlock(void)
{
	spin_unlock(&sock_hash_lock);
}

struct sockfile *
sockfile_find_held(struct kobj *chan, uint64_t id)
{
	SPIN_ASSERT_HELD(&sock_hash_lock);
	struct list *table = __atomic_load_n(&sock_hash, __ATOMIC_ACQUIRE);
	if (!table)
		return NULL;
	struct list *b = &table[hash_of(chan, id)];
	if (!b->next)
		return NULL;	/* never used: its list_init is the big lock's */
	list_for_each(it, b) {
		struct sockfile *s = list_entry(it, struct sockfile, link);
		if (s->chan == chan && s->id == id)
			return s;
	}
	return NULL;
}

void
sockfile_chan_dead(struct kobj *chan)
{
	for (int i = 0; sock_hash && i < SOCK_HASH; i++) {
		if (!sock_hash[i].next)
			continue;	/* never used */
		list_for_each(it, &sock_hash[i]) {
			struct sockfile *s = list_entry(it, struct sockfile, link);
			if (s->chan == chan) {
				s->dead = true;
				waitq_wake_all(&s->wq);
				file_notify(s->file);
			}
		}
	}
}

/* ---- Calls to the server ------------------------------------------------- */

/* The reply's readiness, taken in the server's reply (see chan_kcall). */
void
sockfile_reply_events(void *ctx, long status, const void *reply, size_t len)
{
	struct sockfile *s = ctx;
	(void)status;
	const struct pt_sock_reply *rep = reply;
	if (len < offsetof(struct pt_sock_reply, addr))
		return;
	/* Both at once for a nolock write's look (socktx.c). */
	spin_lock(&s->tx_lock);
	s->tx_room = rep->room;
	bool changed = rep->events != s->events;
	s->events = rep->events;
	spin_unlock(&s->tx_lock);
	if (!changed)
		return;
	waitq_wake_all(&s->wq);
	file_notify(s->file);
}

/* What a call runs in the server's reply, before its caller wakes. */
struct reply_hook {
	void (*fn)(void *ctx, long status, const void *reply, size_t len);
	void *ctx;
};

/*
 * One call: msg to the server, reply (if given) back, with the segments;
 * hook (or NULL) sees the reply as the server gives it. Returns the
 * server's status, bounded to what an errno or a size can be.
 */
static long
call_server(struct kobj *chan, const struct reply_hook *hook,
	    struct pt_sock_msg *msg, struct pt_sock_reply *rep,
	    const struct chan_seg *segs, unsigned nseg)
{
	struct pt_sock_reply scratch;
	struct chan_kcall k = {
		.msg = msg, .msg_len = sizeof(*msg),
		.reply = rep ? rep : &scratch, .reply_cap = sizeof(*rep),
		.nseg = nseg,
		.on_reply = hook ? hook->fn : NULL,
		.ctx = hook ? hook->ctx : NULL,
	};
	if (nseg)
		memcpy(k.seg, segs, nseg * sizeof(*segs));
	long r = chan_kcall(chan, &k);
	struct pt_sock_reply *out = rep ? rep : &scratch;
	if (k.reply_len < offsetof(struct pt_sock_reply, addr))
		memset(out, 0, sizeof(*out));	/* a short reply says nothing */
	if (out->addr_len > PT_SOCK_ADDR_MAX)
		out->addr_len = PT_SOCK_ADDR_MAX;
	return r;
}

long
sockfile_call(struct kobj *chan, struct pt_sock_msg *msg,
	      struct pt_sock_reply *rep, const struct chan_seg *segs,
	      unsigned nseg)
{
	return call_server(chan, NULL, msg, rep, segs, nseg);
}

/* A call for socket s; hook sees the reply (else: its readiness is taken). */
static long
sock_call_hooked(struct sockfile *s, const struct reply_hook *hook,
		 struct pt_sock_msg *msg, struct pt_sock_reply *rep,
		 const struct chan_seg *segs, unsigned nseg)
{
	if (s->dead)
		return -ECONNRESET;
	/*
	 * What is held back goes first (it is queued before this call), so
	 * that shutdown, close and the options see it sent; only sends and
	 * receives leave it held, as Linux's.
	 */
	if ((s->tx_buf || s->tx_held) && msg->op != PT_SOCK_SEND &&
	    msg->op != PT_SOCK_RECV && msg->op != PT_SOCK_NREAD)
		sockfile_tx_push(s);
	msg->id = s->id;
	long r = call_server(s->chan, hook, msg, rep, segs, nseg);
	if (r == -ECONNRESET && chan_peer_gone(s->chan))
		s->dead = true;
	return r;
}

static long
sock_call(struct sockfile *s, struct pt_sock_msg *msg,
	  struct pt_sock_reply *rep, const struct chan_seg *segs, unsigned nseg)
{
	struct reply_hook hook = { sockfile_reply_events, s };
	return sock_call_hooked(s, &hook, msg, rep, segs, nseg);
}

/* A sleeper's test of sockfile_wait, under s->wq's lock. */
struct ready_test {
	struct sockfile *s;
	unsigned want;
};

static bool
ready_now(void *arg)
{
	const struct ready_test *r = arg;
	return __atomic_load_n(&r->s->dead, __ATOMIC_RELAXED) ||
	       (__atomic_load_n(&r->s->events, __ATOMIC_RELAXED) &
		(r->want | POLLERR | POLLHUP));
}

int
sockfile_wait(struct sockfile *s, unsigned want)
{
	struct ready_test r = { s, want };
	return waitq_wait_cond(&s->wq, 0, true, ready_now, &r);
}

/* Sleeps until one of `want` (or an error or hang-up) is reported. */
static int
wait_ready(struct sockfile *s, unsigned want)
{
	while (!s->dead && !(s->events & (want | POLLERR | POLLHUP))) {
		if (sockfile_wait(s, want) < 0)
			return -ERESTARTSYS;
	}
	return 0;
}

/*
 * A call that waits for readiness `want` while the server says -EAGAIN,
 * unless the descriptor (or the call's flags) is non-blocking.
 */
long
sockfile_call_wait(struct sockfile *s, struct pt_sock_msg *msg,
		   struct pt_sock_reply *rep, const struct chan_seg *segs,
		   unsigned nseg, unsigned want, bool nonblock)
{
	for (;;) {
		long r = sock_call(s, msg, rep, segs, nseg);
		if (r != -EAGAIN || nonblock)
			return r;
		int e = wait_ready(s, want);
		if (e < 0)
			return e;
	}
}

/* An accept in flight: the new socket's file, made in the server's reply. */
struct accept_call {
	struct sockfile *listener;
	unsigned flags;			/* O_NONBLOCK for the new file */
	struct file *file;		/* NULL until the reply */
};

static void
accept_reply(void *ctx, long status, const void *reply, size_t len)
{
	struct accept_call *a = ctx;
	struct sockfile *l = a->listener;
	const struct pt_sock_reply *rep = reply;
	sockfile_reply_events(l, status, reply, len);
	if (status < 0 || len < offsetof(struct pt_sock_reply, addr))
		return;
	a->file = sockfile_new(l->chan, rep->id, l->domain, l->type,
			       rep->new_events, a->flags);
	if (!IS_ERR(a->file)) {	/* inherited, as Linux's clone of the sock */
		struct sockfile *n = a->file->priv;
		n->cork = l->cork;
		n->nodelay = l->nodelay;
	}
}

struct file *
sockfile_accept(struct sockfile *l, struct pt_sock_reply *rep, unsigned flags,
		bool nonblock)
{
	struct pt_sock_msg msg = { .op = PT_SOCK_ACCEPT };
	struct accept_call a = { l, flags, NULL };
	struct reply_hook hook = { accept_reply, &a };
	for (;;) {
		long r = sock_call_hooked(l, &hook, &msg, rep, NULL, 0);
		if (r >= 0 && a.file && !IS_ERR(a.file))
			return a.file;
		if (r >= 0) {
			struct pt_sock_msg close = { .op = PT_SOCK_CLOSE,
						     .id = rep->id };
			sockfile_call(l->chan, &close, NULL, NULL, 0);
			return a.file ? a.file : ERR_PTR(-EIO);
		}
		if (r != -EAGAIN || nonblock)
			return ERR_PTR(r);
		int e = wait_ready(l, POLLIN);
		if (e < 0)
			return ERR_PTR(e);
	}
}

/* ---- Data: the caller's iovecs, PT_SEG_MAX segments per call ----------- */

/*
 * Checks iovecs as Linux's import_iovec does: a negative length is EINVAL,
 * a piece outside user space EFAULT; the total is cut at MAX_RW_COUNT.
 */
static long
uio_init(struct sock_uio *u, const struct uiovec *iov, int n)
{
	*u = (struct sock_uio){ .iov = iov, .n = n };
	for (int i = 0; i < n; i++)
		if ((int64_t)iov[i].len < 0)
			return -EINVAL;
	for (int i = 0; i < n; i++) {
		if (iov[i].base + iov[i].len < iov[i].base ||
		    iov[i].base + iov[i].len > USER_TOP)
			return -EFAULT;
		u->left = MIN(u->left + iov[i].len, SOCK_MAX_RW);
	}
	return 0;
}

/* Moves the cursor n bytes on, past any empty pieces. */
static void
uio_advance(struct sock_uio *u, uint64_t n)
{
	u->left -= MIN(n, u->left);
	while (u->i < u->n) {
		uint64_t step = MIN(n, u->iov[u->i].len - u->off);
		n -= step;
		u->off += step;
		if (u->off < u->iov[u->i].len)
			break;
		u->i++;
		u->off = 0;
	}
}

/*
 * The next pieces at the cursor as at most PT_SEG_MAX segments (empty
 * pieces skipped); returns their bytes. The cursor does not move.
 */
static uint64_t
uio_segs(const struct sock_uio *u, uint32_t flags, struct chan_seg *segs,
	 unsigned *nseg)
{
	uint64_t bytes = 0, off = u->off;
	unsigned k = 0;
	for (int i = u->i; i < u->n && k < PT_SEG_MAX && bytes < u->left;
	     i++, off = 0) {
		uint64_t len = MIN(u->iov[i].len - off, u->left - bytes);
		if (len)
			segs[k++] = (struct chan_seg){
				u->iov[i].base + off, len, flags, false };
		bytes += len;
	}
	*nseg = k;
	return bytes;
}

long
sock_uio_copy(struct sock_uio *u, char *k, uint64_t n, bool out)
{
	uio_advance(u, 0);
	while (n && u->left) {
		const struct uiovec *v = &u->iov[u->i];
		uint64_t step = MIN(MIN(n, v->len - u->off), u->left);
		uaddr_t at = v->base + u->off;
		if ((out ? copyout(at, k, step) : copyin(k, at, step)) < 0)
			return -EFAULT;
		k += step;
		n -= step;
		uio_advance(u, step);
	}
	return 0;
}

/*
 * A message that must stay one call (a datagram, a peek) but has more
 * pieces than segments goes through one kernel buffer of at most len
 * bytes: gathered before the call, or scattered after it.
 */
static long
call_bounced(struct sockfile *s, struct pt_sock_msg *msg,
	     struct pt_sock_reply *rep, struct sock_uio *u, uint64_t len,
	     bool out, unsigned want, bool nonblock)
{
	char *k = kmalloc(len ? len : 1);
	if (!k)
		return -ENOMEM;
	long r = out ? 0 : sock_uio_copy(u, k, len, false);
	struct chan_seg seg = { (uint64_t)(uintptr_t)k, len,
				out ? PT_SEG_OUT : PT_SEG_IN, true };
	if (r == 0)
		r = sockfile_call_wait(s, msg, rep, &seg, 1, want, nonblock);
	if (r > 0 && out && sock_uio_copy(u, k, MIN((uint64_t)r, len), true) < 0)
		r = -EFAULT;	/* the datagram is gone, as on Linux */
	kfree(k);
	return r;
}

/*
 * One datagram (or a peek) from iovecs: straight through the segments
 * when they fit in one call, else through a bounded kernel buffer.
 */
static long
call_whole(struct sockfile *s, struct pt_sock_msg *msg,
	   struct pt_sock_reply *rep, struct sock_uio *u, bool out,
	   bool nonblock)
{
	struct chan_seg segs[PT_SEG_MAX];
	unsigned nseg;
	unsigned want = out ? POLLIN : POLLOUT;
	uint64_t total = u->left;
	long r;
	if (uio_segs(u, out ? PT_SEG_OUT : PT_SEG_IN, segs, &nseg) == total)
		r = sockfile_call_wait(s, msg, rep, segs, nseg, want, nonblock);
	else if (out)	/* no datagram is bigger; a peek takes one call */
		r = call_bounced(s, msg, rep, u, MIN(total, SOCK_BOUNCE), true,
				 want, nonblock);
	else if (total > SOCK_DGRAM_MAX)
		r = -EMSGSIZE;	/* as Linux's udp_sendmsg */
	else
		r = call_bounced(s, msg, rep, u, total, false, want, nonblock);
	/* Only a datagram's real length (MSG_TRUNC) may exceed the room. */
	if (r > 0 && (!out || !(msg->flags & MSG_TRUNC_K)))
		r = (long)MIN((uint64_t)r, total);
	return r;
}

/*
 * A stream transfer in calls of PT_SEG_MAX segments, as Linux's
 * tcp_sendmsg and tcp_recvmsg behave: a send goes on until everything is
 * taken (waiting for room unless non-blocking); a receive stops at the
 * first short call or when nothing more is there, unless MSG_WAITALL.
 * Once bytes moved, an error or a signal returns their count.
 */
static long
call_stream(struct sockfile *s, struct pt_sock_msg *msg,
	    struct pt_sock_reply *rep, struct sock_uio *u, bool out,
	    bool nonblock)
{
	struct chan_seg segs[PT_SEG_MAX];
	unsigned nseg;
	unsigned want = out ? POLLIN : POLLOUT;
	bool keep_on = !out || (msg->flags & MSG_WAITALL_K);
	uint64_t done = 0;
	for (;;) {
		uint64_t asked = uio_segs(u, out ? PT_SEG_OUT : PT_SEG_IN, segs,
					  &nseg);
		long r = sock_call(s, msg, rep, segs, nseg);
		if (r == -EAGAIN && done && !keep_on)
			return (long)done;
		if (r == -EAGAIN && !nonblock) {
			r = wait_ready(s, want);
			if (r == 0)
				continue;
		}
		if (r < 0)
			return done ? (long)done : r;
		r = (long)MIN((uint64_t)r, asked);	/* trust no server */
		uio_advance(u, (uint64_t)r);
		done += (uint64_t)r;
		if (!u->left || !asked || !r ||
		    ((uint64_t)r < asked && !keep_on))
			return (long)done;
	}
}

long
sockfile_send(struct sockfile *s, struct pt_sock_msg *msg,
	      const struct uiovec *iov, int n, bool nonblock)
{
	struct sock_uio u;
	long e = uio_init(&u, iov, n);
	if (e < 0)
		return e;
	msg->op = PT_SOCK_SEND;
	if (s->type != SOCK_STREAM_K)
		return call_whole(s, msg, NULL, &u, false, nonblock);
	/* Output held back (socktx.c): TCP_CORK, or MSG_MORE for this send. */
	bool more = s->cork || (msg->flags & MSG_MORE_K);
	long r = socktx_send(s, &u, msg, more);
	if (r != 0)
		return r;
	if (more)
		msg->flags |= MSG_MORE_K;
	r = call_stream(s, msg, NULL, &u, false, nonblock);
	socktx_sent(s, r, more);
	return r;
}

/* ---- Data handed over with readiness (pt_channel_post) ------------------ */

/*
 * A receive from the kept bytes: as much as the caller has room for
 * (MSG_TRUNC: dropped, not copied; MSG_PEEK: left in place), through a
 * 4 KiB buffer on the stack (the kept bytes are rx_lock's, and no holder
 * copies user memory); not inlined, so the buffer is gone before the
 * receive goes on to the server.
 */
static __attribute__((noinline)) long
rx_take(struct sockfile *s, struct sock_uio *u, uint32_t flags)
{
	char k[PT_POST_DATA_MAX];
	struct sock_uio start = *u;
	for (;;) {	/* again if another thread took these bytes first */
		uint32_t gen, n = sockrx_peek(s, k, u->left, &gen);
		if (flags & MSG_TRUNC_K)
			uio_advance(u, n);
		else if (sock_uio_copy(u, k, n, true) < 0)
			return -EFAULT;
		if ((flags & MSG_PEEK_K) || sockrx_drop_if(s, n, gen))
			return n;
		*u = start;
	}
}

/*
 * A stream receive: the kept bytes first; then, if there is room, what the
 * server has now (it reports POLLIN only when it kept some), or all that
 * was asked for with MSG_WAITALL. A peek stays within the kept bytes.
 */
static long
recv_stream(struct sockfile *s, struct pt_sock_msg *msg,
	    struct pt_sock_reply *rep, struct sock_uio *u, bool nonblock)
{
	bool peek = msg->flags & MSG_PEEK_K;
	long done = 0;
	/* Another thread's read may take the kept bytes between the look
	   and rx_take: none taken is no end of file, the server says. */
	if (sockrx_kept_locked(s) && !(msg->flags & MSG_OOB_K) &&
	    (done = rx_take(s, u, msg->flags)) != 0) {
		if (done < 0)
			return done;
		if (rep)
			memset(rep, 0, sizeof(*rep));	/* no address for a stream */
		bool waitall = msg->flags & MSG_WAITALL_K;
		if (peek || !u->left || (!waitall && !(s->events & POLLIN)))
			return done;
		nonblock |= !waitall;
	}
	long r = peek ? call_whole(s, msg, rep, u, true, nonblock)
		      : call_stream(s, msg, rep, u, true, nonblock);
	if (done)
		return r < 0 ? done : done + r;
	return r;
}

long
sockfile_recv(struct sockfile *s, struct pt_sock_msg *msg,
	      struct pt_sock_reply *rep, const struct uiovec *iov, int n,
	      bool nonblock, uint64_t *room)
{
	struct sock_uio u;
	long e = uio_init(&u, iov, n);
	if (e < 0)
		return e;
	if (room)
		*room = u.left;
	msg->op = PT_SOCK_RECV;
	if (s->type != SOCK_STREAM_K)
		return call_whole(s, msg, rep, &u, true, nonblock);
	s->recv_calls++;
	long r = recv_stream(s, msg, rep, &u, nonblock);
	s->recv_calls--;
	return r;
}

/* ---- The file --------------------------------------------------------------- */

/* read/write/readv/writev: recvmsg/sendmsg without flags, straight to netd. */
static long
sock_rw_iov(struct file *f, const struct uiovec *iov, int n, bool write)
{
	struct sockfile *s = f->priv;
	bool nonblock = f->flags & O_NONBLOCK;
	if (write) {
		struct pt_sock_msg msg = { .flags = MSG_NOSIGNAL_K };
		long r = sockfile_send(s, &msg, iov, n, nonblock);
		if (r == -EPIPE)
			signal_send_thread(current(), SIGPIPE);
		return r;
	}
	uint64_t total = 0;
	for (int i = 0; i < n; i++)
		total |= iov[i].len;
	if (!total)
		return 0;	/* as Linux's sock_read_iter: no wait */
	struct pt_sock_msg msg = { 0 };
	return sockfile_recv(s, &msg, NULL, iov, n, nonblock, NULL);
}

/* For sendfile and splice, which hand kernel buffers. */
static long
sock_read(struct file *f, void *buf, size_t len, uint64_t *off)
{
	(void)off;
	struct sockfile *s = f->priv;
	/* Counted before the look, as sockfile_recv: sockrx_keep_unlocked. */
	s->recv_calls++;
	uint32_t gen, n;
	while ((n = sockrx_peek(s, buf, len, &gen)) && !sockrx_drop_if(s, n, gen))
		;	/* another thread took them first */
	if (n) {
		s->recv_calls--;
		return n;
	}
	struct pt_sock_msg msg = { .op = PT_SOCK_RECV };
	struct chan_seg seg = { (uint64_t)(uintptr_t)buf, len, PT_SEG_OUT, true };
	long r = sockfile_call_wait(s, &msg, NULL, &seg, 1, POLLIN,
				    f->flags & O_NONBLOCK);
	s->recv_calls--;
	return r;
}

static long
sock_write(struct file *f, const void *buf, size_t len, uint64_t *off)
{
	(void)off;
	struct sockfile *s = f->priv;
	long r;
	if (s->type == SOCK_STREAM_K) {
		r = sockfile_send_kernel(s, buf, len, f->flags & O_NONBLOCK);
	} else {
		struct pt_sock_msg msg = { .op = PT_SOCK_SEND,
					   .flags = MSG_NOSIGNAL_K };
		struct chan_seg seg = { (uint64_t)(uintptr_t)buf, len,
					PT_SEG_IN, true };
		r = sockfile_call_wait(s, &msg, NULL, &seg, 1, POLLOUT,
				       f->flags & O_NONBLOCK);
	}
	if (r == -EPIPE)
		signal_send_thread(current(), SIGPIPE);
	return r;
}

static unsigned
sock_poll(struct file *f)
{
	struct sockfile *s = f->priv;
	if (s->dead)
		return POLLIN | POLLOUT | POLLERR | POLLHUP;
	return s->events | (sockrx_kept(s) ? POLLIN | POLLRDNORM : 0);
}

/* A FIONREAD call in flight: the kept bytes as its reply found them. */
struct nread_call {
	struct sockfile *s;
	uint32_t kept;
};

static void
nread_reply(void *ctx, long status, const void *reply, size_t len)
{
	struct nread_call *c = ctx;
	c->kept = sockrx_kept(c->s);
	sockfile_reply_events(c->s, status, reply, len);
}

/*
 * FIONREAD: the server's count plus the kept bytes, both as they stood
 * when the server replied. The caller runs later, and a post in between
 * (netd posts right after it replies) moves bytes from the server's
 * count into the kept ones: the kept bytes of then would count them
 * twice. The server never replies between a post and dropping what the
 * post took, so at the reply the two counts hold no byte in common.
 */
static long
sock_nread(struct sockfile *s)
{
	struct pt_sock_msg msg = { .op = PT_SOCK_NREAD };
	struct nread_call c = { s, sockrx_kept(s) };
	struct reply_hook hook = { nread_reply, &c };
	long r = sock_call_hooked(s, &hook, &msg, NULL, NULL, 0);
	if (r < 0)
		return r;
	return (long)MIN((uint64_t)r + c.kept, 0x7fffffff);
}

static long
sock_ioctl(struct file *f, unsigned long cmd, uint64_t arg)
{
	struct sockfile *s = f->priv;
	const unsigned long FIONREAD = 0x541b, FIONBIO = 0x5421,
			    SIOCATMARK = 0x8905;
	if (cmd == FIONREAD) {
		long r = sock_nread(s);
		if (r < 0)
			return r;
		int n = (int)r;
		return copyout(arg, &n, sizeof(n));
	}
	if (cmd == FIONBIO) {
		int on;
		if (copyin(&on, arg, sizeof(on)) < 0)
			return -EFAULT;
		f->flags = on ? f->flags | O_NONBLOCK : f->flags & ~O_NONBLOCK;
		return 0;
	}
	if (cmd == SIOCATMARK && s->type == SOCK_STREAM_K) {
		int at_mark = 0;	/* netd keeps no urgent data */
		return copyout(arg, &at_mark, sizeof(at_mark));
	}
	return -ENOTTY;	/* SIOCATMARK too, on a datagram socket */
}

static void
sock_close(struct file *f)
{
	struct sockfile *s = f->priv;
	if (!s)
		return;
	/*
	 * Out of the table before the server hears of the close: once it
	 * has, it may give the id to a connection another process accepts
	 * while this one still waits for the reply, and that socket's
	 * first post (its first bytes) must not land here.
	 */
	spin_lock(&sock_hash_lock);
	list_remove(&s->link);
	spin_unlock(&sock_hash_lock);
	if (!s->dead) {
		struct pt_sock_msg msg = { .op = PT_SOCK_CLOSE,
					   .arg = { (int32_t)sockrx_kept(s) } };
		sock_call(s, &msg, NULL, NULL, 0);
	}
	sockfile_tx_drop(s);
	sockfile_watch_release(s->chan);
	kobj_put(s->chan);
	if (s->rx)	/* the last reference: no nolock read is left */
		page_free_kva(s->rx, 0);
	kfree(s);
}

static const struct file_ops sock_fops = {
	.sock = &inet_sock_ops,
	.read = sock_read,
	.write = sock_write,
	.rw_iov = sock_rw_iov,
	.poll = sock_poll,
	.ioctl = sock_ioctl,
	.close = sock_close,
	.fasync = sockfile_fasync,
};

bool
sockfile_is_sock(const struct file *f)
{
	return f->ops == &sock_fops && f->priv;
}

bool
sockfile_is_stream(const struct file *f)
{
	return f->ops == &sock_fops && f->priv &&
	       ((const struct sockfile *)f->priv)->type == SOCK_STREAM_K;
}

/* No other process reaches f: its table is the process's own and holds
 * f's only reference (table lock held). Any of its threads may read
 * (sockrx_drop_if) and write (socktx.c's tx_queue_room) without the big
 * lock. */
static bool
caller_only(const struct file *f)
{
	const struct proc *p = current()->proc;
	return !(f->flags & O_PATH) && p->files->refcount == 1 &&
	       __atomic_load_n(&f->refcount, __ATOMIC_RELAXED) == 1;
}

bool
sockfile_write_mine(const struct file *f)
{
	return sockfile_is_stream(f) && caller_only(f);
}

bool
sockfile_read_mine(const struct file *f)
{
	/* No kept bytes and more at netd: the read needs netd, locked; no
	   reference taken. */
	return sockfile_is_stream(f) &&
	       (sockrx_kept(f->priv) || sockrx_quiet(f->priv)) &&
	       caller_only(f);
}

/* A file for server socket `id` on chan (a new reference is taken). */
struct file *
sockfile_new(struct kobj *chan, uint64_t id, int domain, int type,
	     unsigned events, unsigned flags)
{
	if (!sock_hash)
		__atomic_store_n(&sock_hash,
				 kzalloc(SOCK_HASH * sizeof(*sock_hash)),
				 __ATOMIC_RELEASE);
	if (!sock_hash)
		return ERR_PTR(-ENOMEM);
	struct sockfile *s = kzalloc(sizeof(*s));
	struct inode *ino = inode_new(&sock_super, S_IFSOCK | 0777);
	struct file *f = NULL;
	if (s && ino && sockfile_watch_hold(chan) == 0) {
		ino->fops = &sock_fops;
		f = file_new(ino, O_RDWR | (flags & O_NONBLOCK));
		if (!f)
			sockfile_watch_release(chan);
	}
	if (ino)
		inode_put(ino);
	if (!f) {
		kfree(s);
		return ERR_PTR(-ENOMEM);
	}
	kobj_get(chan);
	s->chan = chan;
	s->id = id;
	s->domain = domain;
	s->type = type;
	s->events = events;
	s->file = f;
	spin_init(&s->rx_lock);
	spin_init(&s->tx_lock);
	waitq_init(&s->wq);
	struct list *b = bucket(chan, id);
	spin_lock(&sock_hash_lock);
	list_push_back(b, &s->link);
	spin_unlock(&sock_hash_lock);
	f->priv = s;
	return f;
}

struct kobj *
sockfile_route(unsigned route)
{
	return route < ARRAY_SIZE(routes) ? routes[route] : NULL;
}

/* ---- Native calls -------------------------------------------------------- */

long
sys_pt_route_set(int h, unsigned route, int ch)
{
	struct proc *p = current()->proc;
	struct kobj *sys = handle_lookup(p, h, PT_OBJ_SYSTEM, PT_RIGHT_MANAGE);
	if (IS_ERR(sys))
		return PTR_ERR(sys);
	if (route != PT_ROUTE_INET && route != PT_ROUTE_MOUNT)
		return -EINVAL;
	struct kobj *c = NULL;
	if (ch) {
		c = handle_lookup(p, ch, PT_OBJ_CHANNEL_CLIENT,
				  PT_RIGHT_WRITE | PT_RIGHT_TRANSFER);
		if (IS_ERR(c))
			return PTR_ERR(c);
		kobj_get(c);
	}
	if (routes[route])
		kobj_put(routes[route]);	/* sockets keep their own reference */
	routes[route] = c;
	return 0;
}

long
sockaddr_out(const void *name, unsigned len, uaddr_t uaddr, uaddr_t ulen)
{
	uint32_t room;
	if (copyin(&room, ulen, sizeof(room)) < 0)
		return -EFAULT;
	if ((int32_t)room < 0)
		return -EINVAL;
	unsigned n = MIN(room, len);
	if ((n && copyout(uaddr, name, n) < 0) ||
	    copyout(ulen, &len, sizeof(len)) < 0)
		return -EFAULT;
	return 0;
}
