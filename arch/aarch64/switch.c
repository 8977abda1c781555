/*
 * Thread context on AArch64: the initial kernel stack of a new thread, the
 * switch between threads (callee-saved registers, FP/SIMD registers, the
 * TLS register, address space), and the user registers of a cloned thread
 * and of a freshly exec'd program. The kernel never uses FP/SIMD
 * (-mgeneral-regs-only), so the user's stay in the CPU until a switch.
 */
#include <kernel/arch.h>
#include <kernel/errno.h>
#include <kernel/sched.h>
#include <kernel/proc.h>
#include <kernel/vm.h>
#include <kernel/string.h>
#include <arch/mmu.h>
#include <arch/sysreg.h>
#include <arch/thread.h>
#include <arch/trap.h>

#define SWITCH_FRAME_WORDS 12	/* switch_stacks: x19-x28, x29, x30 */

void
arch_thread_init(struct thread *t)
{
	uint64_t *sp = (uint64_t *)t->tf - SWITCH_FRAME_WORDS;
	memset(sp, 0, SWITCH_FRAME_WORDS * 8);
	sp[SWITCH_FRAME_WORDS - 1] = (uint64_t)thread_trampoline;	/* x30 */
	t->ksp = (uint64_t)sp;
	memset(&t->arch, 0, sizeof(t->arch));
	t->tf->pstate = 0;	/* EL0t, interrupts on */
}

void
arch_context_switch(struct thread *prev, struct thread *next)
{
	if (prev->proc) {
		fpsimd_save(prev->arch.vregs);
		prev->arch.tpidr = read_sysreg(tpidr_el0);
	}
	if (next->proc) {
		fpsimd_load(next->arch.vregs);
		write_sysreg(tpidr_el0, next->arch.tpidr);
	}
	vm_switch(prev->proc ? prev->proc->vm : NULL,
		  next->proc ? next->proc->vm : NULL);
	switch_stacks(&prev->ksp, next->ksp);
}

void
arch_context_switch_procs(struct thread *prev, struct thread *next)
{
	KASSERT(prev->proc && next->proc);
	arch_context_switch(prev, next);
}

/* The child's registers are the running parent's, but x0 (clone returns
 * 0 in the child) and, if given, sp; the parent's FP/SIMD registers
 * and TLS register, or tls. */
void
arch_clone_regs(struct thread *t, const struct thread *parent, uint64_t sp,
		bool set_tls, uint64_t tls)
{
	*t->tf = *parent->tf;
	t->tf->x[0] = 0;
	if (sp)
		t->tf->sp = sp;
	fpsimd_save(t->arch.vregs);
	t->arch.tpidr = set_tls ? tls : read_sysreg(tpidr_el0);
}

void
arch_exec_regs(struct thread *t, uint64_t entry, uint64_t sp)
{
	struct trapframe *tf = t->tf;
	memset(tf, 0, sizeof(*tf));
	tf->pc = entry;
	tf->sp = sp;
	tf->pstate = 0;
	memset(&t->arch, 0, sizeof(t->arch));
	write_sysreg(tpidr_el0, 0);
	fpsimd_load(t->arch.vregs);
	t->regs_replaced = true;
}

/* HWCAP_FP | HWCAP_ASIMD: what every Armv8-A CPU QEMU offers has. */
uint64_t
arch_hwcap(void)
{
	return (1 << 0) | (1 << 1);
}

/* TPIDR_EL0 takes any value: nothing faults on a bad one. */
int
arch_tls_check(uint64_t base)
{
	(void)base;
	return 0;
}

long
arch_prctl_tsc(bool set, uint64_t arg)
{
	(void)set;
	(void)arg;
	return -EINVAL;		/* x86's only, as on Linux */
}
