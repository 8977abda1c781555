/*
 * File locks (kernel/fs/locks.c): POSIX record locks and their
 * open-file-description form (fcntl), and flock(2)'s whole-file locks,
 * kept on the inode. Every function expects the big lock held.
 */
#ifndef KERNEL_LOCKS_H
#define KERNEL_LOCKS_H

#include <kernel/types.h>

struct file;
struct files;
struct inode;

/* fcntl commands (Linux x86_64 values; the *64 forms are the same). */
#define F_GETLK 5
#define F_SETLK 6
#define F_SETLKW 7
#define F_OFD_GETLK 36
#define F_OFD_SETLK 37
#define F_OFD_SETLKW 38

/* Lock types (l_type), also flock's after translation. */
#define F_RDLCK 0
#define F_WRLCK 1
#define F_UNLCK 2

/*
 * F_GETLK and F_OFD_GETLK: fills the caller's struct flock at arg with the
 * first lock that would block it, or sets l_type to F_UNLCK. Returns 0 or
 * -errno. Does not sleep.
 */
long locks_getlk(struct file *f, int cmd, uint64_t arg);
/*
 * F_SETLK, F_SETLKW and the F_OFD_ forms on f, which the caller reached
 * through fd. The W forms sleep until the range is free (-ERESTARTSYS on
 * a signal, -EDEADLK for a POSIX lock that would wait for ever). Returns
 * 0 or -errno.
 */
long locks_setlk(int fd, struct file *f, int cmd, uint64_t arg);
/*
 * flock(2) with type F_RDLCK, F_WRLCK or F_UNLCK; sleeps for the lock
 * unless nonblock (-EAGAIN then), -ERESTARTSYS on a signal.
 */
long locks_flock(struct file *f, int type, bool nonblock);
/*
 * An fd of f in the table `owner` is being closed: the POSIX locks the
 * table holds on f's file go, as on Linux whichever fd set them.
 */
void locks_remove_posix(struct file *f, struct files *owner);
/* f's last reference went: its OFD and flock locks go. */
void locks_remove_file(struct file *f);
/* ino is being freed: its (by then empty) lock lists go. */
void locks_inode_free(struct inode *ino);

/* Leases (kernel/fs/lease.c). */
extern unsigned lease_break_time;	/* /proc/sys/fs/lease-break-time, s */
extern unsigned leases_enable;		/* /proc/sys/fs/leases-enable */
/*
 * F_SETLEASE of type on f, reached through fd (the break signal's si_fd):
 * 0, -EAGAIN (an open or another lease in the way; F_UNLCK without a
 * lease), -EACCES (not the owner, and not root), -EINVAL. f's owner
 * becomes the caller's process. Does not sleep.
 */
long lease_set(struct file *f, int fd, int type);
/* F_GETLEASE: f's lease type, what a pending break asks for, or F_UNLCK. */
long lease_get(struct file *f);
/*
 * An open of ino with flags (O_ACCMODE, O_NONBLOCK), or a truncate
 * (O_WRONLY), after it took its read or write count: breaks the leases
 * it conflicts with and sleeps until they give way. 0, -EWOULDBLOCK
 * (O_NONBLOCK) or -ERESTARTSYS for a signal.
 */
int lease_break(struct inode *ino, unsigned flags);
/* f's last reference went: its lease goes. */
void lease_remove_file(struct file *f);

/*
 * /proc/locks: one line of Linux's lock_get_status for each record,
 * flock and lease lock, numbered from 1, given to emit. Leases follow
 * the others (lease_list, numbered on from after).
 */
void locks_list(void (*emit)(void *arg, const char *line), void *arg);
void lease_list(void (*emit)(void *arg, const char *line), void *arg,
		int after);
/* One such line: kind is "POSIX  ADVISORY  " and the like; end INT64_MAX
 * is "EOF". */
void locks_line(char *line, size_t size, int id, const char *kind, int type,
		int pid, const struct inode *ino, int64_t start, int64_t end);

#endif
