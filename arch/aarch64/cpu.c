/*
 * The CPU: each CPU's setup (its struct cpu in TPIDR_EL1, FP/SIMD for
 * user programs, PAN), interrupt masking, waiting, a random seed, and the
 * machine's end through PSCI (Arm DEN 0022: SYSTEM_OFF, SYSTEM_RESET; also
 * CPU_ON, smp.c) by the conduit the device tree names (hvc under a
 * hypervisor, as QEMU virt without EL2; smc otherwise).
 */
#include <kernel/arch.h>
#include <kernel/cpu.h>
#include <arch/boot.h>
#include <arch/cpu.h>
#include <arch/mmu.h>
#include <arch/sysreg.h>

#define PSCI_SYSTEM_OFF 0x84000008ul
#define CPACR_FPEN (3ul << 20)	/* FP/SIMD untrapped at EL0 and EL1 */
#define SCTLR_SPAN (1ul << 23)	/* 0: PAN set on every exception to EL1 */

struct cpu cpus[CPU_MAX];
int cpu_count = 1;
bool cpu_has_pan;

/*
 * FEAT_PAN (Armv8.1), as SMAP on x86_64: with PSTATE.PAN set, a kernel
 * load or store to a page user mode may access faults; only
 * arch_copy_user and arch_zero_user clear it, for their copy
 * (usercopy.S). Set on every exception entry (SCTLR_EL1.SPAN clear)
 * and now for the boot.
 */
static void
pan_init(void)
{
	if (((read_sysreg(id_aa64mmfr1_el1) >> 20) & 0xf) == 0)
		return;
	cpu_has_pan = true;	/* (every CPU alike) */
	write_sysreg(sctlr_el1, read_sysreg(sctlr_el1) & ~SCTLR_SPAN);
	isb();
	__asm__ volatile(".inst 0xd500419f" : : : "memory");	/* msr pan, #1 */
}

/* A CPU's own setup: its struct cpu in TPIDR_EL1, FP/SIMD for user
 * programs (the kernel itself never uses them: -mgeneral-regs-only),
 * PAN, and its cache geometry for the user code syncs. */
void
cpu_setup(struct cpu *c)
{
	c->self = c;
	c->arch.mpidr = read_sysreg(mpidr_el1) & MPIDR_AFFINITY;
	write_sysreg(tpidr_el1, c);
	write_sysreg(cpacr_el1, CPACR_FPEN);
	isb();
	pan_init();
	mmu_icache_cpu_init();
}

/* The boot CPU. */
void
arch_cpu_init(void)
{
	cpus[0].id = 0;
	cpus[0].online = true;
	cpu_setup(&cpus[0]);
}

/* FEAT_RNG's RNDR where the CPU has it (ID_AA64ISAR0_EL1.RNDR), else
 * the counter. */
uint64_t
arch_random_seed(void)
{
	if ((read_sysreg(id_aa64isar0_el1) >> 60) & 0xf) {
		uint64_t v;
		uint64_t ok;
		__asm__ volatile("mrs %0, s3_3_c2_c4_0; cset %1, ne"
				 : "=r"(v), "=r"(ok) : : "cc");
		if (ok)
			return v;
	}
	return arch_cycles();
}

#define PSCI_SYSTEM_RESET 0x84000009ul

uint64_t
psci_call(uint64_t fn, uint64_t a1, uint64_t a2, uint64_t a3)
{
	register uint64_t x0 __asm__("x0") = fn;
	register uint64_t x1 __asm__("x1") = a1;
	register uint64_t x2 __asm__("x2") = a2;
	register uint64_t x3 __asm__("x3") = a3;
	if (fdt.psci_hvc)
		__asm__ volatile("hvc #0" : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3)
				 : : "memory");
	else
		__asm__ volatile("smc #0" : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3)
				 : : "memory");
	return x0;
}

void
arch_irq_enable(void)
{
	__asm__ volatile("msr daifclr, #2" : : : "memory");
}

void
arch_irq_disable(void)
{
	__asm__ volatile("msr daifset, #2" : : : "memory");
}

bool
arch_irq_enabled(void)
{
	uint64_t daif;
	__asm__ volatile("mrs %0, daif" : "=r"(daif));
	return !(daif & (1u << 7));	/* I: IRQs masked */
}

void
arch_spin_wait(void)
{
	__asm__ volatile("yield");
}

/* Waits for an interrupt with them on; returns after it is taken. */
void
arch_idle(void)
{
	__asm__ volatile("wfi; msr daifclr, #2; isb; msr daifset, #2"
			 : : : "memory");
}

_Noreturn void
arch_halt(void)
{
	for (;;)
		__asm__ volatile("msr daifset, #0xf; wfi");
}

_Noreturn void
arch_poweroff(void)
{
	if (fdt.psci)
		psci_call(PSCI_SYSTEM_OFF, 0, 0, 0);
	arch_halt();
}

/* QEMU -no-reboot ends on the reset, as a panic wants (printk.c). */
_Noreturn void
arch_reboot(void)
{
	if (fdt.psci)
		psci_call(PSCI_SYSTEM_RESET, 0, 0, 0);
	arch_halt();
}
