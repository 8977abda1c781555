/*
 * File locks: fcntl F_SETLK/F_SETLKW/F_GETLK between processes (what the
 * other holds, l_whence, l_len 0 and negative, splitting and merging a
 * process's own locks, release when the process closes any fd of the
 * file, F_SETLKW waiting for a release, EINTR, EDEADLK with two
 * processes), the argument checks; OFD locks (F_OFD_*) owned by the open
 * file description; flock(2)'s arguments and semantics; locks on a pipe
 * and on the program's own file (initramfs in Petrel).
 */
#include "abi.h"

#include <sys/file.h>
#include <sys/time.h>

static char path[64];

static int
lk(int fd, int cmd, short type, short whence, off_t start, off_t len)
{
	struct flock fl = { .l_type = type, .l_whence = whence,
			    .l_start = start, .l_len = len };

	return fcntl(fd, cmd, &fl);
}

/* "WR 10+10 whence=0 pid=other", "UN", or the errno: what F_GETLK (or
 * F_OFD_GETLK) reports for the range; other is the pid to call "other". */
static const char *
probe(int fd, int cmd, short type, off_t start, off_t len, pid_t other)
{
	static char text[80];
	struct flock fl = { .l_type = type, .l_whence = SEEK_SET,
			    .l_start = start, .l_len = len };
	const char *who;

	if (fcntl(fd, cmd, &fl) == -1)
		return errno_name(errno);
	if (fl.l_type == F_UNLCK)
		return "UN";
	if (fl.l_pid == -1)
		who = "-1";
	else if (fl.l_pid == other)
		who = "other";
	else if (fl.l_pid == getpid())
		who = "self";
	else
		who = "?";
	snprintf(text, sizeof(text), "%s %lld+%lld whence=%d pid=%s",
	    fl.l_type == F_RDLCK ? "RD" : fl.l_type == F_WRLCK ? "WR" : "??",
	    (long long)fl.l_start, (long long)fl.l_len, fl.l_whence, who);
	return text;
}

/* A child that runs fn(arg) and exits; returns its pid. */
static pid_t
child(void (*fn)(int), int arg)
{
	pid_t pid = abi_fork();

	if (pid == 0) {
		fn(arg);
		fflush(stdout);
		_exit(0);
	}
	return pid;
}

static void
wait_byte(int fd)
{
	char c;

	while (read(fd, &c, 1) == -1 && errno == EINTR)
		;
}

static void
open_file(int *fd)
{
	*fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
	ftruncate(*fd, 2000);
}

static void
test_args(void)
{
	int fd, ro, wo;
	struct flock fl;

	open_file(&fd);
	ro = open(path, O_RDONLY);
	wo = open(path, O_WRONLY);
	memset(&fl, 0, sizeof(fl));
	fl.l_type = F_RDLCK;
	CHECK_EQ("F_GETLK free", fcntl(fd, F_GETLK, &fl), 0);
	CHECK_EQ("F_GETLK free l_type", fl.l_type, F_UNLCK);
	CHECK_ERR("bad l_type", lk(fd, F_SETLK, 7, SEEK_SET, 0, 1), EINVAL);
	CHECK_ERR("bad l_whence", lk(fd, F_SETLK, F_WRLCK, 3, 0, 1), EINVAL);
	CHECK_ERR("F_GETLK F_UNLCK", lk(fd, F_GETLK, F_UNLCK, SEEK_SET, 0, 1),
	    EINVAL);
	CHECK_ERR("negative start", lk(fd, F_SETLK, F_WRLCK, SEEK_SET, -1, 1),
	    EINVAL);
	CHECK_ERR("l_len before 0", lk(fd, F_SETLK, F_WRLCK, SEEK_SET, 5, -6),
	    EINVAL);
	CHECK_ERR("start past OFFSET_MAX",
	    lk(fd, F_SETLK, F_WRLCK, SEEK_END, 0x7fffffffffffffffLL, 1),
	    EOVERFLOW);
	CHECK_ERR("end past OFFSET_MAX",
	    lk(fd, F_SETLK, F_WRLCK, SEEK_SET, 10, 0x7fffffffffffffffLL),
	    EOVERFLOW);
	CHECK_ERR("F_RDLCK on O_WRONLY", lk(wo, F_SETLK, F_RDLCK, 0, 0, 0),
	    EBADF);
	CHECK_ERR("F_WRLCK on O_RDONLY", lk(ro, F_SETLK, F_WRLCK, 0, 0, 0),
	    EBADF);
	CHECK_EQ("F_UNLCK on O_RDONLY", lk(ro, F_SETLK, F_UNLCK, 0, 0, 0), 0);
	CHECK_EQ("F_RDLCK on O_RDONLY", lk(ro, F_SETLK, F_RDLCK, 0, 0, 0), 0);
	CHECK_EQ("F_WRLCK on O_WRONLY", lk(wo, F_SETLK, F_WRLCK, 0, 0, 0), 0);
	CHECK_ERR("bad fd", lk(-1, F_SETLK, F_WRLCK, 0, 0, 0), EBADF);
	CHECK_ERR("F_GETLK bad pointer", fcntl(fd, F_GETLK, (void *)8), EFAULT);
	memset(&fl, 0, sizeof(fl));
	fl.l_type = F_WRLCK;
	fl.l_pid = 1;
	CHECK_ERR("F_OFD_SETLK l_pid", fcntl(fd, F_OFD_SETLK, &fl), EINVAL);
	CHECK_ERR("F_OFD_GETLK l_pid", fcntl(fd, F_OFD_GETLK, &fl), EINVAL);
	int pfd = open(path, O_PATH);
	CHECK_ERR("O_PATH fd", lk(pfd, F_SETLK, F_UNLCK, 0, 0, 0), EBADF);
	CHECK_EQ("F_GETLEASE", fcntl(fd, F_GETLEASE), F_UNLCK);
	close(pfd);
	close(ro);
	close(wo);
	close(fd);
}

static int sync_to_child[2], sync_to_parent[2];

static int view_fd;
static pid_t view_parent;

/* The child prints what F_GETLK says of a range, or of setting a lock. */
static void
see(const char *what, short type, off_t start, off_t len)
{
	printf("child: %s: %s\n", what,
	    probe(view_fd, F_GETLK, type, start, len, view_parent));
}

static void
try_set(const char *what, short type, off_t start, off_t len)
{
	int r = lk(view_fd, F_SETLK, type, SEEK_SET, start, len);

	printf("child: %s: %s\n", what, r ? errno_name(errno) : "0");
}

/* One step of the child's view, while the parent holds its locks. */
static void
view_step(char c)
{
	switch (c) {
	case '1':
		see("all", F_WRLCK, 0, 0);
		see("40+20", F_WRLCK, 40, 20);
		see("from 50", F_WRLCK, 50, 0);
		try_set("set WR 0+10", F_WRLCK, 0, 10);
		try_set("set WR 40+20", F_WRLCK, 40, 20);
		break;
	case '2':
		see("merged", F_WRLCK, 0, 0);
		see("150+10", F_WRLCK, 150, 10);
		break;
	case '3':
		see("RD test", F_RDLCK, 0, 100);
		see("WR test", F_WRLCK, 0, 100);
		try_set("set RD 0+20", F_RDLCK, 0, 20);
		break;
	case '4':
		see("to EOF", F_WRLCK, 5000, 1);
		see("negative len", F_WRLCK, 120, 1);
		see("SEEK_CUR", F_WRLCK, 1000, 100);
		see("SEEK_END", F_WRLCK, 1900, 0);
		break;
	case '5':
		see("after close", F_WRLCK, 0, 0);
		break;
	}
	lk(view_fd, F_SETLK, F_UNLCK, SEEK_SET, 0, 0);
}

/* The child's view: probes at each step the parent asks for. */
static void
view(int parent)
{
	char c;

	view_fd = open(path, O_RDWR);
	view_parent = parent;
	while (read(sync_to_child[0], &c, 1) == 1 && c != 'q') {
		view_step(c);
		fflush(stdout);
		write(sync_to_parent[1], "k", 1);
	}
	close(view_fd);
}

/* Asks the child to look (step c) and waits until it has. */
static void
ask(char c)
{
	write(sync_to_child[1], &c, 1);
	wait_byte(sync_to_parent[0]);
}

static void
test_between_processes(void)
{
	int fd;
	pid_t pid;

	open_file(&fd);
	pipe(sync_to_child);
	pipe(sync_to_parent);
	pid = child(view, getpid());

	/* WR 0..99 with 40..59 cut out: two pieces. */
	CHECK_EQ("WR 0+100", lk(fd, F_SETLK, F_WRLCK, SEEK_SET, 0, 100), 0);
	CHECK_EQ("UN 40+20", lk(fd, F_SETLK, F_UNLCK, SEEK_SET, 40, 20), 0);
	CHECK_STR("own lock is not reported",
	    probe(fd, F_GETLK, F_WRLCK, 0, 0, pid), "UN");
	ask('1');

	/* Filling the hole merges them again; an adjacent RD stays apart. */
	CHECK_EQ("WR 40+20", lk(fd, F_SETLK, F_WRLCK, SEEK_SET, 40, 20), 0);
	CHECK_EQ("RD 100+100", lk(fd, F_SETLK, F_RDLCK, SEEK_SET, 100, 100),
	    0);
	ask('2');

	/* RD over all, WR in the middle: three pieces. */
	CHECK_EQ("UN all", lk(fd, F_SETLK, F_UNLCK, SEEK_SET, 0, 0), 0);
	CHECK_EQ("RD 0+100", lk(fd, F_SETLK, F_RDLCK, SEEK_SET, 0, 100), 0);
	CHECK_EQ("WR 20+10", lk(fd, F_SETLK, F_WRLCK, SEEK_SET, 20, 10), 0);
	ask('3');

	/* l_len 0, negative l_len, SEEK_CUR, SEEK_END. */
	CHECK_EQ("UN all again", lk(fd, F_SETLK, F_UNLCK, SEEK_SET, 0, 0), 0);
	CHECK_EQ("WR 3000 to EOF", lk(fd, F_SETLK, F_WRLCK, SEEK_SET, 3000, 0),
	    0);
	CHECK_EQ("WR 150-50", lk(fd, F_SETLK, F_WRLCK, SEEK_SET, 150, -50),
	    0);
	lseek(fd, 1000, SEEK_SET);
	CHECK_EQ("WR SEEK_CUR+10", lk(fd, F_SETLK, F_WRLCK, SEEK_CUR, 10, 5),
	    0);
	CHECK_EQ("WR SEEK_END-10", lk(fd, F_SETLK, F_WRLCK, SEEK_END, -10, 10),
	    0);
	ask('4');

	/* Closing another fd of the file drops every lock of the process. */
	int other = open(path, O_RDONLY);
	close(other);
	ask('5');

	write(sync_to_child[1], "q", 1);
	CHECK_STR("child", status_str(abi_wait(pid)), "exited 0");
	close(sync_to_child[0]);
	close(sync_to_child[1]);
	close(sync_to_parent[0]);
	close(sync_to_parent[1]);
	close(fd);
}

/* Holds WR over everything, says so, sleeps, writes 'r', releases. */
static void
hold_then_release(int marker)
{
	int fd = open(path, O_RDWR);

	lk(fd, F_SETLK, F_WRLCK, SEEK_SET, 0, 0);
	write(sync_to_parent[1], "h", 1);
	abi_sleep_ms(300);
	write(marker, "r", 1);
	close(fd);
}

static void
on_alarm(int sig)
{
	(void)sig;
}

static void
test_setlkw(void)
{
	int fd, marker[2];
	pid_t pid;
	char c;

	open_file(&fd);
	pipe(sync_to_parent);
	pipe(marker);
	fcntl(marker[0], F_SETFL, O_NONBLOCK);
	pid = child(hold_then_release, marker[1]);
	wait_byte(sync_to_parent[0]);
	CHECK_ERR("F_SETLK held elsewhere",
	    lk(fd, F_SETLK, F_RDLCK, SEEK_SET, 5, 1), EAGAIN);
	CHECK_EQ("F_SETLKW waits", lk(fd, F_SETLKW, F_RDLCK, SEEK_SET, 5, 1),
	    0);
	CHECK_EQ("released before it returned", read(marker[0], &c, 1), 1);
	CHECK_STR("holder", status_str(abi_wait(pid)), "exited 0");

	/* A signal ends the wait with EINTR (no SA_RESTART). */
	lk(fd, F_SETLK, F_UNLCK, SEEK_SET, 0, 0);
	pid = child(hold_then_release, marker[1]);
	wait_byte(sync_to_parent[0]);
	struct sigaction sa = { .sa_handler = on_alarm };
	sigaction(SIGALRM, &sa, NULL);
	struct itimerval it = { .it_value = { 0, 100000 } };
	setitimer(ITIMER_REAL, &it, NULL);
	CHECK_ERR("F_SETLKW interrupted",
	    lk(fd, F_SETLKW, F_WRLCK, SEEK_SET, 0, 1), EINTR);
	signal(SIGALRM, SIG_DFL);
	alarm(ABI_WATCHDOG);
	CHECK_STR("holder again", status_str(abi_wait(pid)), "exited 0");
	close(marker[0]);
	close(marker[1]);
	close(sync_to_parent[0]);
	close(sync_to_parent[1]);
	close(fd);
}

/*
 * Holds 10+10, then waits for 0+10 (the parent's): exits 0 once it got
 * it, 1 if told EDEADLK.
 */
static void
deadlock_child(int unused)
{
	int fd = open(path, O_RDWR);

	(void)unused;
	lk(fd, F_SETLK, F_WRLCK, SEEK_SET, 10, 10);
	write(sync_to_parent[1], "h", 1);
	int r = lk(fd, F_SETLKW, F_WRLCK, SEEK_SET, 0, 10);
	_exit(r == -1 && errno == EDEADLK ? 1 : r == 0 ? 0 : 2);
}

static void
test_deadlock(void)
{
	int fd;
	pid_t pid;

	open_file(&fd);
	pipe(sync_to_parent);
	lk(fd, F_SETLK, F_WRLCK, SEEK_SET, 0, 10);
	pid = child(deadlock_child, 0);
	wait_byte(sync_to_parent[0]);
	abi_sleep_ms(200);
	/*
	 * Whichever of the two comes second closes the circle and gets
	 * EDEADLK; the other then gets its lock.
	 */
	int r = lk(fd, F_SETLKW, F_WRLCK, SEEK_SET, 10, 10);
	int mine = r == -1 && errno == EDEADLK;
	if (mine)
		lk(fd, F_SETLK, F_UNLCK, SEEK_SET, 0, 10);
	int st = abi_wait(pid);
	int theirs = WIFEXITED(st) && WEXITSTATUS(st) == 1;
	CHECK_EQ("one EDEADLK of two", mine + theirs, 1);
	CHECK("the other got its lock",
	    mine ? WIFEXITED(st) && WEXITSTATUS(st) == 0 : r == 0);
	close(sync_to_parent[0]);
	close(sync_to_parent[1]);
	close(fd);
}

static void
ofd_child(int fd)
{
	printf("child: OFD lock inherited: %s\n",
	    lk(fd, F_OFD_SETLK, F_WRLCK, SEEK_SET, 0, 10) ? errno_name(errno)
							    : "0");
	int mine = open(path, O_RDWR);
	printf("child: own open: %s\n",
	    lk(mine, F_OFD_SETLK, F_WRLCK, SEEK_SET, 0, 10) ?
		errno_name(errno) : "0");
	printf("child: POSIX view: %s\n",
	    probe(mine, F_GETLK, F_WRLCK, 0, 0, 0));
}

static void
test_ofd(void)
{
	int a, b;

	open_file(&a);
	b = open(path, O_RDWR);
	CHECK_EQ("OFD WR on a", lk(a, F_OFD_SETLK, F_WRLCK, SEEK_SET, 0, 10),
	    0);
	CHECK_ERR("OFD WR on b", lk(b, F_OFD_SETLK, F_WRLCK, SEEK_SET, 5, 1),
	    EAGAIN);
	CHECK_STR("OFD_GETLK on b", probe(b, F_OFD_GETLK, F_RDLCK, 0, 0, 0),
	    "WR 0+10 whence=0 pid=-1");
	CHECK_STR("F_GETLK sees it", probe(b, F_GETLK, F_RDLCK, 0, 0, 0),
	    "WR 0+10 whence=0 pid=-1");
	CHECK_ERR("POSIX WR on b", lk(b, F_SETLK, F_WRLCK, SEEK_SET, 0, 1),
	    EAGAIN);
	CHECK_STR("OFD_GETLK F_UNLCK on a (own)",
	    probe(a, F_OFD_GETLK, F_UNLCK, 0, 0, 0), "WR 0+10 whence=0 pid=-1");
	CHECK_STR("OFD_GETLK F_UNLCK on b", probe(b, F_OFD_GETLK, F_UNLCK, 0, 0,
	    0), "UN");
	int d = dup(a);
	close(d);
	CHECK_ERR("closing a dup keeps it",
	    lk(b, F_OFD_SETLK, F_WRLCK, SEEK_SET, 0, 1), EAGAIN);
	pid_t pid = child(ofd_child, a);
	CHECK_STR("child", status_str(abi_wait(pid)), "exited 0");
	close(a);
	CHECK_EQ("gone with the last close",
	    lk(b, F_OFD_SETLK, F_WRLCK, SEEK_SET, 0, 1), 0);
	close(b);

	/* POSIX locks of one process never conflict, whatever the fd. */
	open_file(&a);
	b = open(path, O_RDWR);
	CHECK_EQ("POSIX WR on a", lk(a, F_SETLK, F_WRLCK, SEEK_SET, 0, 10), 0);
	CHECK_EQ("POSIX WR on b", lk(b, F_SETLK, F_WRLCK, SEEK_SET, 0, 10), 0);
	close(a);
	close(b);
}

static void
flock_child(int fd)
{
	int mine = open(path, O_RDWR);

	printf("child: inherited EX: %s\n",
	    flock(fd, LOCK_EX | LOCK_NB) ? errno_name(errno) : "0");
	printf("child: own EX: %s\n",
	    flock(mine, LOCK_EX | LOCK_NB) ? errno_name(errno) : "0");
	printf("child: fcntl lock beside it: %s\n",
	    lk(mine, F_SETLK, F_WRLCK, SEEK_SET, 0, 0) ? errno_name(errno)
							: "0");
	write(sync_to_parent[1], "h", 1);
	printf("child: blocking EX: %s\n",
	    flock(mine, LOCK_EX) ? errno_name(errno) : "0");
}

static void
test_flock(void)
{
	int a, b;

	CHECK_ERR("flock op 0", flock(-1, 0), EINVAL);
	CHECK_ERR("flock LOCK_NB alone", flock(0, LOCK_NB), EINVAL);
	CHECK_ERR("flock SH|EX", flock(0, LOCK_SH | LOCK_EX), EINVAL);
	CHECK_ERR("flock SH|UN", flock(0, LOCK_SH | LOCK_UN), EINVAL);
	CHECK_ERR("flock bad fd", flock(-1, LOCK_SH), EBADF);

	open_file(&a);
	b = open(path, O_RDONLY);
	CHECK_EQ("EX on a", flock(a, LOCK_EX), 0);
	CHECK_EQ("EX on a again", flock(a, LOCK_EX | LOCK_NB), 0);
	CHECK_ERR("EX on b", flock(b, LOCK_EX | LOCK_NB), EWOULDBLOCK);
	CHECK_ERR("SH on b", flock(b, LOCK_SH | LOCK_NB), EWOULDBLOCK);
	CHECK_EQ("SH on a (convert)", flock(a, LOCK_SH), 0);
	CHECK_EQ("SH on b", flock(b, LOCK_SH | LOCK_NB), 0);
	CHECK_ERR("EX on b while a shares", flock(b, LOCK_EX | LOCK_NB),
	    EWOULDBLOCK);
	/* The failed conversion let b's shared lock go (as Linux). */
	CHECK_EQ("EX on a now", flock(a, LOCK_EX | LOCK_NB), 0);
	CHECK_EQ("UN on b (none held)", flock(b, LOCK_UN), 0);

	int d = dup(a);
	close(a);
	CHECK_ERR("held through the dup", flock(b, LOCK_SH | LOCK_NB),
	    EWOULDBLOCK);

	pipe(sync_to_parent);
	pid_t pid = child(flock_child, d);
	wait_byte(sync_to_parent[0]);
	abi_sleep_ms(200);
	int r = flock(d, LOCK_UN);
	int st = abi_wait(pid);	/* the child prints first */
	CHECK_EQ("UN on the dup", r, 0);
	CHECK_STR("child", status_str(st), "exited 0");
	close(sync_to_parent[0]);
	close(sync_to_parent[1]);
	close(b);
	close(d);
}

static void
kinds_child(int fd)
{
	printf("child: pipe: %s\n", probe(fd, F_GETLK, F_WRLCK, 0, 0,
	    getppid()));
	int exe = open("/proc/self/exe", O_RDONLY);
	printf("child: program: %s\n", probe(exe, F_GETLK, F_WRLCK, 0, 0,
	    getppid()));
}

static void
test_kinds(void)
{
	int p[2];

	pipe(p);
	int exe = open("/proc/self/exe", O_RDONLY);
	CHECK_EQ("WR on a pipe", lk(p[1], F_SETLK, F_WRLCK, SEEK_SET, 0, 0), 0);
	CHECK_EQ("RD on the program",
	    lk(exe, F_SETLK, F_RDLCK, SEEK_SET, 0, 64), 0);
	pid_t pid = child(kinds_child, p[0]);
	CHECK_STR("child", status_str(abi_wait(pid)), "exited 0");
	close(exe);
	close(p[0]);
	close(p[1]);
}

int
main(void)
{
	abi_init();
	abi_tmpname(path, sizeof(path), "locks");
	test_args();
	test_between_processes();
	test_setlkw();
	test_deadlock();
	test_ofd();
	test_flock();
	test_kinds();
	unlink(path);
	return abi_done("locks");
}
