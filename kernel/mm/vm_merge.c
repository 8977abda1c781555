/*
 * Neighbouring regions that come to agree become one again, as Linux
 * merges VMAs: an mprotect of a page and back, an mmap beside a mapping
 * like it, mlock and munlock, madvise's flags and mremap leave the
 * regions (and the count vm.max_map_count bounds, and /proc/PID/maps)
 * as Linux leaves its VMAs. Pages live in the page table, not in the
 * region, so a merge moves none: it widens the lower region and frees
 * the upper one.
 */
#include <kernel/vm.h>
#include <kernel/string.h>
#include "vm_int.h"

/* The same tag ("[heap]", "[stack]"), or neither. */
static bool
same_tag(const char *a, const char *b)
{
	return a == b || (a && b && strcmp(a, b) == 0);
}

/*
 * Whether a and b, b starting where a ends, would be one region: the
 * rule of docs/kernel.md, "Memory" (Linux's is_mergeable_vma and
 * can_vma_merge_before/after). Every field a region carries agrees:
 * protection and what mprotect may not add, the flags (shared or
 * private, mlock's, madvise's, mseal's, userfaultfd's and its context),
 * the tag and the name. The name stands for Linux's struct file: an
 * open file keeps the name of its first mapping (vm_name.c), so two
 * opens of one file, two shared anonymous maps or two System V attaches
 * have names of their own. A file's offsets run on from a into b, and
 * a's bytes of file data reach its end unless b has none (the zeros
 * past the end of exec's data). Device memory (Linux's VM_IO) never
 * merges. Anonymous memory has no anon_vma to agree on: its pages are
 * the page table's whichever region holds them.
 */
static bool
mergeable(const struct region *a, const struct region *b)
{
	if (a->end != b->start || a->prot != b->prot ||
	    a->prot_deny != b->prot_deny || a->flags != b->flags ||
	    a->file != b->file || a->name != b->name || a->uffd != b->uffd ||
	    a->io_base || b->io_base || !same_tag(a->tag, b->tag))
		return false;
	if (!a->file)
		return true;
	uint64_t size = a->end - a->start;
	return a->file_off + size == b->file_off &&
	       (a->file_bytes >= size || b->file_bytes == 0);
}

/* b joins a below it: a takes b's pages' addresses, b leaves for gone. */
static void
join(struct vm *vm, struct region *a, struct region *b, struct list *gone)
{
	uint64_t size = a->end - a->start;
	if (a->file_bytes >= size)
		a->file_bytes = size + b->file_bytes;
	a->end = b->end;
	vm_region_take(vm, b);
	list_push_back(gone, &b->link);
}

void
vm_merge_locked(struct vm *vm, vaddr_t start, vaddr_t end, struct list *gone)
{
	VM_ASSERT_LOCKED(vm);
	struct region *r = vm_find_from(vm, start ? start - 1 : 0), *next;
	while (r && r->end <= end && (next = vm_region_next(vm, r)) != NULL) {
		if (mergeable(r, next))
			join(vm, r, next, gone);
		else
			r = next;
	}
}

void
vm_merge(struct vm *vm, vaddr_t start, vaddr_t end)
{
	struct list gone;
	list_init(&gone);
	spin_lock(&vm->lock);
	vm_merge_locked(vm, start, end, &gone);
	spin_unlock(&vm->lock);
	vm_regions_free(&gone);
}
