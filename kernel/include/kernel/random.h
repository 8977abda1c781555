/*
 * Kernel random numbers (kernel/core/random.c): RDRAND where the CPU has it,
 * mixed with the TSC into a xorshift generator. Not for cryptography yet.
 */
#ifndef KERNEL_RANDOM_H
#define KERNEL_RANDOM_H

#include <kernel/types.h>

void random_bytes(void *buf, size_t n);

/* The entropy count Linux reports once seeded (entropy_avail, poolsize,
 * RNDGETENTCNT): a full pool. */
#define RANDOM_POOL_BITS 256

#endif
