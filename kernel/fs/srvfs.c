/*
 * Server-backed file systems: a tree a file server (fsd) serves, mounted
 * with pt_mount. Each kernel inode mirrors one server inode, by number;
 * path walks ask the server one component at a time (LOOKUP) and keep the
 * attributes every reply carries, so stat and permission checks need no
 * call; the directories looked up last are kept, so walking through them
 * again needs none either (this kernel is the server's only client, so
 * only its own unlink and rename can make such a name stale). The server is told when the kernel lets an inode go (FORGET), so
 * it can free one whose last link went while it was open.
 *
 * Nothing a server says is trusted beyond its own files: lengths are
 * bounded and an inode cannot change type. A server that dies fails its
 * files with -EIO; mounting a new server at the same place reconnects the
 * tree, and inodes of the old one stay failed.
 */
#include <kernel/srvfs.h>
#include <kernel/ipc.h>
#include <kernel/proc.h>
#include <kernel/kmalloc.h>
#include <kernel/string.h>
#include <kernel/errno.h>
#include <kernel/printk.h>
#include <kernel/syscall.h>
#include <syscall_table.h>
#include <kernel/vm.h>
#include <kernel/tmpfs.h>

#define NAME_MAX_K 255
#define PATH_MAX_K 4096
#define SRV_DEV_MAJOR 254		/* st_dev: as Linux's virtio disks */

static const struct inode_ops srv_iops;
static const struct super_ops srv_super_ops;
static unsigned mounted_count;

static struct srvfs *
fs_of(struct inode *ino)
{
	return container_of(ino->sb, struct srvfs, sb);
}

static unsigned
hash_of(uint64_t ino)
{
	return (unsigned)(ino ^ (ino >> 6)) % 64;
}

/* ---- Calls ---------------------------------------------------------------- */

static bool
alive(struct srv_node *n)
{
	struct srvfs *fs = n->fs;
	return fs->chan && !chan_peer_gone(fs->chan) && n->epoch == fs->epoch;
}

static long
fs_call(struct srvfs *fs, struct pt_fs_msg *m, struct pt_fs_reply *rep,
	const struct chan_seg *segs, unsigned nseg)
{
	struct pt_fs_reply scratch;
	if (!rep)
		rep = &scratch;
	struct chan_kcall k = {
		.msg = m, .msg_len = sizeof(*m),
		.reply = rep, .reply_cap = sizeof(*rep),
		.nseg = nseg, .nointr = true,
	};
	if (nseg)
		memcpy(k.seg, segs, nseg * sizeof(*segs));
	struct kobj *chan = fs->chan;
	if (!chan)
		return -EIO;
	kobj_get(chan);		/* an unmount may let go of it while we sleep */
	long r = chan_kcall(chan, &k);
	if (k.reply_len < sizeof(*rep))
		memset((char *)rep + k.reply_len, 0, sizeof(*rep) - k.reply_len);
	if (r == -ECONNRESET && chan_peer_gone(chan))
		r = -EIO;	/* the server died: its files fail */
	kobj_put(chan);
	return r;
}

/* Whether op changes the file system (refused on a read-only mount). */
static bool
op_changes(uint32_t op)
{
	return op == PT_FS_CREATE || op == PT_FS_SYMLINK || op == PT_FS_LINK ||
	       op == PT_FS_UNLINK || op == PT_FS_RENAME || op == PT_FS_WRITE ||
	       op == PT_FS_SETATTR;
}

long
srv_call(struct srv_node *n, struct pt_fs_msg *m, struct pt_fs_reply *rep,
	 const struct chan_seg *segs, unsigned nseg)
{
	if (!alive(n))
		return -EIO;
	if (n->fs->sb.read_only && op_changes(m->op))
		return -EROFS;
	return fs_call(n->fs, m, rep, segs, nseg);
}

/* ---- Inodes ----------------------------------------------------------------- */

static void
ts_set(struct timespec_k *t, int64_t sec, uint32_t nsec)
{
	t->tv_sec = sec;
	t->tv_nsec = nsec < 1000000000 ? nsec : 0;
}

void
srv_attr_apply(struct inode *ino, const struct pt_fs_attr *a)
{
	if (a->ino != ino->ino || (a->mode & S_IFMT) != (ino->mode & S_IFMT))
		return;		/* not about this inode */
	ino->mode = a->mode;
	ino->nlink = a->nlink;
	ino->uid = a->uid;
	ino->gid = a->gid;
	ino->rdev = a->rdev;
	ino->size = a->size;
	ino->blocks = a->blocks;
	ts_set(&ino->atime, a->atime, a->atime_ns);
	ts_set(&ino->mtime, a->mtime, a->mtime_ns);
	ts_set(&ino->ctime, a->ctime, a->ctime_ns);
	srv_node(ino)->stale = false;
}

static struct srv_node *
node_find(struct srvfs *fs, uint64_t ino)
{
	list_for_each(it, &fs->nodes[hash_of(ino)]) {
		struct srv_node *n = list_entry(it, struct srv_node, link);
		if (n->inode->ino == ino && n->epoch == fs->epoch)
			return n;
	}
	return NULL;
}

/* Keeps a directory's place in the tree: parent (a reference) and name. */
static void
node_place(struct inode *ino, struct inode *parent, const char *name,
	   size_t len)
{
	struct srv_node *n = srv_node(ino);
	if (!S_ISDIR(ino->mode) || !parent || !name)
		return;
	char *copy = kmalloc(len + 1);
	if (!copy)
		return;		/* getcwd fails for it, nothing else */
	memcpy(copy, name, len);
	copy[len] = 0;
	kfree(n->name);
	n->name = copy;
	if (ino->parent != parent) {
		inode_get(parent);
		inode_put(ino->parent);
		ino->parent = parent;
	}
}

/*
 * The inode for a reply's attributes (a new reference), made if the kernel
 * does not hold it yet. parent and name place a directory in the tree.
 */
static struct inode *
node_get(struct srvfs *fs, const struct pt_fs_attr *a, struct inode *parent,
	 const char *name, size_t len)
{
	if (a->ino == 0 || dirent_type(a->mode) == DT_UNKNOWN)
		return ERR_PTR(-EIO);
	struct srv_node *n = node_find(fs, a->ino);
	if (n) {
		inode_get(n->inode);
		srv_attr_apply(n->inode, a);
		node_place(n->inode, parent, name, len);
		return n->inode;
	}
	struct inode *ino = kzalloc(sizeof(*ino));
	n = kzalloc(sizeof(*n));
	if (!ino || !n) {
		kfree(ino);
		kfree(n);
		return ERR_PTR(-ENOMEM);
	}
	ino->ino = a->ino;
	ino->mode = a->mode;
	ino->refcount = 1;
	list_init(&ino->maps);
	ino->sb = &fs->sb;
	ino->priv = n;
	ino->iops = &srv_iops;
	if (S_ISREG(a->mode))
		ino->fops = &srv_file_fops;
	else if (S_ISDIR(a->mode))
		ino->fops = &srv_dir_fops;
	else if (S_ISFIFO(a->mode))
		ino->fops = &fifo_fops;
	else if (S_ISCHR(a->mode) || S_ISBLK(a->mode))
		ino->fops = devfs_fops(a->mode & S_IFMT, a->rdev);
	n->inode = ino;
	n->fs = fs;
	n->epoch = fs->epoch;
	list_init(&n->pages);
	list_init(&n->dirty_link);
	list_push_back(&fs->nodes[hash_of(a->ino)], &n->link);
	srv_attr_apply(ino, a);
	node_place(ino, parent, name, len);
	return ino;
}

/* Takes a reply's attributes into the inode they name, if the kernel has it. */
static void
attr_update(struct srvfs *fs, const struct pt_fs_attr *a)
{
	struct srv_node *n = a->ino ? node_find(fs, a->ino) : NULL;
	if (n)
		srv_attr_apply(n->inode, a);
}

static void
forget_done(void *ctx, long status, const void *reply, size_t len)
{
	(void)ctx, (void)status, (void)reply, (void)len;
}

static void
srv_release(struct inode *ino)
{
	struct srv_node *n = srv_node(ino);
	if (alive(n)) {
		struct pt_fs_msg m = { .op = PT_FS_FORGET, .ino = ino->ino };
		struct chan_kcall k = { .msg = &m, .msg_len = sizeof(m) };
		chan_kcall_async(n->fs->chan, &k, forget_done, NULL);
	}
	list_remove(&n->link);
	srv_pages_free(n);
	inode_put(ino->parent);
	ino->parent = NULL;
	kfree(n->name);
	kfree(n);
	ino->priv = NULL;
}

/* ---- Directories looked up lately --------------------------------------------- */

/* dir's child directory called name, if it is kept (no reference taken). */
static struct inode *
dir_cache_find(struct srvfs *fs, struct inode *dir, const char *name,
	       size_t len)
{
	for (int i = 0; i < SRV_DIR_CACHE; i++) {
		struct inode *d = fs->dir_cache[i];
		struct srv_node *n = d ? srv_node(d) : NULL;
		if (n && d->parent == dir && n->epoch == fs->epoch && n->name &&
		    strlen(n->name) == len && memcmp(n->name, name, len) == 0)
			return d;
	}
	return NULL;
}

static void
dir_cache_add(struct srvfs *fs, struct inode *d)
{
	for (int i = 0; i < SRV_DIR_CACHE; i++)
		if (fs->dir_cache[i] == d)
			return;
	unsigned i = fs->dir_next++ % SRV_DIR_CACHE;
	struct inode *old = fs->dir_cache[i];
	inode_get(d);
	fs->dir_cache[i] = d;
	inode_put(old);
}

/* Lets go of the kept directory called name in dir (NULL: of them all). */
static void
dir_cache_drop(struct srvfs *fs, struct inode *dir, const char *name,
	       size_t len)
{
	for (int i = 0; i < SRV_DIR_CACHE; i++) {
		struct inode *d = fs->dir_cache[i];
		if (!d || (dir && d != dir_cache_find(fs, dir, name, len)))
			continue;
		fs->dir_cache[i] = NULL;
		inode_put(d);
	}
}

/* ---- Names -------------------------------------------------------------------- */

static long
name_call(struct inode *dir, struct pt_fs_msg *m, struct pt_fs_reply *rep,
	  const char *name, size_t len, const char *name2, size_t len2)
{
	if (len > NAME_MAX_K || len2 > NAME_MAX_K)
		return -ENAMETOOLONG;
	struct chan_seg segs[2] = { srv_kseg(name, len, PT_SEG_IN),
				    srv_kseg(name2, len2, PT_SEG_IN) };
	m->ino = dir->ino;
	long r = srv_call(srv_node(dir), m, rep, segs, name2 ? 2 : 1);
	if (r >= 0)
		attr_update(fs_of(dir), &rep->dir);
	return r;
}

static struct inode *
srv_lookup(struct inode *dir, const char *name, size_t len)
{
	struct srvfs *fs = fs_of(dir);
	struct inode *kept = alive(srv_node(dir)) ?
			     dir_cache_find(fs, dir, name, len) : NULL;
	if (kept) {
		inode_get(kept);
		return kept;
	}
	struct pt_fs_msg m = { .op = PT_FS_LOOKUP };
	struct pt_fs_reply rep;
	long r = name_call(dir, &m, &rep, name, len, NULL, 0);
	if (r < 0)
		return ERR_PTR(r);
	struct inode *ino = node_get(fs, &rep.attr, dir, name, len);
	if (!IS_ERR(ino) && S_ISDIR(ino->mode))
		dir_cache_add(fs, ino);
	return ino;
}

/* A new inode's owner: the caller, or a set-group-ID directory's group. */
static void
new_owner(struct inode *dir, struct pt_fs_msg *m)
{
	vfs_new_owner(current()->proc, dir, &m->mode, &m->uid, &m->gid);
}

static int
srv_mknod(struct inode *dir, const char *name, size_t len, unsigned mode,
	  uint32_t rdev, struct inode **out)
{
	struct pt_fs_msg m = { .op = PT_FS_CREATE, .mode = mode, .rdev = rdev };
	struct pt_fs_reply rep;
	new_owner(dir, &m);
	long r = name_call(dir, &m, &rep, name, len, NULL, 0);
	if (r < 0)
		return (int)r;
	struct inode *ino = node_get(fs_of(dir), &rep.attr, dir, name, len);
	if (IS_ERR(ino))
		return (int)PTR_ERR(ino);
	*out = ino;
	return 0;
}

static int
srv_create(struct inode *dir, const char *name, size_t len, unsigned mode,
	   struct inode **out)
{
	return srv_mknod(dir, name, len, mode, 0, out);
}

static int
srv_create_open(struct inode *dir, const char *name, size_t len, unsigned mode,
		struct inode **out)
{
	struct pt_fs_msg m = { .op = PT_FS_CREATE, .mode = mode,
			       .flags = PT_FS_OPEN };
	struct pt_fs_reply rep;
	new_owner(dir, &m);
	long r = name_call(dir, &m, &rep, name, len, NULL, 0);
	if (r < 0)
		return (int)r;
	struct inode *ino = node_get(fs_of(dir), &rep.attr, dir, name, len);
	if (IS_ERR(ino))
		return (int)PTR_ERR(ino);
	*out = ino;
	return r > 0 ? 1 : 0;
}

static int
srv_symlink(struct inode *dir, const char *name, size_t len, const char *target)
{
	struct pt_fs_msg m = { .op = PT_FS_SYMLINK, .mode = S_IFLNK | 0777 };
	struct pt_fs_reply rep;
	size_t tlen = strlen(target);
	if (tlen >= PATH_MAX_K)
		return -ENAMETOOLONG;
	new_owner(dir, &m);
	if (len > NAME_MAX_K)
		return -ENAMETOOLONG;
	struct chan_seg segs[2] = { srv_kseg(name, len, PT_SEG_IN),
				    srv_kseg(target, tlen, PT_SEG_IN) };
	m.ino = dir->ino;
	long r = srv_call(srv_node(dir), &m, &rep, segs, 2);
	if (r >= 0)
		attr_update(fs_of(dir), &rep.dir);
	return r < 0 ? (int)r : 0;
}

static int
srv_link(struct inode *dir, const char *name, size_t len, struct inode *target)
{
	if (target->sb != dir->sb)
		return -EXDEV;
	if (S_ISDIR(target->mode))
		return -EPERM;
	struct pt_fs_msg m = { .op = PT_FS_LINK, .ino2 = target->ino };
	struct pt_fs_reply rep;
	if (!alive(srv_node(target)))
		return -EIO;
	long r = name_call(dir, &m, &rep, name, len, NULL, 0);
	if (r >= 0)
		srv_attr_apply(target, &rep.attr);
	return r < 0 ? (int)r : 0;
}

static int
srv_unlink(struct inode *dir, const char *name, size_t len, bool rmdir)
{
	struct pt_fs_msg m = { .op = PT_FS_UNLINK,
			       .flags = rmdir ? PT_FS_RMDIR : 0 };
	struct pt_fs_reply rep;
	long r = name_call(dir, &m, &rep, name, len, NULL, 0);
	if (r >= 0)
		attr_update(fs_of(dir), &rep.attr);
	if (r >= 0 && rmdir)
		dir_cache_drop(fs_of(dir), dir, name, len);
	return r < 0 ? (int)r : 0;
}

static int
srv_rename(struct inode *odir, const char *oname, size_t olen,
	   struct inode *ndir, const char *nname, size_t nlen)
{
	struct pt_fs_msg m = { .op = PT_FS_RENAME, .ino2 = ndir->ino };
	struct pt_fs_reply rep;
	if (!alive(srv_node(ndir)))
		return -EIO;
	long r = name_call(odir, &m, &rep, oname, olen, nname, nlen);
	if (r < 0)
		return (int)r;
	struct srvfs *fs = fs_of(odir);
	dir_cache_drop(fs, NULL, NULL, 0);	/* a directory may be replaced */
	struct srv_node *moved = node_find(fs, rep.attr.ino);
	if (moved) {
		srv_attr_apply(moved->inode, &rep.attr);
		node_place(moved->inode, ndir, nname, nlen);
	}
	srv_node(odir)->stale = true;	/* sizes, links and times moved */
	srv_node(ndir)->stale = true;
	return 0;
}

static long
srv_readlink(struct inode *ino, char *buf, size_t size)
{
	struct pt_fs_msg m = { .op = PT_FS_READLINK, .ino = ino->ino };
	struct chan_seg seg = srv_kseg(buf, size, PT_SEG_OUT);
	long r = srv_call(srv_node(ino), &m, NULL, &seg, 1);
	return r > (long)size ? (long)size : r;
}

static const char *
srv_name_of(struct inode *dir, struct inode *child)
{
	struct srv_node *n = child->iops == &srv_iops ? srv_node(child) : NULL;
	return n && child->parent == dir ? n->name : NULL;
}

/* ---- Attributes ----------------------------------------------------------------- */

static int
srv_setattr(struct inode *ino, const struct iattr_k *a)
{
	struct pt_fs_msg m = {
		.op = PT_FS_SETATTR, .ino = ino->ino, .mask = a->mask,
		.mode = a->mode & 07777, .uid = a->uid, .gid = a->gid,
		.off = a->size,
		.atime = a->atime.tv_sec, .atime_ns = (uint32_t)a->atime.tv_nsec,
		.mtime = a->mtime.tv_sec, .mtime_ns = (uint32_t)a->mtime.tv_nsec,
	};
	struct pt_fs_reply rep;
	/* Mappings lose what is cut before the server cuts it, so that no
	 * write-back can bring it back. */
	if (a->mask & IATTR_SIZE) {
		srv_pages_resize(srv_node(ino), ino->size, a->size);
		if (a->size < ino->size)
			ino->size = a->size;	/* write-back stops there */
	}
	uint64_t old_size = ino->size;
	long r = srv_call(srv_node(ino), &m, &rep, NULL, 0);
	if (r < 0) {
		srv_node(ino)->stale = true;	/* the size may be wrong */
		return (int)r;
	}
	srv_attr_apply(ino, &rep.attr);
	if (a->mask & IATTR_SIZE)
		srv_pages_grown(srv_node(ino), old_size, ino->size);
	return 0;
}

static long
srv_fiemap(struct inode *ino, uint64_t start, uint64_t len,
	   struct vfs_extent *out, size_t max)
{
	struct pt_fs_extent *rec = kmalloc((max ? max : 1) * sizeof(*rec));
	if (!rec)
		return -ENOMEM;
	struct pt_fs_msg m = { .op = PT_FS_FIEMAP, .ino = ino->ino,
			       .off = start, .ino2 = len };
	struct chan_seg seg = srv_kseg(rec, max * sizeof(*rec), PT_SEG_OUT);
	long r = srv_call(srv_node(ino), &m, NULL, &seg, 1);
	if (r > 0 && max && (size_t)r > max)
		r = -EIO;	/* more than it was given room for */
	for (long i = 0; max && i < r; i++)
		out[i] = (struct vfs_extent){
			rec[i].logical, rec[i].physical, rec[i].length,
			(rec[i].flags & PT_FS_EXTENT_LAST) != 0,
		};
	kfree(rec);
	return r;
}

static int
srv_truncate(struct inode *ino, uint64_t size)
{
	struct iattr_k a = { .mask = IATTR_SIZE, .size = size };
	return srv_setattr(ino, &a);
}

static void learn_blksize(struct super *sb);

static int
srv_getattr(struct inode *ino)
{
	struct srv_node *n = srv_node(ino);
	if (!alive(n))
		return -EIO;
	if (!ino->sb->blksize)
		learn_blksize(ino->sb);
	if (!n->stale)
		return 0;
	struct pt_fs_msg m = { .op = PT_FS_GETATTR, .ino = ino->ino };
	struct pt_fs_reply rep;
	long r = srv_call(n, &m, &rep, NULL, 0);
	if (r >= 0)
		srv_attr_apply(ino, &rep.attr);
	return r < 0 ? (int)r : 0;
}

static const struct inode_ops srv_iops = {
	.lookup = srv_lookup,
	.create = srv_create,
	.mknod = srv_mknod,
	.create_open = srv_create_open,
	.link = srv_link,
	.unlink = srv_unlink,
	.rename = srv_rename,
	.symlink = srv_symlink,
	.readlink = srv_readlink,
	.truncate = srv_truncate,
	.getpage = srv_getpage,
	.release = srv_release,
	.name_of = srv_name_of,
	.setattr = srv_setattr,
	.fiemap = srv_fiemap,
	.getattr = srv_getattr,
	.map_prepare = srv_map_prepare,
	.page_mkwrite = srv_page_mkwrite,
	.writeback = srv_writeback,
};

/* ---- The file system as a whole ------------------------------------------------ */

static int
srv_statfs(struct super *sb, struct statfs_k *s)
{
	struct srvfs *fs = container_of(sb, struct srvfs, sb);
	struct pt_fs_msg m = { .op = PT_FS_STATFS, .ino = fs->root->ino };
	struct pt_fs_statfs st;
	struct pt_fs_reply rep;
	_Static_assert(sizeof(st) <= sizeof(rep), "statfs fits a reply");
	long r = srv_call(srv_node(fs->root), &m, &rep, NULL, 0);
	if (r < 0)
		return (int)r;
	memcpy(&st, &rep, sizeof(st));
	memset(s, 0, sizeof(*s));
	s->type = (int64_t)st.magic;
	s->bsize = s->frsize = (int64_t)(st.bsize ? st.bsize : 4096);
	s->blocks = st.blocks;
	s->bfree = MIN(st.bfree, st.blocks);
	s->bavail = MIN(st.bavail, s->bfree);
	s->files = st.files;
	s->ffree = MIN(st.ffree, st.files);
	s->namelen = (int64_t)MIN(st.namelen, (uint64_t)NAME_MAX_K);
	s->fsid[0] = (int32_t)sb->dev;
	s->flags = sb->read_only ? 1 : 0;	/* ST_RDONLY */
	return 0;
}

/* stat's st_blksize is the block size the server's statfs reports; asked
 * once, at the first stat (a mount cannot ask: the server may be the one
 * mounting). */
static void
learn_blksize(struct super *sb)
{
	struct statfs_k s;
	if (srv_statfs(sb, &s) == 0)
		sb->blksize = (uint32_t)s.bsize;
}

static int
srv_sync(struct super *sb)
{
	struct srvfs *fs = container_of(sb, struct srvfs, sb);
	int e = srv_pages_sync_all(fs);
	struct pt_fs_msg m = { .op = PT_FS_SYNC };
	long r = srv_call(srv_node(fs->root), &m, NULL, NULL, 0);
	return r < 0 ? (int)r : e;
}

static int
srv_unmount(struct super *sb)
{
	struct srvfs *fs = container_of(sb, struct srvfs, sb);
	srv_pages_sync_all(fs);	/* what mappings stored goes first */
	struct pt_fs_msg m = { .op = PT_FS_UNMOUNT };
	long r = srv_call(srv_node(fs->root), &m, NULL, NULL, 0);
	if (r < 0 && r != -EIO)
		return (int)r;
	/* Whatever the server said, the tree goes: its files fail now. */
	dir_cache_drop(fs, NULL, NULL, 0);
	vfs_unmount(fs->root);
	kobj_put(fs->chan);
	fs->chan = NULL;
	return 0;
}

/* MNT_DETACH: out of the tree now; the server serves the files still open
 * and is told to unmount at the last one's close (srv_close), as Linux
 * keeps a lazily unmounted mount until its last reference goes. */
static int
srv_detach(struct super *sb)
{
	struct srvfs *fs = container_of(sb, struct srvfs, sb);
	if (!fs->open_files || !fs->chan)
		return srv_unmount(sb);
	fs->detached = true;
	inode_get(fs->root);	/* the unmount's, after the tree's is gone */
	return vfs_unmount(fs->root);
}

static const struct super_ops srv_super_ops = {
	.statfs = srv_statfs,
	.sync = srv_sync,
	.unmount = srv_unmount,
	.detach = srv_detach,
};

/* ---- Mounting ------------------------------------------------------------------ */

/* Copies a server's string into a kernel field: printable, terminated. */
static void
copy_label(char *dst, size_t size, const char *src, size_t src_size,
	   const char *fallback)
{
	size_t n = 0;
	while (n < size - 1 && n < src_size && src[n] > ' ' && src[n] < 0x7f) {
		dst[n] = src[n];
		n++;
	}
	if (n == 0 || (n < src_size && src[n] != 0)) {
		n = MIN(strlen(fallback), size - 1);
		memcpy(dst, fallback, n);
	}
	dst[n] = 0;
}

static struct mount_entry *
mount_entry_of(struct inode *root)
{
	for (int i = 0; i < MOUNT_MAX; i++)
		if (mounts[i].root == root)
			return &mounts[i];
	return NULL;
}

/* A new server for a mounted tree whose server died. */
static long
reconnect(struct srvfs *fs, struct kobj *chan, const struct pt_fs_hello *h)
{
	if (fs->chan && !chan_peer_gone(fs->chan))
		return -EBUSY;
	if (h->root.ino == 0 || !S_ISDIR(h->root.mode))
		return -EIO;
	if (fs->chan)
		kobj_put(fs->chan);
	kobj_get(chan);
	fs->chan = chan;
	fs->epoch++;	/* every other inode of the old server fails now */
	dir_cache_drop(fs, NULL, NULL, 0);
	struct inode *root = fs->root;
	struct srv_node *rn = srv_node(root);
	rn->epoch = fs->epoch;
	root->ino = h->root.ino;
	srv_attr_apply(root, &h->root);
	fs->read_only = h->flags & PT_FS_HELLO_RDONLY;
	fs->sb.read_only = fs->read_only;
	struct mount_entry *e = mount_entry_of(root);
	if (e)
		e->read_only = fs->read_only;
	pr_info("srvfs: %s reconnected to a new server\n", fs->source);
	return 0;
}

static long
mount_new(struct proc *p, struct inode *where, struct kobj *chan,
	  const struct pt_fs_hello *h)
{
	struct srvfs *fs = kzalloc(sizeof(*fs));
	if (!fs)
		return -ENOMEM;
	for (int i = 0; i < 64; i++)
		list_init(&fs->nodes[i]);
	list_init(&fs->dirty);
	copy_label(fs->source, sizeof(fs->source), h->source,
		   sizeof(h->source), "none");
	copy_label(fs->type, sizeof(fs->type), h->type, sizeof(h->type),
		   "srvfs");
	fs->sb.type = fs->type;
	fs->sb.dev = (SRV_DEV_MAJOR << 8) | (mounted_count++ & 0xff);
	fs->sb.ops = &srv_super_ops;
	fs->sb.real_blocks = true;
	fs->read_only = h->flags & PT_FS_HELLO_RDONLY;
	fs->sb.read_only = fs->read_only;
	kobj_get(chan);
	fs->chan = chan;
	struct inode *root = S_ISDIR(h->root.mode) ?
			     node_get(fs, &h->root, NULL, NULL, 0) : ERR_PTR(-EIO);
	char *abs = kmalloc(PATH_MAX_K);
	long r = IS_ERR(root) ? PTR_ERR(root) : !abs ? -ENOMEM :
		 vfs_path_of(p, where, abs, PATH_MAX_K);
	if (r >= 0)
		r = vfs_mount(where, root, abs, fs->source, fs->type);
	kfree(abs);
	if (r < 0) {
		kobj_put(fs->chan);
		fs->chan = NULL;	/* no FORGET to a server never mounted */
		if (!IS_ERR(root))
			inode_put(root);
		kfree(fs);	/* nothing else points at it */
		return r;
	}
	fs->root = root;	/* the node_get reference is the mount's */
	struct mount_entry *e = mount_entry_of(root);
	if (e)
		e->read_only = fs->read_only;
	pr_info("srvfs: %s (%s) mounted on %s%s\n", fs->source, fs->type,
		e ? e->path : "?", fs->read_only ? ", read-only" : "");
	return 0;
}

int
srvfs_remount(struct inode *root, bool read_only)
{
	if (root->iops != &srv_iops || fs_of(root)->root != root)
		return -ENODEV;
	struct srvfs *fs = fs_of(root);
	if (read_only && !fs->sb.read_only) {
		int e = srv_sync(&fs->sb);	/* what was written goes first */
		if (e < 0)
			return e;
	}
	if (!read_only && fs->read_only)
		return -EACCES;	/* the server itself refuses changes */
	fs->sb.read_only = read_only;
	struct mount_entry *e = mount_entry_of(root);
	if (e)
		e->read_only = read_only;
	return 0;
}

long
sys_pt_mount(int h, uaddr_t upath, int ch, unsigned flags)
{
	struct proc *p = current()->proc;
	struct kobj *sys = handle_lookup(p, h, PT_OBJ_SYSTEM, PT_RIGHT_MANAGE);
	if (IS_ERR(sys))
		return PTR_ERR(sys);
	struct kobj *chan = handle_lookup(p, ch, PT_OBJ_CHANNEL_CLIENT,
					  PT_RIGHT_WRITE | PT_RIGHT_TRANSFER);
	if (IS_ERR(chan))
		return PTR_ERR(chan);
	if (flags)
		return -EINVAL;
	char *path = kmalloc(PATH_MAX_K);
	if (!path)
		return -ENOMEM;
	long r = copyinstr(path, upath, PATH_MAX_K);
	struct inode *where = r < 0 ? ERR_PTR(r) : vfs_lookup(p, AT_FDCWD, path, true);
	kfree(path);
	if (IS_ERR(where))
		return PTR_ERR(where);
	kobj_get(chan);		/* the handle may close while we sleep */
	struct pt_fs_msg m = { .op = PT_FS_HELLO };
	struct pt_fs_reply rep;
	struct pt_fs_hello hello;
	_Static_assert(sizeof(hello) <= sizeof(rep), "hello fits a reply");
	struct chan_kcall k = {
		.msg = &m, .msg_len = sizeof(m),
		.reply = &rep, .reply_cap = sizeof(rep), .nointr = true,
	};
	r = chan_kcall(chan, &k);
	if (r >= 0 && k.reply_len < sizeof(hello))
		r = -EIO;	/* not a file server */
	memcpy(&hello, &rep, sizeof(hello));
	if (r >= 0) {
		if (where->iops == &srv_iops && fs_of(where)->root == where)
			r = reconnect(fs_of(where), chan, &hello);
		else if (!S_ISDIR(where->mode))
			r = -ENOTDIR;
		else
			r = mount_new(p, where, chan, &hello);
	}
	kobj_put(chan);
	inode_put(where);
	return r < 0 ? r : 0;
}
