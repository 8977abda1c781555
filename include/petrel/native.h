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

/* The system-call instruction and registers of the machine compiled for
 * (user space: the same source builds for both). */
#if defined(__aarch64__)
static inline long
pt_syscall6(long nr, long a, long b, long c, long d, long e, long f)
{
	register long x8 __asm__("x8") = nr;
	register long x0 __asm__("x0") = a;
	register long x1 __asm__("x1") = b;
	register long x2 __asm__("x2") = c;
	register long x3 __asm__("x3") = d;
	register long x4 __asm__("x4") = e;
	register long x5 __asm__("x5") = f;
	__asm__ volatile("svc #0"
			 : "+r"(x0)
			 : "r"(x8), "r"(x1), "r"(x2), "r"(x3), "r"(x4), "r"(x5)
			 : "memory");
	return x0;
}
#else
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
#endif

#define PT_CALL(nr, a, b, c, d, e, f) \
	pt_syscall6(nr, (long)(a), (long)(b), (long)(c), (long)(d), (long)(e), \
		    (long)(f))

/* One stub per native call, generated from kernel/linux/syscalls.master. */
#include <petrel/stubs.h>

#endif
