/*
 * SMP on AArch64: the other CPUs the device tree lists, started with PSCI
 * CPU_ON at boot/start.S's secondary_entry (each then sets up its own
 * registers, its GIC part and timer, and enters the scheduler); wake-ups
 * as an SGI. TLB maintenance needs no shootdown: the instructions
 * broadcast to every CPU in the inner-shareable domain (tlbi ...is,
 * <arch/mmu.h>). membarrier's arch_cpu_sync sends the wake-up SGI too: a
 * CPU acknowledges it (smp_sync_ack) after a dsb, and the exception
 * return that ends the interrupt is context synchronizing.
 */
#include <kernel/arch.h>
#include <kernel/cpu.h>
#include <kernel/irq.h>
#include <kernel/lock.h>
#include <kernel/mmu.h>
#include <kernel/printk.h>
#include <kernel/sched.h>
#include <arch/boot.h>
#include <arch/cpu.h>
#include <arch/mmu.h>
#include <arch/sysreg.h>
#include <arch/timer.h>
#include <arch/trap.h>

#define PSCI_CPU_ON 0xc4000003ul
#define START_TIMEOUT_NS 1000000000ul	/* 1 s */

/* Read by the starting CPU with its MMU off: cleaned to memory first. */
static struct ap_boot ap_boot __attribute__((aligned(64)));
static volatile int ap_started;

_Noreturn void
smp_ap_entry(struct cpu *c)
{
	write_sysreg(ttbr0_el1, mmu_kernel_root());	/* the identity map goes */
	isb();
	tlb_flush_all();	/* with its global entries */
	cpu_setup(c);
	gic_cpu_init();
	timer_cpu_init();
	gic_enable(SGI_WAKE);
	c->online = true;
	__atomic_store_n(&ap_started, 1, __ATOMIC_RELEASE);
	bkl_lock();
	sched_start();
}

static void
ipi_wake(void)
{
	/* Nothing to do: the interrupted CPU looks at the run queue next. */
}

static bool
start_ap(struct cpu *c, uint64_t mpidr)
{
	void *stack = kstack_alloc();
	if (!stack)
		return false;
	ap_boot = (struct ap_boot){ .ttbr1 = read_sysreg(ttbr1_el1),
				    .sp = (uint64_t)stack + KSTACK_SIZE,
				    .cpu = (uint64_t)c };
	__asm__ volatile("dc cvac, %0; dsb sy" : : "r"(&ap_boot) : "memory");
	ap_started = 0;
	c->arch.mpidr = mpidr;
	uint64_t r = psci_call(PSCI_CPU_ON, mpidr,
			       virt_to_phys(secondary_entry),
			       virt_to_phys(&ap_boot));
	if (r != 0) {
		kstack_free(stack);
		return false;
	}
	uint64_t end = arch_now_ns() + START_TIMEOUT_NS;
	while (!__atomic_load_n(&ap_started, __ATOMIC_ACQUIRE))
		if (arch_now_ns() > end)
			return false;	/* (its stack stays: it may yet run) */
	return true;
}

void
arch_smp_init(void)
{
	if (!fdt.psci || fdt.cpus <= 1)
		return;
	irq_register(IRQ_VECTOR_IPI, ipi_wake);
	int n = 1;
	for (int i = 0; i < fdt.cpus && i < (int)ARRAY_SIZE(fdt.cpu_mpidr) &&
			n < CPU_MAX; i++) {
		uint64_t mpidr = fdt.cpu_mpidr[i];
		if (mpidr == cpus[0].arch.mpidr)
			continue;
		cpus[n].id = n;
		if (start_ap(&cpus[n], mpidr))
			cpu_count = ++n;	/* the scheduler may use it now */
		else
			printk("smp: the CPU with MPIDR %#lx did not start\n", mpidr);
	}
	pr_info("smp: %d CPUs online\n", cpu_count);
}

void
arch_wake_cpu(int cpu)
{
	gic_send_sgi(&cpus[cpu], SGI_WAKE);
}

void
arch_tlb_shootdown(paddr_t root)
{
	(void)root;
}

/* The CPUs arch_cpu_sync waits for, a bit each. */
static uint64_t sync_pending;

void
smp_sync_ack(void)
{
	__asm__ volatile("dsb ish" ::: "memory");
	__atomic_and_fetch(&sync_pending, ~(1ull << this_cpu()->id),
			   __ATOMIC_RELEASE);
}

/* TLB invalidations are broadcast here; only membarrier's sync waits for
 * an answer, which a spinlock's waiter gives as it spins. */
void
arch_ipi_poll(void)
{
	uint64_t me = 1ull << this_cpu()->id;
	if (__atomic_load_n(&sync_pending, __ATOMIC_ACQUIRE) & me)
		smp_sync_ack();
}

void
arch_cpu_sync(paddr_t root)
{
	uint64_t targets = cpus_other_running(root);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (!targets)
		return;
	__atomic_or_fetch(&sync_pending, targets, __ATOMIC_ACQ_REL);
	for (int i = 0; i < cpu_count; i++)
		if (targets & (1ull << i))
			gic_send_sgi(&cpus[i], SGI_WAKE);
	while (__atomic_load_n(&sync_pending, __ATOMIC_ACQUIRE) & targets)
		__asm__ volatile("yield");
}
