/*
 * The LSM calls of Linux 6.8: lsm_list_modules writes the size the ids
 * take and the ids ("capability", 100, among them; E2BIG when the size
 * given is short, EINVAL for flags, EFAULT); lsm_get_self_attr and
 * lsm_set_self_attr check their arguments as Linux (EINVAL, E2BIG,
 * EFAULT) and find no attribute of the capability module (EOPNOTSUPP).
 * Which other modules there are differs between kernels, so it is not
 * printed.
 */
#include "abi.h"

#include <stdint.h>
#include <sys/syscall.h>

#define SYS_lsm_get_self_attr_ 459
#define SYS_lsm_set_self_attr_ 460
#define SYS_lsm_list_modules_ 461
#define LSM_ID_CAPABILITY 100
#define LSM_ATTR_CURRENT 100
#define LSM_FLAG_SINGLE 1

struct lsm_ctx {
	uint64_t id, flags, len, ctx_len;
	char ctx[8];
};

static void
list(void)
{
	uint64_t ids[32];
	uint32_t size = sizeof(ids);
	long n = syscall(SYS_lsm_list_modules_, ids, &size, 0);
	int capability = 0;
	for (long i = 0; i < n; i++)
		capability |= ids[i] == LSM_ID_CAPABILITY;
	CHECK("some modules, capability one", n >= 1 && capability);
	CHECK("the size written", size == n * sizeof(ids[0]));
	uint32_t small = 0;
	CHECK_ERR("size 0", syscall(SYS_lsm_list_modules_, ids, &small, 0), E2BIG);
	CHECK("the size needed written", small == n * sizeof(ids[0]));
	size = sizeof(ids);
	CHECK_ERR("flags", syscall(SYS_lsm_list_modules_, ids, &size, 1), EINVAL);
	CHECK_ERR("no size", syscall(SYS_lsm_list_modules_, ids, NULL, 0), EFAULT);
	CHECK_ERR("no ids", syscall(SYS_lsm_list_modules_, NULL, &size, 0), EFAULT);
}

static void
get_attr(void)
{
	struct lsm_ctx ctx = { 0 };
	uint32_t size = sizeof(ctx);
	CHECK_ERR("get: attribute 0", syscall(SYS_lsm_get_self_attr_, 0, &ctx,
					      &size, 0), EINVAL);
	CHECK_ERR("get: flags", syscall(SYS_lsm_get_self_attr_, LSM_ATTR_CURRENT,
					&ctx, &size, 2), EINVAL);
	CHECK_ERR("get: no size", syscall(SYS_lsm_get_self_attr_,
					  LSM_ATTR_CURRENT, &ctx, NULL, 0), EINVAL);
	CHECK_ERR("get: one module, no context",
		  syscall(SYS_lsm_get_self_attr_, LSM_ATTR_CURRENT, NULL, &size,
			  LSM_FLAG_SINGLE), EINVAL);
	CHECK_ERR("get: one module, none named",
		  syscall(SYS_lsm_get_self_attr_, LSM_ATTR_CURRENT, &ctx, &size,
			  LSM_FLAG_SINGLE), EINVAL);
	ctx.id = LSM_ID_CAPABILITY;
	CHECK_ERR("get: capability's", syscall(SYS_lsm_get_self_attr_,
					       LSM_ATTR_CURRENT, &ctx, &size,
					       LSM_FLAG_SINGLE), EOPNOTSUPP);
	CHECK_EQ("its size", size, 0);
}

static void
set_attr(void)
{
	struct lsm_ctx ctx = { LSM_ID_CAPABILITY, 0, sizeof(ctx), 8, "x" };
	CHECK_ERR("set: flags", syscall(SYS_lsm_set_self_attr_, LSM_ATTR_CURRENT,
					&ctx, sizeof(ctx), 1), EINVAL);
	CHECK_ERR("set: size 8", syscall(SYS_lsm_set_self_attr_, LSM_ATTR_CURRENT,
					 &ctx, 8, 0), EINVAL);
	CHECK_ERR("set: size 8192", syscall(SYS_lsm_set_self_attr_,
					    LSM_ATTR_CURRENT, &ctx, 8192, 0),
		  E2BIG);
	CHECK_ERR("set: unreadable", syscall(SYS_lsm_set_self_attr_,
					     LSM_ATTR_CURRENT, 8, sizeof(ctx), 0),
		  EFAULT);
	ctx.ctx_len = 64;
	CHECK_ERR("set: context past its length", syscall(SYS_lsm_set_self_attr_,
		  LSM_ATTR_CURRENT, &ctx, sizeof(ctx), 0), EINVAL);
	ctx.ctx_len = 8;
	CHECK_ERR("set: capability's", syscall(SYS_lsm_set_self_attr_,
		  LSM_ATTR_CURRENT, &ctx, sizeof(ctx), 0), EOPNOTSUPP);
}

int
main(void)
{
	abi_init();
	list();
	get_attr();
	set_attr();
	return abi_done("lsm");
}
