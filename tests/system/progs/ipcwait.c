/*
 * pt_wait without the big lock, run inside Petrel (tests/system/ipc-nolock.py):
 * a wait that finds signals raised, or only looks (timeout 0), takes no big
 * lock; a notification's bits raised on one CPU and taken on another are
 * neither lost nor taken twice. One line per check; exits 1 at the first
 * failure.
 */
#define _GNU_SOURCE
#include <petrel/native.h>
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>
#include <string.h>
#include "ptwait.h"

#define LOOKS 3000
#define PAIRS 1000
#define ROUNDS 6000

static void
check(int ok, const char *what, long got)
{
	if (!ok) {
		printf("ipcwait: FAIL %s (got %ld)\n", what, got);
		exit(1);
	}
	printf("ipcwait: ok %s\n", what);
}

/*
 * The big lock's takes by CPU cpu alone (its line of /proc/petrel/bkl):
 * the idle loops and interrupts of the other CPUs, with 4 vCPUs, took
 * it hundreds of times while this one looked. -1 when unread.
 */
static long
bkl_acquired_on(int cpu)
{
	char name[16], line[128];
	long taken = -1;
	FILE *f = fopen("/proc/petrel/bkl", "r");
	if (!f)
		return -1;
	snprintf(name, sizeof(name), "cpu%d", cpu);
	while (fgets(line, sizeof(line), f)) {
		char first[16];
		long a;
		if (sscanf(line, "%15s %ld", first, &a) == 2 &&
		    strcmp(first, name) == 0)
			taken = a;
	}
	fclose(f);
	return taken;
}

/* Looks that find nothing, on a notification and a channel's server end. */
static void
check_looks(void)
{
	pt_handle_t ends[2];
	check(pt_channel_create(ends) == 0, "channel created", 0);
	pt_handle_t n = (pt_handle_t)pt_notify_create();
	struct pt_wait_item items[2] = {
		{ .handle = n, .want = ~0ull },
		{ .handle = ends[1], .want = PT_SIG_READABLE },
	};
	int cpu = pin_cpu(last_cpu());
	long before = bkl_acquired_on(cpu), bad = 0;
	for (int i = 0; i < LOOKS; i++)
		if (pt_wait(items, 2, 0) != 0 || items[0].got || items[1].got)
			bad++;
	long taken = bkl_acquired_on(cpu) - before;
	check(bad == 0, "3000 looks at nothing: 0", bad);
	check(before < 0 || taken < LOOKS / 5,
	      "3000 looks take the big lock fewer than 600 times", taken);
	/* A raised bit among two items: found, taken once, the other 0. */
	pt_notify_signal(n, 0x14);
	long r = pt_wait(items, 2, -1);
	check(r == 1 && items[0].got == 0x14 && items[1].got == 0,
	      "a raised notification: 1, its bits, the channel 0", r);
	r = pt_wait(items, 2, 0);
	check(r == 0 && items[0].got == 0, "its bits taken once", r);
	/* A closed client: the server end's PEER_CLOSED, without sleeping. */
	pt_handle_close(ends[0]);
	items[1].want = PT_SIG_PEER_CLOSED;
	r = pt_wait(items, 2, -1);
	check(r == 1 && items[1].got == PT_SIG_PEER_CLOSED,
	      "the client closed: PEER_CLOSED at once", r);
	r = pt_wait((struct pt_wait_item *)8, 1, 0);
	check(r == -EFAULT, "items at a bad address: EFAULT", r);
	pt_handle_close(ends[1]);
	pt_handle_close(n);
}

/* Raised, then taken by a wait that finds it: one big lock take a pair
 * (the signal's), where both took it before. */
static void
check_pairs(void)
{
	pt_handle_t n = (pt_handle_t)pt_notify_create();
	uint64_t got;
	int cpu = pin_cpu(last_cpu());
	long before = bkl_acquired_on(cpu), bad = 0;
	for (int i = 0; i < PAIRS; i++) {
		pt_notify_signal(n, 1ull << (i % 64));
		if (wait_one(n, ~0ull, -1, &got) != 1 || got != 1ull << (i % 64))
			bad++;
	}
	long taken = bkl_acquired_on(cpu) - before;
	check(bad == 0, "1000 signals, each taken by the next wait", bad);
	check(before < 0 || taken < PAIRS * 6 / 5,
	      "1000 signal and wait pairs take the big lock under 1200 times",
	      taken);
	pt_handle_close(n);
}

/*
 * Waits for a bit raised on n, by one of three ways in turn: up to 50
 * looks (nolock), then a wait for ever; a wait for ever (locked when it
 * must sleep); 1 ms waits that may time out. Returns the bits taken.
 * (Looks alone could spin through a whole TCG time slice of the vCPU
 * that would raise the bit.)
 */
static uint64_t
wait_bit(pt_handle_t n, int round)
{
	uint64_t got = 0;
	int64_t timeouts[] = { 0, -1, 1000000 };
	int64_t t = timeouts[round % 3];
	for (int tries = 0; got == 0; tries++) {
		if (t == 0 && tries == 50)
			t = -1;
		long r = wait_one(n, ~0ull, t, &got);
		if (r < 0) {
			printf("ipcwait: FAIL pt_wait (got %ld)\n", r);
			exit(1);
		}
	}
	return got;
}

/*
 * A child and its parent (one thread each, so both wait without the big
 * lock), on the last CPU and on CPU 0, pass one bit at a time back and
 * forth through two notifications: each side raises the next bit only after the other took the last, so a
 * bit lost hangs the test and one taken twice, or a stray one, shows.
 */
static void
check_ping_pong(void)
{
	pt_handle_t to_child = (pt_handle_t)pt_notify_create();
	pt_handle_t to_parent = (pt_handle_t)pt_notify_create();
	pid_t pid = fork();
	if (pid == 0) {
		pin_cpu(last_cpu());	/* the parent on CPU 0: across CPUs */
		for (int i = 0; i < ROUNDS; i++) {
			uint64_t want = 1ull << (i % 64);
			if (wait_bit(to_child, i) != want)
				_exit(2);
			pt_notify_signal(to_parent, want);
		}
		_exit(0);
	}
	pin_cpu(0);
	long bad = 0;
	for (int i = 0; i < ROUNDS && !bad; i++) {
		uint64_t want = 1ull << (i % 64);
		pt_notify_signal(to_child, want);
		if (wait_bit(to_parent, i + 1) != want)
			bad = i + 1;
	}
	int st = 0;
	waitpid(pid, &st, 0);
	check(bad == 0 && WIFEXITED(st) && WEXITSTATUS(st) == 0,
	      "6000 bits passed between two processes, each taken once", bad);
	pt_handle_close(to_child);
	pt_handle_close(to_parent);
}

int
main(void)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	check_looks();
	check_pairs();
	check_ping_pong();
	printf("ipcwait: ok\n");
	return 0;
}
