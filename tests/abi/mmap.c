/*
 * Memory: anonymous private mmap (zero-filled, demand paged), munmap then
 * access (SIGSEGV with SEGV_MAPERR), mprotect to read-only then a write
 * (SIGSEGV with SEGV_ACCERR, caught with sigsetjmp/siglongjmp), PROT_NONE,
 * mremap growing and moving, MAP_FIXED over an existing mapping,
 * MAP_FIXED_NOREPLACE, madvise(MADV_DONTNEED), brk, file mappings
 * (private and shared), MAP_SHARED anonymous memory across fork, fork
 * copy-on-write isolation, and argument errors.
 */
#include "abi.h"

#include <fcntl.h>
#include <setjmp.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/syscall.h>

#define PAGE 4096

static sigjmp_buf fault_jump;
static volatile int fault_signo, fault_code;
static void *volatile fault_addr;

static void
on_fault(int sig, siginfo_t *info, void *context)
{
	(void)context;
	fault_signo = sig;
	fault_code = info->si_code;
	fault_addr = info->si_addr;
	siglongjmp(fault_jump, 1);
}

/* Write one byte at p; returns the signal it raised, or 0. */
static int
try_write(volatile char *p)
{
	fault_signo = 0;
	fault_addr = NULL;
	if (sigsetjmp(fault_jump, 1) == 0)
		*p = 1;
	return fault_signo;
}

static int
try_read(volatile char *p)
{
	fault_signo = 0;
	fault_addr = NULL;
	if (sigsetjmp(fault_jump, 1) == 0)
		(void)*p;
	return fault_signo;
}

static const char *
segv_code(void)
{
	return fault_code == SEGV_MAPERR ? "SEGV_MAPERR" :
	    fault_code == SEGV_ACCERR ? "SEGV_ACCERR" : "other";
}

static void
test_anonymous(void)
{
	size_t len = 64 * PAGE;
	unsigned char *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	CHECK("mmap anonymous", p != MAP_FAILED);
	CHECK_EQ("mmap page aligned", (uintptr_t)p % PAGE, 0);
	size_t nonzero = 0;
	for (size_t i = 0; i < len; i++)
		nonzero += p[i] != 0;
	CHECK_EQ("zero filled", nonzero, 0);
	for (size_t i = 0; i < len; i += PAGE)
		p[i] = (unsigned char)(i / PAGE + 1);
	int kept = 1;
	for (size_t i = 0; i < len; i += PAGE)
		kept &= p[i] == (unsigned char)(i / PAGE + 1);
	CHECK_EQ("writes kept per page", kept, 1);

	/* Unmap the middle; the pages around it stay. */
	CHECK_EQ("munmap middle", munmap(p + 8 * PAGE, 4 * PAGE), 0);
	CHECK_STR("read unmapped", signal_name(try_read((char *)p + 9 * PAGE)),
	    "SIGSEGV");
	CHECK_STR("unmapped si_code", segv_code(), "SEGV_MAPERR");
	CHECK_EQ("si_addr is the address",
	    fault_addr == (void *)(p + 9 * PAGE), 1);
	CHECK_EQ("page before hole intact", p[7 * PAGE], 8);
	CHECK_EQ("page after hole intact", p[12 * PAGE], 13);
	CHECK_EQ("munmap rest", munmap(p, len), 0);
	CHECK_EQ("munmap unmapped range again", munmap(p, len), 0);
}

static void
test_protect(void)
{
	char *p = mmap(NULL, 4 * PAGE, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	memset(p, 'x', 4 * PAGE);
	CHECK_EQ("mprotect read-only", mprotect(p + PAGE, PAGE, PROT_READ), 0);
	CHECK_STR("write to read-only page",
	    signal_name(try_write(p + PAGE + 10)), "SIGSEGV");
	CHECK_STR("read-only si_code", segv_code(), "SEGV_ACCERR");
	CHECK_EQ("si_addr is the address", fault_addr == p + PAGE + 10, 1);
	CHECK_EQ("read of read-only page", try_read(p + PAGE), 0);
	CHECK_EQ("content kept", p[PAGE + 10], 'x');
	CHECK_EQ("neighbour still writable", try_write(p + 2 * PAGE), 0);
	CHECK_EQ("mprotect back to read-write", mprotect(p + PAGE, PAGE,
	    PROT_READ | PROT_WRITE), 0);
	CHECK_EQ("write after restore", try_write(p + PAGE + 10), 0);

	mprotect(p, PAGE, PROT_NONE);
	CHECK_STR("read of PROT_NONE page", signal_name(try_read(p)),
	    "SIGSEGV");
	CHECK_STR("PROT_NONE si_code", segv_code(), "SEGV_ACCERR");
	/* Raw: musl's mprotect() rounds the start down to a page. */
	CHECK_ERR("mprotect unaligned", syscall(SYS_mprotect, p + 1, PAGE,
	    PROT_READ), EINVAL);
	CHECK_ERR("mprotect unmapped", mprotect((void *)PAGE, PAGE, PROT_READ),
	    ENOMEM);
	munmap(p, 4 * PAGE);

	/* A PROT_NONE reservation made usable piece by piece. */
	p = mmap(NULL, 16 * PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1,
	    0);
	CHECK("mmap PROT_NONE", p != MAP_FAILED);
	CHECK_STR("touch reservation", signal_name(try_write(p + 3 * PAGE)),
	    "SIGSEGV");
	mprotect(p + 3 * PAGE, PAGE, PROT_READ | PROT_WRITE);
	CHECK_EQ("touch after mprotect", try_write(p + 3 * PAGE), 0);
	munmap(p, 16 * PAGE);
}

static void
test_remap_fixed(void)
{
	char *p = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	memset(p, 'a', 2 * PAGE);
	char *q = mremap(p, 2 * PAGE, 64 * PAGE, MREMAP_MAYMOVE);
	CHECK("mremap grow", q != MAP_FAILED);
	int same = 1, zero = 1;
	for (int i = 0; i < 2 * PAGE; i++)
		same &= q[i] == 'a';
	for (int i = 2 * PAGE; i < 64 * PAGE; i++)
		zero &= q[i] == 0;
	CHECK_EQ("mremap keeps contents", same, 1);
	CHECK_EQ("mremap new part zero", zero, 1);
	q[63 * PAGE] = 'z';
	char *r = mremap(q, 64 * PAGE, PAGE, 0);
	CHECK_EQ("mremap shrink in place", r == q, 1);
	CHECK_STR("access past shrunk end",
	    signal_name(try_read(q + 63 * PAGE)), "SIGSEGV");
	munmap(r, PAGE);

	/* MAP_FIXED replaces part of an existing mapping. */
	p = mmap(NULL, 8 * PAGE, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	memset(p, 'b', 8 * PAGE);
	q = mmap(p + 2 * PAGE, 2 * PAGE, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	CHECK_EQ("MAP_FIXED at the address", q == p + 2 * PAGE, 1);
	CHECK_EQ("MAP_FIXED replaced with zeros", p[2 * PAGE] == 0 &&
	    p[4 * PAGE - 1] == 0, 1);
	CHECK_EQ("MAP_FIXED neighbours kept", p[2 * PAGE - 1] == 'b' &&
	    p[4 * PAGE] == 'b', 1);
	void *n = mmap(p + 5 * PAGE, PAGE, PROT_READ,
	    MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	CHECK_EQ("MAP_FIXED_NOREPLACE over a mapping fails",
	    n == MAP_FAILED && errno == EEXIST, 1);

	/* MADV_DONTNEED drops private anonymous pages: they read as zero. */
	CHECK_EQ("madvise DONTNEED", madvise(p, 8 * PAGE, MADV_DONTNEED), 0);
	CHECK_EQ("pages zero after DONTNEED", p[0] == 0 && p[7 * PAGE] == 0,
	    1);
	munmap(p, 8 * PAGE);

	CHECK_EQ("mmap length 0 fails", mmap(NULL, 0, PROT_READ,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) == MAP_FAILED && errno ==
	    EINVAL, 1);
	CHECK_EQ("mmap without private/shared fails", mmap(NULL, PAGE,
	    PROT_READ, MAP_ANONYMOUS, -1, 0) == MAP_FAILED && errno == EINVAL,
	    1);
	CHECK_EQ("mmap bad fd fails", mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE,
	    12345, 0) == MAP_FAILED && errno == EBADF, 1);
	CHECK_ERR("munmap unaligned", munmap((char *)p + 1, PAGE), EINVAL);
}

/* brk moves the program break; musl's sbrk only reports it. */
static void
test_brk(void)
{
	uintptr_t start = syscall(SYS_brk, 0);
	CHECK("brk(0) reports a break", start != 0);
	CHECK_EQ("sbrk(0) agrees", (uintptr_t)sbrk(0) == start, 1);
	uintptr_t want = start + 64 * PAGE;
	uintptr_t got = syscall(SYS_brk, want);
	CHECK_EQ("brk grows", got == want, 1);
	char *heap = (char *)start;
	int zero = 1;
	for (int i = 0; i < 64 * PAGE; i += 512)
		zero &= heap[i] == 0;
	CHECK_EQ("new heap zero", zero, 1);
	memset(heap, 'h', 64 * PAGE);
	CHECK_EQ("brk shrinks", syscall(SYS_brk, start + PAGE) == (long)(start +
	    PAGE), 1);
	CHECK_STR("access above shrunk break",
	    signal_name(try_read(heap + 32 * PAGE)), "SIGSEGV");
	CHECK_EQ("brk regrows", syscall(SYS_brk, want) == (long)want, 1);
	CHECK_EQ("regrown heap zero", heap[32 * PAGE], 0);
	syscall(SYS_brk, start);
}

static void
test_file_maps(void)
{
	char path[64];
	abi_tmpname(path, sizeof(path), "mmap");
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	char text[2 * PAGE];

	for (int i = 0; i < 2 * PAGE; i++)
		text[i] = 'A' + i % 26;
	write(fd, text, sizeof(text));

	char *priv = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE,
	    fd, 0);
	CHECK("mmap file private", priv != MAP_FAILED);
	CHECK_EQ("private map reads file", memcmp(priv, text, 2 * PAGE), 0);
	priv[0] = '#';
	char c;
	pread(fd, &c, 1, 0);
	CHECK_EQ("private write not in file", c, 'A');

	char *shared = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED,
	    fd, PAGE);
	CHECK("mmap file shared at offset", shared != MAP_FAILED);
	CHECK_EQ("offset map content", shared[0], text[PAGE]);
	shared[1] = '!';
	CHECK_EQ("msync", msync(shared, PAGE, MS_SYNC), 0);
	pread(fd, &c, 1, PAGE + 1);
	CHECK_EQ("shared write reaches file", c, '!');
	pwrite(fd, "?", 1, PAGE + 2);
	CHECK_EQ("file write reaches shared map", shared[2], '?');
	munmap(priv, 2 * PAGE);
	munmap(shared, PAGE);

	int ro = open(path, O_RDONLY);
	CHECK_EQ("shared writable map of read-only fd fails", mmap(NULL, PAGE,
	    PROT_READ | PROT_WRITE, MAP_SHARED, ro, 0) == MAP_FAILED &&
	    errno == EACCES, 1);
	close(ro);
	close(fd);
	unlink(path);
}

static void
test_fork_memory(void)
{
	static int global = 10;
	int *heap = malloc(sizeof(int));
	*heap = 20;
	int *shared = mmap(NULL, PAGE, PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	char *priv = mmap(NULL, PAGE, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	shared[0] = 30;
	priv[0] = 40;

	pid_t pid = abi_fork();
	if (pid == 0) {
		int ok = global == 10 && *heap == 20 && shared[0] == 30 &&
		    priv[0] == 40;
		global = 11;
		*heap = 21;
		shared[0] = 31;
		priv[0] = 41;
		_exit(ok ? 0 : 1);
	}
	CHECK_STR("child saw parent's values", status_str(abi_wait(pid)),
	    "exited 0");
	CHECK_EQ("global isolated", global, 10);
	CHECK_EQ("heap isolated", *heap, 20);
	CHECK_EQ("private map isolated", priv[0], 40);
	CHECK_EQ("shared map shared", shared[0], 31);

	/* The parent writes after fork; the child keeps its snapshot. */
	int p[2];
	pipe(p);
	pid = abi_fork();
	if (pid == 0) {
		char c;
		read(p[0], &c, 1);
		_exit(global == 10 && priv[0] == 40 ? 0 : 1);
	}
	global = 12;
	priv[0] = 42;
	write(p[1], "g", 1);
	CHECK_STR("child unaffected by parent's writes",
	    status_str(abi_wait(pid)), "exited 0");
	close(p[0]);
	close(p[1]);
	free(heap);
	munmap(shared, PAGE);
	munmap(priv, PAGE);
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
	test_brk();
	test_anonymous();
	test_protect();
	test_remap_fixed();
	test_file_maps();
	test_fork_memory();
	return abi_done("mmap");
}
