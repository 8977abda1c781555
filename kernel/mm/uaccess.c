/*
 * Access to user memory beyond copyin/copyout (which are inline in
 * kernel/vm.h): strings and zeroing.
 */
#include <kernel/vm.h>
#include <kernel/page.h>
#include <kernel/sched.h>
#include <kernel/spinlock.h>
#include <kernel/string.h>

/*
 * A thread may touch user memory while it holds the big lock, or in a
 * nolock system call: a fault in the copy takes the lock in the trap
 * handler, and nothing frees a page the copy may still reach through a
 * stale TLB entry before the shootdown has reached this CPU, which takes
 * it only once the call is over (interrupts are off in it). No spinlock
 * may be held: the fault's big lock would wait on a CPU that may spin for
 * it.
 */
bool
uaccess_lock_ok(void)
{
	/* Never under a spinlock: the fault would take the big lock. */
	return (bkl_held() || current()->unlocked_call) && spin_none_held();
}

int
user_zero(uint64_t udst, size_t n)
{
	KASSERT(uaccess_lock_ok());
	if (!user_range_ok(udst, n))
		return -EFAULT;
	return (int)arch_zero_user((void *)udst, n);
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

int
copy_struct_in(void *dst, size_t known, uint64_t usrc, size_t size)
{
	memset(dst, 0, known);
	if (copyin(dst, usrc, MIN(known, size)) < 0)
		return -EFAULT;
	for (size_t off = known; off < size; off++) {
		uint8_t byte;
		if (copyin(&byte, usrc + off, 1) < 0)
			return -EFAULT;
		if (byte)
			return -E2BIG;
	}
	return 0;
}
