/*
 * Messages, the access log (Common Log Format) and the clock the two
 * formats of dates come from. Access lines are buffered and written once
 * per turn of the event loop, so a busy server makes few log writes.
 */
#include "httpd.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define LOG_BUF_SIZE 16384

static int log_fd = STDERR_FILENO;
static char log_buf[LOG_BUF_SIZE];
static size_t log_len;

static time_t log_now = -1;
static char log_http_now[128];	/* "Sun, 06 Nov 1994 08:49:37 GMT" */
static char log_clf_now[128];	/* "06/Nov/1994:08:49:37 +0000" */

static const char log_days[7][4] = {
	"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat",
};
static const char log_months[12][4] = {
	"Jan", "Feb", "Mar", "Apr", "May", "Jun",
	"Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
};

static void
write_all(int fd, const char *buf, size_t len)
{
	ssize_t n;

	while (len > 0) {
		n = write(fd, buf, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return;	/* a log that fails loses lines, no more */
		buf += n;
		len -= (size_t)n;
	}
}

/* Writes "httpd: MESSAGE\n" to stderr, unbuffered. */
void
say(const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	int len;

	memcpy(buf, "httpd: ", 7);
	va_start(ap, fmt);
	len = vsnprintf(buf + 7, sizeof(buf) - 8, fmt, ap);
	va_end(ap);
	if (len < 0)
		return;
	len += 7;
	if (len > (int)sizeof(buf) - 1)
		len = sizeof(buf) - 1;
	buf[len++] = '\n';
	write_all(STDERR_FILENO, buf, (size_t)len);
}

/*
 * Sends the access log to path (appending), or to stderr when path is
 * NULL; called again, reopens it (SIGHUP, after a rotation). Returns 0 or
 * a negative errno, keeping the old log then.
 */
int
log_open(const char *path)
{
	int fd;

	if (path == NULL)
		return 0;
	fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	log_flush();
	if (log_fd != STDERR_FILENO)
		close(log_fd);
	log_fd = fd;
	return 0;
}

/* Writes the buffered access lines out. */
void
log_flush(void)
{
	write_all(log_fd, log_buf, log_len);
	log_len = 0;
}

/* Formats an IMF-fixdate (RFC 9110, 5.6.7), as Date and Last-Modified. */
void
log_format_http_date(int64_t seconds, char *buf, size_t size)
{
	time_t t = (time_t)seconds;
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL) {
		snprintf(buf, size, "Thu, 01 Jan 1970 00:00:00 GMT");
		return;
	}
	snprintf(buf, size, "%s, %02d %s %04d %02d:%02d:%02d GMT",
	    log_days[tm.tm_wday % 7], tm.tm_mday, log_months[tm.tm_mon % 12],
	    tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

/* Reads the clock; the loop calls it once per turn. */
void
log_tick(void)
{
	time_t now = time(NULL);
	struct tm tm;

	if (now == log_now)
		return;
	log_now = now;
	log_format_http_date(now, log_http_now, sizeof(log_http_now));
	if (gmtime_r(&now, &tm) == NULL)
		memset(&tm, 0, sizeof(tm));
	snprintf(log_clf_now, sizeof(log_clf_now),
	    "%02d/%s/%04d:%02d:%02d:%02d +0000", tm.tm_mday,
	    log_months[tm.tm_mon % 12], tm.tm_year + 1900, tm.tm_hour,
	    tm.tm_min, tm.tm_sec);
}

/* Returns the current time as an HTTP date, as of the last log_tick(). */
const char *
log_http_date(void)
{
	if (log_now == -1)
		log_tick();
	return log_http_now;
}

/*
 * Adds one Common Log Format line for the response c just finished:
 *   host ident authuser [date] "request line" status bytes
 */
void
log_access(const struct conn *c)
{
	char line[512];
	char bytes[24] = "-";
	int len;

	if (config.quiet)
		return;
	if (log_now == -1)
		log_tick();
	if (c->body_bytes > 0)
		snprintf(bytes, sizeof(bytes), "%lld",
		    (long long)c->body_bytes);
	len = snprintf(line, sizeof(line), "%s - - [%s] \"%s\" %d %s\n",
	    c->peer, log_clf_now, c->req.line[0] ? c->req.line : "-",
	    c->status, bytes);
	if (len < 0)
		return;
	if ((size_t)len >= sizeof(line)) {
		len = sizeof(line) - 1;
		line[len - 1] = '\n';
	}
	if (log_len + (size_t)len > sizeof(log_buf))
		log_flush();
	memcpy(log_buf + log_len, line, (size_t)len);
	log_len += (size_t)len;
}
