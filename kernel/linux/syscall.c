/*
 * System-call dispatch: the generated table maps numbers to handlers. An
 * unknown number returns -ENOSYS and is logged once per number with the name
 * of the process that asked. A traced process's calls go through the
 * tracer (trace.c) instead, and a ptraced thread stops around them
 * (ptrace.c); the common case's way in and out is inline in
 * <kernel/syscall_fast.h>. Also the full path back to user mode. The
 * arch's entry code (arch/ARCH/syscall.c) reads the call's number and
 * arguments from its frame and stores the result.
 */
#define SYSCALL_TABLE_DEFINE
#include <syscall_table.h>
#include <kernel/proc.h>
#include <kernel/vm.h>
#include <kernel/trap.h>
#include <kernel/errno.h>
#include <kernel/printk.h>
#include <kernel/arch.h>
#include <kernel/lock.h>
#include <kernel/spinlock.h>
#include <kernel/ptrace.h>
#include <kernel/seccomp.h>
#include <kernel/syscall_fast.h>

static uint8_t enosys_logged[1024 / 8];

const struct syscall_entry *
syscall_lookup(uint64_t nr)
{
	const struct syscall_entry *e = NULL;
	if (nr < syscall_table_size)
		e = &syscall_table[nr];
	else if (nr - NATIVE_BASE < native_table_size)
		e = &native_table[nr - NATIVE_BASE];
	return e && e->fn ? e : NULL;
}

static void
log_unknown(uint64_t nr)
{
	if (nr < 1024) {
		if (enosys_logged[nr / 8] & (1 << (nr % 8)))
			return;
		enosys_logged[nr / 8] |= 1 << (nr % 8);
	}
	/* The kernel log (dmesg), not the user's console: glibc and musl
	 * probe new calls (clone3, membarrier...) and take their fallback. */
	pr_info("petrel: %s (pid %d) called unknown system call %lu: ENOSYS\n",
	       current()->proc->name, current()->proc->pid, nr);
}

long
syscall_dispatch(uint64_t nr, const uint64_t *args)
{
	const struct syscall_entry *e = syscall_lookup(nr);
	if (e)
		return e->fn(args);
	log_unknown(nr);
	return -ENOSYS;
}

long
syscall_invoke(struct thread *t, uint64_t nr, const uint64_t *args)
{
	long r;
	/* After a ptrace entry stop, which may change the call, as Linux. */
	if (__builtin_expect(t->seccomp_mode != 0, 0) &&
	    !seccomp_allows(t, &nr, args, &r))
		return r;
	/* Tracing off costs this one branch. */
	if (__builtin_expect(t->proc->trace != TRACE_OFF, 0))
		return trace_syscall(t, nr, args);
	return syscall_dispatch(nr, args);
}

uint32_t *syscall_locked_count;	/* big lock */

bool
syscall_run_unlocked(uint64_t nr, const uint64_t *args, long *r)
{
	return syscall_run_unlocked_entry(&syscall_table[nr], args, r);
}

bool
syscall_run_unlocked_native(uint64_t nr, const uint64_t *args, long *r)
{
	return syscall_run_unlocked_entry(&native_table[nr - NATIVE_BASE], args, r);
}

void
syscall_nolock_deliver(struct trapframe *tf)
{
	struct thread *t = current();
	t->unlocked_eintr = false;
	arch_syscall_set_result(tf, -EINTR);
	syscall_lock();
	t->syscall_nr = -1;	/* -EINTR: nothing to restart */
	trap_return_to_user(tf);
}

unsigned
syscall_work_of(const struct thread *t)
{
	unsigned work = 0;
	if (t->seccomp_mode)
		work |= THREAD_WORK_SECCOMP;
	if (t->ptrace)
		work |= THREAD_WORK_PTRACE;
	if (t->proc && t->proc->trace != TRACE_OFF)
		work |= THREAD_WORK_TRACE;
	return work;
}

void
syscall_work_update(struct thread *t)
{
	t->work = syscall_work_of(t);
}

void
syscall_work_update_proc(struct proc *p)
{
	list_for_each(it, &p->threads)
		syscall_work_update(list_entry(it, struct thread, proc_link));
}

long
syscall_run_slow(struct thread *t, uint64_t nr, const uint64_t *args)
{
	if (t->ptrace != NULL)
		return ptrace_syscall(t, nr, args);	/* its stops around */
	return syscall_invoke(t, nr, args);
}

const char *
syscall_name(uint64_t nr)
{
	const struct syscall_entry *e = syscall_lookup(nr);
	return e ? e->name : "?";
}

/*
 * A frame the CPU would refuse to return to: SIGSEGV as Linux sends when
 * its IRET faults, with si_code SI_KERNEL and no address.
 */
static void
bad_frame_fault(struct thread *t)
{
	t->sig_fault_addr = 0;
	t->sig_fault_code = SI_KERNEL;
	t->sig_forced |= SIGBIT(SIGSEGV);
	signal_send_thread(t, SIGSEGV);
}

bool
syscall_preempt_point(void)
{
	sched_tick();
	if (sched_slice_over())
		sched_yield();
	bkl_pass();	/* and another CPU's waiter for the big lock */
	return signal_pending(current());
}

void
trap_return_to_user(struct trapframe *tf)
{
	struct thread *t = current();
	if (__builtin_expect(t->ptrace != NULL, 0))
		ptrace_return_to_user(t);	/* PTRACE_INTERRUPT */
	/*
	 * Checked again after each delivery, as the handler's address is
	 * user input too. A bad handler for SIGSEGV itself ends the loop:
	 * SIGSEGV is blocked in it, so the next one kills.
	 */
	for (;;) {
		sched_tick();
		if (sched_slice_over()) {
			sched_yield();
			continue;	/* back later: the timers to arm again */
		}
		if (!arch_user_frame_check(tf))
			bad_frame_fault(t);
		if (signal_stop_join(t))
			continue;	/* the process was stopped; now it goes on */
		if (!signal_pending(t))
			break;
		signal_deliver(tf);
	}
	/* Interrupted, but no handler ran: the call starts over. */
	if (t->syscall_nr >= 0 && (arch_syscall_result(tf) == -ERESTARTSYS ||
				   arch_syscall_result(tf) == -ERESTARTNOHAND))
		arch_syscall_restart(tf, t->syscall_nr);
	t->syscall_nr = -1;
	bkl_unlock();
}

int
trap_page_fault(struct trapframe *tf, uint64_t addr, bool write, bool exec)
{
	struct thread *t = current();
	(void)tf;
	if (!t || !t->proc || !t->proc->vm)
		return -EFAULT;
	return vm_fault(t->proc->vm, addr, write, exec);
}

bool
trap_page_fault_nolock(bool user, uint64_t addr, bool write, bool exec)
{
	struct thread *t = current();
	if (!t || !t->proc || !t->proc->vm || addr >= USER_TOP)
		return false;
	/* What trap_return_to_user would do on the way out: left to it. */
	if (user && (t->work != 0 || signal_pending(t) || t->proc->stopped))
		return false;
	return vm_fault_nolock(t->proc->vm, addr, write, exec) == 0;
}

int
trap_fault_signal(int vm_error)
{
	if (vm_error == -EIO)
		return SIGBUS;	/* past the end of a mapped file */
	if (vm_error == -ENOMEM)
		return SIGKILL;	/* no memory for the page: killed */
	return SIGSEGV;
}

void
trap_user_fault(struct trapframe *tf, int sig, uint64_t addr)
{
	struct thread *t = current();
	(void)tf;
	if (sig == SIGKILL) {
		/* Linux's OOM killer ends the biggest process; here the one
		   that asked, which in a small VM is mostly the same. */
		printk("Out of memory: Killed process %d (%s)\n",
		       t->proc->pid, t->proc->name);
		signal_send_proc(t->proc, SIGKILL);
		return;
	}
	t->sig_fault_addr = addr;
	t->sig_fault_code = 1;	/* SEGV_MAPERR: nothing mapped there */
	if (sig == SIGSEGV && t->proc->vm && vm_find(t->proc->vm, addr))
		t->sig_fault_code = 2;	/* SEGV_ACCERR: mapped, not allowed */
	if (sig == SIGBUS)
		t->sig_fault_code = 2;	/* BUS_ADRERR: past the end of a file */
	t->sig_forced |= SIGBIT(sig);
	signal_send_thread(t, sig);
}
