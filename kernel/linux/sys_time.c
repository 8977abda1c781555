/*
 * Time system calls: clocks (read, and the wall clock set by root), sleeps,
 * alarm and the real-time interval timer.
 * Reading a clock and sleeping are nolock calls (syscalls.master;
 * docs/kernel.md, "Calls without the big lock"): the system's clocks,
 * the caller's own CPU clock and its time namespace's offsets (fixed
 * while it runs: setns to a time namespace is refused to a process of
 * more than one thread, and exec replaces them in the one thread left)
 * need no lock; the clocks that walk a process's threads or look up
 * another's go the locked way (-ERETRY_LOCKED).
 */
#include <kernel/proc.h>
#include <kernel/vm.h>
#include <kernel/syscall.h>
#include <syscall_table.h>
#include <kernel/errno.h>
#include <kernel/arch.h>
#include <kernel/stat.h>
#include <kernel/clock.h>
#include <kernel/ns.h>
#include <kernel/vdso.h>

#define NS NSEC_PER_SEC

/* What settimeofday and clock_settime added to the boot RTC reading;
 * the vDSO's clock page follows it (vdso_clock_changed). Written under
 * the big lock, read by nolock calls too. */
static int64_t realtime_offset_ns;

uint64_t
realtime_base_ns(void)
{
	return arch_rtc_seconds() * NS +
	       (uint64_t)__atomic_load_n(&realtime_offset_ns, __ATOMIC_RELAXED);
}

long
clock_now(int clock, uint64_t *ns)
{
	uint64_t now = arch_now_ns();
	switch (clock) {
	case CLOCK_REALTIME:
	case CLOCK_REALTIME_COARSE:
	case CLOCK_TAI:		/* no TAI offset is ever set (adjtimex) */
		*ns = realtime_base_ns() + now;
		return 0;
	case CLOCK_MONOTONIC:
	case CLOCK_MONOTONIC_RAW:
	case CLOCK_MONOTONIC_COARSE:
	case CLOCK_BOOTTIME:
		*ns = now;
		return 0;
	case CLOCK_THREAD_CPUTIME_ID:
		*ns = thread_cpu_ns(current());
		return 0;
	}
	if (clock != CLOCK_PROCESS_CPUTIME_ID && clock >= 0)
		return -EINVAL;
	if (!bkl_held())
		return -ERETRY_LOCKED;	/* the threads' list, another's clock */
	if (clock == CLOCK_PROCESS_CPUTIME_ID) {
		*ns = proc_cpu_ns(current()->proc);
		return 0;
	}
	return cpu_clock_now(clock, ns);
}

/* clock_now's answer for a call that reports a bad clock as -EINVAL
 * whatever cpu_clock_now said: 0, -EINVAL or -ERETRY_LOCKED. */
static long
clock_check(int clock, uint64_t *ns)
{
	long e = clock_now(clock, ns);
	return e == 0 || e == -ERETRY_LOCKED ? e : -EINVAL;
}

long
sys_clock_gettime(int clock, uaddr_t uts)
{
	uint64_t ns;
	long e = clock_now(clock, &ns);
	if (e)
		return e;
	ns = timens_from_host(clock, ns);
	struct timespec_k ts = { (int64_t)(ns / NS), (int64_t)(ns % NS) };
	return copyout(uts, &ts, sizeof(ts));
}

long
sys_clock_getres(int clock, uaddr_t uts)
{
	uint64_t ns;
	long e = clock_check(clock, &ns);
	if (e)
		return e;
	struct timespec_k ts = { 0, 1 };
	return uts ? copyout(uts, &ts, sizeof(ts)) : 0;
}

long
sys_gettimeofday(uaddr_t tv, uaddr_t tz)
{
	uint64_t ns;
	clock_now(CLOCK_REALTIME, &ns);
	if (tv) {
		int64_t v[2] = { (int64_t)(ns / NS), (int64_t)(ns % NS / 1000) };
		if (copyout(tv, v, sizeof(v)) < 0)
			return -EFAULT;
	}
	if (tz) {
		int32_t z[2] = { 0, 0 };
		if (copyout(tz, z, sizeof(z)) < 0)
			return -EFAULT;
	}
	return 0;
}

/* Linux's timespec64_valid_settod: a time after the epoch, with the
 * headroom Linux keeps below KTIME_SEC_MAX (about the year 2262). */
static bool
settable(int64_t sec, int64_t nsec)
{
	int64_t max = (int64_t)(INT64_MAX / NS) - 30 * 365 * 86400ll;
	return sec >= 0 && sec < max && nsec >= 0 && nsec < (int64_t)NS;
}

long
realtime_set(int64_t sec, int64_t nsec)
{
	if (!settable(sec, nsec))
		return -EINVAL;
	if (!capable(CAP_SYS_TIME))
		return -EPERM;
	uint64_t boot_wall = arch_rtc_seconds() * NS + arch_now_ns();
	int64_t off = (int64_t)((uint64_t)sec * NS + (uint64_t)nsec - boot_wall);
	__atomic_store_n(&realtime_offset_ns, off, __ATOMIC_RELAXED);	/* nolock readers */
	vdso_clock_changed();
	return 0;
}

/* Only CLOCK_REALTIME can be set; the others, the caller's CPU-time
 * clocks too, are EINVAL as on Linux (no clock_set in their k_clock). */
long
sys_clock_settime(int clock, uaddr_t uts)
{
	if (clock != CLOCK_REALTIME)
		return -EINVAL;
	struct timespec_k ts;
	if (copyin(&ts, uts, sizeof(ts)) < 0)
		return -EFAULT;
	return realtime_set(ts.tv_sec, ts.tv_nsec);
}

/* The time zone is accepted and forgotten: gettimeofday reports UTC, as
 * Linux does once nothing reads sys_tz. */
long
sys_settimeofday(uaddr_t utv, uaddr_t utz)
{
	int64_t tv[2];
	int32_t tz[2];
	if (utv && copyin(tv, utv, sizeof(tv)) < 0)
		return -EFAULT;
	if (utz && copyin(tz, utz, sizeof(tz)) < 0)
		return -EFAULT;
	if (!utv)
		return !capable(CAP_SYS_TIME) ? -EPERM : 0;
	if (tv[1] < 0 || tv[1] >= 1000000)
		return -EINVAL;
	return realtime_set(tv[0], tv[1] * 1000);
}

long
sys_time(uaddr_t t)
{
	uint64_t ns;
	clock_now(CLOCK_REALTIME, &ns);
	int64_t s = (int64_t)(ns / NS);
	if (t && copyout(t, &s, sizeof(s)) < 0)
		return -EFAULT;
	return s;
}

static long
read_timespec(uaddr_t u, uint64_t *ns)
{
	struct timespec_k ts;
	if (copyin(&ts, u, sizeof(ts)) < 0)
		return -EFAULT;
	if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= (int64_t)NS)
		return -EINVAL;
	*ns = (uint64_t)ts.tv_sec * NS + (uint64_t)ts.tv_nsec;
	return 0;
}

/*
 * Sleeps until an absolute monotonic deadline; writes what is left on
 * EINTR (-EFAULT if it cannot, as Linux). A nolock call's way out
 * delivers no signal: its -EINTR goes out the locked way
 * (thread.unlocked_eintr), with what was left already written; one whose
 * write failed runs again locked, which finds the signal at once.
 */
static long
sleep_until(uint64_t deadline, uaddr_t rem)
{
	int r = sched_sleep_until(deadline);
	if (r != -EINTR)
		return 0;
	if (rem) {
		uint64_t now = arch_now_ns();
		uint64_t left = deadline > now ? deadline - now : 0;
		struct timespec_k ts = { (int64_t)(left / NS), (int64_t)(left % NS) };
		if (copyout(rem, &ts, sizeof(ts)) < 0)
			return bkl_held() ? -EFAULT : -ERETRY_LOCKED;
	}
	if (!bkl_held()) {
		current()->unlocked_eintr = true;
		return -ERETRY_LOCKED;
	}
	return -EINTR;
}

long
sys_nanosleep(uaddr_t req, uaddr_t rem)
{
	uint64_t ns;
	long e = read_timespec(req, &ns);
	if (e)
		return e;
	if (ns == 0)
		return 0;
	return sleep_until(arch_now_ns() + ns, rem);
}

/* Linux's clocks with an nsleep: not the thread's CPU clock, the raw or
 * the coarse ones (clock_nanosleep is EOPNOTSUPP there). */
static bool
clock_can_sleep(int clock)
{
	return clock != CLOCK_THREAD_CPUTIME_ID && clock != CLOCK_MONOTONIC_RAW &&
	       clock != CLOCK_REALTIME_COARSE && clock != CLOCK_MONOTONIC_COARSE;
}

long
sys_clock_nanosleep(int clock, int flags, uaddr_t req, uaddr_t rem)
{
	uint64_t ns, now;
	long e = clock_check(clock, &now);
	if (e)
		return e;
	if (!clock_can_sleep(clock))
		return -EOPNOTSUPP;
	e = read_timespec(req, &ns);
	if (e)
		return e;
	if (flags & 1) {	/* TIMER_ABSTIME */
		ns = timens_to_host(clock, ns);
		if (ns <= now)
			return 0;
		return sleep_until(arch_now_ns() + (ns - now), 0);
	}
	if (ns == 0)
		return 0;
	return sleep_until(arch_now_ns() + ns, rem);
}

/* Under the big lock (ktimer_add, not _nolock): signals are its. */
static void
alarm_fired(struct ktimer *k)
{
	struct proc *p = container_of(k, struct proc, alarm);
	signal_send_proc(p, SIGALRM);
	if (p->alarm_interval)
		ktimer_add(&p->alarm, arch_now_ns() + p->alarm_interval, alarm_fired);
}

static uint64_t
alarm_left(struct proc *p)
{
	uint64_t now = arch_now_ns();
	return p->alarm.armed && p->alarm.deadline > now ? p->alarm.deadline - now : 0;
}

long
sys_alarm(unsigned seconds)
{
	struct proc *p = current()->proc;
	uint64_t left = alarm_left(p);
	ktimer_cancel(&p->alarm);
	p->alarm_interval = 0;
	if (seconds)
		ktimer_add(&p->alarm, arch_now_ns() + seconds * NS, alarm_fired);
	return (long)((left + NS / 2) / NS) + (left && left < NS / 2 ? 1 : 0);
}

#define ITIMER_REAL 0
#define ITIMER_VIRTUAL 1
#define ITIMER_PROF 2

/* An interval timer's setting as struct itimerval: interval, then value. */
static void
itimer_value(uint64_t interval, uint64_t left, int64_t v[4])
{
	v[0] = (int64_t)(interval / NS);
	v[1] = (int64_t)(interval % NS / 1000);
	v[2] = (int64_t)(left / NS);
	v[3] = (int64_t)(left % NS / 1000);
}

static void
itimer_get(struct proc *p, int which, int64_t v[4])
{
	if (which == ITIMER_REAL) {
		itimer_value(p->alarm_interval, alarm_left(p), v);
		return;
	}
	struct clocktimer *ct = &p->itimers[which - 1];
	itimer_value(ct->interval, ct->expires ? clocktimer_left(ct) : 0, v);
}

/*
 * ITIMER_VIRTUAL and ITIMER_PROF expired: SIGVTALRM or SIGPROF, and the
 * next period. Both count the process's whole CPU time: ITIMER_VIRTUAL on
 * the user part alone (kernel/linux/cputime.c's split) is not done.
 */
static void
itimer_fired(struct clocktimer *ct)
{
	struct proc *p = ct->proc;
	signal_send_proc(p, ct == &p->itimers[0] ? SIGVTALRM : SIGPROF);
	clocktimer_forward(ct, true);
}

long
sys_getitimer(int which, uaddr_t cur)
{
	if (which < ITIMER_REAL || which > ITIMER_PROF)
		return -EINVAL;
	int64_t v[4];
	itimer_get(current()->proc, which, v);
	return copyout(cur, v, sizeof(v));
}

/*
 * A timeval in ns, saturated as Linux does: a product that wrapped round
 * made a huge interval a tiny one.
 */
static uint64_t
timeval_ns(int64_t sec, int64_t usec)
{
	if ((uint64_t)sec >= INT64_MAX / NS)
		return INT64_MAX;
	return (uint64_t)sec * NS + (uint64_t)usec * 1000;
}

long
sys_setitimer(int which, uaddr_t nv, uaddr_t ov)
{
	struct proc *p = current()->proc;
	if (which < ITIMER_REAL || which > ITIMER_PROF)
		return -EINVAL;
	int64_t v[4];
	if (nv) {
		if (copyin(v, nv, sizeof(v)) < 0)
			return -EFAULT;
		if (v[1] < 0 || v[1] >= 1000000 || v[3] < 0 ||
		    v[3] >= 1000000 || v[0] < 0 || v[2] < 0)
			return -EINVAL;
	}
	if (ov) {
		int64_t old[4];
		itimer_get(p, which, old);
		if (copyout(ov, old, sizeof(old)) < 0)
			return -EFAULT;
	}
	if (!nv)
		return 0;
	uint64_t interval = timeval_ns(v[0], v[1]);
	uint64_t first = timeval_ns(v[2], v[3]);
	if (which != ITIMER_REAL) {
		struct clocktimer *ct = &p->itimers[which - 1];
		if (!ct->fire)
			clocktimer_init(ct, CLOCK_PROCESS_CPUTIME_ID, itimer_fired);
		clocktimer_set(ct, first, first ? interval : 0, false, true);
		return 0;
	}
	ktimer_cancel(&p->alarm);
	p->alarm_interval = interval;
	if (first)
		ktimer_add(&p->alarm, arch_now_ns() + first, alarm_fired);
	return 0;
}
