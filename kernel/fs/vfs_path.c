/*
 * Path names from inodes and open files: the absolute path of a directory
 * (getcwd), of a file with its links resolved (/proc/PID/exe), and the
 * name an open file was opened by (/proc/PID/fd links); the directory a
 * name leads to through its final symlinks (Landlock's). The walk itself
 * is kernel/fs/vfs.c's.
 */
#include <kernel/vfs.h>
#include <kernel/proc.h>
#include <kernel/kmalloc.h>
#include <kernel/errno.h>
#include <kernel/string.h>
#include <kernel/mount.h>
#include "vfs_int.h"

/* Builds "/a/b" for dir by walking ".." links up to the process root. */
long
vfs_path_of(struct proc *p, struct inode *dir, char *buf, size_t size)
{
	char *tmp = kmalloc(PATH_MAX_K);
	if (!tmp)
		return -ENOMEM;
	size_t pos = PATH_MAX_K - 1;
	tmp[pos] = 0;
	struct inode *cur = dir;
	while (cur != p->fs->root) {
		struct inode *c = cur;
		while (c->covered)
			c = c->covered;
		struct inode *parent = c->parent;
		if (!parent || parent == c)
			break;
		const char *name = dir_name_of(parent, c);
		if (!name) {
			kfree(tmp);
			return -ENOENT;
		}
		size_t n = strlen(name);
		if (n + 1 > pos) {
			kfree(tmp);
			return -ENAMETOOLONG;
		}
		pos -= n;
		memcpy(tmp + pos, name, n);
		tmp[--pos] = '/';
		cur = parent;
	}
	if (pos == PATH_MAX_K - 1)
		tmp[--pos] = '/';
	size_t len = PATH_MAX_K - 1 - pos;
	long r = -ERANGE;
	if (len + 1 <= size) {
		memcpy(buf, tmp + pos, len + 1);
		r = (long)len + 1;
	}
	kfree(tmp);
	return r;
}

bool
vfs_under_root(struct proc *p, struct inode *dir)
{
	struct inode *cur = dir;
	for (;;) {
		struct inode *c = cur;
		while (c != p->fs->root && c->covered)
			c = c->covered;
		if (c == p->fs->root)
			return true;
		if (!c->parent || c->parent == c)
			return false;
		cur = c->parent;
	}
}

/* Appends "/name" (len bytes) to the path of length n in buf ("/" alone
 * takes no second slash); returns the new length + 1 or -ENAMETOOLONG. */
static long
path_append(char *buf, size_t n, size_t size, const char *name, size_t len)
{
	if (n > 1)
		buf[n++] = '/';
	if (n + len + 1 > size)
		return -ENAMETOOLONG;
	memcpy(buf + n, name, len);
	buf[n + len] = 0;
	return (long)(n + len + 1);
}

/*
 * One step of vfs_realpath: the path of cur's final component into buf,
 * or, for a symlink, its target made absolute into cur (returns 0 then).
 */
static long
realpath_step(struct proc *p, struct inode *base, bool magic, char *cur,
	      char *buf, size_t size)
{
	const char *last;
	size_t len;
	int depth = 0;
	struct inode *dir = base && cur[0] != '/' ? base :
			    start_dir(p, AT_FDCWD, cur);
	if (IS_ERR(dir))
		return PTR_ERR(dir);
	if (dir == base)
		inode_get(dir);
	dir = walk(p, dir, cur, true, &depth, &last, &len);
	if (IS_ERR(dir))
		return PTR_ERR(dir);
	struct inode *child = step(p, dir, last, len);
	long r = IS_ERR(child) ? PTR_ERR(child) : 0;
	if (r == 0 && S_ISDIR(child->mode)) {
		r = vfs_path_of(p, child, buf, size);
	} else if (r == 0 && S_ISLNK(child->mode) && child->iops->get_link &&
		   !magic) {
		r = -ENOENT;	/* no file's name leads through another's */
	} else if (r == 0 && S_ISLNK(child->mode)) {
		char *target = kmalloc(PATH_MAX_K);
		long n = target ? child->iops->readlink(child, target,
							 PATH_MAX_K - 1) : -ENOMEM;
		if (n >= 0 && target[0] != '/' && n > 0) {
			target[n] = 0;
			r = vfs_path_of(p, dir, cur, PATH_MAX_K);
			if (r > 0)
				r = path_append(cur, (size_t)r - 1, PATH_MAX_K,
						target, (size_t)n);
			r = r < 0 ? r : 0;
		} else if (n > 0) {
			memcpy(cur, target, (size_t)n);
			cur[n] = 0;
		} else {
			r = n < 0 ? n : -ENOENT;
		}
		kfree(target);
	} else if (r == 0) {
		char name[256];
		memcpy(name, last, len);	/* last points into cur */
		r = vfs_path_of(p, dir, buf, size);
		if (r > 0)
			r = path_append(buf, (size_t)r - 1, size, name, len);
	}
	if (!IS_ERR(child))
		inode_put(child);
	inode_put(dir);
	return r;
}

/*
 * vfs_realpath from base (NULL: the cwd) for a relative path. Without
 * magic, a /proc/PID/fd link met on the way is -ENOENT: the text of one
 * names another file by its own name, which must not recurse.
 */
static long
realpath_from(struct proc *p, struct inode *base, bool magic,
	      const char *path, char *buf, size_t size)
{
	size_t n = strlen(path);
	if (n == 0)
		return -ENOENT;
	if (n >= PATH_MAX_K)
		return -ENAMETOOLONG;
	char *cur = kmalloc(PATH_MAX_K);
	if (!cur)
		return -ENOMEM;
	memcpy(cur, path, n + 1);
	long r = 0;
	for (int links = 0; r == 0; links++)
		r = links > SYMLINK_DEPTH_MAX ? -ELOOP :
		    realpath_step(p, base, magic, cur, buf, size);
	kfree(cur);
	return r;
}

long
vfs_realpath(struct proc *p, const char *path, char *buf, size_t size)
{
	return realpath_from(p, NULL, true, path, buf, size);
}

long
vfs_file_path(struct proc *p, struct file *f, char *buf, size_t size)
{
	if (!f->path)
		return -ENOENT;
	return realpath_from(p, f->path_base, false, f->path, buf, size);
}

/*
 * True if path may pass through a /proc/PID/fd link (under /proc, or
 * /dev's fd, stdin, stdout and stderr links to it). Such a name is
 * resolved when opened, since a later walk would meet another file's
 * name, or a closed fd.
 */
static bool
may_be_magic(const char *path)
{
	return strncmp(path, "/proc/", 6) == 0 ||
	       strncmp(path, "/dev/", 5) == 0;
}

void
vfs_file_set_path(struct proc *p, struct file *f, int dirfd, const char *path)
{
	struct inode *base = NULL;
	if (!f->inode || S_ISDIR(f->inode->mode) || f->path)
		return;	/* a directory's name is found from its inode;
			   vfs_open may have named f already */
	if (path[0] != '/') {
		base = start_dir(p, dirfd, path);
		if (IS_ERR(base))
			return;
	}
	char *name = NULL;
	if (may_be_magic(path)) {
		name = kmalloc(PATH_MAX_K);
		if (name && vfs_realpath(p, path, name, PATH_MAX_K) < 0) {
			kfree(name);
			name = NULL;
		}
	} else {
		size_t n = strlen(path);
		name = kmalloc(n + 1);
		if (name)
			memcpy(name, path, n + 1);
	}
	if (!name && base)
		inode_put(base);
	f->path = name;
	f->path_base = name ? base : NULL;
}

/* One more final symlink: the directory its target lies in, with *last
 * its name inside *target. Consumes dir and link. */
static struct inode *
final_link_dir(struct proc *p, struct inode *dir, struct inode *link,
	       int *depth, char *target, const char **last, size_t *len)
{
	long n = -ELOOP;
	if (++*depth <= SYMLINK_DEPTH_MAX && !mount_nosymfollow(link))
		n = link->iops->get_link ? -ENOENT :
		    link->iops->readlink(link, target, PATH_MAX_K - 1);
	inode_put(link);
	if (n < 0) {
		inode_put(dir);
		return ERR_PTR(n);
	}
	target[n] = 0;
	struct inode *base = target[0] == '/' ? p->fs->root : dir;
	inode_get(base);
	inode_put(dir);
	return walk(p, base, target, true, depth, last, len);
}

struct inode *
vfs_lookup_final_dir(struct proc *p, int dirfd, const char *path)
{
	int depth = 0;
	const char *last;
	size_t len;
	char *target = kmalloc(PATH_MAX_K);
	struct inode *dir = target ? vfs_lookup_parent(p, dirfd, path, &last, &len) :
				     ERR_PTR(-ENOMEM);
	while (!IS_ERR(dir)) {
		struct inode *ino = step(p, dir, last, len);
		if (IS_ERR(ino) || !S_ISLNK(ino->mode)) {
			if (!IS_ERR(ino))
				inode_put(ino);
			break;
		}
		dir = final_link_dir(p, dir, ino, &depth, target, &last, &len);
	}
	kfree(target);
	return dir;
}
