/*
 * ptrace's arch hooks on AArch64 (kernel/linux/ptrace.c). Not done yet:
 * the register requests and the regsets' writes answer as for an
 * unknown request or set, and
 * single stepping (MDSCR_EL1.SS) is not wired; PTRACE_GET_SYSCALL_INFO
 * reports the stopped call.
 */
#include <kernel/arch.h>
#include <kernel/sched.h>
#include <kernel/errno.h>
#include <kernel/ptrace.h>
#include <kernel/string.h>
#include <arch/trap.h>

#define AUDIT_ARCH_AARCH64 0xc00000b7u

long
arch_ptrace(struct thread *t, long req, uint64_t addr, uint64_t data)
{
	(void)t, (void)req, (void)addr, (void)data;
	return -EIO;
}

/*
 * The reads only (a core's, PTRACE_GETREGSET): NT_PRSTATUS is Linux's
 * struct user_pt_regs, x0-x30, sp, pc and pstate, which the trap frame
 * begins with; NT_PRFPREG its struct user_fpsimd_state, V0-V31, FPSR,
 * FPCR and 8 reserved bytes. Writes are not done yet: -EINVAL.
 */
int
arch_ptrace_regset(struct thread *t, unsigned type, void *buf, size_t *size,
		   bool set)
{
	uint8_t fp[528] = { 0 };
	if (set)
		return -EINVAL;
	switch (type) {
	case NT_PRSTATUS:
		*size = MIN(*size, offsetof(struct trapframe, esr));
		memcpy(buf, t->tf, *size);
		return 0;
	case NT_PRFPREG:
		if (t == current())	/* its registers are live */
			fpsimd_save(t->arch.vregs);
		memcpy(fp, t->arch.vregs, sizeof(t->arch.vregs));
		memcpy(fp + 512, &t->arch.fpsr, 4);
		memcpy(fp + 516, &t->arch.fpcr, 4);
		*size = MIN(*size, sizeof(fp));
		memcpy(buf, fp, *size);
		return 0;
	}
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
