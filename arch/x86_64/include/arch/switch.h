/*
 * The switch between two threads of processes, inline for the IPC
 * hand-off (kernel/sched/sched.c, switch_handoff): one function from the
 * sleep to the stacks' swap. arch_context_switch_procs (switch.c) is the
 * same code out of line.
 */
#ifndef ARCH_SWITCH_H
#define ARCH_SWITCH_H

#include <kernel/proc.h>
#include <kernel/vm.h>
#include <kernel/cpu.h>
#include <arch/cpu.h>
#include <arch/entry.h>
#include <arch/fpu.h>
#include <arch/percpu.h>
#include <arch/trap.h>
#include <arch/thread.h>

/*
 * Both threads are of processes. The FS base is read back from the
 * register (a program may have changed it by loading FS) and written only
 * when next's differs (arch_context_switch). The page tables: next's,
 * unless this CPU's idle thread keeps a lazy reference (vm_switch_lazy).
 */
static inline __attribute__((always_inline)) void
arch_switch_procs_inline(struct thread *prev, struct thread *next)
{
	fpu_save(prev->arch.fpu);
	uint64_t fs = prev->arch.fs_base = rdmsr(MSR_FS_BASE);
	fpu_load(next->arch.fpu);
	if (fs != next->arch.fs_base)
		wrmsr(MSR_FS_BASE, next->arch.fs_base);
	cpu_set_kernel_stack((uint64_t)(next->tf + 1));
	struct cpu *c = this_cpu();
	struct vm *vm = next->proc->vm;
	if (__builtin_expect(c->lazy_vm == NULL, 1)) {
		c->active_root = vm->root;	/* mmu_activate */
		if (read_cr3() != vm->root)
			write_cr3(vm->root);
	} else {
		vm_switch_lazy(prev->proc->vm, vm);
	}
	switch_stacks(&prev->ksp, next->ksp);
}

#endif
