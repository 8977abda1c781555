/*
 * Demand paging: the fault that fills or copies a page of a region (anonymous,
 * file-backed, copy-on-write, a growing stack) and the page a caller installs.
 */
#include <kernel/vm.h>
#include <kernel/lock.h>
#include <kernel/userfaultfd.h>
#include <kernel/tmpfs.h>
#include <kernel/vfs.h>
#include <kernel/proc.h>
#include <kernel/sched.h>
#include <kernel/mmu.h>
#include <kernel/cpu.h>
#include <kernel/page.h>
#include <kernel/kmalloc.h>
#include <kernel/errno.h>
#include <kernel/printk.h>
#include <kernel/string.h>
#include <kernel/refcount.h>
#include "vm_int.h"

/* A page for a process's memory: a user process cannot take the reserve
 * (page_alloc_user); its fault then fails and it gets SIGSEGV, where
 * Linux's OOM killer would end some process. */
static paddr_t
user_page(void)
{
	paddr_t pa = page_alloc_user(proc_privileged());
	if (pa)
		page_set_anon(pa);
	return pa;
}

/*
 * The page holding file data for `page` of region r, or a fresh copy;
 * *shared_ok tells which. A shared region maps the file's own page for
 * every page below the end of the file, a hole getting one, so that every
 * mapper and read()/write() see the same bytes; 0 there (the file system
 * has no page to give) makes the fault a SIGBUS, as on Linux.
 */
static paddr_t
file_page(struct region *r, vaddr_t page, bool *shared_ok)
{
	uint64_t delta = page - r->start;
	uint64_t valid = r->file_bytes > delta ? MIN(r->file_bytes - delta, PAGE_SIZE) : 0;
	uint64_t off = r->file_off + delta;
	struct inode *file = r->file;
	paddr_t src = 0;

	if ((r->flags & MAP_SHARED) && off < file->size) {
		src = file->iops->getpage ? file->iops->getpage(file, off, true) : 0;
		*shared_ok = src != 0;
		return src;
	}
	/* A tmpfs hole gets its page in the file, as Linux's shmem fault
	   fills its page cache whatever the mapping: another mapper's mlock
	   makes the pages resident for all (mincore). */
	if (valid && file->iops->getpage)
		src = file->iops->getpage(file, off, tmpfs_seals(file) >= 0);
	*shared_ok = valid == PAGE_SIZE && src != 0;
	if (*shared_ok)
		return src;
	paddr_t pa = user_page();
	if (pa && src && valid)
		memcpy(phys_to_virt(pa), phys_to_virt(src), valid);
	return pa;
}

/* A store through shared region r is about to dirty the page at va. */
static int
page_mkwrite(struct region *r, vaddr_t page)
{
	if (!tracks_stores(r))
		return 0;
	return r->file->iops->page_mkwrite(r->file, r->file_off + (page - r->start));
}

/* Linux's stack_guard_gap: a stack grows no nearer than this to the
 * mapping below it. */
#define STACK_GUARD_GAP (256ul * PAGE_SIZE)

/*
 * A fault at va below a MAP_GROWSDOWN region of anonymous memory grows
 * it down to va's page, as Linux's expand_downwards: not nearer than the
 * guard gap to an accessible mapping below, nor past RLIMIT_STACK. The
 * grown region, or NULL.
 */
static struct region *
grow_down(struct vm *vm, vaddr_t va)
{
	struct region *below = NULL, *above = NULL;
	list_for_each(it, &vm->regions) {
		struct region *r = list_entry(it, struct region, link);
		if (r->start > va) {
			above = r;
			break;
		}
		below = r;
	}
	vaddr_t start = va & ~(PAGE_SIZE - 1);
	if (!above || !(above->flags & MAP_GROWSDOWN) || above->file ||
	    start < PAGE_SIZE)
		return NULL;
	if (below && (below->prot & (PROT_READ | PROT_WRITE | PROT_EXEC)) &&
	    start - below->end < STACK_GUARD_GAP)
		return NULL;
	struct proc *p = current()->proc;
	if (above->end - start > p->rlimits[3][0])	/* RLIMIT_STACK */
		return NULL;
	vm_grow(vm, (int64_t)(above->start - start));
	above->start = start;
	return above;
}

int
vm_fault(struct vm *vm, vaddr_t va, bool write, bool exec)
{
	struct region *r = vm_find(vm, va);
	if (!r)
		r = grow_down(vm, va);
	if (!r)
		return -EFAULT;
	if ((write && !(r->prot & PROT_WRITE)) || (exec && !(r->prot & PROT_EXEC)) ||
	    !(r->prot & (PROT_READ | PROT_WRITE | PROT_EXEC)))
		return -EFAULT;
	vaddr_t page = va & ~(PAGE_SIZE - 1);
	pte_t *pte = mmu_pte(vm->root, page, true);
	if (!pte)
		return -ENOMEM;
	unsigned prot = mmu_prot(r->prot);
	bool shared = r->flags & MAP_SHARED;

	if (r->io_base) {	/* device memory: mapped as it is */
		*pte = mmu_pte_make(r->io_base + (page - r->start), prot | MMU_IO);
		mmu_flush(vm->root, page);
		return 0;
	}

	if (mmu_pte_present(*pte)) {
		paddr_t old = mmu_pte_addr(*pte);
		if (!write || (mmu_pte_prot(*pte) & MMU_WRITE)) {
			mmu_flush(vm->root, page);	/* stale TLB entry */
			return 0;
		}
		if (shared && page_mkwrite(r, page) < 0)
			return -EIO;	/* the file cannot take it: SIGBUS */
		if (shared || page_refcount(old) == 1) {
			*pte = mmu_pte_make(old, prot);
		} else {
			paddr_t n = user_page();
			if (!n)
				return -ENOMEM;
			memcpy(phys_to_virt(n), phys_to_virt(old), PAGE_SIZE);
			*pte = mmu_pte_make(n, prot);
			mmu_flush(vm->root, page);	/* before the old page can be reused */
			page_put(old);
			return 0;
		}
		mmu_flush(vm->root, page);
		return 0;
	}

	/* A missing page userfaultfd watches: its handler provides it (or
	   poisoned it: SIGBUS). */
	if (r->flags & VM_UFFD_POISON)
		return -EIO;
	if ((r->flags & VM_UFFD_MISSING) && !r->file)
		return uffd_fault(r->uffd, va, write);
	paddr_t pa;
	if (r->file && (r->flags & VM_MAP_EOF_SIGBUS) &&
	    r->file_off + (page - r->start) >= ALIGN_UP(r->file->size, PAGE_SIZE))
		return -EIO;	/* a whole page past the end of the file */
	if (r->file) {
		bool is_file_page;
		pa = file_page(r, page, &is_file_page);
		if (!pa && shared)
			return -EIO;	/* no page for the file: SIGBUS */
		if (!pa)
			return -ENOMEM;
		if (is_file_page) {
			if (tracks_stores(r) && write && page_mkwrite(r, page) < 0)
				return -EIO;
			page_get(pa);
			if (!shared || (tracks_stores(r) && !write))
				prot &= ~MMU_WRITE;	/* fault at the first store */
		}
		if (is_file_page && !shared && write) {
			/* Private write: copy now rather than fault twice. */
			paddr_t n = user_page();
			if (!n) {
				page_put(pa);
				return -ENOMEM;
			}
			memcpy(phys_to_virt(n), phys_to_virt(pa), PAGE_SIZE);
			page_put(pa);
			pa = n;
			prot = mmu_prot(r->prot);
		}
	} else {
		pa = user_page();
		if (!pa)
			return -ENOMEM;
	}
	*pte = mmu_pte_make(pa, prot);
	vm_page_added(vm);
	return 0;
}

int
vm_install_page(struct vm *vm, vaddr_t va, paddr_t pa)
{
	struct region *r = vm_find(vm, va);
	if (!r || r->file || r->io_base || (r->flags & MAP_SHARED))
		return -ENOENT;
	pte_t *pte = mmu_pte(vm->root, va, true);
	if (!pte)
		return -ENOMEM;
	if (mmu_pte_present(*pte))
		return -EEXIST;
	page_set_anon(pa);
	*pte = mmu_pte_make(pa, mmu_prot(r->prot));
	vm_page_added(vm);
	return 0;
}
