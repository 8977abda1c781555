/*
 * Host test of netd's socket core: lwIP runs in-process (NO_SYS) over its
 * loopback interface, driven by a poll loop, on a virtual clock only the
 * test moves, so runs repeat exactly; checks go through the nsock_* API.
 * Built with ASan and UBSan, and lwIP's pools come from malloc, so a pcb
 * touched after lwIP freed it, or anything leaked, fails the test.
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

#define TCP_NODELAY_OPT	1	/* Linux's TCP_NODELAY, ... */
#define TCP_KEEPIDLE_OPT 4
#define TCP_KEEPINTVL_OPT 5
#define TCP_KEEPCNT_OPT	6

/* ---- Harness: the stack, its clock, and notifications ---- */

static unsigned note_events[NSOCK_MAX];
static unsigned note_count[NSOCK_MAX];

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

static struct sockaddr_in
addr4(const char *ip, int port)
{
	struct sockaddr_in sin;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t)port);
	CHECK_EQ(inet_pton(AF_INET, ip, &sin.sin_addr), 1);
	return sin;
}

static struct sockaddr_in6
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

static int
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

static int
get_int_opt(int id, int level, int name)
{
	int v = -12345;
	socklen_t len = sizeof(v);

	CHECK_EQ(nsock_getsockopt(id, level, name, &v, &len), 0);
	CHECK_EQ(len, sizeof(v));
	return v;
}

static int
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

/* ---- TCP ---- */

/* Both ends send total bytes of a seeded stream while reading the
   other's, all non-blocking; returns whether both streams arrived
   intact. Counts sends cut short by a full buffer in *partial. */
static bool
transfer(int a, int b, size_t total, int *partial)
{
	static char out[2][65536], in[65536];
	int ids[2] = { a, b };
	size_t sent[2] = { 0, 0 }, got[2] = { 0, 0 };
	uint64_t tx_state[2] = { 1, 2 }, rx_state[2] = { 1, 2 };
	bool ok = true;

	for (int round = 0; round < 100000; round++) {
		bool busy = false;

		for (int k = 0; k < 2; k++) {
			size_t want = total - sent[k], n;
			ssize_t r;

			if (want > sizeof(out[k]))
				want = sizeof(out[k]);
			/* Regenerate the same bytes until they are taken. */
			uint64_t st = tx_state[k];
			for (n = 0; n < want; n++)
				out[k][n] = (char)check_rand(&st);
			if (want > 0) {
				r = nsock_sendto(ids[k], out[k], want, 0,
				    NULL, 0);
				if (r == -EAGAIN || (r > 0 && (size_t)r < want))
					(*partial)++;
				if (r > 0) {
					sent[k] += (size_t)r;
					for (ssize_t i = 0; i < r; i++)
						check_rand(&tx_state[k]);
					busy = true;
				} else if (r != -EAGAIN) {
					CHECK_EQ(r, -EAGAIN);
					return false;
				}
			}
			/* Read slower than the peer writes, so buffers fill. */
			r = nsock_recvfrom(ids[k], in, sizeof(in) / 4, 0, NULL,
			    NULL, NULL);
			if (r > 0) {
				for (ssize_t i = 0; i < r; i++)
					ok &= in[i] ==
					    (char)check_rand(&rx_state[1 - k]);
				got[k] += (size_t)r;
				busy = true;
			} else if (r != -EAGAIN) {
				CHECK_EQ(r, -EAGAIN);
				return false;
			}
		}
		pump();
		if (got[0] == total && got[1] == total)
			return ok;
		if (!busy)
			advance(250);	/* let delayed ACKs go */
	}
	CHECK(!"transfer did not finish");
	return false;
}

static void
test_tcp_transfer(int family, const char *ip, int port)
{
	int l, c, s, partial = 0;
	unsigned before;

	l = listener(family, ip, port, 4);
	c = nsock_create(family, SOCK_STREAM, 0);
	CHECK_EQ(nsock_accept(l, NULL, NULL), -EAGAIN);
	CHECK_EQ(nsock_sendto(c, "x", 1, 0, NULL, 0), -EPIPE);
	CHECK_EQ(do_connect(c, ip, port), -EINPROGRESS);
	/* Connecting: nothing to report yet; Linux says EALREADY. */
	CHECK_EQ(nsock_poll(c), 0);
	CHECK_EQ(do_connect(c, ip, port), -EALREADY);
	CHECK_EQ(nsock_sendto(c, "x", 1, 0, NULL, 0), -EAGAIN);
	CHECK_EQ(nsock_recvfrom(c, NULL, 1, 0, NULL, NULL, NULL), -EAGAIN);
	before = note_count[l];
	pump();
	CHECK(note_count[l] > before);
	CHECK_EQ(note_events[l], POLLIN | POLLRDNORM);
	CHECK_EQ(note_events[c], POLLOUT | POLLWRNORM);
	s = nsock_accept(l, NULL, NULL);
	CHECK(s >= 0);
	CHECK_EQ(nsock_poll(l), 0);
	CHECK_EQ(nsock_accept(l, NULL, NULL), -EAGAIN);
	/* The second connect() reports success, the third EISCONN. */
	CHECK_EQ(do_connect(c, ip, port), 0);
	CHECK_EQ(do_connect(c, ip, port), -EISCONN);
	CHECK_EQ(nsock_recvfrom(s, NULL, 0, 0, NULL, NULL, NULL), 0);
	CHECK_EQ(nsock_poll(s), POLLOUT | POLLWRNORM);
	/* Each arrival is reported, even when POLLIN is already up, so
	   edge-triggered waiters wake for it. */
	for (int i = 0; i < 2; i++) {
		before = note_count[s];
		CHECK_EQ(nsock_sendto(c, "ab", 2, 0, NULL, 0), 2);
		advance(300);	/* Nagle holds the second until an ACK */
		CHECK_EQ(note_count[s], before + 1);
		CHECK_EQ(note_events[s], POLLIN | POLLRDNORM | POLLOUT |
		    POLLWRNORM);
	}
	CHECK_EQ(nsock_recvfrom(s, (char[4]){ 0 }, 4, 0, NULL, NULL, NULL), 4);
	CHECK_EQ(note_events[s], POLLOUT | POLLWRNORM);
	/* TCP_NODELAY: small writes go at once, with no ACK awaited. */
	CHECK_EQ(set_int_opt(c, IPPROTO_TCP, TCP_NODELAY_OPT, 1), 0);
	for (int i = 0; i < 3; i++)
		CHECK_EQ(nsock_sendto(c, "cd", 2, 0, NULL, 0), 2);
	pump();
	CHECK_EQ(nsock_recvfrom(s, (char[8]){ 0 }, 8, 0, NULL, NULL, NULL), 6);

	CHECK(transfer(c, s, 3 << 20, &partial));
	CHECK(partial > 0);	/* 3 MiB cannot fit the buffers at once */

	CHECK_EQ(nsock_close(c), 0);
	pump();
	CHECK_EQ(nsock_recvfrom(s, NULL, 1, 0, NULL, NULL, NULL), 0);
	CHECK_EQ(nsock_close(s), 0);
	CHECK_EQ(nsock_close(l), 0);
	pump();
}

/* The writer fills what the receiver's window and its own buffer hold,
   then waits; reading opens the window and the writer is told. */
static void
test_flow_control(void)
{
	static char buf[65536];
	int l, c, s, inq, outq;
	size_t total = 0;
	ssize_t r;
	unsigned before;

	l = listener(AF_INET, "127.0.0.1", 5100, 1);
	connect_pair(l, AF_INET, "127.0.0.1", 5100, &c, &s);
	memset(buf, 'f', sizeof(buf));
	for (int i = 0; i < 1000; i++) {
		r = nsock_sendto(c, buf, sizeof(buf), 0, NULL, 0);
		if (r == -EAGAIN) {
			pump();
			r = nsock_sendto(c, buf, sizeof(buf), 0, NULL, 0);
			if (r == -EAGAIN)
				break;
		}
		CHECK(r > 0);
		total += (size_t)r;
		pump();
	}
	CHECK_EQ(nsock_poll(c) & POLLOUT, 0);
	/* Bounded by the peer's window plus our own send buffer. */
	CHECK(total >= TCP_WND && total <= TCP_WND + TCP_SND_BUF);
	/* Once delayed ACKs are out, every byte is either waiting to be
	   read or not yet acknowledged. */
	advance(500);
	CHECK_EQ(nsock_ioctl(s, FIONREAD, &inq), 0);
	CHECK_EQ(nsock_ioctl(c, TIOCOUTQ, &outq), 0);
	CHECK(inq > 0 && inq <= TCP_WND);
	CHECK_EQ((size_t)inq + (size_t)outq, total);
	before = note_count[c];
	while (nsock_recvfrom(s, buf, sizeof(buf), 0, NULL, NULL, NULL) > 0)
		pump();
	pump();
	CHECK(note_count[c] > before);
	CHECK(note_events[c] & POLLOUT);
	CHECK_EQ(nsock_close(c), 0);
	CHECK_EQ(nsock_close(s), 0);
	CHECK_EQ(nsock_close(l), 0);
	pump();
}

static void
test_half_close(void)
{
	char buf[64];
	int l, c, s;

	l = listener(AF_INET, "127.0.0.1", 5200, 1);
	connect_pair(l, AF_INET, "127.0.0.1", 5200, &c, &s);
	CHECK_EQ(nsock_sendto(c, "request", 7, 0, NULL, 0), 7);
	CHECK_EQ(nsock_shutdown(c, SHUT_WR), 0);
	CHECK_EQ(nsock_sendto(c, "x", 1, 0, NULL, 0), -EPIPE);
	pump();
	CHECK_EQ(nsock_poll(c), POLLOUT | POLLWRNORM);
	CHECK_EQ(note_events[s], POLLIN | POLLRDNORM | POLLRDHUP | POLLOUT |
	    POLLWRNORM);
	CHECK_EQ(nsock_recvfrom(s, buf, sizeof(buf), 0, NULL, NULL, NULL), 7);
	CHECK(memcmp(buf, "request", 7) == 0);
	CHECK_EQ(nsock_recvfrom(s, buf, sizeof(buf), 0, NULL, NULL, NULL), 0);
	/* The other direction still works. */
	CHECK_EQ(nsock_sendto(s, "reply", 5, 0, NULL, 0), 5);
	pump();
	CHECK_EQ(nsock_recvfrom(c, buf, sizeof(buf), 0, NULL, NULL, NULL), 5);
	CHECK(memcmp(buf, "reply", 5) == 0);
	/* SHUT_RD ends reads, yet later data is still kept (Linux). */
	CHECK_EQ(nsock_shutdown(c, SHUT_RD), 0);
	CHECK_EQ(nsock_recvfrom(c, buf, sizeof(buf), 0, NULL, NULL, NULL), 0);
	CHECK_EQ(nsock_sendto(s, "late", 4, 0, NULL, 0), 4);
	advance(300);	/* Nagle waits for the ACK of "reply" */
	CHECK_EQ(nsock_recvfrom(c, buf, sizeof(buf), 0, NULL, NULL, NULL), 4);
	CHECK_EQ(nsock_close(s), 0);
	pump();
	CHECK_EQ(nsock_recvfrom(c, buf, sizeof(buf), 0, NULL, NULL, NULL), 0);
	CHECK_EQ(nsock_poll(c), POLLIN | POLLRDNORM | POLLRDHUP | POLLOUT |
	    POLLWRNORM | POLLHUP);
	CHECK_EQ(nsock_close(c), 0);
	CHECK_EQ(nsock_close(l), 0);
	pump();
}

/* The side that closes first waits in TIME-WAIT, which lwIP ends on its
   own (2 MSL): the socket must have let go of the pcb before that. */
static void
test_time_wait(void)
{
	char buf[8];
	int l, c, s;

	l = listener(AF_INET6, "::1", 5250, 1);
	connect_pair(l, AF_INET6, "::1", 5250, &c, &s);
	CHECK_EQ(nsock_shutdown(c, SHUT_WR), 0);
	pump();
	CHECK_EQ(nsock_recvfrom(s, buf, sizeof(buf), 0, NULL, NULL, NULL), 0);
	CHECK_EQ(nsock_shutdown(s, SHUT_RDWR), 0);
	pump();
	CHECK_EQ(nsock_poll(c), POLLIN | POLLRDNORM | POLLRDHUP | POLLOUT |
	    POLLWRNORM | POLLHUP);
	CHECK_EQ(nsock_poll(s), POLLIN | POLLRDNORM | POLLRDHUP | POLLOUT |
	    POLLWRNORM | POLLHUP);
	advance(130000);
	CHECK_EQ(nsock_recvfrom(c, buf, sizeof(buf), 0, NULL, NULL, NULL), 0);
	CHECK_EQ(nsock_sendto(s, "x", 1, 0, NULL, 0), -EPIPE);
	CHECK_EQ(nsock_close(c), 0);
	CHECK_EQ(nsock_close(s), 0);
	CHECK_EQ(nsock_close(l), 0);
	pump();
}

/* Closing with unread data resets the peer (Linux); so does SO_LINGER
   with a zero timeout. */
static void
test_reset(void)
{
	char buf[64];
	struct linger lg = { 1, 0 };
	int l, c, s, e;
	socklen_t len = sizeof(e);

	l = listener(AF_INET, "127.0.0.1", 5300, 4);
	connect_pair(l, AF_INET, "127.0.0.1", 5300, &c, &s);
	CHECK_EQ(nsock_sendto(c, buf, 10, 0, NULL, 0), 10);
	pump();
	CHECK_EQ(nsock_close(s), 0);
	pump();
	CHECK_EQ(note_events[c], POLLIN | POLLRDNORM | POLLRDHUP | POLLOUT |
	    POLLWRNORM | POLLHUP | POLLERR);
	CHECK_EQ(nsock_recvfrom(c, buf, sizeof(buf), 0, NULL, NULL, NULL),
	    -ECONNRESET);
	CHECK_EQ(nsock_recvfrom(c, buf, sizeof(buf), 0, NULL, NULL, NULL), 0);
	CHECK_EQ(nsock_sendto(c, "x", 1, 0, NULL, 0), -EPIPE);
	CHECK_EQ(nsock_getpeername(c, NULL, &len), -ENOTCONN);
	CHECK_EQ(nsock_close(c), 0);

	/* SO_LINGER {1, 0}: reset without unread data; send sees it first. */
	connect_pair(l, AF_INET, "127.0.0.1", 5300, &c, &s);
	CHECK_EQ(nsock_setsockopt(s, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg)),
	    0);
	CHECK_EQ(nsock_close(s), 0);
	pump();
	CHECK_EQ(nsock_sendto(c, "x", 1, 0, NULL, 0), -ECONNRESET);
	CHECK_EQ(nsock_sendto(c, "x", 1, 0, NULL, 0), -EPIPE);
	CHECK_EQ(nsock_getsockopt(c, SOL_SOCKET, SO_ERROR, &e, &len), 0);
	CHECK_EQ(e, 0);
	CHECK_EQ(nsock_close(c), 0);

	/*
	 * A reset in CLOSE-WAIT (the peer closed, then our data made it
	 * reset) is EPIPE, as Linux's tcp_reset(); after our own FIN it is
	 * ECONNRESET again.
	 */
	connect_pair(l, AF_INET, "127.0.0.1", 5300, &c, &s);
	CHECK_EQ(nsock_close(s), 0);
	pump();
	CHECK_EQ(nsock_recvfrom(c, buf, sizeof(buf), 0, NULL, NULL, NULL), 0);
	CHECK_EQ(nsock_sendto(c, "x", 1, 0, NULL, 0), 1);
	pump();
	CHECK_EQ(nsock_poll(c), POLLIN | POLLRDNORM | POLLRDHUP | POLLOUT |
	    POLLWRNORM | POLLHUP | POLLERR);
	CHECK_EQ(nsock_recvfrom(c, buf, sizeof(buf), 0, NULL, NULL, NULL), 0);
	CHECK_EQ(nsock_sendto(c, "x", 1, 0, NULL, 0), -EPIPE);
	CHECK_EQ(nsock_sendto(c, "x", 1, 0, NULL, 0), -EPIPE);
	CHECK_EQ(nsock_getsockopt(c, SOL_SOCKET, SO_ERROR, &e, &len), 0);
	CHECK_EQ(e, 0);
	CHECK_EQ(nsock_close(c), 0);

	connect_pair(l, AF_INET, "127.0.0.1", 5300, &c, &s);
	CHECK_EQ(nsock_close(s), 0);
	pump();
	CHECK_EQ(nsock_sendto(c, "x", 1, MSG_MORE, NULL, 0), 1);
	CHECK_EQ(nsock_shutdown(c, SHUT_WR), 0);	/* data and FIN */
	/* lwIP drops them in TIME-WAIT unanswered; the retransmitted FIN
	   then finds no pcb and is reset. */
	advance(3000);
	CHECK_EQ(nsock_getsockopt(c, SOL_SOCKET, SO_ERROR, &e, &len), 0);
	CHECK_EQ(e, ECONNRESET);
	CHECK_EQ(nsock_close(c), 0);
	CHECK_EQ(nsock_close(l), 0);
	pump();
}

static void
test_refused(void)
{
	int c = nsock_create(AF_INET, SOCK_STREAM, 0);
	unsigned all = POLLIN | POLLRDNORM | POLLRDHUP | POLLOUT | POLLWRNORM |
	    POLLHUP;

	CHECK_EQ(do_connect(c, "127.0.0.1", 9), -EINPROGRESS);
	pump();
	CHECK_EQ(nsock_poll(c), all | POLLERR);
	CHECK_EQ(note_events[c], all | POLLERR);
	/* The next connect() reports the failure; the one after retries. */
	CHECK_EQ(do_connect(c, "127.0.0.1", 9), -ECONNREFUSED);
	CHECK_EQ(do_connect(c, "127.0.0.1", 9), -EINPROGRESS);
	pump();
	CHECK_EQ(get_int_opt(c, SOL_SOCKET, SO_ERROR), ECONNREFUSED);
	CHECK_EQ(nsock_poll(c), all);
	CHECK_EQ(do_connect(c, "127.0.0.1", 9), -ECONNABORTED);
	CHECK_EQ(nsock_recvfrom(c, NULL, 1, 0, NULL, NULL, NULL), -ENOTCONN);
	/* A bound socket keeps its address across attempts. */
	CHECK_EQ(do_bind(c, "127.0.0.1", 5401), 0);
	CHECK_EQ(do_connect(c, "127.0.0.1", 9), -EINPROGRESS);
	pump();
	CHECK_EQ(do_connect(c, "127.0.0.1", 9), -ECONNREFUSED);
	CHECK_EQ(do_connect(c, "127.0.0.1", 9), -EINPROGRESS);
	pump();
	CHECK_EQ(get_int_opt(c, SOL_SOCKET, SO_ERROR), ECONNREFUSED);
	CHECK_EQ(nsock_close(c), 0);
	pump();
}

/* Exact bytes of getsockname/getpeername, and Linux's length rules. */
static void
test_names(void)
{
	struct sockaddr_in want4, got4;
	struct sockaddr_in6 want6, got6;
	socklen_t len;
	int l, c, s;

	l = listener(AF_INET, "127.0.0.1", 5500, 1);
	c = nsock_create(AF_INET, SOCK_STREAM, 0);
	CHECK_EQ(do_bind(c, "127.0.0.1", 5501), 0);
	CHECK_EQ(do_bind(c, "127.0.0.1", 5502), -EINVAL);
	CHECK_EQ(do_connect(c, "127.0.0.1", 5500), -EINPROGRESS);
	CHECK_EQ(nsock_getpeername(c, NULL, &(socklen_t){ 16 }), -ENOTCONN);
	pump();
	s = nsock_accept(l, (struct sockaddr *)&got4, &(socklen_t){ 16 });
	CHECK(s >= 0);
	want4 = addr4("127.0.0.1", 5501);
	CHECK(memcmp(&got4, &want4, sizeof(want4)) == 0);
	memset(&got4, 0xa5, sizeof(got4));
	len = sizeof(got4);
	CHECK_EQ(nsock_getsockname(s, (struct sockaddr *)&got4, &len), 0);
	CHECK_EQ(len, 16);
	want4 = addr4("127.0.0.1", 5500);
	CHECK(memcmp(&got4, &want4, sizeof(want4)) == 0);
	/* A short buffer gets a prefix; the length says the full size. */
	memset(&got4, 0xa5, sizeof(got4));
	len = 4;
	CHECK_EQ(nsock_getpeername(c, (struct sockaddr *)&got4, &len), 0);
	CHECK_EQ(len, 16);
	CHECK(memcmp(&got4, &want4, 4) == 0);
	CHECK_EQ(((unsigned char *)&got4)[4], 0xa5);
	CHECK_EQ(nsock_close(c), 0);
	CHECK_EQ(nsock_close(s), 0);
	CHECK_EQ(nsock_close(l), 0);

	l = listener(AF_INET6, "::1", 5503, 1);
	memset(&got6, 0xa5, sizeof(got6));
	len = sizeof(got6);
	CHECK_EQ(nsock_getsockname(l, (struct sockaddr *)&got6, &len), 0);
	CHECK_EQ(len, 28);
	want6 = addr6("::1", 5503);
	CHECK(memcmp(&got6, &want6, sizeof(want6)) == 0);
	CHECK_EQ(nsock_close(l), 0);
	pump();
}

static void
test_dual_stack(void)
{
	struct sockaddr_in6 got6, want6;
	socklen_t len = sizeof(got6);
	int l, l6, c, s, t;

	/* [::] without IPV6_V6ONLY takes IPv4 clients, seen as mapped. */
	l = listener(AF_INET6, "::", 5600, 4);
	connect_pair(l, AF_INET, "127.0.0.1", 5600, &c, &s);
	CHECK_EQ(nsock_getpeername(s, (struct sockaddr *)&got6, &len), 0);
	CHECK_EQ(len, 28);
	want6 = addr6("::ffff:127.0.0.1", 0);
	want6.sin6_port = got6.sin6_port;
	CHECK(memcmp(&got6, &want6, sizeof(want6)) == 0);
	CHECK_EQ(nsock_getsockname(s, (struct sockaddr *)&got6, &len), 0);
	want6 = addr6("::ffff:127.0.0.1", 5600);
	CHECK(memcmp(&got6, &want6, sizeof(want6)) == 0);
	CHECK_EQ(nsock_close(c), 0);
	CHECK_EQ(nsock_close(s), 0);
	/* ... and IPv6 ones, and an AF_INET6 client of a mapped address. */
	connect_pair(l, AF_INET6, "::1", 5600, &c, &s);
	CHECK_EQ(nsock_close(c), 0);
	CHECK_EQ(nsock_close(s), 0);
	connect_pair(l, AF_INET6, "::ffff:127.0.0.1", 5600, &c, &s);
	CHECK_EQ(nsock_getsockname(c, (struct sockaddr *)&got6, &len), 0);
	CHECK(IN6_IS_ADDR_V4MAPPED(&got6.sin6_addr));
	CHECK_EQ(nsock_close(c), 0);
	CHECK_EQ(nsock_close(s), 0);
	/* The dual-stack wildcard owns the IPv4 port too. */
	t = nsock_create(AF_INET, SOCK_STREAM, 0);
	CHECK_EQ(do_bind(t, "0.0.0.0", 5600), -EADDRINUSE);
	CHECK_EQ(nsock_close(t), 0);
	CHECK_EQ(nsock_close(l), 0);

	/* IPV6_V6ONLY: IPv4 clients are refused; the ports are separate. */
	l6 = nsock_create(AF_INET6, SOCK_STREAM, 0);
	CHECK_EQ(set_int_opt(l6, IPPROTO_IPV6, IPV6_V6ONLY, 1), 0);
	CHECK_EQ(get_int_opt(l6, IPPROTO_IPV6, IPV6_V6ONLY), 1);
	CHECK_EQ(do_bind(l6, "::", 5601), 0);
	CHECK_EQ(set_int_opt(l6, IPPROTO_IPV6, IPV6_V6ONLY, 0), -EINVAL);
	CHECK_EQ(do_bind(nsock_create(AF_INET6, SOCK_STREAM, 0),
	    "::ffff:127.0.0.1", 0), 0);	/* freed by the sweep below */
	CHECK_EQ(nsock_listen(l6, 1), 0);
	c = nsock_create(AF_INET, SOCK_STREAM, 0);
	CHECK_EQ(do_connect(c, "127.0.0.1", 5601), -EINPROGRESS);
	pump();
	CHECK_EQ(do_connect(c, "127.0.0.1", 5601), -ECONNREFUSED);
	t = listener(AF_INET, "0.0.0.0", 5601, 1);
	CHECK_EQ(nsock_close(t), 0);
	c = nsock_create(AF_INET6, SOCK_STREAM, 0);
	CHECK_EQ(set_int_opt(c, IPPROTO_IPV6, IPV6_V6ONLY, 1), 0);
	CHECK_EQ(do_connect(c, "::ffff:127.0.0.1", 5601), -ENETUNREACH);
	for (int id = 0; id < NSOCK_MAX; id++)
		nsock_close(id);
	pump();
}

/* Keepalive options reach the pcb: with the link gone, the probes fail
   and the connection times out as configured. */
static void
test_keepalive(void)
{
	struct netif *lo = netif_get_by_index(1);
	int l, c, s;

	l = listener(AF_INET, "127.0.0.1", 5800, 1);
	connect_pair(l, AF_INET, "127.0.0.1", 5800, &c, &s);
	CHECK_EQ(set_int_opt(c, SOL_SOCKET, SO_KEEPALIVE, 1), 0);
	CHECK_EQ(set_int_opt(c, IPPROTO_TCP, TCP_KEEPIDLE_OPT, 0), -EINVAL);
	CHECK_EQ(set_int_opt(c, IPPROTO_TCP, TCP_KEEPCNT_OPT, 128), -EINVAL);
	CHECK_EQ(set_int_opt(c, IPPROTO_TCP, TCP_KEEPIDLE_OPT, 2), 0);
	CHECK_EQ(set_int_opt(c, IPPROTO_TCP, TCP_KEEPINTVL_OPT, 1), 0);
	CHECK_EQ(set_int_opt(c, IPPROTO_TCP, TCP_KEEPCNT_OPT, 3), 0);
	CHECK_EQ(get_int_opt(c, IPPROTO_TCP, TCP_KEEPIDLE_OPT), 2);
	advance(4000);	/* probes answered: still connected */
	CHECK_EQ(nsock_poll(c), POLLOUT | POLLWRNORM);
	netif_set_down(lo);
	advance(7000);
	netif_set_up(lo);
	CHECK_EQ(get_int_opt(c, SOL_SOCKET, SO_ERROR), ETIMEDOUT);
	CHECK(nsock_poll(c) & POLLHUP);
	CHECK_EQ(nsock_close(c), 0);
	CHECK_EQ(nsock_close(s), 0);
	CHECK_EQ(nsock_close(l), 0);
	pump();
}

static void
test_tcp_options(void)
{
	int t = nsock_create(AF_INET, SOCK_STREAM, 0);
	struct linger lg = { 1, 5 }, got;
	char byte;
	socklen_t len;

	CHECK_EQ(get_int_opt(t, SOL_SOCKET, SO_RCVBUF), TCP_WND);
	CHECK_EQ(set_int_opt(t, SOL_SOCKET, SO_RCVBUF, 10000), 0);
	CHECK_EQ(get_int_opt(t, SOL_SOCKET, SO_RCVBUF), 20000);
	CHECK_EQ(set_int_opt(t, SOL_SOCKET, SO_SNDBUF, 1), 0);
	CHECK_EQ(get_int_opt(t, SOL_SOCKET, SO_SNDBUF), 4608);
	CHECK_EQ(get_int_opt(t, IPPROTO_TCP, TCP_NODELAY_OPT), 0);
	CHECK_EQ(set_int_opt(t, IPPROTO_TCP, TCP_NODELAY_OPT, 1), 0);
	CHECK_EQ(get_int_opt(t, IPPROTO_TCP, TCP_NODELAY_OPT), 1);
	CHECK_EQ(get_int_opt(t, IPPROTO_TCP, 2 /* TCP_MAXSEG */), 536);
	CHECK_EQ(get_int_opt(t, IPPROTO_IP, IP_TTL), 64);
	CHECK_EQ(get_int_opt(t, IPPROTO_TCP, TCP_KEEPIDLE_OPT), 7200);
	CHECK_EQ(get_int_opt(t, IPPROTO_TCP, TCP_KEEPINTVL_OPT), 75);
	CHECK_EQ(get_int_opt(t, IPPROTO_TCP, TCP_KEEPCNT_OPT), 9);
	CHECK_EQ(set_int_opt(t, SOL_SOCKET, 999, 1), -ENOPROTOOPT);
	CHECK_EQ(set_int_opt(t, 1234, 1, 1), -ENOPROTOOPT);
	CHECK_EQ(set_int_opt(t, IPPROTO_IPV6, IPV6_V6ONLY, 1), -ENOPROTOOPT);
	/* getsockopt at a foreign level: IPv4 says EOPNOTSUPP (Linux's
	   ip_getsockopt), IPv6 ENOPROTOOPT. */
	len = sizeof(int);
	CHECK_EQ(nsock_getsockopt(t, IPPROTO_IPV6, IPV6_V6ONLY, &got, &len),
	    -EOPNOTSUPP);
	CHECK_EQ(nsock_getsockopt(t, 1234, 1, &got, &len), -EOPNOTSUPP);
	CHECK_EQ(nsock_getsockopt(t, 255 /* SOL_RAW */, 1, &got, &len),
	    -EOPNOTSUPP);
	int t6 = nsock_create(AF_INET6, SOCK_DGRAM, 0);
	CHECK_EQ(nsock_getsockopt(t6, 1234, 1, &got, &len), -ENOPROTOOPT);
	CHECK_EQ(nsock_getsockopt(t6, IPPROTO_TCP, TCP_NODELAY_OPT, &got,
	    &len), -ENOPROTOOPT);
	CHECK_EQ(get_int_opt(t6, IPPROTO_IP, IP_TTL), 64);
	CHECK_EQ(nsock_close(t6), 0);
	CHECK_EQ(nsock_setsockopt(t, SOL_SOCKET, SO_REUSEADDR, "\1", 1),
	    -EINVAL);
	CHECK_EQ(set_int_opt(t, SOL_SOCKET, SO_TYPE, 1), -ENOPROTOOPT);
	CHECK_EQ(nsock_setsockopt(t, IPPROTO_IP, IP_ADD_MEMBERSHIP, "12345678",
	    8), -EPROTO);
	CHECK_EQ(nsock_setsockopt(t, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg)),
	    0);
	len = sizeof(got);
	CHECK_EQ(nsock_getsockopt(t, SOL_SOCKET, SO_LINGER, &got, &len), 0);
	CHECK(len == sizeof(got) && got.l_onoff == 1 && got.l_linger == 5);
	/* Values are cut to the caller's length, as on Linux. */
	len = 1;
	CHECK_EQ(nsock_getsockopt(t, SOL_SOCKET, SO_TYPE, &byte, &len), 0);
	CHECK(len == 1 && byte == SOCK_STREAM);
	CHECK_EQ(set_int_opt(t, SOL_SOCKET, SO_REUSEADDR, 1), 0);
	CHECK_EQ(get_int_opt(t, SOL_SOCKET, SO_REUSEADDR), 1);
	CHECK_EQ(set_int_opt(t, SOL_SOCKET, SO_REUSEPORT, 1), 0);
	CHECK_EQ(get_int_opt(t, SOL_SOCKET, SO_ACCEPTCONN), 0);
	CHECK_EQ(nsock_close(t), 0);
}

/* SO_REUSEADDR lets a server bind again while connections linger. */
static void
test_reuseaddr(void)
{
	int l, c, s, l2;

	l = nsock_create(AF_INET, SOCK_STREAM, 0);
	CHECK_EQ(set_int_opt(l, SOL_SOCKET, SO_REUSEADDR, 1), 0);
	CHECK_EQ(do_bind(l, "127.0.0.1", 5900), 0);
	CHECK_EQ(nsock_listen(l, 1), 0);
	CHECK_EQ(get_int_opt(l, SOL_SOCKET, SO_ACCEPTCONN), 1);
	connect_pair(l, AF_INET, "127.0.0.1", 5900, &c, &s);
	/* The server closes first: its side goes through TIME-WAIT. */
	CHECK_EQ(nsock_close(s), 0);
	pump();
	CHECK_EQ(nsock_close(c), 0);
	pump();
	CHECK_EQ(nsock_close(l), 0);
	l2 = nsock_create(AF_INET, SOCK_STREAM, 0);
	CHECK_EQ(do_bind(l2, "127.0.0.1", 5900), -EADDRINUSE);
	CHECK_EQ(set_int_opt(l2, SOL_SOCKET, SO_REUSEADDR, 1), 0);
	CHECK_EQ(do_bind(l2, "127.0.0.1", 5900), 0);
	CHECK_EQ(nsock_listen(l2, 1), 0);
	/* Two listeners on one port are refused, SO_REUSEADDR or not. */
	l = nsock_create(AF_INET, SOCK_STREAM, 0);
	CHECK_EQ(set_int_opt(l, SOL_SOCKET, SO_REUSEADDR, 1), 0);
	CHECK_EQ(do_bind(l, "127.0.0.1", 5900), -EADDRINUSE);
	CHECK_EQ(nsock_close(l), 0);
	CHECK_EQ(nsock_close(l2), 0);
	pump();
}

/*
 * A client reconnecting from the address and port of a connection the
 * server still holds in TIME-WAIT takes the tuple over, as on Linux
 * (servers/netd/lwip/tw_reuse.c); lwIP alone would answer the SYN with an
 * ACK for the old connection and the connect would stall.
 */
static void
test_time_wait_reuse(void)
{
	int l = nsock_create(AF_INET, SOCK_STREAM, 0), c, s;

	CHECK_EQ(do_bind(l, "127.0.0.1", 5902), 0);
	CHECK_EQ(nsock_listen(l, 4), 0);
	for (int round = 0; round < 3; round++) {
		c = nsock_create(AF_INET, SOCK_STREAM, 0);
		CHECK_EQ(set_int_opt(c, SOL_SOCKET, SO_REUSEADDR, 1), 0);
		CHECK_EQ(do_bind(c, "127.0.0.1", 41000), 0);
		CHECK_EQ(do_connect(c, "127.0.0.1", 5902), -EINPROGRESS);
		pump();
		s = nsock_accept(l, NULL, NULL);
		CHECK(s >= 0);
		CHECK_EQ(do_connect(c, "127.0.0.1", 5902), 0);
		/* The server closes first: its end stays in TIME-WAIT. */
		CHECK_EQ(nsock_close(s), 0);
		pump();
		CHECK_EQ(nsock_close(c), 0);
		pump();
		advance(100);	/* the ISN clock moves on */
	}
	CHECK_EQ(nsock_close(l), 0);
	pump();
}

/*
 * A server closing connection after connection keeps at most the newest
 * PETREL_TW_MAX in TIME-WAIT, which lwIP walks for every new connection.
 */
static void
test_time_wait_cap(void)
{
	int l = listener(AF_INET, "127.0.0.1", 5903, 8), c, s;
	unsigned tw = 0;

	for (int i = 0; i < PETREL_TW_MAX + 50; i++) {
		connect_pair(l, AF_INET, "127.0.0.1", 5903, &c, &s);
		CHECK_EQ(nsock_close(s), 0);	/* server first: TIME-WAIT */
		pump();
		CHECK_EQ(nsock_close(c), 0);
		pump();
	}
	for (struct tcp_pcb *pcb = tcp_tw_pcbs; pcb; pcb = pcb->next)
		tw++;
	CHECK(tw > PETREL_TW_MAX / 2 && tw <= PETREL_TW_MAX + 1);
	CHECK_EQ(nsock_close(l), 0);
	while (tcp_tw_pcbs)	/* later tests list the sockets */
		tcp_abort(tcp_tw_pcbs);
	pump();
}

/* Counts the pbufs queued on a TCP socket, and those from the pool. */
static void
count_queue(int id, unsigned *all, unsigned *pool)
{
	*all = *pool = 0;
	for (struct pbuf *q = nsock_lookup(id)->rx_head; q; q = q->next) {
		(*all)++;
		*pool += pbuf_get_allocsrc(q) ==
		    PBUF_TYPE_ALLOC_SRC_MASK_STD_MEMP_PBUF_POOL;
	}
}

/* Hands n 100-byte pool pbufs to the socket's pcb as a NIC driver's
   received data would arrive, byte values counting from first. */
static void
deliver_pool(int id, int first, int n)
{
	struct tcp_pcb *pcb = nsock_lookup(id)->pcb.tcp;

	for (int i = first; i < first + n; i++) {
		struct pbuf *p = pbuf_alloc(PBUF_RAW, 100, PBUF_POOL);

		memset(p->payload, (char)i, 100);
		CHECK_EQ(pcb->recv(pcb->callback_arg, pcb, p, ERR_OK), ERR_OK);
	}
}

/* Data nobody reads may hold at most half the driver's pool buffers;
   beyond that it is copied to the heap, and reading gives both back. */
static void
test_pinned_buffers(void)
{
	static char buf[70000];
	unsigned all, pool;
	int l, c, s, n;
	bool same = true;

	l = listener(AF_INET, "127.0.0.1", 5950, 1);
	connect_pair(l, AF_INET, "127.0.0.1", 5950, &c, &s);
	deliver_pool(s, 0, 600);
	count_queue(s, &all, &pool);
	CHECK_EQ(all, 600);
	CHECK_EQ(pool, PBUF_POOL_SIZE / 2);
	n = (int)nsock_recvfrom(s, buf, sizeof(buf), 0, NULL, NULL, NULL);
	CHECK_EQ(n, 60000);
	for (int i = 0; i < n; i++)
		same &= buf[i] == (char)(i / 100);
	CHECK(same);
	deliver_pool(s, 0, 10);
	count_queue(s, &all, &pool);
	CHECK(all == 10 && pool == 10);
	CHECK_EQ(nsock_close(s), 0);	/* unread: a reset, and the pool
					   buffers go back */
	CHECK_EQ(nsock_close(c), 0);
	CHECK_EQ(nsock_close(l), 0);
	pump();
}

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
}

int
main(void)
{
	lwip_init();
	nsock_init();
	nsock_set_notify(on_notify, note_events);

	test_siphash();
	test_create();
	test_tcp_transfer(AF_INET, "127.0.0.1", 5000);
	test_tcp_transfer(AF_INET6, "::1", 5001);
	test_flow_control();
	test_half_close();
	test_time_wait();
	test_reset();
	test_refused();
	test_names();
	test_dual_stack();
	test_listen_queues(&check_count, &check_failures);
	test_keepalive();
	test_tcp_options();
	test_reuseaddr();
	test_time_wait_reuse();
	test_time_wait_cap();
	test_pinned_buffers();
	test_udp();
	test_udp_connect_source();
	test_udp_rcvbuf();
	test_udp6();
	test_multicast();
	test_multicast6();
	test_raw4();
	test_raw6();
	test_limits();
	test_proc();
	check_all_released();
	test_fuzz();
	check_all_released();
	return check_done("test_netd_sock");
}
