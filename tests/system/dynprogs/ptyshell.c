/*
 * Drives an interactive BusyBox shell on a pseudo-terminal, as sshd or
 * script would: posix_openpt, grantpt, unlockpt and ptsname from the C
 * library it is built with (glibc and musl, mk/systest.mk), the shell a
 * session leader whose controlling terminal is the slave. Types commands
 * at the master and reads the screen back: tty, stty size after a
 * TIOCSWINSZ, Ctrl-C of a foreground job, Ctrl-Z and the job's stop, then
 * exit, after which the master reads EIO. Prints "ptyshell: ok WHAT" per
 * check and "ptyshell: all passed", or a FAIL line; exit status 0 when
 * every check passed.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#define WAIT_MS 20000	/* TCG is slow; checks that pass are fast */

static int master = -1;
static char screen[65536];	/* everything the master read, NUL-ended */
static size_t seen, checked;	/* bytes read; bytes already matched */
static int failures;

static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Reads the master until text shows after what earlier checks matched;
 * returns 1 when it did, 0 on timeout, -errno when the read failed. */
static int
wait_for(const char *text)
{
	long long end = now_ms() + WAIT_MS;

	for (;;) {
		char *at = strstr(screen + checked, text);
		if (at) {
			checked = (size_t)(at - screen) + strlen(text);
			return 1;
		}
		long long left = end - now_ms();
		struct pollfd p = { master, POLLIN, 0 };
		if (left <= 0 || poll(&p, 1, (int)left) <= 0)
			return 0;
		ssize_t n = read(master, screen + seen,
		    sizeof(screen) - 1 - seen);
		if (n < 0)
			return -errno;
		if (n == 0)
			return 0;
		seen += (size_t)n;
		screen[seen] = '\0';
	}
}

static void
check(const char *what, int ok)
{
	if (ok > 0) {
		printf("ptyshell: ok %s\n", what);
		return;
	}
	failures++;
	printf("ptyshell: FAIL %s (screen since the last match: %s)\n", what,
	    screen + checked);
}

static void
type(const char *keys)
{
	if (write(master, keys, strlen(keys)) != (ssize_t)strlen(keys))
		printf("ptyshell: write to the master: %s\n", strerror(errno));
}

static pid_t
start_shell(const char *slave)
{
	pid_t pid = fork();

	if (pid != 0)
		return pid;
	close(master);
	setsid();
	int s = open(slave, O_RDWR);	/* the controlling terminal now */
	if (s < 0)
		_exit(111);
	dup2(s, 0);
	dup2(s, 1);
	dup2(s, 2);
	if (s > 2)
		close(s);
	setenv("PS1", "psh$ ", 1);
	setenv("TERM", "linux", 1);
	execl("/bin/sh", "sh", "-i", (char *)NULL);
	_exit(127);
}

int
main(void)
{
	struct winsize ws = { .ws_row = 40, .ws_col = 120 };
	char slave[64], want[80];
	int status;

	setvbuf(stdout, NULL, _IOLBF, 0);
	master = posix_openpt(O_RDWR | O_NOCTTY);
	check("posix_openpt", master >= 0);
	check("grantpt", grantpt(master) == 0);
	check("unlockpt", unlockpt(master) == 0);
	const char *name = ptsname(master);
	check("ptsname", name && strncmp(name, "/dev/pts/", 9) == 0);
	if (failures)
		return 1;
	snprintf(slave, sizeof(slave), "%s", name);
	ioctl(master, TIOCSWINSZ, &ws);

	pid_t shell = start_shell(slave);
	check("the shell prompts", wait_for("psh$ "));
	type("tty\n");
	snprintf(want, sizeof(want), "\r\n%s\r\n", slave);
	check("tty names the slave", wait_for(want));
	type("stty size\n");
	check("stty size is the master's TIOCSWINSZ",
	    wait_for("\r\n40 120\r\n"));
	ws.ws_row = 50;
	ws.ws_col = 132;
	ioctl(master, TIOCSWINSZ, &ws);
	type("stty size\n");
	check("a new size shows", wait_for("\r\n50 132\r\n"));
	type("echo $((6*7))\n");
	check("the shell computes", wait_for("\r\n42\r\n"));

	type("sleep 100\n");
	check("sleep starts", wait_for("sleep 100\r\n"));
	usleep(500000);
	type("\003");
	check("^C echoed", wait_for("^C"));
	check("the prompt is back", wait_for("psh$ "));
	type("echo st=$?\n");
	check("sleep died of SIGINT", wait_for("\r\nst=130\r\n"));

	type("sleep 100\n");
	check("sleep starts again", wait_for("sleep 100\r\n"));
	usleep(500000);
	type("\032");
	check("^Z stops the job", wait_for("Stopped"));
	type("kill -9 %1; wait; echo killed\n");
	check("the stopped job is killed", wait_for("\r\nkilled\r\n"));
	type("jobs\n");	/* ash forgets the job once it reported it */
	check("jobs reports it", wait_for("Killed"));

	type("exit\n");
	int r = wait_for("never printed");
	check("the master reads EIO once the shell is gone", r == -EIO);
	if (r != -EIO)
		kill(shell, SIGKILL);
	check("the shell exits 0",
	    waitpid(shell, &status, 0) == shell && WIFEXITED(status) &&
	    WEXITSTATUS(status) == 0);
	close(master);
	if (failures)
		return 1;
	printf("ptyshell: all passed\n");
	return 0;
}
