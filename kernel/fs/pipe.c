/*
 * Pipes: a 64 KiB ring between a read end and a write end. Writes of up to
 * PIPE_BUF bytes are atomic; a write with no reader raises SIGPIPE/EPIPE;
 * a read with no writer sees end of file.
 */
#include <kernel/vfs.h>
#include <kernel/proc.h>
#include <kernel/kmalloc.h>
#include <kernel/errno.h>
#include <kernel/string.h>
#include <kernel/vm.h>

#define PIPE_SIZE 65536
#define PIPE_BUF 4096

struct pipe {
	char *buf;
	size_t size;			/* of buf: PIPE_SIZE, or F_SETPIPE_SZ's */
	size_t head, tail;		/* free-running: used = head - tail */
	int readers, writers;
	struct waitq wait;
	struct file *rfile, *wfile;	/* for readiness notifications */
	struct inode *inode;
};

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
	size_t n = MIN(len, p->head - p->tail);
	for (size_t i = 0; i < n;) {
		size_t at = (p->tail + i) % p->size;
		size_t k = MIN(n - i, p->size - at);
		memcpy((char *)buf + i, p->buf + at, k);
		i += k;
	}
	p->tail += n;
	waitq_wake_all(&p->wait);
	file_notify(p->wfile);
	return (long)n;
}

static long
pipe_write(struct file *f, const void *buf, size_t len, uint64_t *off)
{
	struct pipe *p = f->priv;
	size_t done = 0;
	(void)off;
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
		size_t n = MIN(want, room);
		for (size_t i = 0; i < n;) {
			size_t at = (p->head + i) % p->size;
			size_t k = MIN(n - i, p->size - at);
			memcpy(p->buf + at, (const char *)buf + done + i, k);
			i += k;
		}
		p->head += n;
		done += n;
		waitq_wake_all(&p->wait);
		file_notify_in(p->rfile);
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
		if (p->size - (p->head - p->tail) >= PIPE_BUF)
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
	if (p->wfile == f)
		p->wfile = NULL;
	waitq_wake_all(&p->wait);
	file_notify(NULL);
	if (p->readers == 0 && p->writers == 0) {
		if (p->inode)
			p->inode->fifo = NULL;	/* a FIFO's next open starts afresh */
		kfree(p->buf);
		kfree(p);
	}
}

static struct super pipe_sb = { .type = "pipefs" };

int
pipe_create(struct file *files[2], unsigned flags)
{
	struct pipe *p = kzalloc(sizeof(*p));
	struct inode *ino = inode_new(&pipe_sb, S_IFIFO | 0600);
	if (!p || !ino)
		goto fail;
	p->buf = kmalloc(PIPE_SIZE);
	if (!p->buf)
		goto fail;
	p->size = PIPE_SIZE;
	waitq_init(&p->wait);
	/*
	 * An anonymous pipe's inode opens as a FIFO's: reopening
	 * /proc/PID/fd/N of either end joins this same pipe, as on Linux.
	 */
	ino->fops = &fifo_fops;
	ino->uid = current()->proc->euid;
	ino->gid = current()->proc->egid;
	files[0] = file_new(ino, O_RDONLY | (flags & O_NONBLOCK));
	files[1] = file_new(ino, O_WRONLY | (flags & O_NONBLOCK));
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
	p->wfile = files[1];
	return 0;
fail:
	if (p)
		kfree(p->buf);
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
		p->buf = kmalloc(PIPE_SIZE);
		if (!p->buf) {
			kfree(p);
			return -ENOMEM;
		}
		p->size = PIPE_SIZE;
		waitq_init(&p->wait);
		p->inode = ino;
		ino->fifo = p;
	}
	if (acc == O_WRONLY && (f->flags & O_NONBLOCK) && p->readers == 0)
		return -ENXIO;
	f->priv = p;
	if (acc != O_WRONLY) {
		p->readers++;
		p->rfile = f;
	}
	if (acc != O_RDONLY) {
		p->writers++;
		p->wfile = f;
	}
	waitq_wake_all(&p->wait);
	file_notify(NULL);
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

unsigned pipe_max_size = 1048576;

/* A pipe's or FIFO's ring, or NULL for any other file. */
static struct pipe *
pipe_of(struct file *f)
{
	return f->ops == &fifo_fops ? f->priv : NULL;
}

long
pipe_get_size(struct file *f)
{
	struct pipe *p = pipe_of(f);
	return p ? (long)p->size : -EBADF;
}

long
pipe_set_size(struct file *f, uint64_t want)
{
	struct pipe *p = pipe_of(f);
	if (!p)
		return -EBADF;
	if (want > (1ull << 31))
		return -EINVAL;
	size_t size = PAGE_SIZE;	/* Linux's round_pipe_size */
	while (size < want)
		size <<= 1;
	if (size > pipe_max_size && current()->proc->euid != 0)
		return -EPERM;
	size_t used = p->head - p->tail;
	if (size < used)
		return -EBUSY;
	char *buf = kmalloc(size);
	if (!buf)
		return -ENOMEM;
	for (size_t i = 0; i < used; i++)
		buf[i] = p->buf[(p->tail + i) % p->size];
	kfree(p->buf);
	p->buf = buf;
	p->size = size;
	p->tail = 0;
	p->head = used;
	waitq_wake_all(&p->wait);
	file_notify(p->wfile);
	return (long)size;
}
