/*
 * POSIX message queues (kernel/linux/mqueue.c): the limits that
 * /proc/sys/fs/mqueue shows and root may set, as Linux's ipc_namespace
 * fields of the same names, and the mqueue file system. Big lock.
 */
#ifndef KERNEL_MQUEUE_H
#define KERNEL_MQUEUE_H

extern unsigned mq_queues_max;		/* queues_max: 256 */
extern unsigned mq_msg_max;		/* msg_max: 10, a user's most */
extern unsigned mq_msgsize_max;		/* msgsize_max: 8192 */
extern unsigned mq_msg_default;		/* msg_default: 10, without attr */
extern unsigned mq_msgsize_default;	/* msgsize_default: 8192 */

struct inode;
/* The mqueue file system's root, shared by its mounts: a new reference,
 * or NULL without memory. */
struct inode *mqueue_fs_root(void);

#endif
