/*
 * netd's side of the kernel's socket protocol (include/petrel/sock.h): each
 * call on the PT_ROUTE_INET channel is one non-blocking operation of the
 * socket core (sock.c); data comes from and goes to the caller's buffers
 * through the call's segments. Readiness changes are posted to the kernel.
 */
#include "netd.h"
#include "sock.h"
#include <petrel/native.h>
#include <petrel/sock.h>
#include <errno.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <poll.h>
#include <stdlib.h>

#define IO_CHUNK (64 * 1024)	/* bytes moved per send or receive call */

_Static_assert(NSOCK_SEND_ROOM_MAX == PT_SEND_BEHIND_MAX,
	       "netd promises no more than the kernel sends behind a caller");

static pt_handle_t channel;
static unsigned char io_buf[IO_CHUNK];

/* Sockets whose readiness may have changed since the last serve_flush. */
static int dirty[NSOCK_MAX];
static unsigned ndirty;
static bool is_dirty[NSOCK_MAX];

/* Inside lwIP's callbacks: only noted, posted by serve_flush. */
static void
post_ready(int id, unsigned events, void *ctx)
{
	(void)ctx;
	(void)events;
	if (id < 0 || id >= NSOCK_MAX || is_dirty[id])
		return;
	is_dirty[id] = true;
	dirty[ndirty++] = id;
}

void
serve_flush(void)
{
	for (unsigned i = 0; i < ndirty; i++) {
		int id = dirty[i];
		is_dirty[id] = false;
		unsigned ev = nsock_poll(id);
		if (ev & POLLNVAL)
			continue;
		/*
		 * Posted even with the same bits: each arrival is a new edge
		 * for EPOLLET waiters, as on Linux. A stream's first bytes go
		 * with it, so a read of them needs no call here (and no switch
		 * of address space). What the kernel took is dropped before
		 * any reply goes out: the kernel adds the bytes it keeps when
		 * an NREAD reply comes to the count in that reply.
		 */
		size_t n = nsock_hand_peek(id, io_buf, PT_POST_DATA_MAX, &ev);
		long taken = pt_channel_post(channel, (uint64_t)id, ev, io_buf, n,
					     nsock_send_room(id));
		if (taken > 0)
			nsock_handed(id, (size_t)taken);
	}
	ndirty = 0;
}

void
serve_init(pt_handle_t h)
{
	channel = h;
	nsock_set_notify(post_ready, NULL);
}

/*
 * Reads the IN segments, in order, into io_buf; returns the bytes. A
 * segment the caller cannot read fails the whole send, as Linux's copy
 * from the caller fails before anything of it is queued.
 */
static long
gather(const struct pt_recv *r, size_t room)
{
	size_t got = 0;
	for (unsigned i = 0; i < r->nseg && got < room; i++) {
		if (!(r->seg_flags[i] & PT_SEG_IN))
			continue;
		size_t want = r->seg_len[i] < room - got ? r->seg_len[i] : room - got;
		long n = pt_msg_read(channel, r->token, i, 0, io_buf + got, want);
		if (n < 0)
			return n;
		got += (size_t)n;
		if ((size_t)n < want)
			break;
	}
	return (long)got;
}

/* Writes len bytes of io_buf across the OUT segments. */
static long
scatter(const struct pt_recv *r, size_t len)
{
	size_t put = 0;
	for (unsigned i = 0; i < r->nseg && put < len; i++) {
		if (!(r->seg_flags[i] & PT_SEG_OUT))
			continue;
		size_t n = r->seg_len[i] < len - put ? r->seg_len[i] : len - put;
		long w = pt_msg_write(channel, r->token, i, 0, io_buf + put, n);
		if (w < 0)
			return w;
		put += (size_t)w;
	}
	return (long)put;
}

static size_t
out_room(const struct pt_recv *r)
{
	size_t room = 0;
	for (unsigned i = 0; i < r->nseg; i++)
		if (r->seg_flags[i] & PT_SEG_OUT)
			room += r->seg_len[i];
	return room < IO_CHUNK ? room : IO_CHUNK;
}

static long
op_send(const struct pt_recv *r, const struct pt_sock_msg *m)
{
	long n = gather(r, IO_CHUNK);
	if (n < 0)
		return n;
	const struct sockaddr *to = m->addr_len ? (const void *)m->addr : NULL;
	long sent = nsock_sendto((int)m->id, io_buf, (size_t)n,
				 (int)(m->flags & ~MSG_NOSIGNAL), to, m->addr_len);
	/* A send nobody waits for must go whole: its writer was told so. */
	if ((m->xflags & PT_SOCK_X_WHOLE) && sent != n) {
		nsock_fail((int)m->id, ENOBUFS);
		return sent < 0 ? sent : -ENOBUFS;
	}
	if (m->xflags & PT_SOCK_X_PUSH)
		nsock_push((int)m->id);
	return sent;
}

/*
 * A receive is a peek, then the bytes the caller took are consumed: if its
 * buffer faults, stream data stays queued (Linux's tcp_recvmsg copies
 * before it consumes), while a datagram is dropped (udp_recvmsg).
 */
static long
op_recv(const struct pt_recv *r, const struct pt_sock_msg *m,
	struct pt_sock_reply *rep)
{
	socklen_t alen = PT_SOCK_ADDR_MAX, tlen = sizeof(int);
	int msg_flags = 0, type = 0, id = (int)m->id;
	int flags = (int)m->flags;
	size_t room = out_room(r);
	nsock_getsockopt(id, SOL_SOCKET, SO_TYPE, &type, &tlen);
	bool stream = type == SOCK_STREAM;
	long n = nsock_recvfrom(id, io_buf, room, flags | MSG_PEEK,
				(struct sockaddr *)rep->addr, &alen, &msg_flags);
	if (n < 0)
		return n;
	rep->addr_len = alen;
	/* A stream's MSG_TRUNC discards: nothing was copied to hand on. */
	long w = stream && (flags & MSG_TRUNC) ? 0 : scatter(r, (size_t)n);
	if ((flags & MSG_PEEK) || (w < 0 && stream))
		return w < 0 ? w : n;
	nsock_recvfrom(id, io_buf, stream ? (size_t)n : room, flags | MSG_TRUNC,
		       NULL, NULL, NULL);
	return w < 0 ? w : n;
}

static long
op_getopt(const struct pt_recv *r, const struct pt_sock_msg *m)
{
	unsigned char val[256];
	socklen_t len = r->nseg ? (socklen_t)(r->seg_len[0] < sizeof(val) ?
					      r->seg_len[0] : sizeof(val)) : 0;
	int e = nsock_getsockopt((int)m->id, m->arg[0], m->arg[1], val, &len);
	if (e < 0)
		return e;
	if (len && pt_msg_write(channel, r->token, 0, 0, val, len) < 0)
		return -EFAULT;
	return len;
}

static long
op_setopt(const struct pt_recv *r, const struct pt_sock_msg *m)
{
	unsigned char val[256];
	long n = 0;
	if (r->nseg) {
		n = pt_msg_read(channel, r->token, 0, 0, val, sizeof(val));
		if (n < 0)
			return n;
	}
	return nsock_setsockopt((int)m->id, m->arg[0], m->arg[1], val,
				(socklen_t)n);
}

static long
op_name(const struct pt_sock_msg *m, struct pt_sock_reply *rep, bool peer)
{
	socklen_t alen = PT_SOCK_ADDR_MAX;
	int e = peer ? nsock_getpeername((int)m->id, (void *)rep->addr, &alen)
		     : nsock_getsockname((int)m->id, (void *)rep->addr, &alen);
	rep->addr_len = e < 0 ? 0 : alen;
	return e;
}

/* A socket table for /proc/net; only its first OUT segment is written. */
static long
op_proc(const struct pt_recv *r, const struct pt_sock_msg *m)
{
	int n = nsock_format_proc(m->arg[0], m->arg[1], (char *)io_buf, IO_CHUNK);
	if (n < 0)
		return n;
	char *text = (char *)io_buf;
	if ((size_t)n >= IO_CHUNK) {	/* a big table: format it again */
		text = malloc((size_t)n + 1);
		if (text == NULL)
			return -ENOMEM;
		nsock_format_proc(m->arg[0], m->arg[1], text, (size_t)n + 1);
	}
	long w = 0;
	if (r->nseg && (r->seg_flags[0] & PT_SEG_OUT))
		w = pt_msg_write(channel, r->token, 0, 0, text,
				 (size_t)n < r->seg_len[0] ? (size_t)n : r->seg_len[0]);
	if (text != (char *)io_buf)
		free(text);
	return w < 0 ? w : n;
}

/* The interfaces, for the kernel's ioctls, /proc/net and netlink. */
static long
op_ifinfo(const struct pt_recv *r)
{
	static struct pt_net_info info;
	netd_ifinfo(&info);
	if (!r->nseg || !(r->seg_flags[0] & PT_SEG_OUT))
		return -EINVAL;
	size_t n = r->seg_len[0] < sizeof(info) ? r->seg_len[0] : sizeof(info);
	long w = pt_msg_write(channel, r->token, 0, 0, &info, n);
	return w < 0 ? w : (long)sizeof(info);
}

static long
dispatch(const struct pt_recv *r, const struct pt_sock_msg *m,
	 struct pt_sock_reply *rep)
{
	int id = (int)m->id;
	switch (m->op) {
	case PT_SOCK_SOCKET: {
		int n = nsock_create(m->arg[0], m->arg[1], m->arg[2]);
		if (n < 0)
			return n;
		rep->id = (uint64_t)n;
		rep->new_events = nsock_poll(n);
		return 0;
	}
	case PT_SOCK_BIND:
		return nsock_bind(id, (const void *)m->addr, m->addr_len);
	case PT_SOCK_LISTEN:
		return nsock_listen(id, m->arg[0]);
	case PT_SOCK_ACCEPT: {
		socklen_t alen = PT_SOCK_ADDR_MAX;
		int n = nsock_accept(id, (void *)rep->addr, &alen);
		if (n < 0)
			return n;
		rep->addr_len = alen;
		rep->id = (uint64_t)n;
		rep->new_events = nsock_poll(n);
		return 0;
	}
	case PT_SOCK_CONNECT:
		return nsock_connect(id, (const void *)m->addr, m->addr_len);
	case PT_SOCK_ERROR: {
		int err = 0;
		socklen_t len = sizeof(err);
		int e = nsock_getsockopt(id, SOL_SOCKET, SO_ERROR, &err, &len);
		return e < 0 ? e : -err;
	}
	case PT_SOCK_SEND:
		return op_send(r, m);
	case PT_SOCK_RECV:
		return op_recv(r, m, rep);
	case PT_SOCK_SHUTDOWN:
		return nsock_shutdown(id, m->arg[0]);
	case PT_SOCK_CLOSE:
		if (m->arg[0] > 0)	/* handed-over bytes left unread */
			nsock_handed_unread(id);
		return nsock_close(id);
	case PT_SOCK_NAME:
		return op_name(m, rep, false);
	case PT_SOCK_PEER:
		return op_name(m, rep, true);
	case PT_SOCK_SETOPT:
		return op_setopt(r, m);
	case PT_SOCK_GETOPT:
		return op_getopt(r, m);
	case PT_SOCK_NREAD: {
		int v = 0;
		int e = nsock_ioctl(id, FIONREAD, &v);
		return e < 0 ? e : v;
	}
	case PT_SOCK_PROC:
		return op_proc(r, m);
	case PT_SOCK_IFINFO:
		return op_ifinfo(r);
	}
	return -EOPNOTSUPP;
}

/*
 * Answers every call waiting on the channel; returns how many. Each reply
 * rides on the next receive (pt_recv.reply_*), the last one on the receive
 * that finds the channel empty: one system call per call.
 */
int
serve_calls(void)
{
	struct pt_sock_msg m;
	struct pt_sock_reply rep;
	struct pt_recv r = { .msg = (uint64_t)&m, .msg_cap = sizeof(m),
			     .reply_data = (uint64_t)&rep,
			     .reply_len = sizeof(rep) };
	int count = 0;
	for (;;) {
		long e = pt_channel_recv(channel, &r, 0);
		if (e < 0 && e != -EAGAIN && r.reply_token) {
			r.reply_token = 0;	/* its caller gave up: receive anyway */
			continue;
		}
		if (e < 0)
			break;	/* -EAGAIN: the last reply is given */
		long status;
		memset(&rep, 0, sizeof(rep));
		if (!(r.flags & PT_RECV_KERNEL) || r.msg_len < sizeof(m) - PT_SOCK_ADDR_MAX ||
		    m.addr_len > PT_SOCK_ADDR_MAX)
			status = -EINVAL;	/* only the kernel speaks this */
		else
			status = dispatch(&r, &m, &rep);
		if (m.op != PT_SOCK_CLOSE && m.id < NSOCK_MAX) {
			rep.events = nsock_poll((int)m.id);
			rep.room = nsock_send_room((int)m.id);
		}
		r.reply_token = r.token;
		r.reply_status = status;
		count++;
	}
	return count;
}
