/*
 * Exceptions taken to EL1 (entry.S): a system call goes to syscall.c; an
 * abort at a user address first goes to the VM, then becomes SIGSEGV or
 * SIGBUS for user mode or -EFAULT for a user copy; other user exceptions
 * become signals; a kernel fault panics with its cause, the registers and a
 * backtrace. Interrupts go to irq.c under the big lock, but for a
 * server's nolock one and the timer from user mode or the idle wfi.
 */
#include <kernel/arch.h>
#include <kernel/cpu.h>
#include <kernel/errno.h>
#include <kernel/lock.h>
#include <kernel/printk.h>
#include <kernel/proc.h>
#include <kernel/signal.h>
#include <kernel/trap.h>
#include <arch/boot.h>
#include <arch/mmu.h>
#include <arch/sysreg.h>
#include <arch/trap.h>

#define BACKTRACE_MAX 16
#define ESR_WNR (1ul << 6)		/* a data abort's write */
#define DFSC(esr) ((esr) & 0x3f)
#define DFSC_ALIGNMENT 0x21

static const char *
exception_name(uint64_t esr)
{
	switch (ESR_EC(esr)) {
	case EC_UNKNOWN: return "undefined instruction";
	case EC_ILLEGAL: return "illegal execution state";
	case EC_SVC64: return "svc";
	case EC_SYSREG: return "system register access";
	case EC_IABT_LOW: case EC_IABT_CUR: return "instruction abort";
	case EC_PC_ALIGN: return "pc alignment fault";
	case EC_DABT_LOW: case EC_DABT_CUR: return "data abort";
	case EC_SP_ALIGN: return "sp alignment fault";
	case EC_SERROR: return "SError";
	case EC_BRK64: return "brk";
	default: return "exception";
	}
}

/* A frame record may only be read where the kernel's stacks and data
 * live: its image and the direct map, 16-byte aligned. */
static bool
frame_readable(uint64_t fp)
{
	if (fp & 15)
		return false;
	return fp >= KERNEL_VBASE ||
	       (fp >= PHYS_MAP_BASE && fp < PHYS_MAP_BASE + (1ul << 39));
}

void
arch_backtrace(uintptr_t fp)
{
	printk("backtrace:");
	for (int i = 0; i < BACKTRACE_MAX && frame_readable(fp); i++) {
		const uint64_t *record = (const uint64_t *)fp;
		if (record[1] == 0)
			break;
		printk(" %lx", record[1]);
		if (record[0] <= fp)	/* stacks grow down: callers are above */
			break;
		fp = record[0];
	}
	printk("\n");
}

static void
dump_frame(const struct trapframe *tf)
{
	printk("pc %016lx  sp %016lx  pstate %08lx\n", tf->pc, tf->sp,
	       tf->pstate);
	for (int i = 0; i < 30; i += 2)
		printk("x%-2d %016lx  x%-2d %016lx\n", i, tf->x[i], i + 1,
		       tf->x[i + 1]);
	printk("x30 %016lx\n", tf->x[30]);
}

static _Noreturn void
kernel_fault(const struct trapframe *tf)
{
	printk("\nkernel fault: %s (ESR %08lx) at pc %016lx, address %016lx\n",
	       exception_name(tf->esr), tf->esr, tf->pc, tf->far);
	dump_frame(tf);
	printk("  %016lx (the faulting pc)\n", tf->pc);
	arch_backtrace(tf->x[29]);
	panic("%s in the kernel", exception_name(tf->esr));
}

/* An abort at a user address: 0 once the VM mapped the page, else the
 * signal it means (-EIO from the VM: past the end of a mapped file). */
static int
user_abort(struct trapframe *tf, bool exec)
{
	if (DFSC(tf->esr) == DFSC_ALIGNMENT)
		return SIGBUS;
	if (tf->far >= USER_TOP)
		return SIGSEGV;
	bool write = !exec && (tf->esr & ESR_WNR);
	int e = trap_page_fault(tf, tf->far, write, exec);
	if (e == 0)
		return 0;
	return trap_fault_signal(e);
}

/* A translation or permission fault at a user address, which the VM may
 * resolve without the big lock (not an alignment or other abort). */
static bool
nolock_abort(const struct trapframe *tf, bool exec)
{
	uint64_t fsc = DFSC(tf->esr) & 0x3c;
	if (fsc != 0x04 && fsc != 0x0c)	/* translation, permission */
		return false;
	bool write = !exec && (tf->esr & ESR_WNR);
	return trap_page_fault_nolock(trap_from_user(tf), tf->far, write, exec);
}

void
trap_kernel_sync(struct trapframe *tf)
{
	/* copyin/copyout touching a user page not there yet, or a bad one. */
	if (ESR_EC(tf->esr) == EC_DABT_CUR && tf->far < USER_TOP &&
	    tf->pc >= (uint64_t)usercopy_start &&
	    tf->pc < (uint64_t)usercopy_end) {
		/* A copy in a nolock call: without the lock if it can be,
		   else with it, as for a fault from user mode. */
		bool locked = false;
		if (!bkl_held()) {
			if (nolock_abort(tf, false))
				return;
			bkl_lock();
			locked = true;
		}
		if (user_abort(tf, false) != 0)
			tf->pc = (uint64_t)usercopy_fixup;
		if (locked)
			bkl_unlock();
		return;
	}
	kernel_fault(tf);
}

static int
exception_signal(uint64_t esr)
{
	switch (ESR_EC(esr)) {
	case EC_PC_ALIGN:
	case EC_SP_ALIGN:
		return SIGBUS;
	case EC_BRK64:
		return SIGTRAP;
	default:
		return SIGILL;
	}
}

void
trap_user_sync(struct trapframe *tf)
{
	uint64_t ec = ESR_EC(tf->esr);
	if (ec == EC_SVC64) {
		syscall_handler(tf);	/* takes and drops the big lock */
		return;
	}
	if ((ec == EC_DABT_LOW || ec == EC_IABT_LOW) &&
	    nolock_abort(tf, ec == EC_IABT_LOW))
		return;	/* mapped without the big lock: straight back */
	bkl_lock();
	int sig;
	uint64_t addr = tf->pc;
	if (ec == EC_DABT_LOW || ec == EC_IABT_LOW) {
		sig = user_abort(tf, ec == EC_IABT_LOW);
		addr = tf->far;
	} else {
		sig = exception_signal(tf->esr);
	}
	if (sig)
		trap_user_fault(tf, sig, addr);
	trap_return_to_user(tf);	/* drops the lock */
}

void
trap_irq(struct trapframe *tf)
{
	int intid = gic_ack();
	if (intid >= 1020 && intid < 1024)	/* spurious */
		return;
	if (intid == SGI_WAKE)
		smp_sync_ack();	/* its sender may hold the big lock */
	/* A server's bit raised without the lock: straight back, unless
	   the wake left this CPU's scheduler work to do (x86_64's rule). */
	if (!bkl_held() && irq_dispatch_nolock(intid)) {
		gic_eoi(intid);
		if (!trap_from_user(tf) || sched_return_quiet(this_cpu()))
			return;
		bkl_lock();
		trap_return_to_user(tf);	/* drops the lock */
		return;
	}
	/*
	 * The timer, from user mode or the idle thread's wfi, without the
	 * big lock (x86_64's rule, arch/x86_64/trap.c): timer_irq only masks
	 * it, then the idle loop ticks (sched_tick_idle), or from user mode
	 * sched_tick_user takes the sample and arms it again, and the locked
	 * way out comes only for the work left that needs the lock.
	 */
	struct cpu *c = this_cpu();
	if (intid == fdt.timer_ppi &&
	    (trap_from_user(tf) || (c->current == c->idle && !bkl_held()))) {
		irq_dispatch(intid);
		gic_eoi(intid);
		if (!trap_from_user(tf) || sched_tick_user(c))
			return;
		bkl_lock();
		trap_return_to_user(tf);	/* drops the lock */
		return;
	}
	bool locked = false;
	if (!bkl_held()) {
		bkl_lock();
		locked = true;
	}
	if (intid == fdt.timer_ppi)
		sched_account_tick(trap_from_user(tf));
	irq_dispatch(intid);
	gic_eoi(intid);
	if (trap_from_user(tf))
		trap_return_to_user(tf);	/* drops the lock */
	else if (locked)
		bkl_unlock();
}

static const char *const vector_names[16] = {
	"EL1t sync", "EL1t IRQ", "EL1t FIQ", "EL1t SError",
	"EL1h sync", "EL1h IRQ", "EL1h FIQ", "EL1h SError",
	"EL0 sync", "EL0 IRQ", "EL0 FIQ", "EL0 SError",
	"AArch32 sync", "AArch32 IRQ", "AArch32 FIQ", "AArch32 SError",
};

_Noreturn void
trap_bad_vector(uint64_t which)
{
	panic("unexpected exception: %s (ESR %08lx, pc %016lx, address %016lx)",
	      vector_names[which & 15], read_sysreg(esr_el1),
	      read_sysreg(elr_el1), read_sysreg(far_el1));
}
