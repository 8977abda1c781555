/*
 * Memory locking: mlock, mlock2, munlock, mlockall, munlockall. Petrel
 * never pages memory out, so every page is as good as locked: the calls
 * check their arguments as Linux does (a range must be wholly mapped,
 * else ENOMEM) and then have nothing to do. RLIMIT_MEMLOCK is not
 * counted against.
 */
#include <kernel/proc.h>
#include <kernel/vm.h>
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
	return p->rlimits[RLIMIT_MEMLOCK][0] != 0 || p->euid == 0;
}

/* 0 if [addr, addr + len), widened to pages, is mapped throughout. */
static long
range_mapped(uint64_t addr, size_t len)
{
	uint64_t start = addr & ~(uint64_t)(PAGE_SIZE - 1);
	uint64_t end = (addr + len + PAGE_SIZE - 1) & ~(uint64_t)(PAGE_SIZE - 1);
	if (end < start || addr + len < addr)
		return -EINVAL;
	struct vm *vm = current()->proc->vm;
	while (start < end) {
		struct region *r = vm_find(vm, start);
		if (!r)
			return -ENOMEM;
		start = r->end;
	}
	return 0;
}

long
sys_mlock(uint64_t addr, size_t len)
{
	if (!can_mlock())
		return -EPERM;
	return range_mapped(addr, len);
}

long
sys_mlock2(uint64_t addr, size_t len, int flags)
{
	if (flags & ~MLOCK_ONFAULT)
		return -EINVAL;
	return sys_mlock(addr, len);
}

long
sys_munlock(uint64_t addr, size_t len)
{
	return range_mapped(addr, len);
}

long
sys_mlockall(int flags)
{
	if (!flags || (flags & ~(MCL_CURRENT | MCL_FUTURE | MCL_ONFAULT)) ||
	    flags == MCL_ONFAULT)
		return -EINVAL;
	return can_mlock() ? 0 : -EPERM;
}

long
sys_munlockall(void)
{
	return 0;
}
