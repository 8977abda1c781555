/*
 * Petrel's HTTP/1.1 server: declarations shared by its files. One thread
 * per process, one epoll loop (server.c) driving every connection's state
 * machine (conn.c), and one process unless -w asks for more (workers.c);
 * docs/httpd.md describes the behaviour.
 *
 * Include this header first: it selects the C library's full interface.
 */
#ifndef HTTPD_H
#define HTTPD_H

#define _GNU_SOURCE

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>

#define HTTPD_NAME "petrel-httpd"
#define HEAD_MAX 16384		/* bytes of one request head, the 413 limit */
#define OUT_MAX 8192		/* response head, plus small bodies inline */
#define REQ_LINE_MAX 256	/* request line as kept for the access log */
#define PATH_MAX_LEN 1024	/* decoded path of a request */
#define LINGER_MS 2000		/* draining input after our last response */
#define IDLE_TIMEOUT_S 30	/* default for -t */

struct config {
	const char *root;	/* document root */
	const char *bind_addr;	/* NULL: every address */
	int port;		/* 0 picks a free one */
	int tls_port;		/* -1: no TLS */
	const char *cert_path;
	const char *key_path;
	const char *log_path;	/* NULL: stderr */
	bool quiet;		/* no access log */
	int family;		/* 0 dual stack with fallback, 4 or 6 */
	int idle_timeout_ms;
	int workers;		/* processes serving, -w (workers.c) */
};

/*
 * A bounded buffer being filled (strbuf.c): data[0, len) is written, and
 * len stays below size.
 */
struct strbuf {
	char *data;
	size_t len;
	size_t size;
};

enum http_method {
	HTTP_GET,
	HTTP_HEAD,
	HTTP_OTHER,
};

/* One parsed request head; strings point into the connection's buffer. */
struct http_request {
	enum http_method method;
	char *target;		/* request-target as sent */
	int minor;		/* HTTP/1.minor */
	bool keep_alive;
	bool has_body;		/* Content-Length > 0 or Transfer-Encoding */
	const char *range;	/* header values, NULL when absent */
	const char *if_range;
	const char *if_modified_since;
	char line[REQ_LINE_MAX]; /* request line, escaped, for the log */
};

/*
 * A regular file ready to serve, as the open-file cache keeps it. The
 * descriptor is read with explicit offsets only: entries are shared by
 * every connection asking for the same path.
 */
struct file_entry {
	int fd;			/* -1: the cache slot is free */
	struct stat st;
	const char *type;	/* Content-Type */
	char last_modified[32];	/* st_mtime as an HTTP date */

	/* The cache's own (filecache.c). */
	struct file_entry *next;	/* hash chain */
	uint32_t hash;
	int64_t opened_ms;	/* server clock when opened */
	uint64_t used;		/* last use, for LRU eviction */
	char path[128];		/* the decoded request path; longer: uncached */
};

/* What a connection waits for; also the epoll events asked for. */
enum conn_state {
	CONN_READ,	/* collecting a request head */
	CONN_SEND,	/* sending the response head (and an inline body) */
	CONN_BODY,	/* sending a file body */
	CONN_FLUSH,	/* TLS: pushing the last records of a response */
	CONN_CLOSING,	/* TLS: sending close_notify */
	CONN_LINGER,	/* our side shut: reading what the client still sends */
};

enum item_kind {
	ITEM_LISTENER,
	ITEM_CONN,
};

struct tls_conn;

/*
 * One client connection. The server is single-threaded: nothing here is
 * shared, and only the loop in server.c calls into a connection.
 */
struct conn {
	enum item_kind kind;	/* ITEM_CONN; first, for epoll's data.ptr */
	int fd;
	struct tls_conn *tls;	/* NULL on plain HTTP */
	enum conn_state state;
	uint32_t want;		/* epoll events the last -EAGAIN waits for */
	uint32_t watched;	/* epoll events registered */
	char peer[48];		/* client address, for the log */

	/* Timeout list (server.c): idle or linger, ordered by deadline. */
	struct conn *prev, *next;
	int list;
	int64_t deadline_ms;

	/* The request being answered. */
	struct http_request req;
	size_t head_len;	/* bytes of in[] the request used */
	bool close_after;	/* close once this response is out */
	int status;
	size_t in_len;		/* bytes in in[] */
	size_t in_scanned;	/* of in[], searched for the head's end */

	/* The response: out[] first, then file bytes [file_off, file_end). */
	size_t out_len, out_off;
	size_t out_head_len;	/* out[] bytes that are head, not body */
	int file_fd;		/* -1 when the body is in out[] or absent */
	off_t file_off, file_end;
	off_t body_bytes;	/* body bytes sent, for the log */

	/* The buffers last: conn_new() clears only what comes before. */
	char in[HEAD_MAX];
	char out[OUT_MAX];
};

/* main.c */
extern struct config config;
int64_t clock_ms(void);

/* server.c */
int server_open(void);
void server_run(void);
int server_watch(struct conn *c);
void server_touch(struct conn *c);
void server_linger(struct conn *c);
void server_forget(struct conn *c);
int64_t server_time_ms(void);
extern volatile int server_stop;
extern volatile int server_reopen_log;

/* workers.c */
int workers_start(void);
void workers_stop(void);

/* conn.c */
struct conn *conn_new(int fd, bool tls, const char *peer);
void conn_run(struct conn *c);
void conn_free(struct conn *c);

/* http.c: parsing, no I/O */
int http_parse(char *buf, size_t len, size_t *scanned,
    struct http_request *req);
void http_log_line(const char *buf, size_t len, char *line, size_t size);
int http_path(const char *target, char *out, size_t size);
int http_range(const char *value, off_t size, off_t *first, off_t *last);

/* response.c */
void response_prepare(struct conn *c);
void response_error(struct conn *c, int status);
int response_root_open(const char *root);

/* filecache.c */
struct file_entry *filecache_find(const char *path, int64_t now_ms);
struct file_entry *filecache_add(const char *path,
    const struct file_entry *opened, int64_t now_ms);
void filecache_drop(struct file_entry *f);
bool filecache_evict(void);

/* mime.c */
const char *mime_type(const char *path);

/* log.c */
void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int log_open(const char *path);
void log_access(const struct conn *c);
void log_flush(void);
const char *log_http_date(void);
void log_tick(void);
void log_format_http_date(int64_t seconds, char *buf, size_t size);

/* strbuf.c */
void strbuf_add(struct strbuf *sb, const char *s, size_t len);
void strbuf_uint(struct strbuf *sb, uint64_t value);
void strbuf_uint_pad(struct strbuf *sb, uint64_t value, size_t width);

/* Appends the string s; inline, so a literal's length is known at once. */
static inline void
strbuf_str(struct strbuf *sb, const char *s)
{
	strbuf_add(sb, s, __builtin_strlen(s));
}

/* tls.c */
int tls_setup(const char *cert_path, const char *key_path);
struct tls_conn *tls_conn_new(void);
void tls_conn_free(struct tls_conn *t);
ssize_t tls_recv(struct conn *c, void *buf, size_t len);
ssize_t tls_send(struct conn *c, const void *buf, size_t len);
ssize_t tls_send_file(struct conn *c, int fd, off_t off, size_t len);
int tls_flush(struct conn *c);
int tls_close(struct conn *c);

#endif
