/*
 * The AArch64 trap frame: what entry.S saves on the kernel stack at every
 * exception, in the order its stores make it.
 */
#ifndef ARCH_TRAP_H
#define ARCH_TRAP_H

/* entry.S's frame size: struct trapframe's, asserted below. */
#define TF_SIZE 304

#ifndef __ASSEMBLY__
#include <kernel/types.h>

struct trapframe {
	uint64_t x[31];		/* x0-x30; x8 the system-call number */
	uint64_t sp;		/* SP_EL0 from user mode, else the kernel's */
	uint64_t pc;		/* ELR_EL1 */
	uint64_t pstate;	/* SPSR_EL1 */
	uint64_t esr, far;	/* why, and the faulting address */
	uint64_t orig_x0;	/* a system call's first argument (restart) */
	uint64_t pad;		/* (the stack stays 16-byte aligned) */
};

/* entry.S's stores are pairs from x0 up, then these. */
_Static_assert(sizeof(struct trapframe) == TF_SIZE, "entry.S's TF_SIZE");
_Static_assert(__builtin_offsetof(struct trapframe, sp) == 248,
	       "entry.S stores sp beside x30");

#define PSTATE_MODE_MASK 0xf	/* M[3:0]: 0 is EL0t */

static inline bool
trap_from_user(const struct trapframe *tf)
{
	return (tf->pstate & PSTATE_MODE_MASK) == 0;
}

/* A system call's six argument registers in the frame, in order (x0, the
 * result's too, first): a call that answers in registers too (the short
 * channel calls) writes the others. */
static inline uint64_t *
trap_syscall_regs(struct trapframe *tf)
{
	return &tf->x[0];
}

/* trap.c, called from entry.S with the frame. */
void trap_kernel_sync(struct trapframe *tf);
void trap_user_sync(struct trapframe *tf);
void trap_irq(struct trapframe *tf);
_Noreturn void trap_bad_vector(uint64_t which);
/* syscall.c: an svc from EL0. */
void syscall_handler(struct trapframe *tf);

/* gic.c: the interrupt controller the device tree names, v2 or v3: the
 * distributor and the boot CPU's part, then each other CPU's part. */
void gic_init(void);
void gic_cpu_init(void);
struct cpu;
void gic_send_sgi(const struct cpu *c, int intid);
#define SGI_WAKE 1	/* IRQ_VECTOR_IPI: look at the run queue */
/* smp.c: this CPU took SGI_WAKE, which arch_cpu_sync may wait for. */
void smp_sync_ack(void);
void gic_enable(int intid);
/* An SPI off (ICENABLER), or configured level- or edge-triggered (off
 * while it changes, as the architecture asks). */
void gic_disable(int intid);
void gic_set_trigger(int intid, bool level);
/* The pending interrupt's INTID, acknowledged (1023: none). */
int gic_ack(void);
void gic_eoi(int intid);
/* irq.c: runs the handler registered for intid (big lock held). */
void irq_dispatch(int intid);
/* Runs intid's handler if it is a server's that needs no big lock (irq.c,
 * as x86_64's): true then; false, nothing done, for irq_dispatch. */
bool irq_dispatch_nolock(int intid);
/*
 * its.c: GICv3's ITS, for PCI MSI (big lock held). its_available: the
 * device tree has one for the PCIe host, set up; its_message: the MSI that
 * raises vector for device devid (its requester ID), an LPI mapped for
 * it, and that LPI's INTID, or -1; its_lpi_vector: the vector an LPI
 * raises, 0 if none; its_free_vector: the LPIs of a vector unmapped.
 */
#define LPI_FIRST 8192
#define LPI_COUNT 256
bool its_available(void);
int its_message(uint32_t devid, int vector, uint64_t *addr, uint32_t *data);
int its_lpi_vector(int intid);
void its_free_vector(int vector);

/* entry.S */
extern char thread_trampoline[];	/* a new thread's first return */
/* Saves the callee-saved registers and sp in *save_sp, loads load_sp's. */
void switch_stacks(uint64_t *save_sp, uint64_t load_sp);
/* The user's FP/SIMD registers, out to and in from struct arch_thread's
 * vregs (then fpsr, fpcr). */
void fpsimd_save(void *state);
void fpsimd_load(const void *state);
/* usercopy.S */
extern char usercopy_start[], usercopy_end[], usercopy_fixup[];

#endif /* __ASSEMBLY__ */
#endif
