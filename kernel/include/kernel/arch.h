/*
 * Every hook the portable kernel needs from an architecture. Each arch folder
 * defines these in files of the same names (arch/ARCH/NAME.c).
 */
#ifndef KERNEL_ARCH_H
#define KERNEL_ARCH_H

#include <kernel/types.h>
#include <arch/timer.h>

struct trapframe;
struct thread;
struct cpu;
struct rtc_time_k;

/* console.c: the early serial console. */
void arch_console_init(void);
void arch_console_write(const char *s, size_t n);
/* Returns a received byte, or -1 when none is waiting. */
int arch_console_getc(void);

/* cpu.c */
void arch_cpu_init(void);		/* boot CPU: GDT, IDT, features */
int arch_cpu_count(void);
_Noreturn void arch_halt(void);
void arch_idle(void);			/* wait for an interrupt, with them on */
_Noreturn void arch_poweroff(void);
_Noreturn void arch_reboot(void);

/* timer.c: monotonic nanoseconds since boot and the one-shot timer. The
 * clock reads, arch_now_ns() and arch_cycles_to_ns(), are inline in
 * <arch/timer.h>. */
void arch_timer_init(void);
/* Finds the clock's rate; time reads are valid only after this. */
void arch_timer_calibrate(void);
uint64_t arch_cycles(void);		/* raw TSC */
/* Arrange one timer interrupt at (or after) `deadline_ns`; 0 cancels. */
void arch_timer_set(uint64_t deadline_ns);
uint64_t arch_tsc_khz(void);

/* rtc.c: the battery-backed real-time clock, in UTC. arch_rtc_init reads
 * it at boot (arch_timer_init calls it); arch_rtc_seconds is that reading,
 * in seconds since the epoch. arch_rtc_read reads it now and returns 0 or
 * -EIO; arch_rtc_write sets it and returns 0 or -EINVAL for a time it
 * cannot hold. Caller holds the big lock. */
void arch_rtc_init(void);
uint64_t arch_rtc_seconds(void);
int arch_rtc_read(struct rtc_time_k *t);
int arch_rtc_write(const struct rtc_time_k *t);

/*
 * Makes a frame about to return to user mode one the CPU takes without
 * faulting in the kernel, whoever wrote it last (rt_sigreturn, a signal
 * handler's address, exec's entry): user segments, only flags user code
 * may hold. Returns false if its instruction pointer cannot be returned
 * to at all; the thread then gets SIGSEGV instead.
 */
bool arch_user_frame_check(struct trapframe *tf);

/* One pause in a spin loop. */
void arch_spin_wait(void);
void arch_irq_enable(void);
void arch_irq_disable(void);
/* Brings up the other CPUs; each enters sched_start_ap(). */
void arch_smp_init(void);
/* Asks CPU `cpu` to run its scheduler (it may be halted). */
void arch_wake_cpu(int cpu);
/* Makes every other CPU running page table `root` forget its TLB entries. */
void arch_tlb_shootdown(paddr_t root);
/*
 * Makes every other CPU running page table `root` (every other CPU when
 * root is 0) pass a full memory barrier and a serializing instruction,
 * and waits until each has (membarrier). Caller holds the big lock.
 */
void arch_cpu_sync(paddr_t root);

/* CPU cpu's block of /proc/cpuinfo, blank line included, into buf
 * (cut short if size is too small); returns its length. */
size_t arch_cpuinfo(int cpu, char *buf, size_t size);

/* A hardware random 64-bit value when the CPU has one, else cycles. */
uint64_t arch_random_seed(void);
/* AT_HWCAP for new programs. */
uint64_t arch_hwcap(void);
/*
 * Returns 0 if `base` may be a thread's TLS base, else -EPERM (as Linux's
 * arch_prctl and clone(CLONE_SETTLS)): the base is loaded into a register
 * at every switch, and on x86_64 a non-canonical one faults in the kernel.
 */
int arch_tls_check(uint64_t base);
/* Sets the running thread's TLS base (FS on x86_64), checked before. */
void arch_set_fs_base(uint64_t base);

#endif
