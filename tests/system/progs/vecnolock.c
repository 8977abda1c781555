/*
 * Guest program for system/sock-nolock-vec: readv and writev without the
 * big lock (kernel/linux/sys_read_nolock.c, docs/kernel.md "Calls
 * without the big lock") on a pipe, a tmpfs file (readv) and a loopback
 * TCP socket. Each round prints "vecnolock: ok ROUND"; exit 0 when all
 * passed. "vecnolock count" runs only the counted rounds (pipe, file,
 * sock): the figures of docs/performance-smp-net.md, "Vectored socket
 * and pipe calls without the big lock", on this kernel and the one
 * before.
 *
 * Rounds: "pipe": 400 writevs of 3 pieces (headers, body, end) and
 * 400 readvs of 3 pieces take the big lock fewer than once in ten calls
 * (the best of three tries, here and in "file" and "sock": the counter
 * is the whole system's), with the right bytes. "atomic": a non-blocking pipe with 150 bytes of
 * room: a writev of 2 x 100 is EAGAIN (Linux's: up to PIPE_BUF a writev
 * goes in whole), one of 2 x 75 goes in. "short": a readv of 5 + 5 from
 * a pipe holding 5 bytes returns 5, not waiting. "efault": a readv into
 * a good and a bad piece is EFAULT and every byte stays (Linux's, for
 * bytes in one pipe buffer); a writev from a good and a bad piece writes the good bytes or
 * none and says so. "errors": iovcnt 0 (0), 1025 (EINVAL), a negative
 * length (EINVAL), an fd not open (EBADF). "sigpipe": a writev to a pipe
 * with no reader is EPIPE with SIGPIPE. "file": 800 readvs of 3 pieces
 * of a tmpfs file take the lock fewer than once in ten, the bytes and
 * the offset right. "sock": 240 sends of a header and a body to a TCP
 * socket (writev, sendmsg with MSG_NOSIGNAL, sendto with no address and
 * MSG_DONTWAIT | MSG_NOSIGNAL), each burst read by readv and recvmsg
 * (msg_flags cleared), fewer than once in ten for the sends and for
 * the reads; after shutdown(SHUT_WR) each is EPIPE, and only the writev
 * raises SIGPIPE.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include <unistd.h>
#include <poll.h>
#include <stdbool.h>

#include "bkl.h"
#include "tcppair.h"

#define CALLS 800		/* counted calls a round */
#define BURST 8			/* socktx.c's: sends behind in flight */
#define SENDS 240		/* a socket round's counted sends */

static int failures;
static long self = -1;		/* what one bkl_acquired costs */
static volatile int sigpipes;

static void
fail(const char *round, long at, const char *what, long got, long want)
{
	printf("vecnolock: FAIL %s at %ld: %s: got %ld, want %ld\n", round,
	       at, what, got, want);
	failures++;
}

static void
ok(const char *round, int before)
{
	if (failures == before)
		printf("vecnolock: ok %s\n", round);
}

/* The big lock's takes since before, less the counter's own read. */
static long
takes_since(long before)
{
	return bkl_acquired() - before - self;
}

static void
check_takes(const char *round, long takes, long calls)
{
	printf("vecnolock: %s: %ld big-lock takes in %ld calls\n", round,
	       takes, calls);
	if (takes * 10 >= calls)
		fail(round, 0, "big-lock takes", takes, calls / 10);
}

/* 100 rounds of four writevs of 60 bytes to p, then four readvs of 60:
 * the big lock's takes. */
static long
pipe_count(int p[2], int before)
{
	char head[17], body[40], end[3], in[3][30];
	long takes = bkl_acquired();
	for (int i = 0; i < CALLS / 8 && failures == before; i++) {
		for (int w = 0; w < 4; w++) {
			memset(head, 'a' + w, sizeof(head));
			memset(body, 'k' + i % 10, sizeof(body));
			memset(end, '\n', sizeof(end));
			struct iovec v[3] = { { head, sizeof(head) },
					      { body, sizeof(body) },
					      { end, sizeof(end) } };
			long r = writev(p[1], v, 3);
			if (r != 60)
				fail("pipe", i, "writev", r < 0 ? -errno : r, 60);
		}
		for (int w = 0; w < 4; w++) {
			struct iovec v[3] = { { in[0], 10 }, { in[1], 30 },
					      { in[2], 20 } };
			long r = readv(p[0], v, 3);
			if (r != 60 || in[0][0] != 'a' + w || in[0][9] != 'a' + w ||
			    in[1][7] != 'k' + i % 10 || in[2][19] != '\n')
				fail("pipe", i, "readv", r < 0 ? -errno : r, 60);
		}
	}
	return takes_since(takes);
}

static void
pipe_round(void)
{
	int p[2], before = failures;
	if (pipe(p) < 0) {
		fail("pipe", 0, "pipe", -errno, 0);
		return;
	}
	/* The counter is the whole system's: a daemon starting up meanwhile
	   (netd) takes the lock too. The best of three tries counts. */
	long takes = CALLS;
	for (int try = 0; try < 3 && takes * 10 >= CALLS; try++)
		takes = pipe_count(p, before);
	check_takes("pipe", takes, CALLS);
	close(p[0]);
	close(p[1]);
	ok("pipe", before);
}

static void
atomic_round(void)
{
	int p[2], before = failures;
	static char fill[65536 - 150], x[100];
	if (pipe2(p, O_NONBLOCK) < 0 ||
	    write(p[1], fill, sizeof(fill)) != (long)sizeof(fill)) {
		fail("atomic", 0, "fill", -errno, 0);
		return;
	}
	struct iovec v[2] = { { x, 100 }, { x, 100 } };
	long r = writev(p[1], v, 2);
	if (!(r < 0 && errno == EAGAIN))
		fail("atomic", 0, "writev past the room", r < 0 ? -errno : r,
		     -EAGAIN);
	v[0].iov_len = v[1].iov_len = 75;
	r = writev(p[1], v, 2);
	if (r != 150)
		fail("atomic", 1, "writev of the room", r < 0 ? -errno : r, 150);
	close(p[0]);
	close(p[1]);
	ok("atomic", before);
}

static void
short_round(void)
{
	int p[2], before = failures;
	char a[5], b[5];
	if (pipe(p) < 0 || write(p[1], "hello", 5) != 5) {
		fail("short", 0, "pipe", -errno, 0);
		return;
	}
	struct iovec v[2] = { { a, 5 }, { b, 5 } };
	long r = readv(p[0], v, 2);	/* must not wait for the second */
	if (r != 5 || memcmp(a, "hello", 5))
		fail("short", 0, "readv", r < 0 ? -errno : r, 5);
	close(p[0]);
	close(p[1]);
	ok("short", before);
}

static void
efault_round(void)
{
	int p[2], before = failures;
	char a[5], rest[16];
	char *bad = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS,
			 -1, 0);
	if (pipe2(p, O_NONBLOCK) < 0 || bad == MAP_FAILED ||
	    write(p[1], "0123456789", 10) != 10) {
		fail("efault", 0, "setup", -errno, 0);
		return;
	}
	struct iovec v[2] = { { a, 5 }, { bad, 5 } };
	long r = readv(p[0], v, 2);	/* Linux's: one buffer, not taken */
	if (!(r < 0 && errno == EFAULT))
		fail("efault", 0, "readv into a bad piece", r < 0 ? -errno : r,
		     -EFAULT);
	r = read(p[0], rest, sizeof(rest));
	if (r != 10 || memcmp(rest, "0123456789", 10))
		fail("efault", 1, "what stayed", r < 0 ? -errno : r, 10);
	v[0].iov_base = "abcde";
	r = writev(p[1], v, 2);
	long want = r < 0 ? 0 : r;
	if (!(r == 5 || (r < 0 && errno == EFAULT)))
		fail("efault", 2, "writev from a bad piece", r < 0 ? -errno : r,
		     5);
	r = read(p[0], rest, sizeof(rest));
	if ((r < 0 ? 0 : r) != want)
		fail("efault", 3, "bytes the writev said", r < 0 ? -errno : r,
		     want);
	close(p[0]);
	close(p[1]);
	munmap(bad, 4096);
	ok("efault", before);
}

static void
errors_round(void)
{
	int p[2], before = failures;
	static struct iovec many[1025];
	char a[4];
	if (pipe(p) < 0) {
		fail("errors", 0, "pipe", -errno, 0);
		return;
	}
	for (int i = 0; i < 1025; i++)
		many[i] = (struct iovec){ a, 1 };
	long r = writev(p[1], many, 0);
	if (r != 0)
		fail("errors", 0, "writev of none", r < 0 ? -errno : r, 0);
	r = writev(p[1], many, 1025);
	if (!(r < 0 && errno == EINVAL))
		fail("errors", 1, "writev of 1025", r < 0 ? -errno : r, -EINVAL);
	struct iovec neg[2] = { { a, 1 }, { a, (size_t)-1 } };
	r = writev(p[1], neg, 2);
	if (!(r < 0 && errno == EINVAL))
		fail("errors", 2, "negative length", r < 0 ? -errno : r, -EINVAL);
	r = readv(p[0], neg, 2);
	if (!(r < 0 && errno == EINVAL))
		fail("errors", 3, "readv negative", r < 0 ? -errno : r, -EINVAL);
	r = readv(p[1] + 10, many, 1);
	if (!(r < 0 && errno == EBADF))
		fail("errors", 4, "readv of no fd", r < 0 ? -errno : r, -EBADF);
	r = readv(p[1], many, 1);	/* the write end */
	if (!(r < 0 && errno == EBADF))
		fail("errors", 5, "readv of the write end", r < 0 ? -errno : r,
		     -EBADF);
	close(p[0]);
	close(p[1]);
	ok("errors", before);
}

static void
on_sigpipe(int sig)
{
	(void)sig;
	sigpipes++;
}

static void
sigpipe_round(void)
{
	int p[2], before = failures;
	signal(SIGPIPE, on_sigpipe);
	if (pipe(p) < 0) {
		fail("sigpipe", 0, "pipe", -errno, 0);
		return;
	}
	close(p[0]);
	struct iovec v[2] = { { "ab", 2 }, { "cd", 2 } };
	long r = writev(p[1], v, 2);
	if (!(r < 0 && errno == EPIPE))
		fail("sigpipe", 0, "writev", r < 0 ? -errno : r, -EPIPE);
	if (sigpipes != 1)
		fail("sigpipe", 1, "SIGPIPEs", sigpipes, 1);
	close(p[1]);
	signal(SIGPIPE, SIG_DFL);
	ok("sigpipe", before);
}

static void
file_round(void)
{
	int before = failures;
	static char data[CALLS * 60];
	char a[7], b[33], c[20];
	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (char)(i * 7 + i / 251);
	int fd = open("/tmp/vecnolock", O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || write(fd, data, sizeof(data)) != (long)sizeof(data) ||
	    lseek(fd, 0, SEEK_SET) != 0) {
		fail("file", 0, "setup", -errno, 0);
		return;
	}
	long takes = CALLS;	/* the best of three tries, as the pipe's */
	for (int try = 0; try < 3 && takes * 10 >= CALLS; try++) {
		lseek(fd, 0, SEEK_SET);
		takes = bkl_acquired();
		for (int i = 0; i < CALLS && failures == before; i++) {
			struct iovec v[3] = { { a, 7 }, { b, 33 }, { c, 20 } };
			long r = readv(fd, v, 3), at = i * 60L;
			if (r != 60 || memcmp(a, data + at, 7) ||
			    memcmp(b, data + at + 7, 33) ||
			    memcmp(c, data + at + 40, 20))
				fail("file", i, "readv", r < 0 ? -errno : r, 60);
		}
		takes = takes_since(takes);
	}
	check_takes("file", takes, CALLS);
	long off = lseek(fd, 0, SEEK_CUR);
	if (off != (long)sizeof(data))
		fail("file", 0, "offset", off, (long)sizeof(data));
	close(fd);
	unlink("/tmp/vecnolock");
	ok("file", before);
}

/* A read of b into two pieces, by readv or recvmsg as i says. */
static long
read_two(int b, char *p, long n, int i)
{
	struct iovec v[2] = { { p, 10 }, { p + 10, (size_t)(n - 10) } };
	if (n <= 10)
		v[0].iov_len = (size_t)n, v[1].iov_len = 0;
	if (i % 2 == 0)
		return readv(b, v, 2);
	struct msghdr m = { .msg_iov = v, .msg_iovlen = 2, .msg_flags = 7 };
	long r = recvmsg(b, &m, 0);
	if (r >= 0 && m.msg_flags != 0)
		fail("sock", i, "recvmsg's flags", m.msg_flags, 0);
	return r;
}

/* Reads exactly n bytes from b, checking them; the reads' takes. */
static long
read_all(int b, long n, int round, long *reads)
{
	struct pollfd p = { .fd = b, .events = POLLIN };
	static char in[BURST * 64];
	long takes = 0;
	for (long got = 0; got < n; ++*reads) {
		poll(&p, 1, 1000);
		long t = bkl_acquired();
		long r = read_two(b, in + got, n - got, (int)*reads);
		takes += takes_since(t);
		if (r <= 0) {
			fail("sock", round, "read", r < 0 ? -errno : r, n - got);
			break;
		}
		got += r;
	}
	for (long i = 0; i < n; i++)
		if (in[i] != (i % 64 < 16 ? 'h' : 'b'))
			fail("sock", round, "byte", in[i], i % 64 < 16 ? 'h' : 'b');
	return takes;
}

/* 64 bytes to a: a header and a body by writev, sendmsg, or sendto of
 * one buffer, as i says. */
static long
send_one(int a, int i)
{
	static char hb[64];
	struct iovec v[2] = { { hb, 16 }, { hb + 16, 48 } };
	struct msghdr m = { .msg_iov = v, .msg_iovlen = 2 };
	memset(hb, 'h', 16);
	memset(hb + 16, 'b', 48);
	if (i % 3 == 0)
		return writev(a, v, 2);
	if (i % 3 == 1)
		return sendmsg(a, &m, MSG_NOSIGNAL);
	return sendto(a, hb, 64, MSG_DONTWAIT | MSG_NOSIGNAL, NULL, 0);
}

static void
sock_round(void)
{
	int a, b, before = failures;
	tcp_pair("vecnolock", &a, &b, 0);
	long takes = SENDS, rtakes = 0, reads = 0;
	/* The best of three tries, as the pipe's. */
	for (int try = 0; try < 3 && takes * 10 >= SENDS; try++) {
		takes = rtakes = reads = 0;
		for (int r = 0; r < SENDS / BURST && failures == before; r++) {
			long t = bkl_acquired();
			for (int i = 0; i < BURST; i++) {
				long w = send_one(a, r * BURST + i);
				if (w != 64)
					fail("sock", r, "send",
					     w < 0 ? -errno : w, 64);
			}
			takes += takes_since(t);
			rtakes += read_all(b, BURST * 64, r, &reads);
		}
	}
	check_takes("sock sends", takes, SENDS);
	check_takes("sock reads", rtakes, reads);
	/* A closed write side: EPIPE, SIGPIPE but under MSG_NOSIGNAL. */
	signal(SIGPIPE, on_sigpipe);
	sigpipes = 0;
	shutdown(a, SHUT_WR);
	for (int i = 0; i < 3; i++) {
		long w = send_one(a, i);
		if (!(w < 0 && errno == EPIPE))
			fail("sock", i, "send after shutdown", w < 0 ? -errno : w,
			     -EPIPE);
	}
	if (sigpipes != 1)	/* the writev's; not sendmsg's nor sendto's */
		fail("sock", 0, "SIGPIPEs", sigpipes, 1);
	signal(SIGPIPE, SIG_DFL);
	close(a);
	close(b);
	ok("sock", before);
}

int
main(int argc, char **argv)
{
	for (int i = 0; i < 5; i++) {	/* the counter's own read */
		long t = bkl_acquired();
		t = bkl_acquired() - t;
		if (self < 0 || t < self)
			self = t;
	}
	if (self < 0) {
		printf("vecnolock: no /proc/petrel/bkl\n");
		return 1;
	}
	bool all = argc < 2 || strcmp(argv[1], "count") != 0;
	pipe_round();
	if (all) {
		atomic_round();
		short_round();	/* the kernel before waits forever */
		efault_round();
		errors_round();
		sigpipe_round();
	}
	file_round();
	sock_round();
	return failures ? 1 : 0;
}
