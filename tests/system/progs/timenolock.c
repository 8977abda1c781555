/*
 * The time calls that run without the big lock (syscalls.master's
 * nolock: clock_gettime, clock_getres, gettimeofday, time, getcpu,
 * sched_yield, nanosleep, clock_nanosleep, and private futex waits with
 * a timeout), and their answers. Prints "timenolock: ok" or why not.
 *   calls   CALLS raw calls of each (the vDSO bypassed): the CPUs' big-lock
 *           acquisitions (/proc/petrel/bkl) grow by fewer than CALLS / 10
 *           for each, while as many clock_gettime calls on the process's
 *           CPU clock (locked: it walks the threads) take it at least
 *           CALLS times.
 *   answers the monotonic clock never goes back; the real-time clock,
 *           gettimeofday and time agree; a bad clock is EINVAL, a bad
 *           pointer EFAULT; another process's CPU clock reads (the locked
 *           way); getcpu names an online CPU.
 *   sleeps  on the last CPU, ROUNDS 1 ms sleeps each by nanosleep,
 *           clock_nanosleep (relative and absolute) and a private futex
 *           wait that times out: none ends early, and the big lock is
 *           taken fewer than 0.5 times a sleep besides the timer
 *           interrupts' (one that ends the CPU's halt takes it; the
 *           locked calls took it twice more a sleep). Least of three.
 *   signals a child's SIGUSR1 ends a 2 s nanosleep (EINTR, the handler
 *           ran, what is left written and below what was asked) and a
 *           2 s futex wait (EINTR).
 *   yield   a parent and a child on one CPU take turns at a shared word
 *           2,000 times by sched_yield alone.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bkl.h"
#include "smp.h"

#define CALLS 20000
#define ROUNDS 100

static void
fail(const char *what, long got)
{
	printf("timenolock: %s (%ld, errno %d)\n", what, got, errno);
	exit(1);
}

static unsigned long long
acquisitions(void)
{
	return bkl_acquired_or_exit("timenolock");
}

static uint64_t
mono_ns(void)
{
	struct timespec ts;
	if (syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &ts) != 0)
		fail("clock_gettime", -1);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* ---- calls ---- */

/* The lock's takes over CALLS raw calls of nr with a and b. */
static unsigned long long
taken(const char *name, long nr, long a, long b)
{
	unsigned long long before = acquisitions();
	for (int i = 0; i < CALLS; i++)
		if (syscall(nr, a, b, 0) < 0)
			fail(name, i);
	unsigned long long n = acquisitions() - before;
	printf("timenolock: %s took the lock %llu times in %d calls\n", name,
	       n, CALLS);
	return n;
}

static void
calls(void)
{
	struct timespec ts;
	struct timeval tv;
	unsigned cpu;
	const struct {
		const char *name;
		long nr, a, b;
	} nolock[] = {
		{ "clock_gettime(MONOTONIC)", SYS_clock_gettime, CLOCK_MONOTONIC, (long)&ts },
		{ "clock_gettime(REALTIME)", SYS_clock_gettime, CLOCK_REALTIME, (long)&ts },
		{ "clock_gettime(BOOTTIME)", SYS_clock_gettime, CLOCK_BOOTTIME, (long)&ts },
		{ "clock_gettime(THREAD_CPUTIME_ID)", SYS_clock_gettime, CLOCK_THREAD_CPUTIME_ID, (long)&ts },
		{ "clock_getres(MONOTONIC)", SYS_clock_getres, CLOCK_MONOTONIC, (long)&ts },
		{ "gettimeofday", SYS_gettimeofday, (long)&tv, 0 },
#ifdef SYS_time
		{ "time", SYS_time, 0, 0 },
#endif
		{ "getcpu", SYS_getcpu, (long)&cpu, 0 },
		{ "sched_yield", SYS_sched_yield, 0, 0 },
	};
	for (unsigned i = 0; i < sizeof(nolock) / sizeof(nolock[0]); i++)
		if (taken(nolock[i].name, nolock[i].nr, nolock[i].a,
			  nolock[i].b) >= CALLS / 10)
			fail("a nolock call took the lock", (long)i);
	if (taken("clock_gettime(PROCESS_CPUTIME_ID)", SYS_clock_gettime,
		  CLOCK_PROCESS_CPUTIME_ID, (long)&ts) < CALLS)
		fail("the locked clock did not take the lock", 0);
	printf("timenolock: ok calls\n");
}

/* ---- answers ---- */

static void
answers(void)
{
	struct timespec ts, rt;
	struct timeval tv;
	uint64_t last = 0;

	for (int i = 0; i < CALLS; i++) {
		uint64_t now = mono_ns();
		if (now < last)
			fail("the monotonic clock went back", i);
		last = now;
	}
	if (syscall(SYS_clock_gettime, CLOCK_REALTIME, &rt) != 0 ||
	    syscall(SYS_gettimeofday, &tv, NULL) != 0)
		fail("real time", -1);
	int64_t apart = (tv.tv_sec - rt.tv_sec) * 1000000 +
			(tv.tv_usec - rt.tv_nsec / 1000);
	if (apart < 0 || apart > 100000)
		fail("gettimeofday and CLOCK_REALTIME apart (us)", (long)apart);
#ifdef SYS_time
	long t = syscall(SYS_time, NULL);
	if (t < rt.tv_sec || t > rt.tv_sec + 1)
		fail("time and CLOCK_REALTIME apart", t - rt.tv_sec);
#endif
	if (syscall(SYS_clock_gettime, 99, &ts) != -1 || errno != EINVAL)
		fail("clock 99 is not EINVAL", errno);
	if (syscall(SYS_clock_getres, 99, &ts) != -1 || errno != EINVAL)
		fail("clock_getres 99 is not EINVAL", errno);
	if (syscall(SYS_clock_gettime, CLOCK_MONOTONIC, (void *)8) != -1 ||
	    errno != EFAULT)
		fail("a bad pointer is not EFAULT", errno);
	if (syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC_RAW, 0, &ts, NULL) !=
	    -1 || errno != EOPNOTSUPP)
		fail("clock_nanosleep on the raw clock is not EOPNOTSUPP", errno);
	unsigned cpu = 99;
	if (syscall(SYS_getcpu, &cpu, NULL, NULL) != 0 ||
	    cpu >= (unsigned)sysconf(_SC_NPROCESSORS_ONLN))
		fail("getcpu", cpu);

	pid_t kid = fork();
	if (kid == 0) {
		for (;;)
			;
	}
	clockid_t clock;
	usleep(20000);
	if (clock_getcpuclockid(kid, &clock) != 0 ||
	    syscall(SYS_clock_gettime, clock, &ts) != 0 ||
	    (ts.tv_sec == 0 && ts.tv_nsec == 0))
		fail("the child's CPU clock", errno);
	kill(kid, SIGKILL);
	waitpid(kid, NULL, 0);
	if (syscall(SYS_clock_gettime, clock, &ts) != -1 || errno != EINVAL)
		fail("a reaped child's CPU clock is not EINVAL", errno);
	printf("timenolock: ok answers\n");
}

/* ---- sleeps ---- */

#define FUTEX_WAIT_PRIVATE 128

/* One kind of 1 ms sleep, ROUNDS times: the takes a sleep besides the
 * timer interrupts'. */
static double
sleeps_of(int kind)
{
	static int word;
	struct timespec ms = { 0, 1000000 };
	long long irqs = timer_interrupts();
	unsigned long long before = acquisitions();
	for (int i = 0; i < ROUNDS; i++) {
		uint64_t t0 = mono_ns();
		long r;
		if (kind == 0) {
			r = syscall(SYS_nanosleep, &ms, NULL);
		} else if (kind == 1) {
			r = syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC, 0, &ms,
				    NULL);
		} else if (kind == 2) {
			uint64_t end = t0 + 1000000;
			struct timespec at = { (time_t)(end / 1000000000),
					       (long)(end % 1000000000) };
			r = syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC,
				    TIMER_ABSTIME, &at, NULL);
		} else {
			r = syscall(SYS_futex, &word, FUTEX_WAIT_PRIVATE, 0, &ms,
				    NULL, 0);
			if (r == -1 && errno == ETIMEDOUT)
				r = 0;
		}
		if (r != 0)
			fail("a sleep failed", kind);
		if (mono_ns() - t0 < 1000000)
			fail("a sleep ended early, kind", kind);
	}
	unsigned long long takes = acquisitions() - before;
	irqs = timer_interrupts() - irqs;
	printf("timenolock: sleep kind %d: takes %llu, timer interrupts %lld "
	       "in %d sleeps\n", kind, takes, irqs, ROUNDS);
	return ((long long)takes > irqs ? (double)takes - (double)irqs : 0) /
	       ROUNDS;
}

static void
sleeps(void)
{
	pin((int)sysconf(_SC_NPROCESSORS_ONLN) - 1);
	for (int kind = 0; kind < 4; kind++) {
		double least = 1e9;
		for (int i = 0; i < 3; i++) {
			double d = sleeps_of(kind);
			least = d < least ? d : least;
		}
		printf("timenolock: sleep kind %d: %.2f takes a sleep besides "
		       "the timer interrupts'\n", kind, least);
		if (least >= 0.5)
			fail("a sleep took the big lock, kind", kind);
	}
	unpin();
	printf("timenolock: ok sleeps\n");
}

/* ---- signals ---- */

static volatile sig_atomic_t handled;

static void
on_usr1(int sig)
{
	(void)sig;
	handled++;
}

/* A child that sends its parent SIGUSR1 after 100 ms. */
static pid_t
signal_soon(void)
{
	pid_t parent = getpid(), kid = fork();
	if (kid == 0) {
		usleep(100000);
		kill(parent, SIGUSR1);
		_exit(0);
	}
	return kid;
}

static void
signals(void)
{
	static int word;
	struct sigaction sa = { .sa_handler = on_usr1 };
	struct timespec two = { 2, 0 }, left = { 0, 0 };

	sigaction(SIGUSR1, &sa, NULL);
	pid_t kid = signal_soon();
	uint64_t t0 = mono_ns();
	long r = syscall(SYS_nanosleep, &two, &left);
	uint64_t slept = mono_ns() - t0;
	waitpid(kid, NULL, 0);
	if (r != -1 || errno != EINTR || handled != 1)
		fail("nanosleep was not ended by the signal", r);
	uint64_t rem = (uint64_t)left.tv_sec * 1000000000ull +
		       (uint64_t)left.tv_nsec;
	if (rem == 0 || rem >= 2000000000ull ||
	    rem + slept < 2000000000ull - 50000000ull)
		fail("nanosleep's remainder (ms)", (long)(rem / 1000000));

	kid = signal_soon();
	r = syscall(SYS_futex, &word, FUTEX_WAIT_PRIVATE, 0, &two, NULL, 0);
	waitpid(kid, NULL, 0);
	if (r != -1 || errno != EINTR || handled != 2)
		fail("the futex wait was not ended by the signal", r);
	printf("timenolock: ok signals\n");
}

/* ---- yield ---- */

static void
yield(void)
{
	volatile int *turn = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
				  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (turn == MAP_FAILED)
		fail("mmap", errno);
	pin(1);
	pid_t kid = fork();
	int me = kid == 0;
	alarm(60);
	for (int i = 0; i < 2000; i++) {
		while (*turn % 2 != me)
			syscall(SYS_sched_yield);
		++*turn;
	}
	if (kid == 0)
		_exit(0);
	int status;
	if (waitpid(kid, &status, 0) != kid || status != 0 || *turn != 4000)
		fail("the turns", *turn);
	alarm(0);
	unpin();
	printf("timenolock: ok yield\n");
}

int
main(void)
{
	calls();
	answers();
	sleeps();
	signals();
	yield();
	printf("timenolock: ok\n");
	return 0;
}
