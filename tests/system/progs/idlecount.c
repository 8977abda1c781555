/*
 * Guest program for system/idle-wakeups and system/net-idle: what
 * /proc/interrupts says before and after an idle spell, with nothing of
 * the program's own in between. It reads the file, sleeps SECONDS in one
 * nanosleep, reads it again, and only then writes both copies out:
 *
 *   @@before
 *   <the file>
 *   @@after
 *   <the file>
 *
 * A shell's "cat; sleep; cat" forks and execs in the window, and a busy
 * CPU takes a timer interrupt every 2 ms for its user/system time split,
 * so its count said as much about the host's speed as about idleness.
 * Exits 0, or prints what failed and exits 1.
 *
 *   idlecount SECONDS
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#define FILE_MAX 16384

static char before[FILE_MAX], after[FILE_MAX];

/* The whole of /proc/interrupts into buf; its length, or -1. */
static ssize_t
read_interrupts(char *buf)
{
	int fd = open("/proc/interrupts", O_RDONLY);
	ssize_t len = 0, n;

	if (fd < 0)
		return -1;
	while (len < FILE_MAX &&
	       (n = read(fd, buf + len, FILE_MAX - len)) > 0)
		len += n;
	close(fd);
	return n < 0 ? -1 : len;
}

int
main(int argc, char **argv)
{
	struct timespec spell = { 0, 0 };

	if (argc != 2 || (spell.tv_sec = atoi(argv[1])) <= 0) {
		fprintf(stderr, "usage: idlecount SECONDS\n");
		return 1;
	}
	ssize_t a = read_interrupts(before);
	if (a >= 0 && nanosleep(&spell, NULL) != 0)
		a = -1;
	ssize_t b = a < 0 ? -1 : read_interrupts(after);
	if (a < 0 || b < 0) {
		perror("idlecount: /proc/interrupts or nanosleep");
		return 1;
	}
	printf("@@before\n%.*s@@after\n%.*s", (int)a, before, (int)b, after);
	return 0;
}
