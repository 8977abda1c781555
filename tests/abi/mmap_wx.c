/*
 * Writable and executable mappings, as Linux allows them (LTP's mmap04 and
 * mincore02): mmap and mprotect with PROT_WRITE | PROT_EXEC succeed and
 * /proc/self/maps says "rwx". Code written into such a page runs, and runs
 * as rewritten after each store (Petrel keeps W^X by turns: the page is
 * writable or executable, never both, docs/kernel.md "Memory"), from one
 * thread, from threads on two CPUs in turn, after fork (copy-on-write),
 * and through a shared file mapping. Taking PROT_WRITE away still makes a
 * store fault.
 */
/* abi: smp 2 */
#include "abi.h"

#include <fcntl.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdint.h>
#include <sys/mman.h>

#define PAGE 4096
#define ROUNDS 50

typedef int (*code_fn)(void);

/* Writes at p a function returning value: "mov $value, %eax; ret", or
 * "mov w0, #value; ret" (value below 65536). */
static void
emit(void *p, int value)
{
#if defined(__x86_64__)
	unsigned char *c = p;
	c[0] = 0xb8;
	memcpy(c + 1, &value, 4);
	c[5] = 0xc3;
#elif defined(__aarch64__)
	uint32_t *w = p;
	w[0] = 0x52800000u | ((uint32_t)value << 5);
	w[1] = 0xd65f03c0u;
#else
#error "an architecture this test knows"
#endif
	__builtin___clear_cache((char *)p, (char *)p + 8);
}

static int
run_code(void *p)
{
	return ((code_fn)p)();
}

/* The permission field of /proc/self/maps for the mapping at p. */
static const char *
maps_perms(void *p)
{
	static char perms[8];
	char line[512];
	FILE *f = fopen("/proc/self/maps", "r");
	strcpy(perms, "none");
	if (!f)
		return perms;
	while (fgets(line, sizeof(line), f)) {
		unsigned long start, end;
		char pr[8];
		if (sscanf(line, "%lx-%lx %4s", &start, &end, pr) == 3 &&
		    (unsigned long)p >= start && (unsigned long)p < end) {
			strcpy(perms, pr);
			break;
		}
	}
	fclose(f);
	return perms;
}

static sigjmp_buf fault_jump;
static volatile int fault_signo, fault_code;

static void
on_fault(int sig, siginfo_t *info, void *context)
{
	(void)context;
	fault_signo = sig;
	fault_code = info->si_code;
	siglongjmp(fault_jump, 1);
}

static int
try_write(volatile char *p)
{
	fault_signo = 0;
	if (sigsetjmp(fault_jump, 1) == 0)
		*p = 1;
	return fault_signo;
}

static void
test_anonymous(void)
{
	char *p = mmap(NULL, PAGE, PROT_READ | PROT_WRITE | PROT_EXEC,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK("mmap rwx anonymous", p != MAP_FAILED);
	if (p == MAP_FAILED)
		return;
	CHECK_STR("maps rwx", maps_perms(p), "rwxp");
	int wrong = 0;
	for (int i = 0; i < ROUNDS; i++) {
		emit(p, i);
		wrong += run_code(p) != i;
	}
	CHECK_EQ("rewritten code runs as written", wrong, 0);
	munmap(p, PAGE);

	/* Write and execute only, no PROT_READ (mmap04's "-wx"). */
	p = mmap(NULL, PAGE, PROT_WRITE | PROT_EXEC,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK("mmap wx anonymous", p != MAP_FAILED);
	if (p != MAP_FAILED) {
		CHECK_STR("maps -wx", maps_perms(p), "-wxp");
		emit(p, 5);
		CHECK_EQ("wx code runs", run_code(p), 5);
		munmap(p, PAGE);
	}
}

static void
test_protect(void)
{
	char *p = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK("mmap rw", p != MAP_FAILED);
	if (p == MAP_FAILED)
		return;
	emit(p, 11);
	CHECK_OK("mprotect rw to rwx",
		 mprotect(p, 2 * PAGE, PROT_READ | PROT_WRITE | PROT_EXEC));
	CHECK_STR("maps rwx after mprotect", maps_perms(p), "rwxp");
	CHECK_EQ("code written before mprotect runs", run_code(p), 11);
	emit(p + PAGE, 12);
	CHECK_EQ("code written after mprotect runs", run_code(p + PAGE), 12);
	CHECK_OK("mprotect rwx to rx", mprotect(p, PAGE, PROT_READ | PROT_EXEC));
	CHECK_EQ("rx code runs", run_code(p), 11);
	CHECK_STR("store to rx faults", signal_name(try_write(p)), "SIGSEGV");
	CHECK_EQ("with SEGV_ACCERR", fault_code, SEGV_ACCERR);
	CHECK_OK("mprotect rx to rwx",
		 mprotect(p, PAGE, PROT_READ | PROT_WRITE | PROT_EXEC));
	emit(p, 13);
	CHECK_EQ("rewritten after rx", run_code(p), 13);
	munmap(p, 2 * PAGE);
}

/* Threads on CPU 0 and CPU 1 take turns: one writes the code, the other
 * runs it, then the other way round. */
static char *turn_page;
static pthread_barrier_t barrier;
static int turn_wrong;

static void *
turns(void *arg)
{
	int me = (int)(long)arg;
	abi_pin(me);
	for (int i = 0; i < ROUNDS; i++) {
		if (i % 2 == me)
			emit(turn_page, 100 + i);
		pthread_barrier_wait(&barrier);
		if (i % 2 != me && run_code(turn_page) != 100 + i)
			__atomic_add_fetch(&turn_wrong, 1, __ATOMIC_RELAXED);
		/* The runner also runs the code itself before the next store. */
		pthread_barrier_wait(&barrier);
	}
	return NULL;
}

static void
test_two_cpus(void)
{
	turn_page = mmap(NULL, PAGE, PROT_READ | PROT_WRITE | PROT_EXEC,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK("mmap rwx for two threads", turn_page != MAP_FAILED);
	if (turn_page == MAP_FAILED)
		return;
	pthread_t t[2];
	pthread_barrier_init(&barrier, NULL, 2);
	for (long i = 0; i < 2; i++)
		pthread_create(&t[i], NULL, turns, (void *)i);
	for (int i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	CHECK_EQ("written on one CPU, run on the other", turn_wrong, 0);
	munmap(turn_page, PAGE);
}

static void
test_fork(void)
{
	char *p = mmap(NULL, PAGE, PROT_READ | PROT_WRITE | PROT_EXEC,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK("mmap rwx before fork", p != MAP_FAILED);
	if (p == MAP_FAILED)
		return;
	emit(p, 21);
	CHECK_EQ("runs before fork", run_code(p), 21);
	pid_t pid = fork();
	if (pid == 0) {
		emit(p, 22);
		_exit(run_code(p));
	}
	CHECK_STR("child runs its own copy", status_str(abi_wait(pid)),
		  "exited 22");
	CHECK_EQ("parent's code unchanged", run_code(p), 21);
	emit(p, 23);
	CHECK_EQ("parent rewrites after fork", run_code(p), 23);
	munmap(p, PAGE);
}

static void
test_shared_file(void)
{
	char path[64];
	abi_tmpname(path, sizeof(path), "mmapwx");
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0700);
	CHECK("open file", fd >= 0);
	if (fd < 0)
		return;
	CHECK_OK("ftruncate", ftruncate(fd, PAGE));
	char *p = mmap(NULL, PAGE, PROT_READ | PROT_WRITE | PROT_EXEC,
		       MAP_SHARED, fd, 0);
	CHECK("mmap rwx shared file (mincore02)", p != MAP_FAILED);
	if (p != MAP_FAILED) {
		CHECK_STR("maps rwxs", maps_perms(p), "rwxs");
		emit(p, 31);
		CHECK_EQ("shared file code runs", run_code(p), 31);
		emit(p, 32);
		CHECK_EQ("rewritten shared file code runs", run_code(p), 32);
		char code[8] = { 0 };
		pread(fd, code, sizeof(code), 0);
		CHECK("store reaches the file", !memcmp(code, p, sizeof(code)));
		munmap(p, PAGE);
	}
	int ro = open(path, O_RDONLY);
	CHECK_ERR("shared rwx of a read-only fd",
		  mmap(NULL, PAGE, PROT_READ | PROT_WRITE | PROT_EXEC,
		       MAP_SHARED, ro, 0) == MAP_FAILED ? -1 : 0, EACCES);
	close(ro);
	close(fd);
	unlink(path);
}

int
main(void)
{
	struct sigaction sa;

	abi_init();
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_fault;
	sa.sa_flags = SA_SIGINFO | SA_NODEFER;
	sigaction(SIGSEGV, &sa, NULL);
	test_anonymous();
	test_protect();
	test_two_cpus();
	test_fork();
	test_shared_file();
	return abi_done("mmap_wx");
}
