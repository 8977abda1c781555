/*
 * Clocks and sleeping: CLOCK_MONOTONIC never goes back, CLOCK_REALTIME
 * is a plausible date and agrees with gettimeofday and time, the other
 * clocks answer, clock_getres, nanosleep and clock_nanosleep (relative
 * and TIMER_ABSTIME) sleep about as long as asked, process CPU time
 * grows with work, setitimer/getitimer (ITIMER_REAL, and ITIMER_VIRTUAL
 * and ITIMER_PROF on CPU time), adjtimex and clock_adjtime (reads and
 * refusals), and the errors for bad clocks
 * and bad timespecs. Measured times print only "ok".
 */
#include "abi.h"

#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/timex.h>
#include <sys/times.h>

static long long
ns_of(const struct timespec *ts)
{
	return ts->tv_sec * 1000000000LL + ts->tv_nsec;
}

static long long
clock_ns(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return ns_of(&ts);
}

static void
test_clocks(void)
{
	struct timespec ts;

	CHECK_OK("CLOCK_MONOTONIC", clock_gettime(CLOCK_MONOTONIC, &ts));
	CHECK("monotonic nsec in range", ts.tv_nsec >= 0 &&
	    ts.tv_nsec < 1000000000);
	long long last = ns_of(&ts), backwards = 0;
	for (int i = 0; i < 10000; i++) {
		long long now = clock_ns(CLOCK_MONOTONIC);
		backwards += now < last;
		last = now;
	}
	CHECK_EQ("monotonic never goes back", backwards, 0);

	CHECK_OK("CLOCK_REALTIME", clock_gettime(CLOCK_REALTIME, &ts));
	/* 2020-01-01 .. 2100-01-01 */
	CHECK("realtime is a plausible date", ts.tv_sec > 1577836800 &&
	    ts.tv_sec < 4102444800LL);
	struct timeval tv;
	CHECK_OK("gettimeofday", gettimeofday(&tv, NULL));
	CHECK("gettimeofday usec in range", tv.tv_usec >= 0 &&
	    tv.tv_usec < 1000000);
	CHECK("gettimeofday agrees with realtime",
	    tv.tv_sec >= ts.tv_sec && tv.tv_sec <= ts.tv_sec + 2);
	time_t t = time(NULL);
	CHECK("time agrees with realtime", t >= ts.tv_sec &&
	    t <= ts.tv_sec + 2);
	time_t t2;
	CHECK_EQ("time stores its result", time(&t2) == t2, 1);

	static const struct {
		clockid_t id;
		const char *name;
	} others[] = {
		{ CLOCK_MONOTONIC_RAW, "CLOCK_MONOTONIC_RAW" },
		{ CLOCK_REALTIME_COARSE, "CLOCK_REALTIME_COARSE" },
		{ CLOCK_MONOTONIC_COARSE, "CLOCK_MONOTONIC_COARSE" },
		{ CLOCK_BOOTTIME, "CLOCK_BOOTTIME" },
		{ CLOCK_PROCESS_CPUTIME_ID, "CLOCK_PROCESS_CPUTIME_ID" },
		{ CLOCK_THREAD_CPUTIME_ID, "CLOCK_THREAD_CPUTIME_ID" },
	};
	for (size_t i = 0; i < sizeof(others) / sizeof(others[0]); i++)
		CHECK_OK(others[i].name, clock_gettime(others[i].id, &ts));
	CHECK("boottime at least monotonic", clock_ns(CLOCK_BOOTTIME) >=
	    clock_ns(CLOCK_MONOTONIC) - 1000000);

	CHECK_OK("clock_getres MONOTONIC", clock_getres(CLOCK_MONOTONIC, &ts));
	CHECK("resolution at most 10ms", ts.tv_sec == 0 && ts.tv_nsec > 0 &&
	    ts.tv_nsec <= 10000000);
	CHECK_OK("clock_getres REALTIME", clock_getres(CLOCK_REALTIME, &ts));
	CHECK_ERR("clock_gettime bad clock", syscall(SYS_clock_gettime, 12345,
	    &ts), EINVAL);
	CHECK_ERR("clock_getres bad clock", clock_getres(12345, &ts), EINVAL);
}

/* Check that at least want_ms passed since start_ns on CLOCK_MONOTONIC. */
static void
check_slept(const char *what, long long start_ns, long long want_ms)
{
	long long took_ms = (clock_ns(CLOCK_MONOTONIC) - start_ns) / 1000000;

	/* Never early; late by up to seconds under a loaded emulator. */
	CHECK(what, took_ms >= want_ms && took_ms < want_ms + 5000);
}

static void
test_sleeps(void)
{
	struct timespec req = { 0, 20000000 }, rem = { 7, 7 };
	long long start = clock_ns(CLOCK_MONOTONIC);

	CHECK_EQ("nanosleep 20ms", nanosleep(&req, &rem), 0);
	check_slept("nanosleep slept about 20ms", start, 20);

	start = clock_ns(CLOCK_MONOTONIC);
	CHECK_EQ("clock_nanosleep relative 20ms",
	    clock_nanosleep(CLOCK_MONOTONIC, 0, &req, NULL), 0);
	check_slept("clock_nanosleep slept about 20ms", start, 20);

	struct timespec until;
	clock_gettime(CLOCK_MONOTONIC, &until);
	start = ns_of(&until);
	until.tv_nsec += 20000000;
	if (until.tv_nsec >= 1000000000) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000;
	}
	CHECK_EQ("clock_nanosleep TIMER_ABSTIME", clock_nanosleep(
	    CLOCK_MONOTONIC, TIMER_ABSTIME, &until, NULL), 0);
	CHECK("woke at or after the deadline", clock_ns(CLOCK_MONOTONIC) >=
	    ns_of(&until));
	check_slept("absolute sleep about 20ms", start, 20);

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec -= 10;
	CHECK_EQ("absolute realtime deadline in the past", clock_nanosleep(
	    CLOCK_REALTIME, TIMER_ABSTIME, &until, NULL), 0);

	req.tv_nsec = 0;
	CHECK_EQ("nanosleep zero", nanosleep(&req, NULL), 0);
	start = clock_ns(CLOCK_MONOTONIC);
	CHECK_EQ("usleep 10ms", usleep(10000), 0);
	check_slept("usleep slept about 10ms", start, 10);

	struct timespec bad = { 0, 1000000000 };
	CHECK_ERR("nanosleep nsec too big", nanosleep(&bad, NULL), EINVAL);
	bad.tv_sec = -1;
	bad.tv_nsec = 0;
	CHECK_ERR("nanosleep negative", nanosleep(&bad, NULL), EINVAL);
	bad.tv_sec = 0;
	bad.tv_nsec = 1000000000;
	CHECK_STR("clock_nanosleep bad timespec", errno_name(clock_nanosleep(
	    CLOCK_MONOTONIC, 0, &bad, NULL)), "EINVAL");
	req.tv_nsec = 1000;
	CHECK_STR("clock_nanosleep on a CPU clock of this thread",
	    errno_name(clock_nanosleep(CLOCK_THREAD_CPUTIME_ID, 0, &req,
	    NULL)), "EINVAL");
	/* The kernel's own answer, under the C library's (EOPNOTSUPP), and
	 * before it reads the timespec. */
	CHECK_ERR("raw clock_nanosleep, thread CPU clock",
	    syscall(SYS_clock_nanosleep, CLOCK_THREAD_CPUTIME_ID, 0, NULL,
	    NULL), EOPNOTSUPP);
	CHECK_ERR("raw clock_nanosleep, CLOCK_MONOTONIC_COARSE",
	    syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC_COARSE, 0, &req,
	    NULL), EOPNOTSUPP);
	CHECK_ERR("raw clock_nanosleep, unknown clock",
	    syscall(SYS_clock_nanosleep, 100, 0, &req, NULL), EINVAL);
}

static void
test_cpu_time(void)
{
	long long before = clock_ns(CLOCK_PROCESS_CPUTIME_ID);
	long long thread_before = clock_ns(CLOCK_THREAD_CPUTIME_ID);
	volatile unsigned long spin = 0;
	long long start = clock_ns(CLOCK_MONOTONIC);

	/* Busy for 30ms of wall time: the CPU clocks must move. */
	while (clock_ns(CLOCK_MONOTONIC) - start < 30000000)
		spin++;
	CHECK("process CPU time grew", clock_ns(CLOCK_PROCESS_CPUTIME_ID) >
	    before);
	CHECK("thread CPU time grew", clock_ns(CLOCK_THREAD_CPUTIME_ID) >
	    thread_before);
	struct tms tms;
	CHECK("times() answers", times(&tms) != (clock_t)-1);
	CHECK("times user+system non-negative", tms.tms_utime >= 0 &&
	    tms.tms_stime >= 0);
	struct rusage ru;
	CHECK_OK("getrusage", getrusage(RUSAGE_SELF, &ru));
	CHECK("rusage usec in range", ru.ru_utime.tv_usec >= 0 &&
	    ru.ru_utime.tv_usec < 1000000);
}

static volatile sig_atomic_t ticks;

static void
on_alarm(int sig)
{
	(void)sig;
	ticks++;
}

static void
test_itimer(void)
{
	struct itimerval it = { { 0, 0 }, { 0, 20000 } }, cur;

	signal(SIGALRM, on_alarm);
	long long start = clock_ns(CLOCK_MONOTONIC);
	CHECK_OK("setitimer 20ms", setitimer(ITIMER_REAL, &it, NULL));
	CHECK_OK("getitimer", getitimer(ITIMER_REAL, &cur));
	CHECK("getitimer shows at most 20ms left", cur.it_value.tv_sec == 0 &&
	    cur.it_value.tv_usec <= 20000);
	while (!ticks)
		pause();
	check_slept("SIGALRM after about 20ms", start, 20);
	getitimer(ITIMER_REAL, &cur);
	CHECK("one-shot timer disarmed", cur.it_value.tv_sec == 0 &&
	    cur.it_value.tv_usec == 0);
	CHECK_EQ("one tick", ticks, 1);
	/* A sleep cut short whose remainder cannot be written is EFAULT. */
	struct timespec req = { 10, 0 };
	CHECK_OK("setitimer 20ms again", setitimer(ITIMER_REAL, &it, NULL));
	CHECK_ERR("interrupted sleep, bad rem", syscall(SYS_clock_nanosleep,
	    CLOCK_MONOTONIC, 0, &req, (void *)8), EFAULT);
	signal(SIGALRM, SIG_DFL);
	alarm(ABI_WATCHDOG);
}

static volatile int cpu_ticks[2];

static void
on_cpu_timer(int sig)
{
	cpu_ticks[sig == SIGPROF]++;
}

/* ITIMER_VIRTUAL and ITIMER_PROF: CPU time, periodic, and their errors. */
static void
test_itimer_cpu(void)
{
	const int which[2] = { ITIMER_VIRTUAL, ITIMER_PROF };
	const char *name[2] = { "ITIMER_VIRTUAL", "ITIMER_PROF" };
	signal(SIGVTALRM, on_cpu_timer);
	signal(SIGPROF, on_cpu_timer);
	for (int i = 0; i < 2; i++) {
		char what[64];
		struct itimerval it = { { 0, 10000 }, { 0, 10000 } }, cur;
		snprintf(what, sizeof(what), "%s empty", name[i]);
		getitimer(which[i], &cur);
		CHECK(what, !cur.it_value.tv_sec && !cur.it_value.tv_usec &&
		    !cur.it_interval.tv_sec && !cur.it_interval.tv_usec);
		snprintf(what, sizeof(what), "%s set", name[i]);
		CHECK_OK(what, setitimer(which[i], &it, NULL));
		getitimer(which[i], &cur);
		snprintf(what, sizeof(what), "%s interval", name[i]);
		CHECK_EQ(what, cur.it_interval.tv_usec, 10000);
		snprintf(what, sizeof(what), "%s value at most 10ms (plus a tick)", name[i]);
		CHECK(what, cur.it_value.tv_sec == 0 && cur.it_value.tv_usec <= 20000);
		long long start = clock_ns(CLOCK_MONOTONIC);
		while (cpu_ticks[i] < 3 &&
		    clock_ns(CLOCK_MONOTONIC) - start < 10000000000ll)
			;	/* spend CPU time */
		struct itimerval off = { { 0, 0 }, { 0, 0 } };
		CHECK_OK("disarm", setitimer(which[i], &off, &cur));
		snprintf(what, sizeof(what), "%s fired 3 times while running", name[i]);
		CHECK(what, cpu_ticks[i] >= 3);
		snprintf(what, sizeof(what), "%s old interval", name[i]);
		CHECK_EQ(what, cur.it_interval.tv_usec, 10000);
	}
	CHECK_ERR("getitimer bad which", getitimer(3, NULL), EINVAL);
	CHECK_ERR("getitimer bad pointer", syscall(SYS_getitimer, ITIMER_PROF,
	    (void *)8), EFAULT);
	struct itimerval it = { { 0, 0 }, { 0, 1000000 } };
	CHECK_ERR("setitimer bad usec", setitimer(ITIMER_VIRTUAL, &it, NULL), EINVAL);
	signal(SIGVTALRM, SIG_DFL);
	signal(SIGPROF, SIG_DFL);
}

/*
 * adjtimex and clock_adjtime: a plain read, and the refusals, which come
 * before anything is changed (nothing here may change the host's clock).
 */
static void
test_adjtimex(void)
{
	struct timex tx = { 0 };
	int r = adjtimex(&tx);
	CHECK("read: a clock state", r >= TIME_OK && r <= TIME_ERROR);
	CHECK("tick within 10%", tx.tick >= 9000 && tx.tick <= 11000);
	CHECK_EQ("precision", tx.precision, 1);
	CHECK_EQ("tolerance", tx.tolerance, 500 << 16);
	memset(&tx, 0, sizeof(tx));
	tx.modes = ADJ_OFFSET_SS_READ;
	CHECK("adjtime's offset read", adjtimex(&tx) >= 0);
	tx.modes = 0x8000;	/* ADJ_ADJTIME without ADJ_OFFSET */
	CHECK_ERR("ADJ_ADJTIME alone", adjtimex(&tx), EINVAL);
	tx.modes = ADJ_TICK;
	tx.tick = 8999;
	CHECK_ERR("tick too small", adjtimex(&tx), EINVAL);
	tx.tick = 11001;
	CHECK_ERR("tick too big", adjtimex(&tx), EINVAL);
	tx.modes = ADJ_SETOFFSET;
	tx.time.tv_usec = 1000000;
	CHECK_ERR("offset usec too big", adjtimex(&tx), EINVAL);
	CHECK_ERR("bad pointer", syscall(SYS_adjtimex, (void *)8), EFAULT);
	CHECK_OK("seteuid 65534", seteuid(65534));
	tx.modes = ADJ_MAXERROR;
	CHECK_ERR("set as a user", adjtimex(&tx), EPERM);
	tx.modes = 0;
	CHECK("read as a user", adjtimex(&tx) >= 0);
	CHECK_OK("seteuid back", seteuid(0));
	memset(&tx, 0, sizeof(tx));
	CHECK("clock_adjtime REALTIME", syscall(SYS_clock_adjtime,
	    CLOCK_REALTIME, &tx) >= 0);
	CHECK_ERR("clock_adjtime MONOTONIC", syscall(SYS_clock_adjtime,
	    CLOCK_MONOTONIC, &tx), EOPNOTSUPP);
	CHECK_ERR("clock_adjtime bad clock", syscall(SYS_clock_adjtime,
	    99, &tx), EINVAL);
	struct timespec ts = { 0, 0 };
	CHECK_ERR("clock_settime CPU clock", clock_settime(
	    CLOCK_PROCESS_CPUTIME_ID, &ts), EINVAL);
}

int
main(void)
{
	abi_init();
	test_adjtimex();
	test_clocks();
	test_sleeps();
	test_cpu_time();
	test_itimer();
	test_itimer_cpu();
	return abi_done("time");
}
