/*
 * A mock socket server for the kernel's server-backed sockets, run with
 * `./petrel run --serve inet` (tests/system/sockets-front.py). It serves
 * one kind of socket: connect completes 50 ms later, data sent is kept and
 * becomes readable (upper-cased) 50 ms later. A child process is the
 * client: blocking connect and recv wait for the readiness the server
 * posts; poll and non-blocking calls see it; the server then exits and the
 * client's sockets fail with ECONNRESET, and new ones cannot be made.
 */
#include <petrel/native.h>
#include <petrel/sock.h>
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* ---- The server ---------------------------------------------------------- */

struct msock {
	bool used, connected;
	int64_t connect_at, data_at;	/* ns; 0: nothing pending */
	char data[256];
	size_t len;
	unsigned events;
};

static struct msock socks[16];
static pt_handle_t srv;

static int64_t
now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static unsigned
events_of(struct msock *m)
{
	unsigned ev = 0;
	if (m->connected)
		ev |= POLLOUT;
	if (m->len && !m->data_at)
		ev |= POLLIN;
	return ev;
}

static long
handle(struct pt_recv *r, struct pt_sock_msg *q, struct pt_sock_reply *rep)
{
	struct msock *m = q->id < 16 ? &socks[q->id] : NULL;
	if (q->op != PT_SOCK_SOCKET && (!m || !m->used))
		return -EBADF;
	switch (q->op) {
	case PT_SOCK_SOCKET:
		for (unsigned i = 1; i < 16; i++) {
			if (!socks[i].used) {
				memset(&socks[i], 0, sizeof(socks[i]));
				socks[i].used = true;
				rep->id = i;
				return 0;
			}
		}
		return -EMFILE;
	case PT_SOCK_CONNECT:
		/* As netd: the call after -EINPROGRESS reports the outcome. */
		if (m->connected)
			return 0;
		if (m->connect_at)
			return -EALREADY;
		m->connect_at = now_ns() + 50000000;
		return -EINPROGRESS;
	case PT_SOCK_ERROR:
		return 0;
	case PT_SOCK_SEND: {
		long n = pt_msg_read(srv, r->token, 0, 0, m->data, sizeof(m->data));
		if (n < 0)
			return n;
		for (long i = 0; i < n; i++)
			if (m->data[i] >= 'a' && m->data[i] <= 'z')
				m->data[i] -= 32;
		m->len = (size_t)n;
		m->data_at = now_ns() + 50000000;
		return n;
	}
	case PT_SOCK_RECV: {
		if (!m->len || m->data_at)
			return -EAGAIN;
		long n = pt_msg_write(srv, r->token, 0, 0, m->data, m->len);
		if (n < 0)
			return n;
		if (!(q->flags & MSG_PEEK))
			m->len = 0;
		return n;
	}
	case PT_SOCK_NAME: {
		struct sockaddr_in a = { AF_INET, htons(4242), { htonl(0x0a00020f) }, { 0 } };
		memcpy(rep->addr, &a, sizeof(a));
		rep->addr_len = sizeof(a);
		return 0;
	}
	case PT_SOCK_CLOSE:
		m->used = false;
		return 0;
	}
	return -EOPNOTSUPP;
}

/* Posts what became ready; returns the next deadline (0: none). */
static int64_t
tick(void)
{
	int64_t now = now_ns(), next = 0;
	for (unsigned i = 1; i < 16; i++) {
		struct msock *m = &socks[i];
		if (!m->used)
			continue;
		if (m->connect_at && m->connect_at <= now) {
			m->connect_at = 0;
			m->connected = true;
		}
		if (m->data_at && m->data_at <= now)
			m->data_at = 0;
		int64_t d = m->connect_at ? m->connect_at : m->data_at;
		if (d && (!next || d < next))
			next = d;
		unsigned ev = events_of(m);
		if (ev != m->events) {
			m->events = ev;
			pt_channel_post(srv, i, ev, NULL, 0, 0);
		}
	}
	return next;
}

static void
serve(void)
{
	struct pt_sock_msg q;
	struct pt_recv r = { .msg = (uint64_t)&q, .msg_cap = sizeof(q) };
	for (;;) {
		int64_t next = tick();
		struct pt_wait_item w = { srv, 0, PT_SIG_READABLE, 0 };
		pt_wait(&w, 1, next ? next - now_ns() : 100000000);
		while (pt_channel_recv(srv, &r, 0) == 0) {
			struct pt_sock_reply rep = { 0 };
			long st = handle(&r, &q, &rep);
			if (q.op != PT_SOCK_CLOSE)
				rep.events = q.id < 16 ? events_of(&socks[q.id]) : 0;
			pt_channel_reply(srv, r.token, st, &rep, sizeof(rep));
			if (q.id < 16 && socks[q.id].used)
				socks[q.id].events = rep.events;
		}
	}
}

/* ---- The client ------------------------------------------------------------ */

static void
check(int ok, const char *what, long got)
{
	printf("sockmock: %s %s (%ld)\n", ok ? "ok" : "FAIL", what, got);
	if (!ok)
		exit(1);
}

static int
client(pid_t server_pid)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	check(fd >= 0, "socket", fd);
	check(socket(AF_UNIX + 99, SOCK_STREAM, 0) < 0 && errno == EAFNOSUPPORT,
	      "unknown family: EAFNOSUPPORT", errno);
	struct sockaddr_in to = { AF_INET, htons(80), { htonl(0x0a000202) }, { 0 } };
	int64_t t0 = now_ns();
	int r = connect(fd, (struct sockaddr *)&to, sizeof(to));
	check(r == 0 && now_ns() - t0 >= 40000000,
	      "blocking connect waits for the server's readiness", r);
	struct pollfd p = { fd, POLLIN | POLLOUT, 0 };
	r = poll(&p, 1, 0);
	check(r == 1 && p.revents == POLLOUT, "poll: writable, not readable", p.revents);
	check(send(fd, "hello", 5, 0) == 5, "send", 0);
	char buf[64];
	r = (int)recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
	check(r < 0 && errno == EAGAIN, "MSG_DONTWAIT recv: EAGAIN", errno);
	p.events = POLLIN;
	r = poll(&p, 1, 2000);
	check(r == 1 && (p.revents & POLLIN), "poll wakes when data is posted", p.revents);
	r = (int)recv(fd, buf, sizeof(buf), MSG_PEEK);
	check(r == 5 && memcmp(buf, "HELLO", 5) == 0, "recv MSG_PEEK", r);
	r = (int)read(fd, buf, sizeof(buf));
	check(r == 5 && memcmp(buf, "HELLO", 5) == 0, "read", r);
	check(write(fd, "again", 5) == 5, "write", 0);
	r = (int)recv(fd, buf, sizeof(buf), 0);
	check(r == 5 && memcmp(buf, "AGAIN", 5) == 0, "blocking recv waits", r);
	struct sockaddr_in me;
	socklen_t len = sizeof(me);
	r = getsockname(fd, (struct sockaddr *)&me, &len);
	check(r == 0 && len == sizeof(me) && ntohs(me.sin_port) == 4242,
	      "getsockname", r);
	check(recv(0, buf, 1, 0) < 0 && errno == ENOTSOCK, "recv on a tty: ENOTSOCK", errno);

	/* The server goes away: sockets fail, new ones cannot be made. */
	kill(server_pid, SIGKILL);
	r = (int)recv(fd, buf, sizeof(buf), 0);
	check(r < 0 && errno == ECONNRESET, "server killed: ECONNRESET", errno);
	p.events = POLLIN;
	r = poll(&p, 1, 0);
	check(r == 1 && (p.revents & (POLLERR | POLLHUP)), "poll: error, hang-up", p.revents);
	r = socket(AF_INET, SOCK_STREAM, 0);
	check(r < 0 && errno == EAFNOSUPPORT, "no server: socket fails", errno);
	close(fd);
	return 0;
}

int
main(void)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	const char *s = getenv("PETREL_SERVE");
	if (!s) {
		fprintf(stderr, "sockmock: run with --serve inet\n");
		return 2;
	}
	srv = atoi(s);
	pid_t server = fork();
	if (server == 0) {
		serve();
		_exit(0);
	}
	pt_handle_close(srv);	/* the server child alone holds it now */
	pid_t cl = fork();
	if (cl == 0)
		_exit(client(server));
	int status;
	waitpid(cl, &status, 0);
	kill(server, SIGKILL);
	waitpid(server, NULL, 0);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 99;
}
