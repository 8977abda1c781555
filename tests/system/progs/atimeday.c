/*
 * relatime's day rule on pread64 without the big lock, at the edges of
 * the coarse clock it now reads first (kernel/fs/mount.c,
 * mount_atime_due): on each CPU, a file's atime is moved by a read,
 * then CLOCK_REALTIME set to that atime plus a day less 300 s (the
 * coarse clock alone decides: it stays), plus a day less 10 s (within
 * the coarse clock's allowed lag: the clock decides, it stays), and plus
 * a day and 10 s (it moves, to the new time). Prints "atimeday: ok", or
 * what went wrong. Sets the clock: run it alone in its guest.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "smp.h"

#define DAY (24 * 60 * 60)

static int failures;

static struct timespec
atime_of(int fd)
{
	struct stat st;
	fstat(fd, &st);
	return st.st_atim;
}

/* Sets the clock to base + secs, reads, and checks whether the atime
 * moved (and then to at least the new time). */
static void
step(int fd, int cpu, struct timespec base, long secs, int moves)
{
	struct timespec to = { base.tv_sec + secs, base.tv_nsec };
	char c;
	if (clock_settime(CLOCK_REALTIME, &to) < 0) {
		printf("atimeday: clock_settime: %m\n");
		failures++;
		return;
	}
	pread(fd, &c, 1, 0);
	struct timespec now = atime_of(fd);
	int moved = now.tv_sec != base.tv_sec || now.tv_nsec != base.tv_nsec;
	if (moved != moves || (moves && now.tv_sec < to.tv_sec)) {
		printf("atimeday: cpu %d, a day %+ld s on: atime %s (%ld, was "
		       "%ld)\n", cpu, secs - DAY, moved ? "moved" : "stayed",
		       (long)now.tv_sec, (long)base.tv_sec);
		failures++;
	}
}

static void
on_cpu(int cpu)
{
	char data[4096], c;
	int fd = open("/tmp/atimeday", O_RDWR | O_CREAT | O_TRUNC, 0600);
	struct timespec pause = { 0, 20 * 1000 * 1000 };

	pin(cpu);
	memset(data, 'a', sizeof(data));
	if (fd < 0 || write(fd, data, sizeof(data)) != sizeof(data)) {
		printf("atimeday: the file: %m\n");
		failures++;
		return;
	}
	nanosleep(&pause, NULL);
	pread(fd, &c, 1, 0);	/* the first read after the write: moves */
	struct timespec base = atime_of(fd);
	step(fd, cpu, base, DAY - 300, 0);
	step(fd, cpu, base, DAY - 10, 0);
	step(fd, cpu, base, DAY + 10, 1);
	close(fd);
	unlink("/tmp/atimeday");
}

int
main(void)
{
	on_cpu(0);
	on_cpu(1);
	if (failures)
		return 1;
	printf("atimeday: ok\n");
	return 0;
}
