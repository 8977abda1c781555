/*
 * Host unit test of httpd's request parsing (user/httpd/http.c) under
 * ASan and UBSan: heads, paths and ranges, then a fixed-seed fuzz of
 * mutated heads that must never read outside the buffer.
 */
#include "httpd.h"

#include <errno.h>
#include <stdlib.h>

#include "check.h"

/* Parses a copy of text (without its NUL, as it comes off a socket). */
static int
parse(const char *text, struct http_request *req, char **copy)
{
	size_t len = strlen(text), scanned = 0;

	*copy = malloc(len ? len : 1);
	memcpy(*copy, text, len);
	return http_parse(*copy, len, &scanned, req);
}

/*
 * Feeds text one byte at a time, as a slow client sends it, keeping
 * *scanned across calls; returns the first non-zero result (or 0).
 */
static int
parse_bytewise(const char *text, struct http_request *req)
{
	size_t len = strlen(text), n, scanned = 0;
	char *buf = malloc(len ? len : 1);
	int r = 0;

	memcpy(buf, text, len);
	for (n = 1; n <= len && r == 0; n++)
		r = http_parse(buf, n, &scanned, req);
	free(buf);
	return r;
}

static void
test_incremental(void)
{
	static const char *heads[] = {
		"GET / HTTP/1.1\r\nHost: h\r\n\r\n",
		"\r\n\r\nGET / HTTP/1.0\n\n",
		"GET / HTTP/1.0\r\n\n",
		"GET /x HTTP/1.1\r\nHost: h\r\nA: b\r\n\r\nGET /y",
	};
	struct http_request req;
	size_t i;
	char *buf;
	int whole;

	for (i = 0; i < sizeof(heads) / sizeof(heads[0]); i++) {
		whole = parse(heads[i], &req, &buf);
		free(buf);
		CHECK(whole > 0);
		CHECK_EQ(parse_bytewise(heads[i], &req), whole);
	}
	CHECK_EQ(parse_bytewise("GET / HTTP/1.1\r\nHo\x01st: h\r\n\r\n",
	    &req), -EBADMSG);
	CHECK_STR(req.line, "GET / HTTP/1.1");
}

static void
test_head_ok(void)
{
	struct http_request req;
	const char *text = "GET /a/b.html?x=1 HTTP/1.1\r\nHost: h\r\n"
	    "Range: bytes=1-2\r\nIf-Range:  x \r\n\r\n";
	char *buf;

	CHECK_EQ(parse(text, &req, &buf), (int)strlen(text));
	CHECK_EQ(req.method, HTTP_GET);
	CHECK_STR(req.target, "/a/b.html?x=1");
	CHECK_EQ(req.minor, 1);
	CHECK(req.keep_alive);
	CHECK(!req.has_body);
	CHECK_STR(req.range, "bytes=1-2");
	CHECK_STR(req.if_range, "x");
	CHECK_STR(req.line, "GET /a/b.html?x=1 HTTP/1.1");
	free(buf);

	/* Leading empty lines, bare LF, HTTP/1.0 keep-alive, HEAD. */
	text = "\r\n\nHEAD / HTTP/1.0\nConnection: Keep-Alive\n\n";
	CHECK_EQ(parse(text, &req, &buf), (int)strlen(text));
	CHECK_EQ(req.method, HTTP_HEAD);
	CHECK_EQ(req.minor, 0);
	CHECK(req.keep_alive);
	free(buf);

	text = "GET / HTTP/1.0\r\n\r\n";
	CHECK_EQ(parse(text, &req, &buf), (int)strlen(text));
	CHECK(!req.keep_alive);
	free(buf);

	text = "GET / HTTP/1.1\r\nHost: h\r\nConnection: foo, close\r\n\r\n";
	CHECK_EQ(parse(text, &req, &buf), (int)strlen(text));
	CHECK(!req.keep_alive);
	free(buf);

	text = "DELETE /x HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\nabc";
	CHECK_EQ(parse(text, &req, &buf), (int)strlen(text) - 3);
	CHECK_EQ(req.method, HTTP_OTHER);
	CHECK(req.has_body);
	free(buf);

	text = "GET / HTTP/1.1\r\nHost: h\r\n"
	    "Transfer-Encoding: chunked\r\n\r\n";
	CHECK(parse(text, &req, &buf) > 0);
	CHECK(req.has_body);
	free(buf);

	/* Pipelined: the first head alone. */
	text = "GET /1 HTTP/1.1\r\nHost: h\r\n\r\nGET /2 HTTP/1.1\r\n";
	CHECK_EQ(parse(text, &req, &buf), 28);
	CHECK_STR(req.target, "/1");
	free(buf);
}

static void
test_head_bad(void)
{
	static const char *bad[] = {
		"GET /\r\n\r\n",
		"GET  / HTTP/1.1\r\nHost: h\r\n\r\n",
		"GET / HTTP/1.1 \r\nHost: h\r\n\r\n",
		"GET / HTTP/1.x\r\nHost: h\r\n\r\n",
		"GET / http/1.1\r\nHost: h\r\n\r\n",
		"G(T / HTTP/1.1\r\nHost: h\r\n\r\n",
		" GET / HTTP/1.1\r\nHost: h\r\n\r\n",
		"GET / HTTP/1.1\r\n\r\n",			/* no Host */
		"GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n",
		"GET / HTTP/1.1\r\nHost : h\r\n\r\n",
		"GET / HTTP/1.1\r\nHost: h\r\n folded\r\n\r\n",
		"GET / HTTP/1.1\r\nHost: h\r\nNoColon\r\n\r\n",
		"GET / HTTP/1.1\r\nHost: h\r\nContent-Length: x\r\n\r\n",
		"GET / HTTP/1.1\r\nHost: h\r\nContent-Length: 1\r\n"
		    "Content-Length: 2\r\n\r\n",
		"GET / HTTP/1.1\r\nHost: h\r\nContent-Length: "
		    "99999999999999999999999\r\n\r\n",
		"GET / HTTP/1.1\r\nHost: h\r\nX: a\rb\r\n\r\n",
		"GET /\x7f HTTP/1.1\r\nHost: h\r\n\r\n",
		"\x16\x03\x01\x02\x00",				/* TLS hello */
		"GET / HTTP/1.1\r\nHost: h\x01",		/* incomplete */
	};
	struct http_request req;
	char *buf;
	size_t i;
	int r;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		r = parse(bad[i], &req, &buf);
		if (r != -EBADMSG)
			fprintf(stderr, "bad[%zu] gave %d\n", i, r);
		CHECK_EQ(r, -EBADMSG);
		free(buf);
	}
	CHECK_EQ(parse("GET / HTTP/2.0\r\n\r\n", &req, &buf),
	    -EPROTONOSUPPORT);
	free(buf);
	CHECK_EQ(parse("GET / HTTP/1.1\r\nHost: h\r\n", &req, &buf), 0);
	free(buf);
	CHECK_EQ(parse("", &req, &buf), 0);
	free(buf);
	CHECK_EQ(parse("\r\n\r\n", &req, &buf), 0);
	free(buf);
	/* The request line is kept, escaped, even when the head is bad. */
	CHECK_EQ(parse("GET /\"x\" HTTP/9.9\r\n\r\n", &req, &buf),
	    -EPROTONOSUPPORT);
	CHECK_STR(req.line, "GET /\\x22x\\x22 HTTP/9.9");
	free(buf);
}

static void
test_path(void)
{
	char out[64];

	CHECK_EQ(http_path("/a%20b/c.txt?q=%00", out, sizeof(out)), 0);
	CHECK_STR(out, "/a b/c.txt");
	CHECK_EQ(http_path("/", out, sizeof(out)), 0);
	CHECK_STR(out, "/");
	CHECK_EQ(http_path("http://host:80/x/y#frag", out, sizeof(out)), 0);
	CHECK_STR(out, "/x/y");
	CHECK_EQ(http_path("HTTPS://host", out, sizeof(out)), 0);
	CHECK_STR(out, "/");
	CHECK_EQ(http_path("/a/%2e%2e/b", out, sizeof(out)), -EACCES);
	CHECK_EQ(http_path("/..", out, sizeof(out)), -EACCES);
	CHECK_EQ(http_path("/a/../../etc/passwd", out, sizeof(out)), -EACCES);
	CHECK_EQ(http_path("/a/..%2f..%2fetc", out, sizeof(out)), -EACCES);
	CHECK_EQ(http_path("http://h/../x", out, sizeof(out)), -EACCES);
	CHECK_EQ(http_path("/a..b/...", out, sizeof(out)), 0);
	CHECK_EQ(http_path("/a%00b", out, sizeof(out)), -EINVAL);
	CHECK_EQ(http_path("/a%zz", out, sizeof(out)), -EINVAL);
	CHECK_EQ(http_path("/a%4", out, sizeof(out)), -EINVAL);
	CHECK_EQ(http_path("a/b", out, sizeof(out)), -EINVAL);
	CHECK_EQ(http_path("*", out, sizeof(out)), -EINVAL);
	CHECK_EQ(http_path("/0123456789012345678901234567890123456789"
	    "0123456789012345678901234567890123456789", out, sizeof(out)),
	    -ENAMETOOLONG);
}

static void
test_range(void)
{
	off_t first = -1, last = -1;

	CHECK_EQ(http_range("bytes=0-9", 100, &first, &last), 0);
	CHECK_EQ(first, 0);
	CHECK_EQ(last, 9);
	CHECK_EQ(http_range("bytes=90-", 100, &first, &last), 0);
	CHECK_EQ(first, 90);
	CHECK_EQ(last, 99);
	CHECK_EQ(http_range("bytes=-10", 100, &first, &last), 0);
	CHECK_EQ(first, 90);
	CHECK_EQ(last, 99);
	CHECK_EQ(http_range("bytes=-1000", 100, &first, &last), 0);
	CHECK_EQ(first, 0);
	CHECK_EQ(http_range("bytes=50-1000", 100, &first, &last), 0);
	CHECK_EQ(last, 99);
	CHECK_EQ(http_range("Bytes= 5-5 ", 100, &first, &last), 0);
	CHECK_EQ(first, 5);
	CHECK_EQ(last, 5);
	CHECK_EQ(http_range("bytes=100-", 100, &first, &last), -ERANGE);
	CHECK_EQ(http_range("bytes=100-200", 100, &first, &last), -ERANGE);
	CHECK_EQ(http_range("bytes=-0", 100, &first, &last), -ERANGE);
	CHECK_EQ(http_range("bytes=0-", 0, &first, &last), -ERANGE);
	CHECK_EQ(http_range("bytes=-5", 0, &first, &last), -ERANGE);
	CHECK_EQ(http_range("bytes=99999999999999999999999-", 100, &first,
	    &last), -ERANGE);
	CHECK_EQ(http_range("bytes=5-4", 100, &first, &last), -EINVAL);
	CHECK_EQ(http_range("bytes=0-1,3-4", 100, &first, &last), -EINVAL);
	CHECK_EQ(http_range("items=0-1", 100, &first, &last), -EINVAL);
	CHECK_EQ(http_range("bytes=-", 100, &first, &last), -EINVAL);
	CHECK_EQ(http_range("bytes=a-b", 100, &first, &last), -EINVAL);
	CHECK_EQ(http_range("bytes=1-2x", 100, &first, &last), -EINVAL);
}

/* Mutated heads: any verdict will do, as long as memory stays in bounds. */
static void
test_fuzz(void)
{
	static const char seed[] = "GET /a%20b?c HTTP/1.1\r\nHost: h\r\n"
	    "Range: bytes=1-2\r\nConnection: close\r\n\r\n";
	static const char alphabet[] = "\r\n :%/.-GET\t\x01\x80HTTP/1.0";
	struct http_request req;
	uint64_t state = 42;
	char path[PATH_MAX_LEN];
	size_t len, i, n;
	int round, ok = 1, r;
	char *buf;

	for (round = 0; round < 20000; round++) {
		len = check_rand(&state) % sizeof(seed);
		buf = malloc(len ? len : 1);	/* exact size: ASan guards */
		memcpy(buf, seed, len);
		n = check_rand(&state) % 6;
		for (i = 0; i < n && len > 0; i++)
			buf[check_rand(&state) % len] = alphabet[
			    check_rand(&state) % (sizeof(alphabet) - 1)];
		n = 0;
		r = http_parse(buf, len, &n, &req);
		if (r > (int)len)
			ok = 0;
		if (r > 0) {
			http_path(req.target, path, sizeof(path));
			if (req.range != NULL) {
				off_t a, b;

				http_range(req.range, 1000, &a, &b);
			}
		}
		free(buf);
	}
	CHECK(ok);
}

int
main(void)
{
	test_head_ok();
	test_head_bad();
	test_incremental();
	test_path();
	test_range();
	test_fuzz();
	return check_done("httpd-parse");
}
