/*
 * The calls Petrel runs without the big lock (docs/kernel.md, "Calls
 * without the big lock"): read and pread64 of a tmpfs file, getppid. Runs
 * on 2 vCPUs in Petrel, so that a second thread or process changes what
 * a call reads while it runs: read/pread offsets and EOF, the errors the
 * locked path gives, relatime's atime; a pread racing close and dup2 of
 * its fd; getppid while the parent exits (reparenting); exec, exit and
 * unshare(CLONE_FILES) while another thread spins in preads.
 */
/* abi: smp 2 */
#include "abi.h"

#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>

#define FILE_SIZE 4096
#define ROUNDS 3000

/* Named by pid in main: tests/run may run the host's side of the plain
   and the assert-enabled checks at once. */
static char path_a[64], path_b[64];

/* Writes FILE_SIZE bytes, each (offset / 16 + seed) % 251, to path. */
static int
make_file(const char *path, int seed)
{
	char data[FILE_SIZE];
	for (int i = 0; i < FILE_SIZE; i++)
		data[i] = (char)((i / 16 + seed) % 251);
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || write(fd, data, sizeof(data)) != sizeof(data))
		return -1;
	return fd;
}

/* Whether buf holds n bytes of the file made with seed, from off. */
static int
holds(const char *buf, long n, long off, int seed)
{
	for (long i = 0; i < n; i++)
		if (buf[i] != (char)(((off + i) / 16 + seed) % 251))
			return 0;
	return 1;
}

static void
test_offsets(void)
{
	char buf[512];
	int fd = make_file(path_a, 0);
	CHECK("make file", fd >= 0);
	CHECK_EQ("pread 256 at 0", pread(fd, buf, 256, 0), 256);
	CHECK("pread data", holds(buf, 256, 0, 0));
	CHECK_EQ("pread at 4000", pread(fd, buf, 256, 4000), 96);
	CHECK("pread tail data", holds(buf, 96, 4000, 0));
	CHECK_EQ("pread at EOF", pread(fd, buf, 256, FILE_SIZE), 0);
	CHECK_EQ("pread past EOF", pread(fd, buf, 256, 1 << 20), 0);
	CHECK_EQ("pread count 0", pread(fd, buf, 0, 10), 0);
	CHECK_ERR("pread negative offset", pread(fd, buf, 16, -1), EINVAL);
	CHECK_EQ("offset untouched by pread", lseek(fd, 0, SEEK_CUR), FILE_SIZE);

	lseek(fd, 0, SEEK_SET);
	long total = 0, n;
	int right = 1;
	while ((n = read(fd, buf, 300)) > 0) {
		right &= holds(buf, n, total, 0);
		total += n;
	}
	CHECK_EQ("read to EOF in 300s", total, FILE_SIZE);
	CHECK("read data", right);
	CHECK_EQ("read at EOF", read(fd, buf, 300), 0);
	CHECK_EQ("offset at EOF", lseek(fd, 0, SEEK_CUR), FILE_SIZE);
	lseek(fd, 4090, SEEK_SET);
	CHECK_EQ("short read at the end", read(fd, buf, 300), 6);
	CHECK_EQ("offset moved by 6", lseek(fd, 0, SEEK_CUR), FILE_SIZE);
	lseek(fd, 1 << 20, SEEK_SET);
	CHECK_EQ("read past EOF", read(fd, buf, 300), 0);
	CHECK_EQ("offset kept past EOF", lseek(fd, 0, SEEK_CUR), 1 << 20);

	/* A file grown by a hole reads zeros there. */
	CHECK_OK("ftruncate up", ftruncate(fd, 3 * FILE_SIZE));
	memset(buf, 1, sizeof(buf));
	CHECK_EQ("pread in the hole", pread(fd, buf, 512, 2 * FILE_SIZE), 512);
	int zeros = 1;
	for (int i = 0; i < 512; i++)
		zeros &= buf[i] == 0;
	CHECK("hole reads zeros", zeros);
	CHECK_OK("ftruncate down", ftruncate(fd, 100));
	CHECK_EQ("pread after shrink", pread(fd, buf, 256, 0), 100);
	CHECK_EQ("pread past the new end", pread(fd, buf, 256, 200), 0);

	lseek(fd, 0, SEEK_SET);
	CHECK_ERR("read to a bad buffer", read(fd, (void *)8, 16), EFAULT);
	CHECK_ERR("pread to a bad buffer", pread(fd, (void *)8, 16, 0), EFAULT);
	close(fd);

	fd = open(path_a, O_WRONLY);
	CHECK_ERR("read of O_WRONLY", read(fd, buf, 16), EBADF);
	CHECK_ERR("pread of O_WRONLY", pread(fd, buf, 16, 0), EBADF);
	close(fd);
	CHECK_ERR("read of a closed fd", read(fd, buf, 16), EBADF);
	CHECK_ERR("pread of a closed fd", pread(fd, buf, 16, 0), EBADF);
	fd = open("/tmp", O_RDONLY | O_DIRECTORY);
	CHECK_ERR("read of a directory", read(fd, buf, 16), EISDIR);
	close(fd);
	int p[2];
	CHECK_OK("pipe", pipe(p));
	CHECK_EQ("write the pipe", write(p[1], "abc", 3), 3);
	CHECK_ERR("pread of a pipe", pread(p[0], buf, 3, 0), ESPIPE);
	CHECK_EQ("read of a pipe", read(p[0], buf, 3), 3);
	close(p[0]);
	close(p[1]);
	fd = open(path_a, O_PATH);
	CHECK_ERR("read of O_PATH", read(fd, buf, 16), EBADF);
	close(fd);
}

/* relatime: a read after a write moves atime; the next ones need not. */
static void
test_atime(void)
{
	char buf[16];
	struct stat before, after;
	int fd = make_file(path_a, 3);
	struct timespec pause = { 0, 20 * 1000 * 1000 };

	nanosleep(&pause, NULL);
	fstat(fd, &before);
	CHECK_EQ("read after write", pread(fd, buf, 16, 0), 16);
	fstat(fd, &after);
	CHECK("atime moved past mtime",
	      after.st_atim.tv_sec > before.st_mtim.tv_sec ||
	      (after.st_atim.tv_sec == before.st_mtim.tv_sec &&
	       after.st_atim.tv_nsec > before.st_mtim.tv_nsec));
	close(fd);
}

/* ---- pread racing close and dup2 ---------------------------------------- */

static volatile int stop;
static int race_fd;
static volatile long bad_results, reads_done;

static void *
reader(void *arg)
{
	char buf[256];
	(void)arg;
	while (!stop) {
		long n = pread(race_fd, buf, sizeof(buf), 512);
		if (n == (long)sizeof(buf) &&
		    (holds(buf, n, 512, 0) || holds(buf, n, 512, 7)))
			;	/* a or b, whichever the fd was */
		else if (!(n == -1 && errno == EBADF))
			bad_results++;
		reads_done++;
	}
	return NULL;
}

static void
test_close_dup2_race(void)
{
	int a = make_file(path_a, 0), b = make_file(path_b, 7);
	pthread_t t;

	race_fd = dup(a);
	CHECK("two files", a >= 0 && b >= 0 && race_fd >= 0);
	stop = 0;
	pthread_create(&t, NULL, reader, NULL);
	while (reads_done == 0)	/* a loaded host may start it late */
		sched_yield();
	for (int i = 0; i < ROUNDS; i++) {
		switch (i % 3) {
		case 0:
			dup2(b, race_fd);	/* over a: closes it */
			break;
		case 1:
			close(race_fd);
			break;
		case 2:
			/* Back at the same number: the lowest free one. */
			if (dup2(a, race_fd) != race_fd)
				bad_results++;
			break;
		}
		if (i % 64 == 0)
			sched_yield();
	}
	stop = 1;
	pthread_join(t, NULL);
	CHECK_EQ("preads that saw neither file nor EBADF", bad_results, 0);
	CHECK("the reader read", reads_done > 0);
	close(race_fd);
	close(a);
	close(b);
}

/* ---- getppid across reparenting ------------------------------------------ */

static void
test_reparent(void)
{
	pid_t me = getpid();
	int ready[2];
	CHECK_OK("become a subreaper", prctl(PR_SET_CHILD_SUBREAPER, 1));
	CHECK_OK("pipe", pipe(ready));
	pid_t mid = fork();
	if (mid == 0) {
		pid_t midpid = getpid();
		pid_t grand = fork();
		if (grand == 0) {
			/* Spins in getppid (nolock) while its parent exits. */
			long seen_other = 0, n = 0;
			close(ready[0]);
			if (getppid() != midpid)
				_exit(10);
			write(ready[1], "r", 1);
			pid_t pp;
			while ((pp = getppid()) == midpid)
				n++;
			if (pp != me)
				seen_other++;
			for (int i = 0; i < 1000; i++)
				if (getppid() != me)
					seen_other++;
			_exit(seen_other ? 11 : 0);
		}
		char c;
		close(ready[1]);
		read(ready[0], &c, 1);	/* the grandchild spins now */
		_exit(0);
	}
	close(ready[1]);
	close(ready[0]);
	int status, reaped = 0, grand_ok = 0;
	pid_t w;
	while ((w = wait(&status)) > 0) {
		reaped++;
		if (w != mid)
			grand_ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
	}
	CHECK_EQ("reaped child and grandchild", reaped, 2);
	CHECK("the grandchild's getppid moved to the subreaper", grand_ok);
	prctl(PR_SET_CHILD_SUBREAPER, 0);
	CHECK_EQ("getppid of the test itself", getppid() > 0, 1);
}

/* ---- exec, exit and unshare beside a thread in nolock calls -------------- */

static void *
spinner(void *arg)
{
	char buf[256];
	int fd = (int)(long)arg;
	for (;;) {
		pread(fd, buf, sizeof(buf), 0);
		syscall(SYS_getppid);
	}
	return NULL;
}

/* In a child: a thread spins in preads while this one does what. */
static int
beside_spinner(const char *what, const char *self)
{
	int fd = make_file(path_a, 1);
	pthread_t t;
	struct timespec pause = { 0, 5 * 1000 * 1000 };
	pthread_create(&t, NULL, spinner, (void *)(long)fd);
	nanosleep(&pause, NULL);
	if (strcmp(what, "exec") == 0) {
		execl(self, self, "exec-child", (char *)NULL);
		return 20;
	}
	if (strcmp(what, "unshare") == 0) {
		/* Shared with the parent by CLONE_FILES: a copy of our own,
		   while the spinner looks fds up in the old. */
		for (int i = 0; i < 50; i++)
			if (unshare(CLONE_FILES) < 0)
				return 21;
		close(fd);
		return 0;
	}
	exit(3);	/* exit_group: the spinner goes with it */
}

static char clone_stack[65536] __attribute__((aligned(16)));
static const char *clone_self;

static int
clone_child(void *arg)
{
	(void)arg;
	_exit(beside_spinner("unshare", clone_self));
}

static void
test_beside_spinner(const char *self)
{
	int status;
	pid_t c = fork();
	if (c == 0)
		beside_spinner("exec", self);
	waitpid(c, &status, 0);
	CHECK_STR("exec beside a pread thread", status_str(status),
		  "exited 0");
	c = fork();
	if (c == 0)
		beside_spinner("exit", self);
	waitpid(c, &status, 0);
	CHECK_STR("exit beside a pread thread", status_str(status),
		  "exited 3");
	clone_self = self;
	for (int i = 0; i < 3; i++) {
		c = clone(clone_child, clone_stack + sizeof(clone_stack),
			  CLONE_FILES | SIGCHLD, NULL);
		waitpid(c, &status, 0);
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
			break;
	}
	CHECK_STR("unshare(CLONE_FILES) beside a pread thread",
		  status_str(status), "exited 0");
}

int
main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "exec-child") == 0)
		return 0;	/* the new image: the old threads are gone */
	abi_init();
	snprintf(path_a, sizeof(path_a), "/tmp/abi-nolock-%d-a", (int)getpid());
	snprintf(path_b, sizeof(path_b), "/tmp/abi-nolock-%d-b", (int)getpid());
	test_offsets();
	test_atime();
	test_close_dup2_race();
	test_reparent();
	test_beside_spinner("/proc/self/exe");
	unlink(path_a);
	unlink(path_b);
	return abi_done("nolock_rw");
}
