/*
 * ptrace(2): a tracer process attaches to threads (PTRACE_ATTACH, SEIZE,
 * or the child's TRACEME), sees them stop through wait, reads and writes
 * their memory and registers, and resumes them. The tracee stops itself
 * on its own path through the kernel: at system-call entry and exit
 * (syscall.c), when it takes a signal or meets a stop signal (signal.c),
 * at clone, exec and exit; it then sleeps, killable, until the tracer
 * resumes or leaves it. The registers are the arch's (arch/ARCH/ptrace.c).
 *
 * The tracer is a process, not one of its threads, as Linux's: any of its
 * threads may wait for and command its tracees.
 */
#include <kernel/ptrace.h>
#include <kernel/proc.h>
#include <kernel/kmalloc.h>
#include <kernel/vm.h>
#include <kernel/errno.h>
#include <kernel/string.h>
#include <kernel/arch.h>
#include <kernel/syscall.h>
#include <syscall_table.h>
#include <kernel/landlock.h>
#include <kernel/seccomp.h>

#define WEXITED 4
#define WNOWAIT 0x01000000
#define WCLONE 0x80000000	/* Linux's __WCLONE and __WALL */
#define WALL 0x40000000
#define SA_NOCLDSTOP 1
#define CLD_TRAPPED 4
#define CLONE_UNTRACED 0x00800000
#define SIG_VALID_MAX 64	/* Linux's valid_signal: 0 to _NSIG */

/* Stop statuses as wait reports them: WIFSTOPPED, the event above. */
#define STOP_STATUS(sig) (((sig) << 8) | 0x7f)
#define EVENT_STATUS(event) STOP_STATUS(SIGTRAP | ((event) << 8))

/* Threads with a tracer, system-wide: wait's scan costs nothing at 0. */
static int tracees;

/*
 * The exit of a tracee that is not its tracer's child, or not its
 * process's first thread: the tracer alone waits for it (its parent
 * reaps the process as usual). Kept until the tracer waits or exits.
 */
struct traced_exit {
	struct list link;		/* exits */
	struct proc *tracer;
	int tid, pgid;
	bool leader;
	int status;			/* its wait status */
};
static struct list exits = LIST_INIT(exits);

static struct ptrace_k *
traced(const struct thread *t)
{
	return t->ptrace && t->ptrace->tracer ? t->ptrace : NULL;
}

/* The stop's siginfo when it is not a signal's: SIGTRAP from t. */
static void
trap_info(struct ptrace_k *ps, const struct thread *t, int code)
{
	memset(&ps->info, 0, sizeof(ps->info));
	ps->info.signo = SIGTRAP;
	ps->info.code = code;
	ps->info.kill.pid = t->tid;
	ps->info.kill.uid = t->proc->uid;
}

/* Tells the tracer t stopped: SIGCHLD (CLD_TRAPPED) and its waits. */
static void
notify_tracer(struct thread *t, int status)
{
	struct proc *tr = t->ptrace->tracer;
	struct sig_info_k info = {
		.code = CLD_TRAPPED, .pid = t->tid, .uid = t->proc->uid,
		.value = (uint64_t)((status >> 8) & 0x7f),
	};
	if (tr->sighand && !(tr->sighand->action[SIGCHLD].flags & SA_NOCLDSTOP))
		signal_send_proc_info(tr, SIGCHLD, &info);
	waitq_wake_all(&tr->child_wait);
}

/*
 * The current thread t stops with wait status `status` until its tracer
 * resumes or leaves it, or it is killed. Returns the signal the tracer
 * resumed it with (0 if none, or if it was killed). May sleep.
 */
static int
stop(struct thread *t, int status)
{
	struct ptrace_k *ps = traced(t);
	if (!ps || fatal_signal_pending(t))
		return 0;
	ps->stopped = true;
	ps->reported = false;
	ps->status = status;
	ps->resume_sig = 0;
	ps->info_set = false;	/* read by ptrace_signal after the stop */
	notify_tracer(t, status);
	while (ps->stopped && ps->tracer && !fatal_signal_pending(t))
		waitq_wait_killable(&ps->wq, NULL);
	ps->stopped = false;
	ps->has_info = false;
	ps->cont_seen = false;
	return fatal_signal_pending(t) ? 0 : ps->resume_sig;
}

/* Lets t go: no tracer, no stop, no stepping; sig is delivered next if
 * it was in a signal-delivery stop. */
static void
detach(struct thread *t, int sig)
{
	struct ptrace_k *ps = t->ptrace;
	ps->tracer = NULL;
	ps->options = 0;
	ps->seized = ps->syscall_trace = ps->interrupt = false;
	ps->listening = ps->listen_trap = false;
	arch_ptrace_step(t, false);
	ps->resume_sig = sig;
	ps->stopped = false;
	waitq_wake_all(&ps->wq);
	tracees--;
}

/* Makes tracer the tracer of t; -ENOMEM. */
static int
attach(struct thread *t, struct proc *tracer, unsigned options, bool seized)
{
	struct ptrace_k *ps = t->ptrace;
	if (!ps) {
		ps = kzalloc(sizeof(*ps));
		if (!ps)
			return -ENOMEM;
		waitq_init(&ps->wq);
		t->ptrace = ps;
		syscall_work_update(t);
	}
	ps->tracer = tracer;
	ps->options = options;
	ps->seized = seized;
	ps->stopped = ps->reported = ps->syscall_trace = ps->interrupt = false;
	ps->listening = ps->listen_trap = false;
	tracees++;
	return 0;
}

/* ---- The tracee's stops, on its own way through the kernel. ---- */

long
ptrace_syscall(struct thread *t, uint64_t nr, const uint64_t *args)
{
	struct ptrace_k *ps = traced(t);
	if (!ps || !ps->syscall_trace)
		return syscall_invoke(t, nr, args);
	int sig = SIGTRAP | ((ps->options & PTRACE_O_TRACESYSGOOD) ? 0x80 : 0);
	long r;

	/* As Linux's entry: the result register reads -ENOSYS, orig_rax
	 * (t->syscall_nr) the number, both the tracer's to change. */
	arch_syscall_set_result(t->tf, -ENOSYS);
	trap_info(ps, t, sig);
	ps->has_info = true;
	ps->syscall_stop = PTRACE_STOP_SYSCALL_ENTRY;
	stop(t, STOP_STATUS(sig));
	ps->syscall_stop = PTRACE_STOP_OTHER;
	if (fatal_signal_pending(t) || t->syscall_nr < 0)
		r = arch_syscall_result(t->tf);	/* skipped */
	else
		r = syscall_invoke(t, (uint64_t)t->syscall_nr, args);
	if (!traced(t) || !ps->syscall_trace)
		return r;
	if (!t->regs_replaced)
		arch_syscall_set_result(t->tf, r);
	trap_info(ps, t, sig);
	ps->has_info = true;
	ps->syscall_stop = PTRACE_STOP_SYSCALL_EXIT;
	stop(t, STOP_STATUS(sig));
	ps->syscall_stop = PTRACE_STOP_OTHER;
	return arch_syscall_result(t->tf);
}

/* The siginfo of signal sig taken by t, as a handler would see it. */
static void
signal_info(struct ptrace_k *ps, struct thread *t, int sig,
	    const struct sig_info_k *si)
{
	memset(&ps->info, 0, sizeof(ps->info));
	if (t->sig_forced & SIGBIT(sig)) {	/* a fault's */
		ps->info.signo = sig;
		ps->info.code = sig == SIGSEGV || sig == SIGBUS ||
				sig == SIGTRAP ? t->sig_fault_code : SI_KERNEL;
		ps->info.addr = t->sig_fault_addr;
		if (sig == SIGSYS)	/* a SECCOMP_RET_TRAP's */
			seccomp_siginfo(t, &ps->info);
	} else {
		signal_info_fill(&ps->info, sig, si);
	}
	ps->has_info = true;
}

int
ptrace_signal(struct thread *t, int sig, struct sig_info_k *si)
{
	struct ptrace_k *ps = traced(t);
	if (!ps)
		return sig;
	signal_info(ps, t, sig, si);
	int r = stop(t, STOP_STATUS(sig));
	bool info_set = ps->info_set;
	struct siginfo_k info = ps->info;
	if (fatal_signal_pending(t))
		return 0;
	if (r != sig)
		t->sig_forced &= ~SIGBIT(sig);	/* the fault is handled */
	if (!r)
		return 0;
	if (r != sig) {		/* Linux: as if the tracer had sent it */
		struct proc *tr = traced(t) ? ps->tracer : t->proc->parent;
		*si = (struct sig_info_k){ .code = SI_USER,
			.pid = tr ? tr->pid : 0, .uid = tr ? tr->uid : 0 };
	} else if (info_set) {
		si->code = info.code;
		si->pid = info.kill.pid;
		si->uid = info.kill.uid;
	}
	if (t->sig_blocked & SIGBIT(r)) {	/* blocked: pending again */
		signal_send_thread_info(t, r, si);
		return 0;
	}
	return r;
}

bool
ptrace_group_stop(struct thread *t, int sig)
{
	struct ptrace_k *ps = traced(t);
	if (!ps)
		return false;
	int status = STOP_STATUS(sig);
	if (ps->seized) {	/* Linux gives a seized one a siginfo */
		status |= PTRACE_EVENT_STOP << 16;
		trap_info(ps, t, sig | (PTRACE_EVENT_STOP << 8));
		ps->info.signo = sig;
		ps->has_info = true;
	}
	stop(t, status);	/* unseized, no siginfo: EINVAL */
	while (traced(t) && ps->listen_trap) {	/* PTRACE_LISTEN ended */
		ps->listen_trap = false;
		trap_info(ps, t, SIGTRAP | (PTRACE_EVENT_STOP << 8));
		ps->has_info = true;
		stop(t, EVENT_STATUS(PTRACE_EVENT_STOP));
	}
	return traced(t) != NULL;
}

/* Ends t's PTRACE_LISTEN: it stops again to tell its tracer. */
static void
listen_end(struct thread *t)
{
	struct ptrace_k *ps = t->ptrace;
	ps->listening = false;
	ps->listen_trap = true;
	ps->stopped = false;
	waitq_wake_all(&ps->wq);
}

void
ptrace_continue(struct proc *p)
{
	if (!tracees)
		return;
	list_for_each(it, &p->threads) {
		struct thread *t = list_entry(it, struct thread, proc_link);
		struct ptrace_k *ps = traced(t);
		if (ps && ps->listening)
			listen_end(t);
		else if (ps && ps->seized && ps->stopped)
			ps->cont_seen = true;	/* before the tracer's LISTEN */
	}
}

void
ptrace_return_to_user(struct thread *t)
{
	struct ptrace_k *ps = traced(t);
	if (!ps || !ps->interrupt)
		return;
	ps->interrupt = false;
	trap_info(ps, t, SIGTRAP | (PTRACE_EVENT_STOP << 8));
	ps->has_info = true;
	stop(t, EVENT_STATUS(PTRACE_EVENT_STOP));
}

int
ptrace_clone(struct thread *child, unsigned long flags)
{
	struct ptrace_k *ps = traced(current());
	int event;
	if (!ps || (flags & CLONE_UNTRACED))
		return 0;
	if (flags & CLONE_VFORK)
		event = PTRACE_EVENT_VFORK;
	else if ((flags & 0xff) != SIGCHLD)
		event = PTRACE_EVENT_CLONE;
	else
		event = PTRACE_EVENT_FORK;
	/* PTRACE_O_TRACEFORK is 1 << PTRACE_EVENT_FORK, and so on. */
	if (!(ps->options & (1u << event)))
		return 0;
	if (attach(child, ps->tracer, ps->options, ps->seized) < 0)
		return 0;	/* no memory: the child runs untraced */
	if (ps->seized) {
		child->ptrace->interrupt = true;	/* PTRACE_EVENT_STOP */
	} else {
		child->sig_pending |= SIGBIT(SIGSTOP);
		child->siginfo[SIGSTOP] = (struct sig_info_k){ .code = SI_USER };
	}
	return event;
}

void
ptrace_event(int event, uint64_t msg)
{
	struct thread *t = current();
	struct ptrace_k *ps = traced(t);
	if (!event || !ps || !(ps->options & (1u << event)))
		return;
	ps->event_msg = msg;
	trap_info(ps, t, SIGTRAP | (event << 8));
	ps->has_info = true;
	stop(t, EVENT_STATUS(event));
}

bool
ptrace_seccomp(uint16_t data)
{
	struct thread *t = current();
	struct ptrace_k *ps = traced(t);
	if (!ps || !(ps->options & PTRACE_O_TRACESECCOMP))
		return false;
	arch_syscall_set_result(t->tf, -ENOSYS);	/* as Linux's entry */
	ptrace_event(PTRACE_EVENT_SECCOMP, data);
	return true;
}

void
ptrace_exec(int old_tid)
{
	struct thread *t = current();
	struct ptrace_k *ps = traced(t);
	if (!ps)
		return;
	if (ps->options & PTRACE_O_TRACEEXEC)
		ptrace_event(PTRACE_EVENT_EXEC, (uint64_t)old_tid);
	else	/* the classic SIGTRAP after a traced exec */
		signal_send_thread(t, SIGTRAP);
}

/* Tells tracer tr that t exited with status, when its parent would not. */
static void
record_exit(struct proc *tr, struct thread *t, int status)
{
	bool leader = t->tid == t->proc->pid;
	if (leader && t->proc->parent == tr)
		return;		/* the tracer reaps its child as a parent */
	struct traced_exit *e = kzalloc(sizeof(*e));
	if (!e)
		return;
	*e = (struct traced_exit){ .tracer = tr, .tid = t->tid,
				   .pgid = t->proc->pgid, .leader = leader,
				   .status = status };
	list_push_back(&exits, &e->link);
	struct sig_info_k info = {
		.code = (status & 0x7f) ? 2 : 1, .pid = t->tid,
		.uid = t->proc->uid,
		.value = (status & 0x7f) ? (uint64_t)(status & 0x7f)
					 : (uint64_t)((status >> 8) & 0xff),
	};
	signal_send_proc_info(tr, SIGCHLD, &info);
}

void
ptrace_exit(int status)
{
	struct thread *t = current();
	struct ptrace_k *ps = t->ptrace;
	if (!ps)
		return;
	if (traced(t)) {
		ptrace_event(PTRACE_EVENT_EXIT, (uint64_t)status);
		struct proc *tr = ps->tracer;
		if (tr) {
			detach(t, 0);
			record_exit(tr, t, status);
			waitq_wake_all(&tr->child_wait);
		}
	}
	t->ptrace = NULL;
	syscall_work_update(t);
	kfree(ps);
}

void
ptrace_tracer_exit(struct proc *p)
{
	list_for_each_safe(it, nx, &exits) {
		struct traced_exit *e = list_entry(it, struct traced_exit, link);
		if (e->tracer == p) {
			list_remove(&e->link);
			kfree(e);
		}
	}
	if (!tracees)
		return;
	list_for_each(pi, &all_procs) {
		struct proc *q = list_entry(pi, struct proc, all_link);
		list_for_each(ti, &q->threads) {
			struct thread *t = list_entry(ti, struct thread, proc_link);
			struct ptrace_k *ps = traced(t);
			if (!ps || ps->tracer != p)
				continue;
			if (ps->options & PTRACE_O_EXITKILL)
				signal_send_proc(q, SIGKILL);
			detach(t, 0);
		}
	}
}

/* ---- The tracer's side. ---- */

/* Whether wait(pid, options) by self selects thread tid of group pgid. */
static bool
wait_matches(int tid, int pgid, bool leader, int pid,
	     const struct proc *self, int options)
{
	if (!leader && !(options & (WALL | (int)WCLONE)))
		return false;	/* other threads: __WALL or __WCLONE */
	if (pid > 0)
		return tid == pid;
	if (pid == 0)
		return pgid == self->pgid;
	return pid == -1 || pgid == -pid;
}

/* An exit only the tracer p hears of, which wait reports (and forgets,
 * without WNOWAIT); its tid, or 0. */
static int
exit_scan(struct proc *p, int pid, int options, int *status, int *code,
	  bool *any)
{
	list_for_each(it, &exits) {
		struct traced_exit *e = list_entry(it, struct traced_exit, link);
		if (e->tracer != p ||
		    !wait_matches(e->tid, e->pgid, e->leader, pid, p, options))
			continue;
		*any = true;
		if (!(options & WEXITED))
			continue;
		int tid = e->tid;
		*status = e->status;
		*code = (e->status & 0x7f) ? ((e->status & 0x80) ? 3 : 2) : 1;
		if (!(options & WNOWAIT)) {
			list_remove(&e->link);
			kfree(e);
		}
		return tid;
	}
	return 0;
}

int
ptrace_wait_scan(struct proc *p, int pid, int options, int *status,
		 int *code, bool *any)
{
	int tid = exit_scan(p, pid, options, status, code, any);
	if (tid || !tracees)
		return tid;
	list_for_each(pi, &all_procs) {
		struct proc *q = list_entry(pi, struct proc, all_link);
		list_for_each(ti, &q->threads) {
			struct thread *t = list_entry(ti, struct thread, proc_link);
			struct ptrace_k *ps = traced(t);
			if (!ps || ps->tracer != p ||
			    !wait_matches(t->tid, q->pgid, t->tid == q->pid,
					  pid, p, options))
				continue;
			*any = true;
			if (!ps->stopped || ps->reported)
				continue;
			*status = ps->status;
			*code = CLD_TRAPPED;
			if (!(options & WNOWAIT))
				ps->reported = true;
			return t->tid;
		}
	}
	return 0;
}

int
ptrace_tracer_pid(struct proc *p)
{
	list_for_each(it, &p->threads) {
		struct thread *t = list_entry(it, struct thread, proc_link);
		struct ptrace_k *ps = traced(t);
		if (t->tid == p->pid)
			return ps ? ps->tracer->pid : 0;
	}
	return 0;
}

static long
traceme(void)
{
	struct thread *t = current();
	struct proc *parent = t->proc->parent;
	if (traced(t) || !parent || parent == t->proc ||
	    landlock_ptrace(parent, t->proc) < 0)
		return -EPERM;
	return attach(t, parent, 0, false);
}

/*
 * A tracee asleep in a job stop becomes a traced stop before ATTACH
 * returns, as Linux's JOBCTL_TRAPPING: the tracer may look at once.
 */
static void
attach_stopped(struct thread *t, int tid)
{
	struct ptrace_k *ps = t->ptrace;
	struct waitq *wq = &current()->proc->child_wait;
	if (!signal_stop_kick(t))
		return;
	while (thread_find(tid) == t && t->ptrace == ps && traced(t) &&
	       !ps->stopped)
		if (waitq_wait_killable(wq, NULL) < 0)
			return;
}

static long
attach_request(int pid, bool seize, uint64_t addr, uint64_t options)
{
	struct proc *self = current()->proc;
	if (seize && (addr || (options & ~(uint64_t)PTRACE_O_MASK)))
		return -EIO;
	struct thread *t = thread_find(pid);
	if (!t || !t->proc)
		return -ESRCH;
	if (t->proc == self || t->proc->state != PROC_ALIVE ||
	    t->proc->exiting || !proc_may_access(self, t->proc) || traced(t))
		return -EPERM;
	int e = attach(t, self, seize ? (unsigned)options : 0, seize);
	if (e < 0)
		return e;
	if (!seize) {
		struct sig_info_k info = { .code = SI_USER, .pid = self->pid,
					   .uid = self->uid };
		signal_send_thread_info(t, SIGSTOP, &info);
		attach_stopped(t, pid);
	}
	return 0;
}

static long
resume(struct thread *t, long req, uint64_t sig)
{
	struct ptrace_k *ps = t->ptrace;
	if (sig > SIG_VALID_MAX)
		return -EIO;
	ps->syscall_trace = req == PTRACE_SYSCALL;
	ps->listen_trap = false;
	arch_ptrace_step(t, req == PTRACE_SINGLESTEP);
	ps->resume_sig = (int)sig;
	ps->stopped = false;
	waitq_wake_all(&ps->wq);
	return 0;
}

/* PEEKTEXT/PEEKDATA and POKETEXT/POKEDATA: a word of t's memory. */
static long
peek(struct thread *t, uint64_t addr, uaddr_t data)
{
	uint64_t word;
	if (!t->proc->vm || vm_access(t->proc->vm, addr, &word, 8, false) < 0)
		return -EIO;
	return copyout(data, &word, 8);
}

static long
poke(struct thread *t, uint64_t addr, uint64_t word)
{
	if (!t->proc->vm || vm_access(t->proc->vm, addr, &word, 8, true) < 0)
		return -EIO;
	return 0;
}

struct iovec_k {
	uint64_t base, len;
};

/* GETREGSET and SETREGSET: *iov says where and how much, and is told
 * how much was copied. */
static long
regset(struct thread *t, unsigned type, uaddr_t uiov, bool set)
{
	struct iovec_k iov;
	uint8_t buf[512];
	size_t size = sizeof(buf);
	if (copyin(&iov, uiov, sizeof(iov)) < 0)
		return -EFAULT;
	if (iov.len < size)
		size = iov.len;
	if (set && copyin(buf, iov.base, size) < 0)
		return -EFAULT;
	int e = arch_ptrace_regset(t, type, buf, &size, set);
	if (e < 0)
		return e;
	if (!set && copyout(iov.base, buf, size) < 0)
		return -EFAULT;
	iov.len = size;
	return copyout(uiov, &iov, sizeof(iov));
}

/* Linux's struct ptrace_syscall_info. */
struct syscall_info_k {
	uint8_t op, pad[3];
	uint32_t arch;
	uint64_t ip, sp;
	union {
		struct {
			uint64_t nr, args[6];
		} entry;
		struct {
			int64_t rval;
			uint8_t is_error;
		} exit;
	};
};

static long
syscall_info(struct thread *t, uint64_t size, uaddr_t data)
{
	struct syscall_info_k si;
	size_t len = offsetof(struct syscall_info_k, entry);
	memset(&si, 0, sizeof(si));
	arch_ptrace_syscall_info(t, &si.arch, &si.ip, &si.sp, si.entry.args);
	si.op = t->ptrace->syscall_stop;
	if (si.op == PTRACE_STOP_SYSCALL_ENTRY) {
		si.entry.nr = (uint64_t)t->syscall_nr;
		len = offsetof(struct syscall_info_k, entry.args) + 6 * 8;
	} else if (si.op == PTRACE_STOP_SYSCALL_EXIT) {
		long r = arch_syscall_result(t->tf);
		memset(&si.entry, 0, sizeof(si.entry));
		si.exit.rval = r;
		si.exit.is_error = r < 0 && r >= -4095;
		len = offsetof(struct syscall_info_k, exit.is_error) + 1;
	} else {
		memset(&si.entry, 0, sizeof(si.entry));
	}
	if (copyout(data, &si, size < len ? size : len) < 0)
		return -EFAULT;
	return (long)len;
}

static long
siginfo_request(struct ptrace_k *ps, long req, uaddr_t data)
{
	if (!ps->has_info)
		return -EINVAL;
	if (req == PTRACE_GETSIGINFO)
		return copyout(data, &ps->info, sizeof(ps->info));
	if (copyin(&ps->info, data, sizeof(ps->info)) < 0)
		return -EFAULT;
	ps->info_set = true;
	return 0;
}

/* GETSIGMASK and SETSIGMASK: t's blocked set, size (addr) 8 bytes. */
static long
sigmask_request(struct thread *t, long req, uint64_t size, uaddr_t data)
{
	uint64_t mask;
	if (size != sizeof(mask))
		return -EINVAL;
	if (req == PTRACE_GETSIGMASK)
		return copyout(data, &t->sig_blocked, sizeof(mask));
	if (copyin(&mask, data, sizeof(mask)) < 0)
		return -EFAULT;
	t->sig_blocked = mask & ~(SIGBIT(SIGKILL) | SIGBIT(SIGSTOP));
	return 0;
}

/* A request on t, which the caller traces and which is stopped. */
static long
stopped_request(struct thread *t, long req, uint64_t addr, uint64_t data)
{
	struct ptrace_k *ps = t->ptrace;
	switch (req) {
	case PTRACE_PEEKTEXT:
	case PTRACE_PEEKDATA:
		return peek(t, addr, data);
	case PTRACE_POKETEXT:
	case PTRACE_POKEDATA:
		return poke(t, addr, data);
	case PTRACE_CONT:
	case PTRACE_SYSCALL:
	case PTRACE_SINGLESTEP:
		return resume(t, req, data);
	case PTRACE_DETACH:
		if (data > SIG_VALID_MAX)
			return -EIO;
		detach(t, (int)data);
		return 0;
	case PTRACE_SETOPTIONS:
		if (data & ~(uint64_t)PTRACE_O_MASK)
			return -EINVAL;
		ps->options = (unsigned)data;
		return 0;
	case PTRACE_GETEVENTMSG:
		return copyout(data, &ps->event_msg, 8);
	case PTRACE_GETSIGINFO:
	case PTRACE_SETSIGINFO:
		return siginfo_request(ps, req, data);
	case PTRACE_GETREGSET:
	case PTRACE_SETREGSET:
		return regset(t, (unsigned)addr, data, req == PTRACE_SETREGSET);
	case PTRACE_GET_SYSCALL_INFO:
		return syscall_info(t, addr, data);
	case PTRACE_GETSIGMASK:
	case PTRACE_SETSIGMASK:
		return sigmask_request(t, req, addr, data);
	}
	return arch_ptrace(t, req, addr, data);
}

long
sys_ptrace(long req, int pid, uaddr_t addr, uaddr_t data)
{
	struct proc *self = current()->proc;
	if (req == PTRACE_TRACEME)
		return traceme();
	if (req == PTRACE_ATTACH || req == PTRACE_SEIZE)
		return attach_request(pid, req == PTRACE_SEIZE, addr, data);
	struct thread *t = thread_find(pid);
	struct ptrace_k *ps = t ? traced(t) : NULL;
	if (!ps || ps->tracer != self)
		return -ESRCH;
	if (req == PTRACE_KILL) {
		signal_send_proc(t->proc, SIGKILL);
		return 0;
	}
	if (req == PTRACE_INTERRUPT) {
		if (!ps->seized)
			return -EIO;
		if (ps->listening) {
			listen_end(t);
		} else if (!ps->stopped) {
			ps->interrupt = true;
			thread_interrupt_sleep(t);	/* asleep in pause() too */
		}
		return 0;
	}
	if (!ps->stopped || ps->listening)
		return -ESRCH;
	if (req == PTRACE_LISTEN) {	/* a seized tracee's group stop only */
		int sig = (ps->status >> 8) & 0xff;
		if (!ps->seized || ps->status >> 16 != PTRACE_EVENT_STOP ||
		    sig == SIGTRAP)
			return -EIO;
		ps->listening = true;
		if (ps->cont_seen)	/* the stop ended before LISTEN */
			listen_end(t);
		return 0;
	}
	return stopped_request(t, req, addr, data);
}
