/*
 * The big lock's acquisitions on all CPUs, summed from /proc/petrel/bkl
 * (a header line, then a line per CPU: its name and the count): -1 when
 * the file is not there (Linux) or cannot be read. For the tests that
 * check a path runs without the lock (progs/ipc.c, tests/abi/tmpfs_race.c).
 */
#ifndef TESTS_BKL_H
#define TESTS_BKL_H

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static inline long
bkl_acquired(void)
{
	char text[1024];
	long total = 0;
	int fd = open("/proc/petrel/bkl", O_RDONLY);
	if (fd < 0)
		return -1;
	long n = read(fd, text, sizeof(text) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	text[n] = 0;
	for (char *l = strchr(text, '\n'); l && l[1]; l = strchr(l + 1, '\n')) {
		long a;
		if (sscanf(l + 1, "%*s %ld", &a) == 1)
			total += a;
	}
	return total;
}

/* bkl_acquired, or exits (status 1) saying so under program's name. */
static inline unsigned long long
bkl_acquired_or_exit(const char *program)
{
	long n = bkl_acquired();
	if (n < 0) {
		printf("%s: no /proc/petrel/bkl\n", program);
		_exit(1);
	}
	return (unsigned long long)n;
}

/*
 * The local timer interrupts taken on all CPUs (/proc/interrupts' LOC
 * line), or -1: shown beside a test's big-lock takes (from user mode or
 * an idle CPU's halt, the interrupt takes none: arch/x86_64/trap.c).
 */
static inline long long
timer_interrupts(void)
{
	char line[256];
	long long total = -1;
	FILE *f = fopen("/proc/interrupts", "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		char *p = strstr(line, "LOC:");
		if (!p)
			continue;
		total = 0;
		p += 4;
		for (char *end; ; p = end) {
			long long n = strtoll(p, &end, 10);
			if (end == p)
				break;
			total += n;
		}
	}
	fclose(f);
	return total;
}

#endif
