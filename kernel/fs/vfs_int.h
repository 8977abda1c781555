/*
 * The path walk's pieces (kernel/fs/vfs.c), shared with the code that
 * turns inodes and open files back into path names (kernel/fs/vfs_path.c).
 * Big lock held; each may sleep where a server's file system is walked.
 */
#ifndef FS_VFS_INT_H
#define FS_VFS_INT_H

#include <kernel/types.h>

struct proc;
struct inode;

#define SYMLINK_DEPTH_MAX 40

/* Where a lookup of path starts: the root, the cwd or dirfd's directory
 * (a new reference), or an error pointer. */
struct inode *start_dir(struct proc *p, int dirfd, const char *path);
/* One component name (len bytes) in dir: a new reference or an error
 * pointer (. and .. included; mounts entered). */
struct inode *step(struct proc *p, struct inode *dir, const char *name,
		   size_t len);
/*
 * Walks path from dir (whose reference it consumes). With last != NULL,
 * stops before the final component and returns its directory.
 */
struct inode *walk(struct proc *p, struct inode *dir, const char *path,
		   bool follow, int *depth, const char **last,
		   size_t *last_len);

#endif
