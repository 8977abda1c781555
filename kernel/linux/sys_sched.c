/*
 * Scheduling attributes: nice values (getpriority, setpriority), policies
 * and real-time priorities (sched_setscheduler and friends), CPU affinity
 * and getcpu, sched_setattr and sched_getattr. Each is kept per thread and checked as Linux checks it; the
 * scheduler runs every thread round robin, with a slice weighted by its
 * nice value (kernel/sched/sched.c), and ignores the rest
 * (docs/linux-abi.md).
 */
#include <kernel/proc.h>
#include <kernel/syscall.h>
#include <syscall_table.h>
#include <kernel/errno.h>
#include <kernel/string.h>
#include <kernel/stat.h>
#include <kernel/vm.h>

#define PRIO_PROCESS 0
#define PRIO_PGRP 1
#define PRIO_USER 2
#define NICE_MIN (-20)
#define NICE_MAX 19

#define SCHED_OTHER 0
#define SCHED_FIFO 1
#define SCHED_RR 2
#define SCHED_BATCH 3
#define SCHED_IDLE 5
#define SCHED_DEADLINE 6
#define SCHED_RESET_ON_FORK 0x40000000
#define RT_PRIO_MAX 99

#define RLIMIT_NICE 13
#define RLIMIT_RTPRIO 14

static bool
rt_policy(int policy)
{
	return policy == SCHED_FIFO || policy == SCHED_RR;
}

static bool
nice_capable(void)
{
	return capable(CAP_SYS_NICE);
}

/* Linux's can_nice: RLIMIT_NICE allows 20 - nice, or the caller is privileged. */
static bool
can_nice(struct thread *t, int nice)
{
	return (uint64_t)(20 - nice) <= t->proc->rlimits[RLIMIT_NICE][0] ||
	       nice_capable();
}

/* Linux's check_same_owner: the caller's euid is the target's uid or euid. */
static bool
same_owner(struct thread *t)
{
	struct proc *self = current()->proc;
	return self->euid == t->proc->euid || self->euid == t->proc->uid;
}

/* The thread a pid names (0: the caller), or NULL. */
static struct thread *
thread_of(int pid)
{
	if (pid == 0)
		return current();
	struct thread *t = thread_find(pid);
	return t && t->proc && t->proc->state == PROC_ALIVE ? t : NULL;
}

void
sched_attr_fork(struct thread *child, const struct thread *parent)
{
	child->sched = parent->sched;
	/* A new thread's slack, and its default, are its creator's slack. */
	child->sched.timer_slack_ns = thread_timer_slack(parent);
	child->sched.timer_slack_default_ns = child->sched.timer_slack_ns;
	if (!child->sched.reset_on_fork)
		return;
	/* SCHED_RESET_ON_FORK: the child starts as an ordinary thread. */
	child->sched.reset_on_fork = false;
	if (rt_policy(child->sched.policy)) {
		child->sched.policy = SCHED_OTHER;
		child->sched.rt_priority = 0;
	}
	if (child->sched.nice < 0)
		child->sched.nice = 0;
}

int
proc_nice(struct proc *p)
{
	if (list_empty(&p->threads))
		return 0;
	return list_first(&p->threads, struct thread, proc_link)->sched.nice;
}

/* ---- getpriority, setpriority ------------------------------------------- */

/* Linux's set_one_prio: error is what the calls before left (-ESRCH at first). */
static long
set_one_prio(struct thread *t, int nice, long error)
{
	struct proc *self = current()->proc, *p = t->proc;
	if (p->uid != self->euid && p->euid != self->euid && !nice_capable())
		return -EPERM;
	if (nice < t->sched.nice && !can_nice(t, nice))
		return -EACCES;
	t->sched.nice = nice;
	return error == -ESRCH ? 0 : error;
}

/* Linux's getpriority/setpriority walk (declared in proc.h). */
int
prio_each(int which, int who, void (*fn)(struct thread *, void *), void *arg)
{
	struct proc *self = current()->proc;
	int n = 0;
	if (which == PRIO_PROCESS) {
		struct thread *t = thread_of(who);
		if (t)
			fn(t, arg), n++;
		return n;
	}
	if (which == PRIO_PGRP && who == 0)
		who = self->pgid;
	if (which == PRIO_USER && who == 0)
		who = (int)self->uid;
	list_for_each(it, &all_procs) {
		struct proc *p = list_entry(it, struct proc, all_link);
		if (p->state != PROC_ALIVE)
			continue;
		if (which == PRIO_PGRP ? p->pgid != who : p->uid != (unsigned)who)
			continue;
		list_for_each(jt, &p->threads)
			fn(list_entry(jt, struct thread, proc_link), arg), n++;
	}
	return n;
}

struct prio_set {
	int nice;
	long error;
};

static void
prio_set_one(struct thread *t, void *arg)
{
	struct prio_set *s = arg;
	s->error = set_one_prio(t, s->nice, s->error);
}

static void
prio_get_one(struct thread *t, void *arg)
{
	long *best = arg;
	long v = 20 - t->sched.nice;	/* Linux's nice_to_rlimit: 1..40 */
	if (v > *best)
		*best = v;
}

long
sys_setpriority(int which, int who, int nice)
{
	if (which < PRIO_PROCESS || which > PRIO_USER)
		return -EINVAL;
	struct prio_set s = { MAX(NICE_MIN, MIN(nice, NICE_MAX)), -ESRCH };
	prio_each(which, who, prio_set_one, &s);
	return s.error;
}

/* Returns 20 - nice (1..40), the highest of those named, as Linux does;
 * the C library turns it back into a nice value. */
long
sys_getpriority(int which, int who)
{
	if (which < PRIO_PROCESS || which > PRIO_USER)
		return -EINVAL;
	long best = -ESRCH;
	prio_each(which, who, prio_get_one, &best);
	return best;
}

/* ---- Policies ------------------------------------------------------------ */

/* Linux's __sched_setscheduler checks for an unprivileged caller. */
static long
setscheduler_permitted(struct thread *t, int policy, unsigned prio,
		       bool reset_on_fork)
{
	if (nice_capable())
		return 0;
	if (rt_policy(policy)) {
		uint64_t rlim = t->proc->rlimits[RLIMIT_RTPRIO][0];
		if (policy != t->sched.policy && !rlim)
			return -EPERM;
		if (prio > t->sched.rt_priority && prio > rlim)
			return -EPERM;
	}
	if (t->sched.policy == SCHED_IDLE && policy != SCHED_IDLE &&
	    !can_nice(t, t->sched.nice))
		return -EPERM;
	if (!same_owner(t))
		return -EPERM;
	if (t->sched.reset_on_fork && !reset_on_fork)
		return -EPERM;
	return 0;
}

/*
 * policy < 0 keeps the thread's policy (sched_setparam). FIFO and RR are
 * recorded and reported, but such a thread is scheduled as SCHED_OTHER.
 */
static long
setscheduler(struct thread *t, int policy, int uprio)
{
	bool reset_on_fork = t->sched.reset_on_fork;
	unsigned prio = (unsigned)uprio;
	if (policy < 0) {
		policy = t->sched.policy;
	} else {
		reset_on_fork = policy & SCHED_RESET_ON_FORK;
		policy &= ~SCHED_RESET_ON_FORK;
		if (policy != SCHED_OTHER && policy != SCHED_BATCH &&
		    policy != SCHED_IDLE && !rt_policy(policy) &&
		    policy != SCHED_DEADLINE)
			return -EINVAL;
	}
	if (prio > RT_PRIO_MAX)
		return -EINVAL;
	/* SCHED_DEADLINE needs sched_setattr's parameters: never valid here. */
	if (policy == SCHED_DEADLINE || rt_policy(policy) != (prio != 0))
		return -EINVAL;
	long e = setscheduler_permitted(t, policy, prio, reset_on_fork);
	if (e < 0)
		return e;
	t->sched.policy = policy;
	t->sched.rt_priority = prio;
	t->sched.reset_on_fork = reset_on_fork;
	return 0;
}

static long
do_setscheduler(int pid, int policy, uaddr_t uparam)
{
	int prio;
	if (!uparam || pid < 0)
		return -EINVAL;
	if (copyin(&prio, uparam, sizeof(prio)) < 0)
		return -EFAULT;
	struct thread *t = thread_of(pid);
	if (!t)
		return -ESRCH;
	return setscheduler(t, policy, prio);
}

long
sys_sched_setscheduler(int pid, int policy, uaddr_t param)
{
	if (policy < 0)
		return -EINVAL;
	return do_setscheduler(pid, policy, param);
}

long
sys_sched_setparam(int pid, uaddr_t param)
{
	return do_setscheduler(pid, -1, param);
}

long
sys_sched_getscheduler(int pid)
{
	if (pid < 0)
		return -EINVAL;
	struct thread *t = thread_of(pid);
	if (!t)
		return -ESRCH;
	return t->sched.policy | (t->sched.reset_on_fork ? SCHED_RESET_ON_FORK : 0);
}

long
sys_sched_getparam(int pid, uaddr_t param)
{
	if (!param || pid < 0)
		return -EINVAL;
	struct thread *t = thread_of(pid);
	if (!t)
		return -ESRCH;
	int prio = rt_policy(t->sched.policy) ? (int)t->sched.rt_priority : 0;
	return copyout(param, &prio, sizeof(prio));
}

long
sys_sched_get_priority_max(int policy)
{
	if (rt_policy(policy))
		return RT_PRIO_MAX;
	if (policy == SCHED_OTHER || policy == SCHED_BATCH ||
	    policy == SCHED_IDLE || policy == SCHED_DEADLINE)
		return 0;
	return -EINVAL;
}

long
sys_sched_get_priority_min(int policy)
{
	if (rt_policy(policy))
		return 1;
	return sys_sched_get_priority_max(policy);
}

/* The time slice: none under FIFO, the scheduler's 10 ms otherwise. */
long
sys_sched_rr_get_interval(int pid, uaddr_t interval)
{
	if (pid < 0)
		return -EINVAL;
	struct thread *t = thread_of(pid);
	if (!t)
		return -ESRCH;
	uint64_t ns = t->sched.policy == SCHED_FIFO ? 0 : TIME_SLICE_NS;
	struct timespec_k ts = { 0, (int64_t)ns };
	return copyout(interval, &ts, sizeof(ts));
}

/* ---- sched_setattr, sched_getattr ---------------------------------------- */

/* struct sched_attr, as Linux lays it out (SCHED_ATTR_SIZE_VER1). */
struct sched_attr_user {
	uint32_t size, policy;
	uint64_t flags;
	int32_t nice;
	uint32_t priority;
	uint64_t runtime, deadline, period;
	uint32_t util_min, util_max;
};
#define SCHED_ATTR_SIZE_VER0 48
#define SCHED_FLAG_RESET_ON_FORK 0x01
#define SCHED_FLAG_KEEP_POLICY 0x08
#define SCHED_FLAG_KEEP_PARAMS 0x10
#define SCHED_FLAG_ALL 0x7f
#define DL_PERIOD_MIN_NS 100000ull		/* sched_deadline_period_min_us */
#define DL_PERIOD_MAX_NS (4194304ull * 1000)	/* ..._max_us */

/*
 * Linux's sched_copy_attr: size 0 is the first version's; a smaller one,
 * or one past a page, is E2BIG (the size we know written back), and so is
 * a larger one whose extra bytes are not zero.
 */
static long
sched_attr_copyin(uaddr_t uattr, struct sched_attr_user *a)
{
	uint32_t size;
	if (copyin(&size, uattr, sizeof(size)) < 0)
		return -EFAULT;
	if (size == 0)
		size = SCHED_ATTR_SIZE_VER0;
	if (size < SCHED_ATTR_SIZE_VER0 || size > PAGE_SIZE)
		goto too_big;
	for (uint32_t at = sizeof(*a); at < size; at++) {
		uint8_t c;
		if (copyin(&c, uattr + at, 1) < 0)
			return -EFAULT;
		if (c)
			goto too_big;
	}
	memset(a, 0, sizeof(*a));
	if (copyin(a, uattr, MIN(size, (uint32_t)sizeof(*a))) < 0)
		return -EFAULT;
	a->size = size;
	a->nice = MAX(NICE_MIN, MIN(a->nice, NICE_MAX));
	return 0;
too_big:
	size = sizeof(*a);
	return copyout(uattr, &size, sizeof(size)) < 0 ? -EFAULT : -E2BIG;
}

/* Linux's __checkparam_dl: 0 < runtime <= deadline <= period (0: the
 * deadline), the period within the sysctl limits, runtime >= 1024 ns. */
static bool
dl_params_valid(const struct sched_attr_user *a)
{
	uint64_t period = a->period ? a->period : a->deadline;
	if (a->deadline == 0 || a->runtime < 1024)
		return false;
	if ((a->deadline | a->period) & (1ull << 63))
		return false;
	if (a->runtime > a->deadline || a->deadline > period)
		return false;
	return period >= DL_PERIOD_MIN_NS && period <= DL_PERIOD_MAX_NS;
}

static bool
policy_known(int policy)
{
	return policy == SCHED_OTHER || policy == SCHED_BATCH ||
	       policy == SCHED_IDLE || rt_policy(policy) ||
	       policy == SCHED_DEADLINE;
}

/* __sched_setscheduler for sched_setattr's fuller attributes. */
static long
setattr(struct thread *t, const struct sched_attr_user *a)
{
	bool keep_params = a->flags & SCHED_FLAG_KEEP_PARAMS;
	int policy = (int)a->policy;
	if (a->flags & (SCHED_FLAG_KEEP_POLICY | SCHED_FLAG_KEEP_PARAMS))
		policy = t->sched.policy;
	if (!policy_known(policy) || (a->flags & ~(uint64_t)SCHED_FLAG_ALL))
		return -EINVAL;
	unsigned prio = keep_params ? t->sched.rt_priority : a->priority;
	if (prio > RT_PRIO_MAX || rt_policy(policy) != (prio != 0))
		return -EINVAL;
	if (policy == SCHED_DEADLINE && !keep_params && !dl_params_valid(a))
		return -EINVAL;
	bool reset = a->flags & SCHED_FLAG_RESET_ON_FORK;
	if (policy == SCHED_DEADLINE && !nice_capable())
		return -EPERM;
	bool fair = !rt_policy(policy) && policy != SCHED_DEADLINE;
	if (fair && !keep_params && a->nice < t->sched.nice &&
	    !can_nice(t, a->nice))
		return -EPERM;
	long e = setscheduler_permitted(t, policy, prio, reset);
	if (e < 0)
		return e;
	t->sched.policy = policy;
	t->sched.rt_priority = prio;
	t->sched.reset_on_fork = reset;
	if (keep_params)
		return 0;
	if (fair)
		t->sched.nice = a->nice;
	t->sched.dl_runtime = a->runtime;
	t->sched.dl_deadline = a->deadline;
	t->sched.dl_period = a->period ? a->period : a->deadline;
	return 0;
}

long
sys_sched_setattr(int pid, uaddr_t uattr, unsigned flags)
{
	struct sched_attr_user a;
	if (!uattr || pid < 0 || flags)
		return -EINVAL;
	long e = sched_attr_copyin(uattr, &a);
	if (e < 0)
		return e;
	if ((int)a.policy < 0)
		return -EINVAL;
	struct thread *t = thread_of(pid);
	if (!t)
		return -ESRCH;
	return setattr(t, &a);
}

/* Copies out as much of the attributes as the caller's size holds. */
long
sys_sched_getattr(int pid, uaddr_t uattr, unsigned usize, unsigned flags)
{
	if (!uattr || pid < 0 || usize > PAGE_SIZE ||
	    usize < SCHED_ATTR_SIZE_VER0 || flags)
		return -EINVAL;
	struct thread *t = thread_of(pid);
	if (!t)
		return -ESRCH;
	struct sched_attr_user a;
	memset(&a, 0, sizeof(a));
	a.size = MIN(usize, (unsigned)sizeof(a));
	a.policy = (uint32_t)t->sched.policy;
	a.flags = t->sched.reset_on_fork ? SCHED_FLAG_RESET_ON_FORK : 0;
	if (t->sched.policy == SCHED_DEADLINE) {
		a.runtime = t->sched.dl_runtime;
		a.deadline = t->sched.dl_deadline;
		a.period = t->sched.dl_period;
	} else if (rt_policy(t->sched.policy)) {
		a.priority = t->sched.rt_priority;
	} else {
		a.nice = t->sched.nice;
	}
	a.util_max = 1024;	/* no clamping: the whole range */
	return copyout(uattr, &a, a.size);
}

/* ---- Affinity ------------------------------------------------------------ */

static uint64_t
cpus_online(void)
{
	uint64_t m = 0;
	for (int i = 0; i < cpu_count && i < 64; i++)
		if (cpus[i].online)
			m |= 1ull << i;
	return m;
}

/*
 * Linux's cpumask_size() with nr_cpu_ids CPUs: whole longs, so one here
 * (CPU_MAX is 16).
 */
#define CPUMASK_BYTES 8u

long
sys_sched_setaffinity(int pid, size_t len, uaddr_t umask)
{
	uint64_t mask = 0;
	unsigned n = MIN((unsigned)len, CPUMASK_BYTES);
	if (copyin(&mask, umask, n) < 0)
		return -EFAULT;
	struct thread *t = thread_of(pid);
	if (!t)
		return -ESRCH;
	if (!same_owner(t) && !nice_capable())
		return -EPERM;
	if (!(mask & cpus_online()))
		return -EINVAL;
	sched_set_affinity(t, mask);	/* off a CPU it may no longer use */
	return 0;
}

long
sys_sched_getaffinity(int pid, size_t ulen, uaddr_t umask)
{
	unsigned len = (unsigned)ulen;
	if ((uint64_t)len * 8 < (uint64_t)cpu_count || (len & 7))
		return -EINVAL;
	struct thread *t = thread_of(pid);
	if (!t)
		return -ESRCH;
	uint64_t m = cpus_online();
	if (t->sched.affinity)
		m &= t->sched.affinity;
	unsigned n = MIN(len, CPUMASK_BYTES);
	if (copyout(umask, &m, n) < 0)
		return -EFAULT;
	return n;
}

long
sys_getcpu(uaddr_t ucpu, uaddr_t unode, uaddr_t cache)
{
	(void)cache;	/* unused since Linux 2.6.24 */
	unsigned cpu = (unsigned)this_cpu()->id, node = 0;
	if (ucpu && copyout(ucpu, &cpu, sizeof(cpu)) < 0)
		return -EFAULT;
	if (unode && copyout(unode, &node, sizeof(node)) < 0)
		return -EFAULT;
	return 0;
}
