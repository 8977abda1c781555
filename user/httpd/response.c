/*
 * Deciding the response to a parsed request: the file under the document
 * root, its headers, ranges and conditionals, or an error page. The head
 * (and a small body) goes to c->out; a larger body stays in the file for
 * conn.c to send with sendfile(2) or through TLS.
 */
#include "httpd.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int root_fd = -1;

/* Opens the document root once; every path is then looked up under it. */
int
response_root_open(const char *root)
{
	root_fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	return root_fd < 0 ? -errno : 0;
}

static const char *
response_reason(int status)
{
	switch (status) {
	case 200: return "OK";
	case 206: return "Partial Content";
	case 301: return "Moved Permanently";
	case 304: return "Not Modified";
	case 400: return "Bad Request";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 413: return "Content Too Large";
	case 414: return "URI Too Long";
	case 416: return "Range Not Satisfiable";
	case 500: return "Internal Server Error";
	case 503: return "Service Unavailable";
	case 505: return "HTTP Version Not Supported";
	default: return "Unknown";
	}
}

/* Appends len bytes to c->out, cut as the head is (heads are far smaller). */
static void
response_append(struct conn *c, const char *s, size_t len)
{
	struct strbuf sb = { c->out, c->out_len, sizeof(c->out) };

	strbuf_add(&sb, s, len);
	c->out_len = sb.len;
}

/*
 * Writes the status line and headers to c->out. length is the body's
 * Content-Length, or -1 for none (304); extra holds whole header lines.
 */
static void
response_head(struct conn *c, int status, const char *type, off_t length,
    const char *extra)
{
	struct strbuf sb = { c->out, 0, sizeof(c->out) };

	c->status = status;
	c->out_off = 0;
	strbuf_str(&sb, "HTTP/1.1 ");
	strbuf_uint(&sb, (unsigned)status);
	strbuf_str(&sb, " ");
	strbuf_str(&sb, response_reason(status));
	strbuf_str(&sb, "\r\nServer: " HTTPD_NAME "\r\nDate: ");
	strbuf_str(&sb, log_http_date());
	if (type != NULL) {
		strbuf_str(&sb, "\r\nContent-Type: ");
		strbuf_str(&sb, type);
	}
	if (length >= 0) {
		strbuf_str(&sb, "\r\nContent-Length: ");
		strbuf_uint(&sb, (uint64_t)length);
	}
	strbuf_str(&sb, "\r\n");
	strbuf_str(&sb, extra);
	if (c->close_after)
		strbuf_str(&sb, "Connection: close\r\n");
	else if (c->req.minor == 0)
		strbuf_str(&sb, "Connection: keep-alive\r\n");
	strbuf_str(&sb, "\r\n");
	c->out_len = c->out_head_len = sb.len;
}

/* An error page, with extra header lines (Allow, Content-Range). */
static void
response_error_extra(struct conn *c, int status, const char *extra)
{
	char title[64], body[256];
	struct strbuf t = { title, 0, sizeof(title) };
	struct strbuf b = { body, 0, sizeof(body) };

	/* After these the rest of the input cannot be trusted or is unread. */
	if (status == 400 || status == 413 || status == 414 || status >= 500)
		c->close_after = true;
	strbuf_uint(&t, (unsigned)status);
	strbuf_str(&t, " ");
	strbuf_str(&t, response_reason(status));
	strbuf_str(&b, "<!DOCTYPE html>\n<html><head><title>");
	strbuf_add(&b, title, t.len);
	strbuf_str(&b, "</title></head>\n<body><h1>");
	strbuf_add(&b, title, t.len);
	strbuf_str(&b, "</h1></body></html>\n");
	response_head(c, status, "text/html; charset=utf-8", (off_t)b.len,
	    extra);
	if (c->req.method != HTTP_HEAD)
		response_append(c, body, b.len);
}

/* Answers with an error page; 400, 413, 414 and 5xx close the connection. */
void
response_error(struct conn *c, int status)
{
	response_error_extra(c, status, "");
}

static int
response_open_status(int err)
{
	switch (err) {
	case EACCES:
	case EPERM:
		return 403;
	case EMFILE:
	case ENFILE:
	case ENOMEM:
		return 503;
	case ENOENT:
	case ENOTDIR:
	case ELOOP:
	case ENAMETOOLONG:
	case ENXIO:
		return 404;
	default:
		return 500;
	}
}

/* Sends a directory asked for without its '/' to the name with one. */
static void
response_redirect(struct conn *c, const char *path)
{
	static const char hex[] = "0123456789ABCDEF";
	char extra[3 * PATH_MAX_LEN + 32];
	size_t n;
	unsigned char ch;

	memcpy(extra, "Location: ", 10);
	n = 10;
	/* Re-encoded: a decoded CR or LF must not end the header early. */
	for (; *path != '\0'; path++) {
		ch = (unsigned char)*path;
		if (ch > ' ' && ch < 0x7f && ch != '%' && ch != '?' &&
		    ch != '#' && ch != '"') {
			extra[n++] = (char)ch;
		} else {
			extra[n++] = '%';
			extra[n++] = hex[ch >> 4];
			extra[n++] = hex[ch & 15];
		}
	}
	memcpy(extra + n, "/\r\n", 4);
	response_error_extra(c, 301, extra);
}

/* Reads a small body into c->out; returns 0 or a negative errno. */
static int
response_inline(struct conn *c, int fd, off_t off, size_t len)
{
	ssize_t n;

	while (len > 0) {
		n = pread(fd, c->out + c->out_len, len, off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EIO;	/* shrank meanwhile */
		c->out_len += (size_t)n;
		off += n;
		len -= (size_t)n;
	}
	return 0;
}

/* The 416 answer for a body of size bytes. */
static void
response_unsatisfiable(struct conn *c, off_t size)
{
	char extra[64];
	struct strbuf sb = { extra, 0, sizeof(extra) };

	strbuf_str(&sb, "Content-Range: bytes */");
	strbuf_uint(&sb, (uint64_t)size);
	strbuf_str(&sb, "\r\n");
	extra[sb.len] = '\0';
	response_error_extra(c, 416, extra);
}

/* Appends the 206 answer's Content-Range line for [first, last]. */
static void
response_add_range(struct strbuf *sb, off_t first, off_t last, off_t size)
{
	strbuf_str(sb, "Content-Range: bytes ");
	strbuf_uint(sb, (uint64_t)first);
	strbuf_str(sb, "-");
	strbuf_uint(sb, (uint64_t)last);
	strbuf_str(sb, "/");
	strbuf_uint(sb, (uint64_t)size);
	strbuf_str(sb, "\r\n");
}

/*
 * Leaves [first, last] of f for conn.c to send, on a descriptor of its
 * own: the cache may close f's before the body is out.
 */
static void
response_body_later(struct conn *c, const struct file_entry *f, off_t first,
    off_t last)
{
	int fd;

	fd = fcntl(f->fd, F_DUPFD_CLOEXEC, 0);
	if (fd < 0) {
		response_error(c, response_open_status(errno));
		return;
	}
	c->file_fd = fd;
	c->file_off = first;
	c->file_end = last + 1;
}

/*
 * The 200, 206, 304 or 416 answer for the regular file f. A Range counts
 * unless an If-Range names another version; the dates are compared as
 * strings since clients send back the Last-Modified they got. Returns 0,
 * or -EIO when the file turned out shorter than f says.
 */
static int
response_send_file(struct conn *c, const struct file_entry *f)
{
	struct http_request *req = &c->req;
	char extra[160];
	struct strbuf sb = { extra, 0, sizeof(extra) };
	off_t first = 0, last = f->st.st_size - 1;
	int status = 200, err = -EINVAL;

	strbuf_str(&sb, "Last-Modified: ");
	strbuf_str(&sb, f->last_modified);
	strbuf_str(&sb, "\r\nAccept-Ranges: bytes\r\n");
	if (req->if_modified_since != NULL && req->range == NULL &&
	    strcmp(req->if_modified_since, f->last_modified) == 0) {
		extra[sb.len] = '\0';
		response_head(c, 304, NULL, -1, extra);
		return 0;
	}
	if (req->range != NULL && (req->if_range == NULL ||
	    strcmp(req->if_range, f->last_modified) == 0))
		err = http_range(req->range, f->st.st_size, &first, &last);
	if (err == -ERANGE) {
		response_unsatisfiable(c, f->st.st_size);
		return 0;
	}
	if (err == 0) {
		status = 206;
		response_add_range(&sb, first, last, f->st.st_size);
	}
	extra[sb.len] = '\0';
	response_head(c, status, f->type, last - first + 1, extra);
	if (req->method == HTTP_HEAD || last < first)
		return 0;
	if (last - first + 1 > (off_t)(sizeof(c->out) - c->out_len)) {
		response_body_later(c, f, first, last);
		return 0;
	}
	if (response_inline(c, f->fd, first, last - first + 1) < 0) {
		c->close_after = true;	/* the head promised more */
		return -EIO;
	}
	return 0;
}

/* openat() under the root; out of descriptors, the cache gives one back. */
static int
response_openat(const char *rel)
{
	int fd;

	do
		fd = openat(root_fd, rel,
		    O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	while (fd < 0 && (errno == EMFILE || errno == ENFILE) &&
	    filecache_evict());
	return fd < 0 ? -errno : fd;
}

/*
 * Opens what path (decoded, '/'-rooted, no "..") names into f: the file,
 * or for a path ending in '/' the directory's index.html. Returns 0, 301
 * for a directory named without its '/', or the error status to answer.
 */
static int
response_open(const char *path, struct file_entry *f)
{
	char rel[PATH_MAX_LEN + sizeof("index.html")];
	const char *name = path + strspn(path, "/");
	size_t len = strlen(name);
	bool dir = path[strlen(path) - 1] == '/';
	int fd;

	memcpy(rel, name, len);
	memcpy(rel + len, dir ? "index.html" : "", dir ? 11 : 1);
	fd = response_openat(rel);
	if (fd < 0)
		return response_open_status(-fd);
	if (fstat(fd, &f->st) < 0) {
		close(fd);
		return 500;
	}
	if (!S_ISREG(f->st.st_mode)) {
		close(fd);
		return S_ISDIR(f->st.st_mode) && !dir ? 301 : 404;
	}
	f->fd = fd;
	f->type = mime_type(dir ? "index.html" : path);
	log_format_http_date(f->st.st_mtime, f->last_modified,
	    sizeof(f->last_modified));
	return 0;
}

/*
 * Answers with the file at path, from the open-file cache or opened now
 * (and then cached, unless its path is too long to keep).
 */
static void
response_file(struct conn *c, const char *path)
{
	int64_t now_ms = server_time_ms();
	struct file_entry opened, *f;
	int status;

	f = filecache_find(path, now_ms);
	if (f == NULL) {
		status = response_open(path, &opened);
		if (status == 301) {
			response_redirect(c, path);
			return;
		}
		if (status != 0) {
			response_error(c, status);
			return;
		}
		f = filecache_add(path, &opened, now_ms);
	}
	if (f == NULL) {
		response_send_file(c, &opened);
		close(opened.fd);
		return;
	}
	/* A file that shrank is looked up afresh by the next request. */
	if (response_send_file(c, f) < 0)
		filecache_drop(f);
}

/* Prepares the answer to the request c->req holds. */
void
response_prepare(struct conn *c)
{
	struct http_request *req = &c->req;
	char path[PATH_MAX_LEN];
	int err;

	c->close_after = !req->keep_alive;
	if (req->method == HTTP_OTHER) {
		/* Its body, if any, stays unread: the stream is lost. */
		if (req->has_body)
			c->close_after = true;
		response_error_extra(c, 405, "Allow: GET, HEAD\r\n");
		return;
	}
	if (req->has_body) {
		response_error(c, 413);
		return;
	}
	err = http_path(req->target, path, sizeof(path));
	if (err < 0) {
		response_error(c, err == -ENAMETOOLONG ? 414 : 400);
		return;
	}
	response_file(c, path);
}
