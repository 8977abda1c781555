/*
 * AF_UNIX sockets: stream, datagram and seqpacket sockets between the
 * processes of this machine, kept in the kernel (no server is involved).
 * This file has the socket object, its names (a socket inode in the file
 * system, or an abstract name), connections, options and the file;
 * unixsock_io.c moves the data. Semantics follow Linux's net/unix.
 */
#include "unixsock_int.h"
#include <kernel/sock.h>
#include <kernel/vfs.h>
#include <kernel/proc.h>
#include <kernel/vm.h>
#include <kernel/kmalloc.h>
#include <kernel/string.h>
#include <kernel/errno.h>
#include <kernel/arch.h>
#include <kernel/landlock.h>

#define AF_UNSPEC 0
#define SOCK_RAW 3
#define SOCK_MAX 11
#define SOCK_TYPE_MASK 0xf
#define SOCK_NONBLOCK 04000
#define SOCK_CLOEXEC 02000000
#define SOMAXCONN 4096
#define ESOCKTNOSUPPORT_K 94

#define S_ISSOCK_K(m) (((m) & S_IFMT) == S_IFSOCK)

static struct list unix_names = LIST_INIT(unix_names);	/* bound sockets */
static struct super unix_super = { .type = "sockfs" };
static const struct file_ops unix_fops;

/* ---- The object -------------------------------------------------------- */

void
unix_get(struct unix_sock *s)
{
	s->refs++;
}

void
unix_put(struct unix_sock *s)
{
	if (--s->refs == 0) {
		landlock_domain_put(s->landlock);
		kfree(s);
	}
}

void
unix_changed(struct unix_sock *s)
{
	waitq_wake_all(&s->wq);
	file_notify(s->file);
}

void
unix_arrived(struct unix_sock *s)
{
	waitq_wake_all(&s->wq);
	file_notify_in(s->file);
}

void
unix_cred_current(struct unix_cred *c)
{
	struct proc *p = current()->proc;
	c->pid = p->pid;
	c->uid = p->euid;
	c->gid = p->egid;
}

struct unix_sock *
unix_of(struct file *f)
{
	return f->priv;
}

static struct unix_sock *
unix_new(int type)
{
	struct unix_sock *s = kzalloc(sizeof(*s));
	if (!s)
		return NULL;
	s->refs = 1;
	s->type = type;
	s->landlock = landlock_domain_get();
	s->sndbuf = s->rcvbuf = UNIX_BUF_DEFAULT;
	s->rcvlowat = 1;
	list_init(&s->rq);
	list_init(&s->acceptq);
	list_init(&s->qlink);
	list_init(&s->name_link);
	waitq_init(&s->wq);
	return s;
}

/* A file for s; the reference s was made with passes to the file. */
static struct file *
unix_file(struct unix_sock *s, unsigned flags)
{
	struct inode *ino = inode_new(&unix_super, S_IFSOCK | 0777);
	if (!ino)
		return NULL;
	ino->fops = &unix_fops;
	struct file *f = file_new(ino, O_RDWR | (flags & O_NONBLOCK));
	inode_put(ino);
	if (!f)
		return NULL;
	f->priv = s;
	s->file = f;
	return f;
}

/*
 * The socket goes away (its file closed, or an embryo nobody accepted):
 * its name, its connection, its queues. A connected peer sees end of file,
 * and ECONNRESET if data we never read, or an unaccepted connection, is
 * lost. Sockets connected to a datagram socket learn it when they send.
 */
static void
unix_release(struct unix_sock *s, bool embryo)
{
	s->dead = true;
	list_remove(&s->name_link);
	if (s->inode) {
		inode_put(s->inode);
		s->inode = NULL;
	}
	struct unix_sock *peer = s->peer;
	s->peer = NULL;
	if (peer) {
		if (s->type != SOCK_DGRAM) {
			peer->shut = SHUT_BOTH;
			if (!list_empty(&s->rq) || embryo)
				peer->err = ECONNRESET;
			unix_changed(peer);
		}
		unix_put(peer);
	}
	while (!list_empty(&s->acceptq)) {
		struct unix_sock *e = list_first(&s->acceptq, struct unix_sock,
						 qlink);
		list_remove(&e->qlink);
		s->nacceptq--;
		unix_release(e, true);
		unix_put(e);
	}
	unix_purge(s);
	unix_changed(s);
}

static void
unix_close(struct file *f)
{
	struct unix_sock *s = f->priv;
	if (!s)
		return;
	unix_release(s, false);
	s->file = NULL;
	unix_put(s);
}

int
unix_wait(struct waitq *wq, uint64_t *deadline, uint64_t timeout)
{
	if (timeout && !*deadline)
		*deadline = arch_now_ns() + timeout;
	int w = waitq_wait(wq, *deadline, true);
	if (w == -ETIMEDOUT)
		return -EAGAIN;
	if (w == -EINTR)
		return timeout ? -EINTR : -ERESTARTSYS;
	return 0;
}

/* ---- Names ------------------------------------------------------------- */

int
unix_addr_in(char *buf, uaddr_t uaddr, unsigned len)
{
	if (len > 128)			/* sizeof(struct sockaddr_storage) */
		return -EINVAL;
	if (len && copyin(buf, uaddr, len) < 0)
		return -EFAULT;
	buf[len] = 0;
	return 0;
}

static uint16_t
family_of(const char *buf, unsigned len)
{
	if (len < 2)
		return 0xffff;
	return (uint16_t)((uint8_t)buf[0] | (uint8_t)buf[1] << 8);
}

int
unix_addr_check(const char *buf, unsigned *len)
{
	if (*len < SUN_PATH_OFF || *len > SUN_LEN_MAX ||
	    family_of(buf, *len) != AF_UNIX)
		return -EINVAL;
	if (*len > SUN_PATH_OFF && buf[SUN_PATH_OFF])
		*len = SUN_PATH_OFF + (unsigned)strlen(buf + SUN_PATH_OFF) + 1;
	return 0;
}

static struct unix_sock *
find_abstract(const char *name, unsigned len, int type)
{
	list_for_each(it, &unix_names) {
		struct unix_sock *s = list_entry(it, struct unix_sock,
						 name_link);
		if (!s->inode && s->type == type && s->addr.len == len &&
		    memcmp(s->addr.sun, name, len) == 0)
			return s;
	}
	return NULL;
}

static void
set_name(struct unix_sock *s, const char *name, unsigned len)
{
	memcpy(s->addr.sun, name, len);
	s->addr.len = len;
	list_push_back(&unix_names, &s->name_link);
}

int
unix_autobind(struct unix_sock *s)
{
	static unsigned next;
	static const char hex[] = "0123456789abcdef";
	char name[8] = { AF_UNIX, 0, 0 };

	if (s->addr.len)
		return 0;
	for (unsigned tries = 0; tries < 0x100000; tries++) {
		unsigned n = next++ & 0xfffff;
		for (int i = 0; i < 5; i++)
			name[3 + i] = hex[(n >> (16 - 4 * i)) & 0xf];
		if (!find_abstract(name, sizeof(name), s->type)) {
			set_name(s, name, sizeof(name));
			return 0;
		}
	}
	return -ENOSPC;
}

struct unix_sock *
unix_find(const void *addr, unsigned len, int type)
{
	const char *buf = addr;
	struct unix_sock *found = NULL;
	if (buf[SUN_PATH_OFF] == 0) {
		found = find_abstract(buf, len, type);
		if (!found)
			return ERR_PTR(-ECONNREFUSED);
		int e = landlock_unix_connect(found->landlock);
		if (e < 0)
			return ERR_PTR(e);
		unix_get(found);
		return found;
	}
	struct proc *p = current()->proc;
	struct inode *ino = vfs_lookup(p, AT_FDCWD, buf + SUN_PATH_OFF, true);
	if (IS_ERR(ino))
		return (struct unix_sock *)ino;
	int e = vfs_permission(p, ino, 2);
	if (e == 0 && !S_ISSOCK_K(ino->mode))
		e = -ECONNREFUSED;
	if (e == 0) {
		e = -ECONNREFUSED;
		list_for_each(it, &unix_names) {
			struct unix_sock *s = list_entry(it, struct unix_sock,
							 name_link);
			if (s->inode == ino) {
				found = s;
				e = s->type == type ? 0 : -EPROTOTYPE;
				break;
			}
		}
	}
	inode_put(ino);
	if (e < 0)
		return ERR_PTR(e);
	unix_get(found);
	return found;
}

static bool
is_dot(const char *name, size_t len)
{
	return (len == 1 && name[0] == '.') ||
	       (len == 2 && name[0] == '.' && name[1] == '.');
}

/* Makes the socket inode for a path name, as mknod(S_IFSOCK) would. */
static int
bind_path(struct unix_sock *s, const char *buf, unsigned len)
{
	struct proc *p = current()->proc;
	const char *last;
	size_t nlen;
	struct inode *dir = vfs_lookup_parent(p, AT_FDCWD, buf + SUN_PATH_OFF,
					      &last, &nlen);
	if (IS_ERR(dir))
		return (int)PTR_ERR(dir);
	struct inode *ino = NULL;
	int e = vfs_permission(p, dir, 3);
	if (e == 0 && (nlen == 0 || is_dot(last, nlen)))
		e = -EEXIST;
	if (e == 0 && !dir->iops->create)
		e = -EROFS;
	if (e == 0)
		e = landlock_make_name(dir, last, nlen, S_IFSOCK);
	if (e == 0)
		e = dir->iops->create(dir, last, nlen,
				      S_IFSOCK | (0777 & ~p->fs->umask), &ino);
	if (e == -EEXIST)
		e = -EADDRINUSE;
	if (e == 0 && s->addr.len) {
		/* Linux makes the node, then finds the socket bound: undo. */
		if (dir->iops->unlink)
			dir->iops->unlink(dir, last, nlen, false);
		inode_put(ino);
		e = -EINVAL;
	}
	inode_put(dir);
	if (e < 0)
		return e;
	ino->uid = p->euid;
	ino->gid = p->egid;
	s->inode = ino;
	set_name(s, buf, len);
	return 0;
}

long
unix_bind(struct file *f, uaddr_t uaddr, unsigned len)
{
	struct unix_sock *s = unix_of(f);
	char buf[UNIX_ADDR_BUF];
	int e = unix_addr_in(buf, uaddr, len);
	if (e < 0)
		return e;
	if (len == SUN_PATH_OFF && family_of(buf, len) == AF_UNIX)
		return unix_autobind(s);
	if ((e = unix_addr_check(buf, &len)) < 0)
		return e;
	if (buf[SUN_PATH_OFF])
		return bind_path(s, buf, len);
	if (s->addr.len)
		return -EINVAL;
	if (find_abstract(buf, len, s->type))
		return -EADDRINUSE;
	set_name(s, buf, len);
	return 0;
}

/* ---- Connections ------------------------------------------------------- */

static bool
nonblocking(struct file *f)
{
	return f->flags & O_NONBLOCK;
}

long
unix_listen(struct file *f, int backlog)
{
	struct unix_sock *s = unix_of(f);
	if (s->type == SOCK_DGRAM)
		return -EOPNOTSUPP;
	if (!s->addr.len || s->state == UNIX_CONNECTED)
		return -EINVAL;
	if ((unsigned)backlog > SOMAXCONN)
		backlog = SOMAXCONN;
	s->backlog = backlog;
	s->state = UNIX_LISTENING;
	unix_cred_current(&s->cred);
	unix_changed(s);	/* a larger backlog lets connectors in */
	return 0;
}

/* The embryo of a connection from s to listener l, already paired with s. */
static struct unix_sock *
embryo_new(struct unix_sock *s, struct unix_sock *l)
{
	struct unix_sock *e = unix_new(s->type);
	if (!e)
		return NULL;
	e->state = UNIX_CONNECTED;
	e->addr = l->addr;		/* accepted sockets share the name */
	unix_cred_current(&e->cred);
	e->peercred = e->cred;
	e->has_peercred = true;
	unix_get(s);
	e->peer = s;
	unix_get(e);
	s->peer = e;
	s->state = UNIX_CONNECTED;
	s->peercred = l->cred;
	s->has_peercred = true;
	return e;
}

static long
stream_connect(struct file *f, struct unix_sock *s, char *buf, unsigned len)
{
	int e;
	if ((e = unix_addr_check(buf, &len)) < 0)
		return e;
	if (s->passcred && (e = unix_autobind(s)) < 0)
		return e;
	uint64_t deadline = 0;
	struct unix_sock *l;
	for (;;) {
		l = unix_find(buf, len, s->type);
		if (IS_ERR(l))
			return PTR_ERR(l);
		if (l->state != UNIX_LISTENING || (l->shut & SHUT_RCV)) {
			unix_put(l);
			return -ECONNREFUSED;
		}
		if (l->nacceptq <= (unsigned)l->backlog)
			break;
		if (nonblocking(f)) {
			unix_put(l);
			return -EAGAIN;
		}
		int w = unix_wait(&l->wq, &deadline, s->sndtimeo);
		unix_put(l);
		if (w < 0)
			return w;
	}
	long r = 0;
	struct unix_sock *emb = NULL;
	if (s->state == UNIX_CONNECTED)
		r = -EISCONN;
	else if (s->state != UNIX_UNCONNECTED)
		r = -EINVAL;
	else if (!(emb = embryo_new(s, l)))
		r = -ENOMEM;
	if (emb) {
		list_push_back(&l->acceptq, &emb->qlink);
		l->nacceptq++;
		unix_changed(l);
		unix_changed(s);
	}
	unix_put(l);
	return r;
}

/*
 * A datagram socket leaves its peer. Queued messages go with it, and a
 * peer connected back to us is told with ECONNRESET (as Linux).
 */
void
unix_dgram_disconnect(struct unix_sock *s)
{
	struct unix_sock *old = s->peer;
	if (!old)
		return;
	s->peer = NULL;
	s->state = UNIX_UNCONNECTED;
	if (!list_empty(&s->rq)) {
		unix_purge(s);
		if (!old->dead && old->peer == s) {
			old->err = ECONNRESET;
			unix_changed(old);
		}
	}
	unix_put(old);
	unix_changed(s);
}

static long
dgram_connect(struct unix_sock *s, char *buf, unsigned len)
{
	int e;
	if (len < SUN_PATH_OFF)
		return -EINVAL;
	if (family_of(buf, len) == AF_UNSPEC) {
		unix_dgram_disconnect(s);
		return 0;
	}
	if ((e = unix_addr_check(buf, &len)) < 0)
		return e;
	if (s->passcred && (e = unix_autobind(s)) < 0)
		return e;
	struct unix_sock *other = unix_find(buf, len, s->type);
	if (IS_ERR(other))
		return PTR_ERR(other);
	if (other->peer && other->peer != s) {
		unix_put(other);
		return -EPERM;
	}
	if (s->peer == other) {
		unix_put(other);
		return 0;
	}
	unix_dgram_disconnect(s);
	s->peer = other;
	s->state = UNIX_CONNECTED;
	unix_changed(s);
	return 0;
}

long
unix_connect(struct file *f, uaddr_t uaddr, unsigned len)
{
	struct unix_sock *s = unix_of(f);
	char buf[UNIX_ADDR_BUF];
	int e = unix_addr_in(buf, uaddr, len);
	if (e < 0)
		return e;
	if (s->type == SOCK_DGRAM)
		return dgram_connect(s, buf, len);
	return stream_connect(f, s, buf, len);
}

/* s's name, or just the family for an unbound socket. */
static long
sock_name_out(struct unix_sock *s, uaddr_t uaddr, uaddr_t ulen)
{
	static const char unnamed[2] = { AF_UNIX, 0 };
	if (s->addr.len)
		return sockaddr_out(s->addr.sun, s->addr.len, uaddr, ulen);
	return sockaddr_out(unnamed, sizeof(unnamed), uaddr, ulen);
}

long
unix_accept(struct file *f, uaddr_t uaddr, uaddr_t ulen, int flags)
{
	struct unix_sock *s = unix_of(f);
	if (s->type == SOCK_DGRAM)
		return -EOPNOTSUPP;
	if (s->state != UNIX_LISTENING)
		return -EINVAL;
	uint64_t deadline = 0;
	while (list_empty(&s->acceptq)) {
		if (nonblocking(f))
			return -EAGAIN;
		int w = unix_wait(&s->wq, &deadline, s->rcvtimeo);
		if (w < 0)
			return w;
		if (s->state != UNIX_LISTENING)
			return -EINVAL;
	}
	struct unix_sock *e = list_first(&s->acceptq, struct unix_sock, qlink);
	struct file *nf = unix_file(e, flags & SOCK_NONBLOCK ? O_NONBLOCK : 0);
	if (!nf)
		return -ENOMEM;
	list_remove(&e->qlink);
	s->nacceptq--;
	unix_changed(s);		/* room in the backlog */
	int fd = fd_install(current()->proc, nf, 0, flags & SOCK_CLOEXEC);
	if (fd < 0) {
		file_put(nf);
		return fd;
	}
	if (uaddr) {
		long r = e->peer ? sock_name_out(e->peer, uaddr, ulen) : 0;
		if (r < 0) {
			fd_close(current()->proc, fd);
			return r;
		}
	}
	return fd;
}

long
unix_getname(struct file *f, uaddr_t uaddr, uaddr_t ulen, bool peer)
{
	struct unix_sock *s = unix_of(f);
	if (peer) {
		s = s->peer;
		if (!s)
			return -ENOTCONN;
	}
	return sock_name_out(s, uaddr, ulen);
}

long
unix_shutdown(struct file *f, int how)
{
	struct unix_sock *s = unix_of(f);
	if (how < 0 || how > 2)
		return -EINVAL;
	unsigned mode = (unsigned)how + 1;	/* SHUT_RD -> SHUT_RCV ... */
	s->shut |= mode;
	unix_changed(s);
	struct unix_sock *peer = s->peer;
	if (peer && s->type != SOCK_DGRAM) {
		unsigned pm = (mode & SHUT_RCV ? SHUT_SEND : 0) |
			      (mode & SHUT_SEND ? SHUT_RCV : 0);
		peer->shut |= pm;
		unix_changed(peer);
	}
	return 0;
}

/* ---- Creation ---------------------------------------------------------- */

static int
check_type(int type, int protocol, int *base)
{
	*base = type & SOCK_TYPE_MASK;
	if (type & ~(SOCK_TYPE_MASK | SOCK_NONBLOCK | SOCK_CLOEXEC))
		return -EINVAL;
	if (*base >= SOCK_MAX)
		return -EINVAL;
	if (protocol && protocol != AF_UNIX)
		return -EPROTONOSUPPORT;
	if (*base == SOCK_RAW)
		*base = SOCK_DGRAM;	/* as Linux: nothing else uses it */
	if (*base != SOCK_STREAM && *base != SOCK_DGRAM &&
	    *base != SOCK_SEQPACKET)
		return -ESOCKTNOSUPPORT_K;
	return 0;
}

/* A socket with its file, or NULL; flags are socket(2)'s type flags. */
static struct file *
socket_file(int base, int flags)
{
	struct unix_sock *s = unix_new(base);
	if (!s)
		return NULL;
	struct file *f = unix_file(s, flags & SOCK_NONBLOCK ? O_NONBLOCK : 0);
	if (!f)
		unix_put(s);
	return f;
}

long
unix_socket(int type, int protocol)
{
	int base;
	int e = check_type(type, protocol, &base);
	if (e < 0)
		return e;
	struct file *f = socket_file(base, type);
	if (!f)
		return -ENOMEM;
	int fd = fd_install(current()->proc, f, 0, type & SOCK_CLOEXEC);
	if (fd < 0)
		file_put(f);
	return fd;
}

long
unix_socketpair(int type, int protocol, uaddr_t usv)
{
	struct proc *p = current()->proc;
	int base;
	int e = check_type(type, protocol, &base);
	if (e < 0)
		return e;
	struct file *f0 = socket_file(base, type);
	struct file *f1 = f0 ? socket_file(base, type) : NULL;
	if (!f1) {
		if (f0)
			file_put(f0);
		return -ENOMEM;
	}
	struct unix_sock *a = unix_of(f0), *b = unix_of(f1);
	unix_get(b);
	a->peer = b;
	unix_get(a);
	b->peer = a;
	a->state = b->state = UNIX_CONNECTED;
	unix_cred_current(&a->cred);
	b->cred = a->peercred = b->peercred = a->cred;
	a->has_peercred = b->has_peercred = true;
	int fds[2] = { fd_install(p, f0, 0, type & SOCK_CLOEXEC), -1 };
	if (fds[0] < 0) {
		file_put(f0);
		file_put(f1);
		return fds[0];
	}
	fds[1] = fd_install(p, f1, 0, type & SOCK_CLOEXEC);
	if (fds[1] < 0) {
		fd_close(p, fds[0]);
		file_put(f1);
		return fds[1];
	}
	if (copyout(usv, fds, sizeof(fds)) < 0) {
		fd_close(p, fds[0]);
		fd_close(p, fds[1]);
		return -EFAULT;
	}
	return 0;
}

/* ---- The file ---------------------------------------------------------- */

static unsigned
unix_poll(struct file *f)
{
	return unix_poll_events(unix_of(f));
}

static long
unix_ioctl(struct file *f, unsigned long cmd, uint64_t arg)
{
	struct unix_sock *s = unix_of(f);
	const unsigned long FIONREAD = 0x541b, TIOCOUTQ = 0x5411;
	int n = 0;
	if (cmd == FIONREAD) {
		if (s->state == UNIX_LISTENING)
			return -EINVAL;
		list_for_each(it, &s->rq) {
			struct unix_msg *m = list_entry(it, struct unix_msg,
							link);
			n += (int)(m->len - m->off);
			if (s->type == SOCK_DGRAM)
				break;	/* the next datagram's size */
		}
		return copyout(arg, &n, sizeof(n));
	}
	if (cmd == TIOCOUTQ) {		/* SIOCOUTQ: what peers hold of ours */
		if (s->state == UNIX_LISTENING)
			return -EINVAL;
		n = (int)s->wmem;
		return copyout(arg, &n, sizeof(n));
	}
	return -ENOTTY;
}

static const struct sock_ops unix_sock_ops = {
	.bind = unix_bind,
	.listen = unix_listen,
	.connect = unix_connect,
	.accept = unix_accept,
	.shutdown = unix_shutdown,
	.getname = unix_getname,
	.setsockopt = unix_setsockopt,
	.getsockopt = unix_getsockopt,
	.sendto = unix_sendto,
	.recvfrom = unix_recvfrom,
	.sendmsg = unix_sendmsg,
	.recvmsg = unix_recvmsg,
};

static const struct file_ops unix_fops = {
	.sock = &unix_sock_ops,
	.read = unix_file_read,
	.write = unix_file_write,
	.rw_iov = unix_file_rw_iov,
	.poll = unix_poll,
	.ioctl = unix_ioctl,
	.close = unix_close,
	.fasync = fasync_plain,
};
