/*
 * The vDSO of x86_64: clock_gettime, gettimeofday, time, clock_getres and
 * getcpu without entering the kernel, from the [vvar] page the kernel
 * keeps (kernel/include/kernel/vvar.h) and the TSC, computed exactly as
 * the kernel's arch_now_ns() does. What it cannot answer as the system
 * call would (CPU-time clocks, unknown ids, pointers the kernel would
 * refuse with EFAULT, a time namespace's clocks) it hands to the system
 * call, so results and errors stay the kernel's. Built by mk/vdso.mk as
 * a shared object with no relocations, mapped one page above [vvar].
 */
#include <stdint.h>
#include <stddef.h>
#include <asm/unistd.h>
#include <kernel/vvar.h>
#include <kernel/clock.h>
#include <arch/mmu.h>
#include <arch/vdso.h>

#define NS 1000000000ull

struct vtimespec {
	int64_t tv_sec, tv_nsec;
};

struct vtimeval {
	int64_t tv_sec, tv_usec;
};

struct vtimezone {
	int32_t minuteswest, dsttime;
};

/* The page below the vDSO's first (vdso.lds): the vDSO is linked at 0,
 * so the reference is relative to the code and needs no relocation. */
extern const volatile struct vvar vvar_page
	__attribute__((visibility("hidden")));

static long
syscall2(long nr, long a, long b)
{
	long r;
	__asm__ volatile("syscall"
			 : "=a"(r)
			 : "a"(nr), "D"(a), "S"(b)
			 : "rcx", "r11", "memory");
	return r;
}

static long
syscall3(long nr, long a, long b, long c)
{
	long r;
	__asm__ volatile("syscall"
			 : "=a"(r)
			 : "a"(nr), "D"(a), "S"(b), "d"(c)
			 : "rcx", "r11", "memory");
	return r;
}

/* Whether len bytes at p are somewhere the kernel's copyout might take:
 * not NULL, not the first page, not past user space. Anything else goes
 * to the system call, which says EFAULT. */
static int
user_ptr_ok(const void *p, size_t len)
{
	uintptr_t a = (uintptr_t)p;
	return a >= 4096 && a < USER_TOP - len;
}

/* The TSC, not read before the loads above it (as Linux's rdtsc_ordered):
 * a read after a system call's never sees an earlier time. */
static inline uint64_t
rdtsc_ordered(void)
{
	uint32_t lo, hi;
	__asm__ volatile("lfence; rdtsc" : "=a"(lo), "=d"(hi) :: "memory");
	return ((uint64_t)hi << 32) | lo;
}

/* Inline in each caller: two calls and their stack traffic were a fifth
 * of a clock_gettime's instructions. */
#define VDSO_INLINE static inline __attribute__((always_inline))

/* Monotonic ns and REALTIME - MONOTONIC, consistent with one another;
 * 0, or -1 if the kernel must be asked. */
VDSO_INLINE int
vvar_read(uint64_t *mono, uint64_t *realtime_delta)
{
	const volatile struct vvar *v = &vvar_page;
	uint32_t seq;

	do {
		seq = v->seq;
		__asm__ volatile("" ::: "memory");	/* x86 keeps loads in order */
		if (seq & 1) {
			__asm__ volatile("pause");
			continue;
		}
		if (v->clock_mode != VVAR_CLOCK_CYCLES)
			return -1;
		uint64_t cycles = rdtsc_ordered() - v->cycles_base;
		*mono = (uint64_t)(((unsigned __int128)cycles * v->ns_mult) >> 32);
		*realtime_delta = v->realtime_ns;
		__asm__ volatile("" ::: "memory");
	} while ((seq & 1) || seq != v->seq);
	return 0;
}

/* The time on clock in ns, as the kernel's clock_now(); 0, or -1 for a
 * clock the kernel must read. */
VDSO_INLINE int
clock_ns(int clock, uint64_t *ns)
{
	uint64_t mono, delta;

	switch (clock) {
	case CLOCK_REALTIME:
	case CLOCK_REALTIME_COARSE:
	case CLOCK_TAI:
		if (vvar_read(&mono, &delta))
			return -1;
		*ns = mono + delta;
		return 0;
	case CLOCK_MONOTONIC:
	case CLOCK_MONOTONIC_RAW:
	case CLOCK_MONOTONIC_COARSE:
	case CLOCK_BOOTTIME:
		if (vvar_read(&mono, &delta))
			return -1;
		*ns = mono;
		return 0;
	}
	return -1;
}

int
__vdso_clock_gettime(int clock, struct vtimespec *ts)
{
	uint64_t ns;

	if (!user_ptr_ok(ts, sizeof(*ts)) || clock_ns(clock, &ns))
		return (int)syscall2(__NR_clock_gettime, clock, (long)ts);
	ts->tv_sec = (int64_t)(ns / NS);
	ts->tv_nsec = (int64_t)(ns % NS);
	return 0;
}

int
__vdso_gettimeofday(struct vtimeval *tv, struct vtimezone *tz)
{
	uint64_t ns;

	if ((tv && !user_ptr_ok(tv, sizeof(*tv))) ||
	    (tz && !user_ptr_ok(tz, sizeof(*tz))) ||
	    clock_ns(CLOCK_REALTIME, &ns))
		return (int)syscall2(__NR_gettimeofday, (long)tv, (long)tz);
	if (tv) {
		tv->tv_sec = (int64_t)(ns / NS);
		tv->tv_usec = (int64_t)(ns % NS / 1000);
	}
	if (tz) {	/* UTC, as the kernel's gettimeofday says */
		tz->minuteswest = 0;
		tz->dsttime = 0;
	}
	return 0;
}

int64_t
__vdso_time(int64_t *t)
{
	uint64_t ns;

	if ((t && !user_ptr_ok(t, sizeof(*t))) ||
	    clock_ns(CLOCK_REALTIME, &ns))
		return syscall2(__NR_time, (long)t, 0);
	int64_t s = (int64_t)(ns / NS);
	if (t)
		*t = s;
	return s;
}

/* Every clock the kernel has counts in ns: a resolution of 1 ns, as
 * sys_clock_getres says. */
int
__vdso_clock_getres(int clock, struct vtimespec *res)
{
	uint64_t ns;

	if ((res && !user_ptr_ok(res, sizeof(*res))) || clock_ns(clock, &ns))
		return (int)syscall2(__NR_clock_getres, clock, (long)res);
	if (res) {
		res->tv_sec = 0;
		res->tv_nsec = 1;
	}
	return 0;
}

/* The CPU from IA32_TSC_AUX (cpu | node << 12), which the kernel set on
 * each CPU as it came up (arch/x86_64/vdso.c). */
static int
tsc_aux(uint32_t *aux)
{
	switch (vvar_page.cpu_mode) {
	case VVAR_CPU_RDPID: {
		uint64_t v;
		__asm__ volatile("rdpid %0" : "=r"(v));
		*aux = (uint32_t)v;
		return 0;
	}
	case VVAR_CPU_RDTSCP: {
		uint32_t lo, hi, c;
		__asm__ volatile("rdtscp" : "=a"(lo), "=d"(hi), "=c"(c));
		*aux = c;
		return 0;
	}
	}
	return -1;
}

int
__vdso_getcpu(unsigned *cpu, unsigned *node, void *cache)
{
	uint32_t aux;

	if ((cpu && !user_ptr_ok(cpu, sizeof(*cpu))) ||
	    (node && !user_ptr_ok(node, sizeof(*node))) || tsc_aux(&aux))
		return (int)syscall3(__NR_getcpu, (long)cpu, (long)node,
				     (long)cache);
	if (cpu)
		*cpu = aux & TSC_AUX_CPU_MASK;
	if (node)
		*node = aux >> TSC_AUX_NODE_SHIFT;
	return 0;
}

/* Linux's vDSO names them without the prefix too, as weak aliases. */
int clock_gettime(int, struct vtimespec *)
	__attribute__((weak, alias("__vdso_clock_gettime")));
int gettimeofday(struct vtimeval *, struct vtimezone *)
	__attribute__((weak, alias("__vdso_gettimeofday")));
int64_t time(int64_t *) __attribute__((weak, alias("__vdso_time")));
int clock_getres(int, struct vtimespec *)
	__attribute__((weak, alias("__vdso_clock_getres")));
int getcpu(unsigned *, unsigned *, void *)
	__attribute__((weak, alias("__vdso_getcpu")));
