/*
 * Per-file readiness queues: poll, select and epoll_wait sleeping on one
 * pipe are not woken by writes to another (counted as voluntary context
 * switches in /proc/self/status); many epoll instances watching one file
 * each report it, level- and edge-triggered; a watched file stays in the
 * set while a dup of it is open and leaves it with its last descriptor;
 * edge-triggered items re-arm on new data and on EPOLL_CTL_MOD, one-shot
 * items on MOD only; 1,000 watched pipes with one ready report that one;
 * a message sent through one descriptor of a POSIX queue wakes a poll and
 * an epoll on another;
 * nested instances hear of their inner one's readiness; EPOLLEXCLUSIVE's
 * rules in epoll_ctl.
 */
#include "abi.h"

#include <mqueue.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/select.h>

/* This thread's voluntary context switches so far. */
static long
voluntary_switches(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	long n = -1;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "voluntary_ctxt_switches: %ld", &n) == 1)
			break;
	fclose(f);
	return n;
}

/*
 * A child writes `writes` bytes to `other`, 2 ms apart, once the parent
 * wrote to `go`; the parent is meanwhile asleep on something else.
 */
static pid_t
start_writer(int go_read, int other, int writes)
{
	pid_t pid = abi_fork();
	if (pid == 0) {
		char c;
		read(go_read, &c, 1);
		for (int i = 0; i < writes; i++) {
			write(other, "x", 1);
			abi_sleep_ms(2);
		}
		_exit(0);
	}
	return pid;
}

enum { WAIT_POLL, WAIT_SELECT, WAIT_EPOLL };

/* Sleeps 400 ms on quiet's read end while 40 writes go to another pipe;
 * returns how many times the sleeper was woken. */
static long
wakeups_while_other_written(int how)
{
	int quiet[2], busy[2], go[2];
	pipe(quiet), pipe(busy), pipe(go);
	pid_t pid = start_writer(go[0], busy[1], 40);
	int ep = epoll_create1(0);
	struct epoll_event ev = { .events = EPOLLIN };
	epoll_ctl(ep, EPOLL_CTL_ADD, quiet[0], &ev);
	struct pollfd p = { quiet[0], POLLIN, 0 };
	fd_set set;
	struct timeval tv = { 0, 400000 };
	FD_ZERO(&set);
	FD_SET(quiet[0], &set);

	long before = voluntary_switches();
	write(go[1], "g", 1);
	int r = how == WAIT_POLL ? poll(&p, 1, 400) :
		how == WAIT_SELECT ? select(quiet[0] + 1, &set, NULL, NULL, &tv) :
		epoll_wait(ep, &ev, 1, 400);
	long after = voluntary_switches();
	CHECK_EQ("nothing ready on the quiet pipe", r, 0);
	abi_wait(pid);
	close(quiet[0]), close(quiet[1]), close(busy[0]), close(busy[1]);
	close(go[0]), close(go[1]), close(ep);
	return after - before;
}

static void
test_no_foreign_wakeups(void)
{
	static const char *name[] = { "poll", "select", "epoll_wait" };
	for (int how = WAIT_POLL; how <= WAIT_EPOLL; how++) {
		long woken = wakeups_while_other_written(how);
		char what[96];
		snprintf(what, sizeof(what),
			 "%s not woken by another pipe's 40 writes", name[how]);
		CHECK(what, woken >= 0 && woken <= 8);
		if (woken > 8)
			printf("  (%s: %ld wakeups)\n", name[how], woken);
	}
}

/* A sleeping poll and select are woken by their own file. */
static void
test_own_wakeup(void)
{
	int p[2], go[2];
	pipe(p), pipe(go);
	pid_t pid = start_writer(go[0], p[1], 1);
	write(go[1], "g", 1);
	CHECK_STR("poll woken by its pipe", revents_str(poll_one(p[0], POLLIN, 5000)), "IN");
	abi_wait(pid);
	char c;
	read(p[0], &c, 1);
	pid = start_writer(go[0], p[1], 1);
	write(go[1], "g", 1);
	fd_set set;
	FD_ZERO(&set);
	FD_SET(p[0], &set);
	struct timeval tv = { 5, 0 };
	CHECK_EQ("select woken by its pipe", select(p[0] + 1, &set, NULL, NULL, &tv), 1);
	abi_wait(pid);
	close(p[0]), close(p[1]), close(go[0]), close(go[1]);
}

static int
count_ready(int ep, uint32_t *events)
{
	struct epoll_event ev[4];
	int n = epoll_wait(ep, ev, 4, 0);
	if (n == 1 && events)
		*events = ev[0].events;
	return n;
}

static void
test_many_instances(void)
{
	enum { N = 12 };
	int ep[N], p[2];
	pipe(p);
	for (int i = 0; i < N; i++) {
		ep[i] = epoll_create1(0);
		struct epoll_event ev = { .events = EPOLLIN | (i % 2 ? EPOLLET : 0) };
		epoll_ctl(ep[i], EPOLL_CTL_ADD, p[0], &ev);
	}
	int all = 1, again = 1, none = 1, hup = 1;
	for (int i = 0; i < N; i++)
		none &= count_ready(ep[i], NULL) == 0;
	CHECK("none ready before a write", none);
	write(p[1], "a", 1);
	for (int i = 0; i < N; i++)
		all &= count_ready(ep[i], NULL) == 1;
	CHECK("every instance reports the write", all);
	for (int i = 0; i < N; i++)
		again &= count_ready(ep[i], NULL) == (i % 2 ? 0 : 1);
	CHECK("level-triggered again, edge-triggered not", again);
	close(p[1]);
	for (int i = 0; i < N; i++) {
		uint32_t e = 0;
		hup &= count_ready(ep[i], &e) == 1 && (e & EPOLLHUP);
	}
	CHECK("every instance reports the hang-up", hup);
	close(p[0]);
	none = 1;
	for (int i = 0; i < N; i++) {
		none &= count_ready(ep[i], NULL) == 0;
		close(ep[i]);
	}
	CHECK("closed file gone from every instance", none);
}

static void
test_close_watched(void)
{
	int ep = epoll_create1(0), p[2];
	pipe(p);
	struct epoll_event ev = { .events = EPOLLIN, .data.u64 = 7 };
	epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev);
	int dup_fd = dup(p[0]);
	close(p[0]);
	write(p[1], "a", 1);
	struct epoll_event out;
	CHECK_EQ("dup keeps the item: reported", epoll_wait(ep, &out, 1, 0), 1);
	CHECK_EQ("with its data", out.data.u64, 7);
	CHECK_ERR("the closed fd is not in the set",
		  epoll_ctl(ep, EPOLL_CTL_DEL, p[0], NULL), EBADF);
	close(dup_fd);
	CHECK_EQ("last descriptor closed: gone", epoll_wait(ep, &out, 1, 0), 0);
	close(p[1]);

	/* A file closed while on the ready list. */
	pipe(p);
	epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev);
	write(p[1], "a", 1);
	close(p[0]);
	CHECK_EQ("ready file closed: nothing reported", epoll_wait(ep, &out, 1, 0), 0);
	close(p[1]);

	/* The epoll fd closed while it watches open files. */
	int e2 = epoll_create1(0);
	pipe(p);
	epoll_ctl(e2, EPOLL_CTL_ADD, p[0], &ev);
	epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev);
	write(p[1], "a", 1);
	close(e2);
	CHECK_EQ("another instance still reports", epoll_wait(ep, &out, 1, 0), 1);
	close(p[0]), close(p[1]), close(ep);
}

static void
test_edge_rearm(void)
{
	int ep = epoll_create1(0), p[2];
	char buf[8];
	pipe(p);
	struct epoll_event ev = { .events = EPOLLIN | EPOLLET };
	epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev);
	write(p[1], "abcd", 4);
	CHECK_EQ("edge: write", count_ready(ep, NULL), 1);
	read(p[0], buf, 1);
	CHECK_EQ("edge: a partial read is no new edge", count_ready(ep, NULL), 0);
	epoll_ctl(ep, EPOLL_CTL_MOD, p[0], &ev);
	CHECK_EQ("edge: MOD re-arms what is there", count_ready(ep, NULL), 1);
	CHECK_EQ("edge: once", count_ready(ep, NULL), 0);
	write(p[1], "e", 1);
	CHECK_EQ("edge: more data is a new edge", count_ready(ep, NULL), 1);
	read(p[0], buf, sizeof(buf));
	CHECK_EQ("edge: drained", count_ready(ep, NULL), 0);

	/* The write end, edge-triggered: data written is no edge for it. */
	struct epoll_event wev = { .events = EPOLLOUT | EPOLLET };
	epoll_ctl(ep, EPOLL_CTL_DEL, p[0], NULL);
	epoll_ctl(ep, EPOLL_CTL_ADD, p[1], &wev);
	CHECK_EQ("edge out: writable at once", count_ready(ep, NULL), 1);
	write(p[1], "x", 1);
	CHECK_EQ("edge out: own write no edge for the writer", count_ready(ep, NULL), 0);
	read(p[0], buf, 1);
	epoll_ctl(ep, EPOLL_CTL_DEL, p[1], NULL);

	/* One-shot: silent after one report, whatever comes, until MOD. */
	struct epoll_event one = { .events = EPOLLIN | EPOLLONESHOT };
	epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &one);
	write(p[1], "a", 1);
	CHECK_EQ("oneshot: reported", count_ready(ep, NULL), 1);
	write(p[1], "b", 1);
	CHECK_EQ("oneshot: not again", count_ready(ep, NULL), 0);
	epoll_ctl(ep, EPOLL_CTL_MOD, p[0], &one);
	CHECK_EQ("oneshot: MOD re-arms", count_ready(ep, NULL), 1);
	close(p[0]), close(p[1]), close(ep);
}

static void
raise_nofile(rlim_t want)
{
	struct rlimit r;
	getrlimit(RLIMIT_NOFILE, &r);
	if (r.rlim_cur < want)
		r.rlim_cur = want < r.rlim_max ? want : r.rlim_max;
	setrlimit(RLIMIT_NOFILE, &r);
}

static void
test_thousand_pipes(void)
{
	enum { N = 1000, READY = 537 };
	static int fds[N][2];
	raise_nofile(2 * N + 64);
	int ep = epoll_create1(0), made = 0;
	for (int i = 0; i < N; i++) {
		if (pipe(fds[i]) < 0)
			break;
		struct epoll_event ev = { .events = EPOLLIN, .data.u64 = (uint64_t)i };
		epoll_ctl(ep, EPOLL_CTL_ADD, fds[i][0], &ev);
		made++;
	}
	CHECK_EQ("1000 pipes made", made, N);
	if (made != N)
		return;
	struct epoll_event out[8];
	CHECK_EQ("none ready", epoll_wait(ep, out, 8, 0), 0);
	write(fds[READY][1], "x", 1);
	int n = epoll_wait(ep, out, 8, 0);
	CHECK_EQ("one of 1000 ready", n, 1);
	CHECK_EQ("the right one", n == 1 ? (long)out[0].data.u64 : -1, READY);

	static struct pollfd pfds[N];
	for (int i = 0; i < N; i++)
		pfds[i] = (struct pollfd){ fds[i][0], POLLIN, 0 };
	CHECK_EQ("poll: one of 1000", poll(pfds, N, 0), 1);
	CHECK_EQ("poll: the right one", pfds[READY].revents, POLLIN);
	char c;
	read(fds[READY][0], &c, 1);

	/* A sleeping epoll_wait and poll on all of them, woken by one. */
	int go[2];
	pipe(go);
	pid_t pid = start_writer(go[0], fds[N - 1][1], 1);
	write(go[1], "g", 1);
	n = epoll_wait(ep, out, 8, 5000);
	CHECK_EQ("sleeping epoll_wait woken by the last", n == 1 ? (long)out[0].data.u64 : -1, N - 1);
	abi_wait(pid);
	read(fds[N - 1][0], &c, 1);
	pid = start_writer(go[0], fds[3][1], 1);
	write(go[1], "g", 1);
	CHECK_EQ("sleeping poll woken by the fourth", poll(pfds, N, 5000), 1);
	CHECK_EQ("its revents", pfds[3].revents, POLLIN);
	abi_wait(pid);
	close(go[0]), close(go[1]);
	for (int i = 0; i < N; i++)
		close(fds[i][0]), close(fds[i][1]);
	close(ep);
}

static void
test_nested(void)
{
	int outer = epoll_create1(0), inner = epoll_create1(0);
	int efd = eventfd(0, EFD_NONBLOCK);
	struct epoll_event ev = { .events = EPOLLIN };
	epoll_ctl(inner, EPOLL_CTL_ADD, efd, &ev);
	struct epoll_event oev = { .events = EPOLLIN | EPOLLET };
	epoll_ctl(outer, EPOLL_CTL_ADD, inner, &oev);
	CHECK_EQ("nested: none", count_ready(outer, NULL), 0);
	CHECK_STR("poll on the inner: nothing", revents_str(poll_one(inner, POLLIN, 0)), "none");
	uint64_t one = 1;
	write(efd, &one, 8);
	CHECK_EQ("nested: inner's readiness reaches the outer", count_ready(outer, NULL), 1);
	CHECK_EQ("nested: edge-triggered outer, once", count_ready(outer, NULL), 0);
	CHECK_STR("poll on the inner: IN", revents_str(poll_one(inner, POLLIN, 0)), "IN");
	read(efd, &one, 8);
	CHECK_STR("drained: poll on the inner: nothing",
		  revents_str(poll_one(inner, POLLIN, 0)), "none");
	close(efd), close(inner), close(outer);
}

/* One queue, two descriptors: a send through one wakes waiters on the
 * other (every descriptor shares the queue's readiness). */
static void
test_mqueue_shared(void)
{
	const char *name = "/abi-pollwait";
	struct mq_attr attr = { .mq_maxmsg = 4, .mq_msgsize = 16 };
	mq_unlink(name);
	mqd_t a = mq_open(name, O_CREAT | O_RDWR, 0600, &attr);
	mqd_t b = mq_open(name, O_RDONLY);
	CHECK("two descriptors", a >= 0 && b >= 0);
	if (a < 0 || b < 0)
		return;
	int ep = epoll_create1(0);
	struct epoll_event ev = { .events = EPOLLIN };
	epoll_ctl(ep, EPOLL_CTL_ADD, b, &ev);
	CHECK_EQ("epoll: empty queue", count_ready(ep, NULL), 0);
	int go[2];
	pipe(go);
	pid_t pid = abi_fork();
	if (pid == 0) {
		char c;
		read(go[0], &c, 1);
		abi_sleep_ms(50);
		mq_send(a, "hello", 5, 1);
		_exit(0);
	}
	write(go[1], "g", 1);
	CHECK_STR("poll on the other descriptor woken",
		  revents_str(poll_one(b, POLLIN, 5000)), "IN");
	abi_wait(pid);
	CHECK_EQ("epoll on the other descriptor reports", count_ready(ep, NULL), 1);
	char buf[16];
	mq_receive(b, buf, sizeof(buf), NULL);
	pid = abi_fork();
	if (pid == 0) {
		char c;
		read(go[0], &c, 1);
		abi_sleep_ms(50);
		mq_send(a, "again", 5, 1);
		_exit(0);
	}
	write(go[1], "g", 1);
	struct epoll_event out;
	CHECK_EQ("sleeping epoll_wait woken", epoll_wait(ep, &out, 1, 5000), 1);
	abi_wait(pid);
	close(go[0]), close(go[1]), close(ep);
	mq_close(a), mq_close(b);
	mq_unlink(name);
}

static void
test_exclusive_rules(void)
{
	int ep = epoll_create1(0), inner = epoll_create1(0);
	int efd = eventfd(0, 0);
	struct epoll_event ev = { .events = EPOLLIN | EPOLLEXCLUSIVE };
	CHECK_ERR("exclusive on an epoll fd", epoll_ctl(ep, EPOLL_CTL_ADD, inner, &ev), EINVAL);
	struct epoll_event bad = { .events = EPOLLIN | EPOLLEXCLUSIVE | EPOLLONESHOT };
	CHECK_ERR("exclusive with EPOLLONESHOT", epoll_ctl(ep, EPOLL_CTL_ADD, efd, &bad), EINVAL);
	CHECK_OK("exclusive add", epoll_ctl(ep, EPOLL_CTL_ADD, efd, &ev));
	struct epoll_event plain = { .events = EPOLLIN };
	CHECK_ERR("MOD of an exclusive item", epoll_ctl(ep, EPOLL_CTL_MOD, efd, &plain), EINVAL);
	uint64_t one = 1;
	write(efd, &one, 8);
	CHECK_EQ("exclusive item reports", count_ready(ep, NULL), 1);
	close(efd), close(inner), close(ep);
}

int
main(void)
{
	abi_init();
	test_own_wakeup();
	test_no_foreign_wakeups();
	test_many_instances();
	test_close_watched();
	test_edge_rearm();
	test_thousand_pipes();
	test_nested();
	test_mqueue_shared();
	test_exclusive_rules();
	return abi_done("pollwait");
}
