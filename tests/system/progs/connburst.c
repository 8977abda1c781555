/*
 * Guest program for system/conn-burst: a burst of connections, as wrk
 * opens them, to a listener whose backlog lwIP's u8_t could not hold.
 * Opens N non-blocking connections to a listener on 127.0.0.1 with
 * listen(BACKLOG), and accepts none until every client is connected
 * (SO_ERROR 0, no reset), which must happen within LIMIT_MS of the last
 * connect() (netd sends a dropped SYN again after 3 s); then accepts them
 * all and sends a byte over each pair. Prints
 *
 *   connburst: N connected MS ms after the last connect, N accepted
 *
 * and exits 0; else it prints what failed and exits 1.
 *
 *   connburst [N [BACKLOG]]	(default 1000 1024)
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define N_MAX 2000
#define LIMIT_MS 2500

static long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int
fail(const char *what, int i)
{
	printf("connburst: %s failed (connection %d, errno %d)\n", what, i,
	    errno);
	return 1;
}

int
main(int argc, char **argv)
{
	static int client[N_MAX], server[N_MAX];
	struct sockaddr_in sin = { .sin_family = AF_INET };
	socklen_t len = sizeof(sin);
	int n = argc > 1 ? atoi(argv[1]) : 1000;
	int backlog = argc > 2 ? atoi(argv[2]) : 1024;
	struct rlimit rl = { 2 * N_MAX + 64, 2 * N_MAX + 64 };
	int l, accepted = 0, err;
	long t0, took;
	char c;

	if (n < 1 || n > N_MAX)
		return fail("N", 0);
	if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
		return fail("setrlimit", 0);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	l = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	if (l < 0 || bind(l, (struct sockaddr *)&sin, sizeof(sin)) < 0 ||
	    listen(l, backlog) < 0 ||
	    getsockname(l, (struct sockaddr *)&sin, &len) < 0)
		return fail("listener", 0);
	for (int i = 0; i < n; i++) {
		client[i] = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
		if (client[i] < 0)
			return fail("socket", i);
		if (connect(client[i], (struct sockaddr *)&sin,
		    sizeof(sin)) < 0 && errno != EINPROGRESS)
			return fail("connect", i);
	}
	/* All of them wait in the accept queue, none accepted yet. */
	t0 = now_ms();
	for (int i = 0; i < n; i++) {
		struct pollfd p = { .fd = client[i], .events = POLLOUT };
		long left = LIMIT_MS - (now_ms() - t0);

		len = sizeof(err);
		if (left < 0 || poll(&p, 1, (int)left) != 1)
			return fail("connecting in time", i);
		if ((p.revents & (POLLERR | POLLHUP)) ||
		    getsockopt(client[i], SOL_SOCKET, SO_ERROR, &err, &len) < 0 ||
		    err != 0)
			return fail("connecting (a reset?)", i);
	}
	took = now_ms() - t0;
	t0 = now_ms();
	while (accepted < n && now_ms() - t0 < 10000) {
		struct pollfd p = { .fd = l, .events = POLLIN };
		int fd;

		if (poll(&p, 1, 100) < 0)
			return fail("poll", accepted);
		while (accepted < n && (fd = accept(l, NULL, NULL)) >= 0)
			server[accepted++] = fd;
		if (accepted < n && errno != EAGAIN)
			return fail("accept", accepted);
	}
	printf("connburst: %d connected %ld ms after the last connect, "
	    "%d accepted\n", n, took, accepted);
	if (accepted < n)
		return fail("accepting all", accepted);
	for (int i = 0; i < n; i++)
		if (write(client[i], "x", 1) != 1)
			return fail("write", i);
	for (int i = 0; i < n; i++) {
		struct pollfd p = { .fd = server[i], .events = POLLIN };

		if (poll(&p, 1, 5000) != 1 || read(server[i], &c, 1) != 1 ||
		    c != 'x')
			return fail("poll and read", i);
	}
	printf("connburst: ok\n");
	return 0;
}
