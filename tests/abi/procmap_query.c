/*
 * ioctl(PROCMAP_QUERY) on /proc/self/maps (Linux 6.11): the region at an
 * address (its bounds, permissions, page size, offset, device, inode and
 * the name maps shows), or with COVERING_OR_NEXT_VMA the next one; the
 * permission and FILE_BACKED filters; ENOENT, ENAMETOOLONG, EINVAL,
 * E2BIG as Linux, and ENOTTY on another /proc file.
 */
#include "abi.h"

#include <stdint.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#define PROCMAP_QUERY 0xc0686611ul
#define READABLE 0x01
#define WRITABLE 0x02
#define EXECUTABLE 0x04
#define COVERING_OR_NEXT 0x10
#define FILE_BACKED 0x20

struct procmap_query {
	uint64_t size, query_flags, query_addr;
	uint64_t vma_start, vma_end, vma_flags, vma_page_size, vma_offset;
	uint64_t inode;
	uint32_t dev_major, dev_minor, vma_name_size, build_id_size;
	uint64_t vma_name_addr, build_id_addr;
};

static int maps;

static long
query(struct procmap_query *q, void *addr, uint64_t flags)
{
	memset(q, 0, sizeof(*q));
	q->size = sizeof(*q);
	q->query_addr = (uintptr_t)addr;
	q->query_flags = flags;
	return ioctl(maps, PROCMAP_QUERY, q);
}

int
main(void)
{
	abi_init();
	long page = sysconf(_SC_PAGESIZE);
	struct procmap_query q;
	maps = open("/proc/self/maps", O_RDONLY);
	char *m = mmap(NULL, 3 * page, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS,
		       -1, 0);
	munmap(m, page);
	mprotect(m + 2 * page, page, PROT_READ | PROT_WRITE);

	CHECK_OK("the read-only page", query(&q, m + page, 0));
	CHECK("its bounds", q.vma_start == (uintptr_t)(m + page) &&
	      q.vma_end == (uintptr_t)(m + 2 * page));
	CHECK_EQ("its flags", q.vma_flags, READABLE);
	CHECK_EQ("its page size", q.vma_page_size, page);
	CHECK("anonymous: no file", q.inode == 0 && q.dev_major == 0 &&
	      q.vma_offset == 0);
	CHECK_OK("inside the writable page", query(&q, m + 2 * page + 100, 0));
	CHECK_EQ("its flags", q.vma_flags, READABLE | WRITABLE);
	CHECK_ERR("the hole", query(&q, m, 0), ENOENT);
	CHECK_OK("the hole, or the next", query(&q, m, COVERING_OR_NEXT));
	CHECK("the next", q.vma_start == (uintptr_t)(m + page));
	CHECK_ERR("read-only, asked writable", query(&q, m + page, WRITABLE),
		  ENOENT);
	CHECK_OK("writable, or the next", query(&q, m + page,
						WRITABLE | COVERING_OR_NEXT));
	CHECK("the writable page", q.vma_start == (uintptr_t)(m + 2 * page));
	CHECK_ERR("anonymous, asked file-backed", query(&q, m + page, FILE_BACKED),
		  ENOENT);

	char exe[256] = { 0 }, name[256];
	readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	memset(&q, 0, sizeof(q));
	q.size = sizeof(q);
	q.query_addr = (uintptr_t)&main;
	q.vma_name_addr = (uintptr_t)name;
	q.vma_name_size = sizeof(name);
	CHECK_OK("this code", ioctl(maps, PROCMAP_QUERY, &q));
	CHECK("its name: the program's", strcmp(name, exe) == 0);
	CHECK("its name's size", q.vma_name_size == strlen(exe) + 1);
	CHECK_EQ("its flags", q.vma_flags, READABLE | EXECUTABLE);
	CHECK("a file: an inode", q.inode != 0);
	q.vma_name_size = 4;
	CHECK_ERR("a name too long", ioctl(maps, PROCMAP_QUERY, &q), ENAMETOOLONG);
	q.vma_name_size = sizeof(name);
	q.query_addr = (uintptr_t)(m + page);
	CHECK_OK("no name", ioctl(maps, PROCMAP_QUERY, &q));
	CHECK_EQ("its size", q.vma_name_size, 0);

	memset(&q, 0, sizeof(q));
	q.size = sizeof(q);
	q.query_addr = (uintptr_t)(m + page);
	q.query_flags = 0x40;
	CHECK_ERR("an unknown flag", ioctl(maps, PROCMAP_QUERY, &q), EINVAL);
	q.query_flags = 0;
	q.vma_name_size = 8;
	CHECK_ERR("a name size, no buffer", ioctl(maps, PROCMAP_QUERY, &q), EINVAL);
	q.vma_name_size = 0;
	q.size = 16;
	CHECK_ERR("size 16", ioctl(maps, PROCMAP_QUERY, &q), EINVAL);
	q.size = 8192;
	CHECK_ERR("size 8192", ioctl(maps, PROCMAP_QUERY, &q), E2BIG);
	q.size = 24;
	CHECK_OK("size 24: only what it holds", ioctl(maps, PROCMAP_QUERY, &q));
	CHECK_EQ("the rest left alone", q.vma_start, 0);
	CHECK_ERR("unreadable", ioctl(maps, PROCMAP_QUERY, 8), EFAULT);
	int status = open("/proc/self/status", O_RDONLY);
	CHECK_ERR("on status", ioctl(status, PROCMAP_QUERY, &q), ENOTTY);
	CHECK_ERR("another command", ioctl(maps, 0x5401, &q), ENOTTY);
	return abi_done("procmap_query");
}
