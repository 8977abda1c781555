/*
 * Linux's clocks (kernel/linux/sys_time.c) and timers on them
 * (kernel/linux/clocktimer.c), which timerfd, POSIX timers and the
 * interval timer share. Everything here runs under the big lock.
 */
#ifndef KERNEL_CLOCK_H
#define KERNEL_CLOCK_H

#include <kernel/types.h>
#include <kernel/timer.h>

#define CLOCK_REALTIME 0
#define CLOCK_MONOTONIC 1
#define CLOCK_PROCESS_CPUTIME_ID 2
#define CLOCK_THREAD_CPUTIME_ID 3
#define CLOCK_MONOTONIC_RAW 4
#define CLOCK_REALTIME_COARSE 5
#define CLOCK_MONOTONIC_COARSE 6
#define CLOCK_BOOTTIME 7
#define CLOCK_REALTIME_ALARM 8
#define CLOCK_BOOTTIME_ALARM 9
#define CLOCK_TAI 11
#define NSEC_PER_SEC 1000000000ull

struct proc;
struct thread;
struct timespec_k;

/* The time on clock now, in ns; 0 or -EINVAL for a clock Petrel lacks.
 * The CPU-time clocks are the caller's. */
long clock_now(int clock, uint64_t *ns);
/* Moves CLOCK_REALTIME to sec:nsec: 0, -EINVAL (out of range) or
 * -EPERM (not root, as CAP_SYS_TIME). */
long realtime_set(int64_t sec, int64_t nsec);
/* CLOCK_REALTIME minus CLOCK_MONOTONIC in ns, modulo 2^64: what
 * clock_now adds to arch_now_ns() (the vDSO's clock page holds it). */
uint64_t realtime_base_ns(void);
/* Nanoseconds t has run, up to now if it runs. */
uint64_t thread_cpu_ns(const struct thread *t);
/* Nanoseconds p's threads have run, up to now. */
uint64_t proc_cpu_ns(const struct proc *p);
/*
 * The CPU time of t, of p (its threads live and gone), split into user and
 * system time (kernel/linux/cputime.c): the parts add up to
 * thread_cpu_ns or proc_cpu_ns, and neither goes back from one call to
 * the next.
 */
struct cputime thread_cputime(struct thread *t);
struct cputime proc_cputime(struct proc *p);
/* Thread t of p leaves: p keeps its CPU time and its samples. */
void cputime_thread_gone(struct proc *p, struct thread *t);
/* Child c is reaped: parent's children's time takes c's and its children's. */
void cputime_reap(struct proc *parent, struct proc *c);
/*
 * Arms p's RLIMIT_CPU timer for its limits as they are now (none for
 * unlimited): SIGXCPU at the soft one, then each second, SIGKILL at the
 * hard one. Big lock held.
 */
void cputime_limit_arm(struct proc *p);
/*
 * A dynamic CPU-time clock id (negative: pthread_getcpuclockid,
 * clock_getcpuclockid) read into *ns: 0, or -EINVAL for one that names
 * no thread of the caller's process, no process, or an fd clock.
 */
long cpu_clock_now(int clock, uint64_t *ns);
/* A timespec in ns, saturated as Linux's timespec64_to_ktime. */
uint64_t timespec_to_ns(const struct timespec_k *ts);
struct timespec_k ns_to_timespec(uint64_t ns);
/* Linux's timespec64_valid: seconds >= 0, nanoseconds within a second. */
bool timespec_valid(const struct timespec_k *ts);

/*
 * A timer on one of the clocks, with an optional period. It is kept as a
 * time on its own clock and armed as a kernel timer at the matching
 * arch_now_ns() deadline; when that comes and the clock has not reached
 * the time yet (a CPU-time clock that ran slower than the wall, a
 * CLOCK_REALTIME set back), it is armed again for the rest. `fire` runs
 * with the big lock held, from timer context; the expiry is not moved on
 * by itself: its owner calls clocktimer_forward, when the expiry is
 * consumed (Linux re-arms timerfd and POSIX timers the same way).
 */
struct clocktimer {
	struct ktimer ktimer;
	int clock;			/* CLOCK_*, as created */
	int base;			/* what expires is a time on: the
					   clock, or CLOCK_MONOTONIC for a
					   relative CLOCK_REALTIME setting,
					   which a clock change must not move */
	struct proc *proc;		/* the CPU-time clocks: whose time */
	int tid;			/* CLOCK_THREAD_CPUTIME_ID: whose */
	uint64_t expires;		/* the next expiry; 0 = disarmed */
	uint64_t interval;		/* ns; 0 = one shot */
	void (*fire)(struct clocktimer *ct);
};

/* A disarmed timer on clock (for the CPU-time clocks, the caller's). */
void clocktimer_init(struct clocktimer *ct, int clock,
		     void (*fire)(struct clocktimer *));
/*
 * Sets the timer to expire at value (a time on its clock if abs, else
 * from now) and every interval after; value 0 disarms. With arm false the
 * time is only kept (a POSIX timer with SIGEV_NONE never fires).
 */
void clocktimer_set(struct clocktimer *ct, uint64_t value, uint64_t interval,
		    bool abs, bool arm);
void clocktimer_cancel(struct clocktimer *ct);
/* ns until the next expiry; 0 when disarmed or due. */
uint64_t clocktimer_left(const struct clocktimer *ct);
/* The time now on the clock the expiry is kept on, in ns. */
uint64_t clocktimer_now(const struct clocktimer *ct);
/*
 * A periodic timer whose expiry has passed: moves the expiry past now by
 * whole periods and returns how many (>= 1). A one-shot timer that
 * expired is disarmed, and 1 returned; 0 if it is not due yet. With arm,
 * a timer left with an expiry is armed for it.
 */
uint64_t clocktimer_forward(struct clocktimer *ct, bool arm);

#endif
