/*
 * Raw futex(2): FUTEX_WAIT/FUTEX_WAKE with FUTEX_PRIVATE_FLAG, EAGAIN on
 * value mismatch, relative timeouts (ETIMEDOUT), FUTEX_WAIT_BITSET with
 * absolute CLOCK_MONOTONIC and CLOCK_REALTIME deadlines, wake counts with
 * one and several waiters, bitset masks, FUTEX_CMP_REQUEUE's check, a
 * shared futex between two processes, CMP_REQUEUE of a shared futex's
 * waiter (and its negative counts), EINTR, and argument errors.
 */
#include "abi.h"

#include <limits.h>
#include <pthread.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/time.h>

/* From <linux/futex.h>, which musl's toolchain does not ship. */
#define FUTEX_WAIT 0
#define FUTEX_WAKE 1
#define FUTEX_CMP_REQUEUE 4
#define FUTEX_WAIT_BITSET 9
#define FUTEX_WAKE_BITSET 10
#define FUTEX_PRIVATE_FLAG 128
#define FUTEX_CLOCK_REALTIME 256
#define FUTEX_BITSET_MATCH_ANY ((int)0xffffffff)

#define PRIV(op) ((op) | FUTEX_PRIVATE_FLAG)

static long
futex(int *uaddr, int op, int val, const struct timespec *timeout,
    int *uaddr2, int val3)
{
	return syscall(SYS_futex, uaddr, op, val, timeout, uaddr2, val3);
}

static void
test_wait_errors(void)
{
	static int word = 5;
	struct timespec ts = { 0, 20000000 };

	CHECK_ERR("WAIT value mismatch", futex(&word, PRIV(FUTEX_WAIT), 4,
	    NULL, NULL, 0), EAGAIN);
	CHECK_ERR("shared WAIT value mismatch", futex(&word, FUTEX_WAIT, 4,
	    NULL, NULL, 0), EAGAIN);

	long long start = abi_now_ms();
	CHECK_ERR("WAIT 20ms timeout", futex(&word, PRIV(FUTEX_WAIT), 5, &ts,
	    NULL, 0), ETIMEDOUT);
	long long took = abi_now_ms() - start;
	CHECK("timeout waited about 20ms", took >= 15 && took < 5000);

	CHECK_EQ("WAKE with no waiters", futex(&word, PRIV(FUTEX_WAKE), 1,
	    NULL, NULL, 0), 0);

	struct timespec bad = { 0, 1000000000 };
	CHECK_ERR("WAIT bad timeout", futex(&word, PRIV(FUTEX_WAIT), 5, &bad,
	    NULL, 0), EINVAL);
	CHECK_ERR("WAIT unaligned address", futex((int *)((char *)&word + 1),
	    PRIV(FUTEX_WAIT), 5, &ts, NULL, 0), EINVAL);
	CHECK_ERR("WAIT unmapped address", futex((int *)16, PRIV(FUTEX_WAIT),
	    5, &ts, NULL, 0), EFAULT);
	CHECK_ERR("unknown op", futex(&word, PRIV(99), 0, NULL, NULL, 0),
	    ENOSYS);
}

static struct timespec
deadline_ms(clockid_t clock, long ms)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	long long ns = ts.tv_sec * 1000000000LL + ts.tv_nsec + ms * 1000000LL;
	if (ns < 0)
		ns = 0;
	ts.tv_sec = ns / 1000000000;
	ts.tv_nsec = ns % 1000000000;
	return ts;
}

static void
test_bitset(void)
{
	static int word;
	struct timespec ts = deadline_ms(CLOCK_MONOTONIC, 20);

	CHECK_ERR("WAIT_BITSET monotonic deadline", futex(&word,
	    PRIV(FUTEX_WAIT_BITSET), 0, &ts, NULL, FUTEX_BITSET_MATCH_ANY),
	    ETIMEDOUT);
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	CHECK("returned after the deadline", now.tv_sec > ts.tv_sec ||
	    (now.tv_sec == ts.tv_sec && now.tv_nsec >= ts.tv_nsec));

	ts = deadline_ms(CLOCK_REALTIME, 20);
	CHECK_ERR("WAIT_BITSET realtime deadline", futex(&word,
	    PRIV(FUTEX_WAIT_BITSET | FUTEX_CLOCK_REALTIME), 0, &ts, NULL,
	    FUTEX_BITSET_MATCH_ANY), ETIMEDOUT);
	ts = deadline_ms(CLOCK_MONOTONIC, -2000);
	CHECK_ERR("WAIT_BITSET past deadline", futex(&word,
	    PRIV(FUTEX_WAIT_BITSET), 0, &ts, NULL, FUTEX_BITSET_MATCH_ANY),
	    ETIMEDOUT);
	CHECK_ERR("WAIT_BITSET zero bitset", futex(&word,
	    PRIV(FUTEX_WAIT_BITSET), 0, &ts, NULL, 0), EINVAL);
	CHECK_EQ("WAKE_BITSET nobody", futex(&word, PRIV(FUTEX_WAKE_BITSET),
	    1, NULL, NULL, 1), 0);

	static int other;
	CHECK_ERR("CMP_REQUEUE value mismatch", futex(&word,
	    PRIV(FUTEX_CMP_REQUEUE), 1, (struct timespec *)1L, &other, 7),
	    EAGAIN);
	CHECK_EQ("CMP_REQUEUE nobody", futex(&word, PRIV(FUTEX_CMP_REQUEUE),
	    1, (struct timespec *)1L, &other, 0), 0);
}

/* Waiters block on a word until `go' is set; they count their returns. */
static int gate;
static int go;
static int woken_ok;

static void *
waiter(void *arg)
{
	long bits = (long)arg;

	while (!__atomic_load_n(&go, __ATOMIC_SEQ_CST)) {
		long r;
		if (bits)
			r = futex(&gate, PRIV(FUTEX_WAIT_BITSET), 0, NULL,
			    NULL, (int)bits);
		else
			r = futex(&gate, PRIV(FUTEX_WAIT), 0, NULL, NULL, 0);
		if (r == 0)
			__atomic_fetch_add(&woken_ok, 1, __ATOMIC_SEQ_CST);
	}
	return NULL;
}

/*
 * Wake until `want' waiters have been woken (waiters that wait again may
 * make it more); returns -1 if one call woke more than `n'.
 */
static int
wake_until(int op, int n, int want, int bitset)
{
	int total = 0, over = 0;

	for (int tries = 0; total < want && tries < 20000; tries++) {
		long r = futex(&gate, op, n, NULL, NULL, bitset);
		if (r > n)
			over = 1;
		if (r > 0)
			total += r;
		else
			abi_sleep_ms(1);
	}
	if (over)
		return -1;
	return total > want ? want : total;
}

static void
test_wake(void)
{
	pthread_t t[3];

	go = 0;
	woken_ok = 0;
	pthread_create(&t[0], NULL, waiter, NULL);
	CHECK_EQ("WAKE woke the waiter", wake_until(PRIV(FUTEX_WAKE), 1, 1, 0),
	    1);
	__atomic_store_n(&go, 1, __ATOMIC_SEQ_CST);
	futex(&gate, PRIV(FUTEX_WAKE), INT_MAX, NULL, NULL, 0);
	pthread_join(t[0], NULL);
	CHECK("waiter's WAIT returned 0", woken_ok >= 1);

	go = 0;
	woken_ok = 0;
	for (int i = 0; i < 3; i++)
		pthread_create(&t[i], NULL, waiter, NULL);
	CHECK_EQ("three single WAKEs", wake_until(PRIV(FUTEX_WAKE), 1, 3, 0),
	    3);
	CHECK_EQ("WAKE all", wake_until(PRIV(FUTEX_WAKE), INT_MAX, 3, 0), 3);
	__atomic_store_n(&go, 1, __ATOMIC_SEQ_CST);
	futex(&gate, PRIV(FUTEX_WAKE), INT_MAX, NULL, NULL, 0);
	for (int i = 0; i < 3; i++)
		pthread_join(t[i], NULL);
	CHECK("waiters' WAITs returned 0", woken_ok >= 6);

	/* A waiter on bit 2 ignores wakes for bit 1. */
	go = 0;
	pthread_create(&t[0], NULL, waiter, (void *)2L);
	abi_sleep_ms(20);
	CHECK_EQ("WAKE_BITSET other bits", futex(&gate,
	    PRIV(FUTEX_WAKE_BITSET), 1, NULL, NULL, 1), 0);
	CHECK_EQ("WAKE_BITSET matching bit", wake_until(
	    PRIV(FUTEX_WAKE_BITSET), 1, 1, 6), 1);
	__atomic_store_n(&go, 1, __ATOMIC_SEQ_CST);
	futex(&gate, PRIV(FUTEX_WAKE), INT_MAX, NULL, NULL, 0);
	pthread_join(t[0], NULL);
}

static void
test_shared(void)
{
	int *word = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	if (word == MAP_FAILED) {
		CHECK("mmap shared", 0);
		return;
	}
	word[0] = 0;
	pid_t pid = abi_fork();
	if (pid == 0) {
		alarm(ABI_WATCHDOG);
		int wakes = 0;
		while (__atomic_load_n(&word[0], __ATOMIC_SEQ_CST) == 0)
			if (futex(&word[0], FUTEX_WAIT, 0, NULL, NULL, 0) == 0)
				wakes++;
		_exit(wakes >= 1 ? 0 : 1);
	}
	int total = 0;
	for (int tries = 0; total == 0 && tries < 20000; tries++) {
		total = futex(&word[0], FUTEX_WAKE, 1, NULL, NULL, 0);
		if (total == 0)
			abi_sleep_ms(1);
	}
	CHECK_EQ("cross-process WAKE woke 1", total, 1);
	__atomic_store_n(&word[0], 1, __ATOMIC_SEQ_CST);
	futex(&word[0], FUTEX_WAKE, 1, NULL, NULL, 0);
	CHECK_STR("cross-process waiter", status_str(abi_wait(pid)),
	    "exited 0");
	munmap(word, 4096);
}

/* A waiter on a shared word, moved to another word and woken there. */
static void
test_shared_requeue(void)
{
	int *w = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	w[0] = 0;
	w[1] = 0;
	CHECK_ERR("CMP_REQUEUE nr_wake -1", futex(&w[0], FUTEX_CMP_REQUEUE, -1,
	    (struct timespec *)1L, &w[1], 0), EINVAL);
	CHECK_ERR("CMP_REQUEUE nr_requeue -1", futex(&w[0], FUTEX_CMP_REQUEUE, 1,
	    (struct timespec *)-1L, &w[1], 0), EINVAL);
	pid_t pid = abi_fork();
	if (pid == 0) {
		alarm(ABI_WATCHDOG);
		while (__atomic_load_n(&w[1], __ATOMIC_SEQ_CST) == 0)
			futex(&w[0], FUTEX_WAIT, 0, NULL, NULL, 0);
		_exit(0);
	}
	long moved = 0;
	for (int tries = 0; moved == 0 && tries < 20000; tries++) {
		moved = futex(&w[0], FUTEX_CMP_REQUEUE, 0, (struct timespec *)1L,
		    &w[1], 0);
		if (moved == 0)
			abi_sleep_ms(1);
	}
	CHECK_EQ("CMP_REQUEUE moved the waiter", moved, 1);
	__atomic_store_n(&w[1], 1, __ATOMIC_SEQ_CST);
	CHECK_EQ("woken on the second word",
	    futex(&w[1], FUTEX_WAKE, 1, NULL, NULL, 0), 1);
	CHECK_STR("the waiter", status_str(abi_wait(pid)), "exited 0");
	munmap(w, 4096);
}

static void
on_alarm(int sig)
{
	(void)sig;
}

static void
test_eintr(void)
{
	static int word;
	struct sigaction sa;
	struct itimerval it = { { 0, 10000 }, { 0, 10000 } };
	struct itimerval off = { { 0, 0 }, { 0, 0 } };

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm;
	sigaction(SIGALRM, &sa, NULL);
	setitimer(ITIMER_REAL, &it, NULL);
	struct timespec ts = { 5, 0 };
	long r = futex(&word, PRIV(FUTEX_WAIT), 0, &ts, NULL, 0);
	int e = errno;
	/* Print only with the timer off: a tick could cut the write. */
	setitimer(ITIMER_REAL, &off, NULL);
	CHECK_SAVED_ERR("WAIT interrupted by a handler", r, e, EINTR);
	signal(SIGALRM, SIG_DFL);
	alarm(ABI_WATCHDOG);
}

/* FUTEX_CMP_REQUEUE on a shared mapping: the value compared is the word
   at the caller's address; negative counts are EINVAL. */
static void
test_cmp_requeue_shared(void)
{
	int *f = mmap(NULL, 8, PROT_READ | PROT_WRITE,
	    MAP_ANONYMOUS | MAP_SHARED, -1, 0);
	f[0] = 7;
	f[1] = 8;
	CHECK_EQ("shared cmp_requeue, value matches", syscall(SYS_futex, &f[0],
	    4, 1, (void *)1l, &f[1], 7), 0);
	CHECK_ERR("shared cmp_requeue, value differs", syscall(SYS_futex, &f[0],
	    4, 1, (void *)1l, &f[1], 8), EAGAIN);
	CHECK_ERR("negative requeue count", syscall(SYS_futex, &f[0],
	    4, 1, (void *)-1l, &f[1], 7), EINVAL);
	CHECK_ERR("negative wake count", syscall(SYS_futex, &f[0],
	    4, -1, (void *)1l, &f[1], 7), EINVAL);
	munmap(f, 8);
}

int
main(void)
{
	abi_init();
	test_cmp_requeue_shared();
	test_wait_errors();
	test_bitset();
	test_wake();
	test_shared();
	test_shared_requeue();
	test_eintr();
	return abi_done("futex");
}
