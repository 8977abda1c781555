/*
 * The console: init's own messages, the standard fds init starts with, and
 * handing /dev/console to a child as its controlling terminal.
 * init itself opens the console with O_NOCTTY, so it never owns it and the
 * terminal's signals (Ctrl-C, Ctrl-Z) reach only the foreground child.
 */
#include "init.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

static void
write_all(int fd, const char *buf, size_t len)
{
	ssize_t n;

	while (len > 0) {
		n = write(fd, buf, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return;
		buf += n;
		len -= (size_t)n;
	}
}

/* Writes "init: MESSAGE\n" to stderr, which is the console. */
void
say(const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	int len;

	memcpy(buf, "init: ", 6);
	va_start(ap, fmt);
	len = vsnprintf(buf + 6, sizeof(buf) - 7, fmt, ap);
	va_end(ap);
	if (len < 0)
		return;
	len += 6;
	if (len > (int)sizeof(buf) - 1)
		len = sizeof(buf) - 1;
	buf[len++] = '\n';
	write_all(STDERR_FILENO, buf, (size_t)len);
}

/* Writes raw bytes to stdout, which is the console. */
void
console_write(const char *buf, size_t len)
{
	write_all(STDOUT_FILENO, buf, len);
}

/*
 * Makes fds 0, 1 and 2 the console where the kernel did not open them:
 * open() returns the lowest free fd, so opening until it returns one above
 * 2 fills exactly the missing ones. Returns 0 or a negative errno.
 */
int
console_open_std(void)
{
	int fd;

	for (;;) {
		fd = open(CONSOLE_PATH, O_RDWR | O_NOCTTY);
		if (fd < 0)
			return -errno;
		if (fd > STDERR_FILENO) {
			close(fd);
			return 0;
		}
	}
}

/*
 * In a child that has just called setsid(): makes /dev/console its
 * controlling terminal, its process group the terminal's foreground group,
 * and its fds 0, 1 and 2. Errors are reported and the child goes on.
 */
void
console_take(void)
{
	int fd, i;

	fd = open(CONSOLE_PATH, O_RDWR | O_NOCTTY);
	if (fd < 0) {
		say("%s: %s", CONSOLE_PATH, strerror(errno));
		return;
	}
	/* 1: take the console even from a session that still holds it. */
	if (ioctl(fd, TIOCSCTTY, 1) < 0)
		say("%s: TIOCSCTTY: %s", CONSOLE_PATH, strerror(errno));
	else if (tcsetpgrp(fd, getpid()) < 0)
		say("%s: TIOCSPGRP: %s", CONSOLE_PATH, strerror(errno));
	for (i = STDIN_FILENO; i <= STDERR_FILENO; i++)
		if (fd != i)
			dup2(fd, i);
	if (fd > STDERR_FILENO)
		close(fd);
}
