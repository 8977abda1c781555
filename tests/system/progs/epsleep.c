/*
 * epoll_pwait that sleeps, on a loopback TCP socket (server-backed, so the
 * wait may run without the big lock: docs/kernel.md, "epoll_wait that
 * sleeps"), for tests/system/sock-epoll-sleep.py:
 *   epsleep count  ROUNDS waits that sleep until a child's write, with a
 *                  deadline and a mask; the locked epoll_pwait calls
 *                  (/proc/petrel/bklcalls) must be fewer than one in five.
 *   epsleep races  waits whose deadline races a child's write, waits a
 *                  child's signals end (EINTR, the handler run under the
 *                  call's mask, the old mask back after), deadlines kept,
 *                  and a peer's close reported.
 * Prints "epsleep: ok NAME" for each part passed; exit 0, or 1 with what
 * failed.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/wait.h>
#include <unistd.h>
#include "tcppair.h"

#define ROUNDS 300
#define TIMEOUT_MS 5000

static volatile sig_atomic_t handled;
static volatile sig_atomic_t handled_blocked;	/* USR2 blocked in it */

static void
on_usr1(int sig)
{
	sigset_t now;
	(void)sig;
	sigprocmask(SIG_BLOCK, NULL, &now);
	if (sigismember(&now, SIGUSR2))
		handled_blocked++;
	handled++;
}

static void
fail(const char *part, int round, const char *what, long got)
{
	printf("epsleep: FAIL %s round %d: %s (%ld)\n", part, round, what, got);
	exit(1);
}

/* How many epoll_pwait calls took the big lock since boot; -1 without
 * /proc/petrel/bklcalls (Linux). */
static long
locked_pwaits(void)
{
	char line[128];
	long n = 0;
	FILE *f = fopen("/proc/petrel/bklcalls", "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		sscanf(line, "epoll_pwait %ld", &n);
	fclose(f);
	return n;
}

static void
sleep_us(long us)
{
	struct timespec ts = { 0, us * 1000 };
	nanosleep(&ts, NULL);
}

/* An epoll instance watching fd for EPOLLIN. */
static int
watch(int fd)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.fd = fd };
	int ep = epoll_create1(0);
	if (ep < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) < 0)
		fail("setup", 0, "epoll", -errno);
	return ep;
}

/* The child of count: per round, waits for the parent's byte, lets it go
 * to sleep, then writes 64 bytes. */
static void
count_writer(int a)
{
	char piece[64] = "x", ack;
	for (int i = 0; i < ROUNDS; i++) {
		if (read(a, &ack, 1) != 1)
			_exit(3);
		sleep_us(500);
		if (write(a, piece, sizeof(piece)) != sizeof(piece))
			_exit(3);
	}
	_exit(0);
}

static void
count(void)
{
	int a, b;
	char buf[64], go = 'g';
	sigset_t mask;
	struct epoll_event ev;

	tcp_pair("epsleep", &a, &b, 1);
	pid_t pid = fork();
	if (pid == 0) {
		close(b);
		count_writer(a);
	}
	close(a);
	int ep = watch(b);
	sigemptyset(&mask);
	long before = locked_pwaits();
	for (int i = 0; i < ROUNDS; i++) {
		if (write(b, &go, 1) != 1)
			fail("count", i, "write", -errno);
		int n = epoll_pwait(ep, &ev, 1, TIMEOUT_MS, &mask);
		if (n != 1)
			fail("count", i, "epoll_pwait", n < 0 ? -errno : n);
		for (size_t got = 0; got < sizeof(buf);) {
			ssize_t r = read(b, buf, sizeof(buf) - got);
			if (r <= 0)
				fail("count", i, "read", r < 0 ? -errno : 0);
			got += (size_t)r;
		}
	}
	long after = locked_pwaits();
	waitpid(pid, NULL, 0);
	printf("epsleep: %ld of %d epoll_pwait calls locked\n",
	       after - before, ROUNDS);
	if (before >= 0 && (after - before) * 5 >= ROUNDS)
		fail("count", ROUNDS, "locked epoll_pwait calls", after - before);
	printf("epsleep: ok count\n");
}

/* Waits whose 1-3 ms deadline races a write made after 0-3 ms: each
 * byte is reported once, in order, whichever comes first. */
static void
race_write(void)
{
	int a, b;
	struct epoll_event ev;

	tcp_pair("epsleep", &a, &b, 1);
	pid_t pid = fork();
	if (pid == 0) {
		close(b);
		for (int i = 0; i < ROUNDS; i++) {
			char c = (char)i;
			sleep_us((i * 7) % 3000);
			if (write(a, &c, 1) != 1)
				_exit(3);
		}
		_exit(0);
	}
	close(a);
	int ep = watch(b);
	for (int i = 0; i < ROUNDS;) {
		int n = epoll_wait(ep, &ev, 1, 1 + i % 3);
		if (n < 0)
			fail("write", i, "epoll_wait", -errno);
		if (n == 0)
			continue;
		char c;
		if (read(b, &c, 1) != 1 || c != (char)i)
			fail("write", i, "byte", c);
		i++;
	}
	waitpid(pid, NULL, 0);
	close(ep);
	close(b);
	printf("epsleep: ok write\n");
}

/* Waits that no event ends: each lasts at least its timeout. */
static void
race_deadline(void)
{
	int a, b;
	struct epoll_event ev;

	tcp_pair("epsleep", &a, &b, 1);
	int ep = watch(b);
	for (int i = 0; i < 50; i++) {
		int ms = 1 + i % 4;
		long t0 = now_ns();
		int n = epoll_wait(ep, &ev, 1, ms);
		long took = now_ns() - t0;
		if (n != 0)
			fail("deadline", i, "epoll_wait", n < 0 ? -errno : n);
		if (took < ms * 1000000L)
			fail("deadline", i, "returned early (us)", took / 1000);
	}
	close(ep);
	close(a);
	close(b);
	printf("epsleep: ok deadline\n");
}

/* A child's SIGUSR1s end waits whose mask lets it in (it is blocked
 * outside them, with SIGUSR2): EINTR, the handler run under the call's
 * mask (SIGUSR2 still blocked), SIGUSR1 blocked again after. */
static void
race_signal(void)
{
	int a, b, eintr = 0;
	sigset_t block, during, now;
	struct sigaction sa = { .sa_handler = on_usr1 };
	struct epoll_event ev;

	sigemptyset(&block);
	sigaddset(&block, SIGUSR1);
	sigaddset(&block, SIGUSR2);
	sigprocmask(SIG_BLOCK, &block, NULL);
	sigaction(SIGUSR1, &sa, NULL);
	sigprocmask(SIG_BLOCK, NULL, &during);
	sigdelset(&during, SIGUSR1);
	tcp_pair("epsleep", &a, &b, 1);
	pid_t parent = getpid(), pid = fork();
	if (pid == 0) {
		for (int i = 0; i < 100; i++) {
			sleep_us(200 + (i * 13) % 1500);
			kill(parent, SIGUSR1);
		}
		_exit(0);
	}
	int ep = watch(b);
	while (waitpid(pid, NULL, WNOHANG) == 0 || handled < eintr) {
		int n = epoll_pwait(ep, &ev, 1, 50, &during);
		if (n < 0 && errno != EINTR)
			fail("signal", eintr, "epoll_pwait", -errno);
		if (n > 0)
			fail("signal", eintr, "an event from nowhere", n);
		if (n < 0)
			eintr++;
		sigprocmask(SIG_BLOCK, NULL, &now);
		if (!sigismember(&now, SIGUSR1) || !sigismember(&now, SIGUSR2))
			fail("signal", eintr, "mask not restored", 0);
	}
	if (eintr == 0 || handled < eintr || handled_blocked != handled)
		fail("signal", eintr, "handlers run", handled);
	close(ep);
	close(a);
	close(b);
	printf("epsleep: ok signal (%d EINTR)\n", eintr);
}

/* A peer's close, after 0-2 ms, ends a wait: EOF is readable. */
static void
race_close(void)
{
	struct epoll_event ev;

	for (int i = 0; i < 30; i++) {
		int a, b;
		tcp_pair("epsleep", &a, &b, 1);
		pid_t pid = fork();
		if (pid == 0) {
			sleep_us((i * 97) % 2000);
			close(a);
			_exit(0);
		}
		close(a);
		int ep = watch(b);
		int n = epoll_wait(ep, &ev, 1, TIMEOUT_MS);
		char c;
		if (n != 1 || read(b, &c, 1) != 0)
			fail("close", i, "epoll_wait", n < 0 ? -errno : n);
		waitpid(pid, NULL, 0);
		close(ep);
		close(b);
	}
	printf("epsleep: ok close\n");
}

int
main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	if (argc > 1 && strcmp(argv[1], "count") == 0) {
		count();
		return 0;
	}
	if (argc > 1 && strcmp(argv[1], "races") == 0) {
		race_write();
		race_deadline();
		race_signal();
		race_close();
		return 0;
	}
	fprintf(stderr, "usage: epsleep count|races\n");
	return 2;
}
