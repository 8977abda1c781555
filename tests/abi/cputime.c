/*
 * CPU time as times() and getrusage() tell it: a thread that runs without
 * a break counts while it runs, a thread that ended leaves its time to the
 * process, and a reaped child's time (with that of the children it reaped)
 * goes to its parent's children's time. User and system time are summed
 * (cputime_split tells them apart; each is rounded down to a clock tick).
 */
#include "abi.h"

#include <pthread.h>
#include <sys/times.h>

/* 200 ms of CPU time, in 10 ms clock ticks and in microseconds. */
#define SPIN_NS 200000000LL
#define SPIN_TICKS 20
#define SPIN_US 200000LL

static long long
thread_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* Runs on the CPU, no system call but the clock's, for SPIN_NS. */
static void
spin(void)
{
	long long start = thread_ns();
	volatile unsigned long n = 0;
	while (thread_ns() - start < SPIN_NS)
		for (int i = 0; i < 10000; i++)
			n++;
}

static void *
spin_thread(void *arg)
{
	(void)arg;
	spin();
	return NULL;
}

static long long
usage_us(int who)
{
	struct rusage ru;
	getrusage(who, &ru);
	return (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000LL +
	       ru.ru_utime.tv_usec + ru.ru_stime.tv_usec;
}

static long
self_ticks(void)
{
	struct tms t;
	times(&t);
	return (long)(t.tms_utime + t.tms_stime);
}

static long
children_ticks(void)
{
	struct tms t;
	times(&t);
	return (long)(t.tms_cutime + t.tms_cstime);
}

int
main(void)
{
	abi_init();
	long ticks = self_ticks();
	long long us = usage_us(RUSAGE_SELF);
	spin();
	CHECK("times: a running thread's time counts",
	    self_ticks() - ticks >= SPIN_TICKS - 2);
	CHECK("getrusage SELF: a running thread's time counts",
	    usage_us(RUSAGE_SELF) - us >= SPIN_US - 10000);
	CHECK("getrusage THREAD: its own time counts",
	    usage_us(RUSAGE_THREAD) >= SPIN_US - 10000);

	us = usage_us(RUSAGE_SELF);
	long long mine = usage_us(RUSAGE_THREAD);
	pthread_t t;
	pthread_create(&t, NULL, spin_thread, NULL);
	pthread_join(t, NULL);
	CHECK("getrusage SELF: an ended thread's time stays",
	    usage_us(RUSAGE_SELF) - us >= SPIN_US - 10000);
	CHECK("getrusage THREAD: not another thread's",
	    usage_us(RUSAGE_THREAD) - mine < SPIN_US / 2);

	CHECK_EQ("no child reaped yet: no children's time",
	    (long)usage_us(RUSAGE_CHILDREN), 0);
	pid_t pid = abi_fork();
	if (pid == 0) {
		spin();
		_exit(0);
	}
	CHECK_STR("a child spins", status_str(abi_wait(pid)), "exited 0");
	CHECK("times: the reaped child's time",
	    children_ticks() >= SPIN_TICKS - 1);
	CHECK("getrusage CHILDREN: the reaped child's time",
	    usage_us(RUSAGE_CHILDREN) >= SPIN_US - 10000);

	/* A grandchild reaped by the child counts for this process too. */
	us = usage_us(RUSAGE_CHILDREN);
	pid = abi_fork();
	if (pid == 0) {
		pid_t g = fork();
		if (g == 0) {
			spin();
			_exit(0);
		}
		waitpid(g, NULL, 0);
		_exit(0);
	}
	CHECK_STR("a child reaps a spinning grandchild",
	    status_str(abi_wait(pid)), "exited 0");
	CHECK("getrusage CHILDREN: with the grandchild's time",
	    usage_us(RUSAGE_CHILDREN) - us >= SPIN_US - 10000);
	return abi_done("cputime");
}
