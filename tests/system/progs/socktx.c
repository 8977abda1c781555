/*
 * Guest program for system/sock-nolock-write: writes to a loopback TCP
 * socket within the room netd promised, which run without the big lock
 * for the socket's only user (kernel/fs/socktx.c, docs/kernel.md "Socket
 * writes without the big lock").
 *
 *   socktx count  one vCPU: 64-byte writes in bursts of 8 (netd runs only
 *                 when the writer waits) take the big lock fewer than once
 *                 in five, and whole rounds (the burst, netd's answers,
 *                 the read) fewer than 2.4 times a write (netd's answer
 *                 without it); "socktx: ok count", exit 0. Also the figures:
 *                 takes, and virtual ns a write (instructions under
 *                 -icount shift=0). 100 corked responses as nginx
 *                 sends them (cork, header, body, uncork) take fewer than
 *                 0.5 a response: "socktx: ok corked". The bursts again with a second
 *                 thread started: "socktx: ok count threaded"
 *   socktx        the checks below, two vCPUs: "socktx: ok ROUND" each
 *
 * Rounds: "streams": two children each write 512 KiB on a connection of
 * their own in varied sizes (most within a page, some past it) while the
 * parent polls both and reads: every byte once, in order. "efault": a
 * write from an unmapped buffer is EFAULT and sends nothing; the next
 * write's bytes come next. "epipe": a writer whose peer closed gets
 * EPIPE or ECONNRESET, never a hang. "eintr": a write blocked for room
 * ends with EINTR at a signal. "threads": two threads write one
 * socket at once (sizes within a page and past it, some corked) while a
 * third reads: each thread's bytes whole and in order, no reset.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bkl.h"
#include "tcppair.h"

#define PIECE 64
#define BURST 8			/* TX_CALLS_MAX: sends behind in flight */
#define STREAM_BYTES (512 << 10)
#define CHUNK_MAX 5000		/* past a page's room: locked sends too */

static unsigned char buf[1 << 16];
static int failures;

static void
fail(const char *round, long at, const char *what, long got, long want)
{
	printf("socktx: FAIL %s at %ld: %s: got %ld, want %ld\n", round, at,
	       what, got, want);
	failures++;
}

static unsigned char
pattern(long i, int stream)
{
	return (unsigned char)(i * 7 + i / 251 + stream * 101);
}

/* Reads exactly n bytes from b (or fails). */
static void
read_all(const char *round, int b, long n)
{
	struct pollfd p = { .fd = b, .events = POLLIN };
	for (long got = 0; got < n;) {
		poll(&p, 1, 1000);
		long r = read(b, buf, (size_t)(n - got));
		if (r <= 0) {
			fail(round, got, "read", r < 0 ? -errno : r, n - got);
			return;
		}
		got += r;
	}
}

/* The most big-lock takes a write's round may cost: its write, netd's
 * answer (tx_done), a share of netd's post and wait and the reader's
 * poll and read: 2.86 a write with tx_done locked, 1.79 without). */
#define ROUND_TAKES_MAX 2.4

/* The big-lock takes of reading the counter itself. */
static long
self_takes(void)
{
	long self = -1;
	for (int i = 0; i < 5; i++) {
		long t = bkl_acquired();
		t = bkl_acquired() - t;
		if (self < 0 || t < self)
			self = t;
	}
	return self;
}

/* 100 bursts of 64-byte writes on a, each burst then read from b: the
 * writes take the big lock fewer than once in five. Returns the writes. */
static long
bursts(const char *round, int a, int b)
{
	long takes = 0, writes = 0, self = self_takes(), ns = 0;
	memset(buf, 'x', PIECE);
	for (int r = 0; r < 100 && !failures; r++) {
		long before = bkl_acquired(), t0 = now_ns();
		for (int i = 0; i < BURST; i++)
			if (write(a, buf, PIECE) != PIECE)
				fail(round, r, "write", -errno, PIECE);
		ns += now_ns() - t0;
		takes += bkl_acquired() - before - self;
		writes += BURST;
		read_all(round, b, BURST * PIECE);
	}
	printf("socktx: %s: %ld big-lock takes in %ld writes, %ld virtual ns "
	       "a write\n", round, takes, writes, ns / writes);
	if (takes * 5 >= writes)
		fail(round, 0, "big-lock takes", takes, writes / 5);
	return writes;
}

/* The most big-lock takes a corked response's four calls may cost:
 * nginx's cork on, headers, body, cork off took 4 before they ran
 * without it. */
#define CORKED_TAKES_MAX 0.5

/* 100 responses as nginx sends them (TCP_CORK on, a 200-byte header, a
 * 600-byte body, TCP_CORK off), each read whole: the takes of the four
 * calls (the writes gathered, the uncork's send), less the counter's own
 * (self). */
static void
corked(int a, int b, long self)
{
	int on = 1, off = 0;
	static unsigned char resp[800];
	for (int i = 0; i < (int)sizeof(resp); i++)
		resp[i] = pattern(i, 3);
	long takes = 0;
	for (int r = 0; r < 100 && !failures; r++) {
		long before = bkl_acquired();
		if (setsockopt(a, IPPROTO_TCP, TCP_CORK, &on, sizeof(on)) ||
		    write(a, resp, 200) != 200 ||
		    write(a, resp + 200, 600) != 600 ||
		    setsockopt(a, IPPROTO_TCP, TCP_CORK, &off, sizeof(off)))
			fail("corked", r, "cork, write, write, uncork", -errno, 0);
		takes += bkl_acquired() - before - self;
		for (long got = 0; got < (long)sizeof(resp);) {
			struct pollfd p = { .fd = b, .events = POLLIN };
			poll(&p, 1, 1000);
			long n = read(b, buf, sizeof(resp) - (size_t)got);
			if (n <= 0) {
				fail("corked", r, "read", n < 0 ? -errno : n, 1);
				return;
			}
			for (long i = 0; i < n; i++)
				if (buf[i] != resp[got + i]) {
					fail("corked", r, "byte", buf[i],
					     resp[got + i]);
					return;
				}
			got += n;
		}
	}
	printf("socktx: corked: %ld big-lock takes in 100 responses\n", takes);
	if (takes >= CORKED_TAKES_MAX * 100)
		fail("corked", 0, "big-lock takes", takes,
		     (long)(CORKED_TAKES_MAX * 100));
	if (!failures)
		printf("socktx: ok corked\n");
}

static void *
idle_thread(void *arg)
{
	(void)arg;
	for (;;)
		pause();
	return NULL;
}

/* Bursts of 64-byte writes, each burst then read: the writes' takes, by
 * a one-thread process, then by one of two threads. */
static void
count(void)
{
	int a, b;
	long takes;

	tcp_pair("socktx", &a, &b, 0);
	long writes = bursts("count", a, b);
	/* Whole rounds: the writes, netd's receives that answer them
	   (tx_done), its posts to b and waits, b's poll and reads. */
	takes = bkl_acquired();
	for (int r = 0; r < 100 && !failures; r++) {
		for (int i = 0; i < BURST; i++)
			if (write(a, buf, PIECE) != PIECE)
				fail("count", r, "write", -errno, PIECE);
		read_all("count", b, BURST * PIECE);
	}
	takes = bkl_acquired() - takes;
	printf("socktx: %ld big-lock takes in %d write rounds, %.2f a write\n",
	       takes, 100, (double)takes / writes);
	if (takes >= ROUND_TAKES_MAX * writes)
		fail("count", 0, "round takes", takes,
		     (long)(ROUND_TAKES_MAX * writes));
	if (!failures)
		printf("socktx: ok count\n");
	corked(a, b, self_takes());
	pthread_t idle;
	pthread_create(&idle, NULL, idle_thread, NULL);
	bursts("count threaded", a, b);
	close(a);
	close(b);
	if (!failures)
		printf("socktx: ok count threaded\n");
}

/* Thread t's byte i of a shared stream: its parity says whose it is. */
static unsigned char
tbyte(long i, int t)
{
	return (unsigned char)(((i * 5 + i / 127) % 128) << 1 | t);
}

struct twriter {
	int fd, t;
	long err;
};

/* One of two threads writing STREAM_BYTES of its own bytes on one
 * socket, in sizes from 1 to CHUNK_MAX (within a page: nolock; past it:
 * locked behind the caller, or a call waiting for room), every 7th write
 * corked around (TCP_CORK on and off: gathered bytes). */
static void *
twriter(void *arg)
{
	struct twriter *w = arg;
	static unsigned char chunks[2][CHUNK_MAX];
	unsigned char *chunk = chunks[w->t];
	int on = 1, off = 0;
	for (long at = 0, k = 0; at < STREAM_BYTES; k++) {
		int len = 1 + (int)((at * 2654435761u + w->t * 977) % CHUNK_MAX);
		if (len > STREAM_BYTES - at)
			len = (int)(STREAM_BYTES - at);
		for (int i = 0; i < len; i++)
			chunk[i] = tbyte(at + i, w->t);
		bool cork = k % 7 == 0;
		if (cork)
			setsockopt(w->fd, IPPROTO_TCP, TCP_CORK, &on, sizeof(on));
		long n = write(w->fd, chunk, len);
		if (cork)
			setsockopt(w->fd, IPPROTO_TCP, TCP_CORK, &off, sizeof(off));
		if (n <= 0) {
			w->err = n < 0 ? -errno : -1000;
			return NULL;
		}
		at += n;
	}
	return NULL;
}

/* Two threads of this process write one socket at once while a third
 * reads it: each thread's bytes come whole and in order (interleaved at
 * any point, as two threads' writes may be on Linux), and no send behind
 * the callers overruns the room netd promised (it would reset). */
static void
threads(void)
{
	int a, b;
	long at[2] = { 0, 0 };
	struct twriter w[2] = { { 0, 0, 0 }, { 0, 1, 0 } };
	pthread_t t[2];

	tcp_pair("socktx", &a, &b, 0);
	for (int i = 0; i < 2; i++) {
		w[i].fd = a;
		pthread_create(&t[i], NULL, twriter, &w[i]);
	}
	struct pollfd p = { .fd = b, .events = POLLIN };
	while ((at[0] < STREAM_BYTES || at[1] < STREAM_BYTES) && !failures) {
		if (poll(&p, 1, 10000) != 1) {
			fail("threads", at[0] + at[1], "poll", 0, 1);
			break;
		}
		/* Slow, small reads: the room fills, and writes wait for
		   it (calls at netd) while the other thread's go on. */
		usleep(200);
		long n = read(b, buf, 1 + (at[0] + at[1]) % 3000);
		if (n <= 0) {
			fail("threads", at[0] + at[1], "read",
			     n < 0 ? -errno : n, 1);
			break;
		}
		for (long i = 0; i < n && !failures; i++) {
			int s = buf[i] & 1;
			if (buf[i] != tbyte(at[s], s))
				fail("threads", at[s], "byte", buf[i],
				     tbyte(at[s], s));
			at[s]++;
		}
	}
	for (int i = 0; i < 2; i++) {
		pthread_join(t[i], NULL);
		if (w[i].err)
			fail("threads", i, "write", w[i].err, 0);
	}
	close(a);
	if (!failures && read(b, buf, 1) != 0)
		fail("threads", at[0] + at[1], "end of file", 1, 0);
	close(b);
	if (!failures)
		printf("socktx: ok threads\n");
}

/* A child's stream: STREAM_BYTES in varied chunks on a. */
static void
writer(int a, int stream)
{
	static unsigned char chunk[CHUNK_MAX];
	for (long at = 0; at < STREAM_BYTES;) {
		int len = 1 + (int)((at * 2654435761u + stream) % CHUNK_MAX);
		if (len > STREAM_BYTES - at)
			len = (int)(STREAM_BYTES - at);
		for (int i = 0; i < len; i++)
			chunk[i] = pattern(at + i, stream);
		long n = write(a, chunk, len);
		if (n <= 0)
			_exit(1);
		at += n;	/* a blocking write may be cut by nothing */
	}
	_exit(0);
}

/* Two writers on the other CPU and this one, the parent reading both. */
static void
streams(void)
{
	int a[2], b[2];
	long at[2] = { 0, 0 };
	pid_t pid[2];

	for (int s = 0; s < 2; s++)
		tcp_pair("socktx", &a[s], &b[s], 0);
	for (int s = 0; s < 2; s++) {
		pid[s] = fork();
		if (pid[s] == 0) {
			close(a[1 - s]);
			close(b[0]);
			close(b[1]);
			writer(a[s], s);
		}
	}
	close(a[0]);
	close(a[1]);
	struct pollfd p[2] = { { b[0], POLLIN, 0 }, { b[1], POLLIN, 0 } };
	while ((at[0] < STREAM_BYTES || at[1] < STREAM_BYTES) && !failures) {
		poll(p, 2, 5000);
		for (int s = 0; s < 2; s++) {
			if (at[s] >= STREAM_BYTES || !(p[s].revents & POLLIN))
				continue;
			long n = read(b[s], buf, 1 + (at[s] * 13) % 6000);
			if (n <= 0) {
				fail("streams", at[s], "read",
				     n < 0 ? -errno : n, 1);
				break;
			}
			for (long i = 0; i < n; i++) {
				if (buf[i] != pattern(at[s] + i, s)) {
					fail("streams", at[s] + i, "byte",
					     buf[i], pattern(at[s] + i, s));
					break;
				}
			}
			at[s] += n;
		}
	}
	for (int s = 0; s < 2; s++) {
		int status;
		waitpid(pid[s], &status, 0);
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
			fail("streams", at[s], "writer status", status, 0);
		if (read(b[s], buf, 1) != 0)
			fail("streams", at[s], "end of file", 1, 0);
		close(b[s]);
	}
	if (!failures)
		printf("socktx: ok streams\n");
}

static void
efault(void)
{
	int a, b;
	tcp_pair("socktx", &a, &b, 0);
	void *bad = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS,
			 -1, 0);
	long n = write(a, bad, PIECE);
	if (n != -1 || errno != EFAULT)
		fail("efault", 0, "write from PROT_NONE", n < 0 ? -errno : n,
		     -EFAULT);
	n = write(a, (void *)8, PIECE);
	if (n != -1 || errno != EFAULT)
		fail("efault", 0, "write from page 0", n < 0 ? -errno : n,
		     -EFAULT);
	memset(buf, 'y', PIECE);
	if (write(a, buf, PIECE) != PIECE)
		fail("efault", 0, "write after", -errno, PIECE);
	memset(buf, 0, PIECE);
	read_all("efault", b, PIECE);
	for (int i = 0; i < PIECE; i++)
		if (buf[i] != 'y') {
			fail("efault", i, "byte after", buf[i], 'y');
			break;
		}
	close(a);
	close(b);
	if (!failures)
		printf("socktx: ok efault\n");
}

static void
epipe(void)
{
	int a, b;
	tcp_pair("socktx", &a, &b, 0);
	pid_t pid = fork();
	if (pid == 0) {	/* the peer reads a little, then goes */
		close(a);
		read_all("epipe", b, PIECE);
		usleep(100000);
		close(b);
		_exit(0);
	}
	close(b);
	memset(buf, 'z', PIECE);
	long n = 0;
	int i;
	for (i = 0; i < 20000; i++) {
		n = write(a, buf, PIECE);
		if (n < 0)
			break;
		if (i % 64 == 0)
			usleep(1000);	/* netd hears of the close */
	}
	if (n >= 0 || (errno != EPIPE && errno != ECONNRESET))
		fail("epipe", i, "write after the peer closed",
		     n < 0 ? -errno : n, -EPIPE);
	waitpid(pid, NULL, 0);
	close(a);
	if (!failures)
		printf("socktx: ok epipe\n");
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
	/* No SA_RESTART: the write must end. */
	struct sigaction sa = { .sa_handler = on_alarm };
	tcp_pair("socktx", &a, &b, 0);
	sigaction(SIGALRM, &sa, NULL);
	int fl = fcntl(a, F_GETFL);
	fcntl(a, F_SETFL, fl | O_NONBLOCK);
	long total = 0, n;
	while ((n = write(a, buf, sizeof(buf))) > 0)	/* fill every buffer */
		total += n;
	if (n != -1 || errno != EAGAIN)
		fail("eintr", total, "filling write", n < 0 ? -errno : n,
		     -EAGAIN);
	fcntl(a, F_SETFL, fl);
	alarm(1);
	n = write(a, buf, PIECE);
	if (n != -1 || errno != EINTR)
		fail("eintr", total, "blocked write", n < 0 ? -errno : n,
		     -EINTR);
	close(a);
	close(b);
	if (!failures)
		printf("socktx: ok eintr\n");
}

int
main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	signal(SIGPIPE, SIG_IGN);
	if (argc > 1 && strcmp(argv[1], "count") == 0) {
		count();
		return failures != 0;
	}
	streams();
	threads();
	efault();
	epipe();
	eintr();
	return failures != 0;
}
