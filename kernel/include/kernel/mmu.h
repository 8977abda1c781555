/*
 * Page tables, as the portable VM code sees them (arch/ARCH/mmu.c).
 * A page-table root is a physical address. Caller holds the big lock.
 */
#ifndef KERNEL_MMU_H
#define KERNEL_MMU_H

#include <kernel/types.h>

#define MMU_READ 1
#define MMU_WRITE 2
#define MMU_EXEC 4
#define MMU_USER 8
#define MMU_IO 16	/* device memory: uncached, not the page allocator's */

typedef uint64_t pte_t;

/* Builds the kernel's own tables (direct map, kernel image) and loads them. */
void mmu_init(void);
/* A new root sharing the kernel half; 0 when out of memory. */
paddr_t mmu_root_new(void);
/* Frees the root and every table under it in the user half (not the pages). */
void mmu_root_free(paddr_t root);
void mmu_activate(paddr_t root);
paddr_t mmu_kernel_root(void);
/* Removes (guard) or restores the direct-map page at va; false on no memory. */
bool mmu_kernel_guard(void *va, bool guard);
/* The leaf entry for va, allocating tables if create; NULL if absent/no memory. */
pte_t *mmu_pte(paddr_t root, vaddr_t va, bool create);
/* The next present leaf entry at or after *va and below end, updating *va. */
pte_t *mmu_pte_next(paddr_t root, vaddr_t *va, vaddr_t end);
pte_t mmu_pte_make(paddr_t pa, unsigned prot);
bool mmu_pte_present(pte_t pte);
paddr_t mmu_pte_addr(pte_t pte);
unsigned mmu_pte_prot(pte_t pte);
/* What the CPU recorded in a leaf entry: MMU_ACCESSED, MMU_DIRTY. */
#define MMU_ACCESSED 1
#define MMU_DIRTY 2
unsigned mmu_pte_state(pte_t pte);
/* Forgets cached translations of va (or all of the user half) on this CPU. */
void mmu_flush(paddr_t root, vaddr_t va);
void mmu_flush_all(paddr_t root);
/* Forgets this CPU's cached translation of va in the loaded tables (a
 * fault that found the entry already as it wanted: no other CPU asked). */
void mmu_flush_local(vaddr_t va);

#endif
