/*
 * Exceptions and interrupts: a user fault becomes a signal to the thread, a
 * page fault first goes to the VM, a kernel fault panics with the registers
 * and a backtrace; device interrupts go to the handlers registered by vector.
 */
#include <kernel/arch.h>
#include <kernel/cpu.h>
#include <kernel/printk.h>
#include <kernel/irq.h>
#include <kernel/errno.h>
#include <kernel/devices.h>
#include <kernel/trap.h>
#include <kernel/lock.h>
#include <kernel/proc.h>
#include <kernel/signal.h>
#include <kernel/vm.h>
#include <kernel/vfs.h>
#include <arch/cpu.h>
#include <arch/trap.h>
#include <arch/mmu.h>
#include <arch/entry.h>

/* entry.S's PUSH_REGS, under what the CPU and the stubs push, builds
 * struct trapframe: the fields lie in this order, 8 bytes each. */
#define TF_AT(reg, i) (offsetof(struct trapframe, reg) == (i) * 8)
_Static_assert(TF_AT(r15, 0) && TF_AT(r14, 1) && TF_AT(r13, 2) &&
	       TF_AT(r12, 3) && TF_AT(r11, 4) && TF_AT(rbp, 5) &&
	       TF_AT(rbx, 6) && TF_AT(rcx, 7) && TF_AT(rdi, 8) &&
	       TF_AT(rsi, 9) && TF_AT(rdx, 10) && TF_AT(r10, 11) &&
	       TF_AT(r8, 12) && TF_AT(r9, 13) && TF_AT(rax, 14) &&
	       TF_AT(vector, 15) && TF_AT(error, 16) && TF_AT(rip, 17) &&
	       TF_AT(cs, 18) && TF_AT(rflags, 19) && TF_AT(rsp, 20) &&
	       TF_AT(ss, 21) && sizeof(struct trapframe) == 22 * 8,
	       "struct trapframe is entry.S's push order");
_Static_assert(offsetof(struct trapframe, cs) -
	       offsetof(struct trapframe, vector) == TF_CS_ABOVE_VECTOR,
	       "entry.S tests the saved cs above the vector");

static void (*irq_handlers[256])(void);
/* Device interrupts for servers: vectors handed out by irq_alloc. */
#define IRQ_DYNAMIC_FIRST 0x30
#define IRQ_DYNAMIC_LAST 0xef
/* Changed under the big lock; fn last, so a handler without it that
 * reads fn set (irq_run_nolock) reads its ctx and nolock. */
static struct {
	void (*fn)(void *);
	void *ctx;
	bool nolock;		/* fn runs without the big lock */
} irq_dynamic[256];

int
irq_alloc(void (*fn)(void *), void *ctx, bool nolock)
{
	for (int v = IRQ_DYNAMIC_FIRST; v <= IRQ_DYNAMIC_LAST; v++) {
		if (!irq_dynamic[v].fn && !irq_handlers[v]) {
			irq_dynamic[v].ctx = ctx;
			irq_dynamic[v].nolock = nolock;
			__atomic_store_n(&irq_dynamic[v].fn, fn, __ATOMIC_RELEASE);
			return v;
		}
	}
	return -ENOSPC;
}

void
irq_free(int vector)
{
	if (vector >= IRQ_DYNAMIC_FIRST && vector <= IRQ_DYNAMIC_LAST)
		__atomic_store_n(&irq_dynamic[vector].fn, NULL, __ATOMIC_RELAXED);
}
static uint64_t interrupts;	/* device interrupts, for /proc/stat: atomic */

/*
 * A server's device interrupt whose handler needs no big lock (irq_alloc's
 * nolock: a notification's bit raised under the notification's lock):
 * run without it, acknowledged after, as the locked way does. False:
 * the locked way runs it. A vector freed meanwhile calls a handler that
 * finds its binding gone (kernel/ipc/device.c's irq_bind_lock).
 */
static bool
irq_run_nolock(uint64_t v)
{
	void (*fn)(void *) = __atomic_load_n(&irq_dynamic[v].fn, __ATOMIC_ACQUIRE);
	if (!fn || !irq_dynamic[v].nolock)
		return false;
	__atomic_fetch_add(&interrupts, 1, __ATOMIC_RELAXED);
	fn(irq_dynamic[v].ctx);
	irq_eoi();
	return true;
}

uint64_t
arch_interrupt_count(void)
{
	return interrupts;
}

void
irq_register(int vector, void (*fn)(void))
{
	irq_handlers[vector] = fn;
}

static const char *const exception_names[32] = {
	"divide error", "debug", "NMI", "breakpoint", "overflow",
	"bound range", "invalid opcode", "device not available",
	"double fault", "coprocessor overrun", "invalid TSS",
	"segment not present", "stack fault", "general protection",
	"page fault", "reserved", "x87 FP error", "alignment check",
	"machine check", "SIMD FP error", "virtualization", "control protection",
};

/* A frame record is readable if it is aligned and lies in the direct map
 * (threads' kernel stacks) or the kernel image (the boot stack); a stack's
 * lowest page is an unmapped guard, but the walk only goes up, from a
 * frame the running code made. */
static bool
frame_readable(uint64_t fp)
{
	return (fp & 7) == 0 && (fp >= KERNEL_VBASE ||
	       (fp >= PHYS_MAP_BASE && fp < PHYS_MAP_BASE + (1ul << 39)));
}

void
arch_backtrace(uintptr_t fp)
{
	printk("backtrace:");
	for (int i = 0; i < 16 && frame_readable(fp); i++) {
		const uint64_t *frame = (const uint64_t *)fp;
		if (frame[1] == 0)
			break;
		printk(" %lx", frame[1]);
		if (frame[0] <= fp)	/* callers' frames are above */
			break;
		fp = frame[0];
	}
	printk("\n");
}

static _Noreturn void
kernel_fault(struct trapframe *tf)
{
	const char *name = tf->vector < 32 ? exception_names[tf->vector] : "?";
	printk("\nkernel fault: %s (vector %lu, error %lx) on cpu %d\n",
	       name ? name : "?", tf->vector, tf->error, this_cpu()->id);
	printk("rip %016lx cs %lx rflags %lx rsp %016lx cr2 %016lx\n",
	       tf->rip, tf->cs, tf->rflags, tf->rsp, read_cr2());
	printk("rax %016lx rbx %016lx rcx %016lx rdx %016lx\n", tf->rax,
	       tf->rbx, tf->rcx, tf->rdx);
	printk("rsi %016lx rdi %016lx rbp %016lx r8  %016lx\n", tf->rsi,
	       tf->rdi, tf->rbp, tf->r8);
	printk("r9  %016lx r10 %016lx r11 %016lx r12 %016lx\n", tf->r9,
	       tf->r10, tf->r11, tf->r12);
	printk("r13 %016lx r14 %016lx r15 %016lx\n", tf->r13, tf->r14, tf->r15);
	arch_backtrace(tf->rbp);
	panic("unrecoverable kernel fault");
}

static int
exception_signal(uint64_t vector)
{
	switch (vector) {
	case 0:		/* divide error */
	case 16:	/* x87 */
	case 19:	/* SIMD */
		return SIGFPE;
	case 6:
		return SIGILL;
	case 17:
		return SIGBUS;
	case 1:
	case 3:
		return SIGTRAP;
	default:
		return SIGSEGV;
	}
}

extern char usercopy_start[], usercopy_end[], usercopy_fixup[];

static bool
in_usercopy(const struct trapframe *tf)
{
	return tf->rip >= (uint64_t)usercopy_start &&
	       tf->rip < (uint64_t)usercopy_end;
}

/* trap_page_fault_nolock for the fault in tf: from user mode or a copy. */
static bool
fault_nolock(const struct trapframe *tf)
{
	bool user = trap_from_user(tf);
	if (!user && !in_usercopy(tf))
		return false;
	return trap_page_fault_nolock(user, read_cr2(), tf->error & 2,
				      tf->error & 16);
}

/* A bad user address in copyin/copyout: the copy returns -EFAULT. */
static bool
usercopy_fault(struct trapframe *tf)
{
	if (!in_usercopy(tf))
		return false;
	tf->rip = (uint64_t)usercopy_fixup;
	return true;
}

/*
 * IRET to a non-canonical RIP raises #GP in ring 0 with the user's
 * registers loaded (and SYSRET does so on Intel CPUs with the user's RSP
 * as the stack: CVE-2012-0217). Linux turns that fault into SIGSEGV;
 * here it is caught before, on the way out, where it is simple.
 */
bool
arch_user_frame_check(struct trapframe *tf)
{
	tf->cs = USER_CS;
	tf->ss = USER_DS;
	tf->rflags = (tf->rflags & RFLAGS_USER) | RFLAGS_IF | RFLAGS_FIXED;
	return canonical_address(tf->rip);
}

/*
 * A user fault that ends its process is told in the kernel log, as
 * Linux's show_signal_msg does ("prog[pid]: segfault at ADDR ip IP sp SP
 * error E"), at most 10 lines in 5 s.
 */
static void
log_user_fault(struct trapframe *tf, int sig, uint64_t addr)
{
	static uint64_t window;
	static int lines;
	uint64_t now = arch_now_ns();
	struct thread *t = current();

	if (!t || !t->proc || !signal_fault_unhandled(t, sig))
		return;
	if (now - window > 5000000000ull) {
		window = now;
		lines = 0;
	}
	if (lines++ >= 10)
		return;
	/* Where the code was: the file (by inode number) and its offset. */
	struct region *r = t->proc->vm ? vm_find(t->proc->vm, tf->rip) : NULL;
	char where[64] = "";
	if (r && r->file)
		snprintk(where, sizeof(where), " in inode %lu at %lx",
			 (unsigned long)r->file->ino,
			 (unsigned long)(tf->rip - r->start + r->file_off));
	pr_info("%s[%d]: %s at %lx ip %016lx sp %016lx error %lx%s\n",
		t->proc->name, t->proc->pid,
		sig == SIGSEGV ? "segfault" : sig == SIGBUS ? "bus error" :
		"trap", (unsigned long)addr, (unsigned long)tf->rip,
		(unsigned long)tf->rsp, (unsigned long)tf->error, where);
}

void
trap_handler(struct trapframe *tf)
{
	uint64_t v = tf->vector;
	bool locked = false;

	/* SMAP is on for the kernel whatever the interrupted code had. */
	assert(!cpu_has_smap || !(read_rflags() & RFLAGS_AC));
	if (v == IRQ_VECTOR_FLUSH) {	/* the sender holds the big lock */
		tlb_flush_irq();
		irq_eoi();
		return;
	}
	/*
	 * A wake-up IPI that ends an idle CPU's hlt (or a wait for the big
	 * lock) has nothing to do: the idle loop looks at the run queues
	 * next, under the scheduler lock. Taken from user mode, it goes the
	 * usual way, through the scheduler on the way back.
	 */
	if (v == IRQ_VECTOR_IPI)
		tsc_trap_sync();	/* PR_SET_TSC's CR4.TSD, once asked */
	if (v == IRQ_VECTOR_IPI && !trap_from_user(tf)) {
		irq_eoi();
		return;
	}
	/*
	 * A page fault from user mode, or from a user copy in a nolock
	 * call, first tries the fault without the big lock (private
	 * anonymous memory); done, it goes straight back.
	 */
	if (v == 14 && !bkl_held() && fault_nolock(tf))
		return;
	/*
	 * A device interrupt bound without the lock: straight back too,
	 * unless its wake left this CPU's scheduler work to do on the way to
	 * user mode (a thread queued here: the slice's end to arm).
	 */
	if (v >= IRQ_DYNAMIC_FIRST && v <= IRQ_DYNAMIC_LAST && !bkl_held() &&
	    irq_run_nolock(v)) {
		if (!trap_from_user(tf) || sched_return_quiet(this_cpu()))
			return;
		bkl_lock();
		trap_return_to_user(tf);	/* drops the lock */
		return;
	}
	/*
	 * The timer, from user mode or the idle thread's halt, without the
	 * big lock: the idle loop ticks next (sched_tick_idle); from user
	 * mode, its sample, the due nolock timers and the next arm come here
	 * (sched_tick_user), and the locked way out only for the work left
	 * that needs the lock. At every sample (SAMPLE_NS) of a busy CPU,
	 * this was a take of the big lock that the other CPUs waited behind
	 * (docs/performance-smp-lock.md, "vCPU scaling: pipe and futex
	 * pairs"), and one at every wake of an idle one.
	 */
	struct cpu *c = this_cpu();
	if (v == IRQ_VECTOR_TIMER &&
	    (trap_from_user(tf) || (c->current == c->idle && !bkl_held()))) {
		__atomic_fetch_add(&interrupts, 1, __ATOMIC_RELAXED);
		irq_handlers[v]();	/* nothing is armed now */
		irq_eoi();
		if (!trap_from_user(tf) || sched_tick_user(c))
			return;
		bkl_lock();
		trap_return_to_user(tf);	/* drops the lock */
		return;
	}
	/*
	 * A device interrupt is acknowledged at the local APIC after its
	 * handler, which quiets a level-triggered line first: acknowledged
	 * before, the I/O APIC delivers the still-raised line again. Only
	 * when the big lock is busy does the acknowledgement come first, as
	 * an interrupt in service would block the shootdown vector's
	 * priority class while this CPU waits.
	 */
	bool eoi_due = v >= 32;
	if (!bkl_held()) {
		if (!bkl_trylock()) {
			/*
			 * While a device interrupt waits for the lock (interrupts
			 * on), only the IPI class may come in: a level-triggered
			 * line that is still asserted would otherwise re-enter
			 * here without end.
			 */
			bool device = v >= 32 && v < IRQ_VECTOR_IPI;
			if (eoi_due)
				irq_eoi();
			eoi_due = false;
			if (device)
				write_cr8((IRQ_VECTOR_IPI >> 4) - 1);
			bkl_lock();
			if (device)
				write_cr8(0);
		}
		locked = true;
	}

	if (v == 14) {
		uint64_t addr = read_cr2();
		bool write = tf->error & 2, exec = tf->error & 16;
		int e = addr < USER_TOP ?
			trap_page_fault(tf, addr, write, exec) : -EFAULT;
		if (e == 0)
			goto out;
		if (!trap_from_user(tf) && usercopy_fault(tf))
			goto out;
		if (!trap_from_user(tf))
			kernel_fault(tf);
		int sig = trap_fault_signal(e);
		if (sig != SIGKILL)	/* trap_user_fault says that one */
			log_user_fault(tf, sig, addr);
		trap_user_fault(tf, sig, addr);
		goto out;
	}
	if (v == 13 && trap_from_user(tf) && tsc_trap(tf))
		goto out;	/* an RDTSC answered (PR_SET_TSC) */
	if (v < 32) {
		if (!trap_from_user(tf) || v == 2 || v == 8 || v == 18)
			kernel_fault(tf);
		log_user_fault(tf, exception_signal(v), tf->rip);
		trap_user_fault(tf, exception_signal(v), tf->rip);
		if (v == 1 || v == 3)	/* Linux's si_code: a debugger tells a
					   step (TRAP_TRACE) from an int3 */
			current()->sig_fault_code = v == 1 ? TRAP_TRACE : SI_KERNEL;
		goto out;
	}
	__atomic_fetch_add(&interrupts, 1, __ATOMIC_RELAXED);
	if (v == IRQ_VECTOR_TIMER)
		sched_account_tick(trap_from_user(tf));
	if (irq_handlers[v])
		irq_handlers[v]();
	else if (irq_dynamic[v].fn)
		irq_dynamic[v].fn(irq_dynamic[v].ctx);
	if (eoi_due)
		irq_eoi();
out:
	if (trap_from_user(tf))
		trap_return_to_user(tf);	/* drops the lock */
	else if (locked)
		bkl_unlock();
}
