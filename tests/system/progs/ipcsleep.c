/*
 * pt_wait that sleeps, without the big lock, run inside Petrel
 * (tests/system/ipc-sleep.py): a one-thread process's wait that must
 * sleep takes no big lock on its CPU, ends at its deadline (never before),
 * with -EINTR for a signal from another CPU, and when the other end of a
 * channel is closed on another CPU; bits raised on one CPU while the
 * other sleeps with short deadlines are neither lost nor taken twice.
 * One line per check; exits 1 at the first failure.
 */
#define _GNU_SOURCE
#include <petrel/native.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "ptwait.h"

#define SLEEPS 300
#define ROUNDS 3000

static void
check(int ok, const char *what, long got)
{
	if (!ok) {
		printf("ipcsleep: FAIL %s (got %ld)\n", what, got);
		exit(1);
	}
	printf("ipcsleep: ok %s\n", what);
}

/* How many calls named name took the big lock (/proc/petrel/bklcalls:
 * a line each, its name and count); -1 when unread. */
static long
bkl_calls(const char *name)
{
	char line[128];
	long taken = -1;
	FILE *f = fopen("/proc/petrel/bklcalls", "r");
	if (!f)
		return -1;
	taken = 0;
	while (fgets(line, sizeof(line), f)) {
		char first[32];
		long a;
		if (sscanf(line, "%31s %ld", first, &a) == 2 &&
		    strcmp(first, name) == 0)
			taken = a;
	}
	fclose(f);
	return taken;
}

static uint64_t
now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Until process pid sleeps (its /proc/PID/stat state S). */
static void
until_asleep(pid_t pid)
{
	char path[64], text[256];
	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	for (;;) {
		int fd = open(path, O_RDONLY);
		long n = fd < 0 ? -1 : read(fd, text, sizeof(text) - 1);
		if (fd >= 0)
			close(fd);
		if (n <= 0)
			return;
		text[n] = 0;
		char *end = strrchr(text, ')');
		if (end && end[1] == ' ' && end[2] == 'S')
			return;
		sched_yield();
	}
}

/*
 * SLEEPS waits for ever on the last CPU, each woken by a child on CPU 0
 * once the waiter is seen asleep, the waiter then answering through a
 * second notification, which the child sleeps for: pt_wait takes the big
 * lock in none of them, where each sleep took it before (2 * SLEEPS).
 */
static void
check_sleeps(void)
{
	pt_handle_t to_parent = (pt_handle_t)pt_notify_create();
	pt_handle_t to_child = (pt_handle_t)pt_notify_create();
	pid_t parent = getpid();
	pid_t pid = fork();
	if (pid == 0) {
		uint64_t got;
		pin_cpu(0);
		for (int i = 0; i < SLEEPS; i++) {
			until_asleep(parent);
			pt_notify_signal(to_parent, 1);
			if (wait_one(to_child, 1, -1, &got) != 1)
				_exit(2);
		}
		_exit(0);
	}
	pin_cpu(last_cpu());
	long before = bkl_calls("pt_wait"), bad = 0;
	for (int i = 0; i < SLEEPS && !bad; i++) {
		uint64_t got;
		if (wait_one(to_parent, 1, -1, &got) != 1 || got != 1)
			bad = i + 1;
		pt_notify_signal(to_child, 1);
	}
	int st = 0;
	waitpid(pid, &st, 0);
	long taken = bkl_calls("pt_wait") - before;
	check(bad == 0 && WIFEXITED(st) && WEXITSTATUS(st) == 0,
	      "300 sleeping waits woken from CPU 0", bad);
	check(before < 0 || taken < SLEEPS / 5,
	      "600 sleeping waits: under 60 locked", taken);
	pt_handle_close(to_parent);
	pt_handle_close(to_child);
}

/* Deadlines that nothing ends: 0 after the timeout, never before it. */
static void
check_deadline(void)
{
	pt_handle_t n = (pt_handle_t)pt_notify_create();
	long early = 0, bad = 0;
	for (int i = 0; i < 20; i++) {
		int64_t timeout = (i % 4 + 1) * 1000000;
		uint64_t got, t0 = now_ns();
		long r = wait_one(n, ~0ull, timeout, &got);
		uint64_t took = now_ns() - t0;
		if (r != 0 || got)
			bad++;
		if (took < (uint64_t)timeout)
			early++;
	}
	check(bad == 0, "20 waits for 1-4 ms that nothing ends: 0", bad);
	check(early == 0, "none ended before its deadline", early);
	pt_handle_close(n);
}

static volatile sig_atomic_t usr1_seen;

static void
on_usr1(int sig)
{
	(void)sig;
	usr1_seen++;
}

/* A SIGUSR1 from a child on CPU 0 ends a wait, for ever and with a
 * deadline of 10 s, with EINTR and the handler run. */
static void
check_signal(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_usr1;
	sigaction(SIGUSR1, &sa, NULL);	/* no SA_RESTART */
	pt_handle_t n = (pt_handle_t)pt_notify_create();
	for (int i = 0; i < 2; i++) {
		pid_t parent = getpid();
		usr1_seen = 0;
		pid_t pid = fork();
		if (pid == 0) {
			pin_cpu(0);
			until_asleep(parent);
			kill(parent, SIGUSR1);
			_exit(0);
		}
		uint64_t got;
		long r = wait_one(n, ~0ull, i ? 10000000000ll : -1, &got);
		waitpid(pid, NULL, 0);
		check(r == -EINTR && usr1_seen == 1,
		      i ? "a signal ends a wait with a deadline: EINTR"
			: "a signal ends a wait for ever: EINTR", r);
	}
	signal(SIGUSR1, SIG_DFL);
	pt_handle_close(n);
}

/* The client end closed by a child on CPU 0 while the parent sleeps on
 * the server end with a deadline: PEER_CLOSED. */
static void
check_close(void)
{
	pt_handle_t ends[2];
	check(pt_channel_create(ends) == 0, "channel created", 0);
	pid_t parent = getpid();
	pid_t pid = fork();
	if (pid == 0) {
		pin_cpu(0);
		until_asleep(parent);
		pt_handle_close(ends[0]);	/* the last client handle */
		_exit(0);
	}
	pt_handle_close(ends[0]);
	uint64_t got;
	long r = wait_one(ends[1], PT_SIG_PEER_CLOSED, 10000000000ll, &got);
	waitpid(pid, NULL, 0);
	check(r == 1 && got == PT_SIG_PEER_CLOSED,
	      "the client closed on CPU 0 during the sleep: PEER_CLOSED", r);
	pt_handle_close(ends[1]);
}

/*
 * A child on CPU 0 raises ROUNDS bits one at a time, each after the
 * parent took the last, some at once and some after a short spin, while
 * the parent waits with deadlines of 0 to 2 ms, so that raises race the
 * deadlines' timers: each bit is taken once (a lost one hangs the test).
 */
static void
check_races(void)
{
	pt_handle_t to_parent = (pt_handle_t)pt_notify_create();
	pt_handle_t to_child = (pt_handle_t)pt_notify_create();
	pid_t pid = fork();
	if (pid == 0) {
		uint64_t got;
		pin_cpu(0);
		for (int i = 0; i < ROUNDS; i++) {
			for (volatile int spin = 0; spin < (i % 7) * 3000; spin++)
				;
			pt_notify_signal(to_parent, 1ull << (i % 64));
			if (wait_one(to_child, 1, -1, &got) != 1)
				_exit(2);
		}
		_exit(0);
	}
	pin_cpu(last_cpu());
	long bad = 0;
	for (int i = 0; i < ROUNDS && !bad; i++) {
		uint64_t got = 0, want = 1ull << (i % 64);
		while (got == 0) {
			long r = wait_one(to_parent, ~0ull, (i % 3) * 1000000, &got);
			if (r < 0 || (r == 1) != (got != 0))
				bad = -r;
		}
		if (got != want)
			bad = i + 1;
		pt_notify_signal(to_child, 1);
	}
	int st = 0;
	waitpid(pid, &st, 0);
	check(bad == 0 && WIFEXITED(st) && WEXITSTATUS(st) == 0,
	      "3000 bits raised against deadlines, each taken once", bad);
	pt_handle_close(to_parent);
	pt_handle_close(to_child);
}

int
main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	if (argc > 1 && strcmp(argv[1], "count") == 0) {
		check_sleeps();
	} else {
		check_deadline();
		check_signal();
		check_close();
		check_races();
	}
	printf("ipcsleep: ok\n");
	return 0;
}
