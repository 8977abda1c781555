/*
 * The Linux system-call table (generated from kernel/linux/syscalls.master).
 */
#ifndef KERNEL_SYSCALL_H
#define KERNEL_SYSCALL_H

#include <kernel/types.h>
#include <kernel/trace.h>

typedef uint64_t uaddr_t;	/* a user-space address: never dereferenced */
struct trapframe;

struct syscall_entry {
	long (*fn)(const uint64_t *args);
	const char *name;
	struct trace_desc trace;	/* how the tracer prints it */
	uint8_t unlocked;		/* runs without the big lock: */
};
#define SYSCALL_NOLOCK 1		/* "nolock": always */
#define SYSCALL_NOLOCK_FD 2		/* "nolock(fd)": on a pipe end */
#define SYSCALL_NOLOCK_RFD 3		/* "nolock(rfd)": on a pipe end or a
				   tmpfs file open for reading */

extern const struct syscall_entry syscall_table[];
extern const unsigned syscall_table_size;
/* Petrel's native calls: numbers NATIVE_BASE and up (include/petrel/). */
#define NATIVE_BASE 4096
extern const struct syscall_entry native_table[];
extern const unsigned native_table_size;
/*
 * System calls run with the big lock, by number: a Linux call at its
 * number, a native one at SYSCALL_COUNTED_NATIVE + (nr - NATIVE_BASE);
 * counted under the lock (syscall_run_locked), for /proc/petrel/bklcalls;
 * a number past its part of the array folds into it. NULL, and nothing
 * counted, until that file is first read: its 2 KiB are not taken from
 * a guest that never asks (system/mem-small's 4 MiB). Big lock.
 */
#define SYSCALL_COUNTED_NATIVE 512
#define SYSCALL_COUNTED (SYSCALL_COUNTED_NATIVE + 64)
extern uint32_t *syscall_locked_count;

/* The entry of call nr (Linux or native), or NULL when there is none. */
const struct syscall_entry *syscall_lookup(uint64_t nr);
/* Runs call nr with its six arguments; -ENOSYS (logged once) when there
 * is no such call. Caller holds the big lock; may sleep. */
long syscall_dispatch(uint64_t nr, const uint64_t *args);
struct thread;
/* Runs call nr for t (the current thread), through the system-call
 * tracer (trace.c) when t's process is traced by it. May sleep. */
long syscall_invoke(struct thread *t, uint64_t nr, const uint64_t *args);
/* Sets t->work from the state its bits stand for (<kernel/sched.h>);
 * called wherever that state changes. Big lock held. */
void syscall_work_update(struct thread *t);
struct proc;
/* The same for each thread of process p. */
void syscall_work_update_proc(struct proc *p);
/*
 * Runs nolock call nr without the big lock if nothing is due on the way
 * in or out (seccomp, the tracer, ptrace, a signal, a stop): true, with
 * the result in *r, and the caller goes back to user mode without
 * trap_return_to_user. False, having done nothing, otherwise.
 * Interrupts are off; the big lock is not held.
 */
bool syscall_run_unlocked(uint64_t nr, const uint64_t *args, long *r);
/* The same for a native call (NATIVE_BASE and up). */
bool syscall_run_unlocked_native(uint64_t nr, const uint64_t *args, long *r);
/*
 * A nolock handler whose sleep a signal ended after it had changed
 * something (a channel call withdrawn, a reply given), so that it may not
 * run again, sets thread.unlocked_eintr and returns -ERETRY_LOCKED; the
 * entry then returns -EINTR the locked way instead of running it again:
 * stores -EINTR in tf, takes the big lock and runs trap_return_to_user,
 * which delivers the signal and releases the lock. The arch then takes
 * the full restore.
 */
void syscall_nolock_deliver(struct trapframe *tf);
/*
 * pread64 as a nolock call (kernel/linux/sys_read_nolock.c): the count
 * read or -errno, or -ERETRY_LOCKED, having changed nothing, for whatever
 * the locked path must do.
 */
long pread_unlocked(int fd, uaddr_t buf, size_t count, int64_t off);
/* pwrite64 the same: a tmpfs file's (sys_read_nolock.c). */
long pwrite_unlocked(int fd, uaddr_t buf, size_t count, int64_t off);
/* read and write as nolock calls (the same file): a pipe's, or the same
 * -ERETRY_LOCKED. */
long read_unlocked(int fd, uaddr_t buf, size_t count);
long write_unlocked(int fd, uaddr_t buf, size_t count);
/* readv and writev the same, with at most a few pieces. */
long readv_unlocked(int fd, uaddr_t iov, int iovcnt);
long writev_unlocked(int fd, uaddr_t iov, int iovcnt);
/* lseek as a nolock call (the same file): a tmpfs file's offset that is
 * the caller's alone, or -ERETRY_LOCKED, having changed nothing. */
long lseek_unlocked(int fd, int64_t off, int whence);
/* The name of call nr, or "?". */
const char *syscall_name(uint64_t nr);
/*
 * A preemption point for a system call that loops over a lot of data
 * (sendfile, copy_file_range): runs due timers and, when the thread's
 * slice is over and others wait, lets them run, as a sleep would. True
 * when a signal is now pending: the loop stops with what it has done, as
 * Linux's do when signal_pending. Objects the loop uses must be held.
 */
bool syscall_preempt_point(void);

#endif
