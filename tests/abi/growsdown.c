/*
 * MAP_GROWSDOWN: a fault just below such a mapping grows it down to the
 * faulting page (as a thread's stack on it grows); a mapping within the
 * 256-page stack guard gap below stops the growth with SIGSEGV.
 */
#include "abi.h"

#include <stdint.h>
#include <sys/mman.h>

#define PAGE 4096
#define GAP (256 * PAGE)

/* A child touching `depth` bytes below the top of a MAP_GROWSDOWN map
 * of `mapped` bytes, in a free area of `reserved` bytes; with blocker,
 * a page is mapped `blocker` bytes below the top first. */
static const char *
grow(size_t reserved, size_t mapped, size_t depth, size_t blocker)
{
	pid_t pid = abi_fork();
	if (pid == 0) {
		char *start = mmap(NULL, reserved, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		munmap(start, reserved);
		char *top = start + reserved;
		if (mmap(top - mapped, mapped, PROT_READ | PROT_WRITE,
		    MAP_FIXED | MAP_PRIVATE | MAP_ANONYMOUS | MAP_GROWSDOWN,
		    -1, 0) == MAP_FAILED)
			_exit(3);
		if (blocker && mmap(top - blocker, PAGE, PROT_READ | PROT_WRITE,
		    MAP_FIXED | MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) == MAP_FAILED)
			_exit(4);
		for (size_t off = mapped; off <= depth; off += PAGE)
			*(volatile char *)(top - off) = 1;
		_exit(0);
	}
	return status_str(abi_wait(pid));
}

int
main(void)
{
	abi_init();
	size_t stack = 64 * PAGE;
	CHECK_STR("growing into a free area", grow(GAP + stack, 4 * PAGE,
	    stack - PAGE, 0), "exited 0");
	CHECK_STR("growing a half-mapped one", grow(GAP + stack, stack / 2,
	    stack - PAGE, 0), "exited 0");
	CHECK_STR("growing to within the guard gap of a mapping",
	    grow(GAP + stack, 4 * PAGE, stack - PAGE, stack), "killed by SIGSEGV");
	return abi_done("growsdown");
}
