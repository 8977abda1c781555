/*
 * UDP and raw ICMP in netd's socket-core host test: datagrams over IPv4
 * and IPv6, connected sources, SO_RCVBUF, multicast, and ICMP echo
 * through raw sockets. Part of test_netd_sock (harness.h).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/ioctl.h>

#include "check.h"
#include "lwip/igmp.h"
#include "lwip/init.h"
#include "lwip/mld6.h"
#include "lwip/netif.h"
#include "lwip/priv/tcp_priv.h"
#include "lwip/tcp.h"
#include "lwip/timeouts.h"
#include "lwip/udp.h"
#include "petrel_lwip_hooks.h"
#include "sock.h"
#include "sock_int.h"	/* test_pinned_buffers looks at a queue */
#include "harness.h"

/* ---- UDP ---- */

static void
test_udp(void)
{
	static char big[65508];
	char buf[4096];
	struct sockaddr_in from, want;
	socklen_t len;
	int a, b, flags, value;
	struct sockaddr_in to = addr4("127.0.0.1", 6001);

	a = nsock_create(AF_INET, SOCK_DGRAM, 0);
	b = nsock_create(AF_INET, SOCK_DGRAM, 0);
	CHECK_EQ(do_bind(a, "127.0.0.1", 6000), 0);
	CHECK_EQ(do_bind(b, "127.0.0.1", 6001), 0);
	CHECK_EQ(do_bind(nsock_create(AF_INET, SOCK_DGRAM, 0), "127.0.0.1",
	    6001), -EADDRINUSE);
	CHECK_EQ(nsock_sendto(a, "x", 1, 0, NULL, 0), -EDESTADDRREQ);
	memset(big, 'b', sizeof(big));
	CHECK_EQ(nsock_sendto(a, "hello", 5, 0, (struct sockaddr *)&to,
	    sizeof(to)), 5);
	CHECK_EQ(nsock_sendto(a, big, 2000, 0, (struct sockaddr *)&to,
	    sizeof(to)), 2000);
	CHECK_EQ(nsock_sendto(a, big, 0, 0, (struct sockaddr *)&to,
	    sizeof(to)), 0);
	CHECK_EQ(nsock_recvfrom(b, buf, sizeof(buf), 0, NULL, NULL, NULL),
	    -EAGAIN);
	pump();
	CHECK_EQ(note_events[b], POLLIN | POLLRDNORM | POLLOUT | POLLWRNORM |
	    POLLWRBAND);
	CHECK_EQ(nsock_ioctl(b, FIONREAD, &value), 0);
	CHECK_EQ(value, 5);
	/* Peek, then read: same datagram, same sender. */
	len = sizeof(from);
	CHECK_EQ(nsock_recvfrom(b, buf, sizeof(buf), MSG_PEEK,
	    (struct sockaddr *)&from, &len, NULL), 5);
	want = addr4("127.0.0.1", 6000);
	CHECK(len == 16 && memcmp(&from, &want, sizeof(want)) == 0);
	memset(&from, 0, sizeof(from));
	CHECK_EQ(nsock_recvfrom(b, buf, sizeof(buf), 0,
	    (struct sockaddr *)&from, &len, &flags), 5);
	CHECK(memcmp(buf, "hello", 5) == 0 && flags == 0);
	CHECK(memcmp(&from, &want, sizeof(want)) == 0);
	/* Truncation: the rest of the datagram is gone; MSG_TRUNC asks
	   for the real size. */
	CHECK_EQ(nsock_recvfrom(b, buf, 100, MSG_PEEK | MSG_TRUNC, NULL, NULL,
	    &flags), 2000);
	CHECK_EQ(flags, MSG_TRUNC);
	CHECK_EQ(nsock_recvfrom(b, buf, 100, 0, NULL, NULL, &flags), 100);
	CHECK_EQ(flags, MSG_TRUNC);
	CHECK_EQ(nsock_recvfrom(b, buf, sizeof(buf), 0, NULL, NULL, &flags),
	    0);
	CHECK_EQ(flags, 0);
	CHECK_EQ(nsock_recvfrom(b, buf, sizeof(buf), 0, NULL, NULL, NULL),
	    -EAGAIN);
	CHECK_EQ(nsock_poll(b), POLLOUT | POLLWRNORM | POLLWRBAND);
	/* The largest IPv4 datagram goes through; one more byte cannot. */
	CHECK_EQ(nsock_sendto(a, big, 65508, 0, (struct sockaddr *)&to,
	    sizeof(to)), -EMSGSIZE);
	CHECK_EQ(nsock_sendto(a, big, 65507, 0, (struct sockaddr *)&to,
	    sizeof(to)), 65507);
	pump();
	CHECK_EQ(nsock_recvfrom(b, big, sizeof(big), 0, NULL, NULL, NULL),
	    65507);
	/* Broadcast needs SO_BROADCAST. */
	to = addr4("255.255.255.255", 6001);
	CHECK_EQ(nsock_sendto(a, "x", 1, 0, (struct sockaddr *)&to,
	    sizeof(to)), -EACCES);
	/* connect() fixes the peer; shutdown(SHUT_WR) stops sending. */
	CHECK_EQ(do_connect(a, "127.0.0.1", 6001), 0);
	CHECK_EQ(nsock_getpeername(a, (struct sockaddr *)&from,
	    &(socklen_t){ 16 }), 0);
	CHECK_EQ(ntohs(from.sin_port), 6001);
	CHECK_EQ(nsock_sendto(a, "again", 5, 0, NULL, 0), 5);
	pump();
	CHECK_EQ(nsock_recvfrom(b, buf, sizeof(buf), 0, NULL, NULL, NULL), 5);
	CHECK_EQ(nsock_shutdown(a, SHUT_WR), 0);
	CHECK_EQ(nsock_sendto(a, "x", 1, 0, NULL, 0), -EPIPE);
	/* SHUT_RD on UDP: poll says so, but datagrams still arrive and an
	   empty queue still blocks (Linux). */
	CHECK_EQ(nsock_shutdown(b, SHUT_RD), -ENOTCONN);
	CHECK(nsock_poll(b) & POLLRDHUP);
	CHECK_EQ(nsock_recvfrom(b, buf, sizeof(buf), 0, NULL, NULL, NULL),
	    -EAGAIN);
	to = addr4("127.0.0.1", 6001);
	CHECK_EQ(nsock_sendto(nsock_create(AF_INET, SOCK_DGRAM, 0), "late", 4,
	    0, (struct sockaddr *)&to, sizeof(to)), 4);
	pump();
	CHECK_EQ(nsock_recvfrom(b, buf, sizeof(buf), 0, NULL, NULL, NULL), 4);
	for (int id = 0; id < NSOCK_MAX; id++)
		nsock_close(id);
}

/* connect() gives an unbound or wildcard socket its route's source
   address (Linux); AF_UNSPEC takes it back unless bind() named it. */
static void
test_udp_connect_source(void)
{
	struct sockaddr_in name;
	struct sockaddr_in6 name6;
	struct sockaddr unspec = { .sa_family = AF_UNSPEC };
	socklen_t len;
	int a = nsock_create(AF_INET, SOCK_DGRAM, 0);
	int b = nsock_create(AF_INET, SOCK_DGRAM, 0);
	int c = nsock_create(AF_INET6, SOCK_DGRAM, 0);

	CHECK_EQ(do_connect(a, "127.0.0.1", 6200), 0);
	len = sizeof(name);
	CHECK_EQ(nsock_getsockname(a, (struct sockaddr *)&name, &len), 0);
	CHECK_EQ(ntohl(name.sin_addr.s_addr), INADDR_LOOPBACK);
	CHECK(name.sin_port != 0);
	CHECK_EQ(nsock_connect(a, &unspec, sizeof(unspec)), 0);
	CHECK_EQ(nsock_getsockname(a, (struct sockaddr *)&name, &len), 0);
	CHECK_EQ(name.sin_addr.s_addr, INADDR_ANY);
	CHECK(name.sin_port != 0);

	CHECK_EQ(do_bind(b, "127.0.0.1", 6201), 0);
	CHECK_EQ(do_connect(b, "127.0.0.1", 6200), 0);
	CHECK_EQ(nsock_connect(b, &unspec, sizeof(unspec)), 0);
	CHECK_EQ(nsock_getsockname(b, (struct sockaddr *)&name, &len), 0);
	CHECK_EQ(ntohl(name.sin_addr.s_addr), INADDR_LOOPBACK);
	CHECK_EQ(ntohs(name.sin_port), 6201);

	CHECK_EQ(do_connect(c, "::1", 6200), 0);
	len = sizeof(name6);
	CHECK_EQ(nsock_getsockname(c, (struct sockaddr *)&name6, &len), 0);
	CHECK(IN6_IS_ADDR_LOOPBACK(&name6.sin6_addr));
	CHECK_EQ(nsock_close(a), 0);
	CHECK_EQ(nsock_close(b), 0);
	CHECK_EQ(nsock_close(c), 0);
}

/* SO_RCVBUF bounds what waits on a socket; the rest is dropped. */
static void
test_udp_rcvbuf(void)
{
	char buf[1000];
	struct sockaddr_in to = addr4("127.0.0.1", 6101);
	int a = nsock_create(AF_INET, SOCK_DGRAM, 0);
	int b = nsock_create(AF_INET, SOCK_DGRAM, 0);
	int n = 0;

	CHECK_EQ(do_bind(b, "127.0.0.1", 6101), 0);
	CHECK_EQ(set_int_opt(b, SOL_SOCKET, SO_RCVBUF, 2000), 0);
	CHECK_EQ(get_int_opt(b, SOL_SOCKET, SO_RCVBUF), 4000);
	memset(buf, 'r', sizeof(buf));
	for (int i = 0; i < 10; i++)
		CHECK_EQ(nsock_sendto(a, buf, sizeof(buf), 0,
		    (struct sockaddr *)&to, sizeof(to)), 1000);
	pump();
	while (nsock_recvfrom(b, buf, sizeof(buf), 0, NULL, NULL, NULL) ==
	    1000)
		n++;
	CHECK_EQ(n, 4);
	CHECK_EQ(nsock_close(a), 0);
	CHECK_EQ(nsock_close(b), 0);
}

/* IPv6 UDP over ::1, and a dual-stack socket hearing an IPv4 sender. */
static void
test_udp6(void)
{
	char buf[64];
	struct sockaddr_in6 from, want;
	socklen_t len = sizeof(from);
	struct sockaddr_in6 to6 = addr6("::1", 6201);
	struct sockaddr_in to4 = addr4("127.0.0.1", 6201);
	int a6 = nsock_create(AF_INET6, SOCK_DGRAM, 0);
	int a4 = nsock_create(AF_INET, SOCK_DGRAM, 0);
	int b = nsock_create(AF_INET6, SOCK_DGRAM, 0);
	static char big[65488];

	CHECK_EQ(do_bind(b, "::", 6201), 0);
	CHECK_EQ(do_bind(a4, "127.0.0.1", 6202), 0);
	CHECK_EQ(nsock_sendto(a6, "six", 3, 0, (struct sockaddr *)&to6,
	    sizeof(to6)), 3);
	CHECK_EQ(nsock_sendto(a4, "four", 4, 0, (struct sockaddr *)&to4,
	    sizeof(to4)), 4);
	/* AF_INET addresses work on an AF_INET6 datagram socket (Linux). */
	CHECK_EQ(nsock_sendto(a6, "mix", 3, 0, (struct sockaddr *)&to4,
	    sizeof(to4)), 3);
	CHECK_EQ(nsock_sendto(a6, big, sizeof(big), 0, (struct sockaddr *)&to6,
	    sizeof(to6)), -EMSGSIZE);
	pump();
	CHECK_EQ(nsock_recvfrom(b, buf, sizeof(buf), 0,
	    (struct sockaddr *)&from, &len, NULL), 3);
	CHECK(len == 28 && IN6_IS_ADDR_LOOPBACK(&from.sin6_addr));
	CHECK_EQ(nsock_recvfrom(b, buf, sizeof(buf), 0,
	    (struct sockaddr *)&from, &len, NULL), 4);
	want = addr6("::ffff:127.0.0.1", 6202);
	CHECK(memcmp(&from, &want, sizeof(want)) == 0);
	CHECK_EQ(nsock_recvfrom(b, buf, sizeof(buf), 0,
	    (struct sockaddr *)&from, &len, NULL), 3);
	CHECK(IN6_IS_ADDR_V4MAPPED(&from.sin6_addr));
	CHECK_EQ(nsock_close(a6), 0);
	CHECK_EQ(nsock_close(a4), 0);
	CHECK_EQ(nsock_close(b), 0);
}

static void
test_multicast(void)
{
	struct ip_mreq mreq;
	struct sockaddr_in to = addr4("239.1.2.3", 6301);
	char buf[16];
	int r = nsock_create(AF_INET, SOCK_DGRAM, 0);
	int s = nsock_create(AF_INET, SOCK_DGRAM, 0);
	int n = 0;

	CHECK_EQ(set_int_opt(r, SOL_SOCKET, SO_REUSEADDR, 1), 0);
	CHECK_EQ(do_bind(r, "0.0.0.0", 6301), 0);
	mreq.imr_multiaddr.s_addr = inet_addr("239.1.2.3");
	mreq.imr_interface.s_addr = inet_addr("127.0.0.1");
	CHECK_EQ(nsock_setsockopt(r, IPPROTO_IP, IP_ADD_MEMBERSHIP, &mreq,
	    sizeof(mreq)), 0);
	CHECK_EQ(nsock_setsockopt(r, IPPROTO_IP, IP_ADD_MEMBERSHIP, &mreq,
	    sizeof(mreq)), -EADDRINUSE);
	CHECK_EQ(nsock_setsockopt(r, IPPROTO_IP, IP_ADD_MEMBERSHIP, &mreq,
	    4), -EINVAL);
	/* Sent out the loopback interface, a datagram reaches the group
	   once, whether multicast loop is on (the default) or off. */
	CHECK_EQ(nsock_setsockopt(s, IPPROTO_IP, IP_MULTICAST_IF,
	    &mreq.imr_interface, sizeof(mreq.imr_interface)), 0);
	CHECK_EQ(get_int_opt(s, IPPROTO_IP, IP_MULTICAST_LOOP), 1);
	CHECK_EQ(set_int_opt(s, IPPROTO_IP, IP_MULTICAST_TTL, 4), 0);
	CHECK_EQ(get_int_opt(s, IPPROTO_IP, IP_MULTICAST_TTL), 4);
	for (int loop = 1; loop >= 0; loop--) {
		CHECK_EQ(set_int_opt(s, IPPROTO_IP, IP_MULTICAST_LOOP, loop),
		    0);
		CHECK_EQ(get_int_opt(s, IPPROTO_IP, IP_MULTICAST_LOOP), loop);
		CHECK_EQ(nsock_sendto(s, "group", 5, 0, (struct sockaddr *)&to,
		    sizeof(to)), 5);
		pump();
		n = 0;
		while (nsock_recvfrom(r, buf, sizeof(buf), 0, NULL, NULL,
		    NULL) == 5)
			n++;
		CHECK_EQ(n, 1);
	}
	CHECK_EQ(nsock_setsockopt(r, IPPROTO_IP, IP_DROP_MEMBERSHIP, &mreq,
	    sizeof(mreq)), 0);
	CHECK_EQ(nsock_setsockopt(r, IPPROTO_IP, IP_DROP_MEMBERSHIP, &mreq,
	    sizeof(mreq)), -EADDRNOTAVAIL);
	mreq.imr_multiaddr.s_addr = inet_addr("10.1.2.3");
	CHECK_EQ(nsock_setsockopt(r, IPPROTO_IP, IP_ADD_MEMBERSHIP, &mreq,
	    sizeof(mreq)), -EINVAL);
	/* A membership still held is dropped by close. */
	mreq.imr_multiaddr.s_addr = inet_addr("239.1.2.4");
	CHECK_EQ(nsock_setsockopt(r, IPPROTO_IP, IP_ADD_MEMBERSHIP, &mreq,
	    sizeof(mreq)), 0);
	CHECK(igmp_lookfor_group(netif_get_by_index(1),
	    (ip4_addr_t *)&mreq.imr_multiaddr) != NULL);
	CHECK_EQ(nsock_close(r), 0);
	CHECK(igmp_lookfor_group(netif_get_by_index(1),
	    (ip4_addr_t *)&mreq.imr_multiaddr) == NULL);
	CHECK_EQ(nsock_close(s), 0);
}

/* IPv6 memberships: the same rules through IPV6_JOIN_GROUP/LEAVE. */
static void
test_multicast6(void)
{
	int r6 = nsock_create(AF_INET6, SOCK_DGRAM, 0);
	struct netif *lo = netif_get_by_index(1);
	struct ipv6_mreq m6;
	ip6_addr_t group;

	memset(&m6, 0, sizeof(m6));
	CHECK_EQ(inet_pton(AF_INET6, "ff15::1:2", &m6.ipv6mr_multiaddr), 1);
	m6.ipv6mr_interface = 1;
	CHECK_EQ(nsock_setsockopt(r6, IPPROTO_IPV6, IPV6_JOIN_GROUP, &m6,
	    sizeof(m6)), 0);
	CHECK_EQ(nsock_setsockopt(r6, IPPROTO_IPV6, IPV6_JOIN_GROUP, &m6,
	    sizeof(m6)), -EADDRINUSE);
	CHECK_EQ(nsock_setsockopt(r6, IPPROTO_IPV6, IPV6_LEAVE_GROUP, &m6,
	    sizeof(m6)), 0);
	CHECK_EQ(nsock_setsockopt(r6, IPPROTO_IPV6, IPV6_LEAVE_GROUP, &m6,
	    sizeof(m6)), -EADDRNOTAVAIL);
	m6.ipv6mr_interface = 200;
	CHECK_EQ(nsock_setsockopt(r6, IPPROTO_IPV6, IPV6_JOIN_GROUP, &m6,
	    sizeof(m6)), -ENODEV);
	CHECK_EQ(inet_pton(AF_INET6, "::1", &m6.ipv6mr_multiaddr), 1);
	CHECK_EQ(nsock_setsockopt(r6, IPPROTO_IPV6, IPV6_JOIN_GROUP, &m6,
	    sizeof(m6)), -EINVAL);
	CHECK_EQ(inet_pton(AF_INET6, "ff15::1:3", &m6.ipv6mr_multiaddr), 1);
	m6.ipv6mr_interface = 0;
	CHECK_EQ(nsock_setsockopt(r6, IPPROTO_IPV6, IPV6_JOIN_GROUP, &m6,
	    sizeof(m6)), 0);
	IP6_ADDR(&group, PP_HTONL(0xff150000), 0, 0, PP_HTONL(0x00010003));
	CHECK(mld6_lookfor_group(lo, &group) != NULL);
	CHECK_EQ(nsock_close(r6), 0);	/* leaves ff15::1:3 */
	CHECK(mld6_lookfor_group(lo, &group) == NULL);
}

/* ---- Raw ICMP ---- */

/* The Internet checksum of an ICMP message. */
static uint16_t
icmp_sum(const uint8_t *data, size_t len)
{
	uint32_t sum = 0;

	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(data[i] << 8 | data[i + 1]);
	if (len & 1)
		sum += (uint32_t)data[len - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return htons((uint16_t)~sum);
}

/* An echo request of 14 bytes: type, code, checksum, id, seq, "petrel". */
static void
echo_request(uint8_t *pkt, uint8_t type, uint16_t seq)
{
	uint16_t sum;

	memset(pkt, 0, 14);
	pkt[0] = type;
	pkt[4] = 0x12;
	pkt[5] = 0x34;
	pkt[6] = (uint8_t)(seq >> 8);
	pkt[7] = (uint8_t)seq;
	memcpy(pkt + 8, "petrel", 6);
	sum = icmp_sum(pkt, 14);
	memcpy(pkt + 2, &sum, 2);
}

/* ping over IPv4: the socket sees the request arrive and lwIP's reply,
   each with its IP header; ICMP_FILTER hides the requests. */
static void
test_raw4(void)
{
	uint8_t pkt[14], in[128];
	struct sockaddr_in to = addr4("127.0.0.1", 0), from, want;
	socklen_t len = sizeof(from);
	uint32_t filter = 1u << 8;	/* echo requests */
	int r;

	CHECK_EQ(nsock_create(AF_INET, SOCK_RAW, 0), -EPROTONOSUPPORT);
	CHECK_EQ(nsock_create(AF_INET, SOCK_RAW, IPPROTO_UDP),
	    -EPROTONOSUPPORT);
	CHECK_EQ(nsock_create(AF_INET6, SOCK_RAW, IPPROTO_ICMP),
	    -EPROTONOSUPPORT);
	r = nsock_create(AF_INET, SOCK_RAW, IPPROTO_ICMP);
	CHECK(r >= 0);
	CHECK_EQ(get_int_opt(r, SOL_SOCKET, SO_PROTOCOL), IPPROTO_ICMP);
	echo_request(pkt, 8, 1);
	CHECK_EQ(nsock_sendto(r, pkt, sizeof(pkt), 0, NULL, 0), -EDESTADDRREQ);
	CHECK_EQ(nsock_sendto(r, pkt, sizeof(pkt), 0, (struct sockaddr *)&to,
	    sizeof(to)), 14);
	pump();
	CHECK_EQ(nsock_recvfrom(r, in, sizeof(in), 0, (struct sockaddr *)&from,
	    &len, NULL), 34);
	want = addr4("127.0.0.1", 0);
	CHECK(len == 16 && memcmp(&from, &want, sizeof(want)) == 0);
	CHECK(in[0] == 0x45 && in[9] == IPPROTO_ICMP && in[20] == 8);
	CHECK_EQ(nsock_recvfrom(r, in, sizeof(in), 0, NULL, NULL, NULL), 34);
	CHECK(in[20] == 0 && memcmp(in + 24, pkt + 4, 10) == 0);
	CHECK_EQ(nsock_recvfrom(r, in, sizeof(in), 0, NULL, NULL, NULL),
	    -EAGAIN);
	CHECK_EQ(nsock_setsockopt(r, 255 /* SOL_RAW */, 1 /* ICMP_FILTER */,
	    &filter, sizeof(filter)), 0);
	echo_request(pkt, 8, 2);
	CHECK_EQ(nsock_sendto(r, pkt, sizeof(pkt), 0, (struct sockaddr *)&to,
	    sizeof(to)), 14);
	pump();
	CHECK_EQ(nsock_recvfrom(r, in, sizeof(in), 0, NULL, NULL, NULL), 34);
	CHECK(in[20] == 0 && in[27] == 2);
	CHECK_EQ(nsock_recvfrom(r, in, sizeof(in), 0, NULL, NULL, NULL),
	    -EAGAIN);
	to = addr4("255.255.255.255", 0);
	CHECK_EQ(nsock_sendto(r, pkt, sizeof(pkt), 0, (struct sockaddr *)&to,
	    sizeof(to)), -EACCES);
	CHECK_EQ(nsock_close(r), 0);
}

/* ping over IPv6: netd computes the ICMPv6 checksum; packets come
   without their IPv6 header; ICMP6_FILTER passes replies only. */
static void
test_raw6(void)
{
	uint8_t pkt[14], in[128];
	uint32_t filter[8];
	struct sockaddr_in6 to = addr6("::1", 0), from;
	socklen_t len = sizeof(from);
	int r = nsock_create(AF_INET6, SOCK_RAW, IPPROTO_ICMPV6);

	CHECK(r >= 0);
	CHECK_EQ(set_int_opt(r, 255, 7 /* IPV6_CHECKSUM */, 2), 0);
	CHECK_EQ(set_int_opt(r, 255, 7, 4), -EINVAL);
	echo_request(pkt, 128, 1);
	pkt[2] = pkt[3] = 0xff;	/* wrong on purpose: netd sets it */
	CHECK_EQ(nsock_sendto(r, pkt, 3, 0, (struct sockaddr *)&to,
	    sizeof(to)), -EINVAL);
	CHECK_EQ(nsock_sendto(r, pkt, sizeof(pkt), 0, (struct sockaddr *)&to,
	    sizeof(to)), 14);
	pump();
	CHECK_EQ(nsock_recvfrom(r, in, sizeof(in), 0, (struct sockaddr *)&from,
	    &len, NULL), 14);
	CHECK(len == 28 && IN6_IS_ADDR_LOOPBACK(&from.sin6_addr));
	CHECK_EQ(in[0], 128);
	CHECK_EQ(nsock_recvfrom(r, in, sizeof(in), 0, NULL, NULL, NULL), 14);
	CHECK(in[0] == 129 && memcmp(in + 4, pkt + 4, 10) == 0);
	memset(filter, 0xff, sizeof(filter));
	filter[129 >> 5] &= ~(1u << (129 & 31));
	CHECK_EQ(nsock_setsockopt(r, IPPROTO_ICMPV6, 1 /* ICMP6_FILTER */,
	    filter, sizeof(filter)), 0);
	CHECK_EQ(nsock_sendto(r, pkt, sizeof(pkt), 0, (struct sockaddr *)&to,
	    sizeof(to)), 14);
	pump();
	CHECK_EQ(nsock_recvfrom(r, in, sizeof(in), 0, NULL, NULL, NULL), 14);
	CHECK_EQ(in[0], 129);
	CHECK_EQ(nsock_recvfrom(r, in, sizeof(in), 0, NULL, NULL, NULL),
	    -EAGAIN);
	CHECK_EQ(nsock_close(r), 0);
}

void
test_udp_raw(int *count, int *failures)
{
	test_udp();
	test_udp_connect_source();
	test_udp_rcvbuf();
	test_udp6();
	test_multicast();
	test_multicast6();
	test_raw4();
	test_raw6();
	*count += check_count;
	*failures += check_failures;
	check_count = check_failures = 0;
}
