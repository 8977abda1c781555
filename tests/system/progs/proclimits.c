/*
 * What an unprivileged user (uid 65534) can do to the machine with
 * processes (tests/system/proc-limits.py). Runs as root and:
 *  1. orphan: a child as uid 65534 clones a process whose exit signal is
 *     SIGTERM and exits; the orphan, now init's, exits: init must hear
 *     SIGCHLD, not SIGTERM (which would shut the machine down);
 *  2. forkbomb: a child as uid 65534 fork-bombs for a few seconds under
 *     the default RLIMIT_NPROC, its process group is killed, and root then
 *     runs a program, which must work.
 * Prints one line per step; exits 0 when all went as expected.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define NOBODY 65534
#define BOMB_SECONDS 4

static void
sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000 };

	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

static void
become_nobody(void)
{
	if (setgid(NOBODY) < 0 || setuid(NOBODY) < 0) {
		printf("setuid: %s\n", strerror(errno));
		_exit(99);
	}
}

static int
orphan_main(void *arg)
{
	(void)arg;
	sleep_ms(300);	/* its parent exits first: init adopts it */
	return 0;
}

static int
test_orphan(void)
{
	static char stack[64 * 1024] __attribute__((aligned(16)));
	pid_t pid = fork();

	if (pid == 0) {
		become_nobody();
		int c = clone(orphan_main, stack + sizeof(stack), SIGTERM, NULL);
		_exit(c > 0 ? 0 : 1);
	}
	int status;
	waitpid(pid, &status, 0);
	sleep_ms(1000);	/* the orphan exits and init reaps it */
	int ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
	printf("orphan: %s\n", ok ? "init still running" : "clone failed");
	return ok;
}

/* The bomb: every process forks for ever; returns never. */
static void
bomb(void)
{
	for (;;)
		if (fork() < 0)
			sched_yield();
}

/* Processes alive now (entries of /proc named by a number). */
static int
count_procs(void)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	int n = 0;

	while (d && (e = readdir(d)))
		n += e->d_name[0] >= '0' && e->d_name[0] <= '9';
	if (d)
		closedir(d);
	else
		printf("opendir /proc: %s\n", strerror(errno));
	return n;
}

/* Kills group pgid until nothing in it is left alive. */
static void
kill_group(pid_t pgid)
{
	for (int tries = 0; tries < 1000; tries++) {
		if (kill(-pgid, SIGKILL) < 0 && errno == ESRCH)
			return;
		sleep_ms(10);
	}
	printf("forkbomb: group %d still alive\n", pgid);
}

/* Root starts a program and waits for it; returns whether it ran. */
static int
root_runs(void)
{
	pid_t pid = fork();

	if (pid < 0) {
		printf("forkbomb: root's fork: %s\n", strerror(errno));
		return 0;
	}
	if (pid == 0) {
		execl("/bin/true", "true", (char *)NULL);
		_exit(127);
	}
	int status;
	waitpid(pid, &status, 0);
	return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

static int
test_forkbomb(void)
{
	struct rlimit lim;
	pid_t pid = fork();

	if (pid == 0) {
		setpgid(0, 0);
		become_nobody();
		bomb();
	}
	setpgid(pid, pid);
	sleep_ms(BOMB_SECONDS * 1000);
	getrlimit(RLIMIT_NPROC, &lim);
	int n = count_procs();
	kill_group(pid);
	waitpid(pid, NULL, 0);
	int ok = root_runs();
	printf("forkbomb: %d processes at the end\n", n);
	printf("forkbomb: limit %s, root %s\n",
	    lim.rlim_cur == RLIM_INFINITY ? "none" : "set",
	    ok ? "runs a program" : "cannot run a program");
	return ok && lim.rlim_cur != RLIM_INFINITY;
}

int
main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	int ok = test_orphan();
	ok &= test_forkbomb();
	printf("proclimits: %s\n", ok ? "ok" : "FAILED");
	return ok ? 0 : 1;
}
