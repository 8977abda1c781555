/*
 * The x86_64 part of each CPU's private data: the SYSCALL entry's stack
 * and scratch word, its GDT, TSS and APIC id.
 */
#ifndef ARCH_PERCPU_H
#define ARCH_PERCPU_H

/*
 * Where entry.S finds struct cpu's fields from GS (asserted in cpu.c):
 * self, then struct arch_cpu, whose first two fields it uses.
 */
#define CPU_SELF 0
#define CPU_KSTACK_TOP 8
#define CPU_USER_RSP 16

#ifndef __ASSEMBLY__
#include <kernel/types.h>

struct tss {
	uint32_t reserved0;
	uint64_t rsp0, rsp1, rsp2;
	uint64_t reserved1;
	uint64_t ist[7];
	uint64_t reserved2;
	uint16_t reserved3, iomap_base;
} __attribute__((packed));

struct arch_cpu {
	uint64_t kstack_top;		/* the SYSCALL entry's stack */
	uint64_t user_rsp;		/* scratch at SYSCALL entry */
	uint64_t gdt[7];
	struct tss tss;
	uint32_t apic_id;
	bool tsd;			/* CR4.TSD is set (switch.c,
					   tsc_trap_sync) */
};

struct cpu;

/* cpu.c: sets up the calling CPU (segments, IDT, features, GS). */
void cpu_setup(struct cpu *c);
/* A CPU's stack for NMIs and double faults (TSS IST 1): 2^IST_STACK_ORDER pages. */
#define IST_STACK_ORDER 1
#define IST_STACK_SIZE (4096ul << IST_STACK_ORDER)
/*
 * The kernel stack this CPU enters on from user mode: the SYSCALL entry's
 * and the TSS's. Two stores through GS, inline: every switch to a user
 * thread makes them.
 */
static inline void
cpu_set_kernel_stack(uint64_t top)
{
	__asm__ volatile("movq %0, %%gs:%c1\n\t"
			 "movq %0, %%gs:%c2"
			 :
			 : "r"(top), "i"(CPU_KSTACK_TOP),
			   "i"(CPU_KSTACK_TOP + __builtin_offsetof(struct arch_cpu,
								   tss.rsp0))
			 : "memory");
}

/* The running CPU's struct cpu: GS points at it while in the kernel. */
static inline struct cpu *
arch_this_cpu(void)
{
	struct cpu *c;
	__asm__ volatile("movq %%gs:0, %0" : "=r"(c));
	return c;
}
#endif

#endif
