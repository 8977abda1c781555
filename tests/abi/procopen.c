/*
 * Each open /proc file has its own text, as Linux's seq_file: two opens
 * of one file (the second through /proc/self/fd/N, so of the same inode),
 * made while it says different things, each read what was there for them
 * (the longer and the shorter), whichever is read first;
 * st_size of a /proc file is 0 and a read reads the whole text anyway.
 * The state changes back before the first open's read, so Linux's text
 * (made at the first read) and one made at open agree.
 */
#include "abi.h"

#include <sys/prctl.h>

static const char *
read_all(int fd)
{
	static char buf[2][128];
	static int which;
	char *b = buf[which++ & 1];
	long n = 0, r;
	while ((r = read(fd, b + n, sizeof(buf[0]) - 1 - n)) > 0)
		n += r;
	b[n] = 0;
	return b;
}

/* The first open sees comm `first`, the second (of the same inode)
 * `second`; the second is read at once, the first after comm is `first`
 * again. */
static void
two_opens(const char *first, const char *second, const char *want_first,
	  const char *want_second)
{
	struct stat st;
	prctl(PR_SET_NAME, first);
	int a = open("/proc/self/comm", O_RDONLY);
	char path[64];
	snprintf(path, sizeof(path), "/proc/self/fd/%d", a);
	prctl(PR_SET_NAME, second);
	int b = open(path, O_RDONLY);
	CHECK_STR("second open", read_all(b), want_second);
	prctl(PR_SET_NAME, first);
	CHECK_OK("fstat", fstat(a, &st));
	CHECK_EQ("st_size", st.st_size, 0);
	CHECK_STR("first open", read_all(a), want_first);
	close(a);
	close(b);
}

int
main(void)
{
	abi_init();
	two_opens("s", "a-longer-name", "s\n", "a-longer-name\n");
	two_opens("a-longer-name", "s", "a-longer-name\n", "s\n");
	struct stat st;
	CHECK_OK("stat /proc/self/status", stat("/proc/self/status", &st));
	CHECK_EQ("its st_size", st.st_size, 0);
	int fd = open("/proc/self/status", O_RDONLY);
	CHECK("status read whole", !strncmp(read_all(fd), "Name:\ta-longer-name\n", 20));
	close(fd);
	return abi_done("procopen");
}
