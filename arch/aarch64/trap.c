/*
 * Exceptions taken to EL1 (entry.S): a fault in the kernel panics with its
 * cause, the registers and a backtrace; interrupts go to the GIC. User mode
 * does not run yet, so an exception from EL0 is a panic too.
 */
#include <kernel/arch.h>
#include <kernel/printk.h>
#include <arch/boot.h>
#include <arch/mmu.h>
#include <arch/sysreg.h>
#include <arch/trap.h>

#define BACKTRACE_MAX 16

uint64_t irq_count;

uint64_t
arch_interrupt_count(void)
{
	return irq_count;
}

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
trap_backtrace(uint64_t fp)
{
	printk("backtrace:\n");
	for (int i = 0; i < BACKTRACE_MAX && frame_readable(fp); i++) {
		const uint64_t *record = (const uint64_t *)fp;
		if (record[1] == 0)
			break;
		printk("  %016lx\n", record[1]);
		if (record[0] <= fp)	/* stacks grow down: callers are above */
			break;
		fp = record[0];
	}
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
	trap_backtrace(tf->x[29]);
	panic("%s in the kernel", exception_name(tf->esr));
}

void
trap_kernel_sync(struct trapframe *tf)
{
	kernel_fault(tf);
}

void
trap_user_sync(struct trapframe *tf)
{
	/* No EL0 yet (docs/aarch64.md): nothing can come from there. */
	kernel_fault(tf);
}

void
trap_irq(struct trapframe *tf)
{
	(void)tf;
	int intid = gic_ack();
	if (intid >= 1020)	/* spurious */
		return;
	irq_count++;
	if (intid == fdt.timer_ppi)
		timer_irq();
	gic_eoi(intid);
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
