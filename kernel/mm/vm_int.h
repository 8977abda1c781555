/* What vm.c and vm_fault.c share: the protection bits of a region's pages
 * and the counts of its size and resident pages. */
#ifndef PETREL_MM_VM_INT_H
#define PETREL_MM_VM_INT_H

#include <kernel/vm.h>
#include <kernel/mmu.h>
#include <kernel/vfs.h>
#include <kernel/page.h>

/* W^X by turns: a region may be PROT_WRITE | PROT_EXEC (as on Linux), but
 * no entry is both. Its pages are mapped writable and not executable; an
 * instruction fetch makes the page read-only and executable, a later store
 * writable again (vm_fault.c). */
static inline unsigned
mmu_prot(unsigned prot)
{
	unsigned p = MMU_USER;
	if (prot & (PROT_READ | PROT_WRITE | PROT_EXEC))
		p |= MMU_READ;
	if (prot & PROT_WRITE)
		p |= MMU_WRITE;
	else if (prot & PROT_EXEC)
		p |= MMU_EXEC;
	return p;
}

/* The entry of user page pa (RAM, not MMU_IO) for mmu protection prot:
 * executable, its contents synced for instruction fetch first; writable,
 * taken as changed (page_exec_sync). Nothing more on x86_64. */
static inline pte_t
user_pte(paddr_t pa, unsigned prot)
{
	if (ARCH_ICACHE_SYNC && (prot & MMU_WRITE))
		page_changed(pa);
	else if (ARCH_ICACHE_SYNC && (prot & MMU_EXEC))
		page_exec_sync(pa);
	return mmu_pte_make(pa, prot);
}

/* VM_ACCOUNT if a mapping of flags becomes writable with prot: private
 * and not MAP_NORESERVE (Linux's accountable_mapping, and mprotect's
 * charge of a private mapping made writable). */
static inline unsigned
vm_account(unsigned prot, unsigned flags)
{
	return (prot & PROT_WRITE) && !(flags & (MAP_SHARED | MAP_NORESERVE)) ?
	       VM_ACCOUNT : 0;
}

/* True if r's file wants to hear of the first store to each page. */
static inline bool
tracks_stores(const struct region *r)
{
	return (r->flags & MAP_SHARED) && r->file && r->file->iops->page_mkwrite;
}

/* Regions of vm grew by bytes (shrank, if negative): VmSize and VmPeak. */
static inline void
vm_grow(struct vm *vm, int64_t bytes)
{
	vm->mapped += (uint64_t)bytes;
	vm->mapped_peak = MAX(vm->mapped_peak, vm->mapped);
}

/* vm_fault, a write to a private read-only region landing in a private
 * copy (vm_access's FOLL_FORCE). Big lock held. */
int vm_fault_forced(struct vm *vm, vaddr_t va, bool write);

/* One more resident page: VmRSS and VmHWM. vm lock held. */
static inline void
vm_page_added(struct vm *vm)
{
	VM_ASSERT_LOCKED(vm);
	vm->pages++;
	vm->pages_peak = MAX(vm->pages_peak, vm->pages);
}

/*
 * What vm.c lends vm_nolock.c, each with the vm lock held unless said:
 * vm_region_insert links a region into the sorted list and the tree;
 * vm_region_take takes r off the list and the tree, to be freed later
 * (vm_region_free, once regions_gone told the nolock fault);
 * vm_region_free lets go of a region already off it (its file and name:
 * the big lock, unless it has neither; vm lock not held);
 * vm_unmap_range takes the regions of [addr, end) off the list (and the
 * tree) onto gone,
 * split at the edges and their pages unmapped: 0 or -ENOMEM;
 * vm_regions_free frees the regions on gone (vm lock not held);
 * vm_range_free says no region overlaps [start, end);
 * vm_find_free finds the highest free gap of len bytes below
 * VM_MMAP_BASE, or 0;
 * vm_protect_locked gives [addr, end), every page mapped, protection prot
 * (splitting at the edges): 0 or -ENOMEM;
 * vm_merge_locked joins the regions that meet [start, end), and those
 * that touch its edges, where the merge rule allows (vm_merge.c), the
 * regions that go onto gone.
 */
void vm_region_insert(struct vm *vm, struct region *r);
void vm_region_take(struct vm *vm, struct region *r);
/* The regions' tree (vm_tree.c), vm lock held: vm_tree_add puts r (on
 * the list already, or about to be) in it, vm_tree_remove takes r out,
 * vm_tree_before is the region a new one at start follows (NULL: none). */
void vm_tree_add(struct vm *vm, struct region *r);
void vm_tree_remove(struct vm *vm, struct region *r);
struct region *vm_tree_before(struct vm *vm, vaddr_t start);
void vm_region_free(struct region *r);
int vm_unmap_range(struct vm *vm, vaddr_t addr, vaddr_t end, struct list *gone);
void vm_regions_free(struct list *gone);
bool vm_range_free(struct vm *vm, vaddr_t start, vaddr_t end);
vaddr_t vm_find_free(struct vm *vm, size_t len);
int vm_protect_locked(struct vm *vm, vaddr_t addr, vaddr_t end, unsigned prot);
void vm_merge_locked(struct vm *vm, vaddr_t start, vaddr_t end,
		     struct list *gone);

#endif
