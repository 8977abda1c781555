/*
 * Guest program for system/conn-idle-mem: what an idle TCP connection
 * that has received data leaves in the kernel heap. Opens PAIRS
 * connections over 127.0.0.1; on each the client sends one byte, which
 * the accepted side waits for with poll and reads (netd hands it over
 * with the readiness, pt_channel_post's kept bytes); then all of them sit
 * idle. Prints the kernel heap's growth (/proc/meminfo's Slab) over the
 * whole, in kB:
 *
 *   sockidle: PAIRS pairs, slab +KB kB
 *
 * and exits 0, or prints what failed and exits 1.
 *
 *   sockidle [PAIRS]	(default 200)
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define PAIRS_MAX 1000

static long
slab_kb(void)
{
	char line[128];
	long kb = -1;
	FILE *f = fopen("/proc/meminfo", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "Slab: %ld kB", &kb) == 1)
			break;
	fclose(f);
	return kb;
}

static int
fail(const char *what)
{
	printf("sockidle: %s failed\n", what);
	return 1;
}

int
main(int argc, char **argv)
{
	static int client[PAIRS_MAX], server[PAIRS_MAX];
	struct sockaddr_in sin = { .sin_family = AF_INET };
	socklen_t len = sizeof(sin);
	int pairs = argc > 1 ? atoi(argv[1]) : 200;
	int l;
	long before = 0, after;
	char c;

	if (pairs < 1 || pairs >= PAIRS_MAX)
		return fail("PAIRS");
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	l = socket(AF_INET, SOCK_STREAM, 0);
	if (l < 0 || bind(l, (struct sockaddr *)&sin, sizeof(sin)) < 0 ||
	    listen(l, 64) < 0 ||
	    getsockname(l, (struct sockaddr *)&sin, &len) < 0)
		return fail("listener");
	/* A first pair warms the heap's size classes. */
	for (int round = 0; round < 2; round++) {
		int n = round ? pairs : 1;
		int base = round ? 1 : 0;

		if (round && (before = slab_kb()) < 0)
			return fail("reading Slab");
		for (int i = base; i < base + n; i++) {
			struct pollfd p;

			client[i] = socket(AF_INET, SOCK_STREAM, 0);
			if (client[i] < 0 ||
			    connect(client[i], (struct sockaddr *)&sin,
			    sizeof(sin)) < 0)
				return fail("connect");
			server[i] = accept(l, NULL, NULL);
			if (server[i] < 0)
				return fail("accept");
			if (write(client[i], "x", 1) != 1)
				return fail("write");
			p = (struct pollfd){ .fd = server[i], .events = POLLIN };
			if (poll(&p, 1, 10000) != 1 ||
			    read(server[i], &c, 1) != 1 || c != 'x')
				return fail("poll and read");
		}
	}
	after = slab_kb();
	if (after < 0)
		return fail("reading Slab");
	printf("sockidle: %d pairs, slab +%ld kB\n", pairs, after - before);
	return 0;
}
