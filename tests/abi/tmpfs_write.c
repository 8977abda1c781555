/*
 * Writes to a file as Linux makes them (in Petrel a tmpfs file's write,
 * pwrite64 and writev run without the big lock where they can:
 * docs/kernel.md, "Calls without the big lock"): a write past the end
 * leaves a hole of zeros, in the last page and past it; a buffer that
 * faults part way writes the pages before the fault (write, pwrite,
 * writev) and none is EFAULT; O_APPEND writes at the end and leaves the
 * offset there, pwrite on O_APPEND appends and leaves it alone; a write
 * moves mtime and ctime; a write by a user without CAP_FSETID clears
 * set-user-ID and set-group-ID (with group execute), root's keeps them.
 * In Petrel, that a one-thread append loop leaves the big lock alone.
 */
/* abi: smp 2 */
#include "abi.h"

#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include "../system/progs/bkl.h"

static char path[64];

static int
reopen(int flags)
{
	return open(path, flags | O_CREAT | O_TRUNC, 0600);
}

static void
test_holes(void)
{
	char buf[8192];
	int fd = reopen(O_RDWR);
	CHECK_EQ("write 10 bytes", write(fd, "0123456789", 10), 10);
	CHECK_EQ("pwrite at 100, in the same page", pwrite(fd, "ab", 2, 100),
		 2);
	CHECK_EQ("lseek past the next page", lseek(fd, 6000, SEEK_SET), 6000);
	CHECK_EQ("write there", write(fd, "xyz", 3), 3);
	struct stat st;
	fstat(fd, &st);
	CHECK_EQ("the size", st.st_size, 6003);
	CHECK_EQ("read it all", pread(fd, buf, sizeof(buf), 0), 6003);
	int zeros = 1;
	for (int i = 10; i < 6000; i++)
		zeros &= (i == 100 || i == 101) || buf[i] == 0;
	CHECK("the holes read as zeros", zeros);
	CHECK("the bytes written", !memcmp(buf, "0123456789", 10) &&
		  !memcmp(buf + 100, "ab", 2) && !memcmp(buf + 6000, "xyz", 3));
	close(fd);
}

static void
test_fault(void)
{
	long page = sysconf(_SC_PAGESIZE);
	char *p = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	memset(p, 'f', page);
	munmap(p + page, page);
	int fd = reopen(O_RDWR);
	CHECK_EQ("write 100 into a page to the next, unmapped",
		 write(fd, p + page - 100, 300), 100);
	CHECK_EQ("the offset moved by 100", lseek(fd, 0, SEEK_CUR), 100);
	CHECK_EQ("pwrite of a page and a bit", pwrite(fd, p, page + 50, 1000),
		 page);
	struct iovec v[2] = { { "head", 4 }, { p + page - 8, 20 } };
	CHECK_EQ("writev whose second piece faults part way",
		 writev(fd, v, 2), 12);
	CHECK_ERR("write from the unmapped page", write(fd, p + page, 10),
		  EFAULT);
	struct stat st;
	fstat(fd, &st);
	CHECK_EQ("the size", st.st_size, 1000 + page);
	char buf[16];
	CHECK_EQ("pread at 100", pread(fd, buf, 12, 100), 12);
	CHECK("writev's bytes", !memcmp(buf, "headffffffff", 12));
	close(fd);
	munmap(p, page);
}

static void
test_append(void)
{
	int fd = reopen(O_WRONLY | O_APPEND);
	CHECK_EQ("append 5", write(fd, "hello", 5), 5);
	CHECK_EQ("lseek to 0", lseek(fd, 0, SEEK_SET), 0);
	CHECK_EQ("append 6", write(fd, " world", 6), 6);
	CHECK_EQ("the offset is the end", lseek(fd, 0, SEEK_CUR), 11);
	lseek(fd, 2, SEEK_SET);
	CHECK_EQ("pwrite at 0 with O_APPEND", pwrite(fd, "!", 1, 0), 1);
	CHECK_EQ("leaves the offset", lseek(fd, 0, SEEK_CUR), 2);
	struct iovec v[2] = { { "ab", 2 }, { "cd", 2 } };
	CHECK_EQ("writev appends", writev(fd, v, 2), 4);
	CHECK_EQ("the offset is the end again", lseek(fd, 0, SEEK_CUR), 16);
	close(fd);
	char buf[32] = { 0 };
	fd = open(path, O_RDONLY);
	CHECK_EQ("read it", read(fd, buf, sizeof(buf)), 16);
	CHECK_STR("appended in order", buf, "hello world!abcd");
	close(fd);
}

static void
test_times(void)
{
	int fd = reopen(O_RDWR);
	write(fd, "x", 1);
	struct timespec old[2] = { { 1000, 0 }, { 1000, 0 } };
	CHECK_OK("futimens to 1000", futimens(fd, old));
	struct stat st;
	fstat(fd, &st);
	time_t ctime0 = st.st_ctime;
	CHECK_EQ("a write in the page", write(fd, "y", 1), 1);
	fstat(fd, &st);
	CHECK("mtime moved to now", st.st_mtime > time(NULL) - 60);
	CHECK("ctime moved", st.st_ctime >= ctime0);
	CHECK_OK("futimens to 1000 again", futimens(fd, old));
	CHECK_EQ("pwrite", pwrite(fd, "z", 1, 0), 1);
	fstat(fd, &st);
	CHECK("pwrite moved mtime", st.st_mtime > time(NULL) - 60);
	close(fd);
}

/* Writes to the file as uid 65534: its mode after, or -1. */
static int
mode_after_write_as_nobody(void)
{
	pid_t c = fork();
	if (c == 0) {
		int fd;
		if (setgid(65534) < 0 || setuid(65534) < 0 ||
		    (fd = open(path, O_WRONLY)) < 0 || write(fd, "n", 1) != 1)
			_exit(1);
		_exit(0);
	}
	int status;
	waitpid(c, &status, 0);
	struct stat st;
	if (status != 0 || stat(path, &st) < 0)
		return -1;
	return st.st_mode & 07777;
}

static void
test_setid(void)
{
	int fd = reopen(O_WRONLY);
	CHECK_OK("chmod 04777", fchmod(fd, 04777));
	CHECK_EQ("root's write", write(fd, "r", 1), 1);
	struct stat st;
	fstat(fd, &st);
	CHECK_EQ("keeps set-user-ID", st.st_mode & 07777, 04777);
	close(fd);
	CHECK_EQ("another's write clears set-user-ID",
		 mode_after_write_as_nobody(), 0777);
	chmod(path, 06777);
	CHECK_EQ("and set-group-ID with group execute",
		 mode_after_write_as_nobody(), 0777);
}

/* Petrel: a one-thread process's appends take the big lock only for a
 * page to allocate (one in 68 here) and the counter's own reads. */
static void
test_unlocked(void)
{
	pid_t c = fork();
	if (c == 0) {
		char rec[60];
		memset(rec, 'u', sizeof(rec));
		int fd = reopen(O_WRONLY | O_APPEND);
		long before = bkl_acquired();
		for (int i = 0; i < 1000; i++)
			if (write(fd, rec, sizeof(rec)) != sizeof(rec))
				_exit(2);
		long after = bkl_acquired();
		_exit(before < 0 || after - before < 100 ? 0 : 3);
	}
	int status;
	waitpid(c, &status, 0);
	CHECK_STR("1000 appends of one thread, off the big lock",
		  status_str(status), "exited 0");
}

int
main(void)
{
	abi_init();
	snprintf(path, sizeof(path), "/tmp/abi-tmpfs-write-%d", (int)getpid());
	test_holes();
	test_fault();
	test_append();
	test_times();
	test_setid();
	test_unlocked();	/* Linux: no counter, exits 0 */
	unlink(path);
	return abi_done("tmpfs_write");
}
