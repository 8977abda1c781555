/*
 * Small rules of Linux's that LTP's tests meet one at a time: unknown
 * AT_* flags refused by fstatat, fchownat and linkat (EINVAL), linkat's
 * AT_EMPTY_PATH on a descriptor, and getcwd for a directory left outside
 * a chroot ("(unreachable)/...", so realpath(".") fails with ENOENT).
 * Runs as root.
 */
#include "abi.h"

#include <limits.h>
#include <sys/syscall.h>

static void
test_at_flags(void)
{
	char path[64], link_name[80];
	struct stat st;
	abi_tmpname(path, sizeof(path), "argcheck");
	snprintf(link_name, sizeof(link_name), "%s-link", path);
	abi_touch(path, "x");
	CHECK_ERR("fstatat unknown flags", fstatat(AT_FDCWD, path, &st, 9999),
		  EINVAL);
	CHECK_OK("fstatat AT_NO_AUTOMOUNT",
		 fstatat(AT_FDCWD, path, &st, AT_NO_AUTOMOUNT));
	CHECK_ERR("fchownat unknown flags",
		  fchownat(AT_FDCWD, path, 0, 0, 9999), EINVAL);
	CHECK_ERR("linkat flags 1", linkat(AT_FDCWD, path, AT_FDCWD, link_name,
					   1), EINVAL);
	int fd = open(path, O_RDONLY);
	CHECK_OK("linkat AT_EMPTY_PATH", linkat(fd, "", AT_FDCWD, link_name,
						AT_EMPTY_PATH));
	CHECK_EQ("two links", abi_nlink(path), 2);
	close(fd);
	unlink(link_name);
	unlink(path);
}

/* In a child: chroot into a directory below the cwd, which stays outside. */
static void
test_cwd_outside_root(void)
{
	char dir[64];
	abi_tmpname(dir, sizeof(dir), "argcheck-root");
	mkdir(dir, 0755);
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		char buf[PATH_MAX];
		chdir("/tmp");
		CHECK_OK("chroot", chroot(dir));
		long n = syscall(SYS_getcwd, buf, sizeof(buf));
		CHECK("getcwd answers", n > 0);
		CHECK_EQ("marked unreachable",
			 n > 0 && strcmp(buf, "(unreachable)/tmp") == 0, 1);
		CHECK_EQ("its length", n, (long)strlen("(unreachable)/tmp") + 1);
		CHECK_ERR("too small", syscall(SYS_getcwd, buf, 10), ERANGE);
		errno = 0;
		CHECK_EQ("realpath(\".\") fails", realpath(".", NULL) == NULL, 1);
		CHECK_STR("with ENOENT", errno_name(errno), "ENOENT");
		chdir("/");
		n = syscall(SYS_getcwd, buf, sizeof(buf));
		CHECK_STR("inside the root again", n > 0 ? buf : "?", "/");
		fflush(stdout);
		_exit(0);
	}
	int st;
	waitpid(pid, &st, 0);
	CHECK_STR("child", status_str(st), "exited 0");
	rmdir(dir);
}

int
main(void)
{
	abi_init();
	test_at_flags();
	test_cwd_outside_root();
	return abi_done("argcheck");
}
