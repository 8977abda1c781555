/*
 * A connected TCP pair over 127.0.0.1 (*a the connecting end, *b the
 * accepted one; TCP_NODELAY on *a if nodelay), or the program exits 2
 * with `who` in its message; and a monotonic clock in ns. For the socket
 * test programs (progs/sockrx.c, socktx.c, tcpcount.c).
 */
#ifndef TESTS_TCPPAIR_H
#define TESTS_TCPPAIR_H

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static inline void
tcp_pair(const char *who, int *a, int *b, int nodelay)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	socklen_t len = sizeof(sin);
	int one = 1;
	int l = socket(AF_INET, SOCK_STREAM, 0);

	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (l < 0 || bind(l, (struct sockaddr *)&sin, len) < 0 ||
	    listen(l, 1) < 0 ||
	    getsockname(l, (struct sockaddr *)&sin, &len) < 0) {
		fprintf(stderr, "%s: listener: ", who);
		perror(NULL);
		exit(2);
	}
	*a = socket(AF_INET, SOCK_STREAM, 0);
	if (*a < 0 || connect(*a, (struct sockaddr *)&sin, len) < 0 ||
	    (*b = accept(l, NULL, NULL)) < 0) {
		fprintf(stderr, "%s: connect: ", who);
		perror(NULL);
		exit(2);
	}
	if (nodelay)
		setsockopt(*a, IPPROTO_TCP, 1 /* TCP_NODELAY */, &one,
			   sizeof(one));
	close(l);
}

static inline long
now_ns(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000000000L + t.tv_nsec;
}

#endif
