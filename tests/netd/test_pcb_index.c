/*
 * netd's index of TCP pcbs by four-tuple (servers/netd/lwip/pcb_index.c):
 * many connections taking turns find their pcbs through it, not by a walk
 * of lwIP's active list; connections closed, reset, gone to TIME-WAIT,
 * their tuples reused and new ones opened in between keep it exact. The
 * host build aborts should a move ever change how many pcbs the list
 * holds. Part of test_netd_sock (harness.h).
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <sys/socket.h>

#include "check.h"
#include "harness.h"
#include "lwip/priv/tcp_priv.h"
#include "lwip/tcp.h"
#include "petrel_lwip_hooks.h"
#include "sock.h"

#define PAIRS	300
#define LINUX_TCP_NODELAY 1	/* lwIP's headers take <netinet/tcp.h>'s place */

static int client[PAIRS], server[PAIRS];

static unsigned
list_len(struct tcp_pcb *pcb)
{
	unsigned n = 0;

	for (; pcb != NULL; pcb = pcb->next)
		n++;
	return n;
}

/* What lwIP may do to its list, as the index sees it: reorder it. */
static void
reverse_active(void)
{
	struct tcp_pcb *pcb = tcp_active_pcbs, *reversed = NULL, *next;

	for (; pcb != NULL; pcb = next) {
		next = pcb->next;
		pcb->next = reversed;
		reversed = pcb;
	}
	tcp_active_pcbs = reversed;
}

/* One request and reply over pair i: a byte each way, checked. */
static void
exchange(int i)
{
	char b = (char)i, got = 0;

	CHECK_EQ(nsock_sendto(client[i], &b, 1, 0, NULL, 0), 1);
	pump();
	CHECK_EQ(nsock_recvfrom(server[i], &got, 1, 0, NULL, NULL, NULL), 1);
	CHECK_EQ(got, b);
	CHECK_EQ(nsock_sendto(server[i], &got, 1, 0, NULL, 0), 1);
	pump();
	got = 0;
	CHECK_EQ(nsock_recvfrom(client[i], &got, 1, 0, NULL, NULL, NULL), 1);
	CHECK_EQ(got, b);
}

/* A round of every open pair in turn: the walks it cost. */
static unsigned long long
round_walk_steps(void)
{
	const struct petrel_pcb_index_stats *st = petrel_pcb_index_stats();
	unsigned long long steps = st->walk_steps, seen = st->hits + st->near;
	unsigned open = 0;

	for (int i = 0; i < PAIRS; i++) {
		if (client[i] < 0)
			continue;
		exchange(i);
		open++;
	}
	/* Each exchange's two data segments at least came through it. */
	CHECK(st->hits + st->near - seen >= 2ull * open);
	return st->walk_steps - steps;
}

/*
 * PAIRS connections over IPv4 and IPv6 taking turns: once each has been
 * seen, a round walks next to nothing where lwIP alone would pass about
 * half the list per segment.
 */
static void
test_round_robin(void)
{
	int l4 = listener(AF_INET, "127.0.0.1", 6100, 64);
	int l6 = listener(AF_INET6, "::1", 6101, 64);
	const struct petrel_pcb_index_stats *st = petrel_pcb_index_stats();
	unsigned long long steps, moved, walks;

	for (int i = 0; i < PAIRS; i++) {
		if (i % 3 == 2)
			connect_pair(l6, AF_INET6, "::1", 6101, &client[i],
			    &server[i]);
		else
			connect_pair(l4, AF_INET, "127.0.0.1", 6100,
			    &client[i], &server[i]);
	}
	CHECK_EQ(list_len(tcp_active_pcbs), 2 * PAIRS);
	CHECK_EQ(st->records, 2 * PAIRS);
	round_walk_steps();	/* the first may find stale predecessors */
	moved = st->moved;
	steps = round_walk_steps();
	fprintf(stderr, "pcb index: %d connections, a round walked %llu pcbs, "
	    "moved %llu\n", PAIRS, steps, st->moved - moved);
	CHECK(steps < PAIRS / 4);
	CHECK(st->moved - moved >= 2 * PAIRS);
	CHECK_EQ(list_len(tcp_active_pcbs), 2 * PAIRS);

	/*
	 * Churn: every fifth pair reset (SO_LINGER 0), every fifth closed
	 * by the server first (its end to TIME-WAIT), every fifth by the
	 * client first; new pairs in their places, the turns going on
	 * between each change.
	 */
	for (int i = 0; i < PAIRS; i++) {
		int kind = i % 5, ip6 = i % 3 == 2;
		struct linger lg = { 1, 0 };

		if (kind >= 3)
			continue;
		if (kind == 0)
			CHECK_EQ(nsock_setsockopt(client[i], SOL_SOCKET,
			    SO_LINGER, &lg, sizeof(lg)), 0);
		CHECK_EQ(nsock_close(kind == 1 ? server[i] : client[i]), 0);
		pump();
		CHECK_EQ(nsock_close(kind == 1 ? client[i] : server[i]), 0);
		pump();
		exchange((i + 1) % PAIRS);
		if (ip6)
			connect_pair(l6, AF_INET6, "::1", 6101, &client[i],
			    &server[i]);
		else
			connect_pair(l4, AF_INET, "127.0.0.1", 6100,
			    &client[i], &server[i]);
		exchange(i);
	}
	CHECK(tcp_tw_pcbs != NULL);
	CHECK_EQ(list_len(tcp_active_pcbs), 2 * PAIRS);
	round_walk_steps();
	steps = round_walk_steps();
	fprintf(stderr, "pcb index: after churn a round walked %llu pcbs\n",
	    steps);
	CHECK(steps < PAIRS / 4);
	fprintf(stderr, "pcb index: %llu near, %llu hits, %llu walks of "
	    "%llu pcbs\n", st->near, st->hits, st->walks, st->walk_steps);

	/* lwIP relinks its list without telling: reversed, every
	   predecessor the index knows is wrong; the checks catch it and
	   walks find them again, and the list keeps every pcb. */
	walks = st->walks;
	reverse_active();
	round_walk_steps();
	CHECK(st->walks > walks);
	CHECK_EQ(list_len(tcp_active_pcbs), 2 * PAIRS);
	CHECK(round_walk_steps() < PAIRS / 4);
	for (int i = 0; i < PAIRS; i++) {
		CHECK_EQ(nsock_close(client[i]), 0);
		CHECK_EQ(nsock_close(server[i]), 0);
		client[i] = server[i] = -1;
	}
	CHECK_EQ(nsock_close(l4), 0);
	CHECK_EQ(nsock_close(l6), 0);
	pump();
	advance(61000);		/* TIME-WAIT over */
	CHECK(tcp_active_pcbs == NULL);
	CHECK_EQ(st->records, 0);
}

/*
 * A client reconnecting, over and over, from the address and port of a
 * connection the server holds in TIME-WAIT (tw_reuse.c frees it): the
 * new connection with the old tuple is found through the index, behind
 * OTHERS connections whose turns came in between.
 */
#define OTHERS 20
static void
test_tuple_reuse(void)
{
	int l = listener(AF_INET, "127.0.0.1", 6102, 64), c, s;
	const struct petrel_pcb_index_stats *st = petrel_pcb_index_stats();

	for (int i = 0; i < OTHERS; i++) {
		connect_pair(l, AF_INET, "127.0.0.1", 6102, &client[i],
		    &server[i]);
		/* Its one-byte sends are not held for the last one's ACK. */
		CHECK_EQ(set_int_opt(client[i], IPPROTO_TCP, LINUX_TCP_NODELAY,
		    1), 0);
		CHECK_EQ(set_int_opt(server[i], IPPROTO_TCP, LINUX_TCP_NODELAY,
		    1), 0);
	}
	for (int round = 0; round < 4; round++) {
		unsigned long long hits;
		char b = 'x';

		c = nsock_create(AF_INET, SOCK_STREAM, 0);
		CHECK_EQ(set_int_opt(c, SOL_SOCKET, SO_REUSEADDR, 1), 0);
		CHECK_EQ(do_bind(c, "127.0.0.1", 41100), 0);
		CHECK_EQ(do_connect(c, "127.0.0.1", 6102), -EINPROGRESS);
		pump();
		s = nsock_accept(l, NULL, NULL);
		CHECK(s >= 0);
		CHECK_EQ(do_connect(c, "127.0.0.1", 6102), 0);
		for (int i = 0; i < OTHERS; i++)
			exchange(i);
		hits = st->hits;
		CHECK_EQ(nsock_sendto(c, &b, 1, 0, NULL, 0), 1);
		pump();
		CHECK_EQ(nsock_recvfrom(s, &b, 1, 0, NULL, NULL, NULL), 1);
		CHECK(st->hits > hits);
		CHECK_EQ(nsock_close(s), 0);	/* server first: TIME-WAIT */
		pump();
		CHECK_EQ(nsock_close(c), 0);
		pump();
		advance(100);
	}
	for (int i = 0; i < OTHERS; i++) {
		CHECK_EQ(nsock_close(client[i]), 0);
		CHECK_EQ(nsock_close(server[i]), 0);
		client[i] = server[i] = -1;
	}
	CHECK_EQ(nsock_close(l), 0);
	pump();
	advance(61000);
	CHECK_EQ(st->records, 0);
}

void
test_pcb_index(int *count, int *failures)
{
	test_round_robin();
	test_tuple_reuse();
	*count += check_count;
	*failures += check_failures;
}
