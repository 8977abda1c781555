/*
 * Minimal probes for what the system-call fuzzer found (docs/fuzzing.md),
 * run by tests/system/fuzz-found.py: each one made the kernel panic or
 * hang before its fix. Prints one line per probe; exits 1 on a failure.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <signal.h>
#include <stdbool.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/wait.h>
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

/*
 * mlockall(MCL_CURRENT) by root faulted every page of every mapping in,
 * one at a time, holding the big lock: over a huge mapping (the fuzzer's
 * were terabytes) that was for good, and every other CPU waited (both
 * long fuzz boots of 2026-12-05 hung so). Here a 1 TiB shared mapping of
 * a 1-byte file, whose pages past the end fail at once: the populate now
 * lets others run between pages and ends at a SIGKILL.
 */
static void
probe_mlockall_huge(void)
{
	int ready[2];
	if (pipe(ready) == -1)
		return;
	pid_t pid = fork();
	if (pid == 0) {
		int fd = open("/tmp/fuzzprobe-mlock", O_RDWR | O_CREAT, 0600);
		if (fd < 0 || write(fd, "x", 1) != 1)
			_exit(2);
		void *p = mmap(NULL, 1ul << 40, PROT_READ, MAP_SHARED, fd, 0);
		if (p == MAP_FAILED)
			_exit(3);
		write(ready[1], "r", 1);
		/* Memory may run out first (the page tables of the
		 * terabyte): then the populate stops and mlockall returns
		 * 0, as Linux's does (its mm_populate ignores errors; only
		 * mlock says EAGAIN), and that is fine here. */
		_exit(mlockall(MCL_CURRENT) == -1 && errno != EAGAIN ? 1 : 11);
	}
	char c;
	read(ready[0], &c, 1);
	double t0 = seconds();
	struct timespec ts = { 0, 200 * 1000 * 1000 };
	for (int i = 0; i < 10; i++)
		nanosleep(&ts, NULL);	/* each wake-up needs the lock */
	double slept = seconds() - t0;
	kill(pid, SIGKILL);
	int status = 0;
	waitpid(pid, &status, 0);
	double took = seconds() - t0;
	unlink("/tmp/fuzzprobe-mlock");
	close(ready[0]);
	close(ready[1]);
	check(slept < 10, "beside mlockall of 1 TiB, 2 s of sleep take (s)",
	      (long)slept);
	bool killed = WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL;
	bool out_of_memory = WIFEXITED(status) && WEXITSTATUS(status) == 11;
	check((killed || out_of_memory) && took < 20,
	      "mlockall of 1 TiB ends at SIGKILL or when memory runs out (s)",
	      (long)took);
}

int
main(void)
{
	probe_sendfile_huge();
	probe_mlockall_huge();
	printf(failures ? "fuzzprobe: FAIL\n" : "fuzzprobe: ok\n");
	return failures ? 1 : 0;
}
