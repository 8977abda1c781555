/*
 * LD_PRELOAD shim for the host test: the host kernel made to look like a
 * young Petrel, so httpd's fallbacks run too. sendfile(), accept4() and
 * getrandom() fail with ENOSYS and AF_INET6 sockets with EAFNOSUPPORT;
 * the IPv4 "any" address httpd then binds is narrowed to 127.0.0.1, so
 * the test listens on loopback only. Each fallback taken is noted, one
 * name a line, in the file $FALLBACKS_LOG.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

static void
note(const char *what)
{
	const char *path = getenv("FALLBACKS_LOG");
	int fd, saved = errno;

	if (path == NULL)
		return;
	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	if (fd >= 0) {
		if (write(fd, what, strlen(what)) < 0 || write(fd, "\n", 1) < 0)
			errno = saved;
		close(fd);
	}
	errno = saved;
}

ssize_t
sendfile(int out_fd, int in_fd, off_t *offset, size_t count)
{
	(void)out_fd;
	(void)in_fd;
	(void)offset;
	(void)count;
	note("sendfile");
	errno = ENOSYS;
	return -1;
}

ssize_t
sendfile64(int out_fd, int in_fd, off_t *offset, size_t count)
{
	return sendfile(out_fd, in_fd, offset, count);
}

int
accept4(int fd, struct sockaddr *addr, socklen_t *len, int flags)
{
	(void)fd;
	(void)addr;
	(void)len;
	(void)flags;
	note("accept4");
	errno = ENOSYS;
	return -1;
}

ssize_t
getrandom(void *buf, size_t len, unsigned int flags)
{
	(void)buf;
	(void)len;
	(void)flags;
	note("getrandom");
	errno = ENOSYS;
	return -1;
}

int
socket(int domain, int type, int protocol)
{
	if (domain == AF_INET6) {
		note("socket6");
		errno = EAFNOSUPPORT;
		return -1;
	}
	return (int)syscall(SYS_socket, domain, type, protocol);
}

int
bind(int fd, const struct sockaddr *addr, socklen_t len)
{
	struct sockaddr_in sin;

	if (addr->sa_family == AF_INET && len >= sizeof(sin)) {
		memcpy(&sin, addr, sizeof(sin));
		if (sin.sin_addr.s_addr == htonl(INADDR_ANY)) {
			note("bind-any");
			sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
			return (int)syscall(SYS_bind, fd, &sin, sizeof(sin));
		}
	}
	return (int)syscall(SYS_bind, fd, addr, len);
}
