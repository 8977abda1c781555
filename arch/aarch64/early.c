/*
 * The C side of the AArch64 boot (boot/start.S jumps here on the kernel's
 * own mapping): the device tree, the console and the banner, the rest of
 * RAM, the GIC and the timer. What follows on x86_64, kmain and the
 * portable kernel, is not linked yet (docs/aarch64.md), so the boot ends
 * here: it checks that a timer interrupt arrives and powers off.
 */
#include <kernel/arch.h>
#include <kernel/printk.h>
#include <kernel/string.h>
#include <kernel/version.h>
#include <arch/boot.h>
#include <arch/mmu.h>
#include <arch/sysreg.h>
#include <arch/trap.h>

#define TIMER_CHECK_NS 10000000ul	/* 10 ms */

int boot_el;

static void
print_boot_facts(paddr_t dtb_phys)
{
	pr_info("command line: %s\n", fdt.bootargs);
	pr_info("memory: %lu MiB at %#lx; kernel at %#lx; device tree at %#lx\n",
		fdt.mem_size >> 20, fdt.mem_base, kernel_phys_base, dtb_phys);
	if (fdt.initrd_end > fdt.initrd_start)
		pr_info("initramfs: %lu KiB at %#lx\n",
			(fdt.initrd_end - fdt.initrd_start) >> 10,
			fdt.initrd_start);
	pr_info("GICv%d at %#lx; timer PPI %d at %lu kHz; PSCI by %s; %d CPU%s\n",
		fdt.gic_version, fdt.gic_dist, fdt.timer_ppi,
		read_sysreg(cntfrq_el0) / 1000,
		fdt.psci ? (fdt.psci_hvc ? "hvc" : "smc") : "(none)",
		fdt.cpus, fdt.cpus == 1 ? "" : "s");
}

/* One one-shot timer interrupt, waited for with interrupts on. */
static void
check_timer(void)
{
	uint64_t start = arch_now_ns();
	arch_timer_set(start + TIMER_CHECK_NS);
	while (timer_fired == 0)
		arch_idle();
	pr_info("timer: one-shot interrupt after %lu us\n",
		(arch_now_ns() - start) / 1000);
}

/* `selftest=fault` on the command line: a kernel data abort, to show the
 * panic's registers and backtrace (tests/system/aarch64-boot.py). */
static void __attribute__((noinline))
selftest_fault(void)
{
	uint64_t unmapped = 0x10;	/* TTBR0 maps only the kernel's 1 GiB */
	__asm__("" : "+r"(unmapped));	/* (hidden from the compiler's checks) */
	*(volatile uint64_t *)unmapped = 1;
}

_Noreturn void
arch_early_main(paddr_t dtb_phys, paddr_t kernel_phys, int el)
{
	kernel_phys_base = kernel_phys;
	boot_el = el;
	/* The boot tables map the device tree's 1 GiB block; the rest of
	 * RAM waits for the tree to say where it is. */
	const void *dtb = phys_to_virt(dtb_phys);
	int parsed = fdt_parse(dtb);
	arch_console_init();
	pr_info("Petrel %s (%s), booted by the arm64 Image protocol at EL%d\n",
		PETREL_VERSION, PETREL_ARCH, el);
	if (parsed < 0)
		panic("no device tree at %#lx", dtb_phys);
	print_boot_facts(dtb_phys);
	mmu_map_ram(fdt.mem_base, fdt.mem_size);
	if (strstr(fdt.bootargs, "selftest=fault"))
		selftest_fault();

	gic_init();
	arch_timer_init();
	check_timer();
	pr_info("aarch64: the portable kernel is not linked yet; powering off\n");
	arch_poweroff();
}
