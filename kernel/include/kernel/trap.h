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
/* Last step before any return to user mode: reschedule, deliver signals. */
void trap_return_to_user(struct trapframe *tf);

#endif
