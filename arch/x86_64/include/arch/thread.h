/*
 * The x86_64 part of a thread (struct thread's `arch`): what a context
 * switch saves and loads besides the kernel registers. Only switch.c,
 * signal.c, syscall.c and ptrace.c touch it; <arch/fpu.h> moves the FPU
 * state.
 */
#ifndef ARCH_THREAD_H
#define ARCH_THREAD_H

#include <kernel/types.h>

#define FPU_STATE_SIZE 512		/* an FXSAVE image */

struct arch_thread {
	uint64_t fs_base;		/* TLS base (arch_prctl, CLONE_SETTLS) */
	/* The user's x87/SSE registers while the thread is switched out. */
	uint8_t fpu[FPU_STATE_SIZE] __attribute__((aligned(16)));
	/* DR0-DR7 as a tracer set them (ptrace.c): kept and read back,
	   never loaded into the CPU. */
	uint64_t debugreg[8];
	/* PR_SET_TSC's PR_TSC_SIGSEGV: RDTSC is a SIGSEGV (switch.c's
	   tsc_trap); inherited at clone and kept at exec, as Linux's
	   TIF_NOTSC. */
	bool no_tsc;
};

#endif
