/*
 * tcpbench: bulk TCP throughput for the network benchmark (bench/run).
 * One static program that runs unchanged on the host, in Petrel and in the
 * Linux guest: the guest runs the server, the host runs the client through
 * QEMU's forwarded port and does the timing.
 *
 *   tcpbench server PORT            serve clients one after the other
 *   tcpbench send HOST PORT BYTES   host -> server: the server sinks BYTES
 *   tcpbench recv HOST PORT BYTES   server -> host: the server sources BYTES
 *   tcpbench ping HOST PORT         exit 0 once the server answers
 *
 * A client sends one request line ("sink N", "source N" or "ping"). For
 * "sink" the server reads N bytes and answers "done N" with the count it
 * got, so the client's clock stops only once every byte has reached the
 * server's program; for "source" it writes N bytes and closes. The client
 * prints one line: "tcpbench: send N bytes in S s: R MB/s" (MB = 10^6
 * bytes), timed from before connect() to the last byte.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BUF_SIZE (64 * 1024)
#define LINE_MAX_LEN 64

static char buf[BUF_SIZE];

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int
write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= w;
	}
	return 0;
}

/* Reads one line (without its '\n') of at most size-1 bytes; 0 or -1. */
static int
read_line(int fd, char *line, size_t size)
{
	size_t len = 0;

	while (len + 1 < size) {
		ssize_t r = read(fd, line + len, 1);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		if (line[len] == '\n') {
			line[len] = '\0';
			return 0;
		}
		len++;
	}
	return -1;
}

/* Reads and drops up to want bytes (until EOF); returns how many came. */
static unsigned long long
sink(int fd, unsigned long long want)
{
	unsigned long long got = 0;

	while (got < want) {
		size_t chunk = want - got < BUF_SIZE ? want - got : BUF_SIZE;
		ssize_t r = read(fd, buf, chunk);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		got += r;
	}
	return got;
}

static int
source(int fd, unsigned long long n)
{
	while (n > 0) {
		size_t chunk = n < BUF_SIZE ? n : BUF_SIZE;

		if (write_all(fd, buf, chunk) < 0)
			return -1;
		n -= chunk;
	}
	return 0;
}

static void
serve_one(int fd)
{
	char line[LINE_MAX_LEN];
	unsigned long long n;

	if (read_line(fd, line, sizeof line) < 0)
		return;
	if (sscanf(line, "sink %llu", &n) == 1) {
		char reply[LINE_MAX_LEN];
		int len = snprintf(reply, sizeof reply, "done %llu\n",
		    sink(fd, n));

		write_all(fd, reply, len);
	} else if (sscanf(line, "source %llu", &n) == 1) {
		source(fd, n);
	} else if (strcmp(line, "ping") == 0) {
		write_all(fd, "pong\n", 5);
	}
}

static int
server(int port)
{
	struct sockaddr_in addr = { .sin_family = AF_INET,
		.sin_port = htons(port), .sin_addr.s_addr = INADDR_ANY };
	int one = 1;
	int lfd = socket(AF_INET, SOCK_STREAM, 0);

	if (lfd < 0) {
		perror("tcpbench: socket");
		return 1;
	}
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (bind(lfd, (struct sockaddr *)&addr, sizeof addr) < 0 ||
	    listen(lfd, 8) < 0) {
		perror("tcpbench: bind/listen");
		return 1;
	}
	fprintf(stderr, "tcpbench: listening on port %d\n", port);
	for (;;) {
		int fd = accept(lfd, NULL, NULL);

		if (fd < 0) {
			if (errno != EINTR)
				perror("tcpbench: accept");
			continue;
		}
		serve_one(fd);
		close(fd);
	}
}

static int
dial(const char *host, const char *port)
{
	struct addrinfo hints = { .ai_family = AF_UNSPEC,
		.ai_socktype = SOCK_STREAM };
	struct addrinfo *res, *ai;
	int fd = -1;
	int err = getaddrinfo(host, port, &hints, &res);

	if (err != 0) {
		fprintf(stderr, "tcpbench: %s: %s\n", host, gai_strerror(err));
		return -1;
	}
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
		if (fd < 0)
			continue;
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
			break;
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	return fd;
}

static int
client(const char *mode, const char *host, const char *port,
    unsigned long long n)
{
	char line[LINE_MAX_LEN];
	unsigned long long got;
	double t0 = now(), secs;
	int fd = dial(host, port);
	int len;

	if (fd < 0) {
		fprintf(stderr, "tcpbench: cannot connect to %s:%s\n", host,
		    port);
		return 1;
	}
	if (strcmp(mode, "ping") == 0) {
		write_all(fd, "ping\n", 5);
		return read_line(fd, line, sizeof line) == 0 &&
		    strcmp(line, "pong") == 0 ? 0 : 1;
	}
	len = snprintf(line, sizeof line, "%s %llu\n",
	    strcmp(mode, "send") == 0 ? "sink" : "source", n);
	if (write_all(fd, line, len) < 0) {
		perror("tcpbench: write");
		return 1;
	}
	if (strcmp(mode, "send") == 0) {
		if (source(fd, n) < 0 || read_line(fd, line, sizeof line) < 0 ||
		    sscanf(line, "done %llu", &got) != 1) {
			fprintf(stderr, "tcpbench: send: no answer\n");
			return 1;
		}
	} else {
		got = sink(fd, n);
	}
	secs = now() - t0;
	close(fd);
	if (got != n) {
		fprintf(stderr, "tcpbench: %s: %llu of %llu bytes\n", mode, got,
		    n);
		return 1;
	}
	printf("tcpbench: %s %llu bytes in %.3f s: %.1f MB/s\n", mode, n, secs,
	    n / secs / 1e6);
	return 0;
}

static int
usage(void)
{
	fprintf(stderr, "usage: tcpbench server PORT\n"
			"       tcpbench send|recv HOST PORT BYTES\n"
			"       tcpbench ping HOST PORT\n");
	return 2;
}

int
main(int argc, char **argv)
{
	signal(SIGPIPE, SIG_IGN);
	if (argc == 3 && strcmp(argv[1], "server") == 0)
		return server(atoi(argv[2]));
	if (argc == 4 && strcmp(argv[1], "ping") == 0)
		return client("ping", argv[2], argv[3], 0);
	if (argc == 5 && (strcmp(argv[1], "send") == 0 ||
	    strcmp(argv[1], "recv") == 0))
		return client(argv[1], argv[2], argv[3],
		    strtoull(argv[4], NULL, 0));
	return usage();
}
