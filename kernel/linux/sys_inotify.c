/*
 * inotify: an instance is an anonymous file holding watches on inodes and
 * a queue of the events they heard, read as struct inotify_event records
 * (Linux's layout, names padded to 16 bytes), poll- and epoll-able. The
 * hooks (kernel/include/kernel/inotify.h) are called by the system calls
 * that touch files. A watch holds a reference to its inode, so an inode's
 * struct stays the same while watched, on a server's file system too.
 *
 * A file's parent is not kept by the VFS: an event on a file is told to
 * the watched directories that hold it by name (name_of), found by going
 * through the watches; an open file remembers where it was found, so a
 * directory still hears of it after an unlink, as Linux's dentry does.
 * Big lock held throughout.
 */
#include <kernel/proc.h>
#include <kernel/vfs.h>
#include <kernel/vm.h>
#include <kernel/kmalloc.h>
#include <kernel/syscall.h>
#include <syscall_table.h>
#include <kernel/errno.h>
#include <kernel/string.h>
#include <kernel/stat.h>
#include <kernel/sched.h>
#include <kernel/inotify.h>
#include "path.h"
#include "../fs/procfs_int.h"

#define IN_CLOEXEC O_CLOEXEC
#define IN_NONBLOCK O_NONBLOCK
#define FIONREAD 0x541b
#define EVENT_HEADER 16		/* struct inotify_event without its name */
#define NAME_MAX_K 255

/* Limits, as /proc/sys/fs/inotify shows them (procfs.c): Linux's
   defaults (its watch limit depends on memory). */
unsigned inotify_max_queued_events = 16384;
unsigned inotify_max_user_instances = 128;
unsigned inotify_max_user_watches = 65536;

struct inotify_event_k {
	struct list link;		/* inotify.queue */
	int32_t wd;
	uint32_t mask, cookie, len;	/* len: the padded name's */
	char name[];
};

struct inotify {
	struct list link;		/* all_instances */
	struct list watches;		/* inotify_watch.inst_link */
	struct list queue;		/* inotify_event_k, oldest first */
	unsigned queued;		/* events in queue */
	size_t bytes;			/* what reading them all would take */
	int last_wd;
	unsigned uid;			/* who made it, for the limits */
	struct waitq wq;		/* readers */
	struct file *file;
};

struct inotify_watch {
	struct inotify *in;
	struct inode *inode;		/* a reference */
	struct inotify_watch *next;	/* inode.watches chain */
	struct list inst_link;		/* inotify.watches */
	struct list all_link;		/* all_watches */
	int wd;
	uint32_t mask;
};

unsigned inotify_watches;
static struct list all_watches = LIST_INIT(all_watches);
static struct list all_instances = LIST_INIT(all_instances);
static uint32_t last_cookie;

uint32_t
inotify_cookie(void)
{
	if (++last_cookie == 0)
		last_cookie = 1;
	return last_cookie;
}

/* ---- The queue ------------------------------------------------------------ */

static bool
same_event(struct inotify_event_k *e, int wd, uint32_t mask, uint32_t cookie,
	   const char *name, size_t len)
{
	size_t elen = e->len ? strlen(e->name) : 0;
	return e->wd == wd && e->mask == mask && e->cookie == cookie &&
	       elen == len && memcmp(e->name, name, len) == 0;
}

static void
queue_wake(struct inotify *in)
{
	waitq_wake_all(&in->wq);
	file_notify_in(in->file);
}

/*
 * Queues an event, unless it repeats the last one queued (Linux merges
 * those). A full queue takes one IN_Q_OVERFLOW (wd -1) and drops the rest.
 */
static void
queue_event(struct inotify *in, int wd, uint32_t mask, uint32_t cookie,
	    const char *name, size_t len)
{
	if (!list_empty(&in->queue)) {
		struct inotify_event_k *last =
			list_entry(in->queue.prev, struct inotify_event_k, link);
		if (same_event(last, wd, mask, cookie, name, len))
			return;
		if (last->mask == IN_Q_OVERFLOW)
			return;
	}
	if (in->queued >= inotify_max_queued_events) {
		wd = -1;
		mask = IN_Q_OVERFLOW;
		cookie = 0;
		len = 0;
	}
	uint32_t padded = len ? (uint32_t)((len + 1 + 15) & ~15ul) : 0;
	struct inotify_event_k *e = kzalloc(sizeof(*e) + padded);
	if (!e)
		return;
	e->wd = wd;
	e->mask = mask;
	e->cookie = cookie;
	e->len = padded;
	memcpy(e->name, name, len);
	list_push_back(&in->queue, &e->link);
	in->queued++;
	in->bytes += EVENT_HEADER + padded;
	queue_wake(in);
}

/* ---- Watches -------------------------------------------------------------- */

static void
watch_unchain(struct inotify_watch *w)
{
	struct inotify_watch **pp = (struct inotify_watch **)&w->inode->watches;
	while (*pp && *pp != w)
		pp = &(*pp)->next;
	if (*pp)
		*pp = w->next;
}

/* Ends a watch; told: queue IN_IGNORED (not when its instance closes). */
static void
watch_free(struct inotify_watch *w, bool told)
{
	if (told)
		queue_event(w->in, w->wd, IN_IGNORED, 0, NULL, 0);
	watch_unchain(w);
	list_remove(&w->inst_link);
	list_remove(&w->all_link);
	inotify_watches--;
	inode_put(w->inode);
	kfree(w);
}

static struct inotify_watch *
watch_of(struct inotify *in, struct inode *ino)
{
	for (struct inotify_watch *w = ino->watches; w; w = w->next)
		if (w->in == in)
			return w;
	return NULL;
}

static struct inotify_watch *
watch_by_wd(struct inotify *in, int wd)
{
	list_for_each(it, &in->watches) {
		struct inotify_watch *w = list_entry(it, struct inotify_watch, inst_link);
		if (w->wd == wd)
			return w;
	}
	return NULL;
}

/* Tells the watches of ino that want mask; name NULL: ino's own. */
static void
tell_watches(struct inode *ino, uint32_t mask, uint32_t cookie,
	     const char *name, size_t len, bool unlinked_child)
{
	struct inotify_watch *w = ino->watches, *next;
	for (; w; w = next) {
		next = w->next;
		if (!(w->mask & mask & (IN_ALL_EVENTS | IN_UNMOUNT)))
			continue;
		if (unlinked_child && (w->mask & IN_EXCL_UNLINK))
			continue;
		queue_event(w->in, w->wd, mask, cookie, name, len);
		if (w->mask & IN_ONESHOT)
			watch_free(w, true);
	}
}

/*
 * A watched directory holding ino under a name, and the name; NULL if
 * none. Goes through every watch: there are few.
 */
static struct inode *
watched_parent(struct inode *ino, const char **name)
{
	list_for_each(it, &all_watches) {
		struct inotify_watch *w = list_entry(it, struct inotify_watch, all_link);
		struct inode *dir = w->inode;
		if (dir == ino || !S_ISDIR(dir->mode) || !dir->iops->name_of)
			continue;
		*name = dir->iops->name_of(dir, ino);
		if (*name)
			return dir;
	}
	return NULL;
}

static uint32_t
with_isdir(struct inode *ino, uint32_t mask)
{
	return ino && S_ISDIR(ino->mode) ? mask | IN_ISDIR : mask;
}

/* The event told to the parent (with the name), then to ino itself. */
static void
tell_both(struct inode *ino, struct inode *dir, const char *name,
	  uint32_t mask)
{
	mask = with_isdir(ino, mask);
	inode_get(ino);		/* a oneshot watch may hold the last reference */
	if (dir) {
		inode_get(dir);
		tell_watches(dir, mask, 0, name, strlen(name), ino->nlink == 0);
		inode_put(dir);
	}
	tell_watches(ino, mask, 0, NULL, 0, false);
	inode_put(ino);
}

void
inotify_inode_event(struct inode *ino, uint32_t mask)
{
	if (!inotify_active() || !ino)
		return;
	fanotify_inode_event(ino, mask);
	const char *name = NULL;
	struct inode *dir = watched_parent(ino, &name);
	tell_both(ino, dir, name, mask);
}

/* Where f's events go besides its inode: found now, or where it was. */
static struct inode *
file_parent(struct file *f, const char **name)
{
	struct inode *dir = watched_parent(f->inode, name);
	if (dir && (dir != f->notify_dir || strcmp(*name, f->notify_name))) {
		size_t len = strlen(*name);
		char *copy = kmalloc(len + 1);
		if (copy) {
			memcpy(copy, *name, len + 1);
			inode_get(dir);
			if (f->notify_dir)
				inode_put(f->notify_dir);
			kfree(f->notify_name);
			f->notify_dir = dir;
			f->notify_name = copy;
		}
	}
	if (!dir && f->notify_dir && f->inode->nlink == 0) {
		dir = f->notify_dir;	/* unlinked: Linux's dentry still knows */
		*name = f->notify_name;
	}
	return dir;
}

void
inotify_file_event(struct file *f, uint32_t mask)
{
	if (!inotify_active() || !f || !f->inode || file_is_path(f) ||
	    f->no_notify)
		return;
	fanotify_file_event(f, mask);
	const char *name = NULL;
	struct inode *dir = file_parent(f, &name);
	tell_both(f->inode, dir, name, mask);
}

void
inotify_file_closed(struct file *f)
{
	inotify_file_event(f, (f->flags & O_ACCMODE) == O_RDONLY ?
				      IN_CLOSE_NOWRITE : IN_CLOSE_WRITE);
	if (f->notify_dir)
		inode_put(f->notify_dir);
	kfree(f->notify_name);
	f->notify_dir = NULL;
	f->notify_name = NULL;
}

void
inotify_dir_event(struct inode *dir, uint32_t mask, const char *name,
		  size_t len, uint32_t cookie)
{
	if (!inotify_active() || !dir)
		return;
	fanotify_dir_event(dir, mask);
	inode_get(dir);
	tell_watches(dir, mask, cookie, name, len, false);
	inode_put(dir);
}

void
inotify_self_event(struct inode *ino, uint32_t mask)
{
	if (!inotify_active() || !ino)
		return;
	fanotify_inode_event(ino, mask);
	inode_get(ino);
	tell_watches(ino, mask, 0, NULL, 0, false);
	inode_put(ino);
}

void
inotify_unlinked(struct inode *ino)
{
	if (!inotify_active() || !ino)
		return;
	inode_get(ino);
	if (!S_ISDIR(ino->mode))
		inotify_inode_event(ino, IN_ATTRIB);
	if (ino->nlink == 0 || S_ISDIR(ino->mode)) {	/* a directory goes whole */
		fanotify_inode_event(ino, IN_DELETE_SELF);
		tell_watches(ino, IN_DELETE_SELF, 0, NULL, 0, false);
		while (ino->watches)
			watch_free(ino->watches, true);
	}
	inode_put(ino);
}

void
inotify_unmount(struct super *sb)
{
	fanotify_unmount(sb);
	if (!inotify_watches)
		return;
	list_for_each_safe(it, nx, &all_watches) {
		struct inotify_watch *w =
			list_entry(it, struct inotify_watch, all_link);
		if (w->inode->sb != sb)
			continue;
		queue_event(w->in, w->wd, IN_UNMOUNT, 0, NULL, 0);
		watch_free(w, true);
	}
}

/* ---- The instance's file -------------------------------------------------- */

static long
inotify_read(struct file *f, void *buf, size_t len, uint64_t *off)
{
	struct inotify *in = f->priv;
	(void)off;
	while (list_empty(&in->queue)) {
		if (f->flags & O_NONBLOCK)
			return -EAGAIN;
		if (waitq_wait(&in->wq, 0, true) == -EINTR)
			return -ERESTARTSYS;
	}
	size_t done = 0;
	while (!list_empty(&in->queue)) {
		struct inotify_event_k *e =
			list_entry(in->queue.next, struct inotify_event_k, link);
		size_t size = EVENT_HEADER + e->len;
		if (size > len - done)
			break;
		memcpy((char *)buf + done, &e->wd, EVENT_HEADER);
		memcpy((char *)buf + done + EVENT_HEADER, e->name, e->len);
		done += size;
		list_remove(&e->link);
		in->queued--;
		in->bytes -= size;
		kfree(e);
	}
	return done ? (long)done : -EINVAL;	/* the first does not fit */
}

static unsigned
inotify_poll(struct file *f)
{
	struct inotify *in = f->priv;
	return list_empty(&in->queue) ? 0 : POLLIN | POLLRDNORM;
}

static long
inotify_ioctl(struct file *f, unsigned long cmd, uint64_t arg)
{
	struct inotify *in = f->priv;
	if (cmd != FIONREAD)
		return -ENOTTY;
	int n = (int)in->bytes;
	return copyout(arg, &n, sizeof(n)) < 0 ? -EFAULT : 0;
}

static void
inotify_close(struct file *f)
{
	struct inotify *in = f->priv;
	while (!list_empty(&in->watches))
		watch_free(list_entry(in->watches.next, struct inotify_watch,
				      inst_link), false);
	while (!list_empty(&in->queue)) {
		struct list *e = in->queue.next;
		list_remove(e);
		kfree(list_entry(e, struct inotify_event_k, link));
	}
	list_remove(&in->link);
	kfree(in);
}

static const struct file_ops inotify_fops = {
	.read = inotify_read,
	.poll = inotify_poll,
	.ioctl = inotify_ioctl,
	.close = inotify_close,
	.fasync = fasync_plain,
};

void
inotify_fdinfo(struct file *f, struct gen *g)
{
	struct inotify *in = f->priv;
	list_for_each(it, &in->watches) {
		struct inotify_watch *w = list_entry(it, struct inotify_watch, inst_link);
		gprintf(g, "inotify wd:%x ino:%lx sdev:%x mask:%x ignored_mask:0\n",
			w->wd, w->inode->ino, w->inode->sb ? w->inode->sb->dev : 0,
			w->mask);
	}
}

bool
inotify_is(struct file *f)
{
	return f && f->ops == &inotify_fops;
}

/* ---- System calls --------------------------------------------------------- */

/* The instances and watches a user holds, for the limits. */
static void
user_counts(unsigned uid, unsigned *instances, unsigned *watches)
{
	*instances = *watches = 0;
	list_for_each(it, &all_instances) {
		struct inotify *in = list_entry(it, struct inotify, link);
		if (in->uid == uid)
			(*instances)++;
	}
	list_for_each(it, &all_watches) {
		struct inotify_watch *w = list_entry(it, struct inotify_watch, all_link);
		if (w->in->uid == uid)
			(*watches)++;
	}
}

long
sys_inotify_init1(int flags)
{
	if (flags & ~(IN_CLOEXEC | IN_NONBLOCK))
		return -EINVAL;
	struct proc *p = current()->proc;
	unsigned instances, watches;
	user_counts(p->uid, &instances, &watches);
	if (instances >= inotify_max_user_instances)
		return -EMFILE;
	struct inotify *in = kzalloc(sizeof(*in));
	if (!in)
		return -ENOMEM;
	list_init(&in->watches);
	list_init(&in->queue);
	waitq_init(&in->wq);
	in->uid = p->uid;
	long fd = install_anon("inotify", &inotify_fops, in, (unsigned)flags);
	if (fd < 0) {
		kfree(in);
		return fd;
	}
	in->file = fd_get(p, (int)fd);
	list_push_back(&all_instances, &in->link);
	return fd;
}

long
sys_inotify_init(void)
{
	return sys_inotify_init1(0);
}

static struct inotify *
get_inotify(int fd)
{
	struct file *f = fd_hold(fd);
	if (!f)
		return ERR_PTR(-EBADF);
	return inotify_is(f) ? f->priv : ERR_PTR(-EINVAL);
}

/* A new watch with the next free descriptor; NULL when out of memory. */
static struct inotify_watch *
watch_new(struct inotify *in, struct inode *ino, uint32_t mask)
{
	struct inotify_watch *w = kzalloc(sizeof(*w));
	if (!w)
		return NULL;
	do {
		if (++in->last_wd <= 0)
			in->last_wd = 1;
	} while (watch_by_wd(in, in->last_wd));
	w->in = in;
	w->wd = in->last_wd;
	w->mask = mask;
	w->inode = ino;
	inode_get(ino);
	w->next = ino->watches;
	ino->watches = w;
	list_push_back(&in->watches, &w->inst_link);
	list_push_back(&all_watches, &w->all_link);
	inotify_watches++;
	return w;
}

long
sys_inotify_add_watch(int fd, uaddr_t upath, unsigned mask)
{
	struct inotify *in = get_inotify(fd);
	if (IS_ERR(in))
		return PTR_ERR(in);
	if (!(mask & (IN_ALL_EVENTS | IN_UNMOUNT)))
		return -EINVAL;
	if ((mask & IN_MASK_ADD) && (mask & IN_MASK_CREATE))
		return -EINVAL;
	struct proc *p = current()->proc;
	WITH_PATH(path, upath);
	struct inode *ino = vfs_lookup(p, AT_FDCWD, path, !(mask & IN_DONT_FOLLOW));
	kfree(path);
	if (IS_ERR(ino))
		return PTR_ERR(ino);
	long r = vfs_permission(p, ino, 4);
	if (r == 0 && (mask & IN_ONLYDIR) && !S_ISDIR(ino->mode))
		r = -ENOTDIR;
	/* What a watch keeps (and fdinfo shows), as Linux's. */
	uint32_t keep = mask & (IN_ALL_EVENTS | IN_UNMOUNT | IN_ONESHOT |
				IN_EXCL_UNLINK);
	struct inotify_watch *w = r ? NULL : watch_of(in, ino);
	if (w && (mask & IN_MASK_CREATE)) {
		r = -EEXIST;
	} else if (w) {
		w->mask = (mask & IN_MASK_ADD) ? w->mask | keep : keep;
		r = w->wd;
	} else if (r == 0) {
		unsigned instances, watches;
		user_counts(in->uid, &instances, &watches);
		if (watches >= inotify_max_user_watches)
			r = -ENOSPC;
		else if (!(w = watch_new(in, ino, keep)))
			r = -ENOMEM;
		else
			r = w->wd;
	}
	inode_put(ino);
	return r;
}

long
sys_inotify_rm_watch(int fd, int wd)
{
	struct inotify *in = get_inotify(fd);
	if (IS_ERR(in))
		return PTR_ERR(in);
	struct inotify_watch *w = watch_by_wd(in, wd);
	if (!w)
		return -EINVAL;
	watch_free(w, true);
	return 0;
}
