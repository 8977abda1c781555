/*
 * AF_UNIX sockets: moving data. A send puts messages (struct unix_msg) on
 * the receiver's queue, charged to the sender until they are read, which
 * bounds what a sender can queue (SO_SNDBUF). A stream reader takes bytes
 * across messages; datagram and seqpacket readers take one message at a
 * time. SCM_RIGHTS carries open files with a message; SCM_CREDENTIALS
 * gives the sender's pid and ids to a reader that asked (SO_PASSCRED).
 */
#include "unixsock_int.h"
#include <kernel/sock.h>
#include <kernel/vfs.h>
#include <kernel/proc.h>
#include <kernel/vm.h>
#include <kernel/kmalloc.h>
#include <kernel/string.h>
#include <kernel/errno.h>
#include <arch/mmu.h>

#define SOL_SOCKET 1
#define SCM_RIGHTS 1
#define SCM_CREDENTIALS 2
#define MSG_OVERHEAD 256		/* a message's cost beyond its data */
#define CHUNK_MAX 65536			/* largest piece of a stream write */
#define CONTROL_MAX 65536		/* Linux: net.core.optmem_max */
#define POLLWRBAND 0x200

struct cmsghdr_k {
	uint64_t len;
	int32_t level, type;
};

#define CMSG_HDR sizeof(struct cmsghdr_k)
#define CMSG_SPACE_K(n) (CMSG_HDR + ALIGN_UP((uint64_t)(n), 8))

/* The caller's buffers and a cursor through them. */
struct uio {
	const struct uiovec *iov;
	int n;
	bool kernel;			/* bases are kernel addresses */
	int i;				/* cursor: iov[i], off bytes in */
	size_t off;
	size_t total;			/* bytes the call may move */
};

/* What a send carries besides its data. */
struct unix_send {
	struct uio data;
	int flags;
	char *addr;			/* a sockaddr_un, or NULL */
	unsigned alen;
	struct file **files;		/* SCM_RIGHTS, references held */
	int nfiles;
};

/* What a receive learnt besides its data. */
struct unix_rcv {
	struct unix_sock *from;		/* first message's sender (a ref) */
	struct unix_cred cred;
	struct file **files;		/* references held */
	int nfiles;
	int flags;			/* MSG_TRUNC, MSG_CTRUNC */
};

static long
uio_init(struct uio *u, const struct uiovec *iov, int n, bool kernel)
{
	*u = (struct uio){ .iov = iov, .n = n, .kernel = kernel };
	for (int i = 0; i < n; i++) {
		if ((int64_t)iov[i].len < 0)
			return -EINVAL;
		if (!kernel && (iov[i].base + iov[i].len < iov[i].base ||
				iov[i].base + iov[i].len > USER_TOP))
			return -EFAULT;
		u->total = MIN(u->total + iov[i].len, MAX_RW_COUNT);
	}
	return 0;
}

/* Moves n bytes between buf and the cursor (out: to the caller). */
static long
uio_move(struct uio *u, void *buf, size_t n, bool out)
{
	char *k = buf;
	size_t done = 0;
	while (done < n && u->i < u->n) {
		const struct uiovec *v = &u->iov[u->i];
		size_t step = MIN(n - done, v->len - u->off);
		uint64_t at = v->base + u->off;
		if (step && u->kernel) {
			if (out)
				memcpy((void *)(uintptr_t)at, k + done, step);
			else
				memcpy(k + done, (void *)(uintptr_t)at, step);
		} else if (step) {
			int e = out ? copyout(at, k + done, step) :
				      copyin(k + done, at, step);
			if (e < 0)
				return -EFAULT;
		}
		done += step;
		u->off += step;
		if (u->off == v->len) {
			u->i++;
			u->off = 0;
		}
	}
	return 0;
}

static void
filev_put(struct file **files, int n)
{
	for (int i = 0; i < n; i++)
		file_put(files[i]);
	kfree(files);
}

/* ---- Queues ------------------------------------------------------------ */

static struct unix_msg *
msg_new(size_t len)
{
	struct unix_msg *m = kmalloc(sizeof(*m) + (len ? len : 1));
	if (!m)
		return NULL;
	memset(m, 0, sizeof(*m));
	list_init(&m->link);
	m->len = len;
	unix_cred_current(&m->cred);
	return m;
}

/* Queues m from s on to's receive queue; files move with it. */
static void
enqueue(struct unix_sock *s, struct unix_sock *to, struct unix_msg *m,
	struct unix_send *snd)
{
	if (snd->files) {
		m->files = snd->files;
		m->nfiles = snd->nfiles;
		snd->files = NULL;
		snd->nfiles = 0;
	}
	unix_get(s);
	m->from = s;
	m->charge = m->len + MSG_OVERHEAD;
	s->wmem += m->charge;
	list_push_back(&to->rq, &m->link);
	to->rq_len++;
	unix_arrived(to);
}

void
unix_msg_free(struct unix_msg *m)
{
	if (m->from) {
		m->from->wmem -= m->charge;
		unix_changed(m->from);	/* room to send again */
		unix_put(m->from);
	}
	if (m->files)
		filev_put(m->files, m->nfiles);
	kfree(m);
}

static void
dequeue(struct unix_sock *s, struct unix_msg *m)
{
	list_remove(&m->link);
	s->rq_len--;
	unix_msg_free(m);
	unix_changed(s);	/* datagram senders wait for queue room */
}

void
unix_purge(struct unix_sock *s)
{
	while (!list_empty(&s->rq))
		dequeue(s, list_first(&s->rq, struct unix_msg, link));
}

unsigned
unix_poll_events(struct unix_sock *s)
{
	unsigned ev = 0;
	if (s->err)
		ev |= POLLERR;
	if (s->shut == SHUT_BOTH)
		ev |= POLLHUP;
	if (s->shut & SHUT_RCV)
		ev |= POLLRDHUP | POLLIN | POLLRDNORM;
	if (!list_empty(&s->rq) || !list_empty(&s->acceptq))
		ev |= POLLIN | POLLRDNORM;
	if (s->type != SOCK_DGRAM && s->state == UNIX_UNCONNECTED)
		ev |= POLLHUP;
	bool writable = s->state != UNIX_LISTENING &&
			s->wmem * 4 <= (size_t)s->sndbuf;
	/* A datagram peer that is not ours back may have a full queue. */
	struct unix_sock *o = s->peer;
	if (writable && s->type != SOCK_STREAM && o && o->peer != s &&
	    o->rq_len > UNIX_DGRAM_QLEN)
		writable = false;
	if (writable)
		ev |= POLLOUT | POLLWRNORM | POLLWRBAND;
	return ev;
}

/* ---- Sending ----------------------------------------------------------- */

static long
stream_send(struct unix_sock *s, struct unix_send *snd, bool nonblock)
{
	size_t total = snd->data.total, sent = 0;
	uint64_t deadline = 0;
	if (snd->addr)
		return s->state == UNIX_CONNECTED ? -EISCONN : -EOPNOTSUPP;
	if (!s->peer)
		return -ENOTCONN;
	if (s->shut & SHUT_SEND)
		goto pipe;
	while (sent < total) {
		struct unix_sock *peer = s->peer;
		if (peer->dead || (peer->shut & SHUT_RCV))
			goto pipe;
		if (s->wmem >= (size_t)s->sndbuf) {
			if (nonblock)
				return sent ? (long)sent : -EAGAIN;
			int w = unix_wait(&s->wq, &deadline, s->sndtimeo);
			if (w < 0)
				return sent ? (long)sent : w;
			if (s->shut & SHUT_SEND)
				goto pipe;
			continue;
		}
		size_t n = MIN(total - sent, (size_t)s->sndbuf / 2 - 64);
		n = MIN(n, (size_t)CHUNK_MAX);
		struct unix_msg *m = msg_new(n);
		if (!m)
			return sent ? (long)sent : -ENOMEM;
		if (uio_move(&snd->data, m->data, n, false) < 0) {
			kfree(m);
			return sent ? (long)sent : -EFAULT;
		}
		enqueue(s, peer, m, snd);
		sent += n;
	}
	return (long)sent;
pipe:
	if (!sent && !(snd->flags & MSG_NOSIGNAL_K))
		signal_send_thread(current(), SIGPIPE);
	return sent ? (long)sent : -EPIPE;
}

/*
 * The receiver of a datagram: other (a reference) once it may take one,
 * waiting for room in its queue unless nonblock. 0 or -errno.
 */
static long
dgram_ready(struct unix_sock *s, struct unix_sock *other, bool nonblock,
	    uint64_t *deadline)
{
	for (;;) {
		if (other->dead) {
			if (s->type == SOCK_SEQPACKET)
				return -EPIPE;
			if (other == s->peer)
				unix_dgram_disconnect(s);
			return -ECONNREFUSED;
		}
		if (other->peer && other->peer != s)
			return -EPERM;	/* it is connected to someone else */
		if (other->shut & SHUT_RCV)
			return -EPIPE;
		if (other->peer == s || other->rq_len <= UNIX_DGRAM_QLEN)
			return 0;
		if (nonblock)
			return -EAGAIN;
		int w = unix_wait(&other->wq, deadline, s->sndtimeo);
		if (w < 0)
			return w;
	}
}

static long
dgram_send(struct unix_sock *s, struct unix_send *snd, bool nonblock)
{
	char *addr = snd->addr;
	unsigned alen = snd->alen;
	size_t len = snd->data.total;
	uint64_t deadline = 0;
	long e;
	if (s->type == SOCK_SEQPACKET) {
		if (s->err) {
			e = -s->err;
			s->err = 0;
			return e;
		}
		if (s->state != UNIX_CONNECTED)
			return -ENOTCONN;
		addr = NULL;
	}
	if (addr) {
		if ((e = unix_addr_check(addr, &alen)) < 0)
			return e;
	} else if (!s->peer) {
		return -ENOTCONN;
	}
	if (s->passcred && (e = unix_autobind(s)) < 0)
		return e;
	if (len > (size_t)s->sndbuf - 32)
		return -EMSGSIZE;
	while (s->wmem >= (size_t)s->sndbuf) {
		if (nonblock)
			return -EAGAIN;
		if ((e = unix_wait(&s->wq, &deadline, s->sndtimeo)) < 0)
			return e;
	}
	struct unix_msg *m = msg_new(len);
	if (!m)
		return -ENOMEM;
	if (uio_move(&snd->data, m->data, len, false) < 0) {
		kfree(m);
		return -EFAULT;
	}
	struct unix_sock *other;
	if (addr) {
		other = unix_find(addr, alen, s->type);
	} else {
		other = s->peer ? s->peer : ERR_PTR(-ECONNRESET);
		if (!IS_ERR(other))
			unix_get(other);
	}
	if (IS_ERR(other)) {
		kfree(m);
		return PTR_ERR(other);
	}
	e = dgram_ready(s, other, nonblock, &deadline);
	if (e == 0)
		enqueue(s, other, m, snd);
	else
		kfree(m);
	unix_put(other);
	return e < 0 ? e : (long)len;
}

static long
send_common(struct file *f, struct unix_send *snd)
{
	struct unix_sock *s = unix_of(f);
	bool nonblock = (f->flags & O_NONBLOCK) ||
			(snd->flags & MSG_DONTWAIT_K);
	long r;
	if (snd->flags & MSG_OOB_K)
		r = -EOPNOTSUPP;
	else if (s->type == SOCK_STREAM)
		r = stream_send(s, snd, nonblock);
	else
		r = dgram_send(s, snd, nonblock);
	if (snd->files)
		filev_put(snd->files, snd->nfiles);
	return r;
}

/* SCM_RIGHTS: takes a reference on each file named. */
static long
rights_in(struct unix_send *snd, const char *data, size_t num)
{
	struct proc *p = current()->proc;
	if (num == 0)
		return 0;
	if (num > UNIX_SCM_MAX_FD || snd->nfiles + num > UNIX_SCM_MAX_FD)
		return -EINVAL;
	if (!snd->files) {
		snd->files = kmalloc(sizeof(*snd->files) * UNIX_SCM_MAX_FD);
		if (!snd->files)
			return -ENOMEM;
	}
	for (size_t i = 0; i < num; i++) {
		int fd;
		memcpy(&fd, data + 4 * i, sizeof(fd));
		struct file *f = fd_get(p, fd);
		if (!f)
			return -EBADF;
		file_get(f);
		snd->files[snd->nfiles++] = f;
	}
	return 0;
}

/* Reads a sendmsg's control messages. */
static long
control_in(struct unix_send *snd, uaddr_t uctl, uint64_t len)
{
	if (len > 0x7fffffff)
		return -ENOBUFS;
	if (len < CMSG_HDR)
		return 0;		/* no room for even one: none */
	if (len > CONTROL_MAX)
		return -ENOBUFS;
	char *buf = kmalloc(len);
	if (!buf)
		return -ENOMEM;
	long e = copyin(buf, uctl, len) < 0 ? -EFAULT : 0;
	for (uint64_t pos = 0; e == 0 && pos + CMSG_HDR <= len;) {
		struct cmsghdr_k h;
		memcpy(&h, buf + pos, sizeof(h));
		if (h.len < CMSG_HDR || h.len > len - pos) {
			e = -EINVAL;
			break;
		}
		if (h.level == SOL_SOCKET) {
			if (h.type == SCM_RIGHTS)
				e = rights_in(snd, buf + pos + CMSG_HDR,
					      (h.len - CMSG_HDR) / 4);
			else if (h.type != SCM_CREDENTIALS ||
				 h.len != CMSG_HDR + sizeof(struct unix_cred))
				e = -EINVAL;
		}
		pos += ALIGN_UP(h.len, 8);
	}
	kfree(buf);
	return e;
}

/* ---- Receiving --------------------------------------------------------- */

/* The first message a receive touches names the sender. */
static void
note_sender(struct unix_rcv *r, struct unix_msg *m)
{
	if (r->from)
		return;
	unix_get(m->from);
	r->from = m->from;
	r->cred = m->cred;
}

/* Takes m's files (MSG_PEEK: new references to them). */
static void
take_files(struct unix_rcv *r, struct unix_msg *m, bool peek)
{
	if (!m->files)
		return;
	if (!peek) {
		r->files = m->files;
		r->nfiles = m->nfiles;
		m->files = NULL;
		m->nfiles = 0;
		return;
	}
	r->files = kmalloc(sizeof(*r->files) * (size_t)m->nfiles);
	if (!r->files)
		return;
	for (int i = 0; i < m->nfiles; i++) {
		file_get(m->files[i]);
		r->files[i] = m->files[i];
	}
	r->nfiles = m->nfiles;
}

static void
rcv_done(struct unix_rcv *r)
{
	if (r->from)
		unix_put(r->from);
	if (r->files)
		filev_put(r->files, r->nfiles);
}

/* Bytes of s's stream queue, skip bytes in: the message and offset. */
static struct unix_msg *
stream_at(struct unix_sock *s, size_t *skip)
{
	list_for_each(it, &s->rq) {
		struct unix_msg *m = list_entry(it, struct unix_msg, link);
		size_t avail = m->len - m->off;
		if (*skip < avail)
			return m;
		*skip -= avail;
	}
	return NULL;
}

static long
stream_recv(struct unix_sock *s, struct uio *u, int flags, bool nonblock,
	    struct unix_rcv *r)
{
	bool peek = flags & MSG_PEEK_K;
	size_t want = u->total, copied = 0;
	size_t target = flags & MSG_WAITALL_K ? want :
			MIN((size_t)s->rcvlowat, want);
	uint64_t deadline = 0;
	if (s->state != UNIX_CONNECTED)
		return -EINVAL;
	if (target == 0)
		target = 1;
	for (;;) {
		size_t skip = peek ? copied : 0;	/* peeked bytes stay */
		struct unix_msg *m = stream_at(s, &skip);
		if (!m) {
			if (copied >= target)
				break;
			if (s->err) {
				int e = s->err;
				s->err = 0;
				if (copied)
					break;
				return -e;
			}
			if (s->shut & SHUT_RCV)
				break;
			if (nonblock)
				return copied ? (long)copied : -EAGAIN;
			int w = unix_wait(&s->wq, &deadline, s->rcvtimeo);
			if (w < 0)
				return copied ? (long)copied : w;
			continue;
		}
		note_sender(r, m);
		size_t n = MIN(m->len - m->off - skip, want - copied);
		if (uio_move(u, m->data + m->off + skip, n, true) < 0)
			return copied ? (long)copied : -EFAULT;
		copied += n;
		bool had_files = m->files != NULL;
		take_files(r, m, peek);
		if (!peek) {
			m->off += n;
			if (m->off < m->len)
				break;	/* the caller's buffer is full */
			dequeue(s, m);
		}
		/* Files end a read, so each set arrives with its own bytes. */
		if (had_files || copied >= want)
			break;
	}
	return (long)copied;
}

static long
dgram_recv(struct unix_sock *s, struct uio *u, int flags, bool nonblock,
	   struct unix_rcv *r)
{
	uint64_t deadline = 0;
	struct unix_msg *m;
	if (s->type == SOCK_SEQPACKET && s->state != UNIX_CONNECTED)
		return -ENOTCONN;
	while (!(m = list_first(&s->rq, struct unix_msg, link))) {
		if (s->err) {
			int e = s->err;
			s->err = 0;
			return -e;
		}
		if (s->shut & SHUT_RCV)
			return 0;
		if (nonblock)
			return -EAGAIN;
		int w = unix_wait(&s->wq, &deadline, s->rcvtimeo);
		if (w < 0)
			return w;
	}
	bool peek = flags & MSG_PEEK_K;
	size_t n = MIN(m->len, u->total);
	if (m->len > n)
		r->flags |= MSG_TRUNC_K;
	note_sender(r, m);
	take_files(r, m, peek);
	long ret = flags & MSG_TRUNC_K ? (long)m->len : (long)n;
	if (uio_move(u, m->data, n, true) < 0)
		ret = -EFAULT;
	if (!peek)
		dequeue(s, m);
	return ret;
}

static long
recv_common(struct file *f, struct uio *u, int flags, struct unix_rcv *r)
{
	struct unix_sock *s = unix_of(f);
	bool nonblock = (f->flags & O_NONBLOCK) || (flags & MSG_DONTWAIT_K);
	if (flags & MSG_OOB_K)
		return -EOPNOTSUPP;
	if (s->type == SOCK_STREAM)
		return stream_recv(s, u, flags, nonblock, r);
	return dgram_recv(s, u, flags, nonblock, r);
}

/* The sender's name for recvfrom/recvmsg: nothing if it had none. */
static long
sender_out(struct unix_rcv *r, uaddr_t uaddr, uaddr_t ulen)
{
	struct unix_sock *from = r->from;
	if (from && from->addr.len)
		return sockaddr_out(from->addr.sun, from->addr.len, uaddr,
				     ulen);
	return sockaddr_out(NULL, 0, uaddr, ulen);
}

/* The control buffer of a recvmsg, filled as Linux's put_cmsg does. */
struct cbuf {
	uaddr_t at;
	uint64_t room;
	int *flags;
};

static long
put_cmsg(struct cbuf *c, int type, const void *data, size_t len)
{
	uint64_t cmlen = CMSG_HDR + len;
	if (!c->at || c->room < CMSG_HDR) {
		*c->flags |= MSG_CTRUNC_K;
		return 0;
	}
	if (c->room < cmlen) {
		*c->flags |= MSG_CTRUNC_K;
		cmlen = c->room;
	}
	struct cmsghdr_k h = { cmlen, SOL_SOCKET, type };
	if (copyout(c->at, &h, sizeof(h)) < 0 ||
	    copyout(c->at + CMSG_HDR, data, cmlen - CMSG_HDR) < 0)
		return -EFAULT;
	uint64_t used = MIN(CMSG_SPACE_K(len), c->room);
	c->at += used;
	c->room -= used;
	return 0;
}

/* Installs received files as descriptors in an SCM_RIGHTS message. */
static long
put_rights(struct cbuf *c, struct unix_rcv *r, int flags)
{
	struct proc *p = current()->proc;
	int max = 0;
	if (c->at && c->room > CMSG_HDR)
		max = (int)MIN((c->room - CMSG_HDR) / 4, (uint64_t)INT32_MAX);
	int fdmax = MIN(max, r->nfiles);
	int i;
	for (i = 0; i < fdmax; i++) {
		int fd = fd_install(p, r->files[i], 0,
				    flags & MSG_CMSG_CLOEXEC_K);
		if (fd < 0)
			break;
		r->files[i] = NULL;
		if (copyout(c->at + CMSG_HDR + 4 * (uint64_t)i, &fd, 4) < 0)
			return -EFAULT;
	}
	if (i > 0) {
		struct cmsghdr_k h = { CMSG_HDR + 4 * (uint64_t)i, SOL_SOCKET,
				       SCM_RIGHTS };
		if (copyout(c->at, &h, sizeof(h)) < 0)
			return -EFAULT;
		uint64_t used = MIN(CMSG_SPACE_K(4 * (uint64_t)i), c->room);
		c->at += used;
		c->room -= used;
	}
	if (i < r->nfiles)
		*c->flags |= MSG_CTRUNC_K;
	return 0;
}

static long
control_out(struct unix_sock *s, struct unix_rcv *r, struct cbuf *c,
	    int flags)
{
	long e = 0;
	if (s->passcred && r->from)
		e = put_cmsg(c, SCM_CREDENTIALS, &r->cred, sizeof(r->cred));
	if (e == 0 && r->nfiles)
		e = put_rights(c, r, flags);
	/* Files not installed are closed, as Linux does. */
	for (int i = 0; i < r->nfiles; i++)
		if (r->files[i])
			file_put(r->files[i]);
	kfree(r->files);
	r->files = NULL;
	r->nfiles = 0;
	return e;
}

/* ---- The calls --------------------------------------------------------- */

long
unix_sendto(struct file *f, uaddr_t buf, size_t len, int flags, uaddr_t addr,
	    unsigned alen)
{
	struct unix_send snd = { .flags = flags };
	struct uiovec v = { buf, MIN(len, (size_t)0x7fffffff) };
	char abuf[UNIX_ADDR_BUF];
	long e = uio_init(&snd.data, &v, 1, false);
	if (e < 0)
		return e;
	if (addr && alen) {
		if ((e = unix_addr_in(abuf, addr, alen)) < 0)
			return e;
		snd.addr = abuf;
		snd.alen = alen;
	}
	return send_common(f, &snd);
}

long
unix_recvfrom(struct file *f, uaddr_t buf, size_t len, int flags,
	      uaddr_t addr, uaddr_t alen)
{
	struct unix_rcv rcv = { 0 };
	struct uiovec v = { buf, MIN(len, (size_t)0x7fffffff) };
	struct uio u;
	long r = uio_init(&u, &v, 1, false);
	if (r < 0)
		return r;
	r = recv_common(f, &u, flags, &rcv);
	if (r >= 0 && addr) {
		long e = sender_out(&rcv, addr, alen);
		if (e < 0)
			r = e;
	}
	rcv_done(&rcv);
	return r;
}

/* A msghdr and its iovecs as a uio; *iov is allocated (kfree it). */
static long
msghdr_uio(uaddr_t umsg, struct msghdr_k *h, struct uiovec **iov,
	   struct uio *u)
{
	long e = msghdr_in(umsg, h, iov);
	return e < 0 ? e : uio_init(u, *iov, (int)h->iovlen, false);
}

long
unix_sendmsg(struct file *f, uaddr_t umsg, int flags)
{
	struct msghdr_k h;
	struct uiovec *iov;
	struct unix_send snd = { .flags = flags };
	char abuf[UNIX_ADDR_BUF];
	long e = msghdr_uio(umsg, &h, &iov, &snd.data);
	if (e == 0 && h.name && h.namelen) {
		if ((int32_t)h.namelen < 0)
			e = -EINVAL;
		else
			e = unix_addr_in(abuf, h.name, MIN(h.namelen, 128u));
		snd.addr = abuf;
		snd.alen = MIN(h.namelen, 128u);
	}
	if (e == 0)
		e = control_in(&snd, h.control, h.controllen);
	if (e == 0)
		e = send_common(f, &snd);
	else if (snd.files)
		filev_put(snd.files, snd.nfiles);
	kfree(iov);
	return e;
}

long
unix_recvmsg(struct file *f, uaddr_t umsg, int flags)
{
	struct msghdr_k h;
	struct uiovec *iov;
	struct uio u;
	struct unix_rcv rcv = { 0 };
	long r = msghdr_uio(umsg, &h, &iov, &u);
	if (r == 0)
		r = recv_common(f, &u, flags, &rcv);
	kfree(iov);
	if (r < 0) {
		rcv_done(&rcv);
		return r;
	}
	long e = 0;
	if (h.name)
		e = sender_out(&rcv, h.name,
			       umsg + offsetof(struct msghdr_k, namelen));
	struct cbuf c = { h.control, h.controllen, &rcv.flags };
	if (e == 0)
		e = control_out(unix_of(f), &rcv, &c, flags);
	uint64_t used = h.controllen - c.room;
	if (e == 0 &&
	    (copyout(umsg + offsetof(struct msghdr_k, controllen), &used,
		     sizeof(used)) < 0 ||
	     copyout(umsg + offsetof(struct msghdr_k, flags), &rcv.flags,
		     sizeof(rcv.flags)) < 0))
		e = -EFAULT;
	rcv_done(&rcv);
	return e < 0 ? e : r;
}

/* read/write/readv/writev: recvmsg/sendmsg with no flags. */
long
unix_file_rw_iov(struct file *f, const struct uiovec *iov, int n, bool write)
{
	struct unix_send snd = { 0 };
	struct unix_rcv rcv = { 0 };
	long r = uio_init(&snd.data, iov, n, false);
	if (r < 0)
		return r;
	if (write)
		return send_common(f, &snd);
	if (snd.data.total == 0)
		return 0;	/* as Linux's sock_read_iter: no wait */
	r = recv_common(f, &snd.data, 0, &rcv);
	rcv_done(&rcv);
	return r;
}

long
unix_file_read(struct file *f, void *buf, size_t len, uint64_t *off)
{
	struct uiovec v = { (uint64_t)(uintptr_t)buf, len };
	struct unix_rcv rcv = { 0 };
	struct uio u;
	(void)off;
	if (len == 0)
		return 0;
	uio_init(&u, &v, 1, true);
	long r = recv_common(f, &u, 0, &rcv);
	rcv_done(&rcv);
	return r;
}

long
unix_file_write(struct file *f, const void *buf, size_t len, uint64_t *off)
{
	struct uiovec v = { (uint64_t)(uintptr_t)buf, len };
	struct unix_send snd = { 0 };
	(void)off;
	uio_init(&snd.data, &v, 1, true);
	return send_common(f, &snd);
}
