/*
 * RLIMIT_NOFILE bounds the fd table, as on Linux: with limits set to
 * Linux's defaults (1024 soft, 4096 hard; the host's own differ), fd 1024
 * is out of reach until the soft limit is raised, then fds up to 4095
 * open (by open, dup, dup2, F_DUPFD) and survive fork; dup2 past the soft
 * limit is EBADF, F_DUPFD EINVAL, an open EMFILE, and poll with more
 * entries than the limit EINVAL; a soft limit above the hard one is
 * EINVAL, a hard limit past fs.nr_open EPERM (raising it at all needs
 * CAP_SYS_RESOURCE, which the host's container may lack, so that is left
 * out); lowering the soft limit keeps the fds above it open.
 */
#include "abi.h"

#include <poll.h>

static int
set_nofile(rlim_t soft, rlim_t hard)
{
	struct rlimit r = { soft, hard };

	return setrlimit(RLIMIT_NOFILE, &r);
}

static long
nr_open(void)
{
	char buf[32] = { 0 };
	int fd = open("/proc/sys/fs/nr_open", O_RDONLY);

	if (fd < 0 || read(fd, buf, sizeof(buf) - 1) <= 0)
		return -1;
	close(fd);
	return atol(buf);
}

/* Fills fds 3 .. top-1 with dups of fd 0 (top may be past the table). */
static int
fill_to(int top)
{
	int fd = 0;

	for (int i = 3; i < top; i++) {
		fd = dup2(0, i);
		if (fd != i)
			return -1;
	}
	return fd;
}

static void
test_limits(void)
{
	struct rlimit r;

	CHECK_OK("set 1024/4096", set_nofile(1024, 4096));
	getrlimit(RLIMIT_NOFILE, &r);
	CHECK_EQ("soft", r.rlim_cur, 1024);
	CHECK_EQ("hard", r.rlim_max, 4096);
	CHECK_ERR("dup2 to 1024", dup2(0, 1024), EBADF);
	CHECK_ERR("F_DUPFD 1024", fcntl(0, F_DUPFD, 1024), EINVAL);
	CHECK_EQ("fill up to 1023", fill_to(1024), 1023);
	CHECK_ERR("dup with all 1024 used", dup(0), EMFILE);
	CHECK_ERR("open with all 1024 used", open("/", O_RDONLY), EMFILE);
	CHECK_ERR("soft above hard", set_nofile(8192, 4096), EINVAL);
	CHECK_OK("raise soft to the hard limit", set_nofile(4096, 4096));
	CHECK_EQ("dup now gives 1024", dup(0), 1024);
	CHECK_EQ("open gives 1025", open("/", O_RDONLY), 1025);
	CHECK_EQ("dup2 to 4095", dup2(0, 4095), 4095);
	CHECK_ERR("dup2 to 4096", dup2(0, 4096), EBADF);
	CHECK_EQ("F_DUPFD from 3000", fcntl(0, F_DUPFD, 3000), 3000);
	CHECK_EQ("F_DUPFD_CLOEXEC from 3000",
	    fcntl(0, F_DUPFD_CLOEXEC, 3000), 3001);
	CHECK_EQ("its FD_CLOEXEC", fcntl(3001, F_GETFD), FD_CLOEXEC);
	CHECK_ERR("F_GETFD of 4000 (never opened)",
	    fcntl(4000, F_GETFD), EBADF);
}

static void
test_fork_and_poll(void)
{
	struct pollfd *p = calloc(4097, sizeof(*p));
	pid_t pid = abi_fork();

	if (pid == 0)
		_exit(fcntl(4095, F_GETFD) == 0 && fcntl(3001, F_GETFD) ==
		    FD_CLOEXEC ? 0 : 1);
	CHECK_STR("the child has fds 4095 and 3001",
	    status_str(abi_wait(pid)), "exited 0");
	int pipe_fds[2];

	CHECK_OK("pipe", pipe(pipe_fds));
	for (int i = 0; i < 4097; i++)
		p[i].fd = -1;
	p[0].fd = pipe_fds[0];	/* nothing to read yet */
	p[0].events = POLLIN;
	CHECK_EQ("poll 4096 entries", poll(p, 4096, 0), 0);
	CHECK_ERR("poll 4097 entries", poll(p, 4097, 0), EINVAL);
	free(p);
}

static void
test_lowering(void)
{
	long max = nr_open();

	CHECK("nr_open read", max > 4096);
	CHECK_ERR("hard past nr_open", set_nofile(1024, (rlim_t)max + 1),
	    EPERM);
	CHECK_OK("lower soft to 100", set_nofile(100, 4096));
	CHECK_EQ("fd 4095 still open", fcntl(4095, F_GETFD), 0);
	CHECK_ERR("dup2 to 200 now", dup2(0, 200), EBADF);
	CHECK_OK("close 50", close(50));
	CHECK_EQ("dup takes 50", dup(0), 50);
	CHECK_ERR("then EMFILE", dup(0), EMFILE);
}

int
main(void)
{
	abi_init();
	test_limits();
	test_fork_and_poll();
	test_lowering();
	return abi_done("nofile");
}
