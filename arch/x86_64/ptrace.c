/*
 * ptrace's x86_64 registers: Linux's struct user_regs_struct (GETREGS,
 * NT_PRSTATUS), the FXSAVE image (GETFPREGS, NT_PRFPREG) and the user
 * area's words (PEEKUSR, POKEUSR) with the debug registers at
 * u_debugreg. What a tracer writes is checked as Linux's putreg does; the
 * frame check on the way out (arch_user_frame_check) does the rest.
 */
#include <kernel/arch.h>
#include <kernel/errno.h>
#include <kernel/ptrace.h>
#include <kernel/sched.h>
#include <kernel/string.h>
#include <kernel/syscall.h>
#include <kernel/vm.h>
#include <arch/fpu.h>
#include <arch/mmu.h>
#include <arch/thread.h>
#include <arch/trap.h>

#define PTRACE_GETREGS 12
#define PTRACE_SETREGS 13
#define PTRACE_GETFPREGS 14
#define PTRACE_SETFPREGS 15
#define NT_X86_XSTATE 0x202
#define AUDIT_ARCH_X86_64 0xc000003eu

/* Linux's struct user_regs_struct, in its order. */
struct user_regs {
	uint64_t r15, r14, r13, r12, rbp, rbx, r11, r10, r9, r8;
	uint64_t rax, rcx, rdx, rsi, rdi, orig_rax, rip, cs, eflags, rsp, ss;
	uint64_t fs_base, gs_base, ds, es, fs, gs;
};
_Static_assert(sizeof(struct user_regs) == 216, "user_regs_struct is 216 bytes");

/* The kernel's struct user: the registers at 0, u_debugreg[8] at 848,
 * then error_code and fault_address (read as 0): 928 bytes in all. */
#define USER_DEBUGREG 848
#define USER_DEBUGREG_END (USER_DEBUGREG + 8 * 8)
#define USER_SIZE 928

/* What a tracer may change in rflags (Linux's FLAG_MASK): CF PF AF ZF
 * SF TF DF OF NT RF AC. */
#define RFLAGS_TRACER 0x54dd5ul

/*
 * The user selectors as Linux numbers them (__USER_CS, __USER_DS), not
 * Petrel's own: a debugger tells a 64-bit tracee by its cs (gdb takes
 * 0x23, Petrel's 64-bit code selector, for Linux's 32-bit one).
 */
#define LINUX_USER_CS 0x33
#define LINUX_USER_DS 0x2b

static void
regs_get(const struct thread *t, struct user_regs *u)
{
	const struct trapframe *tf = t->tf;
	*u = (struct user_regs){
		.r15 = tf->r15, .r14 = tf->r14, .r13 = tf->r13, .r12 = tf->r12,
		.rbp = tf->rbp, .rbx = tf->rbx, .r11 = tf->r11, .r10 = tf->r10,
		.r9 = tf->r9, .r8 = tf->r8, .rax = tf->rax, .rcx = tf->rcx,
		.rdx = tf->rdx, .rsi = tf->rsi, .rdi = tf->rdi,
		.orig_rax = (uint64_t)t->syscall_nr, .rip = tf->rip,
		.cs = LINUX_USER_CS, .eflags = tf->rflags, .rsp = tf->rsp,
		.ss = LINUX_USER_DS, .fs_base = t->arch.fs_base,
	};
}

/* Linux's invalid_selector: a selector other than null must be ring 3's. */
static bool
selector_ok(uint64_t v)
{
	return v <= 0xffff && (v == 0 || (v & 3) == 3);
}

/*
 * Checks u as Linux's putreg would take it: -EIO for a null cs or ss, a
 * selector of another ring, a base outside user space. The selectors
 * themselves are not kept: user mode always runs on Petrel's own.
 * There is no user GS base here, so only 0 is taken for it.
 */
static int
regs_check(const struct user_regs *u)
{
	if (!u->cs || !u->ss || !selector_ok(u->cs) || !selector_ok(u->ss) ||
	    !selector_ok(u->ds) || !selector_ok(u->es) ||
	    !selector_ok(u->fs) || !selector_ok(u->gs))
		return -EIO;
	if (u->fs_base >= USER_TOP || u->gs_base)
		return -EIO;
	return 0;
}

static int
regs_set(struct thread *t, const struct user_regs *u)
{
	struct trapframe *tf = t->tf;
	if (regs_check(u) < 0)
		return -EIO;
	tf->r15 = u->r15; tf->r14 = u->r14; tf->r13 = u->r13;
	tf->r12 = u->r12; tf->rbp = u->rbp; tf->rbx = u->rbx;
	tf->r11 = u->r11; tf->r10 = u->r10; tf->r9 = u->r9; tf->r8 = u->r8;
	tf->rax = u->rax; tf->rcx = u->rcx; tf->rdx = u->rdx;
	tf->rsi = u->rsi; tf->rdi = u->rdi; tf->rip = u->rip;
	tf->rsp = u->rsp;
	tf->rflags = (u->eflags & RFLAGS_TRACER) |
		     (tf->rflags & ~RFLAGS_TRACER);
	t->syscall_nr = (long)u->orig_rax;
	t->arch.fs_base = u->fs_base;
	return 0;
}

/* The MXCSR bits this CPU has (FXSAVE's MXCSR_MASK; 0 means 0xffbf). */
static uint32_t
mxcsr_mask(void)
{
	static uint32_t mask;
	if (!mask) {
		uint8_t fx[FPU_STATE_SIZE] __attribute__((aligned(16)));
		fpu_save(fx);
		memcpy(&mask, fx + 28, 4);
		if (!mask)
			mask = 0xffbf;
	}
	return mask;
}

/* A tracer's FXSAVE image: -EINVAL for reserved MXCSR bits, which would
 * fault FXRSTOR in the kernel (Linux's xfpregs_set). */
static int
fpregs_set(struct thread *t, const uint8_t *fx)
{
	uint32_t mxcsr;
	memcpy(&mxcsr, fx + 24, 4);
	if (mxcsr & ~mxcsr_mask())
		return -EINVAL;
	memcpy(t->arch.fpu, fx, FPU_STATE_SIZE);
	return 0;
}

/*
 * Whether debug register slot i (0-3) may watch addr with DR7's bits in
 * dr7 (Linux's arch_build_bp_info): no I/O breakpoints, an execution
 * breakpoint one byte long, the address aligned to the length and in
 * user space.
 */
static bool
breakpoint_ok(uint64_t dr7, unsigned i, uint64_t addr)
{
	unsigned rw = (dr7 >> (16 + 4 * i)) & 3;
	unsigned lenbits = (dr7 >> (18 + 4 * i)) & 3;
	static const uint64_t lens[4] = { 1, 2, 8, 4 };
	uint64_t len = lens[lenbits];
	if (rw == 2 || (rw == 0 && len != 1))
		return false;
	return !(addr & (len - 1)) && addr < USER_TOP - len;
}

static bool
breakpoint_enabled(uint64_t dr7, unsigned i)
{
	return (dr7 >> (2 * i)) & 3;
}

/* ptrace_set_debugreg: DR0-3 addresses, DR6, DR7 controls. */
static int
debugreg_set(struct thread *t, unsigned n, uint64_t v)
{
	uint64_t *dr = t->arch.debugreg;
	if (n == 4 || n == 5)
		return -EIO;
	if (n < 4 && breakpoint_enabled(dr[7], n) && !breakpoint_ok(dr[7], n, v))
		return -EINVAL;
	if (n == 7) {
		for (unsigned i = 0; i < 4; i++)
			if (breakpoint_enabled(v, i) && !breakpoint_ok(v, i, dr[i]))
				return -EINVAL;
	}
	dr[n] = v;
	return 0;
}

static long
peekuser(struct thread *t, uint64_t off, uaddr_t data)
{
	uint64_t v = 0;
	if ((off & 7) || off >= USER_SIZE)
		return -EIO;
	if (off < sizeof(struct user_regs)) {
		struct user_regs u;
		regs_get(t, &u);
		memcpy(&v, (uint8_t *)&u + off, 8);
	} else if (off >= USER_DEBUGREG && off < USER_DEBUGREG_END) {
		v = t->arch.debugreg[(off - USER_DEBUGREG) / 8];
	}
	return copyout(data, &v, 8);
}

static long
pokeuser(struct thread *t, uint64_t off, uint64_t v)
{
	if ((off & 7) || off >= USER_SIZE)
		return -EIO;
	if (off < sizeof(struct user_regs)) {
		struct user_regs u;
		regs_get(t, &u);
		memcpy((uint8_t *)&u + off, &v, 8);
		return regs_set(t, &u);
	}
	if (off >= USER_DEBUGREG && off < USER_DEBUGREG_END)
		return debugreg_set(t, (unsigned)(off - USER_DEBUGREG) / 8, v);
	return -EIO;
}

long
arch_ptrace(struct thread *t, long req, uint64_t addr, uint64_t data)
{
	struct user_regs u;
	uint8_t fx[FPU_STATE_SIZE];

	switch (req) {
	case PTRACE_PEEKUSR:
		return peekuser(t, addr, data);
	case PTRACE_POKEUSR:
		return pokeuser(t, addr, data);
	case PTRACE_GETREGS:
		regs_get(t, &u);
		return copyout(data, &u, sizeof(u));
	case PTRACE_SETREGS:
		if (copyin(&u, data, sizeof(u)) < 0)
			return -EFAULT;
		return regs_set(t, &u);
	case PTRACE_GETFPREGS:
		return copyout(data, t->arch.fpu, FPU_STATE_SIZE);
	case PTRACE_SETFPREGS:
		if (copyin(fx, data, sizeof(fx)) < 0)
			return -EFAULT;
		return fpregs_set(t, fx);
	}
	return -EIO;
}

int
arch_ptrace_regset(struct thread *t, unsigned type, void *buf, size_t *size,
		   bool set)
{
	struct user_regs u;
	uint8_t fx[FPU_STATE_SIZE];
	size_t n;

	switch (type) {
	case NT_PRSTATUS:
		regs_get(t, &u);
		n = *size < sizeof(u) ? *size : sizeof(u);
		*size = n;
		if (!set) {
			memcpy(buf, &u, n);
			return 0;
		}
		memcpy(&u, buf, n);
		return regs_set(t, &u);
	case NT_PRFPREG:
		n = *size < FPU_STATE_SIZE ? *size : FPU_STATE_SIZE;
		*size = n;
		if (t == current())	/* a core's: its registers are live */
			fpu_save(t->arch.fpu);
		if (!set) {
			memcpy(buf, t->arch.fpu, n);
			return 0;
		}
		memcpy(fx, t->arch.fpu, FPU_STATE_SIZE);
		memcpy(fx, buf, n);
		return fpregs_set(t, fx);
	case NT_X86_XSTATE:
		return -ENODEV;		/* FXSAVE only: no XSAVE area */
	}
	return -EINVAL;
}

void
arch_ptrace_step(struct thread *t, bool on)
{
	if (on)
		t->tf->rflags |= RFLAGS_TF;
	else
		t->tf->rflags &= ~RFLAGS_TF;
}

void
arch_ptrace_syscall_info(const struct thread *t, uint32_t *audit_arch,
			 uint64_t *ip, uint64_t *sp, uint64_t args[6])
{
	const struct trapframe *tf = t->tf;
	*audit_arch = AUDIT_ARCH_X86_64;
	*ip = tf->rip;
	*sp = tf->rsp;
	args[0] = tf->rdi;
	args[1] = tf->rsi;
	args[2] = tf->rdx;
	args[3] = tf->r10;
	args[4] = tf->r8;
	args[5] = tf->r9;
}
