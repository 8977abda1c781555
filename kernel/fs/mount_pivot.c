/*
 * pivot_root(2)'s change of the mount tree: the mount at new_root takes
 * the place of the caller's root mount, which goes to put_old, and every
 * process rooted or working at the old root follows (Linux's
 * chroot_fs_refs). The checks are Linux's, in its order. Mounts are
 * linked through their inodes' mounted and covered fields, each link
 * holding a reference. Big lock throughout.
 */
#include <kernel/mount.h>
#include <kernel/vfs.h>
#include <kernel/proc.h>
#include <kernel/kmalloc.h>
#include <kernel/errno.h>
#include <kernel/string.h>
#include <kernel/printk.h>
#include "vfs_int.h"

/* The root of the mount (not a bind's) holding ino, or NULL. */
static struct inode *
mount_root_of(const struct inode *ino)
{
	for (int i = 0; ino && i < MOUNT_MAX; i++)
		if (mounts[i].root && !mount_is_bind(mounts[i].root) &&
		    mounts[i].root->sb == ino->sb)
			return mounts[i].root;
	return NULL;
}

static bool
shared(const struct inode *ino)
{
	const struct inode *root = mount_root_of(ino);
	return root && root->sb && (root->sb->mnt_flags & MS_SHARED);
}

/*
 * Linux's checks but the lookups' (ENOTDIR) and the capability's: 0 or
 * the errno pivot_root gives.
 */
static int
pivot_check(struct inode *root, struct inode *new_root, struct inode *put_old)
{
	if (shared(put_old) || (new_root->covered && shared(new_root->covered)) ||
	    (root->covered && shared(root->covered)))
		return -EINVAL;
	if (S_ISDIR(new_root->mode) && new_root->nlink == 0)
		return -ENOENT;		/* removed */
	if (new_root->sb == root->sb || put_old->sb == root->sb)
		return -EBUSY;		/* on the root's own mount */
	if (!root->covered)
		return -EINVAL;	/* root no mount's root, or the first (rootfs) */
	if (!new_root->covered)
		return -EINVAL;	/* not a mount point */
	if (!mount_under(put_old, new_root))
		return -EINVAL;	/* put_old not under new_root */
	if (!mount_under(new_root, root))
		return -EINVAL;	/* new_root not under the root */
	/* Petrel's namespaces share the mount table's entries: another
	   namespace that sees either mount would see the change too */
	if (mount_ns_seen_elsewhere(root) || mount_ns_seen_elsewhere(new_root))
		return -EBUSY;
	return 0;
}

/* Takes the tree mounted with root off its mount point; the trees
 * stacked on its root (another namespace's) go with it, as on Linux. */
static void
unhook(struct inode *root)
{
	struct inode *where = root->covered;
	where->mounted = NULL;
	root->covered = NULL;
	inode_put(root);	/* where->mounted's reference */
	inode_put(where);	/* root->covered's */
}

/* Mounts the tree with root root on top of the mounts at where. */
static void
hook(struct inode *root, struct inode *where)
{
	while (where->mounted)
		where = where->mounted;
	where->mounted = root;
	inode_get(root);
	root->covered = where;
	inode_get(where);
	root->parent = where->parent;
}

/* The mount table's paths again, from where each tree now is (a tree
 * detached earlier keeps its last one). */
static void
rename_all(void)
{
	char *buf = kmalloc(PATH_MAX_K);
	for (int i = 1; buf && i < MOUNT_MAX; i++) {
		struct inode *root = mounts[i].root;
		if (root && root->covered &&
		    mount_in_tree(root->covered, vfs_root()) &&
		    mount_path_global(root->covered, buf, PATH_MAX_K) > 0)
			snprintk(mounts[i].path, sizeof(mounts[i].path), "%s",
				 buf);
	}
	kfree(buf);
}

/* Every process rooted or working at from goes to to. */
static void
move_fs_refs(struct inode *from, struct inode *to)
{
	list_for_each(it, &all_procs) {
		struct proc *q = list_entry(it, struct proc, all_link);
		if (!q->fs)
			continue;
		if (q->fs->root == from) {
			inode_get(to);
			q->fs->root = to;
			inode_put(from);
		}
		if (q->fs->cwd == from) {
			inode_get(to);
			q->fs->cwd = to;
			inode_put(from);
		}
	}
}

int
mount_pivot(struct proc *p, struct inode *new_root, struct inode *put_old)
{
	struct inode *root = p->fs->root;
	int r = pivot_check(root, new_root, put_old);
	if (r < 0)
		return r;
	inode_get(root);		/* held while its links change */
	struct inode *root_place = root->covered;
	inode_get(root_place);
	unhook(new_root);
	unhook(root);
	hook(root, put_old);
	hook(new_root, root_place);
	inode_put(root_place);
	move_fs_refs(root, new_root);
	inode_put(root);
	rename_all();
	procfs_mounts_changed();
	return 0;
}
