/*
 * O_PATH descriptors name a file without opening it: the open ignores the
 * access mode, O_CREAT and O_TRUNC and checks no permission, so the
 * descriptor must not read, write, truncate, map or change the file (EBADF);
 * it serves fstat, fcntl, dup, fchdir and the *at calls. Once an O_PATH
 * O_RDWR descriptor let any user truncate any file, even a running
 * program (found by the fuzzer).
 */
#include "abi.h"

#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/xattr.h>

static char dir[64], file[80], link_name[80];

/* Every call that needs an open file, on the O_PATH descriptor fd. */
static void
check_refused(const char *what, int fd)
{
	char buf[64], name[96];
	struct iovec iov = { buf, sizeof(buf) };
	int null = open("/dev/null", O_WRONLY);

#define REFUSED(call, expr)                                                \
	do {                                                               \
		snprintf(name, sizeof(name), "%s: " call, what);           \
		CHECK_ERR(name, expr, EBADF);                              \
	} while (0)
	REFUSED("read", read(fd, buf, sizeof(buf)));
	REFUSED("write", write(fd, "x", 1));
	REFUSED("pread", pread(fd, buf, sizeof(buf), 0));
	REFUSED("pwrite", pwrite(fd, "x", 1, 0));
	REFUSED("readv", readv(fd, &iov, 1));
	REFUSED("writev", writev(fd, &iov, 1));
	REFUSED("ftruncate", ftruncate(fd, 0));
	REFUSED("ftruncate 100", ftruncate(fd, 100));
	REFUSED("fsync", fsync(fd));
	REFUSED("fdatasync", fdatasync(fd));
	REFUSED("lseek", lseek(fd, 0, SEEK_SET));
	REFUSED("ioctl FIONREAD", ioctl(fd, FIONREAD, buf));
	REFUSED("flock", flock(fd, LOCK_SH));
	/* raw: musl redoes these through /proc/self/fd when they fail */
	REFUSED("fchmod", syscall(SYS_fchmod, fd, 0777));
	REFUSED("fchown", syscall(SYS_fchown, fd, 0, 0));
	REFUSED("sendfile from", sendfile(null, fd, NULL, 16));
	REFUSED("fgetxattr", fgetxattr(fd, "user.x", buf, sizeof(buf)));
	REFUSED("getdents64", syscall(SYS_getdents64, fd, buf, sizeof(buf)));
	snprintf(name, sizeof(name), "%s: mmap", what);
	errno = 0;
	void *m = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, fd, 0);
	CHECK_SAVED_ERR(name, m == MAP_FAILED ? -1 : 0, errno, EBADF);
	close(null);
#undef REFUSED
}

static void
check_allowed(const char *what, int fd)
{
	char name[96];
	struct stat st;
	struct statfs sf;

	snprintf(name, sizeof(name), "%s: fstat", what);
	CHECK_OK(name, fstat(fd, &st));
	snprintf(name, sizeof(name), "%s: fstatfs", what);
	CHECK_OK(name, fstatfs(fd, &sf));
	snprintf(name, sizeof(name), "%s: F_GETFL access and O_PATH", what);
	CHECK_EQ(name, fcntl(fd, F_GETFL) & (O_ACCMODE | O_PATH), O_PATH);
	snprintf(name, sizeof(name), "%s: F_GETFD", what);
	CHECK_EQ(name, fcntl(fd, F_GETFD), 0);
	int d = dup(fd);
	snprintf(name, sizeof(name), "%s: dup", what);
	CHECK(name, d >= 0);
	close(d);
}

/* As uid 65534: an O_PATH O_RDWR descriptor of root's file changes nothing. */
static void
check_unprivileged(void)
{
	fflush(stdout);
	pid_t pid = fork();

	if (pid == 0) {
		if (setgid(65534) < 0 || setuid(65534) < 0)
			_exit(9);
		int fd = open(file, O_PATH | O_RDWR | O_TRUNC);
		CHECK("nobody: O_PATH|O_RDWR|O_TRUNC opens root's 0644 file",
		      fd >= 0);
		CHECK_ERR("nobody: ftruncate through it", ftruncate(fd, 0), EBADF);
		CHECK_ERR("nobody: write through it", write(fd, "x", 1), EBADF);
		CHECK_ERR("nobody: open O_RDWR", open(file, O_RDWR), EACCES);
		fflush(stdout);
		_exit(abi_failures ? 1 : 0);
	}
	int status;
	waitpid(pid, &status, 0);
	CHECK_EQ("nobody's child exit status", WEXITSTATUS(status), 0);
}

int
main(int argc, char **argv)
{
	struct stat st;
	char buf[64];

	(void)argc;
	snprintf(dir, sizeof(dir), "/tmp/abi-opath-%d", (int)getpid());
	snprintf(file, sizeof(file), "%s/f", dir);
	snprintf(link_name, sizeof(link_name), "%s/l", dir);
	mkdir(dir, 0755);
	int w = open(file, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	write(w, "0123456789", 10);
	close(w);
	symlink("f", link_name);

	int fd = open(file, O_PATH | O_RDWR | O_TRUNC);
	CHECK("O_PATH|O_RDWR|O_TRUNC opens", fd >= 0);
	fstat(fd, &st);
	CHECK_EQ("O_TRUNC ignored: size", st.st_size, 10);
	check_refused("file", fd);
	check_allowed("file", fd);
	stat(file, &st);
	CHECK_EQ("file size after all", st.st_size, 10);
	close(fd);

	char missing[96];
	snprintf(missing, sizeof(missing), "%s/missing", dir);
	CHECK_ERR("O_PATH|O_CREAT does not create", open(missing,
		  O_PATH | O_CREAT | O_RDWR, 0644), ENOENT);
	CHECK_ERR("nothing made", access(missing, F_OK), ENOENT);

	/* coreutils' mv asks this to learn whether its target is a
	 * directory: it renamed into "file/name" when the open succeeded. */
	CHECK_ERR("O_PATH|O_DIRECTORY on a file", open(file,
		  O_PATH | O_DIRECTORY), ENOTDIR);
	CHECK_ERR("O_PATH|O_DIRECTORY|O_NOFOLLOW on a symlink", open(link_name,
		  O_PATH | O_DIRECTORY | O_NOFOLLOW), ENOTDIR);

	int dfd = open(dir, O_PATH | O_DIRECTORY);
	check_refused("directory", dfd);
	int at = openat(dfd, "f", O_RDONLY);
	CHECK("openat through an O_PATH directory", at >= 0);
	CHECK_EQ("read through it", read(at, buf, 4), 4);
	close(at);
	int here = open(".", O_PATH | O_DIRECTORY);
	CHECK_OK("fchdir to an O_PATH directory", fchdir(dfd));
	CHECK_OK("stat f relative to it", stat("f", &st));
	fchdir(here);
	close(here);
	close(dfd);

	int lfd = open(link_name, O_PATH | O_NOFOLLOW);
	CHECK("O_PATH|O_NOFOLLOW opens a symlink", lfd >= 0);
	CHECK_EQ("readlinkat(fd, \"\")", readlinkat(lfd, "", buf, sizeof(buf)), 1);
	CHECK_ERR("readlinkat(fd of a file, \"\")",
		  readlinkat(open(file, O_PATH), "", buf, sizeof(buf)), ENOENT);
	close(lfd);

	/* The running program itself: an O_PATH descriptor cannot cut it. */
	int self = open(argv[0], O_PATH | O_RDWR);
	off_t size = lseek(open(argv[0], O_RDONLY), 0, SEEK_END);
	CHECK_ERR("ftruncate of the running program via O_PATH",
		  ftruncate(self, 0), EBADF);
	CHECK("program keeps its size",	/* the size is the libc's and arch's */
	      lseek(open(argv[0], O_RDONLY), 0, SEEK_END) == size);

	check_unprivileged();
	unlink(link_name);
	unlink(file);
	rmdir(dir);
	return abi_done("opath");
}
