/*
 * Guest program for system/dynamic: built as a dynamic program twice, for
 * glibc (ld-linux-x86-64.so.2) and for musl (ld-musl-x86_64.so.1), so that
 * execve must load its interpreter. It prints what the loader and the
 * kernel laid out, as lines the test compares exactly.
 *   dynprobe              the auxiliary vector, brk, TLS, /proc/self/exe
 *   dynprobe exec PATH    execv(PATH) and print the errno it failed with
 *   dynprobe xattr PATH   what getxattr, listxattr and setxattr answer
 *   dynprobe maps         its own /proc/self/maps
 */
#include <elf.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/xattr.h>
#include <unistd.h>

extern char _start[], _end[];
extern const Elf64_Ehdr __ehdr_start;

static __thread int tls_value = 7;

static void
check(const char *what, int ok)
{
	printf("%s: %s\n", what, ok ? "yes" : "no");
}

static void *
thread_main(void *arg)
{
	tls_value = 9;
	return arg;
}

static void
show_auxv(const char *argv0)
{
	unsigned long base = getauxval(AT_BASE);
	unsigned long end = (unsigned long)_end;
	unsigned long brk = (unsigned long)sbrk(0);
	unsigned long phdr = (unsigned long)&__ehdr_start + __ehdr_start.e_phoff;
	const char *execfn = (const char *)getauxval(AT_EXECFN);

	check("interpreter mapped (AT_BASE)", base != 0);
	check("interpreter above the program", base > end);
	check("AT_ENTRY is the program's _start",
	      getauxval(AT_ENTRY) == (unsigned long)_start);
	check("AT_PHDR is the program's headers", getauxval(AT_PHDR) == phdr);
	check("AT_PHNUM and AT_PHENT",
	      getauxval(AT_PHNUM) == __ehdr_start.e_phnum &&
	      getauxval(AT_PHENT) == sizeof(Elf64_Phdr));
	check("AT_PAGESZ 4096", getauxval(AT_PAGESZ) == 4096);
	check("AT_CLKTCK 100", getauxval(AT_CLKTCK) == 100);
	check("AT_RANDOM given", getauxval(AT_RANDOM) != 0);
	check("AT_SECURE 0", getauxval(AT_SECURE) == 0);
	check("AT_EXECFN is argv[0]", execfn && strcmp(execfn, argv0) == 0);
	check("brk after the program, below the interpreter",
	      brk >= end && brk < base);
}

static void
show_runtime(void)
{
	char exe[256];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	char *p = malloc(1 << 20), *q = malloc(100);
	pthread_t t;
	static int token;
	void *ret = NULL;

	check("malloc", p && q);
	free(p);
	free(q);
	check("TLS initial value", tls_value == 7);
	check("thread with its own TLS",
	      pthread_create(&t, NULL, thread_main, &token) == 0 &&
	      pthread_join(t, &ret) == 0 && ret == &token && tls_value == 7);
	exe[n > 0 ? n : 0] = 0;
	printf("exe: %s\n", exe);
}

/* The result and errno of one call, "name: N errno E". */
static void
show_result(const char *name, long r)
{
	printf("%s: %ld errno %d\n", name, r, r < 0 ? errno : 0);
}

static void
show_xattr(const char *path)
{
	char buf[64];
	show_result("getxattr", getxattr(path, "user.x", buf, sizeof(buf)));
	show_result("lgetxattr", lgetxattr(path, "user.x", buf, sizeof(buf)));
	show_result("listxattr", listxattr(path, buf, sizeof(buf)));
	show_result("setxattr", setxattr(path, "user.x", "1", 1, 0));
	show_result("removexattr", removexattr(path, "user.x"));
}

int
main(int argc, char **argv)
{
	if (argc == 3 && strcmp(argv[1], "xattr") == 0) {
		show_xattr(argv[2]);
		return 0;
	}
	if (argc == 2 && strcmp(argv[1], "maps") == 0) {
		FILE *f = fopen("/proc/self/maps", "r");
		int c;
		while (f && (c = getc(f)) != EOF)
			putchar(c);
		return f ? 0 : 1;
	}
	if (argc == 3 && strcmp(argv[1], "exec") == 0) {
		execv(argv[2], argv + 2);
		printf("exec %s: errno %d\n", argv[2], errno);
		return 1;
	}
	show_auxv(argv[0]);
	show_runtime();
	return 0;
}
