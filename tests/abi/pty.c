/*
 * Pseudo-terminals: posix_openpt, grantpt, unlockpt, ptsname and the
 * ioctls behind them (TIOCGPTN, TIOCSPTLCK/TIOCGPTLCK, TIOCGPTPEER), the
 * slave node in /dev/pts; the slave's line discipline seen from the
 * master (echo, canonical lines and editing, VEOF, ONLCR, raw mode, VMIN
 * and VTIME); a session on the slave (controlling terminal by open,
 * /dev/tty, ISIG characters and TIOCSIG to the foreground group, window
 * size and SIGWINCH, hangup when the master closes: SIGHUP and SIGCONT,
 * reads 0, writes EIO); EIO on the master once the slave closes; poll
 * and epoll on both ends; 64 KiB each way in raw mode, more than either
 * side buffers, so writers wait for readers.
 *
 * Linux moves master writes to the slave from a work queue, so every
 * read here first polls with a generous timeout; "nothing came" checks
 * wait a short while.
 */
#include "abi.h"

#include <dirent.h>
#include <stdarg.h>
#include <stdbool.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/sysmacros.h>
#include <termios.h>

#define WAIT_MS 3000		/* for what must come */
#define QUIET_MS 100		/* for what must not */

#ifndef TIOCGPTPEER
#define TIOCGPTPEER _IO('T', 0x41)
#endif

/* buf's bytes with control characters shown as \n, \r, \b or ^X. */
static const char *
shown(const char *buf, size_t len)
{
	static char text[512];
	size_t n = 0;

	for (size_t i = 0; i < len && n + 4 < sizeof(text); i++) {
		unsigned char c = (unsigned char)buf[i];
		if (c == '\n' || c == '\r' || c == '\b') {
			text[n++] = '\\';
			text[n++] = c == '\n' ? 'n' : c == '\r' ? 'r' : 'b';
		} else if (c < 0x20 || c == 0x7f) {
			text[n++] = '^';
			text[n++] = (char)(c ^ 0x40);
		} else {
			text[n++] = (char)c;
		}
	}
	text[n] = '\0';
	return text;
}

/* Reads from fd until want bytes came or nothing more came for wait_ms;
 * returns them shown, or the errno of a failed first read. */
static const char *
take(int fd, size_t want, int wait_ms)
{
	char buf[256];
	size_t got = 0;

	while (got < want && got < sizeof(buf)) {
		if (poll_one(fd, POLLIN, wait_ms) <= 0)
			break;
		ssize_t n = read(fd, buf + got, sizeof(buf) - got);
		if (n < 0 && got == 0)
			return errno_name(errno);
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	return shown(buf, got);
}

/* Takes everything the master has now (echo left over by a check). */
static void
drain(int fd)
{
	char buf[256];

	while (poll_one(fd, POLLIN, QUIET_MS) > 0 &&
	    read(fd, buf, sizeof(buf)) > 0)
		;
}

static void
put(int fd, const char *s)
{
	if (write(fd, s, strlen(s)) != (ssize_t)strlen(s))
		printf("write %s: %s\n", shown(s, strlen(s)),
		    errno_name(errno));
}

/* A master opened as programs do (posix_openpt, grantpt, unlockpt) and its
 * slave, opened without becoming the controlling terminal. */
static int
open_pair(int *slave)
{
	int m = posix_openpt(O_RDWR | O_NOCTTY);

	if (m < 0 || grantpt(m) < 0 || unlockpt(m) < 0) {
		printf("cannot open a pty: %s\n", errno_name(errno));
		exit(1);
	}
	*slave = open(ptsname(m), O_RDWR | O_NOCTTY);
	if (*slave < 0) {
		printf("open %s: %s\n", ptsname(m), errno_name(errno));
		exit(1);
	}
	return m;
}

/* TIOCGPTLCK's answer, or -1. */
static int
lock_state(int m)
{
	int lock;

	return ioctl(m, TIOCGPTLCK, &lock) == 0 ? lock : -1;
}

/* FIONREAD's count once fd polls readable, or -1. */
static int
readable_count(int fd)
{
	int n;

	if (poll_one(fd, POLLIN, WAIT_MS) <= 0 || ioctl(fd, FIONREAD, &n) < 0)
		return -1;
	return n;
}

/* The window size as rows * 1000 + columns, or -1. */
static int
size_of(int fd)
{
	struct winsize ws;

	return ioctl(fd, TIOCGWINSZ, &ws) == 0 ? ws.ws_row * 1000 + ws.ws_col
					       : -1;
}

static bool
devpts_lists(const char *name)
{
	DIR *d = opendir("/dev/pts");
	struct dirent *e;
	bool found = false;

	while (d && (e = readdir(d)) != NULL)
		found |= strcmp(e->d_name, name) == 0;
	if (d)
		closedir(d);
	return found;
}

static void
test_open(void)
{
	char name[64];
	struct stat st;
	unsigned number = 0;
	int m, s, peer;

	m = posix_openpt(O_RDWR | O_NOCTTY);
	CHECK("posix_openpt", m >= 0);
	CHECK_EQ("grantpt", grantpt(m), 0);
	CHECK_EQ("TIOCGPTLCK before unlockpt", lock_state(m), 1);
	snprintf(name, sizeof(name), "%s", ptsname(m));
	CHECK("ptsname is /dev/pts/N", strncmp(name, "/dev/pts/", 9) == 0);
	CHECK_EQ("TIOCGPTN", ioctl(m, TIOCGPTN, &number), 0);
	CHECK("TIOCGPTN is ptsname's N", (unsigned)atoi(name + 9) == number);
	CHECK("devpts lists the slave", devpts_lists(name + 9));
	CHECK_ERR("open a locked slave", open(name, O_RDWR | O_NOCTTY), EIO);
	CHECK_ERR("TIOCGPTPEER while locked", ioctl(m, TIOCGPTPEER,
	    O_RDWR | O_NOCTTY), EIO);
	CHECK_EQ("unlockpt", unlockpt(m), 0);
	CHECK_EQ("TIOCGPTLCK after unlockpt", lock_state(m), 0);

	CHECK_EQ("stat the slave", stat(name, &st), 0);
	CHECK("slave is a character device", S_ISCHR(st.st_mode));
	CHECK_EQ("slave's major", major(st.st_rdev), 136);
	CHECK("slave's minor is N", minor(st.st_rdev) == number);
	CHECK("slave is the caller's", st.st_uid == getuid());
	s = open(name, O_RDWR | O_NOCTTY);
	CHECK("open the slave", s >= 0);
	CHECK_EQ("isatty(master)", isatty(m), 1);
	CHECK_EQ("isatty(slave)", isatty(s), 1);
	CHECK("ttyname(slave) is ptsname", ttyname(s) && strcmp(ttyname(s),
	    name) == 0);
	CHECK_ERR("TIOCGPTN on the slave", ioctl(s, TIOCGPTN, &number), ENOTTY);

	peer = ioctl(m, TIOCGPTPEER, O_RDWR | O_NOCTTY);
	CHECK("TIOCGPTPEER", peer >= 0);
	struct stat pst;
	CHECK("TIOCGPTPEER opens the same slave",
	    fstat(peer, &pst) == 0 && pst.st_rdev == st.st_rdev);
	put(peer, "peer\n");
	CHECK_STR("master reads the peer", take(m, 6, WAIT_MS), "peer\\r\\n");

	int null = open("/dev/null", O_RDWR);
	errno = 0;
	CHECK("ptsname of /dev/null", ptsname(null) == NULL && errno == ENOTTY);
	/* unlockpt's ioctl itself: glibc's wrapper turns ENOTTY into EINVAL,
	 * musl's does not. */
	int unlock = 0;
	CHECK_ERR("unlockpt of /dev/null", ioctl(null, TIOCSPTLCK, &unlock),
		  ENOTTY);
	close(null);

	close(peer);
	close(s);
	close(m);
	CHECK_ERR("the slave node goes with the pair", stat(name, &st), ENOENT);
	CHECK("devpts no longer lists it", !devpts_lists(name + 9));
}

static void
test_lines(void)
{
	struct termios tio, raw;
	int s, m = open_pair(&s);
	char c;

	put(m, "hello\n");
	CHECK_STR("slave reads a line", take(s, 6, WAIT_MS), "hello\\n");
	CHECK_STR("master reads the echo", take(m, 7, WAIT_MS), "hello\\r\\n");

	put(m, "ab\x7f" "c\r");
	CHECK_STR("erase and CR to NL", take(s, 3, WAIT_MS), "ac\\n");
	CHECK_STR("echo of the erase", take(m, 9, WAIT_MS), "ab\\b \\bc\\r\\n");

	put(m, "partial");
	CHECK_STR("no line yet", revents_str(poll_one(s, POLLIN, QUIET_MS)),
	    "none");
	CHECK_STR("partial line echoed", take(m, 7, WAIT_MS), "partial");
	put(m, "\x15" "x\n");
	CHECK_STR("VKILL dropped the partial line", take(s, 2, WAIT_MS),
	    "x\\n");
	drain(m);

	put(m, "\x04");
	CHECK_EQ("VEOF at the start of a line reads 0",
	    poll_one(s, POLLIN, WAIT_MS) > 0 ? read(s, &c, 1) : -2, 0);
	put(m, "ab\x04");
	CHECK_STR("VEOF ends a line without NL", take(s, 2, WAIT_MS), "ab");
	drain(m);

	put(s, "out\n");
	CHECK_STR("ONLCR on slave output", take(m, 5, WAIT_MS), "out\\r\\n");
	put(m, "ready\n");
	CHECK_EQ("FIONREAD on the slave", readable_count(s), 6);
	CHECK_STR("the line FIONREAD counted", take(s, 6, WAIT_MS), "ready\\n");
	drain(m);
	put(s, "abc");
	CHECK_EQ("FIONREAD on the master", readable_count(m), 3);
	drain(m);

	fcntl(m, F_SETFL, O_NONBLOCK);
	CHECK_ERR("empty master, O_NONBLOCK", read(m, &c, 1), EAGAIN);
	fcntl(m, F_SETFL, 0);

	tcgetattr(s, &tio);
	raw = tio;
	cfmakeraw(&raw);
	CHECK_EQ("tcsetattr raw", tcsetattr(s, TCSANOW, &raw), 0);
	struct termios seen;
	tcgetattr(m, &seen);
	CHECK("the master's tcgetattr is the slave's",
	    seen.c_lflag == raw.c_lflag);
	put(m, "\x03z");
	CHECK_STR("raw input: no signal, no echo", take(s, 2, WAIT_MS), "^Cz");
	CHECK_STR("nothing echoed", revents_str(poll_one(m, POLLIN, QUIET_MS)),
	    "none");
	put(s, "a\nb");
	CHECK_STR("raw output: no ONLCR", take(m, 3, WAIT_MS), "a\\nb");

	raw.c_cc[VMIN] = 0;
	raw.c_cc[VTIME] = 0;
	tcsetattr(s, TCSANOW, &raw);
	CHECK_EQ("VMIN 0 VTIME 0 reads 0 at once", read(s, &c, 1), 0);
	raw.c_cc[VTIME] = 2;
	tcsetattr(s, TCSANOW, &raw);
	long long start = abi_now_ms();
	CHECK_EQ("VTIME 2 reads 0 after a while", read(s, &c, 1), 0);
	long long took = abi_now_ms() - start;
	CHECK("waited about 200ms", took >= 150 && took < 5000);
	raw.c_cc[VMIN] = 3;
	raw.c_cc[VTIME] = 0;
	tcsetattr(s, TCSANOW, &raw);
	put(m, "12");
	CHECK_STR("VMIN 3: two bytes do not poll ready",
	    revents_str(poll_one(s, POLLIN, QUIET_MS)), "none");
	put(m, "3");
	CHECK_STR("VMIN 3: the third does", take(s, 3, WAIT_MS), "123");

	tcsetattr(s, TCSANOW, &tio);
	close(s);
	close(m);
}

static void
test_winsize(void)
{
	struct winsize ws = { .ws_row = 33, .ws_col = 101 };
	int s, m = open_pair(&s);

	CHECK_EQ("TIOCSWINSZ on the slave", ioctl(s, TIOCSWINSZ, &ws), 0);
	CHECK_EQ("TIOCGWINSZ on the master", size_of(m), 33101);
	ws.ws_row = 40;
	CHECK_EQ("TIOCSWINSZ on the master", ioctl(m, TIOCSWINSZ, &ws), 0);
	CHECK_EQ("TIOCGWINSZ on the slave", size_of(s), 40101);
	CHECK_ERR("TIOCGPGRP on a slave that is not ours", tcgetpgrp(s),
	    ENOTTY);
	close(s);
	close(m);
}

static void
test_poll(void)
{
	int s, m = open_pair(&s);
	struct epoll_event ev = { .events = EPOLLIN }, out;

	CHECK_STR("idle master", revents_str(poll_one(m, POLLIN | POLLOUT, 0)),
	    "OUT");
	CHECK_STR("idle slave", revents_str(poll_one(s, POLLIN | POLLOUT, 0)),
	    "OUT");
	put(s, "x");
	CHECK_STR("master after a slave write",
	    revents_str(poll_one(m, POLLIN | POLLOUT, WAIT_MS)), "IN OUT");
	drain(m);

	int ep = epoll_create1(0);
	epoll_ctl(ep, EPOLL_CTL_ADD, m, &ev);
	CHECK_EQ("epoll: master idle", epoll_wait(ep, &out, 1, 0), 0);
	pid_t pid = abi_fork();
	if (pid == 0) {
		abi_sleep_ms(30);
		put(s, "late");
		_exit(0);
	}
	CHECK_EQ("epoll: woken by the slave's writer", epoll_wait(ep, &out, 1,
	    WAIT_MS), 1);
	CHECK_STR("status of the writer", status_str(abi_wait(pid)),
	    "exited 0");
	CHECK_STR("what it wrote", take(m, 4, WAIT_MS), "late");
	close(ep);

	pid = abi_fork();
	if (pid == 0) {
		abi_sleep_ms(30);
		put(m, "line\n");
		_exit(0);
	}
	CHECK_STR("slave poll woken by a line", revents_str(poll_one(s, POLLIN,
	    WAIT_MS)), "IN");
	CHECK_STR("status of the typist", status_str(abi_wait(pid)),
	    "exited 0");
	CHECK_STR("the line", take(s, 5, WAIT_MS), "line\\n");
	drain(m);

	/* The slave closes: what it wrote can still be read, then EIO. */
	put(s, "bye\n");
	close(s);
	CHECK_STR("master keeps the slave's last words", take(m, 5, WAIT_MS),
	    "bye\\r\\n");
	CHECK_STR("master once the slave closed",
	    revents_str(poll_one(m, POLLIN | POLLOUT, 0)), "OUT HUP");
	char c;
	CHECK_ERR("master read once the slave closed", read(m, &c, 1), EIO);
	s = open(ptsname(m), O_RDWR | O_NOCTTY);
	CHECK("the slave opens again", s >= 0);
	CHECK_STR("master once it is open again",
	    revents_str(poll_one(m, POLLIN | POLLOUT, 0)), "OUT");
	close(s);
	close(m);
}

/* Moves len bytes from writer to reader in a child; returns what came. */
static size_t
pump(int writer, int reader, size_t len)
{
	static char buf[65536];
	size_t got = 0;

	pid_t pid = abi_fork();
	if (pid == 0) {
		memset(buf, 'q', sizeof(buf));
		for (size_t done = 0; done < len;) {
			size_t want = len - done < 5000 ? len - done : 5000;
			ssize_t n = write(writer, buf, want);
			if (n <= 0)
				_exit(1);
			done += (size_t)n;
		}
		_exit(0);
	}
	while (got < len && poll_one(reader, POLLIN, WAIT_MS) > 0) {
		ssize_t n = read(reader, buf, sizeof(buf));
		if (n <= 0)
			break;
		for (ssize_t i = 0; i < n; i++)
			if (buf[i] != 'q')
				return 0;
		got += (size_t)n;
	}
	CHECK_STR("status of the pump", status_str(abi_wait(pid)), "exited 0");
	return got;
}

static void
test_bulk(void)
{
	struct termios raw;
	int s, m = open_pair(&s);

	tcgetattr(s, &raw);
	cfmakeraw(&raw);
	tcsetattr(s, TCSANOW, &raw);
	CHECK_EQ("64 KiB slave to master", pump(s, m, 65536), 65536);
	CHECK_EQ("64 KiB master to slave", pump(m, s, 65536), 65536);
	close(s);
	close(m);
}

/* The session test's child reports through this pipe, one line each. */
static int report_fd;

static void
report(const char *fmt, ...)
{
	char line[128];
	va_list ap;

	va_start(ap, fmt);
	int n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (write(report_fd, line, (size_t)n) < 0)
		_exit(99);
}

static void
on_signal(int sig)
{
	static const char *const names[] = {
		[SIGHUP] = "SIGHUP", [SIGINT] = "SIGINT", [SIGQUIT] = "SIGQUIT",
		[SIGTSTP] = "SIGTSTP", [SIGWINCH] = "SIGWINCH",
		[SIGCONT] = "SIGCONT",
	};
	char line[32];
	size_t n = strlen(names[sig]);

	memcpy(line, "signal ", 7);
	memcpy(line + 7, names[sig], n);
	line[7 + n] = '\n';
	if (write(report_fd, line, 8 + n) < 0)
		_exit(99);
}

/* The child: a session leader whose terminal is the slave. */
static void __attribute__((noreturn))
session_child(const char *name, int go)
{
	static const int sigs[] = { SIGHUP, SIGINT, SIGQUIT, SIGTSTP, SIGWINCH,
	    SIGCONT };
	struct sigaction sa = { .sa_handler = on_signal };
	char cmd, c;

	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaction(sigs[i], &sa, NULL);
	setsid();
	int other = posix_openpt(O_RDWR | O_NOCTTY);
	unlockpt(other);
	int s2 = open(ptsname(other), O_RDWR | O_NOCTTY);
	report("O_NOCTTY leaves it no ctty: %s\n",
	    tcgetpgrp(s2) < 0 ? errno_name(errno) : "taken");
	close(s2);
	int s = open(name, O_RDWR);
	report("pgrp is mine: %d\n", tcgetpgrp(s) == getpid());
	report("sid is mine: %d\n", tcgetsid(s) == getpid());
	int t = open("/dev/tty", O_RDWR);
	report("open /dev/tty: %s\n", t >= 0 ? "ok" : errno_name(errno));
	put(t, "via-tty\n");
	close(t);
	unlockpt(other);
	s2 = open(ptsname(other), O_RDWR);
	report("a second terminal stays no ctty: %s\n",
	    ioctl(s2, TIOCSCTTY, 0) < 0 ? errno_name(errno) : "taken");
	close(s2);
	close(other);
	report("ready\n");
	while (read(go, &cmd, 1) != 1)
		;	/* a signal's handler ran */
	ssize_t r = read(s, &c, 1);
	report("read after hangup: %ld\n", (long)r);
	r = write(s, "x", 1);
	report("write after hangup: %s\n",
	    r < 0 ? errno_name(errno) : "written");
	report("poll after hangup: %s\n", revents_str(poll_one(s,
	    POLLIN | POLLOUT, 0)));
	report("tcgetpgrp after hangup: %s\n",
	    tcgetpgrp(s) < 0 ? errno_name(errno) : "a group");
	t = open("/dev/tty", O_RDWR);
	report("open /dev/tty after hangup: %s\n",
	    t >= 0 ? "ok" : errno_name(errno));
	_exit(0);
}

/* The child's next line (its report of what happened), into line. */
static void
next_report(int fd, char *line, size_t size)
{
	size_t n = 0;

	while (n + 1 < size) {
		if (poll_one(fd, POLLIN, WAIT_MS) <= 0 ||
		    read(fd, line + n, 1) != 1)
			break;
		if (line[n] == '\n')
			break;
		n++;
	}
	line[n] = '\0';
}

static void
expect_report(int fd, const char *want)
{
	char line[128];

	next_report(fd, line, sizeof(line));
	CHECK_STR("child", line, want);
}

/* Two signals sent together: Linux runs the later one's handler first
 * (it nests the frames), so either order passes. */
static void
expect_two_signals(int fd, const char *first, const char *second)
{
	char a[100], b[100], both[256];

	next_report(fd, a, sizeof(a));
	next_report(fd, b, sizeof(b));
	snprintf(both, sizeof(both), "%s, %s", strcmp(a, b) < 0 ? a : b,
	    strcmp(a, b) < 0 ? b : a);
	char want[256];
	snprintf(want, sizeof(want), "%s, %s", first, second);
	CHECK_STR("child", both, want);
}

static void
test_session(void)
{
	int report_pipe[2], go_pipe[2];
	int m = posix_openpt(O_RDWR | O_NOCTTY);
	char name[64];

	grantpt(m);
	unlockpt(m);
	snprintf(name, sizeof(name), "%s", ptsname(m));
	pipe(report_pipe);
	pipe(go_pipe);
	pid_t pid = abi_fork();
	if (pid == 0) {
		close(m);	/* the master's last close is the hangup */
		close(report_pipe[0]);
		close(go_pipe[1]);
		report_fd = report_pipe[1];
		session_child(name, go_pipe[0]);
	}
	close(report_pipe[1]);
	close(go_pipe[0]);
	int from = report_pipe[0];
	expect_report(from, "O_NOCTTY leaves it no ctty: ENOTTY");
	expect_report(from, "pgrp is mine: 1");
	expect_report(from, "sid is mine: 1");
	expect_report(from, "open /dev/tty: ok");
	expect_report(from, "a second terminal stays no ctty: EPERM");
	expect_report(from, "ready");
	CHECK_STR("written through /dev/tty", take(m, 9, WAIT_MS),
	    "via-tty\\r\\n");

	put(m, "\x03");
	expect_report(from, "signal SIGINT");
	CHECK_STR("^C echoed", take(m, 2, WAIT_MS), "^C");
	put(m, "\x1c");
	expect_report(from, "signal SIGQUIT");
	put(m, "\x1a");
	expect_report(from, "signal SIGTSTP");
	CHECK_EQ("TIOCSIG SIGINT", ioctl(m, TIOCSIG, SIGINT), 0);
	expect_report(from, "signal SIGINT");
	CHECK_ERR("TIOCSIG SIGKILL", ioctl(m, TIOCSIG, SIGKILL), EINVAL);
	struct winsize ws = { .ws_row = 30, .ws_col = 100 };
	CHECK_EQ("TIOCSWINSZ on the master", ioctl(m, TIOCSWINSZ, &ws), 0);
	expect_report(from, "signal SIGWINCH");
	CHECK_EQ("TIOCSWINSZ, the same size", ioctl(m, TIOCSWINSZ, &ws), 0);
	CHECK_STR("no SIGWINCH for the same size",
	    revents_str(poll_one(from, POLLIN, QUIET_MS)), "none");
	pid_t fg = -1;
	CHECK("TIOCGPGRP through the master is the child",
	    ioctl(m, TIOCGPGRP, &fg) == 0 && fg == pid);
	drain(m);

	close(m);
	expect_two_signals(from, "signal SIGCONT", "signal SIGHUP");
	if (write(go_pipe[1], "h", 1) != 1)
		printf("write go: %s\n", errno_name(errno));
	expect_report(from, "read after hangup: 0");
	expect_report(from, "write after hangup: EIO");
	expect_report(from, "poll after hangup: IN OUT ERR HUP");
	expect_report(from, "tcgetpgrp after hangup: EIO");
	expect_report(from, "open /dev/tty after hangup: ENXIO");
	CHECK_STR("child's status", status_str(abi_wait(pid)), "exited 0");
	close(from);
	close(go_pipe[1]);
}

int
main(void)
{
	abi_init();
	test_open();
	test_lines();
	test_winsize();
	test_poll();
	test_bulk();
	test_session();
	return abi_done("pty");
}
