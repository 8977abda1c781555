/*
 * What arch/aarch64's files share about the CPU (cpu.c).
 */
#ifndef ARCH_CPU_H
#define ARCH_CPU_H

#include <kernel/types.h>

struct cpu;

/* MPIDR_EL1's affinity fields: Aff3 (39:32), Aff2, Aff1, Aff0 (23:0). */
#define MPIDR_AFFINITY 0xff00fffffful

/* cpu.c: a CPU's own registers for struct cpu c, on that CPU. */
void cpu_setup(struct cpu *c);

/* The CPU has PAN, and the kernel runs with it (cpu.c). */
extern bool cpu_has_pan;

/* A PSCI call (fn, args) by the device tree's conduit; returns x0. */
uint64_t psci_call(uint64_t fn, uint64_t a1, uint64_t a2, uint64_t a3);

#endif
