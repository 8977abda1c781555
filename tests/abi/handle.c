/*
 * File handles: name_to_handle_at, then open_by_handle_at opens the same
 * file again (its data, a directory read-only, through the mount of any
 * descriptor on the file system), and Linux's errors: EBADF for the
 * mount descriptor, EINVAL for a handle size of 0 or past 128, EFAULT,
 * ELOOP for a symlink's handle, EISDIR for a directory opened to write,
 * ESTALE once the file is gone, EPERM without root.
 */
#include "abi.h"

#include <sys/syscall.h>

struct handle {
	unsigned bytes;
	int type;
	unsigned char data[128];
};

static int
to_handle(const char *path, struct handle *h, int flags)
{
	int mount_id;
	h->bytes = sizeof(h->data);
	return (int)syscall(SYS_name_to_handle_at, AT_FDCWD, path, h, &mount_id,
			    flags);
}

static int
by_handle(int mount_fd, struct handle *h, int flags)
{
	return (int)syscall(SYS_open_by_handle_at, mount_fd, h, flags);
}

static void
test_open_again(const char *dir, const char *file)
{
	struct handle fh, dh;
	CHECK_OK("handle of a file", to_handle(file, &fh, 0));
	CHECK_OK("handle of a directory", to_handle(dir, &dh, 0));
	int fd = by_handle(AT_FDCWD, &fh, O_RDONLY);
	CHECK("opened by its handle", fd >= 0);
	char buf[16] = "";
	CHECK_EQ("its data", read(fd, buf, sizeof(buf)), 5);
	CHECK_STR("the same", buf, "hello");
	struct stat a, b;
	fstat(fd, &a);
	stat(file, &b);
	CHECK_EQ("the same inode", a.st_ino == b.st_ino, 1);
	close(fd);
	int dfd = open(dir, O_RDONLY | O_DIRECTORY);
	fd = by_handle(dfd, &fh, O_RDWR | O_CLOEXEC);
	CHECK("through a directory's descriptor, to write", fd >= 0);
	CHECK_EQ("close-on-exec", fcntl(fd, F_GETFD) & FD_CLOEXEC, FD_CLOEXEC);
	close(fd);
	fd = by_handle(dfd, &dh, O_RDONLY | O_DIRECTORY);
	CHECK("a directory by its handle", fd >= 0);
	fstat(fd, &a);
	CHECK_EQ("is one", S_ISDIR(a.st_mode), 1);
	close(fd);
	CHECK_ERR("a directory to write", by_handle(dfd, &dh, O_RDWR), EISDIR);
	close(dfd);
}

static void
test_errors(const char *file, const char *link)
{
	struct handle h, lh, bad;
	to_handle(file, &h, 0);
	CHECK_ERR("bad mount descriptor", by_handle(-1, &h, O_RDONLY), EBADF);
	bad = h;
	bad.bytes = 0;
	CHECK_ERR("size 0", by_handle(AT_FDCWD, &bad, O_RDONLY), EINVAL);
	bad.bytes = 129;
	CHECK_ERR("size 129", by_handle(AT_FDCWD, &bad, O_RDONLY), EINVAL);
	CHECK_ERR("bad address", by_handle(AT_FDCWD, (void *)8, O_RDONLY),
		  EFAULT);
	CHECK_OK("handle of a symlink", to_handle(link, &lh, 0));
	CHECK_ERR("a symlink opens as ELOOP", by_handle(AT_FDCWD, &lh, O_RDONLY),
		  ELOOP);
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		setuid(65534);
		CHECK_ERR("not root", by_handle(AT_FDCWD, &h, O_RDONLY), EPERM);
		fflush(stdout);
		_exit(0);
	}
	int st;
	waitpid(pid, &st, 0);
	CHECK_STR("child", status_str(st), "exited 0");
	unlink(link);
	unlink(file);
	CHECK_ERR("a file with no name left", by_handle(AT_FDCWD, &h, O_RDONLY),
		  ESTALE);
}

int
main(void)
{
	char dir[64], file[80], link[80];
	abi_init();
	abi_tmpname(dir, sizeof(dir), "handle");
	mkdir(dir, 0755);
	snprintf(file, sizeof(file), "%s/f", dir);
	snprintf(link, sizeof(link), "%s/l", dir);
	abi_touch(file, "hello");
	symlink("f", link);
	test_open_again(dir, file);
	test_errors(file, link);
	rmdir(dir);
	return abi_done("handle");
}
