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

/* A call that answers in its argument registers too (the short channel
 * calls): r[0..5] go in, r[1..5] come back as the kernel left them. */
#if defined(__aarch64__)
static inline long
pt_syscall_regs(long nr, uint64_t r[6])
{
	register long x8 __asm__("x8") = nr;
	register uint64_t x0 __asm__("x0") = r[0];
	register uint64_t x1 __asm__("x1") = r[1];
	register uint64_t x2 __asm__("x2") = r[2];
	register uint64_t x3 __asm__("x3") = r[3];
	register uint64_t x4 __asm__("x4") = r[4];
	register uint64_t x5 __asm__("x5") = r[5];
	__asm__ volatile("svc #0"
			 : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3), "+r"(x4),
			   "+r"(x5)
			 : "r"(x8)
			 : "memory");
	r[1] = x1;
	r[2] = x2;
	r[3] = x3;
	r[4] = x4;
	r[5] = x5;
	return (long)x0;
}
#else
static inline long
pt_syscall_regs(long nr, uint64_t r[6])
{
	long ret = nr;
	register uint64_t r10 __asm__("r10") = r[3];
	register uint64_t r8 __asm__("r8") = r[4];
	register uint64_t r9 __asm__("r9") = r[5];
	__asm__ volatile("syscall"
			 : "+a"(ret), "+S"(r[1]), "+d"(r[2]), "+r"(r10),
			   "+r"(r8), "+r"(r9)
			 : "D"(r[0])
			 : "rcx", "r11", "memory");
	r[3] = r10;
	r[4] = r8;
	r[5] = r9;
	return ret;
}
#endif

#define PT_CALL(nr, a, b, c, d, e, f) \
	pt_syscall6(nr, (long)(a), (long)(b), (long)(c), (long)(d), (long)(e), \
		    (long)(f))

/* One stub per native call, generated from kernel/linux/syscalls.master. */
#include <petrel/stubs.h>

/*
 * The short call: m->w's first m->len bytes (at most PT_SHORT_MAX) are the
 * message; the reply's words and length come back in m->w and m->len
 * (words past the length read 0). Returns the server's status, or a
 * negative errno: a call no server took (a bad handle or length, EINTR,
 * a server end closed before) leaves m as it was; one whose server end
 * went while it was open (ECONNRESET) gets a reply of 0 bytes.
 */
static inline long
pt_channel_call_short(pt_handle_t h, struct pt_short *m)
{
	uint64_t r[6] = { (uint64_t)h, m->w[0], m->w[1], m->len, 0, 0 };
	long s = pt_syscall_regs(PT_NR_channel_call_regs, r);
	m->w[0] = r[1];	/* unanswered: the kernel left them as they were */
	m->w[1] = r[2];
	m->len = (uint32_t)r[3];
	return s;
}

/*
 * The short receive: answers call reply_token first, if not 0, with
 * status and m->w's first m->len bytes, then waits (for ever) for the
 * next call and fills *m: its first PT_SHORT_MAX bytes, whole length,
 * token, flags, caller and segment count. Returns the token, or a
 * negative errno: EPIPE when the clients are gone, ENOENT for a
 * reply_token no caller waits on (nothing received then).
 */
static inline long
pt_channel_recv_short(pt_handle_t h, uint64_t reply_token, int64_t status,
		      struct pt_short *m)
{
	uint64_t r[6] = { (uint64_t)h, m->w[0], m->w[1], m->len, reply_token,
			  (uint64_t)status };
	long t = pt_syscall_regs(PT_NR_channel_recv_regs, r);
	if (t < 0)
		return t;
	m->w[0] = r[1];
	m->w[1] = r[2];
	m->len = (uint32_t)r[3];
	m->flags = (uint32_t)(r[3] >> 32);
	m->uid = (int32_t)r[4];
	m->gid = (int32_t)(r[4] >> 32);
	m->pid = (int32_t)r[5];
	m->nseg = (uint32_t)(r[5] >> 32);
	m->token = (uint64_t)t;
	return t;
}

#endif
