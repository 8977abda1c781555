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
/*
 * The same without the big lock, which this CPU does not hold: a fault
 * from user mode, or from a user copy in a nolock system call. True once
 * the page is mapped (vm_fault_nolock): the access is retried, and a
 * fault from user mode goes straight back. False, having done nothing,
 * for everything else (the thread has work on its way out: a signal, a
 * stop, a tracer), which then takes the big lock and trap_page_fault.
 */
bool trap_page_fault_nolock(bool user, uint64_t addr, bool write, bool exec);
/* A user-mode fault that the VM could not resolve: signal the thread.
 * sig is SIGKILL when there was no memory for it (-ENOMEM from the VM):
 * the process is killed, as Linux's OOM killer would, and the kernel log
 * says so. trap_fault_signal gives the signal for a VM error. */
void trap_user_fault(struct trapframe *tf, int sig, uint64_t addr);
int trap_fault_signal(int vm_error);
/* Last step before any return to user mode: reschedule, deliver signals. */
void trap_return_to_user(struct trapframe *tf);

#endif
