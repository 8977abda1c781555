/*
 * Neighbouring mappings that come to agree are one again, as Linux
 * merges VMAs: /proc/self/maps has as many lines over a test range as
 * Linux's after an mprotect of a page and back, adjacent anonymous maps
 * (on one side, on both; not memory once writable beside memory never
 * so, nor MAP_NORESERVE beside the rest), file maps of one open file at
 * contiguous offsets (not at others, nor of another open of the file,
 * nor shared beside private), an mlock of a page and back, madvise's
 * DONTDUMP and DODUMP, mremap growing into a neighbour or moving an
 * empty mapping next to one (not one with pages); shared anonymous maps
 * and differently named ones stay apart. An mprotect into a hole
 * changes the part before it, as Linux's. Heap growth by mprotect steps
 * past vm.max_map_count stays two mappings, not ENOMEM. The bytes stay
 * put, a child's after fork its own.
 */
#include "abi.h"

#include <stdint.h>
#include <sys/mman.h>
#include <sys/prctl.h>

#ifndef PR_SET_VMA
#define PR_SET_VMA 0x53564d41
#define PR_SET_VMA_ANON_NAME 0
#endif

#define PAGE 4096UL
#define SPAN (64 * PAGE)	/* the test range */

static char *base;

/* Lines of /proc/self/maps that overlap [lo, lo + len), read without
 * stdio: musl's malloc would map its buffer in the test range. */
static int
lines_in(const char *lo, size_t len)
{
	static char buf[1 << 16];
	size_t got = 0;
	ssize_t r;
	int n = 0, fd = open("/proc/self/maps", O_RDONLY);
	if (fd < 0)
		return -1;
	while (got < sizeof(buf) - 1 &&
	       (r = read(fd, buf + got, sizeof(buf) - 1 - got)) > 0)
		got += (size_t)r;
	close(fd);
	buf[got] = 0;
	for (char *line = buf; line && *line;) {
		unsigned long start, end;
		if (sscanf(line, "%lx-%lx", &start, &end) == 2 &&
		    start < (unsigned long)lo + len && end > (unsigned long)lo)
			n++;
		line = strchr(line, '\n');
		line = line ? line + 1 : NULL;
	}
	return n;
}

/* Lines over the test range. */
static int
lines(void)
{
	return lines_in(base, SPAN);
}

/* Maps at base + page * PAGE, fixed; MAP_FAILED is a failed check. */
static char *
map_at(long page, long pages, int prot, int flags, int fd, long off)
{
	char *p = mmap(base + page * PAGE, pages * PAGE, prot,
		       flags | MAP_FIXED_NOREPLACE | (fd < 0 ? MAP_ANONYMOUS : 0),
		       fd, off * (long)PAGE);
	CHECK("mmap", p == base + page * PAGE);
	return p;
}

static void
clear(void)
{
	munmap(base, SPAN);
}

static void
anonymous(void)
{
	int rw = PROT_READ | PROT_WRITE;
	char *p = map_at(0, 4, rw, MAP_PRIVATE, -1, 0);
	memset(p, 7, 4 * PAGE);
	CHECK_EQ("mprotect a page", mprotect(p + PAGE, PAGE, PROT_READ), 0);
	CHECK_EQ("split in three", lines(), 3);
	CHECK_EQ("mprotect it back", mprotect(p + PAGE, PAGE, rw), 0);
	CHECK_EQ("one again", lines(), 1);
	CHECK("the bytes stay", p[0] == 7 && p[PAGE] == 7 && p[4 * PAGE - 1] == 7);
	map_at(4, 2, rw, MAP_PRIVATE, -1, 0);
	CHECK_EQ("a map after it joins", lines(), 1);
	map_at(8, 2, rw, MAP_PRIVATE, -1, 0);
	CHECK_EQ("one past a gap does not", lines(), 2);
	map_at(6, 2, rw, MAP_PRIVATE, -1, 0);
	CHECK_EQ("the gap filled joins both", lines(), 1);
	map_at(10, 2, PROT_READ, MAP_PRIVATE, -1, 0);
	CHECK_EQ("another protection stays apart", lines(), 2);
	CHECK_EQ("mprotect of it as the rest",
		 mprotect(p + 10 * PAGE, 2 * PAGE, rw), 0);
	CHECK_EQ("then one", lines(), 1);
	CHECK("still the bytes", p[PAGE] == 7 && p[5 * PAGE] == 0);
	/* Once writable, always charged (Linux's VM_ACCOUNT): made
	   read-only, it stays apart from memory mapped read-only. */
	map_at(12, 2, PROT_READ, MAP_PRIVATE, -1, 0);
	CHECK_EQ("mprotect all read-only", mprotect(p, 14 * PAGE, PROT_READ), 0);
	CHECK_EQ("once writable apart", lines(), 2);
	map_at(16, 2, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_NORESERVE, -1, 0);
	map_at(18, 2, PROT_READ | PROT_WRITE, MAP_PRIVATE, -1, 0);
	CHECK_EQ("MAP_NORESERVE apart", lines(), 4);
	clear();

	/* mprotect changes what it reaches before a hole, then ENOMEM. */
	p = map_at(0, 4, rw, MAP_PRIVATE, -1, 0);
	p[0] = 1;
	CHECK_ERR("mprotect into a hole", mprotect(p + 2 * PAGE, 4 * PAGE,
						   PROT_READ), ENOMEM);
	CHECK_EQ("the part before it changed", lines(), 2);
	clear();

	map_at(0, 2, rw, MAP_SHARED, -1, 0);
	map_at(2, 2, rw, MAP_SHARED, -1, 0);
	CHECK_EQ("shared anonymous maps stay apart", lines(), 2);
	clear();

	p = map_at(0, 3, rw, MAP_PRIVATE, -1, 0);
	int named = prctl(PR_SET_VMA, PR_SET_VMA_ANON_NAME, p + PAGE, PAGE,
			  "abi-merge");
	CHECK("a named page apart (where names exist)",
	      named != 0 || lines() == 3);
	clear();
}

static void
locked_and_advised(void)
{
	int rw = PROT_READ | PROT_WRITE;
	char *p = map_at(0, 4, rw, MAP_PRIVATE, -1, 0);
	p[PAGE] = 3;
	CHECK_EQ("mlock a page", mlock(p + PAGE, PAGE), 0);
	CHECK_EQ("locked apart", lines(), 3);
	CHECK_EQ("munlock it", munlock(p + PAGE, PAGE), 0);
	CHECK_EQ("unlocked, one", lines(), 1);
	CHECK_EQ("MADV_DONTDUMP a page", madvise(p + 2 * PAGE, PAGE,
						  MADV_DONTDUMP), 0);
	CHECK_EQ("left out of cores, apart", lines(), 3);
	CHECK_EQ("MADV_DODUMP", madvise(p + 2 * PAGE, PAGE, MADV_DODUMP), 0);
	CHECK_EQ("dumped again, one", lines(), 1);
	CHECK_EQ("the byte stays", p[PAGE], 3);
	clear();
}

/* Pages shared with a child after fork stay each side's through merges
 * on both sides. */
static void
forked(void)
{
	int rw = PROT_READ | PROT_WRITE;
	char *p = map_at(0, 4, rw, MAP_PRIVATE, -1, 0);
	memset(p, 1, 4 * PAGE);
	pid_t pid = abi_fork();
	if (pid == 0) {
		int ok = mprotect(p + PAGE, PAGE, PROT_READ) == 0 &&
			 mprotect(p + PAGE, PAGE, rw) == 0 && lines() == 1;
		p[0] = 2;
		p[PAGE] = 2;
		_exit(ok && p[0] == 2 && p[PAGE] == 2 && p[2 * PAGE] == 1 ? 0 : 1);
	}
	CHECK_EQ("mprotect and back", mprotect(p + 2 * PAGE, PAGE, PROT_READ) |
					  mprotect(p + 2 * PAGE, PAGE, rw), 0);
	p[2 * PAGE] = 3;
	CHECK_EQ("the child merged and stored its own", abi_wait(pid), 0);
	CHECK("the parent's bytes its own",
	      p[0] == 1 && p[PAGE] == 1 && p[2 * PAGE] == 3);
	CHECK_EQ("one mapping", lines(), 1);
	clear();
}

static void
remapped(void)
{
	int rw = PROT_READ | PROT_WRITE;
	char *p = map_at(0, 2, rw, MAP_PRIVATE, -1, 0);
	map_at(4, 2, rw, MAP_PRIVATE, -1, 0);
	CHECK_EQ("two apart", lines(), 2);
	CHECK("mremap grows in place", mremap(p, 2 * PAGE, 4 * PAGE, 0) == p);
	CHECK_EQ("into its neighbour: one", lines(), 1);
	/* Moved next to it: empty, it joins; with pages, Linux keeps them
	   apart (their anon_vma). */
	char *q = map_at(20, 2, rw, MAP_PRIVATE, -1, 0);
	CHECK("mremap moves", mremap(q, 2 * PAGE, 2 * PAGE,
				     MREMAP_MAYMOVE | MREMAP_FIXED,
				     p + 6 * PAGE) == p + 6 * PAGE);
	CHECK_EQ("moved empty: one", lines(), 1);
	q = map_at(20, 2, rw, MAP_PRIVATE, -1, 0);
	q[0] = 5;
	p[0] = 5;
	CHECK("mremap moves touched", mremap(q, 2 * PAGE, 2 * PAGE,
					     MREMAP_MAYMOVE | MREMAP_FIXED,
					     p + 8 * PAGE) == p + 8 * PAGE);
	CHECK_EQ("moved with a page: apart", lines(), 2);
	CHECK_EQ("its byte moved", p[8 * PAGE], 5);
	clear();
}

static void
files(void)
{
	char path[64];
	abi_tmpname(path, sizeof(path), "merge");
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	CHECK("file", fd >= 0);
	for (int i = 0; i < 8; i++) {
		char page[PAGE];
		memset(page, 'a' + i, PAGE);
		CHECK("write", write(fd, page, PAGE) == (ssize_t)PAGE);
	}
	char *p = map_at(0, 2, PROT_READ, MAP_PRIVATE, fd, 0);
	map_at(2, 2, PROT_READ, MAP_PRIVATE, fd, 2);
	CHECK_EQ("contiguous offsets join", lines(), 1);
	map_at(4, 2, PROT_READ, MAP_PRIVATE, fd, 5);
	CHECK_EQ("a skipped offset does not", lines(), 2);
	CHECK("the file's bytes", p[0] == 'a' && p[3 * PAGE] == 'd' &&
				  p[4 * PAGE] == 'f');
	clear();

	int fd2 = open(path, O_RDWR);
	map_at(0, 2, PROT_READ, MAP_PRIVATE, fd, 0);
	map_at(2, 2, PROT_READ, MAP_PRIVATE, fd2, 2);
	CHECK_EQ("another open of the file stays apart", lines(), 2);
	clear();

	int rw = PROT_READ | PROT_WRITE;
	p = map_at(0, 2, rw, MAP_SHARED, fd, 0);
	map_at(2, 2, rw, MAP_SHARED, fd, 2);
	CHECK_EQ("shared, contiguous: one", lines(), 1);
	map_at(4, 2, rw, MAP_PRIVATE, fd, 4);
	CHECK_EQ("private beside shared: apart", lines(), 2);
	CHECK_EQ("mprotect a shared page", mprotect(p + PAGE, PAGE, PROT_READ), 0);
	CHECK_EQ("three and one", lines(), 4);
	CHECK_EQ("and back", mprotect(p + PAGE, PAGE, rw), 0);
	CHECK_EQ("one and one", lines(), 2);
	p[3 * PAGE] = 'X';
	char c = 0;
	CHECK("a store reaches the file",
	      pread(fd, &c, 1, 3 * PAGE) == 1 && c == 'X');
	clear();
	close(fd2);
	close(fd);
	unlink(path);
}

/* glibc's thread arenas: a reserved range made writable a step at a
 * time. Each step would leave a mapping more without merging. */
static void
arena_steps(void)
{
	long limit = 0;
	FILE *f = fopen("/proc/sys/vm/max_map_count", "r");
	if (!f || fscanf(f, "%ld", &limit) != 1 || limit < 1000 ||
	    limit > 1000000) {
		CHECK("max_map_count read", 0);
		return;
	}
	fclose(f);
	long steps = limit + 100;
	char *a = mmap(NULL, (steps + 1) * PAGE, PROT_NONE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	CHECK("reserve", a != MAP_FAILED);
	long i = 0;
	for (; i < steps; i++)
		if (mprotect(a + i * PAGE, PAGE, PROT_READ | PROT_WRITE) != 0)
			break;
	CHECK_EQ("steps past max_map_count", i, steps);
	if (i == steps)
		a[(steps - 1) * PAGE] = 1;
	CHECK_EQ("writable part and the rest: two",
		 lines_in(a, (steps + 1) * PAGE), 2);
	munmap(a, (steps + 1) * PAGE);
}

int
main(void)
{
	abi_init();
	alarm(ABI_WATCHDOG * 4);	/* 65,630 mprotects under TCG */
	base = mmap(NULL, SPAN + 2 * PAGE, PROT_NONE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK("reserve", base != MAP_FAILED);
	if (base == MAP_FAILED)
		return abi_done("map_merge");
	munmap(base, SPAN + 2 * PAGE);
	base += PAGE;	/* a free page either side */
	anonymous();
	locked_and_advised();
	forked();
	remapped();
	files();
	arena_steps();
	return abi_done("map_merge");
}
