/*
 * AArch64 page tables (4 KiB granule, 4 levels, 48-bit addresses): the
 * kernel's own in TTBR1, built by mmu_init to replace the boot tables (the
 * direct map of RAM in 2 MiB blocks, devices below RAM as device memory,
 * the image in 4 KiB pages with W^X), and the user half behind
 * kernel/include/kernel/mmu.h in TTBR0, one root per address space. The
 * kernel half needs no copy in user roots: TTBR1 is the same for all.
 */
#include <kernel/mmu.h>
#include <kernel/page.h>
#include <kernel/boot.h>
#include <kernel/printk.h>
#include <kernel/string.h>
#include <kernel/arch.h>
#include <kernel/cpu.h>
#include <arch/mmu.h>
#include <arch/sysreg.h>

#define BLOCK_1G (1ul << 30)
#define BLOCK_2M (1ul << 21)
#define DIRECT_MAP_MAX (512 * BLOCK_1G)	/* one level-1 table */

paddr_t kernel_phys_base;
static paddr_t kernel_root;	/* the kernel's TTBR1 root */
static paddr_t empty_root;	/* TTBR0 when no process runs */
extern char text_end[], rodata_end[];	/* kernel.ld */

/* The boot direct map (early_map.c's 1 GiB blocks) gets the rest of RAM,
 * so that the page allocator can use it before mmu_init. */
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

static pte_t *
table(pte_t e)
{
	return phys_to_virt(e & PTE_ADDR);
}

static pte_t *
alloc_table(void)
{
	return page_alloc_kva(0);	/* zeroed */
}

/* The entry for va at the level whose entries span 1 << shift, making
 * the tables above it; NULL without memory. */
static pte_t *
walk(pte_t *t, vaddr_t va, int shift)
{
	for (int s = 39; s > shift; s -= 9) {
		pte_t *e = &t[(va >> s) & 511];
		if (!(*e & PTE_VALID)) {
			pte_t *n = alloc_table();
			if (!n)
				return NULL;
			*e = virt_to_phys(n) | PTE_VALID | PTE_TABLE;
		}
		t = table(*e);
	}
	return &t[(va >> shift) & 511];
}

static bool
is_ram(paddr_t start, paddr_t end)
{
	for (int i = 0; i < boot_info.mem_count; i++) {
		struct boot_mem *m = &boot_info.mem[i];
		if (m->usable && m->base < end && m->base + m->size > start)
			return true;
	}
	return false;
}

/* RAM write-back, everything below its top device memory; 2 MiB blocks. */
static void
map_direct(pte_t *root)
{
	paddr_t top = BLOCK_1G;
	for (int i = 0; i < boot_info.mem_count; i++)
		if (boot_info.mem[i].usable)
			top = MAX(top, boot_info.mem[i].base + boot_info.mem[i].size);
	for (paddr_t pa = 0; pa < ALIGN_UP(top, BLOCK_2M); pa += BLOCK_2M) {
		pte_t *e = walk(root, PHYS_MAP_BASE + pa, 21);
		if (!e)
			panic("no memory for kernel page tables");
		*e = pa | (is_ram(pa, pa + BLOCK_2M) ? PTE_KERNEL_RAM | PTE_PXN :
			   PTE_KERNEL_DEVICE);
	}
}

/* The image in 4 KiB pages: text read-only and executable, rodata
 * read-only, data and BSS read-write; none executable at EL0. */
static void
map_image(pte_t *root)
{
	for (vaddr_t va = KERNEL_VBASE; va < (vaddr_t)kernel_end;
	     va += PAGE_SIZE) {
		pte_t attr = PTE_VALID | PTE_TABLE | PTE_ATTR(MT_NORMAL) |
			     PTE_SH_INNER | PTE_AF | PTE_UXN;
		if (va >= (vaddr_t)text_end)
			attr |= PTE_PXN;
		if (va < (vaddr_t)rodata_end)
			attr |= PTE_AP_RO;
		pte_t *e = walk(root, va, 12);
		if (!e)
			panic("no memory for kernel page tables");
		*e = virt_to_phys((void *)va) | attr;
	}
}

/*
 * Loads the new kernel tables in place of the boot ones. Both map the same
 * addresses to the same memory, only with other block sizes, so the code
 * and stack in use stay valid across the switch (a CPU that kept both
 * translations could raise a TLB conflict abort; Linux goes through an
 * identity-mapped trampoline for this, a later refinement).
 */
void
mmu_init(void)
{
	pte_t *root = alloc_table();
	pte_t *empty = alloc_table();
	if (!root || !empty)
		panic("no memory for kernel page tables");
	map_direct(root);
	map_image(root);
	kernel_root = virt_to_phys(root);
	empty_root = virt_to_phys(empty);
	dsb(ishst);
	write_sysreg(ttbr1_el1, kernel_root);
	write_sysreg(ttbr0_el1, empty_root);	/* the boot identity map goes */
	isb();
	tlb_flush_all();
}

/* The page under each kernel stack is made absent (guard) or present
 * again; its 2 MiB block is split on first use. False without memory. */
bool
mmu_kernel_guard(void *va, bool guard)
{
	vaddr_t v = (vaddr_t)va;
	pte_t *l2 = walk(phys_to_virt(kernel_root), v, 21);
	if (!l2)
		return false;
	if (!(*l2 & PTE_TABLE)) {
		pte_t *pt = alloc_table();
		if (!pt)
			return false;
		paddr_t base = *l2 & PTE_ADDR & ~(BLOCK_2M - 1);
		pte_t attr = (*l2 & ~PTE_ADDR) | PTE_TABLE;
		for (int i = 0; i < 512; i++)
			pt[i] = (base + i * PAGE_SIZE) | attr;
		dsb(ishst);
		/*
		 * The block becomes a table of the same pages in one write. The
		 * Arm ARM asks for break-before-make here, but the block may hold
		 * this very table entry or the stack in use, which an invalid
		 * entry would take away; Linux avoids the case by mapping with
		 * pages where it guards. (QEMU takes the change as it is.)
		 */
		*l2 = virt_to_phys(pt) | PTE_VALID | PTE_TABLE;
	}
	pte_t *l3 = &table(*l2)[(v >> 12) & 511];
	if (guard)
		*l3 &= ~PTE_VALID;
	else
		*l3 |= PTE_VALID;
	tlb_flush_page(v);
	return true;
}

/* Device registers past RAM's top (the PCIe ECAM window) join the direct
 * map as device memory, 2 MiB blocks; what is mapped already stays. Only
 * invalid entries become valid: no TLB entry to drop. */
bool
mmu_map_device(paddr_t base, uint64_t size)
{
	if (base + size > DIRECT_MAP_MAX || base + size < base)
		return false;
	for (paddr_t pa = ALIGN_DOWN(base, BLOCK_2M); pa < base + size;
	     pa += BLOCK_2M) {
		pte_t *e = walk(phys_to_virt(kernel_root), PHYS_MAP_BASE + pa, 21);
		if (!e)
			return false;
		if (!(*e & PTE_VALID))
			*e = pa | PTE_KERNEL_DEVICE;
	}
	dsb(ishst);
	isb();
	return true;
}

paddr_t
mmu_kernel_root(void)
{
	return empty_root;
}

paddr_t
mmu_root_new(void)
{
	pte_t *root = alloc_table();
	return root ? virt_to_phys(root) : 0;
}

static void
free_level(pte_t *t, int level)
{
	for (int i = 0; i < 512; i++)
		if ((t[i] & PTE_VALID) && level > 1)
			free_level(table(t[i]), level - 1);
	page_free_kva(t, 0);
}

void
mmu_root_free(paddr_t root)
{
	free_level(phys_to_virt(root), 4);
}

/* No ASIDs yet: a change of user tables drops every user translation. */
void
mmu_activate(paddr_t root)
{
	this_cpu()->active_root = root;
	if (read_sysreg(ttbr0_el1) != root) {
		write_sysreg(ttbr0_el1, root);
		isb();
		tlb_flush_all();
	}
}

pte_t *
mmu_pte(paddr_t root, vaddr_t va, bool create)
{
	if (va >= USER_TOP)
		return NULL;
	pte_t *t = phys_to_virt(root);
	for (int shift = 39; shift > 12; shift -= 9) {
		pte_t *e = &t[(va >> shift) & 511];
		if (!(*e & PTE_VALID)) {
			if (!create)
				return NULL;
			pte_t *n = alloc_table();
			if (!n)
				return NULL;
			*e = virt_to_phys(n) | PTE_VALID | PTE_TABLE;
		}
		t = table(*e);
	}
	return &t[(va >> 12) & 511];
}

pte_t *
mmu_pte_next(paddr_t root, vaddr_t *vap, vaddr_t end)
{
	vaddr_t va = *vap;
	while (va < end && va < USER_TOP) {
		pte_t *t = phys_to_virt(root);
		int shift;
		for (shift = 39; shift > 12; shift -= 9) {
			pte_t e = t[(va >> shift) & 511];
			if (!(e & PTE_VALID))
				break;
			t = table(e);
		}
		if (shift == 12) {
			pte_t *e = &t[(va >> 12) & 511];
			if (*e & PTE_VALID) {
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

/*
 * A level-3 page. User pages are never executable at EL1 (PXN, as SMEP),
 * not global (nG, for ASIDs later). The access flag is set up front:
 * Armv8.0 has no hardware access flag, and a fault per first touch would
 * cost more than the accessed state it tells (mmu_pte_state).
 */
pte_t
mmu_pte_make(paddr_t pa, unsigned prot)
{
	pte_t e = pa | PTE_VALID | PTE_TABLE | PTE_AF | PTE_SH_INNER | PTE_PXN;
	e |= (prot & MMU_IO) ? PTE_ATTR(MT_DEVICE) | PTE_SW_IO :
			       PTE_ATTR(MT_NORMAL);
	if (!(prot & MMU_WRITE))
		e |= PTE_AP_RO;
	if (prot & MMU_USER)
		e |= PTE_AP_USER | PTE_NG;
	if (!(prot & MMU_EXEC) || !(prot & MMU_USER))
		e |= PTE_UXN;
	return e;
}

bool
mmu_pte_present(pte_t e)
{
	return e & PTE_VALID;
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
	if (!(e & PTE_AP_RO))
		p |= MMU_WRITE;
	if (e & PTE_AP_USER)
		p |= MMU_USER;
	if (!(e & PTE_UXN))
		p |= MMU_EXEC;
	if (e & PTE_SW_IO)
		p |= MMU_IO;
	return p;
}

/* Without hardware dirty tracking (Armv8.1's DBM, not used yet), a
 * writable page counts as dirty: written back when it may not need it. */
unsigned
mmu_pte_state(pte_t e)
{
	return MMU_ACCESSED | ((e & PTE_AP_RO) ? 0 : MMU_DIRTY);
}

void
mmu_flush(paddr_t root, vaddr_t va)
{
	(void)root;
	tlb_flush_page(va);	/* broadcast: every CPU drops it */
}

void
mmu_flush_all(paddr_t root)
{
	(void)root;
	tlb_flush_all();
}

void
mmu_flush_local(vaddr_t va)
{
	__asm__ volatile("dsb nshst; tlbi vaae1, %0; dsb nsh; isb"
			 : : "r"(va >> 12 & ((1ul << 44) - 1)) : "memory");
}

/*
 * Instruction cache maintenance for user code (the Arm ARM's "Concurrent
 * modification and execution of instructions" and its instruction cache
 * maintenance rules): CTR_EL0 is read by every CPU as it starts, and the
 * values used are the ones safe on all of them, as Linux's sanitised
 * CTR_EL0: the smallest line sizes, IDC, DIC and a PIPT instruction cache
 * only where every CPU has them (a KVM guest's vCPUs may sit on cores of
 * different kinds). The CPUs start one at a time, before the first user
 * page is mapped. IDC set: a data write needs no clean to be seen
 * by instruction fetch; DIC set: no instruction cache invalidation. DC
 * CVAU and IC IVAU (or IC IALLUIS for an instruction cache that is not
 * PIPT, whose lines a kernel address need not name) reach every CPU of
 * the inner-shareable domain, and the DSB ISH after each waits for them
 * there, before the caller maps the page executable: no CPU can have
 * fetched through that entry before it exists. The ISB discards what this
 * CPU may have prefetched.
 */
static bool icache_seen;	/* a CPU has folded its CTR_EL0 in */
static bool icache_idc, icache_dic, icache_pipt;
static size_t dcache_line, icache_line;	/* smallest line sizes, bytes */

void
mmu_icache_cpu_init(void)
{
	uint64_t ctr = read_sysreg(ctr_el0);
	bool idc = (ctr >> 28) & 1, dic = (ctr >> 29) & 1;
	size_t dline = 4ul << ((ctr >> 16) & 0xf);	/* DminLine: log2 words */
	size_t iline = 4ul << (ctr & 0xf);		/* IminLine */
	bool pipt = ((ctr >> 14) & 3) == 3;		/* L1Ip */
	if (!icache_seen) {
		icache_seen = true;
		icache_idc = idc;
		icache_dic = dic;
		icache_pipt = pipt;
		dcache_line = dline;
		icache_line = iline;
		return;
	}
	icache_idc &= idc;
	icache_dic &= dic;
	icache_pipt &= pipt;
	if (dline < dcache_line)
		dcache_line = dline;
	if (iline < icache_line)
		icache_line = iline;
}

void
mmu_icache_sync(paddr_t pa)
{
	uintptr_t start = (uintptr_t)phys_to_virt(pa);
	uintptr_t end = start + PAGE_SIZE;
	size_t dline = dcache_line, iline = icache_line;	/* in registers */
	if (!icache_idc) {
		for (uintptr_t a = start; a < end; a += dline)
			__asm__ volatile("dc cvau, %0" : : "r"(a) : "memory");
		dsb(ish);
	}
	if (!icache_dic && icache_pipt) {
		for (uintptr_t a = start; a < end; a += iline)
			__asm__ volatile("ic ivau, %0" : : "r"(a) : "memory");
		dsb(ish);
	} else if (!icache_dic) {
		__asm__ volatile("ic ialluis" : : : "memory");
		dsb(ish);
	}
	isb();
}
