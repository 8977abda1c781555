/*
 * A stress of fork, copy-on-write, exit and unmapping on 2 vCPUs, made to
 * find page reference-count bugs (docs/fuzzing.md, "cowstress"): rounds of
 * single- and multi-threaded processes with private anonymous and private
 * tmpfs-file memory fork children that write the same pages at once and
 * exit while the parent still faults; writers race munmap, mremap,
 * MADV_DONTNEED, mprotect, vfork and auto-reaped children. Every process
 * checks that each page holds what it or its ancestor wrote before the
 * fork: a page freed while mapped shows as another's data before the
 * kernel notices its count.
 *
 *   cowstress [-t SECONDS] [-m MODES] [-s SEED] [-o LEAVE_OUT] [-q]
 *
 * MODES is a set of letters (default "fmcr"): f single-threaded forks as
 * LTP fcntl14 makes them, m forks of a multi-threaded process, c writers
 * beside munmap/mremap/madvise/mprotect/fork/vfork, r children reaped by
 * an ignored SIGCHLD. Prints "cowstress: ok" and exits 0, or prints what
 * was wrong and exits 1. LEAVE_OUT narrows mode f down, to find what a
 * failure needs: a (no writes to the file region: anonymous memory
 * only), g (no grandchildren), l (no file locks), w (the parent waits for
 * each child at once, one child at a time, as fcntl14 does); and p pins
 * mode f's parent to CPU 0 and its children to CPU 1, so that their
 * faults always run at once.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define PAGE 4096
#define WORDS (PAGE / sizeof(uint64_t))
#define ANON_PAGES 192		/* region 0: private anonymous */
#define FILE_PAGES 64		/* region 1: MAP_PRIVATE of a tmpfs file */
#define CHURN_PAGES 32		/* the chaos mode's region */
#define MAX_THREADS 4
#define MAGIC 0x5e0c0000000000ull

/* A page's header: word 0 its tag, word 1 its value, the last word the
 * value's complement, so a page copied from the wrong place or torn shows. */
static uint64_t
tag_of(int region, int page)
{
	return MAGIC | ((uint64_t)region << 32) | (uint64_t)page;
}

static uint64_t *regions[2];
static const int region_pages[2] = { ANON_PAGES, FILE_PAGES };
/* What this process last wrote to each page (0: the file's, or zeros). */
static uint64_t expect[2][ANON_PAGES];
static int quiet;
static const char *leave_out = "";

/* Whether -o left feature out. */
static bool
left_out(char feature)
{
	return strchr(leave_out, feature) != NULL;
}
static volatile int stop_threads;
/* Counts what any process found wrong, as an auto-reaped child's exit
 * status is lost: one MAP_SHARED page for the whole run. */
static volatile long *found_wrong;
/* found_wrong's page also counts the forks (and vforks) of the run. */
#define FORKS (found_wrong[1])

/* fork, counted. */
static pid_t
counted_fork(void)
{
	pid_t pid = fork();
	if (pid > 0)
		__atomic_add_fetch(&FORKS, 1, __ATOMIC_RELAXED);
	return pid;
}

static uint64_t
now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static uint64_t
rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* Says what is wrong and ends the whole process group's round: the
 * round's process exits 1, which the main loop reports. */
static _Noreturn void
wrong(const char *who, int region, int page, uint64_t want,
      const uint64_t *p)
{
	printf("cowstress: WRONG in %s (pid %d): region %d page %d: want "
	       "value %#llx, got tag %#llx value %#llx last %#llx\n", who,
	       getpid(), region, page, (unsigned long long)want,
	       (unsigned long long)p[0], (unsigned long long)p[1],
	       (unsigned long long)p[WORDS - 1]);
	fflush(stdout);
	__atomic_add_fetch(found_wrong, 1, __ATOMIC_RELAXED);
	_exit(1);
}

/* Whether page (region, page) holds exactly what expect says: the value
 * written last, or the file's contents (value 0), or, for anonymous
 * memory never written or discarded, zeros. */
static void
check_page(const char *who, int region, int page)
{
	const volatile uint64_t *p = regions[region] + (size_t)page * WORDS;
	uint64_t want = expect[region][page];
	uint64_t tag = p[0], value = p[1], last = p[WORDS - 1];
	if (tag == tag_of(region, page) && value == want && last == ~want)
		return;
	if (region == 0 && want == 0 && tag == 0 && value == 0 && last == 0)
		return;
	uint64_t seen[WORDS] = { tag, value };
	seen[WORDS - 1] = last;
	wrong(who, region, page, want, seen);
}

static void
write_page(int region, int page, uint64_t value)
{
	volatile uint64_t *p = regions[region] + (size_t)page * WORDS;
	p[0] = tag_of(region, page);
	p[1] = value;
	p[WORDS - 1] = ~value;
	expect[region][page] = value;
}

/* A page's owner among n writers: thread (page % n). */
static bool
owns(int page, int me, int n)
{
	return page % n == me;
}

/* Writes then checks every page thread me of n owns, count times over,
 * with values from seed; checks each page before it writes it. */
static void
churn_own(const char *who, int me, int n, uint64_t *seed, int count)
{
	for (int i = 0; i < count; i++) {
		int region = (int)(rnd(seed) % 4 == 0) && !left_out('a');
		int page = (int)(rnd(seed) % (uint64_t)region_pages[region]);
		page -= page % n;
		page += me;
		if (page >= region_pages[region])
			continue;
		check_page(who, region, page);
		write_page(region, page, rnd(seed) | 1);
		check_page(who, region, page);
	}
}

static void
check_all_owned(const char *who, int me, int n)
{
	for (int region = 0; region < 2; region++)
		for (int page = 0; page < region_pages[region]; page++)
			if (owns(page, me, n))
				check_page(who, region, page);
}

/* The file all rounds map privately: each page tagged, value 0. */
static int
make_file(void)
{
	char path[64];
	snprintf(path, sizeof(path), "/tmp/cowstress.%d", getpid());
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (fd < 0)
		return -1;
	unlink(path);
	static uint64_t page[WORDS];
	for (int i = 0; i < FILE_PAGES; i++) {
		page[0] = tag_of(1, i);
		page[1] = 0;
		page[WORDS - 1] = ~0ull;
		if (write(fd, page, PAGE) != PAGE)
			return -1;
	}
	return fd;
}

/* Maps the two regions afresh (a round's own memory). */
static int
map_regions(int fd)
{
	regions[0] = mmap(NULL, ANON_PAGES * PAGE, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	regions[1] = mmap(NULL, FILE_PAGES * PAGE, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE, fd, 0);
	if (regions[0] == MAP_FAILED || regions[1] == MAP_FAILED)
		return -1;
	memset(expect, 0, sizeof(expect));
	return 0;
}

/* Waits for child pid; a child that failed fails its parent. */
static void
reap(const char *who, pid_t pid)
{
	int status;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		printf("cowstress: %s: child %d ended with status %#x\n", who,
		       pid, status);
		fflush(stdout);
		_exit(1);
	}
}

/* ---- f: single-threaded forks, as LTP fcntl14 ----------------------------- */

/*
 * The child: checks what its parent wrote, writes pages of its own (a
 * copy each), sometimes takes a lock on the file or forks a grandchild,
 * and exits while its parent writes the same pages.
 */
static _Noreturn void
fork_child(int fd, uint64_t seed)
{
	for (int depth = 0;; depth++) {
		check_all_owned("fork child", 0, 1);
		churn_own("fork child", 0, 1, &seed, (int)(rnd(&seed) % 24));
		if (rnd(&seed) % 4 == 0 && !left_out('l')) {
			struct flock lk = { .l_type = F_WRLCK,
					    .l_whence = SEEK_SET,
					    .l_start = (off_t)(rnd(&seed) % 64),
					    .l_len = 1 };
			fcntl(fd, F_SETLK, &lk);
		}
		if (depth < 2 && rnd(&seed) % 8 == 0 && !left_out('g')) {
			pid_t pid = counted_fork();
			if (pid == 0) {	/* the grandchild goes round again */
				seed = seed * 7 + 1;
				continue;
			}
			churn_own("fork child", 0, 1, &seed, 8);
			if (pid > 0)
				reap("fork child", pid);
		}
		_exit(0);
	}
}

/* Runs the calling thread on CPU cpu only. */
static void
pin(int cpu)
{
	cpu_set_t set;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	sched_setaffinity(0, sizeof(set), &set);
}

static void
mode_forks(int fd, uint64_t seed, uint64_t until)
{
	pid_t kids[4] = { 0 };
	if (left_out('p'))
		pin(0);
	churn_own("fork parent", 0, 1, &seed, 200);
	for (int n = 0; now_ms() < until; n++) {
		int slot = n % 4;
		if (kids[slot])
			reap("fork parent", kids[slot]);
		pid_t pid = counted_fork();
		if (pid == 0) {
			if (left_out('p'))
				pin(1);
			fork_child(fd, rnd(&seed));
		}
		kids[slot] = pid > 0 ? pid : 0;
		/* Write at once: the child's exit races these copies. */
		churn_own("fork parent", 0, 1, &seed, (int)(rnd(&seed) % 32));
		if (rnd(&seed) % 2 || left_out('w'))	/* as fcntl14 */
			reap("fork parent", pid), kids[slot] = 0;
	}
	for (int slot = 0; slot < 4; slot++)
		if (kids[slot])
			reap("fork parent", kids[slot]);
	check_all_owned("fork parent", 0, 1);
}

/* ---- m: forks of a multi-threaded process --------------------------------- */

struct writer {
	pthread_t thread;
	int me, n;
	uint64_t seed;
};

static void *
writer_main(void *arg)
{
	struct writer *w = arg;
	while (!__atomic_load_n(&stop_threads, __ATOMIC_RELAXED)) {
		churn_own("writer thread", w->me, w->n, &w->seed, 16);
		sched_yield();	/* the forking thread shares these CPUs */
		if (rnd(&w->seed) % 64 == 0) {	/* its own pages dropped */
			int page = (int)(rnd(&w->seed) % ANON_PAGES);
			page -= page % w->n;
			page += w->me;
			if (page < ANON_PAGES) {
				madvise(regions[0] + (size_t)page * WORDS,
					PAGE, MADV_DONTNEED);
				expect[0][page] = 0;
			}
		}
	}
	return NULL;
}

/* Starts writers 1..n-1 (the caller is writer 0). */
static void
start_writers(struct writer *ws, int n, uint64_t seed)
{
	__atomic_store_n(&stop_threads, 0, __ATOMIC_RELAXED);
	for (int i = 1; i < n; i++) {
		ws[i] = (struct writer){ .me = i, .n = n, .seed = seed + 77 * i };
		pthread_create(&ws[i].thread, NULL, writer_main, &ws[i]);
	}
}

static void
stop_writers(struct writer *ws, int n)
{
	__atomic_store_n(&stop_threads, 1, __ATOMIC_RELAXED);
	for (int i = 1; i < n; i++)
		pthread_join(ws[i].thread, NULL);
}

/*
 * The child of a threaded fork: the forking thread's pages (0 of n) are
 * exact; the other writers' were being written during the copy, so each
 * needs only its tag (or zeros) and is then taken as it is. It writes
 * with threads of its own and exits while they, and the parent's, run.
 */
static _Noreturn void
threaded_child(int n, uint64_t seed)
{
	check_all_owned("threaded child", 0, n);
	for (int region = 0; region < 2; region++)
		for (int page = 0; page < region_pages[region]; page++) {
			if (owns(page, 0, n))
				continue;
			volatile uint64_t *p = regions[region] + (size_t)page * WORDS;
			uint64_t tag = p[0], value = p[1];
			bool zero = region == 0 && tag == 0 && value == 0;
			if (tag != tag_of(region, page) && !zero) {
				uint64_t seen[WORDS] = { tag, value };
				seen[WORDS - 1] = p[WORDS - 1];
				wrong("threaded child (others' pages)", region,
				      page, 0, seen);
			}
			if (zero)	/* discarded by its writer */
				expect[region][page] = 0;
			else	/* made whole again: exact from now on */
				write_page(region, page, value);
		}
	int kids = (int)(rnd(&seed) % 3);
	struct writer ws[MAX_THREADS];
	if (kids)
		start_writers(ws, kids + 1, seed);
	churn_own("threaded child", 0, kids + 1, &seed, 40);
	if (rnd(&seed) % 2)	/* exit with its threads still writing */
		_exit(0);
	if (kids)
		stop_writers(ws, kids + 1);
	_exit(0);
}

static void
mode_threaded(uint64_t seed, uint64_t until)
{
	int n = 2 + (int)(rnd(&seed) % 3);
	struct writer ws[MAX_THREADS];
	start_writers(ws, n, seed);
	while (now_ms() < until) {
		churn_own("threaded parent", 0, n, &seed, 24);
		pid_t pid = counted_fork();
		if (pid == 0)
			threaded_child(n, rnd(&seed));
		churn_own("threaded parent", 0, n, &seed, 24);
		if (pid > 0)
			reap("threaded parent", pid);
	}
	stop_writers(ws, n);
	for (int me = 0; me < n; me++)
		check_all_owned("threaded parent", me, n);
}

/* ---- c: writers beside munmap, mremap, madvise, mprotect, forks ----------- */

static uint64_t *churned;
static __thread sigjmp_buf fault_jump;
static __thread volatile int fault_expected;
static long churn_faults;

/* A store to churned while it is unmapped, moved or read-only. */
static void
on_fault(int sig)
{
	if (!fault_expected) {
		signal(sig, SIG_DFL);
		raise(sig);
	}
	siglongjmp(fault_jump, 1);
}

/* Writer me of n: a value to each of its words, read back at once: the
 * value, zeros (discarded or replaced meanwhile), or a fault. */
static void *
churn_writer(void *arg)
{
	struct writer *w = arg;
	while (!__atomic_load_n(&stop_threads, __ATOMIC_RELAXED)) {
		int page = (int)(rnd(&w->seed) % CHURN_PAGES);
		uint64_t v = rnd(&w->seed) | 1;
		uint64_t tag = tag_of(2, page) | ((uint64_t)w->me << 24);
		volatile uint64_t *p = churned + (size_t)page * WORDS + 2 * w->me;
		if (sigsetjmp(fault_jump, 1)) {
			fault_expected = 0;
			__atomic_add_fetch(&churn_faults, 1, __ATOMIC_RELAXED);
			continue;
		}
		fault_expected = 1;
		p[0] = tag;
		p[1] = v;
		uint64_t got_tag = p[0], got = p[1];
		fault_expected = 0;
		if ((got_tag != tag && got_tag != 0) || (got != v && got != 0)) {
			uint64_t seen[WORDS] = { got_tag, got };
			wrong("churn writer", 2, page, v, seen);
		}
	}
	fault_expected = 0;
	return NULL;
}

/* In a fork's child of the churn mode: every word pair is a writer's
 * (its tag) or zeros; then a few stores and the exit. */
static _Noreturn void
churn_child(void)
{
	for (int page = 0; page < CHURN_PAGES; page++)
		for (int me = 0; me < MAX_THREADS; me++) {
			uint64_t *p = churned + (size_t)page * WORDS + 2 * me;
			uint64_t tag = tag_of(2, page) | ((uint64_t)me << 24);
			if (p[0] != tag && p[0] != 0)
				wrong("churn child", 2, page, tag, p);
			p[1] ^= 1;
		}
	_exit(0);
}

static void
churn_step(uint64_t *seed)
{
	size_t len = CHURN_PAGES * PAGE;
	size_t part = (1 + rnd(seed) % CHURN_PAGES) * PAGE;
	switch (rnd(seed) % 7) {
	case 0:	/* replaced in place */
		mmap(churned, part, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
		break;
	case 1:
		madvise(churned, part, MADV_DONTNEED);
		break;
	case 2:	/* read-only a moment */
		mprotect(churned, part, PROT_READ);
		sched_yield();
		mprotect(churned, len, PROT_READ | PROT_WRITE);
		break;
	case 3: {	/* moved away and back */
		void *away = mremap(churned, len, len, MREMAP_MAYMOVE);
		if (away != MAP_FAILED)
			mremap(away, len, len, MREMAP_MAYMOVE | MREMAP_FIXED,
			       churned);
		break;
	}
	case 4:	/* unmapped a moment */
		munmap(churned, part);
		sched_yield();
		mmap(churned, part, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
		break;
	case 5: {
		pid_t pid = counted_fork();
		if (pid == 0)
			churn_child();
		if (pid > 0)
			reap("churn parent", pid);
		break;
	}
	default: {	/* shares the memory until it exits */
		pid_t pid = vfork();
		if (pid == 0)
			_exit(0);
		__atomic_add_fetch(&FORKS, 1, __ATOMIC_RELAXED);
		if (pid > 0)
			reap("churn parent (vfork)", pid);
		break;
	}
	}
}

static void
mode_churn(uint64_t seed, uint64_t until)
{
	churned = mmap(NULL, CHURN_PAGES * PAGE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (churned == MAP_FAILED)
		return;
	struct sigaction sa = { .sa_handler = on_fault, .sa_flags = SA_NODEFER };
	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGBUS, &sa, NULL);
	int n = 1 + (int)(rnd(&seed) % 3);
	struct writer ws[MAX_THREADS];
	__atomic_store_n(&stop_threads, 0, __ATOMIC_RELAXED);
	for (int i = 0; i < n; i++) {
		ws[i] = (struct writer){ .me = i, .n = n, .seed = seed + 31 * i + 1 };
		pthread_create(&ws[i].thread, NULL, churn_writer, &ws[i]);
	}
	while (now_ms() < until)
		churn_step(&seed);
	__atomic_store_n(&stop_threads, 1, __ATOMIC_RELAXED);
	for (int i = 0; i < n; i++)
		pthread_join(ws[i].thread, NULL);
	munmap(churned, CHURN_PAGES * PAGE);
}

/* ---- r: children reaped by an ignored SIGCHLD ----------------------------- */

static void
mode_reaped(uint64_t seed, uint64_t until)
{
	signal(SIGCHLD, SIG_IGN);
	struct writer ws[MAX_THREADS];
	start_writers(ws, 2, seed);
	while (now_ms() < until) {
		churn_own("reaping parent", 0, 2, &seed, 16);
		pid_t pid = counted_fork();
		if (pid < 0)
			sched_yield();	/* too many yet */
		if (pid == 0) {
			check_all_owned("reaped child", 0, 2);
			churn_own("reaped child", 0, 2, &seed, 8);
			_exit(0);
		}
	}
	stop_writers(ws, 2);
	/* Waits until the last child is gone: then ECHILD. */
	while (wait(NULL) > 0 || errno == EINTR)
		;
	signal(SIGCHLD, SIG_DFL);
	check_all_owned("reaping parent", 0, 2);
	check_all_owned("reaping parent", 1, 2);
}

/* ---- the rounds ----------------------------------------------------------- */

/* One round of mode in a process of its own; 0 if it went right. */
static int
round_run(char mode, int fd, uint64_t seed, uint64_t ms)
{
	pid_t pid = fork();
	if (pid < 0)
		return 1;
	if (pid == 0) {
		if (map_regions(fd) < 0)
			_exit(2);
		uint64_t until = now_ms() + ms;
		if (mode == 'f')
			mode_forks(fd, seed, until);
		else if (mode == 'm')
			mode_threaded(seed, until);
		else if (mode == 'c')
			mode_churn(seed, until);
		else
			mode_reaped(seed, until);
		_exit(0);
	}
	int status;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0 && !*found_wrong)
		return 0;
	printf("cowstress: round %c (seed %llu) ended with status %#x\n",
	       mode, (unsigned long long)seed, status);
	return 1;
}

int
main(int argc, char **argv)
{
	int seconds = 30, opt;
	const char *modes = "fmcr";
	uint64_t seed = (uint64_t)time(NULL);
	while ((opt = getopt(argc, argv, "t:m:s:o:q")) != -1) {
		if (opt == 't')
			seconds = atoi(optarg);
		else if (opt == 'm')
			modes = optarg;
		else if (opt == 's')
			seed = strtoull(optarg, NULL, 0);
		else if (opt == 'o')
			leave_out = optarg;
		else if (opt == 'q')
			quiet = 1;
		else
			return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("cowstress: %d s of modes %s, seed %llu\n", seconds, modes,
	       (unsigned long long)seed);
	found_wrong = mmap(NULL, PAGE, PROT_READ | PROT_WRITE,
			   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	int fd = make_file();
	if (fd < 0) {
		printf("cowstress: no file in /tmp\n");
		return 1;
	}
	uint64_t start = now_ms(), until = start + (uint64_t)seconds * 1000;
	int rounds = 0, failed = 0;
	size_t nmodes = strlen(modes);
	while (now_ms() < until && !failed) {
		char mode = modes[rounds % nmodes];
		seed = seed * 6364136223846793005ull + 1442695040888963407ull;
		failed = round_run(mode, fd, seed | 1, 1000 + seed % 2000);
		rounds++;
		if (!quiet && rounds % 10 == 0)
			printf("cowstress: %d rounds, %ld forks, %llu s\n",
			       rounds, FORKS,
			       (unsigned long long)(now_ms() - start) / 1000);
	}
	if (failed)
		return 1;
	printf("cowstress: ok, %d rounds, %ld forks\n", rounds, FORKS);
	return 0;
}
