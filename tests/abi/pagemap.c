/*
 * The memory files of /proc/self and remap_file_pages: pagemap's present,
 * file and exclusive bits and its entry-sized reads, MAP_POPULATE seen
 * there, coredump_filter read, written and inherited by a child, and
 * remap_file_pages making a window onto another page of the file.
 */
#include "abi.h"

#include <stdint.h>
#include <sys/mman.h>

#define PAGE 4096
#define PM_PRESENT (1ull << 63)
#define PM_FILE (1ull << 61)
#define PM_EXCLUSIVE (1ull << 56)
#define PM_PFN ((1ull << 55) - 1)

/* The entry of the page at p, or ~0 if it cannot be read. */
static uint64_t
pagemap_of(int pm, const void *p)
{
	uint64_t e;
	off_t at = (off_t)((uintptr_t)p / PAGE * sizeof(e));
	return pread(pm, &e, sizeof(e), at) == sizeof(e) ? e : ~0ull;
}

/* The flags of an entry that both kernels agree on, in words. */
static const char *
entry_str(uint64_t e)
{
	static char text[64];
	if (e == ~0ull)
		return "unreadable";
	snprintf(text, sizeof(text), "%s%s%s%s",
	    e & PM_PRESENT ? "present" : "absent",
	    e & PM_FILE ? " file" : "", e & PM_EXCLUSIVE ? " exclusive" : "",
	    (e & PM_PRESENT) && (e & PM_PFN) ? " pfn" : "");
	return text;
}

static int
scratch_file(int pages)
{
	char path[] = "/tmp/abi-pagemap-XXXXXX";
	int fd = mkstemp(path);
	unlink(path);
	char page[PAGE];
	for (int i = 0; i < pages; i++) {
		memset(page, 'a' + i, sizeof(page));
		if (write(fd, page, sizeof(page)) != PAGE)
			printf("write: %s\n", errno_name(errno));
	}
	return fd;
}

static void
test_pagemap(void)
{
	int pm = open("/proc/self/pagemap", O_RDONLY);
	CHECK("open /proc/self/pagemap", pm >= 0);
	char *anon = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK_STR("untouched anonymous page", entry_str(pagemap_of(pm, anon)),
	    "absent");
	anon[0] = 1;
	CHECK_STR("written anonymous page", entry_str(pagemap_of(pm, anon)),
	    "present exclusive pfn");
	CHECK_STR("its untouched neighbour",
	    entry_str(pagemap_of(pm, anon + PAGE)), "absent");
	uint64_t e;
	CHECK_ERR("a read of part of an entry", read(pm, &e, 4), EINVAL);
	CHECK_ERR("a read at an unaligned offset", pread(pm, &e, 8, 4), EINVAL);
	CHECK_EQ("a read past the user half", pread(pm, &e, 8,
	    (off_t)(1ull << 47) / PAGE * 8), 0);
	munmap(anon, 2 * PAGE);

	int fd = scratch_file(2);
	char *file = mmap(NULL, 2 * PAGE, PROT_READ, MAP_SHARED, fd, 0);
	(void)*(volatile char *)file;
	CHECK_STR("a read shared file page", entry_str(pagemap_of(pm, file)),
	    "present file exclusive pfn");
	munmap(file, 2 * PAGE);
	file = mmap(NULL, 2 * PAGE, PROT_READ, MAP_SHARED | MAP_POPULATE, fd, 0);
	CHECK_STR("MAP_POPULATE's second page",
	    entry_str(pagemap_of(pm, file + PAGE)), "present file exclusive pfn");
	munmap(file, 2 * PAGE);
	close(fd);
	close(pm);
}

static void
read_filter(const char *what, const char *want)
{
	char text[32] = "";
	int fd = open("/proc/self/coredump_filter", O_RDONLY);
	ssize_t n = read(fd, text, sizeof(text) - 1);
	text[n > 0 ? n - 1 : 0] = 0;	/* less its newline */
	close(fd);
	CHECK_STR(what, text, want);
}

static void
write_filter(const char *what, const char *text, int want_errno)
{
	int fd = open("/proc/self/coredump_filter", O_WRONLY);
	ssize_t n = write(fd, text, strlen(text));
	int e = errno;
	if (want_errno)
		CHECK_SAVED_ERR(what, n, e, want_errno);
	else
		CHECK_EQ(what, n, (ssize_t)strlen(text));
	close(fd);
}

static void
test_coredump_filter(void)
{
	read_filter("coredump_filter at first", "00000033");
	write_filter("write 0x7", "0x7\n", 0);
	read_filter("coredump_filter after 0x7", "00000007");
	write_filter("write 0x3ff (masked)", "0x3ff", 0);
	read_filter("coredump_filter after 0x3ff", "000001ff");
	write_filter("write 12", "12", 0);
	read_filter("coredump_filter after 12", "0000000c");
	write_filter("write junk", "zz", EINVAL);
	pid_t pid = abi_fork();
	if (pid == 0) {
		char text[32] = "";
		int fd = open("/proc/self/coredump_filter", O_RDONLY);
		read(fd, text, sizeof(text) - 1);
		_exit(strcmp(text, "0000000c\n") == 0 ? 0 : 1);
	}
	CHECK_STR("a child inherits it", status_str(abi_wait(pid)), "exited 0");
	write_filter("write 0x33 back", "0x33", 0);
}

static void
test_remap_file_pages(void)
{
	int fd = scratch_file(4);
	char *map = mmap(NULL, 4 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED,
	    fd, 0);
	CHECK_OK("remap_file_pages page 3 at 0",
	    remap_file_pages(map, PAGE, 0, 3, 0));
	CHECK_EQ("page 0 shows the file's page 3", map[0], 'd');
	CHECK_EQ("page 1 is still page 1", map[PAGE], 'b');
	map[1] = 'D';
	char c = 0;
	pread(fd, &c, 1, 3 * PAGE + 1);
	CHECK_EQ("a store through the window reaches page 3", c, 'D');
	CHECK_OK("remap_file_pages two pages across the map",
	    remap_file_pages(map + 2 * PAGE, 2 * PAGE, 0, 0, 0));
	CHECK_EQ("page 3 shows the file's page 1", map[3 * PAGE], 'b');
	CHECK_ERR("remap_file_pages with a protection",
	    remap_file_pages(map, PAGE, PROT_READ, 1, 0), EINVAL);
	CHECK_ERR("remap_file_pages past the mapping",
	    remap_file_pages(map + 3 * PAGE, 2 * PAGE, 0, 0, 0), EINVAL);
	munmap(map, 4 * PAGE);
	map = mmap(NULL, 2 * PAGE, PROT_READ, MAP_PRIVATE, fd, 0);
	CHECK_ERR("remap_file_pages of a private map",
	    remap_file_pages(map, PAGE, 0, 1, 0), EINVAL);
	munmap(map, 2 * PAGE);
	char *anon = mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS,
	    -1, 0);
	CHECK_ERR("remap_file_pages of anonymous memory",
	    remap_file_pages(anon, PAGE, 0, 0, 0), EINVAL);
	munmap(anon, PAGE);
	close(fd);
}

int
main(void)
{
	abi_init();
	test_pagemap();
	test_coredump_filter();
	test_remap_file_pages();
	return abi_done("pagemap");
}
