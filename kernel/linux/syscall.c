/*
 * System-call dispatch: the generated table maps numbers to handlers. An
 * unknown number returns -ENOSYS and is logged once per number with the name
 * of the process that asked. A traced process's calls go through the
 * tracer (trace.c) instead. Also the common path back to user mode.
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
#include <arch/trap.h>

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

#define ARG_AT(reg, i) \
	(offsetof(struct trapframe, reg) == offsetof(struct trapframe, rdi) + (i) * 8)
_Static_assert(ARG_AT(rsi, 1) && ARG_AT(rdx, 2) && ARG_AT(r10, 3) &&
	       ARG_AT(r8, 4) && ARG_AT(r9, 5),
	       "the system-call arguments lie in order in the trapframe");

void
syscall_handler(struct trapframe *tf)
{
	uint64_t nr = tf->rax;
	struct thread *t;
	long r;

	bkl_lock();
	t = current();
	t->syscall_nr = (long)nr;
	/* The six arguments lie in order from rdi. Tracing off costs this
	 * one branch. */
	if (__builtin_expect(t->proc->trace != TRACE_OFF, 0))
		r = trace_syscall(t, nr, &tf->rdi);
	else
		r = syscall_dispatch(nr, &tf->rdi);
	if (t->nheld)
		fd_release_held();
	/* rt_sigreturn and execve set every register themselves. */
	if (!t->regs_replaced)
		tf->rax = (uint64_t)r;
	t->regs_replaced = false;
	trap_return_to_user(tf);
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

void
trap_return_to_user(struct trapframe *tf)
{
	struct thread *t = current();
	/*
	 * Checked again after each delivery, as the handler's address is
	 * user input too. A bad handler for SIGSEGV itself ends the loop:
	 * SIGSEGV is blocked in it, so the next one kills.
	 */
	for (;;) {
		sched_tick();
		if (sched_slice_over())
			sched_yield();
		if (!arch_user_frame_check(tf))
			bad_frame_fault(t);
		if (!signal_pending(t))
			break;
		signal_deliver(tf);
	}
	/* Interrupted, but no handler ran: the call starts over. */
	if (t->syscall_nr >= 0 && (long)tf->rax == -ERESTARTSYS) {
		tf->rax = (uint64_t)t->syscall_nr;
		tf->rip -= 2;
	}
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

void
trap_user_fault(struct trapframe *tf, int sig, uint64_t addr)
{
	struct thread *t = current();
	(void)tf;
	t->sig_fault_addr = addr;
	t->sig_fault_code = 1;	/* SEGV_MAPERR: nothing mapped there */
	if (sig == SIGSEGV && t->proc->vm && vm_find(t->proc->vm, addr))
		t->sig_fault_code = 2;	/* SEGV_ACCERR: mapped, not allowed */
	if (sig == SIGBUS)
		t->sig_fault_code = 2;	/* BUS_ADRERR: past the end of a file */
	t->sig_forced |= SIGBIT(sig);
	signal_send_thread(t, sig);
}
