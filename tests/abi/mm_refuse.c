/*
 * Memory calls' refusals that LTP checks: msync(MS_INVALIDATE) of locked
 * memory (EBUSY) and of an unmapped range (ENOMEM), MAP_SHARED_VALIDATE
 * with a flag it does not know (EOPNOTSUPP) or on anonymous memory
 * (EINVAL), and readahead on a descriptor with no page cache (EINVAL).
 */
#include "abi.h"

#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/mman.h>

#define PAGE 4096

#ifndef MAP_SHARED_VALIDATE
#define MAP_SHARED_VALIDATE 0x03
#endif

static int
scratch_file(void)
{
	char path[] = "/tmp/abi-mm-refuse-XXXXXX";
	int fd = mkstemp(path);
	unlink(path);
	char page[PAGE];
	memset(page, 'a', sizeof(page));
	if (fd >= 0 && write(fd, page, sizeof(page)) != PAGE)
		printf("write: %s\n", errno_name(errno));
	return fd;
}

static void
test_msync(int fd)
{
	char *locked = mmap(NULL, PAGE, PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_LOCKED, fd, 0);
	CHECK("MAP_LOCKED file map", locked != MAP_FAILED);
	CHECK_ERR("msync MS_INVALIDATE of locked memory",
	    msync(locked, PAGE, MS_INVALIDATE), EBUSY);
	CHECK_OK("msync MS_SYNC of locked memory", msync(locked, PAGE, MS_SYNC));
	munmap(locked, PAGE);

	char *hole = mmap(NULL, 3 * PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS,
	    -1, 0);
	munmap(hole + PAGE, PAGE);
	CHECK_ERR("msync over a hole", msync(hole, 3 * PAGE, MS_SYNC), ENOMEM);
	CHECK_ERR("msync MS_ASYNC of an unmapped page",
	    msync(hole + PAGE, PAGE, MS_ASYNC), ENOMEM);
	CHECK_ERR("msync MS_INVALIDATE of an unmapped page",
	    msync(hole + PAGE, PAGE, MS_INVALIDATE), ENOMEM);
	munmap(hole, 3 * PAGE);
}

static void
test_validate(int fd)
{
	void *p = mmap(NULL, PAGE, PROT_READ, MAP_SHARED_VALIDATE, fd, 0);
	CHECK("MAP_SHARED_VALIDATE alone maps", p != MAP_FAILED);
	munmap(p, PAGE);
	p = mmap(NULL, PAGE, PROT_READ, MAP_SHARED_VALIDATE | MAP_POPULATE |
	    MAP_NORESERVE, fd, 0);
	CHECK("MAP_SHARED_VALIDATE with legacy flags maps", p != MAP_FAILED);
	munmap(p, PAGE);
	CHECK_ERR("MAP_SHARED_VALIDATE with an unknown flag",
	    (long)mmap(NULL, PAGE, PROT_READ, MAP_SHARED_VALIDATE | (1 << 10),
	    fd, 0), EOPNOTSUPP);
	CHECK_ERR("MAP_SHARED_VALIDATE with MAP_SYNC on a non-DAX file",
	    (long)mmap(NULL, PAGE, PROT_READ, MAP_SHARED_VALIDATE | 0x80000,
	    fd, 0), EOPNOTSUPP);
	p = mmap(NULL, PAGE, PROT_READ, MAP_SHARED | (1 << 10), fd, 0);
	CHECK("MAP_SHARED ignores an unknown flag", p != MAP_FAILED);
	munmap(p, PAGE);
	CHECK_ERR("MAP_SHARED_VALIDATE of anonymous memory",
	    (long)mmap(NULL, PAGE, PROT_READ,
	    MAP_SHARED_VALIDATE | MAP_ANONYMOUS, -1, 0), EINVAL);
}

static void
test_readahead(int fd)
{
	CHECK_OK("readahead of a file", readahead(fd, 0, PAGE));
	int efd = eventfd(0, 0);
	CHECK_ERR("readahead of an eventfd", readahead(efd, 0, PAGE), EINVAL);
	close(efd);
	int ep = epoll_create1(0);
	CHECK_ERR("readahead of an epoll", readahead(ep, 0, PAGE), EINVAL);
	close(ep);
}

int
main(void)
{
	abi_init();
	int fd = scratch_file();
	test_msync(fd);
	test_validate(fd);
	test_readahead(fd);
	close(fd);
	return abi_done("mm_refuse");
}
