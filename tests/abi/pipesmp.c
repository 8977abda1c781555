/*
 * Pipes on 2 vCPUs: Petrel runs read and write of a pipe without the big
 * lock (docs/kernel.md, "Pipes without the big lock"), under the pipe's
 * own spinlock. Readers and writers on both CPUs: a ping-pong, a stream
 * in pieces of every size, PIPE_BUF records from two writers at once;
 * blocking both ways, non-blocking EAGAIN, end of file and EPIPE when the
 * other end closes under a sleeper, a signal ending a blocked read
 * (EINTR, and SA_RESTART's restart), poll and epoll woken by a write from
 * the other CPU, a copy that faults, and F_SETPIPE_SZ.
 */
/* abi: smp 2 */
#include "abi.h"

#include <pthread.h>
#include <stdint.h>
#include <sys/epoll.h>

#define PING_TURNS 3000
#define PINNED_TURNS 200
#define STREAM_BYTES (256 * 1024)
#define RECORD 512
#define RECORDS 400

static void
pause_ms(int ms)
{
	struct timespec t = { 0, ms * 1000L * 1000L };
	nanosleep(&t, NULL);
}

/* ---- Single-threaded: the errors and edges ------------------------------ */

static void *volatile bad_ptr = (void *)8;	/* hidden from the compiler */

static void
test_edges(void)
{
	int p[2];
	char buf[8192];
	CHECK_OK("pipe2 O_NONBLOCK", pipe2(p, O_NONBLOCK));
	CHECK_ERR("read of an empty pipe", read(p[0], buf, 1), EAGAIN);
	CHECK_EQ("write 3", write(p[1], "abc", 3), 3);
	CHECK_ERR("read into a bad buffer", read(p[0], bad_ptr, 3), EFAULT);
	memset(buf, 0, 4);
	CHECK_EQ("the bytes stayed", read(p[0], buf, 8), 3);
	CHECK_STR("what they are", buf, "abc");
	CHECK_ERR("write from a bad buffer", write(p[1], bad_ptr, 3),
		  EFAULT);
	CHECK_ERR("read of the write end", read(p[1], buf, 1), EBADF);
	CHECK_ERR("write to the read end", write(p[0], "x", 1), EBADF);
	memset(buf, 'f', sizeof(buf));
	/* Whole pages, where Linux's page-sized slots and this ring agree. */
	long filled = 0, n;
	while ((n = write(p[1], buf, 4096)) > 0)
		filled += n;
	CHECK_EQ("a full pipe holds 64 KiB", filled, 65536);
	CHECK_ERR("write to a full pipe", write(p[1], "x", 1), EAGAIN);
	CHECK_EQ("read 100", read(p[0], buf, 100), 100);
	/* PIPE_BUF bytes go in whole or not at all. */
	CHECK_ERR("4096 into 100 free", write(p[1], buf, 4096), EAGAIN);
	CHECK_EQ("read 3996", read(p[0], buf, 3996), 3996);
	CHECK_EQ("4096 into 4096 free", write(p[1], buf, 4096), 4096);
	CHECK_EQ("F_SETPIPE_SZ below what it holds", fcntl(p[1], F_SETPIPE_SZ,
		 4096) == -1 ? errno : 0, EBUSY);
	while (read(p[0], buf, sizeof(buf)) > 0)
		;
	CHECK_EQ("F_SETPIPE_SZ 4096", fcntl(p[1], F_SETPIPE_SZ, 4096), 4096);
	CHECK_EQ("write 4096", write(p[1], buf, 4096), 4096);
	CHECK_ERR("one more", write(p[1], "x", 1), EAGAIN);
	CHECK_EQ("F_SETPIPE_SZ 8192 keeps the data",
		 fcntl(p[1], F_SETPIPE_SZ, 8192), 8192);
	CHECK_EQ("one more fits now", write(p[1], "x", 1), 1);
	CHECK_EQ("read it all", read(p[0], buf, sizeof(buf)), 4097);
	close(p[1]);
	CHECK_EQ("end of file", read(p[0], buf, 1), 0);
	close(p[0]);

	CHECK_OK("pipe", pipe(p));
	close(p[0]);
	signal(SIGPIPE, SIG_IGN);
	CHECK_ERR("write with no reader", write(p[1], "x", 1), EPIPE);
	signal(SIGPIPE, SIG_DFL);
	close(p[1]);
}

/* ---- A ping-pong between processes and between pinned threads ----------- */

static int to[2], from[2];

static void *
echo(void *arg)
{
	unsigned char c;
	if (arg)
		abi_pin(1);
	while (read(to[0], &c, 1) == 1)
		if (write(from[1], &c, 1) != 1)
			break;
	return NULL;
}

/* n turns of one byte each way; returns the turns whose byte came back. */
static int
ping(int n)
{
	int right = 0;
	for (int i = 0; i < n; i++) {
		unsigned char c = (unsigned char)i, back = 0;
		if (write(to[1], &c, 1) != 1 || read(from[0], &back, 1) != 1)
			break;
		right += back == c;
	}
	return right;
}

static void
test_ping_pong(void)
{
	CHECK_OK("pipes", pipe(to) | pipe(from));
	pid_t pid = fork();
	if (pid == 0) {
		close(to[1]);
		close(from[0]);
		echo(NULL);
		_exit(0);
	}
	CHECK_EQ("process turns", ping(PING_TURNS), PING_TURNS);
	close(to[1]);
	int status;
	waitpid(pid, &status, 0);
	CHECK("the echo saw end of file", WIFEXITED(status));
	close(to[0]);
	close(from[0]);
	close(from[1]);

	pthread_t t;
	CHECK_OK("pipes", pipe(to) | pipe(from));
	abi_pin(0);
	pthread_create(&t, NULL, echo, (void *)1);
	CHECK_EQ("pinned thread turns", ping(PINNED_TURNS), PINNED_TURNS);
	close(to[1]);
	pthread_join(t, NULL);
	abi_unpin();
	close(to[0]);
	close(from[0]);
	close(from[1]);
}

/* ---- A stream in pieces of every size, and PIPE_BUF records ------------- */

static int sp[2];

static unsigned char
stream_byte(long at)
{
	return (unsigned char)(at * 7 + at / 251);
}

static void *
stream_writer(void *arg)
{
	static unsigned char chunk[9000];
	long at = 0, size = 1;
	(void)arg;
	abi_pin(1);
	while (at < STREAM_BYTES) {
		long n = size < STREAM_BYTES - at ? size : STREAM_BYTES - at;
		for (long i = 0; i < n; i++)
			chunk[i] = stream_byte(at + i);
		long w = write(sp[1], chunk, (size_t)n);
		if (w <= 0)
			break;
		at += w;
		size = size * 3 % 8999 + 1;	/* 1 to 8999, both sides of 4096 */
	}
	close(sp[1]);
	return NULL;
}

static void
test_stream(void)
{
	static unsigned char buf[7000];
	pthread_t t;
	CHECK_OK("pipe", pipe(sp));
	abi_pin(0);
	pthread_create(&t, NULL, stream_writer, NULL);
	long at = 0, bad = 0, size = 5, n;
	while ((n = read(sp[0], buf, (size_t)size)) > 0) {
		for (long i = 0; i < n; i++)
			bad += buf[i] != stream_byte(at + i);
		at += n;
		size = size * 5 % 6997 + 1;
	}
	pthread_join(t, NULL);
	abi_unpin();
	CHECK_EQ("stream bytes", at, STREAM_BYTES);
	CHECK_EQ("stream bytes out of place", bad, 0);
	close(sp[0]);
}

static void *
record_writer(void *arg)
{
	unsigned char rec[RECORD];
	int id = (int)(intptr_t)arg;
	abi_pin(id);
	for (int i = 0; i < RECORDS; i++) {
		memset(rec, (id << 7) | (i & 0x7f), sizeof(rec));
		if (write(sp[1], rec, sizeof(rec)) != sizeof(rec))
			break;
	}
	return NULL;
}

static void
test_records(void)
{
	unsigned char rec[RECORD];
	pthread_t t[2];
	CHECK_OK("pipe", pipe(sp));
	for (int i = 0; i < 2; i++)
		pthread_create(&t[i], NULL, record_writer, (void *)(intptr_t)i);
	int count[2] = { 0, 0 }, torn = 0, order = 0;
	for (int k = 0; k < 2 * RECORDS; k++) {
		long got = 0, n;
		while (got < RECORD &&
		       (n = read(sp[0], rec + got, RECORD - got)) > 0)
			got += n;
		int id = rec[0] >> 7, seq = rec[0] & 0x7f;
		for (int i = 1; i < RECORD; i++)
			torn += rec[i] != rec[0];
		order += seq != (count[id] & 0x7f);
		count[id]++;
	}
	for (int i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	CHECK_EQ("records of writer 0", count[0], RECORDS);
	CHECK_EQ("records of writer 1", count[1], RECORDS);
	CHECK_EQ("records torn", torn, 0);
	CHECK_EQ("records out of order", order, 0);
	close(sp[0]);
	close(sp[1]);
}

/* ---- Sleepers: the other end closes, a signal comes, poll and epoll ------ */

static void *
close_later(void *arg)
{
	abi_pin(1);
	pause_ms(50);
	close((int)(intptr_t)arg);
	return NULL;
}

static void *
write_later(void *arg)
{
	abi_pin(1);
	pause_ms(50);
	if (write((int)(intptr_t)arg, "w", 1) != 1)
		return (void *)1;
	return NULL;
}

static volatile int caught;

static void
on_usr1(int sig)
{
	(void)sig;
	caught++;
}

static pthread_t main_thread;

static void *
signal_later(void *arg)
{
	abi_pin(1);
	pause_ms(50);
	pthread_kill(main_thread, SIGUSR1);
	if (arg) {
		pause_ms(50);
		if (write((int)(intptr_t)arg, "s", 1) != 1)
			return (void *)1;
	}
	return NULL;
}

static void
test_sleepers(void)
{
	int p[2];
	char c = 0, big[8192];
	pthread_t t;
	abi_pin(0);
	pipe(p);
	pthread_create(&t, NULL, close_later, (void *)(intptr_t)p[1]);
	CHECK_EQ("a blocked read sees the writer close", read(p[0], &c, 1), 0);
	pthread_join(t, NULL);
	close(p[0]);

	pipe(p);
	memset(big, 'b', sizeof(big));
	for (int i = 0; i < 16; i++)
		write(p[1], big, 4096);		/* full */
	signal(SIGPIPE, SIG_IGN);
	pthread_create(&t, NULL, close_later, (void *)(intptr_t)p[0]);
	CHECK_ERR("a blocked write sees the reader close",
		  write(p[1], big, 100), EPIPE);
	pthread_join(t, NULL);
	signal(SIGPIPE, SIG_DFL);
	close(p[1]);

	pipe(p);
	pthread_create(&t, NULL, write_later, (void *)(intptr_t)p[1]);
	CHECK_EQ("a blocked read wakes for data", read(p[0], &c, 1), 1);
	pthread_join(t, NULL);

	main_thread = pthread_self();
	struct sigaction sa = { 0 };
	sa.sa_handler = on_usr1;
	sigaction(SIGUSR1, &sa, NULL);
	caught = 0;
	pthread_create(&t, NULL, signal_later, NULL);
	CHECK_ERR("a signal ends a blocked read", read(p[0], &c, 1), EINTR);
	pthread_join(t, NULL);
	CHECK_EQ("its handler ran", caught, 1);
	sa.sa_flags = SA_RESTART;
	sigaction(SIGUSR1, &sa, NULL);
	pthread_create(&t, NULL, signal_later, (void *)(intptr_t)p[1]);
	CHECK_EQ("SA_RESTART: the read goes on", read(p[0], &c, 1), 1);
	CHECK_EQ("and gets the byte", c, 's');
	pthread_join(t, NULL);
	CHECK_EQ("the handler ran again", caught, 2);
	signal(SIGUSR1, SIG_DFL);

	pthread_create(&t, NULL, write_later, (void *)(intptr_t)p[1]);
	CHECK_EQ("poll wakes for a write", poll_one(p[0], POLLIN, 5000),
		 POLLIN);
	pthread_join(t, NULL);
	CHECK_EQ("read what woke poll", read(p[0], &c, 1), 1);

	int ep = epoll_create1(0);
	struct epoll_event ev = { .events = EPOLLIN };
	epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev);
	pthread_create(&t, NULL, write_later, (void *)(intptr_t)p[1]);
	CHECK_EQ("epoll wakes for a write", epoll_wait(ep, &ev, 1, 5000), 1);
	pthread_join(t, NULL);
	CHECK_EQ("read what woke epoll", read(p[0], &c, 1), 1);
	close(ep);
	close(p[0]);
	close(p[1]);
	abi_unpin();
}

/* ---- Non-blocking readers spinning beside a writer, and close races ----- */

static void *
nonblock_reader(void *arg)
{
	int fd = (int)(intptr_t)arg;
	char buf[300];
	long total = 0, n;
	abi_pin(1);
	for (;;) {
		n = read(fd, buf, sizeof(buf));
		if (n > 0)
			total += n;
		else if (n == 0)
			break;
		else if (errno != EAGAIN)
			return (void *)-1L;
	}
	return (void *)total;
}

/* Reads fd (the low 16 bits) on CPU arg >> 16: what read returned. */
static void *
eof_reader(void *arg)
{
	char c;
	abi_pin((int)((intptr_t)arg >> 16));
	return (void *)read((int)((intptr_t)arg & 0xffff), &c, 1);
}

static void
test_nonblock_race(void)
{
	int p[2];
	char buf[1000];
	void *got;
	pthread_t t;
	abi_pin(0);
	pipe(p);
	fcntl(p[0], F_SETFL, O_NONBLOCK);
	pthread_create(&t, NULL, nonblock_reader, (void *)(intptr_t)p[0]);
	memset(buf, 'n', sizeof(buf));
	long sent = 0;
	for (int i = 0; i < 300; i++)
		sent += write(p[1], buf, (size_t)(i % 7 * 100 + 1));
	close(p[1]);
	pthread_join(t, &got);
	CHECK_EQ("a spinning non-blocking reader got it all", (long)got, sent);
	close(p[0]);

	/* Readers on both CPUs, the write end closed under them. */
	int bad = 0;
	for (int round = 0; round < 40 && !bad; round++) {
		pthread_t r[2];
		pipe(p);
		for (int i = 0; i < 2; i++)
			pthread_create(&r[i], NULL, eof_reader,
				       (void *)(intptr_t)(p[0] | i << 16));
		if (round % 2)
			sched_yield();
		close(p[1]);
		for (int i = 0; i < 2; i++) {
			pthread_join(r[i], &got);
			bad += (long)got != 0;
		}
		close(p[0]);
	}
	CHECK_EQ("reads that missed end of file", bad, 0);
	abi_unpin();
}

int
main(void)
{
	abi_init();
	test_edges();
	test_ping_pong();
	test_stream();
	test_records();
	test_sleepers();
	test_nonblock_race();
	return abi_done("pipesmp");
}
