/*
 * Signal frames on AArch64: arm64 Linux's rt_sigframe (siginfo, then the
 * ucontext whose mcontext holds x0-x30, sp, pc, pstate and, in its
 * __reserved area, an fpsimd_context record and the null terminator),
 * with a frame record (x29, x30) above it; and rt_sigreturn's restoring.
 * The handler returns to sa_restorer if SA_RESTORER says there is one;
 * else to the signal-return page every program gets at exec (glibc's
 * aarch64 sigaction passes no restorer: Linux returns through its vDSO's
 * __kernel_rt_sigreturn, and Petrel has no vDSO yet).
 */
#include <kernel/arch.h>
#include <kernel/errno.h>
#include <kernel/proc.h>
#include <kernel/string.h>
#include <kernel/vm.h>
#include <kernel/page.h>
#include <kernel/lock.h>
#include <kernel/tmpfs.h>
#include <kernel/vfs.h>
#include <arch/sysreg.h>
#include <arch/thread.h>
#include <arch/trap.h>

/* `mov x8, #139; svc #0`: rt_sigreturn, at the top page of the user
 * half, above the stack and anything mmap places without MAP_FIXED. */
#define SIGPAGE_ADDR (USER_TOP - PAGE_SIZE)
#define SA_RESTORER 0x04000000
static const uint32_t sigpage_code[] = { 0xd2801168, 0xd4000001 };

#define FPSIMD_MAGIC 0x46508001u
#define RESERVED_SIZE 4096

struct sigcontext_k {
	uint64_t fault_address;
	uint64_t regs[31];
	uint64_t sp, pc, pstate;
	/* __reserved[4096], 16-byte aligned, follows: written apart. */
};

struct ucontext_k {
	uint64_t flags;
	uint64_t link;
	struct sig_stack_k stack;
	uint64_t sigmask;
	uint8_t unused[120];	/* Linux's room for a 1024-bit sigset_t */
	uint64_t align;		/* (uc_mcontext is 16-byte aligned) */
	struct sigcontext_k mc;
};

struct fpsimd_record {
	uint32_t magic, size;
	uint32_t fpsr, fpcr;
	__uint128_t vregs[32];
};

struct rt_sigframe {
	struct siginfo_k info;
	struct ucontext_k uc;
	/* then the reserved area, then the frame record {x29, x30} */
};

_Static_assert(sizeof(struct siginfo_k) == 128, "siginfo at 0");
_Static_assert(__builtin_offsetof(struct ucontext_k, mc) == 176,
	       "arm64's uc_mcontext offset");
_Static_assert(sizeof(struct sigcontext_k) == 8 * 35,
	       "sigcontext before __reserved");
_Static_assert(sizeof(struct fpsimd_record) == 528, "fpsimd_context size");

#define FRAME_SIZE (sizeof(struct rt_sigframe) + RESERVED_SIZE)

int
arch_signal_frame(struct thread *t, struct trapframe *tf, int sig,
		  const struct sigaction_k *a, const struct siginfo_k *info,
		  uint64_t mask)
{
	uint64_t sp = signal_altstack_top(t, a, tf->sp);
	if (!sp)
		sp = tf->sp;
	sp = (sp - 16) & ~15ul;		/* the frame record */
	uint64_t record = sp;
	sp = (sp - FRAME_SIZE) & ~15ul;

	struct rt_sigframe f;
	memset(&f, 0, sizeof(f));
	f.info = *info;
	signal_stack_of(t, tf->sp, &f.uc.stack);
	f.uc.sigmask = mask;
	memcpy(f.uc.mc.regs, tf->x, sizeof(f.uc.mc.regs));
	f.uc.mc.sp = tf->sp;
	f.uc.mc.pc = tf->pc;
	f.uc.mc.pstate = tf->pstate;
	f.uc.mc.fault_address = t->sig_fault_addr;

	struct fpsimd_record fp = { .magic = FPSIMD_MAGIC, .size = sizeof(fp) };
	fpsimd_save(t->arch.vregs);
	memcpy(fp.vregs, t->arch.vregs, sizeof(fp.vregs));
	fp.fpsr = t->arch.fpsr;
	fp.fpcr = t->arch.fpcr;
	uint64_t reserved = sp + sizeof(f);
	uint64_t terminator[2] = { 0, 0 };
	uint64_t frame_record[2] = { tf->x[29], tf->x[30] };
	if (copyout(sp, &f, sizeof(f)) < 0 ||
	    copyout(reserved, &fp, sizeof(fp)) < 0 ||
	    copyout(reserved + sizeof(fp), terminator, sizeof(terminator)) < 0 ||
	    copyout(record, frame_record, sizeof(frame_record)) < 0)
		return -EFAULT;
	tf->sp = sp;
	tf->pc = a->handler;
	tf->x[0] = (uint64_t)sig;
	tf->x[1] = sp + offsetof(struct rt_sigframe, info);
	tf->x[2] = sp + offsetof(struct rt_sigframe, uc);
	tf->x[29] = record;
	tf->x[30] = (a->flags & SA_RESTORER) ? a->restorer : SIGPAGE_ADDR;
	return 0;
}

/* The trampoline's page, one for every process (as Linux's [sigpage]
 * and vDSO): written once, so it is synced for instruction fetch once,
 * at its first executable mapping (user_pte), where a page written into
 * each new process cost an allocation, a copy and a sync every exec.
 * Made at the first exec, which holds the big lock. */
static struct inode *sigpage_file;

int
arch_exec_map(struct vm *vm)
{
	BKL_ASSERT_HELD();
	if (!sigpage_file) {
		struct inode *f = tmpfs_anon_file(PAGE_SIZE);
		if (!f)
			return -ENOMEM;
		if (tmpfs_write_inode(f, sigpage_code, sizeof(sigpage_code),
				      0) != (long)sizeof(sigpage_code)) {
			inode_put(f);
			return -ENOMEM;
		}
		sigpage_file = f;
	}
	long a = vm_map(vm, SIGPAGE_ADDR, PAGE_SIZE, PROT_READ | PROT_EXEC,
			MAP_PRIVATE | MAP_FIXED, sigpage_file, 0, PAGE_SIZE);
	if (a < 0)
		return (int)a;
	struct region *r = vm_find(vm, SIGPAGE_ADDR);
	r->prot_deny = PROT_WRITE;	/* never written: shared by all */
	r->tag = "[sigpage]";
	return 0;
}

int
arch_signal_return(struct trapframe *tf, uint64_t *mask,
		   struct sig_stack_k *stack)
{
	struct rt_sigframe f;
	struct fpsimd_record fp;
	uint64_t sp = tf->sp;	/* the restorer runs with the handler's sp back */

	if (copyin(&f, sp, sizeof(f)) < 0)
		return -EFAULT;
	memcpy(tf->x, f.uc.mc.regs, sizeof(tf->x));
	tf->sp = f.uc.mc.sp;
	tf->pc = f.uc.mc.pc;
	tf->pstate = f.uc.mc.pstate & 0xf0000000ul;	/* NZCV alone */
	if (copyin(&fp, sp + sizeof(f), sizeof(fp)) == 0 &&
	    fp.magic == FPSIMD_MAGIC && fp.size == sizeof(fp)) {
		struct arch_thread *a = &current()->arch;
		memcpy(a->vregs, fp.vregs, sizeof(a->vregs));
		a->fpsr = fp.fpsr;
		a->fpcr = fp.fpcr;
		fpsimd_load(a->vregs);
	}
	*mask = f.uc.sigmask;
	*stack = f.uc.stack;
	return 0;
}
