/*
 * tmpfs's parts (kernel/fs/tmpfs*.c): tmpfs.c has the tree and the file
 * data; tmpfs_pages.c indexes a file's pages; tmpfs_holes.c punches
 * holes and finds them (fallocate, lseek's SEEK_DATA and SEEK_HOLE);
 * tmpfs_dirhash.c finds a directory's entries by name.
 * Big lock held, and for a regular file's pages and size the node's lock
 * too (below).
 */
#ifndef KERNEL_TMPFS_INT_H
#define KERNEL_TMPFS_INT_H

#include <kernel/vfs.h>
#include <kernel/list.h>
#include <kernel/spinlock.h>

#define TMPFS_HALF_OF_MEMORY UINT64_MAX
/* The largest size a file may have (a write past it: EFBIG). */
#define TMPFS_SIZE_MAX (1ull << 40)

/* A tmpfs's super block; its data pages are counted here. */
struct tmpfs_super {
	struct super sb;
	uint64_t pages_max;	/* the size in pages; 0: no limit;
				   TMPFS_HALF_OF_MEMORY: the default */
	uint64_t pages_used;	/* data pages of its files */
};

struct tmpfs_dirent {
	struct list link;
	struct tmpfs_dirent *hash_next;	/* in its bucket (tmpfs_dirhash.c) */
	struct inode *inode;
	uint32_t len;
	uint32_t hash;			/* tmpfs_name_hash of the name */
	char name[];
};

/*
 * lock: a nolock read or write (tmpfs_rw.c) takes it instead of the big
 * lock, so whoever changes a regular file's chunks, nchunks, first_slots,
 * a slot, its seals, or its size (inode.size) or frees a page holds it as
 * well as the big lock [N]. A nolock write holds it alone to put bytes
 * into pages already there, grow the size and set mtime and ctime, and
 * every write, locked or not, reads an O_APPEND file's end and moves the
 * offset under it. Allocating under it is allowed where the big lock is
 * held; waiting for another CPU (a TLB shootdown) is not.
 */
/* A symlink's target up to this long, with its NUL, is kept in the node,
 * which it leaves in the heap's 128-byte class ("/bin/busybox", the boot's
 * 266 applet links); a longer one has a block of its own. */
#define TMPFS_SHORT_TARGET 16

struct tmpfs_node {
	struct list entries;		/* directories, in readdir order */
	struct tmpfs_dirhash *hash;	/* big directories: entries by name */
	size_t dir_count;		/* directories: entries */
	spinlock_t lock;
	paddr_t **chunks;		/* regular files: pages by index in
					   chunks, 0 a hole (tmpfs_pages.c) [N] */
	size_t nchunks;			/* capacity of chunks[] [N] */
	unsigned first_slots;		/* slots chunks[0] has (it grows) [N] */
	struct tmpfs_packed *packed;	/* a packed file's packed bytes, or
					   NULL (tmpfs_packed.c) */
	char *target;			/* symlinks: short_target or its own */
	char short_target[TMPFS_SHORT_TARGET];
	unsigned seals;			/* regular files: F_SEAL_* [N] */
	char *memfd_name;		/* a memfd's name, else NULL */
	bool linkable;			/* O_TMPFILE's: nameless, may get one */
};

static inline struct tmpfs_node *
node(struct inode *ino)
{
	return ino->priv;
}

/* The tmpfs node of a regular file, or NULL for anything else. */
struct tmpfs_node *tmpfs_file_node(struct inode *ino);
/* A data page for a file of sb, counted (zeroed if asked); 0 when the
 * file system is full for the caller or memory is short. n->lock may be
 * held. tmpfs_pages_left: how many more the caller may have. */
paddr_t tmpfs_data_page(struct super *sb, bool zeroed);
uint64_t tmpfs_pages_left(struct super *sb);
/* Clears a file's set-user-ID, and set-group-ID where Linux does, before
 * a write by a caller without CAP_FSETID (tmpfs_rw.c). Big lock held. */
void tmpfs_drop_privs(struct inode *ino);
/* Gives back a data page of a file of sb, uncounting it. */
void tmpfs_page_put(struct super *sb, paddr_t pa);

/*
 * A file's pages by index (tmpfs_pages.c). tmpfs_page: the page at i, 0
 * for a hole. tmpfs_page_slot: where the page at i goes, its chunk made
 * if need be; NULL when memory is short. tmpfs_page_next: the first index
 * from i below limit whose page is there (present) or not; limit if none.
 * tmpfs_pages_drop gives back the pages of [first, last); tmpfs_pages_cut
 * those past a shrink's new size, zeroing the new last page's tail so that
 * a later grow reads zeros; tmpfs_pages_free the index itself, once they
 * are all gone. tmpfs_pages_count: the pages held in [first, last).
 */
paddr_t tmpfs_page(const struct tmpfs_node *n, uint64_t i);
paddr_t *tmpfs_page_slot(struct tmpfs_node *n, uint64_t i);
/* Puts the count contiguous pages from pa at [first, first + count):
 * 0, or -ENOMEM, -EEXIST (a page is there) with none put. */
int tmpfs_pages_place(struct tmpfs_node *n, uint64_t first, paddr_t pa,
		      size_t count);
/* Sets the count slots from first to value, making their chunks (the
 * first chunk at its final size at once): 0, or -ENOMEM with the slots
 * as they were (chunks may have been made). Slots must be empty. */
int tmpfs_pages_mark(struct tmpfs_node *n, uint64_t first, size_t count,
		     paddr_t value);
uint64_t tmpfs_page_next(const struct tmpfs_node *n, uint64_t i, bool present,
			 uint64_t limit);
void tmpfs_pages_drop(struct inode *ino, uint64_t first, uint64_t last);
void tmpfs_pages_cut(struct inode *ino, uint64_t size);
void tmpfs_pages_free(struct tmpfs_node *n);
uint64_t tmpfs_pages_count(const struct tmpfs_node *n, uint64_t first,
			   uint64_t last);

/*
 * Packed files (tmpfs_packed.c). A slot holding TMPFS_SLOT_PACKED (no
 * page is at 1) has its page still packed: tmpfs_unpack makes it a page
 * of its own and returns it, node lock held; tmpfs_unpack_locked takes
 * the lock. Both return 0 with *err -ENOMEM or -EIO (a bad block).
 * tmpfs_packed_truncate: the file shrank to size; tmpfs_packed_slot_gone:
 * a packed slot was emptied (the packed bytes go with the last);
 * tmpfs_packed_free: the file goes (after its pages). tmpfs_count_pages (tmpfs.c) counts data pages
 * in the file system and the total; tmpfs_set_packed_ops gives a file
 * the file_ops the nolock read does not take.
 */
#define TMPFS_SLOT_PACKED ((paddr_t)1)
paddr_t tmpfs_unpack(struct inode *ino, uint64_t i, int *err);
paddr_t tmpfs_unpack_locked(struct inode *ino, uint64_t i, int *err);
void tmpfs_packed_truncate(struct tmpfs_node *n, uint64_t size);
void tmpfs_packed_slot_gone(struct inode *ino);
void tmpfs_packed_free(struct inode *ino);
void tmpfs_count_pages(struct super *sb, long pages);
void tmpfs_set_packed_ops(struct inode *ino);

/*
 * A directory's entries by name (tmpfs_dirhash.c). tmpfs_dir_find: the
 * entry named name[0..len), or NULL. tmpfs_dirhash_add: after an entry
 * joins n->entries; tmpfs_dirhash_remove: before it leaves them;
 * tmpfs_dirhash_free: as n goes.
 */
struct tmpfs_dirent *tmpfs_dir_find(struct tmpfs_node *n, const char *name,
				    size_t len);
/* The hash an entry named name[0..len) keeps; tmpfs_dir_find_hashed is
 * tmpfs_dir_find for a name whose hash the caller has (a create: the
 * name is hashed once, for the lookup and the entry). */
uint32_t tmpfs_name_hash(const char *name, size_t len);
struct tmpfs_dirent *tmpfs_dir_find_hashed(struct tmpfs_node *n,
					   const char *name, size_t len,
					   uint32_t hash);
void tmpfs_dirhash_add(struct tmpfs_node *n, struct tmpfs_dirent *d);
void tmpfs_dirhash_remove(struct tmpfs_node *n, struct tmpfs_dirent *d);
void tmpfs_dirhash_free(struct tmpfs_node *n);

/* What mount options asked for; -1: not given. */
struct tmpfs_options {
	uint64_t pages;
	long mode, uid, gid;
};
int tmpfs_parse_options(const char *options, struct tmpfs_options *opts);

#endif
