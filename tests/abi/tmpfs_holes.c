/*
 * Holes in tmpfs files: fallocate(PUNCH_HOLE | KEEP_SIZE) frees whole
 * pages and zeroes the parts at its edges, seen through read and through
 * shared and private mappings; lseek's SEEK_DATA and SEEK_HOLE find the
 * pages a file holds; a page written past 4 GiB leaves the rest holes;
 * a write-sealed memfd refuses the punch. fallocate's modes 0 and
 * KEEP_SIZE give a range its pages at once, on a tmpfs of 64 pages: its
 * blocks counted, ENOSPC at fallocate with nothing taken when they do not
 * fit, and a write into the range still succeeding once the file system
 * is full; a grow-sealed memfd refuses to grow that way.
 */
#include "abi.h"

#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#define PAGE 4096

#ifndef SEEK_DATA
#define SEEK_DATA 3
#define SEEK_HOLE 4
#endif

static int
memfd(unsigned flags)
{
	return (int)syscall(SYS_memfd_create, "holes", flags);
}

static char
byte_at(int fd, off_t at)
{
	char c = '?';
	pread(fd, &c, 1, at);
	return c;
}

static void
fill(int fd, int pages)
{
	char page[PAGE];
	for (int i = 0; i < pages; i++) {
		memset(page, 'a' + i, sizeof(page));
		pwrite(fd, page, PAGE, (off_t)i * PAGE);
	}
}

static void
test_punch(void)
{
	int fd = memfd(0);
	fill(fd, 4);
	char *shared = mmap(NULL, 4 * PAGE, PROT_READ, MAP_SHARED, fd, 0);
	char *priv = mmap(NULL, 4 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE,
	    fd, 0);
	CHECK_EQ("shared map reads page 1", shared[PAGE], 'b');
	CHECK_EQ("private map reads page 1", priv[PAGE], 'b');
	priv[2 * PAGE] = 'X';	/* a private copy of page 2 */
	struct stat st;
	fstat(fd, &st);
	CHECK_EQ("blocks before", st.st_blocks, 4 * PAGE / 512);
	CHECK_OK("punch bytes 100..3 pages-100",
	    fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 100,
	    3 * PAGE - 200));
	fstat(fd, &st);
	CHECK_EQ("size kept", st.st_size, 4 * PAGE);
	CHECK_EQ("blocks after (page 1 freed)", st.st_blocks, 3 * PAGE / 512);
	CHECK_EQ("byte 99 kept", byte_at(fd, 99), 'a');
	CHECK_EQ("byte 100 zeroed", byte_at(fd, 100), 0);
	CHECK_EQ("page 1 reads zero", byte_at(fd, PAGE + 7), 0);
	CHECK_EQ("last punched byte zeroed", byte_at(fd, 3 * PAGE - 101), 0);
	CHECK_EQ("byte after the hole kept", byte_at(fd, 3 * PAGE - 100), 'c');
	CHECK_EQ("shared map sees the hole", shared[PAGE], 0);
	CHECK_EQ("shared map sees the zeroed edge", shared[200], 0);
	CHECK_EQ("private map sees the hole", priv[PAGE], 0);
	CHECK_EQ("private copy kept", priv[2 * PAGE], 'X');
	CHECK_EQ("the private copy keeps its old bytes", priv[3 * PAGE - 101], 'c');
	CHECK_ERR("punch without KEEP_SIZE",
	    fallocate(fd, FALLOC_FL_PUNCH_HOLE, 0, PAGE), EOPNOTSUPP);
	CHECK_OK("punch past the end",
	    fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
	    8 * PAGE, PAGE));
	munmap(shared, 4 * PAGE);
	munmap(priv, 4 * PAGE);
	close(fd);
}

static void
test_seek(void)
{
	int fd = memfd(0);
	CHECK_ERR("SEEK_DATA of an empty file", lseek(fd, 0, SEEK_DATA), ENXIO);
	CHECK_ERR("SEEK_HOLE of an empty file", lseek(fd, 0, SEEK_HOLE), ENXIO);
	ftruncate(fd, 6 * PAGE);
	pwrite(fd, "x", 1, 2 * PAGE + 5);
	pwrite(fd, "y", 1, 3 * PAGE);
	CHECK_EQ("SEEK_DATA from 0", lseek(fd, 0, SEEK_DATA), 2 * PAGE);
	CHECK_EQ("SEEK_DATA inside data", lseek(fd, 2 * PAGE + 9, SEEK_DATA),
	    2 * PAGE + 9);
	CHECK_EQ("SEEK_HOLE from 0", lseek(fd, 0, SEEK_HOLE), 0);
	CHECK_EQ("SEEK_HOLE inside data", lseek(fd, 2 * PAGE + 9, SEEK_HOLE),
	    4 * PAGE);
	CHECK_EQ("the offset moved", lseek(fd, 0, SEEK_CUR), 4 * PAGE);
	CHECK_ERR("SEEK_DATA in the last hole", lseek(fd, 4 * PAGE, SEEK_DATA),
	    ENXIO);
	CHECK_EQ("SEEK_HOLE in the last hole", lseek(fd, 5 * PAGE, SEEK_HOLE),
	    5 * PAGE);
	CHECK_ERR("SEEK_DATA at the end", lseek(fd, 6 * PAGE, SEEK_DATA), ENXIO);
	CHECK_ERR("SEEK_HOLE past the end", lseek(fd, 7 * PAGE, SEEK_HOLE),
	    ENXIO);
	CHECK_ERR("SEEK_DATA at a negative offset", lseek(fd, -1, SEEK_DATA),
	    ENXIO);
	pwrite(fd, "z", 1, 6 * PAGE - 1);
	CHECK_EQ("SEEK_HOLE in data up to the end",
	    lseek(fd, 5 * PAGE + 1, SEEK_HOLE), 6 * PAGE);
	close(fd);
}

/* One page written past 4 GiB: the rest stays holes (LTP open12 and
 * openat02 write there). */
static void
test_sparse(void)
{
	int fd = memfd(0);
	off_t far = 4ll * 1024 * 1024 * 1024 + 1024 * 1024;
	CHECK_EQ("a write past 4 GiB", pwrite(fd, "far", 3, far), 3);
	struct stat st;
	fstat(fd, &st);
	CHECK_EQ("the size", st.st_size, far + 3);
	CHECK_EQ("one page held", st.st_blocks, PAGE / 512);
	CHECK_EQ("SEEK_DATA finds it", lseek(fd, 0, SEEK_DATA), far);
	CHECK_EQ("the byte there", byte_at(fd, far + 1), 'a');
	CHECK_EQ("a byte of the hole", byte_at(fd, far / 2), 0);
	CHECK_OK("truncated back", ftruncate(fd, PAGE));
	CHECK_ERR("no data left", lseek(fd, 0, SEEK_DATA), ENXIO);
	close(fd);
}

/* A private mapping's fault on a hole fills the file's page, as Linux's
 * shmem: pages a child locked are resident for its parent (LTP mincore04). */
static void
test_private_fault(void)
{
	int fd = memfd(0);
	ftruncate(fd, 3 * PAGE);
	char *p = mmap(NULL, 3 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE,
	    fd, 0);
	unsigned char vec[3];
	mincore(p, 3 * PAGE, vec);
	CHECK_EQ("resident before", (vec[0] & 1) + (vec[1] & 1) + (vec[2] & 1),
	    0);
	pid_t pid = abi_fork();
	if (pid == 0)
		_exit(mlock(p, 3 * PAGE) == 0 ? 0 : 1);
	CHECK_STR("a child locks them", status_str(abi_wait(pid)), "exited 0");
	mincore(p, 3 * PAGE, vec);
	CHECK_EQ("resident after", (vec[0] & 1) + (vec[1] & 1) + (vec[2] & 1),
	    3);
	CHECK_EQ("the file's data is still zero", byte_at(fd, PAGE), 0);
	munmap(p, 3 * PAGE);
	close(fd);
}

static void
test_sealed(void)
{
	int fd = memfd(MFD_ALLOW_SEALING);
	fill(fd, 2);
	fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE);
	CHECK_ERR("punch of a write-sealed memfd",
	    fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 0, PAGE),
	    EPERM);
	CHECK_EQ("its data kept", byte_at(fd, 0), 'a');
	close(fd);
}

static long
blocks_of(int fd)
{
	struct stat st;
	return fstat(fd, &st) < 0 ? -1 : (long)st.st_blocks;
}

static off_t
size_of(int fd)
{
	struct stat st;
	return fstat(fd, &st) < 0 ? -1 : st.st_size;
}

static void
test_fill(void)
{
	char dir[] = "/tmp/abi-fill.XXXXXX";
	CHECK("a mount point", mkdtemp(dir) != NULL);
	CHECK_EQ("mount a tmpfs of 64 pages", mount("tmpfs", dir, "tmpfs", 0,
	    "size=256k"), 0);
	char name[256];
	snprintf(name, sizeof(name), "%s/a", dir);
	int fd = open(name, O_RDWR | O_CREAT, 0644);
	CHECK_EQ("fallocate 32 pages", fallocate(fd, 0, 0, 32 * PAGE), 0);
	CHECK_EQ("its size", size_of(fd), 32 * PAGE);
	CHECK_EQ("its blocks", blocks_of(fd), 32 * PAGE / 512);
	CHECK_EQ("KEEP_SIZE 16 past the end", fallocate(fd,
	    FALLOC_FL_KEEP_SIZE, 32 * PAGE, 16 * PAGE), 0);
	CHECK_EQ("the size kept", size_of(fd), 32 * PAGE);
	CHECK_EQ("the blocks counted", blocks_of(fd), 48 * PAGE / 512);
	CHECK_EQ("what is held again", fallocate(fd, 0, 0, 48 * PAGE), 0);
	CHECK_EQ("no block more", blocks_of(fd), 48 * PAGE / 512);
	CHECK_ERR("more than the file system holds", fallocate(fd, 0, 0,
	    256 * PAGE), ENOSPC);
	CHECK_EQ("nothing taken", blocks_of(fd), 48 * PAGE / 512);
	CHECK_EQ("nor the size grown", size_of(fd), 48 * PAGE);

	snprintf(name, sizeof(name), "%s/b", dir);
	int other = open(name, O_RDWR | O_CREAT, 0644);
	char page[PAGE];
	memset(page, 'x', sizeof(page));
	int written = 0;
	while (written < 64 && pwrite(other, page, PAGE,
	    (off_t)written * PAGE) == PAGE)
		written++;
	CHECK_EQ("another file fills the rest", written, 16);
	CHECK_ERR("then the file system is full", pwrite(other, page, PAGE,
	    (off_t)written * PAGE), ENOSPC);
	int ok = 1;
	for (int i = 0; i < 48; i++)
		ok &= pwrite(fd, page, PAGE, (off_t)i * PAGE) == PAGE;
	CHECK("the allocated range takes its writes", ok);
	CHECK_EQ("the data is there", byte_at(fd, 47 * PAGE), 'x');
	close(other);
	close(fd);
	CHECK_EQ("unmount", umount(dir), 0);
	rmdir(dir);

	fd = memfd(MFD_ALLOW_SEALING);
	fill(fd, 2);
	fcntl(fd, F_ADD_SEALS, F_SEAL_GROW);
	CHECK_ERR("grow-sealed: fallocate past the end", fallocate(fd, 0, 0,
	    3 * PAGE), EPERM);
	CHECK_ERR("nor with KEEP_SIZE", fallocate(fd, FALLOC_FL_KEEP_SIZE, 0,
	    3 * PAGE), EPERM);
	CHECK_EQ("within it", fallocate(fd, 0, 0, 2 * PAGE), 0);
	close(fd);
}

/* Pages given past the end (KEEP_SIZE) stay through a grow; a shrink
 * frees all past the new end, as Linux's shmem. */
static void
test_truncate(void)
{
	int fd = memfd(0);
	CHECK_EQ("KEEP_SIZE 8 pages at size 0", fallocate(fd,
	    FALLOC_FL_KEEP_SIZE, 0, 8 * PAGE), 0);
	CHECK_EQ("8 pages held", blocks_of(fd), 8 * PAGE / 512);
	CHECK_EQ("grow to a page", ftruncate(fd, PAGE), 0);
	CHECK_EQ("all 8 kept", blocks_of(fd), 8 * PAGE / 512);
	CHECK_EQ("grow to 4 pages and a bit", ftruncate(fd, 4 * PAGE + 10), 0);
	CHECK_EQ("still all 8", blocks_of(fd), 8 * PAGE / 512);
	CHECK_EQ("zeros in what was given", byte_at(fd, 3 * PAGE + 5), 0);
	CHECK_EQ("shrink to 2 pages", ftruncate(fd, 2 * PAGE), 0);
	CHECK_EQ("the rest freed", blocks_of(fd), 2 * PAGE / 512);
	CHECK_EQ("the same size again", ftruncate(fd, 2 * PAGE), 0);
	CHECK_EQ("nothing freed", blocks_of(fd), 2 * PAGE / 512);
	close(fd);
}

int
main(void)
{
	abi_init();
	test_punch();
	test_seek();
	test_sparse();
	test_private_fault();
	test_sealed();
	test_fill();
	test_truncate();
	return abi_done("tmpfs_holes");
}
