/*
 * netd's listen queues (servers/netd/lwip/syn_queue.c, sock_tcp.c): the
 * accept queue and the half-open queue, each up to listen()'s backlog + 1
 * with the backlog capped at NSOCK_SOMAXCONN, past lwIP's u8_t; a burst
 * of clients all accepted; a SYN flood's half-open connections displaced
 * once old enough; the handshake's last ACK dropped, not reset, while the
 * accept queue is full. Part of test_netd_sock (harness.h).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdbool.h>

#include "check.h"
#include "harness.h"
#include "lwip/netif.h"
#include "lwip/priv/tcp_priv.h"
#include "lwip/prot/ip.h"
#include "lwip/tcp.h"
#include "petrel_lwip_hooks.h"
#include "sock.h"

static void
test_backlog(void)
{
	int l, c[3], s;

	/* Backlog 1: Linux queues backlog + 1; a third SYN is dropped
	   and retried later. */
	l = listener(AF_INET, "127.0.0.1", 5700, 1);
	for (int i = 0; i < 3; i++) {
		c[i] = nsock_create(AF_INET, SOCK_STREAM, 0);
		CHECK_EQ(do_connect(c[i], "127.0.0.1", 5700), -EINPROGRESS);
		pump();
	}
	CHECK_EQ(nsock_poll(c[0]), POLLOUT | POLLWRNORM);
	CHECK_EQ(nsock_poll(c[1]), POLLOUT | POLLWRNORM);
	CHECK_EQ(nsock_poll(c[2]), 0);
	s = nsock_accept(l, NULL, NULL);
	CHECK(s >= 0);
	CHECK_EQ(nsock_close(s), 0);
	advance(7000);	/* SYN retransmission */
	CHECK_EQ(nsock_poll(c[2]), POLLOUT | POLLWRNORM);
	/* Closing the listener resets the connections it still queues. */
	CHECK_EQ(nsock_close(l), 0);
	pump();
	CHECK_EQ(nsock_recvfrom(c[1], NULL, 1, 0, NULL, NULL, NULL),
	    -ECONNRESET);
	CHECK_EQ(nsock_recvfrom(c[2], NULL, 1, 0, NULL, NULL, NULL),
	    -ECONNRESET);
	for (int i = 0; i < 3; i++)
		CHECK_EQ(nsock_close(c[i]), 0);
	pump();
}

/* The 16-bit one's complement sum of len bytes, not yet inverted. */
static uint32_t
sum16(uint32_t sum, const uint8_t *b, size_t len)
{
	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(b[i] << 8 | b[i + 1]);
	if (len & 1)
		sum += (uint32_t)b[len - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return sum;
}

/*
 * Feeds lo a SYN from 10.9.0.1:sport to 127.0.0.1:dport, as a flood
 * with a forged source sends: the SYN-ACK has no route back, so the
 * connection stays half-open.
 */
static void
forged_syn(int sport, int dport)
{
	struct netif *lo = netif_get_by_index(1);
	struct pbuf *p = pbuf_alloc(PBUF_IP, 40, PBUF_RAM);
	uint8_t *ip = p->payload, *tcp = ip + 20, pseudo[12];
	static const uint8_t src[4] = { 10, 9, 0, 1 };
	static const uint8_t dst[4] = { 127, 0, 0, 1 };

	memset(ip, 0, 40);
	ip[0] = 0x45;
	ip[3] = 40;
	ip[8] = 64;
	ip[9] = IP_PROTO_TCP;
	memcpy(ip + 12, src, 4);
	memcpy(ip + 16, dst, 4);
	uint16_t c = (uint16_t)~sum16(0, ip, 20);
	ip[10] = (uint8_t)(c >> 8);
	ip[11] = (uint8_t)c;
	tcp[0] = (uint8_t)(sport >> 8);
	tcp[1] = (uint8_t)sport;
	tcp[2] = (uint8_t)(dport >> 8);
	tcp[3] = (uint8_t)dport;
	tcp[4] = 0x12;			/* sequence number */
	tcp[12] = 5 << 4;
	tcp[13] = TCP_SYN;
	tcp[14] = 0xff;			/* window */
	memcpy(pseudo, src, 4);
	memcpy(pseudo + 4, dst, 4);
	pseudo[8] = 0;
	pseudo[9] = IP_PROTO_TCP;
	pseudo[10] = 0;
	pseudo[11] = 20;
	c = (uint16_t)~sum16(sum16(0, pseudo, 12), tcp, 20);
	tcp[16] = (uint8_t)(c >> 8);
	tcp[17] = (uint8_t)c;
	CHECK_EQ(lo->input(p, lo), ERR_OK);
}

static unsigned
half_open_count(void)
{
	unsigned n = 0;

	for (struct tcp_pcb *pcb = tcp_active_pcbs; pcb; pcb = pcb->next)
		n += pcb->state == SYN_RCVD;
	return n;
}

/* Whether a half-open connection from forged_syn()'s sport is there. */
static bool
half_open_from(int sport)
{
	for (struct tcp_pcb *pcb = tcp_active_pcbs; pcb; pcb = pcb->next)
		if (pcb->state == SYN_RCVD && pcb->remote_port == sport)
			return true;
	return false;
}

/*
 * A SYN flood from forged addresses fills the half-open queue (backlog
 * + 1); each new SYN displaces the oldest of them once it is 50 ms old
 * (servers/netd/lwip/syn_queue.c), so a real client still connects and
 * the half-open ones stay within the limit; a younger one is not
 * displaced (a burst of real clients, whose ACKs are on the way). An
 * established connection waiting for accept() is never displaced, and
 * does not count against the half-open queue (as on Linux).
 */
static void
test_syn_flood(void)
{
	int l = listener(AF_INET, "127.0.0.1", 5710, 3), c, s, waiting, w;
	int real, rs;

	connect_pair(l, AF_INET, "127.0.0.1", 5710, &c, &s);
	waiting = nsock_create(AF_INET, SOCK_STREAM, 0);
	CHECK_EQ(do_connect(waiting, "127.0.0.1", 5710), -EINPROGRESS);
	pump();
	for (int i = 0; i < 3; i++)
		forged_syn(30000 + i, 5710);
	pump();
	/* The queue is full of young half-open connections: kept. */
	for (int i = 3; i < 10; i++)
		forged_syn(30000 + i, 5710);
	pump();
	CHECK_EQ(half_open_count(), 4);	/* backlog 3 + 1 */
	CHECK(half_open_from(30000) && half_open_from(30003) &&
	    !half_open_from(30004));
	/* Old enough: the oldest makes room for the next SYN. */
	advance(100);
	for (int i = 10; i < 50; i++)
		forged_syn(30000 + i, 5710);
	pump();
	CHECK_EQ(half_open_count(), 4);
	CHECK(!half_open_from(30003) && half_open_from(30013) &&
	    !half_open_from(30014));	/* then the oldest was too young */
	/* A real client's handshake just completed, as in a burst whose
	   other ACKs are on their way: no displacement for 100 ms. */
	advance(100);
	real = nsock_create(AF_INET, SOCK_STREAM, 0);
	CHECK_EQ(do_connect(real, "127.0.0.1", 5710), -EINPROGRESS);
	pump();
	CHECK_EQ(do_connect(real, "127.0.0.1", 5710), 0);
	forged_syn(30199, 5710);	/* the real one's slot */
	forged_syn(30200, 5710);
	pump();
	CHECK(half_open_from(30199) && !half_open_from(30200) &&
	    half_open_from(30011));
	advance(100);
	forged_syn(30201, 5710);
	pump();
	CHECK(half_open_from(30201) && !half_open_from(30011));
	CHECK_EQ(half_open_count(), 4);
	/* The established connection is still there to accept. */
	w = nsock_accept(l, NULL, NULL);
	CHECK(w >= 0);
	CHECK_EQ(do_connect(waiting, "127.0.0.1", 5710), 0);
	rs = nsock_accept(l, NULL, NULL);
	CHECK(rs >= 0);
	for (int i = 50; i < 100; i++)
		forged_syn(30000 + i, 5710);
	CHECK_EQ(nsock_close(c), 0);
	advance(100);
	connect_pair(l, AF_INET, "127.0.0.1", 5710, &c, &s);
	CHECK(half_open_count() <= 4);
	CHECK_EQ(nsock_accept(l, NULL, NULL), -EAGAIN);
	/* Established connections keep working through the flood. */
	CHECK_EQ(nsock_sendto(c, "flood", 5, 0, NULL, 0), 5);
	pump();
	char buf[8];
	CHECK_EQ(nsock_recvfrom(s, buf, sizeof(buf), 0, NULL, NULL, NULL), 5);
	int ids[] = { l, c, s, waiting, w, real, rs };
	for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++)
		nsock_close(ids[i]);
	pump();
	while (half_open_count() > 0)	/* later tests list the sockets */
		advance(1000);
}

/*
 * A burst: BURST clients connect at once, every SYN in before any
 * handshake completes, to a listener whose backlog lwIP's u8_t could not
 * hold. All of them are accepted, none reset, nothing left half-open.
 */
#define BURST 1000

static void
test_listen_burst(void)
{
	static int c[BURST];
	int l = listener(AF_INET, "127.0.0.1", 5720, BURST), n = 0, s;

	for (int i = 0; i < BURST; i++) {
		c[i] = nsock_create(AF_INET, SOCK_STREAM, 0);
		CHECK(c[i] >= 0);
		CHECK_EQ(do_connect(c[i], "127.0.0.1", 5720), -EINPROGRESS);
	}
	pump();
	CHECK_EQ(half_open_count(), 0);
	while ((s = nsock_accept(l, NULL, NULL)) >= 0) {
		n++;
		CHECK_EQ(nsock_close(s), 0);
	}
	CHECK_EQ(s, -EAGAIN);
	CHECK_EQ(n, BURST);
	for (int i = 0; i < BURST; i++) {
		CHECK_EQ(nsock_poll(c[i]) & (POLLOUT | POLLERR | POLLHUP),
		    POLLOUT);
		CHECK_EQ(nsock_close(c[i]), 0);
	}
	CHECK_EQ(nsock_close(l), 0);
	pump();
	advance(61000);		/* TIME-WAIT */
}

/*
 * The half-open queue holds backlog + 1, past 255: a flood of young
 * half-open connections fills it to exactly that, and to
 * PETREL_HALF_OPEN_MAX at most, whatever the backlog.
 */
static void
test_half_open_limit(void)
{
	int l = listener(AF_INET, "127.0.0.1", 5730, 600);

	for (int i = 0; i < 700; i++)
		forged_syn(20000 + i, 5730);
	pump();
	CHECK_EQ(half_open_count(), 601);
	/* listen() again raises the limit, beyond somaxconn to it. */
	CHECK_EQ(nsock_listen(l, 100000), 0);
	for (int i = 700; i < NSOCK_SOMAXCONN + 1000; i++)
		forged_syn(20000 + i, 5730);
	pump();
	CHECK_EQ(half_open_count(), PETREL_HALF_OPEN_MAX);
	CHECK_EQ(nsock_close(l), 0);
	pump();
	while (half_open_count() > 0)
		advance(1000);
}

/*
 * With the accept queue full, the ACK completing a handshake is dropped
 * (Linux's tcp_abort_on_overflow 0), not answered with a reset: the
 * client thinks itself connected, and once accept() makes room the
 * SYN-ACK sent again, or its data, completes the handshake.
 */
static void
test_accept_queue_full(void)
{
	int l = listener(AF_INET, "127.0.0.1", 5740, 1), c[3], s[3];
	char buf[4];

	c[0] = nsock_create(AF_INET, SOCK_STREAM, 0);
	CHECK_EQ(do_connect(c[0], "127.0.0.1", 5740), -EINPROGRESS);
	pump();
	/* One waits; two more SYNs fit the half-open queue at once. */
	for (int i = 1; i < 3; i++) {
		c[i] = nsock_create(AF_INET, SOCK_STREAM, 0);
		CHECK_EQ(do_connect(c[i], "127.0.0.1", 5740), -EINPROGRESS);
	}
	pump();
	CHECK_EQ(half_open_count(), 1);	/* c[2]'s ACK was dropped */
	CHECK_EQ(nsock_poll(c[2]) & (POLLOUT | POLLERR | POLLHUP), POLLOUT);
	CHECK_EQ(nsock_sendto(c[2], "ack", 3, 0, NULL, 0), 3);
	pump();
	for (int i = 0; i < 2; i++) {
		s[i] = nsock_accept(l, NULL, NULL);
		CHECK(s[i] >= 0);
	}
	CHECK_EQ(nsock_accept(l, NULL, NULL), -EAGAIN);
	CHECK_EQ(nsock_recvfrom(c[2], buf, sizeof(buf), 0, NULL, NULL, NULL),
	    -EAGAIN);
	advance(7000);	/* the SYN-ACK or the data again */
	s[2] = nsock_accept(l, NULL, NULL);
	CHECK(s[2] >= 0);
	CHECK_EQ(nsock_recvfrom(s[2], buf, sizeof(buf), 0, NULL, NULL, NULL),
	    3);
	CHECK_EQ(half_open_count(), 0);
	for (int i = 0; i < 3; i++) {
		CHECK_EQ(nsock_close(s[i]), 0);
		CHECK_EQ(nsock_close(c[i]), 0);
	}
	CHECK_EQ(nsock_close(l), 0);
	pump();
	advance(61000);
}

void
test_listen_queues(int *count, int *failures)
{
	test_backlog();
	test_syn_flood();
	test_listen_burst();
	test_half_open_limit();
	test_accept_queue_full();
	*count += check_count;
	*failures += check_failures;
}
