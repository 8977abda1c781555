/*
 * The parts of server-backed sockets: sockfile.c has the file, the calls
 * and the data path; socktx.c has the stream output that does not wait
 * for the server (sends behind the caller, output held back under
 * TCP_CORK and MSG_MORE). Big lock held.
 */
#ifndef KERNEL_SOCKFILE_INT_H
#define KERNEL_SOCKFILE_INT_H

#include <kernel/sockfile.h>
#include <kernel/vfs.h>

/* A cursor through the caller's iovecs. */
struct sock_uio {
	const struct uiovec *iov;
	int n;
	int i;				/* at iov[i], off bytes in */
	uint64_t off;
	uint64_t left;			/* bytes the call may move */
};

/* sockfile.c */
/* The socket named id on chan, or NULL. Big lock held. */
struct sockfile *sockfile_find(struct kobj *chan, uint64_t id);
/* The table's lock (sock_hash_lock), for sockfile_find_held without
 * the big lock; taken before a socket's tx_lock. */
void sockfile_table_lock(void);
void sockfile_table_unlock(void);
/* sockfile_find under the table's lock: the socket stays while it is
 * held. */
struct sockfile *sockfile_find_held(struct kobj *chan, uint64_t id);
/* Takes the readiness and send room of a server's reply for s. */
void sockfile_reply_events(void *ctx, long status, const void *reply,
			   size_t len);
/*
 * Copies n bytes between the cursor and kernel buffer k (out: to the
 * caller), moving the cursor; 0 or -EFAULT.
 */
long sock_uio_copy(struct sock_uio *u, char *k, uint64_t n, bool out);

/* sockfile_rx.c: the kept bytes, under rx_lock. */
/* Copies up to max of the kept bytes into k, leaving them; how many.
 * *gen (if not NULL): the look's generation, for sockrx_drop_if. */
uint32_t sockrx_peek(struct sockfile *s, char *k, uint64_t max,
		     uint32_t *gen);
/* Drops n kept bytes (at most all); frees an emptied buffer. */
void sockrx_drop(struct sockfile *s, uint32_t n);
/* Drops the n bytes a look of generation gen copied, if no reader took
 * any since (another thread's); false, nothing dropped, if one did. */
bool sockrx_drop_if(struct sockfile *s, uint32_t n, uint32_t gen);
/* Takes up to len bytes of a server's post at data; how many, or an
 * errno. Big lock held. */
long sockrx_keep(struct sockfile *s, uaddr_t data, size_t len);
/*
 * sockrx_keep without the big lock: up to n bytes at k, copied in
 * already, with *fresh a page for an empty socket (NULL: n is 0), made
 * NULL if used; how many were kept. The table's lock held (keeps s).
 */
uint32_t sockrx_keep_unlocked(struct sockfile *s, const char *k, uint32_t n,
			      char **fresh);
/* The kept bytes' count under rx_lock: a receive's look before it asks
 * the server, counted in recv_calls first. */
uint32_t sockrx_kept_locked(struct sockfile *s);
/* The kept bytes' count, read unlocked: a hint but under rx_lock. */
static inline uint32_t
sockrx_kept(const struct sockfile *s)
{
	return __atomic_load_n(&s->rx_len, __ATOMIC_RELAXED);
}
/*
 * Whether the server's last readiness says a read finds nothing there:
 * connected (POLLOUT: netd reports it only once past SYN_SENT, never for
 * a listener or a closed socket) with nothing to read, no end of file,
 * no error, no urgent byte. Read unlocked, as a hint: a post that races
 * it adds bytes and tells the waiters after, as if it came just after.
 */
static inline bool
sockrx_quiet(const struct sockfile *s)
{
	unsigned ev = __atomic_load_n(&s->events, __ATOMIC_RELAXED);
	return (ev & POLLOUT) &&
	       !(ev & (POLLIN | POLLRDNORM | POLLPRI | POLLERR | POLLHUP |
		       POLLRDHUP));
}

/* socktx.c */
/*
 * A stream send (msg: its flags and address) that may not need the
 * caller to wait: a pending error of an earlier send nobody waited for;
 * else the bytes at u (which does not move) gathered while output is
 * held (more: TCP_CORK or MSG_MORE), or sent behind the caller within the
 * server's promised room. Returns the bytes taken or an errno; 0 when the
 * send must be a call, what was gathered then sent first: the call is
 * counted (nothing goes behind it) until socktx_sent, which must follow.
 */
long socktx_send(struct sockfile *s, const struct sock_uio *u,
		 const struct pt_sock_msg *msg, bool more);
/* After a send call that moved r bytes (or failed): what the server holds. */
void socktx_sent(struct sockfile *s, long r, bool more);

/* The socket's O_ASYNC hook (kernel/fs/sockfile_post.c). */
int sockfile_fasync(struct file *f, bool on);

#endif
