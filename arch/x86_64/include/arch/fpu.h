/*
 * The FXSAVE and FXRSTOR instructions that move the running thread's x87
 * and SSE registers (switch.c, signal.c).
 */
#ifndef ARCH_FPU_H
#define ARCH_FPU_H

#include <arch/thread.h>

/* The running thread's FPU registers into, or from, a 16-byte aligned
 * FXSAVE image. */
static inline void
fpu_save(uint8_t *fx)
{
	__asm__ volatile("fxsave64 %0" : "=m"(*(uint8_t(*)[FPU_STATE_SIZE])fx));
}

static inline void
fpu_load(const uint8_t *fx)
{
	__asm__ volatile("fxrstor64 %0" ::"m"(*(const uint8_t(*)[FPU_STATE_SIZE])fx));
}

#endif
