/*
 * AF_INET and AF_INET6 sockets: server-backed files (kernel/fs/sockfile.c).
 * Each socket call becomes one message to the server registered for
 * PT_ROUTE_INET, with the caller's buffers as segments, so data moves once
 * between the program and the server. The calls of struct sock_ops, reached
 * from kernel/linux/sys_socket.c.
 */
#include <kernel/sock.h>
#include <kernel/sockfile.h>
#include <kernel/ipc.h>
#include <kernel/vfs.h>
#include <kernel/proc.h>
#include <kernel/vm.h>
#include <kernel/kmalloc.h>
#include <kernel/string.h>
#include <kernel/errno.h>
#include <arch/mmu.h>
#include <kernel/landlock.h>

#define AF_INET 2
#define AF_INET6 10
#define SOCK_NONBLOCK 04000
#define SOCK_CLOEXEC 02000000
#define SOCK_TYPE_MASK 0xf
#define SOL_SOCKET 1
#define SO_TYPE 3
#define SO_DOMAIN 39
#define IPPROTO_TCP 6
#define TCP_NODELAY 1
#define TCP_CORK 3

static struct sockfile *
sock_of(struct file *f)
{
	return f->priv;
}

static bool
nonblocking(struct sockfile *s, int flags)
{
	return (s->file->flags & O_NONBLOCK) || (flags & MSG_DONTWAIT_K);
}

/* Copies a caller's sockaddr into the message. */
static long
addr_in(struct pt_sock_msg *msg, uaddr_t addr, unsigned len)
{
	if (len > PT_SOCK_ADDR_MAX)
		return -EINVAL;
	msg->addr_len = len;
	return len ? copyin(msg->addr, addr, len) : 0;
}

/* Copies the reply's address out as getsockname(2) does (truncating). */
static long
addr_out(const struct pt_sock_reply *rep, uaddr_t addr, uaddr_t ulen)
{
	if (!addr || !ulen)
		return 0;
	return sockaddr_out(rep->addr, rep->addr_len, addr, ulen);
}

long
inet_socket(int domain, int type, int protocol)
{
	struct kobj *chan = sockfile_route(PT_ROUTE_INET);
	if (!chan || chan_peer_gone(chan))
		return -EAFNOSUPPORT;	/* no network server (yet, or any more) */
	struct pt_sock_msg msg = {
		.op = PT_SOCK_SOCKET,
		.arg = { domain, type & SOCK_TYPE_MASK, protocol },
	};
	struct pt_sock_reply rep;
	long r = sockfile_call(chan, &msg, &rep, NULL, 0);
	if (r < 0)
		return r;
	struct file *f = sockfile_new(chan, rep.id, domain, type & SOCK_TYPE_MASK,
				      rep.new_events, type & SOCK_NONBLOCK ? O_NONBLOCK : 0);
	if (IS_ERR(f)) {
		msg.op = PT_SOCK_CLOSE;
		msg.id = rep.id;
		sockfile_call(chan, &msg, NULL, NULL, 0);
		return PTR_ERR(f);
	}
	int fd = fd_install(current()->proc, f, 0, type & SOCK_CLOEXEC);
	if (fd < 0)
		file_put(f);
	return fd;
}

/*
 * A port below 1024 is root's (CAP_NET_BIND_SERVICE; Linux's
 * ip_unprivileged_port_start is 1024): EACCES for a user.
 */
static long
port_allowed(const struct pt_sock_msg *msg)
{
	const unsigned AF_INET_K = 2, AF_INET6_K = 10;
	const uint8_t *a = msg->addr;
	unsigned family = a[0] | (unsigned)a[1] << 8;
	unsigned need = family == AF_INET_K ? 16 : family == AF_INET6_K ? 24 : ~0u;
	if (msg->addr_len < need)
		return 0;	/* netd answers for a short or foreign address */
	unsigned port = (unsigned)a[2] << 8 | a[3];
	if (port && port < 1024 && !capable(CAP_NET_BIND_SERVICE))
		return -EACCES;
	return 0;
}

static long
inet_bind(struct file *f, uaddr_t addr, unsigned len)
{
	struct pt_sock_msg msg = { .op = PT_SOCK_BIND };
	long e = addr_in(&msg, addr, len);
	if (e == 0)
		e = landlock_inet(msg.addr, msg.addr_len,
				  sock_of(f)->type & SOCK_TYPE_MASK, false);
	if (e == 0)
		e = port_allowed(&msg);
	if (e < 0)
		return e;
	return sockfile_call_wait(sock_of(f), &msg, NULL, NULL, 0, 0, true);
}

static long
inet_listen(struct file *f, int backlog)
{
	struct pt_sock_msg msg = { .op = PT_SOCK_LISTEN, .arg = { backlog } };
	return sockfile_call_wait(sock_of(f), &msg, NULL, NULL, 0, 0, true);
}

static long
inet_connect(struct file *f, uaddr_t addr, unsigned len)
{
	struct sockfile *s = sock_of(f);
	struct pt_sock_msg msg = { .op = PT_SOCK_CONNECT };
	long e = addr_in(&msg, addr, len);
	if (e == 0)
		e = landlock_inet(msg.addr, msg.addr_len,
				  s->type & SOCK_TYPE_MASK, true);
	if (e < 0)
		return e;
	long r = sockfile_call_wait(s, &msg, NULL, NULL, 0, 0, true);
	if (r != -EINPROGRESS || nonblocking(s, 0))
		return r;
	/*
	 * Blocking connect: wait for the outcome, then connect again, which
	 * reports it and moves the socket on as Linux's connect does
	 * (connected, or reusable after a failure).
	 */
	for (;;) {
		if (s->events & (POLLOUT | POLLERR | POLLHUP) || s->dead)
			return sockfile_call_wait(s, &msg, NULL, NULL, 0, 0, true);
		if (sockfile_wait(s, POLLOUT) < 0)
			return -EINTR;	/* the connection goes on (as Linux) */
	}
}

static long
inet_accept(struct file *lf, uaddr_t addr, uaddr_t alen, int flags)
{
	struct sockfile *s = sock_of(lf);
	struct pt_sock_reply rep;
	struct file *f = sockfile_accept(s, &rep,
					 flags & SOCK_NONBLOCK ? O_NONBLOCK : 0,
					 nonblocking(s, 0));
	if (IS_ERR(f))
		return PTR_ERR(f);
	int nfd = fd_install(current()->proc, f, 0, flags & SOCK_CLOEXEC);
	if (nfd < 0) {
		file_put(f);
		return nfd;
	}
	long e = addr_out(&rep, addr, alen);
	if (e < 0) {
		fd_close(current()->proc, nfd);
		return e;
	}
	return nfd;
}

static long
do_send(struct sockfile *s, const struct uiovec *iov, int n, int flags,
	uaddr_t addr, unsigned alen)
{
	struct pt_sock_msg msg = { .flags = (uint32_t)flags };
	long e = addr_in(&msg, addr, addr ? alen : 0);
	if (e < 0)
		return e;
	long r = sockfile_send(s, &msg, iov, n, nonblocking(s, flags));
	if (r == -EPIPE && !(flags & MSG_NOSIGNAL_K))
		signal_send_thread(current(), SIGPIPE);
	return r;
}

static long
inet_sendto(struct file *f, uaddr_t buf, size_t len, int flags, uaddr_t addr,
	    unsigned alen)
{
	struct uiovec v = { buf, MIN(len, (size_t)MAX_RW_COUNT) };
	return do_send(sock_of(f), &v, 1, flags, addr, alen);
}

static long
inet_recvfrom(struct file *f, uaddr_t buf, size_t len, int flags, uaddr_t addr,
	      uaddr_t alen)
{
	struct sockfile *s = sock_of(f);
	if (flags & MSG_ERRQUEUE_K)
		return -EAGAIN;	/* no error is ever queued (IP_RECVERR) */
	struct uiovec v = { buf, MIN(len, (size_t)MAX_RW_COUNT) };
	struct pt_sock_msg msg = { .flags = (uint32_t)flags };
	struct pt_sock_reply rep;
	long r = sockfile_recv(s, &msg, &rep, &v, 1, nonblocking(s, flags),
			       NULL);
	long e;
	if (r >= 0 && (e = addr_out(&rep, addr, alen)) < 0)
		return e;
	return r;
}

static long
inet_sendmsg(struct file *f, uaddr_t umsg, int flags)
{
	struct msghdr_k m;
	struct uiovec *iov;
	long e = msghdr_in(umsg, &m, &iov);
	if (e == 0)
		e = do_send(sock_of(f), iov, (int)m.iovlen, flags, m.name,
			    m.namelen);
	kfree(iov);
	return e;
}

/* recvmsg's results besides the data: name, no control, msg_flags. */
static long
msg_results(uaddr_t umsg, const struct msghdr_k *m,
	    const struct pt_sock_reply *rep, int32_t out_flags)
{
	uint32_t namelen = 0;
	if (m->name) {
		namelen = MIN(m->namelen, rep->addr_len);
		if (copyout(m->name, rep->addr, namelen) < 0)
			return -EFAULT;
		namelen = rep->addr_len;
	}
	uint64_t no_control = 0;
	if (copyout(umsg + offsetof(struct msghdr_k, namelen), &namelen, 4) < 0 ||
	    copyout(umsg + offsetof(struct msghdr_k, controllen), &no_control, 8) < 0 ||
	    copyout(umsg + offsetof(struct msghdr_k, flags), &out_flags, 4) < 0)
		return -EFAULT;
	return 0;
}

static long
inet_recvmsg(struct file *f, uaddr_t umsg, int flags)
{
	struct sockfile *s = sock_of(f);
	struct msghdr_k m;
	struct uiovec *iov;
	long e = msghdr_in(umsg, &m, &iov);
	if (e < 0 || (flags & MSG_ERRQUEUE_K)) {
		kfree(iov);
		/* No error is ever queued (IP_RECVERR). */
		return e < 0 ? e : -EAGAIN;
	}
	/*
	 * A datagram's real length (MSG_TRUNC to the server) tells whether
	 * it was cut, for msg_flags; the caller still gets what fitted
	 * unless it asked for MSG_TRUNC itself.
	 */
	bool dgram = s->type != SOCK_STREAM_K;
	uint64_t room = 0;
	struct pt_sock_msg msg = {
		.flags = (uint32_t)(dgram ? flags | MSG_TRUNC_K : flags),
	};
	struct pt_sock_reply rep;
	long r = sockfile_recv(s, &msg, &rep, iov, (int)m.iovlen,
			       nonblocking(s, flags), &room);
	kfree(iov);
	if (r < 0)
		return r;
	int32_t out_flags = 0;
	if (dgram && (uint64_t)r > room) {
		out_flags |= MSG_TRUNC_K;
		if (!(flags & MSG_TRUNC_K))
			r = (long)room;
	}
	e = msg_results(umsg, &m, &rep, out_flags);
	return e < 0 ? e : r;
}

static long
inet_shutdown(struct file *f, int how)
{
	if (how < 0 || how > 2)
		return -EINVAL;
	struct pt_sock_msg msg = { .op = PT_SOCK_SHUTDOWN, .arg = { how } };
	return sockfile_call_wait(sock_of(f), &msg, NULL, NULL, 0, 0, true);
}

static long
inet_getname(struct file *f, uaddr_t addr, uaddr_t alen, bool peer)
{
	struct pt_sock_msg msg = { .op = peer ? PT_SOCK_PEER : PT_SOCK_NAME };
	struct pt_sock_reply rep;
	long r = sockfile_call_wait(sock_of(f), &msg, &rep, NULL, 0, 0, true);
	if (r < 0)
		return r;
	return addr_out(&rep, addr, alen);
}

/* TCP_CORK and TCP_NODELAY, kept here (socktx.c): on a stream socket. */
static bool
kept_here(const struct sockfile *s, int level, int name)
{
	return s->type == SOCK_STREAM_K && level == IPPROTO_TCP &&
	       (name == TCP_CORK || name == TCP_NODELAY);
}

/*
 * TCP_CORK is the kernel's alone. Nagle is netd's, so it hears of a
 * change of TCP_NODELAY (what is held back goes before the call); setting
 * it sends what is held, corked or not, as Linux's.
 */
static long
set_kept(struct sockfile *s, int name, uaddr_t val, unsigned len)
{
	int v;
	if (len < sizeof(v))
		return -EINVAL;
	if (copyin(&v, val, sizeof(v)) < 0)
		return -EFAULT;
	bool on = v != 0;
	if (name == TCP_CORK) {
		sockfile_set_cork(s, on);
		return 0;
	}
	if (on != s->nodelay) {
		struct pt_sock_msg msg = { .op = PT_SOCK_SETOPT,
					   .arg = { IPPROTO_TCP, TCP_NODELAY } };
		int one = on;
		struct chan_seg seg = { (uint64_t)(uintptr_t)&one, sizeof(one),
					PT_SEG_IN, true };
		long r = sockfile_call_wait(s, &msg, NULL, &seg, 1, 0, true);
		if (r < 0)
			return r;
		s->nodelay = on;
	}
	if (on)
		sockfile_tx_push(s);
	return 0;
}

static long
inet_setsockopt(struct file *f, int level, int name, uaddr_t val,
		unsigned len)
{
	if (kept_here(sock_of(f), level, name))
		return set_kept(sock_of(f), name, val, len);
	if (len > 256 || (len && (val + len < val || val + len > USER_TOP)))
		return -EINVAL;
	struct pt_sock_msg msg = { .op = PT_SOCK_SETOPT, .arg = { level, name } };
	struct chan_seg seg = { val, len, PT_SEG_IN, false };
	return sockfile_call_wait(sock_of(f), &msg, NULL, &seg, len ? 1 : 0, 0,
				  true);
}

static long
inet_getsockopt(struct file *f, int level, int name, uaddr_t val,
		uaddr_t ulen)
{
	struct sockfile *s = sock_of(f);
	uint32_t room;
	if (copyin(&room, ulen, sizeof(room)) < 0)
		return -EFAULT;
	if ((int32_t)room < 0)
		return -EINVAL;
	if ((level == SOL_SOCKET && (name == SO_TYPE || name == SO_DOMAIN)) ||
	    kept_here(s, level, name)) {
		int v = level == SOL_SOCKET ? (name == SO_TYPE ? s->type
							      : s->domain)
					    : (name == TCP_CORK ? s->cork
								: s->nodelay);
		uint32_t n = MIN(room, (uint32_t)sizeof(v));
		if (copyout(val, &v, n) < 0 || copyout(ulen, &n, sizeof(n)) < 0)
			return -EFAULT;
		return 0;
	}
	room = MIN(room, 256u);
	if (val + room < val || val + room > USER_TOP)
		return -EFAULT;
	struct pt_sock_msg msg = { .op = PT_SOCK_GETOPT, .arg = { level, name } };
	struct chan_seg seg = { val, room, PT_SEG_OUT, false };
	long r = sockfile_call_wait(s, &msg, NULL, &seg, room ? 1 : 0, 0, true);
	if (r < 0)
		return r;
	uint32_t n = (uint32_t)MIN((unsigned long)r, room);
	return copyout(ulen, &n, sizeof(n));
}

const struct sock_ops inet_sock_ops = {
	.bind = inet_bind,
	.listen = inet_listen,
	.connect = inet_connect,
	.accept = inet_accept,
	.shutdown = inet_shutdown,
	.getname = inet_getname,
	.setsockopt = inet_setsockopt,
	.getsockopt = inet_getsockopt,
	.sendto = inet_sendto,
	.recvfrom = inet_recvfrom,
	.sendmsg = inet_sendmsg,
	.recvmsg = inet_recvmsg,
};
