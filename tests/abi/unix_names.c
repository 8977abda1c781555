/*
 * AF_UNIX names and connections: path and abstract names (bind,
 * EADDRINUSE, the socket inode, unlink, autobind), listen/accept/connect
 * with the backlog, datagrams between named sockets, blocking calls woken
 * by another process, SCM_RIGHTS and SCM_CREDENTIALS. The socket calls
 * themselves are tests/abi/unix.c's.
 */
#include "abi.h"

#include "unix.h"

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

int
main(void)
{
	abi_init();
	if (chdir("/tmp") < 0)
		return 1;
	test_path_names();
	test_abstract_names();
	test_dgram_names();
	test_blocking();
	test_scm();
	return abi_done("unix_names");
}
