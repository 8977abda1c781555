/*
 * Memory locking as Linux shows it: mincore's residency (untouched,
 * touched, shared memory, errors), VmLck in /proc/self/status after
 * mlock, mlock2(MLOCK_ONFAULT), munlock, MAP_LOCKED, mlockall and
 * munlockall, locks not inherited by fork, RLIMIT_MEMLOCK for an
 * unprivileged process (EPERM, ENOMEM), mmap's EBADF before its length
 * check, and madvise's checks (unknown advice, DONTNEED of locked memory,
 * FREE of shared memory, a hole) and MADV_WIPEONFORK.
 */
#include "abi.h"

#include <sys/mman.h>
#include <sys/syscall.h>

#define PG 4096
#define NOBODY 65534

static long
vmlck_kb(void)
{
	char line[256];
	long kb = -1;
	FILE *f = fopen("/proc/self/status", "r");
	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "VmLck: %ld", &kb) == 1)
			break;
	if (f)
		fclose(f);
	return kb;
}

/* The residency bits of n pages at p as a string of 0s and 1s. */
static const char *
resident(void *p, int n)
{
	static char text[16];
	unsigned char vec[16];
	if (mincore(p, (size_t)n * PG, vec) < 0)
		return "error";
	for (int i = 0; i < n; i++)
		text[i] = (char)('0' + (vec[i] & 1));
	text[n] = 0;
	return text;
}

static void
test_mincore(void)
{
	char *p = mmap(NULL, 4 * PG, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	unsigned char vec[4];
	CHECK_STR("untouched", resident(p, 4), "0000");
	p[PG] = 1;
	CHECK_STR("one page touched", resident(p, 4), "0100");
	CHECK_ERR("unaligned", mincore(p + 1, PG, vec), EINVAL);
	CHECK_ERR("bad vector", mincore(p, PG, (unsigned char *)8), EFAULT);
	munmap(p + 2 * PG, 2 * PG);
	CHECK_ERR("past the mapping", mincore(p, 4 * PG, vec), ENOMEM);
	munmap(p, 2 * PG);
	char *s = mmap(NULL, 2 * PG, PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	s[0] = 1;
	CHECK_STR("shared memory", resident(s, 2), "10");
	munmap(s, 2 * PG);
}

static void
child_vmlck(void)
{
	printf("child's VmLck: %ld\n", vmlck_kb());
	fflush(stdout);
	_exit(0);
}

static void
test_lock(void)
{
	long base = vmlck_kb();
	char *p = mmap(NULL, 4 * PG, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK_OK("mlock2 ONFAULT", syscall(SYS_mlock2, p, 2 * PG, 1));
	CHECK_EQ("VmLck +8", vmlck_kb() - base, 8);
	CHECK_STR("nothing faulted in", resident(p, 4), "0000");
	CHECK_OK("mlock, a page and a byte", mlock(p + PG, PG + 1));
	CHECK_EQ("VmLck +12, not twice", vmlck_kb() - base, 12);
	CHECK_STR("the mlocked pages are in", resident(p, 4), "0110");
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0)
		child_vmlck();
	int st;
	waitpid(pid, &st, 0);
	CHECK_OK("munlock", munlock(p, 4 * PG));
	CHECK_EQ("VmLck back", vmlck_kb() - base, 0);
	munmap(p, 4 * PG);
	CHECK_ERR("mlock of a hole", mlock(p, PG), ENOMEM);
	char *l = mmap(NULL, 3 * PG, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS | MAP_LOCKED, -1, 0);
	CHECK_EQ("MAP_LOCKED", vmlck_kb() - base, 12);
	CHECK_STR("populated", resident(l, 3), "111");
	munmap(l + PG, PG);
	CHECK_EQ("a page unmapped", vmlck_kb() - base, 8);
	munmap(l, 3 * PG);
	CHECK_OK("mlockall", mlockall(MCL_CURRENT));
	CHECK("everything locked", vmlck_kb() > 0);
	CHECK_OK("munlockall", munlockall());
	CHECK_EQ("nothing locked", vmlck_kb(), 0);
}

static void
as_nobody(void)
{
	int before = abi_failures;
	struct rlimit rl = { 0, 0 };
	char *p = mmap(NULL, 2 * PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS,
	    -1, 0);
	setrlimit(RLIMIT_MEMLOCK, &rl);
	if (setuid(NOBODY) < 0)
		_exit(3);
	CHECK_ERR("RLIMIT_MEMLOCK 0", mlock(p, PG), EPERM);
	fflush(stdout);
	_exit(abi_failures > before);
}

static void
as_nobody_one_page(void)
{
	int before = abi_failures;
	struct rlimit rl = { PG, PG };
	char *p = mmap(NULL, 2 * PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS,
	    -1, 0);
	setrlimit(RLIMIT_MEMLOCK, &rl);
	if (setuid(NOBODY) < 0)
		_exit(3);
	CHECK_OK("one page within the limit", mlock(p, PG));
	CHECK_ERR("two pages past it", mlock(p, 2 * PG), ENOMEM);
	CHECK_OK("the same page again", mlock(p, PG));
	fflush(stdout);
	_exit(abi_failures > before);
}

static void
in_child(void (*fn)(void), const char *what)
{
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		fn();
		fflush(stdout);
		_exit(0);
	}
	int st;
	waitpid(pid, &st, 0);
	CHECK_STR(what, status_str(st), "exited 0");
}

static void
test_madvise(void)
{
	char *p = mmap(NULL, 3 * PG, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char *s = mmap(NULL, PG, PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	CHECK_ERR("advice 1212", madvise(p, PG, 1212), EINVAL);
	CHECK_ERR("unaligned", madvise(p + 1, PG, MADV_NORMAL), EINVAL);
	CHECK_ERR("MADV_FREE of shared memory", madvise(s, PG, MADV_FREE),
	    EINVAL);
	CHECK_ERR("WIPEONFORK of shared memory", madvise(s, PG, 18), EINVAL);
	mlock(p, PG);
	CHECK_ERR("DONTNEED of locked memory", madvise(p, PG, MADV_DONTNEED),
	    EINVAL);
	munlock(p, PG);
	munmap(p + 2 * PG, PG);
	CHECK_ERR("a hole", madvise(p, 3 * PG, MADV_NORMAL), ENOMEM);
	p[0] = 1;
	p[PG] = 2;
	CHECK_OK("MADV_WIPEONFORK", madvise(p + PG, PG, 18));
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0)
		_exit(p[0] == 1 && p[PG] == 0 ? 0 : 1);
	int st;
	waitpid(pid, &st, 0);
	CHECK_STR("the child sees zeros there only", status_str(st), "exited 0");
	CHECK_EQ("the parent keeps its data", p[PG], 2);
	CHECK_OK("MADV_DONTNEED", madvise(p, PG, MADV_DONTNEED));
	CHECK_EQ("reads back zero", p[0], 0);
	munmap(p, 2 * PG);
	munmap(s, PG);
}

int
main(void)
{
	abi_init();
	test_mincore();
	test_lock();
	test_madvise();
	in_child(as_nobody, "nobody, no limit");
	in_child(as_nobody_one_page, "nobody, one page");
	CHECK_ERR("mmap of a closed fd, length 0",
	    mmap(NULL, 0, PROT_READ, MAP_SHARED, 1000, 0), EBADF);
	return abi_done("mlock");
}
