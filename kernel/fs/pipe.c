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
 * (kernel/linux/sys_splice.c). Each pipe has a spinlock of its own, so
 * that read and write of a pipe can run without the big lock
 * (pipe_read_unlocked, pipe_write_unlocked; docs/kernel.md, "Pipes
 * without the big lock").
 */
#include <kernel/vfs.h>
#include <kernel/proc.h>
#include <kernel/kmalloc.h>
#include <kernel/errno.h>
#include <kernel/string.h>
#include <kernel/vm.h>
#include <kernel/inotify.h>
#include <kernel/spinlock.h>

#define PIPE_SIZE 65536
#define PIPE_BUF 4096
_Static_assert(PIPE_BUF <= NOLOCK_WRITE_MAX, "write_unlocked sends longer "
	       "writes locked before it looks at the file");
/* A nolock read moves at most this much in one call: interrupts stay off
   in it, and a TLB shootdown waits for its end. */
#define UNLOCKED_READ_MAX 65536

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

/*
 * [P]: the pipe's lock, which every change takes, with the big lock or
 * without it (a nolock read or write); [K]: the big lock's alone. A
 * reader of a [P] field without the lock (poll's hints) may see it old.
 */
struct pipe {
	spinlock_t lock;
	char *buf;			/* size bytes, or NULL before a write [P] */
	size_t size;			/* a power of two, PAGE_SIZE or more [P] */
	size_t head, tail;		/* free-running: used = head - tail [P] */
	int readers, writers;		/* [P] */
	unsigned nwaiting;		/* threads in pipe_sleep [P] */
	unsigned events;		/* bumped by each change a sleeper may
					   wait for [P] */
	bool spliced;			/* splice, tee or vmsplice used it:
					   their steps are the big lock's [P] */
	struct waitq wait;		/* [S] */
	struct pollhead poll_head;	/* every end's pollers: keyed wakes
					   (POLLIN, POLLOUT) tell them apart;
					   changed [K], looked at under [P] */
	struct file *rfile;		/* the latest read end, for O_ASYNC [P] */
	struct inode *inode;		/* [K] */
	size_t *packets;		/* packets' end positions, a ring of
					   slots entries; NULL before one [P] */
	unsigned slots, npackets, first;	/* [P] */
};

/* Whether another packet fits, making the ring at the first (big lock
 * and p's lock held). */
static bool
packet_room(struct pipe *p)
{
	SPIN_ASSERT_HELD(&p->lock);
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
	SPIN_ASSERT_HELD(&p->lock);
	while (p->npackets && p->packets[p->first] <= p->tail) {
		p->first = (p->first + 1) % p->slots;
		p->npackets--;
	}
}

/* ---- The ring, under p's lock --------------------------------------------- */

/*
 * Something a sleeper may wait for changed (data, room, an end opened or
 * closed): wakes them. The wait queue's lock is inside p's (docs/kernel.md,
 * "Spinlocks and the scheduler locks"), and with nobody asleep it is
 * not taken at all.
 */
static void
pipe_changed(struct pipe *p)
{
	SPIN_ASSERT_HELD(&p->lock);
	p->events++;
	if (p->nwaiting)
		waitq_wake_all(&p->wait);
}

struct pipe_seen {
	struct pipe *p;
	unsigned events;
};

/* waitq_wait_cond's test, under its queue's lock: a change since. */
static bool
pipe_moved(void *arg)
{
	struct pipe_seen *seen = arg;
	return __atomic_load_n(&seen->p->events, __ATOMIC_RELAXED) !=
	       seen->events;
}

/*
 * Sleeps until p changes (pipe_changed): called and returns with p's
 * lock held, dropped meanwhile; 0, or -EINTR for a signal. The change
 * count is read under p's lock and again under the queue's lock, which
 * the waker takes after its change: no wake-up is lost.
 */
static int
pipe_sleep(struct pipe *p)
{
	SPIN_ASSERT_HELD(&p->lock);
	struct pipe_seen seen = { p, p->events };
	p->nwaiting++;
	spin_unlock(&p->lock);
	int r = waitq_wait_cond(&p->wait, 0, true, pipe_moved, &seen);
	spin_lock(&p->lock);
	p->nwaiting--;
	return r == -EINTR ? -EINTR : 0;
}

static size_t
ring_used(const struct pipe *p)
{
	return p->head - p->tail;
}

static size_t
ring_room(const struct pipe *p)
{
	return p->size - (p->head - p->tail);
}

/* Copies up to len bytes from skip bytes into the ring, leaving them. */
static size_t
ring_peek(struct pipe *p, size_t skip, void *buf, size_t len)
{
	SPIN_ASSERT_HELD(&p->lock);
	size_t used = ring_used(p);
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

/* Drops the first n bytes (n <= ring_used) and wakes the writers. */
static void
ring_take(struct pipe *p, size_t n)
{
	SPIN_ASSERT_HELD(&p->lock);
	p->tail += n;
	packets_consumed(p);
	pipe_changed(p);
}

/* Appends len bytes (len <= ring_room, the ring made) and wakes the
 * readers. */
static void
ring_add(struct pipe *p, const void *buf, size_t len)
{
	SPIN_ASSERT_HELD(&p->lock);
	for (size_t i = 0; i < len;) {
		size_t at = (p->head + i) & (p->size - 1);
		size_t k = MIN(len - i, p->size - at);
		memcpy(p->buf + at, (const char *)buf + i, k);
		i += k;
	}
	p->head += len;
	pipe_changed(p);
}

/* Makes the ring's memory at the first write (big lock held): false if
 * there is none to be had. */
static bool
ring_make(struct pipe *p)
{
	SPIN_ASSERT_HELD(&p->lock);
	if (!p->buf)
		p->buf = kmalloc(p->size);
	return p->buf != NULL;
}

/*
 * Readiness of p changed: key holds the POLL* bits that may have (0: any),
 * so a writer's epoll item is not woken by data, as Linux's separate
 * queues; arrived is the read end that got data, for O_ASYNC. Big lock
 * held, p's lock not.
 */
static void
pipe_notify(struct pipe *p, unsigned key, struct file *arrived)
{
	pollhead_wake(&p->poll_head, key);
	fasync_notify(arrived);
}

/* ---- The file operations (big lock held) ---------------------------------- */

static long
pipe_read(struct file *f, void *buf, size_t len, uint64_t *off)
{
	struct pipe *p = f->priv;
	(void)off;
	if (len == 0)
		return 0;
	spin_lock(&p->lock);
	while (p->head == p->tail) {
		long r = p->writers == 0 ? 0 :
			 (f->flags & O_NONBLOCK) ? -EAGAIN :
			 pipe_sleep(p) == -EINTR ? -ERESTARTSYS : 1;
		if (r <= 0) {
			spin_unlock(&p->lock);
			return r;
		}
	}
	size_t end = packet_end(p);
	if (end)	/* one packet; what the read does not take is lost */
		len = MIN(len, end - p->tail);
	size_t n = ring_peek(p, 0, buf, len);
	ring_take(p, end ? end - p->tail : n);
	spin_unlock(&p->lock);
	pipe_notify(p, POLLOUT | POLLWRNORM, NULL);
	return (long)n;
}

/*
 * What a writer that found no room does (p's lock held): -EAGAIN for a
 * non-blocking one, -ERESTARTSYS when a signal ended its sleep, 0 when
 * it slept and should look again.
 */
static long
pipe_write_wait(struct file *f, struct pipe *p)
{
	if (f->flags & O_NONBLOCK)
		return -EAGAIN;
	return pipe_sleep(p) == -EINTR ? -ERESTARTSYS : 0;
}

/* One piece of a write went in (p's lock held, dropped here). */
static void
pipe_wrote(struct pipe *p)
{
	struct file *arrived = p->rfile;
	spin_unlock(&p->lock);
	pipe_notify(p, POLLIN | POLLRDNORM, arrived);
}

/* Nobody reads p any more (p's lock held, dropped here): SIGPIPE. */
static long
pipe_broken(struct pipe *p, size_t done)
{
	spin_unlock(&p->lock);
	signal_send_thread(current(), SIGPIPE);
	return done ? (long)done : -EPIPE;
}

/* A packet-mode write: pieces of up to a page, each one packet. */
static long
pipe_write_packets(struct file *f, struct pipe *p, const char *buf,
		   size_t len)
{
	size_t done = 0;
	spin_lock(&p->lock);
	while (done < len) {
		if (p->readers == 0)
			return pipe_broken(p, done);
		size_t want = MIN(len - done, (size_t)PAGE_SIZE);
		if (ring_room(p) < want || !packet_room(p)) {
			long r = pipe_write_wait(f, p);
			if (r < 0) {
				spin_unlock(&p->lock);
				return done ? (long)done : r;
			}
			continue;
		}
		if (!ring_make(p)) {
			spin_unlock(&p->lock);
			return done ? (long)done : -ENOMEM;
		}
		unsigned at = (p->first + p->npackets) % p->slots;
		p->packets[at] = p->head + want;
		p->npackets++;
		ring_add(p, buf + done, want);
		done += want;
		pipe_wrote(p);
		spin_lock(&p->lock);
	}
	spin_unlock(&p->lock);
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
	spin_lock(&p->lock);
	while (done < len) {
		if (p->readers == 0)
			return pipe_broken(p, done);
		size_t room = ring_room(p);
		size_t want = len - done;
		/* Small writes go in whole or not at all. */
		if (room == 0 || (want <= PIPE_BUF && room < want)) {
			long r = pipe_write_wait(f, p);
			if (r < 0) {
				spin_unlock(&p->lock);
				return done ? (long)done : r;
			}
			continue;
		}
		if (!ring_make(p)) {
			spin_unlock(&p->lock);
			return done ? (long)done : -ENOMEM;
		}
		ring_add(p, (const char *)buf + done, MIN(want, room));
		done += MIN(want, room);
		pipe_wrote(p);
		spin_lock(&p->lock);
	}
	spin_unlock(&p->lock);
	return (long)done;
}

/* Readiness, with p's lock, so that a poller hung on the pollhead before
 * it asks sees what a nolock call did before it looked at the head. */
static unsigned
pipe_poll(struct file *f)
{
	struct pipe *p = f->priv;
	unsigned ev = 0;
	unsigned acc = f->flags & O_ACCMODE;
	spin_lock(&p->lock);
	if (acc != O_WRONLY) {
		if (p->head != p->tail)
			ev |= POLLIN | POLLRDNORM;
		if (p->writers == 0)
			ev |= POLLHUP;
	}
	if (acc != O_RDONLY) {
		if (ring_room(p) >= MIN(p->size, PIPE_BUF) &&
		    (!(f->flags & O_DIRECT) || p->npackets < p->size / PAGE_SIZE))
			ev |= POLLOUT | POLLWRNORM;
		if (p->readers == 0)
			ev |= POLLERR;
	}
	spin_unlock(&p->lock);
	return ev;
}

static long
pipe_ioctl(struct file *f, unsigned long cmd, uint64_t arg)
{
	struct pipe *p = f->priv;
	if (cmd == 0x541B) {	/* FIONREAD */
		int n = (int)pipe_used(p);
		return copyout(arg, &n, sizeof(n));
	}
	return -ENOTTY;
}

static void
pipe_free(struct pipe *p)
{
	if (p->inode)
		p->inode->fifo = NULL;	/* a FIFO's next open starts afresh */
	pollhead_free(&p->poll_head);
	kfree(p->buf);
	kfree(p->packets);
	kfree(p);
}

static void
pipe_close(struct file *f)
{
	struct pipe *p = f->priv;
	unsigned acc = f->flags & O_ACCMODE;
	if (!p)
		return;
	spin_lock(&p->lock);
	if (acc != O_WRONLY)
		p->readers--;
	if (acc != O_RDONLY)
		p->writers--;
	if (p->rfile == f)
		p->rfile = NULL;
	pipe_changed(p);
	/* Nobody else holds an end: no nolock call can be in p now. */
	bool last = p->readers == 0 && p->writers == 0;
	spin_unlock(&p->lock);
	pipe_notify(p, 0, NULL);
	f->poll_head = &f->poll_own;
	if (last)
		pipe_free(p);
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
	spin_init(&p->lock);
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
		spin_init(&p->lock);
		waitq_init(&p->wait);
		pollhead_init(&p->poll_head);
		p->inode = ino;
		ino->fifo = p;
	}
	spin_lock(&p->lock);
	if (acc == O_WRONLY && (f->flags & O_NONBLOCK) && p->readers == 0) {
		spin_unlock(&p->lock);
		return -ENXIO;
	}
	f->priv = p;
	f->poll_head = &p->poll_head;
	if (acc != O_WRONLY) {
		p->readers++;
		p->rfile = f;
	}
	if (acc != O_RDONLY)
		p->writers++;
	pipe_changed(p);
	spin_unlock(&p->lock);
	pipe_notify(p, 0, NULL);
	/* An anonymous pipe reopened never waits, as on Linux. */
	if (f->flags & O_NONBLOCK || acc == O_RDWR || ino->sb == &pipe_sb)
		return 0;
	/* Wait for the other end. */
	spin_lock(&p->lock);
	while (acc == O_RDONLY ? p->writers == 0 : p->readers == 0) {
		if (pipe_sleep(p) == -EINTR) {
			spin_unlock(&p->lock);
			pipe_close(f);
			f->priv = NULL;
			return -ERESTARTSYS;
		}
	}
	spin_unlock(&p->lock);
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
	SPIN_ASSERT_HELD(&p->lock);
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

/* Gives the ring size bytes, its data moved to a new buffer if it has
 * one (p's lock held); -ENOMEM leaves it as it was. */
static long
ring_resize(struct pipe *p, size_t size)
{
	SPIN_ASSERT_HELD(&p->lock);
	size_t used = ring_used(p);
	if (p->buf && size != p->size) {
		/* Allocating under p's lock: the big lock is held too. */
		char *nbuf = kmalloc(size);
		if (!nbuf)
			return -ENOMEM;
		if (packets_relayout(p, (unsigned)(size / PAGE_SIZE), p->tail)) {
			kfree(nbuf);
			return -ENOMEM;
		}
		ring_peek(p, 0, nbuf, used);
		kfree(p->buf);
		p->buf = nbuf;
		p->tail = 0;
		p->head = used;
	}
	p->size = size;
	return 0;
}

/*
 * F_SETPIPE_SZ: the new capacity (rounded as Linux does); past
 * pipe-max-size only for root (CAP_SYS_RESOURCE), and never below what
 * the pipe holds (EBUSY). Returns the new size or -errno. Big lock held;
 * a nolock call on the pipe sees the old ring or the new, whole.
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
	spin_lock(&p->lock);
	long r = 0;
	if (size > p->size && size > pipe_max_size &&
	    !capable(CAP_SYS_RESOURCE))
		r = -EPERM;
	else if (ring_used(p) > size || p->npackets > size / PAGE_SIZE)
		r = -EBUSY;
	else
		r = ring_resize(p, size);
	if (r == 0)
		pipe_changed(p);
	spin_unlock(&p->lock);
	if (r < 0)
		return r;
	pipe_notify(p, POLLOUT | POLLWRNORM, NULL);
	return (long)size;
}

/*
 * The primitives of splice, tee and vmsplice (big lock held). Their steps
 * (wait, peek, put elsewhere, consume) are not one critical section, so
 * the first wait marks the pipe spliced, and nolock reads and writes of
 * it go to the locked path from then on.
 */
size_t
pipe_used(struct pipe *p)
{
	return __atomic_load_n(&p->head, __ATOMIC_RELAXED) -
	       __atomic_load_n(&p->tail, __ATOMIC_RELAXED);
}

size_t
pipe_room(struct pipe *p)
{
	spin_lock(&p->lock);
	size_t room = ring_room(p);
	spin_unlock(&p->lock);
	return room;
}

/* Copies up to len bytes from skip bytes into the pipe, leaving them. */
size_t
pipe_peek(struct pipe *p, size_t skip, void *buf, size_t len)
{
	spin_lock(&p->lock);
	size_t n = ring_peek(p, skip, buf, len);
	spin_unlock(&p->lock);
	return n;
}

/* Drops the first n bytes (n <= pipe_used) and wakes the writers. */
void
pipe_consume(struct pipe *p, size_t n)
{
	spin_lock(&p->lock);
	ring_take(p, n);
	spin_unlock(&p->lock);
	pipe_notify(p, POLLOUT | POLLWRNORM, NULL);
}

/* Appends len bytes (len <= pipe_room) and wakes the readers; returns
 * len, or -ENOMEM when the ring's first memory cannot be had. */
long
pipe_put(struct pipe *p, const void *buf, size_t len)
{
	spin_lock(&p->lock);
	if (len && !ring_make(p)) {
		spin_unlock(&p->lock);
		return -ENOMEM;
	}
	ring_add(p, buf, len);
	pipe_wrote(p);
	return (long)len;
}

/*
 * Waits until p holds data: 1, or 0 when it is empty with no writer
 * left, -EAGAIN if nonblock, -ERESTARTSYS on a signal. May sleep.
 */
long
pipe_wait_data(struct pipe *p, bool nonblock)
{
	long r = 1;
	spin_lock(&p->lock);
	p->spliced = true;
	while (p->head == p->tail) {
		r = p->writers == 0 ? 0 : nonblock ? -EAGAIN :
		    pipe_sleep(p) == -EINTR ? -ERESTARTSYS : 1;
		if (r <= 0)
			break;
	}
	spin_unlock(&p->lock);
	return r;
}

/*
 * Waits until p has room: the bytes free, or -EPIPE (with SIGPIPE) when
 * no reader is left, -EAGAIN if nonblock, -ERESTARTSYS. May sleep.
 */
long
pipe_wait_room(struct pipe *p, bool nonblock)
{
	spin_lock(&p->lock);
	p->spliced = true;
	for (;;) {
		if (p->readers == 0)
			return pipe_broken(p, 0);
		long r = (long)ring_room(p);
		if (!r)
			r = nonblock ? -EAGAIN :
			    pipe_sleep(p) == -EINTR ? -ERESTARTSYS : 0;
		if (r != 0) {
			spin_unlock(&p->lock);
			return r;
		}
	}
}

/* ---- Without the big lock ------------------------------------------------- */

bool
pipe_is_file(const struct file *f)
{
	return f->ops == &fifo_fops && f->priv;
}

/*
 * Whether a nolock call may change p now (p's lock held): nothing that is
 * the big lock's to tell is watching. A poller hangs itself on the
 * pollhead before it asks pipe_poll, which takes p's lock; so either this
 * sees it hung, or what this call does comes before pipe_poll's look.
 * O_ASYNC files and inotify or fanotify watches anywhere send the call
 * to the locked path too, as do splice's steps and packet mode.
 */
static bool
pipe_unwatched(const struct pipe *p)
{
	SPIN_ASSERT_HELD(&p->lock);
	return !p->spliced && !p->packets &&
	       list_empty(&p->poll_head.entries) && !fasync_active() &&
	       !inotify_active();
}

/*
 * The bytes a nolock read took from p at tail, n of them, could not be
 * copied out: they go back unless the ring has moved on since (another
 * reader, a writer into their room, a resize), when they are lost.
 */
static void
ring_untake(struct pipe *p, size_t tail, const char *buf, size_t n)
{
	spin_lock(&p->lock);
	if (p->tail == tail && p->buf == buf && ring_used(p) + n <= p->size)
		p->tail -= n;
	spin_unlock(&p->lock);
}

/* Waits, p's lock held, until p holds data: 1, or 0 (end of file),
 * -EAGAIN, or -ERETRY_LOCKED (a watcher, a signal: nothing done). */
static long
wait_data_unlocked(struct file *f, struct pipe *p)
{
	for (;;) {
		if (!pipe_unwatched(p))
			return -ERETRY_LOCKED;
		if (p->head != p->tail)
			return 1;
		if (p->writers == 0)
			return 0;
		if (f->flags & O_NONBLOCK)
			return -EAGAIN;
		if (pipe_sleep(p) == -EINTR)
			return -ERETRY_LOCKED;	/* the locked path delivers it */
	}
}

long
pipe_read_unlocked(struct file *f, const struct uvec *u)
{
	struct pipe *p = f->priv;
	char k[PIPE_BUF];
	size_t done = 0, len = MIN(u->len, (size_t)UNLOCKED_READ_MAX);
	if (len == 0)
		return 0;
	spin_lock(&p->lock);
	long r = wait_data_unlocked(f, p);
	while (r > 0) {
		size_t n = ring_peek(p, 0, k, MIN(len - done, sizeof(k)));
		ring_take(p, n);
		size_t tail = p->tail;
		const char *ring = p->buf;
		spin_unlock(&p->lock);
		/* A fault puts the whole piece back, as Linux's pipe_read
		   leaves a buffer it could not copy whole. */
		if (uvec_copyout(u, done, k, n) < n) {
			ring_untake(p, tail, ring, n);
			return done ? (long)done : -EFAULT;
		}
		done += n;
		spin_lock(&p->lock);
		if (done == len || p->head == p->tail || !pipe_unwatched(p))
			break;
	}
	spin_unlock(&p->lock);
	return done ? (long)done : r;
}

/* A writev's pieces go in together, atomic as one write's (up to
 * PIPE_BUF, Linux's rule for the sum of an iovec's lengths). */
long
pipe_write_unlocked(struct file *f, const struct uvec *u)
{
	struct pipe *p = f->priv;
	char k[PIPE_BUF];
	size_t len = u->len;
	/* Past PIPE_BUF a write may go in pieces, each waking the reader
	   and waiting: the locked path's. So is packet mode's. */
	if (len == 0 || len > sizeof(k) || (f->flags & O_DIRECT))
		return -ERETRY_LOCKED;
	if (uvec_copyin(k, u, 0, len) < 0)
		return -ERETRY_LOCKED;	/* EPIPE may come first: locked */
	spin_lock(&p->lock);
	long r = 0;
	while (r == 0) {
		/* No reader: SIGPIPE is sent under the big lock. The ring's
		   first memory is allocated under it too. */
		if (!pipe_unwatched(p) || p->readers == 0 || !p->buf)
			r = -ERETRY_LOCKED;
		else if (ring_room(p) >= len)
			r = 1;
		else if (f->flags & O_NONBLOCK)
			r = -EAGAIN;
		else if (pipe_sleep(p) == -EINTR)
			r = -ERETRY_LOCKED;	/* nothing written yet */
	}
	if (r > 0)
		ring_add(p, k, len);
	spin_unlock(&p->lock);
	return r > 0 ? (long)len : r;
}
