/*
 * AF_UNIX sockets, inside: the socket object and its message queue, shared
 * by kernel/fs/unixsock.c (names, connections, options, the file) and
 * kernel/fs/unixsock_io.c (sending and receiving). Big lock held.
 */
#ifndef FS_UNIXSOCK_INT_H
#define FS_UNIXSOCK_INT_H

#include <kernel/types.h>
#include <kernel/list.h>
#include <kernel/sched.h>
#include <kernel/syscall.h>
#include <kernel/sock.h>

struct file;
struct inode;
struct uiovec;

#define SOCK_STREAM 1
#define SOCK_DGRAM 2
#define SOCK_SEQPACKET 5

#define SHUT_RCV 1			/* sk_shutdown bits, as Linux */
#define SHUT_SEND 2
#define SHUT_BOTH 3

#define UNIX_ADDR_MAX 112		/* sockaddr_un (110) + a NUL */
#define UNIX_ADDR_BUF 132		/* sockaddr_storage (128) + a NUL */
#define UNIX_DGRAM_QLEN 10		/* net.unix.max_dgram_qlen */
#define UNIX_SCM_MAX_FD 253

enum unix_state {
	UNIX_UNCONNECTED,
	UNIX_LISTENING,
	UNIX_CONNECTED,
};

struct unix_cred {
	int pid;
	unsigned uid, gid;
};

/* A message on a receive queue: a datagram, or one write of a stream. */
struct unix_msg {
	struct list link;		/* receiver's rq */
	struct unix_sock *from;		/* the sender (a reference), charged */
	size_t len;			/* data bytes */
	size_t off;			/* bytes a stream reader already took */
	size_t charge;			/* what it costs from->wmem */
	struct unix_cred cred;		/* the sender's, at send time */
	struct file **files;		/* SCM_RIGHTS in flight, or NULL */
	int nfiles;
	char data[];
};

/*
 * One socket. Lives while its file, a peer, a listener's queue or a queued
 * message refers to it (refs). All fields under the big lock.
 */
struct landlock_domain;

struct unix_sock {
	int refs;
	int type;			/* SOCK_STREAM, _DGRAM, _SEQPACKET */
	enum unix_state state;
	unsigned shut;			/* SHUT_RCV | SHUT_SEND */
	int err;			/* pending SO_ERROR (positive errno) */
	bool dead;			/* released: its file is closed */
	bool passcred;
	/* Its creator's Landlock domain (a reference, or NULL): who may
	   reach it by an abstract name. */
	struct landlock_domain *landlock;
	struct unix_sock *peer;		/* a reference; may be dead */
	struct list rq;			/* struct unix_msg, oldest first */
	unsigned rq_len;		/* messages on rq */
	size_t wmem;			/* charge of our queued messages */
	int sndbuf, rcvbuf;		/* as SO_SNDBUF / SO_RCVBUF report */
	uint64_t rcvtimeo, sndtimeo;	/* ns; 0 = wait forever */
	struct list acceptq;		/* listening: embryo sockets */
	unsigned nacceptq;
	int backlog;
	struct list qlink;		/* in a listener's acceptq */
	struct unix_addr_k {
		unsigned len;		/* 0: unbound */
		char sun[UNIX_ADDR_MAX];	/* sockaddr_un bytes */
	} addr;
	struct inode *inode;		/* bound to a path: its socket inode */
	struct list name_link;		/* on the name list while bound */
	struct unix_cred cred;		/* ours, at listen/connect time */
	struct unix_cred peercred;
	bool has_peercred;
	int opt_flags;			/* SO_* booleans, for getsockopt */
	int linger[2];
	int priority, rcvlowat;
	struct waitq wq;		/* any change of state */
	struct file *file;		/* NULL while an embryo */
};

void unix_get(struct unix_sock *s);
void unix_put(struct unix_sock *s);
/* Wakes s's waiters and pollers. */
void unix_changed(struct unix_sock *s);
/* unix_changed for a message queued to s (file_notify_in). */
void unix_arrived(struct unix_sock *s);
struct unix_sock *unix_of(struct file *f);
void unix_cred_current(struct unix_cred *c);
/* Binds s to a fresh abstract name; 0 or -errno. */
int unix_autobind(struct unix_sock *s);
/*
 * The socket of type `type` bound to the sockaddr_un at addr (len bytes, a
 * kernel copy with room for a NUL): a new reference, or an error pointer.
 */
struct unix_sock *unix_find(const void *addr, unsigned len, int type);
/* Copies a caller's sockaddr of len bytes into buf (UNIX_ADDR_BUF bytes). */
int unix_addr_in(char *buf, uaddr_t uaddr, unsigned len);
/*
 * Checks a sockaddr_un (EINVAL) and sets *len to its length as Linux
 * keeps it: a path name counts up to its NUL, plus one.
 */
int unix_addr_check(const char *buf, unsigned *len);
/* Drops a connected dgram socket's peer (connect(AF_UNSPEC) and friends). */
void unix_dgram_disconnect(struct unix_sock *s);
/*
 * Sleeps on wq until woken or the timeout (ns, 0 = none) passes: 0, -EAGAIN,
 * -EINTR or -ERESTARTSYS. *deadline starts at 0. May sleep.
 */
int unix_wait(struct waitq *wq, uint64_t *deadline, uint64_t timeout);

/* Frees a message taken off its queue: uncharges and wakes the sender. */
void unix_msg_free(struct unix_msg *m);
/* Drops every message on s's receive queue. */
void unix_purge(struct unix_sock *s);
unsigned unix_poll_events(struct unix_sock *s);

/* Kernel-buffer read and write for file_ops (sendfile and the like). */
long unix_file_read(struct file *f, void *buf, size_t len, uint64_t *off);
long unix_file_write(struct file *f, const void *buf, size_t len,
		     uint64_t *off);
long unix_file_rw_iov(struct file *f, const struct uiovec *iov, int n,
		      bool write);

/* The socket calls (struct sock_ops), in unixsock.c and unixsock_io.c. */
long unix_bind(struct file *f, uaddr_t addr, unsigned len);
long unix_listen(struct file *f, int backlog);
long unix_connect(struct file *f, uaddr_t addr, unsigned len);
long unix_accept(struct file *f, uaddr_t addr, uaddr_t alen, int flags);
long unix_shutdown(struct file *f, int how);
long unix_getname(struct file *f, uaddr_t addr, uaddr_t alen, bool peer);
long unix_setsockopt(struct file *f, int level, int name, uaddr_t val,
		     unsigned len);
long unix_getsockopt(struct file *f, int level, int name, uaddr_t val,
		     uaddr_t ulen);
long unix_sendto(struct file *f, uaddr_t buf, size_t len, int flags,
		 uaddr_t addr, unsigned alen);
long unix_recvfrom(struct file *f, uaddr_t buf, size_t len, int flags,
		   uaddr_t addr, uaddr_t alen);
long unix_sendmsg(struct file *f, uaddr_t msg, int flags);
long unix_recvmsg(struct file *f, uaddr_t msg, int flags);

/* Buffer limits (Linux's sysctl defaults) and the SOL_SOCKET options
 * unixsock.c and unixsock_opt.c read. */
#define AF_UNIX 1
#define UNIX_BUF_DEFAULT 212992		/* net.core.[wr]mem_default */
#define UNIX_BUF_MAX 212992		/* net.core.[wr]mem_max */
#define UNIX_SNDBUF_MIN 4608		/* Linux's SOCK_MIN_SNDBUF */
#define UNIX_RCVBUF_MIN 2304		/* SOCK_MIN_RCVBUF */
#define SUN_PATH_OFF 2			/* offsetof(sockaddr_un, sun_path) */
#define SUN_LEN_MAX 110			/* sizeof(struct sockaddr_un) */

#define SOL_SOCKET 1
#define SO_DEBUG 1
#define SO_REUSEADDR 2
#define SO_TYPE 3
#define SO_ERROR 4
#define SO_DONTROUTE 5
#define SO_BROADCAST 6
#define SO_SNDBUF 7
#define SO_RCVBUF 8
#define SO_KEEPALIVE 9
#define SO_OOBINLINE 10
#define SO_PRIORITY 12
#define SO_LINGER 13
#define SO_REUSEPORT 15
#define SO_PASSCRED 16
#define SO_PEERCRED 17
#define SO_RCVLOWAT 18
#define SO_SNDLOWAT 19
#define SO_RCVTIMEO 20
#define SO_SNDTIMEO 21
#define SO_ACCEPTCONN 30
#define SO_PROTOCOL 38
#define SO_DOMAIN 39

#endif
