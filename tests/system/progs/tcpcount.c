/*
 * Guest program for system/tcp-counts: stresses what a loopback TCP
 * receiver reports about its queue while netd hands data to the kernel
 * (pt_channel_post's kept bytes). Two rounds over 127.0.0.1:
 *
 *   lockstep: ROUNDS times, write a chunk (1 byte to 6 KiB, so some
 *     outgrow the kernel's 4 KiB of kept bytes), then spin on FIONREAD
 *     until the whole chunk is there. FIONREAD must never exceed the
 *     chunk; poll must say POLLIN once it is there; MSG_PEEK must return
 *     at most the chunk, its first bytes; the read must return exactly
 *     the chunk, and FIONREAD 0 after it.
 *   threads: a writer thread writes the stream in varied chunks while
 *     the reader spins on FIONREAD, peeks and reads. FIONREAD and a peek
 *     must never exceed what was written and not yet read, and every
 *     byte must arrive once, in order.
 *
 * Prints "tcpcount: ok ROUND" per round and exits 0, or prints the first
 * failure and exits 1. The same program passes on Linux.
 *
 *   tcpcount [ROUNDS]
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "tcppair.h"

#define CHUNK_MAX 6144
#define STREAM_BYTES (1 << 20)

static unsigned char out[CHUNK_MAX], in[CHUNK_MAX];
static atomic_long written;	/* threads: bytes the writer began on */
static int failures;

static void
fail(const char *round, long at, const char *what, long got, long want)
{
	printf("tcpcount: FAIL %s at %ld: %s: got %ld, want %ld\n", round, at,
	       what, got, want);
	failures++;
}

/* Byte i of the stream: a pattern that shows a repeat or a gap. */
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

/* One chunk of len bytes, stream offset at, in lockstep. */
static void
lockstep_one(int a, int b, long at, int len)
{
	struct pollfd p = { .fd = b, .events = POLLIN };
	int n;

	for (int i = 0; i < len; i++)
		out[i] = pattern(at + i);
	if (write(a, out, len) != len) {
		fail("lockstep", at, "write", -errno, len);
		return;
	}
	while ((n = inq(b)) >= 0 && n < len)
		continue;	/* spinning keeps a FIONREAD at netd */
	if (n != len)
		fail("lockstep", at, "FIONREAD", n, len);
	if (poll(&p, 1, 0) != 1 || !(p.revents & POLLIN))
		fail("lockstep", at, "poll POLLIN", p.revents, POLLIN);
	n = (int)recv(b, in, sizeof(in), MSG_PEEK);
	if (n < 1 || n > len || memcmp(in, out, n) != 0)
		fail("lockstep", at, "MSG_PEEK", n, len);
	n = (int)read(b, in, sizeof(in));
	if (n != len || memcmp(in, out, len) != 0)
		fail("lockstep", at, "read", n, len);
	if ((n = inq(b)) != 0)
		fail("lockstep", at, "FIONREAD after the read", n, 0);
}

static void
lockstep(int a, int b, int rounds)
{
	long at = 0;

	for (int r = 0; r < rounds && !failures; r++) {
		int len = 1 + (int)((r * 2654435761u) % CHUNK_MAX);
		if (r % 4 == 0)
			len = 100;	/* the size abi/iov saw doubled */
		lockstep_one(a, b, at, len);
		at += len;
	}
	if (!failures)
		printf("tcpcount: ok lockstep\n");
}

static void *
writer(void *arg)
{
	int a = *(int *)arg;
	static unsigned char buf[CHUNK_MAX];
	long at = 0;

	for (unsigned r = 0; at < STREAM_BYTES; r++) {
		int len = 1 + (int)((r * 2654435761u) % CHUNK_MAX);
		if (len > STREAM_BYTES - at)
			len = (int)(STREAM_BYTES - at);
		for (int i = 0; i < len; i++)
			buf[i] = pattern(at + i);
		/* Counted before the write: an upper bound for the reader. */
		atomic_store(&written, at + len);
		if (write(a, buf, len) != len) {
			perror("tcpcount: writer");
			exit(2);
		}
		at += len;
	}
	return NULL;
}

/* Checks n bytes just taken from the stream at offset at. */
static void
check_bytes(const char *what, long at, int n)
{
	for (int i = 0; i < n; i++)
		if (in[i] != pattern(at + i)) {
			fail("threads", at + i, what, in[i], pattern(at + i));
			return;
		}
}

static void
threads(int a, int b)
{
	pthread_t t;
	long got = 0;
	unsigned r = 0;

	if (pthread_create(&t, NULL, writer, &a) != 0) {
		perror("tcpcount: pthread_create");
		exit(2);
	}
	while (got < STREAM_BYTES && !failures) {
		int n = inq(b);
		long most = atomic_load(&written) - got;
		if (n < 0 || n > most)
			fail("threads", got, "FIONREAD", n, most);
		if (n == 0)
			continue;
		if (++r % 3 == 0) {
			n = (int)recv(b, in, sizeof(in), MSG_PEEK);
			most = atomic_load(&written) - got;
			if (n < 1 || n > most)
				fail("threads", got, "MSG_PEEK", n, most);
			check_bytes("MSG_PEEK data", got, n > 0 ? n : 0);
		}
		n = (int)read(b, in, sizeof(in));
		if (n < 1) {
			fail("threads", got, "read", n, 1);
			break;
		}
		check_bytes("read data", got, n);
		got += n;
	}
	pthread_join(t, NULL);
	if (!failures && inq(b) != 0)
		fail("threads", got, "FIONREAD at the end", inq(b), 0);
	if (!failures)
		printf("tcpcount: ok threads\n");
}

int
main(int argc, char **argv)
{
	int rounds = argc > 1 ? atoi(argv[1]) : 2000;
	int a, b;

	tcp_pair("tcpcount", &a, &b, 1);
	lockstep(a, b, rounds);
	if (!failures)
		threads(a, b);
	return failures ? 1 : 0;
}
