/*
 * One client connection's state machine: read a request head, send the
 * response (head, then the file by sendfile(2) or through TLS), then the
 * next request in order (keep-alive, pipelining) or an orderly close.
 * conn_run() goes as far as it can and stops on the first -EAGAIN.
 */
#include "httpd.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <unistd.h>

#define SEND_CHUNK (1 << 20)	/* bytes per sendfile() call */
#define SEND_ROUNDS 8		/* chunks before letting others run */

/* Set once sendfile() says the kernel cannot do it for us. */
static bool sendfile_broken;
static char copy_buf[65536];	/* the read/write fallback's; one thread */

/* Returns a connection in CONN_READ for the accepted socket fd, or NULL. */
struct conn *
conn_new(int fd, bool tls, const char *peer)
{
	struct conn *c;

	c = malloc(sizeof(*c));
	if (c == NULL)
		return NULL;
	memset(c, 0, offsetof(struct conn, in));
	c->kind = ITEM_CONN;
	c->fd = fd;
	c->file_fd = -1;
	c->state = CONN_READ;
	c->want = EPOLLIN;
	c->list = -1;
	snprintf(c->peer, sizeof(c->peer), "%s", peer);
	if (tls) {
		c->tls = tls_conn_new();
		if (c->tls == NULL) {
			free(c);
			return NULL;
		}
	}
	return c;
}

/* Closes the socket and frees c; a response cut short is still logged. */
void
conn_free(struct conn *c)
{
	if (c->state == CONN_SEND || c->state == CONN_BODY ||
	    c->state == CONN_FLUSH)
		log_access(c);
	server_forget(c);
	if (c->file_fd >= 0)
		close(c->file_fd);
	if (c->tls != NULL)
		tls_conn_free(c->tls);
	close(c->fd);
	free(c);
}

static ssize_t
conn_io_result(struct conn *c, ssize_t n, uint32_t want)
{
	if (n >= 0)
		return n;
	if (errno == EAGAIN || errno == EWOULDBLOCK) {
		c->want = want;
		return -EAGAIN;
	}
	return -errno;
}

static ssize_t
conn_recv(struct conn *c, void *buf, size_t len)
{
	ssize_t n;

	if (c->tls != NULL)
		return tls_recv(c, buf, len);
	do
		n = read(c->fd, buf, len);
	while (n < 0 && errno == EINTR);
	return conn_io_result(c, n, EPOLLIN);
}

static ssize_t
conn_send(struct conn *c, const void *buf, size_t len)
{
	ssize_t n;

	if (c->tls != NULL)
		return tls_send(c, buf, len);
	do
		n = write(c->fd, buf, len);
	while (n < 0 && errno == EINTR);
	return conn_io_result(c, n, EPOLLOUT);
}

/* The fallback: through a buffer; what write() leaves is read again. */
static ssize_t
conn_copy_file(struct conn *c, size_t len)
{
	ssize_t n;

	if (len > sizeof(copy_buf))
		len = sizeof(copy_buf);
	do
		n = pread(c->file_fd, copy_buf, len, c->file_off);
	while (n < 0 && errno == EINTR);
	if (n <= 0)
		return n < 0 ? -errno : 0;
	return conn_send(c, copy_buf, (size_t)n);
}

/* Sends up to len bytes of the file from c->file_off; 0: it shrank. */
static ssize_t
conn_send_file(struct conn *c, size_t len)
{
	off_t off = c->file_off;
	ssize_t n;

	if (c->tls != NULL)
		return tls_send_file(c, c->file_fd, c->file_off, len);
	if (sendfile_broken)
		return conn_copy_file(c, len);
	do
		n = sendfile(c->fd, c->file_fd, &off, len);
	while (n < 0 && errno == EINTR);
	if (n < 0 && (errno == EINVAL || errno == ENOSYS)) {
		sendfile_broken = true;
		return conn_copy_file(c, len);
	}
	return conn_io_result(c, n, EPOLLOUT);
}

static void
conn_respond(struct conn *c)
{
	c->state = CONN_SEND;
	server_touch(c);
}

/* CONN_READ: parse what came, or read more. */
static int
conn_step_read(struct conn *c)
{
	ssize_t n;
	int parsed;

	parsed = http_parse(c->in, c->in_len, &c->in_scanned, &c->req);
	if (parsed > 0) {
		c->head_len = (size_t)parsed;
		response_prepare(c);
		conn_respond(c);
		return 0;
	}
	if (parsed < 0) {
		c->head_len = c->in_len;
		response_error(c, parsed == -EPROTONOSUPPORT ? 505 : 400);
		conn_respond(c);
		return 0;
	}
	if (c->in_len == sizeof(c->in)) {
		memset(&c->req, 0, sizeof(c->req));
		http_log_line(c->in, c->in_len, c->req.line,
		    sizeof(c->req.line));
		c->head_len = c->in_len;
		response_error(c, 413);
		conn_respond(c);
		return 0;
	}
	n = conn_recv(c, c->in + c->in_len, sizeof(c->in) - c->in_len);
	if (n == 0)
		return -ECONNRESET;	/* the client is done */
	if (n < 0)
		return (int)n;
	c->in_len += (size_t)n;
	return 0;
}

/* CONN_SEND: the head and any inline body. */
static int
conn_step_send(struct conn *c)
{
	ssize_t n;

	while (c->out_off < c->out_len) {
		n = conn_send(c, c->out + c->out_off,
		    c->out_len - c->out_off);
		if (n < 0)
			return (int)n;
		c->out_off += (size_t)n;
		server_touch(c);
	}
	c->body_bytes += (off_t)(c->out_len - c->out_head_len);
	c->state = c->file_fd >= 0 ? CONN_BODY : CONN_FLUSH;
	return 0;
}

/* CONN_BODY: the file, a few chunks at a time so others get a turn. */
static int
conn_step_body(struct conn *c)
{
	off_t left;
	ssize_t n;
	int round;

	for (round = 0; c->file_off < c->file_end; round++) {
		if (round == SEND_ROUNDS) {
			c->want = EPOLLOUT;	/* level-triggered: back soon */
			return -EAGAIN;
		}
		left = c->file_end - c->file_off;
		n = conn_send_file(c, left < SEND_CHUNK ? (size_t)left :
		    SEND_CHUNK);
		if (n == 0)
			return -EIO;	/* the file shrank under us */
		if (n < 0)
			return (int)n;
		c->file_off += n;
		c->body_bytes += n;
		server_touch(c);
	}
	close(c->file_fd);
	c->file_fd = -1;
	c->state = CONN_FLUSH;
	return 0;
}

/* Shuts our side and waits a little for the client's end (LINGER_MS). */
static void
conn_shutdown(struct conn *c)
{
	shutdown(c->fd, SHUT_WR);
	c->state = CONN_LINGER;
	server_linger(c);
}

/*
 * The response is out: log it, then either take the next request from
 * what is already buffered, or close.
 */
static void
conn_finish(struct conn *c)
{
	log_access(c);
	if (c->close_after) {
		if (c->tls != NULL)
			c->state = CONN_CLOSING;
		else
			conn_shutdown(c);
		return;
	}
	memmove(c->in, c->in + c->head_len, c->in_len - c->head_len);
	c->in_len -= c->head_len;
	c->in_scanned = 0;
	c->head_len = 0;
	c->out_len = c->out_off = c->out_head_len = 0;
	c->body_bytes = 0;
	c->status = 0;
	c->state = CONN_READ;
}

/* CONN_FLUSH: TLS records still in the engine. */
static int
conn_step_flush(struct conn *c)
{
	int err;

	if (c->tls != NULL) {
		err = tls_flush(c);
		if (err < 0)
			return err;
	}
	conn_finish(c);
	return 0;
}

/* CONN_CLOSING: TLS close_notify. */
static int
conn_step_closing(struct conn *c)
{
	int err;

	err = tls_close(c);
	if (err < 0)
		return err;
	conn_shutdown(c);
	return 0;
}

/*
 * CONN_LINGER: closing with unread input would make the kernel reset
 * the connection, which can destroy the response still in flight; so the
 * input is read and dropped until the client closes or LINGER_MS pass.
 */
static int
conn_step_linger(struct conn *c)
{
	ssize_t n;
	int round;

	for (round = 0; round < SEND_ROUNDS; round++) {
		do
			n = read(c->fd, c->in, sizeof(c->in));
		while (n < 0 && errno == EINTR);
		if (n == 0 || (n < 0 && errno != EAGAIN &&
		    errno != EWOULDBLOCK))
			return -ECONNRESET;
		if (n < 0)
			break;
	}
	c->want = EPOLLIN;
	return -EAGAIN;
}

/*
 * Advances c as far as it goes without blocking, then asks the loop to
 * watch for what it waits on; frees c when it is done or failed.
 */
void
conn_run(struct conn *c)
{
	int err = 0;

	for (;;) {
		switch (c->state) {
		case CONN_READ:
			err = conn_step_read(c);
			break;
		case CONN_SEND:
			err = conn_step_send(c);
			break;
		case CONN_BODY:
			err = conn_step_body(c);
			break;
		case CONN_FLUSH:
			err = conn_step_flush(c);
			break;
		case CONN_CLOSING:
			err = conn_step_closing(c);
			break;
		case CONN_LINGER:
			err = conn_step_linger(c);
			break;
		}
		if (err == -EAGAIN) {
			if (server_watch(c) < 0)
				conn_free(c);
			return;
		}
		if (err < 0) {
			conn_free(c);
			return;
		}
	}
}
