/*
 * ptrace's arch hooks on AArch64 (kernel/linux/ptrace.c). Not done yet:
 * the register requests and regsets (NT_PRSTATUS, NT_PRFPREG) answer as
 * for an unknown request or set, and single stepping (MDSCR_EL1.SS) is
 * not wired; PTRACE_GET_SYSCALL_INFO reports the stopped call.
 */
#include <kernel/arch.h>
#include <kernel/sched.h>
#include <kernel/errno.h>
#include <arch/trap.h>

#define AUDIT_ARCH_AARCH64 0xc00000b7u

long
arch_ptrace(struct thread *t, long req, uint64_t addr, uint64_t data)
{
	(void)t, (void)req, (void)addr, (void)data;
	return -EIO;
}

int
arch_ptrace_regset(struct thread *t, unsigned type, void *buf, size_t *size,
		   bool set)
{
	(void)t, (void)type, (void)buf, (void)size, (void)set;
	return -EINVAL;
}

void
arch_ptrace_step(struct thread *t, bool on)
{
	(void)t, (void)on;
}

void
arch_ptrace_syscall_info(const struct thread *t, uint32_t *audit_arch,
			 uint64_t *ip, uint64_t *sp, uint64_t args[6])
{
	const struct trapframe *tf = t->tf;
	*audit_arch = AUDIT_ARCH_AARCH64;
	*ip = tf->pc;
	*sp = tf->sp;
	args[0] = tf->orig_x0;
	for (int i = 1; i < 6; i++)
		args[i] = tf->x[i];
}
