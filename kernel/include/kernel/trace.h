/*
 * The system-call tracer (kernel/linux/trace.c, docs/tracing.md): prints the
 * calls of chosen processes as strace does, each argument by the kind the
 * master list gives it (tools/gensyscalls.py puts a struct trace_desc in
 * every entry of the dispatch table).
 */
#ifndef KERNEL_TRACE_H
#define KERNEL_TRACE_H

#include <kernel/types.h>

/* How one value is printed; the names are those of syscalls.master. */
enum trace_kind {
	TR_DEC,		/* signed decimal */
	TR_UDEC,	/* unsigned decimal */
	TR_HEX,		/* 0x... */
	TR_OCT,		/* a mode: 0644 */
	TR_PTR,		/* NULL or 0x... */
	TR_FD,		/* a descriptor */
	TR_DIRFD,	/* a descriptor or AT_FDCWD */
	TR_SIG,		/* a signal number: SIGTERM */
	TR_FLAGS,	/* a value of the named set trace_arg.set */
	TR_PATH,	/* a path, read at entry */
	TR_STR,		/* a string, read at entry, cut at 32 bytes */
	TR_IN,		/* bytes read by the call: trace_arg.len holds how many */
	TR_OUT,		/* bytes written by the call: its result says how many */
	TR_OUTSTR,	/* a string written by the call */
	TR_ARGV,	/* execve's argument vector */
	TR_ENVP,	/* execve's environment: only counted */
	TR_IOVIN,	/* an iovec array read by the call (length: .len) */
	TR_IOVOUT,	/* an iovec array filled by the call (length: .len) */
	TR_FDPAIR,	/* int[2] written by the call (pipe, socketpair) */
	TR_WSTATUS,	/* a wait status written by the call */
	TR_TS,		/* a struct timespec read by the call */
	TR_OPENMODE,	/* a mode, left out unless the flags (.len) create */
};

/* The named sets of flags and values (kernel/linux/trace_sets.c). */
enum trace_set {
	TRS_OPEN,	/* O_RDONLY|O_CLOEXEC... */
	TRS_FDFLAGS,	/* O_NONBLOCK and O_CLOEXEC alone (pipe2, dup3...) */
	TRS_AT,		/* AT_* */
	TRS_PROT,	/* PROT_* */
	TRS_MAP,	/* MAP_* */
	TRS_MREMAP,
	TRS_MSYNC,
	TRS_MADV,
	TRS_CLONE,	/* CLONE_* with the exit signal */
	TRS_ACCESS,	/* F_OK, R_OK... */
	TRS_SEEK,
	TRS_FCNTL,
	TRS_SIGHOW,	/* rt_sigprocmask's how */
	TRS_WAIT,	/* WNOHANG... */
	TRS_AF,		/* socket families */
	TRS_SOCKTYPE,
	TRS_SHUT,
	TRS_CLOCK,
	TRS_FUTEX,
	TRS_IOCTL,
	TRS_ARCHPRCTL,
	TRS_RLIMIT,
	TRS_EPOLLCTL,
	TRS_COUNT
};

struct trace_arg {
	uint8_t kind;	/* enum trace_kind */
	uint8_t set;	/* enum trace_set, for TR_FLAGS */
	uint8_t len;	/* TR_IN and the iovecs: the argument with the length */
};

/* How the tracer prints one call: generated from syscalls.master. */
struct trace_desc {
	uint8_t nargs;
	uint8_t ret;	/* TR_DEC, TR_HEX or TR_OCT */
	struct trace_arg arg[6];
};

struct cmdline;
struct proc;
struct thread;

/*
 * Reads the trace words of the kernel command line (trace=syscalls,
 * trace.calls=, trace.procs=, trace.out=). With trace.procs=all, init is
 * traced from its first instruction. Called once, before init starts.
 */
void trace_init(const struct cmdline *cl);

/*
 * Runs system call nr for t, whose process has proc->trace set, and prints
 * it when it is one of the traced calls. Returns the call's result. Caller
 * holds the big lock; may sleep (the call may).
 */
long trace_syscall(struct thread *t, uint64_t nr, const uint64_t *args);

/* p has just executed a new program: traced from now on when its name is
 * in trace.procs. Caller holds the big lock. */
void trace_exec(struct proc *p);

/* Prints the end of a traced process ("+++ exited with 0 +++"); status
 * is a wait status. Caller holds the big lock. */
void trace_proc_exit(struct proc *p, int status);

/* Prints a signal taken by a thread of a traced process
 * ("--- SIGCHLD ---"). */
void trace_signal(struct thread *t, int sig);

/* Tracing state kept per thread (trace.c); freed with the thread. */
struct trace_call;

#endif
