/*
 * A server with many connections has most of its sockets past fd 63: its
 * reads and writes of them must run without the big lock as those of the
 * low fds do (kernel/include/kernel/syscall_fast.h, the nolock hints).
 * Here a pipe's ends at fds 100 and 101 pass ROUNDS one-byte writes and
 * reads, and a tmpfs file at fd 200 ROUNDS preads: the big lock's
 * acquisitions (/proc/petrel/bkl) grow by far less than the calls. And
 * the hint is only a hint: /dev/null at fd 70 (no nolock path) still
 * takes writes; a closed fd past 63, -1 and INT_MAX say EBADF.
 * Prints "connfds: ok" or why not.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "bkl.h"

#define ROUNDS 10000
#define FEW (ROUNDS / 2)	/* of 2 * ROUNDS calls: ticks, a slow host */

static int
fail(const char *why)
{
	printf("connfds: %s (errno %d)\n", why, errno);
	return 1;
}

static int
pipe_rounds(void)
{
	int p[2];
	char c = 'x', got = 0;

	if (pipe(p) < 0 || dup2(p[0], 100) < 0 || dup2(p[1], 101) < 0)
		return fail("pipe at 100 and 101");
	close(p[0]);
	close(p[1]);
	long before = bkl_acquired();
	for (int i = 0; i < ROUNDS; i++) {
		if (write(101, &c, 1) != 1 || read(100, &got, 1) != 1 ||
		    got != c)
			return fail("pipe round");
		c = (char)('a' + i % 26);
	}
	long taken = bkl_acquired() - before;
	if (before >= 0 && taken > FEW) {
		printf("connfds: %ld big-lock takes for %d pipe rounds at "
		       "fds 100/101\n", taken, ROUNDS);
		return 1;
	}
	return 0;
}

static int
pread_rounds(void)
{
	char text[64] = "petrel", got[64];
	int fd = open("/tmp/connfds", O_RDWR | O_CREAT | O_TRUNC, 0600);

	if (fd < 0 || write(fd, text, sizeof(text)) != sizeof(text) ||
	    dup2(fd, 200) < 0)
		return fail("tmpfs file at 200");
	close(fd);
	long before = bkl_acquired();
	for (int i = 0; i < ROUNDS; i++)
		if (pread(200, got, sizeof(got), 0) != sizeof(got) ||
		    memcmp(got, text, sizeof(got)) != 0)
			return fail("pread at 200");
	long taken = bkl_acquired() - before;
	if (before >= 0 && taken > FEW) {
		printf("connfds: %ld big-lock takes for %d preads at fd 200\n",
		       taken, ROUNDS);
		return 1;
	}
	return 0;
}

static int
others(void)
{
	int fd = open("/dev/null", O_WRONLY);

	if (fd < 0 || dup2(fd, 70) < 0 || write(70, "abc", 3) != 3)
		return fail("write to /dev/null at 70");
	close(70);
	if (write(70, "abc", 3) != -1 || errno != EBADF)
		return fail("write to closed 70");
	if (write(-1, "abc", 3) != -1 || errno != EBADF)
		return fail("write to fd -1");
	if (write(0x7fffffff, "abc", 3) != -1 || errno != EBADF)
		return fail("write to fd INT_MAX");
	char c;
	if (read(300, &c, 1) != -1 || errno != EBADF)
		return fail("read of unopened 300");
	return 0;
}

int
main(void)
{
	if (pipe_rounds() || pread_rounds() || others())
		return 1;
	printf("connfds: ok\n");
	return 0;
}
