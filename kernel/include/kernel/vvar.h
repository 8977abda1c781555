/*
 * The clock page ([vvar]) the kernel shares read-only with every process,
 * which the vDSO reads instead of making a system call. The kernel writes
 * it (kernel/linux/vdso.c) under a sequence counter; the vDSO
 * (arch/x86_64/vdso/) retries a read that met a write. Both sides are
 * built from this tree, so the layout is theirs alone, not an ABI.
 */
#ifndef KERNEL_VVAR_H
#define KERNEL_VVAR_H

#include <stdint.h>

/* clock_mode: how the vDSO may tell the time. */
#define VVAR_CLOCK_SYSCALL 0	/* not at all: every call asks the kernel
				   (before calibration; a time namespace
				   with offsets) */
#define VVAR_CLOCK_CYCLES 1	/* from the cycle counter, as below */

/* cpu_mode: how the vDSO's getcpu finds the CPU (arch's numbers; 0 is
   always the system call). */
#define VVAR_CPU_SYSCALL 0

struct vvar {
	uint32_t seq;		/* odd while the kernel rewrites the rest */
	uint32_t clock_mode;	/* VVAR_CLOCK_* */
	uint32_t cpu_mode;	/* VVAR_CPU_SYSCALL or the arch's */
	uint32_t pad;
	/* CLOCK_MONOTONIC in ns = (cycles - cycles_base) * ns_mult >> 32,
	   with a 128-bit product: the kernel's own arch_now_ns(). */
	uint64_t cycles_base;
	uint64_t ns_mult;
	/* CLOCK_REALTIME minus CLOCK_MONOTONIC, modulo 2^64, as the
	   kernel's clock_now() adds them. */
	uint64_t realtime_ns;
};

#endif
