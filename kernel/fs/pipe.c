/*
 * Pipes: a ring between a read end and a write end, 64 KiB unless
 * F_SETPIPE_SZ changes it. Writes of up to PIPE_BUF bytes are atomic; a
 * write with no reader raises SIGPIPE/EPIPE; a read with no writer sees
 * end of file. The ring's memory comes with the first write. A write
 * end opened with O_DIRECT (pipe2) writes packets, as Linux's packet
 * mode: each write of up to a page is one, a read returns at most one
 * and drops what it did not take, and the pipe holds as many packets
 * as it has pages (Linux's buffer slots). The
 * pipe_* primitives at the end serve splice, tee and vmsplice
 * (kernel/linux/sys_splice.c).
 */
#include <kernel/vfs.h>
#include <kernel/proc.h>
#include <kernel/kmalloc.h>
#include <kernel/errno.h>
#include <kernel/string.h>
#include <kernel/vm.h>

#define PIPE_SIZE 65536
#define PIPE_BUF 4096

/* /proc/sys/fs/pipe-max-size: the most F_SETPIPE_SZ gives without
 * CAP_SYS_RESOURCE. */
unsigned pipe_max_size = 1048576;

/* Linux's alloc_pipe_info: a new pipe holds PIPE_SIZE, or no more than
 * pipe-max-size for a maker without CAP_SYS_RESOURCE. */
static size_t
pipe_new_size(void)
{
	if (PIPE_SIZE > pipe_max_size && !capable(CAP_SYS_RESOURCE))
		return pipe_max_size;
	return PIPE_SIZE;
}

struct pipe {
	char *buf;			/* size bytes, or NULL before a write */
	size_t size;			/* a power of two, PAGE_SIZE or more */
	size_t head, tail;		/* free-running: used = head - tail */
	int readers, writers;
	struct waitq wait;
	struct pollhead poll_head;	/* every end's pollers: keyed wakes
					   (POLLIN, POLLOUT) tell them apart */
	struct file *rfile;		/* the latest read end, for O_ASYNC */
	struct inode *inode;
	size_t *packets;		/* packets' end positions, a ring of
					   slots entries; NULL before one */
	unsigned slots, npackets, first;
};

/* Whether another packet fits, making the ring at the first. */
static bool
packet_room(struct pipe *p)
{
	if (!p->packets) {
		p->slots = (unsigned)(p->size / PAGE_SIZE);
		p->packets = kmalloc(p->slots * sizeof(*p->packets));
		if (!p->packets)
			return false;
	}
	return p->npackets < p->slots;
}

/* Where the oldest packet ends, or 0 if the pipe holds none. */
static size_t
packet_end(struct pipe *p)
{
	return p->npackets ? p->packets[p->first] : 0;
}

/* Forgets the packets that end at or before the tail. */
static void
packets_consumed(struct pipe *p)
{
	while (p->npackets && p->packets[p->first] <= p->tail) {
		p->first = (p->first + 1) % p->slots;
		p->npackets--;
	}
}

/*
 * Readiness of p changed: key holds the POLL* bits that may have (0: any),
 * so a writer's epoll item is not woken by data, as Linux's separate
 * queues; arrived is the read end that got data, for O_ASYNC.
 */
static void
pipe_notify(struct pipe *p, unsigned key, struct file *arrived)
{
	pollhead_wake(&p->poll_head, key);
	fasync_notify(arrived);
}

static long
pipe_read(struct file *f, void *buf, size_t len, uint64_t *off)
{
	struct pipe *p = f->priv;
	(void)off;
	if (len == 0)
		return 0;
	while (p->head == p->tail) {
		if (p->writers == 0)
			return 0;
		if (f->flags & O_NONBLOCK)
			return -EAGAIN;
		if (waitq_wait(&p->wait, 0, true) == -EINTR)
			return -ERESTARTSYS;
	}
	size_t end = packet_end(p);
	if (end)	/* one packet; what the read does not take is lost */
		len = MIN(len, end - p->tail);
	size_t n = pipe_peek(p, 0, buf, len);
	pipe_consume(p, end ? end - p->tail : n);
	return (long)n;
}

/* A packet-mode write: pieces of up to a page, each one packet. */
static long
pipe_write_packets(struct file *f, struct pipe *p, const char *buf,
		   size_t len)
{
	size_t done = 0;
	while (done < len) {
		if (p->readers == 0) {
			signal_send_thread(current(), SIGPIPE);
			return done ? (long)done : -EPIPE;
		}
		size_t want = MIN(len - done, (size_t)PAGE_SIZE);
		if (pipe_room(p) < want || !packet_room(p)) {
			if (f->flags & O_NONBLOCK)
				return done ? (long)done : -EAGAIN;
			if (waitq_wait(&p->wait, 0, true) == -EINTR)
				return done ? (long)done : -ERESTARTSYS;
			continue;
		}
		unsigned at = (p->first + p->npackets) % p->slots;
		p->packets[at] = p->head + want;
		p->npackets++;
		long n = pipe_put(p, buf + done, want);
		if (n < 0) {
			p->npackets--;
			return done ? (long)done : n;
		}
		done += want;
	}
	return (long)done;
}

static long
pipe_write(struct file *f, const void *buf, size_t len, uint64_t *off)
{
	struct pipe *p = f->priv;
	size_t done = 0;
	(void)off;
	if (f->flags & O_DIRECT)
		return pipe_write_packets(f, p, buf, len);
	while (done < len) {
		if (p->readers == 0) {
			signal_send_thread(current(), SIGPIPE);
			return done ? (long)done : -EPIPE;
		}
		size_t room = p->size - (p->head - p->tail);
		size_t want = len - done;
		/* Small writes go in whole or not at all. */
		if (room == 0 || (want <= PIPE_BUF && room < want)) {
			if (f->flags & O_NONBLOCK)
				return done ? (long)done : -EAGAIN;
			if (waitq_wait(&p->wait, 0, true) == -EINTR)
				return done ? (long)done : -ERESTARTSYS;
			continue;
		}
		long n = pipe_put(p, (const char *)buf + done, MIN(want, room));
		if (n < 0)
			return done ? (long)done : n;
		done += (size_t)n;
	}
	return (long)done;
}

static unsigned
pipe_poll(struct file *f)
{
	struct pipe *p = f->priv;
	unsigned ev = 0;
	unsigned acc = f->flags & O_ACCMODE;
	if (acc != O_WRONLY) {
		if (p->head != p->tail)
			ev |= POLLIN | POLLRDNORM;
		if (p->writers == 0)
			ev |= POLLHUP;
	}
	if (acc != O_RDONLY) {
		if (p->size - (p->head - p->tail) >= MIN(p->size, PIPE_BUF) &&
		    (!(f->flags & O_DIRECT) || p->npackets < p->size / PAGE_SIZE))
			ev |= POLLOUT | POLLWRNORM;
		if (p->readers == 0)
			ev |= POLLERR;
	}
	return ev;
}

static long
pipe_ioctl(struct file *f, unsigned long cmd, uint64_t arg)
{
	struct pipe *p = f->priv;
	if (cmd == 0x541B) {	/* FIONREAD */
		int n = (int)(p->head - p->tail);
		return copyout(arg, &n, sizeof(n));
	}
	return -ENOTTY;
}

static void
pipe_close(struct file *f)
{
	struct pipe *p = f->priv;
	unsigned acc = f->flags & O_ACCMODE;
	if (!p)
		return;
	if (acc != O_WRONLY)
		p->readers--;
	if (acc != O_RDONLY)
		p->writers--;
	if (p->rfile == f)
		p->rfile = NULL;
	waitq_wake_all(&p->wait);
	pipe_notify(p, 0, NULL);
	f->poll_head = &f->poll_own;
	if (p->readers == 0 && p->writers == 0) {
		if (p->inode)
			p->inode->fifo = NULL;	/* a FIFO's next open starts afresh */
		pollhead_free(&p->poll_head);
		kfree(p->buf);
		kfree(p->packets);
		kfree(p);
	}
}

static struct super pipe_sb = { .type = "pipefs" };

/* Makes a pipe; returns 0 with both ends in files[0] (read) and files[1]. */
int
pipe_create(struct file *files[2], unsigned flags)
{
	struct pipe *p = kzalloc(sizeof(*p));
	struct inode *ino = inode_new(&pipe_sb, S_IFIFO | 0600);
	if (!p || !ino)
		goto fail;
	p->size = pipe_new_size();
	waitq_init(&p->wait);
	pollhead_init(&p->poll_head);
	/*
	 * An anonymous pipe's inode opens as a FIFO's: reopening
	 * /proc/PID/fd/N of either end joins this same pipe, as on Linux.
	 */
	ino->fops = &fifo_fops;
	ino->uid = current()->proc->euid;
	ino->gid = current()->proc->egid;
	files[0] = file_new(ino, O_RDONLY | (flags & O_NONBLOCK));
	files[1] = file_new(ino, O_WRONLY | (flags & (O_NONBLOCK | O_DIRECT)));
	inode_put(ino);
	if (!files[0] || !files[1]) {
		/* file_new failed: the pipe was never live */
		if (files[0]) {
			files[0]->ops = NULL;
			file_put(files[0]);
		}
		if (files[1]) {
			files[1]->ops = NULL;
			file_put(files[1]);
		}
		kfree(p->buf);
		kfree(p);
		return -ENOMEM;
	}
	files[0]->priv = files[1]->priv = p;
	p->readers = p->writers = 1;
	p->inode = ino;
	ino->fifo = p;
	p->rfile = files[0];
	files[0]->poll_head = files[1]->poll_head = &p->poll_head;
	return 0;
fail:
	kfree(p);
	if (ino)
		inode_put(ino);
	return -ENOMEM;
}

/*
 * FIFOs (named pipes): the pipe lives while any end is open. A blocking
 * open waits for the other side; a non-blocking write-only open with no
 * reader fails with ENXIO.
 */
static int
fifo_open(struct file *f)
{
	struct inode *ino = f->inode;
	struct pipe *p = ino->fifo;
	unsigned acc = f->flags & O_ACCMODE;

	if (!p) {
		if (acc == O_WRONLY && (f->flags & O_NONBLOCK))
			return -ENXIO;
		p = kzalloc(sizeof(*p));
		if (!p)
			return -ENOMEM;
		p->size = pipe_new_size();
		waitq_init(&p->wait);
		pollhead_init(&p->poll_head);
		p->inode = ino;
		ino->fifo = p;
	}
	if (acc == O_WRONLY && (f->flags & O_NONBLOCK) && p->readers == 0)
		return -ENXIO;
	f->priv = p;
	f->poll_head = &p->poll_head;
	if (acc != O_WRONLY) {
		p->readers++;
		p->rfile = f;
	}
	if (acc != O_RDONLY)
		p->writers++;
	waitq_wake_all(&p->wait);
	pipe_notify(p, 0, NULL);
	/* An anonymous pipe reopened never waits, as on Linux. */
	if (f->flags & O_NONBLOCK || acc == O_RDWR || ino->sb == &pipe_sb)
		return 0;
	/* Wait for the other end. */
	while (acc == O_RDONLY ? p->writers == 0 : p->readers == 0) {
		if (waitq_wait(&p->wait, 0, true) == -EINTR) {
			pipe_close(f);
			f->priv = NULL;
			return -ERESTARTSYS;
		}
	}
	return 0;
}

const struct file_ops fifo_fops = {
	.open = fifo_open,
	.read = pipe_read,
	.write = pipe_write,
	.poll = pipe_poll,
	.ioctl = pipe_ioctl,
	.close = pipe_close,
	.fasync = fasync_plain,
};

/* ---- Sizes and splice's primitives ---------------------------------------- */

struct pipe *
pipe_of(struct file *f)
{
	return f && f->ops == &fifo_fops ? f->priv : NULL;
}

/* Linux's round_pipe_size: a page at least, a power of two; 0 if too big. */
size_t
pipe_round_size(uint64_t size)
{
	if (size > (1ull << 31))
		return 0;
	size_t r = PAGE_SIZE;
	while (r < size)
		r <<= 1;
	return r;
}

long
pipe_get_size(struct file *f)
{
	struct pipe *p = pipe_of(f);
	return p ? (long)p->size : -EBADF;
}

/* Lays the packet ring out again for a pipe of slots pages whose
 * positions move down by shift; -ENOMEM changes nothing. */
static long
packets_relayout(struct pipe *p, unsigned slots, size_t shift)
{
	if (!p->packets)
		return 0;
	size_t *ends = kmalloc(slots * sizeof(*ends));
	if (!ends)
		return -ENOMEM;
	for (unsigned i = 0; i < p->npackets; i++)
		ends[i] = p->packets[(p->first + i) % p->slots] - shift;
	kfree(p->packets);
	p->packets = ends;
	p->slots = slots;
	p->first = 0;
	return 0;
}

/*
 * F_SETPIPE_SZ: the new capacity (rounded as Linux does); past
 * pipe-max-size only for root (CAP_SYS_RESOURCE), and never below what
 * the pipe holds (EBUSY). Returns the new size or -errno.
 */
long
pipe_set_size(struct file *f, uint64_t arg)
{
	struct pipe *p = pipe_of(f);
	if (!p)
		return -EBADF;
	size_t size = pipe_round_size(arg);
	if (!size)
		return -EINVAL;
	if (size > p->size && size > pipe_max_size &&
	    !capable(CAP_SYS_RESOURCE))
		return -EPERM;
	size_t used = p->head - p->tail;
	if (used > size || p->npackets > size / PAGE_SIZE)
		return -EBUSY;
	if (p->buf && size != p->size) {
		char *nbuf = kmalloc(size);
		if (!nbuf)
			return -ENOMEM;
		if (packets_relayout(p, (unsigned)(size / PAGE_SIZE), p->tail)) {
			kfree(nbuf);
			return -ENOMEM;
		}
		pipe_peek(p, 0, nbuf, used);
		kfree(p->buf);
		p->buf = nbuf;
		p->tail = 0;
		p->head = used;
	}
	p->size = size;
	waitq_wake_all(&p->wait);
	pipe_notify(p, POLLOUT | POLLWRNORM, NULL);
	return (long)size;
}

size_t
pipe_used(struct pipe *p)
{
	return p->head - p->tail;
}

size_t
pipe_room(struct pipe *p)
{
	return p->size - (p->head - p->tail);
}

/* Copies up to len bytes from skip bytes into the pipe, leaving them. */
size_t
pipe_peek(struct pipe *p, size_t skip, void *buf, size_t len)
{
	size_t used = p->head - p->tail;
	if (skip >= used)
		return 0;
	size_t n = MIN(len, used - skip);
	for (size_t i = 0; i < n;) {
		size_t at = (p->tail + skip + i) & (p->size - 1);
		size_t k = MIN(n - i, p->size - at);
		memcpy((char *)buf + i, p->buf + at, k);
		i += k;
	}
	return n;
}

/* Drops the first n bytes (n <= pipe_used) and wakes the writers. */
void
pipe_consume(struct pipe *p, size_t n)
{
	p->tail += n;
	packets_consumed(p);
	waitq_wake_all(&p->wait);
	pipe_notify(p, POLLOUT | POLLWRNORM, NULL);
}

/* Appends len bytes (len <= pipe_room) and wakes the readers; returns
 * len, or -ENOMEM when the ring's first memory cannot be had. */
long
pipe_put(struct pipe *p, const void *buf, size_t len)
{
	if (!p->buf && len) {
		p->buf = kmalloc(p->size);
		if (!p->buf)
			return -ENOMEM;
	}
	for (size_t i = 0; i < len;) {
		size_t at = (p->head + i) & (p->size - 1);
		size_t k = MIN(len - i, p->size - at);
		memcpy(p->buf + at, (const char *)buf + i, k);
		i += k;
	}
	p->head += len;
	waitq_wake_all(&p->wait);
	pipe_notify(p, POLLIN | POLLRDNORM, p->rfile);
	return (long)len;
}

/*
 * Waits until p holds data: 1, or 0 when it is empty with no writer
 * left, -EAGAIN if nonblock, -ERESTARTSYS on a signal. May sleep.
 */
long
pipe_wait_data(struct pipe *p, bool nonblock)
{
	while (p->head == p->tail) {
		if (p->writers == 0)
			return 0;
		if (nonblock)
			return -EAGAIN;
		if (waitq_wait(&p->wait, 0, true) == -EINTR)
			return -ERESTARTSYS;
	}
	return 1;
}

/*
 * Waits until p has room: the bytes free, or -EPIPE (with SIGPIPE) when
 * no reader is left, -EAGAIN if nonblock, -ERESTARTSYS. May sleep.
 */
long
pipe_wait_room(struct pipe *p, bool nonblock)
{
	for (;;) {
		if (p->readers == 0) {
			signal_send_thread(current(), SIGPIPE);
			return -EPIPE;
		}
		if (pipe_room(p))
			return (long)pipe_room(p);
		if (nonblock)
			return -EAGAIN;
		if (waitq_wait(&p->wait, 0, true) == -EINTR)
			return -ERESTARTSYS;
	}
}
