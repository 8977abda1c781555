/*
 * Native IPC checks, run inside Petrel (tests/system/ipc.py): handles and
 * rights, channel call/reply with segments the server reads and writes,
 * a server that dies, a call a signal withdraws, calls to a server on
 * another CPU, notifications and waits, shared memory objects, and
 * handles across fork and execve. Prints one line per check; exits 1 on the
 * first failure. With "bench N" it prints the cycles of N round trips,
 * short (message and reply in registers) and block form;
 * with "bench N cross" the server runs on CPU 1 and the caller on CPU 0;
 * "bench N rt" makes the round trips alone (for an instruction trace).
 * The block form is also timed with two segments the server reads and
 * writes (round-trip-seg: pt_msg_read and pt_msg_write).
 */
#define _GNU_SOURCE
#include <petrel/native.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>
#include "bkl.h"

static void
check(int ok, const char *what, long got)
{
	if (!ok) {
		printf("ipc: FAIL %s (got %ld)\n", what, got);
		exit(1);
	}
	printf("ipc: ok %s\n", what);
}

/* ---- A server: upper-cases segment 0 into segment 1 ----------------------- */

#define OP_UPPER 1
#define OP_SUM 2
#define OP_EXIT_NO_REPLY 3
#define OP_PING 4
#define OP_SLOW_PING 5		/* slow_server: answers after arg ms */
#define OP_ECHO 6		/* short_server: the words swapped back */
#define OP_IDENT 7		/* short_server: what it learnt of the caller */
#define OP_FILL 8		/* server: arg bytes of fill_byte into seg 0 */
#define OP_CHURN 9		/* server: copies seg 0 to seg 1 until the call
				   is gone; answers nothing */
#define OP_CHURN_END 10		/* server: what ended the last OP_CHURN, once */
#define OP_ALARM 11		/* alarm_server: answers arg, an alarm due in
				   its next receive (after the reply) */
#define OP_EINTRS 12		/* alarm_server: its receives a signal ended */

struct req {
	uint32_t op;
	uint32_t arg;
};

/* The byte OP_FILL writes at offset i. */
static char
fill_byte(uint64_t i)
{
	return (char)(i * 13 + (i >> 12));
}

/* What ended the last OP_CHURN: the first error of its copies. */
static long churn_end;

/*
 * OP_CHURN: segment 0 read and written to segment 1 (a page at a time,
 * over and over) until a copy fails, which a caller that gives its call
 * up makes -ENOENT. The call is not answered: its caller is gone.
 */
static long
churn(pt_handle_t srv, uint64_t token)
{
	char buf[4096];
	for (;;) {
		for (uint64_t off = 0;; off += sizeof(buf)) {
			long n = pt_msg_read(srv, token, 0, off, buf, sizeof(buf));
			if (n == 0)
				break;
			if (n > 0)
				n = pt_msg_write(srv, token, 1, off, buf, (size_t)n);
			if (n < 0)
				return n;
		}
	}
}

static long
serve_one(pt_handle_t srv, struct pt_recv *r, struct req *q)
{
	char buf[4096];
	switch (q->op) {
	case OP_FILL:
		for (uint64_t off = 0; off < q->arg; off += sizeof(buf)) {
			size_t n = q->arg - off < sizeof(buf) ? q->arg - off :
								sizeof(buf);
			for (size_t i = 0; i < n; i++)
				buf[i] = fill_byte(off + i);
			long e = pt_msg_write(srv, r->token, 0, off, buf, n);
			if (e != (long)n)
				return e < 0 ? e : -EIO;
		}
		return q->arg;
	case OP_CHURN:
		churn_end = churn(srv, r->token);
		return -ENOENT;	/* its reply finds no caller */
	case OP_CHURN_END: {	/* told once: 0 until the next churn ends */
		long end = churn_end;
		churn_end = 0;
		return end;
	}
	case OP_UPPER: {
		long n = pt_msg_read(srv, r->token, 0, 0, buf, sizeof(buf));
		if (n < 0)
			return n;
		for (long i = 0; i < n; i++)
			if (buf[i] >= 'a' && buf[i] <= 'z')
				buf[i] = (char)(buf[i] - 32);
		return pt_msg_write(srv, r->token, 1, 0, buf, (size_t)n);
	}
	case OP_SUM: {	/* sums segment 0 in chunks, writes it to seg 1 */
		uint64_t sum = 0, off = 0;
		long n;
		while ((n = pt_msg_read(srv, r->token, 0, off, buf, sizeof(buf))) > 0) {
			for (long i = 0; i < n; i++)
				sum += (unsigned char)buf[i];
			off += (uint64_t)n;
		}
		pt_msg_write(srv, r->token, 1, 0, &sum, sizeof(sum));
		return (long)off;
	}
	case OP_EXIT_NO_REPLY:
		_exit(0);
	case OP_PING:
		return q->arg;
	}
	return -ENOSYS;
}

/* Receives and answers calls until the channel's clients are gone; a
 * reply whose caller gave up (ENOENT) is dropped. */
static void
server(pt_handle_t srv)
{
	struct req q;
	struct pt_recv r = { .msg = (uint64_t)&q, .msg_cap = sizeof(q) };
	uint64_t reply_word;
	for (;;) {
		long e = pt_channel_recv(srv, &r, -1);
		if (e == -ENOENT && r.reply_token) {
			r.reply_token = 0;
			continue;
		}
		if (e < 0)
			_exit(e == -EPIPE ? 0 : 2);
		long status = serve_one(srv, &r, &q);
		reply_word = (uint64_t)status * 2;
		r.reply_token = r.token;
		r.reply_status = status;
		r.reply_data = (uint64_t)&reply_word;
		r.reply_len = sizeof(reply_word);
	}
}

/* Like server, but sleeps arg ms on OP_SLOW_PING first; a reply whose
 * caller gave up (ENOENT) is dropped and the receive made again. */
static void
slow_server(pt_handle_t srv)
{
	struct req q;
	struct pt_recv r = { .msg = (uint64_t)&q, .msg_cap = sizeof(q) };
	uint64_t reply_word;
	for (;;) {
		long e = pt_channel_recv(srv, &r, -1);
		if (e == -ENOENT && r.reply_token) {
			r.reply_token = 0;
			continue;
		}
		if (e < 0)
			_exit(e == -EPIPE ? 0 : 2);
		if (q.op == OP_SLOW_PING)
			usleep(q.arg * 1000);
		reply_word = (uint64_t)q.arg * 2;
		r.reply_token = r.token;
		r.reply_status = q.arg;
		r.reply_data = (uint64_t)&reply_word;
		r.reply_len = sizeof(reply_word);
	}
}

/*
 * The server of the short calls (pt_channel_recv_short): OP_PING and
 * OP_SLOW_PING answer as slow_server does, OP_ECHO with the message's
 * length and its two words swapped, OP_IDENT with the caller's pid, uid,
 * gid, flags and segment count. A reply whose caller gave up (ENOENT) is
 * dropped.
 */
static void
short_server(pt_handle_t srv)
{
	struct pt_short m = { .len = 0 };
	uint64_t token = 0;
	int64_t status = 0;
	for (;;) {
		long t = pt_channel_recv_short(srv, token, status, &m);
		if (t == -ENOENT && token) {
			token = 0;
			continue;
		}
		if (t < 0)
			_exit(t == -EPIPE ? 0 : 2);
		token = (uint64_t)t;
		struct req q;
		memcpy(&q, m.w, sizeof(q));
		switch (q.op) {
		case OP_SLOW_PING:
			usleep(q.arg * 1000);
			/* fall through */
		case OP_PING:
			status = q.arg;
			m.w[0] = (uint64_t)q.arg * 2;
			m.len = 8;
			break;
		case OP_ECHO: {
			uint64_t w0 = m.w[0];
			status = m.len;
			m.w[0] = m.w[1];
			m.w[1] = w0;
			m.len = PT_SHORT_MAX;
			break;
		}
		case OP_IDENT:
			status = m.pid;
			m.w[0] = (uint32_t)m.uid | (uint64_t)(uint32_t)m.gid << 32;
			m.w[1] = m.nseg | (uint64_t)m.flags << 32;
			m.len = PT_SHORT_MAX;
			break;
		case OP_EXIT_NO_REPLY:
			_exit(0);
		default:
			status = -ENOSYS;
			m.len = 0;
		}
	}
}

static void
alarm_server_signal(int sig)
{
	(void)sig;
}

/*
 * A short server whose receives a signal may end (SIGALRM, no
 * SA_RESTART): OP_PING and OP_ALARM answer arg, OP_ALARM with an alarm
 * due 20 ms later, in the receive that gave the reply; OP_EINTRS answers
 * how many receives ended with EINTR. Its own loop, so that
 * short_server's, which the bench times, stays as it is.
 */
static void
alarm_server(pt_handle_t srv)
{
	struct pt_short m = { .len = 0 };
	uint64_t token = 0;
	int64_t status = 0;
	long eintrs = 0;
	struct sigaction sa = { .sa_handler = alarm_server_signal };
	sigaction(SIGALRM, &sa, NULL);
	for (;;) {
		long t = pt_channel_recv_short(srv, token, status, &m);
		token = 0;
		if (t == -EINTR) {	/* the reply, if any, was given */
			eintrs++;
			continue;
		}
		if (t < 0)
			_exit(t == -EPIPE ? 0 : 2);
		token = (uint64_t)t;
		struct req q;
		memcpy(&q, m.w, sizeof(q));
		status = q.op == OP_EINTRS ? eintrs : (int64_t)q.arg;
		if (q.op == OP_ALARM)
			ualarm(20000, 0);
		m.w[0] = (uint64_t)q.arg * 2;
		m.len = 8;
	}
}

/* A second thread that only waits: its process is no longer one thread. */
static void *
idle_thread(void *arg)
{
	(void)arg;
	for (;;)
		pause();
	return NULL;
}

/* short_server in a process of two threads: its receives go the locked
 * way, and never as a receive a fast call may give its call to. */
static void
threaded_short_server(pt_handle_t srv)
{
	pthread_t th;
	if (pthread_create(&th, NULL, idle_thread, NULL) != 0)
		_exit(4);
	short_server(srv);
}

/* call_short for alarm_server's checks: its own, so that call_short's
 * callers, the bench's among them, compile as they did. */
static __attribute__((noinline)) long
alarm_call(pt_handle_t cli, uint32_t op, uint32_t arg, struct pt_short *m)
{
	struct req q = { op, arg };
	*m = (struct pt_short){ .len = sizeof(q) };
	memcpy(m->w, &q, sizeof(q));
	return pt_channel_call_short(cli, m);
}

/* A short call of op and arg; the reply's words in m. */
static long
call_short(pt_handle_t cli, uint32_t op, uint32_t arg, struct pt_short *m)
{
	struct req q = { op, arg };
	*m = (struct pt_short){ .len = sizeof(q) };
	memcpy(m->w, &q, sizeof(q));
	return pt_channel_call_short(cli, m);
}

static long
call(pt_handle_t cli, struct req *q, struct pt_seg *segs, unsigned nseg,
     uint64_t *reply_word)
{
	struct pt_call c = {
		.msg = (uint64_t)q, .msg_len = sizeof(*q),
		.reply = (uint64_t)reply_word, .reply_cap = sizeof(*reply_word),
		.nseg = nseg,
	};
	memcpy(c.seg, segs, nseg * sizeof(*segs));
	return pt_channel_call(cli, &c);
}

static pid_t
start_server_with(pt_handle_t ends[2], void (*serve)(pt_handle_t))
{
	if (pt_channel_create(ends) < 0)
		return -1;
	pid_t pid = fork();
	if (pid == 0) {
		pt_handle_close(ends[0]);
		serve(ends[1]);
	}
	pt_handle_close(ends[1]);
	return pid;
}

static pid_t
start_server(pt_handle_t ends[2])
{
	return start_server_with(ends, server);
}

static void
test_handles(void)
{
	struct pt_dev_info info;
	check(pt_dev_info(1, 0, &info) == -EBADF, "no system handle outside init", 0);
	check(pt_handle_close(77) == -EBADF, "closing no handle is EBADF", 0);
	long n = pt_notify_create();
	check(n > 0, "notify_create", n);
	long weak = pt_handle_dup(n, PT_RIGHT_WAIT);
	check(weak > 0 && weak != n, "dup with fewer rights", weak);
	long e = pt_notify_signal(weak, 1);
	check(e == -EPERM, "signal without SIGNAL is EPERM", e);
	e = pt_handle_dup(weak, PT_RIGHT_WAIT);
	check(e == -EPERM, "dup without DUP is EPERM", e);
	e = pt_handle_dup(n, PT_RIGHTS_ALL);
	check(e == -EPERM, "rights never grow", e);
	struct pt_call c = { 0 };
	e = pt_channel_call((pt_handle_t)n, &c);
	check(e == -EBADFD, "a call on a notification is EBADFD", e);
	struct pt_handle_info hi;
	e = pt_handle_info((pt_handle_t)weak, &hi);
	check(e == 0 && hi.type == PT_OBJ_NOTIFY && hi.rights == PT_RIGHT_WAIT,
	      "handle_info", e);
	e = pt_handle_info((pt_handle_t)weak, (void *)8);
	check(e == -EFAULT, "bad pointer is EFAULT", e);
	pt_handle_close(n);
	pt_handle_close(weak);
}

/* A server asleep in pt_channel_recv ends with EPIPE (its exit status 0)
 * when the last client handle closes. */
static void
test_close_wakes_server(void)
{
	pt_handle_t ends[2];
	pid_t pid = start_server(ends);
	struct req q = { OP_PING, 7 };
	uint64_t word;
	long r = call(ends[0], &q, NULL, 0, &word);
	check(r == 7, "ping, the server now asleep in its receive", r);
	pt_handle_close(ends[0]);
	int status = -1;
	waitpid(pid, &status, 0);
	check(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	      "closing the client ends the server's receive: EPIPE", status);
}

static volatile sig_atomic_t alarms;

static void
on_alarm(int sig)
{
	(void)sig;
	alarms++;
}

/* Keeps the calling process on one CPU; false if it cannot. */
static int
pin_to(int cpu)
{
	cpu_set_t set;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return sched_setaffinity(0, sizeof(set), &set) == 0;
}

/*
 * A signal withdraws a waiting call (EINTR); the server's late reply
 * finds no caller (ENOENT) and the next call is answered. The caller,
 * not the server, ran the signal's handler.
 */
static void
test_call_interrupted(void)
{
	pt_handle_t ends[2];
	pid_t pid = start_server_with(ends, slow_server);
	struct sigaction sa = { .sa_handler = on_alarm };	/* no SA_RESTART */
	sigaction(SIGALRM, &sa, NULL);
	ualarm(100000, 0);
	struct req q = { OP_SLOW_PING, 1000 };
	uint64_t word;
	long r = call(ends[0], &q, NULL, 0, &word);
	check(r == -EINTR, "a signal withdraws a waiting call: EINTR", r);
	q = (struct req){ OP_PING, 9 };
	r = call(ends[0], &q, NULL, 0, &word);
	check(r == 9 && word == 18, "the next call is answered", r);
	pt_handle_close(ends[0]);
	waitpid(pid, NULL, 0);
	signal(SIGALRM, SIG_DFL);
}

/*
 * The short round trip's fast path taken, summed over the CPUs from
 * /proc/petrel/ipc (a header line, then "cpuN calls replies"): 0, or -1
 * where the file cannot be read.
 */
static int
ipc_fast(long *calls, long *replies)
{
	FILE *f = fopen("/proc/petrel/ipc", "r");
	char line[128];
	*calls = *replies = 0;
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		long c, r;
		if (sscanf(line, "cpu%*d %ld %ld", &c, &r) == 2) {
			*calls += c;
			*replies += r;
		}
	}
	fclose(f);
	return 0;
}

/*
 * With a second CPU: calls to a server pinned to it from a caller pinned
 * to this one, so each hand-off queues the other side on its own CPU.
 */
static void
test_cross_cpu(void)
{
	if (!pin_to(1))
		return;		/* one CPU */
	pt_handle_t ends[2];
	pid_t pid = start_server(ends);
	pin_to(0);
	long bad = 0;
	for (uint32_t i = 0; i < 200; i++) {
		struct req q = { OP_PING, i };
		uint64_t word;
		if (call(ends[0], &q, NULL, 0, &word) != i || word != 2 * i)
			bad++;
	}
	check(bad == 0, "calls to a server pinned to another CPU", bad);
	pt_handle_close(ends[0]);
	int status = -1;
	waitpid(pid, &status, 0);
	check(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	      "the pinned server ends with EPIPE", status);
	pin_to(1);
	pid = start_server_with(ends, short_server);
	pin_to(0);
	long calls0, replies0, calls1, replies1;
	int e = ipc_fast(&calls0, &replies0);
	for (uint32_t i = 0; i < 200; i++) {
		struct pt_short m;
		if (call_short(ends[0], OP_PING, i, &m) != i || m.w[0] != 2 * i)
			bad++;
	}
	e |= ipc_fast(&calls1, &replies1);
	check(bad == 0, "short calls to a server pinned to another CPU", bad);
	/* The fast path hands this CPU over: not to a thread pinned away. */
	check(e == 0 && calls1 == calls0 && replies1 == replies0,
	      "short calls across CPUs: the ordinary way, not the fast path",
	      calls1 - calls0 + replies1 - replies0);
	pt_handle_close(ends[0]);
	waitpid(pid, &status, 0);
	check(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	      "the pinned short server ends with EPIPE", status);
	cpu_set_t all;
	CPU_ZERO(&all);
	CPU_SET(0, &all);
	CPU_SET(1, &all);
	sched_setaffinity(0, sizeof(all), &all);
}

/*
 * The short calls (message and reply in registers): between themselves
 * and with the block forms, their bad input, a server dying mid-call, a
 * signal during a call and during a receive, the receive's EPIPE.
 */
static void
test_short(void)
{
	pt_handle_t ends[2];
	pid_t pid = start_server_with(ends, short_server);
	struct pt_short m;
	long r = call_short(ends[0], OP_PING, 21, &m);
	check(r == 21 && m.w[0] == 42 && m.w[1] == 0 && m.len == 8,
	      "short call: status and reply in registers", r);
	m = (struct pt_short){ .w = { OP_ECHO | 0xabcdull << 32, 0x1122 },
			       .len = 16 };
	r = pt_channel_call_short(ends[0], &m);
	check(r == 16 && m.w[0] == 0x1122 &&
	      m.w[1] == (OP_ECHO | 0xabcdull << 32) && m.len == 16,
	      "short call: 16 bytes each way", r);
	r = call_short(ends[0], OP_IDENT, 0, &m);
	check(r == getpid() && m.w[0] == ((uint64_t)getgid() << 32 | getuid()) &&
	      m.w[1] == 0, "short receive: the caller's pid, uid, gid", r);
	m.len = PT_SHORT_MAX + 1;
	r = pt_channel_call_short(ends[0], &m);
	check(r == -EMSGSIZE && m.len == PT_SHORT_MAX + 1,
	      "short call of 17 bytes: EMSGSIZE, m kept", r);
	/* The block call to the short server: its 24 bytes cut to 16. */
	uint64_t msg[3] = { OP_ECHO, 2, 3 }, reply[4] = { 0 };
	struct pt_call c = {
		.msg = (uint64_t)msg, .msg_len = sizeof(msg),
		.reply = (uint64_t)reply, .reply_cap = sizeof(reply),
	};
	r = pt_channel_call(ends[0], &c);
	check(r == 24 && c.reply_len == 16 && reply[0] == 2 &&
	      reply[1] == OP_ECHO, "block call, short receive: cut to 16", r);
	struct pt_seg seg = { .addr = (uint64_t)reply, .len = 8,
			      .flags = PT_SEG_IN };
	struct req q = { OP_IDENT, 0 };
	uint64_t word[2];
	c = (struct pt_call){
		.msg = (uint64_t)&q, .msg_len = sizeof(q),
		.reply = (uint64_t)word, .reply_cap = sizeof(word), .nseg = 1,
	};
	c.seg[0] = seg;
	r = pt_channel_call(ends[0], &c);
	check(r == getpid() && word[1] == 1, "short receive: a segment counted",
	      r);
	/* Bad handles. */
	m = (struct pt_short){ .len = 8 };
	r = pt_channel_call_short(ends[1] + 1000, &m);
	check(r == -EBADF, "short call on no handle: EBADF", r);
	long n = pt_notify_create();
	r = pt_channel_call_short((pt_handle_t)n, &m);
	check(r == -EBADFD, "short call on a notification: EBADFD", r);
	r = pt_channel_recv_short((pt_handle_t)n, 0, 0, &m);
	check(r == -EBADFD, "short receive on a notification: EBADFD", r);
	pt_handle_close((pt_handle_t)n);
	long weak = pt_handle_dup(ends[0], PT_RIGHT_WAIT | PT_RIGHT_DUP);
	r = pt_channel_call_short((pt_handle_t)weak, &m);
	check(r == -EPERM, "short call without WRITE: EPERM", r);
	pt_handle_close((pt_handle_t)weak);
	/* A signal withdraws a short call; the late reply finds no caller. */
	struct sigaction sa = { .sa_handler = on_alarm };	/* no SA_RESTART */
	sigaction(SIGALRM, &sa, NULL);
	alarms = 0;
	ualarm(100000, 0);
	r = call_short(ends[0], OP_SLOW_PING, 1000, &m);
	/* The handler ran on the way out, before the call returned (the
	   call runs without the big lock; its EINTR goes the locked way). */
	check(r == -EINTR && alarms == 1,
	      "a signal withdraws a short call: EINTR, handler run", r);
	r = call_short(ends[0], OP_PING, 5, &m);
	check(r == 5 && m.w[0] == 10, "the next short call is answered", r);
	/* Short calls between one-thread processes take no big lock. */
	long before = bkl_acquired(), bad = 0;
	for (uint32_t i = 0; i < 1000; i++)
		if (call_short(ends[0], OP_PING, i, &m) != (long)i ||
		    m.w[0] != 2ull * i)
			bad++;
	long taken = bkl_acquired() - before;
	check(bad == 0 && (before < 0 || taken < 200),
	      "1000 short round trips, the big lock taken under 200 times",
	      taken);
	/* ... and the fast path nearly each time, both ways (the server
	   waits in its short receive on the caller's CPU). */
	long calls0, replies0, calls1, replies1;
	int e = ipc_fast(&calls0, &replies0);
	for (uint32_t i = 0; i < 1000; i++)
		if (call_short(ends[0], OP_PING, i, &m) != (long)i ||
		    m.w[0] != 2ull * i)
			bad++;
	e |= ipc_fast(&calls1, &replies1);
	check(bad == 0 && e == 0 && calls1 - calls0 >= 900 &&
	      replies1 - replies0 >= 900,
	      "1000 short round trips, the fast path 900 times each way at least",
	      calls1 - calls0);
	/* A signal for a server asleep in the receive its fast reply
	   began: EINTR there, and the next call is answered. */
	{
		pt_handle_t aends[2];
		pid_t apid = start_server_with(aends, alarm_server);
		ipc_fast(&calls0, &replies0);
		r = alarm_call(aends[0], OP_PING, 1, &m);	/* it waits */
		r = r == 1 ? alarm_call(aends[0], OP_ALARM, 3, &m) : r;
		usleep(100000);
		ipc_fast(&calls1, &replies1);
		long eintrs = alarm_call(aends[0], OP_EINTRS, 0, &m);
		r = r == 3 ? alarm_call(aends[0], OP_PING, 6, &m) : r;
		check(r == 6 && m.w[0] == 12 && eintrs == 1 &&
		      replies1 > replies0,
		      "a signal for a server asleep after its fast reply: "
		      "EINTR there, the next call answered", eintrs);
		pt_handle_close(aends[0]);
		waitpid(apid, NULL, 0);
	}
	/* Processes with threads take the ordinary (locked) way: a client
	   with two threads makes no fast call, and a server with two is
	   given none. Both are answered. */
	{
		pthread_t th;
		long bad2 = 0;
		int made = pthread_create(&th, NULL, idle_thread, NULL) == 0;
		ipc_fast(&calls0, &replies0);
		for (uint32_t i = 0; i < 100; i++)
			if (alarm_call(ends[0], OP_PING, i, &m) != (long)i ||
			    m.w[0] != 2ull * i)
				bad2++;
		ipc_fast(&calls1, &replies1);
		check(made && bad2 == 0 && calls1 == calls0,
		      "short calls from a process with two threads: answered, "
		      "no fast call", calls1 - calls0 + bad2);
		if (made) {
			pthread_cancel(th);
			pthread_join(th, NULL);
		}
		pt_handle_t tends[2];
		pid_t tpid = start_server_with(tends, threaded_short_server);
		alarm_call(tends[0], OP_PING, 1, &m);	/* it waits */
		ipc_fast(&calls0, &replies0);
		for (uint32_t i = 0; i < 100; i++)
			if (alarm_call(tends[0], OP_PING, i, &m) != (long)i ||
			    m.w[0] != 2ull * i)
				bad2++;
		ipc_fast(&calls1, &replies1);
		check(bad2 == 0 && calls1 == calls0 && replies1 == replies0,
		      "short calls to a server with two threads: answered, "
		      "the ordinary way", calls1 - calls0 + bad2);
		pt_handle_close(tends[0]);
		waitpid(tpid, NULL, 0);
	}
	/* A client killed in a fast call the server is still on: the call
	   is withdrawn, the late reply dropped, the next call answered. */
	{
		pid_t cpid = fork();
		if (cpid == 0) {
			struct pt_short cm;
			alarm_call(ends[0], OP_SLOW_PING, 200, &cm);
			_exit(3);
		}
		usleep(50000);
		kill(cpid, SIGKILL);
		int cst = 0;
		waitpid(cpid, &cst, 0);
		r = alarm_call(ends[0], OP_PING, 7, &m);
		check(WIFSIGNALED(cst) && WTERMSIG(cst) == SIGKILL && r == 7 &&
		      m.w[0] == 14,
		      "a client killed mid fast call: the next call answered", r);
	}
	/* A block call to the short server: the ordinary way, answered. */
	{
		struct req q = { OP_PING, 11 };
		uint64_t word = 0;
		ipc_fast(&calls0, &replies0);
		r = call(ends[0], &q, NULL, 0, &word);
		ipc_fast(&calls1, &replies1);
		check(r == 11 && word == 22 && calls1 == calls0,
		      "block call, short receive: not a fast call", r);
	}
	/* The short call to a block server (reply room 16, given 8). */
	pt_handle_t bends[2];
	pid_t bpid = start_server(bends);
	r = call_short(bends[0], OP_PING, 8, &m);
	check(r == 8 && m.w[0] == 16 && m.len == 8,
	      "short call, block receive", r);
	pt_handle_close(bends[0]);
	waitpid(bpid, NULL, 0);
	/* The server dies mid-call. */
	r = call_short(ends[0], OP_EXIT_NO_REPLY, 0, &m);
	check(r == -ECONNRESET && m.len == 0,
	      "server died mid short call: ECONNRESET", r);
	waitpid(pid, NULL, 0);
	r = call_short(ends[0], OP_PING, 1, &m);
	check(r == -ECONNRESET && m.len == 8,
	      "a short call to a dead server: ECONNRESET", r);
	pt_handle_close(ends[0]);

	/* The receive's own errors, in this process. */
	if (pt_channel_create(ends) < 0)
		check(0, "channel_create", 0);
	m = (struct pt_short){ .len = PT_SHORT_MAX + 1 };
	r = pt_channel_recv_short(ends[1], 5, 0, &m);
	check(r == -EMSGSIZE, "short reply of 17 bytes: EMSGSIZE", r);
	m.len = 8;
	r = pt_channel_recv_short(ends[1], 12345, 0, &m);
	check(r == -ENOENT, "short reply to no call: ENOENT", r);
	r = pt_channel_recv_short(ends[0], 0, 0, &m);
	check(r == -EBADFD, "short receive on a client end: EBADFD", r);
	alarms = 0;
	ualarm(50000, 0);
	r = pt_channel_recv_short(ends[1], 0, 0, &m);
	check(r == -EINTR && alarms == 1,
	      "a signal ends a waiting short receive: EINTR, handler run", r);
	signal(SIGALRM, SIG_DFL);
	pt_handle_close(ends[0]);
	r = pt_channel_recv_short(ends[1], 0, 0, &m);
	check(r == -EPIPE, "short receive with no client: EPIPE", r);
	pt_handle_close(ends[1]);
}

static void
test_channel(void)
{
	pt_handle_t ends[2];
	pid_t pid = start_server(ends);
	check(pid > 0, "server started", pid);

	char in[] = "hello, petrel", out[sizeof(in)] = { 0 };
	struct pt_seg segs[2] = {
		{ (uint64_t)in, sizeof(in), PT_SEG_IN, 0 },
		{ (uint64_t)out, sizeof(out), PT_SEG_OUT, 0 },
	};
	struct req q = { OP_UPPER, 0 };
	uint64_t word = 0;
	long st = call(ends[0], &q, segs, 2, &word);
	check(st == (long)sizeof(in) && strcmp(out, "HELLO, PETREL") == 0 &&
	      word == 2 * sizeof(in), "call: server read and wrote our buffers", st);

	/* A segment the server may only read cannot be written. */
	segs[1].flags = PT_SEG_IN;
	st = call(ends[0], &q, segs, 2, &word);
	check(st == -EPERM, "writing an IN-only segment is EPERM", st);

	/* 4 MiB through one segment, in chunks, against a checksum. */
	size_t big = 4 << 20;
	unsigned char *buf = malloc(big);
	uint64_t sum = 0, got = 0;
	for (size_t i = 0; i < big; i++) {
		buf[i] = (unsigned char)(i * 7 + (i >> 12));
		sum += buf[i];
	}
	struct pt_seg bsegs[2] = {
		{ (uint64_t)buf, big, PT_SEG_IN, 0 },
		{ (uint64_t)&got, sizeof(got), PT_SEG_OUT, 0 },
	};
	q.op = OP_SUM;
	st = call(ends[0], &q, bsegs, 2, &word);
	check(st == (long)big && got == sum, "4 MiB read by the server, checksum", st);
	free(buf);

	/* Segments outside user space are refused before any call. */
	struct pt_seg bad = { 0xffff800000000000ull, 16, PT_SEG_IN, 0 };
	st = call(ends[0], &q, &bad, 1, &word);
	check(st == -EINVAL, "kernel-address segment is EINVAL", st);

	/* The server dies holding the call: the caller gets ECONNRESET. */
	q.op = OP_EXIT_NO_REPLY;
	st = call(ends[0], &q, NULL, 0, &word);
	check(st == -ECONNRESET, "server died mid-call: ECONNRESET", st);
	q.op = OP_PING;
	st = call(ends[0], &q, NULL, 0, &word);
	check(st == -ECONNRESET, "later calls: ECONNRESET", st);
	struct pt_wait_item w = { ends[0], 0, PT_SIG_PEER_CLOSED, 0 };
	st = pt_wait(&w, 1, 0);
	check(st == 1 && w.got == PT_SIG_PEER_CLOSED, "client sees PEER_CLOSED", st);
	int status;
	waitpid(pid, &status, 0);
	pt_handle_close(ends[0]);
}

/*
 * The block form without the big lock: calls with segments the server
 * reads and writes take it rarely; the server's copies fault the caller's
 * untouched pages in (a fault takes it); a caller that gives its call up
 * while the server copies, by a signal or by dying, ends the copies with
 * ENOENT and the kernel goes on.
 */
static void
test_block_nolock(void)
{
	pt_handle_t ends[2];
	pid_t pid = start_server(ends);
	char in[64], out[64];
	memset(in, 'x', sizeof(in));
	struct pt_seg segs[2] = {
		{ (uint64_t)in, sizeof(in), PT_SEG_IN, 0 },
		{ (uint64_t)out, sizeof(out), PT_SEG_OUT, 0 },
	};
	struct req q = { OP_UPPER, 0 };
	uint64_t word;
	long before = bkl_acquired(), bad = 0;
	for (int i = 0; i < 1000; i++)
		if (call(ends[0], &q, segs, 2, &word) != (long)sizeof(in) ||
		    out[i % sizeof(out)] != 'X')
			bad++;
	long taken = bkl_acquired() - before;
	check(bad == 0 && (before < 0 || taken < 200),
	      "1000 block calls with segments, the big lock taken under 200 times",
	      taken);

	/* Pages the caller never touched: each write faults one in. */
	size_t size = 1 << 20;
	char *fresh = mmap(NULL, size, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct pt_seg fseg = { (uint64_t)fresh, size, PT_SEG_OUT, 0 };
	q = (struct req){ OP_FILL, (uint32_t)size };
	long st = call(ends[0], &q, &fseg, 1, &word);
	bad = 0;
	for (size_t i = 0; i < size; i++)
		bad += fresh[i] != fill_byte(i);
	check(st == (long)size && bad == 0,
	      "the server's writes fault the caller's fresh pages in", st);
	munmap(fresh, size);

	/* A signal withdraws the call while the server copies. */
	size = 4 << 20;
	char *a = malloc(size), *b = malloc(size);
	memset(a, 1, size);
	memset(b, 2, size);
	struct pt_seg csegs[2] = {
		{ (uint64_t)a, size, PT_SEG_IN, 0 },
		{ (uint64_t)b, size, PT_SEG_OUT, 0 },
	};
	struct sigaction sa = { .sa_handler = on_alarm };	/* no SA_RESTART */
	sigaction(SIGALRM, &sa, NULL);
	alarms = 0;
	ualarm(50000, 0);
	q = (struct req){ OP_CHURN, 0 };
	st = call(ends[0], &q, csegs, 2, &word);
	signal(SIGALRM, SIG_DFL);
	check(st == -EINTR && alarms == 1,
	      "a signal withdraws a call the server copies: EINTR", st);
	q = (struct req){ OP_CHURN_END, 0 };
	st = call(ends[0], &q, NULL, 0, &word);
	check(st == -ENOENT, "the server's next copy: ENOENT", st);

	/* The caller is killed while the server copies: its memory goes. */
	pid_t child = fork();
	if (child == 0) {
		q = (struct req){ OP_CHURN, 0 };
		call(ends[0], &q, csegs, 2, &word);
		_exit(3);
	}
	usleep(50000);
	kill(child, SIGKILL);
	int status = -1;
	waitpid(child, &status, 0);
	q = (struct req){ OP_CHURN_END, 0 };
	st = call(ends[0], &q, NULL, 0, &word);
	check(WIFSIGNALED(status) && st == -ENOENT,
	      "a caller killed while the server copies: ENOENT", st);
	free(a);
	free(b);
	pt_handle_close(ends[0]);
	waitpid(pid, &status, 0);
	check(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	      "the copying server ends with EPIPE", status);
}

static void
test_notify_wait(void)
{
	pt_handle_t n = (pt_handle_t)pt_notify_create();
	struct pt_wait_item w = { n, 0, 0x0f, 0 };
	long st = pt_wait(&w, 1, 0);
	check(st == 0, "nothing raised: wait(0) returns 0", st);
	st = pt_wait(&w, 1, 20000000);
	check(st == 0, "timeout after 20 ms returns 0", st);
	pt_notify_signal(n, 0x12);
	st = pt_wait(&w, 1, -1);
	check(st == 1 && w.got == 0x02, "wait takes the wanted bits", st);
	w.want = 0x10;
	st = pt_wait(&w, 1, 0);
	check(st == 1 && w.got == 0x10, "the other bit stayed", st);

	/* A child raises a bit while we sleep. */
	pid_t pid = fork();
	if (pid == 0) {
		usleep(20000);
		pt_notify_signal(n, 0x100);
		_exit(0);
	}
	w.want = 0x100;
	st = pt_wait(&w, 1, -1);
	check(st == 1 && w.got == 0x100, "woken by another process's signal", st);
	waitpid(pid, NULL, 0);

	/* A server end becomes readable when a call is queued. */
	pt_handle_t ends[2];
	pt_channel_create(ends);
	pid = fork();
	if (pid == 0) {
		struct req q = { OP_PING, 42 };
		uint64_t word;
		_exit(call(ends[0], &q, NULL, 0, &word) == 42 ? 0 : 1);
	}
	struct pt_wait_item two[2] = {
		{ n, 0, 1, 0 },
		{ ends[1], 0, PT_SIG_READABLE, 0 },
	};
	st = pt_wait(two, 2, -1);
	check(st == 1 && two[1].got == PT_SIG_READABLE && !two[0].got,
	      "wait on two: the channel is readable", st);
	struct req q;
	struct pt_recv r = { .msg = (uint64_t)&q, .msg_cap = sizeof(q) };
	st = pt_channel_recv(ends[1], &r, 0);
	check(st == 0 && r.pid == pid && q.arg == 42, "recv names the caller", st);
	pt_channel_reply(ends[1], r.token, q.arg, NULL, 0);
	st = pt_channel_reply(ends[1], r.token, 0, NULL, 0);
	check(st == -ENOENT, "a token answers once", st);
	int status;
	waitpid(pid, &status, 0);
	check(WIFEXITED(status) && WEXITSTATUS(status) == 0, "the caller got 42", status);
	pt_handle_close(ends[0]);
	st = pt_channel_recv(ends[1], &r, -1);
	check(st == -EPIPE, "recv with every client gone: EPIPE", st);
	pt_handle_close(ends[1]);
	pt_handle_close(n);
}

static void
test_memory(void)
{
	long m = pt_mem_create(3 * 4096, 0);
	check(m > 0, "mem_create", m);
	long a = pt_mem_map((pt_handle_t)m, NULL, 0, 3 * 4096, PROT_READ | PROT_WRITE);
	check(a > 0, "mem_map", a);
	struct pt_mem_info mi;
	long st = pt_mem_info((pt_handle_t)m, &mi);
	check(st == 0 && mi.size == 3 * 4096 && mi.phys == 0,
	      "mem_info: size, no physical address without DMA", st);
	long ro = pt_handle_dup((pt_handle_t)m, PT_RIGHT_MAP_READ);
	st = pt_mem_map((pt_handle_t)ro, NULL, 0, 4096, PROT_READ | PROT_WRITE);
	check(st == -EPERM, "writable map without MAP_WRITE is EPERM", st);
	st = pt_mem_map((pt_handle_t)m, NULL, 0, 4096, PROT_WRITE | PROT_EXEC);
	check(st == -EINVAL, "writable and executable map is EINVAL", st);
	st = pt_mem_map((pt_handle_t)m, NULL, 4096, 3 * 4096, PROT_READ);
	check(st == -EINVAL, "map past the end is EINVAL", st);

	pid_t pid = fork();
	if (pid == 0) {	/* maps it again on its own and writes */
		long b = pt_mem_map((pt_handle_t)m, NULL, 4096, 4096,
				    PROT_READ | PROT_WRITE);
		if (b < 0)
			_exit(1);
		strcpy((char *)b, "written by the child");
		_exit(0);
	}
	waitpid(pid, NULL, 0);
	check(strcmp((char *)a + 4096, "written by the child") == 0,
	      "memory object shared across processes", 0);
	pt_handle_close((pt_handle_t)m);
	pt_handle_close((pt_handle_t)ro);
	check(strcmp((char *)a + 4096, "written by the child") == 0,
	      "mapping outlives the handle", 0);
	munmap((void *)a, 3 * 4096);
}

static void
test_exec(const char *self)
{
	long kept = pt_notify_create(), dropped = pt_notify_create();
	pt_handle_keep((pt_handle_t)kept, PT_KEEP_ON_EXEC);
	pid_t pid = fork();
	if (pid == 0) {
		char a[16], b[16];
		snprintf(a, sizeof(a), "%ld", kept);
		snprintf(b, sizeof(b), "%ld", dropped);
		execl(self, self, "exec-check", a, b, (char *)NULL);
		_exit(3);
	}
	int status;
	waitpid(pid, &status, 0);
	check(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	      "execve keeps only kept handles", status);
	pt_handle_close((pt_handle_t)kept);
	pt_handle_close((pt_handle_t)dropped);
}

static int
exec_check(const char *kept, const char *dropped)
{
	struct pt_handle_info hi;
	if (pt_handle_info(atoi(kept), &hi) != 0 || hi.type != PT_OBJ_NOTIFY)
		return 1;
	return pt_handle_info(atoi(dropped), &hi) == -EBADF ? 0 : 2;
}

/* The cycle counter (AArch64: the virtual counter, a coarser clock). */
static inline uint64_t
rdtsc(void)
{
#if defined(__aarch64__)
	uint64_t v;
	__asm__ volatile("isb; mrs %0, cntvct_el0" : "=r"(v));
	return v;
#else
	uint32_t lo, hi;
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return (uint64_t)hi << 32 | lo;
#endif
}

/* Cycles per round trip (-icount: instructions) of n calls through
 * client end cli: short (pt_channel_call_short), block, or block with two
 * 16-byte segments that the server reads and writes (OP_UPPER: one
 * pt_msg_read, one pt_msg_write). */
enum { RT_SHORT, RT_BLOCK, RT_SEG };

static uint64_t
round_trips(pt_handle_t cli, int n, int form)
{
	struct req q = { OP_PING, 1 }, up = { OP_UPPER, 0 };
	uint64_t word;
	struct pt_short m;
	char in[16] = "round trip, seg", out[16];
	struct pt_seg segs[2] = {
		{ (uint64_t)in, sizeof(in), PT_SEG_IN, 0 },
		{ (uint64_t)out, sizeof(out), PT_SEG_OUT, 0 },
	};
	uint64_t t0 = rdtsc();
	if (form == RT_SHORT)
		for (int i = 0; i < n; i++)
			call_short(cli, OP_PING, 1, &m);
	else if (form == RT_BLOCK)
		for (int i = 0; i < n; i++)
			call(cli, &q, NULL, 0, &word);
	else
		for (int i = 0; i < n; i++)
			call(cli, &up, segs, 2, &word);
	return (rdtsc() - t0) / (uint64_t)n;
}

/* Cycles per round trip (-icount: instructions), short, block form and block with segments,
 * per null system call with the big lock (getppid) and per one without
 * it (getpid). "rt" makes the short round trips alone. */
static int
bench(int n, int cross, int rt_only)
{
	pt_handle_t ends[2], bends[2];
	if (cross && !pin_to(1)) {	/* the servers, forked now, stay there */
		printf("ipc-bench: no CPU 1\n");
		return 1;
	}
	pid_t pid = start_server_with(ends, short_server);
	pid_t bpid = rt_only ? -1 : start_server(bends);
	if (cross)
		pin_to(0);
	/* Warm up (pages, caches) and leave both servers asleep in their
	   receive: a server not yet run would wait in the run queue, and
	   every system call's exit would take the slow way. */
	round_trips(ends[0], 100, RT_SHORT);
	if (!rt_only) {
		round_trips(bends[0], 100, RT_BLOCK);
		round_trips(bends[0], 100, RT_SEG);
	}
	uint64_t rt = round_trips(ends[0], n, RT_SHORT);
	uint64_t rt_block = rt_only ? 0 : round_trips(bends[0], n, RT_BLOCK);
	uint64_t rt_seg = rt_only ? 0 : round_trips(bends[0], n, RT_SEG);
	uint64_t t1 = rdtsc();
	for (int i = 0; i < n && !rt_only; i++)
		getppid();
	uint64_t t2 = rdtsc();
	for (int i = 0; i < n && !rt_only; i++)
		getpid();
	uint64_t t3 = rdtsc();
	const char *where = cross ? "cross-cpu " : "";
	printf("ipc-bench: %sround-trip %llu\n", where, (unsigned long long)rt);
	printf("ipc-bench: %sround-trip-block %llu\n", where,
	       (unsigned long long)rt_block);
	printf("ipc-bench: %sround-trip-seg %llu\n", where,
	       (unsigned long long)rt_seg);
	printf("ipc-bench: null-syscall %llu\n", (unsigned long long)((t2 - t1) / n));
	/* getpid runs without the big lock (docs/kernel.md). */
	printf("ipc-bench: null-syscall-nolock %llu\n",
	       (unsigned long long)((t3 - t2) / n));
	if (!rt_only) {	/* first: its server holds a copy of ends[0] */
		pt_handle_close(bends[0]);
		waitpid(bpid, NULL, 0);
	}
	pt_handle_close(ends[0]);
	waitpid(pid, NULL, 0);
	return 0;
}

int
main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	if (argc == 4 && strcmp(argv[1], "exec-check") == 0)
		return exec_check(argv[2], argv[3]);
	if ((argc == 3 || argc == 4) && strcmp(argv[1], "bench") == 0)
		return bench(atoi(argv[2]),
			     argc == 4 && strcmp(argv[3], "cross") == 0,
			     argc == 4 && strcmp(argv[3], "rt") == 0);
	test_handles();
	test_channel();
	test_close_wakes_server();
	test_call_interrupted();
	test_short();
	test_block_nolock();
	test_cross_cpu();
	test_notify_wait();
	test_memory();
	test_exec(argv[0]);
	printf("ipc: all passed\n");
	return 0;
}
