/*
 * Guest program for system/net-bridge: one of two peers on a LAN. Each
 * binds the same UDP port, joins a multicast group and, every 200 ms,
 * sends its name to 255.255.255.255, to the subnet's broadcast address, to
 * the group and to a group nobody joined. It prints the first datagram of
 * each kind it gets from the other peer, and ends once it has all three
 * and the peer says it has all of ours (the "done" word), or at the time
 * limit. On Linux (with a route to the group, for the join) it prints the
 * same.
 *
 *   udpcast NAME PORT GROUP SUBNET-BROADCAST SECONDS
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define UNJOINED_GROUP "239.1.2.4"
#define SEND_EVERY_MS 200
#define LINGER_MS 1000

enum kind { BROADCAST, SUBNET, MULTICAST, UNJOINED, KINDS };

static const char *kind_names[KINDS] = {
	"broadcast", "subnet-broadcast", "multicast", "unjoined-multicast",
};

struct peer {
	const char *name;
	int fd;
	struct sockaddr_in to[KINDS];
	bool got[KINDS];	/* kinds received from the other peer */
	bool peer_done;		/* the other peer has all of ours */
};

static long long
now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

static void
set_address(struct sockaddr_in *sin, const char *addr, int port)
{
	memset(sin, 0, sizeof(*sin));
	sin->sin_family = AF_INET;
	sin->sin_port = htons(port);
	if (inet_pton(AF_INET, addr, &sin->sin_addr) != 1) {
		fprintf(stderr, "udpcast: bad address %s\n", addr);
		exit(2);
	}
}

static void
die(const char *what)
{
	printf("udpcast: %s: %s\n", what, strerror(errno));
	exit(1);
}

/* The socket: bound to the port, in the group, broadcast allowed. */
static int
open_socket(struct peer *p, int port, const char *group)
{
	int fd = socket(AF_INET, SOCK_DGRAM, 0), on = 1;
	if (fd < 0)
		die("socket");
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)) < 0)
		die("SO_REUSEADDR");
	struct sockaddr_in any;
	set_address(&any, "0.0.0.0", port);
	if (bind(fd, (struct sockaddr *)&any, sizeof(any)) < 0)
		die("bind");
	struct ip_mreq mreq = { .imr_interface.s_addr = htonl(INADDR_ANY) };
	inet_pton(AF_INET, group, &mreq.imr_multiaddr);
	if (setsockopt(fd, IPPROTO_IP, IP_ADD_MEMBERSHIP, &mreq, sizeof(mreq)) < 0)
		die("IP_ADD_MEMBERSHIP");
	/* Linux refuses broadcast until SO_BROADCAST is set. */
	char word = 'x';
	if (sendto(fd, &word, 1, 0, (struct sockaddr *)&p->to[BROADCAST],
		   sizeof(p->to[BROADCAST])) >= 0 || errno != EACCES)
		die("broadcast without SO_BROADCAST was not EACCES");
	printf("broadcast without SO_BROADCAST: EACCES\n");
	if (setsockopt(fd, SOL_SOCKET, SO_BROADCAST, &on, sizeof(on)) < 0)
		die("SO_BROADCAST");
	return fd;
}

static void
send_round(struct peer *p)
{
	bool done = true;
	for (int k = 0; k < UNJOINED; k++)
		done = done && p->got[k];
	for (int k = 0; k < KINDS; k++) {
		char msg[64];
		int len = snprintf(msg, sizeof(msg), "%s %s%s", p->name,
				   kind_names[k], done ? " done" : "");
		if (sendto(p->fd, msg, len, 0, (struct sockaddr *)&p->to[k],
			   sizeof(p->to[k])) != len)
			die(kind_names[k]);
	}
}

/* One datagram: "NAME KIND [done]". Our own (looped back) are ignored. */
static void
receive_one(struct peer *p)
{
	char msg[128], name[32], kind[32], done[8] = "";
	struct sockaddr_in from;
	socklen_t from_len = sizeof(from);
	ssize_t n = recvfrom(p->fd, msg, sizeof(msg) - 1, MSG_DONTWAIT,
			     (struct sockaddr *)&from, &from_len);
	if (n < 0) {
		if (errno == EAGAIN)
			return;
		die("recvfrom");
	}
	msg[n] = '\0';
	if (sscanf(msg, "%31s %31s %7s", name, kind, done) < 2 ||
	    strcmp(name, p->name) == 0)
		return;
	if (strcmp(done, "done") == 0)
		p->peer_done = true;
	for (int k = 0; k < KINDS; k++) {
		if (strcmp(kind, kind_names[k]) != 0 || p->got[k])
			continue;
		p->got[k] = true;
		printf("got %s from %s (%s)\n", kind_names[k],
		       inet_ntoa(from.sin_addr), name);
		fflush(stdout);
	}
}

static bool
complete(const struct peer *p)
{
	return p->got[BROADCAST] && p->got[SUBNET] && p->got[MULTICAST] &&
	       p->peer_done;
}

int
main(int argc, char **argv)
{
	if (argc != 6) {
		fprintf(stderr, "usage: udpcast NAME PORT GROUP "
				"SUBNET-BROADCAST SECONDS\n");
		return 2;
	}
	struct peer p = { .name = argv[1] };
	int port = atoi(argv[2]);
	set_address(&p.to[BROADCAST], "255.255.255.255", port);
	set_address(&p.to[SUBNET], argv[4], port);
	set_address(&p.to[MULTICAST], argv[3], port);
	set_address(&p.to[UNJOINED], UNJOINED_GROUP, port);
	p.fd = open_socket(&p, port, argv[3]);
	setvbuf(stdout, NULL, _IOLBF, 0);

	long long start = now_ms(), limit = start + atoi(argv[5]) * 1000LL;
	long long next_send = start, end = limit;
	while (now_ms() < end) {
		if (now_ms() >= next_send) {
			send_round(&p);
			next_send += SEND_EVERY_MS;
		}
		/* Once complete, keep sending a while so the peer completes. */
		if (complete(&p) && end == limit)
			end = now_ms() + LINGER_MS;
		long long wait = next_send - now_ms();
		struct pollfd pfd = { .fd = p.fd, .events = POLLIN };
		if (poll(&pfd, 1, wait > 0 ? (int)wait : 0) > 0)
			receive_one(&p);
	}
	if (!complete(&p)) {
		printf("udpcast: timed out:");
		for (int k = 0; k < UNJOINED; k++)
			if (!p.got[k])
				printf(" no %s;", kind_names[k]);
		printf("%s\n", p.peer_done ? "" : " peer not done");
		return 1;
	}
	printf("udpcast %s complete\n", p.name);
	return 0;
}
