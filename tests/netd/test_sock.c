/*
 * Host test of netd's socket core: lwIP runs in-process (NO_SYS) over its
 * loopback interface, driven by a poll loop, on a virtual clock only the
 * test moves, so runs repeat exactly; checks go through the nsock_* API.
 * Built with ASan and UBSan, and lwIP's pools come from malloc, so a pcb
 * touched after lwIP freed it, or anything leaked, fails the test.
 * This file has the harness, creating sockets, limits, /proc and the
 * fuzzer; TCP is test_sock_tcp.c's, UDP and raw ICMP test_sock_udp.c's,
 * the listen queues test_listen.c's.
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
#include "harness.h"

/* ---- Harness: the stack, its clock, and notifications ---- */

unsigned note_events[NSOCK_MAX];
unsigned note_count[NSOCK_MAX];

static void
on_notify(int id, unsigned events, void *ctx)
{
	CHECK(ctx == note_events);
	CHECK(id >= 0 && id < NSOCK_MAX);
	if (id < 0 || id >= NSOCK_MAX)
		return;
	/* The callback must see what nsock_poll() says at that moment. */
	CHECK_EQ(events, nsock_poll(id));
	note_events[id] = events;
	note_count[id]++;
}

static bool
loop_pending(void)
{
	struct netif *netif;

	NETIF_FOREACH(netif) {
		if (netif->loop_first != NULL)
			return true;
	}
	return false;
}

/* Delivers looped packets until the stack is quiet. */
void
pump(void)
{
	for (int i = 0; i < 100000; i++) {
		sys_check_timeouts();
		if (!loop_pending())
			return;
		netif_poll_all();
	}
	CHECK(!"pump: stack never settled");
}

/* Lets ms of virtual time pass, in timer-sized steps. */
void
advance(unsigned ms)
{
	for (unsigned t = 0; t < ms; t += 50) {
		petrel_lwip_virtual_ms += 50;
		pump();
	}
}

struct sockaddr_in
addr4(const char *ip, int port)
{
	struct sockaddr_in sin;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t)port);
	CHECK_EQ(inet_pton(AF_INET, ip, &sin.sin_addr), 1);
	return sin;
}

struct sockaddr_in6
addr6(const char *ip, int port)
{
	struct sockaddr_in6 sin6;

	memset(&sin6, 0, sizeof(sin6));
	sin6.sin6_family = AF_INET6;
	sin6.sin6_port = htons((uint16_t)port);
	CHECK_EQ(inet_pton(AF_INET6, ip, &sin6.sin6_addr), 1);
	return sin6;
}

/* A socket address of either family, by textual address. */
struct any_addr {
	struct sockaddr_storage ss;
	socklen_t len;
};

static struct any_addr
addr_of(const char *ip, int port)
{
	struct any_addr a;

	memset(&a, 0, sizeof(a));
	if (strchr(ip, ':') != NULL) {
		struct sockaddr_in6 sin6 = addr6(ip, port);

		memcpy(&a.ss, &sin6, sizeof(sin6));
		a.len = sizeof(sin6);
	} else {
		struct sockaddr_in sin = addr4(ip, port);

		memcpy(&a.ss, &sin, sizeof(sin));
		a.len = sizeof(sin);
	}
	return a;
}

int
do_bind(int id, const char *ip, int port)
{
	struct any_addr a = addr_of(ip, port);

	return nsock_bind(id, (struct sockaddr *)&a.ss, a.len);
}

int
do_connect(int id, const char *ip, int port)
{
	struct any_addr a = addr_of(ip, port);

	return nsock_connect(id, (struct sockaddr *)&a.ss, a.len);
}

int
listener(int family, const char *ip, int port, int backlog)
{
	int l = nsock_create(family, SOCK_STREAM, 0);

	CHECK(l >= 0);
	CHECK_EQ(do_bind(l, ip, port), 0);
	CHECK_EQ(nsock_listen(l, backlog), 0);
	return l;
}

/* Connects a new client of family to ip:port and accepts it on l. */
void
connect_pair(int l, int family, const char *ip, int port, int *client,
    int *server)
{
	int c = nsock_create(family, SOCK_STREAM, 0);

	CHECK(c >= 0);
	CHECK_EQ(do_connect(c, ip, port), -EINPROGRESS);
	pump();
	*server = nsock_accept(l, NULL, NULL);
	CHECK(*server >= 0);
	CHECK_EQ(do_connect(c, ip, port), 0);
	*client = c;
}

int
get_int_opt(int id, int level, int name)
{
	int v = -12345;
	socklen_t len = sizeof(v);

	CHECK_EQ(nsock_getsockopt(id, level, name, &v, &len), 0);
	CHECK_EQ(len, sizeof(v));
	return v;
}

int
set_int_opt(int id, int level, int name, int v)
{
	return nsock_setsockopt(id, level, name, &v, sizeof(v));
}

/* ---- Port layer ---- */

static void
test_siphash(void)
{
	uint8_t key[16], msg[15];

	for (int i = 0; i < 16; i++)
		key[i] = (uint8_t)i;
	for (int i = 0; i < 15; i++)
		msg[i] = (uint8_t)i;
	/* Reference vectors from the SipHash paper. */
	CHECK(petrel_siphash24(key, msg, 0) == 0x726fdb47dd0e0e31ull);
	CHECK(petrel_siphash24(key, msg, 15) == 0xa129ca6149be45e5ull);
}

/* ---- Creating sockets ---- */

static void
test_create(void)
{
	int t, u;

	CHECK_EQ(nsock_create(AF_UNIX, SOCK_STREAM, 0), -EAFNOSUPPORT);
	CHECK_EQ(nsock_create(AF_INET, SOCK_SEQPACKET, 0), -ESOCKTNOSUPPORT);
	CHECK_EQ(nsock_create(AF_INET, 99, 0), -EINVAL);
	CHECK_EQ(nsock_create(AF_INET, SOCK_STREAM, IPPROTO_UDP),
	    -EPROTONOSUPPORT);
	CHECK_EQ(nsock_create(AF_INET6, SOCK_DGRAM, IPPROTO_TCP),
	    -EPROTONOSUPPORT);
	t = nsock_create(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, IPPROTO_TCP);
	u = nsock_create(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	CHECK(t >= 0 && u >= 0 && t != u);
	/* A fresh TCP socket is "hung up" but writable, as on Linux. */
	CHECK_EQ(nsock_poll(t), POLLOUT | POLLWRNORM | POLLHUP);
	CHECK_EQ(nsock_poll(u), POLLOUT | POLLWRNORM | POLLWRBAND);
	CHECK_EQ(get_int_opt(t, SOL_SOCKET, SO_TYPE), SOCK_STREAM);
	CHECK_EQ(get_int_opt(u, SOL_SOCKET, SO_TYPE), SOCK_DGRAM);
	CHECK_EQ(get_int_opt(u, SOL_SOCKET, SO_DOMAIN), AF_INET6);
	CHECK_EQ(get_int_opt(t, SOL_SOCKET, SO_PROTOCOL), IPPROTO_TCP);
	/* Unconnected TCP: Linux's errors. */
	CHECK_EQ(nsock_sendto(t, "x", 1, 0, NULL, 0), -EPIPE);
	CHECK_EQ(nsock_recvfrom(t, NULL, 1, 0, NULL, NULL, NULL), -ENOTCONN);
	CHECK_EQ(nsock_accept(t, NULL, NULL), -EINVAL);
	CHECK_EQ(nsock_listen(u, 1), -EOPNOTSUPP);
	CHECK_EQ(nsock_getpeername(t, NULL, &(socklen_t){ 0 }), -ENOTCONN);
	CHECK_EQ(nsock_shutdown(t, 7), -EINVAL);
	CHECK_EQ(nsock_shutdown(t, SHUT_WR), -ENOTCONN);
	CHECK_EQ(do_bind(t, "10.99.99.99", 0), -EADDRNOTAVAIL);
	CHECK_EQ(do_bind(t, "::1", 0), -EAFNOSUPPORT);
	CHECK_EQ(do_bind(u, "127.0.0.1", 0), -EINVAL);	/* too short */
	CHECK_EQ(nsock_close(t), 0);
	CHECK_EQ(nsock_close(t), -EBADF);
	CHECK_EQ(nsock_close(u), 0);
	CHECK_EQ(nsock_poll(t), POLLNVAL);
	CHECK_EQ(nsock_close(-1), -EBADF);
	CHECK_EQ(nsock_close(NSOCK_MAX), -EBADF);
}

/* ---- Limits, /proc and robustness ---- */

static void
test_limits(void)
{
	int ids[NSOCK_MAX], n = 0, l, c, r;

	l = listener(AF_INET, "127.0.0.1", 6400, 4);
	while (n < NSOCK_MAX && (r = nsock_create(AF_INET, SOCK_DGRAM, 0)) >= 0)
		ids[n++] = r;
	CHECK_EQ(n, NSOCK_MAX - 1);
	CHECK_EQ(nsock_create(AF_INET, SOCK_STREAM, 0), -ENFILE);
	/* One free slot: the client takes it, and the server side of the
	   connection then finds none, so the connection is reset. */
	CHECK_EQ(nsock_close(ids[--n]), 0);
	c = nsock_create(AF_INET, SOCK_STREAM, 0);
	CHECK(c >= 0);
	CHECK_EQ(do_connect(c, "127.0.0.1", 6400), -EINPROGRESS);
	pump();
	CHECK_EQ(nsock_accept(l, NULL, NULL), -EAGAIN);
	CHECK_EQ(do_connect(c, "127.0.0.1", 6400), -ECONNRESET);
	while (n > 0)
		CHECK_EQ(nsock_close(ids[--n]), 0);
	CHECK_EQ(nsock_close(c), 0);
	CHECK_EQ(nsock_close(l), 0);
	pump();
}

/* The line of /proc/net/tcp that contains needle, or NULL. */
static const char *
proc_line(const char *text, const char *needle, char *line, size_t size)
{
	const char *hit = strstr(text, needle), *start, *end;

	if (hit == NULL)
		return NULL;
	for (start = hit; start > text && start[-1] != '\n'; start--)
		;
	end = strchr(hit, '\n');
	if (end == NULL || (size_t)(end - start) >= size)
		return NULL;
	memcpy(line, start, (size_t)(end - start));
	line[end - start] = '\0';
	return line;
}

static void
test_proc(void)
{
	static char text[16384];
	char line[256];
	const char *want;
	int l, l6, c, s, u, n;

	l = listener(AF_INET, "127.0.0.1", 8080, 4);
	l6 = listener(AF_INET6, "::", 8081, 4);
	c = nsock_create(AF_INET, SOCK_STREAM, 0);
	CHECK_EQ(do_bind(c, "127.0.0.1", 40000), 0);
	CHECK_EQ(do_connect(c, "127.0.0.1", 8080), -EINPROGRESS);
	pump();
	s = nsock_accept(l, NULL, NULL);
	CHECK_EQ(nsock_sendto(c, text, 100, 0, NULL, 0), 100);
	pump();
	u = nsock_create(AF_INET, SOCK_DGRAM, 0);
	CHECK_EQ(do_bind(u, "127.0.0.1", 5353), 0);

	n = nsock_format_proc(AF_INET, IPPROTO_TCP, text, sizeof(text));
	CHECK(n > 0 && (size_t)n == strlen(text));
	/* Every IPv4 line is padded to 149 columns, header included. */
	for (const char *p = text; *p != '\0'; p = strchr(p, '\n') + 1)
		CHECK_EQ(strchr(p, '\n') - p, 149);
	CHECK(strncmp(text, "  sl  local_address rem_address   st tx_queue "
	    "rx_queue tr tm->when retrnsmt   uid  timeout inode  ", 96) == 0);
	want = "   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 "
	    "00:00000000 00000000     0        0 0 1 0000000000000000 100 0 0 "
	    "10 0";
	CHECK(proc_line(text, "0100007F:1F90 00000000:0000", line,
	    sizeof(line)) != NULL);
	CHECK(strncmp(line, want, strlen(want)) == 0);
	/* The server side holds the 100 unread bytes (0x64). */
	CHECK(proc_line(text, "0100007F:1F90 0100007F:9C40", line,
	    sizeof(line)) != NULL);
	CHECK(strstr(line, " 01 00000000:00000064 00:00000000 00000000     0"
	    "        0 0 1 0000000000000000 ") != NULL);
	CHECK(proc_line(text, "0100007F:9C40 0100007F:1F90 01 ", line,
	    sizeof(line)) != NULL);

	n = nsock_format_proc(AF_INET6, IPPROTO_TCP, text, sizeof(text));
	CHECK(n > 0);
	CHECK(strncmp(text, "  sl  local_address                         "
	    "remote_address                        st tx_queue rx_queue tr "
	    "tm->when retrnsmt   uid  timeout inode\n", 144) == 0);
	CHECK(strstr(text, ": 00000000000000000000000000000000:1F91 "
	    "00000000000000000000000000000000:0000 0A 00000000:00000000 "
	    "00:00000000 00000000     0        0 0 1 0000000000000000 100 0 0 "
	    "10 0\n") != NULL);
	CHECK(strstr(text, "0100007F") == NULL);

	n = nsock_format_proc(AF_INET, IPPROTO_UDP, text, sizeof(text));
	CHECK(proc_line(text, "0100007F:14E9", line, sizeof(line)) != NULL);
	CHECK(strstr(line, ": 0100007F:14E9 00000000:0000 07 00000000:00000000"
	    " 00:00000000 00000000     0        0 0 2 0000000000000000 0") !=
	    NULL);
	CHECK_EQ(strlen(line), 127);
	/* A short buffer still gets a terminated prefix and the length. */
	CHECK_EQ(nsock_format_proc(AF_INET, IPPROTO_UDP, text, 10), n);
	CHECK_EQ(strlen(text), 9);
	CHECK_EQ(nsock_format_proc(AF_UNIX, IPPROTO_TCP, text, 10), -EINVAL);

	/* The client closes first, so its end waits in TIME-WAIT, which
	   lwIP alone holds now; it is still listed, as on Linux. */
	CHECK_EQ(nsock_recvfrom(s, text, 100, 0, NULL, NULL, NULL), 100);
	CHECK_EQ(nsock_close(c), 0);
	pump();
	CHECK_EQ(nsock_close(s), 0);
	pump();
	nsock_format_proc(AF_INET, IPPROTO_TCP, text, sizeof(text));
	CHECK(proc_line(text, "0100007F:9C40 0100007F:1F90 06 ", line,
	    sizeof(line)) != NULL);
	CHECK(strstr(line, " 06 00000000:00000000 03:00001770 00000000     0"
	    "        0 0 1 0000000000000000 ") != NULL);	/* 60 s left */
	CHECK_EQ(strlen(line), 149);
	CHECK_EQ(nsock_close(l), 0);
	CHECK_EQ(nsock_close(l6), 0);
	CHECK_EQ(nsock_close(u), 0);
	pump();
}

/* One random call with random arguments on the socket in *slot. */
static long
fuzz_call(uint64_t r, int *slot, int *ids)
{
	static char buf[70000];
	static const char *ips[] = {
		"127.0.0.1", "::1", "::", "0.0.0.0", "::ffff:127.0.0.1",
	};
	static const int levels[] = { SOL_SOCKET, IPPROTO_TCP, IPPROTO_IP,
	    IPPROTO_IPV6, 255, IPPROTO_ICMPV6, 77 };
	int id = *slot, port = 7000 + (int)((r >> 8) % 3);
	struct any_addr to = addr_of(ips[(r >> 12) % 5], port);
	int v = (int)((r >> 20) % 3), flags = 0;
	socklen_t len = (socklen_t)((r >> 24) % 40);
	size_t size = (r >> 60) ? (r >> 40) % 2000 : (r >> 40) % sizeof(buf);
	long ret;

	switch ((r >> 32) % 20) {
	case 0:
		if (id >= 0)
			nsock_close(id);
		v = (r >> 40) & 1 ? AF_INET6 : AF_INET;
		switch ((r >> 41) % 8) {
		case 0:
		case 1:
			return *slot = nsock_create(v, SOCK_DGRAM, 0);
		case 2:
			return *slot = nsock_create(v, SOCK_RAW,
			    v == AF_INET ? IPPROTO_ICMP : IPPROTO_ICMPV6);
		default:
			return *slot = nsock_create(v, SOCK_STREAM, 0);
		}
	case 1:
		return nsock_bind(id, (struct sockaddr *)&to.ss, to.len);
	case 2:
		return nsock_listen(id, v);
	case 3:
	case 4:
		ret = nsock_accept(id, (struct sockaddr *)buf, &len);
		if (ret >= 0) {
			/* The connection replaces a socket (not a listener). */
			int *dst = &ids[2 + (r >> 44) % 10];

			if (*dst >= 0)
				nsock_close(*dst);
			*dst = (int)ret;
		}
		return ret;
	case 5:
	case 6:
		return nsock_connect(id, (struct sockaddr *)&to.ss, to.len);
	case 7:
	case 8:
	case 9:
		return nsock_sendto(id, buf, size, (r >> 50) & 1 ? MSG_MORE : 0,
		    (r >> 51) & 1 ? NULL : (struct sockaddr *)&to.ss, to.len);
	case 10:
	case 11:
	case 12:
		if ((r >> 50) & 1)
			flags |= MSG_PEEK;
		if ((r >> 51) % 4 == 0)
			flags |= MSG_TRUNC;
		return nsock_recvfrom(id, buf, size, flags,
		    (struct sockaddr *)buf, &len, &flags);
	case 13:
		return (r >> 40) % 4 ? nsock_shutdown(id, v) : nsock_close(id);
	case 14:
		/* The kernel copies len bytes of value: have them. */
		memcpy(buf, &v, sizeof(v));
		return nsock_setsockopt(id, levels[(r >> 40) % 7],
		    (int)((r >> 44) % 40), buf, len);
	case 15:
		return nsock_getsockopt(id, levels[(r >> 40) % 7],
		    (int)((r >> 44) % 40), buf, &len);
	case 16:
		if ((r >> 40) & 1)
			return nsock_getsockname(id, (struct sockaddr *)buf,
			    &len);
		return nsock_getpeername(id, (struct sockaddr *)buf, &len);
	case 17:
		return nsock_ioctl(id, (r >> 40) & 1 ? FIONREAD : TIOCOUTQ, &v);
	case 18:
		return nsock_format_proc((r >> 40) & 1 ? AF_INET6 : AF_INET,
		    (r >> 41) & 1 ? IPPROTO_UDP : IPPROTO_TCP, buf,
		    (r >> 42) % 20000);
	default:
		if ((r >> 40) % 4 == 0)
			advance((unsigned)((r >> 42) % 3000));
		return (long)nsock_poll(id);
	}
}

/*
 * Random calls with random arguments on a dozen sockets, two of them
 * listeners to begin with, the stack running in between: nothing may
 * crash, trip ASan or an lwIP assertion, or return anything but a count
 * or a negative errno.
 */
static void
test_fuzz(void)
{
	uint64_t rng = 42;
	int ids[12];
	unsigned accepted = 0, sent = 0, received = 0;

	for (int i = 0; i < 12; i++)
		ids[i] = -1;
	ids[0] = listener(AF_INET6, "::", 7000, 8);
	ids[1] = listener(AF_INET, "127.0.0.1", 7001, 8);
	for (int step = 0; step < 150000; step++) {
		uint64_t r = check_rand(&rng);
		int op = (int)((r >> 32) % 20);
		/* Accepts go to the listeners; other calls mostly spare them
		   (only rarely closing or re-creating one). */
		int slot = op == 3 || op == 4 ? (int)(r % 2) :
		    r % 64 == 0 ? (int)(r % 2) : 2 + (int)(r % 10);
		long ret = fuzz_call(r, &ids[slot], ids);

		CHECK(ret > -200);
		accepted += (op == 3 || op == 4) && ret >= 0;
		sent += op >= 7 && op <= 9 && ret > 0;
		received += op >= 10 && op <= 12 && ret > 0;
		pump();
	}
	fprintf(stderr, "fuzz: %u accepted, %u sends, %u receives\n",
	    accepted, sent, received);
	/* The run did reach the interesting states. */
	CHECK(accepted > 200 && sent > 1000 && received > 200);
	for (int i = 0; i < 12; i++)
		nsock_close(ids[i]);
}

/* Every socket closed and TIME-WAIT over: lwIP must hold no pcb. */
static void
check_all_released(void)
{
	for (int id = 0; id < NSOCK_MAX; id++)
		CHECK_EQ(nsock_close(id), -EBADF);
	advance(300000);
	CHECK(tcp_active_pcbs == NULL);
	CHECK(tcp_tw_pcbs == NULL);
	CHECK(tcp_bound_pcbs == NULL);
	CHECK(tcp_listen_pcbs.listen_pcbs == NULL);
	CHECK(udp_pcbs == NULL);
	CHECK_EQ(petrel_pcb_index_stats()->records, 0);
}

int
main(void)
{
	lwip_init();
	nsock_init();
	nsock_set_notify(on_notify, note_events);

	test_siphash();
	test_create();
	test_tcp_connections(&check_count, &check_failures);
	test_listen_queues(&check_count, &check_failures);
	test_tcp_options_reuse(&check_count, &check_failures);
	test_udp_raw(&check_count, &check_failures);
	test_pcb_index(&check_count, &check_failures);
	test_limits();
	test_proc();
	check_all_released();
	test_fuzz();
	check_all_released();
	return check_done("test_netd_sock");
}
