/*
 * mseal(2): a sealed page cannot be unmapped, reprotected, moved or
 * resized by mremap, nor replaced by a MAP_FIXED mapping (EPERM, and the
 * whole call does nothing); madvise(DONTNEED) is EPERM on sealed
 * read-only anonymous memory and allowed on writable; a fork's child
 * keeps the seal; smaps's VmFlags say "sl"; mseal's own EINVAL and ENOMEM.
 */
#include "abi.h"

#include <stdint.h>
#include <sys/mman.h>
#include <sys/syscall.h>

#ifndef SYS_mseal
#define SYS_mseal 462
#endif

static long page;

static long
mseal_call(void *addr, size_t len, unsigned long flags)
{
	return syscall(SYS_mseal, addr, len, flags);
}

static char *
map(int prot)
{
	return mmap(NULL, 4 * page, prot, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
}

static void
errors(void)
{
	char *m = map(PROT_READ | PROT_WRITE);
	CHECK_ERR("flags", mseal_call(m, page, 1), EINVAL);
	CHECK_ERR("unaligned", mseal_call(m + 1, page, 0), EINVAL);
	CHECK_ERR("a length that wraps", mseal_call(m, (size_t)-page + 2, 0),
		  EINVAL);
	CHECK_EQ("length 0", mseal_call(m, 0, 0), 0);
	munmap(m + 2 * page, page);
	CHECK_ERR("over a hole", mseal_call(m, 4 * page, 0), ENOMEM);
	CHECK_OK("not sealed by the failure", munmap(m, page));
	CHECK_ERR("from a hole", mseal_call(m + 2 * page, 2 * page, 0), ENOMEM);
	munmap(m, 4 * page);
}

/* Whether smaps's VmFlags for the region at addr name "sl". */
static int
smaps_sealed(void *addr)
{
	char want[32], line[512];
	snprintf(want, sizeof(want), "%lx-", (unsigned long)addr);
	FILE *f = fopen("/proc/self/smaps", "r");
	int in = 0, sealed = 0;
	while (f && fgets(line, sizeof(line), f)) {
		if (strchr(line, '-') && strncmp(line, want, strlen(want)) == 0)
			in = 1;
		else if (in && strncmp(line, "VmFlags:", 8) == 0) {
			sealed = strstr(line, " sl") != NULL;
			break;
		}
	}
	if (f)
		fclose(f);
	return sealed;
}

static void
sealed(void)
{
	char *m = map(PROT_READ | PROT_WRITE);
	m[page] = 'x';
	CHECK_OK("seal the second page", mseal_call(m + page, page, 0));
	CHECK_OK("again", mseal_call(m + page, page, 0));
	CHECK_ERR("munmap", munmap(m, 4 * page), EPERM);
	CHECK_EQ("all still mapped", m[page] + m[0] + m[3 * page], 'x');
	CHECK_OK("munmap beside it", munmap(m + 3 * page, page));
	CHECK_ERR("mprotect", mprotect(m, 2 * page, PROT_READ), EPERM);
	CHECK_OK("mprotect beside it", mprotect(m, page, PROT_READ));
	CHECK("mremap grow", mremap(m + page, page, 3 * page, MREMAP_MAYMOVE) ==
		  MAP_FAILED && errno == EPERM);
	CHECK("mremap shrink onto it", mremap(m, 2 * page, page, 0) ==
		  MAP_FAILED && errno == EPERM);
	char *other = map(PROT_READ);
	CHECK("mremap over it", mremap(other, page, page,
				       MREMAP_MAYMOVE | MREMAP_FIXED, m + page) ==
		  MAP_FAILED && errno == EPERM);
	CHECK("MAP_FIXED over it",
	      mmap(m, 2 * page, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED,
		   -1, 0) == MAP_FAILED && errno == EPERM);
	CHECK_OK("madvise DONTNEED, writable", madvise(m + page, page,
						       MADV_DONTNEED));
	CHECK_EQ("its page reads 0", m[page], 0);
	CHECK_OK("seal a read-only mapping", mseal_call(other, page, 0));
	CHECK_ERR("madvise DONTNEED, read-only", madvise(other, page,
							 MADV_DONTNEED), EPERM);
	CHECK_OK("madvise WILLNEED", madvise(other, page, MADV_WILLNEED));
	CHECK("smaps: sl on the sealed page", smaps_sealed(m + page));
	CHECK("smaps: not on the one before", !smaps_sealed(m));
	pid_t pid = fork();
	if (pid == 0)
		_exit(munmap(m + page, page) < 0 ? errno : 0);
	int status;
	waitpid(pid, &status, 0);
	CHECK_STR("a fork's child", errno_name(WEXITSTATUS(status)), "EPERM");
}

int
main(void)
{
	abi_init();
	page = sysconf(_SC_PAGESIZE);
	errors();
	sealed();
	return abi_done("mseal");
}
