/*
 * signalfd: flags and errors, reading struct signalfd_siginfo (kill,
 * sigqueue, several at once, SIGCHLD with its status, a POSIX timer's),
 * poll and epoll readiness, a blocking read woken by a signal, changing
 * the mask of an existing signalfd, and signals outside the mask left
 * pending.
 */
#include "abi.h"

#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>

static void
block(int sig)
{
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, sig);
	sigprocmask(SIG_BLOCK, &set, NULL);
}

static sigset_t
set_of(int a, int b)
{
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, a);
	if (b)
		sigaddset(&set, b);
	return set;
}

static void
test_flags_errors(void)
{
	sigset_t set = set_of(SIGUSR1, 0);
	int fd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	CHECK("signalfd made", fd >= 0);
	CHECK_EQ("O_NONBLOCK", !!(fcntl(fd, F_GETFL) & O_NONBLOCK), 1);
	CHECK_EQ("FD_CLOEXEC", fcntl(fd, F_GETFD), FD_CLOEXEC);
	char link[64] = "";
	char path[64];
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	ssize_t n = readlink(path, link, sizeof(link) - 1);
	link[n > 0 ? n : 0] = 0;
	CHECK_STR("/proc/self/fd name", link, "anon_inode:[signalfd]");
	int plain = signalfd(-1, &set, 0);
	CHECK_EQ("no flags: blocking", !!(fcntl(plain, F_GETFL) & O_NONBLOCK),
	    0);
	CHECK_EQ("no flags: no FD_CLOEXEC", fcntl(plain, F_GETFD), 0);
	close(plain);

	CHECK_ERR("bad flags", syscall(SYS_signalfd4, -1, &set, 8, 1), EINVAL);
	CHECK_ERR("mask size 4", syscall(SYS_signalfd4, -1, &set, 4, 0),
	    EINVAL);
	CHECK_ERR("mask bad address", syscall(SYS_signalfd4, -1, (void *)8, 8,
	    0), EFAULT);
	CHECK_ERR("fd not open", signalfd(999, &set, 0), EBADF);
	int p[2];
	pipe(p);
	CHECK_ERR("fd not a signalfd", signalfd(p[0], &set, 0), EINVAL);
	close(p[0]);
	close(p[1]);
	struct signalfd_siginfo si;
	CHECK_ERR("read nothing pending", read(fd, &si, sizeof(si)), EAGAIN);
	CHECK_ERR("read short buffer", read(fd, &si, 100), EINVAL);
	CHECK_ERR("write", write(fd, &si, sizeof(si)), EINVAL);
	close(fd);
}

static void
test_read(void)
{
	struct signalfd_siginfo si[3];
	block(SIGUSR1);
	block(SIGUSR2);
	block(SIGRTMIN);
	sigset_t set = set_of(SIGUSR1, 0);
	int fd = signalfd(-1, &set, SFD_NONBLOCK);

	CHECK_STR("poll nothing pending", revents_str(poll_one(fd, POLLIN, 0)),
	    "none");
	kill(getpid(), SIGUSR1);
	CHECK_STR("poll USR1 pending", revents_str(poll_one(fd, POLLIN, 0)),
	    "IN");
	CHECK_EQ("read one", read(fd, si, sizeof(si)), sizeof(si[0]));
	CHECK_STR("ssi_signo", signal_name(si[0].ssi_signo), "SIGUSR1");
	CHECK_EQ("ssi_code SI_USER", si[0].ssi_code, SI_USER);
	CHECK("ssi_pid is ours", si[0].ssi_pid == (unsigned)getpid());
	CHECK_EQ("ssi_uid", si[0].ssi_uid, getuid());
	CHECK_STR("taken", revents_str(poll_one(fd, POLLIN, 0)), "none");

	/* Outside the mask: left pending. */
	kill(getpid(), SIGUSR2);
	CHECK_ERR("USR2 not read", read(fd, si, sizeof(si)), EAGAIN);
	sigset_t pending;
	sigpending(&pending);
	CHECK_EQ("USR2 still pending", sigismember(&pending, SIGUSR2), 1);

	/* A new mask for the same file; several at once. */
	set = set_of(SIGUSR2, SIGRTMIN);
	CHECK_EQ("new mask returns the fd", signalfd(fd, &set, 0), fd);
	union sigval v = { .sival_int = 7 };
	sigqueue(getpid(), SIGRTMIN, v);
	v.sival_int = 8;
	sigqueue(getpid(), SIGRTMIN, v);
	CHECK_EQ("read three", read(fd, si, sizeof(si)), 3 * sizeof(si[0]));
	CHECK_STR("first", signal_name(si[0].ssi_signo), "SIGUSR2");
	CHECK_STR("second", signal_name(si[1].ssi_signo), "SIGRTMIN+0");
	CHECK_EQ("second SI_QUEUE", si[1].ssi_code, SI_QUEUE);
	CHECK_STR("third", signal_name(si[2].ssi_signo), "SIGRTMIN+0");
	CHECK_EQ("a value", si[2].ssi_int == 7 || si[2].ssi_int == 8, 1);
	CHECK_ERR("all taken", read(fd, si, sizeof(si)), EAGAIN);

	/* epoll */
	int ep = epoll_create1(0);
	struct epoll_event ev = { .events = EPOLLIN, .data.u32 = 5 };
	epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
	CHECK_EQ("epoll nothing", epoll_wait(ep, &ev, 1, 0), 0);
	kill(getpid(), SIGUSR2);
	CHECK_EQ("epoll ready", epoll_wait(ep, &ev, 1, 1000), 1);
	CHECK_EQ("epoll data", ev.data.u32, 5);
	read(fd, si, sizeof(si));
	CHECK_EQ("epoll after read", epoll_wait(ep, &ev, 1, 0), 0);
	close(ep);
	close(fd);
}

/* SIGCHLD's default action is to ignore, but a blocked one is queued. */
static void
test_sigchld(void)
{
	struct signalfd_siginfo si;
	block(SIGCHLD);
	sigset_t set = set_of(SIGCHLD, 0);
	int fd = signalfd(-1, &set, 0);
	pid_t pid = abi_fork();
	if (pid == 0)
		_exit(3);
	CHECK_EQ("read SIGCHLD", read(fd, &si, sizeof(si)), sizeof(si));
	CHECK_STR("SIGCHLD signo", signal_name(si.ssi_signo), "SIGCHLD");
	CHECK_EQ("CLD_EXITED", si.ssi_code, CLD_EXITED);
	CHECK("the child's pid", si.ssi_pid == (unsigned)pid);
	CHECK_EQ("its status", si.ssi_status, 3);
	abi_wait(pid);
	close(fd);
}

static void
test_blocking(void)
{
	block(SIGUSR1);
	pid_t pid = abi_fork();
	if (pid == 0) {
		struct signalfd_siginfo si;
		sigset_t set = set_of(SIGUSR1, 0);
		int fd = signalfd(-1, &set, 0);
		if (write(1, "", 0) < 0)
			_exit(100);
		ssize_t n = read(fd, &si, sizeof(si));
		_exit(n == sizeof(si) ? (int)si.ssi_signo : 99);
	}
	abi_sleep_ms(100);
	kill(pid, SIGUSR1);
	CHECK_STR("blocking read woken", status_str(abi_wait(pid)),
	    "exited 10");
}

static void
test_timer(void)
{
	struct signalfd_siginfo si;
	int id;
	block(SIGRTMIN + 3);
	sigset_t set = set_of(SIGRTMIN + 3, 0);
	int fd = signalfd(-1, &set, 0);
	struct sigevent ev;
	memset(&ev, 0, sizeof(ev));
	ev.sigev_notify = SIGEV_SIGNAL;
	ev.sigev_signo = SIGRTMIN + 3;
	ev.sigev_value.sival_int = 99;
	syscall(SYS_timer_create, CLOCK_MONOTONIC, &ev, &id);
	struct itimerspec its = { { 0, 0 }, { 0, 10000000 } };
	syscall(SYS_timer_settime, id, 0, &its, NULL);
	CHECK_EQ("read a timer's signal", read(fd, &si, sizeof(si)),
	    sizeof(si));
	CHECK_EQ("SI_TIMER", si.ssi_code, SI_TIMER);
	CHECK_EQ("ssi_tid is the timer", si.ssi_tid, (unsigned)id);
	CHECK_EQ("ssi_int", si.ssi_int, 99);
	CHECK_EQ("ssi_overrun", si.ssi_overrun, 0);
	syscall(SYS_timer_delete, id);
	close(fd);
}

int
main(void)
{
	abi_init();
	test_flags_errors();
	test_read();
	test_sigchld();
	test_blocking();
	test_timer();
	return abi_done("signalfd");
}
