/*
 * ptrace(2) (kernel/linux/ptrace.c): a tracer process stops, inspects and
 * resumes the threads it traces. A traced thread carries a struct
 * ptrace_k from its first attach until it exits; the stops themselves
 * happen on the tracee's own way through the kernel (system-call entry and
 * exit, signal delivery, clone, exec, exit), where it sleeps until the
 * tracer lets it go. Guarded by the big kernel lock.
 */
#ifndef KERNEL_PTRACE_H
#define KERNEL_PTRACE_H

#include <kernel/types.h>
#include <kernel/sched.h>
#include <kernel/signal.h>

/* Requests and options, Linux's numbers (<linux/ptrace.h>). */
#define PTRACE_TRACEME 0
#define PTRACE_PEEKTEXT 1
#define PTRACE_PEEKDATA 2
#define PTRACE_PEEKUSR 3
#define PTRACE_POKETEXT 4
#define PTRACE_POKEDATA 5
#define PTRACE_POKEUSR 6
#define PTRACE_CONT 7
#define PTRACE_KILL 8
#define PTRACE_SINGLESTEP 9
#define PTRACE_ATTACH 16
#define PTRACE_DETACH 17
#define PTRACE_SYSCALL 24
#define PTRACE_SETOPTIONS 0x4200
#define PTRACE_GETEVENTMSG 0x4201
#define PTRACE_GETSIGINFO 0x4202
#define PTRACE_SETSIGINFO 0x4203
#define PTRACE_GETREGSET 0x4204
#define PTRACE_SETREGSET 0x4205
#define PTRACE_SEIZE 0x4206
#define PTRACE_INTERRUPT 0x4207
#define PTRACE_LISTEN 0x4208
#define PTRACE_GETSIGMASK 0x420a
#define PTRACE_SETSIGMASK 0x420b
#define PTRACE_GET_SYSCALL_INFO 0x420e

#define PTRACE_O_TRACESYSGOOD 0x01
#define PTRACE_O_TRACEFORK 0x02
#define PTRACE_O_TRACEVFORK 0x04
#define PTRACE_O_TRACECLONE 0x08
#define PTRACE_O_TRACEEXEC 0x10
#define PTRACE_O_TRACEVFORKDONE 0x20
#define PTRACE_O_TRACEEXIT 0x40
#define PTRACE_O_TRACESECCOMP 0x80
#define PTRACE_O_EXITKILL 0x100000
#define PTRACE_O_SUSPEND_SECCOMP 0x200000
#define PTRACE_O_MASK 0x3000ff

#define PTRACE_EVENT_FORK 1
#define PTRACE_EVENT_VFORK 2
#define PTRACE_EVENT_CLONE 3
#define PTRACE_EVENT_EXEC 4
#define PTRACE_EVENT_VFORK_DONE 5
#define PTRACE_EVENT_EXIT 6
#define PTRACE_EVENT_SECCOMP 7
#define PTRACE_EVENT_STOP 128

/* Register sets (GETREGSET), the ELF note types of a core file. */
#define NT_PRSTATUS 1
#define NT_PRFPREG 2

/* What the tracee stopped at, for PTRACE_GET_SYSCALL_INFO's op. */
enum ptrace_syscall_stop {
	PTRACE_STOP_OTHER,
	PTRACE_STOP_SYSCALL_ENTRY,
	PTRACE_STOP_SYSCALL_EXIT,
};

struct proc;

/* A traced thread's state; big lock. */
struct ptrace_k {
	struct proc *tracer;		/* NULL once detached */
	unsigned options;		/* PTRACE_O_* */
	bool seized;			/* PTRACE_SEIZE, not ATTACH/TRACEME */
	bool stopped;			/* in a stop: the tracer may look */
	bool reported;			/* wait has told the tracer of it */
	bool syscall_trace;		/* resumed by PTRACE_SYSCALL */
	bool interrupt;			/* PTRACE_INTERRUPT: stop soon */
	bool listening;			/* PTRACE_LISTEN: in a group stop, not
					   the tracer's until it ends */
	bool listen_trap;		/* it ended: PTRACE_EVENT_STOP again */
	bool cont_seen;			/* a SIGCONT came in this stop: a
					   PTRACE_LISTEN ends at once (Linux's
					   JOBCTL_TRAP_NOTIFY) */
	uint8_t syscall_stop;		/* enum ptrace_syscall_stop */
	int status;			/* the stop's wait status */
	int resume_sig;			/* the signal CONT & co. gave */
	bool has_info;			/* this stop has a siginfo (not a
					   group stop's) */
	bool info_set;			/* SETSIGINFO changed it */
	struct siginfo_k info;		/* GETSIGINFO's, for this stop */
	uint64_t event_msg;		/* PTRACE_GETEVENTMSG */
	struct waitq wq;		/* the stopped tracee sleeps here */
};

/* The system call, the tracee in its syscall stops (syscall.c calls it
 * for a thread with t->ptrace set). Returns the call's result. */
long ptrace_syscall(struct thread *t, uint64_t nr, const uint64_t *args);
/*
 * Signal-delivery stop: t took sig (siginfo *si) and its tracer decides.
 * Returns the signal to deliver instead (maybe sig, with *si updated),
 * or 0 to deliver none. May sleep.
 */
int ptrace_signal(struct thread *t, int sig, struct sig_info_k *si);
/*
 * A traced t meets a stop signal's default action: the stop is the
 * tracer's to report. Returns true if the tracer resumed it (the stop is
 * over), false if t is not traced (or no longer). May sleep.
 */
bool ptrace_group_stop(struct thread *t, int sig);
/* SIGCONT (or SIGKILL) came for p: its tracees that PTRACE_LISTEN in a
 * group stop report the stop's end. */
void ptrace_continue(struct proc *p);
/* Before a return to user mode: PTRACE_INTERRUPT's stop. May sleep. */
void ptrace_return_to_user(struct thread *t);
/*
 * clone made `child` (not yet running): attaches it to the caller's
 * tracer if the caller's options ask; returns the PTRACE_EVENT_* to
 * report with ptrace_event, or 0.
 */
int ptrace_clone(struct thread *child, unsigned long flags);
/* An event stop of the current thread (event 0: none). May sleep. */
void ptrace_event(int event, uint64_t msg);
/*
 * SECCOMP_RET_TRACE: if the current thread's tracer asked
 * (PTRACE_O_TRACESECCOMP), stops it with PTRACE_EVENT_SECCOMP (message
 * data, the result register -ENOSYS) and returns true once resumed;
 * false when no tracer asked. May sleep.
 */
bool ptrace_seccomp(uint16_t data);
/* A successful exec by the current thread, whose tid was old_tid. */
void ptrace_exec(int old_tid);
/* The current thread exits with status: the exit event, then detach. */
void ptrace_exit(int status);
/* Tracer p's last thread is gone: its tracees go free (or die, with
 * PTRACE_O_EXITKILL). */
void ptrace_tracer_exit(struct proc *p);
/*
 * wait's part: the first unreported stop of a thread p traces that pid
 * selects (wait4's pid rule; threads other than leaders only with
 * __WALL or __WCLONE in options), or the exit of one that was not p's
 * child (or not a leader), which only the tracer hears of. Returns its
 * tid and sets *status and *code (waitid's CLD_*), or 0; *any is set
 * when some tracee matched.
 */
int ptrace_wait_scan(struct proc *p, int pid, int options, int *status,
		     int *code, bool *any);
/* The pid of the process tracing p's first thread, or 0 (/proc's
 * TracerPid). */
int ptrace_tracer_pid(struct proc *p);

#endif
