/*
 * mremap: growing and shrinking in place, moving (MREMAP_MAYMOVE), to a
 * chosen address (MREMAP_FIXED, which replaces what was there), and
 * MREMAP_DONTUNMAP (the pages move, the old range stays mapped and reads
 * zeros); Linux's argument checks. stress-ng's mremap stressor failed on
 * Petrel, which refused MREMAP_FIXED and ignored MREMAP_DONTUNMAP.
 */
#include "abi.h"

#include <sys/mman.h>

#define PAGE 4096

/* Whether [p, p+len) is mapped: msync says ENOMEM for a hole. */
static int
mapped(void *p, size_t len)
{
	return msync(p, len, MS_ASYNC) == 0;
}

static char *
fresh(size_t pages, char fill)
{
	char *p = mmap(NULL, pages * PAGE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED) {
		printf("mmap: %s\n", errno_name(errno));
		exit(1);
	}
	memset(p, fill, pages * PAGE);
	return p;
}

/* A free place of pages pages, found by mapping and unmapping it. */
static char *
hole(size_t pages)
{
	char *p = fresh(pages, 0);
	munmap(p, pages * PAGE);
	return p;
}

static void
test_checks(void)
{
	char *p = fresh(4, 'a');
	char *to = hole(4);

	CHECK_ERR("unknown flag", mremap(p, PAGE, PAGE, 8), EINVAL);
	CHECK_ERR("MREMAP_FIXED without MAYMOVE",
		  mremap(p, PAGE, PAGE, MREMAP_FIXED, to), EINVAL);
	CHECK_ERR("MREMAP_DONTUNMAP without MAYMOVE",
		  mremap(p, PAGE, PAGE, MREMAP_DONTUNMAP), EINVAL);
	CHECK_ERR("MREMAP_DONTUNMAP with a new size",
		  mremap(p, PAGE, 2 * PAGE, MREMAP_MAYMOVE | MREMAP_DONTUNMAP),
		  EINVAL);
	CHECK_ERR("unaligned old address", mremap(p + 1, PAGE, PAGE, 0), EINVAL);
	CHECK_ERR("new size 0", mremap(p, PAGE, 0, 0), EINVAL);
	CHECK_ERR("unaligned new address",
		  mremap(p, PAGE, PAGE, MREMAP_MAYMOVE | MREMAP_FIXED, to + 1),
		  EINVAL);
	CHECK_ERR("overlapping ranges",
		  mremap(p, 2 * PAGE, 2 * PAGE, MREMAP_MAYMOVE | MREMAP_FIXED,
			 p + PAGE), EINVAL);
	CHECK_ERR("old range unmapped", mremap(to, PAGE, PAGE, MREMAP_MAYMOVE),
		  EFAULT);
	munmap(p, 4 * PAGE);
}

static void
test_fixed(void)
{
	char *p = fresh(4, 'b');
	char *to = fresh(6, 'z');	/* replaced by the move */

	char *q = mremap(p, 4 * PAGE, 4 * PAGE, MREMAP_MAYMOVE | MREMAP_FIXED,
			 to);
	CHECK("MREMAP_FIXED lands where asked", q == to);
	CHECK("the pages came along", q[0] == 'b' && q[4 * PAGE - 1] == 'b');
	CHECK("the old range is gone", !mapped(p, PAGE));
	CHECK("the rest of what was there stays", to[4 * PAGE] == 'z' &&
	      mapped(to + 4 * PAGE, 2 * PAGE));
	munmap(to, 6 * PAGE);

	p = fresh(4, 'c');
	to = hole(2);
	q = mremap(p, 4 * PAGE, 2 * PAGE, MREMAP_MAYMOVE | MREMAP_FIXED, to);
	CHECK("MREMAP_FIXED to a smaller size", q == to && q[PAGE] == 'c');
	CHECK("the old range is gone, all of it",
	      !mapped(p, PAGE) && !mapped(p + 3 * PAGE, PAGE));
	munmap(to, 2 * PAGE);

	p = fresh(2, 'd');
	to = hole(8);
	q = mremap(p, 2 * PAGE, 8 * PAGE, MREMAP_MAYMOVE | MREMAP_FIXED, to);
	CHECK("MREMAP_FIXED to a larger size",
	      q == to && q[PAGE] == 'd' && q[7 * PAGE] == 0);
	munmap(to, 8 * PAGE);
}

static void
test_dontunmap(void)
{
	char *p = fresh(4, 'e');

	char *q = mremap(p, 4 * PAGE, 4 * PAGE,
			 MREMAP_MAYMOVE | MREMAP_DONTUNMAP);
	CHECK("MREMAP_DONTUNMAP moves", q != MAP_FAILED && q != p);
	CHECK("the pages came along", q != MAP_FAILED && q[0] == 'e' &&
	      q[4 * PAGE - 1] == 'e');
	CHECK("the old range stays mapped", mapped(p, 4 * PAGE));
	CHECK("and reads zeros", p[0] == 0 && p[4 * PAGE - 1] == 0);
	p[0] = 'x';
	CHECK("writes there are its own", q[0] == 'e');

	char *to = hole(4);
	char *r = mremap(q, 4 * PAGE, 4 * PAGE,
			 MREMAP_MAYMOVE | MREMAP_DONTUNMAP | MREMAP_FIXED, to);
	CHECK("MREMAP_DONTUNMAP with MREMAP_FIXED", r == to && r[0] == 'e');
	CHECK("its old range reads zeros", mapped(q, PAGE) && q[0] == 0);

	char *s = mmap(NULL, PAGE, PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	errno = 0;
	void *m = mremap(s, PAGE, PAGE, MREMAP_MAYMOVE | MREMAP_DONTUNMAP);
	/* Linux 5.13 and later move shared memory too; older say EINVAL. */
	CHECK("shared memory: moved, or EINVAL",
	      m != MAP_FAILED || errno == EINVAL);
	munmap(p, 4 * PAGE);
	munmap(q, 4 * PAGE);
	munmap(to, 4 * PAGE);
}

static void
test_in_place(void)
{
	char *p = fresh(4, 'f');
	char *q = mremap(p, 4 * PAGE, 2 * PAGE, 0);
	CHECK("shrink in place", q == p && !mapped(p + 2 * PAGE, PAGE));
	munmap(p + 3 * PAGE, PAGE);
	q = mremap(p, 2 * PAGE, 8 * PAGE, MREMAP_MAYMOVE);
	CHECK("grow (in place or moved)", q != MAP_FAILED && q[PAGE] == 'f' &&
	      q[7 * PAGE] == 0);
	munmap(q, 8 * PAGE);
}

int
main(void)
{
	abi_init();
	test_checks();
	test_fixed();
	test_dontunmap();
	test_in_place();
	return abi_done("mremap");
}
