/*
 * TCP sockets over 127.0.0.1 and ::1: socket flags, bind/listen/accept4/
 * connect blocking and not, refused connections, EADDRINUSE and
 * SO_REUSEADDR (TIME-WAIT included), names, send/recv with MSG_PEEK,
 * MSG_DONTWAIT and FIONREAD, a 4 MiB transfer between two processes,
 * shutdown, close with unread data, writing after the peer closed (EPIPE
 * and SIGPIPE), poll and epoll readiness (edge-triggered too), options,
 * dual stack and IPV6_V6ONLY, and the errors of unconnected sockets and
 * of non-sockets. Ports come from the kernel (bind to port 0) and are
 * only ever compared, never printed.
 */
#include "abi.h"
#include "inet.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

/* Polls until every bit of `until' is set (or the wait ends), then
   reports the bits of `events' that are set. */
static const char *
poll_until(int fd, short events, short until)
{
	long long end = abi_now_ms() + WAIT_MS;
	int r;

	for (;;) {
		r = poll_one(fd, events, 0);
		if (r < 0 || (r & until) == until || abi_now_ms() > end)
			break;
		poll_one(fd, until, 20);
	}
	return revents_str(r);
}

static void
test_socket(void)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	struct stat st;

	CHECK("socket with flags", fd >= 0);
	CHECK_EQ("SOCK_NONBLOCK", !!(fcntl(fd, F_GETFL) & O_NONBLOCK), 1);
	CHECK_EQ("SOCK_CLOEXEC", fcntl(fd, F_GETFD), FD_CLOEXEC);
	CHECK_EQ("O_RDWR", fcntl(fd, F_GETFL) & O_ACCMODE, O_RDWR);
	CHECK("fstat S_ISSOCK", fstat(fd, &st) == 0 && S_ISSOCK(st.st_mode));
	close(fd);

	fd = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
	CHECK_EQ("plain socket blocking", fcntl(fd, F_GETFL) & O_NONBLOCK, 0);
	CHECK_EQ("plain socket no cloexec", fcntl(fd, F_GETFD), 0);
	CHECK_STR("fresh socket polls", revents_str(poll_one(fd,
	    POLLIN | POLLOUT | POLLRDHUP, 0)), "OUT HUP");
	CHECK_EQ("SO_TYPE", getopt_int(fd, SOL_SOCKET, SO_TYPE), SOCK_STREAM);
	CHECK_EQ("SO_DOMAIN", getopt_int(fd, SOL_SOCKET, SO_DOMAIN), AF_INET);
	CHECK_EQ("SO_PROTOCOL", getopt_int(fd, SOL_SOCKET, SO_PROTOCOL),
	    IPPROTO_TCP);
	CHECK_EQ("SO_ACCEPTCONN before listen", getopt_int(fd, SOL_SOCKET,
	    SO_ACCEPTCONN), 0);
	CHECK_EQ("SO_ERROR fresh", getopt_int(fd, SOL_SOCKET, SO_ERROR), 0);
	CHECK_STR("getsockname fresh", name_of(fd, 0),
	    "AF_INET 0.0.0.0 len 16");
	CHECK_EQ("fresh port 0", local_port(fd), 0);
	CHECK_STR("getpeername fresh", name_of(fd, 1), "ENOTCONN");
	close(fd);

	CHECK_ERR("SOCK_STREAM with IPPROTO_UDP", socket(AF_INET, SOCK_STREAM,
	    IPPROTO_UDP), EPROTONOSUPPORT);
	CHECK_ERR("unknown flags in type", socket(AF_INET, SOCK_STREAM |
	    0x10000, 0), EINVAL);
}

static void
test_connect_accept(void)
{
	int port, l = listener(AF_INET, "127.0.0.1", &port);
	struct sockaddr_storage ss;
	socklen_t len;
	char buf[64];

	CHECK("listener", l >= 0 && port > 0);
	CHECK_EQ("SO_ACCEPTCONN after listen", getopt_int(l, SOL_SOCKET,
	    SO_ACCEPTCONN), 1);
	CHECK_STR("idle listener", revents_str(poll_one(l, POLLIN | POLLOUT,
	    0)), "none");
	CHECK_EQ("listen again (new backlog)", listen(l, 4), 0);
	fcntl(l, F_SETFL, O_NONBLOCK);
	CHECK_ERR("accept nothing, non-blocking", accept(l, NULL, NULL),
	    EAGAIN);

	int c = socket(AF_INET, SOCK_STREAM, 0);
	CHECK_EQ("blocking connect", connect_to(c, AF_INET, "127.0.0.1", port),
	    0);
	CHECK_STR("client name", name_of(c, 0), "AF_INET 127.0.0.1 len 16");
	CHECK_STR("client peer", name_of(c, 1), "AF_INET 127.0.0.1 len 16");
	CHECK("client's peer port is the listener's", peer_port(c) == port);
	CHECK("client has a port", local_port(c) > 0 && local_port(c) != port);
	CHECK_STR("listener readable", revents_str(poll_one(l, POLLIN,
	    WAIT_MS)), "IN");

	len = sizeof(ss);
	memset(&ss, 0, sizeof(ss));
	int s = accept4(l, (struct sockaddr *)&ss, &len,
	    SOCK_NONBLOCK | SOCK_CLOEXEC);
	CHECK("accept4", s >= 0);
	CHECK_STR("accept's address", addr_str(&ss, len),
	    "AF_INET 127.0.0.1 len 16");
	CHECK("accept's port is the client's", port_in(&ss) == local_port(c));
	CHECK_EQ("accept4 SOCK_NONBLOCK", !!(fcntl(s, F_GETFL) & O_NONBLOCK),
	    1);
	CHECK_EQ("accept4 SOCK_CLOEXEC", fcntl(s, F_GETFD), FD_CLOEXEC);
	CHECK("server's name is the listener's port", local_port(s) == port);
	CHECK("server's peer is the client", peer_port(s) == local_port(c));
	CHECK_STR("listener drained", revents_str(poll_one(l, POLLIN, 0)),
	    "none");
	CHECK_EQ("accepted SO_ACCEPTCONN", getopt_int(s, SOL_SOCKET,
	    SO_ACCEPTCONN), 0);
	CHECK_STR("connected client polls", revents_str(poll_one(c,
	    POLLIN | POLLOUT | POLLRDHUP, 0)), "OUT");

	CHECK_ERR("connect when connected", connect_to(c, AF_INET,
	    "127.0.0.1", port), EISCONN);
	CHECK_ERR("listen when connected", listen(c, 1), EINVAL);
	CHECK_ERR("bind when connected", bind_to(c, AF_INET, "127.0.0.1", 0),
	    EINVAL);

	CHECK_EQ("send", send(c, "hello world", 11, 0), 11);
	CHECK_STR("server readable", revents_str(poll_one(s, POLLIN, WAIT_MS)),
	    "IN");
	int avail = -1;
	CHECK_OK("FIONREAD", ioctl(s, FIONREAD, &avail));
	CHECK_EQ("FIONREAD count", avail, 11);
	memset(buf, 0, sizeof(buf));
	CHECK_EQ("MSG_PEEK", recv(s, buf, 5, MSG_PEEK), 5);
	CHECK_STR("peeked", buf, "hello");
	CHECK_EQ("still there after peek", recv(s, buf, sizeof(buf), MSG_PEEK),
	    11);
	CHECK_EQ("zero-length recv", recv(s, buf, 0, 0), 0);
	memset(buf, 0, sizeof(buf));
	CHECK_EQ("recv", recv(s, buf, sizeof(buf), 0), 11);
	CHECK_STR("received", buf, "hello world");
	CHECK_ERR("recv empty, O_NONBLOCK", recv(s, buf, sizeof(buf), 0),
	    EAGAIN);
	CHECK_ERR("recv empty, MSG_DONTWAIT", recv(c, buf, sizeof(buf),
	    MSG_DONTWAIT), EAGAIN);
	CHECK_ERR("read empty, O_NONBLOCK", read(s, buf, sizeof(buf)), EAGAIN);
	avail = -1;
	ioctl(s, FIONREAD, &avail);
	CHECK_EQ("FIONREAD empty", avail, 0);
	CHECK_EQ("zero-length send", send(c, buf, 0, 0), 0);
	CHECK_EQ("write", write(s, "back", 4), 4);
	memset(buf, 0, sizeof(buf));
	CHECK_EQ("blocking read", read(c, buf, sizeof(buf)), 4);
	CHECK_STR("read back", buf, "back");
	CHECK_ERR("accept on a connected socket", accept(c, NULL, NULL),
	    EINVAL);
	close(s);
	close(c);

	/* A blocking accept and a blocking recv, woken by another process. */
	fcntl(l, F_SETFL, 0);
	pid_t pid = abi_fork();
	if (pid == 0) {
		int fd = socket(AF_INET, SOCK_STREAM, 0);
		abi_sleep_ms(50);
		if (connect_to(fd, AF_INET, "127.0.0.1", port) < 0)
			_exit(1);
		abi_sleep_ms(50);
		send(fd, "child", 5, 0);
		if (recv(fd, buf, sizeof(buf), 0) != 0)	/* until EOF */
			_exit(2);
		_exit(0);
	}
	s = accept(l, NULL, NULL);
	CHECK("blocking accept woken", s >= 0);
	CHECK_EQ("accept without flags is blocking",
	    fcntl(s, F_GETFL) & O_NONBLOCK, 0);
	memset(buf, 0, sizeof(buf));
	CHECK_EQ("blocking recv woken", recv(s, buf, sizeof(buf), 0), 5);
	CHECK_STR("child's data", buf, "child");
	close(s);
	CHECK_STR("child", status_str(abi_wait(pid)), "exited 0");
	close(l);
}

static void
test_nonblocking_connect(void)
{
	int port, l = listener(AF_INET, "127.0.0.1", &port);
	int c = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);

	CHECK_ERR("non-blocking connect", connect_to(c, AF_INET, "127.0.0.1",
	    port), EINPROGRESS);
	CHECK_STR("writable once connected", revents_str(poll_one(c, POLLOUT,
	    WAIT_MS)), "OUT");
	CHECK_EQ("SO_ERROR after connecting", getopt_int(c, SOL_SOCKET,
	    SO_ERROR), 0);
	CHECK_EQ("connect again: done", connect_to(c, AF_INET, "127.0.0.1",
	    port), 0);
	CHECK_ERR("connect a third time", connect_to(c, AF_INET, "127.0.0.1",
	    port), EISCONN);
	int s = accept(l, NULL, NULL);
	CHECK("accepted", s >= 0);
	CHECK("peer is the client", peer_port(s) == local_port(c));
	close(s);
	close(c);
	close(l);
}

static void
test_refused(void)
{
	/* A bound socket that does not listen: its port refuses. */
	int hold = socket(AF_INET, SOCK_STREAM, 0);
	bind_to(hold, AF_INET, "127.0.0.1", 0);
	int closed = local_port(hold);
	int port, l = listener(AF_INET, "127.0.0.1", &port);

	fcntl(l, F_SETFL, O_NONBLOCK);	/* a failed check must not hang */
	int c = socket(AF_INET, SOCK_STREAM, 0);
	CHECK_ERR("blocking connect to a closed port", connect_to(c, AF_INET,
	    "127.0.0.1", closed), ECONNREFUSED);
	CHECK_EQ("SO_ERROR taken by connect", getopt_int(c, SOL_SOCKET,
	    SO_ERROR), 0);
	CHECK_EQ("connect again elsewhere", connect_to(c, AF_INET,
	    "127.0.0.1", port), 0);
	close(c);
	poll_one(l, POLLIN, WAIT_MS);
	close(accept(l, NULL, NULL));

	c = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	CHECK_ERR("non-blocking connect to a closed port", connect_to(c,
	    AF_INET, "127.0.0.1", closed), EINPROGRESS);
	CHECK_STR("refused socket polls", poll_until(c, POLLIN | POLLOUT |
	    POLLRDHUP, POLLERR), "IN OUT ERR HUP RDHUP");
	CHECK_EQ("SO_ERROR", getopt_int(c, SOL_SOCKET, SO_ERROR),
	    ECONNREFUSED);
	CHECK_EQ("SO_ERROR once", getopt_int(c, SOL_SOCKET, SO_ERROR), 0);
	CHECK_ERR("connect after SO_ERROR took the error", connect_to(c,
	    AF_INET, "127.0.0.1", closed), ECONNABORTED);
	CHECK_ERR("connect afresh", connect_to(c, AF_INET, "127.0.0.1", port),
	    EINPROGRESS);
	CHECK_STR("then connected", revents_str(poll_one(c, POLLOUT, WAIT_MS)),
	    "OUT");
	CHECK_EQ("and connect says so", connect_to(c, AF_INET, "127.0.0.1",
	    port), 0);
	close(c);

	c = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	connect_to(c, AF_INET, "127.0.0.1", closed);
	poll_until(c, POLLOUT, POLLERR);
	CHECK_ERR("the next connect reports the refusal", connect_to(c,
	    AF_INET, "127.0.0.1", closed), ECONNREFUSED);
	close(c);

	c = socket(AF_INET, SOCK_STREAM, 0);
	connect_to(c, AF_INET, "127.0.0.1", closed);
	char buf[4];
	CHECK_ERR("recv after a refused connect", recv(c, buf, sizeof(buf),
	    MSG_DONTWAIT), ENOTCONN);
	close(c);
	close(l);
	close(hold);
}

static void
test_addrinuse(void)
{
	int port, l = listener(AF_INET, "127.0.0.1", &port);
	int a = socket(AF_INET, SOCK_STREAM, 0);
	int b = socket(AF_INET, SOCK_STREAM, 0);

	CHECK_ERR("bind a listener's port", bind_to(a, AF_INET, "127.0.0.1",
	    port), EADDRINUSE);
	CHECK_ERR("bind it on 0.0.0.0", bind_to(a, AF_INET, "0.0.0.0", port),
	    EADDRINUSE);
	setopt_int(a, SOL_SOCKET, SO_REUSEADDR, 1);
	CHECK_ERR("SO_REUSEADDR does not share with a listener", bind_to(a,
	    AF_INET, "127.0.0.1", port), EADDRINUSE);
	close(a);
	close(l);

	/* Two bound sockets with SO_REUSEADDR; only one may listen. */
	a = socket(AF_INET, SOCK_STREAM, 0);
	setopt_int(a, SOL_SOCKET, SO_REUSEADDR, 1);
	setopt_int(b, SOL_SOCKET, SO_REUSEADDR, 1);
	CHECK_EQ("bind with SO_REUSEADDR", bind_to(a, AF_INET, "127.0.0.1", 0),
	    0);
	port = local_port(a);
	CHECK_EQ("second bind with SO_REUSEADDR", bind_to(b, AF_INET,
	    "127.0.0.1", port), 0);
	CHECK_EQ("first listens", listen(a, 1), 0);
	CHECK_ERR("second may not", listen(b, 1), EADDRINUSE);
	close(a);
	close(b);

	/* Without SO_REUSEADDR even a bound, idle socket holds the port. */
	a = socket(AF_INET, SOCK_STREAM, 0);
	b = socket(AF_INET, SOCK_STREAM, 0);
	bind_to(a, AF_INET, "127.0.0.1", 0);
	port = local_port(a);
	setopt_int(b, SOL_SOCKET, SO_REUSEADDR, 1);
	CHECK_ERR("bind a bound port, reuse on one side only", bind_to(b,
	    AF_INET, "127.0.0.1", port), EADDRINUSE);
	CHECK_ERR("bind twice", bind_to(a, AF_INET, "127.0.0.1", 0), EINVAL);
	close(a);
	close(b);

	/* The side that closes first keeps the port in TIME-WAIT. */
	l = socket(AF_INET, SOCK_STREAM, 0);
	setopt_int(l, SOL_SOCKET, SO_REUSEADDR, 1);
	bind_to(l, AF_INET, "127.0.0.1", 0);
	listen(l, 1);
	port = local_port(l);
	int c = socket(AF_INET, SOCK_STREAM, 0);
	connect_to(c, AF_INET, "127.0.0.1", port);
	int s = accept(l, NULL, NULL);
	close(s);
	char buf[4];
	CHECK_EQ("client sees EOF", recv(c, buf, sizeof(buf), 0), 0);
	close(c);
	close(l);
	abi_sleep_ms(100);
	a = socket(AF_INET, SOCK_STREAM, 0);
	CHECK_ERR("bind over TIME-WAIT", bind_to(a, AF_INET, "127.0.0.1",
	    port), EADDRINUSE);
	setopt_int(a, SOL_SOCKET, SO_REUSEADDR, 1);
	CHECK_EQ("bind over TIME-WAIT with SO_REUSEADDR", bind_to(a, AF_INET,
	    "127.0.0.1", port), 0);
	CHECK_EQ("and listen", listen(a, 1), 0);
	close(a);
}

static void
test_shutdown(void)
{
	int c, s;
	char buf[16];

	CHECK_EQ("pair", tcp_pair(AF_INET, &c, &s), 0);
	CHECK_EQ("shutdown SHUT_WR", shutdown(c, SHUT_WR), 0);
	CHECK_STR("peer sees end of file", poll_until(s, POLLIN | POLLOUT |
	    POLLRDHUP, POLLRDHUP), "IN OUT RDHUP");
	CHECK_EQ("peer reads EOF", recv(s, buf, sizeof(buf), 0), 0);
	CHECK_EQ("and again", recv(s, buf, sizeof(buf), 0), 0);
	CHECK_STR("half-closed side polls", revents_str(poll_one(c, POLLIN |
	    POLLOUT | POLLRDHUP, 0)), "OUT");
	CHECK_ERR("send after SHUT_WR", send(c, "x", 1, MSG_NOSIGNAL), EPIPE);
	CHECK_EQ("peer still sends", send(s, "reply", 5, 0), 5);
	memset(buf, 0, sizeof(buf));
	CHECK_EQ("half-closed side still reads", recv(c, buf, sizeof(buf), 0),
	    5);
	CHECK_STR("reply", buf, "reply");
	CHECK_EQ("shutdown SHUT_WR twice", shutdown(c, SHUT_WR), 0);
	CHECK_EQ("peer shuts down too", shutdown(s, SHUT_WR), 0);
	CHECK_STR("both directions closed", poll_until(c, POLLIN | POLLOUT |
	    POLLRDHUP, POLLHUP), "IN OUT HUP RDHUP");
	CHECK_EQ("EOF", recv(c, buf, sizeof(buf), 0), 0);
	close(c);
	close(s);

	CHECK_EQ("pair", tcp_pair(AF_INET, &c, &s), 0);
	CHECK_EQ("shutdown SHUT_RD", shutdown(c, SHUT_RD), 0);
	CHECK_STR("SHUT_RD polls", revents_str(poll_one(c, POLLIN | POLLOUT |
	    POLLRDHUP, 0)), "IN OUT RDHUP");
	CHECK_EQ("recv after SHUT_RD", recv(c, buf, sizeof(buf), 0), 0);
	CHECK_EQ("send after SHUT_RD", send(c, "ok", 2, 0), 2);
	CHECK_EQ("peer gets it", recv(s, buf, sizeof(buf), 0), 2);
	CHECK_EQ("shutdown SHUT_RDWR", shutdown(c, SHUT_RDWR), 0);
	CHECK_STR("SHUT_RDWR polls", revents_str(poll_one(c, POLLIN | POLLOUT |
	    POLLRDHUP, 0)), "IN OUT HUP RDHUP");
	CHECK_ERR("shutdown how 3", shutdown(c, 3), EINVAL);
	close(c);
	close(s);

	c = socket(AF_INET, SOCK_STREAM, 0);
	CHECK_ERR("shutdown unconnected", shutdown(c, SHUT_RDWR), ENOTCONN);
	close(c);
}

static void
test_reset(void)
{
	int c, s;
	char buf[16];

	/* Closing with unread data resets the connection. */
	CHECK_EQ("pair", tcp_pair(AF_INET, &c, &s), 0);
	send(c, "unread", 6, 0);
	poll_one(s, POLLIN, WAIT_MS);
	close(s);
	CHECK_STR("reset connection polls", poll_until(c, POLLIN | POLLOUT |
	    POLLRDHUP, POLLERR), "IN OUT ERR HUP RDHUP");
	CHECK_ERR("recv after reset", recv(c, buf, sizeof(buf), 0),
	    ECONNRESET);
	CHECK_EQ("then EOF", recv(c, buf, sizeof(buf), 0), 0);
	CHECK_ERR("send after reset", send(c, "x", 1, MSG_NOSIGNAL), EPIPE);
	CHECK_STR("peer name after reset", name_of(c, 1), "ENOTCONN");
	close(c);

	/* SO_LINGER {1, 0} resets as well; the error goes to send first. */
	CHECK_EQ("pair", tcp_pair(AF_INET, &c, &s), 0);
	struct linger lg = { 1, 0 };
	CHECK_EQ("SO_LINGER {1, 0}", setsockopt(s, SOL_SOCKET, SO_LINGER, &lg,
	    sizeof(lg)), 0);
	close(s);
	poll_until(c, POLLIN, POLLERR);
	CHECK_ERR("send after linger reset", send(c, "x", 1, MSG_NOSIGNAL),
	    ECONNRESET);
	CHECK_EQ("SO_ERROR then clear", getopt_int(c, SOL_SOCKET, SO_ERROR), 0);
	close(c);
}

static volatile sig_atomic_t sigpipes;

static void
on_sigpipe(int sig)
{
	(void)sig;
	sigpipes++;
}

static void
test_write_after_close(void)
{
	int c, s;
	char buf[16];

	CHECK_EQ("pair", tcp_pair(AF_INET, &c, &s), 0);
	close(s);
	CHECK_STR("peer closed", poll_until(c, POLLIN | POLLOUT | POLLRDHUP,
	    POLLRDHUP), "IN OUT RDHUP");
	CHECK_EQ("EOF", recv(c, buf, sizeof(buf), 0), 0);
	CHECK_EQ("first write after peer close succeeds", send(c, "x", 1,
	    MSG_NOSIGNAL), 1);
	/* The closed peer answers the data with a reset. */
	CHECK_STR("reset arrives", poll_until(c, POLLIN | POLLOUT | POLLRDHUP,
	    POLLERR), "IN OUT ERR HUP RDHUP");
	signal(SIGPIPE, on_sigpipe);
	CHECK_ERR("send after the reset", send(c, "y", 1, 0), EPIPE);
	CHECK_EQ("SIGPIPE", sigpipes, 1);
	CHECK_ERR("send again, MSG_NOSIGNAL", send(c, "y", 1, MSG_NOSIGNAL),
	    EPIPE);
	CHECK_EQ("no SIGPIPE", sigpipes, 1);
	CHECK_ERR("write", write(c, "z", 1), EPIPE);
	CHECK_EQ("SIGPIPE from write", sigpipes, 2);
	CHECK_EQ("recv: EOF", recv(c, buf, sizeof(buf), 0), 0);
	CHECK_EQ("SO_ERROR", getopt_int(c, SOL_SOCKET, SO_ERROR), 0);
	signal(SIGPIPE, SIG_DFL);
	close(c);

	/* With the default action, SIGPIPE kills the writer. */
	CHECK_EQ("pair", tcp_pair(AF_INET, &c, &s), 0);
	shutdown(c, SHUT_WR);
	pid_t pid = abi_fork();
	if (pid == 0) {
		send(c, "x", 1, 0);
		_exit(0);
	}
	CHECK_STR("writer after SHUT_WR", status_str(abi_wait(pid)),
	    "killed by SIGPIPE");
	close(c);
	close(s);
}

static const char *
epoll_str(int ep, int timeout)
{
	struct epoll_event ev[2];
	int n = epoll_wait(ep, ev, 2, timeout);

	if (n < 0)
		return errno_name(errno);
	if (n == 0)
		return "none";
	if (n > 1)
		return "several";
	return revents_str((int)ev[0].events);
}

static void
test_epoll(void)
{
	int port, l = listener(AF_INET, "127.0.0.1", &port);
	int ep = epoll_create1(0);
	struct epoll_event e = { .events = EPOLLIN, .data.u64 = 1 };
	char buf[16];

	epoll_ctl(ep, EPOLL_CTL_ADD, l, &e);
	CHECK_STR("epoll: idle listener", epoll_str(ep, 0), "none");
	int c = socket(AF_INET, SOCK_STREAM, 0);
	connect_to(c, AF_INET, "127.0.0.1", port);
	CHECK_STR("epoll: listener ready", epoll_str(ep, WAIT_MS), "IN");
	int s = accept(l, NULL, NULL);
	CHECK_STR("epoll: listener drained", epoll_str(ep, 0), "none");
	epoll_ctl(ep, EPOLL_CTL_DEL, l, NULL);
	close(l);

	e.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP;
	epoll_ctl(ep, EPOLL_CTL_ADD, s, &e);
	CHECK_STR("epoll: connected", epoll_str(ep, 0), "OUT");
	send(c, "ab", 2, 0);
	poll_one(s, POLLIN, WAIT_MS);
	CHECK_STR("epoll: data", epoll_str(ep, 0), "IN OUT");
	recv(s, buf, sizeof(buf), 0);
	CHECK_STR("epoll: read", epoll_str(ep, 0), "OUT");
	epoll_ctl(ep, EPOLL_CTL_DEL, s, NULL);

	/* Edge-triggered: one report per arrival. */
	e.events = EPOLLIN | EPOLLET;
	epoll_ctl(ep, EPOLL_CTL_ADD, s, &e);
	CHECK_STR("EPOLLET: nothing yet", epoll_str(ep, 0), "none");
	send(c, "a", 1, 0);
	CHECK_STR("EPOLLET: data", epoll_str(ep, WAIT_MS), "IN");
	CHECK_STR("EPOLLET: once", epoll_str(ep, 0), "none");
	CHECK_EQ("EPOLLET: read", recv(s, buf, sizeof(buf), 0), 1);
	CHECK_STR("EPOLLET: drained", epoll_str(ep, 0), "none");
	send(c, "b", 1, 0);
	CHECK_STR("EPOLLET: new data", epoll_str(ep, WAIT_MS), "IN");
	CHECK_STR("EPOLLET: once again", epoll_str(ep, 0), "none");
	CHECK_EQ("EPOLLET: read again", recv(s, buf, sizeof(buf), 0), 1);
	/* A second arrival is a new edge though data is still waiting. */
	send(c, "c", 1, 0);
	CHECK_STR("EPOLLET: unread data", epoll_str(ep, WAIT_MS), "IN");
	send(c, "d", 1, 0);
	CHECK_STR("EPOLLET: more arrives", epoll_str(ep, WAIT_MS), "IN");
	CHECK_STR("EPOLLET: and once", epoll_str(ep, 0), "none");
	CHECK_EQ("EPOLLET: both read", recv(s, buf, 2, MSG_WAITALL), 2);
	epoll_ctl(ep, EPOLL_CTL_DEL, s, NULL);

	e.events = EPOLLIN | EPOLLRDHUP;
	epoll_ctl(ep, EPOLL_CTL_ADD, s, &e);
	shutdown(c, SHUT_WR);
	CHECK_STR("epoll: peer's FIN", epoll_str(ep, WAIT_MS), "IN RDHUP");
	close(c);
	shutdown(s, SHUT_WR);
	e.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP;
	epoll_ctl(ep, EPOLL_CTL_MOD, s, &e);
	CHECK_STR("epoll: both closed", epoll_str(ep, 0),
	    "IN OUT HUP RDHUP");
	close(s);
	close(ep);
}

static void
test_options(void)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	socklen_t len;

	CHECK_EQ("SO_REUSEADDR default", getopt_int(fd, SOL_SOCKET,
	    SO_REUSEADDR), 0);
	CHECK_EQ("set SO_REUSEADDR", setopt_int(fd, SOL_SOCKET, SO_REUSEADDR,
	    1), 0);
	CHECK_EQ("SO_REUSEADDR", getopt_int(fd, SOL_SOCKET, SO_REUSEADDR), 1);
	CHECK_EQ("SO_KEEPALIVE default", getopt_int(fd, SOL_SOCKET,
	    SO_KEEPALIVE), 0);
	setopt_int(fd, SOL_SOCKET, SO_KEEPALIVE, 1);
	CHECK_EQ("SO_KEEPALIVE", getopt_int(fd, SOL_SOCKET, SO_KEEPALIVE), 1);
	CHECK_EQ("TCP_NODELAY default", getopt_int(fd, IPPROTO_TCP,
	    TCP_NODELAY), 0);
	setopt_int(fd, IPPROTO_TCP, TCP_NODELAY, 5);
	CHECK_EQ("TCP_NODELAY (any nonzero is 1)", getopt_int(fd, IPPROTO_TCP,
	    TCP_NODELAY), 1);
	setopt_int(fd, IPPROTO_TCP, TCP_NODELAY, 0);
	CHECK_EQ("TCP_NODELAY off", getopt_int(fd, IPPROTO_TCP, TCP_NODELAY),
	    0);
	CHECK_EQ("TCP_KEEPIDLE default", getopt_int(fd, IPPROTO_TCP,
	    TCP_KEEPIDLE), 7200);
	CHECK_EQ("TCP_KEEPINTVL default", getopt_int(fd, IPPROTO_TCP,
	    TCP_KEEPINTVL), 75);
	CHECK_EQ("TCP_KEEPCNT default", getopt_int(fd, IPPROTO_TCP,
	    TCP_KEEPCNT), 9);
	setopt_int(fd, IPPROTO_TCP, TCP_KEEPIDLE, 60);
	CHECK_EQ("TCP_KEEPIDLE", getopt_int(fd, IPPROTO_TCP, TCP_KEEPIDLE), 60);
	CHECK_ERR("TCP_KEEPIDLE 0", setopt_int(fd, IPPROTO_TCP, TCP_KEEPIDLE,
	    0), EINVAL);
	CHECK("SO_RCVBUF nonzero", getopt_int(fd, SOL_SOCKET, SO_RCVBUF) > 0);
	CHECK("SO_SNDBUF nonzero", getopt_int(fd, SOL_SOCKET, SO_SNDBUF) > 0);
	setopt_int(fd, SOL_SOCKET, SO_RCVBUF, 65536);
	CHECK_EQ("SO_RCVBUF doubled", getopt_int(fd, SOL_SOCKET, SO_RCVBUF),
	    131072);
	setopt_int(fd, SOL_SOCKET, SO_SNDBUF, 65536);
	CHECK_EQ("SO_SNDBUF doubled", getopt_int(fd, SOL_SOCKET, SO_SNDBUF),
	    131072);
	CHECK_EQ("SO_ERROR", getopt_int(fd, SOL_SOCKET, SO_ERROR), 0);

	struct linger lg = { 7, 7 };
	len = sizeof(lg);
	CHECK_EQ("SO_LINGER get", getsockopt(fd, SOL_SOCKET, SO_LINGER, &lg,
	    &len), 0);
	CHECK("SO_LINGER default off", lg.l_onoff == 0 && lg.l_linger == 0 &&
	    len == sizeof(lg));
	lg.l_onoff = 1;
	lg.l_linger = 5;
	setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	memset(&lg, 0, sizeof(lg));
	getsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, &len);
	CHECK("SO_LINGER {1, 5}", lg.l_onoff == 1 && lg.l_linger == 5);

	struct timeval tv = { 1, 500000 };
	CHECK_EQ("SO_RCVTIMEO set", setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO,
	    &tv, sizeof(tv)), 0);
	memset(&tv, 0, sizeof(tv));
	len = sizeof(tv);
	getsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, &len);
	CHECK("SO_RCVTIMEO", tv.tv_sec == 1 && tv.tv_usec == 500000 &&
	    len == sizeof(tv));

	long long big = -1;
	len = sizeof(big);
	CHECK_EQ("SO_TYPE into 8 bytes", getsockopt(fd, SOL_SOCKET, SO_TYPE,
	    &big, &len), 0);
	CHECK_EQ("SO_TYPE length", len, sizeof(int));
	char one = 0;
	len = 1;
	CHECK_EQ("SO_TYPE into 1 byte", getsockopt(fd, SOL_SOCKET, SO_TYPE,
	    &one, &len), 0);
	CHECK("truncated", len == 1 && one == SOCK_STREAM);
	short two = 1;
	CHECK_ERR("setsockopt shorter than int", setsockopt(fd, SOL_SOCKET,
	    SO_REUSEADDR, &two, sizeof(two)), EINVAL);
	CHECK_EQ("unknown SOL_SOCKET option", getopt_int(fd, SOL_SOCKET,
	    9999), -ENOPROTOOPT);
	CHECK_EQ("unknown TCP option", getopt_int(fd, IPPROTO_TCP, 9999),
	    -ENOPROTOOPT);
	CHECK_EQ("get an IPv6 option on IPv4", getopt_int(fd, IPPROTO_IPV6,
	    IPV6_V6ONLY), -EOPNOTSUPP);
	CHECK_ERR("set an IPv6 option on IPv4", setopt_int(fd, IPPROTO_IPV6,
	    IPV6_V6ONLY, 1), ENOPROTOOPT);
	CHECK_EQ("get at an unknown level", getopt_int(fd, 4321, 1),
	    -EOPNOTSUPP);
	CHECK_ERR("set at an unknown level", setopt_int(fd, 4321, 1, 1),
	    ENOPROTOOPT);
	int fd6 = socket(AF_INET6, SOCK_STREAM, 0);
	CHECK_EQ("IPv6: get at an unknown level", getopt_int(fd6, 4321, 1),
	    -ENOPROTOOPT);
	CHECK_EQ("IPv6: get an IPv4 option", getopt_int(fd6, IPPROTO_IP,
	    IP_TTL), 64);
	close(fd6);
	close(fd);

	/* Accepted sockets inherit the listener's options. */
	int port;
	int l = socket(AF_INET, SOCK_STREAM, 0);
	setopt_int(l, SOL_SOCKET, SO_KEEPALIVE, 1);
	setopt_int(l, IPPROTO_TCP, TCP_NODELAY, 1);
	bind_to(l, AF_INET, "127.0.0.1", 0);
	listen(l, 1);
	port = local_port(l);
	int c = socket(AF_INET, SOCK_STREAM, 0);
	connect_to(c, AF_INET, "127.0.0.1", port);
	int s = accept(l, NULL, NULL);
	CHECK_EQ("accepted inherits SO_KEEPALIVE", getopt_int(s, SOL_SOCKET,
	    SO_KEEPALIVE), 1);
	CHECK_EQ("accepted inherits TCP_NODELAY", getopt_int(s, IPPROTO_TCP,
	    TCP_NODELAY), 1);
	close(s);
	close(c);
	close(l);
}

static void
test_unconnected_errors(void)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	char buf[8];

	CHECK_ERR("accept on a non-listening socket", accept(fd, NULL, NULL),
	    EINVAL);
	CHECK_ERR("recv unconnected", recv(fd, buf, sizeof(buf), 0), ENOTCONN);
	CHECK_ERR("read unconnected", read(fd, buf, sizeof(buf)), ENOTCONN);
	CHECK_ERR("send unconnected", send(fd, "x", 1, MSG_NOSIGNAL), EPIPE);
	CHECK_STR("getpeername unconnected", name_of(fd, 1), "ENOTCONN");

	struct sockaddr_in a = addr4("127.0.0.1", 0);
	CHECK_ERR("bind short length", bind(fd, (struct sockaddr *)&a, 8),
	    EINVAL);
	struct sockaddr_in6 a6 = addr6("::1", 0);
	CHECK_ERR("bind IPv6 address on IPv4", bind(fd, (struct sockaddr *)&a6,
	    sizeof(a6)), EAFNOSUPPORT);
	CHECK_ERR("bind an address not here", bind_to(fd, AF_INET,
	    "192.0.2.1", 0), EADDRNOTAVAIL);
	CHECK_ERR("connect short length", connect(fd, (struct sockaddr *)&a,
	    4), EINVAL);

	/* listen binds an unbound socket to a port of its own. */
	CHECK_EQ("listen unbound", listen(fd, 1), 0);
	CHECK("listen picked a port", local_port(fd) > 0);
	CHECK_STR("on every address", name_of(fd, 0), "AF_INET 0.0.0.0 len 16");
	CHECK_ERR("recv on a listener", recv(fd, buf, sizeof(buf),
	    MSG_DONTWAIT), ENOTCONN);
	CHECK_STR("getpeername on a listener", name_of(fd, 1), "ENOTCONN");
	close(fd);

	int p[2];
	pipe(p);
	socklen_t len = sizeof(a);
	CHECK_ERR("getsockname on a pipe", getsockname(p[0],
	    (struct sockaddr *)&a, &len), ENOTSOCK);
	CHECK_ERR("connect on a pipe", connect(p[0], (struct sockaddr *)&a,
	    sizeof(a)), ENOTSOCK);
	CHECK_ERR("accept on a pipe", accept(p[0], NULL, NULL), ENOTSOCK);
	CHECK_ERR("listen on a pipe", listen(p[0], 1), ENOTSOCK);
	CHECK_ERR("send on a pipe", send(p[1], "x", 1, 0), ENOTSOCK);
	CHECK_ERR("recv on a pipe", recv(p[0], buf, 1, MSG_DONTWAIT), ENOTSOCK);
	CHECK_ERR("setsockopt on a pipe", setopt_int(p[0], SOL_SOCKET,
	    SO_REUSEADDR, 1), ENOTSOCK);
	CHECK_ERR("shutdown on a pipe", shutdown(p[0], SHUT_RD), ENOTSOCK);
	close(p[0]);
	close(p[1]);
	CHECK_ERR("bind a closed fd", bind(p[0], (struct sockaddr *)&a,
	    sizeof(a)), EBADF);
}

static uint32_t
checksum(uint32_t sum, const unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		sum = (sum ^ p[i]) * 16777619u;
	return sum;
}

static unsigned char
pattern(size_t i)
{
	return (unsigned char)(i * 7 + i / 4099);
}

#define BIG (4u << 20)

static void
test_transfer(void)
{
	static unsigned char buf[65536];
	int c, s;
	uint32_t want = 2166136261u, got = 2166136261u;

	CHECK_EQ("pair", tcp_pair(AF_INET, &c, &s), 0);
	for (size_t i = 0; i < BIG; i += sizeof(buf)) {
		for (size_t j = 0; j < sizeof(buf); j++)
			buf[j] = pattern(i + j);
		want = checksum(want, buf, sizeof(buf));
	}
	pid_t pid = abi_fork();
	if (pid == 0) {
		/* The writer, in odd-sized pieces. */
		size_t sent = 0;
		close(c);
		while (sent < BIG) {
			size_t n = BIG - sent < 40000 ? BIG - sent : 40000;
			for (size_t j = 0; j < n; j++)
				buf[j] = pattern(sent + j);
			ssize_t w = send(s, buf, n, 0);
			if (w <= 0)
				_exit(1);
			sent += (size_t)w;
		}
		shutdown(s, SHUT_WR);
		if (recv(s, buf, 4, MSG_WAITALL) != 4 ||
		    memcmp(buf, "done", 4) != 0)
			_exit(2);
		_exit(0);
	}
	close(s);
	size_t total = 0;
	for (;;) {
		ssize_t r = recv(c, buf, sizeof(buf), 0);
		if (r <= 0)
			break;
		got = checksum(got, buf, (size_t)r);
		total += (size_t)r;
	}
	CHECK_EQ("bytes received", total, BIG);
	CHECK("checksum matches", got == want);
	CHECK_EQ("reply", send(c, "done", 4, 0), 4);
	CHECK_STR("writer", status_str(abi_wait(pid)), "exited 0");
	close(c);
}

static void
test_ipv6(void)
{
	int port, l = listener(AF_INET6, "::1", &port);
	char buf[16];
	struct sockaddr_storage ss;
	socklen_t len;

	CHECK("listener on ::1", l >= 0 && port > 0);
	CHECK_STR("its name", name_of(l, 0), "AF_INET6 ::1 len 28");
	int c = socket(AF_INET6, SOCK_STREAM, 0);
	CHECK_STR("fresh IPv6 name", name_of(c, 0), "AF_INET6 :: len 28");
	CHECK_EQ("IPV6_V6ONLY default", getopt_int(c, IPPROTO_IPV6,
	    IPV6_V6ONLY), 0);
	CHECK_EQ("connect to ::1", connect_to(c, AF_INET6, "::1", port), 0);
	CHECK_STR("client peer", name_of(c, 1), "AF_INET6 ::1 len 28");
	len = sizeof(ss);
	int s = accept(l, (struct sockaddr *)&ss, &len);
	CHECK_STR("accepted from", addr_str(&ss, len), "AF_INET6 ::1 len 28");
	CHECK("from the client's port", port_in(&ss) == local_port(c));
	send(c, "six", 3, 0);
	memset(buf, 0, sizeof(buf));
	CHECK_EQ("recv over ::1", recv(s, buf, sizeof(buf), 0), 3);
	CHECK_STR("data", buf, "six");
	CHECK_ERR("IPV6_V6ONLY once bound", setopt_int(c, IPPROTO_IPV6,
	    IPV6_V6ONLY, 1), EINVAL);
	close(s);
	close(c);
	close(l);

	/* A dual-stack listener takes IPv4 connections as mapped addresses. */
	l = listener(AF_INET6, "::", &port);
	c = socket(AF_INET, SOCK_STREAM, 0);
	CHECK_EQ("IPv4 connect to [::]", connect_to(c, AF_INET, "127.0.0.1",
	    port), 0);
	len = sizeof(ss);
	s = accept(l, (struct sockaddr *)&ss, &len);
	CHECK_STR("mapped peer", addr_str(&ss, len),
	    "AF_INET6 ::ffff:127.0.0.1 len 28");
	CHECK_STR("mapped name", name_of(s, 0),
	    "AF_INET6 ::ffff:127.0.0.1 len 28");
	close(s);
	close(c);
	/* An IPv6 socket connects to a mapped IPv4 address. */
	int l4 = listener(AF_INET, "127.0.0.1", &port);
	c = socket(AF_INET6, SOCK_STREAM, 0);
	CHECK_EQ("IPv6 socket to ::ffff:127.0.0.1", connect_to(c, AF_INET6,
	    "::ffff:127.0.0.1", port), 0);
	CHECK_STR("its name", name_of(c, 0),
	    "AF_INET6 ::ffff:127.0.0.1 len 28");
	s = accept(l4, NULL, NULL);
	CHECK_STR("the IPv4 side sees IPv4", name_of(s, 1),
	    "AF_INET 127.0.0.1 len 16");
	close(s);
	close(c);
	close(l4);
	close(l);

	/* IPV6_V6ONLY: IPv4 is refused. */
	l = socket(AF_INET6, SOCK_STREAM, 0);
	CHECK_EQ("set IPV6_V6ONLY", setopt_int(l, IPPROTO_IPV6, IPV6_V6ONLY,
	    1), 0);
	CHECK_EQ("IPV6_V6ONLY", getopt_int(l, IPPROTO_IPV6, IPV6_V6ONLY), 1);
	bind_to(l, AF_INET6, "::", 0);
	listen(l, 1);
	port = local_port(l);
	c = socket(AF_INET, SOCK_STREAM, 0);
	CHECK_ERR("IPv4 to a v6-only listener", connect_to(c, AF_INET,
	    "127.0.0.1", port), ECONNREFUSED);
	close(c);
	c = socket(AF_INET6, SOCK_STREAM, 0);
	CHECK_EQ("IPv6 to it", connect_to(c, AF_INET6, "::1", port), 0);
	close(c);
	close(l);

	c = socket(AF_INET6, SOCK_STREAM, 0);
	setopt_int(c, IPPROTO_IPV6, IPV6_V6ONLY, 1);
	CHECK_ERR("v6-only socket to a mapped address", connect_to(c, AF_INET6,
	    "::ffff:127.0.0.1", 1), ENETUNREACH);
	struct sockaddr_in a = addr4("127.0.0.1", 0);
	CHECK_ERR("bind IPv4 address on IPv6", bind(c, (struct sockaddr *)&a,
	    sizeof(a)), EINVAL);
	close(c);
}

int
main(void)
{
	abi_init();
	test_socket();
	test_connect_accept();
	test_nonblocking_connect();
	test_refused();
	test_addrinuse();
	test_shutdown();
	test_reset();
	test_write_after_close();
	test_epoll();
	test_options();
	test_unconnected_errors();
	test_transfer();
	test_ipv6();
	return abi_done("tcp");
}
