/*
 * What an address space's regions hold, page by page, for /proc/PID/smaps,
 * status and statm: resident pages, shared or private (by how many
 * mappings hold each page), clean or dirty, anonymous or a file's. The
 * counts are Linux's, estimated from page reference counts: a file's page
 * carries one reference of the file's own besides its mappings'.
 */
#include <kernel/vm.h>
#include <kernel/vfs.h>
#include <kernel/page.h>
#include <kernel/mmu.h>
#include <kernel/tmpfs.h>

/* How many mappings hold the page at pa (Linux's mapcount, at least 1). */
static int
mappers(paddr_t pa, bool anon)
{
	int n = page_refcount(pa) - (anon ? 0 : 1);
	return n < 1 ? 1 : n;
}

static void
count_page(struct vm_usage *u, pte_t pte, bool shmem)
{
	paddr_t pa = mmu_pte_addr(pte);
	bool anon = page_is_anon(pa);
	unsigned state = mmu_pte_state(pte);
	/* A process's own copy is always dirty, as Linux's anonymous pages. */
	bool dirty = anon || (state & MMU_DIRTY);
	int n = mappers(pa, anon);
	uint64_t pss = ((uint64_t)PAGE_SIZE << VM_PSS_SHIFT) / (uint64_t)n;

	u->rss += PAGE_SIZE;
	u->pss += pss;
	if (dirty)
		u->pss_dirty += pss;
	if (n > 1)
		*(dirty ? &u->shared_dirty : &u->shared_clean) += PAGE_SIZE;
	else
		*(dirty ? &u->private_dirty : &u->private_clean) += PAGE_SIZE;
	if (state & MMU_ACCESSED)
		u->referenced += PAGE_SIZE;
	if (anon) {
		u->anon += PAGE_SIZE;
		u->pss_anon += pss;
	} else if (shmem) {
		u->shmem += PAGE_SIZE;
		u->pss_shmem += pss;
	} else {
		u->file += PAGE_SIZE;
		u->pss_file += pss;
	}
}

void
vm_region_usage(struct vm *vm, const struct region *r, struct vm_usage *u)
{
	vaddr_t va = r->start, table = ~0ul;
	/* Shared memory: a shared mapping of a tmpfs file (shm_open,
	 * memfd, shared anonymous memory). A private map of a program on
	 * the initramfs counts as a file's, though Linux would count its
	 * tmpfs pages as shmem. */
	bool shmem = r->file && (r->flags & MAP_SHARED) &&
		     tmpfs_seals(r->file) >= 0;
	pte_t *pte;
	while ((pte = mmu_pte_next(vm->root, &va, r->end)) != NULL) {
		if ((va >> 21) != table) {	/* a leaf table of 512 entries */
			table = va >> 21;
			u->tables++;
		}
		if (!(mmu_pte_prot(*pte) & MMU_IO))
			count_page(u, *pte, shmem);
		va += PAGE_SIZE;
	}
}

void
vm_usage(struct vm *vm, struct vm_usage *u)
{
	list_for_each(it, &vm->regions)
		vm_region_usage(vm, list_entry(it, struct region, link), u);
}
