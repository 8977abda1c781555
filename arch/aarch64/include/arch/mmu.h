/*
 * AArch64 address-space layout (the same as x86_64's: the kernel in the
 * top 2 GiB, the direct map of physical memory at PHYS_MAP_BASE, both
 * through TTBR1) and the stage 1 descriptor bits, 4 KiB granule.
 */
#ifndef ARCH_MMU_H
#define ARCH_MMU_H

#ifndef __ASSEMBLY__
#include <kernel/types.h>
#endif

#define PAGE_SIZE 4096ul
#define PAGE_SHIFT 12
#define KERNEL_VBASE 0xffffffff80000000ul
#define PHYS_MAP_BASE 0xffff800000000000ul	/* direct map of all RAM */
#define USER_TOP 0x0001000000000000ul		/* TTBR0: 48 bits */

/* Descriptor bits (Arm ARM D8.3). */
#define PTE_VALID (1ul << 0)
#define PTE_TABLE (1ul << 1)	/* levels 0-2: next table; level 3: page */
#define PTE_BLOCK 0ul		/* levels 1-2, with PTE_VALID */
#define PTE_ATTR(i) ((uint64_t)(i) << 2)	/* MAIR_EL1 index */
#define PTE_AP_USER (1ul << 6)	/* EL0 may access */
#define PTE_AP_RO (1ul << 7)	/* read-only */
#define PTE_SH_INNER (3ul << 8)
#define PTE_AF (1ul << 10)	/* accessed: no access-flag fault */
#define PTE_NG (1ul << 11)	/* not global: tagged by ASID */
#define PTE_PXN (1ul << 53)	/* never executed at EL1 */
#define PTE_UXN (1ul << 54)	/* never executed at EL0 */
#define PTE_SW_IO (1ul << 55)	/* software bit: device memory, no struct page */
#define PTE_ADDR 0x0000fffffffff000ul

/* MAIR_EL1's attributes, by the index PTE_ATTR takes. */
#define MT_DEVICE 0	/* Device-nGnRE */
#define MT_NORMAL 1	/* write-back, read/write-allocate */
#define MT_NORMAL_NC 2	/* non-cacheable */
#define MAIR_VALUE 0x44ff04	/* (read by start.S: no suffix) */

#define PTE_KERNEL_RAM (PTE_VALID | PTE_ATTR(MT_NORMAL) | PTE_SH_INNER | \
			PTE_AF | PTE_UXN)
#define PTE_KERNEL_DEVICE (PTE_VALID | PTE_ATTR(MT_DEVICE) | PTE_AF | \
			   PTE_PXN | PTE_UXN)

#ifndef __ASSEMBLY__
/* Where the loader put the Image (boot/start.S). */
extern paddr_t kernel_phys_base;

/* The physical address of a byte of the kernel image. */
#define KERNEL_IMAGE_PHYS(va) ((vaddr_t)(va) - KERNEL_VBASE + kernel_phys_base)
/* No AP trampoline (PSCI starts CPUs at an address of any page): page 0,
 * never RAM here, stands in for it in the allocator's holes. */
#define AP_TRAMPOLINE_PAGE 0ul

static inline void *
phys_to_virt(paddr_t pa)
{
	return (void *)(pa + PHYS_MAP_BASE);
}

static inline paddr_t
virt_to_phys(const void *va)
{
	vaddr_t v = (vaddr_t)va;
	if (v >= KERNEL_VBASE)
		return v - KERNEL_VBASE + kernel_phys_base;
	return v - PHYS_MAP_BASE;
}

/* boot/early_map.c: the boot page tables, built with the MMU off. */
void early_map(paddr_t kernel_phys, paddr_t dtb_phys);
extern uint64_t boot_ttbr0_l0[512], boot_ttbr1_l0[512];
extern uint64_t boot_direct_l1[512];	/* the direct map, 1 GiB blocks */
/* mmu.c: maps [base, base + size) of RAM into the boot direct map. */
void mmu_map_ram(paddr_t base, uint64_t size);
/* mmu.c: maps device registers above RAM's top into the direct map, for
 * phys_to_virt; false past its reach or without memory. Big lock held. */
bool mmu_map_device(paddr_t base, uint64_t size);

static inline void
tlb_flush_page(vaddr_t va)
{
	__asm__ volatile("dsb ishst; tlbi vaae1is, %0; dsb ish; isb"
			 : : "r"(va >> 12 & ((1ul << 44) - 1)) : "memory");
}

static inline void
tlb_flush_all(void)
{
	__asm__ volatile("dsb ishst; tlbi vmalle1is; dsb ish; isb" : : : "memory");
}

/* Instruction fetch may not see data writes (CTR_EL0 IDC, DIC clear):
 * a page's contents are cleaned to the point of unification and the
 * instruction caches invalidated for it before it is mapped executable
 * at EL0 (page_exec_sync, mmu.c). Each CPU folds its CTR_EL0 in as it
 * starts (mmu_icache_cpu_init). */
#define ARCH_ICACHE_SYNC 1
void mmu_icache_cpu_init(void);
void mmu_icache_sync(paddr_t pa);

#endif /* __ASSEMBLY__ */
#endif
