/*
 * Processes: address space, open files, signal actions, identity, and the
 * family tree (kernel/linux/proc.c). Guarded by the big kernel lock.
 */
#ifndef KERNEL_PROC_H
#define KERNEL_PROC_H

#include <kernel/types.h>
#include <kernel/list.h>
#include <kernel/sched.h>
#include <kernel/signal.h>
#include <kernel/timer.h>
#include <kernel/clock.h>
#include <kernel/caps.h>
#include <kernel/spinlock.h>

/*
 * File descriptors: RLIMIT_NOFILE starts at Linux's defaults, 1024 soft
 * and 4096 hard; the most any process may have is NR_OPEN
 * (/proc/sys/fs/nr_open), what one 4 MiB heap block of pointers holds.
 */
#define NOFILE_SOFT 1024
#define NOFILE_HARD 4096
#define NR_OPEN 524288
/* /proc/sys/fs/nr_open: 64 up to NR_OPEN (kernel/fs/fdtable.c). */
extern unsigned fd_nr_open;
#define FDS_FIRST 64	/* a new table's size; it doubles as needed */
#define SELECT_MAX 1024	/* select's fd_set, as glibc's FD_SETSIZE */
#define PROC_NAME_MAX THREAD_COMM_MAX	/* the leader thread's comm */
#define PID_MAX 32768
/* /proc/sys/kernel/pid_max: ids are given below it (301 up to Linux's
 * PID_MAX_LIMIT, 4194304). Big lock. */
extern unsigned pid_max;

struct vm;
struct file;
struct inode;
struct tty;
struct handles;
struct sem_undo_list;
struct key;
struct ns;
struct core_thread;
#define PROC_NS_SLOTS 10	/* NS_KINDS */

/* An fd table (big lock); the arrays grow, never shrink, up to NR_OPEN. */
/*
 * A descriptor table. Changed only under the big lock; size, fd and the
 * entries of fd also under lock, which a nolock call's lookup takes
 * instead (fd_get_unlocked): an entry's file keeps the table's reference
 * until the entry is cleared under lock.
 */
struct files {
	int refcount;
	spinlock_t lock;
	int size;			/* entries in fd, a multiple of 64 [lock] */
	struct file **fd;		/* [lock] */
	uint64_t *cloexec;		/* size / 64 words */
	/* The fds below 64 whose file is a pipe end, a server-backed stream
	   socket or a tmpfs file open for writing: written [lock], read
	   with no lock by the system-call entry, as a hint for read and
	   write (syscall_nolock_call); the nolock handler looks again. */
	uint64_t nolock_fds;
	/* The same for read: pipe ends and tmpfs regular files open for
	   reading (read_unlocked) [lock, read with none as a hint]. */
	uint64_t nolock_rfds;
	/* The fds past 63: bit fd % 64 once any such fd was one of those
	   (a hint too, never cleared) [lock, read with none]. */
	uint64_t nolock_fds_high;
	uint64_t nolock_rfds_high;
};

struct sigaction_k {
	uint64_t handler;
	uint64_t flags;
	uint64_t restorer;
	uint64_t mask;
};

struct sighand {
	int refcount;
	struct sigaction_k action[NSIG];
};

/* What clone's CLONE_FS shares, Linux's fs_struct: the working and root
 * directories (each referenced) and the file mode creation mask. Big
 * lock. */
struct fs_info {
	int refcount;
	struct inode *cwd;
	struct inode *root;
	unsigned umask;
};

/* Whether the tracer (kernel/linux/trace.c) prints a process's calls. */
enum proc_trace {
	TRACE_OFF,
	TRACE_ARMED,	/* from its next execve on (pt_trace_arm) */
	TRACE_ON,
};

enum proc_state {
	PROC_ALIVE,
	PROC_ZOMBIE,		/* exited, waiting for wait4 */
};

struct proc {
	int pid;	/* fixed for the process's life: getpid reads it
			   without the big lock (nolock) */
	enum proc_state state;
	struct proc *parent;		/* set with proc_set_parent */
	/* parent's pid, 0 for init: getppid reads it without the big lock
	   (nolock); written, atomically, only with parent */
	int ppid;
	struct list children;
	struct list sibling;		/* parent->children */
	struct list all_link;		/* every process */
	struct list threads;
	int nthreads;
	struct waitq child_wait;	/* woken when a child changes state */

	struct vm *vm;
	struct files *files;
	struct handles *handles;	/* native handles; NULL until the first */
	struct sighand *sighand;
	struct fs_info *fs;		/* NULL once exited */
	uint64_t sig_pending;		/* process-directed signals */
	struct sig_info_k siginfo[NSIG];
	uint8_t rt_queued[NSIG];	/* extra queued instances of real-time signals */

	int pgid, sid;
	struct tty *ctty;
	unsigned uid, gid, euid, egid, suid, sgid;
	/* The ids file permission checks use (setfsuid); they follow the
	 * effective ones as those change. */
	unsigned fsuid, fsgid;
	struct groups *groups;		/* supplementary groups, or NULL */
	struct caps caps;		/* capability sets (linux/caps.c) */

	int exit_status;		/* wait status once a zombie */
	bool stopped;			/* job-control stop */
	bool stop_reported, cont_reported;
	int stop_sig;
	unsigned cont_count;		/* SIGCONTs (and SIGKILLs) received */
	bool exiting;
	int exit_signal;		/* signal to parent on exit (SIGCHLD) */
	unsigned personality;		/* personality(2)'s word, kept only */
	unsigned coredump_filter;	/* /proc/PID/coredump_filter: what
					   a core holds (coredump.c) */
	uint8_t trace;			/* enum proc_trace; a child's is its
					   parent's */
	/* Linux's dumpable flag (PR_GET_DUMPABLE): cleared by prctl and when
	 * the effective ids change, set again by exec; such a process
	 * dumps no core (/proc ignores it). */
	bool undumpable;
	int pdeath_signal;		/* sent when the parent exits
					   (PR_SET_PDEATHSIG); 0: none */
	bool child_subreaper;		/* orphaned descendants come here
					   (PR_SET_CHILD_SUBREAPER) */
	bool thp_disabled;		/* PR_SET_THP_DISABLE: kept across
					   fork and exec, as Linux's mm flag;
					   Petrel has no huge pages */
	unsigned exec_count;		/* execs so far (Linux self_exec_id) */
	/* The thread in execve while it ends the others (proc.c's
	 * proc_exec_kill_others), who wake it on exit_wait; else NULL. */
	struct thread *exec_thread;
	struct waitq exec_wait;
	/* The thread writing a core (kernel/linux/coredump.c) while the
	 * others end, who leave their registers on core_threads and wake
	 * it on exec_wait; else NULL. */
	struct thread *dumper;
	struct core_thread *core_threads;
	unsigned parent_exec_count;	/* the parent's exec_count at fork */

	char name[PROC_NAME_MAX];
	char exe[128];
	uint64_t start_ns;
	/* CPU time (kernel/linux/cputime.c), under the big lock: that of
	 * the threads gone and its sampled split, the split last told,
	 * and the reaped children's (with the children they reaped). */
	uint64_t gone_cpu_ns, gone_sampled_user_ns, gone_sampled_system_ns;
	struct cputime cputime_shown, child_cputime;
	/* getrusage's ru_maxrss, in pages (Linux's signal->maxrss and
	   cmaxrss): the most an address space the process left behind (at
	   exec, at exit) held, and the most of any child it reaped. */
	uint64_t maxrss_pages, child_maxrss_pages;
	struct ktimer alarm;
	uint64_t alarm_interval;
	/* ITIMER_VIRTUAL and ITIMER_PROF, on the process's CPU time; fire
	   NULL until first set (kernel/linux/sys_time.c). */
	struct clocktimer itimers[2];
	struct clocktimer cpu_limit;	/* RLIMIT_CPU's (cputime.c) */
	struct list ptimers;		/* POSIX timers (sys_ptimer.c) */
	struct list aio_ctxs;		/* AIO contexts (aio.c) */
	int ptimer_next_id;		/* where the next id is looked for */
	int nptimers;
	uint64_t rlimits[16][2];
	struct sem_undo_list *sem_undo;	/* SEM_UNDO adjustments, NULL until
					   the first (kernel/linux/ipc_sem.c) */
	/* Keyrings (kernel/linux/keys.c), NULL until first used. */
	struct key *process_keyring, *session_keyring;
	int8_t reqkey_default;		/* KEYCTL_SET_REQKEY_KEYRING's */
	/* Its namespaces by enum ns_kind (<kernel/ns.h>), one reference
	 * each; NULL: the initial one (PID 1's, until it unshares). */
	struct ns *ns[PROC_NS_SLOTS];
};

/*
 * What a vfork parent waits on (kernel/linux/proc.c). The waiting thread
 * and the child thread each hold a reference, so that neither touches the
 * other's memory: the child may exit and be freed before the parent runs
 * again, and a parent killed while waiting may go first.
 */
struct vfork_done {
	int refcount;
	bool done;			/* the child exec'd or exited */
	struct waitq wq;		/* the parent sleeps here */
};

extern struct list all_procs;

extern uint64_t stat_forks;	/* processes created since boot (/proc/stat) */
struct proc *proc_find(int pid);
struct thread *thread_find(int tid);
/* The process with pid id, else the one with a thread of tid id (Linux's
 * kill and rt_sigqueueinfo take a thread's id too); NULL if none. */
struct proc *proc_find_any(int id);
/* A tid (and pid) no live process or thread uses, or -1. */
int tid_alloc(void);
/* The id tid_alloc gave last; and the one before the next it gives
 * (/proc/sys/kernel/ns_last_pid), 0 up to PID_MAX - 1. */
int tid_last(void);
void tid_set_last(int id);
void proc_init(void);
/* Creates PID 1 from the path and argv; panics on failure (nothing to run). */
void proc_spawn_init(const char *path, const char *const *argv, int argc);
/* Ends the calling thread; the process when it is the last one. */
_Noreturn void thread_exit(int status);
/* Ends every thread of the current process with wait status `status`. */
_Noreturn void proc_exit_group(int status);
int proc_exec_kill_others(void);
/* A SIGKILL to every thread of p but self; every sleep ends. */
void proc_kill_others(struct proc *p, struct thread *self);
/* Exec's naming: t's name (and its process's) is path's last part. */
void proc_set_name(struct thread *t, const char *path);
/* Sets t's name (Linux's comm) to name's first len bytes, at most 15;
 * its process's too when t is the leader. */
void thread_set_comm(struct thread *t, const char *name, size_t len);
/* prctl's options kernel/linux/sys_prctl_mm.c answers (PR_SET_MM and
 * others): the value or a negative errno, or -ENOSYS for another op. */
long prctl_more(int op, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5);
/* A vfork wait holding the caller's reference, or NULL (no memory). */
struct vfork_done *vfork_done_new(void);
void vfork_done_put(struct vfork_done *vd);
/*
 * Sleeps until the child releases vd or the caller is killed, then drops
 * the caller's reference. May sleep.
 */
void vfork_wait(struct vfork_done *vd);
/* Lets p's vfork parents go on: at exec (the memory is no longer shared). */
void proc_vfork_release(struct proc *p);

struct files *files_new(void);
struct files *files_clone(struct files *f);
/* Whether f's open fds fit below fs.nr_open (unshare(CLONE_FILES)'s
 * EMFILE otherwise). */
bool files_fit_nr_open(struct files *f);
void files_put(struct files *f);
/* Gives p the table mine in place of its own, which it puts; a nolock
 * lookup of p's other threads is over first (fd_get_unlocked). Big lock
 * held; may wait for the other CPUs. */
void files_replace(struct proc *p, struct files *mine);
/*
 * Installs f at the lowest free fd >= min, below RLIMIT_NOFILE's soft
 * limit; returns it, -EMFILE or -ENOMEM (the table could not grow).
 */
int fd_install(struct proc *p, struct file *f, int min, bool cloexec);
/* The file at fd (no new reference), or NULL. */
struct file *fd_get(struct proc *p, int fd);
/* The same, but NULL for an O_PATH descriptor: a file for I/O (mmap,
 * poll, fchmod...), as Linux's fdget. */
struct file *fd_get_open(struct proc *p, int fd);
/*
 * The current process's file at fd, or NULL, kept alive until the system
 * call returns (another thread's close cannot free it under a sleeping
 * call); at most four per call, later ones are borrowed as from fd_get.
 * An O_PATH descriptor is NULL here (Linux's fdget): it names a file for
 * fstat, fcntl, dup and the *at calls, which use fd_hold_path, and opens
 * it for nothing else.
 */
struct file *fd_hold(int fd);
struct file *fd_hold_path(int fd);
/* Drops what fd_hold kept: at the end of every system call, and at exit. */
void fd_release_held(void);
/*
 * For a nolock system call (no big lock): the current process's file at
 * fd if want(file) says so (want runs under the table's lock: it may look
 * only at the file's fields), with a reference of the caller's, which
 * file_put_unlocked drops; else NULL. O_PATH descriptors included.
 * Call it before any user copy of the call: a fault in a copy lets in
 * the interrupt files_replace waits for, after which the table may go.
 */
struct file *fd_get_unlocked(int fd, bool (*want)(const struct file *));
int fd_close(struct proc *p, int fd);
/* Puts f at fd, closing what was there; fd, -EBADF (past the soft limit)
 * or -ENOMEM. */
int fd_install_at(struct proc *p, struct file *f, int fd, bool cloexec);
/* The fd table's size: every open fd of p is below it. */
int fd_table_size(struct proc *p);
bool fd_cloexec(struct proc *p, int fd);
void fd_set_cloexec(struct proc *p, int fd, bool on);
void files_close_on_exec(struct proc *p);
/* Drops f from every epoll interest list (kernel/linux/epoll.c). */
void epoll_forget(struct file *f);

/* Scheduling attributes (kernel/linux/sys_sched.c). */
/* Gives a new thread its creator's attributes (SCHED_RESET_ON_FORK aside). */
void sched_attr_fork(struct thread *child, const struct thread *parent);
/* t's prctl timer slack in ns (kernel/linux/sys_prctl.c). */
uint64_t thread_timer_slack(const struct thread *t);
/* p's nice value, its first thread's, for /proc/PID/stat. */
int proc_nice(struct proc *p);
/*
 * Calls fn(t, arg) on every live thread that getpriority's which (0
 * process, 1 group, 2 user) and who (0: the caller's) name; returns how
 * many there were. Used by ioprio_get/ioprio_set too (sys_ioprio.c).
 */
int prio_each(int which, int who, void (*fn)(struct thread *, void *), void *arg);

/*
 * Supplementary groups (setgroups), sorted, shared by reference between
 * a process and the children it forks (kernel/linux/sys_proc.c).
 */
struct groups {
	int refcount;
	unsigned count;
	unsigned gid[];
};
void groups_get(struct groups *g);
void groups_put(struct groups *g);
/* Whether gid is p's fs gid or one of its supplementary groups. */
bool proc_in_group(struct proc *p, unsigned gid);
/*
 * Linux's ptrace_may_access with real credentials and no Yama (ptrace
 * attach, process_vm_readv/writev, pidfd_getfd, kcmp): me is p, or has
 * CAP_SYS_PTRACE, or its real ids are all three of p's and p is
 * dumpable.
 */
bool proc_may_access(const struct proc *me, const struct proc *p);

/* Signals (kernel/linux/signal.c). */
int signal_send_proc(struct proc *p, int sig);
/* Like signal_send_proc / signal_send_thread, with what siginfo reports. */
int signal_send_proc_info(struct proc *p, int sig, const struct sig_info_k *info);
void signal_send_thread_info(struct thread *t, int sig, const struct sig_info_k *info);
void signal_send_thread(struct thread *t, int sig);
/* The siginfo_t (zeroed by the caller) a handler of sig sent with si
 * sees. */
void signal_info_fill(struct siginfo_k *out, int sig, const struct sig_info_k *si);
/*
 * Core files (kernel/linux/coredump.c). coredump: the calling thread,
 * ending its process with signal sig, writes its core; true when it did,
 * and the exit status then has 0x80. It first ends the other threads and
 * waits for them (may sleep). coredump_thread_exit: a thread of a
 * process being dumped leaves its registers for the core as it ends.
 * sysctl_core_pattern: /proc/sys/kernel/core_pattern's value.
 */
bool coredump(int sig, const struct sig_info_k *si);
void coredump_thread_exit(struct thread *t);
const char *sysctl_core_pattern(void);
/* If t sleeps in a job-control stop, wakes the stopped threads (to
 * look at their tracer) and returns true. */
bool signal_stop_kick(struct thread *t);
/* If t's process is in a job-control stop (another thread took the stop
 * signal), waits until it continues or t is killed; returns whether it
 * waited. On the way back to user mode. May sleep. */
bool signal_stop_join(struct thread *t);
/* Whether a fault's sig would end t's process: no handler, or blocked. */
bool signal_fault_unhandled(struct thread *t, int sig);
/* Signals whose si_code values are their own (SIGSEGV's SEGV_MAPERR...):
 * O_ASYNC's F_SETSIG with one of them reports SI_SIGIO, as Linux. */
bool signal_has_own_codes(int sig);
int signal_send_pgrp(int pgid, int sig);
/*
 * kill(2)'s permission rule, for every call that sends a signal: the
 * sender's real or effective uid is the target's real or saved uid, or
 * the sender's euid is 0 (CAP_KILL), or it is SIGCONT within the sender's
 * session; never across a Landlock signal scope of the caller's.
 */
bool signal_permitted(struct proc *from, struct proc *to, int sig);
/*
 * tgkill's and rt_tgsigqueueinfo's delivery: sig to thread tid (of
 * process tgid when tgid > 0) from the current process, after the
 * permission check. Returns 0, -ESRCH, -EINVAL, -EPERM, or -EAGAIN for
 * a queued real-time signal past RLIMIT_SIGPENDING.
 */
int signal_send_specific(int tgid, int tid, int sig,
			 const struct sig_info_k *info);
/* How many signals wait for p, its threads' included (SigQ). */
unsigned signal_queued(struct proc *p);
/*
 * rt_sigqueueinfo's copy of the caller's siginfo into *k: -EFAULT, or
 * -EPERM for a kernel-reserved si_code (>= 0, or SI_TKILL) sent to
 * another thread than target_tid's caller.
 */
int signal_queueinfo_copy(uint64_t uinfo, int target_tid,
			  struct sig_info_k *k);
/*
 * Takes the lowest pending signal in mask for t (its own first, then its
 * process's), as sigtimedwait and signalfd do; returns it and its siginfo
 * in *info, or 0 if none is pending.
 */
int signal_take(struct thread *t, uint64_t mask, struct sig_info_k *info);
/* Drops one pending instance of sig: t's own, or p's if t is NULL. */
void signal_unqueue(struct proc *p, struct thread *t, int sig);
/* A signal was queued for p or one of its threads: signalfds see it
 * (kernel/linux/sys_signalfd.c). */
void signalfd_notify(struct proc *p);

/* pidfds (kernel/linux/sys_pidfd.c). */
/* A new pidfd (O_CLOEXEC, and flags) naming p, or no process yet if p
 * is NULL (clone's CLONE_PIDFD, made before the child: pidfd_name names
 * it then); the fd or -errno. With held, *held gets its file, with a
 * reference for the caller to put. */
long pidfd_new(struct proc *p, unsigned flags, struct file **held);
void pidfd_name(struct file *f, struct proc *p);
/* p has become a zombie: its pidfds turn readable. */
void pidfd_proc_exited(struct proc *p);
/*
 * waitid's P_PIDFD: the pid the pidfd fd names (0 once its process was
 * reaped), and whether it is non-blocking; 0, or -EBADF.
 */
int pidfd_wait_target(int fd, int *pid, bool *nonblock);

/* POSIX timers (kernel/linux/sys_ptimer.c). */
/*
 * A signal one of p's timers sent was taken: re-arms a periodic timer and
 * puts the overrun count in info->uid (si_overrun).
 */
void ptimer_dequeued(struct proc *p, struct sig_info_k *info);
/* Deletes p's timers: at exit and exec, as Linux. */
void ptimers_exit(struct proc *p);

/* A signal t may take is pending (for it or its process). */
static inline bool
signal_pending(struct thread *t)
{
	uint64_t pend = t->sig_pending | (t->proc ? t->proc->sig_pending : 0);
	return (pend & (~t->sig_blocked | SIGBIT(SIGKILL) | SIGBIT(SIGSTOP))) != 0;
}
/* A SIGKILL is pending for t: it dies on its way back to user mode. */
static inline bool
fatal_signal_pending(struct thread *t)
{
	uint64_t pend = t->sig_pending | (t->proc ? t->proc->sig_pending : 0);
	return (pend & SIGBIT(SIGKILL)) != 0;
}
/* Delivers pending signals before a return to user mode. */
void signal_deliver(struct trapframe *tf);
/* For the arch's signal frame (arch_signal_frame): the top of t's
 * alternate stack if action a's handler runs there, the thread's stack
 * pointer being sp; else 0. */
uint64_t signal_altstack_top(const struct thread *t,
			     const struct sigaction_k *a, uint64_t sp);
/* t's alternate stack as uc_stack and sigaltstack report it, sp being the
 * thread's stack pointer (SS_ONSTACK when it is on it). */
void signal_stack_of(const struct thread *t, uint64_t sp,
		     struct sig_stack_k *ss);
void sighand_put(struct sighand *s);
/* fs_info_copy: src's own copy (its directories referenced again), or
 * NULL; fs_info_put lets one reference go. */
struct fs_info *fs_info_copy(const struct fs_info *src);
void fs_info_put(struct fs_info *fs);
struct sighand *sighand_copy(struct sighand *src);
void signal_init(void);
/* exec: handled signals go back to their default action; the alternate
 * stack is forgotten. */
void signal_exec_reset(struct proc *p);

/*
 * Whether the running thread has CAP_SYS_ADMIN (Linux's admin reserve) or
 * is the kernel itself (boot, no process): such allocations may take the
 * page reserve (page_alloc_user) and tmpfs's root reserve.
 */
static inline bool
proc_privileged(void)
{
	struct thread *t = current();
	return !t || !t->proc ||
	       (t->proc->caps.effective & CAP_BIT(CAP_SYS_ADMIN));
}

/* The same, for the kernel alone: limits meant for processes pass. */
static inline bool
proc_is_kernel(void)
{
	struct thread *t = current();
	return !t || !t->proc;
}

/* clone(2) flags. */
#define CLONE_VM 0x100
#define CLONE_FS 0x200
#define CLONE_FILES 0x400
#define CLONE_SIGHAND 0x800
#define CLONE_VFORK 0x4000
#define CLONE_PARENT 0x8000
#define CLONE_THREAD 0x10000
#define CLONE_SETTLS 0x80000
#define CLONE_PARENT_SETTID 0x100000
#define CLONE_CHILD_CLEARTID 0x200000
#define CLONE_CHILD_SETTID 0x1000000

struct proc *proc_alloc(struct proc *parent);
/* Makes parent p's parent (p itself for init) and p->ppid its pid.
 * Big lock held. */
void proc_set_parent(struct proc *p, struct proc *parent);
/* clone3's CLONE_NEWTIME, whose bit (0x80) is part of clone's exit
 * signal: passed to proc_clone apart, in a bit no clone3 flag has
 * (CLONE_CLEAR_SIGHAND and CLONE_INTO_CGROUP are bits 32 and 33). */
#define CLONE3_NEWTIME (1ul << 63)
struct thread *proc_clone(unsigned long flags, uint64_t newsp, uint64_t tls,
			  int want_tid);
void thread_attach(struct proc *p, struct thread *t);
int proc_reap(struct proc *c);
struct proc *proc_init_proc(void);
/* Runs the program at path in the current process (kernel strings). */
int exec_kernel(const char *path, const char *const *argv, int argc);
/* Drops p's hold on its controlling terminal (kernel/fs/tty.c). */
void proc_leave_tty(struct proc *p);

#endif
