/*
 * Futexes (kernel/linux/sys_futex.c): wait queues keyed by address space
 * and user address.
 */
#ifndef KERNEL_FUTEX_H
#define KERNEL_FUTEX_H

#include <kernel/types.h>

struct vm;

/* Wakes up to n waiters on uaddr in vm; returns how many woke. */
int futex_wake(struct vm *vm, uint64_t uaddr, int n);

#endif
