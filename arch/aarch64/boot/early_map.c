/*
 * The boot page tables, built by start.S's call with the MMU off: this runs
 * at the kernel's physical address, so it may only reach data through
 * pc-relative addresses (what gcc's small code model emits for globals)
 * and must not use pointers stored at link time.
 *
 * TTBR1: the kernel's link addresses (top 2 GiB) onto where the loader put
 * it, in 2 MiB blocks; the direct map at PHYS_MAP_BASE, 1 GiB blocks: the
 * first (QEMU virt's devices) as device memory, the kernel's and the device
 * tree's as RAM (mmu_map_ram adds the rest once the device tree is read).
 * TTBR0: the kernel's 1 GiB identically, for the instructions that turn
 * the MMU on.
 */
#include <arch/mmu.h>

#define BLOCK_1G (1ul << 30)
#define BLOCK_2M (1ul << 21)
#define L0_INDEX(va) (((va) >> 39) & 511)
#define L1_INDEX(va) (((va) >> 30) & 511)
#define L2_INDEX(va) (((va) >> 21) & 511)

#define BOOT_TABLE __attribute__((section(".boot_tables"), aligned(4096)))

uint64_t boot_ttbr0_l0[512] BOOT_TABLE;
uint64_t boot_ttbr1_l0[512] BOOT_TABLE;
uint64_t boot_direct_l1[512] BOOT_TABLE;
static uint64_t ident_l1[512] BOOT_TABLE;
static uint64_t kernel_l1[512] BOOT_TABLE;
static uint64_t kernel_l2[512] BOOT_TABLE;

/* Linker symbols: with the MMU off, their pc-relative addresses are
 * physical ones. */
extern char kernel_start[], kernel_end[];

static void
zero_table(uint64_t *t)
{
	for (int i = 0; i < 512; i++)
		t[i] = 0;
}

static uint64_t
table_entry(uint64_t *next)
{
	return (uint64_t)next | PTE_VALID | PTE_TABLE;
}

static void
map_ram_block(paddr_t pa)
{
	boot_direct_l1[L1_INDEX(pa)] = (pa & ~(BLOCK_1G - 1)) |
				       PTE_KERNEL_RAM | PTE_PXN;
}

void
early_map(paddr_t kernel_phys, paddr_t dtb_phys)
{
	zero_table(boot_ttbr0_l0);
	zero_table(boot_ttbr1_l0);
	zero_table(boot_direct_l1);
	zero_table(ident_l1);
	zero_table(kernel_l1);
	zero_table(kernel_l2);

	/* The kernel, executable at EL1 only; W^X comes with 4 KiB pages. */
	uint64_t size = (uint64_t)(kernel_end - kernel_start);
	for (uint64_t off = 0; off < size; off += BLOCK_2M)
		kernel_l2[L2_INDEX(KERNEL_VBASE + off)] =
		    (kernel_phys + off) | PTE_KERNEL_RAM;
	kernel_l1[L1_INDEX(KERNEL_VBASE)] = table_entry(kernel_l2);
	boot_ttbr1_l0[L0_INDEX(KERNEL_VBASE)] = table_entry(kernel_l1);

	boot_direct_l1[0] = PTE_KERNEL_DEVICE;
	map_ram_block(kernel_phys);
	map_ram_block(dtb_phys);
	boot_ttbr1_l0[L0_INDEX(PHYS_MAP_BASE)] = table_entry(boot_direct_l1);

	ident_l1[L1_INDEX(kernel_phys)] = (kernel_phys & ~(BLOCK_1G - 1)) |
					  PTE_KERNEL_RAM;
	boot_ttbr0_l0[L0_INDEX(kernel_phys)] = table_entry(ident_l1);
}
