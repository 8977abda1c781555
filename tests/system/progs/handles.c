/*
 * Handle contracts, run inside Petrel (tests/system/handles.py): a closed
 * handle's value stays dead after its slot is reused (generation bits),
 * each right allows one kind of operation and no other, and a handle of
 * the wrong type gives -EBADFD from every call. One line per check; exits
 * 1 at the first failure.
 */
#include <petrel/native.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/wait.h>
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

static uint32_t
rights_of(pt_handle_t h)
{
	struct pt_handle_info hi = { 0 };
	return pt_handle_info(h, &hi) == 0 ? hi.rights : 0;
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

static void
test_defaults(void)
{
	pt_handle_t ends[2];
	check(pt_channel_create(ends) == 0, "channel_create", 0);
	long n = pt_notify_create(), m = pt_mem_create(4096, 0);
	check(rights_of(ends[0]) == PT_RIGHTS_CHANNEL_CLIENT &&
	      rights_of(ends[1]) == PT_RIGHTS_CHANNEL_SERVER &&
	      rights_of((pt_handle_t)n) == PT_RIGHTS_NOTIFY &&
	      rights_of((pt_handle_t)m) == PT_RIGHTS_MEM,
	      "each type gets its default rights", 0);
	pt_handle_close(ends[0]);
	pt_handle_close(ends[1]);
	pt_handle_close((pt_handle_t)n);
	pt_handle_close((pt_handle_t)m);
}

/* Maps one page of m through a duplicate holding only `rights`. */
static long
map_with(pt_handle_t m, uint32_t rights, int prot)
{
	long d = pt_handle_dup(m, rights);
	if (d < 0)
		return d;
	long a = pt_mem_map((pt_handle_t)d, NULL, 0, 4096, prot);
	pt_handle_close((pt_handle_t)d);
	return a;
}

static void
test_map_rights(void)
{
	pt_handle_t m = (pt_handle_t)pt_mem_create(4096, 0);
	long a = map_with(m, PT_RIGHT_MAP_READ, PROT_READ);
	check(a > 0, "MAP_READ maps readable", a);
	check(mprotect((void *)a, 4096, PROT_READ | PROT_WRITE) == -1 &&
	      errno == EACCES, "mprotect cannot add what MAP_WRITE lacks", errno);
	check(mprotect((void *)a, 4096, PROT_READ | PROT_EXEC) == -1 &&
	      errno == EACCES, "mprotect cannot add what MAP_EXEC lacks", errno);
	munmap((void *)a, 4096);
	a = map_with(m, PT_RIGHT_MAP_READ, PROT_READ | PROT_WRITE);
	check(a == -EPERM, "writable without MAP_WRITE is EPERM", a);
	a = map_with(m, PT_RIGHT_MAP_READ, PROT_READ | PROT_EXEC);
	check(a == -EPERM, "executable without MAP_EXEC is EPERM", a);
	a = map_with(m, PT_RIGHT_MAP_WRITE | PT_RIGHT_MAP_EXEC, PROT_READ);
	check(a == -EPERM, "readable without MAP_READ is EPERM", a);
	a = map_with(m, PT_RIGHT_MAP_READ | PT_RIGHT_MAP_WRITE,
		     PROT_READ | PROT_WRITE);
	check(a > 0, "MAP_READ | MAP_WRITE maps writable", a);
	munmap((void *)a, 4096);
	a = map_with(m, PT_RIGHT_MAP_READ | PT_RIGHT_MAP_EXEC,
		     PROT_READ | PROT_EXEC);
	check(a > 0, "MAP_READ | MAP_EXEC maps executable", a);
	munmap((void *)a, 4096);
	a = pt_mem_map(m, NULL, 0, 4096, PROT_WRITE | PROT_EXEC);
	check(a == -EINVAL, "writable and executable at once is EINVAL", a);
	pt_handle_close(m);
}

static void
test_other_rights(void)
{
	long n = pt_notify_create();
	long wait_only = pt_handle_dup((pt_handle_t)n, PT_RIGHT_WAIT);
	long signal_only = pt_handle_dup((pt_handle_t)n, PT_RIGHT_SIGNAL);
	long e = pt_notify_signal((pt_handle_t)wait_only, 1);
	check(e == -EPERM, "signal without SIGNAL is EPERM", e);
	e = pt_notify_signal((pt_handle_t)signal_only, 1);
	check(e == 0, "SIGNAL alone signals", e);
	e = wait_one((pt_handle_t)signal_only, 1);
	check(e == -EPERM, "wait without WAIT is EPERM", e);
	e = wait_one((pt_handle_t)wait_only, 1);
	check(e == 1, "WAIT alone waits", e);
	e = pt_handle_dup((pt_handle_t)wait_only, PT_RIGHT_WAIT);
	check(e == -EPERM, "dup without DUP is EPERM", e);
	e = pt_handle_dup((pt_handle_t)n, PT_RIGHTS_NOTIFY | PT_RIGHT_READ);
	check(e == -EPERM, "a duplicate never gains a right", e);

	long no_transfer = pt_handle_dup((pt_handle_t)n, PT_RIGHT_DUP);
	e = pt_handle_keep((pt_handle_t)no_transfer, PT_KEEP_ON_EXEC);
	check(e == -EPERM, "passing on without TRANSFER is EPERM", e);
	long transfer = pt_handle_dup((pt_handle_t)n, PT_RIGHT_TRANSFER);
	e = pt_handle_keep((pt_handle_t)transfer, PT_KEEP_ON_EXEC);
	check(e == 0, "TRANSFER alone passes on", e);
	pt_handle_close((pt_handle_t)n);
	pt_handle_close((pt_handle_t)wait_only);
	pt_handle_close((pt_handle_t)signal_only);
	pt_handle_close((pt_handle_t)no_transfer);
	pt_handle_close((pt_handle_t)transfer);

	pt_handle_t ends[2];
	pt_channel_create(ends);
	long cli = pt_handle_dup(ends[0], PT_RIGHTS_CHANNEL_CLIENT &
					  ~PT_RIGHT_WRITE);
	struct pt_call c = { 0 };
	e = pt_channel_call((pt_handle_t)cli, &c);
	check(e == -EPERM, "call without WRITE is EPERM", e);
	long srv = pt_handle_dup(ends[1], PT_RIGHTS_CHANNEL_SERVER &
					  ~PT_RIGHT_READ);
	struct pt_recv r = { 0 };
	e = pt_channel_recv((pt_handle_t)srv, &r, 0);
	check(e == -EPERM, "receive without READ is EPERM", e);
	pt_handle_close((pt_handle_t)cli);
	pt_handle_close((pt_handle_t)srv);
	pt_handle_close(ends[0]);
	pt_handle_close(ends[1]);
}

static void
test_wrong_type(void)
{
	pt_handle_t ends[2];
	pt_channel_create(ends);
	pt_handle_t n = (pt_handle_t)pt_notify_create();
	pt_handle_t m = (pt_handle_t)pt_mem_create(4096, 0);
	struct pt_call c = { 0 };
	struct pt_recv r = { 0 };
	struct pt_mem_info mi;
	struct pt_dev_info di;
	long got[] = {
		pt_channel_call(n, &c),
		pt_channel_call(ends[1], &c),
		pt_channel_recv(ends[0], &r, 0),
		pt_msg_read(m, 1, 0, 0, &c, 1),
		pt_channel_reply(n, 1, 0, NULL, 0),
		pt_notify_signal(ends[0], 1),
		pt_mem_map(n, NULL, 0, 4096, PROT_READ),
		pt_mem_info(ends[0], &mi),
		wait_one(m, 1),
		pt_dev_info(n, 0, &di),
		pt_dev_cfg_read(m, 0, 4),
		pt_dev_open(n, 0),
		pt_route_set(m, 1, ends[0]),
		pt_mount(n, "/tmp", ends[0], 0),
	};
	for (unsigned i = 0; i < sizeof(got) / sizeof(got[0]); i++)
		if (got[i] != -EBADFD)
			check(0, "wrong type: call number", (long)i);
	check(1, "a handle of another type is EBADFD in every call", 0);
	pt_handle_close(ends[0]);
	pt_handle_close(ends[1]);
	pt_handle_close(n);
	pt_handle_close(m);
}

int
main(void)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	test_stale();
	test_defaults();
	test_map_rights();
	test_other_rights();
	test_wrong_type();
	printf("handles: all passed\n");
	return 0;
}
