/*
 * File mappings seen from the file: each inode lists the regions that map
 * it (inode.maps, Linux's i_mmap), so that a truncate can take the pages
 * past the new end out of every address space, and a write seal can tell
 * whether someone may still write through a shared mapping.
 */
#include <kernel/vm.h>
#include <kernel/vfs.h>

void
vm_file_link(struct vm *vm, struct region *r)
{
	r->vm = vm;
	if (r->file)
		list_push_back(&r->file->maps, &r->file_link);
}

void
vm_file_unlink(struct region *r)
{
	if (r->file)
		list_remove(&r->file_link);
}

/* The file offset just past region r. */
static uint64_t
region_file_end(const struct region *r)
{
	return r->file_off + (r->end - r->start);
}

void
vm_file_unmap(struct inode *ino, uint64_t from)
{
	list_for_each(it, &ino->maps) {
		struct region *r = list_entry(it, struct region, file_link);
		/* exec's regions keep their pages: their bss is no file's. */
		if (!(r->flags & (MAP_SHARED | VM_MAP_EOF_SIGBUS)))
			continue;
		if (region_file_end(r) <= from)
			continue;
		vaddr_t start = r->start;
		if (from > r->file_off)
			start += from - r->file_off;
		vm_unmap_pages(r->vm, start, r->end);
	}
}

bool
vm_file_mapped_writable(struct inode *ino)
{
	list_for_each(it, &ino->maps) {
		struct region *r = list_entry(it, struct region, file_link);
		if ((r->flags & MAP_SHARED) && !(r->prot_deny & PROT_WRITE))
			return true;
	}
	return false;
}
