/*
 * Petrel's native calls for user programs: one inline function per call,
 * named as in kernel/linux/syscalls.master and generated from it by
 * tools/gensyscalls.py (build/gen/petrel/stubs.h). Each returns what the
 * kernel returns: a value >= 0, or a negative errno (no errno variable is
 * set).
 */
#ifndef PETREL_NATIVE_H
#define PETREL_NATIVE_H

#include <petrel/petrel.h>
#include <petrel/calls.h>
#include <stddef.h>

static inline long
pt_syscall6(long nr, long a, long b, long c, long d, long e, long f)
{
	long ret;
	register long r10 __asm__("r10") = d;
	register long r8 __asm__("r8") = e;
	register long r9 __asm__("r9") = f;
	__asm__ volatile("syscall"
			 : "=a"(ret)
			 : "a"(nr), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8),
			   "r"(r9)
			 : "rcx", "r11", "memory");
	return ret;
}

#define PT_CALL(nr, a, b, c, d, e, f) \
	pt_syscall6(nr, (long)(a), (long)(b), (long)(c), (long)(d), (long)(e), \
		    (long)(f))

/* One stub per native call, generated from kernel/linux/syscalls.master. */
#include <petrel/stubs.h>

#endif
