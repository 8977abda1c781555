/*
 * UDP sockets over 127.0.0.1 and ::1: bind and autobind, sendto/recvfrom
 * with addresses, message boundaries, truncation (MSG_TRUNC as a flag and
 * in recvmsg's msg_flags), zero-length datagrams, MSG_PEEK, FIONREAD,
 * EAGAIN, poll and epoll readiness, connect() as a filter and AF_UNSPEC,
 * size limits, SO_BROADCAST, the multicast options that need no traffic,
 * dual stack, and the errors of each. Ports come from the kernel (bind to
 * port 0) and are only compared, never printed.
 */
#include "abi.h"
#include "inet.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/uio.h>

/* A socket bound to 127.0.0.1 port 0; its port in *port. */
static int
bound4(int *port)
{
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	struct sockaddr_in a = addr4("127.0.0.1", 0);

	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0)
		return -1;
	*port = local_port(fd);
	return fd;
}

static ssize_t
send_to4(int fd, const void *buf, size_t len, int port)
{
	struct sockaddr_in a = addr4("127.0.0.1", port);

	return sendto(fd, buf, len, 0, (struct sockaddr *)&a, sizeof(a));
}

static int
connect4(int fd, int port)
{
	struct sockaddr_in a = addr4("127.0.0.1", port);

	return connect(fd, (struct sockaddr *)&a, sizeof(a));
}

static void
test_basics(void)
{
	int pa, a = bound4(&pa);
	int b = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	struct sockaddr_storage ss;
	socklen_t len;
	char buf[64];

	CHECK("bound", a >= 0 && pa > 0);
	CHECK_EQ("SOCK_NONBLOCK", !!(fcntl(b, F_GETFL) & O_NONBLOCK), 1);
	CHECK_EQ("SOCK_CLOEXEC", fcntl(b, F_GETFD), FD_CLOEXEC);
	CHECK_EQ("SO_TYPE", getopt_int(b, SOL_SOCKET, SO_TYPE), SOCK_DGRAM);
	CHECK_EQ("SO_PROTOCOL", getopt_int(b, SOL_SOCKET, SO_PROTOCOL),
	    IPPROTO_UDP);
	CHECK_STR("fresh socket polls", revents_str(poll_one(b, POLLIN |
	    POLLOUT | POLLRDHUP, 0)), "OUT");
	CHECK_STR("fresh name", name_of(b, 0), "AF_INET 0.0.0.0 len 16");
	CHECK_EQ("fresh port", local_port(b), 0);
	CHECK_STR("bound name", name_of(a, 0), "AF_INET 127.0.0.1 len 16");
	CHECK_STR("no peer", name_of(a, 1), "ENOTCONN");

	CHECK_EQ("sendto from an unbound socket", send_to4(b, "hello", 5, pa),
	    5);
	CHECK_STR("autobound to any address", name_of(b, 0),
	    "AF_INET 0.0.0.0 len 16");
	CHECK("autobound to a port", local_port(b) > 0);
	CHECK_STR("receiver readable", revents_str(poll_one(a, POLLIN |
	    POLLOUT, WAIT_MS)), "IN OUT");
	int avail = -1;
	CHECK_OK("FIONREAD", ioctl(a, FIONREAD, &avail));
	CHECK_EQ("FIONREAD size", avail, 5);
	len = sizeof(ss);
	memset(buf, 0, sizeof(buf));
	CHECK_EQ("recvfrom", recvfrom(a, buf, sizeof(buf), 0,
	    (struct sockaddr *)&ss, &len), 5);
	CHECK_STR("data", buf, "hello");
	CHECK_STR("sender", addr_str(&ss, len), "AF_INET 127.0.0.1 len 16");
	CHECK("sender's port", port_in(&ss) == local_port(b));
	CHECK_ERR("nothing left, MSG_DONTWAIT", recv(a, buf, sizeof(buf),
	    MSG_DONTWAIT), EAGAIN);
	CHECK_ERR("nothing, O_NONBLOCK", recv(b, buf, sizeof(buf), 0), EAGAIN);
	CHECK_STR("drained", revents_str(poll_one(a, POLLIN | POLLOUT, 0)),
	    "OUT");

	/* A reply to the autobound port. */
	CHECK_EQ("reply", sendto(a, "back", 4, 0, (struct sockaddr *)&ss, len),
	    4);
	poll_one(b, POLLIN, WAIT_MS);
	len = sizeof(ss);
	CHECK_EQ("reply received", recvfrom(b, buf, sizeof(buf), 0,
	    (struct sockaddr *)&ss, &len), 4);
	CHECK("from the bound port", port_in(&ss) == pa);

	/* A short address buffer is filled as far as it goes; the length
	   says the full size. */
	send_to4(b, "x", 1, pa);
	struct sockaddr_in small;
	len = 4;
	memset(&small, 0xff, sizeof(small));
	CHECK_EQ("recvfrom, address cut", recvfrom(a, buf, sizeof(buf), 0,
	    (struct sockaddr *)&small, &len), 1);
	CHECK_EQ("full address length", len, sizeof(struct sockaddr_in));
	CHECK_EQ("family copied", small.sin_family, AF_INET);
	CHECK_EQ("address left alone", small.sin_addr.s_addr, 0xffffffff);
	send_to4(b, "y", 1, pa);
	CHECK_EQ("recvfrom without address", recvfrom(a, buf, sizeof(buf), 0,
	    NULL, NULL), 1);
	close(a);
	close(b);
}

static void
test_boundaries(void)
{
	int pa, a = bound4(&pa);
	int pb, b = bound4(&pb);
	char buf[64];
	struct iovec iov;
	struct msghdr m;
	struct sockaddr_storage ss;

	send_to4(b, "one", 3, pa);
	send_to4(b, "two2", 4, pa);
	send_to4(b, "three33", 7, pa);
	poll_one(a, POLLIN, WAIT_MS);
	int avail = -1;
	ioctl(a, FIONREAD, &avail);
	CHECK_EQ("FIONREAD: the first datagram only", avail, 3);
	memset(buf, 0, sizeof(buf));
	CHECK_EQ("MSG_PEEK", recv(a, buf, sizeof(buf), MSG_PEEK), 3);
	CHECK_STR("peeked", buf, "one");
	CHECK_EQ("peek again, short", recv(a, buf, 2, MSG_PEEK), 2);
	memset(buf, 0, sizeof(buf));
	CHECK_EQ("first", recv(a, buf, sizeof(buf), 0), 3);
	CHECK_STR("first data", buf, "one");
	memset(buf, 0, sizeof(buf));
	CHECK_EQ("second", recv(a, buf, sizeof(buf), 0), 4);
	CHECK_STR("second data", buf, "two2");
	memset(buf, 0, sizeof(buf));
	CHECK_EQ("third", recv(a, buf, sizeof(buf), 0), 7);
	CHECK_STR("third data", buf, "three33");

	/* Truncation: the rest of the datagram is gone. */
	send_to4(b, "0123456789", 10, pa);
	send_to4(b, "next", 4, pa);
	memset(buf, 0, sizeof(buf));
	CHECK_EQ("short read", recv(a, buf, 4, 0), 4);
	CHECK_STR("its start", buf, "0123");
	memset(buf, 0, sizeof(buf));
	CHECK_EQ("the rest is discarded", recv(a, buf, sizeof(buf), 0), 4);
	CHECK_STR("next datagram", buf, "next");
	send_to4(b, "0123456789", 10, pa);
	CHECK_EQ("MSG_TRUNC gives the real length", recv(a, buf, 4,
	    MSG_TRUNC), 10);
	send_to4(b, "0123456789", 10, pa);
	CHECK_EQ("MSG_TRUNC|MSG_PEEK", recv(a, buf, 2, MSG_TRUNC | MSG_PEEK),
	    10);
	CHECK_EQ("still there", recv(a, buf, sizeof(buf), 0), 10);

	/* recvmsg reports the cut in msg_flags. */
	send_to4(b, "0123456789", 10, pa);
	memset(&m, 0, sizeof(m));
	iov.iov_base = buf;
	iov.iov_len = 4;
	m.msg_iov = &iov;
	m.msg_iovlen = 1;
	m.msg_name = &ss;
	m.msg_namelen = sizeof(ss);
	m.msg_flags = -1;
	CHECK_EQ("recvmsg short", recvmsg(a, &m, 0), 4);
	CHECK_EQ("msg_flags MSG_TRUNC", m.msg_flags, MSG_TRUNC);
	CHECK_EQ("msg_namelen", m.msg_namelen, sizeof(struct sockaddr_in));
	CHECK("msg_name is the sender", port_in(&ss) == pb);
	send_to4(b, "0123456789", 10, pa);
	m.msg_namelen = sizeof(ss);
	CHECK_EQ("recvmsg MSG_TRUNC", recvmsg(a, &m, MSG_TRUNC), 10);
	CHECK_EQ("msg_flags MSG_TRUNC again", m.msg_flags, MSG_TRUNC);
	send_to4(b, "0123456789", 10, pa);
	iov.iov_len = sizeof(buf);
	m.msg_flags = -1;
	CHECK_EQ("recvmsg whole", recvmsg(a, &m, 0), 10);
	CHECK_EQ("msg_flags clear", m.msg_flags, 0);
	send_to4(b, "0123456789", 10, pa);
	char part1[3], part2[3];
	struct iovec two[2] = { { part1, 3 }, { part2, 3 } };
	m.msg_iov = two;
	m.msg_iovlen = 2;
	CHECK_EQ("recvmsg into two pieces", recvmsg(a, &m, 0), 6);
	CHECK("pieces", memcmp(part1, "012", 3) == 0 &&
	    memcmp(part2, "345", 3) == 0);
	CHECK_EQ("cut across pieces", m.msg_flags, MSG_TRUNC);

	/* Zero-length datagrams exist. */
	CHECK_EQ("send 0 bytes", send_to4(b, "", 0, pa), 0);
	CHECK_STR("readable", revents_str(poll_one(a, POLLIN, WAIT_MS)), "IN");
	avail = -1;
	ioctl(a, FIONREAD, &avail);
	CHECK_EQ("FIONREAD 0", avail, 0);
	socklen_t len = sizeof(ss);
	CHECK_EQ("recv 0 bytes", recvfrom(a, buf, sizeof(buf), 0,
	    (struct sockaddr *)&ss, &len), 0);
	CHECK("from b", port_in(&ss) == pb);
	CHECK_ERR("consumed", recv(a, buf, sizeof(buf), MSG_DONTWAIT), EAGAIN);
	close(a);
	close(b);
}

/*
 * A socket bound to an explicit port: Linux's connect(AF_UNSPEC) lets go
 * of a port that bind() picked (port 0) but keeps one asked for.
 */
static int
bound4_fixed(int *port)
{
	int tmp = bound4(port);
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	struct sockaddr_in a = addr4("127.0.0.1", *port);

	close(tmp);
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0)
		return -1;
	return fd;
}

static void
test_connect(void)
{
	int pa, a = bound4_fixed(&pa);
	int pb, b = bound4(&pb);
	int pc, c = bound4(&pc);
	char buf[16];
	struct sockaddr_storage ss;
	socklen_t len;

	CHECK_ERR("send unconnected", send(a, "x", 1, 0), EDESTADDRREQ);
	CHECK_ERR("sendto port 0", send_to4(a, "x", 1, 0), EINVAL);
	CHECK_EQ("connect", connect4(a, pb), 0);
	CHECK_STR("peer", name_of(a, 1), "AF_INET 127.0.0.1 len 16");
	len = sizeof(ss);
	getpeername(a, (struct sockaddr *)&ss, &len);
	CHECK("peer port", port_in(&ss) == pb);
	CHECK_EQ("connect again elsewhere", connect4(a, pc), 0);
	CHECK_EQ("and back", connect4(a, pb), 0);

	/* Only the peer's datagrams arrive. */
	send_to4(c, "fromc", 5, pa);
	send_to4(b, "fromb", 5, pa);
	memset(buf, 0, sizeof(buf));
	CHECK_EQ("filtered recv", recv(a, buf, sizeof(buf), 0), 5);
	CHECK_STR("from the peer", buf, "fromb");
	abi_sleep_ms(50);
	CHECK_ERR("the other was dropped", recv(a, buf, sizeof(buf),
	    MSG_DONTWAIT), EAGAIN);

	CHECK_EQ("send connected", send(a, "toB", 3, 0), 3);
	len = sizeof(ss);
	CHECK_EQ("peer gets it", recvfrom(b, buf, sizeof(buf), 0,
	    (struct sockaddr *)&ss, &len), 3);
	CHECK("from a", port_in(&ss) == pa);
	CHECK_EQ("write connected", write(a, "w", 1), 1);
	CHECK_EQ("read by the peer", read(b, buf, sizeof(buf)), 1);
	CHECK_EQ("sendto elsewhere while connected", send_to4(a, "toC", 3,
	    pc), 3);
	CHECK_EQ("arrives", recv(c, buf, sizeof(buf), 0), 3);

	struct sockaddr unspec = { .sa_family = AF_UNSPEC };
	CHECK_EQ("connect AF_UNSPEC", connect(a, &unspec, sizeof(unspec)), 0);
	CHECK_STR("no peer now", name_of(a, 1), "ENOTCONN");
	CHECK("port kept", local_port(a) == pa);
	CHECK_ERR("send after disconnect", send(a, "x", 1, 0), EDESTADDRREQ);
	send_to4(c, "open", 4, pa);
	CHECK_EQ("anyone again", recv(a, buf, sizeof(buf), 0), 4);

	int d = socket(AF_INET, SOCK_DGRAM, 0);
	CHECK_EQ("connect an unbound socket", connect4(d, pa), 0);
	CHECK_STR("it gets a local address", name_of(d, 0),
	    "AF_INET 127.0.0.1 len 16");
	CHECK("and a port", local_port(d) > 0);
	int f = socket(AF_INET, SOCK_DGRAM, 0);
	connect4(f, pa);
	connect(f, &unspec, sizeof(unspec));
	CHECK_STR("disconnect forgets the chosen address", name_of(f, 0),
	    "AF_INET 0.0.0.0 len 16");
	close(f);
	CHECK_ERR("shutdown unconnected", shutdown(b, SHUT_RD), ENOTCONN);
	CHECK_EQ("shutdown connected", shutdown(d, SHUT_WR), 0);
	CHECK_ERR("send after SHUT_WR", send(d, "x", 1, MSG_NOSIGNAL), EPIPE);
	close(d);
	close(a);
	close(b);
	close(c);
}

static void
test_limits_and_options(void)
{
	int pa, a = bound4(&pa);
	int b = socket(AF_INET, SOCK_DGRAM, 0);
	static char big[65600];
	int r;

	memset(big, 'u', sizeof(big));
	CHECK_ERR("65508 bytes", send_to4(b, big, 65508, pa), EMSGSIZE);
	CHECK_EQ("65507 bytes", send_to4(b, big, 65507, pa), 65507);
	CHECK_EQ("received whole", recv(a, big, sizeof(big), 0), 65507);

	CHECK_EQ("SO_BROADCAST default", getopt_int(b, SOL_SOCKET,
	    SO_BROADCAST), 0);
	struct sockaddr_in bc = addr4("255.255.255.255", 9);
	CHECK_ERR("broadcast without SO_BROADCAST", sendto(b, "x", 1, 0,
	    (struct sockaddr *)&bc, sizeof(bc)), EACCES);
	CHECK_EQ("set SO_BROADCAST", setopt_int(b, SOL_SOCKET, SO_BROADCAST,
	    1), 0);
	CHECK_EQ("SO_BROADCAST", getopt_int(b, SOL_SOCKET, SO_BROADCAST), 1);

	CHECK("SO_RCVBUF nonzero", getopt_int(b, SOL_SOCKET, SO_RCVBUF) > 0);
	CHECK("SO_SNDBUF nonzero", getopt_int(b, SOL_SOCKET, SO_SNDBUF) > 0);
	setopt_int(b, SOL_SOCKET, SO_RCVBUF, 32768);
	CHECK_EQ("SO_RCVBUF doubled", getopt_int(b, SOL_SOCKET, SO_RCVBUF),
	    65536);
	CHECK_EQ("SO_ERROR", getopt_int(b, SOL_SOCKET, SO_ERROR), 0);
	CHECK_EQ("IP_TTL", getopt_int(b, IPPROTO_IP, IP_TTL), 64);
	setopt_int(b, IPPROTO_IP, IP_TTL, 9);
	CHECK_EQ("IP_TTL set", getopt_int(b, IPPROTO_IP, IP_TTL), 9);
	CHECK_ERR("IP_TTL 0", setopt_int(b, IPPROTO_IP, IP_TTL, 0), EINVAL);
	CHECK_EQ("IP_MULTICAST_TTL default", getopt_int(b, IPPROTO_IP,
	    IP_MULTICAST_TTL), 1);
	CHECK_EQ("set IP_MULTICAST_TTL", setopt_int(b, IPPROTO_IP,
	    IP_MULTICAST_TTL, 7), 0);
	CHECK_EQ("IP_MULTICAST_TTL", getopt_int(b, IPPROTO_IP,
	    IP_MULTICAST_TTL), 7);
	unsigned char byte = 5;
	CHECK_EQ("IP_MULTICAST_TTL as a byte", setsockopt(b, IPPROTO_IP,
	    IP_MULTICAST_TTL, &byte, 1), 0);
	byte = 0;
	socklen_t len = 1;
	getsockopt(b, IPPROTO_IP, IP_MULTICAST_TTL, &byte, &len);
	CHECK("read back as a byte", byte == 5 && len == 1);
	CHECK_ERR("IP_MULTICAST_TTL 256", setopt_int(b, IPPROTO_IP,
	    IP_MULTICAST_TTL, 256), EINVAL);
	setopt_int(b, IPPROTO_IP, IP_MULTICAST_TTL, -1);
	CHECK_EQ("-1 restores the default", getopt_int(b, IPPROTO_IP,
	    IP_MULTICAST_TTL), 1);
	CHECK_EQ("IP_MULTICAST_LOOP default", getopt_int(b, IPPROTO_IP,
	    IP_MULTICAST_LOOP), 1);
	setopt_int(b, IPPROTO_IP, IP_MULTICAST_LOOP, 0);
	CHECK_EQ("IP_MULTICAST_LOOP off", getopt_int(b, IPPROTO_IP,
	    IP_MULTICAST_LOOP), 0);
	struct in_addr ifa = { 0x12345678 };
	len = sizeof(ifa);
	CHECK_EQ("IP_MULTICAST_IF", getsockopt(b, IPPROTO_IP, IP_MULTICAST_IF,
	    &ifa, &len), 0);
	CHECK("IP_MULTICAST_IF any", ifa.s_addr == 0 && len == sizeof(ifa));

	struct ip_mreq mr;
	inet_pton(AF_INET, "10.1.2.3", &mr.imr_multiaddr);
	mr.imr_interface.s_addr = htonl(INADDR_LOOPBACK);
	CHECK_ERR("join a unicast address", setsockopt(b, IPPROTO_IP,
	    IP_ADD_MEMBERSHIP, &mr, sizeof(mr)), EINVAL);
	inet_pton(AF_INET, "239.1.2.3", &mr.imr_multiaddr);
	CHECK_ERR("leave a group not joined", setsockopt(b, IPPROTO_IP,
	    IP_DROP_MEMBERSHIP, &mr, sizeof(mr)), EADDRNOTAVAIL);
	CHECK_ERR("ip_mreq too short", setsockopt(b, IPPROTO_IP,
	    IP_ADD_MEMBERSHIP, &mr, 4), EINVAL);

	CHECK_EQ("TCP option on UDP", getopt_int(b, IPPROTO_TCP, 1),
	    -EOPNOTSUPP);
	CHECK_ERR("set a TCP option on UDP", setopt_int(b, IPPROTO_TCP, 1, 1),
	    ENOPROTOOPT);
	CHECK_ERR("listen on UDP", listen(b, 1), EOPNOTSUPP);
	CHECK_ERR("accept on UDP", accept(b, NULL, NULL), EOPNOTSUPP);

	/* Ports: shared only with SO_REUSEADDR on both. */
	int c = socket(AF_INET, SOCK_DGRAM, 0);
	struct sockaddr_in at = addr4("127.0.0.1", pa);
	CHECK_ERR("bind a used port", bind(c, (struct sockaddr *)&at,
	    sizeof(at)), EADDRINUSE);
	struct sockaddr_in any = addr4("0.0.0.0", pa);
	CHECK_ERR("bind it on 0.0.0.0", bind(c, (struct sockaddr *)&any,
	    sizeof(any)), EADDRINUSE);
	close(c);
	int d = socket(AF_INET, SOCK_DGRAM, 0);
	int e = socket(AF_INET, SOCK_DGRAM, 0);
	setopt_int(d, SOL_SOCKET, SO_REUSEADDR, 1);
	setopt_int(e, SOL_SOCKET, SO_REUSEADDR, 1);
	at = addr4("127.0.0.1", 0);
	bind(d, (struct sockaddr *)&at, sizeof(at));
	at.sin_port = htons(local_port(d));
	r = bind(e, (struct sockaddr *)&at, sizeof(at));
	CHECK_EQ("SO_REUSEADDR on both", r, 0);
	CHECK_ERR("bind twice", bind(e, (struct sockaddr *)&at, sizeof(at)),
	    EINVAL);
	close(d);
	close(e);
	close(a);
	close(b);
}

static void
test_epoll(void)
{
	int pa, a = bound4(&pa);
	int b = socket(AF_INET, SOCK_DGRAM, 0);
	int ep = epoll_create1(0);
	struct epoll_event e = { .events = EPOLLIN | EPOLLET, .data.u64 = 1 };
	struct epoll_event out[2];
	char buf[8];

	epoll_ctl(ep, EPOLL_CTL_ADD, a, &e);
	CHECK_EQ("EPOLLET: nothing", epoll_wait(ep, out, 2, 0), 0);
	send_to4(b, "1", 1, pa);
	CHECK_EQ("EPOLLET: a datagram", epoll_wait(ep, out, 2, WAIT_MS), 1);
	CHECK_STR("its events", revents_str((int)out[0].events), "IN");
	CHECK_EQ("EPOLLET: once", epoll_wait(ep, out, 2, 0), 0);
	recv(a, buf, sizeof(buf), 0);
	send_to4(b, "2", 1, pa);
	CHECK_EQ("EPOLLET: the next", epoll_wait(ep, out, 2, WAIT_MS), 1);
	recv(a, buf, sizeof(buf), 0);
	CHECK_EQ("EPOLLET: drained", epoll_wait(ep, out, 2, 0), 0);

	e.events = EPOLLIN | EPOLLOUT;
	epoll_ctl(ep, EPOLL_CTL_MOD, a, &e);
	CHECK_EQ("level: writable", epoll_wait(ep, out, 2, 0), 1);
	CHECK_STR("level events", revents_str((int)out[0].events), "OUT");
	shutdown(a, SHUT_RD);
	CHECK_STR("SHUT_RD polls", revents_str(poll_one(a, POLLIN | POLLOUT |
	    POLLRDHUP, 0)), "IN OUT RDHUP");
	CHECK_ERR("SHUT_RD: still no datagram", recv(a, buf, sizeof(buf),
	    MSG_DONTWAIT), EAGAIN);
	shutdown(a, SHUT_WR);
	CHECK_STR("SHUT_RDWR polls", revents_str(poll_one(a, POLLIN | POLLOUT |
	    POLLRDHUP, 0)), "IN OUT HUP RDHUP");
	close(ep);
	close(a);
	close(b);
}

static void
test_ipv6(void)
{
	int a = socket(AF_INET6, SOCK_DGRAM, 0);
	struct sockaddr_in6 a6 = addr6("::1", 0);
	struct sockaddr_storage ss;
	socklen_t len;
	char buf[16];

	CHECK_EQ("bind ::1", bind(a, (struct sockaddr *)&a6, sizeof(a6)), 0);
	CHECK_STR("name", name_of(a, 0), "AF_INET6 ::1 len 28");
	int pa = local_port(a);
	int b = socket(AF_INET6, SOCK_DGRAM, 0);
	a6.sin6_port = htons(pa);
	CHECK_EQ("sendto ::1", sendto(b, "six", 3, 0, (struct sockaddr *)&a6,
	    sizeof(a6)), 3);
	len = sizeof(ss);
	memset(buf, 0, sizeof(buf));
	CHECK_EQ("recvfrom", recvfrom(a, buf, sizeof(buf), 0,
	    (struct sockaddr *)&ss, &len), 3);
	CHECK_STR("sender", addr_str(&ss, len), "AF_INET6 ::1 len 28");
	CHECK("sender's port", port_in(&ss) == local_port(b));
	CHECK_STR("autobound IPv6", name_of(b, 0), "AF_INET6 :: len 28");
	CHECK_EQ("IPV6_MULTICAST_HOPS default", getopt_int(b, IPPROTO_IPV6,
	    IPV6_MULTICAST_HOPS), 1);
	CHECK_EQ("IPV6_MULTICAST_LOOP default", getopt_int(b, IPPROTO_IPV6,
	    IPV6_MULTICAST_LOOP), 1);
	CHECK_EQ("IPV6_UNICAST_HOPS default", getopt_int(b, IPPROTO_IPV6,
	    IPV6_UNICAST_HOPS), 64);
	CHECK_EQ("IPV6_V6ONLY default", getopt_int(b, IPPROTO_IPV6,
	    IPV6_V6ONLY), 0);
	CHECK_EQ("TCP option on IPv6 UDP", getopt_int(b, IPPROTO_TCP, 1),
	    -ENOPROTOOPT);
	close(b);
	close(a);

	/* Dual stack: IPv4 senders appear as mapped addresses. */
	a = socket(AF_INET6, SOCK_DGRAM, 0);
	a6 = addr6("::", 0);
	bind(a, (struct sockaddr *)&a6, sizeof(a6));
	pa = local_port(a);
	int pv4, v4 = bound4(&pv4);
	CHECK_EQ("IPv4 to [::]", send_to4(v4, "four", 4, pa), 4);
	len = sizeof(ss);
	CHECK_EQ("received", recvfrom(a, buf, sizeof(buf), 0,
	    (struct sockaddr *)&ss, &len), 4);
	CHECK_STR("mapped sender", addr_str(&ss, len),
	    "AF_INET6 ::ffff:127.0.0.1 len 28");
	CHECK_EQ("reply to the mapped address", sendto(a, "ok", 2, 0,
	    (struct sockaddr *)&ss, len), 2);
	len = sizeof(ss);
	CHECK_EQ("IPv4 gets it", recvfrom(v4, buf, sizeof(buf), 0,
	    (struct sockaddr *)&ss, &len), 2);
	CHECK_STR("from IPv4", addr_str(&ss, len), "AF_INET 127.0.0.1 len 16");
	struct sockaddr_in to4 = addr4("127.0.0.1", pv4);
	CHECK_EQ("IPv6 socket sends to an AF_INET address", sendto(a, "v4", 2,
	    0, (struct sockaddr *)&to4, sizeof(to4)), 2);
	CHECK_EQ("arrives", recv(v4, buf, sizeof(buf), 0), 2);
	close(a);

	a = socket(AF_INET6, SOCK_DGRAM, 0);
	setopt_int(a, IPPROTO_IPV6, IPV6_V6ONLY, 1);
	struct sockaddr_in6 m6 = addr6("::ffff:127.0.0.1", pv4);
	CHECK_ERR("v6-only to a mapped address", sendto(a, "x", 1, 0,
	    (struct sockaddr *)&m6, sizeof(m6)), ENETUNREACH);
	close(a);
	close(v4);
}

/* getsockname's buffer checks; a privileged port is root's. */
static void
test_name_and_port(void)
{
	int s = socket(AF_INET, SOCK_DGRAM, 0);
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t len = sizeof(a);
	CHECK_ERR("getsockname NULL buffer", getsockname(s, NULL, &len), EFAULT);
	CHECK_ERR("getsockname NULL length", getsockname(s, (struct sockaddr *)&a,
	    NULL), EFAULT);
	socklen_t bad = (socklen_t)-1;
	CHECK_ERR("getsockname negative length", getsockname(s,
	    (struct sockaddr *)&a, &bad), EINVAL);
	a.sin_port = htons(80);
	CHECK_OK("seteuid 65534", seteuid(65534));
	CHECK_ERR("bind port 80 as a user", bind(s, (struct sockaddr *)&a,
	    sizeof(a)), EACCES);
	CHECK_OK("seteuid back", seteuid(0));
	close(s);
}

int
main(void)
{
	abi_init();
	test_name_and_port();
	test_basics();
	test_boundaries();
	test_connect();
	test_limits_and_options();
	test_epoll();
	test_ipv6();
	return abi_done("udp");
}
