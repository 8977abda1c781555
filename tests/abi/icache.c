/*
 * Code the program never cleans the caches for (no __builtin___clear_cache):
 * the kernel must make it visible to instruction fetch on AArch64, where
 * the instruction cache need not see data writes (docs/kernel.md "Memory",
 * AArch64). Code written into a file with write() and mapped executable,
 * rewritten in place and mapped again; a program copied with write() and
 * exec'd; code stored through a writable mapping and mprotect'ed to
 * PROT_EXEC, twice; W^X by turns in a PROT_WRITE | PROT_EXEC page; and a
 * fork's copy-on-write copy of such a page rewritten by the child.
 * Under QEMU's TCG, whose instruction fetch sees every store, this only
 * runs each path: a missing sync shows on hardware (KVM) alone.
 */
#include "abi.h"

#include <fcntl.h>
#include <stdint.h>
#include <sys/mman.h>

#define PAGE 4096

typedef int (*code_fn)(void);

/* Writes at p "mov $value, %eax; ret" or "mov w0, #value; ret", and
 * leaves the caches alone. */
static void
emit(void *p, int value)
{
#if defined(__x86_64__)
	unsigned char *c = p;
	c[0] = 0xb8;
	memcpy(c + 1, &value, 4);
	c[5] = 0xc3;
#elif defined(__aarch64__)
	uint32_t w[2] = { 0x52800000u | ((uint32_t)value << 5), 0xd65f03c0u };
	memcpy(p, w, sizeof(w));
#else
#error "an architecture this test knows"
#endif
}

static int
run_code(const void *p)
{
	return ((code_fn)p)();
}

/* The value code written with write() at offset 0 of fd returns, run from
 * a fresh private executable mapping; -1 if it cannot be mapped. */
static int
run_file(int fd)
{
	void *p = mmap(NULL, PAGE, PROT_READ | PROT_EXEC, MAP_PRIVATE, fd, 0);
	if (p == MAP_FAILED)
		return -1;
	int v = run_code(p);
	munmap(p, PAGE);
	return v;
}

static void
test_file(void)
{
	char path[64], page[PAGE];
	abi_tmpname(path, sizeof(path), "icache");
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0700);
	CHECK("open file", fd >= 0);
	if (fd < 0)
		return;
	memset(page, 0, sizeof(page));
	emit(page, 41);
	CHECK_EQ("write page", write(fd, page, PAGE), PAGE);
	CHECK_EQ("written code runs", run_file(fd), 41);
	for (int i = 0; i < 3; i++) {
		emit(page, 42 + i);
		pwrite(fd, page, 16, 0);
		CHECK_EQ("code rewritten in place runs", run_file(fd), 42 + i);
	}
	close(fd);
	unlink(path);
}

/* /proc/self/exe copied with read() and write() into a new file, run with
 * the argument "child": the file's pages the kernel filled, exec'd. */
static void
test_exec_copy(void)
{
	char path[64], buf[PAGE];
	abi_tmpname(path, sizeof(path), "icache-exe");
	int in = open("/proc/self/exe", O_RDONLY);
	int out = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0700);
	CHECK("open copies", in >= 0 && out >= 0);
	ssize_t n;
	while (in >= 0 && out >= 0 && (n = read(in, buf, sizeof(buf))) > 0)
		write(out, buf, n);
	close(in);
	close(out);
	pid_t pid = fork();
	if (pid == 0) {
		execl(path, path, "child", (char *)NULL);
		_exit(99);
	}
	CHECK_STR("copied program runs", status_str(abi_wait(pid)),
		  "exited 7");
	unlink(path);
}

static void
test_mprotect(void)
{
	char *p = mmap(NULL, PAGE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK("mmap rw", p != MAP_FAILED);
	if (p == MAP_FAILED)
		return;
	for (int i = 0; i < 3; i++) {
		emit(p, 51 + i);
		CHECK_OK("mprotect rx", mprotect(p, PAGE, PROT_READ | PROT_EXEC));
		CHECK_EQ("code made executable runs", run_code(p), 51 + i);
		CHECK_OK("mprotect rw", mprotect(p, PAGE, PROT_READ | PROT_WRITE));
	}
	munmap(p, PAGE);
}

static void
test_turns_and_fork(void)
{
	char *p = mmap(NULL, PAGE, PROT_READ | PROT_WRITE | PROT_EXEC,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK("mmap rwx", p != MAP_FAILED);
	if (p == MAP_FAILED)
		return;
	int wrong = 0;
	for (int i = 0; i < 20; i++) {
		emit(p, 60 + i);
		wrong += run_code(p) != 60 + i;
	}
	CHECK_EQ("code rewritten by turns runs as written", wrong, 0);
	pid_t pid = fork();
	if (pid == 0) {
		emit(p, 81);
		_exit(run_code(p));
	}
	CHECK_STR("child runs its copy", status_str(abi_wait(pid)),
		  "exited 81");
	CHECK_EQ("parent runs its own", run_code(p), 79);
	munmap(p, PAGE);
}

int
main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "child"))
		return 7;
	abi_init();
	test_file();
	test_exec_copy();
	test_mprotect();
	test_turns_and_fork();
	return abi_done("icache");
}
