/*
 * setsockopt and getsockopt for netd's sockets, with Linux's levels,
 * value sizes, ranges and errors. Values live in struct nsock_opts and
 * are pushed to the pcb whenever the socket has one.
 */
#include <errno.h>
#include <netinet/in.h>
#include <string.h>

#include "lwip/tcp.h"
#include "lwip/udp.h"
#include "lwip/netif.h"
#include "sock_int.h"

/* <netinet/tcp.h> would clash with lwIP's TCP_MSS option; these are
   Linux's values. */
#define LINUX_TCP_NODELAY	1
#define LINUX_TCP_MAXSEG	2
#define LINUX_TCP_CORK		3
#define LINUX_TCP_KEEPIDLE	4
#define LINUX_TCP_KEEPINTVL	5
#define LINUX_TCP_KEEPCNT	6
#define LINUX_SOL_RAW		255
#define LINUX_ICMP_FILTER	1	/* level SOL_RAW, IPv4 */
#define LINUX_ICMP6_FILTER	1	/* level IPPROTO_ICMPV6 */
#define LINUX_IPV6_CHECKSUM	7

/* Linux's limits and floors for these options. */
#define MAX_TCP_KEEPIDLE	32767
#define MAX_TCP_KEEPINTVL	32767
#define MAX_TCP_KEEPCNT		127
#define TCP_MIN_MSS		88
#define SOCK_MIN_RCVBUF		2304
#define SOCK_MIN_SNDBUF		(2 * SOCK_MIN_RCVBUF)
#define SYSCTL_BUF_MAX		212992	/* net.core.[rw]mem_max */

/* Reads an int option value; Linux wants at least an int. */
static int
get_int(const void *val, socklen_t len, int *out)
{
	if (val == NULL || len < (socklen_t)sizeof(int))
		return -EINVAL;
	memcpy(out, val, sizeof(int));
	return 0;
}

/* Options Linux also takes as a single byte (IP_TTL, multicast). */
static int
get_int_or_byte(const void *val, socklen_t len, int *out)
{
	if (val != NULL && len >= 1 && len < (socklen_t)sizeof(int)) {
		*out = *(const unsigned char *)val;
		return 0;
	}
	return get_int(val, len, out);
}

/* Copies a value out, truncated to the caller's length (Linux). */
static int
put_val(void *val, socklen_t *len, const void *src, socklen_t size)
{
	if (len == NULL || (int)*len < 0)
		return -EINVAL;
	if (*len > size)
		*len = size;
	if (val != NULL)
		memcpy(val, src, *len);
	return 0;
}

static int
put_int(void *val, socklen_t *len, int v)
{
	return put_val(val, len, &v, sizeof(v));
}

static void
apply(struct nsock *s)
{
	if (s->type == SOCK_STREAM)
		nsock_tcp_apply_opts(s);
	else if (s->type == SOCK_DGRAM)
		nsock_udp_apply_opts(s);
	else
		nsock_raw_apply_opts(s);
}

/* Linux doubles what is asked (for bookkeeping) within its limits. */
static int
buf_size(int v, int floor, bool force)
{
	unsigned u = (unsigned)v;

	if (!force && u > SYSCTL_BUF_MAX)
		u = SYSCTL_BUF_MAX;
	if (u > (unsigned)INT32_MAX / 2)
		u = INT32_MAX / 2;
	return (int)u * 2 < floor ? floor : (int)u * 2;
}

static int
set_timeout(struct timeval *tv, const void *val, socklen_t len)
{
	struct timeval t;

	if (val == NULL || len < (socklen_t)sizeof(t))
		return -EINVAL;
	memcpy(&t, val, sizeof(t));
	if (t.tv_usec < 0 || t.tv_usec >= 1000000)
		return -EDOM;
	*tv = t;
	return 0;
}

static int
set_socket_struct(struct nsock *s, int name, const void *val,
    socklen_t len)
{
	struct linger l;

	switch (name) {
	case SO_LINGER:
		if (val == NULL || len < (socklen_t)sizeof(l))
			return -EINVAL;
		memcpy(&l, val, sizeof(l));
		s->opt.linger_on = l.l_onoff != 0;
		s->opt.linger_secs = l.l_linger < 0 ? 0 : l.l_linger;
		return 0;
	case SO_RCVTIMEO:
		return set_timeout(&s->opt.rcvtimeo, val, len);
	case SO_SNDTIMEO:
		return set_timeout(&s->opt.sndtimeo, val, len);
	}
	return -ENOPROTOOPT;
}

static int
set_socket(struct nsock *s, int name, const void *val, socklen_t len)
{
	struct nsock_opts *o = &s->opt;
	int v, err;

	if (name == SO_LINGER || name == SO_RCVTIMEO || name == SO_SNDTIMEO)
		return set_socket_struct(s, name, val, len);
	err = get_int(val, len, &v);
	if (err != 0)
		return err;
	switch (name) {
	case SO_REUSEADDR:	o->reuseaddr = v != 0;	break;
	case SO_REUSEPORT:	o->reuseport = v != 0;	break;
	case SO_KEEPALIVE:	o->keepalive = v != 0;	break;
	case SO_BROADCAST:	o->broadcast = v != 0;	break;
	case SO_OOBINLINE:	o->oobinline = v != 0;	break;
	case SO_DONTROUTE:	o->dontroute = v != 0;	break;
	case SO_DEBUG:		o->debug = v != 0;	break;
	case SO_SNDBUF:
	case SO_SNDBUFFORCE:
		o->sndbuf = buf_size(v, SOCK_MIN_SNDBUF, name != SO_SNDBUF);
		break;
	case SO_RCVBUF:
	case SO_RCVBUFFORCE:
		o->rcvbuf = buf_size(v, SOCK_MIN_RCVBUF, name != SO_RCVBUF);
		break;
	case SO_PRIORITY:
		if (v < 0 || v > 6)
			return -EPERM;	/* above 6 needs CAP_NET_ADMIN */
		o->priority = v;
		break;
	case SO_RCVLOWAT:
		o->rcvlowat = v < 0 ? INT32_MAX : v == 0 ? 1 : v;
		break;
	default:
		return -ENOPROTOOPT;
	}
	apply(s);
	return 0;
}

static int
set_tcp(struct nsock *s, int name, const void *val, socklen_t len)
{
	struct nsock_opts *o = &s->opt;
	bool was_corked = o->cork;
	int v, err;

	err = get_int(val, len, &v);
	if (err != 0)
		return err;
	switch (name) {
	case LINUX_TCP_NODELAY:
		o->nodelay = v != 0;
		break;
	case LINUX_TCP_CORK:
		o->cork = v != 0;
		break;
	case LINUX_TCP_MAXSEG:
		if (v != 0 && (v < TCP_MIN_MSS || v > 65535))
			return -EINVAL;
		o->maxseg = v;
		break;
	case LINUX_TCP_KEEPIDLE:
		if (v < 1 || v > MAX_TCP_KEEPIDLE)
			return -EINVAL;
		o->keepidle = v;
		break;
	case LINUX_TCP_KEEPINTVL:
		if (v < 1 || v > MAX_TCP_KEEPINTVL)
			return -EINVAL;
		o->keepintvl = v;
		break;
	case LINUX_TCP_KEEPCNT:
		if (v < 1 || v > MAX_TCP_KEEPCNT)
			return -EINVAL;
		o->keepcnt = v;
		break;
	default:
		return -ENOPROTOOPT;
	}
	nsock_tcp_apply_opts(s);
	/* Lifting the cork (or setting NODELAY, Linux) sends what waits. */
	if ((was_corked && !o->cork) || (name == LINUX_TCP_NODELAY && v))
		nsock_tcp_flush(s);
	return 0;
}

/* IP_MULTICAST_IF: an in_addr, ip_mreq or ip_mreqn (Linux). */
static int
set_mcast_if(struct nsock *s, const void *val, socklen_t len)
{
	struct ip_mreqn mreq;
	ip4_addr_t addr;
	struct netif *netif;

	memset(&mreq, 0, sizeof(mreq));
	if (val == NULL || len < (socklen_t)sizeof(struct in_addr))
		return -EINVAL;
	if (len >= (socklen_t)sizeof(struct ip_mreqn))
		memcpy(&mreq, val, sizeof(mreq));
	else if (len >= (socklen_t)sizeof(struct ip_mreq))
		memcpy(&mreq, val, sizeof(struct ip_mreq));
	else
		memcpy(&mreq.imr_address, val, sizeof(struct in_addr));
	ip4_addr_set_u32(&addr, mreq.imr_address.s_addr);
	if (mreq.imr_ifindex < 0 || mreq.imr_ifindex > 255)
		return -ENODEV;	/* lwIP numbers interfaces in a u8_t */
	if (mreq.imr_ifindex != 0) {
		netif = netif_get_by_index((u8_t)mreq.imr_ifindex);
		if (netif == NULL)
			return -ENODEV;
		ip4_addr_copy(addr, *netif_ip4_addr(netif));
	} else if (!ip4_addr_isany(&addr)) {
		NETIF_FOREACH(netif) {
			if (ip4_addr_cmp(netif_ip4_addr(netif), &addr))
				break;
		}
		if (netif == NULL)
			return -EADDRNOTAVAIL;
	}
	s->opt.mcast_ifindex = (u8_t)mreq.imr_ifindex;
	s->opt.mcast_if4 = addr;
	return 0;
}

/* IP_ADD_MEMBERSHIP/IP_DROP_MEMBERSHIP: an ip_mreq or ip_mreqn. */
static int
set_membership4(struct nsock *s, const void *val, socklen_t len, bool join)
{
	struct ip_mreqn mreq;
	struct nsock_group g;

	memset(&mreq, 0, sizeof(mreq));
	memset(&g, 0, sizeof(g));
	if (val == NULL || len < (socklen_t)sizeof(struct ip_mreq))
		return -EINVAL;
	memcpy(&mreq, val, len >= (socklen_t)sizeof(mreq) ? sizeof(mreq) :
	    sizeof(struct ip_mreq));
	ip_addr_set_ip4_u32_val(g.group, mreq.imr_multiaddr.s_addr);
	if (!ip4_addr_ismulticast(ip_2_ip4(&g.group)))
		return -EINVAL;
	ip4_addr_set_u32(&g.ifaddr, mreq.imr_address.s_addr);
	if (len >= (socklen_t)sizeof(mreq)) {
		if (mreq.imr_ifindex < 0 || mreq.imr_ifindex > 255)
			return -ENODEV;
		g.ifindex = (u8_t)mreq.imr_ifindex;
	}
	return nsock_udp_membership(s, &g, join);
}

/*
 * MCAST_JOIN_GROUP/MCAST_LEAVE_GROUP: a group_req, taken by any IPv4
 * socket (a TCP one too, as Linux; an accepted socket copies none).
 */
static int
set_group_req(struct nsock *s, const void *val, socklen_t len, bool join)
{
	struct group_req req;
	struct nsock_group g;

	if (val == NULL || len < (socklen_t)sizeof(req))
		return -EINVAL;
	memcpy(&req, val, sizeof(req));
	if (req.gr_group.ss_family != AF_INET)
		return -EINVAL;
	if (req.gr_interface > 255)
		return -ENODEV;
	memset(&g, 0, sizeof(g));
	ip_addr_set_ip4_u32_val(g.group,
	    ((const struct sockaddr_in *)&req.gr_group)->sin_addr.s_addr);
	if (!ip4_addr_ismulticast(ip_2_ip4(&g.group)))
		return -EINVAL;
	g.ifindex = (u8_t)req.gr_interface;
	return nsock_udp_membership(s, &g, join);
}

static int
set_ip(struct nsock *s, int name, const void *val, socklen_t len)
{
	bool udp = s->type == SOCK_DGRAM;
	int v = 0, err;

	switch (name) {
	case MCAST_JOIN_GROUP:
	case MCAST_LEAVE_GROUP:
		if (s->family != AF_INET)
			return -ENOPROTOOPT;
		return set_group_req(s, val, len, name == MCAST_JOIN_GROUP);
	case IP_ADD_MEMBERSHIP:
	case IP_DROP_MEMBERSHIP:
		if (!udp)
			return -EPROTO;
		return set_membership4(s, val, len, name == IP_ADD_MEMBERSHIP);
	case IP_MULTICAST_IF:
		if (!udp)
			return -EINVAL;
		err = set_mcast_if(s, val, len);
		break;
	case IP_RECVERR:
		/* glibc's resolver insists on it; no error ever queues. */
		if ((err = get_int(val, len, &v)) == 0)
			s->opt.recverr = v != 0;
		return err;
	case IP_TOS:
	case IP_TTL:
	case IP_MULTICAST_TTL:
	case IP_MULTICAST_LOOP:
		err = get_int_or_byte(val, len, &v);
		if (err != 0)
			return err;
		if (name == IP_TOS)
			s->opt.tos = v & 0xff;
		else if (name == IP_TTL && (v == -1 || (v >= 1 && v <= 255)))
			s->opt.ttl = v;
		else if (name == IP_MULTICAST_TTL && udp && v >= -1 && v <= 255)
			s->opt.mcast_ttl = v == -1 ? 1 : v;
		else if (name == IP_MULTICAST_LOOP)
			s->opt.mcast_loop = v != 0;
		else
			return -EINVAL;
		break;
	default:
		return -ENOPROTOOPT;
	}
	if (err == 0)
		apply(s);
	return err;
}

/* IPV6_JOIN_GROUP/IPV6_LEAVE_GROUP: an ipv6_mreq. */
static int
set_membership6(struct nsock *s, const void *val, socklen_t len, bool join)
{
	struct ipv6_mreq mreq;
	struct nsock_group g;
	u32_t words[4];

	if (s->type != SOCK_DGRAM)
		return -EPROTO;
	if (val == NULL || len < (socklen_t)sizeof(mreq))
		return -EINVAL;
	memcpy(&mreq, val, sizeof(mreq));
	memset(&g, 0, sizeof(g));
	memcpy(words, &mreq.ipv6mr_multiaddr, sizeof(words));
	IP_ADDR6(&g.group, words[0], words[1], words[2], words[3]);
	if (!ip6_addr_ismulticast(ip_2_ip6(&g.group)))
		return -EINVAL;
	if (mreq.ipv6mr_interface > 255)
		return -ENODEV;
	g.ifindex = (u8_t)mreq.ipv6mr_interface;
	return nsock_udp_membership(s, &g, join);
}

/* IPV6_V6ONLY may only change before the socket is bound or used. */
static int
set_v6only(struct nsock *s, int v)
{
	if (s->bound || s->state != NSOCK_CLOSED ||
	    s->conn != NSOCK_UNCONNECTED ||
	    (s->type == SOCK_DGRAM && s->pcb.udp != NULL))
		return -EINVAL;
	if (s->type == SOCK_STREAM && s->pcb.tcp != NULL) {
		/* Unbound and unused: the pcb only needs its type. */
		u8_t type = v ? IPADDR_TYPE_V6 : IPADDR_TYPE_ANY;

		IP_SET_TYPE_VAL(s->pcb.tcp->local_ip, type);
		IP_SET_TYPE_VAL(s->pcb.tcp->remote_ip, type);
	}
	s->v6only = v != 0;
	return 0;
}

static int
set_ipv6(struct nsock *s, int name, const void *val, socklen_t len)
{
	bool udp = s->type == SOCK_DGRAM;
	int v, err;

	if (name == IPV6_JOIN_GROUP || name == IPV6_LEAVE_GROUP)
		return set_membership6(s, val, len, name == IPV6_JOIN_GROUP);
	err = get_int(val, len, &v);
	if (err != 0)
		return err;
	switch (name) {
	case IPV6_V6ONLY:
		return set_v6only(s, v);
	case IPV6_RECVERR:
		s->opt.recverr = v != 0;
		return 0;
	case IPV6_UNICAST_HOPS:
		if (v < -1 || v > 255)
			return -EINVAL;
		s->opt.ttl = v;
		break;
	case IPV6_MULTICAST_HOPS:
		if (!udp || v < -1 || v > 255)
			return -EINVAL;
		s->opt.mcast_ttl = v == -1 ? 1 : v;
		break;
	case IPV6_MULTICAST_LOOP:
		if (v != 0 && v != 1)
			return -EINVAL;
		s->opt.mcast_loop = v;
		break;
	case IPV6_MULTICAST_IF:
		if (v < 0 || v > 255 ||
		    (v != 0 && netif_get_by_index((u8_t)v) == NULL))
			return -ENODEV;
		s->opt.mcast_ifindex = (u8_t)v;
		break;
	default:
		return -ENOPROTOOPT;
	}
	apply(s);
	return 0;
}

/*
 * Raw ICMP options: the filter of ICMP types not to deliver (a 32-bit
 * mask for IPv4, 256 bits for IPv6) and ICMPv6's checksum offset, which
 * may only be restated as 2 (Linux).
 */
static int
set_raw(struct nsock *s, int level, int name, const void *val,
    socklen_t len)
{
	size_t size = s->family == AF_INET ? 4 : sizeof(s->icmp_filter);
	int v;

	if (s->type != SOCK_RAW)
		return -ENOPROTOOPT;
	if (level == LINUX_SOL_RAW && name == LINUX_IPV6_CHECKSUM &&
	    s->family == AF_INET6) {
		if (get_int(val, len, &v) != 0 || v != 2)
			return -EINVAL;
		return 0;
	}
	if (name != LINUX_ICMP_FILTER || (level == LINUX_SOL_RAW) !=
	    (s->family == AF_INET))
		return level == LINUX_SOL_RAW ? -ENOPROTOOPT : -EOPNOTSUPP;
	if (val == NULL)
		return -EINVAL;
	memset(s->icmp_filter, 0, sizeof(s->icmp_filter));
	memcpy(s->icmp_filter, val, (size_t)len < size ? (size_t)len : size);
	return 0;
}

/*
 * getsockopt at a level the socket does not speak: IPv4 sockets pass it
 * down to ip_getsockopt(), which says -EOPNOTSUPP; IPv6 ones stop in
 * ipv6_getsockopt() with -ENOPROTOOPT (setsockopt says -ENOPROTOOPT for
 * both).
 */
static int
get_foreign_level(const struct nsock *s)
{
	return s->family == AF_INET ? -EOPNOTSUPP : -ENOPROTOOPT;
}

static int
get_raw(struct nsock *s, int level, int name, void *val, socklen_t *len)
{
	socklen_t size = s->family == AF_INET ? 4 : sizeof(s->icmp_filter);

	if (s->type != SOCK_RAW)
		return get_foreign_level(s);
	if (level == LINUX_SOL_RAW && name == LINUX_IPV6_CHECKSUM &&
	    s->family == AF_INET6)
		return put_int(val, len, 2);
	if (name != LINUX_ICMP_FILTER || (level == LINUX_SOL_RAW) !=
	    (s->family == AF_INET))
		return level == LINUX_SOL_RAW ? -ENOPROTOOPT : -EOPNOTSUPP;
	return put_val(val, len, s->icmp_filter, size);
}

int
nsock_setsockopt(int id, int level, int name, const void *val,
    socklen_t len)
{
	struct nsock *s = nsock_lookup(id);
	int err;

	if (s == NULL)
		return -EBADF;
	switch (level) {
	case SOL_SOCKET:
		err = set_socket(s, name, val, len);
		break;
	case IPPROTO_TCP:
		if (s->type != SOCK_STREAM)
			return -ENOPROTOOPT;
		err = set_tcp(s, name, val, len);
		break;
	case IPPROTO_IP:
		err = set_ip(s, name, val, len);
		break;
	case IPPROTO_IPV6:
		if (s->family != AF_INET6)
			return -ENOPROTOOPT;
		err = set_ipv6(s, name, val, len);
		break;
	case LINUX_SOL_RAW:
	case IPPROTO_ICMPV6:
		err = set_raw(s, level, name, val, len);
		break;
	default:
		return -ENOPROTOOPT;
	}
	nsock_notify(s, false);
	return err;
}

static int
get_socket(struct nsock *s, int name, void *val, socklen_t *len)
{
	const struct nsock_opts *o = &s->opt;
	struct linger l;

	switch (name) {
	case SO_TYPE:		return put_int(val, len, s->type);
	case SO_DOMAIN:		return put_int(val, len, s->family);
	case SO_PROTOCOL:	return put_int(val, len, s->protocol);
	case SO_ERROR:		return put_int(val, len, nsock_take_error(s));
	case SO_ACCEPTCONN:	return put_int(val, len,
	    s->state == NSOCK_LISTEN);
	case SO_REUSEADDR:	return put_int(val, len, o->reuseaddr);
	case SO_REUSEPORT:	return put_int(val, len, o->reuseport);
	case SO_KEEPALIVE:	return put_int(val, len, o->keepalive);
	case SO_BROADCAST:	return put_int(val, len, o->broadcast);
	case SO_OOBINLINE:	return put_int(val, len, o->oobinline);
	case SO_DONTROUTE:	return put_int(val, len, o->dontroute);
	case SO_DEBUG:		return put_int(val, len, o->debug);
	case SO_SNDBUF:		return put_int(val, len, o->sndbuf);
	case SO_RCVBUF:		return put_int(val, len, o->rcvbuf);
	case SO_PRIORITY:	return put_int(val, len, o->priority);
	case SO_RCVLOWAT:	return put_int(val, len, o->rcvlowat);
	case SO_SNDLOWAT:	return put_int(val, len, 1);
	case SO_RCVTIMEO:
		return put_val(val, len, &o->rcvtimeo, sizeof(o->rcvtimeo));
	case SO_SNDTIMEO:
		return put_val(val, len, &o->sndtimeo, sizeof(o->sndtimeo));
	case SO_LINGER:
		l.l_onoff = o->linger_on;
		l.l_linger = o->linger_secs;
		return put_val(val, len, &l, sizeof(l));
	}
	return -ENOPROTOOPT;
}

static int
get_tcp(struct nsock *s, int name, void *val, socklen_t *len)
{
	const struct nsock_opts *o = &s->opt;
	int mss;

	switch (name) {
	case LINUX_TCP_NODELAY:		return put_int(val, len, o->nodelay);
	case LINUX_TCP_CORK:		return put_int(val, len, o->cork);
	case LINUX_TCP_KEEPIDLE:	return put_int(val, len, o->keepidle);
	case LINUX_TCP_KEEPINTVL:	return put_int(val, len, o->keepintvl);
	case LINUX_TCP_KEEPCNT:		return put_int(val, len, o->keepcnt);
	case LINUX_TCP_MAXSEG:
		/* The connection's MSS, or Linux's 536 before one exists. */
		mss = o->maxseg != 0 ? o->maxseg : 536;
		if (s->pcb.tcp != NULL && s->state == NSOCK_CONNECTED)
			mss = s->pcb.tcp->mss;
		return put_int(val, len, mss);
	}
	return -ENOPROTOOPT;
}

/* Multicast TTL and loop come back as a byte when asked for less than
   an int (Linux). */
static int
put_int_or_byte(void *val, socklen_t *len, int v)
{
	unsigned char c = (unsigned char)v;

	if (len != NULL && *len > 0 && *len < (socklen_t)sizeof(int))
		return put_val(val, len, &c, 1);
	return put_int(val, len, v);
}

static int
get_ip(struct nsock *s, int name, void *val, socklen_t *len)
{
	const struct nsock_opts *o = &s->opt;
	struct in_addr addr;

	switch (name) {
	case IP_TOS:
		return put_int(val, len, o->tos);
	case IP_TTL:
		return put_int(val, len, o->ttl < 0 ? IP_DEFAULT_TTL : o->ttl);
	case IP_MULTICAST_TTL:
		return put_int_or_byte(val, len, o->mcast_ttl);
	case IP_MULTICAST_LOOP:
		return put_int_or_byte(val, len, o->mcast_loop);
	case IP_MULTICAST_IF:
		addr.s_addr = ip4_addr_get_u32(&o->mcast_if4);
		return put_val(val, len, &addr, sizeof(addr));
	case IP_RECVERR:
		return put_int(val, len, o->recverr);
	}
	return -ENOPROTOOPT;
}

static int
get_ipv6(struct nsock *s, int name, void *val, socklen_t *len)
{
	const struct nsock_opts *o = &s->opt;

	switch (name) {
	case IPV6_V6ONLY:
		return put_int(val, len, s->v6only);
	case IPV6_UNICAST_HOPS:
		return put_int(val, len, o->ttl < 0 ? IP_DEFAULT_TTL : o->ttl);
	case IPV6_MULTICAST_HOPS:
		return put_int(val, len, o->mcast_ttl);
	case IPV6_MULTICAST_LOOP:
		return put_int(val, len, o->mcast_loop);
	case IPV6_MULTICAST_IF:
		return put_int(val, len, o->mcast_ifindex);
	case IPV6_RECVERR:
		return put_int(val, len, o->recverr);
	}
	return -ENOPROTOOPT;
}

int
nsock_getsockopt(int id, int level, int name, void *val, socklen_t *len)
{
	struct nsock *s = nsock_lookup(id);
	int err;

	if (s == NULL)
		return -EBADF;
	if (len == NULL || (int)*len < 0)
		return -EINVAL;
	switch (level) {
	case SOL_SOCKET:
		err = get_socket(s, name, val, len);
		break;
	case IPPROTO_TCP:
		if (s->type != SOCK_STREAM)
			return get_foreign_level(s);
		err = get_tcp(s, name, val, len);
		break;
	case IPPROTO_IP:
		err = get_ip(s, name, val, len);
		break;
	case IPPROTO_IPV6:
		if (s->family != AF_INET6)
			return get_foreign_level(s);
		err = get_ipv6(s, name, val, len);
		break;
	case LINUX_SOL_RAW:
	case IPPROTO_ICMPV6:
		err = get_raw(s, level, name, val, len);
		break;
	default:
		return get_foreign_level(s);
	}
	/* Reading SO_ERROR clears POLLERR. */
	nsock_notify(s, false);
	return err;
}
