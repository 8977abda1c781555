/*
 * /proc/self/auxv: the auxiliary vector exec gave, as getauxval sees it
 * (debuggers read it to find a PIE program's load address): AT_PAGESZ,
 * AT_ENTRY and AT_PHDR agree, it ends with AT_NULL, and a forked child
 * reads the same.
 */
#include "abi.h"

#include <sys/auxv.h>

static int
read_auxv(unsigned long *v, size_t max)
{
	int fd = open("/proc/self/auxv", O_RDONLY);
	if (fd < 0)
		return -1;
	ssize_t n = read(fd, v, max * sizeof(*v));
	close(fd);
	return (int)n;
}

static unsigned long
lookup(const unsigned long *v, int n, unsigned long type)
{
	for (int i = 0; i + 1 < n; i += 2)
		if (v[i] == type)
			return v[i + 1];
	return ~0ul;
}

int
main(void)
{
	abi_init();
	unsigned long v[128];
	int n = read_auxv(v, 128);
	CHECK("read", n > 0 && n % 16 == 0);
	n /= 8;
	CHECK("ends with AT_NULL", n >= 2 && v[n - 2] == AT_NULL);
	CHECK_EQ("AT_PAGESZ", lookup(v, n, AT_PAGESZ), 4096);
	CHECK("AT_ENTRY", lookup(v, n, AT_ENTRY) == getauxval(AT_ENTRY));
	CHECK("AT_PHDR", lookup(v, n, AT_PHDR) == getauxval(AT_PHDR));
	pid_t pid = fork();
	if (pid == 0) {
		unsigned long w[128];
		int m = read_auxv(w, 128);
		_exit(m == n * 8 && !memcmp(v, w, m) ? 0 : 1);
	}
	int status;
	waitpid(pid, &status, 0);
	CHECK_STR("child's is the same", status_str(status), "exited 0");
	return abi_done("auxv");
}
