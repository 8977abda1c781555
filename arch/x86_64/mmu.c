/*
 * x86_64 page tables: the kernel's direct map of RAM and its image with
 * W^X, and the 4-level user tables behind kernel/include/kernel/mmu.h.
 * Every address space shares the kernel's PML4 entries 256..511.
 */
#include <kernel/mmu.h>
#include <kernel/page.h>
#include <kernel/boot.h>
#include <kernel/printk.h>
#include <kernel/string.h>
#include <arch/cpu.h>
#include <kernel/arch.h>
#include <kernel/cpu.h>

static paddr_t kernel_root;
extern char text_start[], text_end[], rodata_end[];	/* kernel.ld */

static pte_t *
table(pte_t e)
{
	return phys_to_virt(e & PTE_ADDR);
}

static pte_t *
alloc_table(void)
{
	return page_alloc_kva(0);
}

#define SIZE_2M (2ul << 20)
#define SIZE_1G (1ul << 30)

/* Whether the CPU maps 1 GiB pages (CPUID 0x80000001: EDX bit 26). */
static bool
has_1g_pages(void)
{
	uint32_t r[4];

	cpuid(0x80000000, 0, r);
	if (r[0] < 0x80000001)
		return false;
	cpuid(0x80000001, 0, r);
	return r[3] & (1u << 26);
}

/*
 * How much of the GiB at gb the usable RAM reaches, counted in 2 MiB
 * chunks: 0 (none: MMIO or nothing), 2 (one range covers every chunk),
 * or 1 (some chunks, or several ranges: decided chunk by chunk).
 */
static int
ram_in_gib(paddr_t gb)
{
	int found = 0;
	for (int i = 0; i < boot_info.mem_count; i++) {
		struct boot_mem *m = &boot_info.mem[i];
		paddr_t start = ALIGN_DOWN(m->base, SIZE_2M);
		paddr_t end = ALIGN_UP(m->base + m->size, SIZE_2M);
		if (!m->usable || end <= gb || start >= gb + SIZE_1G)
			continue;
		if (start <= gb && end >= gb + SIZE_1G)
			return 2;
		found = 1;
	}
	return found;
}

/* The attributes of a direct-map chunk: write-back RAM, else uncached. */
static pte_t
direct_attr(bool ram)
{
	pte_t attr = PTE_P | PTE_W | PTE_PS | PTE_G | PTE_NX;
	return ram ? attr : attr | PTE_PCD | PTE_PWT;
}

/*
 * Writes table t's 512 entries: the first is first, each next one step
 * further. (The attribute bits take no carry: the address stays below
 * them.) Four instructions an entry, where the address or'ed with the
 * attributes in each took seven.
 */
static void
fill_table(pte_t *t, pte_t first, uint64_t step)
{
	for (pte_t *e = t; e < t + 512; e++, first += step)
		*e = first;
}

/*
 * One GiB of the direct map in 2 MiB pages: all uncached, then write-back
 * for each 2 MiB chunk that holds usable RAM (the rule of a chunk of both:
 * RAM wins). Returns false if no memory for the table.
 */
static bool
map_direct_2m(pte_t *l3, paddr_t gb, int ram)
{
	pte_t *l2 = page_alloc_kva_dirty(0);	/* every entry written below */
	if (!l2)
		return false;
	fill_table(l2, gb | direct_attr(ram == 2), SIZE_2M);
	for (int i = 0; ram == 1 && i < boot_info.mem_count; i++) {
		struct boot_mem *m = &boot_info.mem[i];
		if (!m->usable)
			continue;
		paddr_t start = MAX(ALIGN_DOWN(m->base, SIZE_2M), gb);
		paddr_t end = MIN(ALIGN_UP(m->base + m->size, SIZE_2M), gb + SIZE_1G);
		for (paddr_t pa = start; pa < end; pa += SIZE_2M)
			l2[(pa - gb) / SIZE_2M] = pa | direct_attr(true);
	}
	*l3 = virt_to_phys(l2) | PTE_P | PTE_W;
	return true;
}

/*
 * Direct map of the first 4 GiB (MMIO lives there) and all RAM: RAM
 * write-back, everything else uncached. A GiB that is all one or the other
 * is one 1 GiB page where the CPU has them; the others take 2 MiB pages.
 * Building it chunk by chunk for 4 GiB was a tenth of the boot's
 * instructions (docs/performance-boot.md, "Where Petrel's boot time goes").
 */
static void
map_direct(pte_t *pml4)
{
	paddr_t top = 4ul << 30;
	for (int i = 0; i < boot_info.mem_count; i++)
		if (boot_info.mem[i].usable)
			top = MAX(top, boot_info.mem[i].base + boot_info.mem[i].size);
	top = ALIGN_UP(top, SIZE_1G);
	bool gib_pages = has_1g_pages();
	for (paddr_t gb = 0; gb < top; gb += SIZE_1G) {
		vaddr_t va = PHYS_MAP_BASE + gb;
		pte_t *l4 = &pml4[(va >> 39) & 511];
		if (!(*l4 & PTE_P))
			*l4 = virt_to_phys(alloc_table()) | PTE_P | PTE_W;
		pte_t *l3 = &table(*l4)[(va >> 30) & 511];
		int ram = ram_in_gib(gb);
		if (gib_pages && ram != 1)
			*l3 = gb | direct_attr(ram == 2);
		else if (!map_direct_2m(l3, gb, ram))
			panic("no memory for the direct map");
	}
}

/*
 * Splits the large page at *e (2 MiB at level 2, 1 GiB at level 3) into a
 * table of 512 pages of the next size down, with the same attributes.
 * Returns false if there was no memory for the table.
 */
static bool
split_large(pte_t *e, int level, vaddr_t va)
{
	pte_t *t = alloc_table();
	if (!t)
		return false;
	uint64_t child = level == 3 ? SIZE_2M : PAGE_SIZE;
	paddr_t base = *e & PTE_ADDR & ~(child * 512 - 1);
	pte_t attr = *e & ~PTE_ADDR;
	if (level == 2)
		attr &= ~PTE_PS;	/* 4 KiB entries have no size bit */
	fill_table(t, base | attr, child);
	*e = virt_to_phys(t) | PTE_P | PTE_W;
	invlpg(va);
	return true;
}

/* The table of 4 KiB entries that maps va, made (with those above it)
 * if need be. */
static pte_t *
image_table(pte_t *pml4, vaddr_t va)
{
	pte_t *l4 = &pml4[(va >> 39) & 511];
	if (!(*l4 & PTE_P))
		*l4 = virt_to_phys(alloc_table()) | PTE_P | PTE_W;
	pte_t *l3 = &table(*l4)[(va >> 30) & 511];
	if (!(*l3 & PTE_P))
		*l3 = virt_to_phys(alloc_table()) | PTE_P | PTE_W;
	pte_t *l2 = &table(*l3)[(va >> 21) & 511];
	if (!(*l2 & PTE_P))
		*l2 = virt_to_phys(alloc_table()) | PTE_P | PTE_W;
	return table(*l2);
}

/* The kernel image at -2 GiB with 4 KiB pages: text RX, rodata R, data RW.
 * The tables are walked once per 2 MiB, not per page (180 pages). */
static void
map_image(pte_t *pml4)
{
	pte_t *l1 = NULL;

	for (vaddr_t va = (vaddr_t)kernel_start & ~(PAGE_SIZE - 1);
	     va < (vaddr_t)kernel_end; va += PAGE_SIZE) {
		pte_t attr = PTE_P | PTE_G;
		if (va < (vaddr_t)text_start || va >= (vaddr_t)text_end)
			attr |= PTE_NX;
		if (va >= (vaddr_t)rodata_end)
			attr |= PTE_W;
		if (!l1 || va % SIZE_2M == 0)
			l1 = image_table(pml4, va);
		l1[(va >> 12) & 511] = (va - KERNEL_VBASE) | attr;
	}
}

void
mmu_init(void)
{
	pte_t *pml4 = alloc_table();
	if (!pml4)
		panic("no memory for kernel page tables");
	map_direct(pml4);
	map_image(pml4);
	/*
	 * User roots copy the kernel half's PML4 slots when they are made, so
	 * no slot may be added after this point.
	 */
	kernel_root = virt_to_phys(pml4);
	write_cr3(kernel_root);
}

/*
 * Makes one page of the direct map absent (guard) or present again: the
 * page under each kernel stack, so an overflow faults instead of
 * corrupting its neighbour. The large page around it is split on first use.
 * Returns false if the split needed memory that was not there.
 */
bool
mmu_kernel_guard(void *va, bool guard)
{
	vaddr_t v = (vaddr_t)va;
	pte_t *pml4 = phys_to_virt(kernel_root);
	pte_t *l3 = &table(pml4[(v >> 39) & 511])[(v >> 30) & 511];
	if ((*l3 & PTE_PS) && !split_large(l3, 3, v))
		return false;
	pte_t *l2 = &table(*l3)[(v >> 21) & 511];
	if ((*l2 & PTE_PS) && !split_large(l2, 2, v))
		return false;
	pte_t *l1 = &table(*l2)[(v >> 12) & 511];
	if (guard)
		*l1 &= ~PTE_P;
	else
		*l1 |= PTE_P;
	invlpg(v);
	return true;
}

paddr_t
mmu_kernel_root(void)
{
	return kernel_root;
}

paddr_t
mmu_root_new(void)
{
	pte_t *pml4 = alloc_table();
	if (!pml4)
		return 0;
	memcpy(pml4 + 256, (pte_t *)phys_to_virt(kernel_root) + 256, 256 * sizeof(pte_t));
	return virt_to_phys(pml4);
}

static void
free_level(pte_t *t, int level)
{
	for (int i = 0; i < 512; i++) {
		if (!(t[i] & PTE_P))
			continue;
		if (level > 1)
			free_level(table(t[i]), level - 1);
	}
	if (level < 4)
		page_free_kva(t, 0);
}

void
mmu_root_free(paddr_t root)
{
	pte_t *pml4 = phys_to_virt(root);
	for (int i = 0; i < 256; i++)
		if (pml4[i] & PTE_P)
			free_level(table(pml4[i]), 3);
	page_free_kva(pml4, 0);
}

void
mmu_activate(paddr_t root)
{
	this_cpu()->active_root = root;
	if (read_cr3() != root)
		write_cr3(root);
}

pte_t *
mmu_pte(paddr_t root, vaddr_t va, bool create)
{
	pte_t *t = phys_to_virt(root);
	for (int shift = 39; shift > 12; shift -= 9) {
		pte_t *e = &t[(va >> shift) & 511];
		if (!(*e & PTE_P)) {
			if (!create)
				return NULL;
			pte_t *n = alloc_table();
			if (!n)
				return NULL;
			*e = virt_to_phys(n) | PTE_P | PTE_W | PTE_U;
		}
		t = table(*e);
	}
	return &t[(va >> 12) & 511];
}

pte_t *
mmu_pte_next(paddr_t root, vaddr_t *vap, vaddr_t end)
{
	vaddr_t va = *vap;
	while (va < end) {
		pte_t *t = phys_to_virt(root);
		int shift;
		for (shift = 39; shift > 12; shift -= 9) {
			pte_t e = t[(va >> shift) & 511];
			if (!(e & PTE_P))
				break;
			t = table(e);
		}
		if (shift == 12) {
			pte_t *e = &t[(va >> 12) & 511];
			if (*e & PTE_P) {
				*vap = va;
				return e;
			}
		}
		/* Skip the whole absent span at this level. */
		vaddr_t span = 1ul << shift;
		vaddr_t next = (va & ~(span - 1)) + span;
		if (next <= va)
			break;
		va = next;
	}
	*vap = end;
	return NULL;
}

pte_t
mmu_pte_make(paddr_t pa, unsigned prot)
{
	pte_t e = pa | PTE_P;
	if (prot & MMU_WRITE)
		e |= PTE_W;
	if (prot & MMU_USER)
		e |= PTE_U;
	if (!(prot & MMU_EXEC))
		e |= PTE_NX;
	if (prot & MMU_IO)
		e |= PTE_PCD | PTE_PWT | PTE_IO;
	return e;
}

bool
mmu_pte_present(pte_t e)
{
	return e & PTE_P;
}

paddr_t
mmu_pte_addr(pte_t e)
{
	return e & PTE_ADDR;
}

unsigned
mmu_pte_prot(pte_t e)
{
	unsigned p = MMU_READ;
	if (e & PTE_W)
		p |= MMU_WRITE;
	if (e & PTE_U)
		p |= MMU_USER;
	if (!(e & PTE_NX))
		p |= MMU_EXEC;
	if (e & PTE_IO)
		p |= MMU_IO;
	return p;
}

unsigned
mmu_pte_state(pte_t e)
{
	return ((e & PTE_A) ? MMU_ACCESSED : 0) | ((e & PTE_D) ? MMU_DIRTY : 0);
}

void
mmu_flush(paddr_t root, vaddr_t va)
{
	if (read_cr3() == root)
		invlpg(va);
	if (cpu_count > 1)
		arch_tlb_shootdown(root);
}

void
mmu_flush_all(paddr_t root)
{
	if (read_cr3() == root)
		write_cr3(root);
	if (cpu_count > 1)
		arch_tlb_shootdown(root);
}

void
mmu_flush_local(vaddr_t va)
{
	invlpg(va);
}
