/*
 * epoll on pipes, eventfd and timerfd: level-triggered readiness before
 * and after writes, EPOLLOUT, EPOLLHUP and EPOLLERR, edge-triggered
 * reports only on new data, EPOLLONESHOT and re-arming with MOD, the
 * user data round trip, maxevents, timeouts of 0 and a few milliseconds,
 * a wake-up by another process, epoll_pwait's mask, automatic removal on
 * close, nested epoll, a one-shot timerfd, and epoll_ctl's errors; many
 * ready files with a small maxevents are each reported in turn.
 */
#include "abi.h"

#include <poll.h>
#include <pthread.h>

#include <fcntl.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>

static const char *
events_str(uint32_t e)
{
	static char text[64];

	text[0] = '\0';
	if (e & EPOLLIN)
		strcat(text, "IN ");
	if (e & EPOLLOUT)
		strcat(text, "OUT ");
	if (e & EPOLLHUP)
		strcat(text, "HUP ");
	if (e & EPOLLERR)
		strcat(text, "ERR ");
	size_t n = strlen(text);
	if (n == 0)
		return "none";
	text[n - 1] = '\0';
	return text;
}

static int
add(int ep, int fd, uint32_t events, uint64_t data)
{
	struct epoll_event ev = { .events = events, .data.u64 = data };

	return epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
}

/* Wait once; returns "none" or the events of the single ready entry. */
static const char *
wait_one(int ep, int timeout, uint64_t *data)
{
	struct epoll_event ev[4];
	int n = epoll_wait(ep, ev, 4, timeout);

	if (n < 0)
		return errno_name(errno);
	if (n == 0)
		return "none";
	if (n > 1)
		return "several";
	if (data)
		*data = ev[0].data.u64;
	return events_str(ev[0].events);
}

static void
test_level(void)
{
	int ep = epoll_create1(EPOLL_CLOEXEC);
	int p[2];
	uint64_t data = 0;
	char buf[8];

	CHECK("epoll_create1", ep >= 0);
	CHECK_EQ("EPOLL_CLOEXEC", fcntl(ep, F_GETFD), FD_CLOEXEC);
	pipe(p);
	CHECK_EQ("add read end", add(ep, p[0], EPOLLIN, 0x1122334455667788ULL),
	    0);
	CHECK_STR("empty pipe", wait_one(ep, 0, NULL), "none");
	long long start = abi_now_ms();
	CHECK_STR("30ms timeout", wait_one(ep, 30, NULL), "none");
	long long took = abi_now_ms() - start;
	CHECK("waited about 30ms", took >= 25 && took < 5000);

	write(p[1], "abc", 3);
	CHECK_STR("after write", wait_one(ep, 0, &data), "IN");
	CHECK_EQ("user data returned", data == 0x1122334455667788ULL, 1);
	CHECK_STR("level-triggered repeats", wait_one(ep, 0, NULL), "IN");
	read(p[0], buf, 3);
	CHECK_STR("after read", wait_one(ep, 0, NULL), "none");

	CHECK_EQ("add write end", add(ep, p[1], EPOLLOUT, 2), 0);
	CHECK_STR("write end writable", wait_one(ep, 0, &data), "OUT");
	CHECK_EQ("its data", data, 2);
	write(p[1], "x", 1);
	struct epoll_event ev[4];
	CHECK_EQ("two ready", epoll_wait(ep, ev, 4, 0), 2);
	CHECK_EQ("maxevents 1 returns one", epoll_wait(ep, ev, 1, 0), 1);
	read(p[0], buf, 1);

	struct epoll_event mod = { .events = EPOLLIN, .data.u64 = 3 };
	CHECK_EQ("MOD write end to EPOLLIN", epoll_ctl(ep, EPOLL_CTL_MOD, p[1],
	    &mod), 0);
	CHECK_STR("write end no longer reported", wait_one(ep, 0, NULL),
	    "none");
	CHECK_EQ("DEL write end", epoll_ctl(ep, EPOLL_CTL_DEL, p[1], NULL), 0);

	close(p[1]);
	CHECK_STR("writer closed", wait_one(ep, 0, NULL), "HUP");
	close(p[0]);
	CHECK_STR("closed fd leaves the set", wait_one(ep, 0, NULL), "none");

	pipe(p);
	add(ep, p[1], EPOLLOUT, 4);
	close(p[0]);
	CHECK_STR("reader closed", wait_one(ep, 0, NULL), "OUT ERR");
	epoll_ctl(ep, EPOLL_CTL_DEL, p[1], NULL);
	close(p[1]);
	close(ep);
}

static void
test_edge_oneshot(void)
{
	int ep = epoll_create1(0);
	int p[2];
	char buf[8];

	pipe(p);
	add(ep, p[0], EPOLLIN | EPOLLET, 1);
	CHECK_STR("edge: empty", wait_one(ep, 0, NULL), "none");
	write(p[1], "a", 1);
	CHECK_STR("edge: first write", wait_one(ep, 0, NULL), "IN");
	CHECK_STR("edge: not again without new data", wait_one(ep, 0, NULL),
	    "none");
	write(p[1], "b", 1);
	CHECK_STR("edge: new data reports again", wait_one(ep, 0, NULL), "IN");
	read(p[0], buf, 2);
	CHECK_STR("edge: drained", wait_one(ep, 0, NULL), "none");
	epoll_ctl(ep, EPOLL_CTL_DEL, p[0], NULL);

	add(ep, p[0], EPOLLIN | EPOLLONESHOT, 5);
	write(p[1], "c", 1);
	CHECK_STR("oneshot: first", wait_one(ep, 0, NULL), "IN");
	CHECK_STR("oneshot: disarmed", wait_one(ep, 0, NULL), "none");
	struct epoll_event mod = { .events = EPOLLIN | EPOLLONESHOT,
		.data.u64 = 6 };
	epoll_ctl(ep, EPOLL_CTL_MOD, p[0], &mod);
	uint64_t data = 0;
	CHECK_STR("oneshot: re-armed", wait_one(ep, 0, &data), "IN");
	CHECK_EQ("oneshot: new data", data, 6);
	close(p[0]);
	close(p[1]);
	close(ep);
}

static void
test_wakeups(void)
{
	int ep = epoll_create1(0);
	int efd = eventfd(0, EFD_NONBLOCK);
	uint64_t v;

	add(ep, efd, EPOLLIN | EPOLLOUT, 7);
	CHECK_STR("eventfd writable", wait_one(ep, 0, NULL), "OUT");
	pid_t pid = abi_fork();
	if (pid == 0) {
		v = 1;
		abi_sleep_ms(20);
		write(efd, &v, 8);
		_exit(0);
	}
	struct epoll_event mod = { .events = EPOLLIN, .data.u64 = 8 };
	epoll_ctl(ep, EPOLL_CTL_MOD, efd, &mod);
	uint64_t data = 0;
	CHECK_STR("woken by child's eventfd write", wait_one(ep, 10000, &data),
	    "IN");
	CHECK_EQ("eventfd data", data, 8);
	abi_wait(pid);
	read(efd, &v, 8);

	/* A one-shot timerfd ends the wait after its delay. */
	int tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	CHECK("timerfd_create", tfd >= 0);
	/* 300 ms, timed from before the settime: a loaded host may hold the
	   test up between any two calls (20 ms, from after the read, was
	   not always enough). */
	struct itimerspec its = { { 0, 0 }, { 0, 300000000 } };
	long long start = abi_now_ms();
	CHECK_EQ("timerfd_settime", timerfd_settime(tfd, 0, &its, NULL), 0);
	struct itimerspec cur;
	timerfd_gettime(tfd, &cur);
	CHECK("timerfd_gettime running", cur.it_value.tv_sec > 0 ||
	    cur.it_value.tv_nsec > 0);
	add(ep, tfd, EPOLLIN, 9);
	CHECK_ERR("timerfd read before expiry", read(tfd, &v, 8), EAGAIN);
	CHECK_STR("timerfd fires", wait_one(ep, 10000, &data), "IN");
	long long took = abi_now_ms() - start;
	CHECK("after about 300ms", took >= 299 && took < 5000);
	CHECK_EQ("timerfd data", data, 9);
	CHECK_EQ("timerfd read", read(tfd, &v, 8), 8);
	CHECK_EQ("one expiration", v, 1);
	CHECK_STR("timerfd quiet after read", wait_one(ep, 0, NULL), "none");
	timerfd_gettime(tfd, &cur);
	CHECK("timerfd disarmed", cur.it_value.tv_sec == 0 &&
	    cur.it_value.tv_nsec == 0);
	close(tfd);
	close(efd);
	close(ep);
}

static volatile sig_atomic_t usr1_seen;

static void
on_usr1(int sig)
{
	(void)sig;
	usr1_seen = 1;
}

static void
test_pwait_nested_errors(void)
{
	int ep = epoll_create1(0);
	int p[2];
	sigset_t block, empty;
	struct epoll_event ev[2];

	pipe(p);
	add(ep, p[0], EPOLLIN, 1);
	signal(SIGUSR1, on_usr1);
	sigemptyset(&block);
	sigaddset(&block, SIGUSR1);
	sigprocmask(SIG_BLOCK, &block, NULL);
	raise(SIGUSR1);
	sigemptyset(&empty);
	CHECK_ERR("epoll_pwait unmasks for the wait", epoll_pwait(ep, ev, 2,
	    5000, &empty), EINTR);
	CHECK_EQ("handler ran", usr1_seen, 1);
	sigprocmask(SIG_UNBLOCK, &block, NULL);
	signal(SIGUSR1, SIG_DFL);

	/* An epoll fd is itself pollable. */
	int outer = epoll_create1(0);
	CHECK_EQ("add epoll to epoll", add(outer, ep, EPOLLIN, 10), 0);
	CHECK_STR("outer idle", wait_one(outer, 0, NULL), "none");
	write(p[1], "x", 1);
	CHECK_STR("outer sees inner ready", wait_one(outer, 0, NULL), "IN");

	struct epoll_event e = { .events = EPOLLIN };
	CHECK_ERR("add twice", epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &e), EEXIST);
	CHECK_ERR("mod missing", epoll_ctl(ep, EPOLL_CTL_MOD, p[1], &e),
	    ENOENT);
	CHECK_ERR("del missing", epoll_ctl(ep, EPOLL_CTL_DEL, p[1], NULL),
	    ENOENT);
	CHECK_ERR("add to itself", epoll_ctl(ep, EPOLL_CTL_ADD, ep, &e),
	    EINVAL);
	CHECK_ERR("add a bad fd", epoll_ctl(ep, EPOLL_CTL_ADD, 9999, &e),
	    EBADF);
	int file = open("/dev/null", O_RDONLY);
	CHECK_ERR("ctl on non-epoll fd", epoll_ctl(file, EPOLL_CTL_ADD, p[0],
	    &e), EINVAL);
	CHECK_ERR("wait on non-epoll fd", epoll_wait(file, ev, 2, 0), EINVAL);
	close(file);
	CHECK_ERR("wait maxevents 0", epoll_wait(ep, ev, 0, 0), EINVAL);
	CHECK_ERR("epoll_create1 bad flags", epoll_create1(0x1234), EINVAL);
#ifdef SYS_epoll_create
	CHECK_ERR("epoll_create size 0", syscall(SYS_epoll_create, 0), EINVAL);
	int old = syscall(SYS_epoll_create, 1);
#else
	/* arm64 has no epoll_create: glibc's checks the size, then calls
	 * epoll_create1. */
	CHECK_ERR("epoll_create size 0", epoll_create(0), EINVAL);
	int old = epoll_create(1);
#endif
	CHECK("epoll_create size 1", old >= 0);
	close(old);
	close(outer);
	close(ep);
	close(p[0]);
	close(p[1]);
}

/*
 * Another thread closes the epoll descriptor while epoll_wait sleeps on
 * it: the wait keeps the instance (Linux holds the file) and still
 * reports the event that comes. Petrel once freed the instance under the
 * sleeper, which then walked freed memory (a kernel fault found by the
 * fuzzer).
 */
struct closer {
	int ep, wfd;
};

static void *
close_then_write(void *arg)
{
	struct closer *c = arg;

	usleep(100000);
	close(c->ep);
	usleep(100000);
	write(c->wfd, "x", 1);
	return NULL;
}

static void
test_close_while_waiting(void)
{
	int p[2];
	pthread_t t;
	struct epoll_event ev = { .events = EPOLLIN }, out;

	pipe(p);
	int ep = epoll_create1(0);
	epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev);
	struct closer c = { ep, p[1] };
	pthread_create(&t, NULL, close_then_write, &c);
	CHECK_EQ("epoll_wait across a close of its descriptor",
		 epoll_wait(ep, &out, 1, 3000), 1);
	pthread_join(t, NULL);
	CHECK_ERR("the descriptor is closed after",
		  epoll_wait(ep, &out, 1, 0), EBADF);
	close(p[0]);
	close(p[1]);
}

/* Files without a poll hook are EPERM; nesting: no cycle, 4 levels. */
static void
test_refused_and_nesting(void)
{
	struct epoll_event ev = { .events = EPOLLIN };
	int ep = epoll_create1(0);
	char name[64];
	abi_tmpname(name, sizeof(name), "epoll-file");
	int file = open(name, O_CREAT | O_RDWR, 0600);
	unlink(name);
	int dir = open("/", O_RDONLY | O_DIRECTORY);
	int zero = open("/dev/zero", O_RDONLY);
	int maps = open("/proc/self/maps", O_RDONLY);
	CHECK_ERR("regular file", epoll_ctl(ep, EPOLL_CTL_ADD, file, &ev), EPERM);
	CHECK_ERR("directory", epoll_ctl(ep, EPOLL_CTL_ADD, dir, &ev), EPERM);
	CHECK_ERR("/dev/zero", epoll_ctl(ep, EPOLL_CTL_ADD, zero, &ev), EPERM);
	CHECK_ERR("/proc/self/maps", epoll_ctl(ep, EPOLL_CTL_ADD, maps, &ev), EPERM);
	struct pollfd p = { file, POLLIN | POLLOUT, 0 };
	CHECK_EQ("poll on the file", poll(&p, 1, 0), 1);
	CHECK_EQ("its events", p.revents, POLLIN | POLLOUT);
	close(file), close(dir), close(zero), close(maps);
	/* A chain ep[0] in ep[1] in ... ep[4]: the fifth level is refused. */
	int chain[6];
	chain[0] = ep;
	for (int i = 1; i < 6; i++) {
		chain[i] = epoll_create1(0);
		int r = epoll_ctl(chain[i], EPOLL_CTL_ADD, chain[i - 1], &ev);
		printf("nest level %d: %s\n", i, r == 0 ? "ok" : errno_name(errno));
	}
	CHECK_ERR("cycle of two", epoll_ctl(chain[0], EPOLL_CTL_ADD, chain[1], &ev), ELOOP);
	CHECK_ERR("longer cycle", epoll_ctl(chain[1], EPOLL_CTL_ADD, chain[3], &ev), ELOOP);
	for (int i = 0; i < 6; i++)
		close(chain[i]);
}

static void
test_fair_rotation(void)
{
	enum { READY = 13, MAX = 3, ROUNDS = 4 };
	int fds[READY][2], count[READY] = { 0 };
	int ep = epoll_create1(0);
	for (int i = 0; i < READY; i++) {
		pipe(fds[i]);
		write(fds[i][1], "x", 1);
		struct epoll_event ev = { .events = EPOLLIN, .data.u64 = (uint64_t)i };
		epoll_ctl(ep, EPOLL_CTL_ADD, fds[i][0], &ev);
	}
	int bad = 0;
	for (int got = 0; got < READY * ROUNDS && !bad;) {
		struct epoll_event evs[MAX];
		int n = epoll_wait(ep, evs, MAX, 0);
		bad = n != MAX;
		for (int i = 0; i < n && got < READY * ROUNDS; i++, got++)
			count[evs[i].data.u64]++;
	}
	CHECK_EQ("always maxevents", bad, 0);
	int even = 1;
	for (int i = 0; i < READY; i++)
		even &= count[i] == ROUNDS;
	CHECK_EQ("each ready file reported in turn", even, 1);
	for (int i = 0; i < READY; i++) {
		close(fds[i][0]);
		close(fds[i][1]);
	}
	close(ep);
}

int
main(void)
{
	abi_init();
	test_refused_and_nesting();
	test_close_while_waiting();
	test_level();
	test_edge_oneshot();
	test_wakeups();
	test_pwait_nested_errors();
	test_fair_rotation();
	return abi_done("epoll");
}
