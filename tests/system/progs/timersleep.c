/*
 * Sleeps with timeouts on two CPUs, for tests/system/timer-nolock.py
 * (docs/kernel.md, "Timers"):
 *   timersleep count  two one-thread processes, one pinned to each CPU,
 *                     each runs ROUNDS epoll_waits on an empty instance
 *                     that end at their 1 ms deadline (without the big
 *                     lock: the instance's timer), and a parent reads
 *                     /proc/petrel/bkl and /proc/interrupts around them.
 *                     Three times; prints the least big-lock takes a
 *                     wait, all in ("timersleep: takes N.NN a wait"),
 *                     the timer interrupts' included: they take none.
 *   timersleep spin   a child pinned to CPU 1 runs 400 ms of user code
 *                     (no system call: the vDSO's clock), the timer
 *                     interrupting it for each sample of its time;
 *                     prints the big-lock takes a timer interrupt
 *                     ("timersleep: takes N.NN an interrupt").
 *   timersleep beside  a child pinned to CPU 0 holds the big lock in a
 *                     long call (mlockall of a 1 TiB shared mapping of a
 *                     1-byte file: a populate with preemption points),
 *                     while the parent, pinned to CPU 1, sleeps 10 times
 *                     20 ms (nanosleep, a locked call); prints the time
 *                     ("timersleep: beside ... took N ms"), and fails
 *                     past 5 s (0.3-1.6 s under load; until the call's
 *                     end, 20-30 s, when only its own CPU got the lock).
 *   timersleep races  timeouts racing what else ends a sleep, on every
 *                     CPU: futex waits whose 0-200 us deadline races a
 *                     wake, nanosleeps a signal ends, epoll_waits whose
 *                     deadline races a pipe write, threads that exit
 *                     right after such a wait, and timerfds and alarms
 *                     set and cancelled under way. Every result must be
 *                     one the call may give, and no timed-out wait may
 *                     end before its deadline.
 * Prints "timersleep: ok NAME" for each part passed; exit 0, or 1 with
 * what failed.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "bkl.h"
#include "smp.h"

#define FUTEX_WAIT_PRIVATE 128	/* FUTEX_WAIT | FUTEX_PRIVATE_FLAG */
#define FUTEX_WAKE_PRIVATE 129
#define ROUNDS 200
#define RACE_ROUNDS 300
#define THREADS 4

static void
fail(const char *part, int round, const char *what, long got)
{
	printf("timersleep: FAIL %s round %d: %s (%ld)\n", part, round, what,
	       got);
	exit(1);
}

static uint64_t
now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* One child on CPU cpu: ROUNDS empty epoll_waits of 1 ms each. One
 * clock read a wait (a locked call on aarch64, which has no vDSO): the
 * time since the last read is the wait's and the loop's. */
static void
count_child(int cpu)
{
	struct epoll_event ev;
	int ep = epoll_create1(0);

	pin(cpu);
	if (ep < 0)
		fail("count", 0, "epoll_create1", -errno);
	uint64_t t0 = now_ns();
	for (int i = 0; i < ROUNDS; i++) {
		int n = epoll_wait(ep, &ev, 1, 1);
		if (n != 0)
			fail("count", i, "epoll_wait", n < 0 ? -errno : n);
		uint64_t t1 = now_ns();
		if (t1 - t0 < 1000000)
			fail("count", i, "woke early, ns", (long)(t1 - t0));
		t0 = t1;
	}
	_exit(0);
}

/* One measure: two children's waits between two reads; the takes a
 * wait, all in. */
static double
count_once(void)
{
	pid_t kids[2];
	int status;

	unsigned long long irqs = timer_interrupts();
	unsigned long long before = bkl_acquired_or_exit("timersleep");
	for (int cpu = 0; cpu < 2; cpu++)
		if ((kids[cpu] = fork()) == 0)
			count_child(cpu);
	for (int cpu = 0; cpu < 2; cpu++)
		if (waitpid(kids[cpu], &status, 0) < 0 || status != 0)
			fail("count", cpu, "child status", status);
	unsigned long long after = bkl_acquired_or_exit("timersleep");
	unsigned long long takes = after - before;
	irqs = timer_interrupts() - irqs;
	printf("timersleep: takes %llu, timer interrupts %llu, for %d waits\n",
	       takes, irqs, 2 * ROUNDS);
	return takes / (2.0 * ROUNDS);
}

/* The least of three measures: a busy host now and then stretches one
 * (on the kernels before and after alike). */
static void
count(void)
{
	double least = count_once();
	for (int i = 1; i < 3; i++) {
		double d = count_once();
		least = d < least ? d : least;
	}
	printf("timersleep: takes %.2f a wait\n", least);
	printf("timersleep: ok count\n");
}

/* The child of spin: 400 ms of user code on CPU 1, the clock read only
 * now and then (a system call on aarch64, which has no vDSO). */
static void
spin_child(void)
{
	pin(1);
	uint64_t end = now_ns() + 400000000ull;
	while (now_ns() < end)
		for (volatile int i = 0; i < 1 << 22; i++)
			;
	_exit(0);
}

/* Big-lock takes a timer interrupt while a CPU runs user code: each of
 * its samples (SAMPLE_NS) comes by one. Least of three, as count. */
static void
spin(void)
{
	double least = 1e9;
	for (int i = 0; i < 3; i++) {
		int status;
		unsigned long long irqs = timer_interrupts();
		unsigned long long before = bkl_acquired_or_exit("timersleep");
		pid_t kid = fork();
		if (kid == 0)
			spin_child();
		if (waitpid(kid, &status, 0) < 0 || status != 0)
			fail("spin", i, "child status", status);
		unsigned long long takes =
			bkl_acquired_or_exit("timersleep") - before;
		irqs = timer_interrupts() - irqs;
		printf("timersleep: takes %llu, timer interrupts %llu\n",
		       takes, irqs);
		double d = irqs ? (double)takes / (double)irqs : 1e9;
		least = d < least ? d : least;
	}
	printf("timersleep: takes %.2f an interrupt\n", least);
	printf("timersleep: ok spin\n");
}

/* The child of beside: on CPU 0, the long locked call. */
static void
beside_child(int ready)
{
	pin(0);
	int fd = open("/tmp/timersleep-mlock", O_RDWR | O_CREAT, 0600);
	if (fd < 0 || write(fd, "x", 1) != 1)
		_exit(2);
	void *p = mmap(NULL, 1ul << 40, PROT_READ, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		_exit(3);
	if (write(ready, "r", 1) != 1)
		_exit(4);
	mlockall(MCL_CURRENT);	/* ended by SIGKILL or the memory's end */
	_exit(0);
}

/*
 * Sleeps on CPU 1 beside a long locked call on CPU 0: each sleep's entry
 * and wake-up need the big lock, which the call's preemption points let
 * go only to a waiter on another CPU (bkl_pass); before, they kept it
 * for this CPU's queue alone, and the sleeps waited for the call's end.
 */
static void
beside(void)
{
	int ready[2];
	char c;
	pin(1);
	if (pipe(ready) < 0)
		fail("beside", 0, "pipe", -errno);
	pid_t kid = fork();
	if (kid == 0)
		beside_child(ready[1]);
	if (read(ready[0], &c, 1) != 1)
		fail("beside", 0, "child not ready", 0);
	uint64_t t0 = now_ns();
	struct timespec ts = { 0, 20 * 1000 * 1000 };
	for (int i = 0; i < 10; i++)
		nanosleep(&ts, NULL);
	long ms = (long)((now_ns() - t0) / 1000000);
	kill(kid, SIGKILL);
	waitpid(kid, NULL, 0);
	unlink("/tmp/timersleep-mlock");
	printf("timersleep: beside a long locked call on CPU 0, 10 sleeps of "
	       "20 ms took %ld ms\n", ms);
	if (ms >= 5000)
		fail("beside", 0, "10 sleeps of 20 ms took (ms)", ms);
	printf("timersleep: ok beside\n");
}

/* ---- races ---- */

static int futex_word;
static volatile int stop;

static long
futex(int *uaddr, int op, int val, const struct timespec *ts)
{
	return syscall(SYS_futex, uaddr, op, val, ts, NULL, 0);
}

/* Futex waits with deadlines of 0-200 us, which wakers race. */
static void *
futex_sleeper(void *arg)
{
	int id = (int)(long)arg;
	pin(id % 2);
	for (int i = 0; i < RACE_ROUNDS; i++) {
		struct timespec ts = { 0, (i * 37 % 200) * 1000 };
		uint64_t t0 = now_ns();
		long r = futex(&futex_word, FUTEX_WAIT_PRIVATE, 0, &ts);
		uint64_t slept = now_ns() - t0;
		if (r < 0 && errno == ETIMEDOUT &&
		    slept < (uint64_t)ts.tv_nsec)
			fail("futex", i, "timed out early, ns", (long)slept);
		if (r < 0 && errno != ETIMEDOUT && errno != EAGAIN &&
		    errno != EINTR)
			fail("futex", i, "futex wait", -errno);
	}
	return NULL;
}

static void *
futex_waker(void *arg)
{
	(void)arg;
	pin(1);
	while (!stop) {
		futex(&futex_word, FUTEX_WAKE_PRIVATE, 1, NULL);
		for (volatile int spin = 0; spin < 2000; spin++)
			;
	}
	return NULL;
}

/* A thread that waits 50 us and exits: its timeout may still be
 * running on another CPU as it goes. */
static void *
short_lived(void *arg)
{
	struct timespec ts = { 0, 50000 };
	(void)arg;
	futex(&futex_word, FUTEX_WAIT_PRIVATE, 0, &ts);
	return NULL;
}

static void
futex_races(void)
{
	pthread_t s[THREADS], w;

	pthread_create(&w, NULL, futex_waker, NULL);
	for (long i = 0; i < THREADS; i++)
		pthread_create(&s[i], NULL, futex_sleeper, (void *)i);
	for (int i = 0; i < RACE_ROUNDS; i++) {
		pthread_t t;
		if (pthread_create(&t, NULL, short_lived, NULL) != 0)
			fail("exit", i, "pthread_create", 0);
		pthread_join(t, NULL);
	}
	for (int i = 0; i < THREADS; i++)
		pthread_join(s[i], NULL);
	stop = 1;
	pthread_join(w, NULL);
	printf("timersleep: ok futex\n");
}

static volatile sig_atomic_t signals;

static void
on_usr1(int sig)
{
	(void)sig;
	signals++;
}

/* nanosleeps of 0-300 us that a parent's SIGUSR1s interrupt. */
static void
signal_races(void)
{
	struct sigaction sa = { .sa_handler = on_usr1 };
	sigaction(SIGUSR1, &sa, NULL);
	pid_t kid = fork();
	if (kid == 0) {
		pin(1);
		for (int i = 0; i < RACE_ROUNDS; i++) {
			struct timespec ts = { 0, (i * 53 % 300) * 1000 }, rem;
			uint64_t t0 = now_ns();
			int r = nanosleep(&ts, &rem);
			if (r < 0 && errno != EINTR)
				fail("signal", i, "nanosleep", -errno);
			if (r == 0 && now_ns() - t0 < (uint64_t)ts.tv_nsec)
				fail("signal", i, "slept short, ns",
				     (long)(now_ns() - t0));
		}
		_exit(0);
	}
	pin(0);
	int status;
	while (waitpid(kid, &status, WNOHANG) == 0) {
		kill(kid, SIGUSR1);
		struct timespec ts = { 0, 100000 };
		nanosleep(&ts, NULL);
	}
	if (status != 0)
		fail("signal", 0, "child status", status);
	unpin();
	printf("timersleep: ok signal\n");
}

/* epoll_waits of 1 ms whose deadline races a parent's pipe writes. */
static void
epoll_races(void)
{
	int fds[2];
	if (pipe(fds) < 0)
		fail("epoll", 0, "pipe", -errno);
	pid_t kid = fork();
	if (kid == 0) {
		struct epoll_event ev = { .events = EPOLLIN };
		int ep = epoll_create1(0);
		char c;
		pin(1);
		close(fds[1]);
		epoll_ctl(ep, EPOLL_CTL_ADD, fds[0], &ev);
		for (int i = 0; i < RACE_ROUNDS; i++) {
			uint64_t t0 = now_ns();
			int n = epoll_wait(ep, &ev, 1, 1);
			if (n < 0)
				fail("epoll", i, "epoll_wait", -errno);
			if (n == 0 && now_ns() - t0 < 1000000)
				fail("epoll", i, "timed out early, ns",
				     (long)(now_ns() - t0));
			if (n == 1 && read(fds[0], &c, 1) != 1)
				fail("epoll", i, "read", -errno);
		}
		_exit(0);
	}
	pin(0);
	close(fds[0]);
	int status;
	for (int i = 0; waitpid(kid, &status, WNOHANG) == 0; i++) {
		if (write(fds[1], "x", 1) != 1)
			fail("epoll", i, "write", -errno);
		struct timespec ts = { 0, (i * 71 % 1500) * 1000 };
		nanosleep(&ts, NULL);
	}
	if (status != 0)
		fail("epoll", 0, "child status", status);
	close(fds[1]);
	unpin();
	printf("timersleep: ok epoll\n");
}

/* timerfds armed for 0-100 us and disarmed at once, and alarms set and
 * cancelled, on both CPUs at once: the callbacks that stay locked. */
static void *
cancel_races(void *arg)
{
	int id = (int)(long)arg;
	int fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK);
	pin(id % 2);
	for (int i = 0; i < RACE_ROUNDS; i++) {
		struct itimerspec on = { .it_value = { 0, i % 100 * 1000 + 1 } };
		struct itimerspec off = { 0 };
		uint64_t n;
		timerfd_settime(fd, 0, &on, NULL);
		if (i % 3 == 0)
			usleep(50);
		timerfd_settime(fd, 0, &off, NULL);
		if (read(fd, &n, sizeof(n)) > 0 && n != 1)
			fail("cancel", i, "timerfd count", (long)n);
	}
	close(fd);
	return NULL;
}

static void
timer_races(void)
{
	pthread_t t[THREADS];
	signal(SIGALRM, SIG_IGN);
	for (long i = 0; i < THREADS; i++)
		pthread_create(&t[i], NULL, cancel_races, (void *)i);
	for (int i = 0; i < RACE_ROUNDS; i++) {
		alarm(1);
		alarm(0);
	}
	for (int i = 0; i < THREADS; i++)
		pthread_join(t[i], NULL);
	printf("timersleep: ok cancel\n");
}

int
main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	if (argc == 2 && strcmp(argv[1], "count") == 0) {
		count();
		return 0;
	}
	if (argc == 2 && strcmp(argv[1], "spin") == 0) {
		spin();
		return 0;
	}
	if (argc == 2 && strcmp(argv[1], "beside") == 0) {
		beside();
		return 0;
	}
	if (argc == 2 && strcmp(argv[1], "races") == 0) {
		futex_races();
		signal_races();
		epoll_races();
		timer_races();
		return 0;
	}
	fprintf(stderr, "usage: timersleep count|spin|beside|races\n");
	return 2;
}
