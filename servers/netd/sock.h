/*
 * netd's socket core: Linux socket semantics (AF_INET, AF_INET6; TCP, UDP)
 * over lwIP's raw API. Every call is non-blocking; the kernel blocks its
 * callers and learns of readiness through the notify callback.
 */
#ifndef NETD_SOCK_H
#define NETD_SOCK_H

#include <stddef.h>
#include <sys/socket.h>
#include <sys/types.h>

/* Sockets netd holds at once, accepted-but-not-yet-accept()ed included. */
#define NSOCK_MAX	12288
/* listen()'s largest backlog, Linux's net.core.somaxconn default. */
#define NSOCK_SOMAXCONN	4096

/*
 * Called whenever a socket's readiness may have changed, with its current
 * poll bits (Linux POLL* values). It runs inside lwIP's callbacks and the
 * nsock_* calls, so it must only record the event, never call nsock_*
 * functions other than nsock_poll().
 */
typedef void nsock_notify_fn(int id, unsigned events, void *ctx);

/* Resets the socket table; call once, after lwip_init(). */
void nsock_init(void);

/* Sets the readiness callback (NULL for none). */
void nsock_set_notify(nsock_notify_fn *fn, void *ctx);

/*
 * The calls below mirror the Linux system calls of the same names: each
 * returns 0 (or a count or an id) on success and a negative errno on
 * failure, -EBADF for an id that is not an open socket. None blocks:
 * where Linux would sleep they return -EAGAIN or -EINPROGRESS.
 * Addresses use Linux's sockaddr_in/sockaddr_in6 layouts; on output *len
 * is set to the full size and at most the given *len bytes are copied.
 */

/* Returns a new socket id, or -EAFNOSUPPORT, -ESOCKTNOSUPPORT,
   -EPROTONOSUPPORT, -ENFILE (table full), -ENOMEM. SOCK_NONBLOCK and
   SOCK_CLOEXEC in type are ignored: they belong to the kernel's fd. */
int nsock_create(int domain, int type, int protocol);
int nsock_bind(int id, const struct sockaddr *addr, socklen_t len);
int nsock_listen(int id, int backlog);
/* Returns the new connection's id and its peer address (addr may be
   NULL), or -EAGAIN when no connection is waiting. */
int nsock_accept(int id, struct sockaddr *addr, socklen_t *len);
/* TCP: -EINPROGRESS, then (once writable) 0 or the error, as Linux. */
int nsock_connect(int id, const struct sockaddr *addr, socklen_t len);
/* Returns bytes taken (possibly fewer than len), -EAGAIN if none fit,
   -EPIPE once the write side is shut (the kernel raises SIGPIPE). */
ssize_t nsock_sendto(int id, const void *buf, size_t len, int flags,
    const struct sockaddr *addr, socklen_t addr_len);
/* Returns bytes read, 0 at end of stream, -EAGAIN if nothing waits.
   flags: MSG_PEEK, MSG_TRUNC; *msg_flags (may be NULL) gets MSG_TRUNC
   when a datagram did not fit. addr (may be NULL) gets the sender. */
ssize_t nsock_recvfrom(int id, void *buf, size_t len, int flags,
    struct sockaddr *addr, socklen_t *addr_len, int *msg_flags);
int nsock_shutdown(int id, int how);
/* Frees the id; a TCP connection closes gracefully (FIN), or with a
   reset if received data was never read or SO_LINGER is {1, 0}. */
int nsock_close(int id);
int nsock_getsockname(int id, struct sockaddr *addr, socklen_t *len);
int nsock_getpeername(int id, struct sockaddr *addr, socklen_t *len);
int nsock_setsockopt(int id, int level, int name, const void *val,
    socklen_t len);
int nsock_getsockopt(int id, int level, int name, void *val,
    socklen_t *len);
/* FIONREAD/SIOCINQ and TIOCOUTQ/SIOCOUTQ: stores the count in *value. */
int nsock_ioctl(int id, unsigned long request, int *value);

/* Returns the socket's current POLL* bits, POLLNVAL for a bad id. */
unsigned nsock_poll(int id);

/*
 * Handing a stream's data over with its readiness (serve.c): copies up to
 * len of the bytes queued first into buf without taking them, and sets
 * *events to the readiness once they are taken; returns the bytes (0 for
 * anything but a stream with data). nsock_handed then takes the n bytes
 * the kernel kept; nsock_handed_unread says, at close, that some of them
 * were never read (the close resets, as with unread data here).
 */
size_t nsock_hand_peek(int id, void *buf, size_t len, unsigned *events);
void nsock_handed(int id, size_t n);
void nsock_handed_unread(int id);
/*
 * Bytes a send may carry now that are sure to be taken whole (the kernel
 * sends that much without waiting, include/petrel/sock.h); 0 for none.
 * nsock_fail resets a connection with the given error (a promised send
 * did not fit after all).
 */
#define NSOCK_SEND_ROOM_MAX 16384	/* PT_SEND_BEHIND_MAX (serve.c checks) */
unsigned nsock_send_room(int id);
void nsock_fail(int id, int err);
/* Sends what a stream holds back after MSG_MORE sends (as uncorking). */
void nsock_push(int id);

/*
 * Writes the text of /proc/net/tcp, tcp6, udp or udp6 (family AF_INET or
 * AF_INET6, proto IPPROTO_TCP or IPPROTO_UDP) into buf, NUL-terminated
 * and truncated to len. Returns the full text's length, or -EINVAL.
 */
int nsock_format_proc(int family, int proto, char *buf, size_t len);

#endif
