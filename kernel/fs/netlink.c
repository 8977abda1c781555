/*
 * AF_NETLINK sockets, NETLINK_ROUTE only, read-only: a request sent is
 * answered at once (kernel/fs/rtnetlink.c) and the answer waits in the
 * socket's queue as datagrams of at most NL_DGRAM_MAX bytes, whole
 * messages each, as Linux's dumps come. No multicast group ever
 * receives anything. Other protocols are EPROTONOSUPPORT, as on a Linux
 * built without them.
 */
#include <kernel/netif.h>
#include <kernel/sock.h>
#include <kernel/vfs.h>
#include <kernel/proc.h>
#include <kernel/sched.h>
#include <kernel/vm.h>
#include <kernel/kmalloc.h>
#include <kernel/string.h>
#include <kernel/errno.h>
#include "netlink_int.h"

#define AF_NETLINK 16
#define NETLINK_ROUTE 0
#define NETLINK_PROTO_MAX 32
#define ESOCKTNOSUPPORT_K 94
#define SOCK_DGRAM 2
#define SOCK_RAW 3
#define SOCK_TYPE_MASK 0xf
#define SOCK_NONBLOCK 04000
#define SOCK_CLOEXEC 02000000
#define SOL_SOCKET 1
#define SO_TYPE 3
#define SO_SNDBUF 7
#define SO_RCVBUF 8
#define SO_PROTOCOL 38
#define SO_DOMAIN 39
#define NL_BUF_DEFAULT 212992	/* net.core.rmem_default */
/* A datagram of a dump: Linux's NLMSG_GOODSIZE for 4 KiB pages, so a
 * reader with a page-sized buffer (glibc's getifaddrs) gets it whole. */
#define NL_DGRAM_MAX 3776
#define NL_REQUEST_MAX 65536	/* the most one send may carry */
#define NL_QUEUE_MAX NL_BUF_DEFAULT

struct nl_dgram {
	struct list link;
	size_t len;
	uint8_t data[];
};

struct nl_sock {
	int protocol;			/* NETLINK_ROUTE */
	int type;			/* SOCK_RAW or SOCK_DGRAM */
	uint32_t portid;		/* 0 until bound */
	uint32_t groups;		/* joined, never sent to */
	struct list rq;			/* nl_dgram, oldest first */
	size_t queued;			/* bytes in rq */
	struct waitq wq;		/* receivers: woken by a message
					   queue's notification or signals */
	struct list link;		/* all_socks */
};

/* Every netlink socket, for unique port ids; big lock. */
static struct list all_socks = LIST_INIT(all_socks);
static uint32_t next_portid = (uint32_t)-4096;	/* Linux's rover */

struct sockaddr_nl_k {
	uint16_t family;
	uint16_t pad;
	uint32_t pid;
	uint32_t groups;
};

static struct super nl_super = { .type = "sockfs" };

static struct nl_sock *
nl_of(struct file *f)
{
	return f->priv;
}

/* ---- Building messages -------------------------------------------- */

size_t
nlbuf_put(struct nlbuf *b, const void *p, size_t n)
{
	size_t at = b->len, need = at + NLMSG_ALIGN(n);
	if (b->failed)
		return at;
	if (need > b->cap) {
		size_t cap = MAX(need, b->cap * 2);
		uint8_t *d = kmalloc(MAX(cap, (size_t)512));
		if (!d) {
			b->failed = true;
			return at;
		}
		memcpy(d, b->data, b->len);
		kfree(b->data);
		b->data = d;
		b->cap = MAX(cap, (size_t)512);
	}
	memset(b->data + at, 0, NLMSG_ALIGN(n));
	if (p)
		memcpy(b->data + at, p, n);
	b->len = need;
	return at;
}

size_t
nlmsg_begin(struct nlbuf *b, uint16_t type, uint16_t flags, uint32_t seq,
	    uint32_t pid)
{
	struct nlmsghdr_k h = { 0, type, flags, seq, pid };
	return nlbuf_put(b, &h, sizeof(h));
}

void
nlmsg_end(struct nlbuf *b, size_t start)
{
	if (!b->failed) {
		uint32_t len = (uint32_t)(b->len - start);
		memcpy(b->data + start, &len, sizeof(len));
	}
}

void
nla_put(struct nlbuf *b, uint16_t type, const void *data, size_t len)
{
	uint16_t hdr[2] = { (uint16_t)(4 + len), type };
	nlbuf_put(b, hdr, sizeof(hdr));
	nlbuf_put(b, data, len);
}

void
nlmsg_error(struct nlbuf *b, const struct nlmsghdr_k *req, int error,
	    uint32_t pid)
{
	size_t m = nlmsg_begin(b, NLMSG_ERROR, NLM_F_CAPPED, req->seq, pid);
	int32_t e = error;
	nlbuf_put(b, &e, sizeof(e));
	nlbuf_put(b, req, sizeof(*req));	/* the request's header only */
	nlmsg_end(b, m);
}

/* ---- The socket ----------------------------------------------------- */

static bool
portid_used(uint32_t portid)
{
	list_for_each(it, &all_socks)
		if (list_entry(it, struct nl_sock, link)->portid == portid)
			return true;
	return false;
}

/* Linux's autobind: the process id if free, else a negative number. */
static void
autobind(struct nl_sock *s)
{
	if (s->portid)
		return;
	uint32_t id = (uint32_t)current()->proc->pid;
	while (portid_used(id))
		id = next_portid--;
	s->portid = id;
}

/*
 * Queues the messages in b as datagrams of whole messages, at most
 * NL_DGRAM_MAX bytes each (a bigger message alone). -ENOBUFS if the
 * queue is full, as Linux's.
 */
static long
enqueue(struct nl_sock *s, const struct nlbuf *b)
{
	if (b->failed)
		return -ENOMEM;
	if (s->queued + b->len > NL_QUEUE_MAX)
		return -ENOBUFS;
	size_t off = 0;
	while (off < b->len) {
		size_t end = off;
		while (end < b->len) {
			uint32_t len;
			memcpy(&len, b->data + end, 4);
			size_t next = end + NLMSG_ALIGN(len);
			if (end > off && next - off > NL_DGRAM_MAX)
				break;
			end = next;
		}
		struct nl_dgram *d = kmalloc(sizeof(*d) + (end - off));
		if (!d)
			return -ENOMEM;
		d->len = end - off;
		memcpy(d->data, b->data + off, d->len);
		list_push_back(&s->rq, &d->link);
		s->queued += d->len;
		off = end;
	}
	return 0;
}

/* Answers every message of the request in buf (len bytes). */
static long
handle(struct nl_sock *s, const uint8_t *buf, size_t len)
{
	struct nlbuf out = { 0 };
	autobind(s);
	for (size_t off = 0; off + sizeof(struct nlmsghdr_k) <= len;) {
		struct nlmsghdr_k h;
		memcpy(&h, buf + off, sizeof(h));
		if (h.len < sizeof(h) || h.len > len - off)
			break;	/* Linux drops the rest */
		if (s->protocol == NETLINK_ROUTE)
			rtnl_request(&out, (const struct nlmsghdr_k *)(buf + off),
				     h.len, s->portid);
		off += NLMSG_ALIGN(h.len);
	}
	long e = enqueue(s, &out);
	kfree(out.data);
	return e;
}

/* Copies n bytes between buf and the caller's iovecs (to them: out). */
static long
iov_move(const struct uiovec *iov, int niov, uint8_t *buf, size_t n, bool out)
{
	size_t done = 0;
	for (int i = 0; i < niov && done < n; i++) {
		size_t step = MIN(iov[i].len, n - done);
		int e = out ? copyout(iov[i].base, buf + done, step) :
			      copyin(buf + done, iov[i].base, step);
		if (e < 0)
			return -EFAULT;
		done += step;
	}
	return (long)done;
}

static size_t
iov_total(const struct uiovec *iov, int niov)
{
	size_t total = 0;
	for (int i = 0; i < niov; i++)
		total += MIN(iov[i].len, (uint64_t)MAX_RW_COUNT);
	return MIN(total, (size_t)MAX_RW_COUNT);
}

static long
nl_send(struct file *f, const struct uiovec *iov, int niov)
{
	size_t len = iov_total(iov, niov);
	if (len > NL_REQUEST_MAX)
		return -EMSGSIZE;
	uint8_t *buf = kmalloc(len ? len : 1);
	if (!buf)
		return -ENOMEM;
	long r = iov_move(iov, niov, buf, len, false);
	if (r >= 0)
		r = handle(nl_of(f), buf, len);
	kfree(buf);
	return r < 0 ? r : (long)len;
}

/*
 * Takes the oldest datagram into the iovecs (kept with MSG_PEEK); returns
 * the bytes copied, or its whole length with MSG_TRUNC, and sets
 * *truncated. Waits for one unless non-blocking.
 */
static long
nl_recv(struct file *f, const struct uiovec *iov, int niov, int flags,
	bool *truncated)
{
	struct nl_sock *s = nl_of(f);
	while (list_empty(&s->rq)) {
		if ((f->flags & O_NONBLOCK) || (flags & MSG_DONTWAIT_K))
			return -EAGAIN;
		if (waitq_wait(&s->wq, 0, true) < 0)
			return -ERESTARTSYS;
	}
	struct nl_dgram *d = list_first(&s->rq, struct nl_dgram, link);
	size_t room = iov_total(iov, niov);
	long r = iov_move(iov, niov, d->data, MIN(room, d->len), true);
	if (r < 0)
		return r;
	*truncated = d->len > room;
	if (flags & MSG_TRUNC_K)
		r = (long)d->len;
	if (!(flags & MSG_PEEK_K)) {
		list_remove(&d->link);
		s->queued -= d->len;
		kfree(d);
	}
	return r;
}

/* The kernel's address, which every answer comes from. */
static long
kernel_addr_out(uaddr_t addr, uaddr_t ulen)
{
	struct sockaddr_nl_k a = { .family = AF_NETLINK };
	if (!addr || !ulen)
		return 0;
	return sockaddr_out(&a, sizeof(a), addr, ulen);
}

/* A destination other than the kernel (port 0) reaches no one here. */
static long
check_dest(uaddr_t addr, unsigned alen)
{
	struct sockaddr_nl_k a;
	if (!addr || !alen)
		return 0;
	if (alen < sizeof(a))
		return -EINVAL;
	if (copyin(&a, addr, sizeof(a)) < 0)
		return -EFAULT;
	if (a.family != AF_NETLINK)
		return -EINVAL;
	return a.pid == 0 && a.groups == 0 ? 0 : -ECONNREFUSED;
}

static long
nl_sendto(struct file *f, uaddr_t buf, size_t len, int flags, uaddr_t addr,
	  unsigned alen)
{
	(void)flags;
	long e = check_dest(addr, alen);
	struct uiovec v = { buf, len };
	return e < 0 ? e : nl_send(f, &v, 1);
}

static long
nl_recvfrom(struct file *f, uaddr_t buf, size_t len, int flags, uaddr_t addr,
	    uaddr_t alen)
{
	struct uiovec v = { buf, len };
	bool truncated;
	long r = nl_recv(f, &v, 1, flags, &truncated);
	if (r >= 0) {
		long e = kernel_addr_out(addr, alen);
		if (e < 0)
			return e;
	}
	return r;
}

static long
nl_sendmsg(struct file *f, uaddr_t umsg, int flags)
{
	(void)flags;
	struct msghdr_k h;
	struct uiovec *iov;
	long e = msghdr_in(umsg, &h, &iov);
	if (e == 0)
		e = check_dest(h.name, h.namelen);
	if (e == 0)
		e = nl_send(f, iov, (int)h.iovlen);
	kfree(iov);
	return e;
}

static long
nl_recvmsg(struct file *f, uaddr_t umsg, int flags)
{
	struct msghdr_k h;
	struct uiovec *iov;
	bool truncated = false;
	long r = msghdr_in(umsg, &h, &iov);
	if (r == 0)
		r = nl_recv(f, iov, (int)h.iovlen, flags, &truncated);
	kfree(iov);
	if (r < 0)
		return r;
	if (h.name) {
		struct sockaddr_nl_k a = { .family = AF_NETLINK };
		if (copyout(h.name, &a, MIN(h.namelen, (uint32_t)sizeof(a))) < 0)
			return -EFAULT;
		h.namelen = sizeof(a);
	}
	h.controllen = 0;
	h.flags = truncated ? MSG_TRUNC_K : 0;
	if (copyout(umsg, &h, sizeof(h)) < 0)
		return -EFAULT;
	return r;
}

static long
nl_bind(struct file *f, uaddr_t addr, unsigned len)
{
	struct nl_sock *s = nl_of(f);
	struct sockaddr_nl_k a;
	if (len < sizeof(a))
		return -EINVAL;
	if (copyin(&a, addr, sizeof(a)) < 0)
		return -EFAULT;
	if (a.family != AF_NETLINK)
		return -EINVAL;
	if (a.pid && s->portid && a.pid != s->portid)
		return -EINVAL;
	if (a.pid && !s->portid) {
		if (portid_used(a.pid))
			return -EADDRINUSE;
		s->portid = a.pid;
	}
	autobind(s);
	s->groups = a.groups;
	return 0;
}

static long
nl_connect(struct file *f, uaddr_t addr, unsigned len)
{
	long e = check_dest(addr, len);
	if (e == 0)
		autobind(nl_of(f));
	return e;
}

static long
nl_getname(struct file *f, uaddr_t addr, uaddr_t alen, bool peer)
{
	struct sockaddr_nl_k a = { .family = AF_NETLINK };
	if (!peer)
		a.pid = nl_of(f)->portid, a.groups = nl_of(f)->groups;
	return sockaddr_out(&a, sizeof(a), addr, alen);
}

static long
nl_unsupported(void)
{
	return -EOPNOTSUPP;
}

static long
nl_listen(struct file *f, int backlog)
{
	(void)f, (void)backlog;
	return nl_unsupported();
}

static long
nl_accept(struct file *f, uaddr_t addr, uaddr_t alen, int flags)
{
	(void)f, (void)addr, (void)alen, (void)flags;
	return nl_unsupported();
}

static long
nl_shutdown(struct file *f, int how)
{
	(void)f;
	return how < 0 || how > 2 ? -EINVAL : 0;
}

/* Options are taken and forgotten (buffer sizes, NETLINK_* flags): no
 * answer is ever lost or needs them. */
static long
nl_setsockopt(struct file *f, int level, int name, uaddr_t val, unsigned len)
{
	(void)f, (void)level, (void)name, (void)val, (void)len;
	return 0;
}

static long
nl_getsockopt(struct file *f, int level, int name, uaddr_t val, uaddr_t ulen)
{
	int v;
	if (level != SOL_SOCKET)
		return -ENOPROTOOPT;
	switch (name) {
	case SO_TYPE: v = nl_of(f)->type; break;
	case SO_DOMAIN: v = AF_NETLINK; break;
	case SO_PROTOCOL: v = nl_of(f)->protocol; break;
	case SO_SNDBUF:
	case SO_RCVBUF: v = NL_BUF_DEFAULT; break;
	default: return -ENOPROTOOPT;
	}
	uint32_t room;
	if (copyin(&room, ulen, sizeof(room)) < 0)
		return -EFAULT;
	if ((int32_t)room < 0)
		return -EINVAL;
	room = MIN(room, (uint32_t)sizeof(v));
	if (copyout(val, &v, room) < 0)
		return -EFAULT;
	return copyout(ulen, &room, sizeof(room));
}

static long
nl_rw_iov(struct file *f, const struct uiovec *iov, int n, bool write)
{
	bool truncated;
	return write ? nl_send(f, iov, n) : nl_recv(f, iov, n, 0, &truncated);
}

static unsigned
nl_poll(struct file *f)
{
	return POLLOUT | POLLWRNORM |
	       (list_empty(&nl_of(f)->rq) ? 0 : POLLIN | POLLRDNORM);
}

static void
nl_close(struct file *f)
{
	struct nl_sock *s = nl_of(f);
	list_for_each_safe(it, nx, &s->rq) {
		list_remove(it);
		kfree(list_entry(it, struct nl_dgram, link));
	}
	list_remove(&s->link);
	kfree(s);
}

static const struct sock_ops nl_sock_ops = {
	.bind = nl_bind,
	.listen = nl_listen,
	.connect = nl_connect,
	.accept = nl_accept,
	.shutdown = nl_shutdown,
	.getname = nl_getname,
	.setsockopt = nl_setsockopt,
	.getsockopt = nl_getsockopt,
	.sendto = nl_sendto,
	.recvfrom = nl_recvfrom,
	.sendmsg = nl_sendmsg,
	.recvmsg = nl_recvmsg,
};

static const struct file_ops nl_fops;

long
netlink_deliver(struct file *f, const void *data, size_t len)
{
	if (f->ops != &nl_fops)
		return -ENOTSOCK;
	if (!data)
		return 0;
	struct nl_sock *s = nl_of(f);
	if (s->queued + len > NL_QUEUE_MAX)
		return -EAGAIN;
	struct nl_dgram *d = kmalloc(sizeof(*d) + len);
	if (!d)
		return -ENOMEM;
	d->len = len;
	memcpy(d->data, data, len);
	list_push_back(&s->rq, &d->link);
	s->queued += len;
	waitq_wake_all(&s->wq);
	file_notify_in(f);
	return 0;
}

static const struct file_ops nl_fops = {
	.sock = &nl_sock_ops,
	.rw_iov = nl_rw_iov,
	.poll = nl_poll,
	.close = nl_close,
};

long
netlink_socket(int type, int protocol)
{
	int base = type & SOCK_TYPE_MASK;
	if (base != SOCK_RAW && base != SOCK_DGRAM)
		return -ESOCKTNOSUPPORT_K;
	if (protocol < 0 || protocol >= NETLINK_PROTO_MAX)
		return -EPROTONOSUPPORT;
	if (protocol != NETLINK_ROUTE)
		return -EPROTONOSUPPORT;
	struct nl_sock *s = kzalloc(sizeof(*s));
	struct inode *ino = s ? inode_new(&nl_super, S_IFSOCK | 0777) : NULL;
	struct file *f = NULL;
	if (ino) {
		ino->fops = &nl_fops;
		f = file_new(ino, O_RDWR | (type & SOCK_NONBLOCK ? O_NONBLOCK : 0));
		inode_put(ino);
	}
	if (!f) {
		kfree(s);
		return -ENOMEM;
	}
	s->protocol = protocol;
	s->type = base;
	list_init(&s->rq);
	waitq_init(&s->wq);
	list_push_back(&all_socks, &s->link);
	f->priv = s;
	int fd = fd_install(current()->proc, f, 0, type & SOCK_CLOEXEC);
	if (fd < 0)
		file_put(f);
	return fd;
}
