/*
 * System calls on x86_64: SYSCALL's frame (entry.S) holds the number in
 * rax and the six arguments in rdi, rsi, rdx, r10, r8 and r9; the result
 * goes back in rax, and a restarted call steps back over the 2-byte
 * SYSCALL instruction. Also the one call only x86_64 has, arch_prctl.
 */
#include <kernel/arch.h>
#include <kernel/errno.h>
#include <kernel/ipc.h>
#include <kernel/proc.h>
#include <kernel/syscall.h>
#include <kernel/syscall_fast.h>
#include <kernel/trap.h>
#include <kernel/vm.h>
#include <syscall_table.h>
#include <petrel/calls.h>
#include <arch/cpu.h>
#include <arch/entry.h>
#include <arch/thread.h>
#include <arch/trap.h>

#define ARG_AT(reg, i) \
	(offsetof(struct trapframe, reg) == offsetof(struct trapframe, rdi) + (i) * 8)
_Static_assert(ARG_AT(rsi, 1) && ARG_AT(rdx, 2) && ARG_AT(r10, 3) &&
	       ARG_AT(r8, 4) && ARG_AT(r9, 5),
	       "the system-call arguments lie in order in the trapframe");

/*
 * The locked way: the big lock, the handler, the exit test. Its own
 * function, so that the nolock way (below) pays for none of its saved
 * registers.
 */
static __attribute__((noinline)) bool
syscall_locked(struct trapframe *tf)
{
	/* The number is read once the lock is held, so that only the frame
	   is kept across the lock's wait. The six arguments lie in order
	   from rdi: no copy. */
	syscall_lock();
	struct thread *t = current();
	long r = syscall_run_locked(t, tf->rax, &tf->rdi);

	/* rt_sigreturn and execve set every register themselves. */
	if (__builtin_expect(!t->regs_replaced, 1)) {
		tf->rax = (uint64_t)r;
		if (syscall_exit_fast(t, r))
			return true;
	}
	t->regs_replaced = false;
	trap_return_to_user(tf);
	return false;
}

/* A nolock call the handler sent back: locked, or its -EINTR delivered. */
static __attribute__((noinline)) bool
syscall_unlocked_back(struct trapframe *tf, uint64_t nr)
{
	if (current()->unlocked_eintr) {
		syscall_nolock_deliver(tf);
		return false;	/* the frame may hold a handler's now */
	}
	tf->rax = nr;	/* as the entry left it, for the locked way */
	return syscall_locked(tf);
}

/* A nolock call (getpid...): straight back, its result in rax. */
static __attribute__((noinline)) bool
syscall_unlocked(struct trapframe *tf, uint64_t nr)
{
	if (syscall_run_unlocked(nr, &tf->rdi, (long *)&tf->rax))
		return true;	/* the fast way out: the entry's frame */
	return syscall_unlocked_back(tf, nr);
}

/* The same for a native call (the short channel calls), the run inline:
 * one function between the entry and the table's thunk. */
static __attribute__((noinline)) bool
syscall_unlocked_native(struct trapframe *tf, uint64_t nr)
{
	if (syscall_run_unlocked_entry(&native_table[nr - NATIVE_BASE],
				       &tf->rdi, (long *)&tf->rax))
		return true;
	return syscall_unlocked_back(tf, nr);
}

/* The short channel calls (chan_short_fast) when they did not run or
 * must deliver a signal: the frame is the thread's, its rax the number
 * still, so the fast way's caller keeps nothing across its call. */
_Static_assert(PT_NR_channel_recv_regs == PT_NR_channel_call_regs + 1,
	       "syscall_handler tests for the two short calls at once");
static __attribute__((noinline)) bool
syscall_short_back(void)
{
	struct trapframe *tf = current()->tf;
	return syscall_unlocked_back(tf, tf->rax);
}

/*
 * From entry.S, on the frame it built: true when the fast way out (the
 * entry's own frame, short restore) may be taken, false when
 * trap_return_to_user has run and the full restore must be.
 */
bool
syscall_handler(struct trapframe *tf)
{
	/* The short calls first among the native ones (not the Linux
	   calls' way, which this test stays out of). */
	if (__builtin_expect(tf->rax >= syscall_table_size, 0) &&
	    tf->rax - PT_NR_channel_call_regs < 2) {	/* and recv_regs */
		if (chan_short_fast(&tf->rdi, tf->rax, (long *)&tf->rax))
			return true;
		return syscall_short_back();
	}
	int how = syscall_nolock_call(tf->rax, &tf->rdi);
	if (__builtin_expect(how == SYSCALL_UNLOCKED_LINUX, 0))
		return syscall_unlocked(tf, tf->rax);
	if (__builtin_expect(how == SYSCALL_UNLOCKED_NATIVE, 0))
		return syscall_unlocked_native(tf, tf->rax);
	return syscall_locked(tf);
}

long
arch_syscall_result(const struct trapframe *tf)
{
	return (long)tf->rax;
}

void
arch_syscall_set_result(struct trapframe *tf, long r)
{
	tf->rax = (uint64_t)r;
}

void
arch_syscall_restart(struct trapframe *tf, long nr)
{
	tf->rax = (uint64_t)nr;
	tf->rip -= 2;
}

long
sys_arch_prctl(int code, uint64_t addr)
{
	struct thread *t = current();
	switch (code) {
	case 0x1002:	/* ARCH_SET_FS */
		if (arch_tls_check(addr) < 0)
			return -EPERM;
		t->arch.fs_base = addr;
		wrmsr(MSR_FS_BASE, addr);
		return 0;
	case 0x1003:	/* ARCH_GET_FS */
		return copyout(addr, &t->arch.fs_base, 8);
	case 0x1001:	/* ARCH_SET_GS */
	case 0x1004:	/* ARCH_GET_GS */
		return -EINVAL;
	case 0x1011:	/* ARCH_GET_CPUID: cpuid runs */
		return 1;
	case 0x1012:	/* ARCH_SET_CPUID: no CPUID faulting to stop it */
		return -ENODEV;
	}
	return -EINVAL;
}
