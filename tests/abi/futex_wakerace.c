/*
 * Wakes racing timeouts and signals, on 4 vCPUs (the line below): four
 * waiter threads each make WAITS private futex waits, one in two with a
 * 1 us timeout (ETIMEDOUT races a wake) and the others with none (a
 * wake or a signal ends them), while two waker threads wake them without
 * pause and a fifth thread sends them SIGUSR1 (a handler, no SA_RESTART:
 * EINTR races a wake). In Petrel a timed wait takes the big lock and an
 * untimed one does not, so both kinds of sleep meet each kind of waker.
 * Every wait must return (a wake lost, or a thread lost between a wait
 * queue and a run queue, hangs it and the watchdog fails it), with 0,
 * ETIMEDOUT, EAGAIN or EINTR only, and the wakers' counts must add up:
 * the waiters FUTEX_WAKE says it woke are the waits that returned 0.
 */
/* abi: smp 4 */
#include "abi.h"

#include <pthread.h>
#include <stdbool.h>
#include <sys/syscall.h>

#define FUTEX_WAIT_PRIVATE 128
#define FUTEX_WAKE_PRIVATE 129

#define WAITERS 4
#define WAKERS 2
#define WAITS 1500

static int words[WAITERS];	/* always 0: only wakes end a wait */
static pthread_t waiters[WAITERS];
static long woken_by_wakers[WAKERS];	/* FUTEX_WAKE's counts */
static long returned[WAITERS][4];	/* 0, ETIMEDOUT, EAGAIN, EINTR */
static long other_results;
static int waiters_done;
static volatile sig_atomic_t handled;

static long
futex(int *uaddr, int op, int val, const struct timespec *timeout)
{
	return syscall(SYS_futex, uaddr, op, val, timeout, NULL, 0);
}

static void
on_usr1(int sig)
{
	(void)sig;
	handled = handled + 1;
}

static void *
waiter(void *arg)
{
	int i = (int)(long)arg;
	struct timespec us = { 0, 1000 };

	for (int n = 0; n < WAITS; n++) {
		long r = futex(&words[i], FUTEX_WAIT_PRIVATE, 0,
			       n % 2 ? &us : NULL);
		int e = r == 0 ? 0 : errno;
		if (e == 0)
			returned[i][0]++;
		else if (e == ETIMEDOUT)
			returned[i][1]++;
		else if (e == EAGAIN)
			returned[i][2]++;
		else if (e == EINTR)
			returned[i][3]++;
		else
			__atomic_add_fetch(&other_results, 1, __ATOMIC_RELAXED);
	}
	__atomic_add_fetch(&waiters_done, 1, __ATOMIC_SEQ_CST);
	return NULL;
}

/* Wakes the waiters, one word after another, until all are done. */
static void *
waker(void *arg)
{
	int k = (int)(long)arg;

	for (int n = k; __atomic_load_n(&waiters_done, __ATOMIC_SEQ_CST) <
			WAITERS; n++) {
		long r = futex(&words[n % WAITERS], FUTEX_WAKE_PRIVATE, 1, NULL);
		if (r > 0)
			woken_by_wakers[k] += r;
	}
	return NULL;
}

/* Sends SIGUSR1 to the waiters in turn until all are done. */
static void *
signaller(void *arg)
{
	(void)arg;
	for (int n = 0; __atomic_load_n(&waiters_done, __ATOMIC_SEQ_CST) <
			WAITERS; n++) {
		pthread_kill(waiters[n % WAITERS], SIGUSR1);
		if (n % 8 == 7)
			sched_yield();
	}
	return NULL;
}

int
main(void)
{
	pthread_t wakers[WAKERS], sig;
	struct sigaction sa;
	long zero = 0, woken = 0, waits = 0;

	abi_init();
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_usr1;	/* no SA_RESTART: EINTR */
	sigaction(SIGUSR1, &sa, NULL);
	for (long i = 0; i < WAITERS; i++)
		pthread_create(&waiters[i], NULL, waiter, (void *)i);
	for (long k = 0; k < WAKERS; k++)
		pthread_create(&wakers[k], NULL, waker, (void *)k);
	pthread_create(&sig, NULL, signaller, NULL);
	/* The signaller first: it names the waiters until all are done. */
	pthread_join(sig, NULL);
	for (int k = 0; k < WAKERS; k++)
		pthread_join(wakers[k], NULL);
	for (int i = 0; i < WAITERS; i++)
		pthread_join(waiters[i], NULL);
	for (int i = 0; i < WAITERS; i++) {
		zero += returned[i][0];
		for (int j = 0; j < 4; j++)
			waits += returned[i][j];
	}
	for (int k = 0; k < WAKERS; k++)
		woken += woken_by_wakers[k];
	CHECK_EQ("every wait returned", waits, (long)WAITERS * WAITS);
	CHECK_EQ("results other than 0, ETIMEDOUT, EAGAIN, EINTR",
		 other_results, 0);
	CHECK_EQ("waiters the wakes counted, less the waits that returned 0",
		 woken - zero, 0);
	return abi_done("futex_wakerace");
}
