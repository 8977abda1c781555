/*
 * Regular files on a real disk (ext2: fsd's /data in Petrel, a loop mount
 * natively): open and creat flags, read/write and their positioned and
 * vectored forms across block boundaries, lseek, sparse files and a write
 * at 5 GiB, truncation up and down (what comes back must be zeros), fstat
 * fields with st_blocks, fsync, sendfile from a disk file, statfs (and
 * st_blksize, its block size).
 */
/* abi: disk */
#include "abi.h"

#include <fcntl.h>
#include <sys/sendfile.h>
#include <sys/statfs.h>
#include <sys/uio.h>

#define EXT2_SUPER_MAGIC 0xEF53

/* Byte i of the test pattern: varies inside and across 1 KiB blocks. */
static char
pattern(long i)
{
	return (char)('a' + (i * 7 + i / 1024) % 26);
}

static int
is_pattern(const char *buf, long from, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (buf[i] != pattern(from + (long)i))
			return 0;
	return 1;
}

static int
all_zero(const char *buf, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (buf[i])
			return 0;
	return 1;
}

/* The whole file as a string (for small files), or "(error)". */
static const char *
content(const char *path)
{
	static char buf[128];
	int fd = open(path, O_RDONLY);
	ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);

	if (fd >= 0)
		close(fd);
	if (n < 0)
		return "(error)";
	buf[n] = '\0';
	return buf;
}

static long long
size_of(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 ? (long long)st.st_size : -1;
}

static void
test_open_flags(void)
{
	CHECK_ERR("open missing without O_CREAT", open(abi_at("f"), O_RDONLY),
	    ENOENT);
	int fd = open(abi_at("f"), O_WRONLY | O_CREAT | O_EXCL, 0644);
	CHECK("O_CREAT|O_EXCL creates", fd >= 0);
	CHECK_EQ("write", write(fd, "hello world", 11), 11);
	close(fd);
	CHECK_ERR("O_CREAT|O_EXCL on existing", open(abi_at("f"), O_WRONLY |
	    O_CREAT | O_EXCL, 0644), EEXIST);
	fd = open(abi_at("f"), O_WRONLY | O_CREAT, 0600);
	CHECK("O_CREAT on existing opens it", fd >= 0);
	close(fd);
	CHECK_STR("O_CREAT keeps the content", content(abi_at("f")),
	    "hello world");

	fd = open(abi_at("f"), O_WRONLY | O_APPEND);
	CHECK_EQ("O_APPEND write", write(fd, "!", 1), 1);
	CHECK_EQ("O_APPEND offset at end", lseek(fd, 0, SEEK_CUR), 12);
	lseek(fd, 0, SEEK_SET);
	CHECK_EQ("O_APPEND write after seek to 0", write(fd, "?", 1), 1);
	/* Linux: pwrite on an O_APPEND file appends, whatever the offset. */
	CHECK_EQ("O_APPEND pwrite at 0", pwrite(fd, "<>", 2, 0), 2);
	CHECK_EQ("O_APPEND pwrite leaves the offset", lseek(fd, 0, SEEK_CUR),
	    13);
	close(fd);
	CHECK_STR("content after appends", content(abi_at("f")),
	    "hello world!?<>");

	fd = open(abi_at("f"), O_RDWR | O_TRUNC);
	struct stat st;
	fstat(fd, &st);
	CHECK_EQ("O_TRUNC empties", st.st_size, 0);
	CHECK_EQ("O_TRUNC frees blocks", st.st_blocks, 0);
	close(fd);

	fd = creat(abi_at("g"), 0600);
	CHECK("creat", fd >= 0);
	CHECK_EQ("creat is write-only", fcntl(fd, F_GETFL) & O_ACCMODE,
	    O_WRONLY);
	CHECK_ERR("read on creat fd", read(fd, &st, 1), EBADF);
	close(fd);
	CHECK_ERR("O_DIRECTORY on a file", open(abi_at("g"), O_RDONLY |
	    O_DIRECTORY), ENOTDIR);
	CHECK_ERR("file as a directory", open(abi_at("g/x"), O_RDONLY), ENOTDIR);
	CHECK_ERR("O_CREAT under a file", open(abi_at("g/x"), O_WRONLY | O_CREAT,
	    0644), ENOTDIR);
	CHECK_ERR("open directory for writing", open(abi_dir, O_WRONLY), EISDIR);
	CHECK_ERR("O_CREAT on a directory", open(abi_dir, O_RDWR | O_CREAT, 0644),
	    EISDIR);
	CHECK_ERR("O_CREAT in missing directory", open(abi_at("none/f"),
	    O_WRONLY | O_CREAT, 0644), ENOENT);
	fd = open(abi_dir, O_RDONLY | O_DIRECTORY);
	CHECK("open directory O_DIRECTORY", fd >= 0);
	CHECK_ERR("read a directory", read(fd, &st, 1), EISDIR);
	CHECK_ERR("write a directory fd", write(fd, "x", 1), EBADF);
	close(fd);
	unlink(abi_at("f"));
	unlink(abi_at("g"));
}

static void
test_io(void)
{
	static char buf[8192];
	int fd = open(abi_at("io"), O_RDWR | O_CREAT | O_TRUNC, 0644);

	/* 5000 bytes: four full 1 KiB blocks and part of a fifth. */
	for (long i = 0; i < 5000; i++)
		buf[i] = pattern(i);
	CHECK_EQ("write 5000", write(fd, buf, 5000), 5000);
	CHECK_EQ("offset after write", lseek(fd, 0, SEEK_CUR), 5000);
	memset(buf, 0, sizeof(buf));
	CHECK_EQ("pread across blocks", pread(fd, buf, 100, 1000), 100);
	CHECK_EQ("pread data", is_pattern(buf, 1000, 100), 1);
	CHECK_EQ("pread short at the end", pread(fd, buf, 100, 4950), 50);
	CHECK_EQ("pread at the end", pread(fd, buf, 10, 5000), 0);
	CHECK_EQ("pread past the end", pread(fd, buf, 10, 99999), 0);
	CHECK_ERR("pread negative offset", pread(fd, buf, 1, -1), EINVAL);
	CHECK_EQ("pread leaves the offset", lseek(fd, 0, SEEK_CUR), 5000);

	/* Overwrite straddling a block boundary. */
	CHECK_EQ("pwrite across a block boundary", pwrite(fd, "XYZW", 4,
	    2046), 4);
	CHECK_EQ("pread it back", pread(fd, buf, 8, 2044), 8);
	CHECK("pwrite data", memcmp(buf + 2, "XYZW", 4) == 0 &&
	    buf[0] == pattern(2044) && buf[7] == pattern(2051));
	CHECK_EQ("size unchanged by overwrite", size_of(abi_at("io")), 5000);
	CHECK_EQ("zero-length pwrite", pwrite(fd, buf, 0, 0), 0);
	for (long i = 0; i < 4; i++)
		buf[i] = pattern(2046 + i);
	pwrite(fd, buf, 4, 2046);	/* the pattern back, for what follows */

	CHECK_EQ("SEEK_SET", lseek(fd, 1023, SEEK_SET), 1023);
	CHECK_EQ("read across a boundary", read(fd, buf, 3), 3);
	CHECK_EQ("read data", is_pattern(buf, 1023, 3), 1);
	CHECK_EQ("SEEK_CUR", lseek(fd, 1000, SEEK_CUR), 2026);
	CHECK_EQ("SEEK_CUR back", lseek(fd, -26, SEEK_CUR), 2000);
	CHECK_EQ("SEEK_END", lseek(fd, -8, SEEK_END), 4992);
	CHECK_EQ("read to the end", read(fd, buf, 100), 8);
	CHECK_EQ("SEEK_END past the end", lseek(fd, 100, SEEK_END), 5100);
	CHECK_EQ("read there", read(fd, buf, 10), 0);
	CHECK_ERR("seek before the start", lseek(fd, -5001, SEEK_END),
	    EINVAL);
	CHECK_ERR("bad whence", lseek(fd, 0, 42), EINVAL);

	/* Vectored, across blocks, with an empty iovec in the middle. */
	char a[700], b[1], c[900];
	struct iovec iov[4] = { { a, 700 }, { b, 0 }, { c, 900 }, { b, 1 } };
	lseek(fd, 500, SEEK_SET);
	CHECK_EQ("readv", readv(fd, iov, 4), 1601);
	CHECK("readv data", is_pattern(a, 500, 700) &&
	    is_pattern(c, 1200, 900) && is_pattern(b, 2100, 1));
	CHECK_EQ("readv moves the offset", lseek(fd, 0, SEEK_CUR), 2101);
	CHECK_EQ("preadv", preadv(fd, iov, 3, 3000), 1600);
	CHECK("preadv data", is_pattern(a, 3000, 700) &&
	    is_pattern(c, 3700, 900));
	CHECK_EQ("preadv short at the end", preadv(fd, iov, 3, 4500), 500);
	CHECK_EQ("preadv leaves the offset", lseek(fd, 0, SEEK_CUR), 2101);

	struct iovec out[3] = { { "one-", 4 }, { "", 0 }, { "two", 3 } };
	lseek(fd, 0, SEEK_END);
	CHECK_EQ("writev at the end", writev(fd, out, 3), 7);
	CHECK_EQ("size after writev", size_of(abi_at("io")), 5007);
	CHECK_EQ("pwritev inside", pwritev(fd, out, 3, 1022), 7);
	CHECK_EQ("pwritev past the end", pwritev(fd, out, 3, 6000), 7);
	CHECK_EQ("size after pwritev", size_of(abi_at("io")), 6007);
	CHECK_EQ("pread the writev", pread(fd, buf, 7, 5000), 7);
	CHECK("writev data", memcmp(buf, "one-two", 7) == 0);
	CHECK_EQ("pread the pwritev", pread(fd, buf, 9, 1021), 9);
	CHECK("pwritev data", buf[0] == pattern(1021) &&
	    memcmp(buf + 1, "one-two", 7) == 0 && buf[8] == pattern(1029));
	CHECK_EQ("gap before pwritev reads zeros", pread(fd, buf, 993, 5007),
	    993);
	CHECK_EQ("gap is zero", all_zero(buf, 993), 1);
	close(fd);

	/* Reopened: the data came from the disk, not from the writer. */
	fd = open(abi_at("io"), O_RDONLY);
	CHECK_EQ("reopen and read", read(fd, buf, 5000), 5000);
	CHECK("reopened data", is_pattern(buf, 0, 1021) &&
	    memcmp(buf + 1022, "one-two", 7) == 0 &&
	    is_pattern(buf + 1029, 1029, 3971));
	CHECK_ERR("write on O_RDONLY", write(fd, "x", 1), EBADF);
	CHECK_ERR("pwrite on O_RDONLY", pwrite(fd, "x", 1, 0), EBADF);
	close(fd);
	unlink(abi_at("io"));
}

static void
test_sparse(void)
{
	static char buf[4096];
	struct stat st;
	int fd = open(abi_at("sparse"), O_RDWR | O_CREAT | O_TRUNC, 0644);

	fstat(fd, &st);
	CHECK_EQ("empty file blocks", st.st_blocks, 0);
	CHECK_EQ("lseek past the end", lseek(fd, 1 << 20, SEEK_SET), 1 << 20);
	CHECK_EQ("write at 1 MiB", write(fd, "tail", 4), 4);
	fstat(fd, &st);
	CHECK_EQ("sparse size", st.st_size, (1 << 20) + 4);
	CHECK("sparse blocks > 0", st.st_blocks > 0);
	CHECK("sparse blocks below size", st.st_blocks * 512 < st.st_size);
	memset(buf, 'q', sizeof(buf));
	CHECK_EQ("read in the hole", pread(fd, buf, sizeof(buf), 4096),
	    (long)sizeof(buf));
	CHECK_EQ("hole reads zeros", all_zero(buf, sizeof(buf)), 1);
	memset(buf, 'q', sizeof(buf));
	CHECK_EQ("read up to the data", pread(fd, buf, 8, (1 << 20) - 4), 8);
	CHECK("zeros then data", all_zero(buf, 4) &&
	    memcmp(buf + 4, "tail", 4) == 0);
	/* Filling the hole's middle leaves zeros around it. */
	CHECK_EQ("write in the hole", pwrite(fd, "mid", 3, 300000), 3);
	memset(buf, 'q', sizeof(buf));
	pread(fd, buf, 16, 299995);
	CHECK("around the fill", all_zero(buf, 5) &&
	    memcmp(buf + 5, "mid", 3) == 0 && all_zero(buf + 8, 8));
	close(fd);

	/* A write at 5 GiB: size, and the data back, and the hole below. */
	const off_t big = 5LL << 30;
	fd = open(abi_at("big"), O_RDWR | O_CREAT | O_TRUNC, 0644);
	CHECK_EQ("pwrite at 5 GiB", pwrite(fd, "far away", 8, big), 8);
	fstat(fd, &st);
	CHECK_EQ("size past 4 GiB", st.st_size, big + 8);
	CHECK("few blocks", st.st_blocks > 0 && st.st_blocks < 100);
	memset(buf, 0, sizeof(buf));
	CHECK_EQ("pread at 5 GiB", pread(fd, buf, 100, big), 8);
	CHECK("data at 5 GiB", memcmp(buf, "far away", 8) == 0);
	memset(buf, 'q', sizeof(buf));
	CHECK_EQ("pread just below", pread(fd, buf, 16, big - 16), 16);
	CHECK_EQ("zeros below", all_zero(buf, 16), 1);
	CHECK_EQ("pread at 4 GiB", pread(fd, buf, 16, 4LL << 30), 16);
	CHECK_EQ("zeros at 4 GiB", all_zero(buf, 16), 1);
	CHECK_EQ("SEEK_END at 5 GiB", lseek(fd, 0, SEEK_END), big + 8);
	CHECK_EQ("ftruncate back to 4 GiB + 1", ftruncate(fd, (4LL << 30) +
	    1), 0);
	CHECK_EQ("size after", size_of(abi_at("big")), (4LL << 30) + 1);
	CHECK_EQ("old data gone", pread(fd, buf, 8, big), 0);
	CHECK_EQ("ftruncate to 0", ftruncate(fd, 0), 0);
	fstat(fd, &st);
	CHECK_EQ("no blocks left", st.st_blocks, 0);
	close(fd);
	unlink(abi_at("big"));
	unlink(abi_at("sparse"));
}

static void
test_truncate(void)
{
	static char buf[8192];
	struct stat st;
	int fd = open(abi_at("t"), O_RDWR | O_CREAT | O_TRUNC, 0644);

	for (long i = 0; i < 6000; i++)
		buf[i] = pattern(i);
	write(fd, buf, 6000);
	fstat(fd, &st);
	long long full_blocks = st.st_blocks;
	CHECK("blocks after write", full_blocks > 0);

	/* Down inside a block, then up again: the old bytes must not return. */
	CHECK_EQ("ftruncate down to 100", ftruncate(fd, 100), 0);
	fstat(fd, &st);
	CHECK_EQ("size 100", st.st_size, 100);
	CHECK("fewer blocks", st.st_blocks > 0 && st.st_blocks < full_blocks);
	CHECK_EQ("read past the new end", pread(fd, buf, 10, 100), 0);
	CHECK_EQ("offset kept past the end", lseek(fd, 0, SEEK_CUR), 6000);
	CHECK_EQ("ftruncate up to 3000", ftruncate(fd, 3000), 0);
	CHECK_EQ("size 3000", size_of(abi_at("t")), 3000);
	memset(buf, 'q', sizeof(buf));
	CHECK_EQ("read all", pread(fd, buf, sizeof(buf), 0), 3000);
	CHECK("first 100 kept", is_pattern(buf, 0, 100));
	CHECK_EQ("grown part is zeros", all_zero(buf + 100, 2900), 1);

	/* truncate by path, and a write after the end of a shrunk file. */
	CHECK_EQ("truncate by path down to 10", truncate(abi_at("t"), 10), 0);
	CHECK_EQ("size 10", size_of(abi_at("t")), 10);
	CHECK_EQ("write at the old offset", write(fd, "E", 1), 1);
	CHECK_EQ("size follows the write", size_of(abi_at("t")), 6001);
	memset(buf, 'q', sizeof(buf));
	pread(fd, buf, sizeof(buf), 0);
	CHECK("zeros from 10 to 6000", is_pattern(buf, 0, 10) &&
	    all_zero(buf + 10, 5990) && buf[6000] == 'E');
	CHECK_EQ("truncate by path up to 5 GiB", truncate(abi_at("t"), 5LL << 30),
	    0);
	fstat(fd, &st);
	CHECK_EQ("size 5 GiB", st.st_size, 5LL << 30);
	CHECK("no blocks for the new part", st.st_blocks <= full_blocks + 8);
	CHECK_EQ("read at the end of it", pread(fd, buf, 4, (5LL << 30) - 4),
	    4);
	CHECK_EQ("zeros there", all_zero(buf, 4), 1);
	CHECK_ERR("ftruncate negative", ftruncate(fd, -1), EINVAL);
	CHECK_ERR("truncate a directory", truncate(abi_dir, 0), EISDIR);
	CHECK_ERR("truncate missing", truncate(abi_at("none"), 0), ENOENT);
	CHECK_EQ("fsync", fsync(fd), 0);
	CHECK_EQ("fdatasync", fdatasync(fd), 0);
	close(fd);
	fd = open(abi_at("t"), O_RDONLY);
	CHECK_ERR("ftruncate read-only fd", ftruncate(fd, 0), EINVAL);
	CHECK_EQ("fsync read-only fd", fsync(fd), 0);
	close(fd);
	fd = open(abi_dir, O_RDONLY | O_DIRECTORY);
	CHECK_EQ("fsync a directory", fsync(fd), 0);
	close(fd);
	unlink(abi_at("t"));
}

static void
test_stat(void)
{
	struct stat st, st2;
	int fd = open(abi_at("s"), O_WRONLY | O_CREAT | O_TRUNC, 0640);

	CHECK_OK("fstat new file", fstat(fd, &st));
	CHECK_EQ("regular", S_ISREG(st.st_mode), 1);
	CHECK_EQ("mode bits (octal 640)", st.st_mode & 07777, 0640);
	CHECK_EQ("size 0", st.st_size, 0);
	CHECK_EQ("blocks 0", st.st_blocks, 0);
	CHECK_EQ("nlink 1", st.st_nlink, 1);
	CHECK_EQ("uid is euid", st.st_uid == geteuid(), 1);
	CHECK_EQ("gid is egid", st.st_gid == getegid(), 1);
	write(fd, "12345", 5);
	fstat(fd, &st);
	CHECK_EQ("size 5", st.st_size, 5);
	CHECK("blocks > 0 after write", st.st_blocks > 0);
	CHECK_EQ("blocks a multiple of the block", st.st_blocks % 2, 0);
	CHECK_OK("stat", stat(abi_at("s"), &st2));
	CHECK_EQ("stat and fstat agree", st.st_ino == st2.st_ino &&
	    st.st_dev == st2.st_dev && st.st_size == st2.st_size &&
	    st.st_blocks == st2.st_blocks, 1);
	CHECK("inode number nonzero", st.st_ino != 0);
	close(fd);

	struct stat dst;
	CHECK_OK("stat the directory", stat(abi_dir, &dst));
	CHECK_EQ("directory", S_ISDIR(dst.st_mode), 1);
	CHECK_EQ("directory nlink 2", dst.st_nlink, 2);
	CHECK("directory size > 0", dst.st_size > 0);
	CHECK_EQ("same device", dst.st_dev == st.st_dev, 1);
	unlink(abi_at("s"));
}

static void
test_sendfile(void)
{
	static char buf[20000];
	int in = open(abi_at("src"), O_RDWR | O_CREAT | O_TRUNC, 0644);
	int out = open(abi_at("dst"), O_RDWR | O_CREAT | O_TRUNC, 0644);

	for (long i = 0; i < 20000; i++)
		buf[i] = pattern(i);
	write(in, buf, 20000);
	lseek(in, 0, SEEK_SET);
	CHECK_EQ("sendfile file to file", sendfile(out, in, NULL, 20000),
	    20000);
	CHECK_EQ("sendfile moved the in offset", lseek(in, 0, SEEK_CUR),
	    20000);
	CHECK_EQ("sendfile at the end", sendfile(out, in, NULL, 100), 0);
	off_t off = 19990;
	CHECK_EQ("sendfile with an offset", sendfile(out, in, &off, 100), 10);
	CHECK_EQ("offset advanced", off, 20000);
	CHECK_EQ("in offset unchanged", lseek(in, 0, SEEK_CUR), 20000);
	CHECK_EQ("out size", size_of(abi_at("dst")), 20010);
	memset(buf, 0, sizeof(buf));
	pread(out, buf, 20010, 0);
	CHECK("copied data", is_pattern(buf, 0, 20000) &&
	    is_pattern(buf + 20000, 19990, 10));

	int p[2];
	pipe(p);
	off = 1000;
	CHECK_EQ("sendfile file to pipe", sendfile(p[1], in, &off, 3000),
	    3000);
	CHECK_EQ("pipe gets it", read(p[0], buf, sizeof(buf)), 3000);
	CHECK_EQ("pipe data", is_pattern(buf, 1000, 3000), 1);
	close(p[0]);
	close(p[1]);
	close(in);
	close(out);
	unlink(abi_at("src"));
	unlink(abi_at("dst"));
}

static void
test_statfs(void)
{
	struct statfs sf;
	int fd = open(abi_dir, O_RDONLY | O_DIRECTORY);

	CHECK_OK("statfs", statfs(abi_dir, &sf));
	if (abi_disk_is_ext2())
		CHECK_EQ("f_type is ext2", sf.f_type, EXT2_SUPER_MAGIC);
	CHECK_EQ("f_bsize", sf.f_bsize, 1024);
	CHECK("f_blocks > 0", sf.f_blocks > 0);
	CHECK("f_bfree <= f_blocks", sf.f_bfree <= sf.f_blocks);
	CHECK("f_bavail <= f_bfree", sf.f_bavail <= sf.f_bfree);
	CHECK("f_files > 0", sf.f_files > 0);
	CHECK("f_ffree < f_files", sf.f_ffree < sf.f_files);
	CHECK_EQ("f_namelen", sf.f_namelen, 255);
	struct stat st;
	CHECK_OK("stat the directory", stat(abi_dir, &st));
	CHECK_EQ("st_blksize is the block size", st.st_blksize, 1024);

	/* A file's blocks come out of f_bfree and go back. */
	long long before = (long long)sf.f_bfree;
	int f = open(abi_at("space"), O_RDWR | O_CREAT | O_TRUNC, 0644);
	static char buf[65536];
	write(f, buf, sizeof(buf));
	fsync(f);
	statfs(abi_dir, &sf);
	CHECK("64 KiB written: f_bfree down by 64 or more",
	    before - (long long)sf.f_bfree >= 64);
	close(f);
	unlink(abi_at("space"));
	struct statfs sf2;
	CHECK_OK("fstatfs", fstatfs(fd, &sf2));
	CHECK_EQ("freed again", (long long)sf2.f_bfree, before);
	close(fd);
}

int
main(void)
{
	abi_init();
	abi_disk_scratch("fs_file");
	test_open_flags();
	test_io();
	test_sparse();
	test_truncate();
	test_stat();
	test_sendfile();
	test_statfs();
	CHECK_OK("rmdir", rmdir(abi_dir));
	return abi_done("fs_file");
}
