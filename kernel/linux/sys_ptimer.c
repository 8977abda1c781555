/*
 * POSIX timers: timer_create and friends, per process, on a struct
 * clocktimer. As in Linux, a periodic timer that sent its signal is not
 * re-armed until the signal is taken (ptimer_dequeued, from the signal
 * code): the periods missed meanwhile become the overrun count that the
 * siginfo and timer_getoverrun report. A timer whose signal is still
 * pending when it expires again counts an overrun instead of queuing
 * a second signal. Deleting a timer takes back its pending signal
 * (Linux 6.13 and later; 6.1 left it pending).
 */
#include <kernel/proc.h>
#include <kernel/clock.h>
#include <kernel/ns.h>
#include <kernel/vm.h>
#include <kernel/kmalloc.h>
#include <kernel/syscall.h>
#include <syscall_table.h>
#include <kernel/errno.h>
#include <kernel/string.h>
#include <kernel/stat.h>

#define SIGEV_SIGNAL 0
#define SIGEV_NONE 1
#define SIGEV_THREAD 2		/* the C library's; a signal to the kernel */
#define SIGEV_THREAD_ID 4
#define TIMER_ABSTIME 1
/* Linux has no limit but memory; this bounds the kernel memory one
 * process may hold in timers (about 100 bytes each). */
#define PTIMERS_MAX 4096
/* A periodic timer whose signal is ignored runs on, at least this far
 * apart (Linux: a jiffy), so that a tiny period does not busy the CPU. */
#define IGNORED_MIN_NS 4000000ull

struct ptimer {
	struct list link;		/* proc->ptimers */
	struct proc *proc;
	int id;
	struct clocktimer timer;
	int notify;			/* SIGEV_* */
	int signo;
	int tid;			/* SIGEV_THREAD_ID: the thread */
	uint64_t value;			/* sigev_value */
	bool queued;			/* its signal is pending, not taken */
	/* Expiries missed since its signal was queued, as Linux's
	   it_overrun: -1 then, plus each period the expiry moves on. */
	int64_t overrun;
	int overrun_last;		/* what the last signal taken reported */
};

/* struct sigevent */
struct sigevent_k {
	uint64_t value;
	int32_t signo;
	int32_t notify;
	int32_t tid;
	int32_t pad[11];
};
_Static_assert(sizeof(struct sigevent_k) == 64, "Linux's sigevent is 64 bytes");

/* struct itimerspec */
struct itimerspec_k {
	struct timespec_k interval;
	struct timespec_k value;
};

static struct ptimer *
ptimer_find(struct proc *p, int id)
{
	list_for_each(it, &p->ptimers) {
		struct ptimer *pt = list_entry(it, struct ptimer, link);
		if (pt->id == id)
			return pt;
	}
	return NULL;
}

/* The thread a SIGEV_THREAD_ID timer signals, if it is still p's. */
static struct thread *
target_thread(struct ptimer *pt)
{
	struct thread *t = thread_find(pt->tid);
	return t && t->proc == pt->proc ? t : NULL;
}

/* Whether the signal pending for the timer's target is this timer's. */
static bool
signal_is_ours(struct ptimer *pt, struct thread *t)
{
	uint64_t pending = t ? t->sig_pending : pt->proc->sig_pending;
	const struct sig_info_k *info =
		t ? &t->siginfo[pt->signo] : &pt->proc->siginfo[pt->signo];
	return (pending & SIGBIT(pt->signo)) && info->code == SI_TIMER &&
	       info->pid == pt->id;
}

/* Queues the timer's signal; false if it was not (ignored, or its
 * thread gone). */
static bool
ptimer_send(struct ptimer *pt)
{
	struct sig_info_k info = { .code = SI_TIMER, .pid = pt->id,
				   .value = pt->value };
	struct thread *t = NULL;
	if (pt->notify == SIGEV_THREAD_ID) {
		t = target_thread(pt);
		if (!t)
			return false;
		signal_send_thread_info(t, pt->signo, &info);
	} else {
		signal_send_proc_info(pt->proc, pt->signo, &info);
	}
	return signal_is_ours(pt, t);
}

static void
ptimer_fired(struct clocktimer *ct)
{
	struct ptimer *pt = container_of(ct, struct ptimer, timer);
	struct thread *t = pt->notify == SIGEV_THREAD_ID ? target_thread(pt) :
							   NULL;
	if (pt->queued && signal_is_ours(pt, t)) {
		/* Set again while its signal waits: Linux counts on the
		   queued one. A periodic one counts when it is taken. */
		if (!ct->interval) {
			pt->overrun++;
			clocktimer_cancel(ct);
		}
		return;
	}
	pt->queued = ptimer_send(pt);
	pt->overrun = -1;
	if (!ct->interval) {
		clocktimer_cancel(ct);	/* a one-shot timer is done */
		return;
	}
	if (pt->queued)
		return;		/* re-armed when its signal is taken */
	/* Nobody takes it: run on, a jiffy apart at least. */
	uint64_t saved = ct->interval;
	ct->interval = MAX(ct->interval, IGNORED_MIN_NS);
	pt->overrun += (int64_t)clocktimer_forward(ct, true);
	ct->interval = saved;
}

void
ptimer_dequeued(struct proc *p, struct sig_info_k *info)
{
	struct ptimer *pt = ptimer_find(p, info->pid);
	if (!pt || !pt->queued)
		return;		/* deleted or set again since it was sent */
	pt->queued = false;
	if (pt->timer.interval && pt->timer.expires && !pt->timer.ktimer.armed)
		pt->overrun += (int64_t)clocktimer_forward(&pt->timer, true);
	pt->overrun_last = (int)MAX(0, MIN(pt->overrun, (int64_t)INT32_MAX));
	pt->overrun = -1;
	info->uid = (unsigned)pt->overrun_last;
}

/* Also takes back a signal it queued that is still pending, as Linux 6.13
 * and later do. */
static void
ptimer_free(struct ptimer *pt)
{
	struct thread *t = pt->notify == SIGEV_THREAD_ID ? target_thread(pt) :
							   NULL;
	if (pt->queued && (pt->notify != SIGEV_THREAD_ID || t) &&
	    signal_is_ours(pt, t))
		signal_unqueue(pt->proc, t, pt->signo);
	clocktimer_cancel(&pt->timer);
	list_remove(&pt->link);
	pt->proc->nptimers--;
	kfree(pt);
}

void
ptimers_exit(struct proc *p)
{
	list_for_each_safe(it, nx, &p->ptimers)
		ptimer_free(list_entry(it, struct ptimer, link));
}

/* The clocks a timer may be made on: -EINVAL for no clock, -EOPNOTSUPP
 * for one that takes no timers (Linux's raw and coarse clocks; the alarm
 * clocks, as Linux without an RTC that can wake the machine). */
static long
timer_clock_ok(int clock)
{
	switch (clock) {
	case CLOCK_REALTIME:
	case CLOCK_MONOTONIC:
	case CLOCK_BOOTTIME:
	case CLOCK_TAI:
	case CLOCK_PROCESS_CPUTIME_ID:
	case CLOCK_THREAD_CPUTIME_ID:
		return 0;
	case CLOCK_MONOTONIC_RAW:
	case CLOCK_REALTIME_COARSE:
	case CLOCK_MONOTONIC_COARSE:
	case CLOCK_REALTIME_ALARM:
	case CLOCK_BOOTTIME_ALARM:
		return -EOPNOTSUPP;
	}
	return -EINVAL;
}

/* Linux's good_sigevent. */
static bool
sigevent_ok(const struct sigevent_k *ev)
{
	struct proc *self = current()->proc;
	switch (ev->notify) {
	case SIGEV_SIGNAL | SIGEV_THREAD_ID: {
		struct thread *t = thread_find(ev->tid);
		if (!t || t->proc != self)
			return false;
	}
		/* fall through */
	case SIGEV_SIGNAL:
	case SIGEV_THREAD:
		return ev->signo > 0 && ev->signo <= SIG_MAX;
	case SIGEV_NONE:
		return true;
	}
	return false;
}

/* The lowest free id from where the last one was given, as Linux. */
static int
ptimer_new_id(struct proc *p)
{
	int id = p->ptimer_next_id;
	while (ptimer_find(p, id))
		id = id == INT32_MAX ? 0 : id + 1;
	p->ptimer_next_id = id == INT32_MAX ? 0 : id + 1;
	return id;
}

long
sys_timer_create(int clock, uaddr_t uev, uaddr_t uid)
{
	struct proc *p = current()->proc;
	struct sigevent_k ev;
	if (uev && copyin(&ev, uev, sizeof(ev)) < 0)
		return -EFAULT;
	long e = timer_clock_ok(clock);
	if (e < 0)
		return e;
	if (p->nptimers >= PTIMERS_MAX)
		return -EAGAIN;
	/* As Linux, the id is taken before the sigevent is checked. */
	int id = ptimer_new_id(p);
	if (uev && !sigevent_ok(&ev))
		return -EINVAL;
	struct ptimer *pt = kzalloc(sizeof(*pt));
	if (!pt)
		return -EAGAIN;
	pt->proc = p;
	pt->id = id;
	pt->overrun = -1;
	clocktimer_init(&pt->timer, clock, ptimer_fired);
	if (uev) {
		pt->notify = ev.notify;
		pt->signo = ev.signo;
		pt->tid = ev.tid;
		pt->value = ev.value;
	} else {
		pt->notify = SIGEV_SIGNAL;
		pt->signo = SIGALRM;
		pt->value = (uint64_t)pt->id;
	}
	list_push_back(&p->ptimers, &pt->link);
	p->nptimers++;
	if (copyout(uid, &pt->id, sizeof(pt->id)) < 0) {
		ptimer_free(pt);
		return -EFAULT;
	}
	return 0;
}

/* Linux's common_timer_get. */
static void
ptimer_get(struct ptimer *pt, struct itimerspec_k *cur)
{
	struct clocktimer *ct = &pt->timer;
	bool sig_none = pt->notify == SIGEV_NONE;
	*cur = (struct itimerspec_k){ ns_to_timespec(ct->interval), { 0, 0 } };
	if (!ct->expires)
		return;
	/* A periodic timer not armed now moves past now by whole periods. */
	if (ct->interval && !ct->ktimer.armed)
		pt->overrun += (int64_t)clocktimer_forward(ct, false);
	uint64_t left = clocktimer_left(ct);
	if (left)
		cur->value = ns_to_timespec(left);
	else if (!sig_none)
		cur->value.tv_nsec = 1;	/* expired, its signal not yet taken */
}

long
sys_timer_gettime(int id, uaddr_t ucur)
{
	struct ptimer *pt = ptimer_find(current()->proc, id);
	if (!pt)
		return -EINVAL;
	struct itimerspec_k cur;
	ptimer_get(pt, &cur);
	return copyout(ucur, &cur, sizeof(cur));
}

long
sys_timer_settime(int id, int flags, uaddr_t unew, uaddr_t uold)
{
	struct itimerspec_k v, old;
	if (!unew)
		return -EINVAL;
	if (copyin(&v, unew, sizeof(v)) < 0)
		return -EFAULT;
	if (!timespec_valid(&v.interval) || !timespec_valid(&v.value))
		return -EINVAL;
	struct ptimer *pt = ptimer_find(current()->proc, id);
	if (!pt)
		return -EINVAL;
	ptimer_get(pt, &old);
	/* A signal already queued stays, and counts this setting's expiries. */
	pt->overrun = -1;
	pt->overrun_last = 0;
	uint64_t value = timespec_to_ns(&v.value);
	if (flags & TIMER_ABSTIME)	/* a time in the caller's namespace */
		value = timens_to_host(pt->timer.clock, value);
	clocktimer_set(&pt->timer, value,
		       timespec_to_ns(&v.interval), flags & TIMER_ABSTIME,
		       pt->notify != SIGEV_NONE);
	/* As Linux: the new setting stands even if the old cannot be told. */
	if (uold && copyout(uold, &old, sizeof(old)) < 0)
		return -EFAULT;
	return 0;
}

long
sys_timer_getoverrun(int id)
{
	struct ptimer *pt = ptimer_find(current()->proc, id);
	return pt ? pt->overrun_last : -EINVAL;
}

long
sys_timer_delete(int id)
{
	struct ptimer *pt = ptimer_find(current()->proc, id);
	if (!pt)
		return -EINVAL;
	ptimer_free(pt);
	return 0;
}
