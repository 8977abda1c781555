/*
 * tmpfs: files, directories and symlinks in memory. The root file system
 * (unpacked from the initramfs) and /dev are tmpfs. File data lives in
 * whole pages so a process can map them directly (exec, mmap). Each tmpfs
 * counts its data pages against a size (Linux's default: half of memory;
 * `size=` when mounted), of which users other than root may fill all but
 * a reserve (as ext2's reserved blocks), so root can still clean up.
 */
#include <kernel/tmpfs.h>
#include <kernel/vfs.h>
#include <kernel/mount.h>
#include <kernel/kmalloc.h>
#include <kernel/page.h>
#include <kernel/errno.h>
#include <kernel/string.h>
#include <kernel/printk.h>
#include <kernel/proc.h>
#include <kernel/vm.h>
#include "tmpfs_int.h"

#define TMPFS_MAGIC 0x01021994
#define ROOT_RESERVE_DIV 20	/* 5% of the size kept for root, as mke2fs */

static const struct inode_ops tmpfs_iops;
static const struct super_ops tmpfs_super_ops;
static const struct file_ops tmpfs_file_ops;
static const struct file_ops tmpfs_dir_ops;

static struct tmpfs_super *
tsb(struct super *sb)
{
	return container_of(sb, struct tmpfs_super, sb);
}

/* The size in pages (0: no limit). The default, half of memory, is
 * worked out when asked: the root tmpfs is made while the initramfs
 * still holds its pages, which go back to the allocator after. */
static uint64_t
size_pages(struct tmpfs_super *ts)
{
	return ts->pages_max == TMPFS_HALF_OF_MEMORY ? page_total() / 2
						     : ts->pages_max;
}

static uint64_t
root_reserve(struct tmpfs_super *ts)
{
	return size_pages(ts) / ROOT_RESERVE_DIV;
}

/* Data pages of every tmpfs (/proc/meminfo's Shmem); big lock. */
static uint64_t pages_all;

/* What the caller may fill: all for the kernel (the initramfs is
 * unpacked whatever its size), the size for root, less a reserve for
 * others. */
uint64_t
tmpfs_pages_left(struct super *sb)
{
	struct tmpfs_super *ts = tsb(sb);
	uint64_t allowed = !ts->pages_max || proc_is_kernel() ? UINT64_MAX :
			   proc_privileged() ? size_pages(ts) :
			   size_pages(ts) - root_reserve(ts);
	return ts->pages_used < allowed ? allowed - ts->pages_used : 0;
}

paddr_t
tmpfs_data_page(struct super *sb, bool zeroed)
{
	struct tmpfs_super *ts = tsb(sb);
	if (!tmpfs_pages_left(sb))
		return 0;
	bool privileged = proc_privileged();
	paddr_t pa = zeroed ? page_alloc_user(privileged) :
			      page_alloc_user_dirty(privileged);
	if (pa) {
		ts->pages_used++;
		pages_all++;
	}
	return pa;
}

void
tmpfs_page_put(struct super *sb, paddr_t pa)
{
	tsb(sb)->pages_used--;
	pages_all--;
	page_put(pa);
}

int
tmpfs_adopt_page(struct inode *ino, uint64_t i, paddr_t pa)
{
	struct tmpfs_super *ts = tsb(ino->sb);
	if (!tmpfs_pages_left(ino->sb))
		return -ENOSPC;
	struct tmpfs_node *n = node(ino);
	spin_lock(&n->lock);	/* [N]: the index may grow */
	paddr_t *slot = tmpfs_page_slot(n, i);
	int err = !slot ? -ENOMEM : *slot ? -EEXIST : 0;
	if (!err)
		*slot = pa;
	spin_unlock(&n->lock);
	if (err)
		return err;
	ts->pages_used++;
	pages_all++;
	ino->blocks += PAGE_SIZE / 512;
	return 0;
}

int
tmpfs_adopt_pages(struct inode *ino, uint64_t first, paddr_t pa, size_t count)
{
	struct tmpfs_super *ts = tsb(ino->sb);
	struct tmpfs_node *n = node(ino);
	int err;

	if (count == 0)
		return 0;
	if (count > tmpfs_pages_left(ino->sb))
		return -ENOSPC;
	spin_lock(&n->lock);	/* [N]: the slots change */
	err = tmpfs_pages_place(n, first, pa, count);
	spin_unlock(&n->lock);
	if (err < 0)
		return err;
	ts->pages_used += count;
	pages_all += count;
	ino->blocks += count * (PAGE_SIZE / 512);
	return 0;
}

void
tmpfs_count_pages(struct super *sb, long pages)
{
	tsb(sb)->pages_used += pages;
	pages_all += pages;
}

uint64_t
tmpfs_page_count(void)
{
	return pages_all;
}

static struct inode *
tmpfs_inode(struct super *sb, unsigned mode)
{
	/* The node in the inode's block: freed with it (inode_put). */
	struct inode *ino = inode_new_priv(sb, mode, sizeof(struct tmpfs_node));
	if (!ino)
		return NULL;
	struct tmpfs_node *n = ino->priv;
	list_init(&n->entries);
	spin_init(&n->lock);
	n->seals = F_SEAL_SEAL;	/* only a memfd may be sealed (Linux's shmem) */
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
	struct tmpfs_super *ts = kzalloc(sizeof(*ts));
	if (!ts)
		return NULL;
	struct super *sb = &ts->sb;
	sb->type = name;
	sb->ops = &tmpfs_super_ops;
	sb->xattrs = true;
	sb->real_blocks = true;	/* st_blocks counts the pages held */
	static uint32_t next_dev = 1;
	sb->dev = next_dev++;
	ts->pages_max = TMPFS_HALF_OF_MEMORY;
	struct inode *root = tmpfs_inode(sb, S_IFDIR | 0755);
	if (root)
		root->parent = root;
	return root;
}

static struct tmpfs_dirent *
find(struct inode *dir, const char *name, size_t len)
{
	return tmpfs_dir_find(node(dir), name, len);
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

/* Adds ino as name[0..len) to dir; hash is tmpfs_name_hash's. */
static int
add_entry(struct inode *dir, const char *name, size_t len, uint32_t hash,
	  struct inode *ino)
{
	struct tmpfs_dirent *d = kmalloc(sizeof(*d) + len + 1);
	if (!d)
		return -ENOMEM;
	d->inode = ino;
	d->len = (uint32_t)len;
	d->hash = hash;
	memcpy(d->name, name, len);
	d->name[len] = 0;
	inode_get(ino);
	list_push_back(&node(dir)->entries, &d->link);
	tmpfs_dirhash_add(node(dir), d);
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
	uint32_t hash = tmpfs_name_hash(name, len);
	if (tmpfs_dir_find_hashed(node(dir), name, len, hash))
		return -EEXIST;
	if (dir->nlink == 0)
		return -ENOENT;	/* the directory was removed */
	struct inode *ino = tmpfs_inode(dir->sb, mode);
	if (!ino)
		return -ENOMEM;
	int e = add_entry(dir, name, len, hash, ino);
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
	/* A file whose last name went cannot get one back; an O_TMPFILE
	   file can, once (Linux's I_LINKABLE). */
	if (target->nlink == 0 && !(target->iops == &tmpfs_iops &&
				    node(target)->linkable))
		return -ENOENT;
	if (S_ISDIR(target->mode))
		return -EPERM;
	if (target->sb != dir->sb)
		return -EXDEV;
	int e = add_entry(dir, name, len, tmpfs_name_hash(name, len), target);
	if (e == 0) {
		target->nlink++;
		node(target)->linkable = false;
		inode_touch(target, false, false, true);
	}
	return e;
}

static void
drop_entry(struct inode *dir, struct tmpfs_dirent *d)
{
	struct inode *ino = d->inode;
	tmpfs_dirhash_remove(node(dir), d);
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
	int e = add_entry(ndir, nname, nlen, tmpfs_name_hash(nname, nlen), ino);
	if (e < 0) {
		inode_put(ino);
		return e;
	}
	/* add_entry took its own reference; the new entry is last in ndir. */
	if (dst)
		drop_entry(ndir, dst);
	src = find(odir, oname, olen);
	tmpfs_dirhash_remove(node(odir), src);
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

/*
 * renameat2(RENAME_EXCHANGE): the two names swap their inodes. A
 * directory that changes parents moves its ".." and its parents' link
 * counts with it; neither may become its own descendant.
 */
static int
tmpfs_exchange(struct inode *odir, const char *oname, size_t olen,
	       struct inode *ndir, const char *nname, size_t nlen)
{
	struct tmpfs_dirent *a = find(odir, oname, olen);
	struct tmpfs_dirent *b = find(ndir, nname, nlen);
	if (!a || !b)
		return -ENOENT;
	if (odir->sb != ndir->sb)
		return -EXDEV;
	struct inode *ai = a->inode, *bi = b->inode;
	if (ai == bi)
		return 0;
	if ((S_ISDIR(ai->mode) && is_ancestor(ai, ndir)) ||
	    (S_ISDIR(bi->mode) && is_ancestor(bi, odir)))
		return -EINVAL;
	a->inode = bi;
	b->inode = ai;
	if (S_ISDIR(ai->mode)) {
		ai->parent = ndir;
		odir->nlink--;
		ndir->nlink++;
	}
	if (S_ISDIR(bi->mode)) {
		bi->parent = odir;
		ndir->nlink--;
		odir->nlink++;
	}
	inode_touch(odir, false, true, true);
	inode_touch(ndir, false, true, true);
	inode_touch(ai, false, false, true);
	inode_touch(bi, false, false, true);
	return 0;
}

int
tmpfs_symlink_n(struct inode *dir, const char *name, size_t len,
		const char *target, size_t target_len)
{
	struct inode *ino;
	char *t = NULL;

	if (target_len >= TMPFS_SHORT_TARGET && !(t = kmalloc(target_len + 1)))
		return -ENOMEM;
	int e = tmpfs_create(dir, name, len, S_IFLNK | 0777, &ino);
	if (e < 0) {
		kfree(t);
		return e;
	}
	if (!t)
		t = node(ino)->short_target;
	memcpy(t, target, target_len);
	t[target_len] = 0;
	node(ino)->target = t;
	ino->size = target_len;
	inode_put(ino);
	return 0;
}

static int
tmpfs_symlink(struct inode *dir, const char *name, size_t len, const char *target)
{
	return tmpfs_symlink_n(dir, name, len, target, strlen(target));
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
tmpfs_truncate(struct inode *ino, uint64_t size)
{
	struct tmpfs_node *n = node(ino);
	if (size > TMPFS_SIZE_MAX)
		return -EFBIG;
	if (((n->seals & F_SEAL_SHRINK) && size < ino->size) ||
	    ((n->seals & F_SEAL_GROW) && size > ino->size))
		return -EPERM;
	/* A grow keeps every page: those past the old end (fallocate's
	   KEEP_SIZE) hold zeros, as the old last page's tail does. A shrink
	   unmaps the pages past the end first: mappings SIGBUS there. */
	bool shrink = size < ino->size;
	if (shrink)
		vm_file_unmap(ino, ALIGN_UP(size, PAGE_SIZE));
	spin_lock(&n->lock);	/* a nolock read may be copying them */
	if (shrink)
		tmpfs_pages_cut(ino, size);
	ino->size = size;
	spin_unlock(&n->lock);
	inode_touch(ino, false, true, true);
	return 0;
}

static paddr_t
tmpfs_getpage(struct inode *ino, uint64_t off, bool fill)
{
	struct tmpfs_node *n = node(ino);
	size_t i = off / PAGE_SIZE;
	paddr_t pa = tmpfs_page(n, i);
	int err;
	if (pa == TMPFS_SLOT_PACKED)	/* data, even where not to fill */
		return tmpfs_unpack_locked(ino, i, &err);
	if (pa || !fill || off >= ino->size)
		return pa;
	spin_lock(&n->lock);
	paddr_t *slot = tmpfs_page_slot(n, i);
	if (slot && (*slot = tmpfs_data_page(ino->sb, true)) != 0)
		ino->blocks += PAGE_SIZE / 512;
	pa = slot ? *slot : 0;
	spin_unlock(&n->lock);
	return pa;
}

static void
tmpfs_release(struct inode *ino)
{
	struct tmpfs_node *n = node(ino);
	if (!n)
		return;
	/* No nolock reader is left (each holds a file, so the inode), but
	   [N] is asserted where the index changes. */
	spin_lock(&n->lock);
	tmpfs_pages_drop(ino, 0, UINT64_MAX);
	tmpfs_pages_free(n);
	spin_unlock(&n->lock);
	tmpfs_packed_free(ino);
	if (n->target != n->short_target)
		kfree(n->target);
	kfree(n->memfd_name);
	list_for_each_safe(it, nx, &n->entries) {
		struct tmpfs_dirent *d = list_entry(it, struct tmpfs_dirent, link);
		inode_put(d->inode);
		kfree(d);
	}
	tmpfs_dirhash_free(n);
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
		paddr_t pa = tmpfs_page(n, pos / PAGE_SIZE);
		int err;
		if (pa == TMPFS_SLOT_PACKED &&
		    !(pa = tmpfs_unpack_locked(ino, pos / PAGE_SIZE, &err)))
			return done > 0 ? (long)done : err;
		if (pa)
			memcpy((char *)buf + done, (char *)phys_to_virt(pa) + in, k);
		else
			memset((char *)buf + done, 0, k);
		done += k;
	}
	return (long)done;
}

/*
 * Writes len bytes of buf at *off, or at the file's end if append, and
 * moves *off past them. The end is read, the bytes put in, the size and
 * *off moved under [N] in one hold, as the nolock write does
 * (tmpfs_write_unlocked): appends from both paths never overlap.
 */
static long
write_at(struct inode *ino, const void *buf, size_t len, uint64_t *off,
	 bool append)
{
	struct tmpfs_node *n = node(ino);
	struct timespec_k now;
	size_t done = 0;
	long r = 0;
	vfs_now(&now);
	/* Held over the copy too: a nolock read must not see a page put in
	   place before it is filled (data_page need not zero it). */
	spin_lock(&n->lock);
	uint64_t at = append ? ino->size : *off;
	if (at + len < at || at + len > TMPFS_SIZE_MAX)
		r = -EFBIG;
	else if ((n->seals & (F_SEAL_WRITE | F_SEAL_FUTURE_WRITE)) ||
		 ((n->seals & F_SEAL_GROW) && at + len > ino->size))
		r = -EPERM;
	while (r == 0 && done < len) {
		uint64_t pos = at + done;
		size_t in = pos & (PAGE_SIZE - 1);
		size_t k = MIN(len - done, PAGE_SIZE - in);
		paddr_t *slot = tmpfs_page_slot(n, pos / PAGE_SIZE);
		int err;
		if (slot && *slot == TMPFS_SLOT_PACKED &&
		    !tmpfs_unpack(ino, pos / PAGE_SIZE, &err))
			break;
		if (slot && !*slot) {	/* written whole: need not be zeroed */
			*slot = tmpfs_data_page(ino->sb, k < PAGE_SIZE);
			if (*slot)
				ino->blocks += PAGE_SIZE / 512;
		}
		if (!slot || !*slot)
			break;
		memcpy((char *)phys_to_virt(*slot) + in, (const char *)buf + done, k);
		page_changed(*slot);	/* run again only once synced */
		done += k;
	}
	if (done > 0) {
		if (at + done > ino->size)
			ino->size = at + done;
		*off = at + done;
		ino->mtime = ino->ctime = now;	/* [N], as the nolock write's */
	}
	spin_unlock(&n->lock);
	if (r == 0 && done == 0 && len > 0)
		r = -ENOSPC;
	return r < 0 ? r : (long)done;
}

long
tmpfs_write_inode(struct inode *ino, const void *buf, size_t len, uint64_t off)
{
	return write_at(ino, buf, len, &off, false);
}

static long
file_read(struct file *f, void *buf, size_t len, uint64_t *off)
{
	long n = tmpfs_read_inode(f->inode, buf, len, *off);
	if (n > 0)
		*off += n;
	if (n >= 0 && len > 0)
		mount_file_accessed(f);
	return n;
}

static long
file_write(struct file *f, const void *buf, size_t len, uint64_t *off)
{
	tmpfs_drop_privs(f->inode);
	return write_at(f->inode, buf, len, off, f->flags & O_APPEND);
}

static long
dir_list(struct file *f, void *buf, size_t len, uint64_t *pos)
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

static long
dir_getdents(struct file *f, void *buf, size_t len, uint64_t *pos)
{
	long n = dir_list(f, buf, len, pos);
	mount_file_accessed(f);	/* as Linux's iterate_dir, at the end too */
	return n;
}

static const struct inode_ops tmpfs_iops = {
	.lookup = tmpfs_lookup,
	.create = tmpfs_create,
	.link = tmpfs_link,
	.unlink = tmpfs_unlink,
	.rename = tmpfs_rename,
	.exchange = tmpfs_exchange,
	.symlink = tmpfs_symlink,
	.readlink = tmpfs_readlink,
	.truncate = tmpfs_truncate,
	.getpage = tmpfs_getpage,
	.release = tmpfs_release,
	.name_of = tmpfs_name_of,
};

/* As ext2 does for its reserved blocks, f_bavail leaves out root's. */
static int
tmpfs_statfs(struct super *sb, struct statfs_k *s)
{
	struct tmpfs_super *ts = tsb(sb);
	uint64_t size = ts->pages_max ? size_pages(ts) : page_total();
	s->type = TMPFS_MAGIC;
	s->bsize = s->frsize = PAGE_SIZE;
	s->blocks = size;
	s->bfree = size > ts->pages_used ? size - ts->pages_used : 0;
	uint64_t reserve = root_reserve(ts);
	s->bavail = s->bfree > reserve ? s->bfree - reserve : 0;
	s->files = 1 << 20;
	s->ffree = (1 << 20) - 1000;
	s->namelen = 255;
	return 0;
}

static const struct super_ops tmpfs_super_ops = {
	.statfs = tmpfs_statfs,
};

static const struct file_ops tmpfs_file_ops = {
	.read = file_read,
	.write = file_write,
	.seekable = true,
};

static const struct file_ops tmpfs_dir_ops = {
	.getdents = dir_getdents,
	.seekable = true,
};

/* A packed file's: the same, but not tmpfs_is_file's (tmpfs_packed.c). */
static const struct file_ops tmpfs_packed_file_ops = {
	.read = file_read,
	.write = file_write,
	.seekable = true,
};

void
tmpfs_set_packed_ops(struct inode *ino)
{
	ino->fops = &tmpfs_packed_file_ops;
}

bool
tmpfs_is_file(const struct file *f)
{
	return f->ops == &tmpfs_file_ops;
}

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

/* Linux's internal shm mount: no size, pages counted all the same. */
static struct tmpfs_super anon_super = { .sb = { .type = "tmpfs",
						 .ops = &tmpfs_super_ops,
						 .xattrs = true,
						 .real_blocks = true } };

/*
 * An unnamed tmpfs file of len bytes, for MAP_SHARED|MAP_ANONYMOUS: all
 * holes, each filled by the first fault on it.
 */
struct inode *
tmpfs_anon_file(size_t len)
{
	struct inode *ino = tmpfs_inode(&anon_super.sb, S_IFREG | 0600);
	if (!ino)
		return NULL;
	ino->size = ALIGN_UP(len, PAGE_SIZE);
	ino->nlink = 0;	/* nameless: maps shows "/dev/zero (deleted)" */
	return ino;
}

struct inode *
tmpfs_memfd_new(const char *name, bool sealing)
{
	size_t len = strlen(name);
	char *copy = kmalloc(len + 1);
	struct inode *ino = copy ? tmpfs_inode(&anon_super.sb, S_IFREG | 0777) :
				   NULL;
	if (!ino) {
		kfree(copy);
		return NULL;
	}
	memcpy(copy, name, len + 1);
	node(ino)->memfd_name = copy;
	node(ino)->seals = sealing ? 0 : F_SEAL_SEAL;
	ino->nlink = 0;	/* it never had a name */
	return ino;
}

struct inode *
tmpfs_tmpfile(struct inode *dir, unsigned mode, bool linkable)
{
	if (dir->iops != &tmpfs_iops || !S_ISDIR(dir->mode))
		return ERR_PTR(-EOPNOTSUPP);
	struct inode *ino = tmpfs_inode(dir->sb, S_IFREG | (mode & 07777));
	if (!ino)
		return ERR_PTR(-ENOMEM);
	ino->nlink = 0;
	node(ino)->linkable = linkable;
	return ino;
}

struct tmpfs_node *
tmpfs_file_node(struct inode *ino)
{
	return ino->iops == &tmpfs_iops && S_ISREG(ino->mode) ? node(ino) : NULL;
}

uint64_t
tmpfs_pages_in(struct inode *ino, uint64_t first, uint64_t last)
{
	struct tmpfs_node *n = tmpfs_file_node(ino);
	if (!n)
		return 0;
	return tmpfs_pages_count(n, first, last == UINT64_MAX ? last : last + 1);
}

int
tmpfs_seals(struct inode *ino)
{
	struct tmpfs_node *n = tmpfs_file_node(ino);
	return n ? (int)n->seals : -EINVAL;
}

int
tmpfs_set_seals(struct inode *ino, unsigned seals)
{
	struct tmpfs_node *n = tmpfs_file_node(ino);
	if (!n)
		return -EINVAL;
	spin_lock(&n->lock);	/* a nolock write looks under it */
	n->seals = seals;
	spin_unlock(&n->lock);
	return 0;
}

const char *
tmpfs_memfd_name(struct inode *ino)
{
	struct tmpfs_node *n = tmpfs_file_node(ino);
	return n ? n->memfd_name : NULL;
}

uint64_t
tmpfs_file_pages(struct inode *ino)
{
	struct tmpfs_node *n = tmpfs_file_node(ino);
	return n ? tmpfs_pages_count(n, 0, UINT64_MAX) : 0;
}

/*
 * Applies mount options ("size=64m,mode=1777", from mount(2)'s data) to
 * the tmpfs whose root is root, at mount or remount. Returns 0; -EINVAL
 * for an option tmpfs does not know, a bad value, or a size below what
 * its files hold (as Linux); -ENODEV when root is not a tmpfs. Nothing
 * changes unless every option is good.
 */
int
tmpfs_configure(struct inode *root, const char *options)
{
	if (root->sb->ops != &tmpfs_super_ops)
		return -ENODEV;
	struct tmpfs_super *ts = tsb(root->sb);
	struct tmpfs_options opts = { ts->pages_max, -1, -1, -1 };
	if (tmpfs_parse_options(options, &opts) < 0)
		return -EINVAL;
	if (opts.pages && opts.pages < ts->pages_used)
		return -EINVAL;
	ts->pages_max = opts.pages;
	if (opts.mode >= 0)
		root->mode = (root->mode & S_IFMT) | (unsigned)opts.mode;
	if (opts.uid >= 0)
		root->uid = (unsigned)opts.uid;
	if (opts.gid >= 0)
		root->gid = (unsigned)opts.gid;
	return 0;
}
