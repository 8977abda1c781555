/*
 * Bind mounts (mount(2)'s MS_BIND, open_tree's clones): a directory or a
 * file shown at a second place. Petrel's walk names files by inode alone,
 * with no (mount, dentry) pair as Linux's, so a bind is a mount-table
 * entry whose root is a small "bind node": a walk that reaches it goes on
 * to the bound inode itself (vfs.c's enter_mounts) and there stops, so
 * the mounts on that inode are not entered again (a bind of a directory
 * onto itself, what LTP does to make a mount point). The calls that name
 * a mount by its path reach the node itself through mount_lookup. Big
 * lock throughout.
 */
#include <kernel/mount.h>
#include <kernel/vfs.h>
#include <kernel/proc.h>
#include <kernel/kmalloc.h>
#include <kernel/errno.h>
#include <kernel/string.h>
#include <kernel/printk.h>
#include "vfs_int.h"

/* The top of the mounts on ino the caller's namespace sees, a bind's
 * node itself included (consumes ino's reference); a use of each, as
 * enter_mounts's. */
static struct inode *
top_mount(struct inode *ino)
{
	for (;;) {
		struct inode *m = ino->mounted;
		while (m && !mount_visible(m))
			m = m->mounted;
		if (!m)
			return ino;
		if (m->sb)
			m->sb->mnt_entered++;
		inode_get(m);
		inode_put(ino);
		ino = m;
	}
}

struct inode *
mount_lookup(struct proc *p, int dirfd, const char *path, bool follow)
{
	const char *last;
	size_t len;
	struct inode *dir = vfs_lookup_parent(p, dirfd, path, &last, &len);
	if (IS_ERR(dir))
		return dir;
	bool dots = last[0] == '.' && (len == 1 || (len == 2 && last[1] == '.'));
	struct inode *ino;
	if (dots)	/* "/", "x/.": no name to look up in a parent */
		ino = NULL;
	else if (vfs_permission(p, dir, 1) < 0)
		ino = ERR_PTR(-EACCES);
	else
		ino = dir->iops->lookup(dir, last, len);
	inode_put(dir);
	if (dots) {
		ino = vfs_lookup(p, dirfd, path, follow);
	} else if (!IS_ERR(ino) && S_ISLNK(ino->mode) && follow) {
		inode_put(ino);	/* the link's target, as any walk finds it */
		ino = vfs_lookup(p, dirfd, path, true);
	}
	return IS_ERR(ino) ? ino : top_mount(ino);
}

/* A bind node's own data: its super (the bind's flags, mountinfo's
 * options and device) and the inode it shows. */
struct bind {
	struct super sb;
	struct inode *source;		/* a reference */
	char source_name[64];		/* /proc/mounts' first field */
	char type[16];
};

static void
bind_release(struct inode *node)
{
	struct bind *b = node->priv;
	inode_put(b->source);
	kfree(b);
}

static const struct inode_ops bind_iops = { .release = bind_release };

bool
mount_is_bind(const struct inode *root)
{
	return root && root->iops == &bind_iops;
}

struct inode *
mount_bind_source(struct inode *ino)
{
	if (!mount_is_bind(ino))
		return ino;
	struct inode *source = ((struct bind *)ino->priv)->source;
	inode_get(source);
	inode_put(ino);
	return source;
}

/* The entry of the mount whose file system holds ino (not a bind's). */
static struct mount_entry *
mount_holding(const struct inode *ino)
{
	for (int i = 0; i < MOUNT_MAX; i++)
		if (mounts[i].root && !mount_is_bind(mounts[i].root) &&
		    mounts[i].root->sb == ino->sb)
			return &mounts[i];
	return NULL;
}

/* A bind node for source (a new reference), with its source's flags. */
static struct inode *
bind_node_new(struct inode *source)
{
	struct bind *b = kzalloc(sizeof(*b));
	if (!b)
		return NULL;
	struct inode *node = inode_new(&b->sb, source->mode & S_IFMT);
	if (!node) {
		kfree(b);
		return NULL;
	}
	const struct mount_entry *from = mount_holding(source);
	snprintk(b->source_name, sizeof(b->source_name), "%s",
		 from && from->source ? from->source : "none");
	snprintk(b->type, sizeof(b->type), "%s",
		 from && from->type ? from->type : source->sb->type);
	b->sb.type = "bind";	/* never a file system's own: no ops */
	b->sb.dev = source->sb->dev;
	b->sb.read_only = source->sb->read_only;
	b->sb.mnt_flags = source->sb->mnt_flags & MS_MNT_FLAGS;
	b->source = source;
	inode_get(source);
	node->ino = source->ino;
	node->priv = b;
	node->iops = &bind_iops;
	return node;
}

long
mount_bind(struct inode *source, struct inode *where)
{
	if (!source->sb ||
	    (S_ISDIR(source->mode) && !mount_in_tree(source, vfs_root())))
		return -EINVAL;	/* a detached tree, a pipe's inode */
	if (S_ISDIR(source->mode) != S_ISDIR(where->mode))
		return -ENOTDIR;
	struct inode *node = bind_node_new(source);
	char *abs = kmalloc(PATH_MAX_K);
	long r = node && abs ? mount_path_global(where, abs, PATH_MAX_K) :
			       -ENOMEM;
	if (r > 0) {
		struct bind *b = node->priv;
		r = vfs_mount(where, node, abs, b->source_name, b->type);
	}
	kfree(abs);
	inode_put(node);	/* the mount table's reference stays */
	return r;
}

/*
 * Writes the path of a bind's source inside its file system (mountinfo's
 * fourth field) into buf, from the file system's root; "/" for others.
 */
void
mount_bind_root(const struct inode *root, char *buf, size_t size)
{
	size_t pos = size - 1;
	buf[pos] = 0;
	struct inode *cur = mount_is_bind(root) ?
			    ((struct bind *)root->priv)->source : NULL;
	while (cur && !cur->covered && cur->parent && cur->parent != cur) {
		const char *name = dir_name_of(cur->parent, cur);
		size_t n = name ? strlen(name) : 0;
		if (!name || n + 1 > pos)
			break;
		pos -= n;
		memcpy(buf + pos, name, n);
		buf[--pos] = '/';
		cur = cur->parent;
	}
	if (pos == size - 1)
		buf[--pos] = '/';
	memmove(buf, buf + pos, size - pos);
}

bool
mount_under(struct inode *dir, const struct inode *top)
{
	for (int guard = 0; dir && guard < 4096; guard++) {
		if (dir == top)
			return true;
		struct inode *up = dir->covered ? dir->covered : dir->parent;
		if (up == dir)
			return false;
		dir = up;
	}
	return false;
}

bool
mount_bind_busy(const struct inode *node)
{
	const struct inode *source = ((struct bind *)node->priv)->source;
	uint64_t since = 0;
	for (int i = 0; i < MOUNT_MAX; i++)
		if (mounts[i].root == node)
			since = mounts[i].unique_id;
	for (int i = 0; i < MOUNT_MAX; i++) {
		struct inode *root = mounts[i].root;
		if (!root || root == node || !root->covered)
			continue;
		if (root->covered == node)
			return true;	/* stacked on it */
		/* made later inside what it shows (the mounts on the source
		   itself it does not show; earlier ones are the source's) */
		if (mounts[i].unique_id > since && root->covered != source &&
		    mount_under(root->covered, source))
			return true;
	}
	return false;
}

bool
mount_bind_flags_kept(const struct inode *node, bool ro, unsigned mnt_flags)
{
	const struct super *sb = ((struct bind *)node->priv)->source->sb;
	return ro == sb->read_only &&
	       (mnt_flags & MS_MNT_FLAGS) == (sb->mnt_flags & MS_MNT_FLAGS);
}

struct inode *
mount_fs_root(struct inode *ino)
{
	ino = mount_bind_source(ino);
	const struct mount_entry *m = mount_holding(ino);
	struct inode *root = m ? m->root : ERR_PTR(-EINVAL);
	if (m)
		inode_get(root);
	inode_put(ino);
	return root;
}

bool
mount_bind_shows(const struct inode *ino)
{
	for (int i = 0; i < MOUNT_MAX; i++)
		if (mount_is_bind(mounts[i].root) &&
		    ((struct bind *)mounts[i].root->priv)->source == ino)
			return true;
	return false;
}

struct inode *
mount_bind_shown(struct inode *node)
{
	return mount_is_bind(node) ? ((struct bind *)node->priv)->source : node;
}
