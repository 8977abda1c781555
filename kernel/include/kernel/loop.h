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
	/* loop/, there while the device is bound (sysfs_loop_bound): */
	LOOP_ATTR_BACKING_FILE,	/* the backing file's path */
	LOOP_ATTR_OFFSET,	/* bytes into it */
	LOOP_ATTR_SIZELIMIT,	/* bytes, 0 none */
	LOOP_ATTR_AUTOCLEAR,	/* LO_FLAGS_AUTOCLEAR: 1 or 0 */
	LOOP_ATTR_PARTSCAN,	/* LO_FLAGS_PARTSCAN */
	LOOP_ATTR_DIO,		/* LO_FLAGS_DIRECT_IO */
};
extern const struct file_ops loop_attr_fops;
/* Whether loop device minor has a backing file (sysfs_new's loop/). */
bool loop_bound(unsigned minor);
/*
 * sysfs.c: makes /sys/block/loopN/loop/ and its files in every mounted
 * sysfs when device minor is bound, removes them when it is cleared, as
 * Linux's loop driver adds and removes its attribute group. Big lock.
 */
void sysfs_loop_bound(unsigned minor, bool bound);

/*
 * For mount(2): whether ino is a loop device bound to a file (0), or why
 * it cannot hold a file system: -ENOTBLK (not a block device), -ENXIO
 * (a loop device with no file). Big lock held; does not sleep.
 */
int loop_check_source(struct inode *ino);
/* Whether the loop device ino (checked by loop_check_source) is read-only. */
bool loop_read_only(struct inode *ino);

#endif
