/*
 * Loop devices (kernel/fs/loop.c): /dev/loop0..LOOP_MAX-1, block devices
 * whose sectors are a file's bytes, and /dev/loop-control, as Linux's
 * loop driver. fsd mounts one (mount(2) of ext2) by reading and writing
 * the node like any program.
 */
#ifndef KERNEL_LOOP_H
#define KERNEL_LOOP_H

#include <kernel/types.h>

struct inode;

#define LOOP_MAJOR 7
#define LOOP_MAX 8

extern const struct file_ops loop_fops, loop_control_fops;
/*
 * /sys/block/loopN's live files (sysfs.c): regular files whose rdev is
 * N | attr << 8, attr one of these. Read-only.
 */
enum loop_attr {
	LOOP_ATTR_STAT,		/* stat: Linux's 17 I/O counts */
	LOOP_ATTR_SIZE,		/* size: 512-byte sectors, 0 unbound */
	LOOP_ATTR_RO,		/* ro: 1 read-only, else 0 */
};
extern const struct file_ops loop_attr_fops;

/*
 * For mount(2): whether ino is a loop device bound to a file (0), or why
 * it cannot hold a file system: -ENOTBLK (not a block device), -ENXIO
 * (a loop device with no file). Big lock held; does not sleep.
 */
int loop_check_source(struct inode *ino);
/* Whether the loop device ino (checked by loop_check_source) is read-only. */
bool loop_read_only(struct inode *ino);

#endif
