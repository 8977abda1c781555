/*
 * procfs: the text of /proc/PID/fd/N's magic links, as Linux writes it.
 */
#include <kernel/vfs.h>
#include <kernel/errno.h>
#include <kernel/kmalloc.h>
#include <kernel/printk.h>
#include <kernel/string.h>
#include <kernel/tmpfs.h>
#include "procfs_int.h"

/* Linux's name for a file that has no path: a pipe, socket or anon inode. */
static const char *
file_kind_name(struct file *f, char *tmp, size_t size)
{
	struct inode *ino = f->inode;
	if (!ino)
		return "anon_inode:[unknown]";
	if (S_ISFIFO(ino->mode)) {
		snprintk(tmp, size, "pipe:[%lu]", ino->ino);
		return tmp;
	}
	if ((ino->mode & S_IFMT) == S_IFSOCK) {
		snprintk(tmp, size, "socket:[%lu]", ino->ino);
		return tmp;
	}
	if (ino->sb && strcmp(ino->sb->type, "anon_inodefs") == 0) {
		snprintk(tmp, size, "anon_inode:%s",
			 ino->priv ? (const char *)ino->priv : "[unknown]");
		return tmp;
	}
	const char *memfd = tmpfs_memfd_name(ino);
	if (memfd) {
		snprintk(tmp, size, "/memfd:%s (deleted)", memfd);
		return tmp;
	}
	return NULL;
}

/*
 * The text of /proc/PID/fd/N: a directory's path, the name the file was
 * opened by (symlinks resolved), or Linux's name for a pipe, a socket or
 * an anonymous inode.
 */
long
fd_link_text(struct proc *cur, struct file *f, char *buf, size_t size)
{
	char tmp[288];	/* "/memfd:" + a name of 249 + " (deleted)" */
	const char *kind = file_kind_name(f, tmp, sizeof(tmp));
	if (kind && !S_ISFIFO(f->inode->mode))
		return copy_str(buf, size, kind);
	char *k = kmalloc(4096);
	if (!k)
		return -ENOMEM;
	long r = -ENOENT;
	if (S_ISDIR(f->inode->mode))
		r = vfs_path_of(cur, f->inode, k, 4096);
	else if (f->path)
		r = vfs_file_path(cur, f, k, 4096); /* a named FIFO too */
	if (r > 0)
		r = copy_str(buf, size, k);
	else if (kind)
		r = copy_str(buf, size, kind);
	else if (f->ops == f->inode->fops && f->inode->rdev == ((5 << 8) | 1))
		r = copy_str(buf, size, "/dev/console");
	else
		r = copy_str(buf, size, "/inode");	/* its name is gone */
	kfree(k);
	return r;
}
