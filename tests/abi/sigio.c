/*
 * Signal-driven I/O: F_SETOWN/F_GETOWN (a pid, a process group), the _EX
 * forms, F_SETSIG/F_GETSIG and their argument checks; O_ASYNC by F_SETFL
 * and by ioctl FIOASYNC (ENOTTY on a regular file, and F_SETFL's flag
 * ignored); SIGIO with SI_KERNEL,
 * or the F_SETSIG signal with si_code POLL_IN/POLL_OUT, si_fd and
 * si_band, on a pipe's read and write ends, a socketpair, a TCP listener
 * and a TCP connection; a group owner; and Linux's sigio_perm (an owner
 * set by an unprivileged user cannot signal root).
 */
#include "abi.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>

#define NOBODY 65534
#define NO_SUCH_PID 0x7ffffff0

static volatile sig_atomic_t sigio_count, sigio_code;

static void
on_sigio(int sig, siginfo_t *si, void *ctx)
{
	(void)sig;
	(void)ctx;
	sigio_count++;
	sigio_code = si->si_code;
}

static const char *
code_name(int code)
{
	static char text[32];
	static const char *poll[] = { "?", "POLL_IN", "POLL_OUT", "POLL_MSG",
				      "POLL_ERR", "POLL_PRI", "POLL_HUP" };

	if (code >= POLL_IN && code <= POLL_HUP)
		return poll[code];
	if (code == SI_KERNEL)
		return "SI_KERNEL";
	if (code == SI_SIGIO)
		return "SI_SIGIO";
	snprintf(text, sizeof(text), "code %d", code);
	return text;
}

static void
block(int sig)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, sig);
	sigprocmask(SIG_BLOCK, &set, NULL);
}

/*
 * Takes one pending sig, waiting up to ms: "POLL_IN fd=ok band=0x41"
 * (fd=ok when si_fd is fd), or "none".
 */
static const char *
take(int sig, int fd, int ms)
{
	static char text[96];
	sigset_t set;
	siginfo_t si;
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	sigemptyset(&set);
	sigaddset(&set, sig);
	int r = sigtimedwait(&set, &si, &ts);
	if (r == -1)
		return errno == EAGAIN ? "none" : errno_name(errno);
	snprintf(text, sizeof(text), "%s %s fd=%s band=%#lx", signal_name(r),
	    code_name(si.si_code), si.si_fd == fd ? "ok" : "other",
	    (long)si.si_band);
	return text;
}

static void
drain(int sig)
{
	while (strcmp(take(sig, -1, 0), "none") != 0)
		;
}

/* Turns signal-driven I/O on for fd: owner, signal, O_ASYNC. */
static void
async_on(int fd, int sig)
{
	fcntl(fd, F_SETOWN, getpid());
	fcntl(fd, F_SETSIG, sig);
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_ASYNC | O_NONBLOCK);
}

static void
wait_for_exit(int fd)
{
	char c;

	read(fd, &c, 1);
	_exit(0);
}

static void
test_owner(void)
{
	int p[2], go[2];
	struct f_owner_ex ex;

	pipe(p);
	CHECK_EQ("F_GETOWN at first", fcntl(p[0], F_GETOWN), 0);
	CHECK_EQ("F_GETSIG at first", fcntl(p[0], F_GETSIG), 0);
	memset(&ex, 0xff, sizeof(ex));
	CHECK_EQ("F_GETOWN_EX at first", fcntl(p[0], F_GETOWN_EX, &ex), 0);
	CHECK("F_GETOWN_EX: type TID, pid 0", ex.type == F_OWNER_TID &&
	    ex.pid == 0);

	CHECK_EQ("F_SETOWN self", fcntl(p[0], F_SETOWN, getpid()), 0);
	CHECK("F_GETOWN is self", fcntl(p[0], F_GETOWN) == getpid());
	fcntl(p[0], F_GETOWN_EX, &ex);
	CHECK("F_GETOWN_EX: type PID, self", ex.type == F_OWNER_PID &&
	    ex.pid == getpid());
	CHECK_EQ("F_SETOWN group", fcntl(p[0], F_SETOWN, -getpgrp()), 0);
	CHECK("F_GETOWN is -group", fcntl(p[0], F_GETOWN) == -getpgrp());
	fcntl(p[0], F_GETOWN_EX, &ex);
	CHECK("F_GETOWN_EX: type PGRP", ex.type == F_OWNER_PGRP &&
	    ex.pid == getpgrp());
	ex.type = F_OWNER_TID;
	ex.pid = (pid_t)syscall(SYS_gettid);
	CHECK_EQ("F_SETOWN_EX thread", fcntl(p[0], F_SETOWN_EX, &ex), 0);
	memset(&ex, 0, sizeof(ex));
	fcntl(p[0], F_GETOWN_EX, &ex);
	CHECK("F_GETOWN_EX: type TID, self", ex.type == F_OWNER_TID &&
	    ex.pid == getpid());
	ex.type = 5;
	CHECK_ERR("F_SETOWN_EX bad type", fcntl(p[0], F_SETOWN_EX, &ex),
	    EINVAL);
	ex.type = F_OWNER_PID;
	ex.pid = NO_SUCH_PID;
	CHECK_ERR("F_SETOWN_EX no such pid", fcntl(p[0], F_SETOWN_EX, &ex),
	    ESRCH);
	CHECK_ERR("F_SETOWN_EX bad pointer",
	    fcntl(p[0], F_SETOWN_EX, (void *)8), EFAULT);
	CHECK_ERR("F_SETOWN no such pid", fcntl(p[0], F_SETOWN, NO_SUCH_PID),
	    ESRCH);
	CHECK_EQ("F_SETOWN 0", fcntl(p[0], F_SETOWN, 0), 0);
	CHECK_EQ("F_GETOWN after 0", fcntl(p[0], F_GETOWN), 0);

	CHECK_ERR("F_SETSIG 65", fcntl(p[0], F_SETSIG, 65), EINVAL);
	CHECK_ERR("F_SETSIG -1", fcntl(p[0], F_SETSIG, -1), EINVAL);
	CHECK_EQ("F_SETSIG SIGRTMIN", fcntl(p[0], F_SETSIG, SIGRTMIN), 0);
	CHECK_STR("F_GETSIG", signal_name(fcntl(p[0], F_GETSIG)),
	    "SIGRTMIN+0");
	CHECK_EQ("F_SETSIG 0", fcntl(p[0], F_SETSIG, 0), 0);

	/* An owner that goes: F_GETOWN says 0 once it is reaped. */
	pipe(go);
	pid_t pid = abi_fork();
	if (pid == 0)
		wait_for_exit(go[0]);
	CHECK_EQ("F_SETOWN child", fcntl(p[0], F_SETOWN, pid), 0);
	CHECK("F_GETOWN is the child", fcntl(p[0], F_GETOWN) == pid);
	write(go[1], "x", 1);
	abi_wait(pid);
	CHECK_EQ("F_GETOWN once it is gone", fcntl(p[0], F_GETOWN), 0);
	close(go[0]);
	close(go[1]);
	close(p[0]);
	close(p[1]);
}

static void
test_regular_file(void)
{
	char path[64];
	int on = 1;

	abi_tmpname(path, sizeof(path), "sigio");
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
	CHECK_ERR("FIOASYNC on a file", ioctl(fd, FIOASYNC, &on), ENOTTY);
	CHECK_EQ("F_SETFL O_ASYNC on a file",
	    fcntl(fd, F_SETFL, O_ASYNC), 0);
	CHECK("but F_GETFL has no O_ASYNC", !(fcntl(fd, F_GETFL) & O_ASYNC));
	close(fd);
	unlink(path);
}

static void
test_pipe(void)
{
	int p[2];
	char buf[4096];
	struct sigaction sa = { .sa_sigaction = on_sigio,
				.sa_flags = SA_SIGINFO };

	sigaction(SIGIO, &sa, NULL);
	pipe(p);
	fcntl(p[0], F_SETOWN, getpid());
	CHECK_EQ("F_SETFL O_ASYNC", fcntl(p[0], F_SETFL, O_ASYNC | O_NONBLOCK),
	    0);
	CHECK("F_GETFL shows O_ASYNC", fcntl(p[0], F_GETFL) & O_ASYNC);
	write(p[1], "x", 1);
	CHECK("SIGIO after a write", sigio_count > 0);
	CHECK_STR("SIGIO si_code", code_name(sigio_code), "SI_KERNEL");
	read(p[0], buf, sizeof(buf));

	/* F_SETSIG: a queued signal that says which fd and why. */
	block(SIGRTMIN + 1);
	fcntl(p[0], F_SETSIG, SIGRTMIN + 1);
	write(p[1], "y", 1);
	CHECK_STR("write", take(SIGRTMIN + 1, p[0], 0),
	    "SIGRTMIN+1 POLL_IN fd=ok band=0x41");
	CHECK_STR("only one", take(SIGRTMIN + 1, p[0], 0), "none");
	write(p[1], "z", 1);
	CHECK_STR("another write while readable",
	    take(SIGRTMIN + 1, p[0], 0), "SIGRTMIN+1 POLL_IN fd=ok band=0x41");
	read(p[0], buf, sizeof(buf));
	CHECK_STR("nothing for a read", take(SIGRTMIN + 1, p[0], 0), "none");

	/* The write end: room again after the pipe was full. */
	block(SIGRTMIN + 2);
	async_on(p[1], SIGRTMIN + 2);
	while (write(p[1], buf, sizeof(buf)) > 0)
		;
	CHECK_STR("nothing while filling", take(SIGRTMIN + 2, p[1], 0),
	    "none");
	drain(SIGRTMIN + 1);
	CHECK_EQ("read a page", read(p[0], buf, sizeof(buf)), 4096);
	CHECK_STR("room to write", take(SIGRTMIN + 2, p[1], 0),
	    "SIGRTMIN+2 POLL_OUT fd=ok band=0x304");

	/* The readers hear of the last writer's close. */
	drain(SIGRTMIN + 1);
	close(p[1]);
	CHECK_STR("writer closed", take(SIGRTMIN + 1, p[0], 0),
	    "SIGRTMIN+1 POLL_IN fd=ok band=0x41");
	close(p[0]);
	signal(SIGIO, SIG_DFL);
}

static void
test_socketpair(void)
{
	int sv[2], on = 1, off = 0;
	char buf[64];

	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	block(SIGRTMIN + 3);
	CHECK_EQ("FIOASYNC on", ioctl(sv[0], FIOASYNC, &on), 0);
	CHECK("F_GETFL shows O_ASYNC", fcntl(sv[0], F_GETFL) & O_ASYNC);
	fcntl(sv[0], F_SETOWN, getpid());
	fcntl(sv[0], F_SETSIG, SIGRTMIN + 3);
	write(sv[1], "ping", 4);
	CHECK_STR("data", take(SIGRTMIN + 3, sv[0], 0),
	    "SIGRTMIN+3 POLL_IN fd=ok band=0x41");
	write(sv[1], "ping", 4);
	CHECK_STR("more data", take(SIGRTMIN + 3, sv[0], 0),
	    "SIGRTMIN+3 POLL_IN fd=ok band=0x41");
	CHECK_EQ("read both", read(sv[0], buf, sizeof(buf)), 8);
	CHECK_STR("nothing for the read", take(SIGRTMIN + 3, sv[0], 0), "none");
	CHECK_EQ("FIOASYNC off", ioctl(sv[0], FIOASYNC, &off), 0);
	CHECK("F_GETFL lost O_ASYNC", !(fcntl(sv[0], F_GETFL) & O_ASYNC));
	write(sv[1], "ping", 4);
	CHECK_STR("nothing once off", take(SIGRTMIN + 3, sv[0], 0), "none");

	/* F_SETSIG with a signal that has codes of its own: SI_SIGIO. */
	read(sv[0], buf, sizeof(buf));
	block(SIGCHLD);
	ioctl(sv[0], FIOASYNC, &on);
	fcntl(sv[0], F_SETSIG, SIGCHLD);
	write(sv[1], "ping", 4);
	CHECK_STR("SIGCHLD as F_SETSIG", take(SIGCHLD, sv[0], 0),
	    "SIGCHLD SI_SIGIO fd=ok band=0x41");
	close(sv[0]);
	close(sv[1]);
}

static void
test_tcp(void)
{
	struct sockaddr_in sin = { .sin_family = AF_INET,
				   .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(sin);
	char buf[64];

	int l = socket(AF_INET, SOCK_STREAM, 0);
	bind(l, (struct sockaddr *)&sin, sizeof(sin));
	listen(l, 4);
	getsockname(l, (struct sockaddr *)&sin, &len);
	block(SIGRTMIN + 4);
	async_on(l, SIGRTMIN + 4);
	int c = socket(AF_INET, SOCK_STREAM, 0);
	CHECK_EQ("connect", connect(c, (struct sockaddr *)&sin, sizeof(sin)),
	    0);
	CHECK_STR("listener: a connection", take(SIGRTMIN + 4, l, 5000),
	    "SIGRTMIN+4 POLL_IN fd=ok band=0x41");
	int s = accept(l, NULL, NULL);
	CHECK("accept", s >= 0);
	drain(SIGRTMIN + 4);

	block(SIGRTMIN + 5);
	async_on(s, SIGRTMIN + 5);
	write(c, "hello", 5);
	CHECK_STR("connection: data", take(SIGRTMIN + 5, s, 5000),
	    "SIGRTMIN+5 POLL_IN fd=ok band=0x41");
	abi_sleep_ms(100);
	CHECK_EQ("read it", read(s, buf, sizeof(buf)), 5);
	close(c);
	close(s);
	close(l);
}

/* In a group of its own, so the group's signal reaches no one else. */
static void
group_child(int unused)
{
	int p[2];

	(void)unused;
	setpgid(0, 0);
	pipe(p);
	block(SIGRTMIN + 6);
	async_on(p[0], SIGRTMIN + 6);
	fcntl(p[0], F_SETOWN, -getpgrp());
	write(p[1], "x", 1);
	printf("group owner: %s\n", take(SIGRTMIN + 6, p[0], 0));
}

/*
 * sigio_perm: the owner's setter, not the writer, must be allowed to
 * signal the owner. Root's setting reaches root; nobody's does not.
 */
static void
perm_child(int parent)
{
	int p[2];

	pipe(p);
	async_on(p[0], SIGRTMIN + 7);
	fcntl(p[0], F_SETOWN, parent);
	write(p[1], "x", 1);
	setresuid(NOBODY, NOBODY, NOBODY);
	fcntl(p[0], F_SETOWN, parent);	/* set again, as nobody */
	write(p[1], "y", 1);
}

static void
test_groups_and_permission(void)
{
	pid_t pid = abi_fork();

	if (pid == 0) {
		group_child(0);
		fflush(stdout);
		_exit(0);
	}
	CHECK_STR("group child", status_str(abi_wait(pid)), "exited 0");

	block(SIGRTMIN + 7);
	pid = abi_fork();
	if (pid == 0) {
		perm_child(getppid());
		_exit(0);
	}
	CHECK_STR("perm child", status_str(abi_wait(pid)), "exited 0");
	CHECK_STR("set by root", take(SIGRTMIN + 7, -1, 0),
	    "SIGRTMIN+7 POLL_IN fd=other band=0x41");
	CHECK_STR("set by nobody", take(SIGRTMIN + 7, -1, 0), "none");
}

int
main(void)
{
	abi_init();
	test_owner();
	test_regular_file();
	test_pipe();
	test_socketpair();
	test_tcp();
	test_groups_and_permission();
	return abi_done("sigio");
}
