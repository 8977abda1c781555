/*
 * SMP on x86_64: starting the other CPUs with INIT-SIPI-SIPI through a
 * trampoline in low memory, wake-up IPIs for halted CPUs, and TLB
 * shootdowns for page-table changes seen by other CPUs.
 */
#include <kernel/arch.h>
#include <kernel/cpu.h>
#include <kernel/irq.h>
#include <kernel/lock.h>
#include <kernel/mmu.h>
#include <kernel/page.h>
#include <kernel/printk.h>
#include <kernel/sched.h>
#include <kernel/string.h>
#include <arch/acpi.h>
#include <arch/apic.h>
#include <arch/cpu.h>
#include <arch/mmu.h>
#include <arch/entry.h>
#include <arch/timer.h>

#define TRAMPOLINE AP_TRAMPOLINE_PAGE

extern char ap_tramp_start[], ap_tramp_end[];
extern char ap_param_cr3[], ap_param_stack[], ap_param_entry[], ap_param_cpu[];

static volatile int ap_started;
static volatile uint64_t flush_pending;	/* bit per CPU still to flush */

static void
udelay(uint64_t us)
{
	uint64_t end = arch_now_ns() + us * 1000;
	while (arch_now_ns() < end)
		pause();
}

static _Noreturn void
ap_entry(struct cpu *c)
{
	cpu_setup(c);
	lapic_init();
	timer_cpu_init();
	c->online = true;
	__atomic_store_n(&ap_started, 1, __ATOMIC_RELEASE);
	bkl_lock();
	sched_start();
}

/* Parameter block entries live at the same offsets in the low copy. */
static void *
param(char *sym)
{
	return phys_to_virt(TRAMPOLINE + (sym - ap_tramp_start));
}

static bool
start_ap(struct cpu *c, uint32_t apic_id)
{
	void *stack = kstack_alloc();
	uint8_t *ist = page_alloc_kva(IST_STACK_ORDER);
	if (!stack || !ist)
		return false;
	c->arch.tss.ist[0] = (uint64_t)ist + IST_STACK_SIZE;
	*(uint64_t *)param(ap_param_cr3) = mmu_kernel_root();
	*(uint64_t *)param(ap_param_stack) = (uint64_t)stack + KSTACK_SIZE;
	*(uint64_t *)param(ap_param_entry) = (uint64_t)ap_entry;
	*(uint64_t *)param(ap_param_cpu) = (uint64_t)c;
	ap_started = 0;
	c->arch.apic_id = apic_id;

	lapic_send_ipi(apic_id, 0x4500);		/* INIT */
	udelay(200);
	for (int tries = 0; tries < 2 && !ap_started; tries++) {
		lapic_send_ipi(apic_id, 0x4600 | (TRAMPOLINE >> 12));	/* SIPI */
		for (int i = 0; i < 10000 && !__atomic_load_n(&ap_started, __ATOMIC_ACQUIRE); i++)
			udelay(10);
	}
	return ap_started;
}

static void
ipi_wake(void)
{
	/* Nothing to do: the interrupted CPU looks at the run queue next. */
}

void
arch_smp_init(void)
{
	if (acpi.cpu_count <= 1)
		return;
	/* Identity-map the trampoline's 2 MiB for the switch to long mode. */
	pte_t *pml4 = phys_to_virt(mmu_kernel_root());
	pte_t *pdpt = page_alloc_kva(0), *pd = page_alloc_kva(0);
	if (!pdpt || !pd)
		return;
	pd[0] = 0 | PTE_P | PTE_W | PTE_PS;
	pdpt[0] = virt_to_phys(pd) | PTE_P | PTE_W;
	pml4[0] = virt_to_phys(pdpt) | PTE_P | PTE_W;
	memcpy(phys_to_virt(TRAMPOLINE), ap_tramp_start, ap_tramp_end - ap_tramp_start);
	irq_register(IRQ_VECTOR_IPI, ipi_wake);

	uint32_t me = lapic_id();
	int n = 1;
	for (int i = 0; i < acpi.cpu_count && n < CPU_MAX; i++) {
		if (acpi.apic_ids[i] == me)
			continue;
		cpus[n].id = n;
		if (start_ap(&cpus[n], acpi.apic_ids[i]))
			n++;
		else
			printk("smp: CPU with APIC id %u did not start\n", acpi.apic_ids[i]);
	}
	cpu_count = n;
	pml4[0] = 0;
	write_cr3(mmu_kernel_root());
	page_free_kva(pdpt, 0);
	page_free_kva(pd, 0);
}

void
arch_wake_cpu(int cpu)
{
	lapic_send_ipi(cpus[cpu].arch.apic_id, IRQ_VECTOR_IPI);
}

/* The shootdown interrupt: runs without the big lock (the sender may hold
 * it, or a vm lock); also taken by a spinlock's waiter and by another
 * shootdown's sender, interrupts off (arch_ipi_poll). */
void
tlb_flush_irq(void)
{
	/* The bit first, then the flush: a request made after this CPU's
	 * flush began (a second sender's, its bit already set) must not be
	 * cleared unflushed. Nothing here touches user memory in between. */
	__atomic_and_fetch(&flush_pending, ~(1ull << this_cpu()->id), __ATOMIC_ACQ_REL);
	write_cr3(read_cr3());
}

void
arch_ipi_poll(void)
{
	uint64_t me = 1ull << this_cpu()->id;
	if (__atomic_load_n(&flush_pending, __ATOMIC_ACQUIRE) & me)
		tlb_flush_irq();
}

/*
 * Interrupts the CPUs in targets with the flush vector; waits for each,
 * taking meanwhile a flush sent to this CPU: two senders (the big lock's
 * holder and a fault without it, kernel/mm/vm_fault.c) may wait for each
 * other, interrupts off.
 */
static void
flush_cpus(uint64_t targets)
{
	if (!targets)
		return;
	__atomic_or_fetch(&flush_pending, targets, __ATOMIC_ACQ_REL);
	this_cpu()->tlb_ipis += (uint64_t)__builtin_popcountll(targets);
	for (int i = 0; i < cpu_count; i++)
		if (targets & (1ull << i))
			lapic_send_ipi(cpus[i].arch.apic_id, IRQ_VECTOR_FLUSH);
	while (__atomic_load_n(&flush_pending, __ATOMIC_ACQUIRE) & targets) {
		arch_ipi_poll();
		pause();
	}
}

/*
 * The caller changed an entry of root's tables with a plain store; a CPU
 * that loads root meanwhile stores its active_root, then writes CR3 (which
 * serializes) and walks the tables. The fence keeps this CPU's read of
 * active_root after its store of the entry, as Linux's locked exchange of
 * the entry does: x86 lets a load pass an earlier store, and then each
 * side could miss the other's (no flush sent, the old entry cached).
 */
void
arch_tlb_shootdown(paddr_t root)
{
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	flush_cpus(cpus_other_running(root));
}

/*
 * membarrier's barrier: the flush vector's interrupt, and the iretq that
 * ends it, order memory and serialize each CPU it reaches.
 */
void
arch_cpu_sync(paddr_t root)
{
	uint64_t targets = cpus_other_running(root);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	flush_cpus(targets);
}
