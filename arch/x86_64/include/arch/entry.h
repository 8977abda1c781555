/*
 * Where C and the x86_64 assembly meet: the C functions that start.S and
 * entry.S call, and the assembly labels that C code points the CPU at.
 */
#ifndef ARCH_ENTRY_H
#define ARCH_ENTRY_H

#include <kernel/types.h>

struct trapframe;

/* start.S, in long mode on the boot stack: fills boot_info, enters kmain. */
_Noreturn void boot_start(uint32_t kind, uint32_t info);
/* early.c: what must be set up before anything else in boot_start. */
void early_init(void);
/* syscall.c: every system call, from syscall_entry. True when it returns
 * by the fast path: the frame's callee-saved registers are still the
 * user's, in the CPU too. */
bool syscall_handler(struct trapframe *tf);
/* trap.c: every exception and interrupt, from trap_common. */
void trap_handler(struct trapframe *tf);
/* smp.c: the TLB shootdown interrupt, from trap_handler. */
void tlb_flush_irq(void);
/* PR_SET_TSC (switch.c): sets CR4.TSD on this CPU once some thread asked
 * for it (at the wake-up interrupt); and, for a user-mode #GP, answers an
 * RDTSC or RDTSCP of a thread that did not ask (true: done). */
struct trapframe;
void tsc_trap_sync(void);
bool tsc_trap(struct trapframe *tf);
/* console.c: asks the UART to interrupt when a byte arrives. */
void console_enable_irq(void);

/* entry.S: saves the callee-saved registers and stack pointer in
 * *save_sp, and resumes the thread whose stack pointer is load_sp. */
void switch_stacks(uint64_t *save_sp, uint64_t load_sp);
extern char trap_stubs[];		/* 256 stubs, 16 bytes apart */
extern char syscall_entry[];		/* MSR_LSTAR */
extern char thread_trampoline[];	/* a new thread's first return */

#endif
