/*
 * What every socket family gives the socket system calls
 * (kernel/linux/sys_socket.c): a table of calls on a file that is one of
 * its sockets, reached through the file's ops (file_ops.sock). AF_UNIX
 * sockets are kernel objects (kernel/fs/unixsock.c); AF_INET and AF_INET6
 * are server-backed (kernel/fs/inetsock.c). Big lock held; calls that
 * move data, connect or accept may sleep. Each returns a negative errno
 * on failure.
 */
#ifndef KERNEL_SOCK_H
#define KERNEL_SOCK_H

#include <kernel/types.h>
#include <kernel/syscall.h>

/* MSG_* flags of send and receive, as Linux numbers them. */
#define MSG_OOB_K 0x1
#define MSG_PEEK_K 0x2
#define MSG_CTRUNC_K 0x8
#define MSG_TRUNC_K 0x20
#define MSG_DONTWAIT_K 0x40
#define MSG_EOR_K 0x80
#define MSG_WAITALL_K 0x100
#define MSG_ERRQUEUE_K 0x2000
#define MSG_NOSIGNAL_K 0x4000
#define MSG_MORE_K 0x8000
#define MSG_CMSG_CLOEXEC_K 0x40000000

struct file;
struct uiovec;

struct sock_ops {
	long (*bind)(struct file *f, uaddr_t addr, unsigned len);
	long (*listen)(struct file *f, int backlog);
	long (*connect)(struct file *f, uaddr_t addr, unsigned len);
	/* flags: SOCK_NONBLOCK and SOCK_CLOEXEC only (checked by the caller) */
	long (*accept)(struct file *f, uaddr_t addr, uaddr_t alen, int flags);
	long (*shutdown)(struct file *f, int how);
	long (*getname)(struct file *f, uaddr_t addr, uaddr_t alen, bool peer);
	long (*setsockopt)(struct file *f, int level, int name, uaddr_t val,
			   unsigned len);
	long (*getsockopt)(struct file *f, int level, int name, uaddr_t val,
			   uaddr_t ulen);
	long (*sendto)(struct file *f, uaddr_t buf, size_t len, int flags,
		       uaddr_t addr, unsigned alen);
	long (*recvfrom)(struct file *f, uaddr_t buf, size_t len, int flags,
			 uaddr_t addr, uaddr_t alen);
	long (*sendmsg)(struct file *f, uaddr_t umsg, int flags);
	long (*recvmsg)(struct file *f, uaddr_t umsg, int flags);
};

/* struct msghdr as the x86_64 Linux ABI lays it out. */
struct msghdr_k {
	uint64_t name;
	uint32_t namelen;
	uint32_t pad;
	uint64_t iov;
	uint64_t iovlen;
	uint64_t control;
	uint64_t controllen;
	int32_t flags;
	int32_t pad2;
};

#define UIO_MAXIOV 1024
#define MAX_RW_COUNT 0x7ffff000ul

/*
 * Copies in the msghdr at umsg and its iovecs: *iov is allocated (kfree
 * it, also after an error). More than UIO_MAXIOV is EMSGSIZE, a negative
 * name length EINVAL, as Linux.
 */
/* Copies a socket address out as getsockname(2) does: truncated to the
 * caller's room, the full length told (kernel/fs/sockfile.c). */
long sockaddr_out(const void *name, unsigned len, uaddr_t uaddr, uaddr_t ulen);
long msghdr_in(uaddr_t umsg, struct msghdr_k *h, struct uiovec **iov);

/* socket(2) for each family: returns the new descriptor. */
long unix_socket(int type, int protocol);
long inet_socket(int domain, int type, int protocol);
/* socketpair(AF_UNIX, ...): stores both descriptors at usv. */
long unix_socketpair(int type, int protocol, uaddr_t usv);

#endif
