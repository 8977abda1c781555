/*
 * tscprobe: PR_SET_TSC / PR_GET_TSC (x86 only), for system/tsc: a thread that asks for
 * PR_TSC_SIGSEGV dies of SIGSEGV at its next RDTSC, as do the threads it
 * makes after; PR_TSC_ENABLE lets it read the counter again; everyone
 * else's RDTSC, RDTSCP and vDSO clock go on working (in Petrel, once a
 * thread has asked, answered by the kernel on every CPU). On 2 vCPUs, so
 * a CPU other than the asker's is tried too.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int failures;

/* One line per check: "tsc: ok WHAT" or "tsc: FAIL WHAT: GOT". */
static void
check(int ok, const char *what, const char *got)
{
	printf("tsc: %s %s%s%s\n", ok ? "ok" : "FAIL", what, ok ? "" : ": ",
	       ok ? "" : got);
	failures += !ok;
}

static const char *
status_str(int status)
{
	static char s[32];
	if (WIFEXITED(status))
		snprintf(s, sizeof(s), "exited %d", WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		snprintf(s, sizeof(s), "killed by %d", WTERMSIG(status));
	else
		snprintf(s, sizeof(s), "status %#x", status);
	return s;
}

static uint64_t
rdtsc(void)
{
	uint32_t lo, hi;
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return (uint64_t)hi << 32 | lo;
}

static uint64_t
rdtscp(void)
{
	uint32_t lo, hi, aux;
	__asm__ volatile("rdtscp" : "=a"(lo), "=d"(hi), "=c"(aux));
	return (uint64_t)hi << 32 | lo;
}

/* The exit status of a child running fn. */
static const char *
child(int (*fn)(void))
{
	pid_t pid = fork();
	if (pid == 0)
		_exit(fn());
	int status;
	waitpid(pid, &status, 0);
	return status_str(status);
}

static int
sigsegv_then_rdtsc(void)
{
	int v = 0;
	if (prctl(PR_SET_TSC, PR_TSC_SIGSEGV, 0, 0, 0) != 0)
		return 1;
	if (prctl(PR_GET_TSC, &v, 0, 0, 0) != 0 || v != PR_TSC_SIGSEGV)
		return 2;
	rdtsc();
	return 3;
}

static int
enable_again(void)
{
	prctl(PR_SET_TSC, PR_TSC_SIGSEGV, 0, 0, 0);
	prctl(PR_SET_TSC, PR_TSC_ENABLE, 0, 0, 0);
	uint64_t a = rdtsc(), b = rdtsc();
	return b > a ? 7 : 4;
}

static void *
thread_rdtsc(void *arg)
{
	(void)arg;
	rdtsc();
	return NULL;
}

static int
thread_inherits(void)
{
	prctl(PR_SET_TSC, PR_TSC_SIGSEGV, 0, 0, 0);
	pthread_t t;
	pthread_create(&t, NULL, thread_rdtsc, NULL);
	pthread_join(t, NULL);
	return 5;
}

/* Reads the counter and the clock on whatever CPU it is put on. */
static int
others_still_read(void)
{
	for (int i = 0; i < 2000; i++) {
		struct timespec a, b;
		uint64_t x = rdtsc(), y = rdtscp();
		clock_gettime(CLOCK_MONOTONIC, &a);
		clock_gettime(CLOCK_MONOTONIC, &b);
		if (y <= x || (b.tv_sec < a.tv_sec ||
			       (b.tv_sec == a.tv_sec && b.tv_nsec < a.tv_nsec)))
			return 1;
		if (i % 100 == 0)
			sched_yield();
	}
	return 0;
}

int
main(void)
{
	int v = 0;
	char got[32];
	const char *r;
	snprintf(got, sizeof(got), "%d", prctl(PR_GET_TSC, &v, 0, 0, 0));
	check(v == PR_TSC_ENABLE, "PR_GET_TSC: enabled", got);
	errno = 0;
	check(prctl(PR_SET_TSC, 3, 0, 0, 0) == -1 && errno == EINVAL,
	      "PR_SET_TSC 3: EINVAL", strerror(errno));
	r = child(sigsegv_then_rdtsc);
	check(!strcmp(r, "killed by 11"), "PR_TSC_SIGSEGV, then RDTSC: SIGSEGV", r);
	r = child(enable_again);
	check(!strcmp(r, "exited 7"), "PR_TSC_ENABLE again: RDTSC works", r);
	r = child(thread_inherits);
	check(!strcmp(r, "killed by 11"), "a thread made after: SIGSEGV", r);
	r = child(others_still_read);
	check(!strcmp(r, "exited 0"), "another process reads the counter and the clock", r);
	check(others_still_read() == 0, "this one too", "no");
	printf("tsc: %s\n", failures ? "FAILED" : "all passed");
	return failures != 0;
}
