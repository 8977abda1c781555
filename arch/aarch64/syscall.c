/*
 * System calls on AArch64 (Linux's arm64 ABI): `svc #0` with the number in
 * x8 and the six arguments in x0-x5; the result goes back in x0, which is
 * why the first argument is kept aside (orig_x0) for a restart, which
 * steps back over the 4-byte svc.
 */
#include <kernel/arch.h>
#include <kernel/proc.h>
#include <kernel/syscall.h>
#include <kernel/syscall_fast.h>
#include <kernel/trap.h>
#include <arch/mmu.h>
#include <arch/trap.h>

/* arm64's clone number: its arguments come as Linux's CONFIG_CLONE_BACKWARDS
 * has them, tls before ctid, where sys_clone takes x86_64's order. */
#define NR_CLONE 220

void
syscall_handler(struct trapframe *tf)
{
	long r;
	tf->orig_x0 = tf->x[0];
	/* A nolock call (getpid...) goes straight back. */
	int how = syscall_nolock_call(tf->x[8], &tf->x[0]);
	if (__builtin_expect(how != 0, 0)) {
		bool done = how == SYSCALL_UNLOCKED_NATIVE ?
			syscall_run_unlocked_native(tf->x[8], &tf->x[0], &r) :
			syscall_run_unlocked(tf->x[8], &tf->x[0], &r);
		if (done) {
			tf->x[0] = (uint64_t)r;
			return;
		}
		if (current()->unlocked_eintr) {
			syscall_nolock_deliver(tf);
			return;
		}
	}
	/* The six arguments lie in order from x0: no copy but for clone's. */
	const uint64_t *args = &tf->x[0];
	uint64_t clone_args[6];
	if (tf->x[8] == NR_CLONE) {
		clone_args[0] = tf->x[0];	/* flags */
		clone_args[1] = tf->x[1];	/* stack */
		clone_args[2] = tf->x[2];	/* ptid */
		clone_args[3] = tf->x[4];	/* ctid */
		clone_args[4] = tf->x[3];	/* tls */
		clone_args[5] = tf->x[5];
		args = clone_args;
	}
	r = syscall_run(tf->x[8], args);
	struct thread *t = current();
	/* rt_sigreturn and execve set every register themselves. */
	if (__builtin_expect(!t->regs_replaced, 1)) {
		tf->x[0] = (uint64_t)r;
		if (syscall_exit_fast(t, r))
			return;
	}
	t->regs_replaced = false;
	trap_return_to_user(tf);
}

long
arch_syscall_result(const struct trapframe *tf)
{
	return (long)tf->x[0];
}

void
arch_syscall_set_result(struct trapframe *tf, long r)
{
	tf->x[0] = (uint64_t)r;
}

void
arch_syscall_restart(struct trapframe *tf, long nr)
{
	tf->x[8] = (uint64_t)nr;
	tf->x[0] = tf->orig_x0;
	tf->pc -= 4;
}

/*
 * EL0t, with only the condition flags the user may set (NZCV): never
 * another exception level, never interrupts masked. A pc past user space
 * cannot be returned to.
 */
bool
arch_user_frame_check(struct trapframe *tf)
{
	tf->pstate &= 0xf0000000ul;
	return tf->pc < USER_TOP;
}

uint64_t
arch_user_sp(const struct trapframe *tf)
{
	return tf->sp;
}
