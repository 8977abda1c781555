/*
 * POSIX timers: timer_create (ids, clocks, sigevents and their errors),
 * timer_settime/gettime (relative, absolute, periodic, SIGEV_NONE),
 * the SI_TIMER siginfo through sigtimedwait and a handler, overrun
 * counts, SIGEV_THREAD_ID, CPU-time clocks, timer_delete (which takes
 * a pending signal with it, as Linux 6.13 and later), and that a child
 * does not inherit timers. Raw system calls, so the C library's
 * SIGEV_THREAD emulation stays out of it. Times print only "ok".
 */
#include "abi.h"

#include <pthread.h>
#include <sys/syscall.h>

#ifndef SIGEV_THREAD_ID
#define SIGEV_THREAD_ID 4
#endif
/* musl's name for the thread of SIGEV_THREAD_ID; older glibc has only
 * its own (the aarch64 build). */
#if defined(__GLIBC__) && !defined(sigev_notify_thread_id)
#define sigev_notify_thread_id _sigev_un._tid
#endif

static long
tcreate(clockid_t clock, struct sigevent *ev, int *id)
{
	return syscall(SYS_timer_create, clock, ev, id);
}

static long
tset(int id, int flags, long long value_ns, long long interval_ns,
    struct itimerspec *old)
{
	struct itimerspec its = {
		{ interval_ns / 1000000000, interval_ns % 1000000000 },
		{ value_ns / 1000000000, value_ns % 1000000000 },
	};
	return syscall(SYS_timer_settime, id, flags, &its, old);
}

static long long
ts_ns(const struct timespec *ts)
{
	return ts->tv_sec * 1000000000LL + ts->tv_nsec;
}

static struct sigevent
sev(int notify, int sig, int value)
{
	struct sigevent ev;
	memset(&ev, 0, sizeof(ev));
	ev.sigev_notify = notify;
	ev.sigev_signo = sig;
	ev.sigev_value.sival_int = value;
	return ev;
}

/* Waits up to ms for sig (blocked); its siginfo in *si, or -1. */
static int
wait_sig(int sig, siginfo_t *si, long ms)
{
	sigset_t set;
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000 };
	sigemptyset(&set);
	sigaddset(&set, sig);
	return sigtimedwait(&set, si, &ts);
}

static void
block(int sig)
{
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, sig);
	sigprocmask(SIG_BLOCK, &set, NULL);
}

static void
test_create(void)
{
	int id = -1, id2 = -1, id3 = -1;
	struct sigevent ev;

	CHECK_OK("create MONOTONIC, no sigevent",
	    tcreate(CLOCK_MONOTONIC, NULL, &id));
	CHECK_EQ("first id", id, 0);
	CHECK_OK("create REALTIME", tcreate(CLOCK_REALTIME, NULL, &id2));
	CHECK_EQ("second id", id2, 1);
	CHECK_OK("delete the first", syscall(SYS_timer_delete, id));
	CHECK_OK("create BOOTTIME", tcreate(CLOCK_BOOTTIME, NULL, &id3));
	CHECK_EQ("ids go on", id3, 2);
	syscall(SYS_timer_delete, id2);
	syscall(SYS_timer_delete, id3);

	CHECK_ERR("clock 99", tcreate(99, NULL, &id), EINVAL);
	CHECK_ERR("clock MONOTONIC_RAW", tcreate(CLOCK_MONOTONIC_RAW, NULL,
	    &id), EOPNOTSUPP);
	CHECK_ERR("clock MONOTONIC_COARSE", tcreate(CLOCK_MONOTONIC_COARSE,
	    NULL, &id), EOPNOTSUPP);
	CHECK_ERR("sigevent bad address", tcreate(CLOCK_MONOTONIC,
	    (void *)8, &id), EFAULT);
	ev = sev(3, SIGUSR1, 0);
	CHECK_ERR("sigev_notify 3", tcreate(CLOCK_MONOTONIC, &ev, &id), EINVAL);
	ev = sev(SIGEV_SIGNAL, 0, 0);
	CHECK_ERR("signal 0", tcreate(CLOCK_MONOTONIC, &ev, &id), EINVAL);
	ev = sev(SIGEV_SIGNAL, 65, 0);
	CHECK_ERR("signal 65", tcreate(CLOCK_MONOTONIC, &ev, &id), EINVAL);
	ev = sev(SIGEV_NONE, 0, 0);
	CHECK_OK("SIGEV_NONE with signal 0", tcreate(CLOCK_MONOTONIC, &ev,
	    &id));
	syscall(SYS_timer_delete, id);
	ev = sev(SIGEV_SIGNAL | SIGEV_THREAD_ID, SIGUSR1, 0);
	ev.sigev_notify_thread_id = 1;
	CHECK_ERR("THREAD_ID of another process", tcreate(CLOCK_MONOTONIC,
	    &ev, &id), EINVAL);
	CHECK_ERR("id bad address", tcreate(CLOCK_MONOTONIC, NULL, (void *)8),
	    EFAULT);

	struct itimerspec its = { { 0, 0 }, { 1, 0 } };
	CHECK_ERR("settime no timer", syscall(SYS_timer_settime, 99, 0, &its,
	    NULL), EINVAL);
	CHECK_ERR("gettime no timer", syscall(SYS_timer_gettime, 99, &its),
	    EINVAL);
	CHECK_ERR("getoverrun no timer", syscall(SYS_timer_getoverrun, 99),
	    EINVAL);
	CHECK_ERR("delete no timer", syscall(SYS_timer_delete, 99), EINVAL);
	CHECK_OK("create", tcreate(CLOCK_MONOTONIC, NULL, &id));
	CHECK_ERR("settime NULL", syscall(SYS_timer_settime, id, 0, NULL,
	    NULL), EINVAL);
	CHECK_ERR("settime bad address", syscall(SYS_timer_settime, id, 0,
	    (void *)8, NULL), EFAULT);
	its.it_value.tv_nsec = 1000000000;
	CHECK_ERR("settime nsec 1e9", syscall(SYS_timer_settime, id, 0, &its,
	    NULL), EINVAL);
	its.it_value.tv_nsec = 0;
	its.it_interval.tv_sec = -1;
	CHECK_ERR("settime negative interval", syscall(SYS_timer_settime, id,
	    0, &its, NULL), EINVAL);
	CHECK_OK("delete", syscall(SYS_timer_delete, id));
	CHECK_ERR("delete again", syscall(SYS_timer_delete, id), EINVAL);
}

static void
test_gettime(void)
{
	int id;
	struct itimerspec cur, old;
	/* Linux reads a disarmed SIGEV_NONE timer's old expiry: SIGUSR1,
	   blocked, and times too long to come. */
	struct sigevent ev = sev(SIGEV_SIGNAL, SIGUSR1, 0);

	block(SIGUSR1);
	tcreate(CLOCK_MONOTONIC, &ev, &id);
	CHECK_OK("gettime disarmed", syscall(SYS_timer_gettime, id, &cur));
	CHECK("disarmed reads zero", ts_ns(&cur.it_value) == 0 &&
	    ts_ns(&cur.it_interval) == 0);
	CHECK_OK("arm 10 s", tset(id, 0, 10000000000LL, 0, NULL));
	syscall(SYS_timer_gettime, id, &cur);
	CHECK("10 s left", ts_ns(&cur.it_value) > 9000000000LL &&
	    ts_ns(&cur.it_value) <= 10000000000LL);
	CHECK_OK("re-arm periodic", tset(id, 0, 5000000000LL, 250000000,
	    &old));
	CHECK("old value returned", ts_ns(&old.it_value) > 9000000000LL &&
	    ts_ns(&old.it_interval) == 0);
	syscall(SYS_timer_gettime, id, &cur);
	CHECK_EQ("interval read back", ts_ns(&cur.it_interval), 250000000);
	CHECK_OK("disarm", tset(id, 0, 0, 0, &old));
	CHECK("old periodic value", ts_ns(&old.it_value) > 4000000000LL);
	syscall(SYS_timer_gettime, id, &cur);
	CHECK_EQ("disarmed again", ts_ns(&cur.it_value), 0);

	syscall(SYS_timer_delete, id);

	/* SIGEV_NONE: an expired one-shot reads 0, a periodic one runs on. */
	ev = sev(SIGEV_NONE, 0, 0);
	tcreate(CLOCK_MONOTONIC, &ev, &id);
	tset(id, 0, 1000000, 0, NULL);
	abi_sleep_ms(20);
	syscall(SYS_timer_gettime, id, &cur);
	CHECK_EQ("SIGEV_NONE expired one-shot", ts_ns(&cur.it_value), 0);
	tset(id, 0, 1000000, 30000000, NULL);
	abi_sleep_ms(20);
	syscall(SYS_timer_gettime, id, &cur);
	CHECK("SIGEV_NONE periodic runs on", ts_ns(&cur.it_value) > 0 &&
	    ts_ns(&cur.it_value) <= 30000000);
	syscall(SYS_timer_delete, id);
}

static void
test_signal(void)
{
	int id;
	siginfo_t si;
	/* Compared, not printed: SIGRTMIN is the C library's (34 in glibc,
	 * 35 in musl). */
	int sig = SIGRTMIN + 1;
	struct sigevent ev = sev(SIGEV_SIGNAL, sig, 42);

	block(sig);
	CHECK_OK("create SIGRTMIN+1", tcreate(CLOCK_MONOTONIC, &ev, &id));
	CHECK_OK("arm 20 ms", tset(id, 0, 20000000, 0, NULL));
	CHECK("signal comes", wait_sig(sig, &si, 5000) == sig);
	CHECK_EQ("si_code SI_TIMER", si.si_code, SI_TIMER);
	CHECK_EQ("si_timerid", si.si_timerid, id);
	CHECK_EQ("si_value", si.si_value.sival_int, 42);
	CHECK_EQ("si_overrun", si.si_overrun, 0);
	CHECK_EQ("getoverrun", syscall(SYS_timer_getoverrun, id), 0);
	CHECK_ERR("only once", wait_sig(sig, &si, 100), EAGAIN);

	/* Periodic, its signal left pending: the periods missed are counted. */
	CHECK_OK("arm every 10 ms", tset(id, 0, 10000000, 10000000, NULL));
	abi_sleep_ms(200);
	CHECK("periodic signal", wait_sig(sig, &si, 5000) == sig);
	CHECK("overrun counted", si.si_overrun >= 5);
	CHECK("getoverrun agrees",
	    syscall(SYS_timer_getoverrun, id) == si.si_overrun);
	CHECK("re-armed when taken", wait_sig(sig, &si, 5000) == sig);
	tset(id, 0, 0, 0, NULL);
	wait_sig(sig, &si, 50);

	/* Absolute, on CLOCK_REALTIME. */
	int rid;
	struct timespec now;
	CHECK_OK("create REALTIME", tcreate(CLOCK_REALTIME, &ev, &rid));
	clock_gettime(CLOCK_REALTIME, &now);
	CHECK_OK("arm TIMER_ABSTIME", tset(rid, TIMER_ABSTIME,
	    ts_ns(&now) + 50000000, 0, NULL));
	CHECK("absolute expiry", wait_sig(sig, &si, 5000) == sig);
	CHECK_EQ("from that timer", si.si_timerid, rid);
	CHECK_OK("arm in the past", tset(rid, TIMER_ABSTIME, 1000000000, 0,
	    NULL));
	CHECK("fires at once", wait_sig(sig, &si, 5000) == sig);

	/* Deleted with its signal pending: the signal goes too. */
	tset(rid, 0, 1000000, 0, NULL);
	abi_sleep_ms(20);
	CHECK_OK("delete with signal pending", syscall(SYS_timer_delete, rid));
	CHECK_ERR("its signal goes with it", wait_sig(sig, &si, 100), EAGAIN);
	syscall(SYS_timer_delete, id);
}

static volatile sig_atomic_t handler_code, handler_value;

static void
on_alarm(int sig, siginfo_t *si, void *uc)
{
	(void)sig, (void)uc;
	handler_code = si->si_code;
	handler_value = si->si_value.sival_int;
}

static void
test_handler(void)
{
	struct sigaction sa;
	int id;
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_alarm;
	sa.sa_flags = SA_SIGINFO;
	sigaction(SIGALRM, &sa, NULL);
	/* The default sigevent: SIGALRM whose value is the timer's id. */
	tcreate(CLOCK_MONOTONIC, NULL, &id);
	syscall(SYS_timer_delete, id);
	tcreate(CLOCK_MONOTONIC, NULL, &id);
	tset(id, 0, 10000000, 0, NULL);
	long long end = abi_now_ms() + 5000;
	while (!handler_code && abi_now_ms() < end)
		pause();
	CHECK_EQ("handler si_code", handler_code, SI_TIMER);
	CHECK_EQ("handler si_value is the id", handler_value, id);
	syscall(SYS_timer_delete, id);
	signal(SIGALRM, SIG_DFL);
	alarm(ABI_WATCHDOG);
}

static volatile int thread_tid, thread_got;

static void *
waiter(void *arg)
{
	siginfo_t si;
	(void)arg;
	thread_tid = (int)syscall(SYS_gettid);
	thread_got = wait_sig(SIGRTMIN + 2, &si, 5000) == SIGRTMIN + 2 &&
	    si.si_code == SI_TIMER ? 1 : -1;
	return NULL;
}

static void
test_thread_id(void)
{
	pthread_t th;
	int id;
	block(SIGRTMIN + 2);
	pthread_create(&th, NULL, waiter, NULL);
	while (!thread_tid)
		sched_yield();
	struct sigevent ev = sev(SIGEV_SIGNAL | SIGEV_THREAD_ID, SIGRTMIN + 2,
	    0);
	ev.sigev_notify_thread_id = thread_tid;
	CHECK_OK("create THREAD_ID", tcreate(CLOCK_MONOTONIC, &ev, &id));
	tset(id, 0, 20000000, 0, NULL);
	pthread_join(th, NULL);
	CHECK_EQ("the thread took it", thread_got, 1);
	sigset_t pending;
	sigpending(&pending);
	CHECK_EQ("not pending for the caller",
	    sigismember(&pending, SIGRTMIN + 2), 0);
	syscall(SYS_timer_delete, id);
}

static void
test_cpu_clock(void)
{
	int id;
	siginfo_t si;
	struct sigevent ev = sev(SIGEV_SIGNAL, SIGUSR2, 0);
	block(SIGUSR2);
	CHECK_OK("create PROCESS_CPUTIME_ID",
	    tcreate(CLOCK_PROCESS_CPUTIME_ID, &ev, &id));
	tset(id, 0, 30000000, 0, NULL);
	/* Spins until the signal is pending: CPU time passes. */
	long long end = abi_now_ms() + 10000;
	sigset_t pending;
	do
		sigpending(&pending);
	while (!sigismember(&pending, SIGUSR2) && abi_now_ms() < end);
	CHECK_EQ("CPU-time timer fires", wait_sig(SIGUSR2, &si, 0), SIGUSR2);
	syscall(SYS_timer_delete, id);
	CHECK_OK("create THREAD_CPUTIME_ID",
	    tcreate(CLOCK_THREAD_CPUTIME_ID, &ev, &id));
	syscall(SYS_timer_delete, id);
}

static void
test_fork(void)
{
	int id;
	tcreate(CLOCK_MONOTONIC, NULL, &id);
	tset(id, 0, 60000000000LL, 0, NULL);
	pid_t pid = abi_fork();
	if (pid == 0) {
		struct itimerspec cur;
		errno = 0;
		int r = (int)syscall(SYS_timer_gettime, id, &cur);
		_exit(r == -1 && errno == EINVAL ? 0 : 1);
	}
	CHECK_STR("a child has no timers", status_str(abi_wait(pid)),
	    "exited 0");
	syscall(SYS_timer_delete, id);
}

int
main(void)
{
	abi_init();
	test_create();
	test_gettime();
	test_signal();
	test_handler();
	test_thread_id();
	test_cpu_clock();
	test_fork();
	return abi_done("ptimer");
}
