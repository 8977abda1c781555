/*
 * The page allocator's per-CPU caches and lseek without the big lock, on
 * 2 vCPUs (docs/kernel.md, "Memory" and "Calls without the big lock"):
 * - a worker pinned to each CPU maps, touches and unmaps 64 pages ROUNDS
 *   times; every page must read zero before its store, and the
 *   allocator's lock (/proc/petrel/mm) must be taken fewer than once per
 *   8 faults (before the caches: twice per fault);
 * - WORKERS_PAIRS lseek + read pairs on a tmpfs file of the caller's own
 *   take the big lock (/proc/petrel/bkl) fewer than once per 5 pairs;
 * - a stress: processes with a thread on each CPU, one faulting pages in
 *   and the other checking and unmapping them (pages allocated on one
 *   CPU freed on the other), forking children that write and exit;
 * - then every page is back: MemFree plus Slab (the kernel heap keeps
 *   its pages) within SLACK_KB of what it was before, after a first
 *   round of the stress.
 * Prints "pagecache: ok" or what was wrong, and exits 0 or 1.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#define PAGE 4096
#define PAGES 64
#define ROUNDS 400
#define PAIRS 20000
#define HANDOFFS 150
#define STRESS_PROCS 2
#define SLACK_KB 256

static void
fail(const char *what)
{
	printf("pagecache: %s\n", what);
	exit(1);
}

static void
pin(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set) < 0)
		fail("sched_setaffinity");
}

/* The sum over CPUs of column col (1 is the first after "cpuN") of a
 * /proc/petrel file. */
static unsigned long long
column_sum(const char *path, int col)
{
	FILE *f = fopen(path, "r");
	char line[512];
	unsigned long long total = 0;

	if (!f)
		fail(path);
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, "cpu", 3) != 0 || line[3] < '0' || line[3] > '9')
			continue;
		char *p = line;
		for (int i = 0; i < col && p; i++)
			p = strchr(p + 1, ' ');
		if (p)
			total += strtoull(p + 1, NULL, 10);
	}
	fclose(f);
	return total;
}

static long
meminfo_kb(const char *key)
{
	FILE *f = fopen("/proc/meminfo", "r");
	char line[256];
	long kb = -1;

	if (!f)
		fail("/proc/meminfo");
	while (fgets(line, sizeof(line), f))
		if (strncmp(line, key, strlen(key)) == 0)
			kb = atol(line + strlen(key));
	fclose(f);
	return kb;
}

/* Maps, checks, touches and unmaps PAGES pages, ROUNDS times. */
static void
fault_rounds(void)
{
	for (int r = 0; r < ROUNDS; r++) {
		char *p = mmap(NULL, PAGES * PAGE, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED)
			fail("mmap");
		for (int i = 0; i < PAGES; i++) {
			volatile uint64_t *w = (uint64_t *)(p + i * PAGE);
			if (w[0] != 0 || w[PAGE / 16] != 0 || w[PAGE / 8 - 1] != 0)
				fail("a fresh page was not zero");
			w[0] = w[PAGE / 16] = w[PAGE / 8 - 1] = 0x5a5a5a5a5a5a5a5aull;
		}
		if (munmap(p, PAGES * PAGE) < 0)
			fail("munmap");
	}
}

static void
check_fault_lock(void)
{
	unsigned long long before = column_sum("/proc/petrel/mm", 1);
	pid_t kids[2];

	for (int cpu = 0; cpu < 2; cpu++) {
		kids[cpu] = fork();
		if (kids[cpu] < 0)
			fail("fork");
		if (kids[cpu] == 0) {
			pin(cpu);
			fault_rounds();
			_exit(0);
		}
	}
	for (int cpu = 0; cpu < 2; cpu++) {
		int status;
		if (waitpid(kids[cpu], &status, 0) < 0 || status != 0)
			exit(1);	/* the child said why */
	}
	unsigned long long taken = column_sum("/proc/petrel/mm", 1) - before;
	unsigned long long faults = 2ull * ROUNDS * PAGES;
	printf("pagecache: page_lock taken %llu times for %llu faults\n",
	       taken, faults);
	if (taken * 8 >= faults)
		fail("page_lock taken once per 8 faults or more");
}

static void
check_lseek_lock(void)
{
	char path[64], data[PAGE], buf[256];
	int fd;

	snprintf(path, sizeof(path), "/tmp/pagecache.%d", (int)getpid());
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (fd < 0)
		fail("open");
	memset(data, 'p', sizeof(data));
	if (write(fd, data, sizeof(data)) != (ssize_t)sizeof(data))
		fail("write");
	unlink(path);
	unsigned long long before = column_sum("/proc/petrel/bkl", 1);
	for (int i = 0; i < PAIRS; i++)
		if (lseek(fd, (i % 16) * 256, SEEK_SET) != (i % 16) * 256 ||
		    read(fd, buf, sizeof(buf)) != (ssize_t)sizeof(buf) ||
		    buf[0] != 'p' || lseek(fd, 0, SEEK_CUR) != (i % 16 + 1) * 256)
			fail("lseek + read gave a wrong answer");
	unsigned long long taken = column_sum("/proc/petrel/bkl", 1) - before;
	printf("pagecache: big lock taken %llu times for %d lseek + read "
	       "pairs\n", taken, PAIRS);
	if (taken * 5 >= PAIRS)
		fail("lseek + read took the big lock once per 5 pairs or more");
	if (lseek(fd, -1, SEEK_END) != PAGE - 1 || lseek(fd, -PAGE - 1, SEEK_END) != -1)
		fail("SEEK_END");
	close(fd);
}

/* The stress: thread 0 faults pages in on CPU 0, thread 1 checks and
 * unmaps them on CPU 1; every 100th hand-off the process forks a child
 * that writes the region's pages (copies) and exits. */
static char *volatile slot;
static volatile int handed;

static void *
unmapper(void *arg)
{
	(void)arg;
	pin(1);
	for (int n = 0; n < HANDOFFS; n++) {
		char *p;
		while (!(p = __atomic_load_n(&slot, __ATOMIC_ACQUIRE)))
			sched_yield();
		for (int i = 0; i < PAGES; i++)
			if (p[i * PAGE] != (char)(n + i))
				fail("a page lost its data");
		if (munmap(p, PAGES * PAGE) < 0)
			fail("munmap");
		__atomic_store_n(&slot, NULL, __ATOMIC_RELEASE);
	}
	return NULL;
}

static void
stress_proc(void)
{
	pthread_t t;

	pin(0);
	if (pthread_create(&t, NULL, unmapper, NULL) != 0)
		fail("pthread_create");
	for (int n = 0; n < HANDOFFS; n++) {
		char *p = mmap(NULL, PAGES * PAGE, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED)
			fail("mmap");
		for (int i = 0; i < PAGES; i++)
			p[i * PAGE] = (char)(n + i);
		if (n % 100 == 0) {
			pid_t c = fork();
			if (c == 0) {
				for (int i = 0; i < PAGES; i++)
					p[i * PAGE] ^= 1;
				_exit(0);
			}
			if (c < 0 || waitpid(c, NULL, 0) < 0)
				fail("fork");
		}
		__atomic_store_n(&slot, p, __ATOMIC_RELEASE);
		while (__atomic_load_n(&slot, __ATOMIC_ACQUIRE))
			sched_yield();
	}
	pthread_join(t, NULL);
}

static void
stress(void)
{
	for (int i = 0; i < STRESS_PROCS; i++) {
		pid_t c = fork();
		if (c < 0)
			fail("fork");
		if (c == 0) {
			stress_proc();
			_exit(0);
		}
		int status;
		if (waitpid(c, &status, 0) < 0 || status != 0)
			exit(1);
	}
}

int
main(void)
{
	/* What a first round allocates for good (the servers starting
	   beside it took 10 MB in some boots) is not counted. */
	stress();
	usleep(500000);
	long before = meminfo_kb("MemFree:") + meminfo_kb("Slab:");

	check_fault_lock();
	check_lseek_lock();
	stress();
	usleep(100000);		/* dead threads are freed at a later switch */
	long after = meminfo_kb("MemFree:") + meminfo_kb("Slab:");
	printf("pagecache: MemFree + Slab %ld kB before, %ld kB after\n",
	       before, after);
	if (after < before - SLACK_KB)
		fail("pages lost");
	printf("pagecache: ok\n");
	return 0;
}
