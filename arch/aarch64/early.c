/*
 * The C side of the AArch64 boot (boot/start.S jumps here on the kernel's
 * own mapping): the device tree into boot_info, the console, the boot CPU;
 * then the portable kmain, as on x86_64.
 */
#include <kernel/arch.h>
#include <kernel/boot.h>
#include <kernel/printk.h>
#include <kernel/string.h>
#include <arch/boot.h>
#include <arch/cpu.h>
#include <arch/mmu.h>
#include <arch/timer.h>

struct boot_info boot_info;
int boot_el;

static void
fill_boot_info(void)
{
	boot_info.loader = boot_el == 2 ? "the arm64 Image protocol at EL2" :
					  "the arm64 Image protocol at EL1";
	boot_info.mem[0] = (struct boot_mem){ .base = fdt.mem_base,
					      .size = fdt.mem_size,
					      .usable = true };
	boot_info.mem_count = 1;
	size_t n = MIN(strlen(fdt.bootargs), sizeof(boot_info.cmdline) - 1);
	memcpy(boot_info.cmdline, fdt.bootargs, n);
	boot_info.cmdline[n] = 0;
	if (fdt.initrd_end > fdt.initrd_start) {
		boot_info.initrd = fdt.initrd_start;
		boot_info.initrd_size = fdt.initrd_end - fdt.initrd_start;
	}
	boot_info.tsc_at_entry = timer_base;
}

/* `selftest=fault` on the command line: a kernel data abort, to show the
 * panic's registers and backtrace (tests/system/aarch64-boot.py). */
static void __attribute__((noinline))
selftest_fault(void)
{
	uint64_t unmapped = 0x10;	/* TTBR0 maps no user page yet */
	__asm__("" : "+r"(unmapped));	/* (hidden from the compiler's checks) */
	*(volatile uint64_t *)unmapped = 1;
}

_Noreturn void
arch_early_main(paddr_t dtb_phys, paddr_t kernel_phys, int el)
{
	timer_early_start();
	kernel_phys_base = kernel_phys;
	boot_el = el;
	arch_cpu_init();
	/* The boot tables map the device tree's 1 GiB block; the rest of
	 * RAM waits for the tree to say where it is. */
	if (fdt_parse(phys_to_virt(dtb_phys)) < 0) {
		arch_console_init();	/* (no UART known: silent) */
		panic("no device tree at %#lx", dtb_phys);
	}
	arch_console_init();
	mmu_map_ram(fdt.mem_base, fdt.mem_size);
	fill_boot_info();
	if (strstr(fdt.bootargs, "selftest=fault")) {
		printk("selftest: a kernel data abort\n");
		selftest_fault();
	}
	fdt.blob = dtb_phys;
	kmain();
}
