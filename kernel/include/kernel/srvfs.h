/*
 * File systems served by a user-space server (fsd) through the file
 * protocol of <petrel/fs.h>: kernel/fs/srvfs.c (inodes, names, mounts)
 * and kernel/fs/srvfs_file.c (open files, data, mmap's pages). Big lock
 * held throughout; every call to the server may sleep.
 */
#ifndef KERNEL_SRVFS_H
#define KERNEL_SRVFS_H

#include <kernel/types.h>
#include <kernel/list.h>
#include <kernel/vfs.h>
#include <petrel/fs.h>

struct kobj;
struct chan_seg;

/* Directories whose lookups need no call (srvfs.c, dir_cache_*). */
#define SRV_DIR_CACHE 16

/* One mounted file system: a server and the inodes it named. */
struct srvfs {
	struct super sb;
	struct kobj *chan;		/* the server's client end; NULL: gone */
	uint32_t epoch;			/* bumped when a new server takes over */
	bool read_only;
	char source[48], type[16];
	struct inode *root;
	struct list nodes[64];		/* struct srv_node by server inode */
	/* Recently looked-up directories, a reference each, found by
	   (parent, name) without a LOOKUP; round robin from dir_next. */
	struct inode *dir_cache[SRV_DIR_CACHE];
	unsigned dir_next;
};

/* What the kernel keeps of one server inode (inode.priv). */
struct srv_node {
	struct list link;		/* srvfs.nodes chain */
	struct inode *inode;
	struct srvfs *fs;
	uint32_t epoch;			/* the server instance that named it */
	bool stale;			/* attributes may be old: ask before stat */
	char *name;			/* directories: the name in parent */
	struct list pages;		/* struct srv_page: mmap's copies */
};

static inline struct srv_node *
srv_node(struct inode *ino)
{
	return ino->priv;
}

/*
 * One call for node's file system: the message and (if given) the reply
 * and segments. Returns the server's status, or -EIO when the server is
 * gone or node belongs to a server that was replaced.
 */
long srv_call(struct srv_node *n, struct pt_fs_msg *m,
	      struct pt_fs_reply *rep, const struct chan_seg *segs,
	      unsigned nseg);
/* Takes a reply's attributes into ino (and the node's freshness). */
void srv_attr_apply(struct inode *ino, const struct pt_fs_attr *a);

extern const struct file_ops srv_file_fops, srv_dir_fops;
/* mmap and exec: the pages of [off, off + len) read from the server. */
int srv_map_prepare(struct inode *ino, uint64_t off, uint64_t len);
paddr_t srv_getpage(struct inode *ino, uint64_t off, bool fill);
/* After a write or truncate: kept pages of [off, off + len) read again. */
void srv_pages_refresh(struct srv_node *n, uint64_t off, uint64_t len);
/* Frees a node's pages (its inode is going). */
void srv_pages_free(struct srv_node *n);

#endif
