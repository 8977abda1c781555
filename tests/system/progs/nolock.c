/*
 * The system calls marked nolock (getpid, gettid, getppid, pread64 of
 * a tmpfs file, private futex waits and wakes) run without the big lock,
 * and right: for CALLS calls of each (a FUTEX_WAKE_PRIVATE with nobody
 * waiting, a FUTEX_WAIT_PRIVATE on a changed word), the CPUs'
 * acquisitions of the lock (/proc/petrel/bkl) grow by far less than
 * CALLS, while as many getuid calls (still locked) take it at least CALLS
 * times; getpid and gettid give the pid /proc/self names; and a child
 * spinning in getpid
 * calls on another CPU dies of the SIGTERM its parent sends (a pending
 * signal sends the call down the locked path, which delivers it).
 * Prints "nolock: ok" or why not.
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <fcntl.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bkl.h"

#define CALLS 100000

/* The big lock's acquisitions on all CPUs; exits if they cannot be read. */
static unsigned long long
acquisitions(void)
{
	return bkl_acquired_or_exit("nolock");
}

static unsigned long long
taken_by(long nr)
{
	unsigned long long before = acquisitions();
	for (int i = 0; i < CALLS; i++)
		syscall(nr);
	return acquisitions() - before;
}

static int file_fd = -1;

/* CALLS 256-byte preads at offset 0 of a 4 KiB tmpfs file. */
static unsigned long long
preads_taken(void)
{
	char buf[256];
	unsigned long long before = acquisitions();
	for (int i = 0; i < CALLS; i++) {
		long n = pread(file_fd, buf, sizeof(buf), 0);
		if (n != (long)sizeof(buf) || buf[0] != 0 || buf[255] != 1) {
			printf("nolock: pread %d gave %ld, bytes %d %d\n", i, n,
			       buf[0], buf[255]);
			exit(1);
		}
	}
	return acquisitions() - before;
}

#define FUTEX_WAIT_PRIVATE 128
#define FUTEX_WAKE_PRIVATE 129

/* CALLS futex calls that do not sleep: the lock taken meanwhile, or
 * CALLS * 2 if one gave the wrong answer. */
static unsigned long long
futex_taken(void)
{
	static int word = 1;
	unsigned long long before = acquisitions();
	for (int i = 0; i < CALLS / 2; i++) {
		if (syscall(SYS_futex, &word, FUTEX_WAKE_PRIVATE, 1, NULL) != 0 ||
		    syscall(SYS_futex, &word, FUTEX_WAIT_PRIVATE, 0, NULL) != -1)
			return CALLS * 2;
	}
	return acquisitions() - before;
}

static void
make_file(void)
{
	char data[4096];
	for (int i = 0; i < (int)sizeof(data); i++)
		data[i] = (char)(i / 251);
	file_fd = open("/tmp/nolock.dat", O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (file_fd < 0 || write(file_fd, data, sizeof(data)) != sizeof(data)) {
		printf("nolock: cannot make /tmp/nolock.dat\n");
		exit(1);
	}
	pread(file_fd, data, 1, 0);	/* relatime's first read: locked */
}

static int
self_pid(void)
{
	char link[64];
	ssize_t n = readlink("/proc/self", link, sizeof(link) - 1);
	if (n <= 0)
		return -1;
	link[n] = 0;
	return atoi(link);
}

int
main(void)
{
	make_file();
	unsigned long long unlocked = taken_by(SYS_getpid) + taken_by(SYS_gettid);
	unsigned long long ppid = taken_by(SYS_getppid);
	unsigned long long files = preads_taken();
	unsigned long long futex = futex_taken();
	unsigned long long locked = taken_by(SYS_getuid);
	struct timespec pause = { 0, 200 * 1000 * 1000 };
	int status;
	pid_t child;

	printf("nolock: lock taken %llu times for %d getpid and gettid calls, "
	       "%llu for %d getppid calls, %llu for %d preads of a tmpfs "
	       "file, %llu for %d getuid calls\n", unlocked, 2 * CALLS, ppid,
	       CALLS, files, CALLS, locked, CALLS);
	printf("nolock: lock taken %llu times for %d futex calls\n", futex,
	       CALLS);
	if (unlocked > CALLS / 10 || ppid > CALLS / 20 || locked < CALLS) {
		printf("nolock: getpid, gettid or getppid took the lock\n");
		return 1;
	}
	if (files > CALLS / 20) {
		printf("nolock: the tmpfs preads took the lock\n");
		return 1;
	}
	if (futex > CALLS / 10) {
		printf("nolock: the futex calls took the lock\n");
		return 1;
	}
	if (syscall(SYS_getppid) != getppid() || getppid() < 1) {
		printf("nolock: getppid %ld\n", syscall(SYS_getppid));
		return 1;
	}
	if (syscall(SYS_getpid) != self_pid() ||
	    syscall(SYS_gettid) != self_pid()) {
		printf("nolock: getpid %ld, gettid %ld, /proc/self %d\n",
		       syscall(SYS_getpid), syscall(SYS_gettid), self_pid());
		return 1;
	}
	child = fork();
	if (child == 0)
		for (;;)
			syscall(SYS_getpid);
	nanosleep(&pause, NULL);
	kill(child, SIGTERM);
	if (waitpid(child, &status, 0) != child || !WIFSIGNALED(status) ||
	    WTERMSIG(status) != SIGTERM) {
		printf("nolock: the spinning child did not die of SIGTERM\n");
		return 1;
	}
	printf("nolock: ok\n");
	return 0;
}
