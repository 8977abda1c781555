/*
 * Mappings of files on a real disk (ext2: fsd's /data in Petrel, a loop
 * mount natively): MAP_PRIVATE reads equal read(), private writes stay
 * private, MAP_SHARED read mappings see the file and later write()s, the
 * tail of the last page reads zeros, offsets, the access-mode errors, and
 * exec of a static binary copied onto the disk.
 */
/* abi: disk */
#include "abi.h"

#include <fcntl.h>
#include <sys/mman.h>

#define PAGE 4096
#define FILE_SIZE (3 * PAGE + 1000)

static char
pattern(long i)
{
	return (char)('A' + (i * 13 + i / PAGE) % 26);
}

static int
all_zero(const char *p, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (p[i])
			return 0;
	return 1;
}

static void
make_file(const char *path)
{
	static char buf[FILE_SIZE];
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);

	for (long i = 0; i < FILE_SIZE; i++)
		buf[i] = pattern(i);
	write(fd, buf, FILE_SIZE);
	close(fd);
}

static void
test_private(void)
{
	static char buf[FILE_SIZE];
	int fd = open(abi_at("m"), O_RDWR);

	read(fd, buf, FILE_SIZE);
	char *p = mmap(NULL, FILE_SIZE, PROT_READ, MAP_PRIVATE, fd, 0);
	CHECK("MAP_PRIVATE read mapping", p != MAP_FAILED);
	CHECK_EQ("mapping equals read()", memcmp(p, buf, FILE_SIZE), 0);
	CHECK_EQ("rest of the last page is zeros", all_zero(p + FILE_SIZE,
	    4 * PAGE - FILE_SIZE), 1);
	munmap(p, FILE_SIZE);

	p = mmap(NULL, 2 * PAGE, PROT_READ, MAP_PRIVATE, fd, PAGE);
	CHECK("mapping at a page offset", p != MAP_FAILED);
	CHECK_EQ("it starts at the offset", memcmp(p, buf + PAGE, 2 * PAGE),
	    0);
	munmap(p, 2 * PAGE);

	p = mmap(NULL, FILE_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	CHECK("MAP_PRIVATE writable mapping", p != MAP_FAILED);
	memcpy(p + 10, "private", 7);
	p[FILE_SIZE + 5] = 'x';		/* past the end, in the last page */
	CHECK("the mapping has the write", memcmp(p + 10, "private", 7) == 0);
	char back[8] = "";
	pread(fd, back, 7, 10);
	CHECK_EQ("the file does not", memcmp(back, buf + 10, 7), 0);
	CHECK_EQ("size unchanged", lseek(fd, 0, SEEK_END), FILE_SIZE);
	pwrite(fd, "FILE", 4, 100);
	CHECK("a write() elsewhere does not undo the private copy",
	    memcmp(p + 10, "private", 7) == 0);
	munmap(p, FILE_SIZE);
	pwrite(fd, buf + 100, 4, 100);
	close(fd);

	int data[2];
	pipe(data);
	fd = open(abi_at("m"), O_RDONLY);
	p = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	CHECK("MAP_PRIVATE writable on an O_RDONLY fd", p != MAP_FAILED);
	munmap(p, PAGE);
	CHECK_ERR("MAP_SHARED writable on an O_RDONLY fd", mmap(NULL, PAGE,
	    PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0) == MAP_FAILED ? -1 : 0,
	    EACCES);
	CHECK_ERR("offset not page-aligned", mmap(NULL, PAGE, PROT_READ,
	    MAP_PRIVATE, fd, 100) == MAP_FAILED ? -1 : 0, EINVAL);
	close(fd);
	close(data[0]);
	close(data[1]);
	fd = open(abi_at("m"), O_WRONLY);
	CHECK_ERR("mapping an O_WRONLY fd", mmap(NULL, PAGE, PROT_READ,
	    MAP_PRIVATE, fd, 0) == MAP_FAILED ? -1 : 0, EACCES);
	close(fd);
}

static void
test_shared(void)
{
	static char buf[FILE_SIZE];
	int fd = open(abi_at("m"), O_RDWR);

	read(fd, buf, FILE_SIZE);
	char *p = mmap(NULL, FILE_SIZE, PROT_READ, MAP_SHARED, fd, 0);
	CHECK("MAP_SHARED read mapping", p != MAP_FAILED);
	CHECK_EQ("it equals read()", memcmp(p, buf, FILE_SIZE), 0);
	CHECK_EQ("rest of the last page is zeros", all_zero(p + FILE_SIZE,
	    4 * PAGE - FILE_SIZE), 1);
	CHECK_EQ("pwrite through the fd", pwrite(fd, "written", 7, PAGE - 3),
	    7);
	CHECK("the mapping sees it, across a page boundary",
	    memcmp(p + PAGE - 3, "written", 7) == 0);
	lseek(fd, 2 * PAGE, SEEK_SET);
	write(fd, "again", 5);
	CHECK("and a write() too", memcmp(p + 2 * PAGE, "again", 5) == 0);
	char *q = mmap(NULL, FILE_SIZE, PROT_READ, MAP_SHARED, fd, 0);
	CHECK("a second shared mapping agrees", q != MAP_FAILED &&
	    memcmp(p, q, FILE_SIZE) == 0);
	munmap(q, FILE_SIZE);
	CHECK_EQ("msync", msync(p, FILE_SIZE, MS_SYNC), 0);
	munmap(p, FILE_SIZE);
	close(fd);
	make_file(abi_at("m"));
}

/* Runs fn in a child and reports how it ended. */
static const char *
in_child(void (*fn)(void))
{
	pid_t pid = abi_fork();

	if (pid == 0) {
		fn();
		_exit(0);
	}
	return status_str(abi_wait(pid));
}

static void
touch_past_the_last_page(void)
{
	int fd = open(abi_at("m"), O_RDONLY);
	volatile char *p = mmap(NULL, 8 * PAGE, PROT_READ, MAP_PRIVATE, fd, 0);

	(void)p[4 * PAGE];	/* the file has 4 pages: SIGBUS */
}

static void
test_beyond(void)
{
	CHECK_STR("touching a page past the end of the file",
	    in_child(touch_past_the_last_page), "killed by SIGBUS");
	int fd = open(abi_at("empty"), O_RDWR | O_CREAT | O_TRUNC, 0644);
	char *p = mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, fd, 0);
	CHECK("mapping an empty file", p != MAP_FAILED);
	munmap(p, PAGE);
	ftruncate(fd, 100);
	p = mmap(NULL, PAGE, PROT_READ, MAP_SHARED, fd, 0);
	CHECK("a file grown by ftruncate maps as zeros", p != MAP_FAILED &&
	    all_zero(p, PAGE));
	munmap(p, PAGE);
	close(fd);
	unlink(abi_at("empty"));
}

static void
test_exec(const char *self)
{
	static char buf[65536];
	int in = open(self, O_RDONLY);
	int out = open(abi_at("prog"), O_WRONLY | O_CREAT | O_TRUNC, 0755);
	ssize_t n;
	long total = 0;

	while ((n = read(in, buf, sizeof(buf))) > 0)
		total += write(out, buf, n);
	close(in);
	close(out);
	struct stat st;
	stat(self, &st);
	CHECK_EQ("copied the test binary to the disk", total == st.st_size,
	    1);
	pid_t pid = abi_fork();
	if (pid == 0) {
		char *argv[] = { "prog", "from-disk", NULL };
		execv(abi_at("prog"), argv);
		printf("execv: %s\n", errno_name(errno));
		_exit(127);
	}
	CHECK_STR("the copy ran", status_str(abi_wait(pid)), "exited 7");
	chmod(abi_at("prog"), 0644);
	pid = abi_fork();
	if (pid == 0) {
		char *argv[] = { "prog", "from-disk", NULL };
		execv(abi_at("prog"), argv);
		_exit(errno == EACCES ? 13 : 1);
	}
	CHECK_STR("without x bits: EACCES", status_str(abi_wait(pid)),
	    "exited 13");
	unlink(abi_at("prog"));
}

int
main(int argc, char **argv)
{
	if (argc == 2 && strcmp(argv[1], "from-disk") == 0) {
		printf("  the copy on the disk runs\n");
		return 7;
	}
	abi_init();
	abi_disk_scratch("fs_mmap");
	make_file(abi_at("m"));
	test_private();
	test_shared();
	test_beyond();
	test_exec("/proc/self/exe");
	unlink(abi_at("m"));
	CHECK_OK("rmdir", rmdir(abi_dir));
	return abi_done("fs_mmap");
}
