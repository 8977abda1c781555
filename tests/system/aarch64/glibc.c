/*
 * A static glibc program as init for the AArch64 kernel
 * (tests/system/aarch64-boot.py): the C library's start-up (TLS, brk,
 * mmap), stdio on the console, stat's arm64 layout, fork with a pipe and
 * wait, a thread (clone's arm64 argument order, futexes), FP/SIMD
 * registers, epoll; then power-off.
 */
#include <fcntl.h>
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
	check_stat();
	char *p = malloc(1 << 20);
	memset(p, 1, 1 << 20);
	printf("malloc: %d\n", p[12345]);
	check_fork();
	pthread_t t;
	void *r;
	pthread_create(&t, NULL, thread_main, (void *)41);
	pthread_join(t, &r);
	printf("thread: returned %ld\n", (long)r);
	volatile double d = 1.5;
	for (int i = 0; i < 10; i++)
		d *= 1.5;
	printf("fp: %.3f\n", d);
	reboot(RB_POWER_OFF);
	return 1;
}
