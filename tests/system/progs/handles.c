/*
 * Handle contracts, run inside Petrel (tests/system/handles.py): a closed
 * handle's value stays dead after its slot is reused (generation bits).
 * One line per check; exits 1 at the first failure.
 */
#include <petrel/native.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static void
check(int ok, const char *what, long got)
{
	if (!ok) {
		printf("handles: FAIL %s (got %ld)\n", what, got);
		exit(1);
	}
	printf("handles: ok %s\n", what);
}

static long
wait_one(pt_handle_t h, uint64_t want)
{
	struct pt_wait_item it = { .handle = h, .want = want };
	return pt_wait(&it, 1, 0);
}

static void
test_stale(void)
{
	long old = pt_notify_create();
	check(old > 0, "notify_create", old);
	pt_handle_close((pt_handle_t)old);
	long now = pt_notify_create();
	check(now > 0 && now != old && (now & 0xff) == (old & 0xff),
	      "a reused slot gives a new value", now);
	long e = pt_notify_signal((pt_handle_t)old, 1);
	check(e == -EBADF, "the stale value is EBADF (signal)", e);
	struct pt_handle_info hi;
	e = pt_handle_info((pt_handle_t)old, &hi);
	check(e == -EBADF, "the stale value is EBADF (info)", e);
	e = wait_one((pt_handle_t)old, 1);
	check(e == -EBADF, "the stale value is EBADF (wait)", e);
	e = pt_handle_close((pt_handle_t)old);
	check(e == -EBADF, "closing the stale value is EBADF", e);
	e = pt_notify_signal((pt_handle_t)now, 1);
	check(e == 0, "the new handle still works", e);
	check(pt_handle_close((pt_handle_t)now) == 0, "close", 0);
	e = pt_handle_info((pt_handle_t)(now | 0x40000000), &hi);
	check(e == -EBADF, "a value from no generation is EBADF", e);
}

int
main(void)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	test_stale();
	printf("handles: all passed\n");
	return 0;
}
