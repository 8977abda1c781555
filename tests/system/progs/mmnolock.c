/*
 * mmap, mprotect and munmap of private anonymous memory run without the
 * big lock in a process of one thread (docs/kernel.md, "Memory": "Mapping
 * without the big lock"): CYCLES cycles of a 64 KiB map, a store to each
 * of its pages, a reprotection of half of it and an unmap take the lock
 * (/proc/petrel/bkl's acquisitions, every CPU's) fewer than CYCLES
 * times (the timer's interrupts take it too, more on a loaded host: 203
 * to 340 on a quiet one, 1,017 once under the assert kernel beside a
 * whole test run; any one of the three calls locked would make CYCLES);
 * the same cycles in a process of two threads (the other asleep)
 * take it for each call, at least 3 * CYCLES times; a map given a file,
 * or MAP_FIXED, still works (the locked path). Each cycle checks its
 * pages read zero first and keep what was stored. Prints "mmnolock: ok"
 * or why not.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "bkl.h"

#define CYCLES 5000
#define PAGE 4096
#define PAGES 16

/* The big lock's acquisitions on all CPUs; exits if they cannot be read. */
static unsigned long long
acquisitions(void)
{
	return bkl_acquired_or_exit("mmnolock");
}

static void
wrong(const char *what, int cycle)
{
	printf("mmnolock: %s (cycle %d)\n", what, cycle);
	exit(1);
}

/* CYCLES map, store, reprotect, unmap cycles: the lock's acquisitions. */
static unsigned long long
cycles_taken(void)
{
	unsigned long long before = acquisitions();
	for (int c = 0; c < CYCLES; c++) {
		char *p = mmap(NULL, PAGES * PAGE, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED)
			wrong("mmap failed", c);
		for (int i = 0; i < PAGES; i++) {
			if (p[i * PAGE + 5] != 0)
				wrong("a fresh page is not zero", c);
			p[i * PAGE + 5] = (char)(c + i);
		}
		if (mprotect(p, PAGES / 2 * PAGE, PROT_READ) != 0)
			wrong("mprotect failed", c);
		for (int i = 0; i < PAGES; i++)
			if (p[i * PAGE + 5] != (char)(c + i))
				wrong("a page lost its store", c);
		if (munmap(p, PAGES * PAGE) != 0)
			wrong("munmap failed", c);
	}
	return acquisitions() - before;
}

static int pipe_fds[2];

static void *
sleeper(void *arg)
{
	char b;
	(void)arg;
	return read(pipe_fds[0], &b, 1) == 1 ? NULL : arg;
}

/* The locked path's cases still work: MAP_FIXED over a mapping, a map
 * of a file, munmap of part of both. */
static void
locked_cases(void)
{
	char *p = mmap(NULL, 4 * PAGE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	p[0] = 1;
	char *q = mmap(p, 2 * PAGE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	if (q != p || p[0] != 0)
		wrong("MAP_FIXED did not replace the page", 0);
	FILE *f = fopen("/proc/self/exe", "r");
	char *e = f ? mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, fileno(f), 0)
		    : MAP_FAILED;
	if (e == MAP_FAILED || memcmp(e, "\177ELF", 4) != 0)
		wrong("a file map does not read the file", 0);
	if (munmap(e, PAGE) != 0 || munmap(p, 4 * PAGE) != 0)
		wrong("munmap of the locked cases failed", 0);
	fclose(f);
}

int
main(void)
{
	locked_cases();
	unsigned long long alone = cycles_taken();
	pthread_t t;
	if (pipe(pipe_fds) != 0 || pthread_create(&t, NULL, sleeper, NULL)) {
		printf("mmnolock: no second thread\n");
		return 1;
	}
	unsigned long long threads = cycles_taken();
	if (write(pipe_fds[1], "x", 1) != 1 || pthread_join(t, NULL) != 0)
		return 1;
	printf("mmnolock: lock taken %llu times for %d cycles alone, %llu "
	       "with two threads\n", alone, CYCLES, threads);
	if (alone >= CYCLES) {	/* the timer, the reads of the file */
		printf("mmnolock: the one-thread cycles took the lock\n");
		return 1;
	}
	if (threads < 3ull * CYCLES) {
		printf("mmnolock: the two-thread cycles did not take it\n");
		return 1;
	}
	printf("mmnolock: ok\n");
	return 0;
}
