/*
 * Raw ICMP sockets (SOCK_RAW with IPPROTO_ICMP or IPPROTO_ICMPV6), enough
 * for ping: each socket gets a copy of every ICMP packet the host
 * receives (IPv4 with its IP header, IPv6 without, as Linux), while lwIP
 * goes on answering echo requests itself. Datagrams queue as for UDP.
 */
#include <errno.h>
#include <string.h>

#include "lwip/raw.h"
#include "sock_int.h"

/* ICMPv6's checksum: netd computes it, at this offset (RFC 3542). */
#define ICMP6_CSUM_OFFSET	2

/* Whether the socket's ICMP_FILTER/ICMP6_FILTER drops this type. */
static bool
raw_filtered(const struct nsock *s, u8_t type)
{
	if (s->family == AF_INET && type >= 32)
		return false;	/* ICMP_FILTER covers types 0-31 */
	return (s->icmp_filter[type >> 5] >> (type & 31)) & 1;
}

static u8_t
raw_cb_recv(void *arg, struct raw_pcb *pcb, struct pbuf *p,
    const ip_addr_t *addr)
{
	struct nsock *s = arg;
	/* p starts with the IP header, options or extensions included. */
	u16_t hlen = (u16_t)ip_current_header_tot_len();
	struct pbuf *copy;
	u8_t type;

	LWIP_ASSERT("packet for a pcb its socket let go",
	    s != NULL && s->used && s->pcb.raw == pcb);
	if (s == NULL || !s->used || s->pcb.raw != pcb)
		return 0;
	if (pbuf_copy_partial(p, &type, 1, hlen) != 1 ||
	    raw_filtered(s, type))
		return 0;
	copy = pbuf_clone(PBUF_RAW, PBUF_RAM, p);
	if (copy == NULL) {
		s->drops++;
		return 0;
	}
	/* Linux gives IPv4 packets whole, IPv6 ones from the ICMPv6 header. */
	if (s->family == AF_INET6)
		pbuf_remove_header(copy, hlen);
	nsock_dgram_queue(s, copy, addr, 0);
	return 0;	/* not eaten: lwIP still handles the packet */
}

void
nsock_raw_apply_opts(struct nsock *s)
{
	struct raw_pcb *pcb = s->pcb.raw;

	if (pcb == NULL)
		return;
	if (s->opt.broadcast)
		ip_set_option(pcb, SOF_BROADCAST);
	else
		ip_reset_option(pcb, SOF_BROADCAST);
	pcb->ttl = (u8_t)(s->opt.ttl < 0 ? RAW_TTL : s->opt.ttl);
	pcb->tos = (u8_t)s->opt.tos;
}

static int
raw_ensure_pcb(struct nsock *s)
{
	struct raw_pcb *pcb;

	if (s->pcb.raw != NULL)
		return 0;
	pcb = raw_new_ip_type(s->family == AF_INET ? IPADDR_TYPE_V4 :
	    IPADDR_TYPE_V6, s->protocol);
	if (pcb == NULL)
		return -ENOMEM;
	s->pcb.raw = pcb;
	if (s->family == AF_INET6) {
		pcb->chksum_reqd = 1;
		pcb->chksum_offset = ICMP6_CSUM_OFFSET;
	}
	raw_recv(pcb, raw_cb_recv, s);
	nsock_raw_apply_opts(s);
	return 0;
}

/* The address part of a raw socket's sockaddr (the port is ignored);
   raw IPv6 sockets have no IPv4-mapped form. */
static int
raw_addr(struct nsock *s, const struct sockaddr *addr, socklen_t len,
    ip_addr_t *ip)
{
	u16_t port;
	int ret = nsock_addr_get(s, addr, len, ip, &port);

	if (ret != 0)
		return ret;
	if (s->family == AF_INET6 && IP_IS_V4(ip))
		return -EINVAL;
	return 0;
}

int
nsock_raw_bind(struct nsock *s, const ip_addr_t *ip)
{
	int ret;

	if (s->family == AF_INET6 && IP_IS_V4(ip))
		return -EINVAL;
	ret = raw_ensure_pcb(s);
	if (ret != 0)
		return ret;
	ret = nsock_err(raw_bind(s->pcb.raw, ip));
	nsock_save_addrs(s);
	return ret;
}

int
nsock_raw_connect(struct nsock *s, const struct sockaddr *addr,
    socklen_t len)
{
	ip_addr_t ip;
	int ret;

	if (addr->sa_family == AF_UNSPEC) {
		if (s->pcb.raw != NULL)
			raw_disconnect(s->pcb.raw);
		s->conn = NSOCK_UNCONNECTED;
		nsock_save_addrs(s);
		return 0;
	}
	ret = raw_addr(s, addr, len, &ip);
	if (ret == 0)
		ret = raw_ensure_pcb(s);
	if (ret != 0)
		return ret;
	nsock_addr_any_to_loopback(&ip);
	ret = nsock_err(raw_connect(s->pcb.raw, &ip));
	if (ret == 0)
		s->conn = NSOCK_ISCONNECTED;
	nsock_save_addrs(s);
	return ret;
}

ssize_t
nsock_raw_send(struct nsock *s, const void *buf, size_t len,
    const struct sockaddr *addr, socklen_t addr_len)
{
	u16_t hlen = s->family == AF_INET ? IP_HLEN : IP6_HLEN;
	struct pbuf *p;
	ip_addr_t ip;
	err_t err;
	int ret;

	if (s->wr_shut)
		return -EPIPE;
	if (addr != NULL) {
		ret = raw_addr(s, addr, addr_len, &ip);
		if (ret != 0)
			return ret;
		nsock_addr_any_to_loopback(&ip);
	} else if (s->conn == NSOCK_ISCONNECTED) {
		ip_addr_copy(ip, s->remote_ip);
	} else {
		return -EDESTADDRREQ;
	}
	if (len > (size_t)(0xffff - hlen))
		return -EMSGSIZE;
	if (s->family == AF_INET6 && len < ICMP6_CSUM_OFFSET + 2)
		return -EINVAL;	/* no room for the checksum (Linux) */
	if (nsock_addr_is_broadcast(&ip) && !s->opt.broadcast)
		return -EACCES;
	ret = raw_ensure_pcb(s);
	if (ret != 0)
		return ret;
	p = pbuf_alloc(len > 0xffff - 256 ? PBUF_RAW : PBUF_IP, (u16_t)len,
	    PBUF_RAM);
	if (p == NULL)
		return -ENOBUFS;
	pbuf_take(p, buf, (u16_t)len);
	/* lwIP sums over the field as given: start from zero. */
	if (s->family == AF_INET6)
		memset((u8_t *)p->payload + ICMP6_CSUM_OFFSET, 0, 2);
	err = raw_sendto(s->pcb.raw, p, &ip);
	pbuf_free(p);
	if (err == ERR_OK || err == ERR_BUF || err == ERR_IF)
		return (ssize_t)len;	/* link drops are not reported */
	return err == ERR_MEM ? -ENOBUFS : nsock_err(err);
}

void
nsock_raw_close(struct nsock *s)
{
	if (s->pcb.raw != NULL) {
		raw_remove(s->pcb.raw);
		s->pcb.raw = NULL;
	}
}
