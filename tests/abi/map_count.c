/*
 * vm.max_map_count bounds the regions (mappings) of an address space, as
 * Linux counts them: mmap of three-page regions with a page between them
 * runs until ENOMEM at the limit (LTP munmap04's way); then an munmap or
 * mprotect that splits a region in the middle is ENOMEM, an munmap of a
 * region's first page (a split and a removal: no more regions) and of
 * whole regions succeed, and once below the limit a split does too.
 * Tens of thousands of regions also show that finding one is not linear:
 * the guest's tree makes this take seconds, not minutes.
 */
#include "abi.h"

#include <stdint.h>
#include <sys/mman.h>

#define PAGE 4096UL
#define STEP (4 * PAGE)		/* a region of 3 pages, a page of gap */

static long
read_limit(void)
{
	char buf[32] = { 0 };
	int fd = open("/proc/sys/vm/max_map_count", O_RDONLY);
	if (fd < 0 || read(fd, buf, sizeof(buf) - 1) <= 0)
		return -1;
	close(fd);
	return atol(buf);
}

int
main(void)
{
	abi_init();
	alarm(ABI_WATCHDOG * 4);	/* 65,530 mmaps under TCG */
	long limit = read_limit();
	CHECK("max_map_count read", limit >= 1000 && limit <= 1000000);
	if (limit < 1000 || limit > 1000000)
		return abi_done("map_count");

	/* A range free for all of them: reserved, then given back. */
	size_t span = (size_t)(limit + 16) * STEP;
	char *base = mmap(NULL, span, PROT_NONE,
			  MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	CHECK("reserve", base != MAP_FAILED);
	if (base == MAP_FAILED)
		return abi_done("map_count");
	munmap(base, span);

	long n = 0;
	int err = 0;
	for (; (size_t)n * STEP < span; n++) {
		void *p = mmap(base + n * STEP, 3 * PAGE, PROT_READ,
			       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE,
			       -1, 0);
		if (p == MAP_FAILED) {
			err = errno;
			break;
		}
	}
	CHECK_STR("mmap at the limit", errno_name(err), "ENOMEM");
	CHECK("most of the limit mapped", n > limit - 200 && n <= limit);

	char *r0 = base, *r1 = base + STEP, *r2 = base + 2 * STEP;
	char *r3 = base + 3 * STEP;
	CHECK_ERR("munmap in a region's middle", munmap(r2 + PAGE, PAGE),
		  ENOMEM);
	CHECK_ERR("mprotect in a region's middle",
		  mprotect(r2 + PAGE, PAGE, PROT_NONE), ENOMEM);
	CHECK_ERR("mprotect of a region's first page",
		  mprotect(r2, PAGE, PROT_NONE), ENOMEM);
	CHECK_EQ("mprotect of a whole region", mprotect(r2, 3 * PAGE,
							PROT_READ | PROT_WRITE), 0);
	r2[PAGE] = 1;
	CHECK_EQ("munmap of a region's first page", munmap(r2, PAGE), 0);
	CHECK_EQ("the rest still there", r2[PAGE], 1);
	CHECK_EQ("munmap of a whole region", munmap(r0, 3 * PAGE), 0);
	CHECK_ERR("at the limit still", munmap(r3 + PAGE, PAGE), ENOMEM);
	CHECK_EQ("munmap of another", munmap(r1, 3 * PAGE), 0);
	CHECK_EQ("below it, a middle munmap", munmap(r3 + PAGE, PAGE), 0);
	CHECK_EQ("the page past the hole", r3[2 * PAGE], 0);

	CHECK_EQ("all gone", munmap(base, span), 0);
	void *p = mmap(base + PAGE, PAGE, PROT_READ,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	CHECK("mmap again", p == base + PAGE);
	return abi_done("map_count");
}
