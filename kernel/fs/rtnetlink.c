/*
 * NETLINK_ROUTE's answers, read-only: RTM_GETLINK, RTM_GETADDR and
 * RTM_GETROUTE (dumps, and a link asked for by index or name) from the
 * network server's configuration (netif_info), as Linux's rtnetlink lays
 * them out, so that ip, getifaddrs and if_nameindex see lo and eth0.
 * Requests to change anything are refused: EPERM without euid 0, else
 * EOPNOTSUPP.
 */
#include <kernel/netif.h>
#include <kernel/proc.h>
#include <kernel/kmalloc.h>
#include <kernel/string.h>
#include <kernel/errno.h>
#include "netlink_int.h"

#define RTM_NEWLINK 16
#define RTM_GETLINK 18
#define RTM_NEWADDR 20
#define RTM_GETADDR 22
#define RTM_NEWROUTE 24
#define RTM_GETROUTE 26
#define RTM_BASE_END 100	/* the message types rtnetlink knows end here */

#define AF_UNSPEC_K 0
#define AF_INET_K 2
#define AF_INET6_K 10

#define IFLA_ADDRESS 1
#define IFLA_BROADCAST 2
#define IFLA_IFNAME 3
#define IFLA_MTU 4
#define IFLA_QDISC 6
#define IFLA_STATS 7
#define IFLA_TXQLEN 13
#define IFLA_OPERSTATE 16
#define IFLA_LINKMODE 17
#define IFLA_STATS64 23
#define IFLA_GROUP 27
#define IFLA_CARRIER 33
#define IFA_ADDRESS 1
#define IFA_LOCAL 2
#define IFA_LABEL 3
#define IFA_BROADCAST 4
#define IFA_CACHEINFO 6
#define IFA_FLAGS 8
#define RTA_DST 1
#define RTA_OIF 4
#define RTA_GATEWAY 5
#define RTA_PREFSRC 7
#define RTA_TABLE 15

#define IFF_UP 0x1
#define IFF_RUNNING 0x40
#define IFF_LOWER_UP 0x10000
#define IFA_F_PERMANENT 0x80
#define IF_OPER_UNKNOWN 0
#define IF_OPER_DOWN 2
#define IF_OPER_UP 6
#define ARPHRD_LOOPBACK 772
#define RT_TABLE_MAIN 254
#define RTPROT_KERNEL 2
#define RTPROT_BOOT 3
#define RTPROT_DHCP 16
#define RT_SCOPE_UNIVERSE 0
#define RT_SCOPE_LINK 253
#define RT_SCOPE_HOST 254
#define RTN_UNICAST 1
#define TXQUEUELEN 1000

struct ifinfomsg_k {
	uint8_t family, pad;
	uint16_t type;
	int32_t index;
	uint32_t flags, change;
};

struct ifaddrmsg_k {
	uint8_t family, prefixlen, flags, scope;
	uint32_t index;
};

struct rtmsg_k {
	uint8_t family, dst_len, src_len, tos;
	uint8_t table, protocol, scope, type;
	uint32_t flags;
};

struct ifa_cacheinfo_k {
	uint32_t prefered, valid, cstamp, tstamp;
};

/* ---- Links ---------------------------------------------------------- */

static void
put_stats(struct nlbuf *b, const struct pt_if_info *f)
{
	/* rtnl_link_stats64's first eight counters; the rest are 0. */
	uint64_t s64[24] = { f->rx_packets, f->tx_packets, f->rx_bytes,
			     f->tx_bytes, f->rx_errors, f->tx_errors,
			     f->rx_dropped, f->tx_dropped };
	uint32_t s32[24];
	for (int i = 0; i < 24; i++)
		s32[i] = (uint32_t)s64[i];
	nla_put(b, IFLA_STATS, s32, sizeof(s32));
	nla_put(b, IFLA_STATS64, s64, sizeof(s64));
}

static void
put_link(struct nlbuf *b, const struct pt_if_info *f, uint16_t flags,
	 uint32_t seq, uint32_t pid)
{
	size_t m = nlmsg_begin(b, RTM_NEWLINK, flags, seq, pid);
	bool up = (f->flags & IFF_RUNNING) != 0;
	struct ifinfomsg_k i = {
		.type = f->type, .index = (int32_t)f->index,
		.flags = f->flags | (up ? IFF_LOWER_UP : 0),
	};
	nlbuf_put(b, &i, sizeof(i));
	nla_put(b, IFLA_IFNAME, f->name, strlen(f->name) + 1);
	uint32_t txq = TXQUEUELEN, mtu = f->mtu, group = 0;
	uint8_t oper = f->type == ARPHRD_LOOPBACK ? IF_OPER_UNKNOWN :
		       up ? IF_OPER_UP : IF_OPER_DOWN;
	uint8_t mode = 0, carrier = up;
	nla_put(b, IFLA_TXQLEN, &txq, 4);
	nla_put(b, IFLA_OPERSTATE, &oper, 1);
	nla_put(b, IFLA_LINKMODE, &mode, 1);
	nla_put(b, IFLA_MTU, &mtu, 4);
	nla_put(b, IFLA_GROUP, &group, 4);
	const char *qdisc = f->type == ARPHRD_LOOPBACK ? "noqueue" : "pfifo_fast";
	nla_put(b, IFLA_QDISC, qdisc, strlen(qdisc) + 1);
	nla_put(b, IFLA_CARRIER, &carrier, 1);
	uint8_t bcast[8];
	memset(bcast, f->type == ARPHRD_LOOPBACK ? 0 : 0xff, sizeof(bcast));
	nla_put(b, IFLA_ADDRESS, f->hwaddr, f->hwaddr_len);
	nla_put(b, IFLA_BROADCAST, bcast, f->hwaddr_len);
	put_stats(b, f);
	nlmsg_end(b, m);
}

/* The interface a non-dump RTM_GETLINK names: by index, else by an
 * IFLA_IFNAME attribute. */
static const struct pt_if_info *
link_asked(const struct pt_net_info *info, const struct nlmsghdr_k *h,
	   size_t len)
{
	const uint8_t *body = (const uint8_t *)(h + 1);
	size_t blen = len - sizeof(*h);
	struct ifinfomsg_k i;
	if (blen < sizeof(i))
		return NULL;
	memcpy(&i, body, sizeof(i));
	if (i.index > 0)
		return netif_find(info, NULL, (uint32_t)i.index);
	for (size_t off = NLMSG_ALIGN(sizeof(i)); off + 4 <= blen;) {
		uint16_t alen, type;
		memcpy(&alen, body + off, 2);
		memcpy(&type, body + off + 2, 2);
		if (alen < 4 || off + alen > blen)
			break;
		if (type == IFLA_IFNAME && alen > 4) {
			char name[PT_IF_NAME_MAX] = { 0 };
			memcpy(name, body + off + 4, MIN(alen - 4u, sizeof(name) - 1));
			return netif_find(info, name, 0);
		}
		off += NLMSG_ALIGN(alen);
	}
	return NULL;
}

/* ---- Addresses ------------------------------------------------------ */

static uint8_t
prefix_of(uint32_t netmask)
{
	return (uint8_t)__builtin_popcount(netmask);
}

static void
put_addr4(struct nlbuf *b, const struct pt_if_info *f, uint32_t seq,
	  uint32_t pid)
{
	size_t m = nlmsg_begin(b, RTM_NEWADDR, NLM_F_MULTI, seq, pid);
	uint32_t flags = f->dhcp ? 0 : IFA_F_PERMANENT;
	struct ifaddrmsg_k a = {
		.family = AF_INET_K, .prefixlen = prefix_of(f->netmask4),
		.flags = (uint8_t)flags, .index = f->index,
		.scope = f->type == ARPHRD_LOOPBACK ? RT_SCOPE_HOST : RT_SCOPE_UNIVERSE,
	};
	nlbuf_put(b, &a, sizeof(a));
	nla_put(b, IFA_ADDRESS, &f->addr4, 4);
	nla_put(b, IFA_LOCAL, &f->addr4, 4);
	if (f->type != ARPHRD_LOOPBACK) {
		uint32_t bcast = f->addr4 | ~f->netmask4;
		nla_put(b, IFA_BROADCAST, &bcast, 4);
	}
	nla_put(b, IFA_LABEL, f->name, strlen(f->name) + 1);
	nla_put(b, IFA_FLAGS, &flags, 4);
	/* No lifetimes are kept: forever, as a static address's. */
	struct ifa_cacheinfo_k c = { ~0u, ~0u, 0, 0 };
	nla_put(b, IFA_CACHEINFO, &c, sizeof(c));
	nlmsg_end(b, m);
}

static void
put_addr6(struct nlbuf *b, const struct pt_if_info *f,
	  const struct pt_if_addr6 *x, uint32_t seq, uint32_t pid)
{
	size_t m = nlmsg_begin(b, RTM_NEWADDR, NLM_F_MULTI, seq, pid);
	struct ifaddrmsg_k a = {
		.family = AF_INET6_K, .prefixlen = x->prefix_len,
		.flags = x->flags, .scope = x->scope, .index = f->index,
	};
	uint32_t flags = x->flags;
	nlbuf_put(b, &a, sizeof(a));
	nla_put(b, IFA_ADDRESS, x->addr, 16);
	nla_put(b, IFA_FLAGS, &flags, 4);
	struct ifa_cacheinfo_k c = { ~0u, ~0u, 0, 0 };
	nla_put(b, IFA_CACHEINFO, &c, sizeof(c));
	nlmsg_end(b, m);
}

/* ---- Routes: the main table, as the addresses and gateway make it --- */

static void
put_route(struct nlbuf *b, const struct pt_if_info *f, uint32_t dst,
	  uint8_t dst_len, uint32_t gateway, uint32_t seq, uint32_t pid)
{
	size_t m = nlmsg_begin(b, RTM_NEWROUTE, NLM_F_MULTI, seq, pid);
	struct rtmsg_k r = {
		.family = AF_INET_K, .dst_len = dst_len, .table = RT_TABLE_MAIN,
		.protocol = gateway ? (f->dhcp ? RTPROT_DHCP : RTPROT_BOOT) :
			    RTPROT_KERNEL,
		.scope = gateway ? RT_SCOPE_UNIVERSE : RT_SCOPE_LINK,
		.type = RTN_UNICAST,
	};
	uint32_t table = RT_TABLE_MAIN, oif = f->index;
	nlbuf_put(b, &r, sizeof(r));
	nla_put(b, RTA_TABLE, &table, 4);
	if (dst_len)
		nla_put(b, RTA_DST, &dst, 4);
	if (gateway)
		nla_put(b, RTA_GATEWAY, &gateway, 4);
	else
		nla_put(b, RTA_PREFSRC, &f->addr4, 4);
	nla_put(b, RTA_OIF, &oif, 4);
	nlmsg_end(b, m);
}

static void
dump_routes(struct nlbuf *b, const struct pt_net_info *info, uint32_t seq,
	    uint32_t pid)
{
	const struct pt_if_info *def = info->default_index ?
		netif_find(info, NULL, info->default_index) : NULL;
	if (def && def->addr4 && def->gateway4)
		put_route(b, def, 0, 0, def->gateway4, seq, pid);
	for (uint32_t i = 0; i < info->count; i++) {
		const struct pt_if_info *f = &info->ifs[i];
		if (f->addr4 && f->netmask4 && (f->flags & IFF_UP) &&
		    f->type != ARPHRD_LOOPBACK)
			put_route(b, f, f->addr4 & f->netmask4,
				  prefix_of(f->netmask4), 0, seq, pid);
	}
}

/* ---- Requests ------------------------------------------------------- */

static void
dump(struct nlbuf *b, const struct pt_net_info *info,
     const struct nlmsghdr_k *h, uint8_t family, uint32_t pid)
{
	for (uint32_t i = 0; i < info->count; i++) {
		const struct pt_if_info *f = &info->ifs[i];
		if (h->type == RTM_GETLINK)
			put_link(b, f, NLM_F_MULTI, h->seq, pid);
		if (h->type == RTM_GETADDR && f->addr4 &&
		    (family == AF_UNSPEC_K || family == AF_INET_K))
			put_addr4(b, f, h->seq, pid);
	}
	for (uint32_t i = 0; h->type == RTM_GETADDR && i < info->count; i++)
		for (unsigned k = 0; k < info->ifs[i].naddr6 &&
		     (family == AF_UNSPEC_K || family == AF_INET6_K); k++)
			put_addr6(b, &info->ifs[i], &info->ifs[i].addr6[k],
				  h->seq, pid);
	if (h->type == RTM_GETROUTE &&
	    (family == AF_UNSPEC_K || family == AF_INET_K))
		dump_routes(b, info, h->seq, pid);
	size_t m = nlmsg_begin(b, NLMSG_DONE, NLM_F_MULTI, h->seq, pid);
	nlbuf_put(b, NULL, 4);	/* the dump's status: 0 */
	nlmsg_end(b, m);
}

void
rtnl_request(struct nlbuf *out, const struct nlmsghdr_k *h, size_t len,
	     uint32_t pid)
{
	uint16_t type = h->type;
	if (!(h->flags & NLM_F_REQUEST) || type < RTM_NEWLINK)
		return;	/* Linux ignores them */
	if (type >= RTM_BASE_END || (type & 3) != 2) {	/* not a GET */
		int e = type >= RTM_BASE_END ? -EOPNOTSUPP :
			!capable(CAP_NET_ADMIN) ? -EPERM : -EOPNOTSUPP;
		nlmsg_error(out, h, e, pid);
		return;
	}
	if (type != RTM_GETLINK && type != RTM_GETADDR && type != RTM_GETROUTE) {
		nlmsg_error(out, h, -EOPNOTSUPP, pid);
		return;
	}
	struct pt_net_info *info = kmalloc(sizeof(*info));
	if (!info || netif_info(info) < 0) {
		nlmsg_error(out, h, -ENOMEM, pid);
		kfree(info);
		return;
	}
	uint8_t family = len > sizeof(*h) ? *(const uint8_t *)(h + 1) : 0;
	const struct pt_if_info *f = NULL;
	if ((h->flags & NLM_F_DUMP) == NLM_F_DUMP)
		dump(out, info, h, family, pid);
	else if (type == RTM_GETLINK && (f = link_asked(info, h, len)) != NULL)
		put_link(out, f, 0, h->seq, pid);
	else
		nlmsg_error(out, h, type == RTM_GETLINK ? -ENODEV : -EOPNOTSUPP,
			    pid);
	if (f && (h->flags & NLM_F_ACK))
		nlmsg_error(out, h, 0, pid);	/* the ack after the answer */
	kfree(info);
}
