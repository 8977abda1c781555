/*
 * Signals: generation (kill, faults, the tty), default actions including
 * job-control stops, and delivery to handlers through a Linux-compatible
 * rt_sigframe on the user stack, undone by rt_sigreturn. The frame's
 * layout and the registers are the arch's (arch/ARCH/signal.c).
 */
#include <kernel/proc.h>
#include <kernel/trace.h>
#include <kernel/vm.h>
#include <kernel/errno.h>
#include <kernel/string.h>
#include <kernel/printk.h>
#include <kernel/arch.h>
#include <kernel/syscall.h>
#include <syscall_table.h>
#include <kernel/stat.h>
#include <kernel/ptrace.h>
#include <kernel/seccomp.h>
#include <kernel/landlock.h>

#define SIG_DFL 0
#define SIG_IGN 1
#define SA_NOCLDSTOP 1
#define SA_SIGINFO 4
#define SA_ONSTACK 0x08000000
#define SA_RESTART 0x10000000
#define SA_NODEFER 0x40000000
#define SA_RESETHAND 0x80000000
#define RLIMIT_SIGPENDING 11
#define UNBLOCKABLE (SIGBIT(SIGKILL) | SIGBIT(SIGSTOP))

static const uint64_t default_ignore =
	SIGBIT(SIGCHLD) | SIGBIT(SIGURG) | SIGBIT(SIGWINCH) | SIGBIT(SIGCONT);
static const uint64_t default_stop =
	SIGBIT(SIGSTOP) | SIGBIT(SIGTSTP) | SIGBIT(SIGTTIN) | SIGBIT(SIGTTOU);
static const uint64_t default_core =
	SIGBIT(SIGQUIT) | SIGBIT(SIGILL) | SIGBIT(SIGTRAP) | SIGBIT(SIGABRT) |
	SIGBIT(SIGBUS) | SIGBIT(SIGFPE) | SIGBIT(SIGSEGV) | SIGBIT(SIGXCPU) |
	SIGBIT(SIGXFSZ) | SIGBIT(SIGSYS);

static struct waitq stop_wait;

static bool
ignored(struct proc *p, int sig)
{
	uint64_t h = p->sighand->action[sig].handler;
	if (h == SIG_IGN)
		return sig != SIGKILL && sig != SIGSTOP;
	return h == SIG_DFL && (default_ignore & SIGBIT(sig));
}

bool
signal_fault_unhandled(struct thread *t, int sig)
{
	uint64_t h = t->proc->sighand->action[sig].handler;

	return h == SIG_DFL || h == SIG_IGN || (t->sig_blocked & SIGBIT(sig));
}

/* The thread whose id is p's pid (Linux's group leader), or NULL. */
static struct thread *
leader_of(struct proc *p)
{
	list_for_each(it, &p->threads) {
		struct thread *t = list_entry(it, struct thread, proc_link);
		if (t->tid == p->pid)
			return t;
	}
	return NULL;
}

/*
 * Linux's sig_ignored: a signal its action ignores is dropped when sent,
 * unless the thread it is sent to (the leader, for a process) blocks it:
 * the action may change before it is unblocked, and sigwait may take it.
 * A sigtimedwait that waits with its set unblocked counts it as blocked.
 */
static bool
dropped(struct proc *p, struct thread *t, int sig)
{
	if (t && ((t->sig_blocked | t->sig_real_blocked) & SIGBIT(sig)))
		return false;
	if (t && t->ptrace && t->ptrace->tracer)
		return false;	/* the tracer hears of every signal */
	return ignored(p, sig);
}

/*
 * Linux's legacy_queue: a signal below SIGRTMIN that is already pending
 * is not queued again, and the first one's siginfo stands. A POSIX
 * timer's is queued all the same, as Linux's send_sigqueue does.
 */
static bool
legacy_pending(uint64_t pending, int sig, const struct sig_info_k *info)
{
	return sig < 32 && (pending & SIGBIT(sig)) && info->code != SI_TIMER;
}

/* Lets a thread that can take sig know about it. */
static void
notify(struct proc *p, int sig)
{
	/* The pending bit before the masks: a nolock epoll_pwait sets its
	 * mask without the big lock, then tests the bit (ep_wait_nolock). */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	list_for_each(it, &p->threads) {
		struct thread *t = list_entry(it, struct thread, proc_link);
		if (!(t->sig_blocked & SIGBIT(sig)) || (UNBLOCKABLE & SIGBIT(sig))) {
			thread_interrupt(t);
			return;
		}
	}
}

static void
continue_proc(struct proc *p)
{
	ptrace_continue(p);	/* PTRACE_LISTEN ends */
	p->cont_count++;	/* cancels a stop signal already taken */
	p->sig_pending &= ~default_stop;
	list_for_each(it, &p->threads)
		list_entry(it, struct thread, proc_link)->sig_pending &= ~default_stop;
	if (p->stopped) {
		p->stopped = false;
		p->cont_reported = false;
		waitq_wake_all(&stop_wait);
		if (p->parent)
			waitq_wake_all(&p->parent->child_wait);
	}
}

/*
 * Linux's SIGNAL_UNKILLABLE: init (pid 1) takes only the signals it has a
 * handler for; SIGKILL and SIGSTOP and every default action are dropped,
 * since its death would end the machine. Traced, it takes them all but
 * SIGKILL, as Linux's: its tracer decides (ptrace_signal), and then only
 * SIGSTOP's default action is taken.
 */
static bool
init_drops(struct proc *p, struct thread *t, int sig)
{
	if (t && t->ptrace && t->ptrace->tracer && sig != SIGKILL)
		return false;
	return p->pid == 1 && p->sighand->action[sig].handler == SIG_DFL;
}

bool
signal_permitted(struct proc *from, struct proc *to, int sig)
{
	if (from == to)
		return true;
	if (from == current()->proc && landlock_signal(to) < 0)
		return false;	/* a scope (LANDLOCK_SCOPE_SIGNAL) */
	if (proc_capable(from, CAP_KILL))
		return true;
	if (from->uid == to->uid || from->uid == to->suid ||
	    from->euid == to->uid || from->euid == to->suid)
		return true;
	return sig == SIGCONT && from->sid == to->sid;	/* job control */
}

int
signal_send_proc(struct proc *p, int sig)
{
	struct sig_info_k info = { .code = SI_KERNEL };
	return signal_send_proc_info(p, sig, &info);
}

int
signal_send_proc_info(struct proc *p, int sig, const struct sig_info_k *info)
{
	if (sig < 0 || sig >= NSIG)
		return -EINVAL;
	if (sig == 0 || p->state != PROC_ALIVE || !p->sighand)
		return 0;
	if (init_drops(p, leader_of(p), sig))
		return 0;
	if (sig == SIGCONT || sig == SIGKILL)
		continue_proc(p);
	if (default_stop & SIGBIT(sig))
		p->sig_pending &= ~SIGBIT(SIGCONT);
	if (dropped(p, leader_of(p), sig) ||
	    legacy_pending(p->sig_pending, sig, info))
		return 0;
	if (sig >= 32 && (p->sig_pending & SIGBIT(sig)) && p->rt_queued[sig] < 255)
		p->rt_queued[sig]++;	/* real-time signals queue; others merge */
	p->sig_pending |= SIGBIT(sig);
	p->siginfo[sig] = *info;
	signalfd_notify(p);
	if (sig == SIGKILL) {	/* ends killable sleeps too (chan calls) */
		list_for_each(it, &p->threads) {
			struct thread *t = list_entry(it, struct thread, proc_link);
			thread_kill(t);
		}
		return 0;
	}
	notify(p, sig);
	return 0;
}

void
signal_send_thread(struct thread *t, int sig)
{
	struct sig_info_k info = { .code = SI_KERNEL };
	signal_send_thread_info(t, sig, &info);
}

void
signal_send_thread_info(struct thread *t, int sig, const struct sig_info_k *info)
{
	struct proc *p = t->proc;
	if (!p || p->state != PROC_ALIVE || !p->sighand)
		return;
	bool forced = t->sig_forced & SIGBIT(sig);
	if (sig == SIGKILL) {	/* as in Linux: the whole process dies */
		signal_send_proc_info(p, sig, info);
		return;
	}
	if (!forced && init_drops(p, t, sig))
		return;
	if (sig == SIGCONT)
		continue_proc(p);	/* as in Linux: the process's stop */
	if (!forced && (dropped(p, t, sig) ||
			legacy_pending(t->sig_pending, sig, info)))
		return;
	t->sig_pending |= SIGBIT(sig);
	t->siginfo[sig] = *info;
	signalfd_notify(p);
	thread_interrupt(t);
}

int
signal_send_pgrp(int pgid, int sig)
{
	int found = 0;
	list_for_each(it, &all_procs) {
		struct proc *p = list_entry(it, struct proc, all_link);
		if (p->pgid == pgid && p->state == PROC_ALIVE) {
			signal_send_proc(p, sig);
			found++;
		}
	}
	return found ? 0 : -ESRCH;
}

bool
signal_has_own_codes(int sig)
{
	switch (sig) {
	case SIGILL:
	case SIGFPE:
	case SIGSEGV:
	case SIGBUS:
	case SIGTRAP:
	case SIGCHLD:
	case SIGSYS:
		return true;
	}
	return false;
}

/*
 * Whether a signal's siginfo has SIGPOLL's layout (si_band, si_fd), by
 * Linux's siginfo_layout: SIGIO's own codes, SI_SIGIO, and the POLL_*
 * codes of a signal with no codes of its own (O_ASYNC's F_SETSIG signal).
 */
static bool
layout_is_poll(int sig, int code)
{
	if (code == SI_SIGIO)
		return true;
	if (code < POLL_IN || code > POLL_HUP)
		return false;
	return !signal_has_own_codes(sig);
}

void
signal_info_fill(struct siginfo_k *out, int sig, const struct sig_info_k *si)
{
	out->signo = sig;
	out->code = si->code;
	if (layout_is_poll(sig, si->code)) {
		memcpy(&out->raw[0], &si->value, 8);	/* si_band */
		memcpy(&out->raw[8], &si->fd, 4);	/* si_fd */
		return;
	}
	out->kill.pid = si->pid;
	out->kill.uid = si->uid;
	if (si->code == SI_QUEUE || si->code == SI_TIMER || si->code == SI_MESGQ)
		memcpy(&out->raw[8], &si->value, 8);
	if (sig == SIGCHLD && si->code > 0)
		out->kill.status = (int32_t)si->value;
}

/*
 * Sleeps while p is stopped. An uninterruptible sleep: other signals stay
 * queued until the stop ends (an interruptible one would return at once
 * while one is pending, and spin). SIGCONT and SIGKILL end it in
 * continue_proc, an exit_group elsewhere with a SIGKILL and a wake.
 */
static void
stopped_wait(struct proc *p, int sig)
{
	while (p->stopped && !fatal_signal_pending(current())) {
		struct thread *t = current();
		if (!t->ptrace || !t->ptrace->tracer)
			waitq_wait(&stop_wait, 0, false);
		else if (ptrace_group_stop(t, sig))
			break;	/* attached while stopped, resumed since */
	}
}

static void
stop_self(struct proc *p, int sig)
{
	struct thread *self = current();
	if (ptrace_group_stop(self, sig))
		return;		/* a tracee's stop is its tracer's to end */
	p->stopped = true;
	p->stop_sig = sig;
	p->stop_reported = false;
	/* The whole process stops (Linux's group stop): the other threads'
	 * interruptible sleeps end, to restart after the stop, and each
	 * thread waits in signal_stop_join on its way back to user mode. */
	list_for_each(it, &p->threads) {
		struct thread *t = list_entry(it, struct thread, proc_link);
		if (t != self)
			thread_interrupt(t);
	}
	struct proc *parent = p->parent;
	if (parent && parent->sighand &&
	    !(parent->sighand->action[SIGCHLD].flags & SA_NOCLDSTOP))
		signal_send_proc(parent, SIGCHLD);
	if (parent)
		waitq_wake_all(&parent->child_wait);
	stopped_wait(p, sig);
}

bool
signal_stop_join(struct thread *t)
{
	struct proc *p = t->proc;
	if (!p->stopped || fatal_signal_pending(t) ||
	    (t->ptrace && t->ptrace->tracer))
		return false;
	stopped_wait(p, p->stop_sig);
	return true;
}

bool
signal_stop_kick(struct thread *t)
{
	if (t->waiting_on != &stop_wait)
		return false;
	waitq_wake_all(&stop_wait);
	return true;
}

/*
 * Takes one instance of pending signal sig from t (its own pending set
 * first, then its process's) and returns its siginfo. A real-time signal
 * queued more than once stays pending until its last instance is taken.
 */
static struct sig_info_k
take_pending(struct thread *t, int sig)
{
	struct proc *p = t->proc;
	struct sig_info_k info;
	if (t->sig_pending & SIGBIT(sig)) {
		t->sig_pending &= ~SIGBIT(sig);
		info = t->siginfo[sig];
	} else {
		if (p->rt_queued[sig] > 0)
			p->rt_queued[sig]--;
		else
			p->sig_pending &= ~SIGBIT(sig);
		info = p->siginfo[sig];
	}
	if (info.code == SI_TIMER)
		ptimer_dequeued(p, &info);	/* re-arms; the overrun */
	return info;
}

void
signal_unqueue(struct proc *p, struct thread *t, int sig)
{
	if (t)
		t->sig_pending &= ~SIGBIT(sig);
	else if (p->rt_queued[sig] > 0)
		p->rt_queued[sig]--;
	else
		p->sig_pending &= ~SIGBIT(sig);
}

int
signal_take(struct thread *t, uint64_t mask, struct sig_info_k *info)
{
	uint64_t pend = (t->sig_pending | t->proc->sig_pending) & mask;
	if (!pend)
		return 0;
	int sig = __builtin_ctzll(pend) + 1;
	*info = take_pending(t, sig);
	return sig;
}

static int
take_signal(struct thread *t, struct sig_info_k *info)
{
	uint64_t mask = ~t->sig_blocked | UNBLOCKABLE;
	uint64_t pend = t->sig_pending & mask;
	uint64_t *from = &t->sig_pending;
	if (!pend) {
		pend = t->proc->sig_pending & mask;
		from = &t->proc->sig_pending;
	}
	if (!pend)
		return 0;
	if (pend & SIGBIT(SIGKILL)) {
		*from &= ~SIGBIT(SIGKILL);
		return SIGKILL;
	}
	int sig = __builtin_ctzll(pend) + 1;
	*info = take_pending(t, sig);
	return sig;
}

static bool
on_altstack(const struct thread *t, uint64_t sp)
{
	return t->altstack_size && sp - t->altstack_sp < t->altstack_size;
}

uint64_t
signal_altstack_top(const struct thread *t, const struct sigaction_k *a,
		    uint64_t sp)
{
	if ((a->flags & SA_ONSTACK) && t->altstack_size &&
	    !(t->altstack_flags & SS_DISABLE) && !on_altstack(t, sp))
		return t->altstack_sp + t->altstack_size;
	return 0;
}

void
signal_stack_of(const struct thread *t, uint64_t sp, struct sig_stack_k *ss)
{
	ss->sp = t->altstack_sp;
	ss->size = t->altstack_size;
	ss->flags = t->altstack_size ? (on_altstack(t, sp) ? SS_ONSTACK : 0) :
				       SS_DISABLE;
	ss->pad = 0;
}

/* The handler's frame could not be written (Linux's force_sigsegv): a
 * SIGSEGV is forced, which kills when it was SIGSEGV's own frame or when
 * it is blocked or ignored, and else runs its handler, on the stack its
 * own flags name (an alternate stack made read-only by another thread
 * fails only the handlers that use it). */
static void
frame_failed(struct thread *t, int sig)
{
	if (sig == SIGSEGV || signal_fault_unhandled(t, SIGSEGV))
		proc_exit_group(SIGSEGV);
	t->sig_fault_addr = 0;
	t->sig_fault_code = SI_KERNEL;
	t->sig_forced |= SIGBIT(SIGSEGV);
	signal_send_thread(t, SIGSEGV);
}

/* The handler's frame for sig; -EFAULT when it could not be written (a
 * SIGSEGV is pending then, and nothing else changed). */
static int
setup_frame(struct thread *t, struct trapframe *tf, int sig, struct sigaction_k *a,
	    const struct sig_info_k *si)
{
	struct siginfo_k info;
	uint64_t mask = t->restore_mask ? t->saved_mask : t->sig_blocked;
	bool restore_mask = t->restore_mask;

	t->restore_mask = false;
	memset(&info, 0, sizeof(info));
	info.signo = sig;
	if (t->sig_forced & SIGBIT(sig)) {
		info.code = sig == SIGSEGV || sig == SIGBUS ?
			    t->sig_fault_code : 0;
		info.addr = t->sig_fault_addr;
		if (sig == SIGSYS)
			seccomp_siginfo(t, &info);
		t->sig_forced &= ~SIGBIT(sig);
	} else {
		signal_info_fill(&info, sig, si);
	}
	if (arch_signal_frame(t, tf, sig, a, &info, mask) < 0) {
		t->restore_mask = restore_mask;
		frame_failed(t, sig);
		return -EFAULT;
	}
	if (!(a->flags & SA_NODEFER))
		t->sig_blocked |= SIGBIT(sig);
	t->sig_blocked |= a->mask;
	t->sig_blocked &= ~UNBLOCKABLE;
	if (a->flags & SA_RESETHAND)
		a->handler = SIG_DFL;
	return 0;
}

void
signal_deliver(struct trapframe *tf)
{
	struct thread *t = current();
	struct proc *p = t->proc;
	int sig;
	struct sig_info_k si;

	while ((sig = take_signal(t, &si)) != 0) {
		unsigned conts = p->cont_count;
		/* A SIGKILL from exec's killing of the other threads ends
		   only this one (proc_exec_kill_others). */
		if (sig == SIGKILL && !p->exiting && p->exec_thread &&
		    p->exec_thread != t)
			thread_exit(SIGKILL);
		if (p->exiting || sig == SIGKILL)
			proc_exit_group(p->exiting ? p->exit_status : SIGKILL);
		if (t->ptrace && (sig = ptrace_signal(t, sig, &si)) == 0)
			continue;	/* the tracer dropped it */
		struct sigaction_k *a = &p->sighand->action[sig];
		bool forced = t->sig_forced & SIGBIT(sig);
		if (a->handler == SIG_IGN && !forced)
			continue;
		trace_signal(t, sig);
		if (a->handler == SIG_DFL || (forced && a->handler == SIG_IGN) ||
		    (forced && (t->sig_blocked & SIGBIT(sig)))) {
			if ((default_ignore & SIGBIT(sig)) ||
			    (p->pid == 1 && sig != SIGSTOP && !forced))
				continue;	/* init: a tracer passed it on */
			/* A SIGCONT since the stop signal was taken (while
			   its tracer held it, say) cancels it, as Linux's
			   JOBCTL_STOP_DEQUEUED: else the process would stop
			   after the SIGCONT meant to end that stop. */
			if (default_stop & SIGBIT(sig)) {
				if (p->cont_count == conts)
					stop_self(p, sig);
				continue;
			}
			/* The core's 0x80 goes into the exit status
			   only when one was written (coredump). */
			if (default_core & SIGBIT(sig))
				coredump(sig, &si);
			proc_exit_group(sig);
		}
		if (t->syscall_nr >= 0 &&
		    arch_syscall_result(tf) == -ERESTARTNOHAND)
			arch_syscall_set_result(tf, -EINTR);
		if (t->syscall_nr >= 0 &&
		    arch_syscall_result(tf) == -ERESTARTSYS) {
			if (a->flags & SA_RESTART)
				arch_syscall_restart(tf, t->syscall_nr);
			else
				arch_syscall_set_result(tf, -EINTR);
		}
		int e = setup_frame(t, tf, sig, a, &si);
		t->syscall_nr = -1;
		if (e < 0)
			continue;	/* the SIGSEGV it forced, next */
		return;
	}
	if (t->restore_mask) {
		t->sig_blocked = t->saved_mask;
		t->restore_mask = false;
	}
}

long
sys_rt_sigreturn(void)
{
	struct thread *t = current();
	uint64_t mask;
	struct sig_stack_k ss;

	t->regs_replaced = true;
	if (arch_signal_return(t->tf, &mask, &ss) < 0)
		proc_exit_group(SIGSEGV);
	t->sig_blocked = mask & ~UNBLOCKABLE;
	if (!(ss.flags & SS_DISABLE) && ss.size) {
		t->altstack_sp = ss.sp;
		t->altstack_size = ss.size;
	}
	t->syscall_nr = -1;
	return 0;
}

long
sys_rt_sigaction(int sig, uaddr_t act, uaddr_t oact, size_t size)
{
	struct proc *p = current()->proc;
	struct sigaction_k k;
	if (sig < 1 || sig >= NSIG || size != 8)
		return -EINVAL;
	if (act && (sig == SIGKILL || sig == SIGSTOP))
		return -EINVAL;
	if (oact && copyout(oact, &p->sighand->action[sig], sizeof(k)) < 0)
		return -EFAULT;
	if (!act)
		return 0;
	if (copyin(&k, act, sizeof(k)) < 0)
		return -EFAULT;
	k.mask &= ~UNBLOCKABLE;
	p->sighand->action[sig] = k;
	if (ignored(p, sig)) {
		p->sig_pending &= ~SIGBIT(sig);
		p->rt_queued[sig] = 0;
		list_for_each(it, &p->threads)
			list_entry(it, struct thread, proc_link)->sig_pending &= ~SIGBIT(sig);
	}
	return 0;
}

long
sys_rt_sigprocmask(int how, uaddr_t set, uaddr_t oset, size_t size)
{
	struct thread *t = current();
	uint64_t s;
	if (size != 8)
		return -EINVAL;
	if (set && copyin(&s, set, 8) < 0)
		return -EFAULT;
	if (oset && copyout(oset, &t->sig_blocked, 8) < 0)
		return -EFAULT;
	if (!set)
		return 0;
	switch (how) {
	case 0: t->sig_blocked |= s; break;
	case 1: t->sig_blocked &= ~s; break;
	case 2: t->sig_blocked = s; break;
	default: return -EINVAL;
	}
	t->sig_blocked &= ~UNBLOCKABLE;
	return 0;
}

long
sys_rt_sigpending(uaddr_t set, size_t size)
{
	struct thread *t = current();
	uint64_t s = (t->sig_pending | t->proc->sig_pending) & t->sig_blocked;
	if (size != 8)
		return -EINVAL;
	return copyout(set, &s, 8);
}

long
sys_rt_sigsuspend(uaddr_t set, size_t size)
{
	struct thread *t = current();
	uint64_t s;
	if (size != 8)
		return -EINVAL;
	if (copyin(&s, set, 8) < 0)
		return -EFAULT;
	t->saved_mask = t->sig_blocked;
	t->restore_mask = true;
	t->sig_blocked = s & ~UNBLOCKABLE;
	struct waitq wq;
	waitq_init(&wq);
	while (waitq_wait(&wq, 0, true) != -EINTR)
		;
	return -EINTR;
}

long
sys_pause(void)
{
	struct waitq wq;
	waitq_init(&wq);
	while (waitq_wait(&wq, 0, true) != -EINTR)
		;
	return -EINTR;
}

long
sys_rt_sigtimedwait(uaddr_t set, uaddr_t info, uaddr_t ts, size_t size)
{
	struct thread *t = current();
	uint64_t s;
	uint64_t deadline = 0;
	if (size != 8)
		return -EINVAL;
	if (copyin(&s, set, 8) < 0)
		return -EFAULT;
	s &= ~UNBLOCKABLE;
	if (ts) {
		struct timespec_k k;
		if (copyin(&k, ts, sizeof(k)) < 0)
			return -EFAULT;
		if (k.tv_sec < 0 || k.tv_nsec < 0 || k.tv_nsec >= 1000000000)
			return -EINVAL;
		deadline = arch_now_ns() + (uint64_t)k.tv_sec * 1000000000 + (uint64_t)k.tv_nsec;
		if (deadline == arch_now_ns())
			deadline++;
	}
	for (;;) {
		struct sig_info_k k;
		int sig = signal_take(t, s, &k);
		if (sig) {
			if (info) {
				struct siginfo_k si;
				memset(&si, 0, sizeof(si));
				signal_info_fill(&si, sig, &k);
				if (copyout(info, &si, sizeof(si)) < 0)
					return -EFAULT;
			}
			return sig;
		}
		/* Wait with the set unblocked so its signals wake us. */
		uint64_t saved = t->sig_blocked;
		t->sig_real_blocked = saved;
		t->sig_blocked &= ~s;
		struct waitq wq;
		waitq_init(&wq);
		int r = waitq_wait(&wq, deadline, true);
		t->sig_blocked = saved;
		t->sig_real_blocked = 0;
		if (r == -ETIMEDOUT)
			return -EAGAIN;
		if (r == -EINTR && !((t->sig_pending | t->proc->sig_pending) & s))
			return -EINTR;
	}
}

long
sys_sigaltstack(uaddr_t ss, uaddr_t oss)
{
	struct thread *t = current();
	struct sig_stack_k k;
	if (oss) {
		signal_stack_of(t, arch_user_sp(t->tf), &k);
		if (copyout(oss, &k, sizeof(k)) < 0)
			return -EFAULT;
	}
	if (!ss)
		return 0;
	if (copyin(&k, ss, sizeof(k)) < 0)
		return -EFAULT;
	if (on_altstack(t, arch_user_sp(t->tf)))
		return -EPERM;
	/* Linux's ss_mode: one of 0, SS_ONSTACK and SS_DISABLE, whatever
	   SS_AUTODISARM (bit 31) says. */
	int32_t mode = k.flags & 0x7fffffff;
	if (mode != 0 && mode != SS_ONSTACK && mode != SS_DISABLE)
		return -EINVAL;
	if (k.flags & SS_DISABLE) {
		t->altstack_sp = t->altstack_size = 0;
		t->altstack_flags = SS_DISABLE;
		return 0;
	}
	if (k.flags & ~SS_ONSTACK)
		return -EINVAL;
	if (k.size < 2048)
		return -ENOMEM;
	t->altstack_sp = k.sp;
	t->altstack_size = k.size;
	t->altstack_flags = 0;
	return 0;
}

/* exec: handlers are reset to the default; ignored signals stay ignored. */
void
signal_exec_reset(struct proc *p)
{
	if (p->sighand->refcount > 1) {
		struct sighand *s = sighand_copy(p->sighand);
		if (s) {
			sighand_put(p->sighand);
			p->sighand = s;
		}
	}
	for (int i = 1; i < NSIG; i++) {
		struct sigaction_k *a = &p->sighand->action[i];
		if (a->handler != SIG_IGN)
			a->handler = SIG_DFL;
		a->flags = 0;
		a->mask = 0;
		a->restorer = 0;
	}
	current()->altstack_sp = current()->altstack_size = 0;
}

void
signal_init(void)
{
	waitq_init(&stop_wait);
}

/*
 * Copies a sigqueue caller's siginfo for target_tid. Only the kernel sends
 * si_code >= 0 (and tkill's SI_TKILL) to another thread: Linux's rule
 * against a forged kernel siginfo.
 */
int
signal_queueinfo_copy(uaddr_t uinfo, int target_tid, struct sig_info_k *k)
{
	struct siginfo_k si;
	if (copyin(&si, uinfo, sizeof(si)) < 0)
		return -EFAULT;
	if ((si.code >= 0 || si.code == SI_TKILL) &&
	    target_tid != current()->tid)
		return -EPERM;
	*k = (struct sig_info_k){ .code = si.code, .pid = si.kill.pid,
				  .uid = si.kill.uid };
	memcpy(&k->value, &si.raw[8], 8);
	return 0;
}

unsigned
signal_queued(struct proc *p)
{
	unsigned n = (unsigned)__builtin_popcountll(p->sig_pending);
	for (int i = 0; i < NSIG; i++)
		n += p->rt_queued[i];
	list_for_each(it, &p->threads)
		n += (unsigned)__builtin_popcountll(
			list_entry(it, struct thread, proc_link)->sig_pending);
	return n;
}

/*
 * Linux's __sigqueue_alloc refusal: a real-time signal sent with a
 * sender's si_code (not kill's SI_USER) finds no room past the target's
 * RLIMIT_SIGPENDING, counted here per process (Linux: per user), and the
 * sender gets EAGAIN.
 */
static bool
rt_queue_full(struct proc *p, int sig, const struct sig_info_k *info)
{
	return sig >= 32 && info->code != SI_USER &&
	       signal_queued(p) >= p->rlimits[RLIMIT_SIGPENDING][0];
}

long
sys_rt_sigqueueinfo(int pid, int sig, uaddr_t uinfo)
{
	struct sig_info_k k;
	int e = signal_queueinfo_copy(uinfo, pid, &k);
	if (e < 0)
		return e;
	struct proc *p = proc_find_any(pid);
	if (!p)
		return -ESRCH;
	if (sig < 0 || sig >= NSIG)
		return -EINVAL;
	if (!signal_permitted(current()->proc, p, sig))
		return -EPERM;
	if (sig && rt_queue_full(p, sig, &k))
		return -EAGAIN;
	return sig ? signal_send_proc_info(p, sig, &k) : 0;
}

long
sys_rt_tgsigqueueinfo(int tgid, int tid, int sig, uaddr_t uinfo)
{
	struct sig_info_k k;
	int e = signal_queueinfo_copy(uinfo, tid, &k);
	if (e < 0 && e != -EPERM)
		return e;
	if (tgid <= 0 || tid <= 0)
		return -EINVAL;
	if (e < 0)
		return e;
	return signal_send_specific(tgid, tid, sig, &k);
}

int
signal_send_specific(int tgid, int tid, int sig, const struct sig_info_k *info)
{
	struct thread *t = thread_find(tid);
	if (!t || !t->proc || (tgid > 0 && t->proc->pid != tgid))
		return -ESRCH;
	if (sig < 0 || sig >= NSIG)
		return -EINVAL;
	if (!signal_permitted(current()->proc, t->proc, sig))
		return -EPERM;
	if (sig && rt_queue_full(t->proc, sig, info))
		return -EAGAIN;
	if (sig)
		signal_send_thread_info(t, sig, info);
	return 0;
}
