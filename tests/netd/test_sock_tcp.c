/*
 * TCP in netd's socket-core host test: streams both ways, flow control,
 * half close, TIME-WAIT, resets and refusals, names, dual stack,
 * keepalive and TCP options, address reuse, and the receive buffers a
 * connection pins. Part of test_netd_sock (harness.h); the listen queues
 * are test_listen.c's.
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

/* The TCP tests main() runs before the listen queues', in order. */
void
test_tcp_connections(int *count, int *failures)
{
	test_tcp_transfer(AF_INET, "127.0.0.1", 5000);
	test_tcp_transfer(AF_INET6, "::1", 5001);
	test_flow_control();
	test_half_close();
	test_time_wait();
	test_reset();
	test_refused();
	test_names();
	test_dual_stack();
	*count += check_count;
	*failures += check_failures;
	check_count = check_failures = 0;
}

/* The TCP tests main() runs after the listen queues', in order. */
void
test_tcp_options_reuse(int *count, int *failures)
{
	test_keepalive();
	test_tcp_options();
	test_reuseaddr();
	test_time_wait_reuse();
	test_time_wait_cap();
	test_pinned_buffers();
	*count += check_count;
	*failures += check_failures;
	check_count = check_failures = 0;
}
