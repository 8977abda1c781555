/*
 * memfd_create: an unnamed tmpfs file (its /proc/self/fd link
 * "/memfd:NAME (deleted)", no links, MFD_CLOEXEC), shared between
 * mappings, read()/write() and a forked child; the name's limit and bad
 * flags. Seals: F_GET_SEALS and F_ADD_SEALS with and without
 * MFD_ALLOW_SEALING, F_SEAL_SHRINK, F_SEAL_GROW, F_SEAL_WRITE (refused
 * while a writable shared mapping exists; then no writes, no writable
 * shared mapping, mprotect cannot add PROT_WRITE, private mappings stay
 * writable), F_SEAL_SEAL, a read-only fd, unknown bits, a file that is no
 * memfd.
 */
#include "abi.h"

#include <sys/mman.h>
#include <sys/syscall.h>

#define PAGE 4096

/* The text of /proc/self/fd/FD. */
static const char *
fd_link(int fd)
{
	static char text[512];
	char path[64];
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	ssize_t n = readlink(path, text, sizeof(text) - 1);
	if (n < 0)
		return errno_name(errno);
	text[n] = '\0';
	return text;
}

static void
test_create(void)
{
	int fd = memfd_create("abi-test", MFD_CLOEXEC);
	CHECK("memfd_create", fd >= 0);
	CHECK_STR("its /proc/self/fd link", fd_link(fd),
	    "/memfd:abi-test (deleted)");
	CHECK_EQ("MFD_CLOEXEC sets FD_CLOEXEC", fcntl(fd, F_GETFD),
	    FD_CLOEXEC);
	CHECK_EQ("opened read-write", fcntl(fd, F_GETFL) & O_ACCMODE, O_RDWR);
	struct stat st;
	fstat(fd, &st);
	CHECK_EQ("a regular file", S_ISREG(st.st_mode), 1);
	CHECK_EQ("with no links", st.st_nlink, 0);
	CHECK_EQ("empty", st.st_size, 0);
	close(fd);

	fd = memfd_create("", 0);
	CHECK_STR("an empty name", fd_link(fd), "/memfd: (deleted)");
	CHECK_EQ("no FD_CLOEXEC without MFD_CLOEXEC", fcntl(fd, F_GETFD), 0);
	close(fd);

	char name[300];
	memset(name, 'n', sizeof(name));
	name[249] = '\0';
	fd = memfd_create(name, 0);
	CHECK("a name of 249 bytes", fd >= 0);
	close(fd);
	name[249] = 'n';
	name[250] = '\0';
	CHECK_ERR("a name of 250 bytes", memfd_create(name, 0), EINVAL);
	CHECK_ERR("unknown flags", memfd_create("x", 0x100), EINVAL);
	CHECK_ERR("a name outside memory", syscall(SYS_memfd_create,
	    (char *)8, 0), EFAULT);
}

static void
test_sharing(void)
{
	int fd = memfd_create("share", 0);
	CHECK_EQ("ftruncate", ftruncate(fd, 2 * PAGE), 0);
	char *p = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED,
	    fd, 0);
	CHECK("mmap MAP_SHARED", p != MAP_FAILED);
	strcpy(p + PAGE, "stored");
	char buf[16] = "";
	pread(fd, buf, 6, PAGE);
	CHECK_STR("read() sees a store", buf, "stored");
	pwrite(fd, "written", 7, 10);
	CHECK_STR("the mapping sees a write()", p + 10, "written");
	pid_t pid = abi_fork();
	if (pid == 0) {
		int ok = strcmp(p + PAGE, "stored") == 0;
		strcpy(p + 100, "child");
		_exit(ok ? 0 : 1);
	}
	CHECK_STR("a forked child", status_str(abi_wait(pid)), "exited 0");
	CHECK_STR("its store is seen", p + 100, "child");

	/* A new open through /proc/self/fd is the same file. */
	char path[64];
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	int again = open(path, O_RDWR);
	CHECK("reopened by its /proc/self/fd link", again >= 0);
	char *q = mmap(NULL, PAGE, PROT_READ, MAP_SHARED, again, PAGE);
	CHECK_STR("a mapping of the reopened file", q, "stored");
	munmap(q, PAGE);
	close(again);
	munmap(p, 2 * PAGE);
	close(fd);
}

static void
test_no_sealing(void)
{
	int fd = memfd_create("plain", 0);
	CHECK_EQ("F_GET_SEALS without MFD_ALLOW_SEALING", fcntl(fd,
	    F_GET_SEALS), F_SEAL_SEAL);
	CHECK_ERR("F_ADD_SEALS then", fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE),
	    EPERM);
	close(fd);
	int p[2];
	pipe(p);
	CHECK_ERR("F_GET_SEALS on a pipe", fcntl(p[0], F_GET_SEALS), EINVAL);
	CHECK_ERR("F_ADD_SEALS on a pipe", fcntl(p[1], F_ADD_SEALS,
	    F_SEAL_WRITE), EINVAL);
	close(p[0]);
	close(p[1]);
}

static void
test_size_seals(void)
{
	int fd = memfd_create("sizes", MFD_ALLOW_SEALING);
	CHECK_EQ("F_GET_SEALS with MFD_ALLOW_SEALING", fcntl(fd, F_GET_SEALS),
	    0);
	write(fd, "0123456789", 10);
	CHECK_EQ("F_SEAL_SHRINK", fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK), 0);
	CHECK_ERR("ftruncate smaller", ftruncate(fd, 5), EPERM);
	CHECK_EQ("ftruncate larger", ftruncate(fd, 20), 0);
	CHECK_EQ("F_SEAL_GROW", fcntl(fd, F_ADD_SEALS, F_SEAL_GROW), 0);
	CHECK_EQ("both kept", fcntl(fd, F_GET_SEALS), F_SEAL_SHRINK |
	    F_SEAL_GROW);
	CHECK_ERR("ftruncate larger", ftruncate(fd, 30), EPERM);
	CHECK_EQ("ftruncate to the same size", ftruncate(fd, 20), 0);
	CHECK_ERR("write past the end", pwrite(fd, "x", 1, 20), EPERM);
	CHECK_EQ("write inside", pwrite(fd, "abc", 3, 5), 3);
	char buf[4] = "";
	pread(fd, buf, 3, 5);
	CHECK_STR("it landed", buf, "abc");
	CHECK_ERR("unknown seal bits", fcntl(fd, F_ADD_SEALS, 0x40), EINVAL);
	CHECK_EQ("F_SEAL_SEAL", fcntl(fd, F_ADD_SEALS, F_SEAL_SEAL), 0);
	CHECK_ERR("no seal after it", fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE),
	    EPERM);
	CHECK_EQ("not even one it has", fcntl(fd, F_ADD_SEALS, F_SEAL_GROW) ==
	    -1 && errno == EPERM, 1);
	close(fd);
}

static void
test_write_seal(void)
{
	int fd = memfd_create("writes", MFD_ALLOW_SEALING);
	ftruncate(fd, PAGE);
	char *p = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	strcpy(p, "before");
	CHECK_ERR("F_SEAL_WRITE with a writable shared mapping",
	    fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE), EBUSY);
	munmap(p, PAGE);
	char path[64];
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	int ro = open(path, O_RDONLY);
	CHECK_ERR("F_ADD_SEALS on a read-only fd", fcntl(ro, F_ADD_SEALS,
	    F_SEAL_WRITE), EPERM);
	CHECK_EQ("F_GET_SEALS on it", fcntl(ro, F_GET_SEALS), 0);
	char *priv = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd,
	    0);
	CHECK_EQ("F_SEAL_WRITE once unmapped (a private map is no matter)",
	    fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE), 0);
	CHECK_ERR("write", write(fd, "x", 1), EPERM);
	CHECK_ERR("pwrite", pwrite(fd, "x", 1, 0), EPERM);
	CHECK_ERR("a writable shared mapping", mmap(NULL, PAGE, PROT_READ |
	    PROT_WRITE, MAP_SHARED, fd, 0) == MAP_FAILED ? -1 : 0, EPERM);
	char *r = mmap(NULL, PAGE, PROT_READ, MAP_SHARED, fd, 0);
	CHECK_STR("a read-only shared mapping", r == MAP_FAILED ? "failed" : r,
	    "before");
	CHECK_ERR("mprotect cannot make it writable", mprotect(r, PAGE,
	    PROT_READ | PROT_WRITE), EACCES);
	priv[0] = 'B';
	CHECK_EQ("the private mapping takes stores", priv[0], 'B');
	CHECK_EQ("which stay private", r[0], 'b');
	char *priv2 = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd,
	    0);
	CHECK("a new writable private mapping", priv2 != MAP_FAILED);
	CHECK_EQ("ftruncate is still allowed", ftruncate(fd, 2 * PAGE), 0);
	munmap(priv2, PAGE);
	munmap(priv, PAGE);
	munmap(r, PAGE);
	close(ro);
	close(fd);
}

int
main(void)
{
	abi_init();
	test_create();
	test_sharing();
	test_no_sealing();
	test_size_seals();
	test_write_seal();
	return abi_done("memfd");
}
