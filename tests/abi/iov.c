/*
 * Scatter and gather on TCP and UDP sockets over 127.0.0.1: read/write,
 * readv/writev and sendmsg/recvmsg with 1, 4, 5, 64 and 1024 iovecs (more
 * than one call's worth of segments in Petrel), 1025 (EINVAL or
 * EMSGSIZE), negative lengths, partial and zero-length iovecs, an iovec
 * the kernel cannot reach (EFAULT, and what stays queued), MSG_WAITALL
 * and MSG_PEEK across many iovecs, datagram boundaries and their size
 * limit, a 1 MiB write between two processes, a non-blocking partial
 * write, and sendmmsg/recvmmsg with MSG_WAITFORONE and the timeout.
 */
#include "abi.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/uio.h>

#define WAIT_MS 5000	/* generous: netd runs under TCG in the guest */
#define MAXIOV 1024

static const int counts[] = { 1, 4, 5, 64, 1024 };
static struct iovec iov[MAXIOV + 1];
static unsigned char out[1 << 20], in[1 << 20];
static char *bad;	/* a page no one may touch */

static void
fill(unsigned char *p, size_t n, unsigned seed)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (unsigned char)(seed + i * 7 + i / 251);
}

/* n iovecs over buf: piece i has (i % 7) + 1 bytes; returns the total. */
static size_t
pieces(unsigned char *buf, int n)
{
	size_t at = 0;

	for (int i = 0; i < n; i++) {
		iov[i].iov_base = buf + at;
		iov[i].iov_len = (size_t)(i % 7) + 1;
		at += iov[i].iov_len;
	}
	return at;
}

static struct sockaddr_in
loopback(void)
{
	struct sockaddr_in a;

	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
	return a;
}

/* A connected TCP pair over 127.0.0.1. */
static void
tcp_pair(int *a, int *b)
{
	struct sockaddr_in s = loopback();
	socklen_t len = sizeof(s);
	int l = socket(AF_INET, SOCK_STREAM, 0);

	bind(l, (struct sockaddr *)&s, sizeof(s));
	listen(l, 1);
	getsockname(l, (struct sockaddr *)&s, &len);
	*a = socket(AF_INET, SOCK_STREAM, 0);
	if (connect(*a, (struct sockaddr *)&s, sizeof(s)) < 0)
		printf("connect: %s\n", errno_name(errno));
	*b = accept(l, NULL, NULL);
	close(l);
}

/* Two UDP sockets on 127.0.0.1 connected to each other. */
static void
udp_pair(int *a, int *b)
{
	struct sockaddr_in sa = loopback(), sb = loopback();
	socklen_t len = sizeof(sa);

	*a = socket(AF_INET, SOCK_DGRAM, 0);
	*b = socket(AF_INET, SOCK_DGRAM, 0);
	bind(*a, (struct sockaddr *)&sa, sizeof(sa));
	bind(*b, (struct sockaddr *)&sb, sizeof(sb));
	getsockname(*a, (struct sockaddr *)&sa, &len);
	len = sizeof(sb);
	getsockname(*b, (struct sockaddr *)&sb, &len);
	connect(*a, (struct sockaddr *)&sb, sizeof(sb));
	connect(*b, (struct sockaddr *)&sa, sizeof(sa));
}

static int
wait_in(int fd)
{
	struct pollfd p = { fd, POLLIN, 0 };

	return poll(&p, 1, WAIT_MS);
}

/* Waits until fd has n bytes queued (a stream), so reads are whole. */
static int
wait_bytes(int fd, int n)
{
	long long end = abi_now_ms() + WAIT_MS;
	int have = 0;

	while (abi_now_ms() < end) {
		if (ioctl(fd, FIONREAD, &have) == 0 && have >= n)
			return have;
		abi_sleep_ms(1);
	}
	return have;
}

/* Reads exactly n bytes of a stream into in. */
static size_t
read_all(int fd, size_t n)
{
	size_t got = 0;

	while (got < n) {
		ssize_t r = read(fd, in + got, n - got);
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	return got;
}

static void
test_tcp_counts(void)
{
	int a, b;
	char what[64];

	tcp_pair(&a, &b);
	for (unsigned k = 0; k < sizeof(counts) / sizeof(counts[0]); k++) {
		int n = counts[k];
		size_t total = pieces(out, n);

		fill(out, total, (unsigned)n);
		snprintf(what, sizeof(what), "tcp writev %d", n);
		CHECK_EQ(what, writev(a, iov, n), total);
		memset(in, 0, total);
		snprintf(what, sizeof(what), "tcp writev %d arrives", n);
		CHECK(what, read_all(b, total) == total &&
		    memcmp(in, out, total) == 0);

		CHECK_OK("tcp write", write(a, out, total));
		wait_bytes(b, (int)total);
		memset(in, 0, total);
		pieces(in, n);
		snprintf(what, sizeof(what), "tcp readv %d", n);
		CHECK_EQ(what, readv(b, iov, n), total);
		CHECK("tcp readv data", memcmp(in, out, total) == 0);

		struct msghdr m = { .msg_iov = iov, .msg_iovlen = n };
		pieces(out, n);
		snprintf(what, sizeof(what), "tcp sendmsg %d", n);
		CHECK_EQ(what, sendmsg(a, &m, 0), total);
		memset(in, 0, total);
		pieces(in, n);
		snprintf(what, sizeof(what), "tcp recvmsg %d MSG_WAITALL", n);
		CHECK_EQ(what, recvmsg(b, &m, MSG_WAITALL), total);
		CHECK("tcp recvmsg data", memcmp(in, out, total) == 0);
	}

	/* A short read stops across iovecs: 10 bytes into 4-byte pieces. */
	CHECK_EQ("tcp write 10", write(a, out, 10), 10);
	wait_bytes(b, 10);
	for (int i = 0; i < 8; i++) {
		iov[i].iov_base = in + 4 * i;
		iov[i].iov_len = 4;
	}
	CHECK_EQ("tcp readv 10 into 8x4", readv(b, iov, 8), 10);

	/* Zero-length iovecs are skipped; all-empty reads return at once. */
	size_t lens[8] = { 0, 3, 0, 0, 0, 0, 2, 0 };
	for (int i = 0; i < 8; i++) {
		iov[i].iov_base = out + 8 * i;
		iov[i].iov_len = lens[i];
	}
	CHECK_EQ("tcp writev with empty iovecs", writev(a, iov, 8), 5);
	wait_bytes(b, 5);
	size_t rlens[8] = { 0, 0, 0, 0, 0, 1, 0, 4 };
	for (int i = 0; i < 8; i++) {
		iov[i].iov_base = in + 8 * i;
		iov[i].iov_len = rlens[i];
	}
	CHECK_EQ("tcp readv with empty iovecs", readv(b, iov, 8), 5);
	for (int i = 0; i < 8; i++)
		iov[i].iov_len = 0;
	CHECK_EQ("tcp readv all empty", readv(b, iov, 8), 0);
	CHECK_EQ("tcp readv 0 iovecs", readv(b, iov, 0), 0);
	CHECK_EQ("tcp writev 0 iovecs", writev(a, iov, 0), 0);
	CHECK_EQ("tcp read 0 bytes", read(b, in, 0), 0);
	CHECK_ERR("tcp read nothing queued",
	    recv(b, in, 10, MSG_DONTWAIT), EAGAIN);

	/* Limits. */
	pieces(out, MAXIOV + 1);
	CHECK_ERR("tcp writev 1025", writev(a, iov, MAXIOV + 1), EINVAL);
	CHECK_ERR("tcp readv 1025", readv(b, iov, MAXIOV + 1), EINVAL);
	struct msghdr big = { .msg_iov = iov, .msg_iovlen = MAXIOV + 1 };
	CHECK_ERR("tcp sendmsg 1025", sendmsg(a, &big, 0), EMSGSIZE);
	CHECK_ERR("tcp recvmsg 1025", recvmsg(b, &big, 0), EMSGSIZE);
	iov[1].iov_len = (size_t)-1;
	CHECK_ERR("tcp writev negative length", writev(a, iov, 2), EINVAL);
	big.msg_iovlen = 2;
	CHECK_ERR("tcp sendmsg negative length", sendmsg(a, &big, 0), EINVAL);
	CHECK_ERR("tcp recvmsg negative length", recvmsg(b, &big, 0), EINVAL);
	iov[1].iov_base = (void *)-4096L;
	iov[1].iov_len = 10;
	CHECK_ERR("tcp writev kernel address", writev(a, iov, 2), EFAULT);
	CHECK_ERR("tcp read nothing sent", recv(b, in, 10, MSG_DONTWAIT),
	    EAGAIN);
	close(a);
	close(b);
}

static void
test_tcp_fault(void)
{
	int a, b;
	char c = 0;

	tcp_pair(&a, &b);
	/* A send that faults queues nothing of its call. */
	iov[0] = (struct iovec){ out, 100 };
	iov[1] = (struct iovec){ bad, 100 };
	CHECK_ERR("tcp writev bad second iovec", writev(a, iov, 2), EFAULT);
	for (int i = 0; i < 5; i++)
		iov[i] = (struct iovec){ out, 10 };
	iov[1] = (struct iovec){ bad, 10 };
	CHECK_ERR("tcp writev 6, bad second", writev(a, iov, 6), EFAULT);
	CHECK_EQ("tcp marker", write(a, "M", 1), 1);
	CHECK_EQ("tcp marker first", read(b, &c, 1) == 1 && c == 'M', 1);

	/* A receive that faults leaves the data queued (Linux copies first). */
	fill(out, 100, 9);
	CHECK_EQ("tcp write 100", write(a, out, 100), 100);
	CHECK_EQ("tcp 100 queued", wait_bytes(b, 100), 100);
	iov[0] = (struct iovec){ in, 50 };
	iov[1] = (struct iovec){ bad, 100 };
	CHECK_ERR("tcp readv bad second iovec", readv(b, iov, 2), EFAULT);
	struct msghdr m = { .msg_iov = iov, .msg_iovlen = 2 };
	CHECK_ERR("tcp recvmsg bad second iovec", recvmsg(b, &m, 0), EFAULT);
	CHECK_EQ("tcp data still queued", wait_bytes(b, 100), 100);
	/* ... and an iovec past the data is never touched. */
	iov[0] = (struct iovec){ in, 100 };
	memset(in, 0, 100);
	CHECK_EQ("tcp readv bad iovec past the data", readv(b, iov, 2), 100);
	CHECK("tcp readv data intact", memcmp(in, out, 100) == 0);
	close(a);
	close(b);
}

/* MSG_PEEK across many iovecs returns the same bytes a read then takes. */
static void
test_tcp_peek(void)
{
	int a, b;
	size_t total = pieces(out, 64);

	tcp_pair(&a, &b);
	fill(out, total, 3);
	CHECK_EQ("tcp write for peek", write(a, out, total), total);
	wait_bytes(b, (int)total);
	memset(in, 0, total);
	pieces(in, 64);
	struct msghdr m = { .msg_iov = iov, .msg_iovlen = 64 };
	CHECK_EQ("tcp recvmsg 64 MSG_PEEK", recvmsg(b, &m, MSG_PEEK), total);
	CHECK("tcp peeked data", memcmp(in, out, total) == 0);
	memset(in, 0, total);
	CHECK_EQ("tcp readv 64 after peek", readv(b, iov, 64), total);
	CHECK("tcp read data", memcmp(in, out, total) == 0);
	close(a);
	close(b);
}

/* 1 MiB in one writev of 64 iovecs; a child reads it all. */
static void
test_tcp_big(void)
{
	int a, b, p[2];
	const size_t total = sizeof(out);

	tcp_pair(&a, &b);
	fill(out, total, 1);
	if (pipe(p) < 0)
		return;
	pid_t pid = abi_fork();
	if (pid == 0) {
		close(a);
		unsigned long sum = 0, got = 0;
		ssize_t r;
		while ((r = read(b, in, 65536)) > 0) {
			for (ssize_t i = 0; i < r; i++)
				sum = sum * 31 + in[i];
			got += (unsigned long)r;
		}
		unsigned long res[2] = { got, sum };
		if (write(p[1], res, sizeof(res)) < 0)
			_exit(2);
		_exit(0);
	}
	close(b);
	for (int i = 0; i < 64; i++)
		iov[i] = (struct iovec){ out + i * (total / 64), total / 64 };
	CHECK_EQ("tcp writev 1 MiB in 64", writev(a, iov, 64), total);
	CHECK_EQ("tcp write 1 MiB", write(a, out, total), total);
	close(a);
	unsigned long res[2] = { 0, 0 }, sum = 0;
	if (read(p[0], res, sizeof(res)) != sizeof(res))
		printf("reader: no result\n");
	for (int k = 0; k < 2; k++)
		for (size_t i = 0; i < total; i++)
			sum = sum * 31 + out[i];
	CHECK_EQ("tcp 2 MiB read", res[0], 2 * total);
	CHECK("tcp 2 MiB intact", res[1] == sum);
	CHECK_STR("reader", status_str(abi_wait(pid)), "exited 0");
	close(p[0]);
	close(p[1]);
}

/* A non-blocking write takes what fits, then EAGAIN. */
static void
test_tcp_nonblocking(void)
{
	int a, b;

	tcp_pair(&a, &b);
	fcntl(a, F_SETFL, O_NONBLOCK);
	size_t sent = 0;
	ssize_t r;
	for (int i = 0; i < 64; i++)
		iov[i] = (struct iovec){ out, sizeof(out) / 16 };
	while ((r = writev(a, iov, 64)) > 0)
		sent += (size_t)r;
	CHECK_SAVED_ERR("tcp non-blocking writev fills", r, errno, EAGAIN);
	CHECK("tcp non-blocking took some", sent > 0 &&
	    sent < 64 * sizeof(out) / 16);
	close(a);
	close(b);
}

static void
test_udp(void)
{
	int a, b;
	char what[64];
	struct msghdr m;

	udp_pair(&a, &b);
	for (unsigned k = 0; k < sizeof(counts) / sizeof(counts[0]); k++) {
		int n = counts[k];
		size_t total = pieces(out, n);

		fill(out, total, (unsigned)n);
		snprintf(what, sizeof(what), "udp writev %d", n);
		CHECK_EQ(what, writev(a, iov, n), total);
		wait_in(b);
		memset(in, 0, total);
		snprintf(what, sizeof(what), "udp writev %d is one datagram", n);
		CHECK_EQ(what, recv(b, in, sizeof(in), 0), total);
		CHECK("udp data", memcmp(in, out, total) == 0);

		CHECK_EQ("udp send", send(a, out, total, 0), total);
		wait_in(b);
		memset(in, 0, total);
		pieces(in, n);
		snprintf(what, sizeof(what), "udp readv %d", n);
		CHECK_EQ(what, readv(b, iov, n), total);
		CHECK("udp readv data", memcmp(in, out, total) == 0);

		/* One byte short: cut, MSG_TRUNC, the rest discarded. */
		CHECK_EQ("udp send", send(a, out, total + 1, 0), total + 1);
		wait_in(b);
		memset(&m, 0, sizeof(m));
		m.msg_iov = iov;
		m.msg_iovlen = n;
		snprintf(what, sizeof(what), "udp recvmsg %d short", n);
		CHECK_EQ(what, recvmsg(b, &m, 0), total);
		CHECK_EQ("udp msg_flags MSG_TRUNC", m.msg_flags & MSG_TRUNC,
		    MSG_TRUNC);
		CHECK("udp recvmsg data", memcmp(in, out, total) == 0);
	}

	/* The size limit holds for the whole datagram, not per iovec. */
	for (int i = 0; i < 8; i++)
		iov[i] = (struct iovec){ out + i * 8192, 8192 };
	iov[7].iov_len = 65507 - 7 * 8192;
	CHECK_EQ("udp writev 65507 in 8", writev(a, iov, 8), 65507);
	wait_in(b);
	for (int i = 0; i < MAXIOV; i++)
		iov[i] = (struct iovec){ in + 64 * i, 64 };
	CHECK_EQ("udp readv 65507 in 1024", readv(b, iov, MAXIOV), 65507);
	for (int i = 0; i < 8; i++)
		iov[i] = (struct iovec){ out + i * 8192, 8192 };
	iov[7].iov_len = 65508 - 7 * 8192;
	CHECK_ERR("udp writev 65508 in 8", writev(a, iov, 8), EMSGSIZE);
	iov[7].iov_len = 8192;
	CHECK_ERR("udp writev 65536 in 8", writev(a, iov, 8), EMSGSIZE);

	/*
	 * Empty iovecs: sendmsg sends an empty datagram, writev nothing
	 * (Linux's vfs_writev stops at a zero total), write(fd, p, 0) does.
	 */
	for (int i = 0; i < 6; i++)
		iov[i] = (struct iovec){ out, 0 };
	CHECK_EQ("udp writev 6 empty", writev(a, iov, 6), 0);
	memset(&m, 0, sizeof(m));
	m.msg_iov = iov;
	m.msg_iovlen = 6;
	CHECK_EQ("udp sendmsg 6 empty", sendmsg(a, &m, 0), 0);
	CHECK_EQ("udp write 0", write(a, out, 0), 0);
	CHECK_EQ("udp send 1", send(a, out, 1, 0), 1);
	wait_in(b);
	CHECK_EQ("udp empty datagram", recv(b, in, 10, 0), 0);
	wait_in(b);
	CHECK_EQ("udp empty datagram", recv(b, in, 10, 0), 0);
	wait_in(b);
	CHECK_EQ("udp then 1", recv(b, in, 10, 0), 1);

	/* A fault sends nothing, and drops a datagram being received. */
	for (int i = 0; i < 6; i++)
		iov[i] = (struct iovec){ out, 10 };
	iov[5].iov_base = bad;
	CHECK_ERR("udp writev 6, bad last", writev(a, iov, 6), EFAULT);
	CHECK_ERR("udp writev 2, bad last", writev(a, iov + 4, 2), EFAULT);
	CHECK_EQ("udp send 60", send(a, out, 60, 0), 60);
	wait_in(b);
	for (int i = 0; i < 6; i++)
		iov[i] = (struct iovec){ in + 10 * i, 10 };
	iov[5].iov_base = bad;
	CHECK_ERR("udp readv 6, bad last", readv(b, iov, 6), EFAULT);
	CHECK_EQ("udp send 20", send(a, out, 20, 0), 20);
	wait_in(b);
	CHECK_ERR("udp readv 2, bad last", readv(b, iov + 4, 2), EFAULT);
	CHECK_EQ("udp marker", send(a, "M", 1, 0), 1);
	wait_in(b);
	CHECK_EQ("udp faulted datagrams dropped", recv(b, in, 10, 0), 1);
	CHECK_EQ("udp marker byte", in[0], 'M');
	CHECK_ERR("udp nothing else", recv(b, in, 10, MSG_DONTWAIT), EAGAIN);
	close(a);
	close(b);
}

static void
test_mmsg(void)
{
	int a, b;
	struct mmsghdr mm[8];
	struct iovec v[8][5];
	unsigned char buf[8][50];

	udp_pair(&a, &b);
	memset(mm, 0, sizeof(mm));
	for (int i = 0; i < 3; i++) {
		for (int j = 0; j < 5; j++)
			v[i][j] = (struct iovec){ out + 10 * j, (size_t)(i + 1) };
		mm[i].msg_hdr.msg_iov = v[i];
		mm[i].msg_hdr.msg_iovlen = 5;
	}
	CHECK_EQ("sendmmsg 3 of 5 iovecs", sendmmsg(a, mm, 3, 0), 3);
	CHECK_EQ("sendmmsg lengths", mm[0].msg_len * 100 + mm[1].msg_len * 10 +
	    mm[2].msg_len, 5 * 100 + 10 * 10 + 15);
	wait_in(b);
	abi_sleep_ms(100);

	memset(mm, 0, sizeof(mm));
	for (int i = 0; i < 8; i++) {
		for (int j = 0; j < 5; j++)
			v[i][j] = (struct iovec){ buf[i] + 10 * j, 10 };
		mm[i].msg_hdr.msg_iov = v[i];
		mm[i].msg_hdr.msg_iovlen = 5;
		mm[i].msg_len = 999;
	}
	CHECK_EQ("recvmmsg MSG_DONTWAIT", recvmmsg(b, mm, 8, MSG_DONTWAIT,
	    NULL), 3);
	CHECK_EQ("recvmmsg lengths", mm[0].msg_len * 100 + mm[1].msg_len * 10 +
	    mm[2].msg_len, 5 * 100 + 10 * 10 + 15);
	CHECK_EQ("recvmmsg untouched entry", mm[3].msg_len, 999);
	CHECK_ERR("recvmmsg nothing", recvmmsg(b, mm, 8, MSG_DONTWAIT, NULL),
	    EAGAIN);

	/* MSG_WAITFORONE: the first waits, the rest take what is there. */
	CHECK_EQ("send", send(a, out, 7, 0), 7);
	CHECK_EQ("send", send(a, out, 8, 0), 8);
	wait_in(b);
	abi_sleep_ms(100);
	CHECK_EQ("recvmmsg MSG_WAITFORONE", recvmmsg(b, mm, 8, MSG_WAITFORONE,
	    NULL), 2);
	CHECK_EQ("recvmmsg lengths", mm[0].msg_len * 10 + mm[1].msg_len, 78);

	/* The timeout is looked at after each datagram: zero takes one. */
	struct timespec t = { 0, 0 };
	for (int i = 0; i < 3; i++)
		CHECK_EQ("send", send(a, out, 5, 0), 5);
	wait_in(b);
	abi_sleep_ms(100);
	CHECK_EQ("recvmmsg timeout 0", recvmmsg(b, mm, 8, 0, &t), 1);
	t = (struct timespec){ 30, 0 };
	CHECK_EQ("recvmmsg timeout 30 s", recvmmsg(b, mm, 8, MSG_DONTWAIT, &t),
	    2);
	CHECK("recvmmsg timeout left", t.tv_sec <= 30 && t.tv_sec >= 20);
	t = (struct timespec){ 0, 1000000000 };
	CHECK_ERR("recvmmsg bad timeout", recvmmsg(b, mm, 8, 0, &t), EINVAL);
	CHECK_ERR("recvmmsg timeout fault", recvmmsg(b, mm, 8, 0,
	    (struct timespec *)bad), EFAULT);
	CHECK_EQ("recvmmsg 0 entries", recvmmsg(b, mm, 0, MSG_DONTWAIT, NULL),
	    0);
	close(a);
	close(b);

	/* AF_UNIX datagrams take the same loop. */
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_DGRAM, 0, sv) < 0)
		return;
	CHECK_EQ("unix send", send(sv[0], out, 3, 0), 3);
	CHECK_EQ("unix send", send(sv[0], out, 4, 0), 4);
	CHECK_EQ("unix recvmmsg", recvmmsg(sv[1], mm, 8, MSG_DONTWAIT, NULL),
	    2);
	CHECK_EQ("unix recvmmsg lengths", mm[0].msg_len * 10 + mm[1].msg_len,
	    34);
	close(sv[0]);
	close(sv[1]);
}

int
main(void)
{
	abi_init();
	bad = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	test_tcp_counts();
	test_tcp_fault();
	test_tcp_peek();
	test_tcp_big();
	test_tcp_nonblocking();
	test_udp();
	test_mmsg();
	return abi_done("iov");
}
