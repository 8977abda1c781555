/*
 * TCP_CORK, TCP_NODELAY and MSG_MORE over 127.0.0.1 and ::1 (in Petrel
 * the kernel keeps corked output and sends it to netd when the hold
 * ends): the options' values and inheritance; corked bytes from write,
 * writev, send and sendfile arrive in order and only once the cork is
 * lifted, the socket is shut down or closed, TCP_NODELAY is set, or
 * Linux's 200 ms limit passes; MSG_MORE's bytes go with the next send;
 * a large corked transfer between two processes; non-blocking writes
 * while corked until EAGAIN; a send error after the peer went shows on a
 * later call. Only lower bounds of times are checked.
 */
#include "abi.h"
#include "inet.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <sys/sendfile.h>
#include <sys/time.h>
#include <sys/socket.h>
#include <sys/uio.h>

/* Reads until want bytes came, EOF or the wait ended; NUL-terminated. */
static int
read_some(int fd, char *buf, int want)
{
	long long end = abi_now_ms() + WAIT_MS;
	int got = 0;

	while (got < want && abi_now_ms() < end) {
		if (poll_one(fd, POLLIN, 50) <= 0)
			continue;
		int n = recv(fd, buf + got, want - got, MSG_DONTWAIT);
		if (n <= 0)
			break;
		got += n;
	}
	buf[got] = 0;
	return got;
}

static const char *
read_str(int fd, int want)
{
	static char buf[256];

	read_some(fd, buf, want);
	return buf;
}

/* Whether fd has something to read within ms. */
static int
readable_within(int fd, int ms)
{
	return poll_one(fd, POLLIN, ms) > 0;
}

static void
test_options(void)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	CHECK_EQ("TCP_CORK default", getopt_int(fd, IPPROTO_TCP, TCP_CORK), 0);
	CHECK_EQ("set TCP_CORK 2", setopt_int(fd, IPPROTO_TCP, TCP_CORK, 2), 0);
	CHECK_EQ("TCP_CORK (any nonzero is 1)", getopt_int(fd, IPPROTO_TCP,
	    TCP_CORK), 1);
	setopt_int(fd, IPPROTO_TCP, TCP_NODELAY, 1);
	CHECK_EQ("TCP_NODELAY with the cork", getopt_int(fd, IPPROTO_TCP,
	    TCP_NODELAY), 1);
	CHECK_EQ("TCP_CORK stays", getopt_int(fd, IPPROTO_TCP, TCP_CORK), 1);
	setopt_int(fd, IPPROTO_TCP, TCP_CORK, 0);
	CHECK_EQ("TCP_CORK off", getopt_int(fd, IPPROTO_TCP, TCP_CORK), 0);

	short two = 1;
	CHECK_ERR("TCP_CORK shorter than int", setsockopt(fd, IPPROTO_TCP,
	    TCP_CORK, &two, sizeof(two)), EINVAL);
	CHECK_ERR("TCP_NODELAY shorter than int", setsockopt(fd, IPPROTO_TCP,
	    TCP_NODELAY, &two, sizeof(two)), EINVAL);
	CHECK_ERR("TCP_CORK from a bad address", setsockopt(fd, IPPROTO_TCP,
	    TCP_CORK, (void *)8, sizeof(int)), EFAULT);
	long long big = 1;
	CHECK_EQ("TCP_CORK from 8 bytes", setsockopt(fd, IPPROTO_TCP,
	    TCP_CORK, &big, sizeof(big)), 0);
	CHECK_EQ("TCP_CORK on", getopt_int(fd, IPPROTO_TCP, TCP_CORK), 1);
	char one = 7;
	socklen_t len = 1;
	CHECK_EQ("TCP_CORK into 1 byte", getsockopt(fd, IPPROTO_TCP, TCP_CORK,
	    &one, &len), 0);
	CHECK("truncated", len == 1 && one == 1);
	big = -1;
	len = sizeof(big);
	CHECK_EQ("TCP_NODELAY into 8 bytes", getsockopt(fd, IPPROTO_TCP,
	    TCP_NODELAY, &big, &len), 0);
	CHECK_EQ("length", len, sizeof(int));
	len = 4;
	CHECK_ERR("TCP_CORK to a bad address", getsockopt(fd, IPPROTO_TCP,
	    TCP_CORK, (void *)8, &len), EFAULT);
	close(fd);

	int fd6 = socket(AF_INET6, SOCK_STREAM, 0);
	CHECK_EQ("IPv6: TCP_CORK default", getopt_int(fd6, IPPROTO_TCP,
	    TCP_CORK), 0);
	setopt_int(fd6, IPPROTO_TCP, TCP_CORK, 1);
	CHECK_EQ("IPv6: TCP_CORK", getopt_int(fd6, IPPROTO_TCP, TCP_CORK), 1);
	close(fd6);

	int u = socket(AF_INET, SOCK_DGRAM, 0);
	CHECK_ERR("TCP_CORK on UDP", setopt_int(u, IPPROTO_TCP, TCP_CORK, 1),
	    ENOPROTOOPT);
	CHECK_EQ("TCP_CORK of UDP", getopt_int(u, IPPROTO_TCP, TCP_CORK),
	    -EOPNOTSUPP);
	close(u);

	/* An accepted socket inherits both from the listener, as Linux. */
	int l = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t alen = sizeof(a);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	setopt_int(l, IPPROTO_TCP, TCP_CORK, 1);
	setopt_int(l, IPPROTO_TCP, TCP_NODELAY, 1);
	bind(l, (struct sockaddr *)&a, sizeof(a));
	listen(l, 1);
	getsockname(l, (struct sockaddr *)&a, &alen);
	int c = socket(AF_INET, SOCK_STREAM, 0);
	connect(c, (struct sockaddr *)&a, alen);
	int s = accept(l, NULL, NULL);
	CHECK_EQ("accepted inherits TCP_CORK", getopt_int(s, IPPROTO_TCP,
	    TCP_CORK), 1);
	CHECK_EQ("accepted inherits TCP_NODELAY", getopt_int(s, IPPROTO_TCP,
	    TCP_NODELAY), 1);
	CHECK_EQ("the connecting one has neither", getopt_int(c, IPPROTO_TCP,
	    TCP_CORK) + getopt_int(c, IPPROTO_TCP, TCP_NODELAY), 0);
	/* The accepted socket is corked: its bytes wait for the uncork. */
	write(s, "inherited", 9);
	CHECK_EQ("held by the inherited cork", readable_within(c, 50), 0);
	setopt_int(s, IPPROTO_TCP, TCP_CORK, 0);
	CHECK_STR("sent at the uncork", read_str(c, 9), "inherited");
	close(s);
	close(c);
	close(l);
}

/* A file holding text, for sendfile. */
static int
file_of(const char *text)
{
	char path[] = "/tmp/tcpcork-XXXXXX";
	int fd = mkstemp(path);

	unlink(path);
	write(fd, text, strlen(text));
	lseek(fd, 0, SEEK_SET);
	return fd;
}

static void
test_order(int family)
{
	int c, s;
	const char *tag = family == AF_INET ? "IPv4" : "IPv6";
	char what[80];

	if (tcp_pair(family, &c, &s) < 0) {
		CHECK("pair", 0);
		return;
	}
	int f = file_of("ghij");
	struct iovec iov[2] = { { "bc", 2 }, { "de", 2 } };
	setopt_int(c, IPPROTO_TCP, TCP_CORK, 1);
	write(c, "a", 1);
	writev(c, iov, 2);
	send(c, "f", 1, MSG_MORE);
	snprintf(what, sizeof(what), "%s: sendfile while corked", tag);
	CHECK_EQ(what, sendfile(c, f, NULL, 4), 4);
	snprintf(what, sizeof(what), "%s: POLLOUT while corked", tag);
	CHECK_EQ(what, poll_one(c, POLLOUT, 0), POLLOUT);
	snprintf(what, sizeof(what), "%s: nothing arrives while corked", tag);
	CHECK_EQ(what, readable_within(s, 50), 0);
	setopt_int(c, IPPROTO_TCP, TCP_CORK, 0);
	snprintf(what, sizeof(what), "%s: all of it, in order, at the uncork",
	    tag);
	CHECK_STR(what, read_str(s, 10), "abcdefghij");

	/* Uncorked again: a write goes at once, after the corked ones. */
	setopt_int(c, IPPROTO_TCP, TCP_CORK, 1);
	write(c, "12", 2);
	setopt_int(c, IPPROTO_TCP, TCP_CORK, 0);
	write(c, "34", 2);
	snprintf(what, sizeof(what), "%s: corked, then plain", tag);
	CHECK_STR(what, read_str(s, 4), "1234");

	/* A send naming the peer (ignored by TCP) comes after corked bytes. */
	struct sockaddr_storage peer;
	socklen_t plen = sizeof(peer);
	getpeername(c, (struct sockaddr *)&peer, &plen);
	setopt_int(c, IPPROTO_TCP, TCP_CORK, 1);
	write(c, "56", 2);
	snprintf(what, sizeof(what), "%s: sendto the peer while corked", tag);
	CHECK_EQ(what, sendto(c, "78", 2, 0, (struct sockaddr *)&peer, plen),
	    2);
	setopt_int(c, IPPROTO_TCP, TCP_CORK, 0);
	snprintf(what, sizeof(what), "%s: after the corked bytes", tag);
	CHECK_STR(what, read_str(s, 4), "5678");
	close(f);
	close(c);
	close(s);
}

static void
test_flushes(void)
{
	int c, s;

	tcp_pair(AF_INET, &c, &s);
	setopt_int(c, IPPROTO_TCP, TCP_CORK, 1);
	write(c, "shut", 4);
	CHECK_EQ("shutdown while corked", shutdown(c, SHUT_WR), 0);
	CHECK_STR("shutdown sends the corked bytes", read_str(s, 8), "shut");
	char b[4];
	CHECK_EQ("then EOF", recv(s, b, sizeof(b), 0), 0);
	CHECK_EQ("still corked", getopt_int(c, IPPROTO_TCP, TCP_CORK), 1);
	close(c);
	close(s);

	tcp_pair(AF_INET, &c, &s);
	setopt_int(c, IPPROTO_TCP, TCP_CORK, 1);
	write(c, "closed", 6);
	close(c);
	CHECK_STR("close sends the corked bytes", read_str(s, 16), "closed");
	CHECK_EQ("then EOF", recv(s, b, sizeof(b), 0), 0);
	close(s);

	tcp_pair(AF_INET, &c, &s);
	setopt_int(c, IPPROTO_TCP, TCP_CORK, 1);
	write(c, "nd", 2);
	setopt_int(c, IPPROTO_TCP, TCP_NODELAY, 1);
	CHECK_STR("TCP_NODELAY sends the corked bytes", read_str(s, 2), "nd");
	CHECK_EQ("and the cork stays", getopt_int(c, IPPROTO_TCP, TCP_CORK),
	    1);
	close(c);
	close(s);

	tcp_pair(AF_INET, &c, &s);
	send(c, "ab", 2, MSG_MORE);
	send(c, "cd", 2, MSG_MORE);
	CHECK_EQ("MSG_MORE holds", readable_within(s, 50), 0);
	send(c, "ef", 2, 0);
	CHECK_STR("the next send takes it along", read_str(s, 6), "abcdef");
	close(c);
	close(s);
}

/* Linux sends corked (and MSG_MORE) bytes after 200 ms at the latest. */
static void
test_limit(void)
{
	int c, s;
	long long t0;
	int held;

	tcp_pair(AF_INET, &c, &s);
	setopt_int(c, IPPROTO_TCP, TCP_CORK, 1);
	t0 = abi_now_ms();
	write(c, "late", 4);
	CHECK("corked bytes arrive while still corked",
	    readable_within(s, WAIT_MS));
	held = abi_now_ms() - t0 >= 150;
	CHECK("after about 200 ms", held);
	CHECK_STR("the corked bytes", read_str(s, 4), "late");
	/* The limit holds again for the next corked bytes. */
	t0 = abi_now_ms();
	write(c, "again", 5);
	CHECK("again", readable_within(s, WAIT_MS));
	held = abi_now_ms() - t0 >= 150;
	CHECK("again after about 200 ms", held);
	CHECK_STR("the second bytes", read_str(s, 5), "again");
	close(c);
	close(s);

	tcp_pair(AF_INET, &c, &s);
	t0 = abi_now_ms();
	send(c, "more", 4, MSG_MORE);
	CHECK("MSG_MORE bytes arrive alone", readable_within(s, WAIT_MS));
	held = abi_now_ms() - t0 >= 150;
	CHECK("after about 200 ms", held);
	CHECK_STR("the MSG_MORE bytes", read_str(s, 4), "more");
	close(c);
	close(s);
}

static unsigned char
pattern(size_t i)
{
	return (unsigned char)(i * 7 + (i >> 9));
}

/*
 * Writes of many sizes (sendfile among them) while corked, read by
 * another process: every byte arrives once and in order.
 */
static void
test_transfer(void)
{
	enum { TOTAL = 600 * 1024 };
	static const int sizes[] = { 1, 100, 1459, 1460, 1461, 4096, 16383,
				     16384, 16385, 65536, 100000, 7 };
	static unsigned char buf[100000];
	int c, s;

	tcp_pair(AF_INET, &c, &s);
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		static unsigned char in[65536];
		size_t got = 0, bad = 0;
		ssize_t n;

		close(c);
		while ((n = read(s, in, sizeof(in))) > 0) {
			for (ssize_t i = 0; i < n; i++)
				bad += in[i] != pattern(got + i);
			got += n;
		}
		printf("reader: %zu bytes, %zu out of place\n", got, bad);
		_exit(0);
	}
	close(s);
	char path[] = "/tmp/tcpcork-XXXXXX";
	int f = mkstemp(path);
	unlink(path);

	setopt_int(c, IPPROTO_TCP, TCP_CORK, 1);
	size_t sent = 0;
	int bad = 0;
	for (int k = 0; sent < TOTAL; k++) {
		size_t n = sizes[k % (sizeof(sizes) / sizeof(sizes[0]))];
		if (n > TOTAL - sent)
			n = TOTAL - sent;
		for (size_t i = 0; i < n; i++)
			buf[i] = pattern(sent + i);
		ssize_t w;
		if (k % 3 == 2) {	/* through a file */
			ftruncate(f, 0);
			pwrite(f, buf, n, 0);
			off_t off = 0;
			w = sendfile(c, f, &off, n);
		} else if (k % 3 == 1) {
			w = send(c, buf, n, MSG_MORE);
		} else {
			w = write(c, buf, n);
		}
		bad += w != (ssize_t)n;
		if (w > 0)
			sent += w;
		else
			break;
		if (k % 5 == 4)	/* now and then uncorked for a moment */
			setopt_int(c, IPPROTO_TCP, TCP_CORK, 0),
			    setopt_int(c, IPPROTO_TCP, TCP_CORK, 1);
	}
	close(f);
	close(c);
	int status;
	waitpid(pid, &status, 0);
	CHECK_EQ("writer: short writes", bad, 0);
	CHECK_EQ("writer: bytes", sent, TOTAL);
}

/* Non-blocking writes while corked and nobody reads: until EAGAIN. */
static void
test_nonblocking(void)
{
	static unsigned char buf[3000], in[65536];
	int c, s;

	tcp_pair(AF_INET, &c, &s);
	fcntl(c, F_SETFL, O_NONBLOCK);
	setopt_int(c, IPPROTO_TCP, TCP_CORK, 1);
	size_t sent = 0;
	ssize_t w = 0;
	int i;
	for (i = 0; i < 100000; i++) {
		for (size_t k = 0; k < sizeof(buf); k++)
			buf[k] = pattern(sent + k);
		w = write(c, buf, sizeof(buf));
		if (w < 0)
			break;
		sent += w;
	}
	CHECK("writes end with EAGAIN", w < 0 && errno == EAGAIN);
	CHECK("after some bytes", sent > 0);
	setopt_int(c, IPPROTO_TCP, TCP_CORK, 0);
	size_t got = 0, bad = 0;
	long long end = abi_now_ms() + 4 * WAIT_MS;
	while (got < sent && abi_now_ms() < end) {
		if (poll_one(s, POLLIN, 100) <= 0)
			continue;
		ssize_t n = read(s, in, sizeof(in));
		if (n <= 0)
			break;
		for (ssize_t k = 0; k < n; k++)
			bad += in[k] != pattern(got + k);
		got += n;
	}
	CHECK("every byte written arrives", got == sent);
	CHECK_EQ("in order", bad, 0);
	CHECK_EQ("writable again", poll_one(c, POLLOUT, WAIT_MS), POLLOUT);
	close(c);
	close(s);
}

static void
on_alarm(int sig)
{
	(void)sig;
}

/*
 * A blocking corked write that a signal interrupts (no SA_RESTART)
 * returns what it took, or EINTR: every byte reported arrives once.
 */
static void
test_signal(void)
{
	static unsigned char buf[1 << 20], in[65536];
	struct sigaction sa;
	int c, s;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm;
	sigaction(SIGALRM, &sa, NULL);
	tcp_pair(AF_INET, &c, &s);
	setopt_int(c, IPPROTO_TCP, TCP_CORK, 1);
	size_t sent = 0;
	ssize_t w = 0;
	int rounds;
	for (rounds = 0; rounds < 64; rounds++) {
		for (size_t k = 0; k < sizeof(buf); k++)
			buf[k] = pattern(sent + k);
		struct itimerval it = { { 0, 0 }, { 0, 300000 } };
		setitimer(ITIMER_REAL, &it, NULL);
		w = write(c, buf, sizeof(buf));
		struct itimerval off = { { 0, 0 }, { 0, 0 } };
		setitimer(ITIMER_REAL, &off, NULL);
		if (w > 0)
			sent += w;
		if (w < (ssize_t)sizeof(buf))
			break;
	}
	CHECK("the signal cut a write short", rounds < 64 &&
	    (w >= 0 || errno == EINTR));
	setopt_int(c, IPPROTO_TCP, TCP_CORK, 0);
	size_t got = 0, bad = 0;
	long long end = abi_now_ms() + 4 * WAIT_MS;
	while (got < sent && abi_now_ms() < end) {
		if (poll_one(s, POLLIN, 100) <= 0)
			continue;
		ssize_t n = read(s, in, sizeof(in));
		if (n <= 0)
			break;
		for (ssize_t k = 0; k < n; k++)
			bad += in[k] != pattern(got + k);
		got += n;
	}
	CHECK("every byte reported arrives", got == sent);
	CHECK_EQ("once and in order", bad, 0);
	CHECK_EQ("and no more", poll_one(s, POLLIN, 100), 0);
	signal(SIGALRM, SIG_DFL);
	alarm(ABI_WATCHDOG);	/* setitimer took the watchdog's place */
	close(c);
	close(s);
}

/* A corked send to a peer that is gone: a later call reports it. */
static void
test_peer_gone(void)
{
	int c, s;

	signal(SIGPIPE, SIG_IGN);
	tcp_pair(AF_INET, &c, &s);
	close(s);
	poll_one(c, POLLIN, WAIT_MS);	/* the FIN */
	setopt_int(c, IPPROTO_TCP, TCP_CORK, 1);
	CHECK_EQ("a corked write after the peer's FIN", write(c, "x", 1), 1);
	setopt_int(c, IPPROTO_TCP, TCP_CORK, 0);	/* the peer resets */
	long long end = abi_now_ms() + WAIT_MS;
	int r = 0;
	while (abi_now_ms() < end && (r = send(c, "y", 1, MSG_NOSIGNAL)) >= 0)
		usleep(20000);
	CHECK("a later send fails", r < 0 && (errno == EPIPE ||
	    errno == ECONNRESET));
	close(c);
	signal(SIGPIPE, SIG_DFL);
}

int
main(void)
{
	abi_init();
	test_options();
	test_order(AF_INET);
	test_order(AF_INET6);
	test_flushes();
	test_limit();
	test_transfer();
	test_nonblocking();
	test_signal();
	test_peer_gone();
	return abi_done("tcpcork");
}
