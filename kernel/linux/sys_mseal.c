/*
 * mseal(2), Linux 6.10: seals the regions of a range, which then cannot be
 * unmapped, moved, resized, replaced by a MAP_FIXED mapping or
 * reprotected (EPERM, checked in sys_mm.c), nor, when they are private
 * anonymous memory that cannot be written, discarded by madvise. A seal
 * lasts as long as the mapping: a fork's copy keeps it, exec and exit
 * drop it.
 */
#include <kernel/proc.h>
#include <kernel/vm.h>
#include <kernel/syscall.h>
#include <syscall_table.h>
#include <kernel/errno.h>

bool
vm_range_sealed(struct vm *vm, vaddr_t start, vaddr_t end)
{
	list_for_each(it, &vm->regions) {
		struct region *r = list_entry(it, struct region, link);
		if ((r->flags & VM_SEALED) && r->start < end && r->end > start)
			return true;
	}
	return false;
}

/* Linux's do_mseal: flags must be 0, start page-aligned, the length
 * rounds up to pages; a range not wholly mapped is ENOMEM, unsealed. */
long
sys_mseal(uint64_t start, size_t len, unsigned long flags)
{
	if (flags || (start & (PAGE_SIZE - 1)))
		return -EINVAL;
	vaddr_t end = start + ALIGN_UP(len, PAGE_SIZE);
	if ((len && end == start) || end < start)
		return -EINVAL;	/* the length wrapped */
	if (end == start)
		return 0;
	struct vm *vm = current()->proc->vm;
	if (end > USER_TOP || !vm_range_mapped(vm, start, end))
		return -ENOMEM;
	return vm_set_flag(vm, start, end, VM_SEALED, true);
}
