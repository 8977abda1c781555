/*
 * Helpers the pt_wait test programs share (tests/system/progs/ipcwait.c,
 * ipcsleep.c): placing the caller on a CPU, and a wait on one handle.
 * Include after _GNU_SOURCE and <petrel/native.h>.
 */
#ifndef PETREL_PROGS_PTWAIT_H
#define PETREL_PROGS_PTWAIT_H

#include <sched.h>
#include <unistd.h>

/* Runs the caller on CPU cpu alone; returns cpu, or -1. */
static inline int
pin_cpu(int cpu)
{
	cpu_set_t set;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return sched_setaffinity(0, sizeof(set), &set) < 0 ? -1 : cpu;
}

/* The last CPU, away from the device interrupts (CPU 0). */
static inline int
last_cpu(void)
{
	return (int)sysconf(_SC_NPROCESSORS_ONLN) - 1;
}

/* Waits on one handle for want; returns pt_wait's answer, *got the bits. */
static inline long
wait_one(pt_handle_t h, uint64_t want, int64_t timeout_ns, uint64_t *got)
{
	struct pt_wait_item it = { .handle = h, .want = want };
	long r = pt_wait(&it, 1, timeout_ns);
	*got = it.got;
	return r;
}

#endif
