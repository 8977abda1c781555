/*
 * Every hook the portable kernel needs from an architecture. Each arch folder
 * defines these in files of the same names (arch/ARCH/NAME.c). A name
 * that starts with arch_ is one of these; what an arch's files share among
 * themselves is declared in its own include/arch/ and named without it.
 *
 * A few are inline, for speed, in the arch's headers, which this one
 * includes: arch_now_ns() and arch_cycles_to_ns() (<arch/timer.h>),
 * arch_this_cpu() (<arch/percpu.h>, through <kernel/cpu.h>).
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
_Noreturn void arch_halt(void);
void arch_idle(void);			/* wait for an interrupt, with them on */
_Noreturn void arch_poweroff(void);
_Noreturn void arch_reboot(void);

/* devices.c: the interrupt controllers, the timer and the console
 * interrupt, once in kmain before the other CPUs start. */
void arch_devices_init(void);
/* The command line the VMM passed beside the boot loader's (QEMU's
 * fw_cfg "opt/petrel/cmdline"), into buf; returns its length, 0 if none. */
size_t arch_fw_cmdline(char *buf, size_t size);

/* timer.c: monotonic nanoseconds since boot and the one-shot timer. The
 * clock reads, arch_cycles() (the raw count), arch_now_ns() and
 * arch_cycles_to_ns(), are inline in <arch/timer.h>. */
void arch_timer_init(void);
/* Finds the clock's rate; time reads are valid only after this. */
void arch_timer_calibrate(void);
/* Arrange one timer interrupt at (or after) `deadline_ns`; 0 cancels. */
void arch_timer_set(uint64_t deadline_ns);
uint64_t arch_tsc_khz(void);

/* vdso.c: the vDSO's image (a shared object with no relocations, linked
 * at 0, its [vvar] page below it), with its size; NULL where the arch has
 * none. arch_vvar_clock: how the vDSO computes arch_now_ns() (the cycle
 * count at 0 ns and the multiplier, kernel/include/kernel/vvar.h) and
 * finds its CPU (struct vvar's cpu_mode). */
const void *arch_vdso_image(size_t *size);
void arch_vvar_clock(uint64_t *cycles_base, uint64_t *ns_mult,
		     uint32_t *cpu_mode);

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

/*
 * switch.c: a thread's context. Its FPU and TLS state is struct thread's
 * `arch` (struct arch_thread, <arch/thread.h>), only the arch's to touch.
 */
/* Lays out a new thread's kernel stack so that its first switch-in runs
 * thread_first_run, then returns to user mode through t->tf. */
void arch_thread_init(struct thread *t);
/* Saves prev's registers, FPU and TLS state and runs next: returns when
 * prev is switched back in. Caller holds the big lock. */
void arch_context_switch(struct thread *prev, struct thread *next);
/* arch_context_switch where both threads belong to processes (neither is
 * the idle thread: the IPC hand-off), without the tests for that case. */
void arch_context_switch_procs(struct thread *prev, struct thread *next);
/* A clone's user registers, FPU and TLS state: the running thread
 * parent's, but clone's return value 0, the stack pointer sp if not 0,
 * and the TLS base tls if set_tls (checked by arch_tls_check). */
void arch_clone_regs(struct thread *t, const struct thread *parent,
		     uint64_t sp, bool set_tls, uint64_t tls);
/* Registers for a freshly exec'd program (t is running): all zero but
 * the entry point and stack pointer, default FPU state, no TLS base. */
void arch_exec_regs(struct thread *t, uint64_t entry, uint64_t sp);
/* signal.c: maps what the arch gives every new program into vm (not yet
 * running): aarch64's signal-return page; nothing on x86_64, whose C
 * libraries always pass sa_restorer. 0 or -errno. Big lock held. */
struct vm;
int arch_exec_map(struct vm *vm);

/*
 * syscall.c: the result register of a system call's frame (the error a
 * handler returned, until the return to user mode), set; and the call
 * made again on the return: its number nr back where the entry reads it,
 * the instruction pointer back on the system-call instruction.
 */
long arch_syscall_result(const struct trapframe *tf);
void arch_syscall_set_result(struct trapframe *tf, long r);
void arch_syscall_restart(struct trapframe *tf, long nr);

/*
 * signal.c: the user's stack pointer in a frame. arch_signal_frame
 * builds the handler's frame for sig below it (or on the alternate stack,
 * which signal_altstack_top says): Linux's rt_sigframe for this arch,
 * with the registers of tf, the running thread's FPU state, info, and
 * mask (the mask rt_sigreturn restores); then points tf at a->handler,
 * to return to a->restorer. Returns 0, or -EFAULT when the frame cannot
 * be written (the caller kills the process). arch_signal_return undoes
 * it for rt_sigreturn: restores tf and the FPU state from the frame at
 * the stack pointer in tf, and gives the mask and stack_t saved there.
 * Returns 0, or -EFAULT when the frame cannot be read.
 */
struct sigaction_k;
struct siginfo_k;
struct sig_stack_k;
uint64_t arch_user_sp(const struct trapframe *tf);
int arch_signal_frame(struct thread *t, struct trapframe *tf, int sig,
		      const struct sigaction_k *a, const struct siginfo_k *info,
		      uint64_t mask);
int arch_signal_return(struct trapframe *tf, uint64_t *mask,
		       struct sig_stack_k *stack);

/*
 * ptrace.c: a stopped tracee t's registers, for its tracer (t is not
 * running: its user registers are in t->tf, its FPU state in t->arch).
 * arch_ptrace does the arch's own requests (x86_64: GETREGS, SETREGS,
 * GETFPREGS, SETFPREGS, PEEKUSR, POKEUSR) with the tracer's addr and
 * data, checking what it writes as rt_sigreturn does; -EIO for a request
 * it does not know. arch_ptrace_regset copies register set `type`
 * (NT_PRSTATUS, NT_PRFPREG) into buf, *size bytes at most, and sets *size
 * to what it wrote; with set, it takes the set from buf instead (*size
 * bytes, the rest unchanged). Returns 0, -EINVAL for a set it does not
 * know, -EIO for bad register values. arch_ptrace_step turns single
 * stepping on or off for t's return to user mode.
 * arch_ptrace_syscall_info gives t's AUDIT_ARCH_* value, instruction and
 * stack pointers and six system-call arguments. Big lock held.
 */
long arch_ptrace(struct thread *t, long req, uint64_t addr, uint64_t data);
int arch_ptrace_regset(struct thread *t, unsigned type, void *buf,
		       size_t *size, bool set);
void arch_ptrace_step(struct thread *t, bool on);
void arch_ptrace_syscall_info(const struct thread *t, uint32_t *audit_arch,
			      uint64_t *ip, uint64_t *sp, uint64_t args[6]);

/*
 * usercopy.S: copies n bytes, or zeroes them, where one side is a user
 * address (checked by the caller): 0, or -EFAULT if a page is missing.
 * Use copyin/copyout (<kernel/vm.h>), which check the range.
 */
long arch_copy_user(void *dst, const void *src, size_t n);
long arch_zero_user(void *dst, size_t n);

/* pci.c: PCI configuration space, by bus/device/function. */
uint32_t arch_pci_cfg_read(uint32_t bdf, unsigned off, unsigned size);
void arch_pci_cfg_write(uint32_t bdf, unsigned off, unsigned size, uint32_t val);
/* pci.c: whether arch_msi_message's messages reach a CPU (false: no MSI
 * controller the kernel drives); the interrupt that INTx pin `pin` (1-4)
 * of function bdf raises, as arch_irq_route_gsi numbers it, 0 if none. */
bool arch_msi_available(void);
uint32_t arch_pci_intx(uint32_t bdf, unsigned pin);
/* apic.c: the MSI address and data with which PCI function bdf raises
 * `vector` on the boot CPU (address 0: none); routing and masking a
 * global system interrupt of the I/O APIC. */
void arch_msi_message(uint32_t bdf, int vector, uint64_t *addr,
		      uint32_t *data);
void arch_irq_route_gsi(uint32_t gsi, int vector, bool level, bool active_low);
void arch_irq_mask_gsi(uint32_t gsi, bool mask);
/* acpi.c: the firmware's ACPI DSDT, if any (virtio-mmio slots on QEMU
 * microvm); false when there is none. */
bool arch_acpi_dsdt(const uint8_t **table, size_t *len);
/*
 * devices.c: the virtio-mmio transports the firmware's device tree lists
 * (its "virtio,mmio" nodes: registers and interrupt, as the arch's
 * arch_irq_route_gsi numbers it), at most max of them into slots; their
 * count. 0 where there is no device tree (x86_64: the command line and
 * the DSDT name the slots).
 */
struct mmio_slot {
	paddr_t base;
	uint64_t size;
	uint32_t irq;
};
unsigned arch_virtio_mmio_slots(struct mmio_slot *slots, unsigned max);

/* trap.c: device interrupts taken since boot, on every CPU (/proc/stat). */
uint64_t arch_interrupt_count(void);
/* Prints the return addresses of the frame chain from frame pointer fp
 * (a panic's, a kernel fault's), as one line "backtrace: ADDR ...", for
 * addr2line on the kernel's ELF. Walks only upward, within the direct map
 * and the kernel image, so a bad chain ends the walk, not the panic. */
void arch_backtrace(uintptr_t fp);

/* One pause in a spin loop. */
void arch_spin_wait(void);
void arch_irq_enable(void);
void arch_irq_disable(void);
bool arch_irq_enabled(void);
/* Takes, with interrupts off, a TLB shootdown sent to this CPU and not
 * yet acknowledged (a spinlock's waiter calls it as it spins). */
void arch_ipi_poll(void);
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
/* PR_GET_TSC (the state copied out to the int at arg) and PR_SET_TSC
 * (arg PR_TSC_ENABLE or PR_TSC_SIGSEGV) for the calling thread: 0 or a
 * negative errno; EINVAL where the arch has no such control. */
long arch_prctl_tsc(bool set, uint64_t arg);

#endif
