/*
 * POSIX message queues (mq_open, mq_unlink, mq_timedsend,
 * mq_timedreceive, mq_notify, mq_getsetattr), as Linux's ipc/mqueue.c:
 * one flat namespace of queues, each an inode of the "mqueue" file
 * system whose descriptors poll and read as Linux's (a QSIZE line).
 * Messages leave highest priority first, in the order sent within a
 * priority; senders and receivers sleep until room, a message, their
 * CLOCK_REALTIME deadline or a signal. Everything runs under the big lock.
 */
#include <kernel/mqueue.h>
#include <kernel/proc.h>
#include <kernel/sched.h>
#include <kernel/vfs.h>
#include <kernel/vm.h>
#include <kernel/clock.h>
#include <kernel/netif.h>
#include <kernel/signal.h>
#include <kernel/kmalloc.h>
#include <kernel/string.h>
#include <kernel/printk.h>
#include <kernel/errno.h>
#include <kernel/arch.h>
#include <syscall_table.h>

#define NAME_MAX 255
#define PATH_MAX 4096
#define MQ_PRIO_MAX 32768
#define HARD_MSGMAX 65536
#define HARD_MSGSIZEMAX (16 * 1024 * 1024)
#define SIGEV_SIGNAL 0
#define SIGEV_NONE 1
#define SIGEV_THREAD 2
#define NOTIFY_COOKIE_LEN 32
#define NOTIFY_WOKENUP 1
#define NOTIFY_REMOVED 2
#define NSIG_K 64

unsigned mq_queues_max = 256;
unsigned mq_msg_max = 10;
unsigned mq_msgsize_max = 8192;
unsigned mq_msg_default = 10;
unsigned mq_msgsize_default = 8192;

/* struct mq_attr */
struct mq_attr_k {
	int64_t flags, maxmsg, msgsize, curmsgs;
	int64_t reserved[4];
};

/* struct sigevent, as far as mq_notify reads it. */
struct sigevent_k {
	uint64_t value;
	int32_t signo, notify;
	int32_t pad[12];
};

struct mq_msg {
	struct list link;		/* queue->messages */
	unsigned prio;
	size_t len;
	char data[];
};

/* A queue: its inode's priv. Big lock. */
struct mqueue {
	struct inode *inode;		/* no reference: the inode owns us */
	struct list link;		/* all_queues while it has a name */
	char name[NAME_MAX + 1];
	struct list messages;		/* highest priority first */
	int64_t maxmsg, msgsize, curmsgs;
	uint64_t qsize;			/* bytes of the messages queued */
	struct waitq senders, receivers;
	struct pollhead poll_head;	/* every descriptor's pollers */
	int receivers_waiting;
	/* mq_notify's registration: owner is a process id, 0 for none. */
	int owner;
	int notify;			/* SIGEV_* */
	int signo;
	uint64_t value;
	struct file *sock;		/* SIGEV_THREAD: netlink (a reference) */
	uint8_t cookie[NOTIFY_COOKIE_LEN];
};

static struct list all_queues = LIST_INIT(all_queues);
static unsigned queues_count;	/* queues alive, named or not */
static int mq_statfs(struct super *sb, struct statfs_k *s);
static const struct super_ops mq_super_ops = { .statfs = mq_statfs };
static struct super mq_super = { .type = "mqueue", .ops = &mq_super_ops };
static const struct file_ops mq_fops;
static int mq_file_open(struct file *f);

static struct mqueue *
mq_of_file(struct file *f)
{
	return f && f->ops == &mq_fops ? f->inode->priv : NULL;
}

/* ---- Names --------------------------------------------------------- */

/* Copies the caller's name in; 0, -EFAULT, -ENAMETOOLONG or -EACCES (a
 * name the mqueue directory cannot hold, as Linux's lookup_one_len). */
static int
mq_name_in(char *name, uaddr_t uname)
{
	char *buf = kmalloc(PATH_MAX);
	if (!buf)
		return -ENOMEM;
	long n = copyinstr(buf, uname, PATH_MAX);
	int r = 0;
	if (n < 0)
		r = (int)n;
	else if (n == 0 || strchr(buf, '/') || !strcmp(buf, ".") ||
		 !strcmp(buf, ".."))
		r = -EACCES;
	else if (n > NAME_MAX)
		r = -ENAMETOOLONG;
	else
		memcpy(name, buf, (size_t)n + 1);
	kfree(buf);
	return r;
}

static struct mqueue *
mq_lookup(const char *name)
{
	list_for_each(it, &all_queues) {
		struct mqueue *q = list_entry(it, struct mqueue, link);
		if (!strcmp(q->name, name))
			return q;
	}
	return NULL;
}

/* ---- Notification -------------------------------------------------- */

static void
mq_send_cookie(struct mqueue *q, uint8_t why)
{
	q->cookie[NOTIFY_COOKIE_LEN - 1] = why;
	netlink_deliver(q->sock, q->cookie, NOTIFY_COOKIE_LEN);
	file_put(q->sock);
	q->sock = NULL;
}

/* Drops the registration (Linux's remove_notification): a SIGEV_THREAD
 * one tells the C library's helper thread it is gone. */
static void
mq_unregister(struct mqueue *q)
{
	if (q->owner && q->notify == SIGEV_THREAD)
		mq_send_cookie(q, NOTIFY_REMOVED);
	q->owner = 0;
}

/* A message came to an empty queue that no one waits on: the registered
 * process hears of it, once (Linux's __do_notify). */
static void
mq_do_notify(struct mqueue *q)
{
	if (!q->owner || q->curmsgs != 1 || q->receivers_waiting)
		return;
	struct proc *owner = proc_find(q->owner);
	struct proc *me = current()->proc;
	if (q->notify == SIGEV_SIGNAL && q->signo && owner) {
		struct sig_info_k info = { .code = SI_MESGQ, .pid = me->pid,
					   .uid = me->uid, .value = q->value };
		signal_send_proc_info(owner, q->signo, &info);
	} else if (q->notify == SIGEV_THREAD) {
		mq_send_cookie(q, NOTIFY_WOKENUP);
	}
	q->owner = 0;
}

/* Checks a sigevent as Linux's do_mq_notify, before the descriptor. */
static int
mq_sigevent_ok(const struct sigevent_k *ev)
{
	if (ev->notify != SIGEV_NONE && ev->notify != SIGEV_SIGNAL &&
	    ev->notify != SIGEV_THREAD)
		return -EINVAL;
	if (ev->notify == SIGEV_SIGNAL &&
	    (ev->signo < 0 || ev->signo > NSIG_K))
		return -EINVAL;
	return 0;
}

/* SIGEV_THREAD: the C library's cookie and netlink socket (a new
 * reference in *sock). */
static int
mq_thread_target(const struct sigevent_k *ev, uint8_t *cookie,
		 struct file **sock)
{
	if (copyin(cookie, ev->value, NOTIFY_COOKIE_LEN) < 0)
		return -EFAULT;
	struct file *f = fd_get_open(current()->proc, ev->signo);
	if (!f)
		return -EBADF;
	/* An empty datagram checks that f is a netlink socket. */
	if (netlink_deliver(f, NULL, 0) == -ENOTSOCK)
		return -ENOTSOCK;
	file_get(f);
	*sock = f;
	return 0;
}

long
sys_mq_notify(int mqd, uaddr_t usev)
{
	struct sigevent_k ev;
	uint8_t cookie[NOTIFY_COOKIE_LEN];
	struct file *sock = NULL;
	if (usev) {
		if (copyin(&ev, usev, sizeof(ev)) < 0)
			return -EFAULT;
		int r = mq_sigevent_ok(&ev);
		if (r == 0 && ev.notify == SIGEV_THREAD)
			r = mq_thread_target(&ev, cookie, &sock);
		if (r < 0)
			return r;
	}
	struct mqueue *q = mq_of_file(fd_hold(mqd));
	int me = current()->proc->pid;
	long r = 0;
	if (!q) {
		r = -EBADF;
	} else if (!usev) {
		if (q->owner == me)
			mq_unregister(q);
	} else if (q->owner) {
		r = -EBUSY;
	} else {
		q->owner = me;
		q->notify = ev.notify;
		q->signo = ev.signo;
		q->value = ev.value;
		q->sock = sock;
		sock = NULL;
		memcpy(q->cookie, cookie, sizeof(cookie));
	}
	if (sock)
		file_put(sock);
	return r;
}

/* ---- Open and unlink ----------------------------------------------- */

static void
mq_release(struct inode *ino)
{
	struct mqueue *q = ino->priv;
	list_for_each_safe(it, nx, &q->messages) {
		list_remove(it);
		kfree(list_entry(it, struct mq_msg, link));
	}
	if (q->sock)
		file_put(q->sock);
	pollhead_free(&q->poll_head);
	queues_count--;
	kfree(q);
}

static const struct inode_ops mq_iops = {
	.release = mq_release,
};

/* Linux's mq_attr_ok for a new queue's attributes. */
static int
mq_attr_ok(const struct mq_attr_k *a)
{
	if (a->maxmsg <= 0 || a->msgsize <= 0)
		return -EINVAL;
	if (capable(CAP_SYS_RESOURCE)) {
		if (a->maxmsg > HARD_MSGMAX || a->msgsize > HARD_MSGSIZEMAX)
			return -EINVAL;
	} else if (a->maxmsg > mq_msg_max || a->msgsize > mq_msgsize_max) {
		return -EINVAL;
	}
	return 0;
}

/* A new queue named name with permission bits mode (the umask applied);
 * its inode (a reference for the caller) or an error pointer. */
static struct inode *
mq_create(const char *name, unsigned mode, const struct mq_attr_k *attr)
{
	struct proc *p = current()->proc;
	if (attr && mq_attr_ok(attr) < 0)
		return ERR_PTR(-EINVAL);
	if (queues_count >= mq_queues_max && !capable(CAP_SYS_RESOURCE))
		return ERR_PTR(-ENOSPC);
	struct mqueue *q = kzalloc(sizeof(*q));
	struct inode *ino = q ? inode_new(&mq_super, S_IFREG | (mode & 07777)) :
				NULL;
	if (!ino) {
		kfree(q);
		return ERR_PTR(-ENOMEM);
	}
	ino->uid = p->euid;
	ino->gid = p->egid;
	ino->iops = &mq_iops;
	ino->fops = &mq_fops;
	ino->priv = q;
	q->inode = ino;
	pollhead_init(&q->poll_head);
	memcpy(q->name, name, strlen(name) + 1);
	list_init(&q->messages);
	waitq_init(&q->senders);
	waitq_init(&q->receivers);
	q->maxmsg = attr ? attr->maxmsg : MIN(mq_msg_default, mq_msg_max);
	q->msgsize = attr ? attr->msgsize :
			    MIN(mq_msgsize_default, mq_msgsize_max);
	list_push_back(&all_queues, &q->link);
	queues_count++;
	inode_get(ino);		/* the caller's; the first is the name's */
	return ino;
}

/* An existing queue opened with flags: its inode (a new reference). */
static struct inode *
mq_open_existing(struct mqueue *q, int flags)
{
	static const int want[] = { 4, 2, 6 };
	if ((flags & (O_CREAT | O_EXCL)) == (O_CREAT | O_EXCL))
		return ERR_PTR(-EEXIST);
	if ((flags & O_ACCMODE) == O_ACCMODE)
		return ERR_PTR(-EINVAL);
	int r = vfs_permission(current()->proc, q->inode,
			       want[flags & O_ACCMODE]);
	if (r < 0)
		return ERR_PTR(r);
	inode_get(q->inode);
	return q->inode;
}

static void mq_remove_name(struct mqueue *q);

long
sys_mq_open(uaddr_t uname, int flags, unsigned mode, uaddr_t uattr)
{
	struct mq_attr_k attr;
	char name[NAME_MAX + 1];
	if (uattr && copyin(&attr, uattr, sizeof(attr)) < 0)
		return -EFAULT;
	int r = mq_name_in(name, uname);
	if (r < 0)
		return r;
	struct mqueue *q = mq_lookup(name);
	struct inode *ino;
	if (q)
		ino = mq_open_existing(q, flags);
	else if (!(flags & O_CREAT))
		ino = ERR_PTR(-ENOENT);
	else
		ino = mq_create(name, mode & ~current()->proc->fs->umask,
				uattr ? &attr : NULL);
	if (IS_ERR(ino))
		return PTR_ERR(ino);
	struct file *f = file_new(ino, (unsigned)flags &
					   (O_ACCMODE | O_NONBLOCK));
	if (f)
		mq_file_open(f);
	/* Linux's message queue descriptors are always close-on-exec. */
	int fd = f ? fd_install(current()->proc, f, 0, true) : -ENOMEM;
	if (fd < 0 && f)
		file_put(f);
	/* Linux takes the descriptor first: a queue made for a call that
	 * fails is not left behind. */
	if (fd < 0 && !q)
		mq_remove_name(ino->priv);
	inode_put(ino);
	return fd;
}

static void
mq_remove_name(struct mqueue *q)
{
	list_remove(&q->link);
	q->name[0] = '\0';
	inode_put(q->inode);	/* the name's reference */
}

long
sys_mq_unlink(uaddr_t uname)
{
	char name[NAME_MAX + 1];
	int r = mq_name_in(name, uname);
	if (r < 0)
		return r;
	struct mqueue *q = mq_lookup(name);
	if (!q)
		return -ENOENT;
	/* The mqueue directory is sticky and world-writable (01777). */
	struct proc *p = current()->proc;
	if (!capable(CAP_FOWNER) && p->euid != q->inode->uid)
		return -EPERM;
	mq_remove_name(q);
	return 0;
}

/* ---- Send and receive ---------------------------------------------- */

/*
 * An absolute CLOCK_REALTIME timeout at utimeout (0: none) as a deadline
 * of arch_now_ns in *deadline; 0, -EFAULT or -EINVAL, as Linux's
 * prepare_timeout.
 */
static int
mq_deadline(uaddr_t utimeout, uint64_t *deadline)
{
	struct timespec_k ts;
	*deadline = 0;
	if (!utimeout)
		return 0;
	if (copyin(&ts, utimeout, sizeof(ts)) < 0)
		return -EFAULT;
	if (!timespec_valid(&ts))
		return -EINVAL;
	uint64_t now = arch_now_ns(), wall = now;
	uint64_t at = timespec_to_ns(&ts);
	clock_now(CLOCK_REALTIME, &wall);
	*deadline = at > wall ? now + (at - wall) : now;
	if (*deadline == 0)
		*deadline = 1;
	return 0;
}

/* Sleeps on wq for a change: 0 to look again, -ETIMEDOUT, or
 * -ERESTARTSYS for a signal (the deadline is absolute: a restart keeps
 * it). May sleep. */
static int
mq_sleep(struct mqueue *q, struct waitq *wq, uint64_t deadline)
{
	inode_get(q->inode);
	int r = waitq_wait(wq, deadline, true);
	inode_put(q->inode);
	if (r == -EINTR)
		return -ERESTARTSYS;
	return r;
}

/* Every descriptor of the queue is woken, not only the one used. */
static void
mq_changed(struct mqueue *q)
{
	inode_touch(q->inode, false, true, true);
	pollhead_wake(&q->poll_head, 0);
}

static void
mq_insert(struct mqueue *q, struct mq_msg *m)
{
	struct list *after = &q->messages;
	list_for_each(it, &q->messages) {
		if (list_entry(it, struct mq_msg, link)->prio < m->prio)
			break;
		after = it;
	}
	list_insert_after(after, &m->link);
	q->curmsgs++;
	q->qsize += m->len;
}

long
sys_mq_timedsend(int mqd, uaddr_t umsg, size_t len, unsigned prio,
		 uaddr_t utimeout)
{
	uint64_t deadline;
	if (prio >= MQ_PRIO_MAX)
		return -EINVAL;
	int r = mq_deadline(utimeout, &deadline);
	if (r < 0)
		return r;
	struct file *f = fd_hold(mqd);
	struct mqueue *q = mq_of_file(f);
	if (!q || (f->flags & O_ACCMODE) == O_RDONLY)
		return -EBADF;
	if (len > (size_t)q->msgsize)
		return -EMSGSIZE;
	struct mq_msg *m = kmalloc(sizeof(*m) + len);
	if (!m)
		return -ENOMEM;
	m->prio = prio;
	m->len = len;
	if (copyin(m->data, umsg, len) < 0) {
		kfree(m);
		return -EFAULT;
	}
	while (q->curmsgs >= q->maxmsg) {
		r = (f->flags & O_NONBLOCK) ? -EAGAIN :
					      mq_sleep(q, &q->senders, deadline);
		if (r < 0) {
			kfree(m);
			return r;
		}
	}
	mq_insert(q, m);
	mq_do_notify(q);
	waitq_wake_one(&q->receivers);
	mq_changed(q);
	return 0;
}

long
sys_mq_timedreceive(int mqd, uaddr_t umsg, size_t len, uaddr_t uprio,
		    uaddr_t utimeout)
{
	uint64_t deadline;
	int r = mq_deadline(utimeout, &deadline);
	if (r < 0)
		return r;
	struct file *f = fd_hold(mqd);
	struct mqueue *q = mq_of_file(f);
	if (!q || (f->flags & O_ACCMODE) == O_WRONLY)
		return -EBADF;
	if (len < (size_t)q->msgsize)
		return -EMSGSIZE;
	while (list_empty(&q->messages)) {
		if (f->flags & O_NONBLOCK)
			return -EAGAIN;
		q->receivers_waiting++;
		r = mq_sleep(q, &q->receivers, deadline);
		q->receivers_waiting--;
		if (r < 0)
			return r;
	}
	struct mq_msg *m = list_first(&q->messages, struct mq_msg, link);
	list_remove(&m->link);
	q->curmsgs--;
	q->qsize -= m->len;
	waitq_wake_one(&q->senders);
	mq_changed(q);
	/* A fault loses the message, as on Linux. */
	long n = (long)m->len;
	if (copyout(umsg, m->data, m->len) < 0 ||
	    (uprio && copyout(uprio, &m->prio, sizeof(m->prio)) < 0))
		n = -EFAULT;
	kfree(m);
	return n;
}

long
sys_mq_getsetattr(int mqd, uaddr_t unew, uaddr_t uold)
{
	struct mq_attr_k set, old = { 0 };
	if (unew) {
		if (copyin(&set, unew, sizeof(set)) < 0)
			return -EFAULT;
		if (set.flags & ~(int64_t)O_NONBLOCK)
			return -EINVAL;
	}
	struct file *f = fd_hold(mqd);
	struct mqueue *q = mq_of_file(f);
	if (!q)
		return -EBADF;
	old.flags = f->flags & O_NONBLOCK;
	old.maxmsg = q->maxmsg;
	old.msgsize = q->msgsize;
	old.curmsgs = q->curmsgs;
	if (unew) {
		f->flags = (f->flags & ~O_NONBLOCK) | (unsigned)set.flags;
		inode_touch(q->inode, true, false, true);
	}
	if (uold && copyout(uold, &old, sizeof(old)) < 0)
		return -EFAULT;
	return 0;
}

/* ---- The descriptor ------------------------------------------------ */

/* Reading a queue gives Linux's one line about it. */
static long
mq_read(struct file *f, void *buf, size_t len, uint64_t *off)
{
	struct mqueue *q = f->inode->priv;
	char line[96];
	int n = snprintk(line, sizeof(line),
			 "QSIZE:%-10lu NOTIFY:%-5d SIGNO:%-5d NOTIFY_PID:%-6d\n",
			 q->qsize, q->owner ? q->notify : 0,
			 q->owner && q->notify == SIGEV_SIGNAL ? q->signo : 0,
			 q->owner);
	if (*off >= (uint64_t)n)
		return 0;
	size_t take = MIN(len, (size_t)n - *off);
	memcpy(buf, line + *off, take);
	*off += take;
	inode_touch(q->inode, true, false, false);
	return (long)take;
}

static unsigned
mq_poll(struct file *f)
{
	struct mqueue *q = f->inode->priv;
	unsigned ev = 0;
	if (q->curmsgs)
		ev |= POLLIN | POLLRDNORM;
	if (q->curmsgs < q->maxmsg)
		ev |= POLLOUT | POLLWRNORM;
	return ev;
}

/* A registration goes when its owner closes any descriptor of the queue
 * (Linux's mqueue_flush_file). */
static void
mq_flush(struct file *f)
{
	struct mqueue *q = f->inode->priv;
	if (q->owner == current()->proc->pid)
		mq_unregister(q);
}

/* A descriptor of the queue waits on the queue's own readiness queue,
 * which all its descriptors share (mq_open, or open on the mqueue fs). */
static int
mq_file_open(struct file *f)
{
	f->poll_head = &((struct mqueue *)f->inode->priv)->poll_head;
	return 0;
}

static const struct file_ops mq_fops = {
	.open = mq_file_open,
	.read = mq_read,
	.poll = mq_poll,
	.flush = mq_flush,
	.seekable = true,
};

/* ---- The mqueue file system ---------------------------------------- */

/*
 * Every mount of "mqueue" shows the one namespace (as Linux's per IPC
 * namespace): a sticky directory whose files are the queues. Opening one
 * gives a queue descriptor, open(O_CREAT) makes a queue with the default
 * attributes, unlink is mq_unlink.
 */
static struct inode *mq_root;

#define MQUEUE_MAGIC 0x19800202

static int
mq_statfs(struct super *sb, struct statfs_k *s)
{
	(void)sb;
	s->type = MQUEUE_MAGIC;
	s->bsize = s->frsize = PAGE_SIZE;
	s->namelen = NAME_MAX;
	return 0;
}

static struct mqueue *
mq_lookup_len(const char *name, size_t len)
{
	char buf[NAME_MAX + 1];
	if (len > NAME_MAX)
		return NULL;
	memcpy(buf, name, len);
	buf[len] = '\0';
	return mq_lookup(buf);
}

static struct inode *
mq_dir_lookup(struct inode *dir, const char *name, size_t len)
{
	(void)dir;
	if (len > NAME_MAX)
		return ERR_PTR(-ENAMETOOLONG);
	struct mqueue *q = mq_lookup_len(name, len);
	if (!q)
		return ERR_PTR(-ENOENT);
	inode_get(q->inode);
	return q->inode;
}

static int
mq_dir_create(struct inode *dir, const char *name, size_t len, unsigned mode,
	      struct inode **out)
{
	(void)dir;
	char buf[NAME_MAX + 1];
	if (!S_ISREG(mode))
		return -EINVAL;	/* only queues live here */
	if (len > NAME_MAX)
		return -ENAMETOOLONG;
	if (mq_lookup_len(name, len))
		return -EEXIST;
	memcpy(buf, name, len);
	buf[len] = '\0';
	struct inode *ino = mq_create(buf, mode, NULL);
	if (IS_ERR(ino))
		return (int)PTR_ERR(ino);
	*out = ino;
	return 0;
}

static int
mq_dir_unlink(struct inode *dir, const char *name, size_t len, bool rmdir)
{
	(void)dir;
	struct mqueue *q = mq_lookup_len(name, len);
	if (!q)
		return -ENOENT;
	if (rmdir)
		return -ENOTDIR;
	mq_remove_name(q);
	return 0;
}

static const char *
mq_dir_name_of(struct inode *dir, struct inode *child)
{
	(void)dir, (void)child;
	return NULL;	/* no subdirectories */
}

/* The entry at pos: ".", "..", then the queues in the order made;
 * false past the last. */
static bool
mq_dir_entry(struct inode *dir, uint64_t pos, const char **name,
	     uint64_t *ino, unsigned *mode)
{
	if (pos < 2) {
		*name = pos ? ".." : ".";
		*ino = dir->ino;
		*mode = S_IFDIR;
		return true;
	}
	uint64_t at = 2;
	list_for_each(it, &all_queues) {
		if (at++ != pos)
			continue;
		struct mqueue *q = list_entry(it, struct mqueue, link);
		*name = q->name;
		*ino = q->inode->ino;
		*mode = S_IFREG;
		return true;
	}
	return false;
}

static long
mq_dir_getdents(struct file *f, void *buf, size_t len, uint64_t *pos)
{
	size_t used = 0;
	const char *name;
	uint64_t ino;
	unsigned mode;
	while (mq_dir_entry(f->inode, *pos, &name, &ino, &mode)) {
		size_t n = dirent_emit((char *)buf + used, len - used, ino,
				       *pos + 1, dirent_type(mode), name,
				       strlen(name));
		if (n == 0)
			return used ? (long)used : -EINVAL;
		used += n;
		(*pos)++;
	}
	return (long)used;
}

static const struct inode_ops mq_dir_iops = {
	.lookup = mq_dir_lookup,
	.create = mq_dir_create,
	.unlink = mq_dir_unlink,
	.name_of = mq_dir_name_of,
};

static const struct file_ops mq_dir_fops = {
	.getdents = mq_dir_getdents,
	.seekable = true,
};

struct inode *
mqueue_fs_root(void)
{
	if (!mq_root) {
		mq_root = inode_new(&mq_super, S_IFDIR | 01777);
		if (!mq_root)
			return NULL;
		mq_root->iops = &mq_dir_iops;
		mq_root->fops = &mq_dir_fops;
		mq_root->nlink = 2;
	}
	inode_get(mq_root);
	return mq_root;
}
