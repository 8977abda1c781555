/*
 * poll, ppoll, select and pselect on pipes, eventfd and /dev/null:
 * readiness before and after writes, POLLOUT, POLLHUP once the writer is
 * gone, POLLERR on a write end without readers, POLLNVAL, timeouts of 0
 * and of a few milliseconds, a wake-up by another process, ppoll's signal
 * mask, and eventfd counter semantics (EFD_SEMAPHORE, EAGAIN); a descriptor
 * another thread closes while poll or select sleeps on it.
 */
#include "abi.h"

#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <sys/eventfd.h>
#include <sys/select.h>

static void
test_poll_pipe(void)
{
	int p[2];
	char buf[16];

	pipe(p);
	CHECK_STR("empty pipe read end", revents_str(poll_one(p[0], POLLIN,
	    0)), "none");
	CHECK_STR("empty pipe write end", revents_str(poll_one(p[1], POLLOUT,
	    0)), "OUT");
	write(p[1], "ab", 2);
	CHECK_STR("after write", revents_str(poll_one(p[0], POLLIN, 0)), "IN");
	CHECK_STR("asking for IN|OUT on read end", revents_str(poll_one(p[0],
	    POLLIN | POLLOUT, 0)), "IN");
	read(p[0], buf, 2);
	CHECK_STR("after draining", revents_str(poll_one(p[0], POLLIN, 0)),
	    "none");

	long long start = abi_now_ms();
	CHECK_EQ("poll 30ms timeout", poll_one(p[0], POLLIN, 30), 0);
	long long took = abi_now_ms() - start;
	CHECK("waited about 30ms", took >= 25 && took < 5000);

	write(p[1], "c", 1);
	close(p[1]);
	CHECK_STR("data and writer closed", revents_str(poll_one(p[0],
	    POLLIN, 0)), "IN HUP");
	read(p[0], buf, 1);
	CHECK_STR("writer closed, empty", revents_str(poll_one(p[0], POLLIN,
	    0)), "HUP");
	CHECK_STR("HUP reported even when not asked", revents_str(poll_one(
	    p[0], 0, 0)), "HUP");
	close(p[0]);
	CHECK_STR("closed fd", revents_str(poll_one(p[0], POLLIN, 0)),
	    "NVAL");

	pipe(p);
	close(p[0]);
	CHECK_STR("write end without reader", revents_str(poll_one(p[1],
	    POLLOUT, 0)), "OUT ERR");
	close(p[1]);

	/* Several fds: the count covers only the ready ones; -1 is skipped. */
	int q[2];
	pipe(p);
	pipe(q);
	write(q[1], "x", 1);
	struct pollfd set[3] = {
		{ p[0], POLLIN, 0 }, { -1, POLLIN, 0 }, { q[0], POLLIN, 0 },
	};
	CHECK_EQ("poll several", poll(set, 3, 0), 1);
	CHECK_EQ("ready one marked", set[2].revents, POLLIN);
	CHECK_EQ("negative fd ignored", set[1].revents, 0);
	CHECK_EQ("idle one clear", set[0].revents, 0);
	CHECK_EQ("poll no fds, 0 timeout", poll(NULL, 0, 0), 0);
	close(q[0]);
	close(q[1]);

	/* Another process makes the pipe readable while we block. */
	pid_t pid = abi_fork();
	if (pid == 0) {
		abi_sleep_ms(20);
		write(p[1], "w", 1);
		_exit(0);
	}
	CHECK_STR("woken by child's write", revents_str(poll_one(p[0], POLLIN,
	    10000)), "IN");
	abi_wait(pid);
	close(p[0]);
	close(p[1]);

	int null = open("/dev/null", O_RDWR);
	CHECK_STR("/dev/null always ready", revents_str(poll_one(null,
	    POLLIN | POLLOUT, 0)), "IN OUT");
	close(null);
}

static volatile sig_atomic_t usr1_seen;

static void
on_usr1(int sig)
{
	(void)sig;
	usr1_seen = 1;
}

static void
test_ppoll(void)
{
	int p[2];
	sigset_t block, empty;

	pipe(p);
	signal(SIGUSR1, on_usr1);
	sigemptyset(&block);
	sigaddset(&block, SIGUSR1);
	sigprocmask(SIG_BLOCK, &block, NULL);
	raise(SIGUSR1);
	CHECK_EQ("blocked signal waits", usr1_seen, 0);

	/* ppoll unblocks it atomically for the wait: EINTR at once. */
	struct pollfd pfd = { p[0], POLLIN, 0 };
	struct timespec ts = { 5, 0 };
	sigemptyset(&empty);
	CHECK_ERR("ppoll with signal unmasked", ppoll(&pfd, 1, &ts, &empty),
	    EINTR);
	CHECK_EQ("handler ran", usr1_seen, 1);
	sigset_t now;
	sigprocmask(SIG_BLOCK, NULL, &now);
	CHECK("mask restored", sigismember(&now, SIGUSR1));
	struct timespec zero = { 0, 0 };
	CHECK_EQ("ppoll zero timeout", ppoll(&pfd, 1, &zero, NULL), 0);
	sigprocmask(SIG_UNBLOCK, &block, NULL);
	signal(SIGUSR1, SIG_DFL);
	close(p[0]);
	close(p[1]);
}

static void
test_select(void)
{
	int p[2];
	fd_set rd, wr;
	struct timeval tv = { 0, 0 };

	pipe(p);
	FD_ZERO(&rd);
	FD_ZERO(&wr);
	FD_SET(p[0], &rd);
	FD_SET(p[1], &wr);
	CHECK_EQ("select: only write end ready", select(p[1] + 1, &rd, &wr,
	    NULL, &tv), 1);
	CHECK_EQ("read end not set", FD_ISSET(p[0], &rd) != 0, 0);
	CHECK_EQ("write end set", FD_ISSET(p[1], &wr) != 0, 1);

	write(p[1], "x", 1);
	FD_ZERO(&rd);
	FD_ZERO(&wr);
	FD_SET(p[0], &rd);
	FD_SET(p[1], &wr);
	tv.tv_sec = 0;
	tv.tv_usec = 0;
	CHECK_EQ("select: both ready", select(p[1] + 1, &rd, &wr, NULL, &tv),
	    2);
	CHECK_EQ("read end set", FD_ISSET(p[0], &rd) != 0, 1);

	char c;
	read(p[0], &c, 1);
	FD_ZERO(&rd);
	FD_SET(p[0], &rd);
	tv.tv_sec = 0;
	tv.tv_usec = 30000;
	long long start = abi_now_ms();
	CHECK_EQ("select 30ms timeout", select(p[0] + 1, &rd, NULL, NULL, &tv),
	    0);
	long long took = abi_now_ms() - start;
	CHECK("waited about 30ms", took >= 25 && took < 5000);
	CHECK_EQ("timed-out set cleared", FD_ISSET(p[0], &rd) != 0, 0);

	close(p[1]);
	FD_ZERO(&rd);
	FD_SET(p[0], &rd);
	tv.tv_usec = 0;
	CHECK_EQ("select: EOF is readable", select(p[0] + 1, &rd, NULL, NULL,
	    &tv), 1);

	struct timespec ts = { 0, 0 };
	FD_ZERO(&rd);
	FD_SET(p[0], &rd);
	CHECK_EQ("pselect", pselect(p[0] + 1, &rd, NULL, NULL, &ts, NULL), 1);
	close(p[0]);
	FD_ZERO(&rd);
	FD_SET(p[0], &rd);
	CHECK_ERR("select on closed fd", select(p[0] + 1, &rd, NULL, NULL,
	    &tv), EBADF);
	tv.tv_usec = 5000;
	CHECK_EQ("select with no fds sleeps", select(0, NULL, NULL, NULL,
	    &tv), 0);
}

static void
test_eventfd(void)
{
	uint64_t v;
	int fd = eventfd(0, EFD_NONBLOCK);

	CHECK("eventfd", fd >= 0);
	CHECK_STR("new eventfd", revents_str(poll_one(fd, POLLIN | POLLOUT,
	    0)), "OUT");
	CHECK_ERR("read zero counter", read(fd, &v, 8), EAGAIN);
	v = 3;
	CHECK_EQ("write 3", write(fd, &v, 8), 8);
	v = 4;
	write(fd, &v, 8);
	CHECK_STR("readable after write", revents_str(poll_one(fd, POLLIN,
	    0)), "IN");
	v = 0;
	CHECK_EQ("read", read(fd, &v, 8), 8);
	CHECK_EQ("counter summed", v, 7);
	CHECK_STR("not readable after read", revents_str(poll_one(fd, POLLIN,
	    0)), "none");
	CHECK_ERR("short read", read(fd, &v, 4), EINVAL);
	CHECK_ERR("short write", write(fd, &v, 4), EINVAL);
	v = UINT64_MAX;
	CHECK_ERR("write max value", write(fd, &v, 8), EINVAL);
	v = UINT64_MAX - 1;
	CHECK_EQ("write up to max-1", write(fd, &v, 8), 8);
	CHECK_STR("full counter not writable", revents_str(poll_one(fd,
	    POLLOUT, 0)), "none");
	v = 1;
	CHECK_ERR("overflowing write", write(fd, &v, 8), EAGAIN);
	close(fd);

	fd = eventfd(2, EFD_SEMAPHORE | EFD_NONBLOCK | EFD_CLOEXEC);
	CHECK_EQ("eventfd EFD_CLOEXEC", fcntl(fd, F_GETFD), FD_CLOEXEC);
	read(fd, &v, 8);
	CHECK_EQ("semaphore read 1", v, 1);
	read(fd, &v, 8);
	CHECK_EQ("semaphore read 1 again", v, 1);
	CHECK_ERR("semaphore empty", read(fd, &v, 8), EAGAIN);
	close(fd);

	/* A blocking eventfd read woken by a child's write. */
	fd = eventfd(0, 0);
	pid_t pid = abi_fork();
	if (pid == 0) {
		uint64_t one = 5;
		abi_sleep_ms(20);
		write(fd, &one, 8);
		_exit(0);
	}
	v = 0;
	CHECK_EQ("blocking read", read(fd, &v, 8), 8);
	CHECK_EQ("value from child", v, 5);
	abi_wait(pid);
	close(fd);
}

/*
 * Another thread closes a descriptor poll or select sleeps on, then makes
 * some other pipe ready. Linux looks the descriptors up again when it
 * wakes (at the latest at the timeout): poll reports POLLNVAL, select
 * the descriptor ready in every set asked. Petrel's select once read the
 * closed slot's NULL file after such a wake-up: a kernel fault from user
 * space.
 */
struct closer {
	int fd, wfd;
};

static void *
close_then_write(void *arg)
{
	struct closer *c = arg;

	usleep(100000);
	close(c->fd);
	usleep(50000);
	write(c->wfd, "x", 1);
	return NULL;
}

static void
test_close_while_waiting(void)
{
	int a[2], b[2];
	pthread_t t;

	pipe(a);
	pipe(b);
	struct closer c = { a[0], b[1] };
	pthread_create(&t, NULL, close_then_write, &c);
	fd_set rd, wr;
	FD_ZERO(&rd);
	FD_ZERO(&wr);
	FD_SET(a[0], &rd);
	FD_SET(a[0], &wr);
	struct timeval tv = { 0, 400000 };
	CHECK_EQ("select across a close of its descriptor",
		 select(a[0] + 1, &rd, &wr, NULL, &tv), 2);
	CHECK_EQ("readable", FD_ISSET(a[0], &rd) != 0, 1);
	CHECK_EQ("writable", FD_ISSET(a[0], &wr) != 0, 1);
	pthread_join(t, NULL);
	char x;
	read(b[0], &x, 1);

	pipe(a);
	c.fd = a[0];
	pthread_create(&t, NULL, close_then_write, &c);
	struct pollfd pfd = { .fd = a[0], .events = POLLIN };
	CHECK_EQ("poll across a close of its descriptor",
		 poll(&pfd, 1, 400), 1);
	CHECK_EQ("its revents", pfd.revents, POLLNVAL);
	pthread_join(t, NULL);
	close(a[1]);
	close(b[0]);
	close(b[1]);
}

int
main(void)
{
	abi_init();
	test_poll_pipe();
	test_ppoll();
	test_select();
	test_eventfd();
	test_close_while_waiting();
	return abi_done("poll");
}
