/*
 * Guest program for system/fsd-mmap: faults on a shared mapping of a
 * server's file, which sleep while the server fetches the page or hears
 * of the first store, race the mapping's change by another thread.
 *
 *   mapraces make FILE   FILE becomes 4 MiB of 0x5a bytes
 *   mapraces FILE        the races, on a FILE made in an earlier boot:
 *                        none of its pages is in memory yet
 *
 * Each round's 16 pages are so fetched for the first time. Each round the main thread maps the next
 * 16 pages shared and writable at one address, and two threads fault on
 * them while it:
 *  - (odd rounds) makes the mapping read-only and then stores to each
 *    page itself: every store must fault (SIGSEGV), or a store fault
 *    begun before the mprotect made its page writable after it;
 *  - (even rounds) replaces the mapping by anonymous memory (MAP_FIXED),
 *    whose pages must read 0, or a fault begun before put the file's
 *    page into the new mapping (the old region was freed meanwhile).
 * The threads store only in odd rounds and only read in even ones.
 * Prints "mapraces ok", or what went wrong and exits 1.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define PAGE 4096
#define PAGES 16
#define FILE_PAGES 1024
#define ROUNDS (FILE_PAGES / PAGES)

static unsigned char *area;		/* the fixed address every round uses */
static volatile int round_no;		/* -1: the threads stop */
static volatile int busy[2];		/* a thread is inside a round's pass */
static volatile int begun;		/* the last round a pass began in */
static __thread sigjmp_buf *volatile faulted;	/* where a thread's fault returns */

static void
on_fault(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	if (faulted)
		siglongjmp(*faulted, 1);
	char msg[160];
	int n = snprintf(msg, sizeof(msg), "unexpected signal %d at %p (area %p) code %d in thread %ld of %ld, round %d\n",
			 sig, si->si_addr, (void *)area, si->si_code, (long)gettid(), (long)getpid(), round_no);
	write(1, msg, (size_t)n);
	_exit(2);
}

static void
die(const char *what)
{
	perror(what);
	exit(1);
}

/* One pass over the pages: stores in odd rounds, reads in even ones. A
 * fault ends the pass (the mapping changed under it). */
static void
pass(int round)
{
	sigjmp_buf jb;
	if (sigsetjmp(jb, 1))
		return;
	faulted = &jb;
	for (int i = 0; i < PAGES; i++) {
		volatile unsigned char *b = area + i * PAGE;
		if (round & 1)
			*b = 0x5a;
		else
			(void)*b;
	}
	faulted = NULL;
}

static void *
toucher(void *arg)
{
	int me = (int)(long)arg;
	for (int seen = 0;;) {
		int round = round_no;
		if (round < 0)
			return NULL;
		if (round == seen) {
			sched_yield();
			continue;
		}
		busy[me] = 1;
		begun = round;
		pass(round);
		busy[me] = 0;
		seen = round;
	}
}

/* Whether a store to b faults. */
static int
store_faults(unsigned char *b)
{
	sigjmp_buf jb;
	if (sigsetjmp(jb, 1)) {
		faulted = NULL;
		return 1;
	}
	faulted = &jb;
	*(volatile unsigned char *)b = 0x5a;
	faulted = NULL;
	return 0;
}

static int
make(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		die("open");
	static unsigned char block[PAGE * PAGES];
	memset(block, 0x5a, sizeof(block));
	for (int i = 0; i < ROUNDS; i++)
		if (write(fd, block, sizeof(block)) != (ssize_t)sizeof(block))
			die("write");
	if (close(fd) < 0)
		die("close");
	printf("made %s\n", path);
	return 0;
}

int
main(int argc, char **argv)
{
	if (argc == 3 && strcmp(argv[1], "make") == 0)
		return make(argv[2]);
	if (argc != 2) {
		fprintf(stderr, "usage: mapraces [make] FILE\n");
		return 1;
	}
	int fd = open(argv[1], O_RDWR);
	if (fd < 0)
		die("open");
	if (lseek(fd, 0, SEEK_END) != (off_t)FILE_PAGES * PAGE) {
		fprintf(stderr, "mapraces: %s is not from mapraces make\n",
			argv[1]);
		return 1;
	}
	struct sigaction sa = { .sa_sigaction = on_fault, .sa_flags = SA_NODEFER | SA_SIGINFO };
	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGBUS, &sa, NULL);
	area = mmap(NULL, PAGE * PAGES, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS,
		    -1, 0);
	if (area == MAP_FAILED)
		die("mmap");
	pthread_t t[2];
	for (long i = 0; i < 2; i++)
		if (pthread_create(&t[i], NULL, toucher, (void *)i))
			die("pthread_create");
	int bad = 0;
	for (int round = 1; round <= ROUNDS && !bad; round++) {
		if (mmap(area, PAGE * PAGES, PROT_READ | PROT_WRITE,
			 MAP_SHARED | MAP_FIXED, fd,
			 (off_t)(round - 1) * PAGES * PAGE) == MAP_FAILED)
			die("mmap file");
		round_no = round;
		while (begun != round)
			sched_yield();	/* a thread has begun to fault */
		if (round & 1) {
			if (mprotect(area, PAGE * PAGES, PROT_READ) < 0)
				die("mprotect");
			for (int i = 0; i < PAGES; i++)
				if (!store_faults(area + i * PAGE)) {
					printf("round %d: page %d writable after "
					       "mprotect(PROT_READ)\n", round, i);
					bad = 1;
				}
		} else {
			if (mmap(area, PAGE * PAGES, PROT_READ | PROT_WRITE,
				 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1,
				 0) == MAP_FAILED)
				die("mmap anonymous");
			for (int i = 0; i < PAGES; i++)
				if (area[i * PAGE] != 0) {
					printf("round %d: page %d of new anonymous "
					       "memory holds the file's data\n",
					       round, i);
					bad = 1;
				}
		}
		while (busy[0] || busy[1])
			sched_yield();
	}
	round_no = -1;
	for (int i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	if (bad)
		return 1;
	printf("mapraces ok\n");
	return 0;
}
