/*
 * User and system CPU time, as times(), getrusage() and /proc/PID/stat
 * tell them. A thread's time on the CPU is measured at each switch
 * (cpu_ns); how it splits between user mode and the kernel is sampled by
 * the timer interrupts (sched_account_tick), as Linux counts ticks without
 * VIRT_CPU_ACCOUNTING. The measured total is split by the samples' ratio,
 * never below what was told before (Linux's cputime_adjust).
 */
#include <kernel/clock.h>
#include <kernel/proc.h>

/*
 * total split by ticks_user:ticks_system; all user time without a
 * sample. Neither part goes below *shown, the split last told, which
 * becomes this one.
 */
static struct cputime
cputime_adjust(uint64_t total, uint64_t ticks_user, uint64_t ticks_system,
	       struct cputime *shown)
{
	if (shown->user_ns + shown->system_ns >= total)
		return *shown;
	uint64_t system = 0;
	if (ticks_system && !ticks_user)
		system = total;
	else if (ticks_system)
		system = (uint64_t)((unsigned __int128)total * ticks_system /
				    (ticks_user + ticks_system));
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
	return cputime_adjust(thread_cpu_ns(t), t->ticks_user, t->ticks_system,
			      &t->cputime_shown);
}

struct cputime
proc_cputime(struct proc *p)
{
	uint64_t user = p->gone_ticks_user, system = p->gone_ticks_system;
	list_for_each(it, &p->threads) {
		struct thread *t = list_entry(it, struct thread, proc_link);
		user += t->ticks_user;
		system += t->ticks_system;
	}
	return cputime_adjust(proc_cpu_ns(p), user, system, &p->cputime_shown);
}

void
cputime_thread_gone(struct proc *p, struct thread *t)
{
	p->gone_cpu_ns += thread_cpu_ns(t);
	p->gone_ticks_user += t->ticks_user;
	p->gone_ticks_system += t->ticks_system;
}

void
cputime_reap(struct proc *parent, struct proc *c)
{
	struct cputime own = proc_cputime(c);
	parent->child_cputime.user_ns += own.user_ns + c->child_cputime.user_ns;
	parent->child_cputime.system_ns += own.system_ns +
					   c->child_cputime.system_ns;
}
