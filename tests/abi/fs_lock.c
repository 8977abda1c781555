/*
 * File locks on a real disk (ext2: fsd's /data in Petrel, a loop mount
 * natively): a record lock another process sees through a hard link of
 * the file, F_SETLKW waiting for it, a close releasing it; OFD locks and
 * flock between two opens of one file; the locks of a file that was
 * unlinked while open.
 */
/* abi: disk */
#include "abi.h"

#include <sys/file.h>

static int to_child[2], to_parent[2];

static int
lk(int fd, int cmd, short type, off_t start, off_t len)
{
	struct flock fl = { .l_type = type, .l_whence = SEEK_SET,
			    .l_start = start, .l_len = len };

	return fcntl(fd, cmd, &fl);
}

/* What F_GETLK reports for a write lock over everything. */
static const char *
holder(int fd, pid_t other)
{
	static char text[64];
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };

	if (fcntl(fd, F_GETLK, &fl) == -1)
		return errno_name(errno);
	if (fl.l_type == F_UNLCK)
		return "UN";
	snprintf(text, sizeof(text), "%s %lld+%lld pid=%s",
	    fl.l_type == F_RDLCK ? "RD" : "WR", (long long)fl.l_start,
	    (long long)fl.l_len, fl.l_pid == other ? "other" :
	    fl.l_pid == -1 ? "-1" : "?");
	return text;
}

static void
step(int fd, char *c)
{
	while (read(fd, c, 1) == -1 && errno == EINTR)
		;
}

/* Looks through the other name while the parent holds its locks. */
static void
child(pid_t parent)
{
	int fd = open(abi_at("g"), O_RDWR);
	char c;

	step(to_child[0], &c);
	printf("child: through the link: %s\n", holder(fd, parent));
	printf("child: F_SETLK: %s\n",
	    lk(fd, F_SETLK, F_WRLCK, 0, 1) ? errno_name(errno) : "0");
	write(to_parent[1], "k", 1);
	printf("child: F_SETLKW: %s\n",
	    lk(fd, F_SETLKW, F_WRLCK, 0, 1) ? errno_name(errno) : "0");
	write(to_parent[1], "k", 1);
	step(to_child[0], &c);
	_exit(0);
}

static void
test_between_processes(void)
{
	int fd;
	char c;

	abi_touch(abi_at("f"), "0123456789");
	link(abi_at("f"), abi_at("g"));
	fd = open(abi_at("f"), O_RDWR);
	pipe(to_child);
	pipe(to_parent);
	pid_t parent = getpid(), pid = abi_fork();
	if (pid == 0)
		child(parent);
	CHECK_EQ("WR 0+5", lk(fd, F_SETLK, F_WRLCK, 0, 5), 0);
	write(to_child[1], "g", 1);
	step(to_parent[0], &c);
	abi_sleep_ms(200);
	int other = open(abi_at("g"), O_RDONLY);
	close(other);	/* any fd of the file: the locks go */
	step(to_parent[0], &c);
	CHECK_STR("child holds it now", holder(fd, pid), "WR 0+1 pid=other");
	write(to_child[1], "q", 1);
	CHECK_STR("child", status_str(abi_wait(pid)), "exited 0");
	close(fd);
	close(to_child[0]);
	close(to_child[1]);
	close(to_parent[0]);
	close(to_parent[1]);
}

static void
test_one_process(void)
{
	int a = open(abi_at("f"), O_RDWR), b = open(abi_at("g"), O_RDWR);

	CHECK_EQ("OFD on a", lk(a, F_OFD_SETLK, F_WRLCK, 2, 3), 0);
	CHECK_ERR("OFD on b", lk(b, F_OFD_SETLK, F_RDLCK, 0, 0), EAGAIN);
	CHECK_STR("F_GETLK on b", holder(b, 0), "WR 2+3 pid=-1");
	CHECK_EQ("flock EX on a", flock(a, LOCK_EX | LOCK_NB), 0);
	CHECK_ERR("flock SH on b", flock(b, LOCK_SH | LOCK_NB), EWOULDBLOCK);
	close(a);
	CHECK_EQ("OFD on b after a's close", lk(b, F_OFD_SETLK, F_WRLCK, 0, 0),
	    0);
	CHECK_EQ("flock on b after a's close", flock(b, LOCK_EX | LOCK_NB), 0);

	/* An unlinked file keeps its locks while open. */
	a = open(abi_at("f"), O_RDWR);
	unlink(abi_at("f"));
	unlink(abi_at("g"));
	CHECK_ERR("OFD still held", lk(a, F_OFD_SETLK, F_RDLCK, 0, 1), EAGAIN);
	CHECK_ERR("flock still held", flock(a, LOCK_SH | LOCK_NB),
	    EWOULDBLOCK);
	close(b);
	CHECK_EQ("free after the close", lk(a, F_OFD_SETLK, F_RDLCK, 0, 1), 0);
	close(a);
}

int
main(void)
{
	abi_init();
	abi_disk_scratch("lock");
	test_between_processes();
	test_one_process();
	return abi_done("fs_lock");
}
