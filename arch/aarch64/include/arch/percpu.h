/*
 * The AArch64 part of struct cpu (<kernel/cpu.h>), and how a CPU finds its
 * own: TPIDR_EL1 holds its address while it runs the kernel.
 */
#ifndef ARCH_PERCPU_H
#define ARCH_PERCPU_H

#ifndef __ASSEMBLY__
#include <kernel/types.h>

struct arch_cpu {
	uint64_t kstack_top;		/* the stack exceptions from EL0 use */
	uint64_t mpidr;			/* affinity (MPIDR_EL1), for PSCI and the GIC */
	volatile uint8_t *gicr;		/* GICv3: this CPU's redistributor */
	uint8_t gic_target;		/* GICv2: this CPU interface's target bit */
};

struct cpu;

/* The running CPU's struct cpu. */
static inline struct cpu *
arch_this_cpu(void)
{
	struct cpu *c;
	__asm__ volatile("mrs %0, tpidr_el1" : "=r"(c));
	return c;
}
#endif

#endif
