/*
 * The kernel's address space after the boot tables (boot/early_map.c):
 * the rest of RAM into the direct map, once the device tree says where
 * it is. 1 GiB blocks; 4 KiB pages, W^X for the kernel and TTBR0 for
 * user space come next (docs/aarch64.md).
 */
#include <kernel/printk.h>
#include <arch/mmu.h>
#include <arch/sysreg.h>

#define BLOCK_1G (1ul << 30)
#define DIRECT_MAP_MAX (512 * BLOCK_1G)	/* one level-1 table */

paddr_t kernel_phys_base;

void
mmu_map_ram(paddr_t base, uint64_t size)
{
	if (base + size > DIRECT_MAP_MAX)
		panic("RAM past %lu GiB is not mapped yet", DIRECT_MAP_MAX >> 30);
	for (paddr_t pa = ALIGN_DOWN(base, BLOCK_1G); pa < base + size;
	     pa += BLOCK_1G) {
		if (pa == 0)
			continue;	/* QEMU virt's devices: device memory */
		boot_direct_l1[pa / BLOCK_1G] = pa | PTE_KERNEL_RAM | PTE_PXN;
	}
	/* Only invalid entries became valid: no TLB entry to drop. */
	dsb(ishst);
	isb();
}
