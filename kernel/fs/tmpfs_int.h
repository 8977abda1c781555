/*
 * tmpfs's parts (kernel/fs/tmpfs*.c): tmpfs.c has the tree and the file
 * data; tmpfs_holes.c punches holes and finds them (fallocate, lseek's
 * SEEK_DATA and SEEK_HOLE). Big lock held.
 */
#ifndef KERNEL_TMPFS_INT_H
#define KERNEL_TMPFS_INT_H

#include <kernel/vfs.h>
#include <kernel/list.h>

/* A tmpfs's super block; its data pages are counted here. */
struct tmpfs_super {
	struct super sb;
	uint64_t pages_max;	/* the size in pages; 0: no limit */
	uint64_t pages_used;	/* data pages of its files */
};

struct tmpfs_dirent {
	struct list link;
	struct inode *inode;
	size_t len;
	char name[];
};

struct tmpfs_node {
	struct list entries;		/* directories */
	paddr_t *pages;			/* regular files: one per page, 0 = hole */
	size_t npages;			/* capacity of pages[] */
	char *target;			/* symlinks */
	unsigned seals;			/* regular files: F_SEAL_* */
	char *memfd_name;		/* a memfd's name, else NULL */
	bool linkable;			/* O_TMPFILE's: nameless, may get one */
};

static inline struct tmpfs_node *
node(struct inode *ino)
{
	return ino->priv;
}

/* The tmpfs node of a regular file, or NULL for anything else. */
struct tmpfs_node *tmpfs_file_node(struct inode *ino);
/* Gives back a data page of a file of sb, uncounting it. */
void tmpfs_page_put(struct super *sb, paddr_t pa);

#endif
