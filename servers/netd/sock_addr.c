/*
 * Socket addresses between Linux's byte layouts (sockaddr_in, sockaddr_in6)
 * and lwIP's ip_addr_t. An AF_INET6 socket sees IPv4 peers as IPv4-mapped
 * addresses (::ffff:a.b.c.d), which lwIP holds as plain IPv4.
 */
#include <errno.h>
#include <netinet/in.h>
#include <string.h>

#include "lwip/netif.h"
#include "sock_int.h"

/* The part of sockaddr_in6 before sin6_scope_id (RFC 2133's size),
   which Linux still accepts. */
#define SIN6_LEN_RFC2133	24

static void
get_in(const struct sockaddr *sa, ip_addr_t *ip, u16_t *port)
{
	struct sockaddr_in sin;

	memcpy(&sin, sa, sizeof(sin));
	ip_addr_set_ip4_u32_val(*ip, sin.sin_addr.s_addr);
	*port = ntohs(sin.sin_port);
}

static void
get_in6(const struct sockaddr *sa, socklen_t len, ip_addr_t *ip,
    u16_t *port)
{
	struct sockaddr_in6 sin6;
	u32_t words[4];

	memset(&sin6, 0, sizeof(sin6));
	memcpy(&sin6, sa, len < sizeof(sin6) ? len : sizeof(sin6));
	*port = ntohs(sin6.sin6_port);
	memcpy(words, &sin6.sin6_addr, sizeof(words));
	if (IN6_IS_ADDR_V4MAPPED(&sin6.sin6_addr)) {
		ip_addr_set_ip4_u32_val(*ip, words[3]);
		return;
	}
	IP_ADDR6(ip, words[0], words[1], words[2], words[3]);
	if (sin6.sin6_scope_id != 0 &&
	    ip6_addr_has_scope(ip_2_ip6(ip), IP6_UNKNOWN))
		ip6_addr_set_zone(ip_2_ip6(ip), (u8_t)sin6.sin6_scope_id);
}

/*
 * Reads an address the application gave for socket s. Returns 0, -EINVAL
 * when it is too short, or -EAFNOSUPPORT for the wrong family. AF_UNSPEC
 * reads as AF_INET on an AF_INET socket; an AF_INET6 datagram socket also
 * takes AF_INET addresses (Linux); mapped addresses come back as IPv4.
 */
int
nsock_addr_get(const struct nsock *s, const struct sockaddr *sa,
    socklen_t len, ip_addr_t *ip, u16_t *port)
{
	sa_family_t family;

	if (sa == NULL || len < (socklen_t)sizeof(sa_family_t))
		return -EINVAL;
	memcpy(&family, sa, sizeof(family));
	if (s->family == AF_INET ||
	    (family == AF_INET && s->type == SOCK_DGRAM)) {
		if (len < (socklen_t)sizeof(struct sockaddr_in))
			return -EINVAL;
		if (family != AF_INET && family != AF_UNSPEC)
			return -EAFNOSUPPORT;
		get_in(sa, ip, port);
		return 0;
	}
	if (len < SIN6_LEN_RFC2133)
		return -EINVAL;
	if (family != AF_INET6)
		return -EAFNOSUPPORT;
	get_in6(sa, len, ip, port);
	return 0;
}

/* Copies min(*len, size) bytes of the address out and sets *len to its
   full size, as Linux's getsockname() does. */
static void
put_bytes(const void *src, socklen_t size, struct sockaddr *sa,
    socklen_t *len)
{
	if (sa != NULL && len != NULL)
		memcpy(sa, src, *len < size ? *len : size);
	if (len != NULL)
		*len = size;
}

void
nsock_addr_put(const struct nsock *s, const ip_addr_t *ip, u16_t port,
    struct sockaddr *sa, socklen_t *len)
{
	struct sockaddr_in sin;
	struct sockaddr_in6 sin6;

	if (s->family == AF_INET) {
		memset(&sin, 0, sizeof(sin));
		sin.sin_family = AF_INET;
		sin.sin_port = htons(port);
		if (IP_IS_V4(ip))
			sin.sin_addr.s_addr = ip4_addr_get_u32(ip_2_ip4(ip));
		put_bytes(&sin, sizeof(sin), sa, len);
		return;
	}
	memset(&sin6, 0, sizeof(sin6));
	sin6.sin6_family = AF_INET6;
	sin6.sin6_port = htons(port);
	if (IP_IS_V6(ip)) {
		memcpy(&sin6.sin6_addr, ip_2_ip6(ip)->addr, 16);
		if (ip6_addr_has_zone(ip_2_ip6(ip)))
			sin6.sin6_scope_id = ip6_addr_zone(ip_2_ip6(ip));
	} else if (IP_IS_V4_VAL(*ip)) {
		u32_t v4 = ip4_addr_get_u32(ip_2_ip4(ip));

		sin6.sin6_addr.s6_addr[10] = 0xff;
		sin6.sin6_addr.s6_addr[11] = 0xff;
		memcpy(&sin6.sin6_addr.s6_addr[12], &v4, 4);
	}
	/* IPADDR_TYPE_ANY is the dual-stack wildcard: "::". */
	put_bytes(&sin6, sizeof(sin6), sa, len);
}

/* The address a socket of this kind binds to for "any". */
const ip_addr_t *
nsock_addr_any(const struct nsock *s)
{
	if (s->family == AF_INET)
		return IP4_ADDR_ANY;
	if (s->v6only)
		return IP6_ADDR_ANY;
	return IP_ANY_TYPE;
}

/* True for 255.255.255.255 and each interface's directed broadcast. */
bool
nsock_addr_is_broadcast(const ip_addr_t *ip)
{
	struct netif *netif;
	u32_t addr;

	if (!IP_IS_V4(ip))
		return false;
	addr = ip4_addr_get_u32(ip_2_ip4(ip));
	if (addr == IPADDR_BROADCAST)
		return true;
	NETIF_FOREACH(netif) {
		u32_t mask = ip4_addr_get_u32(netif_ip4_netmask(netif));
		u32_t own = ip4_addr_get_u32(netif_ip4_addr(netif));

		if ((netif->flags & NETIF_FLAG_BROADCAST) && own != 0 &&
		    mask != IPADDR_BROADCAST && addr == (own | ~mask))
			return true;
	}
	return false;
}

/*
 * True when a socket may bind to ip: the wildcard, an address of one of
 * the interfaces, or for UDP also a multicast or broadcast address.
 */
bool
nsock_addr_is_local(const ip_addr_t *ip, bool udp)
{
	struct netif *netif;

	if (ip_addr_isany(ip))
		return true;
	if (udp && (ip_addr_ismulticast(ip) || nsock_addr_is_broadcast(ip)))
		return true;
	NETIF_FOREACH(netif) {
		if (IP_IS_V4(ip) &&
		    ip4_addr_cmp(netif_ip4_addr(netif), ip_2_ip4(ip)))
			return true;
		if (IP_IS_V6(ip) &&
		    netif_get_ip6_addr_match(netif, ip_2_ip6(ip)) >= 0)
			return true;
	}
	return false;
}

/* Connecting or sending to the wildcard reaches this host (a BSD habit
   Linux keeps). */
void
nsock_addr_any_to_loopback(ip_addr_t *ip)
{
	if (!ip_addr_isany(ip))
		return;
	if (IP_IS_V6(ip))
		ip_addr_set_loopback(1, ip);
	else
		ip_addr_set_loopback(0, ip);
}
