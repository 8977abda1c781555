/*
 * Threads, the scheduler, wait queues and sleep timeouts (kernel/sched/).
 * The kernel is not preemptible: a thread runs in the kernel until it sleeps
 * or returns to user mode. The scheduler lock (kernel/sched/sched.c) guards
 * the run queues, wait queues and the fields tagged [S]; the functions here
 * take it themselves and work with or without the big lock, unless they
 * say otherwise. Other fields are the big lock's, or the thread's own.
 */
#ifndef KERNEL_SCHED_H
#define KERNEL_SCHED_H

#include <kernel/types.h>
#include <kernel/list.h>
#include <kernel/timer.h>
#include <kernel/signal.h>
#include <kernel/arch.h>
#include <arch/thread.h>
#include <kernel/spinlock.h>

#define KSTACK_ORDER 3			/* 32 KiB blocks for kernel stacks: */
#define KSTACK_SIZE (4096ul << KSTACK_ORDER)	/* the lowest page is a guard */
#define TIME_SLICE_NS 10000000ull	/* 10 ms */
#define WAKE_PREEMPT_NS (TIME_SLICE_NS / 10)	/* a woken thread preempts one that ran 1 ms */

struct trapframe;
struct proc;
struct vfork_done;
struct key;
struct ptrace_k;
struct seccomp_filter;
struct landlock_domain;

enum thread_state {
	THREAD_RUNNABLE,
	THREAD_RUNNING,
	THREAD_SLEEPING,
	THREAD_DEAD,
};

/*
 * A thread's scheduling attributes (kernel/linux/sys_sched.c): set and
 * reported as Linux does, but the scheduler runs every thread round robin
 * alike, whatever its nice value, policy or affinity.
 */
struct sched_attr_k {
	int nice;			/* -20..19 */
	int policy;			/* SCHED_OTHER, SCHED_FIFO... */
	unsigned rt_priority;		/* 1..99 under FIFO and RR, else 0 */
	bool reset_on_fork;		/* SCHED_RESET_ON_FORK */
	/* SCHED_DEADLINE's parameters (sched_setattr), in ns. */
	uint64_t dl_runtime, dl_deadline, dl_period;
	/* prctl's timer slack and what PR_SET_TIMERSLACK 0 goes back to,
	 * in ns (0: Linux's default, 50 us); kept only. */
	uint64_t timer_slack_ns, timer_slack_default_ns;
	uint64_t affinity;		/* a bit per CPU allowed; 0 = all */
	int ioprio;			/* ioprio_set's value; kept only */
};

/*
 * Sleeping threads, linked through run_link [W]: under the queue's lock,
 * one of a static table's (waitq_init hashes the queue's address), or
 * the lock of a queue it was set up beside (waitq_init_beside), so that
 * the IPC hand-off between two queues takes one lock.
 */
struct spinlock;

struct waitq {
	struct list sleepers;		/* [W] */
	struct spinlock *lock;		/* set at init, never changed */
};

/* The wait queue locks' table, a lock on each line
 * (<kernel/sched_handoff.h>); a static wait queue's initializer takes
 * its first. 32 of them: 2 KiB more for 64 was more than --mem 4M had
 * to give (system/mem-small). */
#define WAITQ_LOCKS 32
struct waitq_lock {
	struct spinlock lock;
} __attribute__((aligned(CACHE_LINE)));
extern struct waitq_lock waitq_locks[WAITQ_LOCKS];
#define WAITQ_INIT(name) \
	{ LIST_INIT((name).sleepers), (struct spinlock *)&waitq_locks[0] }

/* CPU time split into user and kernel mode (kernel/linux/cputime.c). */
struct cputime {
	uint64_t user_ns, system_ns;
};

#define THREAD_COMM_MAX 16	/* Linux's TASK_COMM_LEN, with its NUL */

struct thread {
	int tid;		/* changed only by the thread itself (exec):
				   gettid reads it without the big lock */
	struct proc *proc;
	/* RUNNING to SLEEPING by the thread itself, SLEEPING to RUNNABLE by
	 * its one waker, both under the lock of the queue it sleeps on [W];
	 * RUNNABLE to RUNNING by the CPU that takes it off a run queue,
	 * under that queue's lock [R]. Read unlocked as a hint. */
	enum thread_state state;
	struct list run_link;		/* run queue [R] or wait queue [W] */
	struct list proc_link;		/* proc->threads */
	struct ktimer timeout;		/* sleep deadline (timer lock) */
	/* The queue it sleeps on, or is about to: set before its sleep's
	 * checks (sleep_publish), so that a signal's sender, who reads it
	 * with no lock (sleeper_lock), finds the lock to take. [W] */
	struct waitq *waiting_on;
	int wake_result;		/* 0, -ETIMEDOUT or -EINTR [W] */
	bool interruptible;		/* [W] */
	bool killable;			/* a SIGKILL ends this sleep: set by
					   the thread itself before it sleeps */

	void *kstack;
	uint64_t ksp;			/* saved kernel stack pointer */
	struct trapframe *tf;		/* user registers, top of kstack */
	struct arch_thread arch;	/* FPU and TLS state (<arch/thread.h>) */

	uint64_t sig_blocked;
	uint64_t sig_real_blocked;	/* sig_blocked while sigtimedwait waits */
	uint64_t sig_pending;
	struct sig_info_k siginfo[NSIG];	/* for thread-directed signals */
	uint64_t sig_fault_addr;
	int sig_fault_code;
	uint64_t altstack_sp, altstack_size;
	int altstack_flags;
	uint64_t saved_mask;		/* restored after sigsuspend-like waits */
	bool restore_mask;
	uint64_t clear_child_tid;	/* user address, 0 = none */
	uint64_t robust_list;		/* set_robust_list's head, walked at
					   exit and exec (futex_exit_robust) */
	struct vfork_done *vfork_done;	/* a vfork parent waits on it */
	uint64_t sig_forced;		/* synchronous faults: cannot be ignored */
	long syscall_nr;		/* in a system call: its number, else -1 */
	struct file *held[4];		/* fd_hold: kept alive until it returns */
	unsigned nheld;
	bool regs_replaced;		/* the handler rewrote the whole frame */
	bool unlocked_call;		/* in a nolock system call's handler */
	bool unlocked_eintr;		/* its -ERETRY_LOCKED means -EINTR,
					   to deliver (syscall_nolock_deliver) */
	/*
	 * A short receive asleep on its channel's receivers, nolock, sets
	 * CHAN_RX_WAITING before it sleeps: a fast call may then give it its
	 * call, in its registers, and the call's token here, while it takes
	 * it off the queue under the queue's lock (kernel/ipc/chan_short.c).
	 * The thread itself clears it once it runs again. 0 otherwise.
	 */
	long chan_rx;
	unsigned work;			/* THREAD_WORK_*, below [K] */
	uint64_t slice_end;		/* running: when it gives way to
					   others queued [R of its CPU];
					   read unlocked */
	uint64_t slice_left;		/* asleep: the part of its slice it
					   had not used, its wake credit [W] */
	uint64_t slept_at;		/* when it last went to sleep [W] */
	bool unqueued;			/* runnable, on no run queue: new or
					   taken by waitq_take_one; sched_wake
					   queues it [big lock] */
	struct cpu *last_cpu;		/* where it last ran: written by it
					   switching in, read as a hint */
	/*
	 * Its kernel stack is in use on a CPU: set by the CPU that switches
	 * to it, once the last one has let it go; cleared, a release store,
	 * by the end of the switch away (switch_done), after its registers
	 * and stack pointer are saved. The scheduler lock is dropped before
	 * the switch itself, so a CPU that takes the thread from a queue
	 * meanwhile waits for this (switch_leave). Atomics only.
	 */
	bool on_cpu;
	uint64_t cpu_ns;		/* time on CPU */
	/* Its CPU time up to each sample (kernel/sched/tick.c), counted as
	 * user or system time by the mode the sample found: how cpu_ns
	 * splits; sampled_at is cpu_ns at the last. Written on its CPU
	 * alone, with the big lock or without it (sched_tick_user); a
	 * reader elsewhere sums values that only grow. */
	uint64_t sampled_user_ns, sampled_system_ns, sampled_at;
	struct cputime cputime_shown;	/* the split last told [big lock] */
	uint64_t nvcsw, nivcsw;		/* switches away: asleep, preempted */
	uint64_t run_start;
	struct sched_attr_k sched;
	struct trace_call *trace;	/* the tracer's, once it traced a call */
	struct key *thread_keyring;	/* kernel/linux/keys.c; NULL until used */
	struct ptrace_k *ptrace;	/* ptrace(2) state, from the first
					   attach to exit (kernel/linux/ptrace.c) */
	/* What a thread may still do, inherited at clone and exec, never
	 * undone: no_new_privs (prctl), its seccomp mode and filters
	 * (kernel/linux/seccomp.c: the last SIGSYS trap's call for its
	 * siginfo too), its Landlock domain (landlock.c). Big lock. */
	bool no_new_privs;
	uint8_t seccomp_mode;
	struct seccomp_filter *seccomp_filter;
	int seccomp_trap_nr;
	uint16_t seccomp_trap_data;
	uint64_t seccomp_trap_ip;
	struct landlock_domain *landlock;
	/* The thread's name, Linux's task comm: inherited at clone (a new
	 * process's from the thread that forked), set by exec, PR_SET_NAME
	 * and a write to /proc/PID/task/TID/comm; the leader's is also the
	 * process's (proc->name). Big lock. */
	char comm[THREAD_COMM_MAX];
	/* prctl's per-thread flags, inherited at clone, kept only (no
	 * machine-check or writeback state acts on them): PR_MCE_KILL's
	 * policy (0: the system's, 1: late, 2: early) and PR_SET_IO_FLUSHER.
	 * Big lock. */
	uint8_t mce_policy;
	bool io_flusher;
};

/*
 * A thread's work word: each bit sends its system calls off the fast path
 * (kernel/linux/syscall.c), so the common case tests one word on entry and
 * on the way out, as Linux's _TIF_WORK_MASK. syscall_work_update sets it
 * from the state each bit stands for, wherever that state changes.
 */
#define THREAD_WORK_SECCOMP	0x1	/* seccomp_mode != 0 */
#define THREAD_WORK_PTRACE	0x2	/* ptrace != NULL: stops around calls */
#define THREAD_WORK_TRACE	0x4	/* proc->trace != TRACE_OFF */
/* Context switches since boot, all CPUs (/proc/stat's ctxt). */
uint64_t sched_switch_count(void);

void sched_init(void);
/* Starts scheduling on this CPU; never returns. */
_Noreturn void sched_start(void);
/* Makes t runnable. */
void sched_wake(struct thread *t);
/* Gives the CPU to another runnable thread, if any; may sleep. */
void sched_yield(void);
/*
 * Sets t's affinity (sched_setaffinity's mask, 0: anywhere) and moves it
 * at once off a CPU the mask leaves out, as Linux does: queued there, to
 * another's queue; running there, that CPU is interrupted and switches it
 * out on its way back to user mode (tick_work); t the caller, here. Big
 * lock held.
 */
void sched_set_affinity(struct thread *t, uint64_t mask);
/* Switches away from the current thread (queued again if RUNNING). */
void schedule(void);
/* The end of the switch into a new thread, from thread_first_run: the
 * thread holds the big lock after it. */
void sched_first_run(void);
/*
 * CPU c's idle and busy nanoseconds up to now, for /proc/stat: the idle
 * stretch it is in counts as idle, so neither ever goes backwards.
 * Caller holds the big lock.
 */
void sched_cpu_times(const struct cpu *c, uint64_t now, uint64_t *idle,
		     uint64_t *busy);
/*
 * The load averages (kernel/sched/loadavg.c), in 1/65536 units: whether
 * the next 5-second sample is due at now, folding in `active` running and
 * runnable threads, and when it is due. Big lock held.
 */
extern uint64_t loadavg[3];
bool loadavg_due(uint64_t now);
void loadavg_update(uint64_t now, unsigned active);
uint64_t loadavg_next(void);
/* Expires timeouts and arms the next timer; called on interrupt exit. */
void sched_tick(void);
/* The one-shot timer interrupt came: nothing is armed any more. */
void sched_timer_fired(void);
/*
 * A timer interrupt that interrupted user mode (user) or the kernel: if a
 * sample of the running thread's time is due, it is user or system time
 * (kernel/sched/sched_internal.h, SAMPLE_NS). Called by the arch's
 * interrupt code with the big lock held, before the timer's handler.
 */
void sched_account_tick(bool user);
/* The timer interrupt from user mode without the big lock (tick.c): true
 * when the thread may go straight back; false: the locked way out. */
bool sched_tick_user(struct cpu *c);

struct thread *thread_new(struct proc *p);
/* A CPU's idle thread: as thread_new(NULL), its stack not zeroed. */
struct thread *thread_new_idle(void);
void thread_free(struct thread *t);
void *kstack_alloc(void);
void kstack_free(void *stack);
/* Switches away from the exiting current thread for good. */
_Noreturn void sched_exit_current(void);
/* A new thread's first code (the arch's thread_trampoline calls it, then
 * trap_return_to_user with its trapframe). Big lock held. */
void thread_first_run(void);
/* Prepares t to enter user mode with the registers in its trapframe. */
void thread_start_user(struct thread *t);

/*
 * Sets wq up empty, under a lock of the table: its address hashed, as a
 * queue on a thread's stack lies at the same offset in every stack, so
 * the bits above the stack's size count as much as those below. Inline
 * for a sleep's own queue (a futex wait's); waitq_init elsewhere.
 */
static inline void
waitq_init_inline(struct waitq *wq)
{
	uint64_t h = ((uint64_t)(uintptr_t)wq >> 4) * 0x9e3779b97f4a7c15ull;
	list_init(&wq->sleepers);
	wq->lock = &waitq_locks[h >> 59].lock;	/* the top 5 bits */
}
_Static_assert(WAITQ_LOCKS == 32, "waitq_init takes 5 bits of the hash");
void waitq_init(struct waitq *wq);
/* Sets wq up under the lock of `beside` (a queue a hand-off goes
 * between, as a channel's receivers and a call's caller). */
static inline void
waitq_init_beside(struct waitq *wq, const struct waitq *beside)
{
	list_init(&wq->sleepers);
	wq->lock = beside->lock;
}
/*
 * Puts the current thread to sleep on wq until woken, the deadline (ns of
 * arch_now_ns, 0 = none) passes, or, if interruptible, a signal arrives.
 * Returns 0, -ETIMEDOUT or -EINTR. May sleep (it is the sleep).
 */
int waitq_wait(struct waitq *wq, uint64_t deadline, bool interruptible);
/*
 * Like waitq_wait, but first asks done(arg), with wq's lock held:
 * true returns 0 without sleeping. A waker that makes done true before it
 * wakes wq (both under its own lock, or in that order) is never missed:
 * either done sees it, or the wake finds this thread asleep on wq. A sleep
 * without the big lock (a nolock call) has no deadline. May sleep.
 */
int waitq_wait_cond(struct waitq *wq, uint64_t deadline, bool interruptible,
		    bool (*done)(void *arg), void *arg);
/*
 * Like waitq_wait, but runs `next` (a thread taken off its wait queue with
 * waitq_take_one) on this CPU at once instead of through the run queues: a
 * call to a server, or a server's reply, goes straight to the other side.
 * A next whose affinity excludes this CPU is queued where it may run.
 * next may be NULL. May sleep.
 */
int waitq_wait_handoff(struct waitq *wq, uint64_t deadline, bool interruptible,
		       struct thread *next);
/*
 * Like waitq_wait_handoff, with next the first sleeper of `from` (NULL:
 * none), taken off it in the same hold of the queues' lock as the
 * sleep: a call's hand-off to the waiting server, or a reply's to its
 * caller, takes the lock once. `held`, never NULL, is a spinlock the
 * caller holds (a channel's): it is released once this holds the
 * scheduler lock and is done with `from`, so that whatever the caller
 * tested under it stays true until the thread is on wq, and from, which
 * its owner leaves only after taking `held` (a caller's stack), stays
 * valid while it is read. A deadline needs the big lock held. May sleep.
 */
int waitq_wait_take(struct waitq *wq, uint64_t deadline, bool interruptible,
		    struct waitq *from, struct spinlock *held);
/* waitq_wait_take for the IPC round trip's hand-off: no deadline,
 * interruptible; its tests of those folded away. */
int waitq_handoff(struct waitq *wq, struct waitq *from, struct spinlock *held);
/* Takes the first sleeper off wq, woken but on no run queue; or NULL. The
 * caller must hand it to waitq_wait_handoff or sched_wake, and holds the
 * big lock meanwhile: sched_wake on any thread is a big-lock holder's, so
 * nobody queues it in between. */
struct thread *waitq_take_one(struct waitq *wq);
void waitq_wake_all(struct waitq *wq);
void waitq_wake_one(struct waitq *wq);
/*
 * Like waitq_wait_handoff with no deadline and no interruption by signals,
 * except that a SIGKILL for the thread (or an exit_group) ends the wait
 * with -EINTR, as Linux's TASK_KILLABLE: a wait that must not be cut short
 * by a handler, but that must not make its thread unkillable either.
 * next, if not NULL, runs in the caller's place. May sleep.
 */
int waitq_wait_killable(struct waitq *wq, struct thread *next);
/* Wakes t from an interruptible sleep so it can take a signal. */
void thread_interrupt(struct thread *t);
/* Wakes t from an interruptible sleep with -EINTR, no signal needed (a
 * tracer's PTRACE_INTERRUPT: the tracee stops on its way out). */
void thread_interrupt_sleep(struct thread *t);
/* Wakes t from an interruptible or killable sleep: it is to die. */
void thread_kill(struct thread *t);
/* Sleeps until the deadline; -EINTR if a signal came first. */
int sched_sleep_until(uint64_t deadline);

#include <kernel/cpu.h>
static inline struct thread *
current(void)
{
	return this_cpu()->current;
}

/*
 * Neither sched_tick nor a yield has anything to do on this return to user
 * mode: the shortcut sched_tick takes, and the slice test; the clock is
 * read last, and its raw count (arch_cycles) left in *cycles when read,
 * for the big lock's counters (bkl_unlock_at).
 */
static inline bool
sched_return_quiet_at(struct cpu *c, uint64_t *cycles)
{
	bool waiting = !list_empty(&c->runq);
	if (c->quiet_runq != waiting ||
	    (waiting && c->quiet_thread != c->current))
		return false;
	*cycles = arch_cycles();
	uint64_t now = arch_ns_at(*cycles);
	return now < c->quiet_until && (!waiting || now < c->current->slice_end);
}

static inline bool
sched_return_quiet(struct cpu *c)
{
	uint64_t cycles;
	return sched_return_quiet_at(c, &cycles);
}

/* Others wait for this CPU and the running thread's slice is used up. */
static inline bool
sched_slice_over(void)
{
	struct cpu *c = this_cpu();
	return !list_empty(&c->runq) && arch_now_ns() >= c->current->slice_end;
}

#endif
