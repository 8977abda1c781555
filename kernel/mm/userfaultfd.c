/*
 * userfaultfd's faults: a thread that touches a missing page of memory
 * registered with a userfaultfd queues a fault and sleeps (killably)
 * until the handler fills the page (uffd_fill), wakes it (uffd_wake) or
 * closes the descriptor. The descriptor itself is
 * kernel/linux/sys_userfaultfd.c's.
 *
 * Petrel has Linux's MISSING mode on private anonymous memory, with
 * COPY, ZEROPAGE, WAKE, POISON and MOVE; write
 * protection, minor faults (shmem) and the fork, remap and
 * remove events are refused as by a kernel built without them.
 */
#include <kernel/userfaultfd.h>
#include <kernel/proc.h>
#include <kernel/vm.h>
#include <kernel/vfs.h>
#include <kernel/page.h>
#include <kernel/mmu.h>
#include <kernel/kmalloc.h>
#include <kernel/refcount.h>
#include <kernel/string.h>
#include <kernel/errno.h>

/* A thread waiting for its page, on its own stack. */
struct uffd_fault {
	struct list link;		/* ctx->faults */
	uint64_t address;
	bool write;
	int tid;
	bool reported;			/* read by the handler */
	bool woken;
};

struct uffd *
uffd_new(struct vm *vm)
{
	struct uffd *ctx = kzalloc(sizeof(*ctx));
	if (!ctx)
		return NULL;
	ctx->refcount = 1;
	ctx->vm = vm;
	ref_get(&vm->refcount);
	list_init(&ctx->faults);
	waitq_init(&ctx->fault_wq);
	waitq_init(&ctx->read_wq);
	return ctx;
}

static void
uffd_put(struct uffd *ctx)
{
	if (!ref_put(&ctx->refcount))
		return;
	vm_put(ctx->vm);
	kfree(ctx);
}

void
uffd_release(struct uffd *ctx)
{
	spin_lock(&ctx->vm->lock);
	list_for_each(it, &ctx->vm->regions) {
		struct region *r = list_entry(it, struct region, link);
		if (r->uffd == ctx) {
			r->uffd = NULL;
			r->flags &= ~VM_UFFD_MISSING;
		}
	}
	spin_unlock(&ctx->vm->lock);
	ctx->released = true;
	ctx->file = NULL;
	waitq_wake_all(&ctx->fault_wq);
	waitq_wake_all(&ctx->read_wq);
	uffd_put(ctx);
}

int
uffd_fault(struct uffd *ctx, uint64_t va, bool write)
{
	if (ctx->features & UFFD_FEATURE_SIGBUS)
		return -EIO;
	struct uffd_fault w = {
		.address = va, .write = write, .tid = current()->tid,
	};
	ref_get(&ctx->refcount);
	list_push_back(&ctx->faults, &w.link);
	waitq_wake_all(&ctx->read_wq);
	if (ctx->file)
		file_notify(ctx->file);
	int e = 0;
	while (!w.woken && !ctx->released && e == 0)
		e = waitq_wait_killable(&ctx->fault_wq, NULL);
	list_remove(&w.link);
	uffd_put(ctx);
	return e ? -EFAULT : 0;
}

void
uffd_wake(struct uffd *ctx, uint64_t start, uint64_t len)
{
	bool any = false;
	list_for_each(it, &ctx->faults) {
		struct uffd_fault *w = list_entry(it, struct uffd_fault, link);
		if (w->address >= start && w->address - start < len) {
			w->woken = true;
			any = true;
		}
	}
	if (any)
		waitq_wake_all(&ctx->fault_wq);
}

bool
uffd_next_msg(struct uffd *ctx, struct uffd_msg *m, bool peek)
{
	struct uffd_fault *w = NULL;
	list_for_each(it, &ctx->faults) {
		w = list_entry(it, struct uffd_fault, link);
		if (!w->reported)
			break;
		w = NULL;
	}
	if (!w || peek)
		return w != NULL;
	memset(m, 0, sizeof(*m));
	m->event = UFFD_EVENT_PAGEFAULT;
	m->flags = w->write ? UFFD_PAGEFAULT_FLAG_WRITE : 0;
	m->address = ctx->features & UFFD_FEATURE_EXACT_ADDRESS ?
		     w->address : w->address & ~(uint64_t)(PAGE_SIZE - 1);
	if (ctx->features & UFFD_FEATURE_THREAD_ID)
		m->ptid = (uint32_t)w->tid;
	w->reported = true;
	return true;
}

long
uffd_check_range(uint64_t start, uint64_t len)
{
	if ((start | len) & (PAGE_SIZE - 1) || !len || start < PAGE_SIZE ||
	    start >= USER_TOP || len > USER_TOP - start)
		return -EINVAL;
	return 0;
}

/* The regions of [start, end) may be registered with ctx. */
static long
check_regions(struct uffd *ctx, uint64_t start, uint64_t end)
{
	bool any = false;
	list_for_each(it, &ctx->vm->regions) {
		struct region *r = list_entry(it, struct region, link);
		if (r->end <= start || r->start >= end)
			continue;
		if (r->file || r->io_base || (r->flags & MAP_SHARED))
			return -EINVAL;
		if (r->uffd && r->uffd != ctx)
			return -EBUSY;
		any = true;
	}
	return any ? 0 : -EINVAL;
}

long
uffd_register(struct uffd *ctx, uint64_t start, uint64_t len, bool on)
{
	long e = uffd_check_range(start, len);
	uint64_t end = start + len;
	if (e == 0)
		e = check_regions(ctx, start, end);
	if (e < 0)
		return e;
	if (vm_set_flag(ctx->vm, start, end, VM_UFFD_MISSING, on) < 0)
		return -ENOMEM;
	spin_lock(&ctx->vm->lock);
	list_for_each(it, &ctx->vm->regions) {
		struct region *r = list_entry(it, struct region, link);
		if (r->start >= start && r->end <= end)
			r->uffd = on ? ctx : NULL;
	}
	spin_unlock(&ctx->vm->lock);
	vm_merge(ctx->vm, start, end);	/* now that they agree */
	if (!on)
		uffd_wake(ctx, start, len);
	return 0;
}

int64_t
uffd_poison(struct uffd *ctx, uint64_t start, uint64_t len)
{
	uint64_t done = 0;
	int e = 0;
	for (; done < len; done += PAGE_SIZE) {
		struct region *r = vm_find(ctx->vm, start + done);
		pte_t *pte = mmu_pte(ctx->vm->root, start + done, false);
		e = !r || r->uffd != ctx ? -ENOENT :
		    pte && mmu_pte_present(*pte) ? -EEXIST : 0;
		if (e < 0)
			break;
	}
	if (done && vm_set_flag(ctx->vm, start, start + done, VM_UFFD_POISON,
				true) < 0)
		return -ENOMEM;
	return done ? (int64_t)done : e;
}

/* Moves the page at src to dst, or skips a hole there if holes_ok. vm
 * lock held: src's owner may fault there meanwhile. */
static int
move_page(struct uffd *ctx, uint64_t dst, uint64_t src, bool holes_ok)
{
	struct vm *vm = ctx->vm;
	struct region *d = vm_find(vm, dst), *s = vm_find(vm, src);
	if (!d || d->uffd != ctx || !s)
		return -ENOENT;
	if (s->file || s->io_base || (s->flags & MAP_SHARED))
		return -EINVAL;
	pte_t *dpte = mmu_pte(vm->root, dst, false);
	if (dpte && mmu_pte_present(*dpte))
		return -EEXIST;
	pte_t *spte = mmu_pte(vm->root, src, false);
	if (!spte || !mmu_pte_present(*spte))
		return holes_ok ? 0 : -ENOENT;
	paddr_t pa = mmu_pte_addr(*spte);
	if (!page_is_anon(pa) || page_refcount(pa) != 1)
		return -EBUSY;	/* a fork's child shares it */
	page_get(pa);
	vm_unmap_pages(vm, src, src + PAGE_SIZE);
	int e = vm_install_page(vm, dst, pa);
	if (e < 0)
		page_put(pa);
	return e;
}

int64_t
uffd_move(struct uffd *ctx, uint64_t dst, uint64_t src, uint64_t len,
	  bool src_holes)
{
	uint64_t done = 0;
	int e = 0;
	for (; done < len; done += PAGE_SIZE) {
		spin_lock(&ctx->vm->lock);
		e = move_page(ctx, dst + done, src + done, src_holes);
		spin_unlock(&ctx->vm->lock);
		if (e < 0)
			break;
	}
	return done ? (int64_t)done : e;
}

int64_t
uffd_fill(struct uffd *ctx, uint64_t dst, uint64_t src, uint64_t len)
{
	uint64_t done = 0;
	int e = 0;
	while (done < len) {
		struct region *r = vm_find(ctx->vm, dst + done);
		if (!r || r->uffd != ctx) {
			e = -ENOENT;
			break;
		}
		paddr_t pa = page_alloc_user(proc_privileged());	/* zeroed */
		if (!pa) {
			e = -ENOMEM;
			break;
		}
		if (src && copyin(phys_to_virt(pa), src + done, PAGE_SIZE) < 0)
			e = -EFAULT;
		if (e == 0) {
			spin_lock(&ctx->vm->lock);
			e = vm_install_page(ctx->vm, dst + done, pa);
			spin_unlock(&ctx->vm->lock);
		}
		if (e < 0) {
			page_put(pa);
			break;
		}
		done += PAGE_SIZE;
	}
	return done ? (int64_t)done : e;
}
