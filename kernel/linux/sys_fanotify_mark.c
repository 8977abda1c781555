/*
 * fanotify's system calls: fanotify_init makes a group, fanotify_mark
 * adds, changes and removes its marks, with Linux's checks of flags and
 * masks (kernel/linux/sys_fanotify.c tells the groups their events).
 * Big lock held throughout.
 */
#include <kernel/proc.h>
#include <kernel/vfs.h>
#include <kernel/kmalloc.h>
#include <kernel/syscall.h>
#include <syscall_table.h>
#include <kernel/errno.h>
#include <kernel/string.h>
#include <kernel/stat.h>
#include "path.h"
#include "fanotify_int.h"

/* Limits, as /proc/sys/fs/fanotify shows them (procfs.c). */
unsigned fanotify_max_queued_events = 16384;
unsigned fanotify_max_user_groups = 128;
unsigned fanotify_max_user_marks = 8192;

static uint32_t groups_made;

void
fan_mark_free(struct fan_mark *m)
{
	list_remove(&m->group_link);
	list_remove(&m->all_link);
	fanotify_marks--;
	inode_put(m->inode);
	kfree(m);
}

void
fanotify_unmount(struct super *sb)
{
	list_for_each_safe(it, nx, &fan_all_marks) {
		struct fan_mark *m = list_entry(it, struct fan_mark, all_link);
		if (m->inode->sb == sb)
			fan_mark_free(m);
	}
}

static unsigned
user_groups(unsigned uid)
{
	unsigned n = 0;
	list_for_each(it, &fan_all_groups)
		n += list_entry(it, struct fan_group, link)->uid == uid;
	return n;
}

/* Pre-content groups are told first, then content, then notification. */
static void
group_insert(struct fan_group *g)
{
	unsigned class = g->flags & FAN_CLASS_BITS;
	uint64_t order = class == FAN_CLASS_PRE_CONTENT ? 0 :
			 class == FAN_CLASS_CONTENT ? 1 : 2;
	g->rank = order << 32 | ++groups_made;
	list_for_each(it, &fan_all_groups) {
		if (list_entry(it, struct fan_group, link)->rank > g->rank) {
			list_insert_after(it->prev, &g->link);
			return;
		}
	}
	list_push_back(&fan_all_groups, &g->link);
}

static int
init_check(unsigned flags, unsigned event_f_flags)
{
	struct proc *p = current()->proc;
	/* Without CAP_SYS_ADMIN: a notification group reporting FIDs, with
	   the usual limits (Linux 5.13's unprivileged groups). */
	if (!capable(CAP_SYS_ADMIN) && ((flags & ADMIN_INIT_FLAGS) ||
			     !(flags & FAN_REPORT_FIDS)))
		return -EPERM;
	if (flags & ~INIT_FLAGS)
		return -EINVAL;
	if ((flags & FAN_CLASS_BITS) == FAN_CLASS_BITS)
		return -EINVAL;
	if ((event_f_flags & ~EVENT_F_BITS) ||
	    (event_f_flags & O_ACCMODE) == O_ACCMODE)
		return -EINVAL;
	/* FIDs are for notification groups alone. */
	if ((flags & FAN_REPORT_FIDS) &&
	    (flags & FAN_CLASS_BITS) != FAN_CLASS_NOTIF)
		return -EINVAL;
	if (user_groups(p->euid) >= fanotify_max_user_groups)
		return -EMFILE;
	return 0;
}

long
sys_fanotify_init(unsigned flags, unsigned event_f_flags)
{
	int e = init_check(flags, event_f_flags);
	if (e < 0)
		return e;
	struct fan_group *g = kzalloc(sizeof(*g));
	if (!g)
		return -ENOMEM;
	list_init(&g->marks);
	list_init(&g->queue);
	list_init(&g->answering);
	waitq_init(&g->wq);
	g->flags = flags;
	g->event_f_flags = event_f_flags;
	g->uid = current()->proc->euid;
	g->unprivileged = !capable(CAP_SYS_ADMIN);
	unsigned fflags = (flags & FAN_CLOEXEC ? O_CLOEXEC : 0) |
			  (flags & FAN_NONBLOCK ? O_NONBLOCK : 0);
	long fd = install_anon("[fanotify]", &fan_fops, g, fflags);
	if (fd < 0) {
		kfree(g);
		return fd;
	}
	g->file = fd_get(current()->proc, (int)fd);
	group_insert(g);
	return fd;
}

static struct fan_mark *
mark_find(struct fan_group *g, unsigned type, struct inode *ino)
{
	list_for_each(it, &g->marks) {
		struct fan_mark *m = list_entry(it, struct fan_mark, group_link);
		if (m->type != type)
			continue;
		if (type == 0 ? m->inode == ino : m->inode->sb == ino->sb)
			return m;
	}
	return NULL;
}

static unsigned
user_marks(unsigned uid)
{
	unsigned n = 0;
	list_for_each(it, &fan_all_marks) {
		struct fan_mark *m = list_entry(it, struct fan_mark, all_link);
		n += m->group->uid == uid;
	}
	return n;
}

/* The fsid statfs gives ino's file system (0:0 if it has none). */
static int
fsid_of(struct inode *ino, int32_t fsid[2])
{
	struct statfs_k s;
	memset(&s, 0, sizeof(s));
	if (ino->sb && ino->sb->ops && ino->sb->ops->statfs) {
		int e = ino->sb->ops->statfs(ino->sb, &s);
		if (e < 0)
			return e;
	}
	fsid[0] = s.fsid[0];
	fsid[1] = s.fsid[1];
	return 0;
}

static int
mark_add(struct fan_group *g, unsigned flags, uint32_t mask,
	 struct inode *ino)
{
	unsigned type = flags & FAN_MARK_TYPES;
	int32_t fsid[2];
	int e = fsid_of(ino, fsid);
	if (e < 0)
		return e;
	/* A FID names a file within a file system the fsid tells apart. */
	if (fan_reports_fid(g) && !fsid[0] && !fsid[1])
		return -ENODEV;
	/* Only a directory's inode mark hears of its children. */
	if (type || !S_ISDIR(ino->mode))
		mask &= ~FAN_EVENT_ON_CHILD;
	struct fan_mark *m = mark_find(g, type, ino);
	if (!m) {
		if (!(g->flags & FAN_UNLIMITED_MARKS) &&
		    user_marks(g->uid) >= fanotify_max_user_marks)
			return -ENOSPC;
		if (!(m = kzalloc(sizeof(*m))))
			return -ENOMEM;
		m->group = g;
		m->type = type;
		m->inode = ino;
		m->fsid[0] = fsid[0];
		m->fsid[1] = fsid[1];
		inode_get(ino);
		list_push_back(&g->marks, &m->group_link);
		list_push_back(&fan_all_marks, &m->all_link);
		fanotify_marks++;
	}
	if (flags & FAN_MARK_IGNORE_BITS) {
		m->ignored |= mask;
		m->ignore_flags |= (flags & FAN_MARK_IGNORE) != 0;
		if (flags & FAN_MARK_IGNORED_SURV_MODIFY)
			m->surv_modify = true;
	} else {
		m->mask |= mask;
	}
	return 0;
}

static int
mark_remove(struct fan_group *g, unsigned flags, uint32_t mask,
	    struct inode *ino)
{
	struct fan_mark *m = mark_find(g, flags & FAN_MARK_TYPES, ino);
	if (!m)
		return -ENOENT;
	if (flags & FAN_MARK_IGNORE_BITS)
		m->ignored &= ~mask;
	else
		m->mask &= ~mask;
	if (!m->mask && !m->ignored)
		fan_mark_free(m);
	return 0;
}

static void
mark_flush(struct fan_group *g, unsigned type)
{
	list_for_each_safe(it, nx, &g->marks) {
		struct fan_mark *m = list_entry(it, struct fan_mark, group_link);
		if (m->type == type)
			fan_mark_free(m);
	}
}

/* The checks of fanotify_mark's flags and mask, before any lookup. */
static int
mark_check(unsigned flags, uint64_t mask)
{
	unsigned cmd = flags & (FAN_MARK_ADD | FAN_MARK_REMOVE | FAN_MARK_FLUSH);
	if (flags & ~MARK_FLAGS)
		return -EINVAL;
	if ((flags & FAN_MARK_TYPES) == FAN_MARK_TYPES)
		return -EINVAL;
	if (cmd != FAN_MARK_ADD && cmd != FAN_MARK_REMOVE &&
	    cmd != FAN_MARK_FLUSH)
		return -EINVAL;
	if (cmd == FAN_MARK_FLUSH)
		return flags & ~(FAN_MARK_FLUSH | FAN_MARK_TYPES) ? -EINVAL : 0;
	if (!mask || (mask & ~(uint64_t)MARK_EVENTS))
		return -EINVAL;
	if ((flags & FAN_MARK_IGNORE_BITS) == FAN_MARK_IGNORE_BITS)
		return -EINVAL;
	return 0;
}

/*
 * The checks that need the group (fanotify_mark's, in Linux's order):
 * permission events want a content class, name and inode events a FID
 * report and no mount mark, FAN_RENAME a name report.
 */
static int
mark_group_check(struct fan_group *g, unsigned flags, uint32_t mask)
{
	unsigned type = flags & FAN_MARK_TYPES;
	if ((mask & PERM_EVENTS) &&
	    (g->flags & FAN_CLASS_BITS) == FAN_CLASS_NOTIF)
		return -EINVAL;
	if ((flags & FAN_MARK_EVICTABLE) && type)
		return -EINVAL;
	if ((mask & INODE_EVENTS) &&
	    (!fan_reports_fid(g) || type == FAN_MARK_MOUNT))
		return -EINVAL;
	if ((mask & FAN_RENAME) && !(g->flags & FAN_REPORT_NAME))
		return -EINVAL;
	return 0;
}

/* Whether sb is mounted somewhere: not a pipe's, socket's or anonymous
   file's (Linux's SB_NOUSER file systems, which no mount or file-system
   mark may cover). */
static bool
sb_mounted(struct super *sb)
{
	for (int i = 0; i < MOUNT_MAX; i++)
		if (mounts[i].root && mounts[i].root->sb == sb)
			return true;
	return false;
}

/*
 * What an added mark's object must be, as Linux's
 * fanotify_events_supported and its ignore rules: a file system to mark
 * whole, a directory for the directory-only bits under the strict rules of
 * FAN_REPORT_TARGET_FID and FAN_MARK_IGNORE, and an ignore mask that does
 * not survive modification only on a file's inode mark.
 */
static int
mark_object_check(struct fan_group *g, unsigned flags, uint32_t mask,
		  struct inode *ino)
{
	unsigned type = flags & FAN_MARK_TYPES;
	bool strict = (g->flags & FAN_REPORT_TARGET_FID) ||
		      (mask & FAN_RENAME) || (flags & FAN_MARK_IGNORE);
	if (type && (!ino->sb || !sb_mounted(ino->sb)))
		return -EINVAL;
	if (strict && !type && !S_ISDIR(ino->mode) &&
	    (mask & (DIRENT_EVENTS | FAN_EVENT_ON_CHILD | FAN_ONDIR)))
		return -ENOTDIR;
	if ((flags & FAN_MARK_IGNORE) &&
	    !(flags & FAN_MARK_IGNORED_SURV_MODIFY) &&
	    (type || S_ISDIR(ino->mode)))
		return type ? -EINVAL : -EISDIR;
	return 0;
}

/* The object fanotify_mark names: dirfd alone, or a path from it. */
static struct inode *
mark_target(int dirfd, uaddr_t upath, unsigned flags)
{
	struct proc *p = current()->proc;
	if (!upath) {
		struct file *f = dirfd == AT_FDCWD ? NULL : fd_hold_path(dirfd);
		if (dirfd != AT_FDCWD && (!f || !f->inode))
			return ERR_PTR(-EBADF);
		struct inode *ino = f ? f->inode : p->fs->cwd;
		inode_get(ino);
		return ino;
	}
	long err = 0;
	char *path = getpath(upath, &err);
	if (!path)
		return ERR_PTR(err);
	struct inode *ino = vfs_lookup(p, dirfd, path,
				       !(flags & FAN_MARK_DONT_FOLLOW));
	kfree(path);
	if (IS_ERR(ino))
		return ino;
	int e = 0;
	if ((flags & FAN_MARK_ONLYDIR) && !S_ISDIR(ino->mode))
		e = -ENOTDIR;
	else
		e = vfs_permission(p, ino, 4);	/* one may watch what one reads */
	if (e < 0) {
		inode_put(ino);
		return ERR_PTR(e);
	}
	return ino;
}

long
sys_fanotify_mark(int fd, unsigned flags, uint64_t mask, int dirfd,
		  uaddr_t upath)
{
	int e = mark_check(flags, mask);
	if (e < 0)
		return e;
	struct file *f = fd_hold(fd);
	if (!f)
		return -EBADF;
	if (!fanotify_is(f))
		return -EINVAL;
	struct fan_group *g = f->priv;
	/* Only CAP_SYS_ADMIN marks a whole mount or file system. */
	if ((flags & FAN_MARK_TYPES) && !capable(CAP_SYS_ADMIN))
		return -EPERM;
	if ((e = mark_group_check(g, flags, (uint32_t)mask)) < 0)
		return e;
	if (flags & FAN_MARK_FLUSH) {
		mark_flush(g, flags & FAN_MARK_TYPES);
		return 0;
	}
	struct inode *ino = mark_target(dirfd, upath, flags);
	if (IS_ERR(ino))
		return PTR_ERR(ino);
	if (!(flags & FAN_MARK_ADD))
		e = mark_remove(g, flags, (uint32_t)mask, ino);
	else if ((e = mark_object_check(g, flags, (uint32_t)mask, ino)) == 0)
		e = mark_add(g, flags, (uint32_t)mask, ino);
	inode_put(ino);
	return e;
}
