/*
 * x86_64 address-space layout and page-table entry bits.
 */
#ifndef ARCH_MMU_H
#define ARCH_MMU_H

#include <kernel/types.h>

#define PAGE_SIZE 4096ul
#define PAGE_SHIFT 12
#define KERNEL_VBASE 0xffffffff80000000ul
#define PHYS_MAP_BASE 0xffff800000000000ul	/* direct map of all RAM */
#define USER_TOP 0x0000800000000000ul		/* first address above user space */
/* The physical address of a byte of the kernel image: loaded at 1 MiB. */
#define KERNEL_IMAGE_PHYS(va) ((vaddr_t)(va) - KERNEL_VBASE)
/* A low page the page allocator leaves alone: the AP start-up
 * trampoline's (smp.c), below 1 MiB for the real-mode start. */
#define AP_TRAMPOLINE_PAGE 0x8000ul

#define PTE_P (1ul << 0)
#define PTE_W (1ul << 1)
#define PTE_U (1ul << 2)
#define PTE_PWT (1ul << 3)
#define PTE_PCD (1ul << 4)
#define PTE_A (1ul << 5)
#define PTE_D (1ul << 6)
#define PTE_PS (1ul << 7)
#define PTE_G (1ul << 8)
#define PTE_IO (1ul << 9)	/* software bit: device memory, no struct page */
#define PTE_NX (1ul << 63)
#define PTE_ADDR 0x000ffffffffff000ul

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
		return v - KERNEL_VBASE;
	return v - PHYS_MAP_BASE;
}

/* Instruction fetch sees data writes (x86 keeps its caches coherent):
 * page_exec_sync has nothing to do. */
#define ARCH_ICACHE_SYNC 0
static inline void
mmu_icache_sync(paddr_t pa)
{
	(void)pa;
}

#endif
