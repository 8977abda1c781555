/*
 * Page faults on private anonymous memory, which Petrel takes without the
 * big lock (docs/kernel.md, "Memory"), on 2 vCPUs: threads pinned to CPUs
 * 0 and 1 fault regions of their own and the same pages of one region at
 * once, and write through copy-on-write pages, while another thread
 * replaces, discards, reprotects, unmaps and forks the memory they touch.
 * Each writer checks that it reads back what it wrote (or zeros, where the
 * memory was replaced): a lost store, a stale page or a page read after it
 * was freed shows as a wrong value.
 */
/* abi: smp 2 */
#include "abi.h"

#include <pthread.h>
#include <setjmp.h>
#include <stdint.h>
#include <sys/mman.h>

#define PAGE 4096
#define PAGES 16
#define ROUNDS 80
#define WORDS (PAGE / sizeof(uint64_t))

static uint64_t *
map(size_t pages)
{
	void *p = mmap(NULL, pages * PAGE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	return p == MAP_FAILED ? NULL : p;
}

/* Both threads start a round together. */
static pthread_barrier_t barrier;

/* ---- regions of their own, and the same region ---------------------------- */

static uint64_t *shared_region;
static int wrong[2];

/* Thread me, each round: a region of its own, every page written and
 * checked, unmapped; then its words of every page of the round's shared
 * region (fresh, so both fault its pages at once), checked after both. */
static void *
own_and_shared(void *arg)
{
	int me = (int)(long)arg;
	abi_pin(me);
	for (int round = 0; round < ROUNDS; round++) {
		uint64_t *own = map(PAGES);
		if (!own) {
			wrong[me]++;
			break;
		}
		uint64_t tag = ((uint64_t)me << 32) | (uint64_t)round;
		for (int i = 0; i < PAGES; i++)
			own[i * WORDS + 3] = tag + (uint64_t)i;
		for (int i = 0; i < PAGES; i++)
			if (own[i * WORDS + 3] != tag + (uint64_t)i ||
			    own[i * WORDS] != 0)
				wrong[me]++;
		munmap(own, PAGES * PAGE);
		pthread_barrier_wait(&barrier);	/* main mapped shared_region */
		uint64_t *s = shared_region;
		for (int i = 0; i < PAGES; i++)
			s[i * WORDS + me] = tag + (uint64_t)i;
		pthread_barrier_wait(&barrier);
		for (int i = 0; i < PAGES; i++)
			if (s[i * WORDS + me] != tag + (uint64_t)i ||
			    s[i * WORDS + (1 - me)] !=
			    ((((uint64_t)(1 - me)) << 32) | (uint64_t)round) +
			    (uint64_t)i)
				wrong[me]++;
		pthread_barrier_wait(&barrier);	/* main unmaps it */
	}
	return NULL;
}

static void
test_own_and_shared(void)
{
	pthread_t t[2];
	pthread_barrier_init(&barrier, NULL, 3);
	for (int i = 0; i < 2; i++)
		pthread_create(&t[i], NULL, own_and_shared, (void *)(long)i);
	for (int round = 0; round < ROUNDS; round++) {
		shared_region = map(PAGES);
		pthread_barrier_wait(&barrier);
		pthread_barrier_wait(&barrier);
		pthread_barrier_wait(&barrier);
		munmap(shared_region, PAGES * PAGE);
	}
	for (int i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	pthread_barrier_destroy(&barrier);
	CHECK_EQ("own regions and one shared region: wrong words", wrong[0] + wrong[1], 0);
}

/* ---- writers while the memory changes under them -------------------------- */

static volatile int stop;
static uint64_t *kept;		/* never changed: nothing may be lost */
static uint64_t *churned;	/* replaced and discarded: zeros allowed */
static uint64_t *flipped;	/* made read-only and writable again */
static volatile int flipped_writable = 1;
static long lost[2], bad[2];

/* A store to flipped while it is read-only: back when it is writable. */
static void
on_segv(int sig)
{
	(void)sig;
	while (!__atomic_load_n(&flipped_writable, __ATOMIC_ACQUIRE))
		sched_yield();
}

/*
 * Writer me: word me of every page of each region, a sequence number,
 * read back at once. kept's and flipped's must read back (flipped's after
 * a SIGSEGV that waits until it is writable again: the store retries);
 * churned's may read zero where the page was replaced meanwhile.
 */
static void *
writer(void *arg)
{
	int me = (int)(long)arg;
	abi_pin(me);
	for (uint64_t seq = 1; !stop; seq++) {
		for (int i = 0; i < PAGES; i++) {
			uint64_t v = (seq << 8) | (uint64_t)(i << 1) | (uint64_t)me;
			volatile uint64_t *k = &kept[i * WORDS + me];
			volatile uint64_t *c = &churned[i * WORDS + me];
			volatile uint64_t *f = &flipped[i * WORDS + me];
			uint64_t before = *k;
			if (seq > 1 && before != (((seq - 1) << 8) |
						  (uint64_t)(i << 1) | (uint64_t)me))
				lost[me]++;
			*k = v;
			*c = v;
			*f = v;
			if (*k != v || *f != v)
				lost[me]++;
			uint64_t got = *c;
			if (got != v && got != 0)
				bad[me]++;
		}
		sched_yield();	/* the main thread shares these CPUs */
	}
	return NULL;
}

/* In a fork's child: each page's words are whole values of their own
 * writer (or zero), never another's. */
static int
child_check(void)
{
	for (int i = 0; i < PAGES; i++)
		for (int w = 0; w < 2; w++) {
			uint64_t v = kept[i * WORDS + w];
			if (v && (v & 0xff) != (uint64_t)((i << 1) | w))
				return 1;
		}
	return 0;
}

/* Lets the writers run a pass or two. */
static void
pause_a_little(void)
{
	for (int i = 0; i < 3; i++)
		sched_yield();
}

static void
test_writers_beside_changes(void)
{
	kept = map(PAGES);
	churned = map(PAGES);
	flipped = map(PAGES);
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_segv;
	sa.sa_flags = SA_NODEFER;
	sigaction(SIGSEGV, &sa, NULL);
	pthread_t t[2];
	for (int i = 0; i < 2; i++)
		pthread_create(&t[i], NULL, writer, (void *)(long)i);
	int forks_ok = 0, forks = 0;
	for (int round = 0; round < 12; round++) {
		/* Replaced in place (MAP_FIXED), then discarded. */
		mmap(churned, PAGES * PAGE, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
		pause_a_little();
		madvise(churned, PAGES * PAGE, MADV_DONTNEED);
		/* Read-only a moment: the writers wait in their handler. */
		__atomic_store_n(&flipped_writable, 0, __ATOMIC_RELEASE);
		mprotect(flipped, PAGES * PAGE, PROT_READ);
		pause_a_little();
		mprotect(flipped, PAGES * PAGE, PROT_READ | PROT_WRITE);
		__atomic_store_n(&flipped_writable, 1, __ATOMIC_RELEASE);
		/* A fork: the writers' next stores copy the pages. */
		if (round % 3 == 0) {
			pid_t c = fork();
			if (c == 0)
				_exit(child_check());
			int status;
			waitpid(c, &status, 0);
			forks++;
			forks_ok += WIFEXITED(status) && WEXITSTATUS(status) == 0;
		}
		/* A page of its own, unmapped and mapped again. */
		uint64_t *tmp = map(1);
		if (tmp) {
			tmp[0] = 1;
			munmap(tmp, PAGE);
		}
	}
	stop = 1;
	for (int i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	signal(SIGSEGV, SIG_DFL);
	CHECK_EQ("stores lost beside mmap, madvise, mprotect, fork",
		 lost[0] + lost[1], 0);
	CHECK_EQ("values neither written nor zero", bad[0] + bad[1], 0);
	CHECK_EQ("forked children that saw whole values", forks_ok, forks);
	munmap(kept, PAGES * PAGE);
	munmap(churned, PAGES * PAGE);
	munmap(flipped, PAGES * PAGE);
}

/* ---- a page unmapped while the other CPU faults on it --------------------- */

static sigjmp_buf unmapped_jump;
static volatile uint64_t *volatile target;

static void
on_unmapped(int sig)
{
	(void)sig;
	siglongjmp(unmapped_jump, 1);
}

static void *
toucher(void *arg)
{
	(void)arg;
	abi_pin(1);
	long faults = 0;
	while (!stop) {
		if (sigsetjmp(unmapped_jump, 1)) {
			faults++;
			continue;
		}
		volatile uint64_t *p = target;
		if (p)
			p[0] = 7;
	}
	return (void *)faults;
}

static void
test_unmap_under_fault(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_unmapped;
	sigaction(SIGSEGV, &sa, NULL);
	stop = 0;
	pthread_t t;
	pthread_create(&t, NULL, toucher, NULL);
	abi_pin(0);
	int ok = 1;
	for (int round = 0; round < ROUNDS; round++) {
		uint64_t *p = map(1);
		for (size_t w = 1; w < WORDS; w++)
			p[w] = 0x5555555555555555ull;
		target = p;
		for (int spin = 0; spin < 1000 && p[0] == 0; spin++)
			sched_yield();
		target = NULL;
		munmap(p, PAGE);
		/* A fresh map reads zeros, whatever the other CPU did (but
		   for word 0, which a late store of the other may reach if
		   it is mapped where p was). */
		uint64_t *q = map(1);
		for (size_t w = 1; w < WORDS; w++)
			if (q[w] != 0)
				ok = 0;
		munmap(q, PAGE);
	}
	stop = 1;
	pthread_join(t, NULL);
	signal(SIGSEGV, SIG_DFL);
	CHECK("fresh pages read zero beside faults on unmapped ones", ok);
}

int
main(void)
{
	abi_init();
	/* Each part has the watchdog's time of its own: a loaded host slows
	   two busy vCPUs down a lot. */
	test_own_and_shared();
	alarm(ABI_WATCHDOG);
	test_writers_beside_changes();
	alarm(ABI_WATCHDOG);
	test_unmap_under_fault();
	return abi_done("fault_smp");
}
