/*
 * CLOCK_MONOTONIC never goes back, on one CPU or across CPUs, while the
 * kernel rebases its clock on the refined TSC rate (arch/x86_64/timer.c):
 * THREADS threads, each pinned to a CPU, read the clock for MS ms, by
 * the vDSO and by the system call in turn, and check each reading
 * against the latest any thread has published before it read. Prints
 * "clocksteps: N threads, R reads, B backward, refined A -> B", the last
 * two saying whether the kernel log had the refined rate's line at the
 * start and at the end.
 *
 *   clocksteps MS [THREADS]
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/klog.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "smp.h"

#define THREADS_MAX 8

static uint64_t latest;		/* the latest reading any thread saw */
static uint64_t run_ns;
static long reads[THREADS_MAX], backward[THREADS_MAX];

static uint64_t
now_ns(int by_syscall)
{
	struct timespec ts;

	if (by_syscall)
		syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &ts);
	else
		clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000 + (uint64_t)ts.tv_nsec;
}

/* Whether the kernel log has the refined rate's line. */
static int
refined(void)
{
	static char log[65536];
	int n = klogctl(3, log, sizeof(log) - 1);	/* SYSLOG_ACTION_READ_ALL */

	if (n < 0)
		return -1;
	log[n] = 0;
	return strstr(log, "refined:") != NULL;
}

static void *
reader(void *arg)
{
	int me = (int)(intptr_t)arg;

	pin(me);
	uint64_t end = now_ns(0) + run_ns;
	for (long i = 0;; i++) {
		uint64_t seen = __atomic_load_n(&latest, __ATOMIC_ACQUIRE);
		uint64_t t = now_ns(i & 1);
		reads[me]++;
		if (t < seen)
			backward[me]++;
		while (seen < t && !__atomic_compare_exchange_n(&latest, &seen,
				t, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
			;
		if (t >= end)
			return NULL;
	}
}

int
main(int argc, char **argv)
{
	pthread_t threads[THREADS_MAX];
	int n = argc > 2 ? atoi(argv[2]) : 1;
	long total = 0, back = 0;

	if (argc < 2 || n < 1 || n > THREADS_MAX) {
		fprintf(stderr, "usage: clocksteps MS [THREADS]\n");
		return 2;
	}
	run_ns = strtoull(argv[1], NULL, 10) * 1000000;
	int refined_before = refined();
	for (int i = 0; i < n; i++)
		pthread_create(&threads[i], NULL, reader, (void *)(intptr_t)i);
	for (int i = 0; i < n; i++) {
		pthread_join(threads[i], NULL);
		total += reads[i];
		back += backward[i];
	}
	printf("clocksteps: %d threads, %ld reads, %ld backward, refined %d "
	       "-> %d\n", n, total, back, refined_before, refined());
	return back != 0;
}
