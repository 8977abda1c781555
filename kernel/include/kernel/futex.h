/*
 * Futexes (kernel/linux/sys_futex.c): wait queues keyed by address space
 * and user address.
 */
#ifndef KERNEL_FUTEX_H
#define KERNEL_FUTEX_H

#include <kernel/types.h>

struct vm;
struct thread;

/* Wakes up to n waiters on uaddr in vm; returns how many woke. */
int futex_wake(struct vm *vm, uint64_t uaddr, int n);
/*
 * Walks the robust futex list t registered with set_robust_list (Linux's
 * exit_robust_list), at its exit or exec: each futex word still naming t
 * as its owner gets FUTEX_OWNER_DIED and one waiter woken. t is the
 * current thread; the list is forgotten. May sleep.
 */
void futex_exit_robust(struct thread *t);

#endif
