/*
 * Unpacks the boot module (cpio newc) into the root tmpfs, returning the
 * module's pages to the allocator as soon as the unpacking has passed them,
 * so the archive and its copy never both sit whole in memory (the smallest
 * --mem, docs/performance.md §3). A malformed archive stops the unpacking
 * with a message; what was unpacked so far stays. As in Linux, a later
 * member (say, from a second archive appended by `petrel run --pack`)
 * replaces a file or symlink of the same name; directories merge. Regular
 * files of one archive with the same inode number and nlink > 1 become hard
 * links of one file, as Linux makes them (`petrel run --rootfs` writes its
 * tree's hard links so). A file whose data starts at a page boundary in
 * memory (Petrel's own images put every file of a page or more so:
 * tools/cpio-align.py) is not copied: the archive's pages that hold it
 * whole become the file's pages, and only its last part page is copied.
 * A symlink is root's and timed at its making: its owner and time in the
 * archive are not read (kernel/core/cpio.c).
 * A file packed by tools/pagepack.py (the big ones of Petrel's images)
 * follows a mark, a "." member whose data starts with PACK_MARK: its
 * archive pages become its packed bytes, each page unpacked at its first
 * use (kernel/fs/tmpfs_packed.c).
 */
#include <kernel/cpio.h>
#include <kernel/vfs.h>
#include <kernel/tmpfs.h>
#include <kernel/page.h>
#include <kernel/kmalloc.h>
#include <kernel/errno.h>
#include <kernel/string.h>
#include <kernel/printk.h>

/* The hard-linked files made so far (nlink > 1), to link the next names
 * of each to; held until the unpacking ends, the table allocated at the
 * first (6 KiB the kernel image no longer carries for good). A set beyond
 * the table's size, or with no memory for it, gets a file per name. */
#define LINKED_MAX 256
static struct linked {
	uint32_t archive, ino, dev_major, dev_minor;
	struct inode *inode;
} *linked;
static int linked_count;

/* A symlink's target is shorter than this (as the stack copy it once was). */
#define SYMLINK_MAX 256

/* The archive, and how far its pages have gone back to the allocator. */
static const uint8_t *archive;
static paddr_t archive_pa, archive_freed;
/* File data bytes whose pages were taken from the archive, and copied;
 * packed bytes kept, and the bytes they unpack to. */
static uint64_t bytes_shared, bytes_copied, bytes_packed, bytes_unpacked;

/* The mark before a packed file (tools/cpio-align.py): whether the member
 * being unpacked follows one, and whether the next does. */
static const char PACK_MARK[] = "petrel-pagepack\n";
static bool member_packed, next_packed;

static bool
is_pack_mark(const struct cpio_entry *e)
{
	size_t n = sizeof(PACK_MARK) - 1;
	return S_ISDIR(e->mode) && e->name_len == 0 && e->size >= n &&
	       memcmp(e->data, PACK_MARK, n) == 0;
}

/* A file's data is copied this much at a time, each piece's archive pages
 * freed before the next is copied: a file bigger than the free memory
 * still fits, as long as its copy does. */
#define COPY_CHUNK (64 * 1024)

/* Gives back the archive's pages wholly below upto: they are not read again. */
static void
archive_release(const void *upto)
{
	paddr_t done = ALIGN_DOWN(archive_pa + (paddr_t)((const uint8_t *)upto - archive),
				  PAGE_SIZE);
	if (done > archive_freed) {
		page_add_range(archive_freed, done);
		archive_freed = done;
	}
}

/* Copies e's data from offset done on into ino. Returns 0 or -errno. */
static int
copy_data(struct inode *ino, const struct cpio_entry *e, size_t done)
{
	const uint8_t *from = e->data;

	while (done < e->size) {
		size_t k = MIN(e->size - done, (size_t)COPY_CHUNK);
		long w = tmpfs_write_inode(ino, from + done, k, done);
		if (w != (long)k)
			return w < 0 ? (int)w : -ENOSPC;
		done += k;
		archive_release(from + done);
	}
	return 0;
}

/*
 * Makes the archive's pages holding e's data whole ino's pages 0, 1, ...,
 * if the data starts at a page boundary: no copy. Sets *shared to the
 * bytes so taken (the rest is for copy_data) and returns 0 or -errno.
 * The archive's pages below the data go back to the allocator first:
 * they are not read again (ino was made, with e's name, before this).
 */
static int
share_data(struct inode *ino, const struct cpio_entry *e, size_t *shared)
{
	paddr_t pa = archive_pa + (paddr_t)((const uint8_t *)e->data - archive);
	size_t pages = 0;
	int err = 0;

	if (pa % PAGE_SIZE == 0 && e->size >= PAGE_SIZE) {
		archive_release(e->data);
		/* The pages adopted are the file's now, or freed below. */
		pages = page_adopt_run(pa, e->size / PAGE_SIZE);
		archive_freed = pa + pages * PAGE_SIZE;
		err = tmpfs_adopt_pages(ino, 0, pa, pages);
		if (err < 0) {
			for (size_t k = 0; k < pages; k++)
				page_put(pa + k * PAGE_SIZE);
			pages = 0;
		}
		ino->size = pages * PAGE_SIZE;
	}
	*shared = pages * PAGE_SIZE;
	return err;
}

/*
 * Makes the archive's pages holding e's data, a packed file starting and
 * ending at page boundaries, ino's packed bytes. Returns 0 or -errno (then
 * the pages go back to the allocator as the unpacking passes them).
 */
static int
keep_packed(struct inode *ino, const struct cpio_entry *e)
{
	paddr_t pa = archive_pa + (paddr_t)((const uint8_t *)e->data - archive);
	size_t pages = e->size / PAGE_SIZE, k;
	int err = -EINVAL;

	if (pa % PAGE_SIZE || e->size % PAGE_SIZE)
		return -EINVAL;
	archive_release(e->data);
	k = page_adopt_run(pa, pages);	/* one pass under page_lock */
	if (k == pages)
		err = tmpfs_adopt_packed(ino, pa, e->size);
	if (err < 0) {
		for (size_t i = 0; i < k; i++)	/* to the allocator now */
			page_put(pa + i * PAGE_SIZE);
	}
	archive_freed = pa + k * PAGE_SIZE;
	if (err == 0) {
		bytes_packed += e->size;
		bytes_unpacked += ino->size;
	}
	return err;
}

/* Puts e's data into ino, a new file: kept packed if it is, shared where
 * it can be, else copied. Returns 0 or -errno. */
static int
fill_data(struct inode *ino, const struct cpio_entry *e)
{
	size_t shared;
	if (member_packed)
		return keep_packed(ino, e);
	int err = share_data(ino, e, &shared);

	bytes_shared += shared;
	bytes_copied += e->size - shared;
	return err < 0 ? err : copy_data(ino, e, shared);
}

static struct linked *
linked_find(const struct cpio_entry *e)
{
	for (int i = 0; i < linked_count; i++) {
		struct linked *l = &linked[i];
		if (l->archive == e->archive && l->ino == e->ino &&
		    l->dev_major == e->dev_major && l->dev_minor == e->dev_minor)
			return l;
	}
	return NULL;
}

static void
linked_add(const struct cpio_entry *e, struct inode *ino)
{
	if (e->nlink < 2 || linked_count == LINKED_MAX)
		return;
	if (!linked && !(linked = kmalloc(LINKED_MAX * sizeof(*linked))))
		return;
	inode_get(ino);
	linked[linked_count++] = (struct linked){ e->archive, e->ino,
		e->dev_major, e->dev_minor, ino };
}

static void
linked_release(void)
{
	while (linked_count > 0)
		inode_put(linked[--linked_count].inode);
	kfree(linked);
	linked = NULL;
}

/*
 * The length of a symlink member's target of size bytes: up to its first
 * NUL, as Linux takes it. A word at a time (a NUL byte is a borrow into
 * its top bit): the archive holds all size bytes.
 */
static size_t
target_len(const char *t, size_t size)
{
	const uint64_t ones = 0x0101010101010101ull;
	size_t i = 0;

	for (; size - i >= 8; i += 8) {
		uint64_t w;
		__builtin_memcpy(&w, t + i, sizeof(w));
		if ((w - ones) & ~w & (ones << 7))
			break;
	}
	while (i < size && t[i] != 0)
		i++;
	return i;
}

/* Finds or creates the directory for path[0..len) under root. */
static struct inode *
make_dirs(struct inode *root, const char *path, size_t len)
{
	struct inode *dir = root;
	inode_get(dir);
	size_t i = 0;
	while (i < len) {
		size_t j = i;
		while (j < len && path[j] != '/')
			j++;
		if (j > i && !(j - i == 1 && path[i] == '.')) {
			struct inode *next = dir->iops->lookup(dir, path + i, j - i);
			if (IS_ERR(next)) {
				int e = dir->iops->create(dir, path + i, j - i,
							  S_IFDIR | 0755, &next);
				if (e < 0) {
					inode_put(dir);
					return ERR_PTR(e);
				}
			}
			inode_put(dir);
			dir = next;
			if (!S_ISDIR(dir->mode)) {
				inode_put(dir);
				return ERR_PTR(-ENOTDIR);
			}
		}
		i = j + 1;
	}
	return dir;
}

/* The directory of the last member and its path: most members are in
 * the same directory as the one before, found without a walk. A
 * directory is never replaced (make_room), so it stays the path's. The
 * reference held here is the one each member's unpacking uses (len is
 * SIZE_MAX for a path too long to keep: it matches no other). */
static struct {
	char path[128];
	size_t len;
	struct inode *dir;
} last_dir;

/* Whether a[0..n) and b[0..n) are the same bytes: 8, 4, 2, then 1 at a
 * time (the directory paths compared below are mostly 3 to 8 bytes, which
 * memcmp takes a byte at a time). */
static bool
same_bytes(const char *a, const char *b, size_t n)
{
	uint64_t x, y;

	for (; n >= 8; n -= 8, a += 8, b += 8) {
		__builtin_memcpy(&x, a, 8);
		__builtin_memcpy(&y, b, 8);
		if (x != y)
			return false;
	}
	if (n >= 4) {
		uint32_t u, v;
		__builtin_memcpy(&u, a, 4);
		__builtin_memcpy(&v, b, 4);
		if (u != v)
			return false;
		n -= 4, a += 4, b += 4;
	}
	if (n >= 2) {
		uint16_t u, v;
		__builtin_memcpy(&u, a, 2);
		__builtin_memcpy(&v, b, 2);
		if (u != v)
			return false;
		n -= 2, a += 2, b += 2;
	}
	return n == 0 || *a == *b;
}

/* Like make_dirs, through last_dir, which keeps the reference: the
 * directory is the caller's until the next call (a get and a put for
 * each member were 25 instructions of the boot's 300 members). */
static struct inode *
dir_of(struct inode *root, const char *path, size_t len)
{
	struct inode *dir;

	if (last_dir.dir && len == last_dir.len &&
	    same_bytes(path, last_dir.path, len))
		return last_dir.dir;
	dir = make_dirs(root, path, len);
	if (IS_ERR(dir))
		return dir;
	if (last_dir.dir)
		inode_put(last_dir.dir);
	last_dir.len = SIZE_MAX;
	if (len <= sizeof(last_dir.path)) {
		memcpy(last_dir.path, path, len);
		last_dir.len = len;
	}
	last_dir.dir = dir;
	return dir;
}

/*
 * Clears the way for a member named name in dir. Returns 1 if it is to be
 * created, 0 if it is already there (a directory made earlier: it takes
 * the member's mode), or -errno: a directory is never replaced by another
 * kind of file, nor another kind by a directory.
 */
static int
make_room(struct inode *dir, const char *name, size_t len, unsigned mode)
{
	struct inode *old = dir->iops->lookup(dir, name, len);
	bool old_dir;
	int err;

	if (IS_ERR(old))
		return 1;
	old_dir = S_ISDIR(old->mode);
	if (old_dir && S_ISDIR(mode))
		old->mode = mode;
	inode_put(old);
	if (old_dir != S_ISDIR(mode))
		return old_dir ? -EISDIR : -ENOTDIR;
	if (old_dir)
		return 0;
	err = dir->iops->unlink(dir, name, len, false);
	return err < 0 ? err : 1;
}

/*
 * Another name for a hard-linked file. newc may carry the data with any
 * one of the names (GNU cpio: the last): data here replaces the file's.
 */
static int
link_entry(struct inode *dir, const char *name, size_t len,
	   struct inode *ino, const struct cpio_entry *e)
{
	int err = dir->iops->link(dir, name, len, ino);

	if (err == 0)	/* over the data the file may have: a copy */
		err = copy_data(ino, e, 0);
	ino->mtime.tv_sec = ino->ctime.tv_sec = e->mtime;
	ino->mtime.tv_nsec = ino->ctime.tv_nsec = 0;
	return err;
}

/*
 * Makes e, a symlink, directory or regular file (with its data), as name
 * in dir. Returns 0, -EEXIST if the name is taken (then nothing was
 * done), or another -errno.
 */
static int
make_member(struct inode *dir, const char *name, size_t len,
	    const struct cpio_entry *e)
{
	struct inode *ino;
	int err;

	if (S_ISLNK(e->mode)) {
		if (e->size >= SYMLINK_MAX)
			return -ENAMETOOLONG;
		/* Up to a NUL in it, as Linux takes it. */
		return tmpfs_symlink_n(dir, name, len, e->data,
				       target_len(e->data, e->size));
	}
	err = dir->iops->create(dir, name, len, e->mode, &ino);
	if (err < 0)
		return err;
	ino->uid = e->uid;
	ino->gid = e->gid;
	ino->mtime.tv_sec = ino->ctime.tv_sec = ino->atime.tv_sec = e->mtime;
	ino->mtime.tv_nsec = ino->ctime.tv_nsec = ino->atime.tv_nsec = 0;
	if (S_ISREG(e->mode) && e->size > 0) {
		err = fill_data(ino, e);
		ino->mtime.tv_sec = e->mtime;
	}
	if (S_ISREG(e->mode))
		linked_add(e, ino);
	inode_put(ino);
	return err;
}

static int
unpack_entry(struct inode *root, const struct cpio_entry *e)
{
	size_t n = e->name_len;
	while (n > 0 && e->name[n - 1] == '/')
		n--;
	if (n == 0 || (n == 1 && e->name[0] == '.'))
		return 0;
	size_t slash = n;
	while (slash > 0 && e->name[slash - 1] != '/')
		slash--;
	const char *last = e->name + slash;
	size_t last_len = n - slash;
	struct inode *dir = dir_of(root, e->name, slash);
	if (IS_ERR(dir))
		return (int)PTR_ERR(dir);

	struct linked *l = S_ISREG(e->mode) && e->nlink > 1 ? linked_find(e) : NULL;
	int err;
	if (l || (!S_ISDIR(e->mode) && !S_ISREG(e->mode) && !S_ISLNK(e->mode))) {
		err = make_room(dir, last, last_len, e->mode);
		if (err > 0)	/* device nodes come from devfs */
			err = l ? link_entry(dir, last, last_len, l->inode, e) : 0;
	} else {
		/* Most names are new: the way is cleared only if one is not. */
		err = make_member(dir, last, last_len, e);
		if (err == -EEXIST) {
			err = make_room(dir, last, last_len, e->mode);
			if (err > 0)
				err = make_member(dir, last, last_len, e);
		}
	}
	return err;
}

void
initramfs_unpack(struct inode *root, paddr_t start, uint64_t size)
{
	struct cpio_iter it;
	struct cpio_entry e;
	int r, files = 0;

	if (!size) {
		printk("initramfs: none given\n");
		return;
	}
	archive = phys_to_virt(start);
	archive_pa = archive_freed = start;
	vfs_now_hold(true);	/* every new inode made at the same time */
	cpio_iter_init(&it, archive, size);
	while ((r = cpio_next(&it, &e)) == 1) {
		/* A file's data may free the page of its name before an
		 * error is told: a copy. Other members free nothing. */
		char name[128];
		const char *shown = e.name;
		if (S_ISREG(e.mode) && e.size > 0) {
			size_t n = MIN(e.name_len, sizeof(name) - 1);
			memcpy(name, e.name, n);
			name[n] = 0;
			shown = name;
		}
		member_packed = next_packed;
		next_packed = is_pack_mark(&e);
		int err = unpack_entry(root, &e);
		if (err < 0)
			printk("initramfs: %s: error %d\n", shown, err);
		files++;
		archive_release(archive + it.pos);	/* before the next header */
	}
	if (r < 0)
		printk("initramfs: malformed archive after %d entries (error %d)\n", files, r);
	vfs_now_hold(false);
	linked_release();
	if (last_dir.dir)
		inode_put(last_dir.dir);
	last_dir.dir = NULL;
	page_add_range(archive_freed, start + size);
	pr_info("initramfs: %d entries, file data %lu KiB shared with the "
		"archive, %lu KiB copied, %lu KiB packed in %lu KiB\n", files,
		bytes_shared / 1024, bytes_copied / 1024, bytes_unpacked / 1024,
		bytes_packed / 1024);
}
