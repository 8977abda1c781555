/*
 * Many mmap, munmap and mprotect calls at random (a fixed seed) over a
 * window of 512 pages, so that the regions' tree (kernel/mm/vm_tree.c)
 * goes through every shape of insert and removal: after each call, which
 * pages are mapped (mincore: ENOMEM for a page of no region) must be what
 * Linux says, and every call must answer as Linux's does; and the
 * mappings /proc/self/maps shows over the window must be as many as
 * Linux's, which merges neighbours that agree (kernel/mm/vm_merge.c).
 * Only digests and counts are printed, the same on both.
 */
#include "abi.h"

#include <stdint.h>
#include <sys/mman.h>

#define PAGE 4096UL
#define WINDOW 512
#define CALLS 3000

static uint64_t seed = 0x9e3779b97f4a7c15ull;

static unsigned
next(unsigned n)
{
	seed ^= seed << 13;
	seed ^= seed >> 7;
	seed ^= seed << 17;
	return (unsigned)(seed % n);
}

/* A digest of which pages of the window are mapped. */
static uint64_t
mapped_digest(char *base, unsigned *count)
{
	uint64_t h = 1469598103934665603ull;
	unsigned char vec;
	*count = 0;
	for (unsigned i = 0; i < WINDOW; i++) {
		int in = mincore(base + i * PAGE, PAGE, &vec) == 0;
		*count += in;
		h = (h ^ (uint64_t)in) * 1099511628211ull;
	}
	return h;
}

/* Lines of /proc/self/maps over the window, read without stdio: musl's
 * malloc would map its buffer where the window's next map goes. */
static unsigned
maps_lines(char *base)
{
	static char buf[1 << 16];
	unsigned n = 0;
	size_t len = 0;
	ssize_t got;
	int fd = open("/proc/self/maps", O_RDONLY);
	while (fd >= 0 && len < sizeof(buf) - 1 &&
	       (got = read(fd, buf + len, sizeof(buf) - 1 - len)) > 0)
		len += (size_t)got;
	if (fd >= 0)
		close(fd);
	buf[len] = 0;
	for (char *line = buf; line && *line;) {
		unsigned long start, end;
		if (sscanf(line, "%lx-%lx", &start, &end) == 2 &&
		    start < (unsigned long)base + WINDOW * PAGE &&
		    end > (unsigned long)base)
			n++;
		line = strchr(line, '\n');
		line = line ? line + 1 : NULL;
	}
	return n;
}

int
main(void)
{
	abi_init();
	char *base = mmap(NULL, WINDOW * PAGE, PROT_NONE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK("window", base != MAP_FAILED);
	munmap(base, WINDOW * PAGE);
	static const int prots[] = { PROT_NONE, PROT_READ,
				     PROT_READ | PROT_WRITE };
	unsigned ok[3] = { 0 }, bad = 0, mismatch = 0, count = 0;
	uint64_t digest = 0, lines_digest = 0;
	unsigned lines = 0, lines_most = 0;
	for (int i = 0; i < CALLS; i++) {
		unsigned at = next(WINDOW), len = 1 + next(24);
		if (at + len > WINDOW)
			len = WINDOW - at;
		char *p = base + at * PAGE;
		int op = (int)next(3), r;
		if (op == 0)
			r = mmap(p, len * PAGE, prots[next(3)],
				 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1,
				 0) == p ? 0 : -1;
		else if (op == 1)
			r = munmap(p, len * PAGE);
		else
			r = mprotect(p, len * PAGE, prots[next(3)]);
		if (r == 0)
			ok[op]++;
		else if (errno == ENOMEM && op == 2)
			bad++;	/* a hole in the range */
		else
			mismatch++;
		digest = digest * 31 + mapped_digest(base, &count);
		lines = maps_lines(base);
		lines_most = lines > lines_most ? lines : lines_most;
		lines_digest = lines_digest * 31 + lines;
	}
	CHECK("all three kinds ran", ok[0] && ok[1] && ok[2]);
	printf("mmap %u, munmap %u, mprotect %u, mprotect of holes %u\n",
	       ok[0], ok[1], ok[2], bad);
	CHECK_EQ("unexpected errors", mismatch, 0);
	printf("pages mapped at the end %u, digest %016llx\n", count,
	       (unsigned long long)digest);
	printf("maps lines at the end %u, at most %u, digest %016llx\n", lines,
	       lines_most, (unsigned long long)lines_digest);
	munmap(base, WINDOW * PAGE);
	return abi_done("map_random");
}
