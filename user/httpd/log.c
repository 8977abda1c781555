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
#define LOG_LINE_MAX 512	/* bytes of one access line, newline included */

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

/* Appends the time of day of tm as "08:49:37". */
static void
log_add_clock(struct strbuf *sb, const struct tm *tm)
{
	strbuf_uint_pad(sb, (unsigned)tm->tm_hour, 2);
	strbuf_str(sb, ":");
	strbuf_uint_pad(sb, (unsigned)tm->tm_min, 2);
	strbuf_str(sb, ":");
	strbuf_uint_pad(sb, (unsigned)tm->tm_sec, 2);
}

/* Formats an IMF-fixdate (RFC 9110, 5.6.7), as Date and Last-Modified. */
void
log_format_http_date(int64_t seconds, char *buf, size_t size)
{
	struct strbuf sb = { buf, 0, size };
	time_t t = (time_t)seconds;
	struct tm tm;

	/* Before year 0 the year would need a sign: show the epoch. */
	if (gmtime_r(&t, &tm) == NULL || tm.tm_year < -1900) {
		strbuf_str(&sb, "Thu, 01 Jan 1970 00:00:00 GMT");
		buf[sb.len] = '\0';
		return;
	}
	strbuf_add(&sb, log_days[tm.tm_wday % 7], 3);
	strbuf_str(&sb, ", ");
	strbuf_uint_pad(&sb, (unsigned)tm.tm_mday, 2);
	strbuf_str(&sb, " ");
	strbuf_add(&sb, log_months[tm.tm_mon % 12], 3);
	strbuf_str(&sb, " ");
	strbuf_uint_pad(&sb, (unsigned)tm.tm_year + 1900, 4);
	strbuf_str(&sb, " ");
	log_add_clock(&sb, &tm);
	strbuf_str(&sb, " GMT");
	buf[sb.len] = '\0';
}

/* Formats the Common Log Format date, "06/Nov/1994:08:49:37 +0000". */
static void
log_format_clf_date(time_t t, char *buf, size_t size)
{
	struct strbuf sb = { buf, 0, size };
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL || tm.tm_year < -1900)
		memset(&tm, 0, sizeof(tm));
	strbuf_uint_pad(&sb, (unsigned)tm.tm_mday, 2);
	strbuf_str(&sb, "/");
	strbuf_add(&sb, log_months[tm.tm_mon % 12], 3);
	strbuf_str(&sb, "/");
	strbuf_uint_pad(&sb, (unsigned)tm.tm_year + 1900, 4);
	strbuf_str(&sb, ":");
	log_add_clock(&sb, &tm);
	strbuf_str(&sb, " +0000");
	buf[sb.len] = '\0';
}

/* Reads the clock; the loop calls it once per turn. */
void
log_tick(void)
{
	time_t now = time(NULL);

	if (now == log_now)
		return;
	log_now = now;
	log_format_http_date(now, log_http_now, sizeof(log_http_now));
	log_format_clf_date(now, log_clf_now, sizeof(log_clf_now));
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
 * straight into the buffer; a line longer than LOG_LINE_MAX is cut and
 * still ends in a newline.
 */
void
log_access(const struct conn *c)
{
	struct strbuf sb;

	if (config.quiet)
		return;
	if (log_now == -1)
		log_tick();
	if (log_len + LOG_LINE_MAX > sizeof(log_buf))
		log_flush();
	sb = (struct strbuf){ log_buf + log_len, 0, LOG_LINE_MAX };
	strbuf_str(&sb, c->peer);
	strbuf_str(&sb, " - - [");
	strbuf_str(&sb, log_clf_now);
	strbuf_str(&sb, "] \"");
	strbuf_str(&sb, c->req.line[0] ? c->req.line : "-");
	strbuf_str(&sb, "\" ");
	strbuf_uint(&sb, (unsigned)c->status);
	strbuf_str(&sb, " ");
	if (c->body_bytes > 0)
		strbuf_uint(&sb, (uint64_t)c->body_bytes);
	else
		strbuf_str(&sb, "-");
	strbuf_str(&sb, "\n");
	if (sb.len == LOG_LINE_MAX - 1)
		sb.data[sb.len - 1] = '\n';
	log_len += sb.len;
}
