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
#include <kernel/ipc.h>
#include <petrel/fs.h>

struct kobj;
struct proc;

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
	struct list dirty;		/* srv_node.dirty_link: nodes with dirty
					   pages, each holding its inode */
	unsigned open_files;		/* files open on it (srv_open's) */
	bool detached;			/* out of the tree (MNT_DETACH) with
					   files open: unmounted at the last
					   one's close (srvfs_file.c) */
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
	unsigned dirty_pages;		/* of them, stored to and not written */
	struct list dirty_link;		/* srvfs.dirty while dirty_pages > 0 */
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
/* A segment of kernel memory for a call. */
static inline struct chan_seg
srv_kseg(const void *p, size_t len, uint32_t flags)
{
	return (struct chan_seg){ .addr = (uint64_t)(uintptr_t)p, .len = len,
				  .flags = flags, .kernel = true };
}

/* Takes a reply's attributes into ino (and the node's freshness). */
void srv_attr_apply(struct inode *ino, const struct pt_fs_attr *a);

extern const struct file_ops srv_file_fops, srv_dir_fops;

/*
 * The pages kept for mappings (kernel/fs/srvfs_pages.c). map_prepare
 * (mmap, exec) reads the pages of [off, off + len) from the server; it
 * sleeps. The others do not, except the write-backs.
 */
int srv_map_prepare(struct inode *ino, uint64_t off, uint64_t len);
paddr_t srv_getpage(struct inode *ino, uint64_t off, bool fill);
/* The pages of ino's data the kernel keeps among page indexes
 * first..last (cachestat). */
uint64_t srv_pages_in(struct inode *ino, uint64_t first, uint64_t last);
/* A store through a shared mapping is about to make the page at off
 * dirty; 0, or -EIO if the page is not kept. */
int srv_page_mkwrite(struct inode *ino, uint64_t off);
/*
 * Writes the dirty pages of [off, off + len) to the server (up to the end
 * of the file), write-protecting them in every mapping first; with
 * durable, then asks for them to be made durable. Sleeps; the caller
 * holds a reference to ino. Returns 0 or the first error (the pages are
 * clean either way, as Linux's after a failed write-back).
 */
int srv_writeback(struct inode *ino, uint64_t off, uint64_t len, bool durable);
/* Writes back every dirty page of fs (sync, unmount). Sleeps. */
int srv_pages_sync_all(struct srvfs *fs);
/* After a WRITE of len bytes at off from segs: the kept pages of the
 * range take the same bytes (the caller's memory is read again). */
void srv_pages_written(struct srv_node *n, uint64_t off,
		       const struct chan_seg *segs, unsigned nseg, uint64_t len);
/* Before a truncate from old to new bytes: mappings lose the pages past
 * the new end, which are dropped; the last page's tail reads zero. */
void srv_pages_resize(struct srv_node *n, uint64_t old_size, uint64_t new_size);
/* After the file grew from old to new bytes: the shared mappings of the
 * new part get kept pages of zeros (a write then fills its own). */
void srv_pages_grown(struct srv_node *n, uint64_t old_size, uint64_t new_size);
/* Frees a node's pages (its inode is going). */
void srv_pages_free(struct srv_node *n);

/*
 * mount(2) of a disk file system of type on where (a directory) from the
 * block device at the path source (kernel/fs/diskmount.c): the mounter
 * starts a server and mounts its tree. 0 or -errno: ENODEV (a type no
 * server mounts, or no mounter), ENOTBLK, EINVAL (no file system on it).
 * Sleeps until the server has answered the mount's HELLO.
 */
long diskmount(struct proc *p, const char *source, struct inode *where,
	       const char *type, unsigned long flags);
/*
 * mount -o remount of a server's tree (root): read-only after the
 * server wrote everything back, or read-write again unless the server
 * itself refuses changes (-EACCES). -ENODEV if root is not one.
 */
int srvfs_remount(struct inode *root, bool read_only);
/* Whether diskmount can mount type now (for /proc/filesystems). */
bool diskmount_available(const char *type);

#endif
