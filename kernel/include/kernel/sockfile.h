/*
 * Server-backed sockets (kernel/fs/sockfile.c) and their socket calls
 * (kernel/fs/inetsock.c, inet_sock_ops). Big lock held throughout, but
 * for sockfile_read_unlocked, a nolock read of a stream's kept bytes,
 * and sockfile_write_unlocked, a nolock write within the promised room.
 */
#ifndef KERNEL_SOCKFILE_H
#define KERNEL_SOCKFILE_H

#include <kernel/types.h>
#include <kernel/list.h>
#include <kernel/sched.h>
#include <kernel/sock.h>
#include <kernel/spinlock.h>
#include <petrel/sock.h>

struct kobj;
struct file;
struct chan_seg;
struct uiovec;
struct tx_bytes;

#define SOCK_STREAM_K 1

/*
 * A server-backed socket. Fields are the big lock's but for those tagged
 * [R]: rx_lock guards them, and every access takes it (a nolock read of
 * the kept bytes takes only it: docs/kernel.md, "Socket reads without
 * the big lock"); and [T]: tx_lock guards them, and every access takes
 * it (a nolock write within the server's promised room takes only it:
 * "Socket writes without the big lock"). [b T]: changed with both the
 * big lock and tx_lock held, read under either (or relaxed, as a hint).
 */
struct sockfile {
	struct list link;		/* hash chain, by (chan, id); changed
					   with the big lock and the table's
					   lock (sockfile.c) */
	struct kobj *chan;		/* the server's channel (client end) */
	uint64_t id;			/* the server's name for it */
	int domain, type;
	unsigned events;		/* [T] readiness the server last
					   reported: written under tx_lock
					   (a reply's, or a post without
					   the big lock), read relaxed */
	bool dead;			/* the server is gone; read unlocked
					   (relaxed) by nolock calls */
	/*
	 * A stream's next bytes, handed over with its readiness
	 * (pt_channel_post): reads take them before asking the server.
	 * rx is one page (page_alloc_kva), which a nolock read may free.
	 * rx_len is also read unlocked, as a hint (poll, FIONREAD).
	 */
	struct spinlock rx_lock;
	char *rx;			/* [R] PT_POST_DATA_MAX bytes or NULL */
	uint32_t rx_off, rx_len;	/* [R] */
	uint32_t rx_gen;		/* [R] one more at each drop: a
					   reader's look still holds
					   (sockrx_drop_if) */
	unsigned recv_calls;		/* receives in flight at the server */
	/*
	 * Sends made behind the caller (PT_SOCK_X_WHOLE): what the server
	 * last promised to take, and what is still unanswered of them.
	 */
	struct spinlock tx_lock;
	uint32_t tx_room;		/* [T]: also set, without the big
					   lock, by a nolock write's
					   reply (tx_done) */
	uint32_t tx_inflight;		/* [T] */
	unsigned tx_calls;		/* [T] */
	unsigned tx_waits;		/* [T] sends that are calls, at the
					   server: none goes behind them */
	/*
	 * Output held back (kernel/fs/socktx.c): TCP_CORK and TCP_NODELAY
	 * as the program set them; the bytes gathered while corked or
	 * under MSG_MORE, sent as one call when the hold ends; whether the
	 * server was given bytes with MSG_MORE and may still hold a partial
	 * segment; the 200 ms limit on holding; an error of a send nobody
	 * waited for, for the next send. Changed only by calls on the socket
	 * and its timer, with the big lock; a nolock write reads them
	 * (relaxed) and goes locked unless all are clear.
	 */
	bool cork, nodelay;
	bool tx_held;
	bool tx_claimed;		/* the held output is a nolock call's
					   or the timer's (socktx.c's
					   tx_claim) */
	struct tx_bytes *tx_buf;	/* NULL when nothing is gathered */
	struct ktimer tx_timer;
	int tx_error;
	bool async;			/* [T] O_ASYNC on: a post tells it
					   with the big lock (fasync) */
	struct waitq wq;		/* callers waiting for readiness */
	struct file *file;
};

extern const struct sock_ops inet_sock_ops;

/*
 * Whether f is a server-backed stream socket with kept bytes, or with
 * nothing at the server (a non-blocking read's EAGAIN), that only
 * the caller's process can reach: its own descriptor table, and the
 * table's reference f's only one (files.lock held, as fd_get_unlocked's
 * test). Looks only at f's fields.
 */
bool sockfile_read_mine(const struct file *f);
/*
 * Whether f is a server-backed stream socket that only the caller's
 * process can reach, as sockfile_read_mine without the kept bytes: a
 * nolock write may take it (files.lock held).
 */
bool sockfile_write_mine(const struct file *f);
struct uvec;
/*
 * write(2) of u's bytes (writev's: one write of them all) to stream
 * socket f (from fd_get_unlocked with sockfile_write_mine) without the
 * big lock: sent behind the caller within the room the server promised,
 * in one page's call (socktx.c).
 * The bytes sent, or -ERETRY_LOCKED, with nothing changed, for anything
 * else (no room, output held back, a fault, an observer of the server's
 * channel that is not a pt_wait). Takes tx_lock and the channel's lock;
 * does not sleep but in a fault of its copy. While TCP_CORK is on, a
 * one-thread process's bytes are gathered instead, up to a page.
 */
long sockfile_write_unlocked(struct file *f, const struct uvec *u);
/* Puts up to len bytes at to: how many, 0 at a file's end, or
 * -ERETRY_LOCKED (a fault: the locked path says what went wrong). */
typedef long (*sockfile_fill_fn)(void *to, size_t len, const void *arg);
/* sockfile_write_unlocked's send of count bytes that fill puts (a
 * file's, for sendfile): how many were sent or gathered, 0 if fill put
 * none, or -ERETRY_LOCKED, nothing changed. */
long sockfile_send_unlocked(struct file *f, size_t count,
			    sockfile_fill_fn fill, const void *arg);
/* setsockopt(TCP_CORK) of stream socket f (from fd_get_unlocked with
 * sockfile_write_mine) without the big lock (socktx.c): 0, or
 * -ERETRY_LOCKED, nothing changed. */
long sockfile_cork_unlocked(struct file *f, bool on);
/* Whether f is a server-backed socket: its poll hook reads only words
 * of its own, relaxed, and may run without the big lock (epoll.c). */
bool sockfile_is_sock(const struct file *f);
/* Whether f is a server-backed stream socket (the entry's hints). */
bool sockfile_is_stream(const struct file *f);
/*
 * read(2) into u's buffers (readv's too) from stream socket f's kept
 * bytes, without the big lock (f from fd_get_unlocked with
 * sockfile_read_mine): the bytes read; -EAGAIN when none are kept, the read would not wait
 * (nonblock: O_NONBLOCK or MSG_DONTWAIT) and the server said it has
 * nothing more; or -ERETRY_LOCKED, with nothing changed, when the call
 * needs the server, may wait, or has a watcher to tell. Takes rx_lock;
 * does not sleep but in a fault of its copy.
 */
long sockfile_read_unlocked(struct file *f, const struct uvec *u,
			    bool nonblock);

/*
 * Sleeps on s->wq until the socket is dead or its readiness has one of
 * want, POLLERR or POLLHUP (tested under s->wq's lock: a post
 * without the big lock sets the readiness, then wakes s->wq). 0 or
 * -EINTR, and 0 for a wake that changed nothing. May sleep.
 */
int sockfile_wait(struct sockfile *s, unsigned want);

/* The client end registered for route (PT_ROUTE_*), or NULL. */
struct kobj *sockfile_route(unsigned route);
/* A file for server socket id (takes its own reference on chan). */
struct file *sockfile_new(struct kobj *chan, uint64_t id, int domain, int type,
			  unsigned events, unsigned flags);
/*
 * Accepts a connection on listener l: the new socket's file (flags:
 * O_NONBLOCK or 0), made in the server's reply, so that it is known before
 * the server can post the socket's readiness (a post for an id the kernel
 * does not know yet is dropped, and with it the edge an EPOLLET waiter
 * needs); *rep gets the reply (the peer's address). Waits for a
 * connection unless nonblock. Returns the file or an error pointer
 * (-ERESTARTSYS if a signal came). May sleep.
 */
struct file *sockfile_accept(struct sockfile *l, struct pt_sock_reply *rep,
			     unsigned flags, bool nonblock);
long sockfile_call(struct kobj *chan, struct pt_sock_msg *msg,
		   struct pt_sock_reply *rep, const struct chan_seg *segs,
		   unsigned nseg);
/*
 * Calls the server for s, waiting for readiness `want` while it answers
 * -EAGAIN unless nonblock. Returns its status or -ERESTARTSYS. May sleep.
 */
long sockfile_call_wait(struct sockfile *s, struct pt_sock_msg *msg,
			struct pt_sock_reply *rep, const struct chan_seg *segs,
			unsigned nseg, unsigned want, bool nonblock);
/*
 * Sends the caller's iovecs (n <= 1024, unchecked) with msg's flags and
 * address: a stream in calls of PT_SEG_MAX segments until all is taken (or
 * a non-blocking call has taken what fits); a datagram as one call,
 * through a kernel buffer if it has more pieces than segments. Returns
 * the bytes sent or a negative errno (-ERESTARTSYS if a signal came
 * before any byte moved). May sleep.
 */
long sockfile_send(struct sockfile *s, struct pt_sock_msg *msg,
		   const struct uiovec *iov, int n, bool nonblock);
/*
 * Receives into the caller's iovecs as recvmsg(2) does (a stream stops at
 * a short call unless MSG_WAITALL; a datagram or a peek is one call).
 * *room (if given) gets the bytes the iovecs hold. Returns the server's
 * count (a datagram's real length if msg asks MSG_TRUNC) or an errno.
 * May sleep.
 */
long sockfile_recv(struct sockfile *s, struct pt_sock_msg *msg,
		   struct pt_sock_reply *rep, const struct uiovec *iov, int n,
		   bool nonblock, uint64_t *room);

/*
 * socktx.c: sets TCP_CORK (on: later sends are gathered; off: what is
 * held goes now, as Linux's tcp_push_pending_frames) on stream s.
 */
void sockfile_set_cork(struct sockfile *s, bool on);
/*
 * Sends what s holds back (gathered bytes, a partial segment the server
 * keeps under MSG_MORE) without waiting, as when the cork is lifted.
 */
void sockfile_tx_push(struct sockfile *s);
/* Frees what s gathered and stops its timer (the socket is going). */
void sockfile_tx_drop(struct sockfile *s);
/*
 * For sendfile and splice: a kernel buffer sent as write(2) would; the
 * bytes taken or an errno. May sleep.
 */
long sockfile_send_kernel(struct sockfile *s, const void *buf, size_t len,
			  bool nonblock);

/*
 * sockfile_watch.c: counts one more socket on server channel chan (a
 * client end), watching chan from the first for its server's end; 0 or
 * -ENOMEM. Release before the socket drops its reference to chan; the
 * last stops the watch.
 */
int sockfile_watch_hold(struct kobj *chan);
void sockfile_watch_release(struct kobj *chan);
/* The server of chan is gone: every socket on it is dead, its waiters
 * woken. */
void sockfile_chan_dead(struct kobj *chan);

#endif
