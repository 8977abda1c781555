/*
 * Helpers shared by the AF_INET/AF_INET6 conformance programs (tcp.c,
 * udp.c): ports and addresses printed without what varies between runs,
 * and int socket options.
 */
#ifndef ABI_INET_H
#define ABI_INET_H

#include "abi.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

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

#endif
