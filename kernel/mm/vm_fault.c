/*
 * Demand paging: the fault that fills or copies a page of a region (anonymous,
 * file-backed, copy-on-write, a growing stack) and the page a caller installs.
 * The common case, private anonymous memory, runs without the big lock under
 * the vm lock alone (vm_fault_nolock); the rest takes the big lock too.
 */
#include <kernel/vm.h>
#include <kernel/lock.h>
#include <kernel/spinlock.h>
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

/* A zeroed page for a process's memory: a user process cannot take the
 * reserve (page_alloc_user); its fault then fails with -ENOMEM and the
 * process is killed (SIGKILL, trap_fault_signal), as Linux's OOM killer
 * would end the biggest one. */
static paddr_t
user_page(bool privileged)
{
	paddr_t pa = page_alloc_user(privileged);
	if (pa)
		page_set_anon(pa);
	return pa;
}

/*
 * What a fault that may sleep (the file's getpage or page_mkwrite) reads
 * of its region r, taken under the vm lock before it lets go: meanwhile
 * r may be unmapped and freed, or changed (mprotect, a split, mremap), and
 * its file let go. The view holds the file; r itself is looked at again
 * only under the vm lock, once view_current says it is still there and
 * unchanged (no region left the vm since, so r was not freed).
 */
struct file_view {
	struct region *r;
	struct inode *file;		/* held */
	vaddr_t start;
	uint64_t file_off, file_bytes;
	unsigned flags;
	uint64_t regions_gone;		/* vm->regions_gone then */
};

static void
view_take(struct vm *vm, struct region *r, struct file_view *v)
{
	VM_ASSERT_LOCKED(vm);
	v->r = r;
	v->file = r->file;
	inode_get(v->file);
	v->start = r->start;
	v->file_off = r->file_off;
	v->file_bytes = r->file_bytes;
	v->flags = r->flags;
	v->regions_gone = vm->regions_gone;
}

/* Whether v's region still maps page as v says. vm lock held. */
static bool
view_current(struct vm *vm, const struct file_view *v, vaddr_t page)
{
	VM_ASSERT_LOCKED(vm);
	const struct region *r = v->r;
	return vm->regions_gone == v->regions_gone && vm_find(vm, page) == r &&
	       r->file == v->file && r->start == v->start &&
	       r->file_off == v->file_off && r->file_bytes == v->file_bytes &&
	       r->flags == v->flags;
}

/*
 * The page holding file data for `page` of the region v shows, or a fresh copy;
 * *shared_ok tells which. A shared region maps the file's own page for
 * every page below the end of the file, a hole getting one, so that every
 * mapper and read()/write() see the same bytes; 0 there (the file system
 * has no page to give) makes the fault a SIGBUS, as on Linux.
 */
static paddr_t
file_page(const struct file_view *v, vaddr_t page, bool *shared_ok)
{
	uint64_t delta = page - v->start;
	uint64_t valid = v->file_bytes > delta ? MIN(v->file_bytes - delta, PAGE_SIZE) : 0;
	uint64_t off = v->file_off + delta;
	struct inode *file = v->file;
	paddr_t src = 0;

	if ((v->flags & MAP_SHARED) && off < file->size) {
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
	paddr_t pa = user_page(proc_privileged());
	if (pa && src && valid)
		memcpy(phys_to_virt(pa), phys_to_virt(src), valid);
	return pa;
}

/* Whether v's file wants to hear of the first store to each page. */
static bool
view_tracks_stores(const struct file_view *v)
{
	return (v->flags & MAP_SHARED) && v->file && v->file->iops->page_mkwrite;
}

/* A store through shared region v is about to dirty the page at va. */
static int
page_mkwrite(const struct file_view *v, vaddr_t page)
{
	if (!view_tracks_stores(v))
		return 0;
	return v->file->iops->page_mkwrite(v->file, v->file_off + (page - v->start));
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
	struct region *above = vm_find_from(vm, va), *below = NULL;
	struct list *prev = above ? above->link.prev : vm->regions.prev;
	if (prev != &vm->regions)
		below = list_entry(prev, struct region, link);
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

/* Whether prot lets the access happen at all. */
static bool
access_ok(unsigned prot, bool write, bool exec)
{
	return !((write && !(prot & PROT_WRITE)) || (exec && !(prot & PROT_EXEC)) ||
		 !(prot & (PROT_READ | PROT_WRITE | PROT_EXEC)));
}

/* Private anonymous memory, which the nolock fault may fill and copy. */
static bool
anon_private(const struct region *r)
{
	return !r->file && !r->io_base &&
	       !(r->flags & (MAP_SHARED | VM_UFFD_MISSING | VM_UFFD_POISON));
}

/* Whether an access faults on present entry *pte only for W^X by turns:
 * an instruction fetch from a page that region prot lets run, mapped
 * writable (mmu_prot). */
static bool
exec_by_turns(const pte_t *pte, bool exec)
{
	return exec && !(mmu_pte_prot(*pte) & MMU_EXEC);
}

/*
 * The present page at *pte, of a region of protection prot, read-only and
 * executable for an instruction fetch once no CPU holds its writable
 * entry; a store faults it writable again (cow, shared_write). Where the
 * instruction cache needs syncing, no CPU may store to the page between
 * the sync and the executable entry: the entry is made read-only first,
 * every CPU forgets the writable one, and only then synced and executable
 * (a CPU that fetches from the read-only entry meanwhile faults, waits for
 * the vm lock and finds the page executable). vm lock held.
 */
static void
make_executable(struct vm *vm, pte_t *pte, vaddr_t page, unsigned prot)
{
	VM_ASSERT_LOCKED(vm);
	paddr_t pa = mmu_pte_addr(*pte);
	unsigned p = mmu_prot(prot & ~PROT_WRITE);
	if (ARCH_ICACHE_SYNC) {
		*pte = mmu_pte_make(pa, p & ~MMU_EXEC);
		mmu_flush(vm->root, page);
	}
	*pte = user_pte(pa, p);
	mmu_flush(vm->root, page);
}

/* A zeroed page at the empty entry *pte of private anonymous memory.
 * vm lock held. */
static int
anon_fill(struct vm *vm, pte_t *pte, unsigned prot, bool privileged)
{
	VM_ASSERT_LOCKED(vm);
	paddr_t pa = user_page(privileged);
	if (!pa)
		return -ENOMEM;
	*pte = user_pte(pa, prot);
	vm_page_added(vm);
	return 0;
}

/*
 * A write to the read-only private page at *pte (page): the page itself
 * made writable if no one else holds it (a fork's copy can take a
 * reference only with this vm's lock), else a copy. The old page goes
 * after every CPU has forgotten it. vm lock held.
 */
static int
cow(struct vm *vm, pte_t *pte, vaddr_t page, unsigned prot, bool privileged)
{
	VM_ASSERT_LOCKED(vm);
	paddr_t old = mmu_pte_addr(*pte);
	if (page_refcount(old) == 1) {
		bool ran = mmu_pte_prot(*pte) & MMU_EXEC;
		*pte = user_pte(old, prot);
		if (ran)	/* W^X: no CPU runs it while it is written */
			mmu_flush(vm->root, page);
		else	/* others fault once, and find it so */
			mmu_flush_local(page);
		return 0;
	}
	paddr_t n = page_alloc_user_dirty(privileged);
	if (!n)
		return -ENOMEM;
	page_set_anon(n);
	memcpy(phys_to_virt(n), phys_to_virt(old), PAGE_SIZE);
	*pte = user_pte(n, prot);
	mmu_flush(vm->root, page);	/* before the old page can be reused */
	page_put(old);
	return 0;
}

int
vm_fault_nolock(struct vm *vm, vaddr_t va, bool write, bool exec)
{
	vaddr_t page = va & ~(PAGE_SIZE - 1);
	int e = -ERETRY_LOCKED;

	BKL_ASSERT_NOT_HELD();
	spin_lock(&vm->lock);
	struct region *r = vm_find(vm, va);
	pte_t *pte = NULL;
	if (r && anon_private(r) && access_ok(r->prot, write, exec))
		pte = mmu_pte(vm->root, page, true);
	if (pte && !mmu_pte_present(*pte))
		e = anon_fill(vm, pte, mmu_prot(r->prot), false);
	else if (pte && exec_by_turns(pte, exec))
		e = 0, make_executable(vm, pte, page, r->prot);
	else if (pte && (!write || (mmu_pte_prot(*pte) & MMU_WRITE)))
		e = 0, mmu_flush_local(page);	/* another CPU was first */
	else if (pte)
		e = cow(vm, pte, page, mmu_prot(r->prot), false);
	spin_unlock(&vm->lock);
	/* Out of memory (or the reserve only): the locked path decides. */
	return e == -ENOMEM ? -ERETRY_LOCKED : e;
}

/* The protection region r gives a fault: force (FOLL_FORCE) lets a
 * write into a private mapping of any access. */
static unsigned
fault_prot(const struct region *r, bool force)
{
	unsigned prot = r->prot;
	if (force && !(r->flags & MAP_SHARED) &&
	    (prot & (PROT_READ | PROT_WRITE | PROT_EXEC)))
		prot |= PROT_WRITE;
	return prot;
}

/*
 * A store to the present page of shared file region v at *pte: the file
 * hears of it first (page_mkwrite may sleep), then the entry becomes
 * writable unless it or the region changed meanwhile. vm lock not held.
 */
static int
shared_write(struct vm *vm, const struct file_view *v, pte_t *pte,
	     vaddr_t page)
{
	paddr_t old = mmu_pte_addr(*pte);
	if (page_mkwrite(v, page) < 0)
		return -EIO;	/* the file cannot take it: SIGBUS */
	spin_lock(&vm->lock);
	if (view_current(vm, v, page) && (v->r->prot & PROT_WRITE) &&
	    mmu_pte_present(*pte) && mmu_pte_addr(*pte) == old)
		*pte = user_pte(old, mmu_prot(v->r->prot));
	mmu_flush(vm->root, page);
	spin_unlock(&vm->lock);
	return 0;
}

/*
 * The missing page of file region v: the file's own page or a copy. The
 * file may sleep for it, so the vm lock is taken only to map it, and the
 * page is dropped if the region changed or another fault mapped one
 * meanwhile (the access is then retried). vm lock not held.
 */
static int
file_fault(struct vm *vm, const struct file_view *v, pte_t *pte,
	   vaddr_t page, bool write, bool exec, bool force)
{
	bool shared = v->flags & MAP_SHARED;
	paddr_t pa;
	if ((v->flags & VM_MAP_EOF_SIGBUS) &&
	    v->file_off + (page - v->start) >= ALIGN_UP(v->file->size, PAGE_SIZE))
		return -EIO;	/* a whole page past the end of the file */
	bool is_file_page;
	pa = file_page(v, page, &is_file_page);
	if (!pa && shared)
		return -EIO;	/* no page for the file: SIGBUS */
	if (!pa)
		return -ENOMEM;
	bool tracks = view_tracks_stores(v);
	if (is_file_page) {
		if (tracks && write && page_mkwrite(v, page) < 0)
			return -EIO;
		page_get(pa);
	}
	bool copied = is_file_page && !shared && write;
	if (copied) {
		/* Private write: copy now rather than fault twice. */
		paddr_t n = user_page(proc_privileged());
		if (!n) {
			page_put(pa);
			return -ENOMEM;
		}
		memcpy(phys_to_virt(n), phys_to_virt(pa), PAGE_SIZE);
		page_put(pa);
		pa = n;
	}
	spin_lock(&vm->lock);
	bool stale = !view_current(vm, v, page) || mmu_pte_present(*pte) ||
		     !access_ok(fault_prot(v->r, force), write, exec);
	if (!stale) {
		unsigned prot = mmu_prot(fault_prot(v->r, force));
		if (copied)
			prot = mmu_prot(v->r->prot);
		else if (is_file_page && (!shared || (tracks && !write)))
			prot &= ~MMU_WRITE;	/* fault at the first store */
		*pte = user_pte(pa, prot);
		vm_page_added(vm);
	}
	spin_unlock(&vm->lock);
	if (stale)
		page_put(pa);
	return 0;
}

/* file_fault or shared_write, which may sleep, on a view of r taken under
 * the vm lock, which they are called with and let go. */
static int
file_fault_unlocked(struct vm *vm, struct region *r, pte_t *pte, vaddr_t page,
		    bool write, bool exec, bool force)
{
	struct file_view v;
	view_take(vm, r, &v);
	bool present = mmu_pte_present(*pte);
	spin_unlock(&vm->lock);
	int e = present ? shared_write(vm, &v, pte, page) :
			  file_fault(vm, &v, pte, page, write, exec, force);
	inode_put(v.file);
	return e;
}

/*
 * The fault with the big lock: everything the nolock fault leaves. The
 * vm lock is held from the lookup to the change of the entry, and let go
 * before what may sleep. force: a write to a private read-only region
 * (vm_access's FOLL_FORCE) lands in a private copy.
 */
static int
fault_locked(struct vm *vm, vaddr_t va, bool write, bool exec, bool force)
{
	BKL_ASSERT_HELD();
	spin_lock(&vm->lock);
	struct region *r = vm_find(vm, va);
	if (!r)
		r = grow_down(vm, va);
	unsigned rprot = r ? fault_prot(r, force) : 0;
	vaddr_t page = va & ~(PAGE_SIZE - 1);
	pte_t *pte = NULL;
	int e = -EFAULT;
	if (r && access_ok(rprot, write, exec)) {
		pte = mmu_pte(vm->root, page, true);
		e = pte ? 0 : -ENOMEM;
	}
	if (!pte) {
		spin_unlock(&vm->lock);
		return e;
	}
	unsigned prot = mmu_prot(rprot);
	if (r->io_base) {	/* device memory: mapped as it is */
		*pte = mmu_pte_make(r->io_base + (page - r->start), prot | MMU_IO);
		mmu_flush(vm->root, page);
	} else if (mmu_pte_present(*pte)) {
		if (exec_by_turns(pte, exec))
			make_executable(vm, pte, page, rprot);
		else if (!write || (mmu_pte_prot(*pte) & MMU_WRITE))
			mmu_flush(vm->root, page);	/* stale TLB entry */
		else if (!(r->flags & MAP_SHARED))
			e = cow(vm, pte, page, prot, proc_privileged());
		else	/* a shared file mapping: the file hears first */
			return file_fault_unlocked(vm, r, pte, page, write,
						   exec, force);
	} else if (r->flags & VM_UFFD_POISON) {
		e = -EIO;	/* poisoned by userfaultfd: SIGBUS */
	} else if ((r->flags & VM_UFFD_MISSING) && !r->file) {
		/* A missing page userfaultfd watches: its handler provides
		   it. The big lock keeps r->uffd until it is taken. */
		struct uffd *u = r->uffd;
		spin_unlock(&vm->lock);
		return uffd_fault(u, va, write);
	} else if (!r->file) {
		e = anon_fill(vm, pte, prot, proc_privileged());
	} else {
		return file_fault_unlocked(vm, r, pte, page, write, exec,
					   force);
	}
	spin_unlock(&vm->lock);
	return e;
}

int
vm_fault(struct vm *vm, vaddr_t va, bool write, bool exec)
{
	return fault_locked(vm, va, write, exec, false);
}

int
vm_fault_forced(struct vm *vm, vaddr_t va, bool write)
{
	return fault_locked(vm, va, write, false, true);
}

int
vm_install_page(struct vm *vm, vaddr_t va, paddr_t pa)
{
	VM_ASSERT_LOCKED(vm);
	struct region *r = vm_find(vm, va);
	if (!r || r->file || r->io_base || (r->flags & MAP_SHARED))
		return -ENOENT;
	pte_t *pte = mmu_pte(vm->root, va, true);
	if (!pte)
		return -ENOMEM;
	if (mmu_pte_present(*pte))
		return -EEXIST;
	page_set_anon(pa);
	*pte = user_pte(pa, mmu_prot(r->prot));
	vm_page_added(vm);
	return 0;
}
