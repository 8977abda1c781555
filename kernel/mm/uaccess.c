/*
 * copyin/copyout: the only way the kernel touches user memory. The range
 * must lie below USER_TOP; the copy runs at the user address, a fault in it
 * is handled as the process's own, and one that cannot be resolved ends
 * the copy with -EFAULT. SMAP is lifted only for the copy.
 */
#include <kernel/vm.h>
#include <kernel/mmu.h>
#include <kernel/proc.h>
#include <kernel/errno.h>
#include <kernel/string.h>
#include <arch/mmu.h>
#include <arch/cpu.h>


long arch_copy_user(void *dst, const void *src, size_t n);
long arch_zero_user(void *dst, size_t n);

static bool
user_range_ok(uint64_t uaddr, size_t n)
{
	return uaddr < USER_TOP && n <= USER_TOP - uaddr;
}

/*
 * The copies run straight at the user addresses: a page that is absent is
 * faulted in by the page-fault handler as for the process itself, and one
 * the process may not touch ends the copy with -EFAULT (arch fixup).
 */
int
copyin(void *dst, uint64_t usrc, size_t n)
{
	if (!user_range_ok(usrc, n))
		return -EFAULT;
	arch_user_access_begin();
	long r = arch_copy_user(dst, (const void *)usrc, n);
	arch_user_access_end();
	return (int)r;
}

int
copyout(uint64_t udst, const void *src, size_t n)
{
	if (!user_range_ok(udst, n))
		return -EFAULT;
	arch_user_access_begin();
	long r = arch_copy_user((void *)udst, src, n);
	arch_user_access_end();
	return (int)r;
}

int
user_zero(uint64_t udst, size_t n)
{
	if (!user_range_ok(udst, n))
		return -EFAULT;
	arch_user_access_begin();
	long r = arch_zero_user((void *)udst, n);
	arch_user_access_end();
	return (int)r;
}

long
copyinstr(char *dst, uint64_t usrc, size_t max)
{
	size_t i = 0;
	while (i < max) {
		/* Whole pieces up to a page end: the page is the process's own. */
		size_t chunk = PAGE_SIZE - ((usrc + i) & (PAGE_SIZE - 1));
		chunk = MIN(chunk, max - i);
		if (copyin(dst + i, usrc + i, chunk) < 0)
			return -EFAULT;
		for (size_t end = i + chunk; i < end; i++)
			if (dst[i] == 0)
				return (long)i;
	}
	return -ENAMETOOLONG;
}
