/*
 * Minimal probes for what the system-call fuzzer found (docs/fuzzing.md),
 * run by tests/system/fuzz-found.py: each one made the kernel panic or
 * hang before its fix. Prints one line per probe; exits 1 on a failure.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <sys/sendfile.h>
#include <time.h>
#include <unistd.h>

static int failures;

static void
check(int ok, const char *what, long got)
{
	printf("fuzzprobe: %s %s (got %ld)\n", ok ? "ok" : "FAIL", what, got);
	if (!ok)
		failures++;
}

static double
seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/*
 * sendfile from /dev/zero to /dev/null with a count of 2^62 looped in the
 * kernel, holding the big lock, for ever. Now the count stops at Linux's
 * MAX_RW_COUNT, 0x7ffff000, as read and write do.
 */
static void
probe_sendfile_huge(void)
{
	int zero = open("/dev/zero", O_RDONLY);
	int null = open("/dev/null", O_WRONLY);
	double start = seconds();
	ssize_t n = sendfile(null, zero, NULL, 1ul << 62);

	check(n == 0x7ffff000,
	      "sendfile /dev/zero -> /dev/null of 2^62 bytes: 0x7ffff000", n);
	check(seconds() - start < 30, "... within 30 s",
	      (long)(seconds() - start));
	close(zero);
	close(null);
}

int
main(void)
{
	probe_sendfile_huge();
	printf(failures ? "fuzzprobe: FAIL\n" : "fuzzprobe: ok\n");
	return failures ? 1 : 0;
}
