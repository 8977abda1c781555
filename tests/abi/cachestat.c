/*
 * cachestat(2) on a tmpfs file: the pages written are in the cache, holes
 * are not, a range counts its own pages (len 0: to the end); tmpfs pages
 * are dirty, as Linux's shmem pages; a terabyte of holes is counted at
 * once; a pipe has none; EINVAL for flags, EBADF, EFAULT.
 */
#include "abi.h"

#include <stdint.h>
#include <sys/syscall.h>

#define FILE_PATH "/tmp/abi_cachestat_file"
#ifndef SYS_cachestat
#define SYS_cachestat 451
#endif

struct range {
	uint64_t off, len;
};

struct stat_k {
	uint64_t cache, dirty, writeback, evicted, recently_evicted;
};

/* "cache N dirty N evicted N", or the errno's name. */
static const char *
stat_of(int fd, uint64_t off, uint64_t len)
{
	static char out[80];
	struct range r = { off, len };
	struct stat_k s;
	memset(&s, 0xff, sizeof(s));
	if (syscall(SYS_cachestat, fd, &r, &s, 0) < 0)
		return errno_name(errno);
	snprintf(out, sizeof(out), "cache %llu dirty %llu evicted %llu",
		 (unsigned long long)s.cache, (unsigned long long)s.dirty,
		 (unsigned long long)s.evicted);
	return out;
}

int
main(void)
{
	abi_init();
	long page = sysconf(_SC_PAGESIZE);
	int fd = open(FILE_PATH, O_RDWR | O_CREAT | O_TRUNC, 0600);
	char *buf = malloc(page);
	memset(buf, 'a', page);
	for (int i = 0; i < 3; i++)
		write(fd, buf, page);
	ftruncate(fd, 10 * page);
	CHECK_STR("the whole file", stat_of(fd, 0, 0),
		  "cache 3 dirty 3 evicted 0");
	CHECK_STR("one page", stat_of(fd, page, 1),
		  "cache 1 dirty 1 evicted 0");
	CHECK_STR("the hole", stat_of(fd, 3 * page, 7 * page),
		  "cache 0 dirty 0 evicted 0");
	CHECK_STR("past the end", stat_of(fd, 20 * page, page),
		  "cache 0 dirty 0 evicted 0");
	ftruncate(fd, 1ll << 40);
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	CHECK_STR("a terabyte-long sparse file", stat_of(fd, 0, 0),
		  "cache 3 dirty 3 evicted 0");
	clock_gettime(CLOCK_MONOTONIC, &t1);
	CHECK("counted without walking the holes", t1.tv_sec - t0.tv_sec < 5);
	struct range r = { 0, 0 };
	struct stat_k s;
	CHECK_ERR("flags", syscall(SYS_cachestat, fd, &r, &s, 1), EINVAL);
	CHECK_ERR("a bad fd", syscall(SYS_cachestat, -1, &r, &s, 0), EBADF);
	CHECK_ERR("a bad range", syscall(SYS_cachestat, fd, 8, &s, 0), EFAULT);
	CHECK_ERR("a bad result", syscall(SYS_cachestat, fd, &r, 8, 0), EFAULT);
	int p[2];
	pipe(p);
	CHECK_STR("a pipe", stat_of(p[0], 0, 0), "cache 0 dirty 0 evicted 0");
	close(fd);
	unlink(FILE_PATH);
	return abi_done("cachestat");
}
