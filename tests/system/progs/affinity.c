/*
 * sched_setaffinity is honoured and nice values weigh CPU time: a thread
 * pinned to each CPU in turn runs there (getcpu); then two spinning
 * threads pinned to CPU 0, at nice 0 and 5, share it for a second, and
 * the one at 0 gets more time (Linux's weights give it about 3 times as
 * much; it must get at least 1.2 times, as a loaded host delays the
 * timer that ends each slice). Prints "affinity: ok" or why not.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "smp.h"

static volatile int stop;
static pthread_barrier_t ready;

static void *
spin(void *arg)
{
	pin(0);
	setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), (int)(long)arg);
	pthread_barrier_wait(&ready);
	while (!stop)
		;
	return NULL;
}

int
main(void)
{
	int cpus = (int)sysconf(_SC_NPROCESSORS_ONLN);
	for (int round = 0; round < 3; round++)
		for (int cpu = 0; cpu < cpus; cpu++) {
			pin(cpu);
			if (sched_getcpu() != cpu) {
				printf("affinity: pinned to %d, running on %d\n",
				       cpu, sched_getcpu());
				return 1;
			}
		}
	pin(1 % cpus);	/* off the CPU the spinners share */
	pthread_t low, high;
	pthread_barrier_init(&ready, NULL, 3);
	pthread_create(&high, NULL, spin, (void *)5L);
	pthread_create(&low, NULL, spin, (void *)0L);
	pthread_barrier_wait(&ready);
	sleep(1);
	double at_low = thread_seconds(low), at_high = thread_seconds(high);
	stop = 1;
	pthread_join(low, NULL);
	pthread_join(high, NULL);
	if (at_low + at_high > 1.5 || at_low < 1.2 * at_high) {
		printf("affinity: nice 0 ran %.3f s, nice 5 %.3f s\n",
		       at_low, at_high);
		return 1;
	}
	printf("affinity: ok\n");
	return 0;
}
