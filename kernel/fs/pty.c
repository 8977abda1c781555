/*
 * Unix98 pseudo-terminals. Opening /dev/ptmx makes a pair: the master is
 * that open file, the slave /dev/pts/N (devpts.c), a terminal of the core
 * (tty.c) whose device is the master: what the slave's programs write
 * (after OPOST) and what its line discipline echoes waits in a buffer for
 * master reads; master writes are the slave's input. Closing the master
 * hangs the slave up; once every slave file is closed, master reads fail
 * with EIO. The pair is freed when both sides are closed.
 */
#include <kernel/tty.h>
#include <kernel/vfs.h>
#include <kernel/proc.h>
#include <kernel/errno.h>
#include <kernel/string.h>
#include <kernel/kmalloc.h>
#include <kernel/printk.h>
#include <kernel/vm.h>

#define TCFLSH 0x540B
#define FIONREAD 0x541B
#define TIOCGPTN 0x80045430
#define TIOCSPTLCK 0x40045431
#define TIOCSIG 0x40045436
#define TIOCGPTLCK 0x80045439
#define TIOCGPTPEER 0x5441

/* Output of the slave waiting for the master; the pair fits in 16 KiB. */
#define PTY_BUF_SIZE 8192
#define PTY_BUF_MASK (PTY_BUF_SIZE - 1)
_Static_assert((PTY_BUF_SIZE & PTY_BUF_MASK) == 0,
	       "ring size is a power of two");

/* One pair, guarded by the big lock. */
struct pty {
	struct tty slave;
	unsigned index;		/* N of /dev/pts/N */
	bool locked;		/* TIOCSPTLCK: the slave cannot open */
	bool slave_closed;	/* each slave file closed since one opened */
	struct file *master;	/* the master's open file; NULL: closed */
	struct inode *node;	/* /dev/pts/N; NULL once the master closed */
	struct waitq master_readers;
	struct waitq master_writers;
	size_t out_head, out_tail;	/* free-running: tail..head unread */
	char out[PTY_BUF_SIZE];
};

/* Pairs by index, from ptmx open until both sides are closed. */
/* The pairs by index: a table of PTY_MAX allocated at the first open
 * (8 KiB the kernel image no longer carries for a guest with no pty). */
static struct pty **ptys;

static struct pty *
pty_of(struct tty *t)
{
	return t->driver_data;
}

static void
master_notify(struct pty *pty)
{
	if (pty->master)
		file_notify(pty->master);
}

static size_t
out_used(const struct pty *pty)
{
	return pty->out_head - pty->out_tail;
}

/* The slave's device: its output queues for the master. */
static void
pts_write(struct tty *t, const char *buf, size_t len)
{
	struct pty *pty = pty_of(t);
	size_t n = MIN(len, PTY_BUF_SIZE - out_used(pty));

	for (size_t i = 0; i < n; i++)
		pty->out[(pty->out_head + i) & PTY_BUF_MASK] = buf[i];
	pty->out_head += n;
	if (n) {
		waitq_wake_all(&pty->master_readers);
		master_notify(pty);
	}
}

static size_t
pts_write_room(struct tty *t)
{
	return PTY_BUF_SIZE - out_used(pty_of(t));
}

static void
pts_input_drained(struct tty *t)
{
	struct pty *pty = pty_of(t);
	waitq_wake_all(&pty->master_writers);
	master_notify(pty);
}

static int
pts_open_hook(struct tty *t)
{
	struct pty *pty = pty_of(t);
	if (pty->locked)
		return -EIO;
	pty->slave_closed = false;
	return 0;
}

static void
pty_free(struct pty *pty)
{
	ptys[pty->index] = NULL;
	kfree(pty);
}

static void
pts_last_close(struct tty *t)
{
	struct pty *pty = pty_of(t);
	if (!pty->master) {
		pty_free(pty);
		return;
	}
	pty->slave_closed = true;
	waitq_wake_all(&pty->master_readers);
	master_notify(pty);
}

static const struct tty_driver pts_driver = {
	.open = pts_open_hook,
	.write = pts_write,
	.write_room = pts_write_room,
	.input_drained = pts_input_drained,
	.last_close = pts_last_close,
};

/* Opens /dev/pts/N (the node's priv is its pair while the master lives). */
static int
pts_open(struct file *f)
{
	struct pty *pty = f->inode->priv;
	if (!pty)
		return -EIO;
	return tty_attach(&pty->slave, f, false);
}

const struct file_ops pts_fops = {
	TTY_FILE_OPS,
	.open = pts_open,
};

struct inode *
pty_node(unsigned index)
{
	struct pty *pty = ptys && index < PTY_MAX ? ptys[index] : NULL;
	if (!pty || !pty->node)
		return NULL;
	inode_get(pty->node);
	return pty->node;
}

int
pty_next(unsigned from)
{
	for (unsigned i = from; ptys && i < PTY_MAX; i++)
		if (ptys[i] && ptys[i]->node)
			return (int)i;
	return -1;
}

/* A new pair for the master file f: locked, its slave node made. */
static int
ptmx_open(struct file *f)
{
	unsigned index = 0;
	if (!ptys && !(ptys = kzalloc(PTY_MAX * sizeof(*ptys))))
		return -ENOMEM;
	while (index < PTY_MAX && ptys[index])
		index++;
	if (index == PTY_MAX)
		return -ENOSPC;		/* Linux: past kernel.pty.max */
	struct pty *pty = kzalloc(sizeof(*pty));
	if (!pty)
		return -ENOMEM;
	tty_setup(&pty->slave, &pts_driver, pty,
		  TTY_DEV(TTY_MAJOR_PTS, index));
	waitq_init(&pty->master_readers);
	waitq_init(&pty->master_writers);
	pty->index = index;
	pty->locked = true;
	pty->node = devpts_node_new(index);
	if (!pty->node) {
		kfree(pty);
		return -ENOMEM;
	}
	pty->node->priv = pty;
	pty->master = f;
	f->priv = pty;
	ptys[index] = pty;
	return 0;
}

static void
ptm_close(struct file *f)
{
	struct pty *pty = f->priv;

	pty->master = NULL;
	pty->node->priv = NULL;
	inode_put(pty->node);
	pty->node = NULL;
	tty_hangup(&pty->slave);
	if (!tty_is_open(&pty->slave))
		pty_free(pty);
}

static long
ptm_read(struct file *f, void *buf, size_t len, uint64_t *off)
{
	struct pty *pty = f->priv;
	(void)off;

	for (;;) {
		size_t n = MIN(len, out_used(pty));
		if (n > 0) {
			char *dst = buf;
			for (size_t i = 0; i < n; i++)
				dst[i] = pty->out[(pty->out_tail + i) &
						  PTY_BUF_MASK];
			pty->out_tail += n;
			tty_wake_writers(&pty->slave);
			return (long)n;
		}
		if (pty->slave_closed)
			return -EIO;
		if (f->flags & O_NONBLOCK)
			return -EAGAIN;
		if (waitq_wait(&pty->master_readers, 0, true) == -EINTR)
			return -ERESTARTSYS;
	}
}

static long
ptm_write(struct file *f, const void *buf, size_t len, uint64_t *off)
{
	struct pty *pty = f->priv;
	size_t done = 0;
	(void)off;

	while (done < len) {
		size_t n = MIN(len - done, tty_input_room(&pty->slave));
		if (n > 0) {
			tty_receive(&pty->slave, (const char *)buf + done, n);
			done += n;
			continue;
		}
		if (f->flags & O_NONBLOCK)
			break;
		if (waitq_wait(&pty->master_writers, 0, true) == -EINTR)
			return done ? (long)done : -ERESTARTSYS;
	}
	return done || len == 0 ? (long)done : -EAGAIN;
}

/* TIOCGPTPEER: opens the slave without its name (flags as open's). */
static long
open_peer(struct pty *pty, unsigned flags)
{
	struct proc *p = current()->proc;
	char path[32];

	struct file *f = vfs_open_inode(pty->node, flags & ~O_CLOEXEC);
	if (IS_ERR(f))
		return PTR_ERR(f);
	snprintk(path, sizeof(path), "/dev/pts/%u", pty->index);
	vfs_file_set_path(p, f, AT_FDCWD, path);
	int fd = fd_install(p, f, 0, flags & O_CLOEXEC);
	if (fd < 0)
		file_put(f);
	return fd;
}

static long
ptm_ioctl(struct file *f, unsigned long cmd, uint64_t arg)
{
	struct pty *pty = f->priv;
	int v;

	switch (cmd) {
	case TIOCGPTN:
		return copyout(arg, &pty->index, sizeof(pty->index));
	case TIOCSPTLCK:
		if (copyin(&v, arg, sizeof(v)) < 0)
			return -EFAULT;
		pty->locked = v != 0;
		return 0;
	case TIOCGPTLCK:
		v = pty->locked;
		return copyout(arg, &v, sizeof(v));
	case TIOCGPTPEER:
		return open_peer(pty, (unsigned)arg);
	case TIOCSIG:
		if (arg != SIGINT && arg != SIGQUIT && arg != SIGTSTP)
			return -EINVAL;
		if (pty->slave.fg_pgrp > 0)
			signal_send_pgrp(pty->slave.fg_pgrp, (int)arg);
		return 0;
	case FIONREAD:
		v = (int)out_used(pty);
		return copyout(arg, &v, sizeof(v));
	case TCFLSH:
		if (arg > 2)
			return -EINVAL;
		if (arg != 1) {
			pty->out_tail = pty->out_head;
			tty_wake_writers(&pty->slave);
		}
		return 0;
	}
	/* termios, window size, process groups: the slave's (Linux). */
	return tty_mode_ioctl(&pty->slave, f, cmd, arg, true);
}

static unsigned
ptm_poll(struct file *f)
{
	struct pty *pty = f->priv;
	unsigned ev = 0;

	if (out_used(pty) > 0)
		ev |= POLLIN | POLLRDNORM;
	if (pty->slave_closed)
		ev |= POLLHUP;
	if (tty_input_room(&pty->slave) > 0)
		ev |= POLLOUT | POLLWRNORM;
	return ev;
}

const struct file_ops ptmx_fops = {
	.open = ptmx_open,
	.read = ptm_read,
	.write = ptm_write,
	.ioctl = ptm_ioctl,
	.poll = ptm_poll,
	.close = ptm_close,
	.fasync = fasync_plain,
};
