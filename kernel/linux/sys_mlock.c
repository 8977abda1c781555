/*
 * Memory locking: mlock, mlock2, munlock, mlockall, munlockall, and
 * mincore. Petrel never pages memory out, so every page is as good as
 * locked; what locking does is Linux's visible part: the range is marked
 * (VmLck in /proc/PID/status, "Locked" in smaps), its pages are faulted
 * in unless MLOCK_ONFAULT, and RLIMIT_MEMLOCK bounds what an
 * unprivileged process may lock.
 */
#include <kernel/proc.h>
#include <kernel/vm.h>
#include <kernel/vfs.h>
#include <kernel/mmu.h>
#include <kernel/kmalloc.h>
#include <arch/mmu.h>
#include <kernel/syscall.h>
#include <syscall_table.h>
#include <kernel/errno.h>

#define MLOCK_ONFAULT 0x01
#define MCL_CURRENT 1
#define MCL_FUTURE 2
#define MCL_ONFAULT 4
#define RLIMIT_MEMLOCK 8

/* Linux's can_do_mlock: a non-zero RLIMIT_MEMLOCK, or CAP_IPC_LOCK. */
static bool
can_mlock(void)
{
	struct proc *p = current()->proc;
	return p->rlimits[RLIMIT_MEMLOCK][0] != 0 || capable(CAP_IPC_LOCK);
}

/* The range [addr, addr + len) widened to pages; -EINVAL if it wraps. */
static long
page_range(uint64_t addr, size_t len, vaddr_t *start, vaddr_t *end)
{
	*start = addr & ~(uint64_t)(PAGE_SIZE - 1);
	*end = (addr + len + PAGE_SIZE - 1) & ~(uint64_t)(PAGE_SIZE - 1);
	if (*end < *start || addr + len < addr)
		return -EINVAL;
	return 0;
}

/*
 * Linux's do_mlock limit: what would be locked afterwards (those already
 * locked in the range counted once) within RLIMIT_MEMLOCK, unless
 * CAP_IPC_LOCK.
 */
static bool
within_limit(struct vm *vm, vaddr_t start, vaddr_t end)
{
	struct proc *p = current()->proc;
	uint64_t locked = vm_locked_bytes(vm, 0, USER_TOP) + (end - start) -
			  vm_locked_bytes(vm, start, end);
	uint64_t limit = p->rlimits[RLIMIT_MEMLOCK][0] & ~(PAGE_SIZE - 1);
	return capable(CAP_IPC_LOCK) || locked <= limit;
}

static long
do_mlock(uint64_t addr, size_t len, bool onfault)
{
	struct vm *vm = current()->proc->vm;
	vaddr_t start, end;
	if (!can_mlock())
		return -EPERM;
	long e = page_range(addr, len, &start, &end);
	if (e < 0)
		return e;
	if (!within_limit(vm, start, end))
		return -ENOMEM;
	return vm_lock_range(vm, start, end, true, onfault);
}

long
sys_mlock(uint64_t addr, size_t len)
{
	return do_mlock(addr, len, false);
}

long
sys_mlock2(uint64_t addr, size_t len, int flags)
{
	if (flags & ~MLOCK_ONFAULT)
		return -EINVAL;
	return do_mlock(addr, len, flags & MLOCK_ONFAULT);
}

long
sys_munlock(uint64_t addr, size_t len)
{
	vaddr_t start, end;
	long e = page_range(addr, len, &start, &end);
	if (e < 0)
		return e;
	return vm_lock_range(current()->proc->vm, start, end, false, false);
}

/* Every region of vm locked or unlocked; the mapped ranges only. What
   cannot be faulted in is left to later faults, as Linux's mlockall does;
   a SIGKILL ends it. */
static void
lock_all(struct vm *vm, bool lock, bool onfault)
{
	vaddr_t va = 0;
	while (!fatal_signal_pending(current())) {
		struct region *next = NULL;
		list_for_each(it, &vm->regions) {
			struct region *r = list_entry(it, struct region, link);
			if (r->start >= va && (!next || r->start < next->start))
				next = r;
		}
		if (!next)
			return;
		va = next->end;
		vm_lock_range(vm, next->start, next->end, lock, onfault);
	}
}

long
sys_mlockall(int flags)
{
	struct vm *vm = current()->proc->vm;
	if (!flags || (flags & ~(MCL_CURRENT | MCL_FUTURE | MCL_ONFAULT)) ||
	    flags == MCL_ONFAULT)
		return -EINVAL;
	if (!can_mlock())
		return -EPERM;
	/* Linux's rule: all that is mapped within RLIMIT_MEMLOCK. */
	struct proc *p = current()->proc;
	if ((flags & MCL_CURRENT) && !capable(CAP_IPC_LOCK) &&
	    vm->mapped > p->rlimits[RLIMIT_MEMLOCK][0])
		return -ENOMEM;
	vm->lock_future = flags & MCL_FUTURE;
	vm->lock_future_onfault = flags & MCL_ONFAULT;
	if (flags & MCL_CURRENT)
		lock_all(vm, true, flags & MCL_ONFAULT);
	return 0;
}

long
sys_munlockall(void)
{
	struct vm *vm = current()->proc->vm;
	vm->lock_future = false;
	lock_all(vm, false, false);
	return 0;
}

/* Whether the page at va is in memory: mapped here, or held by the file
   (or shared memory) the region maps, as Linux asks the page cache. */
static unsigned char
page_resident(struct vm *vm, struct region *r, vaddr_t va)
{
	pte_t *pte = mmu_pte(vm->root, va, false);
	if (pte && mmu_pte_present(*pte))
		return 1;
	if (!r->file || !r->file->iops->getpage)
		return 0;
	uint64_t off = r->file_off + (va - r->start);
	if (off >= ALIGN_UP(r->file->size, PAGE_SIZE))
		return 0;
	return r->file->iops->getpage(r->file, off, false) != 0;
}

/*
 * mincore: a byte per page of [addr, addr + len), bit 0 set when it is
 * in memory. EINVAL for an unaligned addr, ENOMEM where nothing is
 * mapped, EFAULT for vec.
 */
long
sys_mincore(uint64_t addr, size_t len, uaddr_t vec)
{
	struct vm *vm = current()->proc->vm;
	if (addr & (PAGE_SIZE - 1))
		return -EINVAL;
	uint64_t pages = (len + PAGE_SIZE - 1) / PAGE_SIZE;
	if (addr + pages * PAGE_SIZE < addr || addr + pages * PAGE_SIZE > USER_TOP)
		return -ENOMEM;
	unsigned char buf[64];
	for (uint64_t done = 0; done < pages;) {
		size_t n = MIN(pages - done, sizeof(buf));
		for (size_t i = 0; i < n; i++) {
			vaddr_t va = addr + (done + i) * PAGE_SIZE;
			struct region *r = vm_find(vm, va);
			if (!r)
				return -ENOMEM;
			buf[i] = page_resident(vm, r, va);
		}
		if (copyout(vec + done, buf, n) < 0)
			return -EFAULT;
		done += n;
	}
	return 0;
}
