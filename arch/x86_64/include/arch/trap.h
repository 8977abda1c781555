/*
 * The register frame every entry to the kernel saves (entry.S), in memory
 * order. Interrupts, exceptions and system calls all build the same frame.
 */
#ifndef ARCH_TRAP_H
#define ARCH_TRAP_H

/* Where the CPU's saved cs lies above the vector number entry.S pushed
 * (error code and rip between): asserted in trap.c. */
#define TF_CS_ABOVE_VECTOR 24

#define TRAP_SYSCALL 0x100	/* vector value marking a syscall frame */
#define USER_CS 0x23
#define USER_DS 0x1b
#define KERNEL_CS 0x08
#define KERNEL_DS 0x10

#ifndef __ASSEMBLY__
#include <kernel/types.h>

struct trapframe {
	uint64_t r15, r14, r13, r12, r11, rbp, rbx, rcx;
	uint64_t rdi, rsi, rdx, r10, r8, r9;	/* system-call arguments, in order */
	uint64_t rax;
	uint64_t vector, error;
	uint64_t rip, cs, rflags, rsp, ss;
};

#define RFLAGS_FIXED (1ul << 1)	/* always reads as 1 */
#define RFLAGS_TF (1ul << 8)
#define RFLAGS_IF (1ul << 9)
#define RFLAGS_DF (1ul << 10)
#define RFLAGS_NT (1ul << 14)
#define RFLAGS_AC (1ul << 18)
/*
 * What ring 3 can change with popf: CF PF AF ZF SF TF DF OF NT RF AC ID.
 * Never IOPL, VM, VIF or VIP; IF is always on in user mode.
 */
#define RFLAGS_USER 0x254fd5ul

/* True if va is canonical: bits 63..47 all equal (4-level paging). */
static inline bool
canonical_address(uint64_t va)
{
	return (uint64_t)((int64_t)(va << 16) >> 16) == va;
}

static inline bool
trap_from_user(const struct trapframe *tf)
{
	return (tf->cs & 3) == 3;
}

/* A system call's six argument registers in the frame, in order: a call
 * that answers in registers too (the short channel calls) writes there. */
static inline uint64_t *
trap_syscall_regs(struct trapframe *tf)
{
	return &tf->rdi;
}
#endif

#endif
