/*
 * What the arch trap code asks of the portable kernel.
 */
#ifndef KERNEL_TRAP_H
#define KERNEL_TRAP_H

#include <kernel/types.h>
#include <kernel/signal.h>

struct trapframe;

/* A page fault at a user address: returns 0 once the page is mapped,
   -EIO past the end of a mapped file (SIGBUS), else an error (SIGSEGV). */
int trap_page_fault(struct trapframe *tf, uint64_t addr, bool write, bool exec);
/* A user-mode fault that the VM could not resolve: signal the thread. */
void trap_user_fault(struct trapframe *tf, int sig, uint64_t addr);
/*
 * Runs system call nr with its six arguments, from the arch's system-call
 * entry (syscall_handler in arch/ARCH/syscall.c), which stores the result
 * unless the call replaced every register (thread->regs_replaced), then
 * calls trap_return_to_user. Takes the big lock, which that releases.
 * May sleep.
 */
long syscall_run(uint64_t nr, const uint64_t *args);
/* Last step before any return to user mode: reschedule, deliver signals. */
void trap_return_to_user(struct trapframe *tf);

#endif
