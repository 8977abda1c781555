/*
 * Helpers shared by the AF_INET/AF_INET6 conformance programs (tcp.c,
 * udp.c, tcpcork.c): ports and addresses printed without what varies
 * between runs, int socket options, addresses from text, and TCP
 * listeners and connected pairs over the loopback.
 */
#ifndef ABI_INET_H
#define ABI_INET_H

#include "abi.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#define WAIT_MS 5000	/* generous: netd runs under TCG in the guest */

/* The port of a sockaddr_in or sockaddr_in6. */
static inline int
port_in(const struct sockaddr_storage *ss)
{
	if (ss->ss_family == AF_INET)
		return ntohs(((const struct sockaddr_in *)ss)->sin_port);
	return ntohs(((const struct sockaddr_in6 *)ss)->sin6_port);
}

static inline int
local_port(int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	if (getsockname(fd, (struct sockaddr *)&ss, &len) < 0)
		return -1;
	return port_in(&ss);
}

static inline int
peer_port(int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	if (getpeername(fd, (struct sockaddr *)&ss, &len) < 0)
		return -1;
	return port_in(&ss);
}

/* "AF_INET 127.0.0.1 len 16": family, address and length, no port. */
static inline const char *
addr_str(const struct sockaddr_storage *ss, socklen_t len)
{
	static char text[96];
	char ip[INET6_ADDRSTRLEN] = "?";

	if (ss->ss_family == AF_INET) {
		inet_ntop(AF_INET, &((const struct sockaddr_in *)ss)->sin_addr,
		    ip, sizeof(ip));
		snprintf(text, sizeof(text), "AF_INET %s len %u", ip,
		    (unsigned)len);
	} else if (ss->ss_family == AF_INET6) {
		inet_ntop(AF_INET6,
		    &((const struct sockaddr_in6 *)ss)->sin6_addr, ip,
		    sizeof(ip));
		snprintf(text, sizeof(text), "AF_INET6 %s len %u", ip,
		    (unsigned)len);
	} else {
		snprintf(text, sizeof(text), "family %d len %u",
		    ss->ss_family, (unsigned)len);
	}
	return text;
}

/* The local (or peer) address of fd as addr_str gives it, or the errno. */
static inline const char *
name_of(int fd, int peer)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	int r;

	memset(&ss, 0, sizeof(ss));
	r = peer ? getpeername(fd, (struct sockaddr *)&ss, &len) :
	    getsockname(fd, (struct sockaddr *)&ss, &len);
	if (r < 0)
		return errno_name(errno);
	return addr_str(&ss, len);
}

static inline int
getopt_int(int fd, int level, int name)
{
	int v = -1;
	socklen_t len = sizeof(v);

	if (getsockopt(fd, level, name, &v, &len) < 0)
		return -errno;
	return v;
}

static inline int
setopt_int(int fd, int level, int name, int v)
{
	return setsockopt(fd, level, name, &v, sizeof(v));
}

/* Addresses from text, with a port. */
static inline struct sockaddr_in
addr4(const char *ip, int port)
{
	struct sockaddr_in a;

	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_port = htons(port);
	inet_pton(AF_INET, ip, &a.sin_addr);
	return a;
}

static inline struct sockaddr_in6
addr6(const char *ip, int port)
{
	struct sockaddr_in6 a;

	memset(&a, 0, sizeof(a));
	a.sin6_family = AF_INET6;
	a.sin6_port = htons(port);
	inet_pton(AF_INET6, ip, &a.sin6_addr);
	return a;
}

/* Binds fd to ip port 0 (or the given port) in its family; 0 or -1. */
static inline int
bind_to(int fd, int family, const char *ip, int port)
{
	if (family == AF_INET) {
		struct sockaddr_in a = addr4(ip, port);
		return bind(fd, (struct sockaddr *)&a, sizeof(a));
	}
	struct sockaddr_in6 a = addr6(ip, port);
	return bind(fd, (struct sockaddr *)&a, sizeof(a));
}

static inline int
connect_to(int fd, int family, const char *ip, int port)
{
	if (family == AF_INET) {
		struct sockaddr_in a = addr4(ip, port);
		return connect(fd, (struct sockaddr *)&a, sizeof(a));
	}
	struct sockaddr_in6 a = addr6(ip, port);
	return connect(fd, (struct sockaddr *)&a, sizeof(a));
}

/* A listening socket on ip port 0; its port in *port. */
static inline int
listener(int family, const char *ip, int *port)
{
	int fd = socket(family, SOCK_STREAM, 0);

	if (fd < 0 || bind_to(fd, family, ip, 0) < 0 || listen(fd, 8) < 0)
		return -1;
	*port = local_port(fd);
	return fd;
}

/* A connected pair of blocking sockets: *client and *server. */
static inline int
tcp_pair(int family, int *client, int *server)
{
	const char *ip = family == AF_INET ? "127.0.0.1" : "::1";
	int port;
	int l = listener(family, ip, &port);

	*client = socket(family, SOCK_STREAM, 0);
	if (l < 0 || *client < 0 || connect_to(*client, family, ip, port) < 0)
		return -1;
	*server = accept(l, NULL, NULL);
	close(l);
	return *server < 0 ? -1 : 0;
}

#endif
