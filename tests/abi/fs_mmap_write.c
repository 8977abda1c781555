/*
 * Writable MAP_SHARED mappings of files on a real disk (ext2: fsd's /data
 * in Petrel, a loop mount natively): a store is seen at once by another
 * mapping and a forked child's, and by read() without msync; write()s
 * into a page holding stores keep both; what is stored reaches the file
 * through msync(MS_SYNC), munmap, fsync, and a process's exit without
 * either; stores past the end do not grow the file; a truncate under the
 * mapping SIGBUSes past the end; a file grown under the mapping (by
 * ftruncate, by a write() past the end) maps its new pages; msync's
 * argument errors.
 */
/* abi: disk */
#include "abi.h"

#include <sys/mman.h>

#define PAGE 4096
#define FILE_SIZE (3 * PAGE + 1000)

static void
make_file(const char *path)
{
	static char buf[FILE_SIZE];
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);

	for (long i = 0; i < FILE_SIZE; i++)
		buf[i] = (char)('a' + i % 26);
	write(fd, buf, FILE_SIZE);
	close(fd);
}

/* len bytes of path at off, as a string (at most 63). */
static const char *
file_bytes(const char *path, off_t off, size_t len)
{
	static char buf[64];
	int fd = open(path, O_RDONLY);
	ssize_t n = pread(fd, buf, len, off);

	close(fd);
	buf[n < 0 ? 0 : n] = '\0';
	return buf;
}

static void
test_coherence(void)
{
	int fd = open(abi_at("w"), O_RDWR);
	char *p = mmap(NULL, FILE_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED,
	    fd, 0);
	CHECK("a writable MAP_SHARED mapping", p != MAP_FAILED);
	memcpy(p + PAGE - 3, "STORED", 6);
	char buf[16] = "";
	pread(fd, buf, 6, PAGE - 3);
	CHECK_STR("read() sees a store across pages, no msync", buf, "STORED");
	char *q = mmap(NULL, FILE_SIZE, PROT_READ, MAP_SHARED, fd, 0);
	CHECK_EQ("a second mapping sees it", memcmp(q + PAGE - 3, "STORED",
	    6), 0);

	pid_t pid = abi_fork();
	if (pid == 0) {
		memcpy(p + 2 * PAGE + 10, "CHILD", 5);
		_exit(0);
	}
	abi_wait(pid);
	CHECK_EQ("the parent sees a forked child's store",
	    memcmp(p + 2 * PAGE + 10, "CHILD", 5), 0);

	/* A write() to other bytes of a page holding a store keeps both. */
	p[20] = '#';
	pwrite(fd, "WRITE", 5, 30);
	CHECK_EQ("the mapping sees the write()", memcmp(p + 30, "WRITE", 5),
	    0);
	CHECK_EQ("and keeps its store", p[20], '#');
	CHECK_EQ("msync(MS_SYNC)", msync(p, FILE_SIZE, MS_SYNC), 0);
	CHECK_STR("the file has both", file_bytes(abi_at("w"), 20, 15),
	    "#vwxyzabcdWRITE");
	CHECK_EQ("msync(MS_ASYNC)", msync(p, PAGE, MS_ASYNC), 0);

	/* A store after a write-back is written again. */
	p[21] = '%';
	CHECK_EQ("fsync", fsync(fd), 0);
	CHECK_STR("a store after msync reaches the file at fsync",
	    file_bytes(abi_at("w"), 20, 2), "#%");

	/* Past the end of the file, in its last page. */
	p[FILE_SIZE + 10] = 'X';
	msync(p, FILE_SIZE, MS_SYNC);
	struct stat st;
	fstat(fd, &st);
	CHECK_EQ("a store past the end does not grow the file", st.st_size,
	    FILE_SIZE);
	munmap(q, FILE_SIZE);
	munmap(p, FILE_SIZE);
	close(fd);
}

static void
test_write_back(void)
{
	int fd = open(abi_at("w"), O_RDWR);
	char *p = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
	    PAGE);
	memcpy(p + 100, "UNMAPPED", 8);
	CHECK_EQ("munmap", munmap(p, PAGE), 0);
	close(fd);
	CHECK_STR("munmap writes the stores back",
	    file_bytes(abi_at("w"), PAGE + 100, 8), "UNMAPPED");

	/* Closed at once, written by a child that exits without munmap. */
	pid_t pid = abi_fork();
	if (pid == 0) {
		int cfd = open(abi_at("w"), O_RDWR);
		char *c = mmap(NULL, FILE_SIZE, PROT_READ | PROT_WRITE,
		    MAP_SHARED, cfd, 0);
		close(cfd);
		memcpy(c + 3 * PAGE + 5, "EXITED", 6);
		_exit(0);
	}
	CHECK_STR("a child stores and exits", status_str(abi_wait(pid)),
	    "exited 0");
	CHECK_STR("its stores reach the file", file_bytes(abi_at("w"),
	    3 * PAGE + 5, 6), "EXITED");
}

static void
test_grow(void)
{
	int fd = open(abi_at("g"), O_RDWR | O_CREAT | O_TRUNC, 0644);
	write(fd, "start", 5);
	char *p = mmap(NULL, 4 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED,
	    fd, 0);
	CHECK_EQ("ftruncate grows the mapped file", ftruncate(fd, 2 * PAGE),
	    0);
	CHECK_EQ("its new page reads zero", p[PAGE + 7], 0);
	p[PAGE + 7] = 'N';
	CHECK_EQ("and takes a store", msync(p, 2 * PAGE, MS_SYNC), 0);
	CHECK_STR("that reaches the file", file_bytes(abi_at("g"), PAGE + 7,
	    1), "N");
	CHECK_EQ("a write() past the end", pwrite(fd, "PAST", 4, 3 * PAGE + 1),
	    4);
	CHECK_EQ("is seen in the mapping", memcmp(p + 3 * PAGE + 1, "PAST", 4),
	    0);
	CHECK_EQ("with zeros before it", p[2 * PAGE + 100] == 0 && p[3 * PAGE]
	    == 0, 1);
	munmap(p, 4 * PAGE);
	close(fd);
	unlink(abi_at("g"));
}

static void
touch_after_truncate(void)
{
	int fd = open(abi_at("w"), O_RDWR);
	volatile char *p = mmap(NULL, FILE_SIZE, PROT_READ | PROT_WRITE,
	    MAP_SHARED, fd, 0);

	p[3 * PAGE] = 'T';
	ftruncate(fd, PAGE + 10);
	if (p[PAGE + 10] != 0 || p[PAGE + 9] != (char)('a' + (PAGE + 9) % 26))
		_exit(3);	/* the tail of the last page reads zero */
	p[2 * PAGE] = 'x';	/* past the end now: SIGBUS */
	_exit(0);
}

static void
test_truncate(void)
{
	pid_t pid = abi_fork();
	if (pid == 0)
		touch_after_truncate();
	CHECK_STR("a store past a truncate under the mapping",
	    status_str(abi_wait(pid)), "killed by SIGBUS");
	struct stat st;
	stat(abi_at("w"), &st);
	CHECK_EQ("the file keeps the truncated size", st.st_size, PAGE + 10);

	int fd = open(abi_at("w"), O_RDONLY);
	char *p = mmap(NULL, PAGE, PROT_READ, MAP_SHARED, fd, 0);
	CHECK_ERR("msync of an unmapped range", msync(p + 64 * PAGE, PAGE,
	    MS_SYNC), ENOMEM);
	CHECK_ERR("msync unaligned", msync(p + 1, PAGE, MS_SYNC), EINVAL);
	CHECK_ERR("MS_SYNC with MS_ASYNC", msync(p, PAGE, MS_SYNC | MS_ASYNC),
	    EINVAL);
	munmap(p, PAGE);
	close(fd);
}

int
main(void)
{
	abi_init();
	abi_disk_scratch("fs_mmap_write");
	make_file(abi_at("w"));
	test_coherence();
	test_write_back();
	test_grow();
	test_truncate();
	unlink(abi_at("w"));
	CHECK_OK("rmdir", rmdir(abi_dir));
	return abi_done("fs_mmap_write");
}
