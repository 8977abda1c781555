/*
 * File mappings seen from the file: each inode lists the regions that map
 * it (inode.maps, Linux's i_mmap), so that a truncate can take the pages
 * past the new end out of every address space, a write seal can tell
 * whether someone may still write through a shared mapping, and a file
 * system that writes mapped pages back (a server's) can write-protect a
 * page it wrote in every mapping. vm_file_sync has an address space's
 * shared mappings written back (msync, munmap, exit).
 */
#include <kernel/vm.h>
#include <kernel/vfs.h>
#include <kernel/refcount.h>
#include <kernel/page.h>
#include <kernel/mmu.h>

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
		spin_lock(&r->vm->lock);
		vm_unmap_pages(r->vm, start, r->end);
		spin_unlock(&r->vm->lock);
	}
}

/* Unmaps the pages of [start, end) in r that are not r's private copies. */
static void
unmap_file_pages(struct region *r, vaddr_t start, vaddr_t end)
{
	pte_t *pte;
	spin_lock(&r->vm->lock);
	while ((pte = mmu_pte_next(r->vm->root, &start, end)) != NULL) {
		bool copy = !(r->flags & MAP_SHARED) &&
			    page_is_anon(mmu_pte_addr(*pte));
		if (!copy)
			vm_unmap_pages(r->vm, start, start + PAGE_SIZE);
		start += PAGE_SIZE;
	}
	spin_unlock(&r->vm->lock);
}

void
vm_file_unmap_range(struct inode *ino, uint64_t from, uint64_t to)
{
	list_for_each(it, &ino->maps) {
		struct region *r = list_entry(it, struct region, file_link);
		uint64_t lo = MAX(from, r->file_off);
		uint64_t hi = MIN(to, region_file_end(r));
		if (lo < hi && !r->io_base)
			unmap_file_pages(r, r->start + (lo - r->file_off),
					 r->start + (hi - r->file_off));
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

void
vm_file_wrprotect(struct inode *ino, uint64_t off)
{
	list_for_each(it, &ino->maps) {
		struct region *r = list_entry(it, struct region, file_link);
		if (!(r->flags & MAP_SHARED) || off < r->file_off ||
		    off >= region_file_end(r))
			continue;
		vaddr_t va = r->start + (off - r->file_off);
		spin_lock(&r->vm->lock);
		pte_t *pte = mmu_pte(r->vm->root, va, false);
		if (pte && mmu_pte_present(*pte) &&
		    (mmu_pte_prot(*pte) & MMU_WRITE)) {
			*pte = mmu_pte_make(mmu_pte_addr(*pte),
					    mmu_pte_prot(*pte) & ~MMU_WRITE);
			mmu_flush(r->vm->root, va);
		}
		spin_unlock(&r->vm->lock);
	}
}

/* The first shared region of vm at or after va and below end whose file
 * writes mapped pages back, or NULL. */
static struct region *
next_written_back(struct vm *vm, vaddr_t va, vaddr_t end)
{
	list_for_each(it, &vm->regions) {
		struct region *r = list_entry(it, struct region, link);
		if (r->end <= va)
			continue;
		if (r->start >= end)
			break;
		if ((r->flags & MAP_SHARED) && r->file && r->file->iops->writeback)
			return r;
	}
	return NULL;
}

int
vm_file_sync(struct vm *vm, vaddr_t start, vaddr_t end, bool durable)
{
	int err = 0;
	struct region *r;
	ref_get(&vm->refcount);
	/* Regions may change while a write-back sleeps: look again each time. */
	while (start < end && (r = next_written_back(vm, start, end)) != NULL) {
		vaddr_t from = MAX(start, r->start), to = MIN(end, r->end);
		struct inode *ino = r->file;
		inode_get(ino);
		int e = ino->iops->writeback(ino, r->file_off + (from - r->start),
					     to - from, durable);
		inode_put(ino);
		if (e < 0 && err == 0)
			err = e;
		start = to;
	}
	vm_put(vm);
	return err;
}
