/*
 * netd's socket core: the socket table, readiness reporting, and the
 * entry points of sock.h, which check the id and hand each call to the
 * TCP (sock_tcp.c) or UDP (sock_udp.c) half.
 */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "lwip/priv/tcp_priv.h"	/* TCP_KEEP*_DEFAULT */
#include "lwip/raw.h"
#include "lwip/tcp.h"
#include "lwip/udp.h"
#include "sock_int.h"

/*
 * Receive buffers that belong to a pool or to the NIC driver (rather than
 * the heap) and sit in socket queues: past this many, new ones are copied
 * to the heap, so applications that do not read cannot starve the driver
 * of receive buffers.
 */
#define NSOCK_PINNED_MAX	(PBUF_POOL_SIZE / 2)

/* Linux's defaults for UDP buffers (net.core.[rw]mem_default). */
#define NSOCK_UDP_BUF		212992

static struct nsock nsock_table[NSOCK_MAX];
/* Every slot below this one is used: a server holding thousands of
   connections finds a free one without looking through them all. */
static int nsock_low;
static nsock_notify_fn *notify_fn;
static void *notify_ctx;
static unsigned rx_pinned;	/* pinned pbufs held in socket queues */

void
nsock_init(void)
{
	memset(nsock_table, 0, sizeof(nsock_table));
	nsock_low = 0;
	notify_fn = NULL;
	notify_ctx = NULL;
	rx_pinned = 0;
}

void
nsock_set_notify(nsock_notify_fn *fn, void *ctx)
{
	notify_fn = fn;
	notify_ctx = ctx;
}

int
nsock_id(const struct nsock *s)
{
	return (int)(s - nsock_table);
}

/* Returns the socket for an id the application holds, or NULL. */
struct nsock *
nsock_lookup(int id)
{
	if (id < 0 || id >= NSOCK_MAX || !nsock_table[id].used ||
	    nsock_table[id].embryo)
		return NULL;
	return &nsock_table[id];
}

/* Returns any used slot, embryos included (for accept queues). */
struct nsock *
nsock_slot(int id)
{
	if (id < 0 || id >= NSOCK_MAX || !nsock_table[id].used)
		return NULL;
	return &nsock_table[id];
}

static void
opts_default(struct nsock_opts *o, int type)
{
	memset(o, 0, sizeof(*o));
	if (type == SOCK_STREAM) {
		o->rcvbuf = TCP_WND;
		o->sndbuf = TCP_SND_BUF;
	} else {
		o->rcvbuf = NSOCK_UDP_BUF;
		o->sndbuf = NSOCK_UDP_BUF;
	}
	o->keepidle = TCP_KEEPIDLE_DEFAULT / 1000;
	o->keepintvl = TCP_KEEPINTVL_DEFAULT / 1000;
	o->keepcnt = TCP_KEEPCNT_DEFAULT;
	o->rcvlowat = 1;
	o->ttl = -1;
	o->mcast_ttl = 1;
	o->mcast_loop = true;	/* Linux's default, unlike lwIP's */
}

/* Takes the lowest free slot; returns NULL when all NSOCK_MAX are used. */
struct nsock *
nsock_alloc(int family, int type, int protocol)
{
	for (int id = nsock_low; id < NSOCK_MAX; id++) {
		struct nsock *s = &nsock_table[id];

		if (s->used)
			continue;
		nsock_low = id + 1;
		memset(s, 0, sizeof(*s));
		s->used = true;
		s->family = (u8_t)family;
		s->type = (u8_t)type;
		s->protocol = (u8_t)protocol;
		s->listener = -1;
		s->accept_head = s->accept_tail = s->accept_next = -1;
		if (family == AF_INET6) {
			ip_addr_set_zero_ip6(&s->local_ip);
			ip_addr_set_zero_ip6(&s->remote_ip);
		}
		opts_default(&s->opt, type);
		return s;
	}
	nsock_low = NSOCK_MAX;
	return NULL;
}

/* Frees the slot and whatever data it still queues; the protocol half
   must already have let go of the pcb. */
void
nsock_free(struct nsock *s)
{
	struct pbuf *p = s->rx_head;

	while (p != NULL) {
		struct pbuf *next = p->next;

		p->next = NULL;
		p->tot_len = p->len;
		nsock_pbuf_release(p);
		p = next;
	}
	while (s->dgram_head != NULL) {
		struct nsock_dgram *d = s->dgram_head;

		s->dgram_head = d->next;
		nsock_pbuf_release(d->p);
		free(d);
	}
	while (s->groups != NULL) {
		struct nsock_group *g = s->groups;

		s->groups = g->next;
		free(g);
	}
	memset(s, 0, sizeof(*s));
	if (s - nsock_table < nsock_low)
		nsock_low = (int)(s - nsock_table);
}

static bool
pbuf_pinned(const struct pbuf *q)
{
	return pbuf_get_allocsrc(q) != PBUF_TYPE_ALLOC_SRC_MASK_STD_HEAP ||
	    (q->flags & PBUF_FLAG_IS_CUSTOM) != 0;
}

static unsigned
pbuf_count_pinned(const struct pbuf *p)
{
	unsigned n = 0;

	for (; p != NULL; p = p->next)
		n += pbuf_pinned(p);
	return n;
}

/*
 * Accounts a received chain about to be queued on a socket; replaces it
 * with a heap copy when pinned buffers are running short (see
 * NSOCK_PINNED_MAX). If the copy fails, the original is kept.
 */
void
nsock_rx_account(struct pbuf **pp)
{
	unsigned n = pbuf_count_pinned(*pp);

	if (n > 0 && rx_pinned + n > NSOCK_PINNED_MAX) {
		struct pbuf *copy = pbuf_clone(PBUF_RAW, PBUF_RAM, *pp);

		if (copy != NULL) {
			pbuf_free(*pp);
			*pp = copy;
			n = 0;
		}
	}
	rx_pinned += n;
}

/* Frees a pbuf chain taken in through nsock_rx_account(). */
void
nsock_pbuf_release(struct pbuf *p)
{
	rx_pinned -= pbuf_count_pinned(p);
	pbuf_free(p);
}

/* Returns and clears the pending error (SO_ERROR), a positive errno. */
int
nsock_take_error(struct nsock *s)
{
	int e = s->error;

	s->error = 0;
	return e;
}

int
nsock_err(err_t err)
{
	switch (err) {
	case ERR_OK:		return 0;
	case ERR_MEM:		return -ENOMEM;
	case ERR_BUF:		return -ENOBUFS;
	case ERR_TIMEOUT:	return -ETIMEDOUT;
	case ERR_RTE:		return -ENETUNREACH;
	case ERR_INPROGRESS:	return -EINPROGRESS;
	case ERR_VAL:		return -EINVAL;
	case ERR_WOULDBLOCK:	return -EAGAIN;
	case ERR_USE:		return -EADDRINUSE;
	case ERR_ALREADY:	return -EALREADY;
	case ERR_ISCONN:	return -EISCONN;
	case ERR_CONN:		return -ENOTCONN;
	case ERR_IF:		return -ENETDOWN;
	case ERR_ABRT:		return -ECONNABORTED;
	case ERR_RST:		return -ECONNRESET;
	case ERR_CLSD:		return -ENOTCONN;
	case ERR_ARG:		return -EINVAL;
	default:		return -EIO;
	}
}

/* Copies the pcb's current addresses into the socket, which keeps them
   for getsockname/getpeername after the pcb is gone. */
void
nsock_save_addrs(struct nsock *s)
{
	if (s->type == SOCK_STREAM && s->pcb.tcp != NULL) {
		struct tcp_pcb *pcb = s->pcb.tcp;

		ip_addr_copy(s->local_ip, pcb->local_ip);
		s->local_port = pcb->local_port;
		if (pcb->state != LISTEN) {
			ip_addr_copy(s->remote_ip, pcb->remote_ip);
			s->remote_port = pcb->remote_port;
		}
	} else if (s->type == SOCK_DGRAM && s->pcb.udp != NULL) {
		struct udp_pcb *pcb = s->pcb.udp;

		ip_addr_copy(s->local_ip, pcb->local_ip);
		s->local_port = pcb->local_port;
		ip_addr_copy(s->remote_ip, pcb->remote_ip);
		s->remote_port = pcb->remote_port;
	} else if (s->type == SOCK_RAW && s->pcb.raw != NULL) {
		ip_addr_copy(s->local_ip, s->pcb.raw->local_ip);
		ip_addr_copy(s->remote_ip, s->pcb.raw->remote_ip);
	}
}

unsigned
nsock_events(struct nsock *s)
{
	if (s->type == SOCK_STREAM)
		return nsock_tcp_poll(s);
	return nsock_udp_poll(s);	/* raw sockets poll as UDP */
}

/*
 * Reports the socket's readiness to the notify callback: when it changed
 * since the last report, or always (new data or a connection arrived, so
 * edge-triggered waiters must wake even if the bits did not change).
 * Embryos are not reported: the kernel does not know their ids yet.
 */
void
nsock_notify(struct nsock *s, bool always)
{
	unsigned events;

	if (s->embryo)
		return;
	events = nsock_events(s);
	if (!always && events == s->events)
		return;
	s->events = events;
	if (notify_fn != NULL)
		notify_fn(nsock_id(s), events, notify_ctx);
}

unsigned
nsock_poll(int id)
{
	struct nsock *s = nsock_lookup(id);

	if (s == NULL)
		return POLLNVAL;
	return nsock_events(s);
}

/* The TCP socket behind id, or NULL. */
static struct nsock *
stream_lookup(int id)
{
	struct nsock *s = nsock_lookup(id);

	return s != NULL && s->type == SOCK_STREAM ? s : NULL;
}

size_t
nsock_hand_peek(int id, void *buf, size_t len, unsigned *events)
{
	struct nsock *s = stream_lookup(id);

	return s != NULL ? nsock_tcp_hand_peek(s, buf, len, events) : 0;
}

void
nsock_handed(int id, size_t n)
{
	struct nsock *s = stream_lookup(id);

	if (s != NULL)
		nsock_tcp_handed(s, n);
}

void
nsock_handed_unread(int id)
{
	struct nsock *s = stream_lookup(id);

	if (s != NULL)
		s->unread_handed = true;
}

unsigned
nsock_send_room(int id)
{
	struct nsock *s = stream_lookup(id);

	return s != NULL ? nsock_tcp_send_room(s) : 0;
}

void
nsock_push(int id)
{
	struct nsock *s = stream_lookup(id);

	if (s != NULL)
		nsock_tcp_flush(s);
}

void
nsock_fail(int id, int err)
{
	struct nsock *s = stream_lookup(id);

	if (s != NULL)
		nsock_tcp_fail(s, err);
}

/* Returns the protocol a socket of this kind speaks, or -errno. */
static int
check_type(int domain, int type, int protocol)
{
	switch (type) {
	case SOCK_STREAM:
		if (protocol != 0 && protocol != IPPROTO_TCP)
			return -EPROTONOSUPPORT;
		return IPPROTO_TCP;
	case SOCK_DGRAM:
		if (protocol != 0 && protocol != IPPROTO_UDP)
			return -EPROTONOSUPPORT;
		return IPPROTO_UDP;
	case SOCK_RAW:
		/* Raw ICMP only (docs/netd.md). */
		if (protocol != (domain == AF_INET ? IPPROTO_ICMP :
		    IPPROTO_ICMPV6))
			return -EPROTONOSUPPORT;
		return protocol;
	default:
		/* Linux rejects types past SOCK_PACKET before the family. */
		if (type <= 0 || type > SOCK_PACKET)
			return -EINVAL;
		return -ESOCKTNOSUPPORT;
	}
}

int
nsock_create(int domain, int type, int protocol)
{
	struct nsock *s;

	type &= ~(SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (domain != AF_INET && domain != AF_INET6)
		return -EAFNOSUPPORT;
	protocol = check_type(domain, type, protocol);
	if (protocol < 0)
		return protocol;
	s = nsock_alloc(domain, type, protocol);
	if (s == NULL)
		return -ENFILE;
	s->events = nsock_events(s);
	return nsock_id(s);
}

int
nsock_close(int id)
{
	struct nsock *s = nsock_lookup(id);

	if (s == NULL)
		return -EBADF;
	if (s->type == SOCK_STREAM) {
		nsock_groups_leave(s);
		nsock_tcp_close(s);
	} else if (s->type == SOCK_DGRAM)
		nsock_udp_close(s);
	else
		nsock_raw_close(s);
	nsock_free(s);
	return 0;
}

/* The wildcard address a bind to "any" means for this socket. */
static const ip_addr_t *
bind_wildcard(const struct nsock *s, const ip_addr_t *ip)
{
	if (!ip_addr_isany(ip))
		return ip;
	if (IP_IS_V4(ip))
		return IP4_ADDR_ANY;
	return nsock_addr_any(s);
}

int
nsock_bind(int id, const struct sockaddr *addr, socklen_t len)
{
	struct nsock *s = nsock_lookup(id);
	bool udp;
	ip_addr_t ip;
	u16_t port;
	int err;

	if (s == NULL)
		return -EBADF;
	udp = s->type == SOCK_DGRAM;
	/* Unlike connect and sendto, bind on AF_INET6 takes AF_INET6 only. */
	if (s->family == AF_INET6 && addr != NULL &&
	    len >= (socklen_t)sizeof(sa_family_t) &&
	    addr->sa_family != AF_INET6)
		return len < 24 ? -EINVAL : -EAFNOSUPPORT;
	err = nsock_addr_get(s, addr, len, &ip, &port);
	if (err != 0)
		return err;
	/* AF_UNSPEC passes for AF_INET only as the wildcard (Linux). */
	if (addr->sa_family == AF_UNSPEC && !ip_addr_isany(&ip))
		return -EAFNOSUPPORT;
	if (s->family == AF_INET6 && IP_IS_V4(&ip) && s->v6only)
		return -EINVAL;
	if (!nsock_addr_is_local(&ip, udp))
		return -EADDRNOTAVAIL;
	if (udp)
		err = nsock_udp_bind(s, bind_wildcard(s, &ip), port);
	else if (s->type == SOCK_RAW)
		err = nsock_raw_bind(s, &ip);
	else
		err = nsock_tcp_bind(s, bind_wildcard(s, &ip), port);
	nsock_notify(s, false);
	return err;
}

int
nsock_listen(int id, int backlog)
{
	struct nsock *s = nsock_lookup(id);

	if (s == NULL)
		return -EBADF;
	if (s->type != SOCK_STREAM)
		return -EOPNOTSUPP;
	return nsock_tcp_listen(s, backlog);
}

int
nsock_accept(int id, struct sockaddr *addr, socklen_t *len)
{
	struct nsock *s = nsock_lookup(id);

	if (s == NULL)
		return -EBADF;
	if (s->type != SOCK_STREAM)
		return -EOPNOTSUPP;
	return nsock_tcp_accept(s, addr, len);
}

int
nsock_connect(int id, const struct sockaddr *addr, socklen_t len)
{
	struct nsock *s = nsock_lookup(id);

	if (s == NULL)
		return -EBADF;
	if (addr == NULL || len < (socklen_t)sizeof(sa_family_t))
		return -EINVAL;
	if (s->type == SOCK_STREAM)
		return nsock_tcp_connect(s, addr, len);
	if (s->type == SOCK_RAW)
		return nsock_raw_connect(s, addr, len);
	return nsock_udp_connect(s, addr, len);
}

ssize_t
nsock_sendto(int id, const void *buf, size_t len, int flags,
    const struct sockaddr *addr, socklen_t addr_len)
{
	struct nsock *s = nsock_lookup(id);

	if (s == NULL)
		return -EBADF;
	if (flags & MSG_OOB)
		return -EOPNOTSUPP;
	if (s->type == SOCK_STREAM)
		return nsock_tcp_send(s, buf, len, flags);
	if (s->type == SOCK_RAW)
		return nsock_raw_send(s, buf, len, addr, addr_len);
	return nsock_udp_send(s, buf, len, flags, addr, addr_len);
}

ssize_t
nsock_recvfrom(int id, void *buf, size_t len, int flags,
    struct sockaddr *addr, socklen_t *addr_len, int *msg_flags)
{
	struct nsock *s = nsock_lookup(id);

	if (s == NULL)
		return -EBADF;
	if (msg_flags != NULL)
		*msg_flags = 0;
	if (flags & MSG_ERRQUEUE)
		return -EAGAIN;	/* no ICMP errors are queued */
	if (s->type == SOCK_STREAM) {
		/* A stream has no sender address to report (Linux). */
		if (addr_len != NULL)
			*addr_len = 0;
		return nsock_tcp_recv(s, buf, len, flags);
	}
	return nsock_dgram_read(s, buf, len, flags, addr, addr_len, msg_flags);
}

int
nsock_shutdown(int id, int how)
{
	struct nsock *s = nsock_lookup(id);
	bool rd, wr;

	if (s == NULL)
		return -EBADF;
	if (how != SHUT_RD && how != SHUT_WR && how != SHUT_RDWR)
		return -EINVAL;
	rd = how != SHUT_WR;
	wr = how != SHUT_RD;
	if (s->type == SOCK_STREAM)
		return nsock_tcp_shutdown(s, rd, wr);
	return nsock_udp_shutdown(s, rd, wr);
}

int
nsock_getsockname(int id, struct sockaddr *addr, socklen_t *len)
{
	struct nsock *s = nsock_lookup(id);

	if (s == NULL)
		return -EBADF;
	if (len == NULL || (int)*len < 0)
		return -EINVAL;
	nsock_save_addrs(s);
	nsock_addr_put(s, &s->local_ip, s->local_port, addr, len);
	return 0;
}

int
nsock_getpeername(int id, struct sockaddr *addr, socklen_t *len)
{
	struct nsock *s = nsock_lookup(id);
	bool connected;

	if (s == NULL)
		return -EBADF;
	if (len == NULL || (int)*len < 0)
		return -EINVAL;
	if (s->type == SOCK_STREAM)
		connected = s->state == NSOCK_CONNECTED;
	else
		connected = s->conn == NSOCK_ISCONNECTED;
	if (!connected)
		return -ENOTCONN;
	nsock_addr_put(s, &s->remote_ip, s->remote_port, addr, len);
	return 0;
}

static int
ioctl_inq(struct nsock *s)
{
	if (s->type == SOCK_STREAM) {
		if (s->state == NSOCK_LISTEN)
			return -EINVAL;
		return (int)s->rx_bytes;
	}
	/* UDP reports the size of the next datagram only (Linux). */
	return s->dgram_head != NULL ? s->dgram_head->p->tot_len : 0;
}

static int
ioctl_outq(struct nsock *s)
{
	if (s->type == SOCK_STREAM) {
		if (s->state == NSOCK_LISTEN)
			return -EINVAL;
		return (int)nsock_tcp_unsent(s);
	}
	return 0;	/* datagrams leave at once */
}

int
nsock_ioctl(int id, unsigned long request, int *value)
{
	struct nsock *s = nsock_lookup(id);
	int n;

	if (s == NULL)
		return -EBADF;
	switch (request) {
	case FIONREAD:		/* SIOCINQ */
		n = ioctl_inq(s);
		break;
	case TIOCOUTQ:		/* SIOCOUTQ */
		n = ioctl_outq(s);
		break;
	default:
		return -ENOTTY;
	}
	if (n < 0)
		return n;
	*value = n;
	return 0;
}
