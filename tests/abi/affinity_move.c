/*
 * sched_setaffinity of a thread that runs in user mode on another CPU
 * moves it at once, as on Linux (its CPU is interrupted and switches it
 * out), not at its next switch, which for a lone thread looping in user
 * mode on a tickless CPU need never come. Threads pinned to CPU 1 spin
 * without entering the kernel; this thread, on CPU 0, sets their
 * affinity to CPU 0 alone, sleeps 100 ms, and then asks each which CPU it
 * is on: it must say 0. One thread alone on CPU 1 (the one running
 * there), then two (one running, one queued behind it).
 */
/* abi: smp 2 */
#include "abi.h"

#include <pthread.h>
#include <sys/syscall.h>

struct spinner {
	pthread_t thread;
	volatile pid_t tid;
	volatile int ask;	/* set: answer with sched_getcpu() */
	volatile int cpu;	/* the answer, -1 until given */
};

static void *
spin(void *arg)
{
	struct spinner *s = arg;

	abi_pin(1);
	s->tid = (pid_t)syscall(SYS_gettid);
	while (!s->ask)
		;	/* user mode only: no call, no fault */
	s->cpu = sched_getcpu();
	return NULL;
}

static void
start(struct spinner *s)
{
	s->tid = 0;
	s->ask = 0;
	s->cpu = -1;
	pthread_create(&s->thread, NULL, spin, s);
	while (!s->tid)
		abi_sleep_ms(1);
}

/* The CPU s says it is on, or -1 if it does not answer within 2 s. */
static int
answer(struct spinner *s)
{
	long long end = abi_now_ms() + 2000;

	s->ask = 1;
	while (s->cpu < 0 && abi_now_ms() < end)
		abi_sleep_ms(1);
	if (s->cpu < 0)
		return -1;	/* left spinning: the process ends with it */
	pthread_join(s->thread, NULL);
	return s->cpu;
}

static int
move_to_cpu0(struct spinner *s)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(0, &set);
	return sched_setaffinity(s->tid, sizeof(set), &set);
}

int
main(void)
{
	struct spinner one, two[2];

	abi_init();
	abi_pin(0);

	start(&one);
	abi_sleep_ms(50);	/* spinning on CPU 1 by now */
	CHECK_OK("sched_setaffinity of the spinner to CPU 0",
	    move_to_cpu0(&one));
	abi_sleep_ms(100);
	CHECK_EQ("the spinner runs on CPU 0 100 ms later", answer(&one), 0);

	start(&two[0]);
	start(&two[1]);
	abi_sleep_ms(50);
	CHECK_OK("sched_setaffinity of the first of two to CPU 0",
	    move_to_cpu0(&two[0]));
	CHECK_OK("sched_setaffinity of the second of two to CPU 0",
	    move_to_cpu0(&two[1]));
	abi_sleep_ms(100);
	CHECK_EQ("the first runs on CPU 0 100 ms later", answer(&two[0]), 0);
	CHECK_EQ("the second runs on CPU 0 100 ms later", answer(&two[1]), 0);
	return abi_done("affinity_move");
}
