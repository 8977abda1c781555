/*
 * Access to user memory beyond copyin/copyout (which are inline in
 * kernel/vm.h): strings and zeroing.
 */
#include <kernel/vm.h>
#include <kernel/page.h>

int
user_zero(uint64_t udst, size_t n)
{
	BKL_ASSERT_HELD();
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
