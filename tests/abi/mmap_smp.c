/*
 * mmap, munmap and mprotect of private anonymous memory racing the readers
 * of an address space, on 2 vCPUs (mmap_smp4.c: the same on 4). Petrel
 * runs these calls without the big lock for a process of one thread
 * (docs/kernel.md, "Memory": "Mapping without the big lock"), so:
 *
 *  - one-thread workers (processes) map, fill, reprotect, split and unmap
 *    regions in a loop, checking every word they read back, while threads
 *    of the parent read their /proc/PID/maps (well formed), smaps,
 *    status and /proc/meminfo, and read their memory through
 *    process_vm_readv and /proc/PID/mem (a word read is the owner's value
 *    or zero, never another);
 *  - threads of one process do the same loop (the locked path), beside a
 *    thread reading /proc/self/maps and the main thread forking children
 *    that check a region of known values.
 *
 * A reader that walks a region list without the lock that guards it meets
 * a region freed under it (a crash, a hang, a wrong line); a lost store or
 * a page read after its free shows as a wrong word.
 */
/* abi: smp 2 */
#include "abi.h"

#include <pthread.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include <sys/wait.h>

#define PAGE 4096
#define PAGES 16
#define WORDS (PAGE / sizeof(uint64_t))
#define ROUNDS 150
#define WORKERS 2
#define MAGIC 0x5a5a00ff00ff5a5aull

/* What the workers publish to the readers: the region they fill now. */
struct shared {
	volatile uint64_t base[WORKERS];
	volatile int done;
};
static struct shared *sh;

/* The word each page's first slot holds: its own address, marked. */
static uint64_t
word_for(const uint64_t *page)
{
	return (uint64_t)(uintptr_t)page ^ MAGIC;
}

/* Every page of p[from, to) holds its word (and word 1 holds extra). */
static int
check_pages(uint64_t *p, int from, int to, uint64_t extra)
{
	int wrong = 0;
	for (int i = from; i < to; i++) {
		uint64_t *page = p + (size_t)i * WORDS;
		if (page[0] != word_for(page) || page[1] != extra)
			wrong++;
	}
	return wrong;
}

/* One round of the loop: map, fill, reprotect a part, split by an unmap
 * in the middle, unmap the rest. Returns the wrong words seen. */
static int
one_round(volatile uint64_t *publish)
{
	uint64_t *p = mmap(NULL, PAGES * PAGE, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return 1;
	int wrong = 0;
	for (int i = 0; i < PAGES; i++) {
		uint64_t *page = p + (size_t)i * WORDS;
		if (page[0] != 0)
			wrong++;	/* a fresh page reads zero */
		page[0] = word_for(page);
	}
	if (publish)
		*publish = (uint64_t)(uintptr_t)p;
	if (mprotect(p + 4 * WORDS, 4 * PAGE, PROT_READ) != 0)
		wrong++;
	wrong += check_pages(p, 0, PAGES, 0);
	if (mprotect(p + 4 * WORDS, 4 * PAGE, PROT_READ | PROT_WRITE) != 0)
		wrong++;
	for (int i = 0; i < PAGES; i++)
		p[(size_t)i * WORDS + 1] = 7;
	if (munmap(p + 8 * WORDS, 4 * PAGE) != 0)
		wrong++;
	wrong += check_pages(p, 0, 8, 7) + check_pages(p, 12, PAGES, 7);
	if (publish)
		*publish = 0;
	/* A worker alone unmaps over the hole too; a thread must not: the
	   hole may have become another thread's memory (malloc's). */
	if (publish && munmap(p, PAGES * PAGE) != 0)
		wrong++;
	if (!publish && (munmap(p, 8 * PAGE) != 0 ||
			 munmap(p + 12 * WORDS, 4 * PAGE) != 0))
		wrong++;
	return wrong;
}

/* ---- one-thread workers and the readers of their address spaces ----------- */

static pid_t workers[WORKERS];
static long bad_maps, bad_words, reads_done;

/*
 * Each whole line of what one read of a maps file gives is "START-END ..."
 * with START < END. Not their order: Linux 6.18 reads the regions under
 * their own locks, one at a time, and may show a split region's parts
 * out of order.
 */
static int
maps_ok(const char *path)
{
	static __thread char buf[65536];
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return 1;	/* the worker is gone: nothing to check */
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n < 0)
		return errno == ESRCH;
	buf[n] = 0;
	unsigned long start, end;
	int ok = 1;
	for (char *line = buf; *line; ) {
		char *nl = strchr(line, '\n');
		if (!nl)
			break;	/* a line cut by the buffer's end */
		if (sscanf(line, "%lx-%lx", &start, &end) != 2 || start >= end)
			ok = 0;
		line = nl + 1;
	}
	return ok;
}

static void
read_all(const char *path)
{
	char buf[4096];
	FILE *f = fopen(path, "r");
	if (!f)
		return;
	while (fread(buf, 1, sizeof(buf), f) > 0)
		;
	fclose(f);
}

static void *
proc_reader(void *arg)
{
	(void)arg;
	char path[64];
	while (!sh->done) {
		for (int w = 0; w < WORKERS; w++) {
			snprintf(path, sizeof(path), "/proc/%d/maps", workers[w]);
			if (!maps_ok(path))
				__atomic_add_fetch(&bad_maps, 1, __ATOMIC_RELAXED);
			snprintf(path, sizeof(path), "/proc/%d/smaps", workers[w]);
			read_all(path);
			snprintf(path, sizeof(path), "/proc/%d/status", workers[w]);
			read_all(path);
		}
		read_all("/proc/meminfo");
		__atomic_add_fetch(&reads_done, 1, __ATOMIC_RELAXED);
	}
	return NULL;
}

/* A word read from a worker's page: its own word, zero (not yet filled)
 * or nothing (unmapped meanwhile) are right; anything else is not. */
static void
judge(uint64_t page, uint64_t got)
{
	if (got != 0 && got != (page ^ MAGIC))
		__atomic_add_fetch(&bad_words, 1, __ATOMIC_RELAXED);
}

static void *
mem_reader(void *arg)
{
	(void)arg;
	char path[64];
	int fds[WORKERS];
	for (int w = 0; w < WORKERS; w++) {
		snprintf(path, sizeof(path), "/proc/%d/mem", workers[w]);
		fds[w] = open(path, O_RDONLY);
	}
	for (unsigned n = 0; !sh->done; n++) {
		int w = (int)(n % WORKERS);
		uint64_t base = sh->base[w];
		if (!base)
			continue;
		uint64_t page = base + (uint64_t)(n % PAGES) * PAGE, got = 0;
		struct iovec local = { &got, 8 }, remote = { (void *)page, 8 };
		if (process_vm_readv(workers[w], &local, 1, &remote, 1, 0) == 8)
			judge(page, got);
		got = 0;
		if (fds[w] >= 0 && pread(fds[w], &got, 8, (off_t)page) == 8)
			judge(page, got);
	}
	for (int w = 0; w < WORKERS; w++)
		if (fds[w] >= 0)
			close(fds[w]);
	return NULL;
}

static void
test_workers_and_readers(void)
{
	sh = mmap(NULL, PAGE, PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	for (int w = 0; w < WORKERS; w++) {
		workers[w] = abi_fork();
		if (workers[w] == 0) {
			abi_pin(w);
			int wrong = 0;
			for (int round = 0; round < ROUNDS; round++)
				wrong += one_round(&sh->base[w]);
			_exit(wrong ? 1 : 0);
		}
	}
	pthread_t t[2];
	pthread_create(&t[0], NULL, proc_reader, NULL);
	pthread_create(&t[1], NULL, mem_reader, NULL);
	int failed = 0;
	for (int w = 0; w < WORKERS; w++) {
		int status;
		waitpid(workers[w], &status, 0);
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
			failed++;
	}
	sh->done = 1;
	for (int i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	CHECK_EQ("one-thread workers: workers that read a wrong word", failed, 0);
	CHECK_EQ("their maps read meanwhile: bad files", bad_maps, 0);
	CHECK_EQ("their memory read meanwhile: wrong words", bad_words, 0);
	munmap(sh, PAGE);
}

/* ---- threads of one process, beside maps readers and forks ---------------- */

static volatile int threads_stop;
static int thread_wrong[3];
static uint64_t *kept;	/* known values a fork's child checks */

static void *
mapping_thread(void *arg)
{
	int me = (int)(long)arg;
	abi_pin(me % 2);
	for (int round = 0; round < ROUNDS / 4; round++)
		thread_wrong[me] += one_round(NULL);
	return NULL;
}

static void *
self_reader(void *arg)
{
	(void)arg;
	while (!threads_stop)
		if (!maps_ok("/proc/self/maps"))
			__atomic_add_fetch(&bad_maps, 1, __ATOMIC_RELAXED);
	return NULL;
}

static void
test_threads_and_forks(void)
{
	kept = mmap(NULL, PAGES * PAGE, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	for (int i = 0; i < PAGES; i++)
		kept[(size_t)i * WORDS] = word_for(kept + (size_t)i * WORDS);
	bad_maps = 0;
	pthread_t t[4];
	for (int i = 0; i < 3; i++)
		pthread_create(&t[i], NULL, mapping_thread, (void *)(long)i);
	pthread_create(&t[3], NULL, self_reader, NULL);
	int forks_bad = 0;
	for (int n = 0; n < 4; n++) {
		pid_t c = abi_fork();
		if (c == 0)
			_exit(check_pages(kept, 0, PAGES, 0) ? 1 : 0);
		int status;
		waitpid(c, &status, 0);
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
			forks_bad++;
	}
	for (int i = 0; i < 3; i++)
		pthread_join(t[i], NULL);
	threads_stop = 1;
	pthread_join(t[3], NULL);
	CHECK_EQ("threads mapping at once: wrong words",
		 thread_wrong[0] + thread_wrong[1] + thread_wrong[2], 0);
	CHECK_EQ("forks meanwhile: children that read a wrong word", forks_bad, 0);
	CHECK_EQ("/proc/self/maps meanwhile: bad files", bad_maps, 0);
	CHECK_EQ("the kept region after", check_pages(kept, 0, PAGES, 0), 0);
	munmap(kept, PAGES * PAGE);
}

#ifndef PROGRAM
#define PROGRAM "mmap_smp"
#endif

int
main(void)
{
	abi_init();
	/* Each part has the watchdog's time of its own, the second twice
	   it: a loaded host slows busy vCPUs down a lot (4 under TCG on 2
	   loaded host cores took 50 s for it at first, 2.5 times the rounds). */
	test_workers_and_readers();
	alarm(ABI_WATCHDOG * 2);
	test_threads_and_forks();
	return abi_done(PROGRAM);
}
