/*
 * nullsys: the null system call benchmark (bench/nullsys.py), the same
 * static binary in Petrel and in the Linux guest. It makes N getppid calls
 * between two TSC reads and prints "nullsys: getppid INSNS" per call, the
 * same for N getpid calls (Petrel's runs without the big lock: the lock's
 * share told apart) and for an empty loop of N, so the loop's own cost can
 * be told apart. Under QEMU with -icount shift=0 a TSC cycle is one guest
 * instruction. No libc: the loop is the same instructions in both guests.
 * Build: gcc -static -nostdlib -O2 -fno-stack-protector -o nullsys nullsys.c
 */
typedef unsigned long u64;

#define SYS_write 1
#define SYS_getpid 39
#define SYS_getppid 110
#define SYS_exit_group 231
#define CALLS 20000
#define WARM 1000

#include "nolibc.h"

static u64
rdtsc(void)
{
	unsigned lo, hi;
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return (u64)hi << 32 | lo;
}

static void
print(const char *what, u64 v)
{
	char buf[64], digits[24];
	int n = 0, d = 0;
	while (what[n])
		buf[n] = what[n], n++;
	do
		digits[d++] = (char)('0' + v % 10);
	while ((v /= 10) != 0);
	while (d > 0)
		buf[n++] = digits[--d];
	buf[n++] = '\n';
	sys3(SYS_write, 1, (long)buf, n);
}

void
_start(void)
{
	u64 t0, t1, t2, t3, t4;
	for (int i = 0; i < WARM; i++)
		sys0(SYS_getppid);
	t0 = rdtsc();
	for (int i = 0; i < CALLS; i++)
		sys0(SYS_getppid);
	t1 = rdtsc();
	for (int i = 0; i < CALLS; i++)
		__asm__ volatile("" ::: "memory");
	t2 = rdtsc();
	for (int i = 0; i < WARM; i++)
		sys0(SYS_getpid);
	t3 = rdtsc();
	for (int i = 0; i < CALLS; i++)
		sys0(SYS_getpid);
	t4 = rdtsc();
	print("nullsys: getppid ", (t1 - t0) / CALLS);
	print("nullsys: empty-loop ", (t2 - t1) / CALLS);
	print("nullsys: getpid ", (t4 - t3) / CALLS);
	sys3(SYS_exit_group, 0, 0, 0);
	for (;;)
		;
}
