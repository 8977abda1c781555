/*
 * Other CPUs: AArch64 Petrel runs on the boot CPU alone so far (PSCI
 * CPU_ON and the SGIs for wake-ups and TLB shootdowns come next), so
 * there is no other CPU to start, wake or tell. TLB maintenance is
 * broadcast by the instructions themselves (tlbi ...is, <arch/mmu.h>).
 */
#include <kernel/arch.h>

void
arch_smp_init(void)
{
}

void
arch_wake_cpu(int cpu)
{
	(void)cpu;
}

void
arch_tlb_shootdown(paddr_t root)
{
	(void)root;
}
