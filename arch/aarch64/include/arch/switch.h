/*
 * The switch between two threads of processes for the IPC hand-off
 * (kernel/sched/sched.c, switch_handoff). On AArch64 it is the general
 * switch (switch.c), out of line.
 */
#ifndef ARCH_SWITCH_H
#define ARCH_SWITCH_H

#include <kernel/arch.h>

static inline __attribute__((always_inline)) void
arch_switch_procs_inline(struct thread *prev, struct thread *next)
{
	arch_context_switch_procs(prev, next);
}

#endif
