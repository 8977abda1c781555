/*
 * HTTP/1.1 request parsing (RFC 9112): the request head, the path of the
 * target and the Range header. No I/O and no global state, so the host
 * unit test (tests/httpd/test_http.c) can feed it anything.
 */
#include "httpd.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

/* RFC 9110 token characters: method and header names. */
static bool
http_is_tchar(unsigned char c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9'))
		return true;
	return c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

/* Control bytes never appear in a head; CR, LF and HT are the exceptions. */
static bool
http_is_bad_ctl(unsigned char c)
{
	return (c < 0x20 && c != '\r' && c != '\n' && c != '\t') || c == 0x7f;
}

/*
 * Returns the length of the head that starts at buf[start] (through its
 * blank line), 0 when the blank line has not arrived yet, or -EBADMSG when
 * a byte seen so far cannot belong to a head: a client speaking TLS or
 * binary to the plain port gets its 400 at once instead of a timeout.
 */
static ssize_t
http_head_end(const char *buf, size_t len, size_t start)
{
	size_t i;

	for (i = start; i < len; i++) {
		if (http_is_bad_ctl((unsigned char)buf[i]))
			return -EBADMSG;
		if (buf[i] != '\n')
			continue;
		if (i + 1 < len && buf[i + 1] == '\n')
			return (ssize_t)(i + 2);
		if (i + 2 < len && buf[i + 1] == '\r' && buf[i + 2] == '\n')
			return (ssize_t)(i + 3);
	}
	return 0;
}

/*
 * Copies the line at src (up to its CR or LF, at most len bytes) for the
 * log, escaping what could fool a reader. One pass: it runs per request.
 */
static void
http_copy_line(char *dst, size_t size, const char *src, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	size_t i, n = 0;
	unsigned char c;

	for (i = 0; i < len && n + 5 < size; i++) {
		c = (unsigned char)src[i];
		if (c - 0x20u < 0x5fu && c != '"' && c != '\\') {
			dst[n++] = (char)c;	/* printable, the usual case */
			continue;
		}
		if (c == '\r' || c == '\n')
			break;
		dst[n++] = '\\';
		dst[n++] = 'x';
		dst[n++] = hex[c >> 4];
		dst[n++] = hex[c & 15];
	}
	dst[n] = '\0';
}

/* Cuts the line starting at p; returns the next line. CR LF or bare LF. */
static char *
http_cut_line(char *p)
{
	char *nl = strchr(p, '\n');

	*nl = '\0';
	if (nl > p && nl[-1] == '\r')
		nl[-1] = '\0';
	return nl + 1;
}

/* Returns 0 or -EBADMSG; method SP target SP HTTP/1.x, exactly. */
static int
http_parse_request_line(char *line, struct http_request *req)
{
	char *sp1, *sp2, *version;
	size_t i;

	sp1 = strchr(line, ' ');
	if (sp1 == NULL || sp1 == line)
		return -EBADMSG;
	for (i = 0; line + i < sp1; i++)
		if (!http_is_tchar((unsigned char)line[i]))
			return -EBADMSG;
	*sp1 = '\0';
	req->target = sp1 + 1;
	sp2 = strchr(req->target, ' ');
	if (sp2 == NULL || sp2 == req->target)
		return -EBADMSG;
	*sp2 = '\0';
	for (i = 0; req->target[i] != '\0'; i++)
		if ((unsigned char)req->target[i] <= ' ' ||
		    (unsigned char)req->target[i] >= 0x7f)
			return -EBADMSG;
	version = sp2 + 1;
	if (strncmp(version, "HTTP/", 5) != 0 || version[5] < '0' ||
	    version[5] > '9' || version[6] != '.' || version[7] < '0' ||
	    version[7] > '9' || version[8] != '\0')
		return -EBADMSG;
	if (version[5] != '1')
		return -EPROTONOSUPPORT;
	req->minor = version[7] - '0';
	if (strcmp(line, "GET") == 0)
		req->method = HTTP_GET;
	else if (strcmp(line, "HEAD") == 0)
		req->method = HTTP_HEAD;
	else
		req->method = HTTP_OTHER;
	return 0;
}

/* Returns 0 or -EBADMSG for a value that is not a decimal length. */
static int
http_parse_length(const char *value, int64_t *length)
{
	int64_t n = 0;

	if (*value == '\0')
		return -EBADMSG;
	for (; *value != '\0'; value++) {
		if (*value < '0' || *value > '9')
			return -EBADMSG;
		if (n > (INT64_MAX - 9) / 10)
			return -EBADMSG;
		n = n * 10 + (*value - '0');
	}
	*length = n;
	return 0;
}

/* Notes the Connection header's close and keep-alive options. */
static void
http_parse_connection(const char *value, bool *close, bool *keep_alive)
{
	size_t len;

	while (*value != '\0') {
		value += strspn(value, " \t,");
		len = strcspn(value, " \t,");
		if (len == 5 && strncasecmp(value, "close", 5) == 0)
			*close = true;
		else if (len == 10 && strncasecmp(value, "keep-alive", 10) == 0)
			*keep_alive = true;
		value += len;
	}
}

struct http_fields {
	bool host, close, keep_alive;
	int64_t length;		/* -1 when absent */
};

/* Splits "name: value"; returns 0 or -EBADMSG. */
static int
http_parse_field(char *line, struct http_request *req,
    struct http_fields *f)
{
	char *colon, *value, *end;
	int64_t length;
	size_t i;

	colon = strchr(line, ':');
	if (colon == NULL || colon == line)
		return -EBADMSG;
	for (i = 0; line + i < colon; i++)
		if (!http_is_tchar((unsigned char)line[i]))
			return -EBADMSG;	/* includes space before ':' */
	*colon = '\0';
	value = colon + 1 + strspn(colon + 1, " \t");
	end = value + strlen(value);
	while (end > value && (end[-1] == ' ' || end[-1] == '\t'))
		end--;
	*end = '\0';
	if (strchr(value, '\r') != NULL)
		return -EBADMSG;	/* a bare CR (RFC 9112, 2.2) */

	if (strcasecmp(line, "Host") == 0) {
		if (f->host)
			return -EBADMSG;
		f->host = true;
	} else if (strcasecmp(line, "Connection") == 0) {
		http_parse_connection(value, &f->close, &f->keep_alive);
	} else if (strcasecmp(line, "Content-Length") == 0) {
		if (http_parse_length(value, &length) < 0)
			return -EBADMSG;
		if (f->length >= 0 && f->length != length)
			return -EBADMSG;
		f->length = length;
	} else if (strcasecmp(line, "Transfer-Encoding") == 0) {
		req->has_body = true;
	} else if (strcasecmp(line, "Range") == 0) {
		req->range = value;
	} else if (strcasecmp(line, "If-Range") == 0) {
		req->if_range = value;
	} else if (strcasecmp(line, "If-Modified-Since") == 0) {
		req->if_modified_since = value;
	}
	return 0;
}

/* Parses the fields from p to the blank line; returns 0 or -EBADMSG. */
static int
http_parse_fields(char *p, struct http_request *req)
{
	struct http_fields f = { .length = -1 };
	char *line;
	int err;

	for (;;) {
		line = p;
		p = http_cut_line(line);
		if (*line == '\0')
			break;
		/* Obsolete line folding is refused (RFC 9112, 5.2). */
		if (*line == ' ' || *line == '\t')
			return -EBADMSG;
		err = http_parse_field(line, req, &f);
		if (err < 0)
			return err;
	}
	if (req->minor >= 1 && !f.host)
		return -EBADMSG;
	if (f.length > 0)
		req->has_body = true;
	if (req->minor >= 1)
		req->keep_alive = !f.close;
	else
		req->keep_alive = f.keep_alive && !f.close;
	return 0;
}

/* Returns the offset of the first byte that is not part of blank lines. */
static size_t
http_skip_blank(const char *buf, size_t len)
{
	size_t start = 0;

	while (start < len && (buf[start] == '\r' || buf[start] == '\n'))
		start++;
	return start;
}

/*
 * Copies the request line at the start of buf (as far as it goes) into
 * line, escaped for the access log; for heads too long to parse.
 */
void
http_log_line(const char *buf, size_t len, char *line, size_t size)
{
	size_t start = http_skip_blank(buf, len);

	http_copy_line(line, size, buf + start, len - start);
}

/*
 * Parses the request head at the start of buf, in place (it cuts the
 * strings req points to). Empty lines before the request line are skipped.
 * *scanned says how far earlier calls on the same, growing head looked
 * (0 at first): a head arriving in many pieces is scanned once, not once
 * per piece. Returns the head's length in bytes, 0 when more bytes are
 * needed, or -EBADMSG (malformed: 400) or -EPROTONOSUPPORT (not HTTP/1.x:
 * 505). Once it returns non-zero, req->line holds the request line.
 */
int
http_parse(char *buf, size_t len, size_t *scanned, struct http_request *req)
{
	size_t start;
	ssize_t end;
	char *fields;
	int err;

	start = http_skip_blank(buf, len);
	/* Two bytes back: a terminator may straddle the last piece's end. */
	end = http_head_end(buf, len, *scanned > start + 2 ?
	    *scanned - 2 : start);
	if (end == 0) {
		*scanned = len;
		return 0;
	}
	memset(req, 0, sizeof(*req));
	http_log_line(buf, len, req->line, sizeof(req->line));
	if (end < 0)
		return (int)end;
	/*
	 * Every line of the head, the blank one included, ends in LF and
	 * no byte of it is NUL: cutting each line at its LF before looking
	 * into it keeps every string call inside the head.
	 */
	fields = http_cut_line(buf + start);
	err = http_parse_request_line(buf + start, req);
	if (err == 0)
		err = http_parse_fields(fields, req);
	return err < 0 ? err : (int)end;
}

static int
http_hex(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Returns 0, or -EACCES when a segment of the path is "..". */
static int
http_path_check(const char *path)
{
	const char *seg = path;
	size_t len;

	while (*seg != '\0') {
		seg += strspn(seg, "/");
		len = strcspn(seg, "/");
		if (len == 2 && seg[0] == '.' && seg[1] == '.')
			return -EACCES;
		seg += len;
	}
	return 0;
}

/*
 * Writes the decoded path of a request-target (origin or absolute form)
 * to out: it starts with '/', has no query and no NUL. The ".." check
 * runs after decoding, so "%2e%2e" is refused as well. Returns 0,
 * -EINVAL (malformed), -ENAMETOOLONG or -EACCES (a ".." segment).
 */
int
http_path(const char *target, char *out, size_t size)
{
	const char *p = target;
	size_t n = 0;
	int hi, lo, c;

	if (size < 2)
		return -ENAMETOOLONG;
	if (strncasecmp(p, "http://", 7) == 0)
		p += 7;
	else if (strncasecmp(p, "https://", 8) == 0)
		p += 8;
	if (p != target)
		p += strcspn(p, "/?#");		/* the authority */
	else if (*p != '/')
		return -EINVAL;
	out[n++] = '/';
	if (*p == '/')
		p++;
	for (; *p != '\0' && *p != '?' && *p != '#'; p++) {
		c = (unsigned char)*p;
		if (c == '%') {
			hi = http_hex(p[1]);
			lo = hi < 0 ? -1 : http_hex(p[2]);
			if (hi < 0 || lo < 0)
				return -EINVAL;
			c = hi * 16 + lo;
			if (c == 0)
				return -EINVAL;
			p += 2;
		}
		if (n + 1 >= size)
			return -ENAMETOOLONG;
		out[n++] = (char)c;
	}
	out[n] = '\0';
	return http_path_check(out);
}

/* Reads decimal digits, saturating: a huge position is past any end. */
static const char *
http_range_number(const char *p, int64_t *value)
{
	int64_t n = 0;

	if (*p < '0' || *p > '9')
		return NULL;
	for (; *p >= '0' && *p <= '9'; p++)
		n = n > (INT64_MAX - 9) / 10 ? INT64_MAX : n * 10 + (*p - '0');
	*value = n;
	return p;
}

/*
 * Reads a Range header for a body of size bytes: one range of the forms
 * bytes=A-B, bytes=A- and bytes=-N. Returns 0 with [*first, *last] set,
 * -ERANGE when it cannot be satisfied (416), or -EINVAL when the header is
 * to be ignored: malformed, another unit, or several ranges (RFC 9110
 * lets a server send the whole body instead).
 */
int
http_range(const char *value, off_t size, off_t *first, off_t *last)
{
	const char *p;
	int64_t a, b = -1;

	if (strncasecmp(value, "bytes=", 6) != 0 ||
	    strchr(value, ',') != NULL)
		return -EINVAL;
	p = value + 6;
	p += strspn(p, " \t");
	if (*p == '-') {
		p = http_range_number(p + 1, &b);
		if (p == NULL || p[strspn(p, " \t")] != '\0')
			return -EINVAL;
		if (b == 0 || size == 0)
			return -ERANGE;
		*first = b >= size ? 0 : size - b;
		*last = size - 1;
		return 0;
	}
	p = http_range_number(p, &a);
	if (p == NULL || *p != '-')
		return -EINVAL;
	p++;
	if (*p >= '0' && *p <= '9')
		p = http_range_number(p, &b);
	if (p[strspn(p, " \t")] != '\0' || (b >= 0 && b < a))
		return -EINVAL;
	if (a >= size)
		return -ERANGE;
	*first = a;
	*last = b < 0 || b >= size ? size - 1 : b;
	return 0;
}
