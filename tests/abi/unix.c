/*
 * AF_UNIX sockets: socket/socketpair types and flags; stream pairs (partial
 * reads, MSG_PEEK, MSG_DONTWAIT, FIONREAD, readv/writev, shutdown with EOF,
 * EPIPE and SIGPIPE, a full buffer); datagram and seqpacket boundaries and
 * truncation; path and abstract names (bind, EADDRINUSE, the socket inode,
 * unlink, autobind), listen/accept/connect with the backlog, datagrams
 * between named sockets; poll and epoll readiness; blocking calls woken by
 * another process; SCM_RIGHTS and SCM_CREDENTIALS; socket options; and the
 * errors bad arguments get.
 */
#include "abi.h"

#include <fcntl.h>
#include <poll.h>
#include <stddef.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/un.h>

/* An address nothing is mapped at (volatile: the compiler must not know). */
static void *volatile bad_ptr = (void *)16;
#define BAD_PTR bad_ptr

static const char *
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
static const char *
poll_now(int fd)
{
	struct pollfd p = { fd, POLLIN | POLLPRI | POLLOUT | POLLRDNORM |
	    POLLWRNORM | POLLWRBAND | POLLRDHUP, 0 };

	if (poll(&p, 1, 0) < 0)
		return "error";
	return events_str(p.revents);
}

static struct sockaddr_un
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
static struct sockaddr_un
abstract_addr(const char *name, socklen_t *len)
{
	struct sockaddr_un a;

	memset(&a, 0, sizeof(a));
	a.sun_family = AF_UNIX;
	memcpy(a.sun_path + 1, name, strlen(name));
	*len = offsetof(struct sockaddr_un, sun_path) + 1 + strlen(name);
	return a;
}

static int
fill_nonblocking(int fd, size_t chunk)
{
	static char junk[65536];
	long total = 0;

	for (;;) {
		ssize_t r = send(fd, junk, chunk, MSG_DONTWAIT);
		if (r < 0)
			return errno == EAGAIN && total > 0 ? 0 : -1;
		total += r;
		if (total > (64l << 20))
			return -1;	/* never blocks: no limit */
	}
}

static void
test_create(void)
{
	int fd;
	int v;
	socklen_t len = sizeof(v);
	struct stat st;

	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	CHECK("socket stream", fd >= 0);
	fstat(fd, &st);
	CHECK("fstat S_ISSOCK", S_ISSOCK(st.st_mode));
	getsockopt(fd, SOL_SOCKET, SO_TYPE, &v, &len);
	CHECK_EQ("SO_TYPE stream", v, SOCK_STREAM);
	getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &v, &len);
	CHECK_EQ("SO_DOMAIN", v, AF_UNIX);
	getsockopt(fd, SOL_SOCKET, SO_PROTOCOL, &v, &len);
	CHECK_EQ("SO_PROTOCOL", v, 0);
	getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &v, &len);
	CHECK_EQ("SO_ACCEPTCONN", v, 0);
	CHECK_EQ("no O_NONBLOCK", fcntl(fd, F_GETFL) & O_NONBLOCK, 0);
	CHECK_EQ("no FD_CLOEXEC", fcntl(fd, F_GETFD), 0);
	close(fd);

	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	CHECK("SOCK_NONBLOCK", fcntl(fd, F_GETFL) & O_NONBLOCK);
	CHECK_EQ("SOCK_CLOEXEC", fcntl(fd, F_GETFD), FD_CLOEXEC);
	getsockopt(fd, SOL_SOCKET, SO_TYPE, &v, &len);
	CHECK_EQ("SO_TYPE dgram", v, SOCK_DGRAM);
	close(fd);

	fd = socket(AF_UNIX, SOCK_SEQPACKET, PF_UNIX);
	getsockopt(fd, SOL_SOCKET, SO_TYPE, &v, &len);
	CHECK_EQ("SO_TYPE seqpacket, protocol PF_UNIX", v, SOCK_SEQPACKET);
	close(fd);
	fd = socket(AF_UNIX, SOCK_RAW, 0);
	getsockopt(fd, SOL_SOCKET, SO_TYPE, &v, &len);
	CHECK_EQ("SOCK_RAW is a datagram socket", v, SOCK_DGRAM);
	close(fd);

	CHECK_ERR("SOCK_RDM", socket(AF_UNIX, SOCK_RDM, 0), ESOCKTNOSUPPORT);
	CHECK_ERR("type 0", socket(AF_UNIX, 0, 0), ESOCKTNOSUPPORT);
	CHECK_ERR("type 12", socket(AF_UNIX, 12, 0), EINVAL);
	CHECK_ERR("unknown type flag", socket(AF_UNIX, SOCK_STREAM | 0x100, 0),
	    EINVAL);
	CHECK_ERR("protocol 2", socket(AF_UNIX, SOCK_STREAM, 2),
	    EPROTONOSUPPORT);
	CHECK_ERR("unknown family", socket(45, SOCK_STREAM, 0), EAFNOSUPPORT);

	int sv[2];
	CHECK_ERR("socketpair AF_INET", socketpair(AF_INET, SOCK_STREAM, 0, sv),
	    EOPNOTSUPP);
	CHECK_ERR("socketpair bad pointer",
	    socketpair(AF_UNIX, SOCK_STREAM, 0, BAD_PTR), EFAULT);
	CHECK_OK("socketpair flags", socketpair(AF_UNIX, SOCK_STREAM |
	    SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv));
	CHECK("pair both non-blocking", (fcntl(sv[0], F_GETFL) & O_NONBLOCK) &&
	    (fcntl(sv[1], F_GETFL) & O_NONBLOCK));
	CHECK("pair both close-on-exec", fcntl(sv[0], F_GETFD) == FD_CLOEXEC &&
	    fcntl(sv[1], F_GETFD) == FD_CLOEXEC);
	close(sv[0]);
	close(sv[1]);

	CHECK_ERR("bind on a pipe", bind(0 + (pipe(sv), sv[0]),
	    (struct sockaddr *)&(struct sockaddr_un){ AF_UNIX, "x" }, 4),
	    ENOTSOCK);
	close(sv[0]);
	close(sv[1]);
	CHECK_ERR("listen on a closed fd", listen(sv[0], 1), EBADF);
}

static void
test_stream_pair(void)
{
	int sv[2];
	char buf[64];

	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	CHECK_STR("fresh pair", poll_now(sv[0]), "OUT WRNORM WRBAND");
	CHECK_EQ("write", write(sv[0], "hello world", 11), 11);
	CHECK_STR("peer readable", poll_now(sv[1]),
	    "IN OUT RDNORM WRNORM WRBAND");
	int avail = -1;
	ioctl(sv[1], FIONREAD, &avail);
	CHECK_EQ("FIONREAD", avail, 11);
	CHECK_EQ("MSG_PEEK", recv(sv[1], buf, 5, MSG_PEEK), 5);
	CHECK_EQ("short read", read(sv[1], buf, 5), 5);
	CHECK("bytes in order", memcmp(buf, "hello", 5) == 0);
	CHECK_EQ("rest", read(sv[1], buf, sizeof(buf)), 6);
	CHECK("rest bytes", memcmp(buf, " world", 6) == 0);
	CHECK_ERR("MSG_DONTWAIT on empty", recv(sv[1], buf, 1, MSG_DONTWAIT),
	    EAGAIN);
	CHECK_EQ("read of 0 bytes does not wait", read(sv[1], buf, 0), 0);
	CHECK_EQ("readv of nothing does not wait", readv(sv[1], NULL, 0), 0);

	/* Writes coalesce for the reader; a peek spans them too. */
	send(sv[0], "ab", 2, 0);
	send(sv[0], "cd", 2, 0);
	send(sv[0], "ef", 2, 0);
	CHECK_EQ("peek across writes", recv(sv[1], buf, 5, MSG_PEEK), 5);
	CHECK_EQ("read across writes", recv(sv[1], buf, sizeof(buf), 0), 6);
	CHECK("coalesced bytes", memcmp(buf, "abcdef", 6) == 0);

	struct iovec out[3] = { { "ab", 2 }, { "", 0 }, { "cde", 3 } };
	CHECK_EQ("writev", writev(sv[0], out, 3), 5);
	char first[1], rest[10];
	struct iovec in[2] = { { first, 1 }, { rest, sizeof(rest) } };
	CHECK_EQ("readv", readv(sv[1], in, 2), 5);
	CHECK("readv split", first[0] == 'a' && memcmp(rest, "bcde", 4) == 0);

	struct sockaddr_un a;
	socklen_t len = sizeof(a);
	CHECK_OK("getsockname", getsockname(sv[0], (struct sockaddr *)&a, &len));
	CHECK_EQ("unnamed length", len, sizeof(sa_family_t));
	CHECK_EQ("unnamed family", a.sun_family, AF_UNIX);
	len = sizeof(a);
	CHECK_OK("getpeername", getpeername(sv[0], (struct sockaddr *)&a, &len));
	CHECK_EQ("peer unnamed length", len, sizeof(sa_family_t));
	len = sizeof(a);
	CHECK_EQ("recvfrom on a pair", (send(sv[0], "x", 1, 0),
	    recvfrom(sv[1], buf, 1, 0, (struct sockaddr *)&a, &len)), 1);
	CHECK_EQ("recvfrom address length", len, 0);

	struct ucred cred;
	len = sizeof(cred);
	CHECK_OK("SO_PEERCRED", getsockopt(sv[0], SOL_SOCKET, SO_PEERCRED,
	    &cred, &len));
	CHECK("peer is us", cred.pid == getpid() && cred.uid == geteuid() &&
	    cred.gid == getegid() && len == sizeof(cred));

	/* A full buffer: EAGAIN, no POLLOUT; draining brings it back. */
	fcntl(sv[0], F_SETFL, O_NONBLOCK);
	CHECK_EQ("fill until EAGAIN", fill_nonblocking(sv[0], 4096), 0);
	CHECK_ERR("write when full", write(sv[0], "x", 1), EAGAIN);
	CHECK("no POLLOUT when full", !(poll(&(struct pollfd){ sv[0], POLLOUT,
	    0 }, 1, 0) == 1));
	static char drain[65536];
	while (recv(sv[1], drain, sizeof(drain), MSG_DONTWAIT) > 0)
		;
	CHECK_STR("POLLOUT again once drained", poll_now(sv[0]),
	    "OUT WRNORM WRBAND");
	fcntl(sv[0], F_SETFL, 0);

	/* shutdown(SHUT_WR): the peer reads EOF; we cannot write. */
	write(sv[0], "last", 4);
	CHECK_OK("shutdown SHUT_WR", shutdown(sv[0], SHUT_WR));
	CHECK_STR("peer after SHUT_WR", poll_now(sv[1]),
	    "IN OUT RDNORM WRNORM WRBAND RDHUP");
	CHECK_STR("self after SHUT_WR", poll_now(sv[0]),
	    "OUT WRNORM WRBAND");
	CHECK_EQ("data before EOF", read(sv[1], buf, sizeof(buf)), 4);
	CHECK_EQ("EOF", read(sv[1], buf, sizeof(buf)), 0);
	CHECK_ERR("send after SHUT_WR", send(sv[0], "x", 1, MSG_NOSIGNAL),
	    EPIPE);
	CHECK_EQ("other way still works", write(sv[1], "back", 4), 4);
	CHECK_EQ("read other way", read(sv[0], buf, sizeof(buf)), 4);

	/* shutdown(SHUT_RD) stops the peer's writes. */
	CHECK_OK("shutdown SHUT_RD", shutdown(sv[0], SHUT_RD));
	CHECK_ERR("peer send after SHUT_RD", send(sv[1], "x", 1, MSG_NOSIGNAL),
	    EPIPE);
	CHECK_EQ("read after SHUT_RD is EOF", read(sv[0], buf, 1), 0);
	CHECK_STR("both shut", poll_now(sv[0]),
	    "IN OUT HUP RDNORM WRNORM WRBAND RDHUP");
	CHECK_ERR("shutdown how 3", shutdown(sv[0], 3), EINVAL);
	close(sv[0]);
	close(sv[1]);

	/* Closing one end: EOF after the data, EPIPE, SIGPIPE. */
	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	write(sv[0], "bye", 3);
	close(sv[0]);
	CHECK_STR("peer closed", poll_now(sv[1]),
	    "IN OUT HUP RDNORM WRNORM WRBAND RDHUP");
	CHECK_EQ("data survives close", read(sv[1], buf, sizeof(buf)), 3);
	CHECK_EQ("then EOF", read(sv[1], buf, sizeof(buf)), 0);
	CHECK_ERR("MSG_NOSIGNAL EPIPE", send(sv[1], "x", 1, MSG_NOSIGNAL),
	    EPIPE);
	signal(SIGPIPE, SIG_IGN);
	CHECK_ERR("write EPIPE, SIGPIPE ignored", write(sv[1], "x", 1), EPIPE);
	signal(SIGPIPE, SIG_DFL);
	pid_t pid = abi_fork();
	if (pid == 0) {
		write(sv[1], "x", 1);
		_exit(0);
	}
	CHECK_STR("write to a closed peer", status_str(abi_wait(pid)),
	    "killed by SIGPIPE");
	len = sizeof(a);
	CHECK_OK("getpeername after the peer closed",
	    getpeername(sv[1], (struct sockaddr *)&a, &len));
	close(sv[1]);

	/* Unread data at close resets the peer. */
	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	write(sv[1], "unread", 6);
	close(sv[0]);
	CHECK_STR("reset peer", poll_now(sv[1]),
	    "IN OUT ERR HUP RDNORM WRNORM WRBAND RDHUP");
	CHECK_ERR("read ECONNRESET", read(sv[1], buf, sizeof(buf)), ECONNRESET);
	CHECK_EQ("then EOF", read(sv[1], buf, sizeof(buf)), 0);
	close(sv[1]);
}

static void
test_dgram_pair(void)
{
	int sv[2];
	char buf[64];

	socketpair(AF_UNIX, SOCK_DGRAM, 0, sv);
	CHECK_STR("fresh dgram pair", poll_now(sv[0]), "OUT WRNORM WRBAND");
	send(sv[0], "one", 3, 0);
	send(sv[0], "", 0, 0);
	send(sv[0], "three33", 7, 0);
	int avail = -1;
	ioctl(sv[1], FIONREAD, &avail);
	CHECK_EQ("FIONREAD is the next datagram", avail, 3);
	CHECK_EQ("boundary kept", recv(sv[1], buf, sizeof(buf), 0), 3);
	CHECK_EQ("empty datagram", recv(sv[1], buf, sizeof(buf), 0), 0);
	CHECK_EQ("peek", recv(sv[1], buf, 2, MSG_PEEK), 2);
	CHECK_EQ("MSG_TRUNC gives the real length",
	    recv(sv[1], buf, 2, MSG_TRUNC | MSG_PEEK), 7);
	struct iovec iov = { buf, 4 };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1 };
	CHECK_EQ("truncated recvmsg", recvmsg(sv[1], &m, 0), 4);
	CHECK("msg_flags MSG_TRUNC", m.msg_flags & MSG_TRUNC);
	CHECK_ERR("rest of it is gone", recv(sv[1], buf, sizeof(buf),
	    MSG_DONTWAIT), EAGAIN);

	struct iovec out[2] = { { "ab", 2 }, { "cd", 2 } };
	CHECK_EQ("writev is one datagram", writev(sv[0], out, 2), 4);
	CHECK_EQ("read it whole", read(sv[1], buf, sizeof(buf)), 4);
	send(sv[0], "12345678", 8, 0);
	char a[3], b[3];
	struct iovec in[2] = { { a, 3 }, { b, 3 } };
	CHECK_EQ("readv truncates", readv(sv[1], in, 2), 6);
	CHECK_ERR("and drops the rest", recv(sv[1], buf, 1, MSG_DONTWAIT),
	    EAGAIN);

	static char big[300000];
	CHECK_ERR("datagram over SO_SNDBUF", send(sv[0], big, sizeof(big), 0),
	    EMSGSIZE);
	CHECK_EQ("a 100000-byte datagram", send(sv[0], big, 100000, 0), 100000);
	CHECK_EQ("arrives whole", recv(sv[1], big, sizeof(big), 0), 100000);

	struct sockaddr_un sa;
	socklen_t len = sizeof(sa);
	CHECK_ERR("sendto a bad name", sendto(sv[0], "x", 1, 0,
	    (struct sockaddr *)&(struct sockaddr_un){ AF_UNIX, "/none/x" },
	    sizeof(struct sockaddr_un)), ENOENT);
	CHECK_OK("getpeername", getpeername(sv[0], (struct sockaddr *)&sa,
	    &len));

	/* The peer closes: sends are refused, then not connected. */
	close(sv[1]);
	CHECK_STR("dgram peer closed", poll_now(sv[0]), "OUT WRNORM WRBAND");
	CHECK_ERR("send to a closed peer", send(sv[0], "x", 1, 0), ECONNREFUSED);
	CHECK_ERR("then", send(sv[0], "x", 1, 0), ENOTCONN);
	CHECK_ERR("no peer name", getpeername(sv[0], (struct sockaddr *)&sa,
	    &len), ENOTCONN);
	close(sv[0]);

	/* SOCK_SEQPACKET: boundaries, truncation, EOF, EPIPE. */
	socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv);
	send(sv[0], "first", 5, 0);
	send(sv[0], "second", 6, 0);
	CHECK_EQ("seqpacket FIONREAD", (ioctl(sv[1], FIONREAD, &avail), avail),
	    11);
	CHECK_EQ("seqpacket boundary", recv(sv[1], buf, sizeof(buf), 0), 5);
	memset(&m, 0, sizeof(m));
	iov = (struct iovec){ buf, 3 };
	m.msg_iov = &iov;
	m.msg_iovlen = 1;
	CHECK_EQ("seqpacket truncation", recvmsg(sv[1], &m, 0), 3);
	CHECK("seqpacket MSG_TRUNC", m.msg_flags & MSG_TRUNC);
	send(sv[0], "tail", 4, 0);
	close(sv[0]);
	CHECK_STR("seqpacket peer closed", poll_now(sv[1]),
	    "IN OUT HUP RDNORM WRNORM WRBAND RDHUP");
	CHECK_EQ("seqpacket data survives", recv(sv[1], buf, sizeof(buf), 0), 4);
	CHECK_EQ("seqpacket EOF", recv(sv[1], buf, sizeof(buf), 0), 0);
	CHECK_ERR("seqpacket EPIPE", send(sv[1], "x", 1, MSG_NOSIGNAL), EPIPE);
	close(sv[1]);
}

static void
test_path_names(void)
{
	char path[64], path2[64];
	socklen_t alen, len;
	struct sockaddr_un got;
	struct stat st;
	char buf[64];

	abi_tmpname(path, sizeof(path), "unix-srv");
	abi_tmpname(path2, sizeof(path2), "unix-cli");
	unlink(path);
	unlink(path2);
	struct sockaddr_un a = path_addr(path, &alen);

	int srv = socket(AF_UNIX, SOCK_STREAM, 0);
	CHECK_ERR("listen unbound", listen(srv, 5), EINVAL);
	CHECK_ERR("accept unbound", accept(srv, NULL, NULL), EINVAL);
	CHECK_OK("bind path", bind(srv, (struct sockaddr *)&a, alen));
	CHECK_OK("socket inode", stat(path, &st));
	CHECK("S_ISSOCK", S_ISSOCK(st.st_mode));
	CHECK_EQ("mode (umask 022)", st.st_mode & 07777, 0755);
	CHECK_ERR("open a socket", open(path, O_RDONLY), ENXIO);
	CHECK_ERR("bind twice", bind(srv, (struct sockaddr *)&a, alen),
	    EADDRINUSE);
	struct sockaddr_un a2 = path_addr(path2, &len);
	CHECK_ERR("rebind elsewhere", bind(srv, (struct sockaddr *)&a2, len),
	    EINVAL);
	CHECK_ERR("the failed bind left nothing", access(path2, F_OK), ENOENT);
	int other = socket(AF_UNIX, SOCK_STREAM, 0);
	CHECK_ERR("path in use", bind(other, (struct sockaddr *)&a, alen),
	    EADDRINUSE);
	len = sizeof(got);
	getsockname(srv, (struct sockaddr *)&got, &len);
	CHECK("getsockname length", len == alen);
	CHECK("getsockname path", strcmp(got.sun_path, path) == 0);

	CHECK_ERR("connect before listen", connect(other,
	    (struct sockaddr *)&a, alen), ECONNREFUSED);
	CHECK_STR("unconnected stream socket", poll_now(other),
	    "OUT HUP WRNORM WRBAND");
	CHECK_ERR("read unconnected", read(other, buf, 1), EINVAL);
	CHECK_ERR("write unconnected", send(other, "x", 1, MSG_NOSIGNAL),
	    ENOTCONN);
	CHECK_ERR("getpeername unconnected", getpeername(other,
	    (struct sockaddr *)&got, &len), ENOTCONN);

	CHECK_OK("listen", listen(srv, 1));
	int v;
	len = sizeof(v);
	getsockopt(srv, SOL_SOCKET, SO_ACCEPTCONN, &v, &len);
	CHECK_EQ("SO_ACCEPTCONN listening", v, 1);
	CHECK_STR("idle listener", poll_now(srv), "none");
	fcntl(srv, F_SETFL, O_NONBLOCK);
	CHECK_ERR("accept nothing pending", accept(srv, NULL, NULL), EAGAIN);
	fcntl(srv, F_SETFL, 0);

	CHECK_OK("connect", connect(other, (struct sockaddr *)&a, alen));
	CHECK_ERR("connect again", connect(other, (struct sockaddr *)&a, alen),
	    EISCONN);
	CHECK_STR("listener with a pending connection", poll_now(srv),
	    "IN RDNORM");
	CHECK_EQ("write before accept", write(other, "early", 5), 5);
	len = sizeof(got);
	memset(&got, 0x55, sizeof(got));
	int conn = accept(srv, (struct sockaddr *)&got, &len);
	CHECK("accept", conn >= 0);
	CHECK_EQ("accepted peer unnamed", len, sizeof(sa_family_t));
	CHECK_EQ("data written before accept", read(conn, buf, sizeof(buf)), 5);
	len = sizeof(got);
	getsockname(conn, (struct sockaddr *)&got, &len);
	CHECK("accepted socket has the listener's name",
	    strcmp(got.sun_path, path) == 0);
	len = sizeof(got);
	getpeername(other, (struct sockaddr *)&got, &len);
	CHECK("client's peer is the listener's name",
	    strcmp(got.sun_path, path) == 0);
	struct ucred cred;
	len = sizeof(cred);
	getsockopt(conn, SOL_SOCKET, SO_PEERCRED, &cred, &len);
	CHECK("SO_PEERCRED accepted", cred.pid == getpid());
	CHECK_ERR("listen on connected", listen(other, 1), EINVAL);
	CHECK_ERR("connect a listener", connect(srv, (struct sockaddr *)&a,
	    alen), EINVAL);

	/* A named client shows in accept and recvfrom. */
	int named = socket(AF_UNIX, SOCK_STREAM, 0);
	bind(named, (struct sockaddr *)&a2, sizeof(a2));
	connect(named, (struct sockaddr *)&a, alen);
	len = sizeof(got);
	int conn2 = accept(srv, (struct sockaddr *)&got, &len);
	CHECK("accept gives the client's name",
	    strcmp(got.sun_path, path2) == 0);
	send(named, "hi", 2, 0);
	len = sizeof(got);
	memset(&got, 0, sizeof(got));
	recvfrom(conn2, buf, sizeof(buf), 0, (struct sockaddr *)&got, &len);
	CHECK("recvfrom on a stream names the sender",
	    strcmp(got.sun_path, path2) == 0);
	CHECK_ERR("sendto on a connected stream", sendto(conn2, "x", 1, 0,
	    (struct sockaddr *)&a, alen), EISCONN);
	close(named);
	close(conn2);
	unlink(path2);

	/* The backlog: listen(1) takes two; then EAGAIN or a wait. */
	int c[3];
	for (int i = 0; i < 3; i++)
		c[i] = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);
	CHECK_OK("backlog 1", connect(c[0], (struct sockaddr *)&a, alen));
	CHECK_OK("backlog 2", connect(c[1], (struct sockaddr *)&a, alen));
	CHECK_ERR("backlog full", connect(c[2], (struct sockaddr *)&a, alen),
	    EAGAIN);
	int acc = accept4(srv, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	CHECK("accept4 flags", acc >= 0 && (fcntl(acc, F_GETFL) & O_NONBLOCK) &&
	    fcntl(acc, F_GETFD) == FD_CLOEXEC);
	CHECK_OK("room again", connect(c[2], (struct sockaddr *)&a, alen));
	close(acc);
	CHECK_EQ("accepted and closed: EOF", read(c[0], buf, 1), 0);

	/* The listener goes: pending connections are reset. */
	close(srv);
	CHECK_ERR("pending connection reset", read(c[1], buf, 1), ECONNRESET);
	CHECK_EQ("then EOF", read(c[1], buf, 1), 0);
	CHECK_ERR("and EPIPE", send(c[2], "x", 1, MSG_NOSIGNAL), EPIPE);
	for (int i = 0; i < 3; i++)
		close(c[i]);
	int late = socket(AF_UNIX, SOCK_STREAM, 0);
	CHECK_ERR("connect to a closed listener's path", connect(late,
	    (struct sockaddr *)&a, alen), ECONNREFUSED);
	CHECK_EQ("established connection outlives the listener",
	    write(other, "still", 5), 5);
	CHECK_EQ("and reads", read(conn, buf, sizeof(buf)), 5);
	CHECK_OK("unlink the socket", unlink(path));
	CHECK_ERR("connect after unlink", connect(late, (struct sockaddr *)&a,
	    alen), ENOENT);
	close(late);
	close(other);
	close(conn);

	/* Wrong kinds of thing at the path. */
	int fd = open(path, O_CREAT | O_WRONLY, 0644);
	close(fd);
	int s = socket(AF_UNIX, SOCK_STREAM, 0);
	CHECK_ERR("connect to a regular file", connect(s, (struct sockaddr *)&a,
	    alen), ECONNREFUSED);
	CHECK_ERR("bind over a regular file", bind(s, (struct sockaddr *)&a,
	    alen), EADDRINUSE);
	unlink(path);
	int d = socket(AF_UNIX, SOCK_DGRAM, 0);
	bind(d, (struct sockaddr *)&a, alen);
	CHECK_ERR("stream connect to a dgram socket", connect(s,
	    (struct sockaddr *)&a, alen), EPROTOTYPE);
	CHECK_ERR("listen on dgram", listen(d, 1), EOPNOTSUPP);
	CHECK_ERR("accept on dgram", accept(d, NULL, NULL), EOPNOTSUPP);
	close(d);
	unlink(path);
	struct sockaddr_un missing = path_addr("/nonexistent-dir/sock", &len);
	CHECK_ERR("bind in a missing directory", bind(s,
	    (struct sockaddr *)&missing, len), ENOENT);
	close(s);
}

static void
test_abstract_names(void)
{
	socklen_t alen, len;
	struct sockaddr_un got;
	char name[32];

	snprintf(name, sizeof(name), "abi-unix-%d", (int)getpid());
	struct sockaddr_un a = abstract_addr(name, &alen);
	int srv = socket(AF_UNIX, SOCK_STREAM, 0);
	CHECK_OK("bind abstract", bind(srv, (struct sockaddr *)&a, alen));
	len = sizeof(got);
	getsockname(srv, (struct sockaddr *)&got, &len);
	CHECK("abstract name back", len == alen && got.sun_path[0] == 0 &&
	    memcmp(got.sun_path + 1, name, strlen(name)) == 0);
	int dup_ = socket(AF_UNIX, SOCK_STREAM, 0);
	CHECK_ERR("abstract in use", bind(dup_, (struct sockaddr *)&a, alen),
	    EADDRINUSE);
	int dg = socket(AF_UNIX, SOCK_DGRAM, 0);
	CHECK_OK("same name, other type", bind(dg, (struct sockaddr *)&a, alen));
	listen(srv, 5);
	CHECK_OK("connect abstract", connect(dup_, (struct sockaddr *)&a, alen));
	int conn = accept(srv, NULL, NULL);
	CHECK_EQ("abstract data", (write(dup_, "abc", 3),
	    read(conn, name, sizeof(name))), 3);
	int c2 = socket(AF_UNIX, SOCK_STREAM, 0);
	a.sun_path[1] ^= 1;
	CHECK_ERR("unknown abstract name", connect(c2, (struct sockaddr *)&a,
	    alen), ECONNREFUSED);
	close(c2);
	close(conn);
	close(dup_);
	close(dg);
	close(srv);
	a.sun_path[1] ^= 1;
	srv = socket(AF_UNIX, SOCK_STREAM, 0);
	CHECK_OK("name free after close", bind(srv, (struct sockaddr *)&a,
	    alen));
	close(srv);

	/* Autobind: bind with just the family picks an abstract name. */
	int s = socket(AF_UNIX, SOCK_DGRAM, 0);
	CHECK_OK("autobind", bind(s, (struct sockaddr *)&(sa_family_t){
	    AF_UNIX }, sizeof(sa_family_t)));
	len = sizeof(got);
	getsockname(s, (struct sockaddr *)&got, &len);
	CHECK_EQ("autobind length", len, sizeof(sa_family_t) + 6);
	CHECK("autobind name is abstract hex", got.sun_path[0] == 0 &&
	    strspn(got.sun_path + 1, "0123456789abcdef") == 5);
	CHECK_OK("autobind again is a no-op", bind(s,
	    (struct sockaddr *)&(sa_family_t){ AF_UNIX }, sizeof(sa_family_t)));
	close(s);
}

static void
test_dgram_names(void)
{
	char path[64], cpath[64];
	socklen_t alen, clen, len;
	struct sockaddr_un got;
	char buf[64];

	abi_tmpname(path, sizeof(path), "unix-dsrv");
	abi_tmpname(cpath, sizeof(cpath), "unix-dcli");
	unlink(path);
	unlink(cpath);
	struct sockaddr_un a = path_addr(path, &alen);
	struct sockaddr_un ca = path_addr(cpath, &clen);
	int srv = socket(AF_UNIX, SOCK_DGRAM, 0);
	bind(srv, (struct sockaddr *)&a, alen);
	int cli = socket(AF_UNIX, SOCK_DGRAM, 0);
	CHECK_ERR("send unconnected", send(cli, "x", 1, 0), ENOTCONN);
	CHECK_EQ("sendto unnamed", sendto(cli, "anon", 4, 0,
	    (struct sockaddr *)&a, alen), 4);
	len = sizeof(got);
	CHECK_EQ("recvfrom", recvfrom(srv, buf, sizeof(buf), 0,
	    (struct sockaddr *)&got, &len), 4);
	CHECK_EQ("unnamed sender: no address", len, 0);
	bind(cli, (struct sockaddr *)&ca, clen);
	sendto(cli, "named", 5, 0, (struct sockaddr *)&a, alen);
	len = sizeof(got);
	recvfrom(srv, buf, sizeof(buf), 0, (struct sockaddr *)&got, &len);
	CHECK("named sender's address", len == clen &&
	    strcmp(got.sun_path, cpath) == 0);
	len = 4;
	memset(&got, 0, sizeof(got));
	sendto(cli, "short", 5, 0, (struct sockaddr *)&a, alen);
	recvfrom(srv, buf, sizeof(buf), 0, (struct sockaddr *)&got, &len);
	CHECK("address truncated, length whole", len == clen &&
	    got.sun_path[0] == cpath[0] && got.sun_path[1] == cpath[1] &&
	    got.sun_path[2] == 0);

	/* Eleven datagrams queue at an unconnected receiver, no more. */
	int n = 0;
	while (sendto(cli, "q", 1, MSG_DONTWAIT, (struct sockaddr *)&a,
	    alen) == 1 && n < 100)
		n++;
	CHECK_EQ("receive queue limit", n, 11);
	CHECK_EQ("errno at the limit", errno, EAGAIN);
	CHECK_STR("receiver readable", poll_now(srv),
	    "IN OUT RDNORM WRNORM WRBAND");
	while (recv(srv, buf, sizeof(buf), MSG_DONTWAIT) > 0)
		;

	CHECK_OK("connect dgram", connect(cli, (struct sockaddr *)&a, alen));
	CHECK_EQ("send connected", send(cli, "c", 1, 0), 1);
	len = sizeof(got);
	CHECK_OK("getpeername dgram", getpeername(cli, (struct sockaddr *)&got,
	    &len));
	CHECK("dgram peer name", strcmp(got.sun_path, path) == 0);
	CHECK_EQ("recv", recv(srv, buf, sizeof(buf), 0), 1);

	/* A socket connected elsewhere takes nothing from us. */
	int third = socket(AF_UNIX, SOCK_DGRAM, 0);
	CHECK_OK("connect srv to cli", connect(srv, (struct sockaddr *)&ca,
	    clen));
	CHECK_ERR("sendto a socket connected elsewhere", sendto(third, "x", 1,
	    0, (struct sockaddr *)&a, alen), EPERM);
	CHECK_ERR("connect to it", connect(third, (struct sockaddr *)&a, alen),
	    EPERM);
	struct sockaddr unspec = { .sa_family = AF_UNSPEC };
	CHECK_OK("disconnect with AF_UNSPEC", connect(srv, &unspec,
	    sizeof(unspec)));
	CHECK_EQ("now it does", sendto(third, "x", 1, 0, (struct sockaddr *)&a,
	    alen), 1);
	CHECK_OK("disconnect cli", connect(cli, &unspec, sizeof(unspec)));
	CHECK_ERR("send after disconnect", send(cli, "x", 1, 0), ENOTCONN);
	struct sockaddr_un stream_path;
	char spath[64];
	abi_tmpname(spath, sizeof(spath), "unix-dstream");
	unlink(spath);
	stream_path = path_addr(spath, &len);
	int st = socket(AF_UNIX, SOCK_STREAM, 0);
	bind(st, (struct sockaddr *)&stream_path, len);
	CHECK_ERR("sendto a stream socket", sendto(cli, "x", 1, 0,
	    (struct sockaddr *)&stream_path, len), EPROTOTYPE);
	close(st);
	unlink(spath);
	CHECK_ERR("sendto a missing path", sendto(cli, "x", 1, 0,
	    (struct sockaddr *)&(struct sockaddr_un){ AF_UNIX, "/tmp/none" },
	    sizeof(struct sockaddr_un)), ENOENT);
	close(third);
	close(srv);
	CHECK_ERR("sendto a closed socket's path", sendto(cli, "x", 1, 0,
	    (struct sockaddr *)&a, alen), ECONNREFUSED);
	close(cli);
	unlink(path);
	unlink(cpath);
}

static void
test_epoll(void)
{
	int sv[2];
	struct epoll_event ev, out[4];
	char buf[16];

	socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv);
	int ep = epoll_create1(0);
	ev.events = EPOLLIN | EPOLLRDHUP | EPOLLET;
	ev.data.u32 = 7;
	epoll_ctl(ep, EPOLL_CTL_ADD, sv[1], &ev);
	CHECK_EQ("epoll nothing yet", epoll_wait(ep, out, 4, 0), 0);
	write(sv[0], "a", 1);
	CHECK_EQ("epoll readable", epoll_wait(ep, out, 4, 0), 1);
	CHECK_STR("epoll events", events_str(out[0].events), "IN");
	CHECK_EQ("edge: reported once", epoll_wait(ep, out, 4, 0), 0);
	write(sv[0], "b", 1);
	CHECK_EQ("edge: new data", epoll_wait(ep, out, 4, 0), 1);
	read(sv[1], buf, sizeof(buf));
	close(sv[0]);
	CHECK_EQ("epoll peer closed", epoll_wait(ep, out, 4, 0), 1);
	CHECK_STR("epoll hangup events", events_str(out[0].events),
	    "IN HUP RDHUP");
	close(ep);
	close(sv[1]);
}

static void
test_blocking(void)
{
	int sv[2];
	char buf[64];

	/* A blocked read is woken by the writer. */
	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	pid_t pid = abi_fork();
	if (pid == 0) {
		abi_sleep_ms(50);
		write(sv[1], "wake", 4);
		_exit(0);
	}
	CHECK_EQ("blocking read", read(sv[0], buf, sizeof(buf)), 4);
	abi_wait(pid);

	/* MSG_WAITALL gathers several writes. */
	pid = abi_fork();
	if (pid == 0) {
		for (int i = 0; i < 4; i++) {
			abi_sleep_ms(10);
			write(sv[1], "ab", 2);
		}
		_exit(0);
	}
	CHECK_EQ("MSG_WAITALL", recv(sv[0], buf, 8, MSG_WAITALL), 8);
	abi_wait(pid);

	/* A blocked read sees the writer close: EOF. */
	pid = abi_fork();
	if (pid == 0) {
		abi_sleep_ms(50);
		_exit(0);
	}
	close(sv[1]);
	CHECK_EQ("blocked read ends with EOF", read(sv[0], buf, sizeof(buf)), 0);
	abi_wait(pid);
	close(sv[0]);

	/* 1 MiB each way through a stream pair, larger than its buffer. */
	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	pid = abi_fork();
	if (pid == 0) {
		static unsigned char out[1 << 20];
		for (size_t i = 0; i < sizeof(out); i++)
			out[i] = (unsigned char)(i * 7 + i / 251);
		size_t done = 0;
		while (done < sizeof(out)) {
			ssize_t r = write(sv[1], out + done, sizeof(out) - done);
			if (r <= 0)
				_exit(1);
			done += r;
		}
		_exit(0);
	}
	static unsigned char in[1 << 20];
	size_t got = 0;
	while (got < sizeof(in)) {
		ssize_t r = read(sv[0], in + got, sizeof(in) - got);
		if (r <= 0)
			break;
		got += r;
	}
	int same = got == sizeof(in);
	for (size_t i = 0; same && i < sizeof(in); i++)
		same = in[i] == (unsigned char)(i * 7 + i / 251);
	CHECK("1 MiB intact", same);
	CHECK_STR("writer", status_str(abi_wait(pid)), "exited 0");
	close(sv[0]);
	close(sv[1]);

	/* accept waits for a connection from another process. */
	char path[64];
	socklen_t alen;
	abi_tmpname(path, sizeof(path), "unix-block");
	unlink(path);
	struct sockaddr_un a = path_addr(path, &alen);
	int srv = socket(AF_UNIX, SOCK_STREAM, 0);
	bind(srv, (struct sockaddr *)&a, alen);
	listen(srv, 0);
	pid = abi_fork();
	if (pid == 0) {
		int c = socket(AF_UNIX, SOCK_STREAM, 0);
		abi_sleep_ms(50);
		if (connect(c, (struct sockaddr *)&a, alen) < 0)
			_exit(1);
		write(c, "client", 6);
		/* A second connect waits for room in the backlog (0: one). */
		int c2 = socket(AF_UNIX, SOCK_STREAM, 0);
		int c3 = socket(AF_UNIX, SOCK_STREAM, 0);
		if (connect(c2, (struct sockaddr *)&a, alen) < 0 ||
		    connect(c3, (struct sockaddr *)&a, alen) < 0)
			_exit(2);
		_exit(0);
	}
	int conn = accept(srv, NULL, NULL);
	CHECK("blocking accept", conn >= 0);
	CHECK_EQ("from the child", read(conn, buf, sizeof(buf)), 6);
	abi_sleep_ms(100);
	close(accept(srv, NULL, NULL));
	close(accept(srv, NULL, NULL));
	CHECK_STR("connects that waited for the backlog",
	    status_str(abi_wait(pid)), "exited 0");
	close(conn);
	close(srv);
	unlink(path);

	/* SO_RCVTIMEO ends a blocked read with EAGAIN. */
	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	struct timeval tv = { 0, 200000 };
	CHECK_OK("SO_RCVTIMEO", setsockopt(sv[0], SOL_SOCKET, SO_RCVTIMEO, &tv,
	    sizeof(tv)));
	struct timeval back;
	socklen_t len = sizeof(back);
	getsockopt(sv[0], SOL_SOCKET, SO_RCVTIMEO, &back, &len);
	CHECK("SO_RCVTIMEO back", back.tv_sec == 0 && back.tv_usec == 200000 &&
	    len == sizeof(back));
	long long t0 = abi_now_ms();
	CHECK_ERR("read times out", read(sv[0], buf, 1), EAGAIN);
	CHECK("after the timeout", abi_now_ms() - t0 >= 150);
	close(sv[0]);
	close(sv[1]);
}

/* Sends fds with one byte; returns sendmsg's result. */
static ssize_t
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
static int
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

static void
test_scm(void)
{
	int sv[2], p[2], got[8], flags;
	char buf[16];

	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	pipe(p);
	CHECK_EQ("send a pipe's read end", send_fds(sv[0], &p[0], 1), 1);
	close(p[0]);
	write(p[1], "via fd", 6);
	CHECK_EQ("receive one fd", recv_fds(sv[1], got, sizeof(got), 0, &flags),
	    1);
	CHECK_EQ("no MSG_CTRUNC", flags & MSG_CTRUNC, 0);
	CHECK_EQ("read through it", read(got[0], buf, sizeof(buf)), 6);
	CHECK_EQ("not close-on-exec", fcntl(got[0], F_GETFD), 0);
	close(got[0]);
	close(p[1]);

	int three[3];
	for (int i = 0; i < 3; i++)
		three[i] = open("/dev/null", O_RDONLY);
	send_fds(sv[0], three, 3);
	CHECK_EQ("three fds, MSG_CMSG_CLOEXEC", recv_fds(sv[1], got, sizeof(got),
	    MSG_CMSG_CLOEXEC, &flags), 3);
	CHECK("received fds close-on-exec",
	    fcntl(got[0], F_GETFD) == FD_CLOEXEC &&
	    fcntl(got[2], F_GETFD) == FD_CLOEXEC);
	for (int i = 0; i < 3; i++)
		close(got[i]);
	send_fds(sv[0], three, 3);
	CHECK_EQ("room for one", recv_fds(sv[1], got, CMSG_LEN(sizeof(int)),
	    0, &flags), 1);
	CHECK("MSG_CTRUNC", flags & MSG_CTRUNC);
	close(got[0]);
	send_fds(sv[0], three, 3);
	CHECK_EQ("no room", recv_fds(sv[1], got, 0, 0, &flags), 0);
	CHECK("MSG_CTRUNC without room", flags & MSG_CTRUNC);
	for (int i = 0; i < 3; i++)
		close(three[i]);

	/* Files end a stream read: bytes after them come separately. */
	pipe(p);
	send_fds(sv[0], &p[0], 1);
	write(sv[0], "after", 5);
	CHECK_EQ("read stops at the fds", recv_fds(sv[1], got, sizeof(got), 0,
	    &flags), 1);
	close(got[0]);
	CHECK_EQ("the bytes after", read(sv[1], buf, sizeof(buf)), 5);

	int bad = 999;
	CHECK_ERR("send a bad fd", send_fds(sv[0], &bad, 1), EBADF);
	CHECK_ERR("nothing was sent", recv(sv[1], buf, 1, MSG_DONTWAIT), EAGAIN);

	/* A descriptor opened in a child arrives in the parent. */
	pid_t pid = abi_fork();
	if (pid == 0) {
		int q[2];
		pipe(q);
		write(q[1], "child", 5);
		send_fds(sv[0], &q[0], 1);
		_exit(0);
	}
	abi_wait(pid);
	CHECK_EQ("fd from a child", recv_fds(sv[1], got, sizeof(got), 0,
	    &flags), 1);
	CHECK_EQ("child's pipe data", read(got[0], buf, sizeof(buf)), 5);
	close(got[0]);

	/* A datagram with fds nobody reads: closing drops them. */
	int dv[2];
	socketpair(AF_UNIX, SOCK_DGRAM, 0, dv);
	send_fds(dv[0], &p[1], 1);
	close(p[1]);
	close(dv[1]);
	CHECK_EQ("in-flight write end dropped: EOF", read(p[0], buf, 1), 0);
	close(p[0]);
	close(dv[0]);

	/* SO_PASSCRED: the sender's pid and ids. */
	int on = 1;
	setsockopt(sv[1], SOL_SOCKET, SO_PASSCRED, &on, sizeof(on));
	socklen_t len = sizeof(on);
	on = 0;
	getsockopt(sv[1], SOL_SOCKET, SO_PASSCRED, &on, &len);
	CHECK_EQ("SO_PASSCRED", on, 1);
	write(sv[0], "c", 1);
	char data;
	struct iovec iov = { &data, 1 };
	char cbuf[CMSG_SPACE(sizeof(struct ucred))];
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1,
	    .msg_control = cbuf, .msg_controllen = sizeof(cbuf) };
	CHECK_EQ("recvmsg with credentials", recvmsg(sv[1], &m, 0), 1);
	struct cmsghdr *c = CMSG_FIRSTHDR(&m);
	CHECK("SCM_CREDENTIALS", c && c->cmsg_type == SCM_CREDENTIALS &&
	    c->cmsg_len == CMSG_LEN(sizeof(struct ucred)));
	struct ucred cred;
	memcpy(&cred, CMSG_DATA(c), sizeof(cred));
	CHECK("credentials are ours", cred.pid == getpid() &&
	    cred.uid == geteuid() && cred.gid == getegid());
	close(sv[0]);
	close(sv[1]);
}

static void
test_options(void)
{
	int s = socket(AF_UNIX, SOCK_STREAM, 0);
	int v = 4096;
	socklen_t len = sizeof(v);

	CHECK_OK("SO_SNDBUF", setsockopt(s, SOL_SOCKET, SO_SNDBUF, &v,
	    sizeof(v)));
	getsockopt(s, SOL_SOCKET, SO_SNDBUF, &v, &len);
	CHECK_EQ("SO_SNDBUF doubled", v, 8192);
	v = 8192;
	setsockopt(s, SOL_SOCKET, SO_RCVBUF, &v, sizeof(v));
	getsockopt(s, SOL_SOCKET, SO_RCVBUF, &v, &len);
	CHECK_EQ("SO_RCVBUF doubled", v, 16384);
	int d = socket(AF_UNIX, SOCK_DGRAM, 0);
	getsockopt(d, SOL_SOCKET, SO_SNDBUF, &v, &len);
	CHECK("default SO_SNDBUF", v >= 65536);
	close(d);
	getsockopt(s, SOL_SOCKET, SO_ERROR, &v, &len);
	CHECK_EQ("SO_ERROR", v, 0);
	v = 1;
	CHECK_OK("SO_REUSEADDR", setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &v,
	    sizeof(v)));
	v = 0;
	getsockopt(s, SOL_SOCKET, SO_REUSEADDR, &v, &len);
	CHECK_EQ("SO_REUSEADDR back", v, 1);
	struct linger l = { 1, 5 };
	CHECK_OK("SO_LINGER", setsockopt(s, SOL_SOCKET, SO_LINGER, &l,
	    sizeof(l)));
	len = sizeof(l);
	memset(&l, 0, sizeof(l));
	getsockopt(s, SOL_SOCKET, SO_LINGER, &l, &len);
	CHECK("SO_LINGER back", l.l_onoff == 1 && l.l_linger == 5 &&
	    len == sizeof(l));
	len = 2;
	v = -1;
	CHECK_OK("short optlen", getsockopt(s, SOL_SOCKET, SO_TYPE, &v, &len));
	CHECK_EQ("truncated to optlen", len, 2);
	CHECK_ERR("setsockopt short", setsockopt(s, SOL_SOCKET, SO_SNDBUF, &v,
	    2), EINVAL);
	CHECK_ERR("setsockopt bad pointer", setsockopt(s, SOL_SOCKET,
	    SO_SNDBUF, BAD_PTR, 4), EFAULT);
	len = sizeof(v);
	CHECK_ERR("getsockopt bad optlen pointer", getsockopt(s, SOL_SOCKET,
	    SO_TYPE, &v, BAD_PTR), EFAULT);
	CHECK_ERR("set SO_TYPE", setsockopt(s, SOL_SOCKET, SO_TYPE, &v,
	    sizeof(v)), ENOPROTOOPT);
	CHECK_ERR("unknown option", getsockopt(s, SOL_SOCKET, 9999, &v, &len),
	    ENOPROTOOPT);
	CHECK_ERR("level IPPROTO_TCP", setsockopt(s, 6, 1, &v, sizeof(v)),
	    EOPNOTSUPP);
	struct timeval tv = { 0, 1000000 };
	CHECK_ERR("SO_SNDTIMEO bad usec", setsockopt(s, SOL_SOCKET, SO_SNDTIMEO,
	    &tv, sizeof(tv)), EDOM);
	struct ucred cred;
	len = sizeof(cred);
	getsockopt(s, SOL_SOCKET, SO_PEERCRED, &cred, &len);
	CHECK("SO_PEERCRED unconnected", cred.pid == 0 &&
	    cred.uid == (uid_t)-1 &&
	    cred.gid == (gid_t)-1);
	close(s);
}

static void
test_bad_input(void)
{
	int s = socket(AF_UNIX, SOCK_STREAM, 0);
	struct sockaddr_un a;
	char buf[16];

	memset(&a, 0, sizeof(a));
	a.sun_family = AF_UNIX;
	CHECK_ERR("bind length 0", bind(s, (struct sockaddr *)&a, 0), EINVAL);
	CHECK_ERR("bind length 1", bind(s, (struct sockaddr *)&a, 1), EINVAL);
	CHECK_ERR("bind length 111", bind(s, (struct sockaddr *)&a, 111),
	    EINVAL);
	CHECK_ERR("bind length 200", bind(s, (struct sockaddr *)&a, 200),
	    EINVAL);
	CHECK_ERR("bind bad pointer", bind(s, BAD_PTR, sizeof(a)), EFAULT);
	a.sun_family = AF_INET;
	strcpy(a.sun_path, "x");
	CHECK_ERR("bind wrong family", bind(s, (struct sockaddr *)&a, sizeof(a)),
	    EINVAL);
	CHECK_ERR("connect wrong family", connect(s, (struct sockaddr *)&a,
	    sizeof(a)), EINVAL);
	CHECK_ERR("connect bad pointer", connect(s, BAD_PTR, sizeof(a)), EFAULT);

	/* A sun_path with no NUL: Linux takes all 108 bytes. */
	a.sun_family = AF_UNIX;
	memset(a.sun_path, 'u', sizeof(a.sun_path));
	CHECK_OK("bind an unterminated path", bind(s, (struct sockaddr *)&a,
	    sizeof(a)));
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	getsockname(s, (struct sockaddr *)&ss, &len);
	CHECK_EQ("its length counts a NUL", len, sizeof(a) + 1);
	char name[sizeof(a.sun_path) + 1];
	memcpy(name, a.sun_path, sizeof(a.sun_path));
	name[sizeof(a.sun_path)] = 0;
	CHECK_OK("unlink it", unlink(name));
	len = sizeof(ss);
	CHECK_ERR("getsockname bad length pointer", getsockname(s,
	    (struct sockaddr *)&ss, BAD_PTR), EFAULT);
	len = (socklen_t)-1;
	CHECK_ERR("getsockname negative length", getsockname(s,
	    (struct sockaddr *)&ss, &len), EINVAL);
	close(s);

	int sv[2];
	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	CHECK_ERR("send from a bad buffer", send(sv[0], BAD_PTR, 10, 0), EFAULT);
	write(sv[0], "abc", 3);
	CHECK_ERR("recv into a bad buffer", recv(sv[1], BAD_PTR, 10, 0), EFAULT);
	struct msghdr m = { .msg_iov = BAD_PTR, .msg_iovlen = 1 };
	CHECK_ERR("sendmsg bad iovec", sendmsg(sv[0], &m, 0), EFAULT);
	/* musl's sendmsg copies the msghdr first: call the kernel directly. */
	CHECK_ERR("sendmsg bad msghdr", syscall(SYS_sendmsg, sv[0], BAD_PTR, 0),
	    EFAULT);
	CHECK_ERR("recvmsg bad msghdr", syscall(SYS_recvmsg, sv[1], BAD_PTR, 0),
	    EFAULT);
	struct iovec iov = { buf, 1 };
	m = (struct msghdr){ .msg_iov = &iov, .msg_iovlen = 2000 };
	CHECK_ERR("sendmsg too many iovecs", sendmsg(sv[0], &m, 0), EMSGSIZE);
	char cbuf[CMSG_SPACE(4)];
	m = (struct msghdr){ .msg_iov = &iov, .msg_iovlen = 1,
	    .msg_control = cbuf, .msg_controllen = sizeof(cbuf) };
	struct cmsghdr *c = CMSG_FIRSTHDR(&m);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = sizeof(cbuf) + 8;
	CHECK_ERR("cmsg_len past the buffer", sendmsg(sv[0], &m, 0), EINVAL);
	c->cmsg_len = CMSG_LEN(4);
	c->cmsg_type = 77;
	CHECK_ERR("unknown SOL_SOCKET cmsg", sendmsg(sv[0], &m, 0), EINVAL);
	close(sv[0]);
	close(sv[1]);
}

int
main(void)
{
	abi_init();
	if (chdir("/tmp") < 0)
		return 1;
	test_create();
	test_stream_pair();
	test_dgram_pair();
	test_path_names();
	test_abstract_names();
	test_dgram_names();
	test_epoll();
	test_blocking();
	test_scm();
	test_options();
	test_bad_input();
	return abi_done("unix");
}
