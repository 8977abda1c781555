/*
 * Calls an object has no operation for: ftruncate, fsync and friends on
 * eventfd, epoll, timerfd, pipe and socket descriptors, and making,
 * linking, renaming and removing names in /proc, which makes none.
 */
#include "abi.h"

#include <fcntl.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>

/*
 * What the descriptor-only calls answer on fd, a file of kind `what`.
 * anon: an anonymous inode (eventfd, epoll, timerfd), whose mode and
 * owner Linux 6.14 and later refuse to change (EOPNOTSUPP).
 */
static void
check_no_file_ops(const char *what, int fd, int anon)
{
	char name[64];

	snprintf(name, sizeof(name), "ftruncate %s", what);
	CHECK_ERR(name, ftruncate(fd, 0), EINVAL);
	snprintf(name, sizeof(name), "ftruncate %s, length 4096", what);
	CHECK_ERR(name, ftruncate(fd, 4096), EINVAL);
	snprintf(name, sizeof(name), "getdents %s", what);
	char buf[256];
	CHECK_ERR(name, syscall(SYS_getdents64, fd, buf, sizeof(buf)),
	    ENOTDIR);
	snprintf(name, sizeof(name), "fchmod %s", what);
	if (anon)
		CHECK_ERR(name, fchmod(fd, 0700), EOPNOTSUPP);
	else
		CHECK_OK(name, fchmod(fd, 0600));
	snprintf(name, sizeof(name), "fchown %s", what);
	if (anon)
		CHECK_ERR(name, fchown(fd, 0, 0), EOPNOTSUPP);
	else
		CHECK_OK(name, fchown(fd, 0, 0));
	close(fd);
}

static void
test_descriptors(void)
{
	int fds[2];

	check_no_file_ops("eventfd", eventfd(0, 0), 1);
	check_no_file_ops("epoll", epoll_create1(0), 1);
	check_no_file_ops("timerfd", timerfd_create(CLOCK_MONOTONIC, 0), 1);
	if (pipe(fds) == 0) {
		check_no_file_ops("pipe", fds[1], 0);
		close(fds[0]);
	}
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, fds) == 0) {
		check_no_file_ops("socket", fds[0], 0);
		close(fds[1]);
	}
}

static void
test_proc_names(void)
{
	CHECK_ERR("mkfifo /proc/x", mkfifo("/proc/x", 0600), ENOENT);
	CHECK_ERR("mknod regular /proc/x", mknod("/proc/x", S_IFREG | 0600, 0),
	    ENOENT);
	CHECK_ERR("mkfifo /proc/version", mkfifo("/proc/version", 0600),
	    EEXIST);
	CHECK_ERR("mkfifo /proc/self/x", mkfifo("/proc/self/x", 0600), ENOENT);
	CHECK_ERR("mkdir /proc/x", mkdir("/proc/x", 0700), ENOENT);
	CHECK_ERR("mkdir /proc/self", mkdir("/proc/self", 0700), EEXIST);
	CHECK_ERR("symlink /proc/x", symlink("a", "/proc/x"), ENOENT);
	CHECK_ERR("symlink /proc/version", symlink("a", "/proc/version"),
	    EEXIST);
	CHECK_ERR("link to /proc/x", link("/proc/version", "/proc/x"), ENOENT);
	CHECK_ERR("link to /proc/version", link("/proc/cpuinfo",
	    "/proc/version"), EEXIST);
	CHECK_ERR("rename /proc/version to /proc/x",
	    rename("/proc/version", "/proc/x"), ENOENT);
	CHECK_ERR("rename /proc/x to /proc/version",
	    rename("/proc/x", "/proc/version"), ENOENT);
	CHECK_ERR("rename /proc/version to /proc/cpuinfo",
	    rename("/proc/version", "/proc/cpuinfo"), EPERM);
	CHECK_ERR("unlink /proc/version", unlink("/proc/version"), EPERM);
	CHECK_ERR("unlink /proc/self", unlink("/proc/self"), EPERM);
	CHECK_ERR("unlink /proc/x", unlink("/proc/x"), ENOENT);
	CHECK_ERR("rmdir /proc/version", rmdir("/proc/version"), ENOTDIR);
	CHECK_ERR("rmdir /proc/x", rmdir("/proc/x"), ENOENT);
	CHECK_ERR("open O_CREAT /proc/x",
	    open("/proc/x", O_CREAT | O_WRONLY, 0600), ENOENT);
	CHECK_ERR("open O_CREAT|O_EXCL /proc/version",
	    open("/proc/version", O_CREAT | O_EXCL | O_WRONLY, 0600), EEXIST);
	CHECK_ERR("mkfifo /proc/self/fd/x", mkfifo("/proc/self/fd/x", 0600),
	    ENOENT);
}

int
main(void)
{
	abi_init();
	test_descriptors();
	test_proc_names();
	return abi_done("fs_refused");
}
