/*
 * mmap, munmap and mprotect of plain private anonymous memory without the
 * big lock (issue 13 §1; docs/kernel.md, "Memory": "Mapping without the
 * big lock"). Each runs its checks and its change in one hold of the vm
 * lock; whatever it does not handle goes back, unchanged, to the locked
 * call with -ERETRY_LOCKED. The caller (kernel/linux/sys_mm.c) has made
 * sure the address space is its thread's alone, so that no reader of the
 * regions that holds only the big lock is one of its own threads.
 */
#include <kernel/vm.h>
#include <kernel/kmalloc.h>
#include <kernel/errno.h>
#include "vm_int.h"

/* What these calls may change: anonymous, private, unnamed, untagged
 * (no heap, no stack), no flag beyond MAP_PRIVATE and Linux's accounting
 * ones (none locked, sealed, wipe-on-fork, userfaultfd's, growing down),
 * nothing mprotect may not add. Freeing such a region needs no big lock
 * (no file, no name). */
static bool
region_plain(const struct region *r)
{
	unsigned accounting = VM_ACCOUNT | MAP_NORESERVE;
	return !r->file && !r->name && !r->tag && !r->io_base && !r->uffd &&
	       (r->flags & ~accounting) == MAP_PRIVATE && !r->prot_deny;
}

/* Whether every region that overlaps [start, end) is plain; with
 * whole, whether they also leave no hole in it. vm lock held. */
static bool
range_plain(struct vm *vm, vaddr_t start, vaddr_t end, bool whole)
{
	vaddr_t covered = start;
	struct region *r = vm_find_from(vm, start);
	for (; r && r->start < end; r = vm_region_next(vm, r)) {
		if (!region_plain(r) || (whole && r->start > covered))
			return false;
		covered = r->end;
	}
	return !whole || covered >= end;
}

/* [addr, addr + len) page aligned and within user space: its end, or 0. */
static vaddr_t
range_end(vaddr_t addr, size_t len)
{
	vaddr_t end = addr + ALIGN_UP(len, PAGE_SIZE);
	if ((addr & (PAGE_SIZE - 1)) || len == 0 || addr >= USER_TOP ||
	    end > USER_TOP || end <= addr)
		return 0;
	return end;
}

long
vm_map_anon_nolock(struct vm *vm, vaddr_t addr, size_t len, unsigned prot,
		   unsigned noreserve)
{
	size_t size = ALIGN_UP(len, PAGE_SIZE);
	if (len == 0 || size < len || size > USER_TOP ||
	    (addr & (PAGE_SIZE - 1)) || vm->lock_future)
		return -ERETRY_LOCKED;	/* the locked call's errors, mlockall */
	if (addr >= USER_TOP || size > USER_TOP - addr)
		addr = 0;	/* a hint that does not fit: anywhere */
	struct region *r = kzalloc(sizeof(*r));
	if (!r)
		return -ERETRY_LOCKED;	/* the locked call says ENOMEM */
	spin_lock(&vm->lock);
	if (!addr || !vm_range_free(vm, addr, addr + size))
		addr = vm_find_free(vm, size);	/* a hint only */
	if (vm->nregions > vm_max_map_count)
		addr = 0;	/* ENOMEM, as vm_map */
	struct list gone;
	list_init(&gone);
	if (addr) {
		r->start = addr;
		r->end = addr + size;
		r->prot = prot;
		r->flags = MAP_PRIVATE | (noreserve & MAP_NORESERVE);
		r->flags |= vm_account(prot, r->flags);
		vm_region_insert(vm, r);
		vm_grow(vm, (int64_t)size);
		vm_merge_locked(vm, addr, addr + size, &gone);
	}
	spin_unlock(&vm->lock);
	vm_regions_free(&gone);	/* plain ones only: kfree alone */
	if (!addr) {
		kfree(r);
		return -ENOMEM;
	}
	return (long)addr;
}

int
vm_unmap_nolock(struct vm *vm, vaddr_t addr, size_t len)
{
	vaddr_t end = range_end(addr, len);
	if (!end)
		return -ERETRY_LOCKED;	/* EINVAL, said by the locked call */
	struct list gone;
	list_init(&gone);
	spin_lock(&vm->lock);
	int e = -ERETRY_LOCKED;
	if (range_plain(vm, addr, end, false))
		e = vm_unmap_range(vm, addr, end, &gone);
	spin_unlock(&vm->lock);
	vm_regions_free(&gone);	/* no file, no name: kfree alone */
	return e;
}

int
vm_protect_nolock(struct vm *vm, vaddr_t addr, size_t len, unsigned prot)
{
	vaddr_t end = range_end(addr, len);
	if (!end || (prot & ~(unsigned)(PROT_READ | PROT_WRITE | PROT_EXEC)))
		return -ERETRY_LOCKED;
	struct list gone;
	list_init(&gone);
	spin_lock(&vm->lock);
	int e = -ERETRY_LOCKED;	/* a hole is ENOMEM: the locked call's */
	if (range_plain(vm, addr, end, true))
		e = vm_protect_locked(vm, addr, end, prot);
	if (e == 0)
		vm_merge_locked(vm, addr, end, &gone);
	spin_unlock(&vm->lock);
	vm_regions_free(&gone);	/* plain ones only: kfree alone */
	return e;
}
