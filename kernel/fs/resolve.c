/*
 * openat2's RESOLVE_* rules. A walk of its own, beside the ordinary one
 * (kernel/fs/vfs.c), checks the path: no symlinks, no magic links (the
 * /proc links), no mount crossed, nothing outside the starting directory
 * (RESOLVE_BENEATH), or that directory taken as the root (RESOLVE_IN_ROOT).
 * A scoped walk also writes the path it took, symlinks resolved and ".."
 * applied, below the starting directory, and that path is what is opened;
 * otherwise the path as given is. Big lock held; may sleep (a server's
 * directories), so a rename in between is not seen: Linux checks as it
 * opens.
 */
#include <kernel/vfs.h>
#include <kernel/proc.h>
#include <kernel/kmalloc.h>
#include <kernel/errno.h>
#include <kernel/string.h>
#include "vfs_int.h"

struct resolve {
	struct proc *p;
	uint64_t how;			/* RESOLVE_* */
	struct inode *top;		/* the starting directory */
	struct inode *dir;		/* where the walk stands (a reference) */
	struct super *sb;		/* RESOLVE_NO_XDEV: the one allowed */
	char *out;			/* a scoped walk's path below top */
	size_t out_len;
	int depth;			/* symlinks followed */
};

#define SCOPED (RESOLVE_BENEATH | RESOLVE_IN_ROOT)

static long resolve_walk(struct resolve *r, const char *path, bool follow);

/* Writes "/name" at the end of a scoped walk's path. */
static long
resolve_name(struct resolve *r, const char *name, size_t len)
{
	if (!(r->how & SCOPED))
		return 0;
	if (r->out_len + len + 2 > PATH_MAX_K)
		return -ENAMETOOLONG;
	if (r->out_len)
		r->out[r->out_len++] = '/';
	memcpy(r->out + r->out_len, name, len);
	r->out_len += len;
	r->out[r->out_len] = 0;
	return 0;
}

/* Moves the walk to next (taking its reference), named name if any. */
static long
resolve_enter(struct resolve *r, struct inode *next, const char *name,
	      size_t len)
{
	if ((r->how & RESOLVE_NO_XDEV) && next->sb != r->sb) {
		inode_put(next);
		return -EXDEV;
	}
	inode_put(r->dir);
	r->dir = next;
	return name ? resolve_name(r, name, len) : 0;
}

/* "..": refused at a BENEATH walk's top, kept there by IN_ROOT. */
static long
resolve_up(struct resolve *r)
{
	if ((r->how & SCOPED) && r->dir == r->top)
		return r->how & RESOLVE_BENEATH ? -EXDEV : 0;
	struct inode *up = step(r->p, r->dir, "..", 2);
	if (IS_ERR(up))
		return PTR_ERR(up);
	long e = resolve_enter(r, up, NULL, 0);
	while (e == 0 && r->out_len && r->out[--r->out_len] != '/')
		;
	if (r->out)
		r->out[r->out_len] = 0;
	return e;
}

/* A symlink met on the way: its target walked from where it stands. */
static long
resolve_link(struct resolve *r, struct inode *link)
{
	bool magic = procfs_magic_link(link);
	if ((r->how & RESOLVE_NO_SYMLINKS) ||
	    ((r->how & RESOLVE_NO_MAGICLINKS) && magic))
		return -ELOOP;
	if (++r->depth > SYMLINK_DEPTH_MAX)
		return -ELOOP;
	if (magic && (r->how & SCOPED))
		return -EXDEV;	/* a magic link leaves any scope */
	if (link->iops->get_link) {
		struct inode *t = link->iops->get_link(link);
		return IS_ERR(t) ? PTR_ERR(t) : resolve_enter(r, t, NULL, 0);
	}
	char *target = kmalloc(PATH_MAX_K);
	if (!target)
		return -ENOMEM;
	long n = link->iops->readlink(link, target, PATH_MAX_K - 1);
	if (n >= 0) {
		target[n] = 0;
		n = n ? resolve_walk(r, target, true) : -ENOENT;
	}
	kfree(target);
	return n;
}

/* One component: . and .., else a name looked up, a link followed. */
static long
resolve_step(struct resolve *r, const char *name, size_t len, bool final,
	     bool follow, bool slash)
{
	if (len == 1 && name[0] == '.')
		return 0;
	if (len == 2 && name[0] == '.' && name[1] == '.')
		return resolve_up(r);
	struct inode *next = step(r->p, r->dir, name, len);
	if (IS_ERR(next)) {
		/* O_CREAT's new name: the open makes it. */
		if (PTR_ERR(next) == -ENOENT && final && !slash)
			return resolve_name(r, name, len);
		return PTR_ERR(next);
	}
	if (S_ISLNK(next->mode) && (!final || follow || slash)) {
		long e = resolve_link(r, next);
		inode_put(next);
		return e;
	}
	return resolve_enter(r, next, name, len);
}

static long
resolve_walk(struct resolve *r, const char *path, bool follow)
{
	if (path[0] == '/') {
		if (r->how & RESOLVE_BENEATH)
			return -EXDEV;
		struct inode *root = r->how & RESOLVE_IN_ROOT ? r->top :
				     r->p->fs->root;
		inode_get(root);
		long e = resolve_enter(r, root, NULL, 0);
		r->out_len = 0;
		if (r->out)
			r->out[0] = 0;
		if (e)
			return e;
	}
	for (const char *s = path; *s;) {
		while (*s == '/')
			s++;
		const char *e = s;
		while (*e && *e != '/')
			e++;
		if (e == s)
			break;
		if (e - s > 255)
			return -ENAMETOOLONG;
		const char *rest = e;
		while (*rest == '/')
			rest++;
		long err = resolve_step(r, s, (size_t)(e - s), !*rest, follow,
					*e == '/');
		if (err)
			return err;
		s = e;
	}
	return 0;
}

struct file *
vfs_open_resolve(struct proc *p, int dirfd, const char *path, unsigned flags,
		 unsigned mode, uint64_t how)
{
	if (!(how & (SCOPED | RESOLVE_NO_XDEV | RESOLVE_NO_SYMLINKS |
		     RESOLVE_NO_MAGICLINKS)))
		return vfs_open(p, dirfd, path, flags, mode);
	if (path[0] == 0)
		return ERR_PTR(-ENOENT);
	/* An unscoped absolute path starts at the root, whatever dirfd is. */
	struct inode *top = start_dir(p, dirfd, how & SCOPED ? "" : path);
	if (IS_ERR(top))
		return (struct file *)top;
	struct resolve r = { p, how, top, top, top->sb, NULL, 0, 0 };
	inode_get(top);
	if ((how & SCOPED) && !(r.out = kzalloc(PATH_MAX_K))) {
		inode_put(top);
		inode_put(top);
		return ERR_PTR(-ENOMEM);
	}
	bool follow = !(flags & O_NOFOLLOW) &&
		      (flags & (O_CREAT | O_EXCL)) != (O_CREAT | O_EXCL);
	long e = resolve_walk(&r, path, follow);
	inode_put(r.dir);
	inode_put(top);
	struct file *f = e ? ERR_PTR(e) :
		!(how & SCOPED) ? vfs_open(p, dirfd, path, flags, mode) :
		vfs_open(p, dirfd, r.out_len ? r.out : ".", flags, mode);
	kfree(r.out);
	return f;
}
