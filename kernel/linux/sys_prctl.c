/*
 * prctl: the thread's name, the process's dumpable flag, parent-death signal, child
 * subreaper flag and timer slack; the thread's no_new_privs flag and
 * seccomp mode (seccomp.c). The slack is kept and reported only:
 * Petrel's timers fire at their deadline, never later by design.
 */
#include <kernel/proc.h>
#include <kernel/vm.h>
#include <kernel/syscall.h>
#include <syscall_table.h>
#include <kernel/errno.h>
#include <kernel/string.h>
#include <kernel/seccomp.h>

#define PR_SET_PDEATHSIG 1
#define PR_GET_PDEATHSIG 2
#define PR_GET_DUMPABLE 3
#define PR_SET_DUMPABLE 4
#define PR_SET_NAME 15
#define PR_GET_SECCOMP 21
#define PR_SET_SECCOMP 22
#define PR_GET_NAME 16
#define PR_SET_TIMERSLACK 29
#define PR_GET_TIMERSLACK 30
#define PR_SET_CHILD_SUBREAPER 36
#define PR_GET_CHILD_SUBREAPER 37
#define PR_SET_NO_NEW_PRIVS 38
#define PR_GET_NO_NEW_PRIVS 39
#define TIMER_SLACK_DEFAULT_NS 50000	/* Linux's for a normal thread */

uint64_t
thread_timer_slack(const struct thread *t)
{
	return t->sched.timer_slack_ns ? t->sched.timer_slack_ns :
					 TIMER_SLACK_DEFAULT_NS;
}

/* PR_SET_TIMERSLACK 0 goes back to the slack the thread started with. */
static long
set_timer_slack(struct thread *t, uint64_t ns)
{
	t->sched.timer_slack_ns = ns ? ns : t->sched.timer_slack_default_ns;
	return 0;
}

/* PR_SET_NAME names the calling thread (its first 15 bytes, as Linux's,
 * even without a NUL in the first 16). */
static long
set_name(struct thread *t, uaddr_t uname)
{
	char n[THREAD_COMM_MAX];
	if (copyinstr(n, uname, sizeof(n)) < 0) {
		if (copyin(n, uname, sizeof(n) - 1) < 0)
			return -EFAULT;
		n[sizeof(n) - 1] = 0;
	}
	thread_set_comm(t, n, strlen(n));
	return 0;
}

long
sys_prctl(int op, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5)
{
	struct thread *t = current();
	struct proc *p = t->proc;
	int v;
	long r = caps_prctl(op, a2, a3, a4, a5);	/* capability options */
	if (r != -ENOSYS)
		return r;
	switch (op) {
	case PR_SET_NAME:
		return set_name(t, a2);
	case PR_GET_NAME:
		return copyout(a2, t->comm, sizeof(t->comm));
	case PR_GET_DUMPABLE:
		return !p->undumpable;
	case PR_SET_DUMPABLE:	/* SUID_DUMP_DISABLE or _USER */
		if (a2 > 1)
			return -EINVAL;
		p->undumpable = a2 == 0;
		return 0;
	case PR_SET_PDEATHSIG:
		if (a2 >= NSIG)
			return -EINVAL;
		p->pdeath_signal = (int)a2;
		return 0;
	case PR_GET_PDEATHSIG:
		v = p->pdeath_signal;
		return copyout(a2, &v, sizeof(v));
	case PR_SET_CHILD_SUBREAPER:
		p->child_subreaper = a2 != 0;
		return 0;
	case PR_GET_CHILD_SUBREAPER:
		v = p->child_subreaper;
		return copyout(a2, &v, sizeof(v));
	case PR_SET_TIMERSLACK:
		return set_timer_slack(t, a2);
	case PR_GET_TIMERSLACK:
		return (long)thread_timer_slack(t);
	case PR_SET_NO_NEW_PRIVS:	/* never undone */
		if (a2 != 1 || a3 || a4 || a5)
			return -EINVAL;
		t->no_new_privs = true;
		return 0;
	case PR_GET_NO_NEW_PRIVS:
		if (a2 || a3 || a4 || a5)
			return -EINVAL;
		return t->no_new_privs;
	case PR_GET_SECCOMP:
		return t->seccomp_mode;
	case PR_SET_SECCOMP:
		return seccomp_prctl_set(a2, a3);
	}
	r = prctl_more(op, a2, a3, a4, a5);	/* sys_prctl_mm.c */
	return r == -ENOSYS ? -EINVAL : r;
}
