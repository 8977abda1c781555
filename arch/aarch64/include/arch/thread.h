/*
 * A thread's AArch64 state beyond its trap frame: the user's FP/SIMD
 * registers while it is switched out, and its TLS base (TPIDR_EL0).
 */
#ifndef ARCH_THREAD_H
#define ARCH_THREAD_H

#include <kernel/types.h>

struct arch_thread {
	uint64_t tpidr;			/* TLS base (TPIDR_EL0) */
	/* V0-V31, then FPSR and FPCR (arm64 Linux's fpsimd_context order). */
	__uint128_t vregs[32];
	uint32_t fpsr, fpcr;
};

#endif
