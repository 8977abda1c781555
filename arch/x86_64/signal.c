/*
 * Signal frames on x86_64: the rt_sigframe Linux builds below the user's
 * stack for a handler (return address, ucontext with the registers and
 * the signal mask, siginfo, and the FXSAVE image 64-byte aligned above
 * them), and rt_sigreturn's restoring of it. What goes into the frame,
 * and what comes out, is decided in kernel/linux/signal.c.
 */
#include <kernel/arch.h>
#include <kernel/errno.h>
#include <kernel/proc.h>
#include <kernel/string.h>
#include <kernel/vm.h>
#include <arch/fpu.h>
#include <arch/thread.h>
#include <arch/trap.h>

#define RED_ZONE 128		/* below rsp, the ABI leaves it to leaf code */

struct sigcontext_k {
	uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
	uint64_t rdi, rsi, rbp, rbx, rdx, rax, rcx, rsp, rip, eflags;
	uint16_t cs, gs, fs, ss;
	uint64_t err, trapno, oldmask, cr2;
	uint64_t fpstate;
	uint64_t reserved[8];
};

struct ucontext_k {
	uint64_t flags;
	uint64_t link;
	struct sig_stack_k stack;
	struct sigcontext_k mc;
	uint64_t sigmask;
};

struct rt_sigframe {
	uint64_t pretcode;		/* the handler returns to sa_restorer */
	struct ucontext_k uc;
	struct siginfo_k info;
};

uint64_t
arch_user_sp(const struct trapframe *tf)
{
	return tf->rsp;
}

static void
save_regs(struct sigcontext_k *mc, const struct trapframe *tf)
{
	mc->r8 = tf->r8, mc->r9 = tf->r9, mc->r10 = tf->r10, mc->r11 = tf->r11;
	mc->r12 = tf->r12, mc->r13 = tf->r13, mc->r14 = tf->r14, mc->r15 = tf->r15;
	mc->rdi = tf->rdi, mc->rsi = tf->rsi, mc->rbp = tf->rbp, mc->rbx = tf->rbx;
	mc->rdx = tf->rdx, mc->rax = tf->rax, mc->rcx = tf->rcx, mc->rsp = tf->rsp;
	mc->rip = tf->rip, mc->eflags = tf->rflags;
	mc->cs = USER_CS, mc->ss = USER_DS;
	mc->trapno = tf->vector < 32 ? tf->vector : 0;
	mc->err = tf->vector < 32 ? tf->error : 0;
}

int
arch_signal_frame(struct thread *t, struct trapframe *tf, int sig,
		  const struct sigaction_k *a, const struct siginfo_k *info,
		  uint64_t mask)
{
	uint64_t sp = signal_altstack_top(t, a, tf->rsp);
	if (!sp)
		sp = tf->rsp - RED_ZONE;
	sp = (sp - FPU_STATE_SIZE) & ~63ul;
	uint64_t fpstate = sp;
	sp -= sizeof(struct rt_sigframe);
	sp = ((sp + 8) & ~15ul) - 8;	/* as after a call: rsp + 8 aligned */

	struct rt_sigframe f;
	memset(&f, 0, sizeof(f));
	f.pretcode = a->restorer;
	signal_stack_of(t, tf->rsp, &f.uc.stack);
	save_regs(&f.uc.mc, tf);
	f.uc.mc.cr2 = t->sig_fault_addr;
	f.uc.mc.oldmask = mask;
	f.uc.mc.fpstate = fpstate;
	f.uc.sigmask = mask;
	f.info = *info;

	uint8_t fx[FPU_STATE_SIZE] __attribute__((aligned(16)));
	fpu_save(fx);
	if (copyout(sp, &f, sizeof(f)) < 0 || copyout(fpstate, fx, sizeof(fx)) < 0)
		return -EFAULT;
	tf->rsp = sp;
	tf->rip = a->handler;
	tf->rdi = (uint64_t)sig;
	tf->rsi = sp + offsetof(struct rt_sigframe, info);
	tf->rdx = sp + offsetof(struct rt_sigframe, uc);
	tf->rax = 0;
	tf->rflags &= ~RFLAGS_DF;
	return 0;
}

int
arch_signal_return(struct trapframe *tf, uint64_t *mask,
		   struct sig_stack_k *stack)
{
	struct rt_sigframe f;
	uint8_t fx[FPU_STATE_SIZE] __attribute__((aligned(16)));

	/* The handler's ret took pretcode off the stack. */
	if (copyin(&f, tf->rsp - 8, sizeof(f)) < 0)
		return -EFAULT;
	struct sigcontext_k *mc = &f.uc.mc;
	tf->r8 = mc->r8, tf->r9 = mc->r9, tf->r10 = mc->r10, tf->r11 = mc->r11;
	tf->r12 = mc->r12, tf->r13 = mc->r13, tf->r14 = mc->r14, tf->r15 = mc->r15;
	tf->rdi = mc->rdi, tf->rsi = mc->rsi, tf->rbp = mc->rbp, tf->rbx = mc->rbx;
	tf->rdx = mc->rdx, tf->rax = mc->rax, tf->rcx = mc->rcx, tf->rsp = mc->rsp;
	tf->rip = mc->rip;
	/* Only the flags user code may change: CF PF AF ZF SF TF DF OF AC. */
	const uint64_t user_flags = 0x40dd5;
	tf->rflags = (tf->rflags & ~user_flags) | (mc->eflags & user_flags) | RFLAGS_IF;
	tf->cs = USER_CS;
	tf->ss = USER_DS;
	if (mc->fpstate && copyin(fx, mc->fpstate, sizeof(fx)) == 0) {
		*(uint32_t *)(fx + 24) &= 0xffff;	/* MXCSR: no reserved bits */
		fpu_load(fx);
	}
	tf->vector = 0;
	*mask = f.uc.sigmask;
	*stack = f.uc.stack;
	return 0;
}

/* Nothing: x86_64's C libraries always give sa_restorer. */
int
arch_exec_map(struct vm *vm)
{
	(void)vm;
	return 0;
}
