/*
 * open(O_TMPFILE): a regular file with no name, made in the file system
 * of the directory given, gone at its last close unless linkat names it
 * first (through /proc/self/fd or AT_EMPTY_PATH; never with O_EXCL).
 * Only tmpfs makes them; other file systems answer EOPNOTSUPP, as a
 * Linux file system without ->tmpfile.
 */
#include <kernel/vfs.h>
#include <kernel/tmpfs.h>
#include <kernel/proc.h>
#include <kernel/errno.h>

#define MAY_WRITE_EXEC 3

struct file *
vfs_open_tmpfile(struct proc *p, int dirfd, const char *path, unsigned flags,
		 unsigned mode)
{
	/* Linux's build_open_flags: O_DIRECTORY with it, no O_CREAT, and
	   opened for writing. */
	if ((flags & (O_TMPFILE | O_CREAT)) != O_TMPFILE ||
	    (flags & O_ACCMODE) == O_RDONLY || (flags & O_PATH))
		return ERR_PTR(-EINVAL);
	struct inode *dir = vfs_lookup(p, dirfd, path, true);
	if (IS_ERR(dir))
		return (struct file *)dir;
	struct inode *ino = ERR_PTR(-ENOTDIR);
	if (S_ISDIR(dir->mode)) {
		int e = vfs_permission(p, dir, MAY_WRITE_EXEC);
		if (e == 0 && dir->sb && dir->sb->read_only)
			e = -EROFS;
		ino = e < 0 ? ERR_PTR(e) :
		      tmpfs_tmpfile(dir, vfs_strip_sgid(p, dir, mode) &
					 07777 & ~p->fs->umask,
				    !(flags & O_EXCL));
	}
	if (!IS_ERR(ino))
		vfs_init_owner(p, dir, ino);
	inode_put(dir);
	if (IS_ERR(ino))
		return (struct file *)ino;
	struct file *f = vfs_open_inode(ino, flags & ~(O_TMPFILE | O_EXCL));
	inode_put(ino);
	return f;
}
