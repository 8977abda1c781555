/*
 * User and system CPU time, as times(), getrusage() and /proc/PID/stat
 * tell them. A thread's time on the CPU is measured at each switch
 * (cpu_ns); how it splits between user mode and the kernel is sampled
 * every few milliseconds (kernel/sched/tick.c: the time since the last
 * sample goes to the mode found), as Linux counts ticks without
 * VIRT_CPU_ACCOUNTING. The measured total is split in the samples' ratio,
 * never below what was told before (Linux's cputime_adjust).
 */
#include <kernel/clock.h>
#include <kernel/proc.h>

/*
 * total split in the ratio user:system (the sampled times); all user
 * time before a sample. Neither part goes below *shown, the split last told, which
 * becomes this one.
 */
static struct cputime
cputime_adjust(uint64_t total, uint64_t user_ns, uint64_t system_ns,
	       struct cputime *shown)
{
	if (shown->user_ns + shown->system_ns >= total)
		return *shown;
	uint64_t system = 0;
	if (system_ns && !user_ns)
		system = total;
	else if (system_ns)
		system = (uint64_t)((unsigned __int128)total * system_ns /
				    (user_ns + system_ns));
	system = MAX(system, shown->system_ns);
	uint64_t user = total - system;
	if (user < shown->user_ns) {
		user = shown->user_ns;
		system = total - user;
	}
	*shown = (struct cputime){ user, system };
	return *shown;
}

struct cputime
thread_cputime(struct thread *t)
{
	return cputime_adjust(thread_cpu_ns(t), t->sampled_user_ns,
			      t->sampled_system_ns, &t->cputime_shown);
}

struct cputime
proc_cputime(struct proc *p)
{
	uint64_t user = p->gone_sampled_user_ns;
	uint64_t system = p->gone_sampled_system_ns;
	list_for_each(it, &p->threads) {
		struct thread *t = list_entry(it, struct thread, proc_link);
		user += t->sampled_user_ns;
		system += t->sampled_system_ns;
	}
	return cputime_adjust(proc_cpu_ns(p), user, system, &p->cputime_shown);
}

void
cputime_thread_gone(struct proc *p, struct thread *t)
{
	p->gone_cpu_ns += thread_cpu_ns(t);
	p->gone_sampled_user_ns += t->sampled_user_ns;
	p->gone_sampled_system_ns += t->sampled_system_ns;
}

void
cputime_reap(struct proc *parent, struct proc *c)
{
	struct cputime own = proc_cputime(c);
	parent->child_cputime.user_ns += own.user_ns + c->child_cputime.user_ns;
	parent->child_cputime.system_ns += own.system_ns +
					   c->child_cputime.system_ns;
}

/* ---- RLIMIT_CPU ---------------------------------------------------------- */

#define RLIMIT_CPU 0
#define RLIM_INFINITY (~0ull)

/*
 * p's CPU time reached its RLIMIT_CPU: SIGKILL at the hard limit; at the
 * soft one SIGXCPU, and the soft limit a second further while under the
 * hard one, so SIGXCPU comes each second (Linux's check_process_timers).
 */
static void
cpu_limit_fired(struct clocktimer *ct)
{
	struct proc *p = ct->proc;
	uint64_t *limit = p->rlimits[RLIMIT_CPU];
	uint64_t seconds = proc_cpu_ns(p) / NSEC_PER_SEC;
	if (limit[1] != RLIM_INFINITY && seconds >= limit[1]) {
		signal_send_proc(p, SIGKILL);
		return;
	}
	if (limit[0] != RLIM_INFINITY && seconds >= limit[0]) {
		signal_send_proc(p, SIGXCPU);
		if (limit[0] < limit[1])
			limit[0]++;
	}
	cputime_limit_arm(p);
}

void
cputime_limit_arm(struct proc *p)
{
	uint64_t next = MIN(p->rlimits[RLIMIT_CPU][0],
			    p->rlimits[RLIMIT_CPU][1]);
	struct clocktimer *ct = &p->cpu_limit;
	clocktimer_cancel(ct);
	if (next == RLIM_INFINITY)
		return;
	clocktimer_init(ct, CLOCK_PROCESS_CPUTIME_ID, cpu_limit_fired);
	ct->proc = p;	/* prlimit: not always the caller's */
	next = next >= INT64_MAX / NSEC_PER_SEC ? INT64_MAX :
	       MAX(next, 1) * NSEC_PER_SEC;	/* Linux: 0 counts as 1 s */
	clocktimer_set(ct, next, 0, true, true);
}
