/*
 * fanotify: a group is an anonymous file holding marks (on an inode, or on
 * every file of a mount or file system) and a queue of events read as
 * struct fanotify_event_metadata records, each with a new descriptor open
 * on the file the event is about. Permission events (FAN_OPEN_PERM,
 * FAN_ACCESS_PERM, FAN_OPEN_EXEC_PERM) make the opener or reader sleep
 * until the listener writes a struct fanotify_response; closing the group
 * allows them all. Reported with a descriptor only: the FID modes
 * (FAN_REPORT_FID and its kin) are EINVAL, as on a kernel before 5.1.
 *
 * The hooks (kernel/include/kernel/fanotify.h) are called by inotify's
 * hooks and by open, read and execve. A mount mark covers the file system
 * mounted there (Petrel mounts each one once). Big lock held throughout.
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
#include <kernel/fanotify.h>
#include "fanotify_int.h"
#include "../fs/procfs_int.h"

unsigned fanotify_marks;
struct list fan_all_marks = LIST_INIT(fan_all_marks);
struct list fan_all_groups = LIST_INIT(fan_all_groups);
/* Threads waiting for an answer to a permission event. */
static struct waitq perm_wq = WAITQ_INIT(perm_wq);

/*
 * What an event is about: the inode, the open file (or NULL), a name,
 * whether the subject is a directory (a name event's child may be one),
 * and for FID reports its file system's fsid.
 */
struct fan_source {
	struct inode *inode;
	struct file *file;
	const char *name;		/* the last component it was found by */
	bool is_dir;
	int32_t fsid[2];
};

/* How many queued events a new one may be merged into, newest first. */
#define MERGE_DEPTH 128

/* ---- Events --------------------------------------------------------------- */

static void
event_free(struct fan_event *e)
{
	if (e->inode)
		inode_put(e->inode);
	if (e->path_base)
		inode_put(e->path_base);
	kfree(e->path);
	kfree(e);
}

static struct fan_event *
event_new(struct fan_group *g, const struct fan_source *s, uint32_t mask)
{
	struct fan_event *e = kzalloc(sizeof(*e));
	if (!e)
		return NULL;
	struct thread *t = current();
	e->mask = mask;
	e->pid = (g->flags & FAN_REPORT_TID) ? t->tid : t->proc->pid;
	e->fsid[0] = s->fsid[0];
	e->fsid[1] = s->fsid[1];
	e->inode = s->inode;
	inode_get(s->inode);
	e->fd = FAN_NOFD;
	struct file *f = s->file;
	if (f && f->path) {
		size_t n = strlen(f->path);
		e->path = kmalloc(n + 1);
		if (e->path) {
			memcpy(e->path, f->path, n + 1);
			e->path_base = f->path_base;
			if (e->path_base)
				inode_get(e->path_base);
		}
	}
	return e;
}

static void
group_wake(struct fan_group *g)
{
	waitq_wake_all(&g->wq);
	file_notify_in(g->file);
}

/* Queues an FAN_Q_OVERFLOW unless one waits to be read. */
static void
queue_overflow(struct fan_group *g)
{
	if (g->overflowed)
		return;
	struct fan_event *e = kzalloc(sizeof(*e));
	if (!e)
		return;
	e->mask = FAN_Q_OVERFLOW;
	e->fd = FAN_NOFD;
	g->overflowed = true;
	list_push_back(&g->queue, &e->link);
	g->queued++;
	group_wake(g);
}

static bool
queue_full(struct fan_group *g)
{
	return !(g->flags & FAN_UNLIMITED_QUEUE) &&
	       g->queued >= fanotify_max_queued_events;
}

/*
 * A queued event a new one about s by pid merges into, as Linux's
 * fanotify_merge: the same object and process, both about a directory
 * or neither (FAN_ONDIR); never a permission event or an overflow.
 */
static struct fan_event *
merge_target(struct fan_group *g, const struct fan_source *s, int pid)
{
	int depth = 0;
	for (struct list *it = g->queue.prev;
	     it != &g->queue && depth < MERGE_DEPTH; it = it->prev, depth++) {
		struct fan_event *e = list_entry(it, struct fan_event, link);
		if (!e->perm && e->inode == s->inode && e->pid == pid &&
		    e->mask != FAN_Q_OVERFLOW &&
		    !(e->mask & FAN_ONDIR) == !s->is_dir)
			return e;
	}
	return NULL;
}

/* Queues a notification, or merges it into an earlier one. */
static void
queue_notification(struct fan_group *g, const struct fan_source *s,
		   uint32_t mask)
{
	int pid = (g->flags & FAN_REPORT_TID) ? current()->tid :
						current()->proc->pid;
	/* Linux tells FAN_ONDIR only with the FIDs (it is 0 otherwise). */
	if (s->is_dir && fan_reports_fid(g))
		mask |= FAN_ONDIR;
	struct fan_event *last = merge_target(g, s, pid);
	if (last) {
		last->mask |= mask;
		return;
	}
	if (queue_full(g)) {
		queue_overflow(g);
		return;
	}
	struct fan_event *e = event_new(g, s, mask);
	if (!e)
		return;
	list_push_back(&g->queue, &e->link);
	g->queued++;
	group_wake(g);
}

/* ---- Which marks hear an event -------------------------------------------- */

static bool
mark_covers(struct fan_mark *m, struct inode *ino)
{
	if (m->type == 0)
		return m->inode == ino;
	return ino->sb && m->inode->sb == ino->sb;
}

static bool
child_of(struct inode *dir, const struct fan_source *s)
{
	if (dir_name_of(dir, s->inode))
		return true;
	if (s->file && s->file->notify_dir == dir)
		return true;
	if (!s->name || !s->name[0] || !dir->iops->lookup)
		return false;
	struct inode *ino = dir->iops->lookup(dir, s->name, strlen(s->name));
	if (IS_ERR(ino) || !ino)
		return false;
	bool same = ino == s->inode;
	inode_put(ino);
	return same;
}

/*
 * The marked directory watching its children that holds s's inode (a
 * reference), or NULL. Candidates are taken before any is asked, as
 * asking a server's directory may sleep and change the marks.
 */
static struct inode *
watching_parent(const struct fan_source *s)
{
	enum { MAX_CANDIDATES = 8 };
	struct inode *cand[MAX_CANDIDATES];
	int n = 0;
	list_for_each(it, &fan_all_marks) {
		struct fan_mark *m = list_entry(it, struct fan_mark, all_link);
		if (m->type != 0 || !(m->mask & FAN_EVENT_ON_CHILD) ||
		    !S_ISDIR(m->inode->mode) || m->inode == s->inode)
			continue;
		bool seen = false;
		for (int i = 0; i < n; i++)
			seen |= cand[i] == m->inode;
		if (!seen && n < MAX_CANDIDATES) {
			inode_get(m->inode);
			cand[n++] = m->inode;
		}
	}
	struct inode *parent = NULL;
	for (int i = 0; i < n; i++) {
		if (!parent && child_of(cand[i], s))
			parent = cand[i];
		else
			inode_put(cand[i]);
	}
	return parent;
}

/*
 * What group g reports of an event mask on s (parent: a directory
 * watching its children that holds it, or NULL): the bits its marks want
 * and do not ignore. A modification first clears the ignore masks that do
 * not survive it, as Linux's send_to_group.
 */
static uint32_t
group_wants(struct fan_group *g, const struct fan_source *s,
	    struct inode *parent, uint32_t mask)
{
	bool is_dir = s->is_dir;
	uint32_t want = 0, ignored = 0;
	list_for_each(it, &g->marks) {
		struct fan_mark *m = list_entry(it, struct fan_mark, group_link);
		bool covers = mark_covers(m, s->inode);
		bool on_child = !covers && parent && m->type == 0 &&
				m->inode == parent &&
				(m->mask & FAN_EVENT_ON_CHILD);
		if (!covers && !on_child)
			continue;
		if ((mask & FAN_MODIFY) && !m->surv_modify)
			m->ignored = 0;
		uint32_t heard = on_child ? m->mask & ON_CHILD_EVENTS : m->mask;
		if (!is_dir || (m->mask & FAN_ONDIR))
			want |= heard;
		if (!is_dir || !m->ignore_flags || (m->ignored & FAN_ONDIR))
			ignored |= m->ignored;
	}
	uint32_t kinds = FILE_EVENTS | PERM_EVENTS |
			 (fan_reports_fid(g) ? INODE_EVENTS : 0);
	return mask & want & ~ignored & kinds;
}

/* The fsid FID reports give s: that of a mark on its file system. */
static void
source_fsid(struct fan_source *s)
{
	list_for_each(it, &fan_all_marks) {
		struct fan_mark *m = list_entry(it, struct fan_mark, all_link);
		if (m->inode->sb == s->inode->sb) {
			s->fsid[0] = m->fsid[0];
			s->fsid[1] = m->fsid[1];
			return;
		}
	}
}

static void
notify_groups(struct fan_source *s, uint32_t mask)
{
	mask &= FILE_EVENTS | INODE_EVENTS;
	if (!fanotify_marks || !mask || !s->inode)
		return;
	inode_get(s->inode);
	source_fsid(s);
	/* A name event is the directory's own; others reach its parent. */
	struct inode *parent = mask & DIRENT_EVENTS ? NULL : watching_parent(s);
	list_for_each(it, &fan_all_groups) {
		struct fan_group *g = list_entry(it, struct fan_group, link);
		uint32_t report = group_wants(g, s, parent, mask);
		if (report)
			queue_notification(g, s, report);
	}
	if (parent)
		inode_put(parent);
	inode_put(s->inode);
}

/* The last component of f's name, for a directory's lookup. */
static const char *
file_name_hint(struct file *f)
{
	if (!f || !f->path)
		return NULL;
	const char *slash = strrchr(f->path, '/');
	return slash ? slash + 1 : f->path;
}

void
fanotify_file_event(struct file *f, uint32_t mask)
{
	if (!fanotify_marks || !f || !f->inode || file_is_path(f) ||
	    f->no_notify)
		return;
	struct fan_source s = { f->inode, f, file_name_hint(f),
				S_ISDIR(f->inode->mode), { 0, 0 } };
	notify_groups(&s, mask);
}

void
fanotify_inode_event(struct inode *ino, uint32_t mask)
{
	if (!fanotify_marks || !ino)
		return;
	struct fan_source s = { ino, NULL, NULL, S_ISDIR(ino->mode), { 0, 0 } };
	notify_groups(&s, mask);
}

void
fanotify_dir_event(struct inode *dir, uint32_t mask)
{
	if (!fanotify_marks || !dir)
		return;
	struct fan_source s = { dir, NULL, NULL, (mask & IN_ISDIR_BIT) != 0,
				{ 0, 0 } };
	notify_groups(&s, mask & ~IN_ISDIR_BIT);
}

/* ---- Permission events ---------------------------------------------------- */

/*
 * Tells g of a permission event and sleeps until it is answered (or the
 * group goes, which allows it); 0, -EPERM, or -EINTR for a SIGKILL.
 */
static int
ask_group(struct fan_group *g, const struct fan_source *s, uint32_t mask)
{
	if (queue_full(g))
		return 0;	/* nobody would hear it */
	struct fan_event *e = event_new(g, s, mask);
	if (!e)
		return -ENOMEM;
	e->perm = true;
	e->group = g;
	list_push_back(&g->queue, &e->link);
	g->queued++;
	group_wake(g);
	int r = 0;
	while (!e->response) {
		if (waitq_wait_killable(&perm_wq, NULL) == -EINTR &&
		    !e->response) {
			r = -EINTR;
			break;
		}
	}
	if (e->group) {		/* killed: take it off the group's lists */
		if (!e->read)
			e->group->queued--;
		list_remove(&e->link);
	}
	if (!r && (e->response & 0xff & ~FAN_AUDIT) == FAN_DENY)
		r = -EPERM;
	event_free(e);
	return r;
}

/*
 * Asks every group that wants mask of s, by rank (pre-content, content,
 * then notification groups, oldest first), until one denies. The groups
 * may change while the caller sleeps: it goes on past the rank last asked.
 */
static int
ask_groups(const struct fan_source *s, uint32_t mask)
{
	if (!fanotify_marks || !s->inode)
		return 0;
	uint64_t done = 0;
	bool any = false;
	int r = 0;
	inode_get(s->inode);
	struct inode *parent = watching_parent(s);
	for (;;) {
		struct fan_group *next = NULL;
		list_for_each(it, &fan_all_groups) {
			struct fan_group *g = list_entry(it, struct fan_group, link);
			if (any && g->rank <= done)
				continue;
			if (group_wants(g, s, parent, mask)) {
				next = g;
				break;
			}
		}
		if (!next)
			break;
		any = true;
		done = next->rank;
		if ((r = ask_group(next, s, mask)) < 0)
			break;
	}
	if (parent)
		inode_put(parent);
	inode_put(s->inode);
	return r;
}

int
fanotify_open_perm(struct file *f)
{
	if (!fanotify_marks || !f || !f->inode || file_is_path(f))
		return 0;
	struct fan_source s = { f->inode, f, file_name_hint(f),
				S_ISDIR(f->inode->mode), { 0, 0 } };
	return ask_groups(&s, FAN_OPEN_PERM);
}

int
fanotify_access_perm(struct file *f)
{
	if (!fanotify_marks || !f || !f->inode || file_is_path(f) ||
	    f->no_notify)
		return 0;
	struct fan_source s = { f->inode, f, file_name_hint(f),
				S_ISDIR(f->inode->mode), { 0, 0 } };
	return ask_groups(&s, FAN_ACCESS_PERM);
}

int
fanotify_exec(struct inode *ino, const char *path)
{
	if (!fanotify_marks)
		return 0;
	const char *slash = path ? strrchr(path, '/') : NULL;
	struct fan_source s = { ino, NULL, slash ? slash + 1 : path, false,
				{ 0, 0 } };
	int r = ask_groups(&s, FAN_OPEN_EXEC_PERM);
	if (r == 0)
		r = ask_groups(&s, FAN_OPEN_PERM);
	if (r == 0)
		notify_groups(&s, FAN_OPEN | FAN_OPEN_EXEC);
	return r;
}

/* ---- The group's file ----------------------------------------------------- */

/*
 * A descriptor open on e's file for the reader, as the group's
 * event_f_flags ask, making no events of its own; or -errno.
 */
static int
event_fd(struct fan_group *g, struct fan_event *e)
{
	unsigned flags = g->event_f_flags & ~O_CLOEXEC;
	struct file *f = vfs_open_inode(e->inode, flags);
	if (IS_ERR(f))
		return (int)PTR_ERR(f);
	f->no_notify = true;
	if (e->path) {
		f->path = e->path;
		f->path_base = e->path_base;
		e->path = NULL;
		e->path_base = NULL;
	}
	int fd = fd_install(current()->proc, f, 0,
			    g->event_f_flags & O_CLOEXEC);
	if (fd < 0)
		file_put(f);
	return fd;
}

/*
 * struct fanotify_event_info_fid of FAN_EVENT_INFO_TYPE_FID: a header,
 * the fsid, and a struct file_handle as name_to_handle_at gives it.
 */
struct fid_info {
	uint8_t info_type, pad;
	uint16_t len;
	int32_t fsid[2];
	uint32_t handle_bytes;
	int32_t handle_type;
	uint8_t handle[FILE_HANDLE_BYTES];
};
#define FAN_EVENT_INFO_TYPE_FID 1

static uint32_t
event_size(struct fan_group *g, struct fan_event *e)
{
	if (fan_reports_fid(g) && e->inode)
		return METADATA_LEN + sizeof(struct fid_info);
	return METADATA_LEN;
}

static void
fid_record(struct fan_event *e, char *buf)
{
	struct fid_info info = {
		FAN_EVENT_INFO_TYPE_FID, 0, sizeof(info),
		{ e->fsid[0], e->fsid[1] }, FILE_HANDLE_BYTES, 0, { 0 },
	};
	info.handle_type = file_handle_encode(e->inode, info.handle);
	memcpy(buf, &info, sizeof(info));
}

/*
 * e could not be given to the reader (its file would not open: a server
 * gone, no descriptor free): it goes, a permission event denied, as
 * Linux's fanotify_read drops it.
 */
static void
event_drop(struct fan_group *g, struct fan_event *e)
{
	list_remove(&e->link);
	g->queued--;
	if (e->perm) {
		e->group = NULL;
		e->response = FAN_DENY;
		waitq_wake_all(&perm_wq);
	} else {
		event_free(e);
	}
}

/* Copies e's record to buf and takes it off the queue; 0 or -errno. */
static int
event_take(struct fan_group *g, struct fan_event *e, char *buf)
{
	int fd = FAN_NOFD;
	bool fid = fan_reports_fid(g) && e->inode;
	if (e->inode && !fid) {
		fd = event_fd(g, e);
		if (fd < 0) {
			event_drop(g, e);
			return fd;
		}
	}
	struct {
		uint32_t event_len;
		uint8_t vers, reserved;
		uint16_t metadata_len;
		uint64_t mask;
		int32_t fd, pid;
	} md = { event_size(g, e), METADATA_VERSION, 0, METADATA_LEN,
		 e->mask, fd, e->pid };
	if (g->unprivileged && e->pid != current()->proc->pid)
		md.pid = 0;
	_Static_assert(sizeof(md) == METADATA_LEN, "Linux's layout");
	memcpy(buf, &md, sizeof(md));
	if (fid)
		fid_record(e, buf + METADATA_LEN);
	list_remove(&e->link);
	g->queued--;
	if (e->mask == FAN_Q_OVERFLOW)
		g->overflowed = false;
	if (e->perm) {
		e->fd = fd;
		e->read = true;
		list_push_back(&g->answering, &e->link);
	} else {
		event_free(e);
	}
	return 0;
}

static long
fan_read(struct file *f, void *buf, size_t len, uint64_t *off)
{
	struct fan_group *g = f->priv;
	(void)off;
	while (list_empty(&g->queue)) {
		if (f->flags & O_NONBLOCK)
			return -EAGAIN;
		if (waitq_wait(&g->wq, 0, true) == -EINTR)
			return -ERESTARTSYS;
	}
	size_t done = 0;
	while (!list_empty(&g->queue)) {
		struct fan_event *e =
			list_entry(g->queue.next, struct fan_event, link);
		size_t size = event_size(g, e);
		if (len - done < size)
			break;
		int r = event_take(g, e, (char *)buf + done);
		if (r < 0)
			return done ? (long)done : r;
		done += size;
	}
	return done ? (long)done : -EINVAL;	/* the first does not fit */
}

/* A listener's answer: struct fanotify_response { fd, response }. */
static long
fan_write(struct file *f, const void *buf, size_t len, uint64_t *off)
{
	struct fan_group *g = f->priv;
	struct {
		int32_t fd;
		uint32_t response;
	} r;
	(void)off;
	if (len < sizeof(r))
		return -EINVAL;
	memcpy(&r, buf, sizeof(r));
	uint32_t verdict = r.response & ~FAN_AUDIT;
	if (r.fd < 0 || (verdict != FAN_ALLOW && verdict != FAN_DENY))
		return -EINVAL;
	if ((r.response & FAN_AUDIT) && !(g->flags & FAN_ENABLE_AUDIT))
		return -EINVAL;
	list_for_each(it, &g->answering) {
		struct fan_event *e = list_entry(it, struct fan_event, link);
		if (e->fd != r.fd)
			continue;
		list_remove(&e->link);
		e->group = NULL;
		e->response = r.response;
		waitq_wake_all(&perm_wq);
		return sizeof(r);
	}
	return -ENOENT;
}

static unsigned
fan_poll(struct file *f)
{
	struct fan_group *g = f->priv;
	return list_empty(&g->queue) ? 0 : POLLIN | POLLRDNORM;
}

static long
fan_ioctl(struct file *f, unsigned long cmd, uint64_t arg)
{
	struct fan_group *g = f->priv;
	if (cmd != FIONREAD)
		return -ENOTTY;
	int n = 0;
	list_for_each(it, &g->queue)
		n += (int)event_size(g, list_entry(it, struct fan_event, link));
	return copyout(arg, &n, sizeof(n)) < 0 ? -EFAULT : 0;
}

/* Lets every waiting opener go on (Linux allows them when the group goes). */
static void
allow_all(struct list *l, struct fan_group *g)
{
	while (!list_empty(l)) {
		struct fan_event *e = list_entry(l->next, struct fan_event, link);
		list_remove(&e->link);
		if (!e->read)
			g->queued--;
		if (e->perm) {
			e->group = NULL;
			e->response = FAN_ALLOW;
		} else {
			event_free(e);
		}
	}
}

static void
fan_close(struct file *f)
{
	struct fan_group *g = f->priv;
	while (!list_empty(&g->marks))
		fan_mark_free(list_entry(g->marks.next, struct fan_mark, group_link));
	allow_all(&g->queue, g);
	allow_all(&g->answering, g);
	waitq_wake_all(&perm_wq);
	list_remove(&g->link);
	kfree(g);
}

const struct file_ops fan_fops = {
	.read = fan_read,
	.write = fan_write,
	.poll = fan_poll,
	.ioctl = fan_ioctl,
	.close = fan_close,
	.fasync = fasync_plain,
};

bool
fanotify_is(struct file *f)
{
	return f && f->ops == &fan_fops;
}

void
fanotify_fdinfo(struct file *f, struct gen *g)
{
	struct fan_group *grp = f->priv;
	gprintf(g, "fanotify flags:%x event-flags:%x\n", grp->flags,
		grp->event_f_flags);
	list_for_each(it, &grp->marks) {
		struct fan_mark *m = list_entry(it, struct fan_mark, group_link);
		/* The FAN_MARK_* flags a mark keeps, as Linux's
		   fanotify_mark_user_flags. */
		unsigned mflags =
			(m->surv_modify ? FAN_MARK_IGNORED_SURV_MODIFY : 0) |
			(m->ignore_flags ? FAN_MARK_IGNORE : 0);
		if (m->type == 0) {
			uint8_t h[FILE_HANDLE_BYTES];
			int type = file_handle_encode(m->inode, h);
			gprintf(g, "fanotify ino:%lx sdev:%x mflags:%x mask:%x "
				"ignored_mask:%x fhandle-bytes:%x "
				"fhandle-type:%x f_handle:", m->inode->ino,
				m->inode->sb ? m->inode->sb->dev : 0, mflags,
				m->mask, m->ignored, FILE_HANDLE_BYTES, type);
			for (int i = 0; i < FILE_HANDLE_BYTES; i++)
				gprintf(g, "%02x", h[i]);
			gprintf(g, "\n");
		} else if (m->type == FAN_MARK_MOUNT)
			gprintf(g, "fanotify mnt_id:%x mflags:%x mask:%x "
				"ignored_mask:%x\n", file_mount_id(m->inode),
				mflags, m->mask, m->ignored);
		else
			gprintf(g, "fanotify sdev:%x mflags:%x mask:%x "
				"ignored_mask:%x\n",
				m->inode->sb ? m->inode->sb->dev : 0, mflags,
				m->mask, m->ignored);
	}
}

