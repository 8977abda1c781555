/*
 * execveat: a program run from a descriptor (AT_EMPTY_PATH, as glibc's
 * fexecve), relative to a directory descriptor, with AT_EXECFN as Linux
 * names it (/dev/fd/N, /dev/fd/N/NAME); AT_SYMLINK_NOFOLLOW; a script
 * from a descriptor, and from a close-on-exec one (ENOENT); the errors.
 * The program runs itself again with the argument "child".
 */
#include "abi.h"

#include <libgen.h>
#include <sys/auxv.h>
#include <sys/syscall.h>

static char self[512];
static char *const child_argv[] = { "execveat", "child", NULL };
static char *const no_env[] = { NULL };

static long
sys_execveat(int dirfd, const char *path, int flags)
{
	return syscall(SYS_execveat, dirfd, path, child_argv, no_env, flags);
}

/* Runs execveat in a child; the child's status, or its errno + 100. */
static const char *
run(int dirfd, const char *path, int flags, const char *want_execfn)
{
	int pipefd[2];
	if (pipe(pipefd) < 0)
		return "pipe failed";
	pid_t pid = abi_fork();
	if (pid == 0) {
		close(pipefd[0]);
		dup2(pipefd[1], 3 + 60);
		sys_execveat(dirfd, path, flags);
		_exit(100 + errno);
	}
	close(pipefd[1]);
	char got[600] = "";
	ssize_t n = read(pipefd[0], got, sizeof(got) - 1);
	got[n > 0 ? n : 0] = 0;
	close(pipefd[0]);
	int status = abi_wait(pid);
	static char text[700];
	if (WIFEXITED(status) && WEXITSTATUS(status) > 100)
		snprintf(text, sizeof(text), "%s",
		    errno_name(WEXITSTATUS(status) - 100));
	else if (want_execfn && strcmp(got, want_execfn) != 0)
		snprintf(text, sizeof(text), "execfn %s, want %s", got,
		    want_execfn);
	else
		snprintf(text, sizeof(text), "%s", status_str(status));
	return text;
}

static void
test_fd(void)
{
	char want[64];
	int fd = open(self, O_RDONLY);
	snprintf(want, sizeof(want), "/dev/fd/%d", fd);
	CHECK_STR("AT_EMPTY_PATH", run(fd, "", AT_EMPTY_PATH, want),
	    "exited 0");
	CHECK_STR("empty path without AT_EMPTY_PATH", run(fd, "", 0, NULL),
	    "ENOENT");
	close(fd);

	int opath = open(self, O_PATH);
	snprintf(want, sizeof(want), "/dev/fd/%d", opath);
	CHECK_STR("AT_EMPTY_PATH, O_PATH fd", run(opath, "", AT_EMPTY_PATH,
	    want), "exited 0");
	close(opath);

	char dir_buf[512];
	snprintf(dir_buf, sizeof(dir_buf), "%s", self);
	int dfd = open(dirname(dir_buf), O_RDONLY | O_DIRECTORY);
	snprintf(want, sizeof(want), "/dev/fd/%d/execveat", dfd);
	CHECK_STR("relative to a directory fd", run(dfd, "execveat", 0, want),
	    "exited 0");
	CHECK_STR("AT_EMPTY_PATH on a directory", run(dfd, "", AT_EMPTY_PATH,
	    NULL), "EACCES");
	CHECK_STR("missing name", run(dfd, "no-such-program", 0, NULL),
	    "ENOENT");
	close(dfd);
	CHECK_STR("absolute path ignores dirfd", run(999, self, 0, self),
	    "exited 0");
	CHECK_STR("bad dirfd", run(999, "execveat", 0, NULL), "EBADF");
	CHECK_STR("bad flags", run(AT_FDCWD, self, 1, NULL), "EINVAL");
	CHECK_STR("file dirfd", run(0, "x", 0, NULL), "ENOTDIR");
}

static void
test_links_scripts(void)
{
	char link[64], script[64];
	abi_tmpname(link, sizeof(link), "execveat-link");
	abi_tmpname(script, sizeof(script), "execveat-sh");
	unlink(link);
	symlink(self, link);
	CHECK_STR("through a symlink", run(AT_FDCWD, link, 0, link),
	    "exited 0");
	CHECK_STR("AT_SYMLINK_NOFOLLOW", run(AT_FDCWD, link,
	    AT_SYMLINK_NOFOLLOW, NULL), "ELOOP");
	unlink(link);

	abi_touch(script, "#!/bin/sh\nexit 7\n");
	chmod(script, 0755);
	int fd = open(script, O_RDONLY);
	CHECK_STR("a script from an fd", run(fd, "", AT_EMPTY_PATH, NULL),
	    "exited 7");
	close(fd);
	fd = open(script, O_RDONLY | O_CLOEXEC);
	CHECK_STR("a script from a close-on-exec fd", run(fd, "",
	    AT_EMPTY_PATH, NULL), "ENOENT");
	close(fd);
	unlink(script);
}

int
main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "child") == 0) {
		const char *fn = (const char *)getauxval(AT_EXECFN);
		if (fn && write(3 + 60, fn, strlen(fn)) < 0)
			return 2;
		return 0;
	}
	abi_init();
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	self[n > 0 ? n : 0] = 0;
	test_fd();
	test_links_scripts();
	return abi_done("execveat");
}
