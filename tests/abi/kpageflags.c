/*
 * /proc/kpageflags (LTP's msync04): one 64-bit word of KPF_* bits per page
 * frame, the frame found through /proc/self/pagemap. A written anonymous
 * page is KPF_ANON; a page of a file on a real disk stored to through a
 * shared mapping is KPF_DIRTY until msync(MS_SYNC) writes it back, and
 * again after the next store. Reads are whole entries (else EINVAL), none
 * past the last frame.
 */
/* abi: disk */
#include "abi.h"

#include <fcntl.h>
#include <stdint.h>
#include <sys/mman.h>

#define PAGE 4096
#define KPF_DIRTY (1ull << 4)
#define KPF_ANON (1ull << 12)
#define PFN_MASK ((1ull << 55) - 1)

/* The page frame number mapped at p, 0 if none. */
static uint64_t
pfn_of(void *p)
{
	uint64_t e = 0;
	int fd = open("/proc/self/pagemap", O_RDONLY);
	if (fd < 0 || pread(fd, &e, sizeof(e),
			    (off_t)((uintptr_t)p / PAGE * sizeof(e))) != 8)
		e = 0;
	close(fd);
	return e & PFN_MASK;
}

/* The kpageflags word of the frame mapped at p, or ~0 if unreadable. */
static uint64_t
flags_of(void *p)
{
	uint64_t pfn = pfn_of(p), e = ~0ull;
	int fd = open("/proc/kpageflags", O_RDONLY);
	if (!pfn || fd < 0 || pread(fd, &e, sizeof(e),
				    (off_t)(pfn * sizeof(e))) != 8)
		e = ~0ull;
	close(fd);
	return e;
}

static void
test_reads(void)
{
	int fd = open("/proc/kpageflags", O_RDONLY);
	CHECK("open /proc/kpageflags", fd >= 0);
	uint64_t e[2];
	CHECK_EQ("read two entries", pread(fd, e, sizeof(e), 0), 16);
	CHECK_ERR("read half an entry", pread(fd, e, 4, 0), EINVAL);
	CHECK_ERR("read at half an entry", pread(fd, e, 8, 4), EINVAL);
	CHECK_EQ("read past the last frame",
		 pread(fd, e, 8, (off_t)1 << 60), 0);
	close(fd);
}

static void
test_anon(void)
{
	char *p = mmap(NULL, PAGE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	p[0] = 1;
	uint64_t f = flags_of(p);
	CHECK("anonymous page's flags read", f != ~0ull);
	CHECK_EQ("anonymous page is KPF_ANON", !!(f & KPF_ANON), 1);
	munmap(p, PAGE);
}

static void
test_dirty(void)
{
	const char *path = abi_at("kpageflags");
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
	CHECK("create a file on the disk", fd >= 0);
	char text[16] = "AAAAAAAAAA";
	CHECK_EQ("write", write(fd, text, sizeof(text)), 16);
	CHECK_OK("fsync", fsync(fd));
	char *p = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	CHECK("mmap shared", p != MAP_FAILED);
	if (p == MAP_FAILED)
		return;
	p[8] = 'B';
	uint64_t f = flags_of(p);
	CHECK("file page's flags read", f != ~0ull);
	CHECK_EQ("dirty after a store", !!(f & KPF_DIRTY), 1);
	CHECK_EQ("not KPF_ANON", !!(f & KPF_ANON), 0);
	CHECK_OK("msync MS_SYNC", msync(p, PAGE, MS_SYNC));
	CHECK_EQ("clean after msync", !!(flags_of(p) & KPF_DIRTY), 0);
	p[9] = 'C';
	CHECK_EQ("dirty after the next store", !!(flags_of(p) & KPF_DIRTY), 1);
	CHECK_OK("msync MS_SYNC again", msync(p, PAGE, MS_SYNC));
	CHECK_EQ("clean again", !!(flags_of(p) & KPF_DIRTY), 0);
	munmap(p, PAGE);
	close(fd);
	unlink(path);
}

int
main(void)
{
	abi_init();
	abi_disk_scratch("kpageflags");
	test_reads();
	test_anon();
	test_dirty();
	return abi_done("kpageflags");
}
