/*
 * File leases: F_SETLEASE and F_GETLEASE (read and write leases, upgrade,
 * F_UNLCK, EAGAIN for an open or another lease in the way, EINVAL,
 * EACCES for another user's file); breaking: an open O_NONBLOCK fails
 * with EWOULDBLOCK, a read open waits for the holder's downgrade, a write
 * open for its F_UNLCK, each after the holder's F_SETSIG signal
 * (POLL_MSG, si_fd); a truncate waits lease-break-time seconds, then the
 * kernel removes the lease; a closed file's lease is gone; /proc/locks'
 * lines for POSIX, flock locks and leases.
 */
#include "abi.h"

#include <stdbool.h>
#include <sys/file.h>
#include <sys/sysmacros.h>
#include <sys/time.h>

#define FILE_PATH "/tmp/abi_lease_file"
#define BREAK_TIME "/proc/sys/fs/lease-break-time"

static const char *
lease_name(long type)
{
	if (type < 0)
		return errno_name(errno);
	return type == F_RDLCK ? "F_RDLCK" : type == F_WRLCK ? "F_WRLCK" :
	       type == F_UNLCK ? "F_UNLCK" : "?";
}

static void
test_set(void)
{
	int r = open(FILE_PATH, O_RDONLY);
	CHECK_STR("no lease at first", lease_name(fcntl(r, F_GETLEASE)),
		  "F_UNLCK");
	CHECK_EQ("a read lease", fcntl(r, F_SETLEASE, F_RDLCK), 0);
	CHECK_STR("F_GETLEASE", lease_name(fcntl(r, F_GETLEASE)), "F_RDLCK");
	CHECK_EQ("upgraded to a write lease", fcntl(r, F_SETLEASE, F_WRLCK), 0);
	CHECK_STR("F_GETLEASE", lease_name(fcntl(r, F_GETLEASE)), "F_WRLCK");
	CHECK_ERR("a second open breaks it (O_NONBLOCK)",
		  open(FILE_PATH, O_RDONLY | O_NONBLOCK), EWOULDBLOCK);
	CHECK_EQ("F_UNLCK", fcntl(r, F_SETLEASE, F_UNLCK), 0);
	CHECK_ERR("F_UNLCK without a lease", fcntl(r, F_SETLEASE, F_UNLCK),
		  EAGAIN);
	CHECK_ERR("a bad type", fcntl(r, F_SETLEASE, 5), EINVAL);

	int w = open(FILE_PATH, O_RDWR);
	CHECK_ERR("a read lease on a file open for writing",
		  fcntl(r, F_SETLEASE, F_RDLCK), EAGAIN);
	CHECK_ERR("a read lease through the writer",
		  fcntl(w, F_SETLEASE, F_RDLCK), EAGAIN);
	CHECK_ERR("a write lease with another open",
		  fcntl(w, F_SETLEASE, F_WRLCK), EAGAIN);
	close(r);
	CHECK_EQ("a write lease on the only open", fcntl(w, F_SETLEASE, F_WRLCK),
		 0);
	CHECK_EQ("F_UNLCK", fcntl(w, F_SETLEASE, F_UNLCK), 0);
	close(w);

	r = open(FILE_PATH, O_RDONLY);
	int r2 = open(FILE_PATH, O_RDONLY);
	CHECK_ERR("a write lease with another reader",
		  fcntl(r, F_SETLEASE, F_WRLCK), EAGAIN);
	CHECK_EQ("two read leases", fcntl(r, F_SETLEASE, F_RDLCK) |
		 fcntl(r2, F_SETLEASE, F_RDLCK), 0);
	close(r2);
	CHECK_EQ("the other's lease went with its file",
		 fcntl(r, F_SETLEASE, F_WRLCK), 0);
	close(r);

	int dir = open("/tmp", O_RDONLY | O_DIRECTORY);
	CHECK_ERR("a lease on a directory", fcntl(dir, F_SETLEASE, F_RDLCK),
		  EINVAL);
	close(dir);

	pid_t pid = fork();
	if (pid == 0) {
		setuid(65534);
		int o = open(FILE_PATH, O_RDONLY);
		CHECK_ERR("a lease on another user's file",
			  fcntl(o, F_SETLEASE, F_RDLCK), EACCES);
		_exit(abi_failures ? 1 : 0);
	}
	int status;
	waitpid(pid, &status, 0);
	CHECK_STR("another user", status_str(status), "exited 0");
}

static double
now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* A child that opens the file with flags (or truncates it, flags -1) and
 * exits 0 if that took less than 5 s. */
static pid_t
breaker(int flags)
{
	pid_t pid = fork();
	if (pid == 0) {
		double t = now_s();
		int r = flags < 0 ? truncate(FILE_PATH, 0) :
				    open(FILE_PATH, flags);
		_exit(r < 0 ? 2 : now_s() - t < 5 ? 0 : 3);
	}
	return pid;
}

/* Waits for the break's SIGUSR1; "POLL_MSG fd ok" or what came. */
static const char *
break_signal(int fd)
{
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	siginfo_t si;
	struct timespec limit = { 10, 0 };
	if (sigtimedwait(&set, &si, &limit) < 0)
		return errno_name(errno);
	if (si.si_code != POLL_MSG)
		return "another code";
	return si.si_fd == fd ? "POLL_MSG fd ok" : "another fd";
}

static void
test_break(void)
{
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigprocmask(SIG_BLOCK, &set, NULL);

	int r = open(FILE_PATH, O_RDONLY);
	fcntl(r, F_SETSIG, SIGUSR1);
	CHECK_EQ("a write lease", fcntl(r, F_SETLEASE, F_WRLCK), 0);
	pid_t pid = breaker(O_RDONLY);
	CHECK_STR("a read open: the holder's signal", break_signal(r),
		  "POLL_MSG fd ok");
	CHECK_STR("F_GETLEASE while breaking", lease_name(fcntl(r, F_GETLEASE)),
		  "F_RDLCK");
	CHECK_EQ("the holder downgrades", fcntl(r, F_SETLEASE, F_RDLCK), 0);
	int status;
	waitpid(pid, &status, 0);
	CHECK_STR("the reader's open went on", status_str(status), "exited 0");

	pid = breaker(O_WRONLY);
	CHECK_STR("a write open: the holder's signal", break_signal(r),
		  "POLL_MSG fd ok");
	CHECK_STR("F_GETLEASE while breaking", lease_name(fcntl(r, F_GETLEASE)),
		  "F_UNLCK");
	CHECK_ERR("no downgrade while a writer waits",
		  fcntl(r, F_SETLEASE, F_RDLCK), EAGAIN);
	CHECK_EQ("the holder lets go", fcntl(r, F_SETLEASE, F_UNLCK), 0);
	CHECK_EQ("F_UNLCK forgets F_SETSIG", fcntl(r, F_GETSIG), 0);
	CHECK_EQ("and the owner", fcntl(r, F_GETOWN), 0);
	waitpid(pid, &status, 0);
	CHECK_STR("the writer's open went on", status_str(status), "exited 0");

	char old[32] = "45\n";
	FILE *f = fopen(BREAK_TIME, "r");
	CHECK("lease-break-time", f && fgets(old, sizeof(old), f));
	if (f)
		fclose(f);
	f = fopen(BREAK_TIME, "w");
	fputs("1\n", f);
	fclose(f);
	CHECK_EQ("a read lease", fcntl(r, F_SETLEASE, F_RDLCK), 0);
	double t = now_s();
	pid = breaker(-1);
	waitpid(pid, &status, 0);
	CHECK_STR("a truncate waits out lease-break-time", status_str(status),
		  "exited 0");
	CHECK("about a second", now_s() - t > 0.5);
	CHECK_STR("and the lease is gone", lease_name(fcntl(r, F_GETLEASE)),
		  "F_UNLCK");
	f = fopen(BREAK_TIME, "w");
	fputs(old, f);
	fclose(f);
	close(r);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
}

/* Whether /proc/locks has a line "N: " what " PID DEV:INO " where,
 * for FILE_PATH and this process. */
static bool
locks_has(const char *what, const char *where)
{
	struct stat st;
	stat(FILE_PATH, &st);
	char want[160], line[256];
	snprintf(want, sizeof(want), "%s %d %02x:%02x:%lu %s\n", what,
		 (int)getpid(), major(st.st_dev), minor(st.st_dev),
		 (unsigned long)st.st_ino, where);
	FILE *f = fopen("/proc/locks", "r");
	bool found = false;
	while (f && fgets(line, sizeof(line), f)) {
		char *p = strchr(line, ' ');
		found |= p && !strcmp(p + 1, want);
	}
	if (f)
		fclose(f);
	return found;
}

static void
test_proc_locks(void)
{
	int fd = open(FILE_PATH, O_RDWR);
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET,
			    .l_start = 2, .l_len = 8 };
	fcntl(fd, F_SETLK, &fl);
	CHECK("/proc/locks: a POSIX lock",
	      locks_has("POSIX  ADVISORY  WRITE", "2 9"));
	fl.l_start = 20;
	fl.l_len = 0;
	fcntl(fd, F_SETLK, &fl);
	CHECK("/proc/locks: one to the end",
	      locks_has("POSIX  ADVISORY  WRITE", "20 EOF"));
	int r = open(FILE_PATH, O_RDONLY);
	flock(r, LOCK_SH);
	CHECK("/proc/locks: a flock lock",
	      locks_has("FLOCK  ADVISORY  READ", "0 EOF"));
	close(fd);
	CHECK("/proc/locks: a lease", fcntl(r, F_SETLEASE, F_RDLCK) == 0 &&
	      locks_has("LEASE  ACTIVE    READ", "0 EOF"));
	close(r);
	CHECK("/proc/locks: all gone",
	      !locks_has("LEASE  ACTIVE    READ", "0 EOF") &&
	      !locks_has("FLOCK  ADVISORY  READ", "0 EOF"));
}

int
main(void)
{
	abi_init();
	setvbuf(stdout, NULL, _IONBF, 0);
	signal(SIGIO, SIG_IGN);	/* the breaks test_set causes itself */
	/* One run at a time on a host: the file and lease-break-time are
	   shared (make test runs the plain and the assert variant at once). */
	int lock = open("/tmp/abi-lease.lock", O_RDWR | O_CREAT, 0600);
	if (lock < 0 || flock(lock, LOCK_EX) < 0)
		return 1;
	int fd = open(FILE_PATH, O_CREAT | O_TRUNC | O_WRONLY, 0644);
	CHECK("the file", fd >= 0);
	close(fd);
	test_set();
	test_break();
	test_proc_locks();
	unlink(FILE_PATH);
	return abi_done("lease");
}
