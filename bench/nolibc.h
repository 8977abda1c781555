/*
 * The system calls of the x86_64 bench programs that run without a libc
 * (tsc-init, tscnow, nullsys): the syscall instruction with its number in
 * rax and up to three arguments. cntvct-init has its own for aarch64.
 */
#ifndef BENCH_NOLIBC_H
#define BENCH_NOLIBC_H

static inline long
sys0(long n)
{
	long r;
	__asm__ volatile("syscall" : "=a"(r) : "a"(n) : "rcx", "r11", "memory");
	return r;
}

static inline long
sys3(long n, long a, long b, long c)
{
	long r;
	__asm__ volatile("syscall" : "=a"(r) : "a"(n), "D"(a), "S"(b), "d"(c)
			 : "rcx", "r11", "memory");
	return r;
}

#endif
