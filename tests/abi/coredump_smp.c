/*
 * Core files of busy processes on two CPUs: each round a child starts
 * threads that spin, sleep in futex waits, block on a pipe, sleep in
 * nanosleep, and map and unmap memory; then one of them (a different
 * one each round) or two at once fault. Every core must be whole: one
 * NT_PRSTATUS per thread, and the status must
 * say SIGSEGV with WCOREDUMP. Under Petrel's assert build this runs the
 * dump's stop of the other threads against every kind of sleep.
 */
/* abi: smp 2 */
#include "abi.h"

#include <elf.h>
#define FUTEX_WAIT_PRIVATE 128
#include <pthread.h>
#include <stdatomic.h>
#include <sys/mman.h>
#include <sys/syscall.h>

#define ROUNDS 12
#define WORKERS 6
#define CORE_MAX (64 << 20)

static int pipefd[2];
static atomic_int started;
static int futex_word;
static volatile int crash_at = -1, crash_too = -1;
static volatile int *volatile nowhere;	/* NULL */

__attribute__((noinline)) static void
fault(void)
{
	*nowhere = 1;
}

static void
maybe_crash(int me)
{
	if (me == crash_at || me == crash_too)
		fault();
}

static void *
worker(void *arg)
{
	int me = (int)(long)arg;
	atomic_fetch_add(&started, 1);
	for (;;) {
		char c;
		struct timespec ts = { 0, 200000 };
		switch (me % 5) {
		case 0:		/* spins */
			for (volatile int i = 0; i < 100000; i++)
				;
			break;
		case 1:		/* a futex wait no one ends */
			syscall(SYS_futex, &futex_word, FUTEX_WAIT_PRIVATE, 0,
				&ts, NULL, 0);
			break;
		case 2:		/* a pipe no one writes */
			if (read(pipefd[0], &c, 1) < 0)
				return NULL;
			break;
		case 3:
			nanosleep(&ts, NULL);
			break;
		case 4: {
			char *m = mmap(NULL, 8 * 4096, PROT_READ | PROT_WRITE,
				       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
			if (m != MAP_FAILED) {
				memset(m, me, 8 * 4096);
				munmap(m, 8 * 4096);
			}
			break;
		}
		}
		maybe_crash(me);
	}
	return NULL;
}

static void
child(int round)
{
	struct rlimit rl = { CORE_MAX, RLIM_INFINITY };
	setrlimit(RLIMIT_CORE, &rl);
	if (pipe(pipefd) < 0)
		_exit(2);
	pthread_t t;
	for (long i = 0; i < WORKERS; i++)
		pthread_create(&t, NULL, worker, (void *)i);
	while (atomic_load(&started) < WORKERS)
		sched_yield();
	struct timespec ts = { 0, 2000000 };
	nanosleep(&ts, NULL);
	/* Rounds 0-5: worker `round` faults (the main thread for the pipe
	   reader, which never wakes); 6-10: two at once (one if the other
	   is the reader); 11: main. */
	if (round < WORKERS && round % 5 != 2) {
		crash_at = round;
	} else if (round >= WORKERS && round < ROUNDS - 1) {
		crash_too = round % WORKERS;
		crash_at = (round + 1) % WORKERS;
	} else {
		fault();
	}
	for (;;)
		pause();
}

/* The number of NT_PRSTATUS notes in ./core, -1 if it is not a core. */
static int
core_threads(void)
{
	int fd = open("core", O_RDONLY);
	if (fd < 0)
		return -1;
	struct stat st;
	fstat(fd, &st);
	char *core = mmap(NULL, st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (core == MAP_FAILED)
		return -1;
	int n = -1;
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)core;
	const Elf64_Phdr *ph = (const Elf64_Phdr *)(core + eh->e_phoff);
	if ((size_t)st.st_size > sizeof(*eh) && memcmp(eh->e_ident, ELFMAG, 4) == 0 &&
	    eh->e_type == ET_CORE && ph[0].p_type == PT_NOTE) {
		n = 0;
		size_t off = ph[0].p_offset, end = off + ph[0].p_filesz;
		while (off + 12 <= end && end <= (size_t)st.st_size) {
			const Elf64_Nhdr *nh = (const Elf64_Nhdr *)(core + off);
			if (nh->n_type == NT_PRSTATUS)
				n++;
			off += 12 + ((nh->n_namesz + 3) & ~3u) +
			       ((nh->n_descsz + 3) & ~3u);
		}
	}
	munmap(core, st.st_size);
	return n;
}

int
main(void)
{
	/* abi_init's state but the hard RLIMIT_CORE (tests/abi/coredump.c). */
	setvbuf(stdout, NULL, _IOLBF, 0);
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	umask(022);
	alarm(ABI_WATCHDOG * 4);
	struct rlimit rl;
	getrlimit(RLIMIT_CORE, &rl);
	if (rl.rlim_max < CORE_MAX) {
		printf("abi coredump_smp: skip: RLIMIT_CORE's hard limit is too low\n");
		return 77;
	}
	char dir[64];
	abi_tmpname(dir, sizeof(dir), "coresmp");
	mkdir(dir, 0755);
	if (chdir(dir) < 0)
		return 1;
	int bad_status = 0, bad_core = 0;
	for (int round = 0; round < ROUNDS; round++) {
		fflush(stdout);
		pid_t pid = fork();
		if (pid == 0)
			child(round);
		int status;
		waitpid(pid, &status, 0);
		if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGSEGV ||
		    !WCOREDUMP(status)) {
			printf("round %d: status %#x\n", round, status);
			bad_status++;
		}
		int n = core_threads();
		if (n != WORKERS + 1) {
			printf("round %d: %d threads in the core\n", round, n);
			bad_core++;
		}
		unlink("core");
	}
	CHECK_EQ("rounds with a wrong status", bad_status, 0);
	CHECK_EQ("rounds with a wrong core", bad_core, 0);
	chdir("/");
	rmdir(dir);
	return abi_done("coredump_smp");
}
