/*
 * Guest program for system/sock-nolock and the socket lines of
 * docs/performance-smp-net.md, "Sockets without the big lock": reads of a
 * loopback TCP socket's kept bytes (what netd posted with the readiness,
 * kernel/fs/sockfile.c), which run without the big lock for a one-thread
 * process.
 *
 *   sockrx        the checks below; "sockrx: ok ROUND" each, exit 0
 *   sockrx bench  the figures only: big-lock takes and virtual ns (under
 *                 -icount shift=0, instructions) per call; "bench N poll"
 *                 or "bench N block" runs one TCP round alone (write, poll
 *                 or not, read), for a profile of its calls
 *
 * Rounds: "nolock": 4 KiB written, waited for until FIONREAD says it is
 * kept, then read 64 bytes at a time by read, recv and recvfrom with
 * MSG_DONTWAIT: the bytes right, and the big lock taken fewer than once in
 * five reads. "stream": a child writes 1 MiB in varied chunks while the
 * parent polls and reads in varied sizes (netd posting on one CPU, the
 * reader on the other): every byte once, in order. "efault": a read into
 * an unmapped buffer is EFAULT and the bytes stay. "eintr": a signal
 * ends a blocked read with EINTR. "close": a read blocked when the peer
 * closes sees the kept bytes, then end of file. "empty": 3,000
 * non-blocking reads (read with O_NONBLOCK, recv with MSG_DONTWAIT) of a
 * connected socket netd has nothing for are EAGAIN and take the big lock
 * fewer than once in five; then a child on the other CPU writes 400
 * pieces while the parent reads without blocking and, at each EAGAIN,
 * waits in poll or epoll: every byte once, in order, no wait times out
 * (no readiness lost), and end of file (0, not EAGAIN) after the child
 * closes; a peer's reset is ECONNRESET, not EAGAIN.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bkl.h"
#include "tcppair.h"

#define KEPT 4096		/* PT_POST_DATA_MAX: what the kernel keeps */
#define PIECE 64
#define STREAM_BYTES (1 << 20)

static unsigned char out[KEPT], in[KEPT];
static int failures;

static void
fail(const char *round, long at, const char *what, long got, long want)
{
	printf("sockrx: FAIL %s at %ld: %s: got %ld, want %ld\n", round, at,
	       what, got, want);
	failures++;
}

static unsigned char
pattern(long i)
{
	return (unsigned char)(i * 7 + i / 251);
}

static int
inq(int fd)
{
	int n = -1;

	if (ioctl(fd, FIONREAD, &n) < 0)
		return -errno;
	return n;
}

/* Writes len bytes of the stream at `at` and waits until b has them. */
static void
send_and_wait(int a, int b, long at, int len)
{
	struct pollfd p = { .fd = b, .events = POLLIN };

	for (int i = 0; i < len; i++)
		out[i] = pattern(at + i);
	if (write(a, out, len) != len) {
		fail("send", at, "write", -errno, len);
		return;
	}
	while (poll(&p, 1, -1) == 1 && inq(b) < len)
		continue;
}

/* One 64-byte read by way `how`: 0 read, 1 recv, 2 recvfrom. */
static long
read_piece(int b, int how, void *buf)
{
	if (how == 0)
		return read(b, buf, PIECE);
	if (how == 1)
		return recv(b, buf, PIECE, 0);
	return recvfrom(b, buf, PIECE, MSG_DONTWAIT, NULL, NULL);
}

/*
 * rounds times: 4 KiB sent and kept, then read in 64-byte pieces by each
 * way in turn. Returns the big lock's takes in the reads (less what
 * reading the counter costs) and adds their virtual ns to *ns.
 */
static long
kept_reads(int a, int b, int rounds, long *ns)
{
	long takes = 0, at = 0, self = -1;

	for (int i = 0; i < 5; i++) {	/* the counter's own read */
		long t = bkl_acquired();
		t = bkl_acquired() - t;
		if (self < 0 || t < self)
			self = t;
	}
	for (int r = 0; r < rounds && !failures; r++) {
		send_and_wait(a, b, at, KEPT);
		usleep(2000);	/* netd posts what it counted: all kept */
		long before = bkl_acquired(), t0 = now_ns();
		for (int i = 0; i < KEPT / PIECE; i++) {
			long n = read_piece(b, i % 3, in + i * PIECE);
			if (n != PIECE)
				fail("nolock", at + i * PIECE, "read", n,
				     PIECE);
		}
		*ns += now_ns() - t0;
		takes += bkl_acquired() - before - self;
		if (memcmp(in, out, KEPT) != 0)
			fail("nolock", at, "bytes", 1, 0);
		at += KEPT;
	}
	return takes;
}

/* A child writes the stream in varied chunks; the parent reads it. */
static void
stream(int a, int b)
{
	pid_t pid = fork();

	if (pid == 0) {
		close(b);
		static unsigned char chunk[9000];
		for (long at = 0; at < STREAM_BYTES;) {
			int len = 1 + (int)((at * 2654435761u) % sizeof(chunk));
			if (len > STREAM_BYTES - at)
				len = (int)(STREAM_BYTES - at);
			for (int i = 0; i < len; i++)
				chunk[i] = pattern(at + i);
			if (write(a, chunk, len) != len)
				_exit(1);
			at += len;
		}
		_exit(0);
	}
	close(a);	/* b is the parent's alone now */
	long at = 0;
	struct pollfd p = { .fd = b, .events = POLLIN };
	for (int k = 0; at < STREAM_BYTES && !failures; k++) {
		int want = 1 + (k * 37) % KEPT;
		poll(&p, 1, -1);
		long n = k % 2 ? read(b, in, want) : recv(b, in, want, 0);
		if (n <= 0) {
			fail("stream", at, "read", n < 0 ? -errno : n, want);
			break;
		}
		for (long i = 0; i < n; i++) {
			if (in[i] != pattern(at + i)) {
				fail("stream", at + i, "byte", in[i],
				     pattern(at + i));
				break;
			}
		}
		at += n;
	}
	int status;
	waitpid(pid, &status, 0);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		fail("stream", at, "writer status", status, 0);
	if (read(b, in, 1) != 0)
		fail("stream", at, "end of file", 1, 0);
	close(b);
	if (!failures)
		printf("sockrx: ok stream\n");
}

static void
efault(void)
{
	int a, b;
	tcp_pair("sockrx", &a, &b, 1);
	send_and_wait(a, b, 0, PIECE);
	void *bad = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS,
			 -1, 0);
	long n = read(b, bad, PIECE);
	if (n != -1 || errno != EFAULT)
		fail("efault", 0, "read into PROT_NONE", n < 0 ? -errno : n,
		     -EFAULT);
	n = recv(b, (void *)8, PIECE, 0);
	if (n != -1 || errno != EFAULT)
		fail("efault", 0, "recv into page 0", n < 0 ? -errno : n,
		     -EFAULT);
	n = read(b, in, PIECE);
	if (n != PIECE || memcmp(in, out, PIECE) != 0)
		fail("efault", 0, "the bytes after", n, PIECE);
	close(a);
	close(b);
	if (!failures)
		printf("sockrx: ok efault\n");
}

static void
on_alarm(int sig)
{
	(void)sig;
}

static void
eintr(void)
{
	int a, b;
	/* No SA_RESTART: the read must end. */
	struct sigaction sa = { .sa_handler = on_alarm };
	tcp_pair("sockrx", &a, &b, 1);
	sigaction(SIGALRM, &sa, NULL);
	alarm(1);
	long n = read(b, in, PIECE);
	if (n != -1 || errno != EINTR)
		fail("eintr", 0, "blocked read", n < 0 ? -errno : n, -EINTR);
	close(a);
	close(b);
	if (!failures)
		printf("sockrx: ok eintr\n");
}

static void
peer_close(void)
{
	int a, b;
	tcp_pair("sockrx", &a, &b, 1);
	pid_t pid = fork();
	if (pid == 0) {
		close(b);
		for (int i = 0; i < PIECE; i++)
			out[i] = pattern(i);
		usleep(200000);	/* the parent is blocked by then */
		write(a, out, PIECE);
		close(a);
		_exit(0);
	}
	close(a);
	long got = 0, n;
	while ((n = read(b, in + got, PIECE)) > 0)
		got += n;
	if (n != 0 || got != PIECE || memcmp(in, out, PIECE) != 0)
		fail("close", got, "read until end of file", n, 0);
	waitpid(pid, NULL, 0);
	close(b);
	if (!failures)
		printf("sockrx: ok close\n");
}

/* A non-blocking read by way k % 2 (read on an O_NONBLOCK socket, recv
 * with MSG_DONTWAIT); -errno on failure. */
static long
read_nb(int b, void *buf, size_t len, int k)
{
	long n = k % 2 ? read(b, buf, len) : recv(b, buf, len, MSG_DONTWAIT);
	return n < 0 ? -errno : n;
}

/* Waits up to 5 s for b to be readable, by poll (k even) or epoll. */
static int
wait_readable(int b, int ep, int k)
{
	struct pollfd p = { .fd = b, .events = POLLIN };
	struct epoll_event e;

	if (k % 2 == 0)
		return poll(&p, 1, 5000);
	return epoll_wait(ep, &e, 1, 5000);
}

#define EMPTY_READS 3000
#define EMPTY_PIECES 400

/* The child's part of "empty": pieces of the stream, then close (or a
 * reset, with reset). */
static void
empty_writer(int a, int reset)
{
	long at = 0;
	for (long i = 0; i < EMPTY_PIECES && !reset; i++) {
		unsigned char piece[PIECE];
		int len = 1 + (int)(i * 13 % PIECE);
		for (int j = 0; j < len; j++)
			piece[j] = pattern(at + j);
		if (write(a, piece, len) != len)
			_exit(1);
		at += len;
		if (i % 4 == 0)
			usleep(1000);	/* the reader finds it empty between */
	}
	if (reset) {
		struct linger l = { 1, 0 };
		usleep(100000);	/* the parent waits in poll by then */
		setsockopt(a, SOL_SOCKET, SO_LINGER, &l, sizeof(l));
	}
	close(a);
	_exit(0);
}

/* The bytes empty_writer sends. */
static long
empty_total(void)
{
	long total = 0;
	for (long i = 0; i < EMPTY_PIECES; i++)
		total += 1 + i * 13 % PIECE;
	return total;
}

/* Reads the child's pieces without blocking, checking each byte; at the
 * end the read's result (0: end of file; -errno, the first not EAGAIN)
 * or -ETIMEDOUT; *got the bytes read. */
static long
empty_reader(int b, int ep, long *got)
{
	long n;
	*got = 0;
	for (int k = 0;; k++) {
		n = read_nb(b, in, PIECE, k);
		if (n == -EAGAIN) {
			if (wait_readable(b, ep, k) != 1)
				return -ETIMEDOUT;
			continue;
		}
		if (n <= 0)
			return n;
		for (long i = 0; i < n; i++, (*got)++)
			if (in[i] != pattern(*got)) {
				fail("empty", *got, "byte", in[i],
				     pattern(*got));
				return -EIO;
			}
	}
}

static void
empty(void)
{
	int a, b;
	tcp_pair("sockrx", &a, &b, 1);
	fcntl(b, F_SETFL, fcntl(b, F_GETFL) | O_NONBLOCK);
	long before = bkl_acquired();
	for (int k = 0; k < EMPTY_READS; k++) {
		long n = read_nb(b, in, PIECE, k);
		if (n != -EAGAIN) {
			fail("empty", k, "read of an empty socket", n,
			     -EAGAIN);
			break;
		}
	}
	long takes = bkl_acquired() - before;
	printf("sockrx: %d EAGAIN reads took the big lock %ld times\n",
	       EMPTY_READS, takes);
	if (!failures && before >= 0 && takes * 5 >= EMPTY_READS)
		fail("empty", 0, "big-lock takes", takes, EMPTY_READS / 5);
	for (int reset = 0; reset < 2 && !failures; reset++) {
		if (reset) {
			tcp_pair("sockrx", &a, &b, 1);
			fcntl(b, F_SETFL, fcntl(b, F_GETFL) | O_NONBLOCK);
		}
		int ep = epoll_create1(0);
		struct epoll_event e = { .events = EPOLLIN, .data.fd = b };
		epoll_ctl(ep, EPOLL_CTL_ADD, b, &e);
		pid_t pid = fork();
		if (pid == 0) {
			close(b);
			empty_writer(a, reset);
		}
		close(a);
		long got, n = empty_reader(b, ep, &got);
		if (n != (reset ? -ECONNRESET : 0))
			fail("empty", reset, "the end", n,
			     reset ? -ECONNRESET : 0);
		if (!reset && got != empty_total())
			fail("empty", got, "bytes read", got, empty_total());
		int status;
		waitpid(pid, &status, 0);
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
			fail("empty", reset, "writer status", status, 0);
		close(ep);
		close(b);
	}
	if (!failures)
		printf("sockrx: ok empty\n");
}

/* Big-lock takes and virtual ns per pair of calls on a and b. */
static void
pair_figures(const char *what, int a, int b, int rounds, int use_poll)
{
	struct pollfd p = { .fd = b, .events = POLLIN };
	long takes = bkl_acquired(), t0 = now_ns();

	for (int r = 0; r < rounds; r++) {
		if (write(a, out, PIECE) != PIECE)
			fail(what, r, "write", -errno, PIECE);
		if (use_poll)
			poll(&p, 1, -1);
		long n = read(b, in, PIECE);
		if (n != PIECE)
			fail(what, r, "read", n, PIECE);
	}
	long ns = now_ns() - t0;
	takes = bkl_acquired() - takes;
	printf("sockrx: %s: %.2f big-lock takes, %ld virtual ns a round\n",
	       what, (double)takes / rounds, ns / rounds);
}

static void
bench(int rounds, const char *only)
{
	int a, b, s[2];
	long ns = 0;

	tcp_pair("sockrx", &a, &b, 1);
	if (only) {	/* one case alone, for a profile of its calls */
		pair_figures(only, a, b, rounds * 4, strcmp(only, "poll") == 0);
		return;
	}
	long takes = kept_reads(a, b, rounds, &ns);
	long reads = (long)rounds * (KEPT / PIECE);
	printf("sockrx: kept-byte read: %.3f big-lock takes, %ld virtual ns a "
	       "read\n", (double)takes / reads, ns / reads);
	pair_figures("tcp write+poll+read", a, b, rounds * 4, 1);
	pair_figures("tcp write+read", a, b, rounds * 4, 0);
	close(a);
	close(b);
	socketpair(AF_UNIX, SOCK_STREAM, 0, s);
	pair_figures("unix write+read", s[0], s[1], rounds * 4, 0);
}

/* A thread that only waits: its process has two from then on. */
static void *
idle_thread(void *arg)
{
	(void)arg;
	for (;;)
		pause();
	return NULL;
}

struct share {
	int fd;
	long got, sum;
};

static void *
share_reader(void *arg)
{
	struct share *s = arg;
	unsigned char k[PIECE];
	long n;
	while ((n = read(s->fd, k, sizeof(k))) > 0) {
		s->got += n;
		for (long i = 0; i < n; i++)
			s->sum += k[i];
	}
	return NULL;
}

/* Two threads read one socket at once, each read without the big lock
 * or with it: every byte arrives once (their counts and sums add up). */
static void
shared_reads(void)
{
	int a, b;
	unsigned char chunk[1000];
	long sent = 0, sum = 0;
	struct share s[2] = { { 0, 0, 0 }, { 0, 0, 0 } };
	pthread_t t[2];

	tcp_pair("sockrx shared", &a, &b, 1);
	for (int i = 0; i < 2; i++) {
		s[i].fd = b;
		pthread_create(&t[i], NULL, share_reader, &s[i]);
	}
	for (int r = 0; r < 1000; r++) {
		for (size_t i = 0; i < sizeof(chunk); i++) {
			chunk[i] = (unsigned char)(r * 7 + i);
			sum += chunk[i];
		}
		for (size_t off = 0; off < sizeof(chunk);) {
			long n = write(a, chunk + off, sizeof(chunk) - off);
			if (n <= 0) {
				fail("shared", sent, "write", n, 1);
				break;
			}
			off += (size_t)n;
			sent += n;
		}
	}
	shutdown(a, SHUT_WR);
	for (int i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	if (s[0].got + s[1].got != sent)
		fail("shared", 0, "bytes read", s[0].got + s[1].got, sent);
	else if (s[0].sum + s[1].sum != sum)
		fail("shared", 0, "their sum", s[0].sum + s[1].sum, sum);
	else
		printf("sockrx: the threads read %ld and %ld bytes\n"
		       "sockrx: ok shared\n", s[0].got, s[1].got);
	close(a);
	close(b);
}

int
main(int argc, char **argv)
{
	int a, b;

	setvbuf(stdout, NULL, _IONBF, 0);
	signal(SIGPIPE, SIG_IGN);
	if (argc > 1 && strcmp(argv[1], "bench") == 0) {
		bench(argc > 2 ? atoi(argv[2]) : 50, argc > 3 ? argv[3] : NULL);
		return failures != 0;
	}
	long ns = 0;
	tcp_pair("sockrx", &a, &b, 1);
	long takes = kept_reads(a, b, 100, &ns);
	long reads = 100L * (KEPT / PIECE);
	printf("sockrx: %ld kept-byte reads took the big lock %ld times\n",
	       reads, takes);
	if (!failures && bkl_acquired() >= 0 && takes * 5 >= reads)
		fail("nolock", 0, "big-lock takes", takes, reads / 5);
	if (!failures)
		printf("sockrx: ok nolock\n");
	stream(a, b);
	efault();
	eintr();
	peer_close();
	empty();
	/* From here the process has two threads: a socket's reads are
	   still nolock (Linux's programs are mostly threaded). */
	pthread_t idle;
	pthread_create(&idle, NULL, idle_thread, NULL);
	tcp_pair("sockrx threaded", &a, &b, 1);
	takes = kept_reads(a, b, 20, &ns);
	reads = 20L * (KEPT / PIECE);
	printf("sockrx: two threads: %ld kept-byte reads took the big lock "
	       "%ld times\n", reads, takes);
	if (!failures && bkl_acquired() >= 0 && takes * 5 >= reads)
		fail("nolock threaded", 0, "big-lock takes", takes, reads / 5);
	if (!failures)
		printf("sockrx: ok nolock threaded\n");
	shared_reads();
	return failures != 0;
}
