/*
 * Guest program for system/conn-turns and the pcb-lookup figures of
 * docs/performance-net.md, "Many connections: the pcb lookup": N
 * connections over 127.0.0.1 taking turns, as a keep-alive server's
 * clients do. Opens N pairs, then runs ROUNDS rounds,
 * each a request and a reply (a byte each way) over every pair in turn,
 * and prints the time stamp counter's cycles per exchange (under QEMU's
 * -icount shift=0, guest instructions: the client, the kernel and netd's
 * lwIP, whose segment lookup walked its list of active connections).
 * With "churn", it then closes every third pair in three ways (a reset,
 * the server first, the client first), opening a new pair in its place
 * with turns in between, and runs the rounds again. Prints
 *
 *   connturns: N connections, ROUNDS rounds: C cycles per exchange
 *   connturns: after churn: C cycles per exchange	(with churn)
 *   connturns: ok
 *
 * and exits 0; else it prints what failed and exits 1. The same program
 * runs on Linux.
 *
 *   connturns [N [ROUNDS [churn]]]	(default 1000 3)
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#define N_MAX 4000

static int client[N_MAX], server[N_MAX];
static struct sockaddr_in addr = { .sin_family = AF_INET };
static int listener;

static uint64_t
cycles(void)
{
#if defined(__aarch64__)
	uint64_t v;
	__asm__ volatile("isb; mrs %0, cntvct_el0" : "=r"(v));
	return v;
#else
	uint32_t lo, hi;
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return (uint64_t)hi << 32 | lo;
#endif
}

static int
fail(const char *what, int i)
{
	printf("connturns: %s failed (connection %d, errno %d)\n", what, i,
	    errno);
	exit(1);
}

/* Opens pair i: a blocking connect, then its accept. */
static void
open_pair(int i)
{
	client[i] = socket(AF_INET, SOCK_STREAM, 0);
	if (client[i] < 0 || connect(client[i], (struct sockaddr *)&addr,
	    sizeof(addr)) < 0)
		fail("connect", i);
	server[i] = accept(listener, NULL, NULL);
	if (server[i] < 0)
		fail("accept", i);
}

/* A request and its reply over pair i. */
static void
exchange(int i)
{
	char b = (char)('a' + i % 26), got = 0;

	if (write(client[i], &b, 1) != 1)
		fail("request write", i);
	if (read(server[i], &got, 1) != 1 || got != b)
		fail("request read", i);
	if (write(server[i], &got, 1) != 1)
		fail("reply write", i);
	got = 0;
	if (read(client[i], &got, 1) != 1 || got != b)
		fail("reply read", i);
}

/* ROUNDS rounds over all n pairs after one unmeasured: cycles per exchange. */
static uint64_t
rounds(int n, int count)
{
	uint64_t t0;

	for (int i = 0; i < n; i++)
		exchange(i);
	t0 = cycles();
	for (int r = 0; r < count; r++)
		for (int i = 0; i < n; i++)
			exchange(i);
	return (cycles() - t0) / ((uint64_t)n * (uint64_t)count);
}

/* Every third pair closed in one of three ways, a new one in its place. */
static void
churn(int n)
{
	for (int i = 0; i < n; i += 3) {
		struct linger lg = { 1, 0 };
		int way = (i / 3) % 3;

		if (way == 0 && setsockopt(client[i], SOL_SOCKET, SO_LINGER,
		    &lg, sizeof(lg)) < 0)
			fail("SO_LINGER", i);
		/* way 1: the server closes first and holds TIME-WAIT. */
		close(way == 1 ? server[i] : client[i]);
		close(way == 1 ? client[i] : server[i]);
		exchange((i + 1) % n);
		open_pair(i);
		exchange(i);
	}
}

int
main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 1000;
	int count = argc > 2 ? atoi(argv[2]) : 3;
	int with_churn = argc > 3 && strcmp(argv[3], "churn") == 0;
	struct rlimit rl = { 2 * N_MAX + 64, 2 * N_MAX + 64 };
	socklen_t len = sizeof(addr);
	int accepted = 0;

	if (n < 1 || n > N_MAX || count < 1)
		fail("arguments", 0);
	if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
		fail("setrlimit", 0);
	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	listener = socket(AF_INET, SOCK_STREAM, 0);
	if (listener < 0 || bind(listener, (struct sockaddr *)&addr,
	    sizeof(addr)) < 0 || listen(listener, 4096) < 0 ||
	    getsockname(listener, (struct sockaddr *)&addr, &len) < 0)
		fail("listener", 0);
	/* Connects in batches of 256, each accepted before the next. */
	while (accepted < n) {
		int batch = n - accepted < 256 ? n - accepted : 256;

		for (int i = accepted; i < accepted + batch; i++) {
			client[i] = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK,
			    0);
			if (client[i] < 0 || (connect(client[i],
			    (struct sockaddr *)&addr, sizeof(addr)) < 0 &&
			    errno != EINPROGRESS))
				fail("connect", i);
		}
		for (int i = accepted; i < accepted + batch; i++) {
			server[i] = accept(listener, NULL, NULL);
			if (server[i] < 0)
				fail("accept", i);
			if (fcntl(client[i], F_SETFL, 0) < 0)
				fail("fcntl", i);
		}
		accepted += batch;
	}
	printf("connturns: %d connections, %d rounds: %llu cycles per "
	    "exchange\n", n, count, (unsigned long long)rounds(n, count));
	if (with_churn) {
		churn(n);
		printf("connturns: after churn: %llu cycles per exchange\n",
		    (unsigned long long)rounds(n, count));
	}
	printf("connturns: ok\n");
	return 0;
}
