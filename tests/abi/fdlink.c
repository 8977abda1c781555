/*
 * /proc/self/fd/N as Linux's magic links: opening one of a pipe joins the
 * same pipe (bash's process substitution reads /dev/fd/63), of a regular
 * file opens the same file anew with the new flags (own offset, O_TRUNC,
 * writes seen through the old fd), and /dev/fd/N, /dev/stdin and
 * /dev/stdout do the same. readlink shows the path of a file or
 * directory, pipe:[N], socket:[N] and anon_inode:[eventfd] (inode numbers
 * differ between the two sides, so only their shape is printed).
 */
#include "abi.h"

#include <dirent.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>

static char path_buf[64];

static const char *
fd_path(const char *dir, int fd)
{
	snprintf(path_buf, sizeof(path_buf), "%s/%d", dir, fd);
	return path_buf;
}

/* readlink of /proc/self/fd/fd, with a number in brackets made "N". */
static const char *
link_shape(int fd)
{
	static char text[256];
	char *open_bracket;
	ssize_t n = readlink(fd_path("/proc/self/fd", fd), text,
	    sizeof(text) - 1);

	if (n < 0)
		return errno_name(errno);
	text[n] = 0;
	open_bracket = strchr(text, '[');
	if (open_bracket && open_bracket[1] >= '0' && open_bracket[1] <= '9')
		strcpy(open_bracket, "[N]");
	return text;
}

static void
test_pipe(void)
{
	int p[2], r, w;
	char buf[16] = { 0 };

	CHECK_OK("pipe", pipe(p));
	CHECK_STR("readlink pipe", link_shape(p[0]), "pipe:[N]");
	r = open(fd_path("/proc/self/fd", p[0]), O_RDONLY);
	CHECK("open /proc/self/fd of the read end", r >= 0);
	w = open(fd_path("/dev/fd", p[1]), O_WRONLY);
	CHECK("open /dev/fd of the write end", w >= 0);
	CHECK_EQ("write through the new write end", write(w, "hi", 2), 2);
	CHECK_EQ("read through the old read end", read(p[0], buf, 1), 1);
	CHECK_EQ("read through the new read end", read(r, buf + 1, 8), 1);
	CHECK_STR("the same pipe", buf, "hi");
	close(w);
	close(p[1]);
	CHECK_EQ("end of file when every writer closed", read(r, buf, 8), 0);
	close(r);
	close(p[0]);

	/* What bash's cat <(echo hi) does. */
	CHECK_OK("pipe again", pipe(p));
	pid_t pid = abi_fork();
	if (pid == 0) {
		close(p[0]);
		write(p[1], "substituted\n", 12);
		_exit(0);
	}
	close(p[1]);
	r = open(fd_path("/dev/fd", p[0]), O_RDONLY);
	memset(buf, 0, sizeof(buf));
	CHECK_EQ("read the substitution", read(r, buf, sizeof(buf) - 1), 12);
	CHECK_STR("its text", buf, "substituted\n");
	abi_wait(pid);
	close(r);
	close(p[0]);
}

static void
test_file(void)
{
	char name[64], buf[16] = { 0 };
	int fd, again;

	abi_tmpname(name, sizeof(name), "fdlink");
	fd = open(name, O_RDWR | O_CREAT | O_TRUNC, 0600);
	CHECK_EQ("write the file", write(fd, "abcdef", 6), 6);
	CHECK_STR("readlink file is its path",
	    strcmp(link_shape(fd), name) == 0 ? "same" : link_shape(fd),
	    "same");
	again = open(fd_path("/proc/self/fd", fd), O_RDONLY);
	CHECK("reopen the file", again >= 0);
	CHECK_EQ("own offset", read(again, buf, 3), 3);
	CHECK_STR("from the start", buf, "abc");
	CHECK_EQ("reopened read-only", write(again, "x", 1), -1);
	CHECK_STR("readlink of the new fd", strcmp(link_shape(again), name)
	    == 0 ? "same" : link_shape(again), "same");
	close(again);
	again = open(fd_path("/dev/fd", fd), O_WRONLY | O_TRUNC);
	CHECK("reopen with O_TRUNC", again >= 0);
	struct stat st;
	fstat(fd, &st);
	CHECK_EQ("truncated the same file", st.st_size, 0);
	close(again);
	CHECK_OK("chdir /tmp", chdir("/tmp"));
	again = open(name + strlen("/tmp/"), O_RDONLY);
	CHECK_STR("readlink of a relative open",
	    strcmp(link_shape(again), name) == 0 ? "same" : link_shape(again),
	    "same");
	close(again);
	close(fd);
	unlink(name);
	fd = open("/tmp", O_RDONLY | O_DIRECTORY);
	CHECK_STR("readlink directory", link_shape(fd), "/tmp");
	close(fd);
	CHECK_ERR("a closed fd", open(fd_path("/proc/self/fd", 99), O_RDONLY),
	    ENOENT);
}

static void
test_std(void)
{
	int p[2], saved_in, saved_out, fd;
	char buf[8] = { 0 };

	saved_in = dup(0);
	saved_out = dup(1);
	pipe(p);
	dup2(p[0], 0);
	dup2(p[1], 1);
	fd = open("/dev/stdout", O_WRONLY | O_CREAT | O_TRUNC, 0644);
	int werr = fd < 0 ? errno : 0;
	if (fd >= 0) {
		write(fd, "std", 3);
		close(fd);
	}
	fd = open("/dev/stdin", O_RDONLY);
	int rerr = fd < 0 ? errno : 0;
	ssize_t n = fd >= 0 ? read(fd, buf, 3) : -1;
	if (fd >= 0)
		close(fd);
	dup2(saved_in, 0);
	dup2(saved_out, 1);
	close(saved_in);
	close(saved_out);
	close(p[0]);
	close(p[1]);
	CHECK_STR("open /dev/stdout (O_CREAT|O_TRUNC)", errno_name(werr), "0");
	CHECK_STR("open /dev/stdin", errno_name(rerr), "0");
	CHECK_EQ("read back through /dev/stdin", n, 3);
	CHECK_STR("the text", buf, "std");
}

static void
test_kinds(void)
{
	int sv[2], efd;

	CHECK_OK("socketpair", socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
	CHECK_STR("readlink socket", link_shape(sv[0]), "socket:[N]");
	CHECK_ERR("open a socket's link",
	    open(fd_path("/proc/self/fd", sv[0]), O_RDWR), ENXIO);
	close(sv[0]);
	close(sv[1]);
	efd = eventfd(0, 0);
	CHECK_STR("readlink eventfd", link_shape(efd), "anon_inode:[eventfd]");
	close(efd);
	efd = epoll_create1(0);
	CHECK_STR("readlink epoll", link_shape(efd), "anon_inode:[eventpoll]");
	close(efd);
}

/*
 * An unprivileged process lists its own /proc/self/fd (trinity opens it
 * and crashed when Petrel refused), and /proc/self is its own; init's
 * fd directory stays closed to it.
 */
static void
test_unprivileged(void)
{
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		if (setgid(65534) < 0 || setuid(65534) < 0)
			_exit(9);
		DIR *d = opendir("/proc/self/fd");
		CHECK("nobody: opendir /proc/self/fd", d != NULL);
		int n = 0;
		struct dirent *e;
		while (d && (e = readdir(d)) != NULL)
			n += e->d_name[0] != '.';
		CHECK("nobody: it lists fds 0, 1 and 2 at least", n >= 3);
		if (d)
			closedir(d);
		struct stat st;
		CHECK_OK("nobody: stat /proc/self", stat("/proc/self/", &st));
		CHECK_EQ("nobody: /proc/self's owner", st.st_uid, 65534);
		/* (/proc/self/fd's owner is root on Linux here: setuid made
		 * the process undumpable, which Petrel does not track.) */
		CHECK_ERR("nobody: opendir /proc/1/fd",
			  (long)(intptr_t)opendir("/proc/1/fd") ? 0 : -1, EACCES);
		fflush(stdout);
		_exit(abi_failures ? 1 : 0);
	}
	int status;
	waitpid(pid, &status, 0);
	CHECK_EQ("nobody's child exit status", WEXITSTATUS(status), 0);
}

int
main(void)
{
	abi_init();
	test_unprivileged();
	test_pipe();
	test_file();
	test_std();
	test_kinds();
	return abi_done("fdlink");
}
