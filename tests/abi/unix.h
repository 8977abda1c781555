/*
 * What tests/abi/unix.c and unix_names.c share: readiness bits as text,
 * socket addresses, and passing descriptors with SCM_RIGHTS; and the
 * headers both use.
 */
#ifndef PETREL_ABI_UNIX_H
#define PETREL_ABI_UNIX_H

#include <fcntl.h>
#include <poll.h>
#include <stddef.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/un.h>

static inline const char *
events_str(int ev)
{
	static const struct {
		int bit;
		const char *name;
	} names[] = {
		{ POLLIN, "IN" }, { POLLPRI, "PRI" }, { POLLOUT, "OUT" },
		{ POLLERR, "ERR" }, { POLLHUP, "HUP" }, { POLLNVAL, "NVAL" },
		{ POLLRDNORM, "RDNORM" }, { POLLWRNORM, "WRNORM" },
		{ POLLWRBAND, "WRBAND" }, { POLLRDHUP, "RDHUP" },
	};
	static char text[128];

	text[0] = '\0';
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (ev & names[i].bit) {
			strcat(text, text[0] ? " " : "");
			strcat(text, names[i].name);
		}
	}
	return text[0] ? text : "none";
}

/* Every readiness bit of fd now. */
static inline const char *
poll_now(int fd)
{
	struct pollfd p = { fd, POLLIN | POLLPRI | POLLOUT | POLLRDNORM |
	    POLLWRNORM | POLLWRBAND | POLLRDHUP, 0 };

	if (poll(&p, 1, 0) < 0)
		return "error";
	return events_str(p.revents);
}

static inline struct sockaddr_un
path_addr(const char *path, socklen_t *len)
{
	struct sockaddr_un a;

	memset(&a, 0, sizeof(a));
	a.sun_family = AF_UNIX;
	strcpy(a.sun_path, path);
	*len = offsetof(struct sockaddr_un, sun_path) + strlen(path) + 1;
	return a;
}

/* An abstract name: sun_path[0] is 0 and the length counts the rest. */
static inline struct sockaddr_un
abstract_addr(const char *name, socklen_t *len)
{
	struct sockaddr_un a;

	memset(&a, 0, sizeof(a));
	a.sun_family = AF_UNIX;
	memcpy(a.sun_path + 1, name, strlen(name));
	*len = offsetof(struct sockaddr_un, sun_path) + 1 + strlen(name);
	return a;
}

/* Sends fds with one byte; returns sendmsg's result. */
static inline ssize_t
send_fds(int sock, const int *fds, int n)
{
	char data = 'F';
	struct iovec iov = { &data, 1 };
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(int) * 8)];
	} ctl;
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1,
	    .msg_control = ctl.buf,
	    .msg_controllen = CMSG_SPACE(sizeof(int) * n) };
	struct cmsghdr *c = CMSG_FIRSTHDR(&m);

	memset(&ctl, 0, sizeof(ctl));
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int) * n);
	memcpy(CMSG_DATA(c), fds, sizeof(int) * n);
	return sendmsg(sock, &m, 0);
}

/* Receives up to 8 fds into fds; returns how many, -1 on error. */
static inline int
recv_fds(int sock, int *fds, size_t room, int flags, int *msg_flags)
{
	char data;
	struct iovec iov = { &data, 1 };
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(int) * 8)];
	} ctl;
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1,
	    .msg_control = ctl.buf, .msg_controllen = room };

	if (recvmsg(sock, &m, flags) < 0)
		return -1;
	*msg_flags = m.msg_flags;
	int n = 0;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c))
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
			n = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
			memcpy(fds, CMSG_DATA(c), sizeof(int) * n);
		}
	return n;
}

#endif
