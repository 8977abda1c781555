/*
 * POSIX shared memory (shm_open: files in the tmpfs on /dev/shm) mapped
 * MAP_SHARED: one set of pages for every mapper, across fork and across
 * separate opens in another process; stores through a mapping seen by
 * read() and write()s seen by the mapping, holes that ftruncate made
 * included; a truncate that shrinks a mapped file makes the pages past
 * the end SIGBUS and the rest of the last page read zero; a semaphore
 * (sem_open) in such memory wakes another process; /dev/shm is a tmpfs.
 */
#include "abi.h"

#include <semaphore.h>
#include <setjmp.h>
#include <sys/mman.h>
#include <sys/statfs.h>

#define PAGE 4096
#define TMPFS_MAGIC 0x01021994

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

/* Reads one byte at p; returns the signal it raised, or 0. */
static int
try_read(volatile char *p)
{
	fault_signo = 0;
	if (sigsetjmp(fault_jump, 1) == 0)
		(void)*p;
	return fault_signo;
}

static int
try_write(volatile char *p)
{
	fault_signo = 0;
	if (sigsetjmp(fault_jump, 1) == 0)
		*p = 'w';
	return fault_signo;
}

static char shm_name[64];

/* A fresh shared memory object of size bytes, open read-write. */
static int
shm_fresh(const char *tag, off_t size)
{
	snprintf(shm_name, sizeof(shm_name), "/abi-%s-%d", tag, (int)getpid());
	int fd = shm_open(shm_name, O_RDWR | O_CREAT | O_EXCL, 0600);
	if (fd >= 0 && ftruncate(fd, size) < 0)
		printf("ftruncate: %s\n", errno_name(errno));
	return fd;
}

static void
test_dev_shm(void)
{
	struct statfs sf;
	struct stat st;

	CHECK_EQ("/dev/shm is a tmpfs", statfs("/dev/shm", &sf) == 0 &&
	    sf.f_type == TMPFS_MAGIC, 1);
	CHECK_EQ("/dev/shm is sticky and open to all", stat("/dev/shm", &st) ==
	    0 && (st.st_mode & 07777) == 01777, 1);
	int fd = shm_fresh("dev", 100);
	CHECK("shm_open", fd >= 0);
	char path[96];
	snprintf(path, sizeof(path), "/dev/shm%s", shm_name);
	CHECK_EQ("the object is a file in /dev/shm", stat(path, &st) == 0 &&
	    S_ISREG(st.st_mode) && st.st_size == 100, 1);
	close(fd);
	CHECK_EQ("shm_unlink", shm_unlink(shm_name), 0);
	CHECK_ERR("it is gone", stat(path, &st), ENOENT);
}

/* Parent and child write each other's pages of a mapping made before fork. */
static void
test_fork(void)
{
	int fd = shm_fresh("fork", 4 * PAGE);
	char *p = mmap(NULL, 4 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED,
	    fd, 0);
	CHECK("mmap MAP_SHARED of an ftruncated object", p != MAP_FAILED);
	p[0] = 'P';
	int go[2], done[2];
	pipe(go);
	pipe(done);
	pid_t pid = abi_fork();
	if (pid == 0) {
		char c;
		int ok = p[0] == 'P';
		p[PAGE] = 'C';			/* a hole until now */
		p[3 * PAGE + 7] = 'c';
		write(done[1], "x", 1);
		read(go[0], &c, 1);
		ok &= p[2 * PAGE] == 'Q';	/* written after the fork */
		_exit(ok ? 0 : 1);
	}
	char c;
	read(done[0], &c, 1);
	CHECK_EQ("parent sees the child's store", p[PAGE], 'C');
	CHECK_EQ("in another page too", p[3 * PAGE + 7], 'c');
	p[2 * PAGE] = 'Q';
	write(go[1], "x", 1);
	CHECK_STR("child sees the parent's later store",
	    status_str(abi_wait(pid)), "exited 0");
	char buf[8] = "";
	pread(fd, buf, 1, 3 * PAGE + 7);
	CHECK_EQ("read() sees the child's store", buf[0], 'c');
	munmap(p, 4 * PAGE);
	close(fd);
	close(go[0]);
	close(go[1]);
	close(done[0]);
	close(done[1]);
	shm_unlink(shm_name);
}

/* A child opens and maps the object by its name, on its own. */
static void
test_separate_opens(void)
{
	int fd = shm_fresh("open", 2 * PAGE);
	char *p = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED,
	    fd, 0);
	int done[2];
	pipe(done);
	pid_t pid = abi_fork();
	if (pid == 0) {
		munmap(p, 2 * PAGE);
		close(fd);
		int own = shm_open(shm_name, O_RDWR, 0);
		char *q = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE,
		    MAP_SHARED, own, 0);
		if (q == MAP_FAILED)
			_exit(2);
		strcpy(q + PAGE + 100, "from the child's own open");
		write(done[1], "x", 1);
		_exit(0);
	}
	char c;
	read(done[0], &c, 1);
	CHECK_STR("a store through another open's mapping is seen",
	    p + PAGE + 100, "from the child's own open");
	CHECK_STR("the child", status_str(abi_wait(pid)), "exited 0");

	/* Two opens and two mappings in one process. */
	int fd2 = shm_open(shm_name, O_RDWR, 0);
	char *q = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED,
	    fd2, 0);
	CHECK("a second mapping at another address", q != MAP_FAILED &&
	    q != p);
	q[5] = 'z';
	CHECK_EQ("the first sees the second's store", p[5], 'z');
	munmap(q, 2 * PAGE);
	close(fd2);
	/* The object outlives its name while mapped. */
	shm_unlink(shm_name);
	p[6] = 'y';
	CHECK_EQ("an unlinked object's mapping still works", p[5] == 'z' &&
	    p[6] == 'y', 1);
	munmap(p, 2 * PAGE);
	close(fd);
	close(done[0]);
	close(done[1]);
}

/* Stores through the mapping and read()/write() on the file agree. */
static void
test_read_write(void)
{
	int fd = shm_fresh("rw", 3 * PAGE);
	char *p = mmap(NULL, 3 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED,
	    fd, 0);
	char buf[32] = "";

	memcpy(p + PAGE - 3, "across", 6);
	CHECK_EQ("pread sees a store across a page boundary",
	    pread(fd, buf, 6, PAGE - 3) == 6 && memcmp(buf, "across", 6) == 0,
	    1);
	CHECK_EQ("pwrite into a hole", pwrite(fd, "hole", 4, 2 * PAGE + 10), 4);
	CHECK_EQ("the mapping sees it", memcmp(p + 2 * PAGE + 10, "hole", 4),
	    0);
	lseek(fd, 20, SEEK_SET);
	write(fd, "written", 7);
	CHECK_EQ("and a write() at the file offset", memcmp(p + 20, "written",
	    7), 0);
	/* A read mapping made after the store sees it too. */
	char *r = mmap(NULL, PAGE, PROT_READ, MAP_SHARED, fd, 2 * PAGE);
	CHECK_EQ("a later read-only mapping at an offset",
	    memcmp(r + 10, "hole", 4), 0);
	CHECK_EQ("msync", msync(p, 3 * PAGE, MS_SYNC), 0);
	/* Growing the file by write() past the end: the mapping's page. */
	CHECK_EQ("ftruncate grows", ftruncate(fd, 4 * PAGE), 0);
	char *g = mmap(NULL, 4 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED,
	    fd, 0);
	g[3 * PAGE + 1] = 'g';
	CHECK_EQ("a store in the grown part reaches the file",
	    pread(fd, buf, 1, 3 * PAGE + 1) == 1 && buf[0] == 'g', 1);
	munmap(g, 4 * PAGE);
	munmap(r, PAGE);
	munmap(p, 3 * PAGE);
	close(fd);
	shm_unlink(shm_name);
}

/* Truncation under a mapping: SIGBUS past the end, zeros to the page end. */
static void
test_truncate(void)
{
	int fd = shm_fresh("trunc", 4 * PAGE);
	char *p = mmap(NULL, 4 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED,
	    fd, 0);
	memset(p, 'x', 4 * PAGE);
	int ro = shm_open(shm_name, O_RDONLY, 0);
	char *q = mmap(NULL, 4 * PAGE, PROT_READ, MAP_SHARED, ro, 0);
	CHECK_EQ("a read-only mapping sees the data", q[3 * PAGE], 'x');
	CHECK_ERR("it cannot be made writable", mprotect(q, PAGE, PROT_READ |
	    PROT_WRITE), EACCES);

	CHECK_EQ("ftruncate to a page and a half", ftruncate(fd, PAGE +
	    PAGE / 2), 0);
	CHECK_STR("a page past the end", signal_name(try_read(p + 2 * PAGE)),
	    "SIGBUS");
	CHECK_EQ("si_code", fault_code, BUS_ADRERR);
	CHECK_STR("the last page, faulted in before",
	    signal_name(try_read(p + 3 * PAGE + 5)), "SIGBUS");
	CHECK_STR("a store there", signal_name(try_write(p + 3 * PAGE)),
	    "SIGBUS");
	CHECK_STR("through the other mapping too",
	    signal_name(try_read(q + 2 * PAGE)), "SIGBUS");
	CHECK_EQ("the partial page is kept before the end", p[PAGE + PAGE / 2
	    - 1], 'x');
	CHECK_EQ("and reads zero after it", p[PAGE + PAGE / 2], 0);
	CHECK_EQ("in the other mapping too", q[PAGE + PAGE / 2 + 100], 0);
	CHECK_EQ("the first page is whole", p[0] == 'x' && p[PAGE - 1] == 'x',
	    1);

	CHECK_EQ("ftruncate grows it again", ftruncate(fd, 4 * PAGE), 0);
	CHECK_EQ("the pages past the old end read zero", try_read(p + 3 * PAGE)
	    == 0 && p[3 * PAGE] == 0 && p[2 * PAGE] == 0, 1);
	CHECK_EQ("and take stores", try_write(p + 3 * PAGE) == 0 &&
	    q[3 * PAGE] == 'w', 1);

	pid_t pid = abi_fork();
	if (pid == 0) {
		ftruncate(fd, 0);
		_exit(0);
	}
	abi_wait(pid);
	CHECK_STR("a truncate by another process",
	    signal_name(try_read(p)), "SIGBUS");
	munmap(q, 4 * PAGE);
	munmap(p, 4 * PAGE);
	close(ro);
	close(fd);
	shm_unlink(shm_name);
}

/* A process-shared semaphore in shared memory wakes another process. */
static void
test_semaphore(void)
{
	char name[64];
	snprintf(name, sizeof(name), "/abi-sem-%d", (int)getpid());
	sem_t *s = sem_open(name, O_CREAT | O_EXCL, 0600, 0);
	CHECK("sem_open", s != SEM_FAILED);
	pid_t pid = abi_fork();
	if (pid == 0) {
		sem_t *own = sem_open(name, 0);
		_exit(own != SEM_FAILED && sem_wait(own) == 0 ? 0 : 1);
	}
	usleep(100000);	/* let it sleep in sem_wait */
	CHECK_EQ("sem_post", sem_post(s), 0);
	CHECK_STR("the waiter woke", status_str(abi_wait(pid)), "exited 0");
	sem_close(s);
	sem_unlink(name);
}

int
main(void)
{
	struct sigaction sa;

	abi_init();
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_fault;
	sa.sa_flags = SA_SIGINFO | SA_NODEFER;
	sigaction(SIGBUS, &sa, NULL);
	sigaction(SIGSEGV, &sa, NULL);
	test_dev_shm();
	test_fork();
	test_separate_opens();
	test_read_write();
	test_truncate();
	test_semaphore();
	return abi_done("shm");
}
