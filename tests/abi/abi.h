/*
 * Shared helpers for the Linux-ABI conformance programs in tests/abi/.
 * Each program runs natively on Linux and inside Petrel; tests/abi/check
 * compares the two outputs, so everything printed here is deterministic:
 * errno and signal values by name, wait statuses as words, never pids,
 * addresses, times or fd numbers.
 */
#ifndef ABI_H
#define ABI_H

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <poll.h>
#include <sched.h>

/*
 * Seconds before the watchdog alarm ends a stuck program. Its default
 * action kills the program with SIGALRM, which the comparison reports.
 * Generous because the guest runs under TCG.
 */
#define ABI_WATCHDOG 30

static int abi_failures __attribute__((unused));
static int abi_checks __attribute__((unused));

static inline const char *
errno_name(int e)
{
	static const struct {
		int value;
		const char *name;
	} names[] = {
		{ 0, "0" }, { EPERM, "EPERM" }, { ENOENT, "ENOENT" },
		{ ESRCH, "ESRCH" }, { EINTR, "EINTR" }, { EIO, "EIO" },
		{ ENXIO, "ENXIO" }, { E2BIG, "E2BIG" }, { ENOEXEC, "ENOEXEC" },
		{ ENOTBLK, "ENOTBLK" },
		{ EBADF, "EBADF" }, { ECHILD, "ECHILD" }, { EAGAIN, "EAGAIN" },
		{ ENOMEM, "ENOMEM" }, { EACCES, "EACCES" },
		{ EFAULT, "EFAULT" },
		{ EBUSY, "EBUSY" }, { EEXIST, "EEXIST" }, { EXDEV, "EXDEV" },
		{ ENODEV, "ENODEV" }, { ENOTDIR, "ENOTDIR" },
		{ EISDIR, "EISDIR" }, { EINVAL, "EINVAL" },
		{ ENFILE, "ENFILE" },
		{ EMFILE, "EMFILE" }, { ENOTTY, "ENOTTY" }, { EFBIG, "EFBIG" },
		{ ENOSPC, "ENOSPC" }, { ESPIPE, "ESPIPE" }, { EROFS, "EROFS" },
		{ EMLINK, "EMLINK" }, { EPIPE, "EPIPE" }, { ERANGE, "ERANGE" },
		{ EDEADLK, "EDEADLK" }, { ENAMETOOLONG, "ENAMETOOLONG" },
		{ ENOSYS, "ENOSYS" }, { ENOTEMPTY, "ENOTEMPTY" },
		{ ELOOP, "ELOOP" }, { ETIMEDOUT, "ETIMEDOUT" },
		{ EOPNOTSUPP, "EOPNOTSUPP" }, { EOVERFLOW, "EOVERFLOW" },
		{ ENOTSOCK, "ENOTSOCK" }, { ETXTBSY, "ETXTBSY" },
		/* sockets */
		{ ECONNREFUSED, "ECONNREFUSED" }, { EADDRINUSE, "EADDRINUSE" },
		{ ENOTCONN, "ENOTCONN" }, { EISCONN, "EISCONN" },
		{ ECONNRESET, "ECONNRESET" }, { EDESTADDRREQ, "EDESTADDRREQ" },
		{ EAFNOSUPPORT, "EAFNOSUPPORT" }, { EMSGSIZE, "EMSGSIZE" },
		{ EPROTOTYPE, "EPROTOTYPE" }, { ENOPROTOOPT, "ENOPROTOOPT" },
		{ EPROTONOSUPPORT, "EPROTONOSUPPORT" },
		{ ESOCKTNOSUPPORT, "ESOCKTNOSUPPORT" }, { ENOBUFS, "ENOBUFS" },
		{ EDOM, "EDOM" }, { EINPROGRESS, "EINPROGRESS" },
		{ EALREADY, "EALREADY" }, { EADDRNOTAVAIL, "EADDRNOTAVAIL" },
		{ ENETUNREACH, "ENETUNREACH" }, { EHOSTUNREACH, "EHOSTUNREACH" },
		{ ECONNABORTED, "ECONNABORTED" }, { EPROTO, "EPROTO" },
		/* System V IPC */
		{ EIDRM, "EIDRM" }, { ENOMSG, "ENOMSG" },
		/* extended attributes */
		{ ENODATA, "ENODATA" },
		{ ESTALE, "ESTALE" },
	};
	static char other[32];

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].value == e)
			return names[i].name;
	snprintf(other, sizeof(other), "errno %d", e);
	return other;
}

static inline const char *
signal_name(int sig)
{
	static const char *names[] = {
		"0", "SIGHUP", "SIGINT", "SIGQUIT", "SIGILL", "SIGTRAP",
		"SIGABRT", "SIGBUS", "SIGFPE", "SIGKILL", "SIGUSR1", "SIGSEGV",
		"SIGUSR2", "SIGPIPE", "SIGALRM", "SIGTERM", "SIGSTKFLT",
		"SIGCHLD", "SIGCONT", "SIGSTOP", "SIGTSTP", "SIGTTIN",
		"SIGTTOU", "SIGURG", "SIGXCPU", "SIGXFSZ", "SIGVTALRM",
		"SIGPROF", "SIGWINCH", "SIGIO", "SIGPWR", "SIGSYS",
	};
	static char other[32];

	if (sig >= 0 && sig < (int)(sizeof(names) / sizeof(names[0])))
		return names[sig];
	if (sig >= SIGRTMIN && sig <= SIGRTMAX)
		snprintf(other, sizeof(other), "SIGRTMIN+%d", sig - SIGRTMIN);
	else
		snprintf(other, sizeof(other), "signal %d", sig);
	return other;
}

/* A wait status in words: "exited 3", "killed by SIGTERM", ... */
static inline const char *
status_str(int status)
{
	static char text[64];

	if (WIFEXITED(status))
		snprintf(text, sizeof(text), "exited %d", WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		snprintf(text, sizeof(text), "killed by %s",
		    signal_name(WTERMSIG(status)));
	else if (WIFSTOPPED(status))
		snprintf(text, sizeof(text), "stopped by %s",
		    signal_name(WSTOPSIG(status)));
	else if (WIFCONTINUED(status))
		snprintf(text, sizeof(text), "continued");
	else
		snprintf(text, sizeof(text), "status 0x%x", status);
	return text;
}

/* Record one check; a failure also prints where it was. */
static inline void
abi_result(int ok, const char *what, const char *detail, int line)
{
	abi_checks++;
	if (ok) {
		printf("%s: %s\n", what, detail ? detail : "ok");
	} else {
		abi_failures++;
		printf("%s: FAIL %s (line %d)\n", what, detail ? detail : "",
		    line);
	}
}

/* CHECK("name", cond): prints "name: ok" when cond holds. */
#define CHECK(what, cond) abi_result(!!(cond), (what), NULL, __LINE__)

/* CHECK_EQ("name", got, want): prints "name: <got>"; fails if got != want. */
#define CHECK_EQ(what, got, want)                                          \
	do {                                                               \
		long long got_ = (long long)(got);                         \
		long long want_ = (long long)(want);                       \
		char text_[96];                                            \
		if (got_ == want_)                                         \
			snprintf(text_, sizeof(text_), "%lld", got_);      \
		else                                                       \
			snprintf(text_, sizeof(text_),                     \
			    "got %lld, want %lld", got_, want_);           \
		abi_result(got_ == want_, (what), text_, __LINE__);        \
	} while (0)

/* CHECK_STR("name", got, want): prints "name: <got>" when equal. */
#define CHECK_STR(what, got, want) \
	abi_check_str((what), (got), (want), __LINE__)

static inline void
abi_check_str(const char *what, const char *got, const char *want, int line)
{
	char text[256];
	int ok = got && strcmp(got, want) == 0;

	if (ok)
		snprintf(text, sizeof(text), "%.200s", got);
	else
		snprintf(text, sizeof(text), "%.100s != %.100s",
		    got ? got : "(null)", want);
	abi_result(ok, what, text, line);
}

/* A call's result r with errno e must be -1 with errno want. */
static inline void
abi_check_err(const char *what, long r, int e, int want, int line)
{
	char text[96];
	int ok = r == -1 && e == want;

	if (ok)
		snprintf(text, sizeof(text), "%s", errno_name(e));
	else
		snprintf(text, sizeof(text), "got %ld %s, want -1 %s", r,
		    errno_name(e), errno_name(want));
	abi_result(ok, what, text, line);
}

/*
 * CHECK_ERR("name", expr, ENAME): expr must return -1 with errno ENAME;
 * prints "name: ENAME". CHECK_SAVED_ERR checks a result and errno saved
 * earlier.
 */
#define CHECK_ERR(what, expr, want_errno)                                  \
	do {                                                               \
		errno = 0;                                                 \
		long r_ = (long)(expr);                                    \
		abi_check_err((what), r_, errno, (want_errno), __LINE__);  \
	} while (0)
#define CHECK_SAVED_ERR(what, result, saved_errno, want_errno)             \
	abi_check_err((what), (long)(result), (saved_errno), (want_errno), \
	    __LINE__)

/* CHECK_OK("name", expr): expr must not return -1. */
#define CHECK_OK(what, expr)                                               \
	do {                                                               \
		errno = 0;                                                 \
		long r_ = (long)(expr);                                    \
		char texto_[64];                                           \
		snprintf(texto_, sizeof(texto_), "returned -1 %s",         \
		    errno_name(errno));                                    \
		abi_result(r_ != -1, (what), r_ != -1 ? NULL : texto_,     \
		    __LINE__);                                             \
	} while (0)

/* A unique name under /tmp, e.g. "/tmp/abi-file-1234-x". */
static inline void
abi_tmpname(char *buf, size_t size, const char *tag)
{
	snprintf(buf, size, "/tmp/abi-%s-%d", tag, (int)getpid());
}

/*
 * The root of the fresh file system a disk program (marked "abi: disk",
 * tests/abi/check) runs on: /data in Petrel, an ext2 loop mount natively.
 * Exits when the program was started without one.
 */
static inline const char *
abi_disk_dir(void)
{
	const char *dir = getenv("ABI_DIR");

	if (!dir || !*dir) {
		printf("ABI_DIR is not set: run this through tests/abi/check\n");
		exit(2);
	}
	return dir;
}

/* True if both sides' disks are ext2 (a loop mount was possible). */
static inline int
abi_disk_is_ext2(void)
{
	const char *v = getenv("ABI_DISK_EXT2");

	return v && strcmp(v, "1") == 0;
}

/* ---- A disk program's working directory ----------------------------------- */

/* The directory a disk program works in (abi_disk_scratch makes it). */
static char abi_dir[256] __attribute__((unused));

/* Makes NAME under the disk's root and the program's abi_dir; exits on failure. */
static inline void
abi_disk_scratch(const char *name)
{
	snprintf(abi_dir, sizeof(abi_dir), "%s/%s", abi_disk_dir(), name);
	if (mkdir(abi_dir, 0755) == -1) {
		printf("mkdir %s: %s\n", abi_dir, errno_name(errno));
		exit(1);
	}
}

/* abi_dir/name, in one of four buffers used in turn (a call may name several). */
static inline const char *
abi_at(const char *name)
{
	static char path[4][640];
	static int next;

	next = (next + 1) % 4;
	snprintf(path[next], sizeof(path[next]), "%s/%s", abi_dir, name);
	return path[next];
}

/* Makes name a file (0644) holding text: 0, or -1 if that failed. */
static inline int
abi_write_file(const char *name, const char *text)
{
	int fd = open(name, O_CREAT | O_WRONLY | O_TRUNC, 0644);
	if (fd < 0)
		return -1;
	int r = write(fd, text, strlen(text)) == (ssize_t)strlen(text) ? 0 : -1;
	close(fd);
	return r;
}

/* Makes path a file holding text (empty if text is NULL). */
static inline void
abi_touch(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	if (text && write(fd, text, strlen(text)) < 0)
		printf("write %s: %s\n", path, errno_name(errno));
	close(fd);
}

/* A small file's text, or the errno name of opening or reading it. */
static inline const char *
abi_content(const char *path)
{
	static char buf[64];
	int fd = open(path, O_RDONLY);
	ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);

	if (fd >= 0)
		close(fd);
	if (n < 0)
		return errno_name(errno);
	buf[n] = '\0';
	return buf;
}

/* path's link count (a symlink's own), or -1. */
static inline long
abi_nlink(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0 ? (long)st.st_nlink : -1;
}

/* Milliseconds on CLOCK_MONOTONIC. */
static inline long long
abi_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Sleep for ms milliseconds, resuming after signals. */
static inline void
abi_sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000 };

	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

/* Runs the calling thread on CPU cpu only, where there is one. */
static inline void
abi_pin(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	sched_setaffinity(0, sizeof(set), &set);
}

/* Lets the calling thread run on CPUs 0 and 1 again (an smp 2 guest's). */
static inline void
abi_unpin(void)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(0, &set);
	CPU_SET(1, &set);
	sched_setaffinity(0, sizeof(set), &set);
}

/* fork() with stdout flushed, so nothing buffered is printed twice. */
static inline pid_t
abi_fork(void)
{
	fflush(stdout);
	return fork();
}

/* Wait for one child and return its status, or -1. */
static inline int
abi_wait(pid_t pid)
{
	int status;

	while (waitpid(pid, &status, 0) == -1)
		if (errno != EINTR)
			return -1;
	return status;
}

/*
 * A known starting state whatever the parent left behind: stdout line
 * buffered (one write per line, so output interleaves by line), default
 * signal actions, nothing blocked, no core files, umask 022, watchdog set.
 */
static inline void
abi_init(void)
{
	struct rlimit no_core = { 0, 0 };
	sigset_t none;

	setvbuf(stdout, NULL, _IOLBF, 0);
	for (int sig = 1; sig < _NSIG; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			signal(sig, SIG_DFL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	setrlimit(RLIMIT_CORE, &no_core);
	umask(022);
	alarm(ABI_WATCHDOG);
}

/* Print the summary line and return main's exit status. */
static inline int
abi_done(const char *program)
{
	if (abi_failures)
		printf("%s: %d of %d checks FAILED\n", program, abi_failures,
		    abi_checks);
	else
		printf("%s: all %d checks passed\n", program, abi_checks);
	fflush(stdout);
	return abi_failures ? 1 : 0;
}

/* poll on one fd: its revents, 0 on timeout, -1 on error. */
static inline int
poll_one(int fd, short events, int timeout)
{
	struct pollfd p = { fd, events, 0 };
	int r = poll(&p, 1, timeout);

	if (r < 0)
		return -1;
	return r == 0 ? 0 : p.revents;
}

/* "IN OUT ERR HUP RDHUP NVAL" as set in r; "none", or "error" for r < 0. */
static inline const char *
revents_str(int r)
{
	static char text[64];

	if (r < 0)
		return "error";
	text[0] = '\0';
	if (r & POLLIN)
		strcat(text, "IN ");
	if (r & POLLOUT)
		strcat(text, "OUT ");
	if (r & POLLERR)
		strcat(text, "ERR ");
	if (r & POLLHUP)
		strcat(text, "HUP ");
	if (r & POLLRDHUP)
		strcat(text, "RDHUP ");
	if (r & POLLNVAL)
		strcat(text, "NVAL ");
	size_t n = strlen(text);
	if (n == 0)
		return "none";
	text[n - 1] = '\0';
	return text;
}

#endif
