/*
 * fanotify's insides, shared by sys_fanotify.c (events, hooks and the
 * group's file) and sys_fanotify_mark.c (fanotify_init, fanotify_mark).
 * Big lock held by every user.
 */
#ifndef LINUX_FANOTIFY_INT_H
#define LINUX_FANOTIFY_INT_H

#include <kernel/list.h>
#include <kernel/sched.h>
#include <kernel/fanotify.h>
#include <kernel/vfs.h>

/* fanotify_init's flags. */
#define FAN_CLOEXEC 0x1
#define FAN_NONBLOCK 0x2
#define FAN_CLASS_NOTIF 0x0
#define FAN_CLASS_CONTENT 0x4
#define FAN_CLASS_PRE_CONTENT 0x8
#define FAN_CLASS_BITS 0xc
#define FAN_UNLIMITED_QUEUE 0x10
#define FAN_UNLIMITED_MARKS 0x20
#define FAN_ENABLE_AUDIT 0x40
#define FAN_REPORT_TID 0x100
#define FAN_REPORT_FID 0x200
#define FAN_REPORT_DIR_FID 0x400
#define FAN_REPORT_NAME 0x800
#define FAN_REPORT_TARGET_FID 0x1000
#define FAN_REPORT_FIDS (FAN_REPORT_FID | FAN_REPORT_DIR_FID | \
			 FAN_REPORT_NAME | FAN_REPORT_TARGET_FID)
/* What Petrel takes: of the FID modes, FAN_REPORT_FID alone. */
#define INIT_FLAGS (FAN_CLOEXEC | FAN_NONBLOCK | FAN_CLASS_BITS | \
		    FAN_UNLIMITED_QUEUE | FAN_UNLIMITED_MARKS | \
		    FAN_ENABLE_AUDIT | FAN_REPORT_TID | FAN_REPORT_FID)
/* What a group made without CAP_SYS_ADMIN may not ask for. */
#define ADMIN_INIT_FLAGS (FAN_CLASS_CONTENT | FAN_CLASS_PRE_CONTENT | \
			  FAN_REPORT_TID | FAN_UNLIMITED_QUEUE | \
			  FAN_UNLIMITED_MARKS)
/* What event_f_flags may hold (Linux's FANOTIFY_INIT_ALL_EVENT_F_BITS). */
#define O_DSYNC_K 010000
#define O_SYNC_K 04010000
#define EVENT_F_BITS (O_ACCMODE | O_APPEND | O_NONBLOCK | O_SYNC_K | \
		      O_DSYNC_K | O_CLOEXEC | O_LARGEFILE | O_NOATIME)

/* fanotify_mark's flags. */
#define FAN_MARK_ADD 0x1
#define FAN_MARK_REMOVE 0x2
#define FAN_MARK_DONT_FOLLOW 0x4
#define FAN_MARK_ONLYDIR 0x8
#define FAN_MARK_MOUNT 0x10
#define FAN_MARK_IGNORED_MASK 0x20
#define FAN_MARK_IGNORED_SURV_MODIFY 0x40
#define FAN_MARK_FLUSH 0x80
#define FAN_MARK_FILESYSTEM 0x100
#define FAN_MARK_EVICTABLE 0x200
#define FAN_MARK_IGNORE 0x400
#define FAN_MARK_TYPES (FAN_MARK_MOUNT | FAN_MARK_FILESYSTEM)
#define FAN_MARK_IGNORE_BITS (FAN_MARK_IGNORED_MASK | FAN_MARK_IGNORE)
#define MARK_FLAGS (FAN_MARK_ADD | FAN_MARK_REMOVE | FAN_MARK_DONT_FOLLOW | \
		    FAN_MARK_ONLYDIR | FAN_MARK_TYPES | FAN_MARK_IGNORED_MASK | \
		    FAN_MARK_IGNORED_SURV_MODIFY | FAN_MARK_FLUSH | \
		    FAN_MARK_EVICTABLE | FAN_MARK_IGNORE)

#define FILE_EVENTS (FAN_ACCESS | FAN_MODIFY | FAN_CLOSE_WRITE | \
		     FAN_CLOSE_NOWRITE | FAN_OPEN | FAN_OPEN_EXEC)
#define PERM_EVENTS (FAN_OPEN_PERM | FAN_ACCESS_PERM | FAN_OPEN_EXEC_PERM)
/* Events about names and inodes, reported by FID alone (no file to open). */
#define FAN_ATTRIB 0x00000004
#define FAN_MOVED_FROM 0x00000040
#define FAN_MOVED_TO 0x00000080
#define FAN_CREATE 0x00000100
#define FAN_DELETE 0x00000200
#define FAN_DELETE_SELF 0x00000400
#define FAN_MOVE_SELF 0x00000800
#define FAN_RENAME 0x10000000
#define DIRENT_EVENTS (FAN_MOVED_FROM | FAN_MOVED_TO | FAN_CREATE | \
		       FAN_DELETE | FAN_RENAME)
#define INODE_EVENTS (DIRENT_EVENTS | FAN_ATTRIB | FAN_DELETE_SELF | \
		      FAN_MOVE_SELF)
/* What a directory watching its children hears of them. */
#define ON_CHILD_EVENTS (FILE_EVENTS | PERM_EVENTS | FAN_ATTRIB)
#define MARK_EVENTS (FILE_EVENTS | PERM_EVENTS | INODE_EVENTS | \
		     FAN_EVENT_ON_CHILD | FAN_ONDIR)

/* Responses. */
#define FAN_ALLOW 0x01
#define FAN_DENY 0x02
#define FAN_AUDIT 0x10

#define FAN_NOFD (-1)
#define METADATA_VERSION 3
#define METADATA_LEN 24
#define FIONREAD 0x541b

struct fan_group {
	struct list link;		/* all_groups, by rank */
	struct list marks;		/* fan_mark.group_link */
	struct list queue;		/* fan_event not read yet, oldest first */
	struct list answering;		/* permission events read, unanswered */
	unsigned queued;		/* events in queue */
	unsigned flags;			/* fanotify_init's */
	unsigned event_f_flags;
	unsigned uid;			/* who made it, for the limits */
	uint64_t rank;			/* class first, then age: told in order */
	bool overflowed;		/* an FAN_Q_OVERFLOW is queued */
	/* Made without CAP_SYS_ADMIN: tells a reader no other process's pid. */
	bool unprivileged;
	struct waitq wq;		/* readers */
	struct file *file;
};

struct fan_mark {
	struct fan_group *group;
	unsigned type;			/* 0 (inode), FAN_MARK_MOUNT, _FILESYSTEM */
	struct inode *inode;		/* a reference: the inode, or one of
					   the mount or file system */
	uint32_t mask, ignored;
	int32_t fsid[2];		/* its file system's, as statfs says */
	bool surv_modify;		/* the ignore mask outlives FAN_MODIFY */
	/* Set by FAN_MARK_IGNORE: FAN_ONDIR in the ignore mask says whether
	   it holds for directories (FAN_MARK_IGNORED_MASK's always does). */
	bool ignore_flags;
	struct list group_link;		/* fan_group.marks */
	struct list all_link;		/* all_marks */
};

/*
 * One event. A permission event belongs to the thread waiting for its
 * answer, which frees it; the group only lists it (group NULL once it
 * is off the group's lists).
 */
struct fan_event {
	struct list link;		/* fan_group.queue or .answering */
	struct fan_group *group;
	uint32_t mask;
	int pid;
	int32_t fsid[2];		/* FAN_REPORT_FID: the file system's */
	struct inode *inode;		/* a reference; NULL for an overflow */
	char *path;			/* the name it was opened by, or NULL */
	struct inode *path_base;	/* a reference, with a relative path */
	bool perm;
	bool read;			/* on .answering, with fd */
	int fd;				/* the listener's, once read */
	uint32_t response;		/* 0 until answered */
};

/* Every mark and every group (by rank); fan_fops is a group's file. */
extern struct list fan_all_marks, fan_all_groups;
extern const struct file_ops fan_fops;

static inline bool
fan_reports_fid(const struct fan_group *g)
{
	return g->flags & FAN_REPORT_FIDS;
}

/* Ends a mark: off its group's list and the global one, its inode put. */
void fan_mark_free(struct fan_mark *m);

#endif
