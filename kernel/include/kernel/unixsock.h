/*
 * AF_UNIX sockets (kernel/fs/unixsock.c, kernel/fs/unixsock_io.c): kernel
 * objects, unlike the server-backed AF_INET sockets. The socket system
 * calls in kernel/linux/sys_socket.c hand an AF_UNIX descriptor to these.
 * Every function runs under the big lock; those that move data or accept
 * may sleep. Each returns a negative errno on failure.
 */
#ifndef KERNEL_UNIXSOCK_H
#define KERNEL_UNIXSOCK_H

#include <kernel/types.h>
#include <kernel/syscall.h>

struct file;

/* Is f an AF_UNIX socket? */
bool file_is_unix(struct file *f);

/* socket(AF_UNIX, type, protocol): returns the new descriptor. */
long unix_socket(int type, int protocol);
/* socketpair(AF_UNIX, ...): stores both descriptors at usv. */
long unix_socketpair(int type, int protocol, uaddr_t usv);

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

#endif
