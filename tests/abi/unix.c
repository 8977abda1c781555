/*
 * AF_UNIX sockets: socket/socketpair types and flags; stream pairs (partial
 * reads, MSG_PEEK, MSG_DONTWAIT, FIONREAD, readv/writev, shutdown with EOF,
 * EPIPE and SIGPIPE, a full buffer); datagram and seqpacket boundaries and
 * truncation; poll and epoll readiness; socket options; and the errors bad
 * arguments get. Names, connections, blocking calls and SCM messages are
 * tests/abi/unix_names.c's.
 */
#include "abi.h"

#include "unix.h"

/* An address nothing is mapped at (volatile: the compiler must not know). */
static void *volatile bad_ptr = (void *)16;
#define BAD_PTR bad_ptr

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
	test_epoll();
	test_options();
	test_bad_input();
	return abi_done("unix");
}
