/*
 * UDP sockets over lwIP's raw API: datagrams queue on the socket with
 * their sender, up to SO_RCVBUF bytes, and keep their boundaries; a
 * datagram bigger than the reader's buffer is truncated, as on Linux.
 * Multicast memberships are per socket and dropped on close.
 */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>

#include "lwip/igmp.h"
#include "lwip/mld6.h"
#include "lwip/netif.h"
#include "lwip/udp.h"
#include "sock_int.h"

/* The largest payloads one IPv4 or IPv6 datagram carries. lwIP counts
   a whole IPv6 packet in a u16_t, header included, so IPv6 stops 40
   bytes short of Linux's 65527. */
#define UDP_MAX_V4	(0xffff - IP_HLEN - UDP_HLEN)
#define UDP_MAX_V6	(0xffff - IP6_HLEN - UDP_HLEN)
/* Memberships per socket (Linux's net.ipv4.igmp_max_memberships). */
#define UDP_MAX_GROUPS	20

static void udp_cb_recv(void *arg, struct udp_pcb *pcb, struct pbuf *p,
    const ip_addr_t *addr, u16_t port);

void
nsock_udp_apply_opts(struct nsock *s)
{
	struct udp_pcb *pcb = s->pcb.udp;
	const struct nsock_opts *o = &s->opt;

	if (pcb == NULL)
		return;
	if (o->reuseaddr || o->reuseport)
		ip_set_option(pcb, SOF_REUSEADDR);
	else
		ip_reset_option(pcb, SOF_REUSEADDR);
	if (o->broadcast)
		ip_set_option(pcb, SOF_BROADCAST);
	else
		ip_reset_option(pcb, SOF_BROADCAST);
	pcb->ttl = (u8_t)(o->ttl < 0 ? UDP_TTL : o->ttl);
	pcb->tos = (u8_t)o->tos;
	udp_set_multicast_ttl(pcb, (u8_t)o->mcast_ttl);
	if (o->mcast_loop)
		udp_setflags(pcb, udp_flags(pcb) | UDP_FLAGS_MULTICAST_LOOP);
	else
		udp_setflags(pcb, udp_flags(pcb) & ~UDP_FLAGS_MULTICAST_LOOP);
	udp_set_multicast_netif_index(pcb, o->mcast_ifindex);
	udp_set_multicast_netif_addr(pcb, &o->mcast_if4);
}

int
nsock_udp_ensure_pcb(struct nsock *s)
{
	u8_t type = IPADDR_TYPE_ANY;

	if (s->pcb.udp != NULL)
		return 0;
	if (s->family == AF_INET)
		type = IPADDR_TYPE_V4;
	else if (s->v6only)
		type = IPADDR_TYPE_V6;
	s->pcb.udp = udp_new_ip_type(type);
	if (s->pcb.udp == NULL)
		return -ENOMEM;
	udp_recv(s->pcb.udp, udp_cb_recv, s);
	nsock_udp_apply_opts(s);
	return 0;
}

/* Returns the socket pcb belongs to, or NULL for lwIP's own pcbs. */
struct nsock *
nsock_udp_owner(const struct udp_pcb *pcb)
{
	return pcb->recv == udp_cb_recv ? pcb->recv_arg : NULL;
}

int
nsock_udp_bind(struct nsock *s, const ip_addr_t *ip, u16_t port)
{
	err_t err;
	int ret;

	if (s->bound || (s->pcb.udp != NULL && s->pcb.udp->local_port != 0))
		return -EINVAL;
	ret = nsock_udp_ensure_pcb(s);
	if (ret != 0)
		return ret;
	err = udp_bind(s->pcb.udp, ip, port);
	if (err != ERR_OK)
		return err == ERR_USE ? -EADDRINUSE : nsock_err(err);
	s->bound = true;
	s->bound_addr = !ip_addr_isany(ip);
	nsock_save_addrs(s);
	return 0;
}

/*
 * connect(AF_UNSPEC) forgets the peer, and the source address connect
 * chose unless bind() named one (Linux's __udp_disconnect). Linux also
 * lets go of a port bind() did not name; here the port stays.
 */
static int
udp_disconnect_peer(struct nsock *s)
{
	if (s->pcb.udp != NULL) {
		udp_disconnect(s->pcb.udp);
		if (!s->bound_addr)
			ip_addr_copy(s->pcb.udp->local_ip, *nsock_addr_any(s));
	}
	s->conn = NSOCK_UNCONNECTED;
	nsock_save_addrs(s);
	return 0;
}

/*
 * A connected socket takes the source address of its route, as Linux's
 * ip4_datagram_connect does, so getsockname shows it and only datagrams
 * to it are received.
 */
static void
udp_pick_source(struct udp_pcb *pcb, struct netif *netif,
    const ip_addr_t *dst)
{
	const ip_addr_t *src = NULL;

	if (!ip_addr_isany(&pcb->local_ip))
		return;
	if (IP_IS_V4(dst))
		src = netif_ip_addr4(netif);
	else
		src = ip6_select_source_address(netif, ip_2_ip6(dst));
	if (src != NULL && !ip_addr_isany(src))
		ip_addr_copy(pcb->local_ip, *src);
}

int
nsock_udp_connect(struct nsock *s, const struct sockaddr *addr,
    socklen_t len)
{
	struct netif *netif;
	ip_addr_t ip;
	u16_t port;
	err_t err;
	int ret;

	if (addr->sa_family == AF_UNSPEC)
		return udp_disconnect_peer(s);
	ret = nsock_addr_get(s, addr, len, &ip, &port);
	if (ret != 0)
		return ret;
	if (IP_IS_V4(&ip) && s->family == AF_INET6 && s->v6only)
		return -ENETUNREACH;
	nsock_addr_any_to_loopback(&ip);
	ret = nsock_udp_ensure_pcb(s);
	if (ret != 0)
		return ret;
	netif = ip_route(&s->pcb.udp->local_ip, &ip);
	if (netif == NULL)
		return -ENETUNREACH;
	err = udp_connect(s->pcb.udp, &ip, port);
	if (err != ERR_OK)
		return err == ERR_USE ? -EAGAIN : nsock_err(err);
	udp_pick_source(s->pcb.udp, netif, &ip);
	s->conn = NSOCK_ISCONNECTED;
	nsock_save_addrs(s);
	return 0;
}

/* Where a datagram goes: the given address, else the connected peer. */
static int
send_dest(struct nsock *s, const struct sockaddr *addr, socklen_t len,
    ip_addr_t *ip, u16_t *port)
{
	int ret;

	if (addr == NULL) {
		if (s->conn != NSOCK_ISCONNECTED)
			return -EDESTADDRREQ;
		ip_addr_copy(*ip, s->remote_ip);
		*port = s->remote_port;
		return 0;
	}
	ret = nsock_addr_get(s, addr, len, ip, port);
	if (ret != 0)
		return ret;
	if (*port == 0)
		return -EINVAL;
	if (IP_IS_V4(ip) && s->family == AF_INET6 && s->v6only)
		return -ENETUNREACH;
	nsock_addr_any_to_loopback(ip);
	return 0;
}

/* A datagram too big to leave room for headers in one pbuf goes out as
   data alone; udp_sendto() then chains a header pbuf in front. */
static struct pbuf *
udp_pbuf(const void *buf, size_t len)
{
	pbuf_layer layer = len > 0xffff - 256 ? PBUF_RAW : PBUF_TRANSPORT;
	struct pbuf *p = pbuf_alloc(layer, (u16_t)len, PBUF_RAM);

	if (p != NULL && len > 0)
		pbuf_take(p, buf, (u16_t)len);
	return p;
}

/* The interface a multicast datagram leaves by, chosen as udp_sendto()
   chooses it. */
static struct netif *
mcast_netif(const struct udp_pcb *pcb, const ip_addr_t *dst)
{
	struct netif *netif = NULL;

	if (pcb->netif_idx != NETIF_NO_INDEX)
		return netif_get_by_index(pcb->netif_idx);
	if (pcb->mcast_ifindex != NETIF_NO_INDEX)
		netif = netif_get_by_index(pcb->mcast_ifindex);
	else if (IP_IS_V4(dst) && !ip4_addr_isany_val(pcb->mcast_ip4) &&
	    !ip4_addr_cmp(&pcb->mcast_ip4, IP4_ADDR_BROADCAST))
		netif = ip4_route_src(ip_2_ip4(&pcb->local_ip),
		    &pcb->mcast_ip4);
	if (netif == NULL)
		netif = ip_route(&pcb->local_ip, dst);
	return netif;
}

/*
 * Sends p. lwIP's loopback interface already delivers what it sends, so
 * multicast loop (on by default, as Linux) would hand group members on
 * it every datagram twice: it is left out for that interface.
 */
static err_t
udp_out(struct udp_pcb *pcb, struct pbuf *p, const ip_addr_t *dst,
    u16_t port)
{
	u8_t flags = udp_flags(pcb);
	struct netif *netif;
	err_t err;

	if (!ip_addr_ismulticast(dst) ||
	    !(flags & UDP_FLAGS_MULTICAST_LOOP) ||
	    (netif = mcast_netif(pcb, dst)) == NULL ||
	    netif->name[0] != 'l' || netif->name[1] != 'o')
		return udp_sendto(pcb, p, dst, port);
	udp_setflags(pcb, flags & ~UDP_FLAGS_MULTICAST_LOOP);
	err = udp_sendto(pcb, p, dst, port);
	udp_setflags(pcb, flags);
	return err;
}

ssize_t
nsock_udp_send(struct nsock *s, const void *buf, size_t len, int flags,
    const struct sockaddr *addr, socklen_t addr_len)
{
	ip_addr_t ip;
	u16_t port;
	struct pbuf *p;
	err_t err;
	int ret;

	LWIP_UNUSED_ARG(flags);
	if (s->wr_shut)
		return -EPIPE;
	ret = send_dest(s, addr, addr_len, &ip, &port);
	if (ret != 0)
		return ret;
	if (len > (IP_IS_V4(&ip) ? UDP_MAX_V4 : UDP_MAX_V6))
		return -EMSGSIZE;
	if (nsock_addr_is_broadcast(&ip) && !s->opt.broadcast)
		return -EACCES;
	ret = nsock_udp_ensure_pcb(s);
	if (ret != 0)
		return ret;
	p = udp_pbuf(buf, len);
	if (p == NULL)
		return -ENOBUFS;
	err = udp_out(s->pcb.udp, p, &ip, port);
	pbuf_free(p);
	nsock_save_addrs(s);
	switch (err) {
	case ERR_OK:
	case ERR_BUF:	/* the link dropped it: UDP does not say (Linux) */
	case ERR_IF:
		return (ssize_t)len;
	case ERR_USE:
		return -EAGAIN;	/* no local port left */
	case ERR_MEM:
		return -ENOBUFS;
	default:
		return nsock_err(err);
	}
}

/*
 * Queues a received datagram (UDP, or a raw packet) with its sender,
 * taking the pbuf; drops it past SO_RCVBUF, though the first datagram
 * always fits. Linux queues datagrams after shutdown(SHUT_RD) too.
 */
void
nsock_dgram_queue(struct nsock *s, struct pbuf *p, const ip_addr_t *addr,
    u16_t port)
{
	struct nsock_dgram *d;

	if ((s->dgram_head != NULL &&
	    s->dgram_bytes + p->tot_len > (size_t)s->opt.rcvbuf) ||
	    (d = malloc(sizeof(*d))) == NULL) {
		s->drops++;
		pbuf_free(p);
		return;
	}
	nsock_rx_account(&p);
	d->next = NULL;
	d->p = p;
	ip_addr_copy(d->addr, *addr);
	d->port = port;
	if (s->dgram_tail != NULL)
		s->dgram_tail->next = d;
	else
		s->dgram_head = d;
	s->dgram_tail = d;
	s->dgram_bytes += p->tot_len;
	nsock_notify(s, true);
}

static void
udp_cb_recv(void *arg, struct udp_pcb *pcb, struct pbuf *p,
    const ip_addr_t *addr, u16_t port)
{
	struct nsock *s = arg;

	LWIP_ASSERT("datagram for a pcb its socket let go",
	    s != NULL && s->used && s->pcb.udp == pcb);
	if (s == NULL || !s->used || s->pcb.udp != pcb) {
		pbuf_free(p);
		return;
	}
	nsock_dgram_queue(s, p, addr, port);
}

/* recvfrom on a datagram queue (UDP and raw sockets). */
ssize_t
nsock_dgram_read(struct nsock *s, void *buf, size_t len, int flags,
    struct sockaddr *addr, socklen_t *addr_len, int *msg_flags)
{
	struct nsock_dgram *d = s->dgram_head;
	size_t size, n;
	int e;

	if (flags & MSG_OOB)
		return -EOPNOTSUPP;
	if (d == NULL) {
		/* Even after SHUT_RD: Linux blocks here, though poll says
		   readable. */
		e = nsock_take_error(s);
		return e != 0 ? -e : -EAGAIN;
	}
	size = d->p->tot_len;
	n = len < size ? len : size;
	pbuf_copy_partial(d->p, buf, (u16_t)n, 0);
	if (addr != NULL && addr_len != NULL)
		nsock_addr_put(s, &d->addr, d->port, addr, addr_len);
	if (n < size && msg_flags != NULL)
		*msg_flags |= MSG_TRUNC;
	if (!(flags & MSG_PEEK)) {
		s->dgram_head = d->next;
		if (s->dgram_head == NULL)
			s->dgram_tail = NULL;
		s->dgram_bytes -= size;
		nsock_pbuf_release(d->p);
		free(d);
		nsock_notify(s, false);
	}
	/* MSG_TRUNC asks for the datagram's real length (Linux). */
	return (ssize_t)((flags & MSG_TRUNC) ? size : n);
}

int
nsock_udp_shutdown(struct nsock *s, bool rd, bool wr)
{
	s->rd_shut |= rd;
	s->wr_shut |= wr;
	nsock_notify(s, false);
	/* Linux shuts an unconnected socket too, then says ENOTCONN. */
	return s->conn == NSOCK_ISCONNECTED ? 0 : -ENOTCONN;
}

static err_t
group_v4(const struct nsock_group *g, bool join)
{
	const ip4_addr_t *group = ip_2_ip4(&g->group);
	struct netif *netif;

	if (g->ifindex == 0)
		return join ? igmp_joingroup(&g->ifaddr, group) :
		    igmp_leavegroup(&g->ifaddr, group);
	netif = netif_get_by_index(g->ifindex);
	if (netif == NULL || !(netif->flags & NETIF_FLAG_IGMP))
		return ERR_VAL;
	return join ? igmp_joingroup_netif(netif, group) :
	    igmp_leavegroup_netif(netif, group);
}

static err_t
group_v6(const struct nsock_group *g, bool join)
{
	const ip6_addr_t *group = ip_2_ip6(&g->group);
	struct netif *netif;

	if (g->ifindex == 0)
		return join ? mld6_joingroup(IP6_ADDR_ANY6, group) :
		    mld6_leavegroup(IP6_ADDR_ANY6, group);
	netif = netif_get_by_index(g->ifindex);
	if (netif == NULL)
		return ERR_VAL;
	return join ? mld6_joingroup_netif(netif, group) :
	    mld6_leavegroup_netif(netif, group);
}

static err_t
group_apply(const struct nsock_group *g, bool join)
{
	if (IP_IS_V6(&g->group))
		return group_v6(g, join);
	return group_v4(g, join);
}

static bool
group_same(const struct nsock_group *a, const struct nsock_group *b)
{
	return ip_addr_cmp(&a->group, &b->group) &&
	    a->ifindex == b->ifindex && ip4_addr_cmp(&a->ifaddr, &b->ifaddr);
}

/*
 * Joins (or leaves) a multicast group for s. Returns 0, -EADDRINUSE if
 * already joined, -EADDRNOTAVAIL if not joined, -ENOBUFS past
 * UDP_MAX_GROUPS, -ENODEV with no such multicast interface.
 */
int
nsock_udp_membership(struct nsock *s, const struct nsock_group *g,
    bool join)
{
	struct nsock_group **link, *found = NULL, *copy;
	int count = 0;

	for (link = &s->groups; *link != NULL; link = &(*link)->next) {
		count++;
		if (group_same(*link, g)) {
			found = *link;
			break;
		}
	}
	if (!join) {
		if (found == NULL)
			return -EADDRNOTAVAIL;
		group_apply(found, false);
		*link = found->next;
		free(found);
		return 0;
	}
	if (found != NULL)
		return -EADDRINUSE;
	if (count >= UDP_MAX_GROUPS)
		return -ENOBUFS;
	copy = malloc(sizeof(*copy));
	if (copy == NULL)
		return -ENOMEM;
	if (group_apply(g, true) != ERR_OK) {
		free(copy);
		return -ENODEV;
	}
	*copy = *g;
	copy->next = s->groups;
	s->groups = copy;
	return 0;
}

void
nsock_groups_leave(struct nsock *s)
{
	for (struct nsock_group *g = s->groups; g != NULL; g = g->next)
		group_apply(g, false);
}

void
nsock_udp_close(struct nsock *s)
{
	nsock_groups_leave(s);
	if (s->pcb.udp != NULL) {
		udp_remove(s->pcb.udp);
		s->pcb.udp = NULL;
	}
}

unsigned
nsock_udp_poll(struct nsock *s)
{
	unsigned events = POLLOUT | POLLWRNORM | POLLWRBAND;

	if (s->error != 0)
		events |= POLLERR;
	if (s->rd_shut)
		events |= POLLIN | POLLRDNORM | POLLRDHUP;
	if (s->rd_shut && s->wr_shut)
		events |= POLLHUP;
	if (s->dgram_head != NULL)
		events |= POLLIN | POLLRDNORM;
	return events;
}
