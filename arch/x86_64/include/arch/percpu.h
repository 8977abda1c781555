/*
 * The x86_64 part of each CPU's private data: its GDT, TSS and APIC id.
 */
#ifndef ARCH_PERCPU_H
#define ARCH_PERCPU_H

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
	uint64_t gdt[7];
	struct tss tss;
	uint32_t apic_id;
};

struct cpu;

/* cpu.c: sets up the calling CPU (segments, IDT, features, GS). */
void cpu_setup(struct cpu *c);
/* cpu.c: the kernel stack this CPU enters on from user mode. */
void cpu_set_kernel_stack(uint64_t top);

/* The running CPU's struct cpu: GS points at it while in the kernel. */
static inline struct cpu *
arch_this_cpu(void)
{
	struct cpu *c;
	__asm__ volatile("movq %%gs:0, %0" : "=r"(c));
	return c;
}

#endif
