/*
 * Address spaces: regions, demand paging, copy-on-write and fork.
 * A page's reference count tells whether it is shared: a private region may
 * write a page in place only when it holds the sole reference.
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

struct vm *
vm_new(void)
{
	struct vm *vm = kzalloc(sizeof(*vm));
	if (!vm)
		return NULL;
	vm->root = mmu_root_new();
	if (!vm->root) {
		kfree(vm);
		return NULL;
	}
	vm->refcount = 1;
	spin_init(&vm->lock);
	list_init(&vm->regions);
	return vm;
}

#define UNMAP_BATCH 64

/* Flushes the TLBs, then frees the pages: no CPU may still reach them. */
static void
release_batch(struct vm *vm, paddr_t *pages, unsigned n, vaddr_t last)
{
	if (n == 1)
		mmu_flush(vm->root, last);
	else
		mmu_flush_all(vm->root);
	for (unsigned i = 0; i < n; i++)
		page_put(pages[i]);
}

void
vm_unmap_pages(struct vm *vm, vaddr_t start, vaddr_t end)
{
	paddr_t batch[UNMAP_BATCH];
	unsigned n = 0;
	vaddr_t va = start, last = start;
	pte_t *pte;
	bool io_unmapped = false;
	VM_ASSERT_LOCKED(vm);
	while ((pte = mmu_pte_next(vm->root, &va, end)) != NULL) {
		if (mmu_pte_prot(*pte) & MMU_IO) {	/* no page to free */
			*pte = 0;
			io_unmapped = true;
			va += PAGE_SIZE;
			continue;
		}
		batch[n++] = mmu_pte_addr(*pte);
		*pte = 0;
		vm->pages--;
		last = va;
		va += PAGE_SIZE;
		if (n == UNMAP_BATCH) {
			release_batch(vm, batch, n, last);
			n = 0;
		}
	}
	if (n)
		release_batch(vm, batch, n, last);
	else if (io_unmapped)
		mmu_flush_all(vm->root);
}

void
vm_region_free(struct region *r)
{
	vm_file_unlink(r);
	if (r->file)
		inode_put(r->file);
	vm_name_put(r->name);
	kfree(r);
}

void
vm_put(struct vm *vm)
{
	if (!ref_put(&vm->refcount))
		return;
	spin_lock(&vm->lock);	/* no one else's now; for the asserts */
	list_for_each(it, &vm->regions) {
		struct region *r = list_entry(it, struct region, link);
		vm_unmap_pages(vm, r->start, r->end);
	}
	spin_unlock(&vm->lock);
	list_for_each_safe(it, nx, &vm->regions)
		vm_region_free(list_entry(it, struct region, link));
	if (this_cpu()->active_root == vm->root)
		mmu_activate(mmu_kernel_root());	/* never run on freed tables */
	mmu_root_free(vm->root);
	vm_set_exe(vm, NULL);
	kfree(vm);
}

void
vm_set_exe(struct vm *vm, struct inode *exe)
{
	if (vm->exe) {
		inode_allow_write(vm->exe);
		inode_put(vm->exe);
	}
	vm->exe = exe;
}

void
vm_region_insert(struct vm *vm, struct region *n)
{
	VM_ASSERT_LOCKED(vm);
	vm_file_link(vm, n);
	struct region *prev = vm_tree_before(vm, n->start);
	list_insert_after(prev ? &prev->link : &vm->regions, &n->link);
	vm_tree_add(vm, n);
}

void
vm_region_take(struct vm *vm, struct region *r)
{
	list_remove(&r->link);
	vm_tree_remove(vm, r);
	vm->regions_gone++;
}

/* Splits r at va (inside it); the upper part becomes a new region. vm
 * lock held. */
static int
region_split(struct vm *vm, struct region *r, vaddr_t va)
{
	VM_ASSERT_LOCKED(vm);
	struct region *hi = kmalloc(sizeof(*hi));
	if (!hi)
		return -ENOMEM;
	*hi = *r;
	uint64_t delta = va - r->start;
	hi->start = va;
	hi->file_off = r->file_off + delta;
	if (r->io_base)
		hi->io_base = r->io_base + delta;
	hi->file_bytes = r->file_bytes > delta ? r->file_bytes - delta : 0;
	if (hi->file)
		inode_get(hi->file);
	vm_name_get(hi->name);
	vm_file_link(vm, hi);
	r->end = va;
	r->file_bytes = MIN(r->file_bytes, delta);
	list_insert_after(&r->link, &hi->link);
	vm_tree_add(vm, hi);
	return 0;
}

/* Whether one more region would pass vm.max_map_count. */
static bool
regions_full(const struct vm *vm)
{
	return vm->nregions >= vm_max_map_count;
}

/*
 * Makes [start, end) a union of whole regions (splitting at the edges).
 * A split that would pass vm.max_map_count is ENOMEM, as Linux's
 * split_vma; for an unmap (unmap), only the one that leaves a region
 * more when done (a hole in the middle of one), as Linux's munmap.
 * vm lock held.
 */
static int
isolate(struct vm *vm, vaddr_t start, vaddr_t end, bool unmap)
{
	struct region *r = vm_find(vm, start);
	if (r && r->start < start) {
		if (regions_full(vm) && (!unmap || end < r->end))
			return -ENOMEM;
		if (region_split(vm, r, start) < 0)
			return -ENOMEM;
	}
	r = vm_find(vm, end - 1);
	if (r && r->end > end) {
		if (regions_full(vm) && !unmap)
			return -ENOMEM;
		if (region_split(vm, r, end) < 0)
			return -ENOMEM;
	}
	return 0;
}

int
vm_unmap_range(struct vm *vm, vaddr_t addr, vaddr_t end, struct list *gone)
{
	if (isolate(vm, addr, end, true) < 0)
		return -ENOMEM;
	struct region *r = vm_find_from(vm, addr), *next;
	for (; r && r->start < end; r = next) {
		next = vm_region_next(vm, r);
		vm_unmap_pages(vm, r->start, r->end);
		vm_grow(vm, -(int64_t)(r->end - r->start));
		vm_region_take(vm, r);
		list_push_back(gone, &r->link);
	}
	return 0;
}

void
vm_regions_free(struct list *gone)
{
	list_for_each_safe(it, nx, gone)
		vm_region_free(list_entry(it, struct region, link));
}

int
vm_unmap(struct vm *vm, vaddr_t addr, size_t len)
{
	if ((addr & (PAGE_SIZE - 1)) || len == 0 || addr >= USER_TOP)
		return -EINVAL;
	vaddr_t end = addr + ALIGN_UP(len, PAGE_SIZE);
	if (end > USER_TOP || end < addr)
		return -EINVAL;
	struct list gone;
	list_init(&gone);
	spin_lock(&vm->lock);
	int e = vm_unmap_range(vm, addr, end, &gone);
	spin_unlock(&vm->lock);
	/* Their files and names let go without the spinlock. */
	vm_regions_free(&gone);
	return e;
}

bool
vm_range_free(struct vm *vm, vaddr_t start, vaddr_t end)
{
	struct region *r = vm_find_from(vm, start);
	return !r || r->start >= end;
}

vaddr_t
vm_find_free(struct vm *vm, size_t len)
{
	vaddr_t top = VM_MMAP_BASE;
	struct list *it = vm->regions.prev;
	for (; it != &vm->regions; it = it->prev) {
		struct region *r = list_entry(it, struct region, link);
		if (r->end <= top && top - r->end >= len)
			return top - len;
		top = MIN(top, r->start);
	}
	return top >= len + 0x10000 ? top - len : 0;
}

long
vm_map(struct vm *vm, vaddr_t addr, size_t len, unsigned prot, unsigned flags,
       struct inode *file, uint64_t off, uint64_t file_bytes)
{
	if (len == 0 || (addr & (PAGE_SIZE - 1)))
		return -EINVAL;
	size_t size = ALIGN_UP(len, PAGE_SIZE);
	if (size < len || size > USER_TOP)
		return -ENOMEM;
	/* Linux's do_mmap test: one past the limit is still let in. */
	if (vm->nregions > vm_max_map_count)
		return -ENOMEM;
	if (flags & (MAP_FIXED | MAP_FIXED_NOREPLACE)) {
		if (addr + size > USER_TOP || addr + size < addr || addr < PAGE_SIZE)
			return -EINVAL;
		if (!vm_range_free(vm, addr, addr + size)) {
			if (flags & MAP_FIXED_NOREPLACE)
				return -EEXIST;
			int e = vm_unmap(vm, addr, size);
			if (e < 0)
				return e;
		}
	} else if (!addr || addr + size > USER_TOP || addr + size < addr ||
		   !vm_range_free(vm, addr, addr + size)) {
		addr = vm_find_free(vm, size);
		if (!addr)
			return -ENOMEM;
	}
	struct region *r = kzalloc(sizeof(*r));
	if (!r)
		return -ENOMEM;
	r->start = addr;
	r->end = addr + size;
	r->prot = prot;
	r->flags = flags & (MAP_SHARED | MAP_PRIVATE | MAP_GROWSDOWN |
			    MAP_NORESERVE | VM_MAP_EOF_SIGBUS | VM_ACCOUNT);
	r->flags |= vm_account(prot, r->flags);
	r->file = file;
	r->file_off = off;
	r->file_bytes = file ? file_bytes : 0;
	if (file)
		inode_get(file);
	spin_lock(&vm->lock);
	vm_region_insert(vm, r);
	spin_unlock(&vm->lock);
	vm_grow(vm, (int64_t)size);
	return (long)addr;
}

long
vm_map_io(struct vm *vm, paddr_t base, size_t len, unsigned prot)
{
	long addr = vm_map(vm, 0, len, prot, MAP_SHARED, NULL, 0, 0);
	if (addr < 0)
		return addr;
	struct region *r = vm_find(vm, (vaddr_t)addr);
	spin_lock(&vm->lock);
	r->io_base = base;
	spin_unlock(&vm->lock);
	r->prot_deny = PROT_EXEC;	/* device registers are never code */
	r->tag = "[io]";
	return addr;
}

int
vm_protect(struct vm *vm, vaddr_t addr, size_t len, unsigned prot)
{
	if (addr & (PAGE_SIZE - 1))
		return -EINVAL;
	vaddr_t end = addr + ALIGN_UP(len, PAGE_SIZE);
	if (end < addr || end > USER_TOP)
		return -ENOMEM;
	if (len == 0)
		return 0;
	/* As Linux, the regions from addr on change up to a hole (ENOMEM)
	 * or one the handle's map rights keep from prot (EACCES). */
	int refused = 0;
	vaddr_t stop = addr;
	while (stop < end) {
		struct region *r = vm_find(vm, stop);
		refused = !r ? -ENOMEM : (prot & r->prot_deny) ? -EACCES : 0;
		if (refused)
			break;
		stop = MIN(r->end, end);
	}
	if (stop == addr)
		return refused;
	struct list gone;
	list_init(&gone);
	spin_lock(&vm->lock);
	int e = vm_protect_locked(vm, addr, stop, prot);
	if (e == 0)
		vm_merge_locked(vm, addr, stop, &gone);
	spin_unlock(&vm->lock);
	vm_regions_free(&gone);
	return e < 0 ? e : refused;
}

/* Gives the pages of r protection prot: whether it had any. */
static bool
protect_pages(struct vm *vm, struct region *r, unsigned prot)
{
	bool paged = false;
	vaddr_t va = r->start;
	pte_t *pte;
	while ((pte = mmu_pte_next(vm->root, &va, r->end)) != NULL) {
		/* Drop write access everywhere; faults restore it where due. */
		unsigned p = mmu_prot(prot) & ~MMU_WRITE;
		if ((prot & PROT_WRITE) && (r->flags & MAP_SHARED) &&
		    !tracks_stores(r))
			p |= MMU_WRITE;
		if (!(prot & (PROT_READ | PROT_WRITE | PROT_EXEC)))
			p &= ~MMU_USER;
		/* A device's page keeps its cache attributes (and stays no
		   page of RAM for vm_unmap_pages to free). */
		paddr_t pa = mmu_pte_addr(*pte);
		*pte = (mmu_pte_prot(*pte) & MMU_IO) ?
		       mmu_pte_make(pa, p | MMU_IO) : user_pte(pa, p);
		mmu_flush(vm->root, va);
		va += PAGE_SIZE;
		paged = true;
	}
	return paged;
}

/* r's flags once mprotect gives it prot, as Linux's VM_ACCOUNT goes: a
 * private mapping made writable is charged; anonymous memory that never
 * had a page (paged false; Linux: no anon_vma) made read-only is not. */
static unsigned
account_after(const struct region *r, unsigned prot, bool paged)
{
	if (prot & PROT_WRITE)
		return r->flags | ((r->prot & PROT_WRITE) ? 0 :
				   vm_account(prot, r->flags));
	return !r->file && !paged ? r->flags & ~VM_ACCOUNT : r->flags;
}

int
vm_protect_locked(struct vm *vm, vaddr_t addr, vaddr_t end, unsigned prot)
{
	if (isolate(vm, addr, end, false) < 0)
		return -ENOMEM;
	struct region *r = vm_find_from(vm, addr);
	for (; r && r->start < end; r = vm_region_next(vm, r)) {
		bool paged = protect_pages(vm, r, prot);
		r->flags = account_after(r, prot, paged);
		r->prot = prot;
	}
	return 0;
}

struct vm *
vm_clone(struct vm *src)
{
	struct vm *vm = vm_new();
	if (!vm)
		return NULL;
	vm->brk_start = src->brk_start;
	vm->brk = src->brk;
	vm->stack_top = src->stack_top;
	vm->mapped = src->mapped;
	vm->mapped_peak = src->mapped_peak;
	vm->pages_peak = src->pages_peak;
	memcpy(vm->auxv, src->auxv, sizeof(vm->auxv));
	vm->arg_start = src->arg_start;
	vm->arg_end = src->arg_end;
	vm->env_start = src->env_start;
	vm->env_end = src->env_end;
	vm->start_code = src->start_code;
	vm->end_code = src->end_code;
	vm->start_data = src->start_data;
	vm->end_data = src->end_data;
	vm->start_stack = src->start_stack;
	if (src->exe) {	/* the copy runs the same program */
		inode_get(src->exe);
		inode_deny_write(src->exe);	/* cannot fail: src denies */
		vm->exe = src->exe;
	}
	/* src's threads fault meanwhile, without the big lock: the lock keeps
	   them off the entries made read-only here until every CPU forgot
	   the writable ones (a copy made before then would lose stores). */
	spin_lock(&src->lock);
	list_for_each(it, &src->regions) {
		struct region *r = list_entry(it, struct region, link);
		struct region *n = kmalloc(sizeof(*n));
		if (!n)
			goto fail;
		*n = *r;
		/* Neither locks nor userfaultfd registrations are inherited
		   (Linux keeps the latter only with UFFD_FEATURE_EVENT_FORK). */
		n->flags &= ~(VM_LOCKED | VM_UFFD_MISSING);
		n->uffd = NULL;
		if (n->file)
			inode_get(n->file);
		vm_name_get(n->name);
		vm_file_link(vm, n);
		list_push_back(&vm->regions, &n->link);
		vm_tree_add(vm, n);
		if (r->flags & VM_WIPEONFORK)
			continue;	/* the child's pages fault in as zeros */
		vaddr_t va = r->start;
		pte_t *pte;
		while ((pte = mmu_pte_next(src->root, &va, r->end)) != NULL) {
			if (mmu_pte_prot(*pte) & MMU_IO) {	/* faults in again */
				va += PAGE_SIZE;
				continue;
			}
			pte_t *dst = mmu_pte(vm->root, va, true);
			if (!dst)
				goto fail;
			if (!(r->flags & MAP_SHARED) && (mmu_pte_prot(*pte) & MMU_WRITE)) {
				*pte = mmu_pte_make(mmu_pte_addr(*pte),
						    mmu_pte_prot(*pte) & ~MMU_WRITE);
			}
			*dst = *pte;
			page_get(mmu_pte_addr(*pte));
			vm->pages++;
			va += PAGE_SIZE;
		}
	}
	mmu_flush_all(src->root);
	spin_unlock(&src->lock);
	return vm;
fail:
	mmu_flush_all(src->root);
	spin_unlock(&src->lock);
	vm_put(vm);
	return NULL;
}

void
vm_discard(struct vm *vm, vaddr_t addr, size_t len)
{
	vaddr_t end = addr + ALIGN_UP(len, PAGE_SIZE);
	spin_lock(&vm->lock);
	struct region *r = vm_find_from(vm, addr);
	for (; r && r->start < end; r = vm_region_next(vm, r)) {
		if (r->flags & MAP_SHARED)
			continue;
		vm_unmap_pages(vm, MAX(r->start, addr), MIN(r->end, end));
	}
	spin_unlock(&vm->lock);
}

void
vm_activate(struct vm *vm)
{
	mmu_activate(vm ? vm->root : mmu_kernel_root());
}

/*
 * vm_switch to or from the idle thread, inside a switch (the scheduler
 * lock held, the big lock perhaps not). The idle CPU keeps prev's tables
 * by a reference, taken only with the big lock (reference counts are
 * its); without it, idle loads the kernel's tables. The reference is
 * dropped once the CPU runs a process again, after the switch
 * (switch_done: freeing it may need a TLB shootdown, never waited for
 * under a spinlock). Dropped even for a thread of the same address
 * space: an exec would otherwise leave the reference on the old one
 * while idle keeps the new one's tables.
 */
void
vm_switch_lazy(struct vm *prev, struct vm *next)
{
	struct cpu *c = this_cpu();
	if (!next) {
		if (prev && !c->lazy_vm && bkl_held()) {
			c->lazy_vm = prev;
			ref_get(&prev->refcount);
		} else if (!c->lazy_vm) {
			mmu_activate(mmu_kernel_root());
		}
		return;
	}
	mmu_activate(next->root);
	struct vm *lazy = c->lazy_vm;
	if (lazy) {
		c->lazy_vm = NULL;
		c->vm_to_put = lazy;	/* not loaded any more: may go */
	}
}

vaddr_t
vm_brk(struct vm *vm, vaddr_t want)
{
	vaddr_t old_end = ALIGN_UP(vm->brk, PAGE_SIZE);
	if (want < vm->brk_start || want >= VM_MMAP_BASE)
		return vm->brk;
	vaddr_t new_end = ALIGN_UP(want, PAGE_SIZE);
	if (new_end > old_end) {
		if (!vm_range_free(vm, old_end, new_end))
			return vm->brk;
		struct region *r = old_end > vm->brk_start ? vm_find(vm, old_end - 1) : NULL;
		if (r && r->end == old_end && r->tag && !r->file) {
			spin_lock(&vm->lock);
			r->end = new_end;	/* grow the heap region in place */
			spin_unlock(&vm->lock);
			vm_grow(vm, (int64_t)(new_end - old_end));
		} else {
			long a = vm_map(vm, old_end, new_end - old_end,
					PROT_READ | PROT_WRITE,
					MAP_PRIVATE | MAP_FIXED, NULL, 0, 0);
			if (a < 0)
				return vm->brk;
			vm_find(vm, old_end)->tag = "[heap]";
		}
	} else if (new_end < old_end) {
		vm_unmap(vm, new_end, old_end - new_end);
	}
	vm->brk = want;
	return want;
}

/* mremap's flags (Linux values). */
#define MREMAP_MAYMOVE 1
#define MREMAP_FIXED 2
#define MREMAP_DONTUNMAP 4

/* mremap's argument checks, as Linux's, before anything is looked up. */
static int
remap_check(vaddr_t old, size_t old_len, size_t new_len, unsigned flags,
	    vaddr_t new_addr)
{
	if (flags & ~(MREMAP_MAYMOVE | MREMAP_FIXED | MREMAP_DONTUNMAP))
		return -EINVAL;
	if ((flags & (MREMAP_FIXED | MREMAP_DONTUNMAP)) &&
	    !(flags & MREMAP_MAYMOVE))
		return -EINVAL;
	if ((old & (PAGE_SIZE - 1)) || new_len == 0)
		return -EINVAL;
	if ((flags & MREMAP_DONTUNMAP) && old_len != new_len)
		return -EINVAL;
	if (!(flags & MREMAP_FIXED))
		return 0;
	if ((new_addr & (PAGE_SIZE - 1)) || new_addr < PAGE_SIZE ||
	    new_addr + new_len > USER_TOP || new_addr + new_len < new_addr)
		return -EINVAL;
	if (new_addr < old + old_len && old < new_addr + new_len)
		return -EINVAL;	/* the two ranges overlap */
	return 0;
}

/* Moves the entries of [old, old + len) to dst on: whether there were
 * any, or -ENOMEM. vm lock held. */
static int
move_pages(struct vm *vm, vaddr_t old, size_t len, vaddr_t dst)
{
	vaddr_t va = old;
	pte_t *pte;
	int moved = 0;
	while ((pte = mmu_pte_next(vm->root, &va, old + len)) != NULL) {
		vaddr_t to = dst + (va - old);
		pte_t *d = mmu_pte(vm->root, to, true);
		if (!d)
			return -ENOMEM;
		if (mmu_pte_present(*d))	/* a fault filled it first */
			vm_unmap_pages(vm, to, to + PAGE_SIZE);
		*d = *pte;
		*pte = 0;
		mmu_flush(vm->root, va);
		va += PAGE_SIZE;
		moved = 1;
	}
	return moved;
}

long
vm_remap(struct vm *vm, vaddr_t old, size_t old_len, size_t new_len,
	 unsigned flags, vaddr_t new_addr)
{
	old_len = ALIGN_UP(old_len, PAGE_SIZE);
	new_len = ALIGN_UP(new_len, PAGE_SIZE);
	int e = remap_check(old, old_len, new_len, flags, new_addr);
	if (e < 0)
		return e;
	struct region *r = vm_find(vm, old);
	if (!r || old + old_len > r->end)
		return -EFAULT;
	if (r->io_base)
		return -EINVAL;	/* device memory stays where it was mapped */
	/* Leaving the old range mapped but empty: private anonymous memory
	 * only (Linux 5.7's rule; later kernels take more). */
	if ((flags & MREMAP_DONTUNMAP) && (r->file || (r->flags & MAP_SHARED)))
		return -EINVAL;
	bool move = flags & (MREMAP_FIXED | MREMAP_DONTUNMAP);
	if (!move && new_len <= old_len) {
		if (new_len < old_len)
			vm_unmap(vm, old + new_len, old_len - new_len);
		return (long)old;
	}
	if (!move && old + old_len == r->end &&
	    vm_range_free(vm, r->end, old + new_len) && old + new_len <= USER_TOP) {
		vm_grow(vm, (int64_t)(old + new_len - r->end));
		spin_lock(&vm->lock);
		r->end = old + new_len;
		spin_unlock(&vm->lock);
		vm_merge(vm, old, old + new_len);	/* it may meet the next */
		return (long)old;
	}
	if (!(flags & MREMAP_MAYMOVE))
		return -ENOMEM;
	if (new_len < old_len) {	/* MREMAP_FIXED to a smaller size */
		vm_unmap(vm, old + new_len, old_len - new_len);
		old_len = new_len;
	}
	spin_lock(&vm->lock);
	e = isolate(vm, old, old + old_len, false);
	spin_unlock(&vm->lock);
	if (e < 0)
		return -ENOMEM;
	r = vm_find(vm, old);
	unsigned fixed = (flags & MREMAP_FIXED) ? MAP_FIXED : 0;
	long dst = vm_map(vm, fixed ? new_addr : 0, new_len, r->prot,
			  r->flags | fixed, r->file, r->file_off, r->file_bytes);
	if (dst < 0)
		return dst;
	struct region *n = vm_find(vm, (vaddr_t)dst);
	n->tag = r->tag;
	n->prot_deny = r->prot_deny;
	vm_name_region(vm, (vaddr_t)dst, r->name);
	/* Move the pages over, then drop the old region (or, with
	 * MREMAP_DONTUNMAP, keep it, empty: its next touch reads zeros).
	 * Under the vm lock throughout, so that no fault fills the old range
	 * before its region goes, nor the new one before its pages come. */
	bool anon = !r->file;
	spin_lock(&vm->lock);
	e = move_pages(vm, old, old_len, (vaddr_t)dst);
	if (e >= 0 && !(flags & MREMAP_DONTUNMAP)) {
		vm_grow(vm, -(int64_t)(r->end - r->start));
		vm_region_take(vm, r);
	}
	spin_unlock(&vm->lock);
	if (e < 0)
		return e;
	if (!(flags & MREMAP_DONTUNMAP))
		vm_region_free(r);
	/* Linux keeps moved anonymous pages apart (their anon_vma and page
	 * offset stay the old place's); an empty region joins its
	 * neighbours, a file's as its offsets allow. */
	if (!anon || !e)
		vm_merge(vm, (vaddr_t)dst, (vaddr_t)dst + new_len);
	return dst;
}

/* The page at va if its entry allows the access, with a reference; 0 if
 * not (1 for device memory, never lent). */
static paddr_t
page_if_allowed(struct vm *vm, vaddr_t va, bool write)
{
	paddr_t pa = 0;
	spin_lock(&vm->lock);
	pte_t *pte = mmu_pte(vm->root, va & ~(PAGE_SIZE - 1), false);
	if (pte && mmu_pte_present(*pte)) {
		unsigned prot = mmu_pte_prot(*pte);
		if (prot & MMU_IO) {
			pa = 1;
		} else if ((prot & MMU_USER) && (!write || (prot & MMU_WRITE))) {
			pa = mmu_pte_addr(*pte);
			page_get(pa);
		}
	}
	spin_unlock(&vm->lock);
	return pa;
}

paddr_t
vm_user_page_mapped(struct vm *vm, vaddr_t va, bool write)
{
	return page_if_allowed(vm, va, write);
}

paddr_t
vm_user_page(struct vm *vm, vaddr_t va, bool write)
{
	for (int tries = 0; tries < 2; tries++) {
		paddr_t pa = page_if_allowed(vm, va, write);
		if (pa)
			return pa == 1 ? 0 : pa;
		if (vm_fault(vm, va, write, false) < 0)
			return 0;
	}
	return 0;
}

/*
 * mlock's and MAP_POPULATE's populate: each page of [start, end) in a
 * region with the flags need (VM_LOCKED: still locked) faulted in as
 * the owner's first access (a write for private writable memory, to own
 * its copy); none for PROT_NONE. A fault may sleep, so the region is
 * looked up again for every page. A page the file cannot give is left to
 * a later fault; running out of memory ends it (-EAGAIN, Linux's mlock
 * answer), and so does a SIGKILL (-EINTR). A range can be far larger than
 * memory (a reserved terabyte), so the loop lets others run between pages:
 * it once held the big lock for good.
 */
static int
populate(struct vm *vm, vaddr_t start, vaddr_t end, unsigned need)
{
	unsigned n = 0;
	for (vaddr_t va = start; va < end; va += PAGE_SIZE) {
		if ((++n & 63) == 0) {
			sched_tick();
			if (sched_slice_over())
				sched_yield();
			bkl_pass();	/* and another CPU's waiter */
			if (fatal_signal_pending(current()))
				return -EINTR;
		}
		struct region *r = vm_find(vm, va);
		if (!r || (r->flags & need) != need || r->io_base ||
		    !(r->prot & (PROT_READ | PROT_WRITE | PROT_EXEC)))
			continue;
		bool write = (r->prot & PROT_WRITE) && !(r->flags & MAP_SHARED);
		pte_t *pte = mmu_pte(vm->root, va, false);
		if (pte && mmu_pte_present(*pte) &&
		    (!write || (mmu_pte_prot(*pte) & MMU_WRITE)))
			continue;
		if (vm_fault(vm, va, write, false) == -ENOMEM)
			return -EAGAIN;
	}
	return 0;
}

void
vm_populate(struct vm *vm, vaddr_t start, vaddr_t end)
{
	(void)populate(vm, start, end, 0);	/* MAP_POPULATE: best effort */
}

bool
vm_range_mapped(struct vm *vm, vaddr_t start, vaddr_t end)
{
	while (start < end) {
		struct region *r = vm_find(vm, start);
		if (!r)
			return false;
		start = r->end;
	}
	return true;
}

int
vm_lock_range(struct vm *vm, vaddr_t start, vaddr_t end, bool lock,
	      bool onfault)
{
	if (!vm_range_mapped(vm, start, end))
		return -ENOMEM;
	if (start >= end)
		return 0;
	if (vm_set_flag(vm, start, end, VM_LOCKED, lock) < 0)
		return -ENOMEM;
	if (lock && !onfault)
		return populate(vm, start, end, VM_LOCKED);
	return 0;
}

uint64_t
vm_locked_bytes(struct vm *vm, vaddr_t start, vaddr_t end)
{
	uint64_t bytes = 0;
	struct region *r = vm_find_from(vm, start);
	for (; r && r->start < end; r = vm_region_next(vm, r))
		if (r->flags & VM_LOCKED)
			bytes += MIN(r->end, end) - MAX(r->start, start);
	return bytes;
}

int
vm_set_flag(struct vm *vm, vaddr_t start, vaddr_t end, unsigned flag, bool on)
{
	struct list gone;
	list_init(&gone);
	spin_lock(&vm->lock);
	int e = isolate(vm, start, end, false);
	struct region *r = e < 0 ? NULL : vm_find_from(vm, start);
	for (; r && r->start < end; r = vm_region_next(vm, r)) {
		if (on)
			r->flags |= flag;
		else
			r->flags &= ~flag;
	}
	if (e == 0)
		vm_merge_locked(vm, start, end, &gone);
	spin_unlock(&vm->lock);
	vm_regions_free(&gone);
	return e < 0 ? -ENOMEM : 0;
}
