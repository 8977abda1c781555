/*
 * ext2 directories: linear lists of entries in whole blocks, none across
 * a block's end. Every entry is checked as it is walked. New entries take
 * an entry's slack (or an empty entry); removed ones merge into the entry
 * before them. A directory changed here loses its dir_index flag, so the
 * hash tree Linux may have built is no longer believed (as Linux's ext2).
 */
#include "ext2_int.h"

#define DIR_READAHEAD 16

enum {	/* file types in directory entries */
	FT_UNKNOWN, FT_REG, FT_DIR, FT_CHR, FT_BLK, FT_FIFO, FT_SOCK, FT_LNK,
};
enum {	/* and as readdir gives them (DT_*, the same in every libc) */
	DT_UNKNOWN_ = 0, DT_FIFO_ = 1, DT_CHR_ = 2, DT_DIR_ = 4, DT_BLK_ = 6,
	DT_REG_ = 8, DT_LNK_ = 10, DT_SOCK_ = 12,
};

uint8_t
dir_type_of(const struct ext2_fs *fs, uint16_t mode)
{
	if (!(fs->incompat & INCOMPAT_FILETYPE))
		return FT_UNKNOWN;
	switch (mode & S_FMT) {
	case S_FREG: return FT_REG;
	case S_FDIR: return FT_DIR;
	case S_FCHR: return FT_CHR;
	case S_FBLK: return FT_BLK;
	case S_FIFO: return FT_FIFO;
	case S_FSOCK: return FT_SOCK;
	case S_FLNK: return FT_LNK;
	}
	return FT_UNKNOWN;
}

static unsigned
dt_of(uint8_t ft)
{
	static const unsigned dt[] = {
		DT_UNKNOWN_, DT_REG_, DT_DIR_, DT_CHR_, DT_BLK_, DT_FIFO_,
		DT_SOCK_, DT_LNK_,
	};
	return ft < sizeof(dt) / sizeof(dt[0]) ? dt[ft] : DT_UNKNOWN_;
}

/*
 * 0 if dp is a directory this code can walk: -ENOTDIR, -ENOENT for one
 * removed but still held, -EIO for a damaged one.
 */
int
dir_check(struct ext2_fs *fs, const struct inode *dp)
{
	if (!MODE_IS(dp->mode, S_FDIR))
		return -ENOTDIR;
	if (dp->links == 0)
		return inode_held(fs, dp->ino)
			       ? -ENOENT
			       : ext2_corrupt(fs, "directory %u has no links",
					      dp->ino);
	/* Directories have no holes: the size is bounded by the blocks. */
	if (dp->size == 0 || dp->size % fs->block_size ||
	    dp->size > UINT32_MAX || dp->size > (uint64_t)dp->blocks * 512)
		return ext2_corrupt(fs, "directory %u has size %llu", dp->ino,
				    (unsigned long long)dp->size);
	return 0;
}

/* Checks the entry at off of a directory block: its length, or -EIO. */
static int
entry_check(struct ext2_fs *fs, const struct inode *dp, uint64_t lblk,
	    const uint8_t *blk, uint32_t off)
{
	uint32_t bs = fs->block_size;
	if (off > bs - 8)
		goto bad;
	uint32_t rec = get16(blk, off + DE_REC_LEN);
	uint32_t nl = blk[off + DE_NAME_LEN];
	uint32_t ino = get32(blk, off + DE_INODE);
	if (rec < DE_LEN(nl) || rec % 4 || rec > bs - off ||
	    ino > fs->inodes_count || (ino && nl == 0))
		goto bad;
	return (int)rec;
bad:
	return ext2_corrupt(fs, "directory %u block %llu: bad entry at %u",
			    dp->ino, (unsigned long long)lblk, off);
}

/* Directory block lblk of dp, pinned; reads ahead on a miss. */
static int
dir_block(struct ext2_fs *fs, struct inode *dp, uint64_t lblk, bool write,
	  struct bbuf **out)
{
	uint32_t pblk;
	bool fresh;
	int err = inode_bmap(fs, dp, lblk, false, &pblk, &fresh);
	if (err)
		return err;
	if (!pblk)
		return ext2_corrupt(fs, "directory %u has a hole at block %llu",
				    dp->ino, (unsigned long long)lblk);
	if (write && ext2_block_is_meta(fs, pblk))
		return ext2_corrupt(fs, "directory %u's block %u is metadata",
				    dp->ino, pblk);
	if (!bcache_cached(fs->cache, pblk))
		inode_readahead(fs, dp, lblk, DIR_READAHEAD);
	if (bcache_get(fs->cache, pblk, out))
		return ext2_io_error(fs, "reading block %u failed", pblk);
	return 0;
}

static bool
entry_is(const uint8_t *blk, uint32_t off, const char *name, size_t len)
{
	/* The last byte first: names in a directory often share a prefix. */
	return blk[off + DE_NAME_LEN] == len &&
	       blk[off + DE_NAME + len - 1] == (uint8_t)name[len - 1] &&
	       get32(blk, off + DE_INODE) &&
	       memcmp(blk + off + DE_NAME, name, len) == 0;
}

/*
 * Finds name in dp: 0 with where it is in *pos, -ENOENT, or -EIO. With
 * slot (for an entry of that name to be added), also notes there the
 * first place with room for it (slot->off UINT32_MAX: none). A lookup
 * starts at the block where the last one in dp succeeded (as Linux's
 * ext2), so stat after readdir does not rescan a large directory.
 */
static int
dir_scan(struct ext2_fs *fs, struct inode *dp, const char *name, size_t len,
	 struct dir_pos *pos, struct dir_pos *slot)
{
	uint32_t need = DE_LEN(len);
	uint64_t nblocks = dp->size >> fs->log_block_size, start = 0;
	struct dir_hint *hint = &fs->dir_hints[dp->ino % DIR_HINTS];
	if (slot)
		slot->off = UINT32_MAX;
	else if (hint->ino == dp->ino && hint->lblk < nblocks)
		start = hint->lblk;
	for (uint64_t k = 0; k < nblocks; k++) {
		uint64_t lblk = (start + k) % nblocks;
		struct bbuf *b;
		int err = dir_block(fs, dp, lblk, false, &b);
		if (err)
			return err;
		uint32_t prev = UINT32_MAX;
		for (uint32_t off = 0; off < fs->block_size;) {
			int rec = entry_check(fs, dp, lblk, b->data, off);
			if (rec < 0) {
				bcache_put(fs->cache, b);
				return rec;
			}
			if (entry_is(b->data, off, name, len)) {
				*pos = (struct dir_pos){
					.lblk = lblk, .off = off, .prev = prev,
					.ino = get32(b->data, off + DE_INODE),
					.type = b->data[off + DE_TYPE],
				};
				*hint = (struct dir_hint){ dp->ino, (uint32_t)lblk };
				bcache_put(fs->cache, b);
				return 0;
			}
			uint32_t used = get32(b->data, off + DE_INODE)
				? DE_LEN(b->data[off + DE_NAME_LEN]) : 0;
			if (slot && slot->off == UINT32_MAX &&
			    (uint32_t)rec - used >= need) {
				slot->lblk = lblk;
				slot->off = off;
			}
			prev = off;
			off += (uint32_t)rec;
		}
		bcache_put(fs->cache, b);
	}
	return -ENOENT;
}

int
dir_find(struct ext2_fs *fs, struct inode *dp, const char *name, size_t len,
	 struct dir_pos *pos)
{
	return dir_scan(fs, dp, name, len, pos, NULL);
}

/* Marks dp's entries changed: new times, and no hash tree to trust. */
static void
dir_changed(struct inode *dp)
{
	dp->flags &= ~EXT2_INDEX_FL;
	ext2_now(&dp->mtime);
	dp->ctime = dp->mtime;
}

/* Adds an empty block to dp: its number in *lblk. */
static int
dir_grow(struct ext2_fs *fs, struct inode *dp, uint64_t *lblk)
{
	if (dp->size + fs->block_size > inode_max_size(fs, dp))
		return -ENOSPC;
	uint32_t pblk;
	bool fresh;
	*lblk = dp->size >> fs->log_block_size;
	int err = inode_bmap(fs, dp, *lblk, true, &pblk, &fresh);
	if (err)
		return err;
	if (!fresh)
		return ext2_corrupt(fs, "directory %u has blocks past its end",
				    dp->ino);
	struct bbuf *b;
	err = bcache_get_nofill(fs->cache, pblk, &b);
	if (err)
		return err;
	memset(b->data, 0, fs->block_size);
	put16(b->data, DE_REC_LEN, (uint16_t)fs->block_size);
	bcache_dirty(fs->cache, b);
	bcache_put(fs->cache, b);
	dp->size += fs->block_size;
	return 0;
}

/*
 * Finds room in dp for an entry called name (growing dp by a block if it
 * has none) in *slot, or -EEXIST if name is there: one pass over dp. dp
 * may change (size, blocks): the caller stores it, whatever happens.
 */
int
dir_make_room(struct ext2_fs *fs, struct inode *dp, const char *name,
	      size_t len, struct dir_pos *slot)
{
	struct dir_pos found;
	int err = dir_scan(fs, dp, name, len, &found, slot);
	if (err == 0)
		return -EEXIST;
	if (err != -ENOENT)
		return err;
	if (slot->off != UINT32_MAX)
		return 0;
	slot->off = 0;
	return dir_grow(fs, dp, &slot->lblk);
}

static void
entry_put(uint8_t *e, uint32_t rec, const char *name, size_t len,
	  uint32_t ino, uint8_t type)
{
	memset(e, 0, DE_LEN(len));
	put32(e, DE_INODE, ino);
	put16(e, DE_REC_LEN, (uint16_t)rec);
	e[DE_NAME_LEN] = (uint8_t)len;
	e[DE_TYPE] = type;
	memcpy(e + DE_NAME, name, len);
}

/* Writes the entry name → ino into the room dir_make_room found. */
int
dir_insert(struct ext2_fs *fs, struct inode *dp, const struct dir_pos *slot,
	   const char *name, size_t len, uint32_t ino, uint16_t mode)
{
	struct bbuf *b;
	int err = dir_block(fs, dp, slot->lblk, true, &b);
	if (err)
		return err;
	uint32_t off = slot->off, need = DE_LEN(len);
	int rec = entry_check(fs, dp, slot->lblk, b->data, off);
	if (rec >= 0) {
		uint8_t *e = b->data + off;
		uint32_t used = get32(e, DE_INODE) ? DE_LEN(e[DE_NAME_LEN]) : 0;
		if ((uint32_t)rec - used < need) {
			err = ext2_corrupt(fs, "directory %u changed under an "
					   "insert", dp->ino);
		} else {
			if (used)
				put16(e, DE_REC_LEN, (uint16_t)used);
			entry_put(e + used, (uint32_t)rec - used, name, len, ino,
				  dir_type_of(fs, mode));
			bcache_dirty(fs->cache, b);
			dir_changed(dp);
		}
	} else {
		err = rec;
	}
	bcache_put(fs->cache, b);
	return err;
}

/* Adds name → ino to dp (-EEXIST if there); the caller stores dp. */
int
dir_add(struct ext2_fs *fs, struct inode *dp, const char *name, size_t len,
	uint32_t ino, uint16_t mode)
{
	struct dir_pos slot;
	int err = dir_make_room(fs, dp, name, len, &slot);
	return err ? err : dir_insert(fs, dp, &slot, name, len, ino, mode);
}

/* Removes the entry dir_find found at pos; the caller stores dp. */
int
dir_remove(struct ext2_fs *fs, struct inode *dp, const struct dir_pos *pos)
{
	struct bbuf *b;
	int err = dir_block(fs, dp, pos->lblk, true, &b);
	if (err)
		return err;
	int rec = entry_check(fs, dp, pos->lblk, b->data, pos->off);
	if (rec >= 0 && pos->prev != UINT32_MAX) {
		int prec = entry_check(fs, dp, pos->lblk, b->data, pos->prev);
		if (prec >= 0 && pos->prev + (uint32_t)prec != pos->off)
			prec = ext2_corrupt(fs, "directory %u changed under a "
					    "remove", dp->ino);
		if (prec >= 0)
			put16(b->data, pos->prev + DE_REC_LEN,
			      (uint16_t)(prec + rec));
		rec = prec < 0 ? prec : rec;
	}
	if (rec >= 0) {
		put32(b->data, pos->off + DE_INODE, 0);
		bcache_dirty(fs->cache, b);
		dir_changed(dp);
	}
	bcache_put(fs->cache, b);
	return rec < 0 ? rec : 0;
}

/* Points the entry at pos to ino instead; the caller stores dp. */
int
dir_set(struct ext2_fs *fs, struct inode *dp, const struct dir_pos *pos,
	uint32_t ino, uint16_t mode)
{
	struct bbuf *b;
	int err = dir_block(fs, dp, pos->lblk, true, &b);
	if (err)
		return err;
	int rec = entry_check(fs, dp, pos->lblk, b->data, pos->off);
	if (rec >= 0) {
		put32(b->data, pos->off + DE_INODE, ino);
		b->data[pos->off + DE_TYPE] = dir_type_of(fs, mode);
		bcache_dirty(fs->cache, b);
		dir_changed(dp);
	}
	bcache_put(fs->cache, b);
	return rec < 0 ? rec : 0;
}

static bool
is_dot_or_dotdot(const uint8_t *e)
{
	uint8_t nl = e[DE_NAME_LEN];
	return (nl == 1 && e[DE_NAME] == '.') ||
	       (nl == 2 && e[DE_NAME] == '.' && e[DE_NAME + 1] == '.');
}

/* 1 if dp has no entries but "." and "..", 0 if it has, or -EIO. */
int
dir_is_empty(struct ext2_fs *fs, struct inode *dp)
{
	uint64_t nblocks = dp->size >> fs->log_block_size;
	for (uint64_t lblk = 0; lblk < nblocks; lblk++) {
		struct bbuf *b;
		int err = dir_block(fs, dp, lblk, false, &b), empty = 1;
		if (err)
			return err;
		for (uint32_t off = 0; off < fs->block_size && empty == 1;) {
			int rec = entry_check(fs, dp, lblk, b->data, off);
			if (rec < 0)
				empty = rec;
			else if (get32(b->data, off + DE_INODE) &&
				 !is_dot_or_dotdot(b->data + off))
				empty = 0;
			off += rec < 0 ? 0 : (uint32_t)rec;
		}
		bcache_put(fs->cache, b);
		if (empty != 1)
			return empty;
	}
	return 1;
}

/* Gives the new directory dp its first block: "." and ".." (parent). */
int
dir_init(struct ext2_fs *fs, struct inode *dp, uint32_t parent)
{
	uint64_t lblk;
	int err = dir_grow(fs, dp, &lblk);
	if (err)
		return err;
	struct bbuf *b;
	err = dir_block(fs, dp, 0, true, &b);
	if (err)
		return err;
	entry_put(b->data, 12, ".", 1, dp->ino, dir_type_of(fs, S_FDIR));
	entry_put(b->data + 12, fs->block_size - 12, "..", 2, parent,
		  dir_type_of(fs, S_FDIR));
	bcache_dirty(fs->cache, b);
	bcache_put(fs->cache, b);
	return 0;
}

int
ext2_lookup(struct ext2_fs *fs, uint32_t dir, const char *name, size_t len,
	    uint32_t *ino)
{
	struct inode dp;
	struct dir_pos pos;
	if (len > EXT2_NAME_MAX)
		return -ENAMETOOLONG;
	if (len == 0)
		return -ENOENT;
	int err = inode_load(fs, dir, &dp);
	if (!err)
		err = dir_check(fs, &dp);
	if (!err)
		err = dir_find(fs, &dp, name, len, &pos);
	if (!err)
		*ino = pos.ino;
	return err;
}

/* Emits block lblk's entries from byte off on; 1 when emit said stop. */
static int
readdir_block(struct ext2_fs *fs, struct inode *dp, uint64_t lblk,
	      uint64_t *pos, ext2_emit_fn emit, void *ctx)
{
	struct bbuf *b;
	int err = dir_block(fs, dp, lblk, false, &b);
	if (err)
		return err;
	uint64_t base = lblk << fs->log_block_size;
	uint32_t from = (uint32_t)(*pos - base);
	int stop = 0;
	for (uint32_t off = 0; off < fs->block_size && !stop;) {
		int rec = entry_check(fs, dp, lblk, b->data, off);
		if (rec < 0) {
			stop = rec;
			break;
		}
		const uint8_t *e = b->data + off;
		uint32_t ino = get32(e, DE_INODE);
		uint64_t next = base + off + (uint32_t)rec;
		if (off >= from && ino) {
			if (emit(ctx, (const char *)e + DE_NAME, e[DE_NAME_LEN],
				 ino, dt_of(e[DE_TYPE]), next)) {
				*pos = base + off;
				stop = 1;
				break;
			}
		}
		if (off >= from)
			*pos = next;
		off += (uint32_t)rec;
	}
	bcache_put(fs->cache, b);
	return stop;
}

int
ext2_readdir(struct ext2_fs *fs, uint32_t ino, uint64_t *pos,
	     ext2_emit_fn emit, void *ctx)
{
	struct inode dp;
	int err = inode_load(fs, ino, &dp);
	if (!err)
		err = dir_check(fs, &dp);
	if (err)
		return err == -ENOENT ? 0 : err;
	while (*pos < dp.size) {
		uint64_t lblk = *pos >> fs->log_block_size;
		err = readdir_block(fs, &dp, lblk, pos, emit, ctx);
		if (err)
			return err < 0 ? err : 0;
		*pos = (lblk + 1) << fs->log_block_size;
	}
	return 0;
}
