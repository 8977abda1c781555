/*
 * Helpers the system-test programs that place threads on CPUs share
 * (tests/system/progs/wakeup.c, affinity.c, clocksteps.c): pinning a
 * thread to a CPU and a thread's CPU time. Include after _GNU_SOURCE.
 */
#ifndef PETREL_PROGS_SMP_H
#define PETREL_PROGS_SMP_H

#include <pthread.h>
#include <sched.h>
#include <time.h>

/* Runs the calling thread on CPU cpu only. */
static inline void
pin(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	sched_setaffinity(0, sizeof(set), &set);
}

/* Lets the calling thread run on CPUs 0 and 1 again. */
static inline void
unpin(void)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(0, &set);
	CPU_SET(1, &set);
	sched_setaffinity(0, sizeof(set), &set);
}

/* Seconds of CPU time thread t has used. */
static inline double
thread_seconds(pthread_t t)
{
	clockid_t clock;
	struct timespec ts;

	pthread_getcpuclockid(t, &clock);
	clock_gettime(clock, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

#endif
