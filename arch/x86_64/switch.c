/*
 * Thread context on x86_64: the initial kernel stack of a new thread, and
 * the switch between threads (kernel registers, FPU/SSE state, FS base,
 * kernel stack for the next entry, address space).
 */
#include <kernel/arch.h>
#include <kernel/errno.h>
#include <kernel/sched.h>
#include <kernel/proc.h>
#include <kernel/vm.h>
#include <kernel/string.h>
#include <arch/cpu.h>
#include <arch/trap.h>
#include <arch/entry.h>


/* Default FPU state: all exceptions masked (FCW 0x37f, MXCSR 0x1f80). */
static void
fpu_default(uint8_t *fx)
{
	memset(fx, 0, 512);
	*(uint16_t *)fx = 0x37f;
	*(uint32_t *)(fx + 24) = 0x1f80;
	*(uint32_t *)(fx + 28) = 0xffff;	/* MXCSR mask */
}

void
arch_thread_init(struct thread *t)
{
	uint64_t *sp = (uint64_t *)t->tf;
	*--sp = (uint64_t)thread_trampoline;
	for (int i = 0; i < 6; i++)
		*--sp = 0;	/* rbp rbx r12 r13 r14 r15 */
	t->ksp = (uint64_t)sp;
	fpu_default(t->fpu);
	t->tf->cs = USER_CS;
	t->tf->ss = USER_DS;
	t->tf->rflags = RFLAGS_IF | 2;
}

void
arch_context_switch(struct thread *prev, struct thread *next)
{
	if (prev->proc) {
		__asm__ volatile("fxsave64 %0" : "=m"(prev->fpu));
		prev->fs_base = rdmsr(MSR_FS_BASE);
	}
	if (next->proc) {
		__asm__ volatile("fxrstor64 %0" ::"m"(next->fpu));
		wrmsr(MSR_FS_BASE, next->fs_base);
		cpu_set_kernel_stack((uint64_t)(next->tf + 1));
	}
	/* Idle keeps prev's tables (a TLB flush each way costs more than
	   it): vm_switch holds them until a process runs again. */
	vm_switch(prev->proc ? prev->proc->vm : NULL,
		  next->proc ? next->proc->vm : NULL);
	switch_stacks(&prev->ksp, next->ksp);
}

/* Copies the FPU state of the running thread into t (for fork/clone). */
void
arch_fpu_save_current(struct thread *t)
{
	__asm__ volatile("fxsave64 %0" : "=m"(t->fpu));
}

/* The same into a 16-byte aligned 512-byte buffer. */
void
arch_fpu_save(uint8_t *fx)
{
	__asm__ volatile("fxsave64 %0" : "=m"(*(uint8_t(*)[512])fx));
}

/* Loads an FPU image into the running thread's registers. */
void
arch_fpu_load_current(const uint8_t *fx)
{
	__asm__ volatile("fxrstor64 %0" ::"m"(*(const uint8_t(*)[512])fx));
}

/* Registers for a freshly exec'd program: all zero but rip and rsp. */
void
arch_exec_regs(struct thread *t, uint64_t entry, uint64_t sp)
{
	struct trapframe *tf = t->tf;
	memset(tf, 0, sizeof(*tf));
	tf->rip = entry;
	tf->rsp = sp;
	tf->cs = USER_CS;
	tf->ss = USER_DS;
	tf->rflags = RFLAGS_IF | 2;
	t->fs_base = 0;
	wrmsr(MSR_FS_BASE, 0);
	uint8_t fx[512] __attribute__((aligned(16)));
	memset(fx, 0, sizeof(fx));
	*(uint16_t *)fx = 0x37f;
	*(uint32_t *)(fx + 24) = 0x1f80;
	arch_fpu_load_current(fx);
	t->regs_replaced = true;
}

uint64_t
arch_hwcap(void)
{
	uint32_t r[4];
	cpuid(1, 0, r);
	return r[3];
}

int
arch_tls_check(uint64_t base)
{
	return base < USER_TOP ? 0 : -EPERM;
}

void
arch_set_fs_base(uint64_t base)
{
	wrmsr(MSR_FS_BASE, base);
}
