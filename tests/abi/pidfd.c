/*
 * pidfds: pidfd_open's flags and errors (close-on-exec always), a child's
 * pidfd turning readable at its exit (poll, epoll), waitid(P_PIDFD) with
 * PIDFD_NONBLOCK (EAGAIN while it runs), pidfd_send_signal (a pidfd, a
 * /proc/PID directory, a plain file; si_signo must match), pidfd_getfd
 * (a copy of another process's descriptor), and ESRCH once the child is
 * reaped.
 */
#include "abi.h"

#include <sys/epoll.h>
#include <sys/syscall.h>

#ifndef PIDFD_NONBLOCK
#define PIDFD_NONBLOCK O_NONBLOCK
#endif
#ifndef P_PIDFD
#define P_PIDFD 3
#endif

static int
pidfd_open(pid_t pid, unsigned flags)
{
	return (int)syscall(SYS_pidfd_open, pid, flags);
}

static int
pidfd_send_signal(int fd, int sig, siginfo_t *info, unsigned flags)
{
	return (int)syscall(SYS_pidfd_send_signal, fd, sig, info, flags);
}

static int
pidfd_getfd(int fd, int target, unsigned flags)
{
	return (int)syscall(SYS_pidfd_getfd, fd, target, flags);
}

/* A child that waits for a byte on the pipe, then exits 7. */
static pid_t
waiting_child(int p[2])
{
	CHECK_OK("pipe", pipe(p));
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		char c;
		close(p[1]);
		read(p[0], &c, 1);
		_exit(7);
	}
	close(p[0]);
	return pid;
}

static void
test_open(void)
{
	int fd = pidfd_open(getpid(), 0);
	CHECK("pidfd_open(self)", fd >= 0);
	CHECK_EQ("close-on-exec", fcntl(fd, F_GETFD), FD_CLOEXEC);
	CHECK_EQ("not non-blocking", fcntl(fd, F_GETFL) & O_NONBLOCK, 0);
	close(fd);
	CHECK_ERR("flag 1", pidfd_open(getpid(), 1), EINVAL);
	CHECK_ERR("pid -1", pidfd_open(-1, 0), EINVAL);
	CHECK_ERR("pid 0", pidfd_open(0, 0), EINVAL);
}

static void
test_exit_and_wait(void)
{
	int p[2];
	pid_t pid = waiting_child(p);
	int fd = pidfd_open(pid, PIDFD_NONBLOCK);
	CHECK("pidfd_open(child, NONBLOCK)", fd >= 0);
	CHECK_EQ("O_NONBLOCK", fcntl(fd, F_GETFL) & O_NONBLOCK, O_NONBLOCK);
	struct pollfd pfd = { fd, POLLIN, 0 };
	CHECK_EQ("poll while it runs", poll(&pfd, 1, 0), 0);
	siginfo_t si;
	CHECK_ERR("waitid while it runs", waitid(P_PIDFD, fd, &si, WEXITED),
	    EAGAIN);
	int ep = epoll_create1(0);
	struct epoll_event ev = { .events = EPOLLIN }, got;
	CHECK_OK("epoll_ctl ADD", epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev));
	write(p[1], "x", 1);
	CHECK_EQ("poll sees the exit", poll(&pfd, 1, 10000), 1);
	CHECK_EQ("revents", pfd.revents, POLLIN);
	CHECK_EQ("epoll sees it", epoll_wait(ep, &got, 1, 10000), 1);
	close(ep);
	memset(&si, 0, sizeof(si));
	CHECK_OK("waitid(P_PIDFD)", waitid(P_PIDFD, fd, &si, WEXITED));
	CHECK("si_pid is the child", si.si_pid == pid);
	CHECK_EQ("si_status", si.si_status, 7);
	CHECK_EQ("reaped: still readable", poll(&pfd, 1, 0), 1);
	CHECK_ERR("reaped: signal", pidfd_send_signal(fd, SIGTERM, NULL, 0),
	    ESRCH);
	CHECK_ERR("reaped: getfd", pidfd_getfd(fd, 0, 0), ESRCH);
	CHECK_ERR("reaped: waitid", waitid(P_PIDFD, fd, &si, WEXITED), ECHILD);
	close(fd);
	close(p[1]);
}

static void
test_signal(void)
{
	int p[2];
	pid_t pid = waiting_child(p);
	int fd = pidfd_open(pid, 0);
	CHECK_ERR("flags", pidfd_send_signal(fd, SIGTERM, NULL, 0x10), EINVAL);
	char path[64];
	abi_tmpname(path, sizeof(path), "pidfd");
	int plain = open(path, O_RDWR | O_CREAT, 0600);
	CHECK_ERR("a plain file", pidfd_send_signal(plain, 0, NULL, 0), EBADF);
	close(plain);
	unlink(path);
	siginfo_t si;
	memset(&si, 0, sizeof(si));
	si.si_signo = SIGUSR1;
	si.si_code = SI_QUEUE;
	CHECK_ERR("si_signo differs", pidfd_send_signal(fd, SIGTERM, &si, 0),
	    EINVAL);
	si.si_code = SI_USER;
	si.si_signo = SIGTERM;
	CHECK_ERR("SI_USER to another", pidfd_send_signal(fd, SIGTERM, &si, 0),
	    EPERM);
	int self = open("/proc/self", O_DIRECTORY | O_RDONLY);
	CHECK_OK("signal 0 through /proc/self", pidfd_send_signal(self, 0, NULL, 0));
	close(self);
	CHECK_OK("SIGTERM", pidfd_send_signal(fd, SIGTERM, NULL, 0));
	int st;
	waitpid(pid, &st, 0);
	CHECK_STR("the child", status_str(st), "killed by SIGTERM");
	close(fd);
	close(p[1]);
}

static void
test_getfd(void)
{
	int p[2], q[2];
	CHECK_OK("pipe", pipe(q));
	pid_t pid = waiting_child(p);
	int fd = pidfd_open(pid, 0);
	/* The child has q too, from the fork. */
	int mine = pidfd_getfd(fd, q[1], 0);
	CHECK("pidfd_getfd", mine >= 0);
	CHECK_EQ("close-on-exec", fcntl(mine, F_GETFD), FD_CLOEXEC);
	char c = 0;
	CHECK_EQ("write through the copy", write(mine, "y", 1), 1);
	CHECK_EQ("read it", read(q[0], &c, 1), 1);
	CHECK_EQ("the byte", c, 'y');
	CHECK_ERR("flags", pidfd_getfd(fd, q[1], 1), EINVAL);
	CHECK_ERR("no such fd", pidfd_getfd(fd, 1000, 0), EBADF);
	CHECK_ERR("not a pidfd", pidfd_getfd(q[0], 0, 0), EBADF);
	write(p[1], "x", 1);
	int st;
	waitpid(pid, &st, 0);
	CHECK_STR("the child", status_str(st), "exited 7");
	close(mine);
	close(fd);
	close(p[1]);
	close(q[0]);
	close(q[1]);
}

int
main(void)
{
	abi_init();
	test_open();
	test_exit_and_wait();
	test_signal();
	test_getfd();
	return abi_done("pidfd");
}
