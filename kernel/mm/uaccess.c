/*
 * copyin/copyout: the only way the kernel touches user memory. Each page of
 * the range is checked against the current address space (and faulted in)
 * first, so the copy itself cannot fault; SMAP is lifted only for the copy.
 */
#include <kernel/vm.h>
#include <kernel/mmu.h>
#include <kernel/proc.h>
#include <kernel/errno.h>
#include <kernel/string.h>
#include <arch/mmu.h>

void arch_user_access_begin(void);
void arch_user_access_end(void);

/* Makes every page of [uaddr, uaddr+n) present with the access wanted. */
static int
prepare(uint64_t uaddr, size_t n, bool write)
{
	struct vm *vm = current()->proc->vm;
	if (n == 0)
		return 0;
	if (uaddr >= USER_TOP || n > USER_TOP - uaddr)
		return -EFAULT;
	for (uint64_t page = uaddr & ~(PAGE_SIZE - 1); page < uaddr + n;
	     page += PAGE_SIZE) {
		pte_t *pte = mmu_pte(vm->root, page, false);
		if (pte && mmu_pte_present(*pte)) {
			unsigned p = mmu_pte_prot(*pte);
			if ((p & MMU_USER) && (!write || (p & MMU_WRITE)))
				continue;
		}
		if (vm_fault(vm, page, write, false) < 0)
			return -EFAULT;
	}
	return 0;
}

int
copyin(void *dst, uint64_t usrc, size_t n)
{
	if (prepare(usrc, n, false) < 0)
		return -EFAULT;
	arch_user_access_begin();
	memcpy(dst, (const void *)usrc, n);
	arch_user_access_end();
	return 0;
}

int
copyout(uint64_t udst, const void *src, size_t n)
{
	if (prepare(udst, n, true) < 0)
		return -EFAULT;
	arch_user_access_begin();
	memcpy((void *)udst, src, n);
	arch_user_access_end();
	return 0;
}

int
user_zero(uint64_t udst, size_t n)
{
	if (prepare(udst, n, true) < 0)
		return -EFAULT;
	arch_user_access_begin();
	memset((void *)udst, 0, n);
	arch_user_access_end();
	return 0;
}

long
copyinstr(char *dst, uint64_t usrc, size_t max)
{
	size_t i = 0;
	while (i < max) {
		/* Check up to the end of the page, then copy byte by byte. */
		size_t chunk = PAGE_SIZE - ((usrc + i) & (PAGE_SIZE - 1));
		chunk = MIN(chunk, max - i);
		if (prepare(usrc + i, chunk, false) < 0)
			return -EFAULT;
		arch_user_access_begin();
		for (size_t k = 0; k < chunk; k++, i++) {
			dst[i] = ((const char *)usrc)[i];
			if (dst[i] == 0) {
				arch_user_access_end();
				return (long)i;
			}
		}
		arch_user_access_end();
	}
	return -ENAMETOOLONG;
}
