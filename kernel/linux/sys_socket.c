/*
 * The socket system calls. AF_INET and AF_INET6 sockets are server-backed
 * (kernel/fs/sockfile.c): each call becomes one message to the server
 * registered for PT_ROUTE_INET, with the caller's buffers as segments, so
 * data moves once between the program and the server. AF_UNIX sockets are
 * kernel objects (kernel/fs/unixsock.c); their calls go straight there.
 */
#include <kernel/sockfile.h>
#include <kernel/unixsock.h>
#include <kernel/ipc.h>
#include <kernel/vfs.h>
#include <kernel/proc.h>
#include <kernel/vm.h>
#include <kernel/kmalloc.h>
#include <kernel/arch.h>
#include <kernel/string.h>
#include <kernel/errno.h>
#include <arch/mmu.h>
#include <syscall_table.h>

#define AF_UNIX 1
#define AF_INET 2
#define AF_INET6 10
#define SOCK_NONBLOCK 04000
#define SOCK_CLOEXEC 02000000
#define SOCK_TYPE_MASK 0xf
#define SOCK_STREAM 1
#define MSG_TRUNC 0x20
#define MSG_WAITFORONE 0x10000
#define UIO_MAXIOV 1024
#define MAX_RW_COUNT 0x7ffff000ul
#define SOL_SOCKET 1
#define SO_TYPE 3
#define SO_DOMAIN 39

struct iovec_k {
	uint64_t base;
	uint64_t len;
};

struct msghdr_k {
	uint64_t name;
	uint32_t namelen;
	uint32_t pad;
	uint64_t iov;
	uint64_t iovlen;
	uint64_t control;
	uint64_t controllen;
	int32_t flags;
	int32_t pad2;
};

/* fd's file if it is an AF_UNIX socket (held for the call), else NULL. */
static struct file *
unix_fd(int fd)
{
	struct file *f = fd_get(current()->proc, fd);
	return f && file_is_unix(f) ? fd_hold(fd) : NULL;
}

static struct sockfile *
sock_of(int fd, long *err)
{
	struct file *f = fd_hold(fd);
	if (!f) {
		*err = -EBADF;
		return NULL;
	}
	if (!file_is_socket(f)) {
		*err = -ENOTSOCK;
		return NULL;
	}
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
	uint32_t room;
	if (!addr || !ulen)
		return 0;
	if (copyin(&room, ulen, sizeof(room)) < 0)
		return -EFAULT;
	if ((int32_t)room < 0)
		return -EINVAL;
	if (copyout(addr, rep->addr, MIN(room, rep->addr_len)) < 0 ||
	    copyout(ulen, &rep->addr_len, sizeof(rep->addr_len)) < 0)
		return -EFAULT;
	return 0;
}

long
sys_socket(int domain, int type, int protocol)
{
	struct proc *p = current()->proc;
	if (type & ~(SOCK_TYPE_MASK | SOCK_NONBLOCK | SOCK_CLOEXEC))
		return -EINVAL;
	if (domain == AF_UNIX)
		return unix_socket(type, protocol);
	if (domain != AF_INET && domain != AF_INET6)
		return -EAFNOSUPPORT;
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
	int fd = fd_install(p, f, 0, type & SOCK_CLOEXEC);
	if (fd < 0)
		file_put(f);
	return fd;
}

long
sys_socketpair(int domain, int type, int protocol, uaddr_t sv)
{
	if (domain == AF_UNIX)
		return unix_socketpair(type, protocol, sv);
	if (domain == AF_INET || domain == AF_INET6)
		return -EOPNOTSUPP;
	return -EAFNOSUPPORT;
}

long
sys_bind(int fd, uaddr_t addr, unsigned len)
{
	struct file *uf = unix_fd(fd);
	if (uf)
		return unix_bind(uf, addr, len);
	long e = 0;
	struct sockfile *s = sock_of(fd, &e);
	if (!s)
		return e;
	struct pt_sock_msg msg = { .op = PT_SOCK_BIND };
	if ((e = addr_in(&msg, addr, len)) < 0)
		return e;
	return sockfile_call_wait(s, &msg, NULL, NULL, 0, 0, true);
}

long
sys_listen(int fd, int backlog)
{
	struct file *uf = unix_fd(fd);
	if (uf)
		return unix_listen(uf, backlog);
	long e = 0;
	struct sockfile *s = sock_of(fd, &e);
	if (!s)
		return e;
	struct pt_sock_msg msg = { .op = PT_SOCK_LISTEN, .arg = { backlog } };
	return sockfile_call_wait(s, &msg, NULL, NULL, 0, 0, true);
}

long
sys_connect(int fd, uaddr_t addr, unsigned len)
{
	struct file *uf = unix_fd(fd);
	if (uf)
		return unix_connect(uf, addr, len);
	long e = 0;
	struct sockfile *s = sock_of(fd, &e);
	if (!s)
		return e;
	struct pt_sock_msg msg = { .op = PT_SOCK_CONNECT };
	if ((e = addr_in(&msg, addr, len)) < 0)
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
		int w = waitq_wait(&s->wq, 0, true);
		if (w < 0)
			return -EINTR;	/* the connection goes on (as Linux) */
	}
}

long
sys_accept4(int fd, uaddr_t addr, uaddr_t alen, int flags)
{
	if (flags & ~(SOCK_NONBLOCK | SOCK_CLOEXEC))
		return -EINVAL;
	struct file *uf = unix_fd(fd);
	if (uf)
		return unix_accept(uf, addr, alen, flags);
	long e = 0;
	struct sockfile *s = sock_of(fd, &e);
	if (!s)
		return e;
	struct pt_sock_msg msg = { .op = PT_SOCK_ACCEPT };
	struct pt_sock_reply rep;
	long r = sockfile_call_wait(s, &msg, &rep, NULL, 0, POLLIN,
				    nonblocking(s, 0));
	if (r < 0)
		return r;
	struct file *f = sockfile_new(s->chan, rep.id, s->domain, s->type,
				      rep.new_events,
				      flags & SOCK_NONBLOCK ? O_NONBLOCK : 0);
	if (IS_ERR(f)) {
		struct pt_sock_msg close = { .op = PT_SOCK_CLOSE, .id = rep.id };
		sockfile_call(s->chan, &close, NULL, NULL, 0);
		return PTR_ERR(f);
	}
	int nfd = fd_install(current()->proc, f, 0, flags & SOCK_CLOEXEC);
	if (nfd < 0) {
		file_put(f);
		return nfd;
	}
	if ((e = addr_out(&rep, addr, alen)) < 0) {
		fd_close(current()->proc, nfd);
		return e;
	}
	return nfd;
}

long
sys_accept(int fd, uaddr_t addr, uaddr_t alen)
{
	return sys_accept4(fd, addr, alen, 0);
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

long
sys_sendto(int fd, uaddr_t buf, size_t len, int flags, uaddr_t addr,
	   unsigned alen)
{
	struct file *uf = unix_fd(fd);
	if (uf)
		return unix_sendto(uf, buf, len, flags, addr, alen);
	long e = 0;
	struct sockfile *s = sock_of(fd, &e);
	if (!s)
		return e;
	struct uiovec v = { buf, MIN(len, (size_t)MAX_RW_COUNT) };
	return do_send(s, &v, 1, flags, addr, alen);
}

long
sys_recvfrom(int fd, uaddr_t buf, size_t len, int flags, uaddr_t addr,
	     uaddr_t alen)
{
	struct file *uf = unix_fd(fd);
	if (uf)
		return unix_recvfrom(uf, buf, len, flags, addr, alen);
	long e = 0;
	struct sockfile *s = sock_of(fd, &e);
	if (!s)
		return e;
	struct uiovec v = { buf, MIN(len, (size_t)MAX_RW_COUNT) };
	struct pt_sock_msg msg = { .flags = (uint32_t)flags };
	struct pt_sock_reply rep;
	long r = sockfile_recv(s, &msg, &rep, &v, 1, nonblocking(s, flags),
			       NULL);
	if (r >= 0 && (e = addr_out(&rep, addr, alen)) < 0)
		return e;
	return r;
}

/*
 * sendmsg/recvmsg: the socket, the msghdr and its iovecs (*iov is
 * allocated: kfree it). More than UIO_MAXIOV iovecs is EMSGSIZE (Linux).
 */
static struct sockfile *
msg_setup(int fd, uaddr_t umsg, struct msghdr_k *m, struct uiovec **iov,
	  long *err)
{
	*iov = NULL;
	struct sockfile *s = sock_of(fd, err);
	if (!s)
		return NULL;
	if (copyin(m, umsg, sizeof(*m)) < 0) {
		*err = -EFAULT;
		return NULL;
	}
	if (m->iovlen > UIO_MAXIOV) {
		*err = -EMSGSIZE;
		return NULL;
	}
	*iov = kmalloc(sizeof(**iov) * (m->iovlen ? m->iovlen : 1));
	if (!*iov) {
		*err = -ENOMEM;
		return NULL;
	}
	if (m->iovlen && copyin(*iov, m->iov, sizeof(**iov) * m->iovlen) < 0) {
		*err = -EFAULT;
		return NULL;
	}
	return s;
}

long
sys_sendmsg(int fd, uaddr_t umsg, int flags)
{
	struct file *uf = unix_fd(fd);
	if (uf)
		return unix_sendmsg(uf, umsg, flags);
	long e = 0;
	struct msghdr_k m;
	struct uiovec *iov;
	struct sockfile *s = msg_setup(fd, umsg, &m, &iov, &e);
	if (s)
		e = do_send(s, iov, (int)m.iovlen, flags, m.name, m.namelen);
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

long
sys_recvmsg(int fd, uaddr_t umsg, int flags)
{
	struct file *uf = unix_fd(fd);
	if (uf)
		return unix_recvmsg(uf, umsg, flags);
	long e = 0;
	struct msghdr_k m;
	struct uiovec *iov;
	struct sockfile *s = msg_setup(fd, umsg, &m, &iov, &e);
	if (!s) {
		kfree(iov);
		return e;
	}
	/*
	 * A datagram's real length (MSG_TRUNC to the server) tells whether
	 * it was cut, for msg_flags; the caller still gets what fitted
	 * unless it asked for MSG_TRUNC itself.
	 */
	bool dgram = s->type != SOCK_STREAM;
	uint64_t room = 0;
	struct pt_sock_msg msg = {
		.flags = (uint32_t)(dgram ? flags | MSG_TRUNC : flags),
	};
	struct pt_sock_reply rep;
	long r = sockfile_recv(s, &msg, &rep, iov, (int)m.iovlen,
			       nonblocking(s, flags), &room);
	kfree(iov);
	if (r < 0)
		return r;
	int32_t out_flags = 0;
	if (dgram && (uint64_t)r > room) {
		out_flags |= MSG_TRUNC;
		if (!(flags & MSG_TRUNC))
			r = (long)room;
	}
	e = msg_results(umsg, &m, &rep, out_flags);
	return e < 0 ? e : r;
}

/* struct mmsghdr: a msghdr and the length moved. */
#define MMSG_ENTRY (sizeof(struct msghdr_k) + 8)

/*
 * sendmmsg: sendmsg for each mmsghdr (a msghdr and the length sent), as
 * glibc's resolver sends its A and AAAA queries. As Linux: the count sent,
 * or the first call's error if none was.
 */
long
sys_sendmmsg(int fd, uaddr_t vec, unsigned vlen, int flags)
{
	unsigned sent;
	if (vlen > UIO_MAXIOV)
		vlen = UIO_MAXIOV;
	for (sent = 0; sent < vlen; sent++) {
		uaddr_t umsg = vec + sent * MMSG_ENTRY;
		long r = sys_sendmsg(fd, umsg, flags);
		if (r < 0)
			return sent ? (long)sent : r;
		uint32_t len = (uint32_t)r;
		if (copyout(umsg + sizeof(struct msghdr_k), &len, 4) < 0)
			return sent ? (long)sent : -EFAULT;
	}
	return sent;
}

/*
 * recvmmsg: recvmsg for each mmsghdr, as Linux's do_recvmmsg. With
 * MSG_WAITFORONE only the first waits. The timeout is looked at only
 * after each datagram (a blocking receive may wait past it, as on Linux),
 * and what is left of it is written back. Returns the count received, or
 * the first call's error if none was (a later error ends the batch).
 */
long
sys_recvmmsg(int fd, uaddr_t vec, unsigned vlen, int flags, uaddr_t utmo)
{
	struct timespec_k tmo;
	uint64_t end = 0;
	if (utmo) {
		if (copyin(&tmo, utmo, sizeof(tmo)) < 0)
			return -EFAULT;
		if (tmo.tv_sec < 0 || tmo.tv_nsec < 0 ||
		    tmo.tv_nsec >= 1000000000)
			return -EINVAL;
		/* beyond 2^32 s (136 years) is for ever */
		uint64_t sec = MIN((uint64_t)tmo.tv_sec, (uint64_t)1 << 32);
		uint64_t ns = sec * 1000000000u + (uint64_t)tmo.tv_nsec;
		end = arch_now_ns() + ns;
	}
	if (vlen > UIO_MAXIOV)
		vlen = UIO_MAXIOV;
	unsigned got;
	long r = 0;
	for (got = 0; got < vlen; got++) {
		uaddr_t umsg = vec + got * MMSG_ENTRY;
		r = sys_recvmsg(fd, umsg, flags & ~MSG_WAITFORONE);
		if (r < 0)
			break;
		uint32_t len = (uint32_t)r;
		if (copyout(umsg + sizeof(struct msghdr_k), &len, 4) < 0) {
			r = -EFAULT;
			break;
		}
		if (flags & MSG_WAITFORONE)
			flags |= MSG_DONTWAIT_K;
		if (utmo) {
			uint64_t now = arch_now_ns();
			uint64_t left = now < end ? end - now : 0;
			tmo.tv_sec = (int64_t)(left / 1000000000u);
			tmo.tv_nsec = (int64_t)(left % 1000000000u);
			if (!left) {
				got++;
				break;
			}
		}
	}
	if (got == 0)
		return r;
	if (utmo && copyout(utmo, &tmo, sizeof(tmo)) < 0)
		return -EFAULT;
	return got;
}

long
sys_shutdown(int fd, int how)
{
	struct file *uf = unix_fd(fd);
	if (uf)
		return unix_shutdown(uf, how);
	long e = 0;
	struct sockfile *s = sock_of(fd, &e);
	if (!s)
		return e;
	if (how < 0 || how > 2)
		return -EINVAL;
	struct pt_sock_msg msg = { .op = PT_SOCK_SHUTDOWN, .arg = { how } };
	return sockfile_call_wait(s, &msg, NULL, NULL, 0, 0, true);
}

static long
name_call(int fd, uint32_t op, uaddr_t addr, uaddr_t alen)
{
	struct file *uf = unix_fd(fd);
	if (uf)
		return unix_getname(uf, addr, alen, op == PT_SOCK_PEER);
	long e = 0;
	struct sockfile *s = sock_of(fd, &e);
	if (!s)
		return e;
	struct pt_sock_msg msg = { .op = op };
	struct pt_sock_reply rep;
	long r = sockfile_call_wait(s, &msg, &rep, NULL, 0, 0, true);
	if (r < 0)
		return r;
	return addr_out(&rep, addr, alen);
}

long
sys_getsockname(int fd, uaddr_t addr, uaddr_t alen)
{
	return name_call(fd, PT_SOCK_NAME, addr, alen);
}

long
sys_getpeername(int fd, uaddr_t addr, uaddr_t alen)
{
	return name_call(fd, PT_SOCK_PEER, addr, alen);
}

long
sys_setsockopt(int fd, int level, int name, uaddr_t val, unsigned len)
{
	struct file *uf = unix_fd(fd);
	if (uf)
		return unix_setsockopt(uf, level, name, val, len);
	long e = 0;
	struct sockfile *s = sock_of(fd, &e);
	if (!s)
		return e;
	if (len > 256 || (len && (val + len < val || val + len > USER_TOP)))
		return -EINVAL;
	struct pt_sock_msg msg = { .op = PT_SOCK_SETOPT, .arg = { level, name } };
	struct chan_seg seg = { val, len, PT_SEG_IN, false };
	return sockfile_call_wait(s, &msg, NULL, &seg, len ? 1 : 0, 0, true);
}

long
sys_getsockopt(int fd, int level, int name, uaddr_t val, uaddr_t ulen)
{
	struct file *uf = unix_fd(fd);
	if (uf)
		return unix_getsockopt(uf, level, name, val, ulen);
	long e = 0;
	struct sockfile *s = sock_of(fd, &e);
	if (!s)
		return e;
	uint32_t room;
	if (copyin(&room, ulen, sizeof(room)) < 0)
		return -EFAULT;
	if ((int32_t)room < 0)
		return -EINVAL;
	if (level == SOL_SOCKET && (name == SO_TYPE || name == SO_DOMAIN)) {
		int v = name == SO_TYPE ? s->type : s->domain;
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
