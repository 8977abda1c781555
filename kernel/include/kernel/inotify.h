/*
 * inotify (kernel/linux/sys_inotify.c): watches on inodes and the events
 * the VFS reports to them. The file systems know nothing of it: the
 * system calls that change or use a file call these hooks, which cost one
 * test while no watch exists anywhere. Big lock held by every caller.
 */
#ifndef KERNEL_INOTIFY_H
#define KERNEL_INOTIFY_H

#include <kernel/types.h>
#include <kernel/fanotify.h>

struct inode;
struct file;

/* Event bits (Linux's values). */
#define IN_ACCESS 0x00000001
#define IN_MODIFY 0x00000002
#define IN_ATTRIB 0x00000004
#define IN_CLOSE_WRITE 0x00000008
#define IN_CLOSE_NOWRITE 0x00000010
#define IN_OPEN 0x00000020
#define IN_MOVED_FROM 0x00000040
#define IN_MOVED_TO 0x00000080
#define IN_CREATE 0x00000100
#define IN_DELETE 0x00000200
#define IN_DELETE_SELF 0x00000400
#define IN_MOVE_SELF 0x00000800
#define IN_ALL_EVENTS 0x00000fff
#define IN_UNMOUNT 0x00002000
#define IN_Q_OVERFLOW 0x00004000
#define IN_IGNORED 0x00008000
#define IN_ONLYDIR 0x01000000
#define IN_DONT_FOLLOW 0x02000000
#define IN_EXCL_UNLINK 0x04000000
#define IN_MASK_CREATE 0x10000000
#define IN_MASK_ADD 0x20000000
#define IN_ISDIR 0x40000000
#define IN_ONESHOT 0x80000000

/* The limits /proc/sys/fs/inotify shows (root may set them): events
   queued per instance, instances and watches per user. */
extern unsigned inotify_max_queued_events;
extern unsigned inotify_max_user_instances;
extern unsigned inotify_max_user_watches;

/* How many watches exist in the whole system: the hooks' quick test. */
extern unsigned inotify_watches;

/* Whether any watch or fanotify mark exists: the hooks tell both. */
static inline bool
inotify_active(void)
{
	return inotify_watches > 0 || fanotify_marks > 0;
}

/*
 * Something happened to ino itself (IN_ATTRIB, IN_MODIFY...): its own
 * watches hear it without a name, then a watched directory that holds it
 * hears it with its name. Does not sleep.
 */
void inotify_inode_event(struct inode *ino, uint32_t mask);
/*
 * The same for an event through an open file (read, write, open, close,
 * fchmod): the directory it was found in keeps hearing of it after an
 * unlink, unless its watch has IN_EXCL_UNLINK.
 */
void inotify_file_event(struct file *f, uint32_t mask);
/* An event only ino's own watches hear, never with IN_ISDIR (IN_MOVE_SELF). */
void inotify_self_event(struct inode *ino, uint32_t mask);
/* A name in dir changed (IN_CREATE, IN_DELETE, IN_MOVED_*): dir hears it. */
void inotify_dir_event(struct inode *dir, uint32_t mask, const char *name,
		       size_t len, uint32_t cookie);
/*
 * ino lost a name (unlink, rmdir, renamed over): IN_ATTRIB for a file
 * that keeps other links, and with none left, IN_DELETE_SELF and the end
 * of its watches (IN_IGNORED).
 */
void inotify_unlinked(struct inode *ino);
/* A fresh cookie tying an IN_MOVED_FROM to its IN_MOVED_TO (never 0). */
uint32_t inotify_cookie(void);
/*
 * The file system sb leaves the tree (umount): every watch on it hears
 * IN_UNMOUNT, then IN_IGNORED, and ends; fanotify's marks on it end too.
 */
struct super;
void inotify_unmount(struct super *sb);
/* f's last reference is going: IN_CLOSE_WRITE or IN_CLOSE_NOWRITE. */
void inotify_file_closed(struct file *f);
/* An instance's watches as /proc/PID/fdinfo shows them (procfs_pid.c). */
struct gen;
void inotify_fdinfo(struct file *f, struct gen *g);
/* Whether f is an inotify instance. */
bool inotify_is(struct file *f);

#endif
