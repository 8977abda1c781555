/*
 * The LSM calls of Linux 6.8 (lsm_list_modules, lsm_get_self_attr,
 * lsm_set_self_attr), answered as a kernel whose security modules are
 * "capability", which every Linux kernel has, and "landlock"
 * (landlock.c): none of the process attributes these calls read and
 * write (SELinux's, AppArmor's, Smack's) exists, so they are EOPNOTSUPP
 * after Linux's checks of the arguments.
 */
#include <kernel/proc.h>
#include <kernel/syscall.h>
#include <syscall_table.h>
#include <kernel/errno.h>
#include <kernel/vm.h>

#define LSM_ID_CAPABILITY 100
#define LSM_ID_LANDLOCK 110
#define LSM_ATTR_UNDEF 0
#define LSM_ID_UNDEF 0
#define LSM_FLAG_SINGLE 1

static const uint64_t lsm_ids[] = { LSM_ID_CAPABILITY, LSM_ID_LANDLOCK };

/* Linux's struct lsm_ctx, without its context bytes. */
struct lsm_ctx_k {
	uint64_t id, flags, len, ctx_len;
};

/* Writes the size the ids take to *usize, then the ids if it was
 * enough (E2BIG otherwise); returns how many. */
long
sys_lsm_list_modules(uaddr_t uids, uaddr_t usize, unsigned flags)
{
	uint32_t size, total = sizeof(lsm_ids);
	if (flags)
		return -EINVAL;
	if (copyin(&size, usize, sizeof(size)) < 0 ||
	    copyout(usize, &total, sizeof(total)) < 0)
		return -EFAULT;
	if (size < total)
		return -E2BIG;
	if (copyout(uids, lsm_ids, sizeof(lsm_ids)) < 0)
		return -EFAULT;
	return ARRAY_SIZE(lsm_ids);
}

/* Linux's security_getselfattr with no module giving the attribute: the
 * size written back is 0. */
long
sys_lsm_get_self_attr(unsigned attr, uaddr_t uctx, uaddr_t usize, unsigned flags)
{
	uint32_t size, total = 0;
	if (attr == LSM_ATTR_UNDEF || (flags & ~LSM_FLAG_SINGLE) || !usize)
		return -EINVAL;
	if (copyin(&size, usize, sizeof(size)) < 0)
		return -EFAULT;
	if (flags) {	/* one module's: which must be named */
		struct lsm_ctx_k ctx;
		if (!uctx)
			return -EINVAL;
		if (copyin(&ctx, uctx, sizeof(ctx)) < 0)
			return -EFAULT;
		if (ctx.id == LSM_ID_UNDEF)
			return -EINVAL;
	}
	if (copyout(usize, &total, sizeof(total)) < 0)
		return -EFAULT;
	return -EOPNOTSUPP;
}

/* Linux's security_setselfattr: the context is checked whole, then no
 * module takes it. */
long
sys_lsm_set_self_attr(unsigned attr, uaddr_t uctx, uint32_t size, unsigned flags)
{
	struct lsm_ctx_k ctx;
	(void)attr;
	if (flags || size < sizeof(ctx))
		return -EINVAL;
	if (size > PAGE_SIZE)
		return -E2BIG;
	if (copyin(&ctx, uctx, sizeof(ctx)) < 0)
		return -EFAULT;
	if (size < ctx.len || size < ctx.ctx_len + sizeof(ctx) ||
	    ctx.len < ctx.ctx_len + sizeof(ctx))
		return -EINVAL;
	return -EOPNOTSUPP;
}
