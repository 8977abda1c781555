/*
 * ETXTBSY: a program's file cannot be written while it runs, nor run
 * while open for writing. A copy of this program under /tmp runs in a
 * child (mode "hold": it waits on a pipe); meanwhile opening the copy for
 * writing, with O_TRUNC, and truncate(2) fail, and the copy keeps its
 * size. A fork of the running copy keeps it held after its parent exits.
 * Once nothing runs it, it opens for writing; execve of it while open for
 * writing fails, and succeeds again once closed.
 */
#include "abi.h"

#include <fcntl.h>
#include <sys/stat.h>

static char copy[64];

/* Mode "hold R D [fork]": wait for a byte on R, then exit 5; with "fork",
 * a child waits instead and this process exits at once. D is the write
 * end of a pipe whose end of file tells the test the holder is gone. */
static int
mode_hold(int argc, char **argv)
{
	if (argc > 4 && fork() != 0)
		return 0;
	char c;
	read(atoi(argv[2]), &c, 1);
	return 5;
}

static void
copy_self(void)
{
	char buf[65536];
	int in = open("/proc/self/exe", O_RDONLY);
	int out = open(copy, O_WRONLY | O_CREAT | O_TRUNC, 0755);
	ssize_t n;

	if (in < 0 || out < 0) {
		perror("copy");
		exit(1);
	}
	while ((n = read(in, buf, sizeof(buf))) > 0)
		write(out, buf, (size_t)n);
	close(in);
	close(out);
}

/* Blocks until every copy of the pipe's write end has closed: end of file
 * when exec closed a close-on-exec end, or when a holder exited. */
static void
wait_eof(int fd)
{
	char c;

	while (read(fd, &c, 1) > 0)
		;
	close(fd);
}

/* Starts the copy in a child; returns once it runs. *release and *gone
 * get the ends that stop it and tell it stopped. */
static pid_t
start_holder(int forks, int *release, int *gone)
{
	int go[2], done[2], execd[2];
	char r[16], d[16];

	pipe(go);
	pipe(done);
	pipe2(execd, O_CLOEXEC);
	pid_t pid = abi_fork();
	if (pid == 0) {
		close(go[1]);
		close(done[0]);
		snprintf(r, sizeof(r), "%d", go[0]);
		snprintf(d, sizeof(d), "%d", done[1]);
		execl(copy, copy, "hold", r, d, forks ? "fork" : NULL, NULL);
		_exit(127);
	}
	close(go[0]);
	close(done[1]);
	close(execd[1]);
	wait_eof(execd[0]);
	*release = go[1];
	*gone = done[0];
	return pid;
}

static void
check_busy(const char *when, off_t size)
{
	char what[96];
	struct stat st;

	snprintf(what, sizeof(what), "%s: open O_WRONLY", when);
	CHECK_ERR(what, open(copy, O_WRONLY), ETXTBSY);
	snprintf(what, sizeof(what), "%s: open O_RDWR|O_TRUNC", when);
	CHECK_ERR(what, open(copy, O_RDWR | O_TRUNC), ETXTBSY);
	snprintf(what, sizeof(what), "%s: truncate", when);
	CHECK_ERR(what, truncate(copy, 0), ETXTBSY);
	snprintf(what, sizeof(what), "%s: size kept", when);
	CHECK_EQ(what, stat(copy, &st) == 0 && st.st_size == size, 1);
	int fd = open(copy, O_RDONLY);
	snprintf(what, sizeof(what), "%s: open O_RDONLY", when);
	CHECK(what, fd >= 0);
	close(fd);
}

static void
while_running(off_t size)
{
	int release, gone;

	pid_t pid = start_holder(0, &release, &gone);
	check_busy("running", size);
	write(release, "x", 1);
	close(release);
	CHECK_STR("holder", status_str(abi_wait(pid)), "exited 5");
	wait_eof(gone);

	pid = start_holder(1, &release, &gone);
	CHECK_STR("forking holder", status_str(abi_wait(pid)), "exited 0");
	check_busy("forked copy running", size);
	write(release, "x", 1);
	close(release);
	wait_eof(gone);
}

static void
exec_while_open(void)
{
	int fd = open(copy, O_WRONLY);

	CHECK("not running: open O_WRONLY", fd >= 0);
	pid_t pid = abi_fork();
	if (pid == 0) {
		execl(copy, copy, "hold", "-1", "-1", NULL);
		_exit(errno == ETXTBSY ? 26 : 1);
	}
	CHECK_STR("execve while open for writing",
	    status_str(abi_wait(pid)), "exited 26");
	close(fd);
	pid = abi_fork();
	if (pid == 0) {
		execl(copy, copy, "hold", "-1", "-1", NULL);
		_exit(1);
	}
	CHECK_STR("execve once closed", status_str(abi_wait(pid)), "exited 5");
}

int
main(int argc, char **argv)
{
	struct stat st;

	if (argc > 3 && strcmp(argv[1], "hold") == 0)
		return mode_hold(argc, argv);
	abi_init();
	abi_tmpname(copy, sizeof(copy), "etxtbsy");
	copy_self();
	stat(copy, &st);
	while_running(st.st_size);
	exec_while_open();
	unlink(copy);
	return abi_done("etxtbsy");
}
