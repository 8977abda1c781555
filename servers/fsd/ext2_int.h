/*
 * The insides of fsd's ext2 library, shared by its files: the on-disk
 * layout (byte offsets into little-endian structures), the mounted file
 * system, the decoded inode, and the block cache (bcache.c) that every
 * block passes through. Nothing here is seen outside servers/fsd.
 */
#ifndef FSD_EXT2_INT_H
#define FSD_EXT2_INT_H

#include "ext2.h"
#include <errno.h>
#include <string.h>

/* Little-endian fields at a byte offset. */
static inline uint16_t
get16(const void *p, size_t off)
{
	const uint8_t *b = (const uint8_t *)p + off;
	return (uint16_t)(b[0] | b[1] << 8);
}

static inline uint32_t
get32(const void *p, size_t off)
{
	const uint8_t *b = (const uint8_t *)p + off;
	return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 |
	       (uint32_t)b[3] << 24;
}

static inline void
put16(void *p, size_t off, uint16_t v)
{
	uint8_t *b = (uint8_t *)p + off;
	b[0] = (uint8_t)v;
	b[1] = (uint8_t)(v >> 8);
}

static inline void
put32(void *p, size_t off, uint32_t v)
{
	uint8_t *b = (uint8_t *)p + off;
	b[0] = (uint8_t)v;
	b[1] = (uint8_t)(v >> 8);
	b[2] = (uint8_t)(v >> 16);
	b[3] = (uint8_t)(v >> 24);
}

/* The superblock: 1024 bytes at byte 1024 of the device. */
#define SB_OFFSET 1024
#define SB_SIZE 1024
#define SB_INODES_COUNT 0
#define SB_BLOCKS_COUNT 4
#define SB_R_BLOCKS_COUNT 8
#define SB_FREE_BLOCKS 12
#define SB_FREE_INODES 16
#define SB_FIRST_DATA_BLOCK 20
#define SB_LOG_BLOCK_SIZE 24
#define SB_BLOCKS_PER_GROUP 32
#define SB_INODES_PER_GROUP 40
#define SB_MTIME 44
#define SB_WTIME 48
#define SB_MNT_COUNT 52
#define SB_MAGIC 56
#define SB_STATE 58
#define SB_REV_LEVEL 76
#define SB_FIRST_INO 84
#define SB_INODE_SIZE 88
#define SB_FEATURE_COMPAT 92
#define SB_FEATURE_INCOMPAT 96
#define SB_FEATURE_RO_COMPAT 100
#define SB_RESERVED_GDT 206

#define EXT2_MAGIC 0xEF53
#define EXT2_VALID_FS 1
#define EXT2_ERROR_FS 2
#define EXT2_GOOD_OLD_FIRST_INO 11
#define EXT2_GOOD_OLD_INODE_SIZE 128

#define INCOMPAT_FILETYPE 0x0002
#define RO_COMPAT_SPARSE_SUPER 0x0001
#define RO_COMPAT_LARGE_FILE 0x0002
#define INCOMPAT_KNOWN INCOMPAT_FILETYPE
#define RO_COMPAT_KNOWN (RO_COMPAT_SPARSE_SUPER | RO_COMPAT_LARGE_FILE)

/* A group descriptor: 32 bytes each, from the block after the superblock. */
#define GD_SIZE 32
#define GD_BLOCK_BITMAP 0
#define GD_INODE_BITMAP 4
#define GD_INODE_TABLE 8
#define GD_FREE_BLOCKS 12
#define GD_FREE_INODES 14
#define GD_USED_DIRS 16

/* An inode: 128 bytes, then i_extra_isize bytes of the larger fields. */
#define I_MODE 0
#define I_UID 2
#define I_SIZE 4
#define I_ATIME 8
#define I_CTIME 12
#define I_MTIME 16
#define I_DTIME 20
#define I_GID 24
#define I_LINKS 26
#define I_BLOCKS 28
#define I_FLAGS 32
#define I_BLOCK 40
#define I_GENERATION 100
#define I_FILE_ACL 104
#define I_SIZE_HIGH 108
#define I_UID_HIGH 120
#define I_GID_HIGH 122
#define I_EXTRA_ISIZE 128
#define I_CTIME_EXTRA 132
#define I_MTIME_EXTRA 136
#define I_ATIME_EXTRA 140
#define I_CRTIME 144
#define I_CRTIME_EXTRA 148
#define EXTRA_ISIZE_NEW 32	/* what Linux and mke2fs give new inodes */

#define EXT2_INDEX_FL 0x1000	/* a dir_index hash tree over the entries */
#define EXT2_NDIR 12		/* direct block pointers */
#define EXT2_NBLOCK 15		/* then single, double, triple indirect */
#define EXT2_LINK_MAX 32000
#define XATTR_MAGIC 0xEA020000

/* A directory entry: inode, record length, name length, file type, name. */
#define DE_INODE 0
#define DE_REC_LEN 4
#define DE_NAME_LEN 6
#define DE_TYPE 7
#define DE_NAME 8
#define DE_LEN(name_len) ((8u + (name_len) + 3u) & ~3u)

/* File types: S_IF* as in the mode, FT_* as in a directory entry. */
#define S_FMT 0170000
#define S_FSOCK 0140000
#define S_FLNK 0120000
#define S_FREG 0100000
#define S_FBLK 0060000
#define S_FDIR 0040000
#define S_FCHR 0020000
#define S_FIFO 0010000
#define MODE_IS(mode, t) (((mode) & S_FMT) == (t))

/* ---- the block cache (bcache.c) ---- */

struct bbuf {
	uint64_t blk;		/* the block held; UINT64_MAX when none */
	uint8_t *data;
	struct bbuf *hash_next;
	struct bbuf *lru_prev, *lru_next;	/* while unpinned */
	uint32_t pins;
	uint16_t chunk;		/* which pool chunk data lies in */
	bool valid, dirty;
};

struct bcache;
/* Told of each run of blocks that could not be written back. */
typedef void (*bcache_error_fn)(void *ctx, uint64_t blk, unsigned count,
				int err);

struct bcache *bcache_create(struct blkdev *dev, size_t bytes,
			     bcache_error_fn on_error, void *ctx);
int bcache_read_raw(struct bcache *c, uint64_t byte, void *out, size_t len);
int bcache_set_block_size(struct bcache *c, uint32_t bsize);
unsigned bcache_nbufs(const struct bcache *c);
void bcache_destroy(struct bcache *c);
int bcache_get(struct bcache *c, uint64_t blk, struct bbuf **out);
int bcache_get_nofill(struct bcache *c, uint64_t blk, struct bbuf **out);
bool bcache_cached(struct bcache *c, uint64_t blk);
void bcache_put(struct bcache *c, struct bbuf *b);
void bcache_dirty(struct bcache *c, struct bbuf *b);
void bcache_readahead(struct bcache *c, const uint64_t *blks, unsigned n);
void bcache_discard(struct bcache *c, uint64_t blk);
int bcache_sync(struct bcache *c);

/* ---- the mounted file system ---- */

struct group {
	uint32_t block_bitmap, inode_bitmap, inode_table;
	uint32_t free_blocks, free_inodes, used_dirs;
	uint32_t first_block, nblocks;	/* the blocks it covers */
	uint32_t super_end;	/* past its superblock and GDT copy, if any */
	uint32_t block_hint, inode_hint;	/* lowest bits maybe free */
};

struct hold {
	uint32_t ino, count;
	struct hold *next;
};

#define HOLD_BUCKETS 64

/* Where the last successful lookup in a directory found its name. */
struct dir_hint {
	uint32_t ino;
	uint32_t lblk;
};

#define DIR_HINTS 64

struct ext2_fs {
	struct blkdev *dev;
	struct bcache *cache;
	void (*report)(void *ctx, const char *msg);
	void *report_ctx;
	unsigned reports;	/* made so far */
	bool read_only;
	bool corrupt;		/* something bad was found: not clean */
	bool write_failed;	/* a write-back failed: read-only now */
	bool sb_dirty, gd_dirty;
	uint16_t mount_state;	/* s_state as found, restored at unmount */
	uint8_t sb[SB_SIZE];	/* the primary superblock as last written */

	uint32_t block_size, log_block_size;	/* log: 10, 11 or 12 */
	uint32_t ptrs_per_block, ptr_shift;
	uint32_t blocks_count, first_data_block, r_blocks;
	uint32_t blocks_per_group, inodes_per_group, inodes_count;
	uint32_t first_ino, inode_size, itable_blocks;
	uint32_t ngroups, gdt_blocks, reserved_gdt;
	uint32_t rev, incompat, ro_compat;
	uint64_t free_blocks, free_inodes;
	uint64_t max_size;
	struct group *groups;

	uint32_t next_generation;
	uint8_t *zero_block;
	/* The last block given to a file, the goal of its next one. */
	uint32_t last_ino;
	uint64_t last_lblk;
	uint32_t last_pblk;
	struct hold *holds[HOLD_BUCKETS];
	struct dir_hint dir_hints[DIR_HINTS];
};

/* An inode as the code works on it; inode_store writes it back. */
struct inode {
	uint32_t ino;
	uint16_t mode, links;
	uint32_t uid, gid, flags, blocks, dtime, generation, file_acl;
	uint64_t size;
	uint32_t block[EXT2_NBLOCK];
	struct ext2_time atime, ctime, mtime;
	uint16_t extra_isize;	/* 0 without room for nanoseconds */
};

/* ext2_super.c */
void ext2_report(struct ext2_fs *fs, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int ext2_corrupt(struct ext2_fs *fs, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int ext2_io_error(struct ext2_fs *fs, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void ext2_now(struct ext2_time *t);
int ext2_writable(struct ext2_fs *fs);
void ext2_flush_meta(struct ext2_fs *fs);

/* ext2_alloc.c */
bool ext2_block_ok(const struct ext2_fs *fs, uint32_t blk);
bool ext2_block_is_meta(const struct ext2_fs *fs, uint32_t blk);
bool ext2_block_in_use(struct ext2_fs *fs, uint32_t blk);
int ext2_alloc_block(struct ext2_fs *fs, uint32_t goal, uint32_t *blk);
void ext2_free_block(struct ext2_fs *fs, uint32_t blk);
int ext2_alloc_inode(struct ext2_fs *fs, uint32_t dir, bool is_dir,
		     uint32_t *ino);
void ext2_free_inode_bit(struct ext2_fs *fs, uint32_t ino, bool is_dir);
uint32_t ext2_group_of_ino(const struct ext2_fs *fs, uint32_t ino);
void ext2_init_group(struct ext2_fs *fs, uint32_t g);

/* ext2_inode.c */
int inode_load(struct ext2_fs *fs, uint32_t ino, struct inode *ip);
int inode_store(struct ext2_fs *fs, const struct inode *ip);
int inode_init(struct ext2_fs *fs, struct inode *ip, uint32_t ino,
	       uint32_t mode, uint32_t uid, uint32_t gid);
int inode_check_writable(struct ext2_fs *fs, const struct inode *ip);
int inode_bmap(struct ext2_fs *fs, struct inode *ip, uint64_t lblk,
	       bool create, uint32_t *pblk, bool *fresh);
void inode_readahead(struct ext2_fs *fs, struct inode *ip, uint64_t lblk,
		     uint64_t count);
int inode_truncate(struct ext2_fs *fs, struct inode *ip, uint64_t size);
int inode_drop_link(struct ext2_fs *fs, struct inode *ip);
void inode_free(struct ext2_fs *fs, struct inode *ip);
bool inode_held(struct ext2_fs *fs, uint32_t ino);
void inode_free_orphans(struct ext2_fs *fs);
bool inode_fast_symlink(const struct ext2_fs *fs, const struct inode *ip);
bool inode_has_blocks(const struct ext2_fs *fs, const struct inode *ip);
uint64_t inode_max_size(const struct ext2_fs *fs, const struct inode *ip);

/* ext2_recover.c */
void ext2_recover_bitmaps(struct ext2_fs *fs);

/* ext2_dir.c */
struct dir_pos {
	uint64_t lblk;		/* the directory block */
	uint32_t off;		/* the entry's offset in it */
	uint32_t prev;		/* the entry before it, or UINT32_MAX */
	uint32_t ino;
	uint8_t type;
};
int dir_check(struct ext2_fs *fs, const struct inode *dp);
int dir_find(struct ext2_fs *fs, struct inode *dp, const char *name,
	     size_t len, struct dir_pos *pos);
int dir_add(struct ext2_fs *fs, struct inode *dp, const char *name,
	    size_t len, uint32_t ino, uint16_t mode);
int dir_make_room(struct ext2_fs *fs, struct inode *dp, const char *name,
		  size_t len, struct dir_pos *slot);
int dir_insert(struct ext2_fs *fs, struct inode *dp,
	       const struct dir_pos *slot, const char *name, size_t len,
	       uint32_t ino, uint16_t mode);
int dir_remove(struct ext2_fs *fs, struct inode *dp,
	       const struct dir_pos *pos);
int dir_set(struct ext2_fs *fs, struct inode *dp, const struct dir_pos *pos,
	    uint32_t ino, uint16_t mode);
int dir_is_empty(struct ext2_fs *fs, struct inode *dp);
int dir_init(struct ext2_fs *fs, struct inode *dp, uint32_t parent);
uint8_t dir_type_of(const struct ext2_fs *fs, uint16_t mode);

#endif
