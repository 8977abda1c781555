/*
 * A device's memory through mprotect (tests/system/devmap-protect.py): run
 * as the one-shot command holding the virtio-net device (PETREL_DEVICE),
 * it maps the first page of a memory BAR it may map, reads it, and changes
 * its protection there and back. The page must stay device memory
 * (uncached, and no page of RAM to free): /proc/self/pagemap shows a
 * device's page as present with no other bit (and its frame), and munmap then gives
 * nothing back to the page allocator. One line per check; exits 1 at the
 * first failure.
 */
#include <petrel/native.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#define PM_PRESENT (1ull << 63)
#define PM_PFN_MASK ((1ull << 55) - 1)	/* shown to root; left out */

static void
check(int ok, const char *what, long long got)
{
	if (!ok) {
		printf("devmap: FAIL %s (got %#llx)\n", what, got);
		exit(1);
	}
	printf("devmap: ok %s\n", what);
}

/* The page's /proc/self/pagemap entry, its frame number left out. */
static unsigned long long
pagemap(volatile void *va)
{
	unsigned long long entry = 0;
	int fd = open("/proc/self/pagemap", O_RDONLY);
	pread(fd, &entry, sizeof(entry), (long)((unsigned long)va / 4096 * 8));
	close(fd);
	return entry & ~PM_PFN_MASK;
}

/* A page of the first memory BAR the device lets us map (not MSI-X's). */
static volatile unsigned *
map_bar(int dev)
{
	struct pt_dev_info info;
	long e = pt_dev_info(dev, 0, &info);
	check(e == 0, "the device's information", e);
	for (unsigned b = 0; b < 6; b++) {
		if (!(info.bar[b].flags & PT_BAR_MMIO) || info.bar[b].size < 4096)
			continue;
		long va = pt_dev_map(dev, b, 0, 4096);
		if (va > 0)
			return (volatile unsigned *)va;
	}
	check(0, "a memory BAR to map", 0);
	return NULL;
}

int
main(void)
{
	const char *env = getenv("PETREL_DEVICE");
	check(env != NULL, "a device handle (PETREL_DEVICE)", 0);
	volatile unsigned *page = map_bar(atoi(env));
	unsigned first = page[0];
	check(pagemap(page) == PM_PRESENT, "mapped as device memory",
	      (long long)pagemap(page));
	long e = mprotect((void *)page, 4096, PROT_READ);
	check(e == 0, "mprotect to read-only", e);
	check(pagemap(page) == PM_PRESENT, "still device memory after mprotect",
	      (long long)pagemap(page));
	check(page[0] == first, "the same register read", page[0]);
	e = mprotect((void *)page, 4096, PROT_READ | PROT_WRITE);
	check(e == 0 && pagemap(page) == PM_PRESENT,
	      "and after mprotect back to read-write", (long long)pagemap(page));
	e = munmap((void *)page, 4096);
	check(e == 0, "munmap", e);
	printf("devmap: all passed\n");
	return 0;
}
