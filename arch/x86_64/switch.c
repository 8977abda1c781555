/*
 * Thread context on x86_64: the initial kernel stack of a new thread, the
 * switch between threads (kernel registers, FPU/SSE state, FS base,
 * kernel stack for the next entry, address space), and the user registers
 * of a cloned thread and of a freshly exec'd program.
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
#include <arch/fpu.h>
#include <arch/thread.h>
#include <arch/switch.h>


/* Default FPU state: all exceptions masked (FCW 0x37f, MXCSR 0x1f80). */
static void
fpu_default(uint8_t *fx)
{
	memset(fx, 0, FPU_STATE_SIZE);
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
	fpu_default(t->arch.fpu);
	t->tf->cs = USER_CS;
	t->tf->ss = USER_DS;
	t->tf->rflags = RFLAGS_IF | 2;
}

/*
 * The FS base is read back from the register (a program may have changed
 * it by loading FS), and written only when next's differs from what the
 * register holds: two processes of one static program share their TLS
 * address, and a WRMSR costs far more than the compare.
 */
void
arch_context_switch(struct thread *prev, struct thread *next)
{
	uint64_t fs = 0;
	bool fs_known = false;

	if (prev->proc) {
		fpu_save(prev->arch.fpu);
		fs = prev->arch.fs_base = rdmsr(MSR_FS_BASE);
		fs_known = true;
	}
	if (next->proc) {
		fpu_load(next->arch.fpu);
		if (!fs_known || fs != next->arch.fs_base)
			wrmsr(MSR_FS_BASE, next->arch.fs_base);
		cpu_set_kernel_stack((uint64_t)(next->tf + 1));
	}
	/* Idle keeps prev's tables (a TLB flush each way costs more than
	   it): vm_switch holds them until a process runs again. */
	vm_switch(prev->proc ? prev->proc->vm : NULL,
		  next->proc ? next->proc->vm : NULL);
	switch_stacks(&prev->ksp, next->ksp);
}

void
arch_context_switch_procs(struct thread *prev, struct thread *next)
{
	KASSERT(prev->proc && next->proc);
	arch_switch_procs_inline(prev, next);
}

/*
 * The child's registers are the running parent's, but rax (clone returns
 * 0 in the child) and, if given, the stack pointer; it gets the parent's
 * FPU registers and TLS base, or tls.
 */
void
arch_clone_regs(struct thread *t, const struct thread *parent, uint64_t sp,
		bool set_tls, uint64_t tls)
{
	*t->tf = *parent->tf;
	t->tf->rax = 0;
	if (sp)
		t->tf->rsp = sp;
	fpu_save(t->arch.fpu);
	t->arch.fs_base = set_tls ? tls : parent->arch.fs_base;
	t->arch.no_tsc = parent->arch.no_tsc;
}

/*
 * PR_SET_TSC. A switch pays nothing for it: once some thread asks for
 * PR_TSC_SIGSEGV, every CPU sets CR4.TSD for good (this one at once, the
 * others at the wake-up interrupt sent them, which each takes before it
 * runs user code again: tsc_trap_sync), and RDTSC and RDTSCP in user
 * mode fault from then on. The fault (tsc_trap) answers them in the
 * kernel for a thread that did not ask, and is a SIGSEGV for one that did,
 * as Linux's TIF_NOTSC. Until then nothing changes anywhere.
 */
static bool tsc_trapped;	/* set once, never cleared */

void
tsc_trap_sync(void)
{
	struct cpu *c = this_cpu();
	if (__atomic_load_n(&tsc_trapped, __ATOMIC_ACQUIRE) && !c->arch.tsd) {
		write_cr4(read_cr4() | CR4_TSD);
		c->arch.tsd = true;
	}
}

bool
tsc_trap(struct trapframe *tf)
{
	uint8_t op[3];
	if (!__atomic_load_n(&tsc_trapped, __ATOMIC_ACQUIRE) ||
	    current()->arch.no_tsc || copyin(op, tf->rip, 2) < 0 || op[0] != 0x0f)
		return false;
	if (op[1] == 0x31) {		/* RDTSC */
		uint64_t v = rdtsc();
		tf->rax = (uint32_t)v;
		tf->rdx = v >> 32;
		tf->rip += 2;
		return true;
	}
	if (op[1] == 0x01 && copyin(op, tf->rip, 3) == 0 && op[2] == 0xf9) {
		uint32_t lo, hi, aux;	/* RDTSCP */
		__asm__ volatile("rdtscp" : "=a"(lo), "=d"(hi), "=c"(aux));
		tf->rax = lo;
		tf->rdx = hi;
		tf->rcx = aux;
		tf->rip += 3;
		return true;
	}
	return false;
}

#define PR_TSC_ENABLE 1
#define PR_TSC_SIGSEGV 2

long
arch_prctl_tsc(bool set, uint64_t arg)
{
	struct thread *t = current();
	if (!set) {
		int v = t->arch.no_tsc ? PR_TSC_SIGSEGV : PR_TSC_ENABLE;
		return copyout(arg, &v, sizeof(v));
	}
	if (arg != PR_TSC_ENABLE && arg != PR_TSC_SIGSEGV)
		return -EINVAL;
	t->arch.no_tsc = arg == PR_TSC_SIGSEGV;
	if (t->arch.no_tsc && !__atomic_exchange_n(&tsc_trapped, true,
						    __ATOMIC_ACQ_REL)) {
		for (int i = 0; i < cpu_count; i++)
			if (&cpus[i] != this_cpu() && cpus[i].online)
				arch_wake_cpu(i);
	}
	tsc_trap_sync();
	return 0;
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
	t->arch.fs_base = 0;
	wrmsr(MSR_FS_BASE, 0);
	uint8_t fx[FPU_STATE_SIZE] __attribute__((aligned(16)));
	memset(fx, 0, sizeof(fx));
	*(uint16_t *)fx = 0x37f;
	*(uint32_t *)(fx + 24) = 0x1f80;
	fpu_load(fx);
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
