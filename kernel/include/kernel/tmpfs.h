/*
 * tmpfs (kernel/fs/tmpfs.c): the in-memory file system of / and /dev.
 */
#ifndef KERNEL_TMPFS_H
#define KERNEL_TMPFS_H

#include <kernel/types.h>

struct inode;
struct file_ops;

/* A new, empty tmpfs; returns its root directory (one reference) or NULL. */
struct inode *tmpfs_new_root(const char *type);
int tmpfs_mknod(struct inode *dir, const char *name, unsigned mode,
		uint32_t rdev, const struct file_ops *fops, struct inode **out);
long tmpfs_read_inode(struct inode *ino, void *buf, size_t len, uint64_t off);
long tmpfs_write_inode(struct inode *ino, const void *buf, size_t len, uint64_t off);
struct inode *tmpfs_anon_file(size_t len);
/* Applies mount options (size=, mode=, uid=, gid=, nr_inodes=) to the
 * tmpfs rooted at root; 0 or -EINVAL, -ENODEV if it is no tmpfs. */
int tmpfs_configure(struct inode *root, const char *options);
/* A new /sys (kernel/fs/sysfs.c, a tmpfs filled once); root or NULL. */
struct inode *sysfs_new(void);

#endif
