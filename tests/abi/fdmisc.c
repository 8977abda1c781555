/*
 * Descriptor and data calls: close_range (closing, CLOSE_RANGE_CLOEXEC,
 * CLOSE_RANGE_UNSHARE, errors), preadv2/pwritev2 (offset -1, flags),
 * copy_file_range (offsets given or the files', errors), the hints
 * fadvise64 and readahead, and fallocate growing a file on /tmp.
 */
#include "abi.h"

#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>

#ifndef CLOSE_RANGE_UNSHARE
#define CLOSE_RANGE_UNSHARE 2
#define CLOSE_RANGE_CLOEXEC 4
#endif

static long
close_range_(unsigned first, unsigned last, unsigned flags)
{
	return syscall(SYS_close_range, first, last, flags);
}

static void
test_close_range(void)
{
	int base = 200;
	for (int i = 0; i < 5; i++)
		dup2(1, base + i);
	CHECK_OK("close 201..202", close_range_(base + 1, base + 2, 0));
	CHECK_EQ("200 open", fcntl(base, F_GETFD) >= 0, 1);
	CHECK_ERR("201 closed", fcntl(base + 1, F_GETFD), EBADF);
	CHECK_ERR("202 closed", fcntl(base + 2, F_GETFD), EBADF);
	CHECK_EQ("203 open", fcntl(base + 3, F_GETFD) >= 0, 1);
	CHECK_OK("CLOEXEC 203..~0", close_range_(base + 3, ~0u,
	    CLOSE_RANGE_CLOEXEC));
	CHECK_EQ("203 close-on-exec", fcntl(base + 3, F_GETFD), FD_CLOEXEC);
	CHECK_EQ("204 close-on-exec", fcntl(base + 4, F_GETFD), FD_CLOEXEC);
	CHECK_EQ("200 untouched", fcntl(base, F_GETFD), 0);
	CHECK_OK("past the table", close_range_(100000, 200000, 0));
	CHECK_ERR("first > last", close_range_(5, 4, 0), EINVAL);
	CHECK_ERR("bad flags", close_range_(base, base, 1), EINVAL);
	CHECK_OK("UNSHARE", close_range_(base, ~0u, CLOSE_RANGE_UNSHARE));
	CHECK_ERR("all closed", fcntl(base + 4, F_GETFD), EBADF);
}

/* preadv2 or pwritev2; musl's syscall() reads each argument as a long. */
static long
rw2(long nr, int fd, struct iovec *iov, int n, long off, int flags)
{
	return syscall(nr, fd, iov, n, off, 0L, flags);
}

static void
test_rw2(const char *path)
{
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
	char a[] = "hello", b[] = " world", got[16] = "";
	struct iovec w[2] = { { a, 5 }, { b, 6 } };
	CHECK_EQ("pwritev2 at 0", rw2(SYS_pwritev2, fd, w, 2, 0, 0), 11);
	CHECK_EQ("offset unmoved", lseek(fd, 0, SEEK_CUR), 0);
	CHECK_EQ("pwritev2 at -1 (the file's)",
	    rw2(SYS_pwritev2, fd, w, 1, -1, 0), 5);
	CHECK_EQ("offset moved", lseek(fd, 0, SEEK_CUR), 5);
	struct iovec r = { got, 11 };
	CHECK_EQ("preadv2 at 0", rw2(SYS_preadv2, fd, &r, 1, 0, 0), 11);
	CHECK_STR("read back", got, "hello world");
	memset(got, 0, sizeof(got));
	CHECK_EQ("preadv2 at -1", rw2(SYS_preadv2, fd, &r, 1, -1, 0),
	    6);
	CHECK_STR("from the file offset", got, " world");
	CHECK_EQ("RWF_HIPRI", rw2(SYS_preadv2, fd, &r, 1, 0, 1), 11);
	CHECK_EQ("RWF_DSYNC", rw2(SYS_pwritev2, fd, w, 1, 0, 2), 5);
	CHECK_ERR("unknown flag", rw2(SYS_preadv2, fd, &r, 1, 0, 0x100000),
	    EOPNOTSUPP);
	CHECK_ERR("offset -2", rw2(SYS_preadv2, fd, &r, 1, -2, 0),
	    EINVAL);
	CHECK_ERR("bad fd", rw2(SYS_preadv2, 999, &r, 1, 0, 0), EBADF);
	int p[2];
	pipe(p);
	CHECK_ERR("pipe at 0", rw2(SYS_pwritev2, p[1], w, 1, 0, 0),
	    ESPIPE);
	CHECK_EQ("pipe at -1", rw2(SYS_pwritev2, p[1], w, 1, -1, 0), 5);
	close(p[0]);
	close(p[1]);
	close(fd);
}

static void
test_copy(const char *src, const char *dst)
{
	int in = open(src, O_RDONLY);
	int out = open(dst, O_RDWR | O_CREAT | O_TRUNC, 0644);
	loff_t off_in = 6, off_out = 0;
	CHECK_EQ("copy 5 from 6", syscall(SYS_copy_file_range, in, &off_in,
	    out, &off_out, 5, 0), 5);
	CHECK_EQ("off_in moved", off_in, 11);
	CHECK_EQ("off_out moved", off_out, 5);
	CHECK_EQ("file offsets unmoved", lseek(in, 0, SEEK_CUR) +
	    lseek(out, 0, SEEK_CUR), 0);
	CHECK_STR("copied", abi_content(dst), "world");
	CHECK_EQ("with the files' offsets", syscall(SYS_copy_file_range, in,
	    NULL, out, NULL, 100, 0), 11);
	CHECK_EQ("in offset moved", lseek(in, 0, SEEK_CUR), 11);
	CHECK_STR("written at its offset", abi_content(dst), "hello world");
	CHECK_EQ("at the end: 0", syscall(SYS_copy_file_range, in, NULL, out,
	    NULL, 100, 0), 0);
	CHECK_ERR("flags", syscall(SYS_copy_file_range, in, NULL, out, NULL, 1,
	    1), EINVAL);
	CHECK_ERR("out read-only", syscall(SYS_copy_file_range, out, NULL, in,
	    NULL, 1, 0), EBADF);
	CHECK_ERR("bad fd", syscall(SYS_copy_file_range, 999, NULL, out, NULL,
	    1, 0), EBADF);
	off_in = 0;
	off_out = 2;
	CHECK_ERR("overlap in one file", syscall(SYS_copy_file_range, out,
	    &off_in, out, &off_out, 5, 0), EINVAL);
	int dir = open("/tmp", O_RDONLY | O_DIRECTORY);
	CHECK_ERR("from a directory", syscall(SYS_copy_file_range, dir, NULL,
	    out, NULL, 1, 0), EISDIR);
	CHECK_ERR("to a directory opened read-only", syscall(
	    SYS_copy_file_range, in, NULL, dir, NULL, 1, 0), EISDIR);
	close(dir);
	int p[2];
	pipe(p);
	CHECK_ERR("to a pipe", syscall(SYS_copy_file_range, in, NULL, p[1],
	    NULL, 1, 0), EINVAL);
	CHECK_ERR("to a pipe's read end", syscall(SYS_copy_file_range, in,
	    NULL, p[0], NULL, 1, 0), EINVAL);

	CHECK_OK("fadvise", posix_fadvise(in, 0, 100, POSIX_FADV_SEQUENTIAL));
	CHECK_EQ("fadvise bad advice", posix_fadvise(in, 0, 0, 99), EINVAL);
	CHECK_EQ("fadvise negative len", posix_fadvise(in, 0, -1, 0), EINVAL);
	CHECK_EQ("fadvise pipe", posix_fadvise(p[0], 0, 0, 0), ESPIPE);
	CHECK_EQ("fadvise bad fd", posix_fadvise(999, 0, 0, 0), EBADF);
	CHECK_OK("readahead", syscall(SYS_readahead, in, 0, 4096));
	CHECK_ERR("readahead pipe", syscall(SYS_readahead, p[0], 0, 10),
	    EINVAL);
	CHECK_ERR("readahead bad fd", syscall(SYS_readahead, 999, 0, 10),
	    EBADF);
	close(p[0]);
	close(p[1]);
	close(in);
	close(out);
}

static void
test_fallocate(const char *path)
{
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
	struct stat st;
	CHECK_OK("fallocate grows", fallocate(fd, 0, 0, 10000));
	fstat(fd, &st);
	CHECK_EQ("size", st.st_size, 10000);
	CHECK_OK("fallocate within", fallocate(fd, 0, 100, 100));
	fstat(fd, &st);
	CHECK_EQ("size kept", st.st_size, 10000);
	CHECK_OK("KEEP_SIZE", fallocate(fd, FALLOC_FL_KEEP_SIZE, 0, 20000));
	fstat(fd, &st);
	CHECK_EQ("KEEP_SIZE keeps it", st.st_size, 10000);
	CHECK_ERR("len 0", fallocate(fd, 0, 0, 0), EINVAL);
	CHECK_ERR("offset -1", fallocate(fd, 0, -1, 10), EINVAL);
	CHECK_ERR("unknown mode", fallocate(fd, 0x100, 0, 10), EOPNOTSUPP);
	CHECK_ERR("PUNCH_HOLE alone", fallocate(fd, FALLOC_FL_PUNCH_HOLE, 0,
	    10), EOPNOTSUPP);
	CHECK_ERR("bad fd", fallocate(999, 0, 0, 10), EBADF);
	int ro = open(path, O_RDONLY);
	CHECK_ERR("read-only", fallocate(ro, 0, 0, 10), EBADF);
	close(ro);
	int p[2];
	pipe(p);
	CHECK_ERR("pipe", fallocate(p[1], 0, 0, 10), ESPIPE);
	close(p[0]);
	close(p[1]);
	close(fd);
}

/* Argument checks in Linux's order: dup3, faccessat2, arch_prctl. */
static void
test_arg_order(void)
{
	close(40);
	CHECK_ERR("dup3 same closed fd", syscall(SYS_dup3, 40, 40, O_CLOEXEC), EINVAL);
	CHECK_ERR("dup3 bad flags", syscall(SYS_dup3, 40, 41, 1), EINVAL);
	CHECK_ERR("dup3 closed fd", syscall(SYS_dup3, 40, 41, 0), EBADF);
	CHECK_ERR("faccessat2 bad flags", syscall(SYS_faccessat2, AT_FDCWD,
	    "/", R_OK, -1), EINVAL);
	CHECK_ERR("faccessat2 bad mode", syscall(SYS_faccessat2, AT_FDCWD,
	    "/", -1, 0), EINVAL);
	CHECK_OK("faccessat2 AT_EACCESS", syscall(SYS_faccessat2, AT_FDCWD,
	    "/", R_OK, AT_EACCESS));
	struct rusage ru;
	CHECK_ERR("getrusage who -2", getrusage(-2, &ru), EINVAL);
	int pfd[2];
	CHECK_OK("pipe", pipe(pfd));
	CHECK_ERR("fsync pipe", fsync(pfd[0]), EINVAL);
	CHECK_ERR("fdatasync pipe", fdatasync(pfd[1]), EINVAL);
	close(pfd[0]), close(pfd[1]);
}

/* As a user: chroot's checks in Linux's order, O_NOATIME for the owner. */
static void
test_user_checks(const char *name)
{
	char dir[96];
	snprintf(dir, sizeof(dir), "%s.d", name);
	mkdir(dir, 0700);
	close(open(name, O_CREAT | O_WRONLY, 0644));
	CHECK_OK("seteuid 65534", seteuid(65534));
	CHECK_ERR("chroot without search", chroot(dir), EACCES);
	CHECK_ERR("chroot a file", chroot(name), ENOTDIR);
	CHECK_ERR("chroot as a user", chroot("/"), EPERM);
	CHECK_ERR("O_NOATIME not the owner", open(name, O_RDONLY | O_NOATIME), EPERM);
	CHECK_OK("seteuid back", seteuid(0));
	int fd = open(name, O_RDONLY | O_NOATIME);
	CHECK("O_NOATIME as root", fd >= 0);
	close(fd);
	rmdir(dir);
}

/* RLIMIT_FSIZE: writes cut at the limit, then EFBIG and SIGXFSZ. */
static void
test_fsize(const char *name)
{
	struct rlimit old, lim = { 4096, RLIM_INFINITY };
	getrlimit(RLIMIT_FSIZE, &old);
	signal(SIGXFSZ, SIG_IGN);
	int fd = open(name, O_CREAT | O_TRUNC | O_RDWR, 0600);
	CHECK_OK("setrlimit FSIZE 4096", setrlimit(RLIMIT_FSIZE, &lim));
	char buf[3000] = { 0 };
	CHECK_EQ("first write", write(fd, buf, sizeof(buf)), 3000);
	CHECK_EQ("write cut at the limit", write(fd, buf, sizeof(buf)), 1096);
	CHECK_ERR("write past the limit", write(fd, buf, 1), EFBIG);
	CHECK_ERR("ftruncate past", ftruncate(fd, 4097), EFBIG);
	CHECK_OK("ftruncate to the limit", ftruncate(fd, 4096));
	CHECK_ERR("truncate past", truncate(name, 8192), EFBIG);
	CHECK_EQ("pwrite below", pwrite(fd, buf, 10, 0), 10);
	close(fd);
	setrlimit(RLIMIT_FSIZE, &old);
	signal(SIGXFSZ, SIG_DFL);
}

int
main(void)
{
	char a[64], b[64];
	abi_init();
	abi_tmpname(a, sizeof(a), "fdmisc-a");
	abi_tmpname(b, sizeof(b), "fdmisc-b");
	test_arg_order();
	test_user_checks(a);
	test_fsize(a);
	test_close_range();
	test_rw2(a);
	test_copy(a, b);
	test_fallocate(b);
	unlink(a);
	unlink(b);
	return abi_done("fdmisc");
}
