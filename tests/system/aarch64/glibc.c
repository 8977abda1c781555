/*
 * A static glibc program as init for the AArch64 kernel
 * (tests/system/aarch64-boot.py): the C library's start-up (TLS, brk,
 * mmap), stdio on the console, stat's arm64 layout, fork with a pipe and
 * wait, threads (clone's arm64 argument order, futexes), FP/SIMD
 * registers, epoll, the CPUs it may run on, EFAULT from a bad buffer,
 * children killed by SIGSEGV, SIGILL and SIGTRAP; then power-off.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <sched.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static void *
thread_main(void *arg)
{
	return (char *)arg + 1;
}

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static long counter;

/* Four threads on however many CPUs, contending for a mutex (futexes,
 * wake-ups across CPUs). */
static void *
count_main(void *arg)
{
	(void)arg;
	for (int i = 0; i < 20000; i++) {
		pthread_mutex_lock(&lock);
		counter++;
		pthread_mutex_unlock(&lock);
	}
	return NULL;
}

static void
check_threads(void)
{
	pthread_t t[4];
	for (int i = 0; i < 4; i++)
		pthread_create(&t[i], NULL, count_main, NULL);
	for (int i = 0; i < 4; i++)
		pthread_join(t[i], NULL);
	printf("threads: %ld\n", counter);
}

/* An address with no page, hidden from the compiler's bounds checks. */
static void *
unmapped(void)
{
	uintptr_t a = 16;
	__asm__("" : "+r"(a));
	return (void *)a;
}

/* A child that dies of its fault: the signal its parent sees. */
static int
child_signal(int what)
{
	int status;
	pid_t child = fork();
	if (child == 0) {
		if (what == SIGSEGV)
			*(volatile int *)unmapped() = 1;
		else if (what == SIGILL)
			__asm__ volatile(".inst 0x00000000");	/* udf #0 */
		else
			__asm__ volatile("brk #1");
		_exit(0);
	}
	waitpid(child, &status, 0);
	return WIFSIGNALED(status) ? WTERMSIG(status) : -1;
}

static void
check_faults(void)
{
	/* A bad buffer: the kernel's copy faults and returns EFAULT. */
	long r = write(1, unmapped(), 4);
	printf("efault: %ld %d\n", r, r < 0 ? errno : 0);
	printf("faults: SIGSEGV %d, SIGILL %d, SIGTRAP %d\n",
	       child_signal(SIGSEGV), child_signal(SIGILL),
	       child_signal(SIGTRAP));
}

static void
check_stat(void)
{
	struct stat st;
	if (stat("/sbin/init", &st) == 0)
		printf("stat: regular %d, mode %o, size > 0: %d\n",
		       S_ISREG(st.st_mode), st.st_mode & 0777, st.st_size > 0);
}

static void
check_fork(void)
{
	int fds[2];
	char buf[8] = { 0 };
	int status;
	if (pipe(fds) < 0)
		return;
	pid_t child = fork();
	if (child == 0) {
		write(fds[1], "child", 5);
		_exit(7);
	}
	read(fds[0], buf, 5);
	waitpid(child, &status, 0);
	printf("fork: the child wrote %s and exited %d\n", buf,
	       WEXITSTATUS(status));
	int ep = epoll_create1(0);
	struct epoll_event ev = { .events = EPOLLIN, .data.u64 = 0x1122334455667788ull };
	write(fds[1], "x", 1);
	epoll_ctl(ep, EPOLL_CTL_ADD, fds[0], &ev);
	struct epoll_event out[2];
	memset(out, 0, sizeof(out));
	int n = epoll_wait(ep, out, 2, 1000);
	printf("epoll: %d ready, data %llx\n", n,
	       (unsigned long long)out[0].data.u64);
}

int
main(void)
{
	mount("devtmpfs", "/dev", "devtmpfs", 0, NULL);
	int fd = open("/dev/console", O_RDWR);
	dup2(fd, 1);
	dup2(fd, 2);
	setvbuf(stdout, NULL, _IONBF, 0);
	printf("glibc: pid %d\n", getpid());
	cpu_set_t set;
	if (sched_getaffinity(0, sizeof(set), &set) == 0)
		printf("cpus: %d\n", CPU_COUNT(&set));
	check_stat();
	char *p = malloc(1 << 20);
	memset(p, 1, 1 << 20);
	printf("malloc: %d\n", p[12345]);
	check_fork();
	check_faults();
	pthread_t t;
	void *r;
	pthread_create(&t, NULL, thread_main, (void *)41);
	pthread_join(t, &r);
	printf("thread: returned %ld\n", (long)r);
	check_threads();
	volatile double d = 1.5;
	for (int i = 0; i < 10; i++)
		d *= 1.5;
	printf("fp: %.3f\n", d);
	reboot(RB_POWER_OFF);
	return 1;
}
