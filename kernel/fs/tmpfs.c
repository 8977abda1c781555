/*
 * tmpfs: files, directories and symlinks in memory. The root file system
 * (unpacked from the initramfs) and /dev are tmpfs. File data lives in
 * whole pages so a process can map them directly (exec, mmap).
 */
#include <kernel/tmpfs.h>
#include <kernel/vfs.h>
#include <kernel/kmalloc.h>
#include <kernel/page.h>
#include <kernel/errno.h>
#include <kernel/string.h>
#include <kernel/printk.h>

struct tmpfs_dirent {
	struct list link;
	struct inode *inode;
	size_t len;
	char name[];
};

struct tmpfs_node {
	struct list entries;		/* directories */
	paddr_t *pages;			/* regular files: one per page, 0 = hole */
	size_t npages;			/* capacity of pages[] */
	char *target;			/* symlinks */
};

static const struct inode_ops tmpfs_iops;
extern const struct file_ops fifo_fops;
static const struct file_ops tmpfs_file_ops;
static const struct file_ops tmpfs_dir_ops;

static struct tmpfs_node *
node(struct inode *ino)
{
	return ino->priv;
}

static struct inode *
tmpfs_inode(struct super *sb, unsigned mode)
{
	struct inode *ino = inode_new(sb, mode);
	if (!ino)
		return NULL;
	struct tmpfs_node *n = kzalloc(sizeof(*n));
	if (!n) {
		kfree(ino);
		return NULL;
	}
	list_init(&n->entries);
	ino->priv = n;
	ino->iops = &tmpfs_iops;
	if (S_ISDIR(mode)) {
		ino->fops = &tmpfs_dir_ops;
		ino->nlink = 2;
	} else if (S_ISREG(mode)) {
		ino->fops = &tmpfs_file_ops;
	} else if ((mode & S_IFMT) == S_IFIFO) {
		ino->fops = &fifo_fops;
	}
	return ino;
}

struct inode *
tmpfs_new_root(const char *name)
{
	struct super *sb = kzalloc(sizeof(*sb));
	if (!sb)
		return NULL;
	sb->type = name;
	static uint32_t next_dev = 1;
	sb->dev = next_dev++;
	struct inode *root = tmpfs_inode(sb, S_IFDIR | 0755);
	if (root)
		root->parent = root;
	return root;
}

static struct tmpfs_dirent *
find(struct inode *dir, const char *name, size_t len)
{
	list_for_each(it, &node(dir)->entries) {
		struct tmpfs_dirent *d = list_entry(it, struct tmpfs_dirent, link);
		if (d->len == len && memcmp(d->name, name, len) == 0)
			return d;
	}
	return NULL;
}

static struct inode *
tmpfs_lookup(struct inode *dir, const char *name, size_t len)
{
	struct tmpfs_dirent *d = find(dir, name, len);
	if (!d)
		return ERR_PTR(-ENOENT);
	inode_get(d->inode);
	return d->inode;
}

static int
add_entry(struct inode *dir, const char *name, size_t len, struct inode *ino)
{
	struct tmpfs_dirent *d = kmalloc(sizeof(*d) + len + 1);
	if (!d)
		return -ENOMEM;
	d->inode = ino;
	d->len = len;
	memcpy(d->name, name, len);
	d->name[len] = 0;
	inode_get(ino);
	list_push_back(&node(dir)->entries, &d->link);
	if (S_ISDIR(ino->mode)) {
		ino->parent = dir;
		dir->nlink++;
	}
	inode_touch(dir, false, true, true);
	return 0;
}

static int
tmpfs_create(struct inode *dir, const char *name, size_t len, unsigned mode,
	     struct inode **out)
{
	if (find(dir, name, len))
		return -EEXIST;
	if (dir->nlink == 0)
		return -ENOENT;	/* the directory was removed */
	struct inode *ino = tmpfs_inode(dir->sb, mode);
	if (!ino)
		return -ENOMEM;
	int e = add_entry(dir, name, len, ino);
	if (e < 0) {
		inode_put(ino);
		return e;
	}
	*out = ino;	/* the creation reference goes to the caller */
	return 0;
}

static int
tmpfs_link(struct inode *dir, const char *name, size_t len, struct inode *target)
{
	if (find(dir, name, len))
		return -EEXIST;
	if (S_ISDIR(target->mode))
		return -EPERM;
	if (target->sb != dir->sb)
		return -EXDEV;
	int e = add_entry(dir, name, len, target);
	if (e == 0) {
		target->nlink++;
		inode_touch(target, false, false, true);
	}
	return e;
}

static void
drop_entry(struct inode *dir, struct tmpfs_dirent *d)
{
	struct inode *ino = d->inode;
	list_remove(&d->link);
	if (S_ISDIR(ino->mode)) {
		dir->nlink--;
		ino->nlink = 0;
	} else {
		ino->nlink--;
	}
	inode_touch(dir, false, true, true);
	inode_touch(ino, false, false, true);
	inode_put(ino);
	kfree(d);
}

static int
tmpfs_unlink(struct inode *dir, const char *name, size_t len, bool rmdir)
{
	struct tmpfs_dirent *d = find(dir, name, len);
	if (!d)
		return -ENOENT;
	if (d->inode->mounted)
		return -EBUSY;
	if (rmdir) {
		if (!S_ISDIR(d->inode->mode))
			return -ENOTDIR;
		if (!list_empty(&node(d->inode)->entries))
			return -ENOTEMPTY;
	} else if (S_ISDIR(d->inode->mode)) {
		return -EISDIR;
	}
	drop_entry(dir, d);
	return 0;
}

static bool
is_ancestor(struct inode *a, struct inode *b)
{
	for (struct inode *i = b; i; i = i->parent) {
		if (i == a)
			return true;
		if (i->parent == i)
			break;
	}
	return false;
}

static int
tmpfs_rename(struct inode *odir, const char *oname, size_t olen,
	     struct inode *ndir, const char *nname, size_t nlen)
{
	struct tmpfs_dirent *src = find(odir, oname, olen);
	if (!src)
		return -ENOENT;
	if (odir->sb != ndir->sb)
		return -EXDEV;
	struct inode *ino = src->inode;
	struct tmpfs_dirent *dst = find(ndir, nname, nlen);
	if (dst && dst->inode == ino)
		return 0;
	if (S_ISDIR(ino->mode) && is_ancestor(ino, ndir))
		return -EINVAL;
	if (dst) {
		bool sdir = S_ISDIR(ino->mode), ddir = S_ISDIR(dst->inode->mode);
		if (sdir && !ddir)
			return -ENOTDIR;
		if (!sdir && ddir)
			return -EISDIR;
		if (ddir && !list_empty(&node(dst->inode)->entries))
			return -ENOTEMPTY;
	}
	inode_get(ino);
	int e = add_entry(ndir, nname, nlen, ino);
	if (e < 0) {
		inode_put(ino);
		return e;
	}
	/* add_entry took its own reference; the new entry is last in ndir. */
	if (dst)
		drop_entry(ndir, dst);
	src = find(odir, oname, olen);
	list_remove(&src->link);
	if (S_ISDIR(ino->mode))
		odir->nlink--;
	kfree(src);
	inode_put(ino);	/* the old entry's reference */
	inode_put(ino);	/* ours */
	inode_touch(odir, false, true, true);
	inode_touch(ino, false, false, true);
	return 0;
}

static int
tmpfs_symlink(struct inode *dir, const char *name, size_t len, const char *target)
{
	struct inode *ino;
	size_t tl = strlen(target);
	char *t = kmalloc(tl + 1);
	if (!t)
		return -ENOMEM;
	memcpy(t, target, tl + 1);
	int e = tmpfs_create(dir, name, len, S_IFLNK | 0777, &ino);
	if (e < 0) {
		kfree(t);
		return e;
	}
	node(ino)->target = t;
	ino->size = tl;
	inode_put(ino);
	return 0;
}

static long
tmpfs_readlink(struct inode *ino, char *buf, size_t size)
{
	const char *t = node(ino)->target;
	if (!t)
		return -EINVAL;
	size_t n = MIN(strlen(t), size);
	memcpy(buf, t, n);
	return (long)n;
}

static int
grow_pages(struct tmpfs_node *n, size_t want)
{
	if (want <= n->npages)
		return 0;
	size_t cap = MAX(want, n->npages * 2);
	cap = MAX(cap, (size_t)8);
	paddr_t *p = kzalloc(cap * sizeof(paddr_t));
	if (!p)
		return -ENOMEM;
	if (n->pages)
		memcpy(p, n->pages, n->npages * sizeof(paddr_t));
	kfree(n->pages);
	n->pages = p;
	n->npages = cap;
	return 0;
}

static int
tmpfs_truncate(struct inode *ino, uint64_t size)
{
	struct tmpfs_node *n = node(ino);
	size_t keep = ALIGN_UP(size, PAGE_SIZE) / PAGE_SIZE;
	if (size > (1ull << 40))
		return -EFBIG;
	for (size_t i = keep; i < n->npages; i++) {
		if (n->pages[i]) {
			page_put(n->pages[i]);
			n->pages[i] = 0;
		}
	}
	/* Zero the tail of a partial last page so a later grow reads zeros. */
	if ((size & (PAGE_SIZE - 1)) && keep > 0 && keep <= n->npages && n->pages[keep - 1]) {
		size_t off = size & (PAGE_SIZE - 1);
		memset((char *)phys_to_virt(n->pages[keep - 1]) + off, 0, PAGE_SIZE - off);
	}
	ino->size = size;
	inode_touch(ino, false, true, true);
	return 0;
}

static paddr_t
tmpfs_getpage(struct inode *ino, uint64_t off)
{
	struct tmpfs_node *n = node(ino);
	size_t i = off / PAGE_SIZE;
	if (i >= n->npages)
		return 0;
	return n->pages[i];
}

static void
tmpfs_release(struct inode *ino)
{
	struct tmpfs_node *n = node(ino);
	if (!n)
		return;
	for (size_t i = 0; i < n->npages; i++)
		if (n->pages[i])
			page_put(n->pages[i]);
	kfree(n->pages);
	kfree(n->target);
	list_for_each_safe(it, nx, &n->entries) {
		struct tmpfs_dirent *d = list_entry(it, struct tmpfs_dirent, link);
		inode_put(d->inode);
		kfree(d);
	}
	kfree(n);
}

static const char *
tmpfs_name_of(struct inode *dir, struct inode *child)
{
	list_for_each(it, &node(dir)->entries) {
		struct tmpfs_dirent *d = list_entry(it, struct tmpfs_dirent, link);
		if (d->inode == child)
			return d->name;
	}
	return NULL;
}

long
tmpfs_read_inode(struct inode *ino, void *buf, size_t len, uint64_t off)
{
	struct tmpfs_node *n = node(ino);
	if (off >= ino->size)
		return 0;
	len = MIN(len, ino->size - off);
	size_t done = 0;
	while (done < len) {
		uint64_t pos = off + done;
		size_t in = pos & (PAGE_SIZE - 1);
		size_t k = MIN(len - done, PAGE_SIZE - in);
		size_t i = pos / PAGE_SIZE;
		if (i < n->npages && n->pages[i])
			memcpy((char *)buf + done, (char *)phys_to_virt(n->pages[i]) + in, k);
		else
			memset((char *)buf + done, 0, k);
		done += k;
	}
	return (long)done;
}

long
tmpfs_write_inode(struct inode *ino, const void *buf, size_t len, uint64_t off)
{
	struct tmpfs_node *n = node(ino);
	if (off + len < off || off + len > (1ull << 40))
		return -EFBIG;
	if (grow_pages(n, ALIGN_UP(off + len, PAGE_SIZE) / PAGE_SIZE) < 0)
		return -ENOSPC;
	size_t done = 0;
	while (done < len) {
		uint64_t pos = off + done;
		size_t in = pos & (PAGE_SIZE - 1);
		size_t k = MIN(len - done, PAGE_SIZE - in);
		size_t i = pos / PAGE_SIZE;
		if (!n->pages[i]) {
			/* A page written whole need not be zeroed first. */
			n->pages[i] = k == PAGE_SIZE ? page_alloc_dirty() : page_alloc();
			if (!n->pages[i])
				break;
		}
		memcpy((char *)phys_to_virt(n->pages[i]) + in, (const char *)buf + done, k);
		done += k;
	}
	if (done == 0 && len > 0)
		return -ENOSPC;
	if (off + done > ino->size)
		ino->size = off + done;
	inode_touch(ino, false, true, true);
	return (long)done;
}

static long
file_read(struct file *f, void *buf, size_t len, uint64_t *off)
{
	long n = tmpfs_read_inode(f->inode, buf, len, *off);
	if (n > 0)
		*off += n;
	return n;
}

static long
file_write(struct file *f, const void *buf, size_t len, uint64_t *off)
{
	if (f->flags & O_APPEND)
		*off = f->inode->size;
	long n = tmpfs_write_inode(f->inode, buf, len, *off);
	if (n > 0)
		*off += n;
	return n;
}

static long
dir_getdents(struct file *f, void *buf, size_t len, uint64_t *pos)
{
	struct inode *dir = f->inode;
	size_t used = 0;
	uint64_t i = 0;

	/* Positions: 0 ".", 1 "..", then entries in list order. */
	if (*pos == 0) {
		size_t r = dirent_emit(buf, len, dir->ino, 1, DT_DIR, ".", 1);
		if (!r)
			return -EINVAL;
		used += r;
		*pos = 1;
	}
	if (*pos == 1) {
		struct inode *up = dir->covered ? dir->covered->parent : dir->parent;
		size_t r = dirent_emit((char *)buf + used, len - used,
				       up ? up->ino : dir->ino, 2, DT_DIR, "..", 2);
		if (!r)
			return used ? (long)used : -EINVAL;
		used += r;
		*pos = 2;
	}
	list_for_each(it, &node(dir)->entries) {
		if (i++ < *pos - 2)
			continue;
		struct tmpfs_dirent *d = list_entry(it, struct tmpfs_dirent, link);
		size_t r = dirent_emit((char *)buf + used, len - used, d->inode->ino,
				       *pos + 1, dirent_type(d->inode->mode), d->name, d->len);
		if (!r)
			return used ? (long)used : -EINVAL;
		used += r;
		(*pos)++;
	}
	return (long)used;
}

static unsigned
file_poll(struct file *f)
{
	(void)f;
	return POLLIN | POLLOUT | POLLRDNORM | POLLWRNORM;
}

static const struct inode_ops tmpfs_iops = {
	.lookup = tmpfs_lookup,
	.create = tmpfs_create,
	.link = tmpfs_link,
	.unlink = tmpfs_unlink,
	.rename = tmpfs_rename,
	.symlink = tmpfs_symlink,
	.readlink = tmpfs_readlink,
	.truncate = tmpfs_truncate,
	.getpage = tmpfs_getpage,
	.release = tmpfs_release,
	.name_of = tmpfs_name_of,
};

static const struct file_ops tmpfs_file_ops = {
	.read = file_read,
	.write = file_write,
	.poll = file_poll,
	.seekable = true,
};

static const struct file_ops tmpfs_dir_ops = {
	.getdents = dir_getdents,
	.poll = file_poll,
	.seekable = true,
};

/* Creates a node of any type (for mknod and devfs) with the given fops. */
int
tmpfs_mknod(struct inode *dir, const char *name, unsigned mode, uint32_t rdev,
	    const struct file_ops *fops, struct inode **out)
{
	struct inode *ino;
	int e = tmpfs_create(dir, name, strlen(name), mode, &ino);
	if (e < 0)
		return e;
	ino->rdev = rdev;
	if (fops)
		ino->fops = fops;
	if (out)
		*out = ino;
	else
		inode_put(ino);
	return 0;
}

/* An unnamed tmpfs file of len bytes, for MAP_SHARED|MAP_ANONYMOUS. */
struct inode *
tmpfs_anon_file(size_t len)
{
	static struct super anon_sb = { .type = "tmpfs" };
	struct inode *ino = tmpfs_inode(&anon_sb, S_IFREG | 0600);
	if (!ino)
		return NULL;
	struct tmpfs_node *n = node(ino);
	size_t pages = ALIGN_UP(len, PAGE_SIZE) / PAGE_SIZE;
	if (grow_pages(n, pages) < 0) {
		inode_put(ino);
		return NULL;
	}
	for (size_t i = 0; i < pages; i++) {
		n->pages[i] = page_alloc();
		if (!n->pages[i]) {
			inode_put(ino);
			return NULL;
		}
	}
	ino->size = pages * PAGE_SIZE;
	return ino;
}
