/*
 * Guest program for system/accept-edge: a server in nginx's shape, two
 * worker processes sharing a non-blocking listener (in each one's epoll
 * with EPOLLEXCLUSIVE, one accept per wake-up), each accepted connection
 * added with EPOLLIN | EPOLLET and read until EAGAIN; and a client that
 * connects over 127.0.0.1 and sends its request at once, COUNT times.
 * Two races lost requests on two vCPUs (nginx waited for
 * client_header_timeout, then closed or reset the connection):
 *   - the request arrived between netd's answer to accept and the kernel
 *     making the new socket's file, and the edge netd posted was dropped;
 *   - one worker closed a connection while the other accepted a new one
 *     that netd gave the same id, and the new one's first bytes went to
 *     the closing socket, still in the kernel's table.
 *
 * Prints "acceptedge: COUNT connections, none lost" and exits 0, or
 * names the connections whose answer did not come within a second and
 * exits 1. The same program passes on Linux.
 *
 *   acceptedge [COUNT]
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#define REQUEST "GET / HTTP/1.0\r\n\r\n"
#define ANSWER "ok\n"
#define WAIT_MS 1000

static void
die(const char *what)
{
	printf("acceptedge: %s: %s\n", what, strerror(errno));
	exit(2);
}

/* Reads what the connection holds; answers and closes once the request
 * is whole. Returns 1 when the connection is done. */
static int
serve(int fd)
{
	char buf[256];
	ssize_t n;
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		;
	if (n < 0 && errno != EAGAIN)
		return close(fd), 1;
	if (write(fd, ANSWER, strlen(ANSWER)) < 0)
		die("write");
	close(fd);
	return 1;
}

static void
server(int listener)
{
	int ep = epoll_create1(0);
	struct epoll_event ev = { .events = EPOLLIN | EPOLLEXCLUSIVE,
				   .data.fd = listener };
	if (ep < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, listener, &ev) < 0)
		die("epoll");
	for (;;) {
		struct epoll_event got[16];
		int n = epoll_wait(ep, got, 16, -1);
		for (int i = 0; i < n; i++) {
			int fd = got[i].data.fd;
			if (fd != listener) {
				serve(fd);
				continue;
			}
			int c = accept4(listener, NULL, NULL, SOCK_NONBLOCK);
			struct epoll_event ce = {
				.events = EPOLLIN | EPOLLRDHUP | EPOLLET,
				.data.fd = c };
			if (c >= 0 && epoll_ctl(ep, EPOLL_CTL_ADD, c, &ce) < 0)
				die("epoll_ctl");
		}
	}
}

/* One connection: 0 when the answer came within WAIT_MS. */
static int
client(const struct sockaddr_in *at)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0 || connect(fd, (const void *)at, sizeof(*at)) < 0)
		die("connect");
	if (write(fd, REQUEST, strlen(REQUEST)) < 0)
		die("write");
	struct pollfd p = { fd, POLLIN, 0 };
	char buf[16];
	int lost = poll(&p, 1, WAIT_MS) != 1 || read(fd, buf, sizeof(buf)) <= 0;
	close(fd);
	return lost;
}

int
main(int argc, char **argv)
{
	int count = argc > 1 ? atoi(argv[1]) : 500;
	setvbuf(stdout, NULL, _IOLBF, 0);
	int l = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	struct sockaddr_in at = { .sin_family = AF_INET };
	at.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	socklen_t len = sizeof(at);
	if (l < 0 || bind(l, (void *)&at, sizeof(at)) < 0 || listen(l, 64) < 0 ||
	    getsockname(l, (void *)&at, &len) < 0)
		die("listen");
	pid_t workers[2];
	for (int i = 0; i < 2; i++) {
		workers[i] = fork();
		if (workers[i] == 0) {
			server(l);
			_exit(0);
		}
	}
	close(l);
	int lost = 0;
	for (int i = 1; i <= count; i++) {
		if (client(&at)) {
			printf("acceptedge: connection %d: no answer in %d ms\n",
			       i, WAIT_MS);
			lost++;
		}
	}
	for (int i = 0; i < 2; i++) {
		kill(workers[i], SIGKILL);
		waitpid(workers[i], NULL, 0);
	}
	if (lost) {
		printf("acceptedge: %d connections, %d lost\n", count, lost);
		return 1;
	}
	printf("acceptedge: %d connections, none lost\n", count);
	return 0;
}
