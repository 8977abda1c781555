/*
 * futex_waitv(2): a wait on several 32-bit futexes returns the index of
 * the one woken (private and shared); a changed word is EAGAIN, an
 * absolute timeout passed is ETIMEDOUT; flags, sizes, counts, clocks and
 * reserved fields as Linux checks them (EINVAL, EFAULT).
 */
#include "abi.h"

#include <pthread.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/syscall.h>

#ifndef SYS_futex_waitv
#define SYS_futex_waitv 449
#endif
#define FUTEX_WAKE 1
#define FUTEX_WAKE_PRIVATE 129
#define SIZE_U32 0x02
#define PRIVATE 128

struct waitv {
	uint64_t val;
	uint64_t uaddr;
	uint32_t flags;
	uint32_t reserved;
};

static uint32_t *words;

static long
waitv(struct waitv *v, unsigned n, unsigned flags, struct timespec *to, int clock)
{
	return syscall(SYS_futex_waitv, v, n, flags, to, clock);
}

static struct timespec
in_ms(int clock, int ms)
{
	struct timespec t;
	clock_gettime(clock, &t);
	t.tv_nsec += (long)ms * 1000000;
	t.tv_sec += t.tv_nsec / 1000000000;
	t.tv_nsec %= 1000000000;
	return t;
}

static void *
waker(void *arg)
{
	int shared = arg != NULL;
	struct timespec pause = { 0, 50000000 };
	nanosleep(&pause, NULL);
	words[2] = 1;
	syscall(SYS_futex, &words[2], shared ? FUTEX_WAKE : FUTEX_WAKE_PRIVATE,
		1, NULL, NULL, 0);
	return NULL;
}

static void
set(struct waitv *v, unsigned n, unsigned flags)
{
	for (unsigned i = 0; i < n; i++) {
		words[i] = 0;
		v[i] = (struct waitv){ 0, (uintptr_t)&words[i], flags, 0 };
	}
}

static void
woken(const char *what, unsigned flags)
{
	struct waitv v[4];
	pthread_t t;
	set(v, 4, flags);
	pthread_create(&t, NULL, waker, flags & PRIVATE ? NULL : (void *)1);
	struct timespec to = in_ms(CLOCK_MONOTONIC, 5000);
	CHECK_EQ(what, waitv(v, 4, 0, &to, CLOCK_MONOTONIC), 2);
	pthread_join(t, NULL);
}

int
main(void)
{
	abi_init();
	words = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
		     MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	struct waitv v[129];
	struct timespec to = in_ms(CLOCK_MONOTONIC, 20);

	set(v, 1, SIZE_U32 | PRIVATE);
	CHECK_ERR("flags", waitv(v, 1, 1, &to, CLOCK_MONOTONIC), EINVAL);
	CHECK_ERR("none", waitv(v, 0, 0, &to, CLOCK_MONOTONIC), EINVAL);
	CHECK_ERR("129", waitv(v, 129, 0, &to, CLOCK_MONOTONIC), EINVAL);
	CHECK_ERR("no vector", waitv(NULL, 1, 0, &to, CLOCK_MONOTONIC), EINVAL);
	CHECK_ERR("CLOCK_TAI", waitv(v, 1, 0, &to, CLOCK_TAI), EINVAL);
	CHECK_ERR("an unreadable timeout", waitv(v, 1, 0, (void *)8,
						 CLOCK_MONOTONIC), EFAULT);
	CHECK_ERR("an unreadable vector", waitv((void *)8, 1, 0, &to,
						CLOCK_MONOTONIC), EFAULT);
	v[0].flags = 0x03 | PRIVATE;
	CHECK_ERR("a 64-bit futex", waitv(v, 1, 0, &to, CLOCK_MONOTONIC), EINVAL);
	v[0].flags = SIZE_U32 | 0x100;
	CHECK_ERR("an unknown flag", waitv(v, 1, 0, &to, CLOCK_MONOTONIC), EINVAL);
	v[0].flags = SIZE_U32;
	v[0].reserved = 1;
	CHECK_ERR("reserved set", waitv(v, 1, 0, &to, CLOCK_MONOTONIC), EINVAL);
	v[0].reserved = 0;
	v[0].uaddr = 8;
	CHECK_ERR("an unmapped word", waitv(v, 1, 0, &to, CLOCK_MONOTONIC), EFAULT);
	v[0].uaddr = (uintptr_t)&words[0] + 1;
	CHECK_ERR("a misaligned word", waitv(v, 1, 0, &to, CLOCK_MONOTONIC), EINVAL);
	set(v, 2, SIZE_U32 | PRIVATE);
	v[1].val = 7;
	CHECK_ERR("a value changed", waitv(v, 2, 0, &to, CLOCK_MONOTONIC), EAGAIN);
	set(v, 2, SIZE_U32 | PRIVATE);
	to = in_ms(CLOCK_REALTIME, 20);
	CHECK_ERR("timed out (realtime)", waitv(v, 2, 0, &to, CLOCK_REALTIME),
		  ETIMEDOUT);
	to = in_ms(CLOCK_MONOTONIC, 20);
	CHECK_ERR("timed out (monotonic)", waitv(v, 2, 0, &to, CLOCK_MONOTONIC),
		  ETIMEDOUT);
	woken("private: the third woken", SIZE_U32 | PRIVATE);
	woken("shared: the third woken", SIZE_U32);
	return abi_done("futex_waitv");
}
