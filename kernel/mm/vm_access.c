/*
 * Another address space's memory, read and written through the direct map
 * (Linux's access_process_vm with FOLL_FORCE): what a tracer's PEEKTEXT
 * and POKETEXT reach. A write into a private read-only mapping (a
 * breakpoint in program text) lands in a private copy of the page, which
 * stays read-only to the process itself.
 */
#include <kernel/vm.h>
#include <kernel/string.h>
#include "vm_int.h"

/* Makes the page at va present (and writable by the kernel if write),
 * as the process's own fault would (a write to a private read-only
 * mapping making a private copy); false if it cannot be. */
static bool
page_for(struct vm *vm, struct region *r, vaddr_t va, bool write)
{
	unsigned prot = r->prot;
	if (!(prot & (PROT_READ | PROT_WRITE | PROT_EXEC)))
		return false;	/* PROT_NONE: a guard stays one */
	if (write && !(prot & PROT_WRITE) && (r->flags & MAP_SHARED))
		return false;	/* would change the file */
	return vm_fault_forced(vm, va, write) == 0;
}

/* Its present entry, vm lock held: the owner's threads may have faulted
 * meanwhile (a copy of their own), never made it absent. */
static pte_t *
page_entry(struct vm *vm, vaddr_t va)
{
	pte_t *pte = mmu_pte(vm->root, va & ~(PAGE_SIZE - 1), false);
	return pte && mmu_pte_present(*pte) ? pte : NULL;
}

/* The page's PTE back to the region's own protection after a forced
 * write: the process still faults on its own stores. */
static void
page_reprotect(struct vm *vm, struct region *r, vaddr_t va, pte_t *pte)
{
	*pte = user_pte(mmu_pte_addr(*pte), mmu_prot(r->prot));
	mmu_flush(vm->root, va & ~(PAGE_SIZE - 1));
}

int
vm_access(struct vm *vm, vaddr_t va, void *buf, size_t len, bool write)
{
	uint8_t *b = buf;
	while (len) {
		struct region *r = vm_find(vm, va);
		if (!r || r->io_base)
			return -EFAULT;
		size_t n = PAGE_SIZE - (va & (PAGE_SIZE - 1));
		if (n > len)
			n = len;
		if (!page_for(vm, r, va, write))
			return -EFAULT;
		spin_lock(&vm->lock);
		pte_t *pte = page_entry(vm, va);
		uint8_t *kva = pte ? (uint8_t *)phys_to_virt(mmu_pte_addr(*pte)) +
				     (va & (PAGE_SIZE - 1)) : NULL;
		if (kva && write) {
			memcpy(kva, b, n);
			if (!(r->prot & PROT_WRITE))
				page_reprotect(vm, r, va, pte);
		} else if (kva) {
			memcpy(b, kva, n);
		}
		spin_unlock(&vm->lock);
		if (!kva)
			return -EFAULT;
		va += n;
		b += n;
		len -= n;
	}
	return 0;
}
