/*
 * What the clocks' users share: CPU time as the CPU-time clocks count it,
 * timespec conversions, and timers on any clock (struct clocktimer), on
 * which timerfd, POSIX timers and the interval timer are built.
 */
#include <kernel/clock.h>
#include <kernel/proc.h>
#include <kernel/stat.h>
#include <kernel/errno.h>

uint64_t
thread_cpu_ns(const struct thread *t)
{
	uint64_t ns = t->cpu_ns;
	if (t->state == THREAD_RUNNING)
		ns += arch_now_ns() - t->run_start;
	return ns;
}

uint64_t
proc_cpu_ns(const struct proc *p)
{
	uint64_t ns = p->gone_cpu_ns;
	list_for_each(it, &p->threads)
		ns += thread_cpu_ns(list_entry(it, struct thread, proc_link));
	return ns;
}

/* Linux's encoding: ~pid << 3, bit 2 per-thread, bits 0-1 which. */
#define CPUCLOCK_PERTHREAD 4
#define CPUCLOCK_WHICH_MASK 3
#define CPUCLOCK_MAX 3		/* PROF, VIRT, SCHED; 3 is an fd's clock */

/* Linux's lookup_task: a thread of the caller's own process, or a process
 * by its pid (the caller's own thread id too, when reading). */
long
cpu_clock_now(int clock, uint64_t *ns)
{
	int pid = ~(clock >> 3);
	struct thread *self = current();
	if ((clock & CPUCLOCK_WHICH_MASK) >= CPUCLOCK_MAX)
		return -EINVAL;
	if (clock & CPUCLOCK_PERTHREAD) {
		struct thread *t = pid ? thread_find(pid) : self;
		if (!t || t->proc != self->proc)
			return -EINVAL;
		*ns = thread_cpu_ns(t);
		return 0;
	}
	struct proc *p = pid ? proc_find(pid) : self->proc;
	if (!p && pid == self->tid)
		p = self->proc;
	if (!p || p->state != PROC_ALIVE)
		return -EINVAL;
	*ns = proc_cpu_ns(p);
	return 0;
}

uint64_t
timespec_to_ns(const struct timespec_k *ts)
{
	if ((uint64_t)ts->tv_sec >= INT64_MAX / NSEC_PER_SEC)
		return INT64_MAX;
	return (uint64_t)ts->tv_sec * NSEC_PER_SEC + (uint64_t)ts->tv_nsec;
}

struct timespec_k
ns_to_timespec(uint64_t ns)
{
	return (struct timespec_k){ (int64_t)(ns / NSEC_PER_SEC),
				    (int64_t)(ns % NSEC_PER_SEC) };
}

bool
timespec_valid(const struct timespec_k *ts)
{
	return ts->tv_sec >= 0 && ts->tv_nsec >= 0 &&
	       ts->tv_nsec < (int64_t)NSEC_PER_SEC;
}

/* ---- Timers on a clock --------------------------------------------------- */

/* The time on the clock the expiry is kept on. */
static uint64_t
base_now(const struct clocktimer *ct, int clock)
{
	uint64_t ns = 0;
	if (clock == CLOCK_PROCESS_CPUTIME_ID)
		return proc_cpu_ns(ct->proc);
	if (clock == CLOCK_THREAD_CPUTIME_ID) {
		struct thread *t = thread_find(ct->tid);
		/* A thread gone: its clock stands still, and never expires. */
		return t && t->proc == ct->proc ? thread_cpu_ns(t) : 0;
	}
	clock_now(clock, &ns);
	return ns;
}

uint64_t
clocktimer_now(const struct clocktimer *ct)
{
	return base_now(ct, ct->base);
}

static void clocktimer_fired(struct ktimer *k);

/* Arms the kernel timer where the clock will reach the expiry, if it
 * keeps pace with arch_now_ns(). */
static void
arm(struct clocktimer *ct)
{
	uint64_t now = clocktimer_now(ct), mono = arch_now_ns();
	uint64_t deadline = mono + (ct->expires > now ? ct->expires - now : 0);
	if (deadline < mono)
		deadline = UINT64_MAX;	/* wrapped: as good as never */
	ktimer_add(&ct->ktimer, deadline, clocktimer_fired);
}

/*
 * Under the big lock (ktimer_add, not _nolock): ct->fire sends a signal
 * (POSIX timers, itimers, the CPU-time limit) or wakes a timerfd's
 * readers and pollers, whose state is the big lock's.
 */
static void
clocktimer_fired(struct ktimer *k)
{
	struct clocktimer *ct = container_of(k, struct clocktimer, ktimer);
	if (!ct->expires)
		return;
	if (clocktimer_now(ct) < ct->expires) {
		arm(ct);	/* the clock is behind the wall: wait on */
		return;
	}
	ct->fire(ct);
}

void
clocktimer_init(struct clocktimer *ct, int clock,
		void (*fire)(struct clocktimer *))
{
	*ct = (struct clocktimer){ .clock = clock, .base = clock, .fire = fire };
	struct thread *t = current();
	if (t && t->proc) {
		ct->proc = t->proc;
		ct->tid = t->tid;
	}
}

void
clocktimer_set(struct clocktimer *ct, uint64_t value, uint64_t interval,
	       bool abs, bool arm_it)
{
	ktimer_cancel(&ct->ktimer);
	ct->interval = interval;
	ct->expires = 0;
	if (!value)
		return;
	ct->base = !abs && ct->clock == CLOCK_REALTIME ? CLOCK_MONOTONIC :
							ct->clock;
	uint64_t now = clocktimer_now(ct);
	ct->expires = abs ? value : now + value;
	if (ct->expires < now && !abs)
		ct->expires = UINT64_MAX;	/* wrapped */
	if (arm_it)
		arm(ct);
}

void
clocktimer_cancel(struct clocktimer *ct)
{
	ktimer_cancel(&ct->ktimer);
	ct->expires = 0;
}

uint64_t
clocktimer_left(const struct clocktimer *ct)
{
	if (!ct->expires)
		return 0;
	uint64_t now = clocktimer_now(ct);
	return ct->expires > now ? ct->expires - now : 0;
}

uint64_t
clocktimer_forward(struct clocktimer *ct, bool arm_it)
{
	if (!ct->expires)
		return 0;
	uint64_t now = clocktimer_now(ct);
	if (now < ct->expires) {
		if (arm_it && !ct->ktimer.armed)
			arm(ct);
		return 0;
	}
	if (!ct->interval) {
		clocktimer_cancel(ct);
		return 1;
	}
	/* Both below 2^63 and the interval saturated there: no wrap. */
	uint64_t n = (now - ct->expires) / ct->interval + 1;
	ct->expires += n * ct->interval;
	if (arm_it)
		arm(ct);
	return n;
}
