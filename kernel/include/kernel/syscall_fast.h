/*
 * The system-call fast path, inline in each arch's syscall_handler
 * (arch/ARCH/syscall.c) so that the common call is one function around the
 * handler: the big lock, one test of the thread's work word, the table,
 * and on the way out one test of what trap_return_to_user would do.
 * Everything else is in kernel/linux/syscall.c.
 */
#ifndef KERNEL_SYSCALL_FAST_H
#define KERNEL_SYSCALL_FAST_H

#include <kernel/types.h>
#include <kernel/errno.h>
#include <kernel/lock.h>
#include <kernel/spinlock.h>
#include <kernel/proc.h>
#include <kernel/sched.h>
#include <kernel/syscall.h>

/* ptrace's stops, seccomp and the tracer around call nr (t->work set). */
long syscall_run_slow(struct thread *t, uint64_t nr, const uint64_t *args);
/* t->work as the state its bits stand for says it should be. */
unsigned syscall_work_of(const struct thread *t);

/*
 * Whether call nr with args goes to syscall_run_unlocked
 * (SYSCALL_UNLOCKED_LINUX) or syscall_run_unlocked_native
 * (SYSCALL_UNLOCKED_NATIVE), or 0: locked (inline: the arch's entry asks
 * it of every call; each answer is a constant where it is made, so the
 * arch's test of it folds into these branches). A nolock(fd) call (write) does
 * when its fd is a pipe end by the table's hint, a nolock(rfd) one (read)
 * when it is a pipe end or a tmpfs file open for reading (an fd past 63:
 * when one with the same fd % 64 ever was), read with no lock:
 * a stale hint costs a trip to the nolock handler, which looks again
 * under the table's lock, or one locked call. Every other call pays the
 * one test it paid before.
 */
#define SYSCALL_UNLOCKED_LINUX 1
#define SYSCALL_UNLOCKED_NATIVE 2
static inline int
syscall_nolock_call(uint64_t nr, const uint64_t *args)
{
	if (nr >= syscall_table_size) {
		/* Native calls: only "nolock", no fd hint. */
		if (nr - NATIVE_BASE < native_table_size &&
		    native_table[nr - NATIVE_BASE].unlocked)
			return SYSCALL_UNLOCKED_NATIVE;
		return 0;
	}
	uint8_t how = syscall_table[nr].unlocked;
	if (__builtin_expect(how == 0, 1))
		return 0;
	if (how == SYSCALL_NOLOCK)
		return SYSCALL_UNLOCKED_LINUX;
	/* p->files stays while the thread runs (files_replace), and a
	   thread in a system call has one. */
	const struct files *files = current()->proc->files;
	bool rd = how == SYSCALL_NOLOCK_RFD;
	const uint64_t *hint;
	if (args[0] < 64)
		hint = rd ? &files->nolock_rfds : &files->nolock_fds;
	else if (args[0] <= INT32_MAX)	/* a server's many sockets */
		hint = rd ? &files->nolock_rfds_high : &files->nolock_fds_high;
	else
		return 0;
	return __atomic_load_n(hint, __ATOMIC_RELAXED) >> (args[0] & 63) & 1 ?
		       SYSCALL_UNLOCKED_LINUX : 0;
}

/*
 * A nolock call's run (syscall_run_unlocked, syscall_run_unlocked_native):
 * inline, so that an arch's entry may run the native short calls' table
 * entry itself, one layer fewer on the IPC round trip.
 */
static inline __attribute__((always_inline)) bool
syscall_run_unlocked_entry(const struct syscall_entry *e, const uint64_t *args,
			   long *r)
{
	struct thread *t = current();
	struct proc *p = t->proc;	/* a thread in a system call has one */
	uint64_t pend = t->sig_pending | p->sig_pending;

	/*
	 * Whatever must run on the way in or out takes the locked path: a
	 * watcher's say (t->work: seccomp, the tracer, ptrace), a signal to
	 * deliver (signal_pending, without its test for a process), a stop.
	 * One that begins as this reads (a TSYNC filter, a signal from
	 * another CPU) finds the call done, as if it came just after.
	 */
	if (t->work != 0 ||
	    (pend & (~t->sig_blocked | SIGBIT(SIGKILL) | SIGBIT(SIGSTOP))) ||
	    p->stopped)
		return false;
	BKL_ASSERT_NOT_HELD();
	t->unlocked_call = true;
	*r = e->fn(args);
	KASSERT(spin_none_held());	/* none kept past the handler */
	t->unlocked_call = false;
	/* The handler met work for the lock's holder: again, locked; or,
	   with thread.unlocked_eintr, a signal to deliver. */
	return *r != -ERETRY_LOCKED;
}

/* Takes the big lock for a system call, from the arch's entry. */
static inline void
syscall_lock(void)
{
	if (!bkl_trylock_cpu(this_cpu()->id))
		bkl_lock();	/* another CPU holds it: wait */
}

/*
 * Runs system call nr with its six arguments for t, the current thread, from
 * the arch's system-call entry, which stores the result unless the call
 * replaced every register (thread->regs_replaced), then calls
 * syscall_exit_fast and, if that declines, trap_return_to_user. Expects
 * the big lock held (syscall_lock), which those release. May sleep.
 */
static inline long
syscall_run_locked(struct thread *t, uint64_t nr, const uint64_t *args)
{
	long r;

	t->syscall_nr = (long)nr;
	KASSERT(t->work == syscall_work_of(t));	/* no change unnoticed */
	const struct syscall_entry *e = NULL;
	if (nr < syscall_table_size) {
		e = &syscall_table[nr];
		syscall_locked_count[nr % SYSCALL_COUNTED_NATIVE]++;
	} else if (nr - NATIVE_BASE < native_table_size) {
		e = &native_table[nr - NATIVE_BASE];	/* channels, handles */
		syscall_locked_count[SYSCALL_COUNTED_NATIVE +
				     (nr - NATIVE_BASE) % 64]++;
	}
	if (__builtin_expect(t->work == 0 && e != NULL && e->fn != NULL, 1))
		r = e->fn(args);
	else
		r = syscall_run_slow(t, nr, args);
	if (t->nheld)
		fd_release_held();
	return r;
}

/* syscall_lock, then syscall_run_locked. */
static inline long
syscall_run(uint64_t nr, const uint64_t *args)
{
	syscall_lock();
	return syscall_run_locked(current(), nr, args);
}

/*
 * The common way back from thread t's system call that returned r, with
 * the frame the entry built from the CPU's own state (not replaced),
 * so the check trap_return_to_user makes of a frame the kernel wrote is
 * not needed. True, with the big lock released, when nothing is to be done:
 * no work bit, no signal to take, no stop, no restart code (-ERESTARTSYS to
 * -ERESTARTSYS - 4, Linux's five), nothing for the scheduler. False, with
 * the lock held, when the caller must take trap_return_to_user.
 */
static inline bool
syscall_exit_fast(struct thread *t, long r)
{
	struct cpu *c = this_cpu();	/* not the entry's, after a sleep */
	struct proc *p = t->proc;
	uint64_t pend = t->sig_pending | p->sig_pending;
	uint64_t cycles;

	if (t->work != 0 || (r <= -ERESTARTSYS && r >= -ERESTARTSYS - 4) ||
	    (pend & (~t->sig_blocked | SIGBIT(SIGKILL) | SIGBIT(SIGSTOP))) ||
	    p->stopped || !sched_return_quiet_at(c, &cycles))
		return false;
	t->syscall_nr = -1;
	bkl_unlock_at(cycles);	/* the quiet test's clock read */
	return true;
}

#endif
