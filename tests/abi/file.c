/*
 * Regular files and file descriptors: open/creat with O_CREAT, O_EXCL,
 * O_TRUNC, O_APPEND, O_DIRECTORY; read/write/pread/pwrite/readv/writev;
 * lseek with SEEK_SET/CUR/END and holes; fstat/stat fields (size, type,
 * nlink, mode); ftruncate/truncate; fcntl F_GETFL/F_SETFL/F_DUPFD/
 * F_DUPFD_CLOEXEC/F_GETFD/F_SETFD; dup/dup2/dup3 and shared offsets;
 * umask; an unlinked file kept open; /dev/null and /dev/zero; errors.
 */
#include "abi.h"

#include <fcntl.h>
#include <sys/syscall.h>
#include <sys/uio.h>

static char dir[64];

static const char *
at(const char *name)
{
	static char path[4][128];
	static int next;

	next = (next + 1) % 4;
	snprintf(path[next], sizeof(path[next]), "%s/%s", dir, name);
	return path[next];
}

static const char *
file_type(mode_t mode)
{
	return S_ISREG(mode) ? "regular" : S_ISDIR(mode) ? "directory" :
	    S_ISLNK(mode) ? "symlink" : S_ISCHR(mode) ? "char device" :
	    S_ISFIFO(mode) ? "fifo" : "other";
}

static void
test_open_flags(void)
{
	char buf[64];

	CHECK_ERR("open missing without O_CREAT", open(at("f"), O_RDONLY),
	    ENOENT);
	int fd = open(at("f"), O_WRONLY | O_CREAT | O_EXCL, 0644);
	CHECK("O_CREAT|O_EXCL creates", fd >= 0);
	CHECK_EQ("write", write(fd, "hello world", 11), 11);
	close(fd);
	CHECK_ERR("O_EXCL on existing", open(at("f"), O_WRONLY | O_CREAT |
	    O_EXCL, 0644), EEXIST);

	fd = open(at("f"), O_RDONLY);
	CHECK_EQ("read back", read(fd, buf, sizeof(buf)), 11);
	CHECK("content", memcmp(buf, "hello world", 11) == 0);
	CHECK_EQ("read at EOF", read(fd, buf, sizeof(buf)), 0);
	CHECK_ERR("write on O_RDONLY", write(fd, "x", 1), EBADF);
	close(fd);

	fd = open(at("f"), O_WRONLY | O_APPEND);
	lseek(fd, 0, SEEK_SET);
	CHECK_EQ("O_APPEND write", write(fd, "!!", 2), 2);
	CHECK_EQ("O_APPEND offset at end", lseek(fd, 0, SEEK_CUR), 13);
	CHECK_ERR("read on O_WRONLY", read(fd, buf, 1), EBADF);
	close(fd);
	struct stat st;
	stat(at("f"), &st);
	CHECK_EQ("size after append", st.st_size, 13);

	fd = open(at("f"), O_RDWR | O_TRUNC);
	fstat(fd, &st);
	CHECK_EQ("O_TRUNC empties", st.st_size, 0);
	close(fd);

	fd = creat(at("g"), 0600);
	CHECK("creat", fd >= 0);
	CHECK_EQ("creat is write-only", fcntl(fd, F_GETFL) & O_ACCMODE,
	    O_WRONLY);
	close(fd);
	CHECK_ERR("O_DIRECTORY on a file", open(at("g"), O_RDONLY |
	    O_DIRECTORY), ENOTDIR);
	CHECK_ERR("file as a directory", open(at("g/x"), O_RDONLY), ENOTDIR);
	CHECK_ERR("open directory for writing", open(dir, O_WRONLY), EISDIR);
	fd = open(dir, O_RDONLY | O_DIRECTORY);
	CHECK("open directory O_DIRECTORY", fd >= 0);
	CHECK_ERR("read a directory", read(fd, buf, 1), EISDIR);
	close(fd);
	CHECK_ERR("O_CREAT on a directory", open(dir, O_RDONLY | O_CREAT,
	    0644), EISDIR);
	CHECK_EQ("a symlink to it", symlink(dir, at("dirlink")), 0);
	CHECK_ERR("O_CREAT through the symlink", open(at("dirlink"),
	    O_RDONLY | O_CREAT, 0644), EISDIR);
	unlink(at("dirlink"));
	CHECK_ERR("O_CREAT in missing directory", open(at("none/f"),
	    O_WRONLY | O_CREAT, 0644), ENOENT);
	CHECK_ERR("empty path", open("", O_RDONLY), ENOENT);

	int dirfd = open(dir, O_RDONLY | O_DIRECTORY);
	fd = openat(dirfd, "g", O_RDONLY);
	CHECK("openat relative to dirfd", fd >= 0);
	close(fd);
	close(dirfd);
	CHECK_ERR("openat bad dirfd", openat(9999, "g", O_RDONLY), EBADF);
	unlink(at("f"));
	unlink(at("g"));
}

static void
test_io(void)
{
	char buf[64];
	int fd = open(at("io"), O_RDWR | O_CREAT | O_TRUNC, 0644);

	write(fd, "0123456789", 10);
	CHECK_EQ("pread", pread(fd, buf, 4, 3), 4);
	CHECK("pread data", memcmp(buf, "3456", 4) == 0);
	CHECK_EQ("pread leaves offset", lseek(fd, 0, SEEK_CUR), 10);
	CHECK_EQ("pwrite", pwrite(fd, "ab", 2, 1), 2);
	CHECK_EQ("pwrite leaves offset", lseek(fd, 0, SEEK_CUR), 10);
	CHECK_EQ("pread past EOF", pread(fd, buf, 4, 100), 0);

	CHECK_EQ("SEEK_SET", lseek(fd, 2, SEEK_SET), 2);
	CHECK_EQ("SEEK_CUR", lseek(fd, 3, SEEK_CUR), 5);
	CHECK_EQ("SEEK_END", lseek(fd, -1, SEEK_END), 9);
	CHECK_ERR("seek before start", lseek(fd, -20, SEEK_END), EINVAL);
	CHECK_ERR("bad whence", lseek(fd, 0, 42), EINVAL);

	lseek(fd, 0, SEEK_SET);
	char a[3], b[4], c[10];
	struct iovec iov[3] = { { a, 3 }, { b, 4 }, { c, 10 } };
	CHECK_EQ("readv", readv(fd, iov, 3), 10);
	CHECK("readv data", memcmp(a, "0ab", 3) == 0 &&
	    memcmp(b, "3456", 4) == 0 && memcmp(c, "789", 3) == 0);
	struct iovec out[2] = { { "xy", 2 }, { "z", 1 } };
	CHECK_EQ("writev at end", writev(fd, out, 2), 3);
	CHECK_EQ("pwritev", pwritev(fd, out, 2, 0), 3);
	CHECK_EQ("preadv", preadv(fd, iov, 1, 10), 3);
	CHECK("preadv data", memcmp(a, "xyz", 3) == 0);

	/* Writing past the end leaves a hole that reads as zeros. */
	CHECK_EQ("seek past end", lseek(fd, 10000, SEEK_SET), 10000);
	CHECK_EQ("write after hole", write(fd, "end", 3), 3);
	struct stat st;
	fstat(fd, &st);
	CHECK_EQ("size with hole", st.st_size, 10003);
	memset(buf, 'q', sizeof(buf));
	CHECK_EQ("read in hole", pread(fd, buf, 64, 5000), 64);
	int zeros = 1;
	for (int i = 0; i < 64; i++)
		zeros &= buf[i] == 0;
	CHECK_EQ("hole reads as zeros", zeros, 1);

	CHECK_EQ("ftruncate shrink", ftruncate(fd, 4), 0);
	fstat(fd, &st);
	CHECK_EQ("size after shrink", st.st_size, 4);
	CHECK_EQ("read past new end", pread(fd, buf, 10, 4), 0);
	CHECK_EQ("ftruncate grow", ftruncate(fd, 8192), 0);
	CHECK_EQ("grown part zero", pread(fd, buf, 4, 8000) == 4 &&
	    buf[0] == 0 && buf[3] == 0, 1);
	CHECK_EQ("truncate by path", truncate(at("io"), 2), 0);
	fstat(fd, &st);
	CHECK_EQ("size after truncate", st.st_size, 2);
	CHECK_ERR("ftruncate negative", ftruncate(fd, -1), EINVAL);
	CHECK_EQ("fsync", fsync(fd), 0);
	CHECK_EQ("fdatasync", fdatasync(fd), 0);
	close(fd);

	fd = open(at("io"), O_RDONLY);
	CHECK_ERR("ftruncate read-only fd", ftruncate(fd, 0), EINVAL);
	close(fd);
	unlink(at("io"));
}

static void
test_stat(void)
{
	struct stat st, st2;
	int fd = open(at("s"), O_WRONLY | O_CREAT | O_TRUNC, 0640);

	write(fd, "12345", 5);
	CHECK_OK("fstat", fstat(fd, &st));
	CHECK_STR("type", file_type(st.st_mode), "regular");
	CHECK_EQ("mode bits (octal 640)", st.st_mode & 07777, 0640);
	CHECK_EQ("size", st.st_size, 5);
	CHECK_EQ("nlink", st.st_nlink, 1);
	CHECK_EQ("uid is euid", st.st_uid == geteuid(), 1);
	CHECK("blksize positive", st.st_blksize > 0);
	CHECK_OK("stat", stat(at("s"), &st2));
	CHECK_EQ("stat and fstat agree on inode", st.st_ino == st2.st_ino &&
	    st.st_dev == st2.st_dev, 1);
	CHECK_OK("lstat", lstat(at("s"), &st2));
	CHECK_OK("fstatat", fstatat(AT_FDCWD, at("s"), &st2, 0));
	CHECK("mtime set", st2.st_mtime > 0);
	CHECK_OK("chmod", chmod(at("s"), 0600));
	stat(at("s"), &st2);
	CHECK_EQ("mode after chmod (octal 600)", st2.st_mode & 07777, 0600);
	CHECK_OK("fchmod", fchmod(fd, 0604));
	fstat(fd, &st2);
	CHECK_EQ("mode after fchmod (octal 604)", st2.st_mode & 07777, 0604);
	CHECK_ERR("stat missing", stat(at("missing"), &st2), ENOENT);
	CHECK_ERR("fstat bad fd", fstat(9999, &st2), EBADF);
	CHECK_EQ("access F_OK", access(at("s"), F_OK), 0);
	CHECK_ERR("access missing", access(at("missing"), F_OK), ENOENT);

	struct stat dst;
	stat(dir, &dst);
	CHECK_STR("directory type", file_type(dst.st_mode), "directory");
	stat("/dev/null", &dst);
	CHECK_STR("/dev/null type", file_type(dst.st_mode), "char device");
	close(fd);

	/* umask clears bits from the create mode. */
	umask(077);
	fd = open(at("u"), O_WRONLY | O_CREAT | O_TRUNC, 0666);
	fstat(fd, &st);
	CHECK_EQ("mode with umask 077 (octal 600)", st.st_mode & 07777, 0600);
	close(fd);
	CHECK_EQ("umask returns previous (octal 77)", umask(022), 077);
	unlink(at("u"));
	fd = open(at("u"), O_WRONLY | O_CREAT | O_TRUNC, 0666);
	fstat(fd, &st);
	CHECK_EQ("mode with umask 022 (octal 644)", st.st_mode & 07777, 0644);
	close(fd);
	unlink(at("u"));

	/* An unlinked file lives while open. */
	fd = open(at("s"), O_RDWR);
	CHECK_OK("unlink open file", unlink(at("s")));
	fstat(fd, &st);
	CHECK_EQ("nlink after unlink", st.st_nlink, 0);
	char buf[8];
	CHECK_EQ("read unlinked file", pread(fd, buf, 8, 0), 5);
	CHECK_ERR("path is gone", stat(at("s"), &st), ENOENT);
	close(fd);
}

static void
test_fcntl_dup(void)
{
	int fd = open(at("d"), O_RDWR | O_CREAT | O_TRUNC, 0644);
	char buf[16];

	int fl = fcntl(fd, F_GETFL);
	CHECK_EQ("F_GETFL access mode", fl & O_ACCMODE, O_RDWR);
	CHECK_EQ("F_GETFL no O_APPEND", fl & O_APPEND, 0);
	CHECK_OK("F_SETFL O_APPEND|O_NONBLOCK", fcntl(fd, F_SETFL,
	    fl | O_APPEND | O_NONBLOCK));
	fl = fcntl(fd, F_GETFL);
	CHECK("F_GETFL has O_APPEND", fl & O_APPEND);
	CHECK("F_GETFL has O_NONBLOCK", fl & O_NONBLOCK);
	fcntl(fd, F_SETFL, fl | O_RDONLY);
	CHECK_EQ("F_SETFL keeps access mode", fcntl(fd, F_GETFL) & O_ACCMODE,
	    O_RDWR);
	fcntl(fd, F_SETFL, 0);
	CHECK_EQ("F_SETFL clears", fcntl(fd, F_GETFL) & (O_APPEND | O_NONBLOCK),
	    0);

	CHECK_EQ("F_GETFD", fcntl(fd, F_GETFD), 0);
	fcntl(fd, F_SETFD, FD_CLOEXEC);
	CHECK_EQ("F_SETFD FD_CLOEXEC", fcntl(fd, F_GETFD), FD_CLOEXEC);
	int d = fcntl(fd, F_DUPFD, 50);
	CHECK("F_DUPFD at or above 50", d >= 50);
	CHECK_EQ("F_DUPFD clears FD_CLOEXEC", fcntl(d, F_GETFD), 0);
	int e = fcntl(fd, F_DUPFD_CLOEXEC, 50);
	CHECK("F_DUPFD_CLOEXEC above the last", e > d);
	CHECK_EQ("F_DUPFD_CLOEXEC sets it", fcntl(e, F_GETFD), FD_CLOEXEC);
	close(d);
	close(e);

	/* Duplicates share the offset and status flags. */
	write(fd, "abcdef", 6);
	int a = dup(fd);
	CHECK("dup", a >= 0);
	CHECK_EQ("dup shares offset", lseek(a, 0, SEEK_CUR), 6);
	lseek(a, 2, SEEK_SET);
	CHECK_EQ("offset moved through dup", lseek(fd, 0, SEEK_CUR), 2);
	fcntl(a, F_SETFL, O_APPEND);
	CHECK("status flags shared", fcntl(fd, F_GETFL) & O_APPEND);
	CHECK_EQ("dup has no FD_CLOEXEC", fcntl(a, F_GETFD), 0);

	/* The lowest free number is used. */
	int x = open("/dev/null", O_RDONLY);
	int y = open("/dev/null", O_RDONLY);
	close(x);
	CHECK_EQ("dup takes the lowest free fd", dup(y) == x, 1);
	close(x);
	close(y);

	int b = dup2(fd, 60);
	CHECK_EQ("dup2 to chosen fd", b, 60);
	CHECK_EQ("dup2 onto itself", dup2(60, 60), 60);
	pread(60, buf, 3, 0);
	CHECK("dup2 fd reads", memcmp(buf, "abc", 3) == 0);
	CHECK_EQ("dup3 O_CLOEXEC", dup3(fd, 61, O_CLOEXEC), 61);
	CHECK_EQ("dup3 fd has FD_CLOEXEC", fcntl(61, F_GETFD), FD_CLOEXEC);
	CHECK_ERR("dup3 onto itself", dup3(61, 61, 0), EINVAL);
	/* Raw: musl's dup3() without O_CLOEXEC calls dup2. */
	CHECK_ERR("dup3 bad flags", syscall(SYS_dup3, fd, 62, 0x1234), EINVAL);
	/* dup2 over an open fd closes it first. */
	int n = open("/dev/null", O_RDONLY);
	CHECK_EQ("dup2 replaces open fd", dup2(fd, n), n);
	CHECK_EQ("replaced fd is the file", lseek(n, 0, SEEK_CUR), 2);
	close(n);
	close(60);
	close(61);
	close(a);
	CHECK_ERR("dup bad fd", dup(9999), EBADF);
	CHECK_ERR("dup2 bad fd", dup2(9999, 70), EBADF);
	CHECK_ERR("close bad fd", close(9999), EBADF);
	CHECK_ERR("fcntl bad fd", fcntl(9999, F_GETFD), EBADF);
	CHECK_ERR("dup2 negative target", dup2(fd, -1), EBADF);
	close(fd);
	CHECK_ERR("close twice", close(fd), EBADF);
	unlink(at("d"));
}

static void
test_devices(void)
{
	char buf[32];
	int fd = open("/dev/null", O_RDWR);

	CHECK_EQ("write /dev/null", write(fd, "gone", 4), 4);
	CHECK_EQ("read /dev/null", read(fd, buf, sizeof(buf)), 0);
	close(fd);
	fd = open("/dev/zero", O_RDONLY);
	memset(buf, 'x', sizeof(buf));
	CHECK_EQ("read /dev/zero", read(fd, buf, sizeof(buf)), 32);
	int zeros = 1;
	for (int i = 0; i < 32; i++)
		zeros &= buf[i] == 0;
	CHECK_EQ("/dev/zero gives zeros", zeros, 1);
	close(fd);
}

int
main(void)
{
	abi_init();
	abi_tmpname(dir, sizeof(dir), "file");
	if (mkdir(dir, 0755) == -1) {
		printf("mkdir failed\n");
		return 1;
	}
	test_open_flags();
	test_io();
	test_stat();
	test_fcntl_dup();
	test_devices();
	rmdir(dir);
	return abi_done("file");
}
