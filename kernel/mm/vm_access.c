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
 * mapping making a private copy); false if it cannot be. prot and flags:
 * the region's, read under the vm lock (its owner may unmap it meanwhile
 * without the big lock: the fault looks it up again). */
static bool
page_for(struct vm *vm, unsigned prot, unsigned flags, vaddr_t va, bool write)
{
	if (!(prot & (PROT_READ | PROT_WRITE | PROT_EXEC)))
		return false;	/* PROT_NONE: a guard stays one */
	if (write && !(prot & PROT_WRITE) && (flags & MAP_SHARED))
		return false;	/* would change the file */
	return vm_fault_forced(vm, va, write) == 0;
}

/* Its present entry, vm lock held: the owner's threads may have faulted
 * meanwhile (a copy of their own) or unmapped it. */
static pte_t *
page_entry(struct vm *vm, vaddr_t va)
{
	pte_t *pte = mmu_pte(vm->root, va & ~(PAGE_SIZE - 1), false);
	return pte && mmu_pte_present(*pte) ? pte : NULL;
}

/* The PTE back to the region's own protection prot after a forced
 * write: the process still faults on its own stores. */
static void
page_reprotect(struct vm *vm, unsigned prot, vaddr_t va, pte_t *pte)
{
	*pte = user_pte(mmu_pte_addr(*pte), mmu_prot(prot));
	mmu_flush(vm->root, va & ~(PAGE_SIZE - 1));
}

/* The protection and flags of the region holding va, under the vm lock;
 * false if none does, or device memory. */
static bool
region_of(struct vm *vm, vaddr_t va, unsigned *prot, unsigned *flags)
{
	spin_lock(&vm->lock);
	struct region *r = vm_find(vm, va);
	bool ok = r && !r->io_base;
	if (ok) {
		*prot = r->prot;
		*flags = r->flags;
	}
	spin_unlock(&vm->lock);
	return ok;
}

/* Copies n bytes (within one page) between b and the page at va, vm lock
 * held: false if the page is not there any more. */
static bool
page_copy(struct vm *vm, vaddr_t va, uint8_t *b, size_t n, bool write)
{
	pte_t *pte = page_entry(vm, va);
	struct region *r = pte ? vm_find(vm, va) : NULL;
	if (!r)
		return false;
	uint8_t *kva = (uint8_t *)phys_to_virt(mmu_pte_addr(*pte)) +
		       (va & (PAGE_SIZE - 1));
	if (write) {
		memcpy(kva, b, n);
		if (!(r->prot & PROT_WRITE))
			page_reprotect(vm, r->prot, va, pte);
	} else {
		memcpy(b, kva, n);
	}
	return true;
}

int
vm_access(struct vm *vm, vaddr_t va, void *buf, size_t len, bool write)
{
	uint8_t *b = buf;
	while (len) {
		unsigned prot, flags;
		if (!region_of(vm, va, &prot, &flags))
			return -EFAULT;
		size_t n = PAGE_SIZE - (va & (PAGE_SIZE - 1));
		if (n > len)
			n = len;
		if (!page_for(vm, prot, flags, va, write))
			return -EFAULT;
		spin_lock(&vm->lock);
		bool copied = page_copy(vm, va, b, n, write);
		spin_unlock(&vm->lock);
		if (!copied)
			return -EFAULT;
		va += n;
		b += n;
		len -= n;
	}
	return 0;
}
