/*
 * fanotify (kernel/linux/sys_fanotify.c): groups of marks on inodes, mounts
 * and file systems, told of what happens to files through the same hooks
 * as inotify (kernel/include/kernel/inotify.h calls them), plus the
 * permission hooks that make an opener or reader wait for a listener's
 * answer. Big lock held by every caller.
 */
#ifndef KERNEL_FANOTIFY_H
#define KERNEL_FANOTIFY_H

#include <kernel/types.h>

struct inode;
struct file;
struct gen;

/* Event bits (Linux's values; the first twelve are inotify's). */
#define FAN_ACCESS 0x00000001
#define FAN_MODIFY 0x00000002
#define FAN_CLOSE_WRITE 0x00000008
#define FAN_CLOSE_NOWRITE 0x00000010
#define FAN_OPEN 0x00000020
#define FAN_OPEN_EXEC 0x00001000
#define FAN_Q_OVERFLOW 0x00004000
#define FAN_OPEN_PERM 0x00010000
#define FAN_ACCESS_PERM 0x00020000
#define FAN_OPEN_EXEC_PERM 0x00040000
#define FAN_EVENT_ON_CHILD 0x08000000
#define FAN_ONDIR 0x40000000

/* The limits /proc/sys/fs/fanotify shows (root may set them). */
extern unsigned fanotify_max_queued_events;
extern unsigned fanotify_max_user_groups;
extern unsigned fanotify_max_user_marks;

/* How many marks exist in the whole system: the hooks' quick test. */
extern unsigned fanotify_marks;

/*
 * Something happened to f (FAN_ACCESS, FAN_MODIFY, FAN_OPEN, a close):
 * the groups whose marks want it queue an event. Does not sleep unless a
 * directory must be asked for a name (a server's file system).
 */
void fanotify_file_event(struct file *f, uint32_t mask);
/*
 * The same for an inode changed without a file (truncate, FAN_ATTRIB) or
 * an event about itself (FAN_DELETE_SELF, FAN_MOVE_SELF).
 */
void fanotify_inode_event(struct inode *ino, uint32_t mask);
/*
 * A name in dir changed (FAN_CREATE, FAN_DELETE, FAN_MOVED_FROM/TO); mask
 * holds IN_ISDIR_BIT when the name is a directory's. Groups that report
 * FIDs hear it as an event of dir's.
 */
#define IN_ISDIR_BIT 0x40000000
void fanotify_dir_event(struct inode *dir, uint32_t mask);
/*
 * Permission hooks: f is being opened (FAN_OPEN_PERM) or read
 * (FAN_ACCESS_PERM). Each group that asked is told and the caller sleeps
 * until it answers; returns 0 (allowed) or -EPERM. A SIGKILL ends the
 * wait with -EINTR. May sleep.
 */
int fanotify_open_perm(struct file *f);
int fanotify_access_perm(struct file *f);
/*
 * execve opens ino, found by path (or NULL): FAN_OPEN_EXEC_PERM then
 * FAN_OPEN_PERM, and if both are allowed the notifications FAN_OPEN and
 * FAN_OPEN_EXEC. Returns 0, -EPERM or -EINTR; may sleep.
 */
int fanotify_exec(struct inode *ino, const char *path);
/*
 * File handles (kernel/linux/sys_handle.c), as name_to_handle_at gives
 * them and FID reports carry them: FILE_HANDLE_BYTES bytes naming ino in
 * its file system; returns the handle type.
 */
#define FILE_HANDLE_BYTES 8
int file_handle_encode(struct inode *ino, uint8_t *out);
/* The id of the mount holding ino, as /proc/PID/mountinfo numbers them
   (0 if none). */
int file_mount_id(struct inode *ino);

/* The file system sb leaves the tree: the marks on it end, as Linux's. */
struct super;
void fanotify_unmount(struct super *sb);

/* A group's marks as /proc/PID/fdinfo shows them (procfs_pid.c). */
void fanotify_fdinfo(struct file *f, struct gen *g);
/* Whether f is a fanotify group. */
bool fanotify_is(struct file *f);

#endif
