/*
 * The socket system calls. socket(2) picks the family; every other call
 * finds the descriptor's socket file and goes to its family's calls
 * (struct sock_ops, kernel/sock.h): AF_UNIX sockets are kernel objects
 * (kernel/fs/unixsock.c), AF_INET and AF_INET6 are served by the network
 * server (kernel/fs/inetsock.c). sendmmsg and recvmmsg are built here on
 * sendmsg and recvmsg.
 */
#include <kernel/sock.h>
#include <kernel/netif.h>
#include <kernel/sockfile.h>
#include <kernel/vfs.h>
#include <kernel/proc.h>
#include <kernel/vm.h>
#include <kernel/kmalloc.h>
#include <kernel/arch.h>
#include <kernel/errno.h>
#include <syscall_table.h>

#define AF_UNIX 1
#define AF_INET 2
#define AF_INET6 10
#define AF_NETLINK 16
#define SOCK_NONBLOCK 04000
#define SOCK_CLOEXEC 02000000
#define SOCK_TYPE_MASK 0xf
#define MSG_WAITFORONE 0x10000

/* fd's socket file, held for the call; NULL with EBADF or ENOTSOCK. */
static struct file *
sock_file(int fd, long *err)
{
	struct file *f = fd_hold(fd);
	if (!f) {
		*err = -EBADF;
		return NULL;
	}
	if (!f->ops || !f->ops->sock) {
		*err = -ENOTSOCK;
		return NULL;
	}
	return f;
}

long
msghdr_in(uaddr_t umsg, struct msghdr_k *h, struct uiovec **iov)
{
	*iov = NULL;
	if (copyin(h, umsg, sizeof(*h)) < 0)
		return -EFAULT;
	/* Linux's __copy_msghdr: no name has no length, a negative one is
	 * EINVAL, a longer one is cut to a sockaddr_storage. */
	if (!h->name)
		h->namelen = 0;
	if ((int32_t)h->namelen < 0)
		return -EINVAL;
	h->namelen = MIN(h->namelen, 128u);
	if (h->iovlen > UIO_MAXIOV)
		return -EMSGSIZE;
	*iov = kmalloc(sizeof(**iov) * (h->iovlen ? h->iovlen : 1));
	if (!*iov)
		return -ENOMEM;
	if (h->iovlen && copyin(*iov, h->iov, sizeof(**iov) * h->iovlen) < 0)
		return -EFAULT;
	return 0;
}

long
sys_socket(int domain, int type, int protocol)
{
	if (type & ~(SOCK_TYPE_MASK | SOCK_NONBLOCK | SOCK_CLOEXEC))
		return -EINVAL;
	if (domain == AF_UNIX)
		return unix_socket(type, protocol);
	if (domain == AF_INET || domain == AF_INET6)
		return inet_socket(domain, type, protocol);
	if (domain == AF_NETLINK)
		return netlink_socket(type, protocol);
	return -EAFNOSUPPORT;
}

/*
 * What Linux answers a socketpair of IP sockets: the socket is made first
 * (EINVAL for an unknown type, EPROTONOSUPPORT for a protocol the type
 * does not carry), then refused (EOPNOTSUPP).
 */
static long
inet_pair_error(int type, int protocol)
{
	int kind = type & ~(0x800 | 0x80000);	/* SOCK_NONBLOCK, _CLOEXEC */
	switch (kind) {
	case 1:		/* SOCK_STREAM: TCP */
		return protocol == 0 || protocol == 6 ? -EOPNOTSUPP :
							-EPROTONOSUPPORT;
	case 2:		/* SOCK_DGRAM: UDP */
		return protocol == 0 || protocol == 17 ? -EOPNOTSUPP :
							 -EPROTONOSUPPORT;
	case 3:		/* SOCK_RAW: some protocol must be named */
		return protocol == 0 ? -EPROTONOSUPPORT : -EOPNOTSUPP;
	}
	return kind > 0 && kind < 11 ? -ESOCKTNOSUPPORT : -EINVAL;
}

long
sys_socketpair(int domain, int type, int protocol, uaddr_t sv)
{
	if (domain == AF_UNIX)
		return unix_socketpair(type, protocol, sv);
	if (domain == AF_INET || domain == AF_INET6)
		return inet_pair_error(type, protocol);
	return -EAFNOSUPPORT;
}

long
sys_bind(int fd, uaddr_t addr, unsigned len)
{
	long e;
	struct file *f = sock_file(fd, &e);
	return f ? f->ops->sock->bind(f, addr, len) : e;
}

long
sys_listen(int fd, int backlog)
{
	long e;
	struct file *f = sock_file(fd, &e);
	return f ? f->ops->sock->listen(f, backlog) : e;
}

long
sys_connect(int fd, uaddr_t addr, unsigned len)
{
	long e;
	struct file *f = sock_file(fd, &e);
	return f ? f->ops->sock->connect(f, addr, len) : e;
}

long
sys_accept4(int fd, uaddr_t addr, uaddr_t alen, int flags)
{
	if (flags & ~(SOCK_NONBLOCK | SOCK_CLOEXEC))
		return -EINVAL;
	long e;
	struct file *f = sock_file(fd, &e);
	return f ? f->ops->sock->accept(f, addr, alen, flags) : e;
}

long
sys_accept(int fd, uaddr_t addr, uaddr_t alen)
{
	return sys_accept4(fd, addr, alen, 0);
}

/*
 * sendto and sendmsg without the big lock (nolock(fd)): u's bytes to a
 * stream socket as write's (kernel/fs/socktx.c), for a call with no
 * address and no flag but MSG_DONTWAIT (the nolock write never waits)
 * and MSG_NOSIGNAL (it never raises SIGPIPE: a closed peer's error goes
 * locked); the rest goes back locked with -ERETRY_LOCKED before any
 * change.
 */
static long
send_unlocked(int fd, const struct uvec *u, int flags)
{
	if ((flags & ~(MSG_DONTWAIT_K | MSG_NOSIGNAL_K)) || u->len == 0 ||
	    u->len > NOLOCK_WRITE_MAX)
		return -ERETRY_LOCKED;
	struct file *f = fd_get_unlocked(fd, sockfile_write_mine);
	if (!f)
		return -ERETRY_LOCKED;
	long r = sockfile_write_unlocked(f, u);
	file_put_unlocked(f);
	return r;
}

long
sys_sendto(int fd, uaddr_t buf, size_t len, int flags, uaddr_t addr,
	   unsigned alen)
{
	if (current()->unlocked_call) {	/* nolock(fd): as write's, or back */
		struct uiovec one = { buf, len };
		struct uvec u = { &one, 1, len };
		return addr ? -ERETRY_LOCKED : send_unlocked(fd, &u, flags);
	}
	long e;
	struct file *f = sock_file(fd, &e);
	return f ? f->ops->sock->sendto(f, buf, len, flags, addr, alen) : e;
}

/* recvmsg's results besides the bytes, as the locked path's msg_results
 * stores them (kernel/fs/inetsock.c): name length, control length, flags. */
static long
msg_results_unlocked(uaddr_t umsg, const struct msghdr_k *m)
{
	if (copyout(umsg + offsetof(struct msghdr_k, namelen), &m->namelen,
		    4) < 0 ||
	    copyout(umsg + offsetof(struct msghdr_k, controllen),
		    &m->controllen, 8) < 0 ||
	    copyout(umsg + offsetof(struct msghdr_k, flags), &m->flags, 4) < 0)
		return -EFAULT;
	return 0;
}

/*
 * recvfrom and recvmsg without the big lock (nolock(rfd)): a stream
 * socket's kept bytes, as read(2) takes them (kernel/fs/sockfile_rx.c),
 * for a call that wants no address and no flag but MSG_DONTWAIT (the
 * kept bytes never wait); the rest, and every other file, goes back
 * locked with -ERETRY_LOCKED before any change. m, when not NULL, is
 * recvmsg's msghdr, at umsg.
 */
static long
recv_unlocked(int fd, const struct uvec *u, int flags, struct msghdr_k *m,
	      uaddr_t umsg)
{
	/* recvmsg's second store below may not fault: only the caller may
	   unmap its msghdr, the process's only thread. */
	if ((flags & ~MSG_DONTWAIT_K) || (m && current()->proc->nthreads > 1))
		return -ERETRY_LOCKED;
	struct file *f = fd_get_unlocked(fd, sockfile_read_mine);
	if (!f)
		return -ERETRY_LOCKED;
	bool nonblock = (flags & MSG_DONTWAIT_K) ||
			(__atomic_load_n(&f->flags, __ATOMIC_RELAXED) &
			 O_NONBLOCK);
	long r = -ERETRY_LOCKED;
	/* recvmsg's results are stored back unchanged first, so that a
	   store that would fault goes locked before a byte is taken. */
	if (!m || msg_results_unlocked(umsg, m) == 0)
		r = sockfile_read_unlocked(f, u, nonblock);
	if (m && r >= 0) {
		m->namelen = 0;
		m->flags = 0;	/* controllen is 0 already */
		msg_results_unlocked(umsg, m);
	}
	file_put_unlocked(f);
	return r;
}

static long
recvfrom_unlocked(int fd, uaddr_t buf, size_t len, int flags, uaddr_t addr)
{
	struct uiovec one = { buf, len };
	struct uvec u = { &one, 1, len };
	return addr ? -ERETRY_LOCKED : recv_unlocked(fd, &u, flags, NULL, 0);
}

/*
 * A msghdr a nolock sendmsg or recvmsg takes (into *m): no name, no
 * control, a few pieces (uvec_import); else -ERETRY_LOCKED.
 */
static long
msghdr_unlocked(uaddr_t umsg, struct msghdr_k *m, struct uiovec v[UVEC_MAX],
		struct uvec *u)
{
	if (copyin(m, umsg, sizeof(*m)) < 0 || m->name || m->control ||
	    m->controllen || m->iovlen > UVEC_MAX)
		return -ERETRY_LOCKED;
	return uvec_import(v, m->iov, (int)m->iovlen, u);
}

static long
sendmsg_unlocked(int fd, uaddr_t umsg, int flags)
{
	struct msghdr_k m;
	struct uiovec v[UVEC_MAX];
	struct uvec u;
	long r = msghdr_unlocked(umsg, &m, v, &u);
	return r < 0 ? r : send_unlocked(fd, &u, flags);
}

static long
recvmsg_unlocked(int fd, uaddr_t umsg, int flags)
{
	struct msghdr_k m;
	struct uiovec v[UVEC_MAX];
	struct uvec u;
	if (msghdr_unlocked(umsg, &m, v, &u) < 0 || u.len == 0)
		return -ERETRY_LOCKED;
	return recv_unlocked(fd, &u, flags, &m, umsg);
}

long
sys_recvfrom(int fd, uaddr_t buf, size_t len, int flags, uaddr_t addr,
	     uaddr_t alen)
{
	if (current()->unlocked_call)	/* nolock(rfd): kept bytes or back */
		return recvfrom_unlocked(fd, buf, len, flags, addr);
	long e;
	struct file *f = sock_file(fd, &e);
	return f ? f->ops->sock->recvfrom(f, buf, len, flags, addr, alen) : e;
}

long
sys_sendmsg(int fd, uaddr_t umsg, int flags)
{
	if (current()->unlocked_call)	/* nolock(fd): as writev's, or back */
		return sendmsg_unlocked(fd, umsg, flags);
	long e;
	struct file *f = sock_file(fd, &e);
	return f ? f->ops->sock->sendmsg(f, umsg, flags) : e;
}

long
sys_recvmsg(int fd, uaddr_t umsg, int flags)
{
	if (current()->unlocked_call)	/* nolock(rfd): as readv's, or back */
		return recvmsg_unlocked(fd, umsg, flags);
	long e;
	struct file *f = sock_file(fd, &e);
	return f ? f->ops->sock->recvmsg(f, umsg, flags) : e;
}

long
sys_shutdown(int fd, int how)
{
	long e;
	struct file *f = sock_file(fd, &e);
	return f ? f->ops->sock->shutdown(f, how) : e;
}

/*
 * getsockname's buffer, as Linux's move_addr_to_user finds it (a socket's
 * own name never fails first): the length must be readable and not
 * negative, the buffer there if it has room.
 */
static long
name_buf_check(uaddr_t addr, uaddr_t alen)
{
	int32_t len;
	if (copyin(&len, alen, sizeof(len)) < 0)
		return -EFAULT;
	if (len < 0)
		return -EINVAL;
	return len > 0 && !addr ? -EFAULT : 0;
}

long
sys_getsockname(int fd, uaddr_t addr, uaddr_t alen)
{
	long e;
	struct file *f = sock_file(fd, &e);
	if (!f)
		return e;
	e = name_buf_check(addr, alen);
	return e < 0 ? e : f->ops->sock->getname(f, addr, alen, false);
}

long
sys_getpeername(int fd, uaddr_t addr, uaddr_t alen)
{
	long e;
	struct file *f = sock_file(fd, &e);
	return f ? f->ops->sock->getname(f, addr, alen, true) : e;
}

/*
 * setsockopt without the big lock (nolock(fd)): TCP_CORK of a stream
 * socket only the caller's process holds (kernel/fs/socktx.c), as nginx
 * sets and clears it around each response; anything else goes back
 * locked with -ERETRY_LOCKED before any change.
 */
static long
setsockopt_unlocked(int fd, int level, int name, uaddr_t val, unsigned len)
{
	int v;
	if (level != 6 /* IPPROTO_TCP */ || name != 3 /* TCP_CORK */ ||
	    len < sizeof(v) ||
	    copyin(&v, val, sizeof(v)) < 0)
		return -ERETRY_LOCKED;
	struct file *f = fd_get_unlocked(fd, sockfile_write_mine);
	if (!f)
		return -ERETRY_LOCKED;
	long r = sockfile_cork_unlocked(f, v != 0);
	file_put_unlocked(f);
	return r;
}

long
sys_setsockopt(int fd, int level, int name, uaddr_t val, unsigned len)
{
	if (current()->unlocked_call)
		return setsockopt_unlocked(fd, level, name, val, len);
	long e;
	struct file *f = sock_file(fd, &e);
	return f ? f->ops->sock->setsockopt(f, level, name, val, len) : e;
}

long
sys_getsockopt(int fd, int level, int name, uaddr_t val, uaddr_t ulen)
{
	long e;
	struct file *f = sock_file(fd, &e);
	return f ? f->ops->sock->getsockopt(f, level, name, val, ulen) : e;
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
