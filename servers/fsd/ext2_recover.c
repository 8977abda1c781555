/*
 * The allocation bitmaps of an image that was not cleanly unmounted,
 * rebuilt from its inodes before a read-write mount allocates anything.
 * fsd writes metadata back lazily, so after it (or the machine) died the
 * bitmaps and free counts on the disk can call blocks and inodes in use
 * free. As e2fsck's passes 1 and 5 do, every inode table is read, each
 * inode in use and every block it names is marked in new bitmaps, and
 * those replace the old ones with the free counts. Nothing else changes:
 * directories, link counts and orphans are left for e2fsck.
 */
#include "ext2_int.h"
#include <stdlib.h>

#define RESIZE_INO 7		/* its map lists the reserved GDT blocks */
#define ITABLE_BATCH 1024	/* inode table blocks read at once, at most */
#define SHARED_REPORTS 10	/* inodes whose bad or shared blocks are told */

struct rebuild {
	struct ext2_fs *fs;
	uint8_t *blocks;	/* bit blk - first_data_block: in use */
	uint8_t *inodes;	/* group g's ipg bits from byte g * inode_bytes */
	uint32_t inode_bytes;
	uint32_t *dirs;		/* directories in use, per group */
	uint64_t *batch;	/* blocks to read ahead */
	uint32_t batch_max;
	uint32_t ino;		/* the inode being walked */
	bool told;		/* its bad or shared block was found */
	uint32_t bad_inodes;	/* inodes naming bad or shared blocks */
	bool failed;		/* a read failed: the new maps are incomplete */
};

/* What replacing the bitmaps changed, for the summary report. */
struct diff {
	uint64_t blocks_were_free, blocks_were_used;
	uint64_t inodes_were_free, inodes_were_used;
};

static bool
bit_test(const uint8_t *map, uint64_t bit)
{
	return map[bit >> 3] & (1u << (bit & 7));
}

static void
bit_set(uint8_t *map, uint64_t bit)
{
	map[bit >> 3] |= (uint8_t)(1u << (bit & 7));
}

/* Marks the metadata of every group in use. */
static void
mark_meta(struct rebuild *r)
{
	struct ext2_fs *fs = r->fs;
	for (uint32_t g = 0; g < fs->ngroups; g++) {
		const struct group *gr = &fs->groups[g];
		for (uint32_t b = gr->first_block; b < gr->super_end; b++)
			bit_set(r->blocks, b - fs->first_data_block);
		bit_set(r->blocks, gr->block_bitmap - fs->first_data_block);
		bit_set(r->blocks, gr->inode_bitmap - fs->first_data_block);
		for (uint32_t i = 0; i < fs->itable_blocks; i++)
			bit_set(r->blocks,
				gr->inode_table + i - fs->first_data_block);
	}
}

/* Tells of the inode's first bad or shared block, for a few inodes. */
static void
tell(struct rebuild *r, const char *what, uint32_t blk)
{
	if (r->told)
		return;
	r->told = true;
	if (r->bad_inodes++ < SHARED_REPORTS)
		ext2_corrupt(r->fs, "inode %u %s block %u", r->ino, what, blk);
	else
		r->fs->corrupt = true;
}

/*
 * Marks blk in use for the inode being walked: true if it was not yet.
 * A block claimed before keeps its first claim; an out-of-range one is
 * skipped.
 */
static bool
claim(struct rebuild *r, uint32_t blk)
{
	struct ext2_fs *fs = r->fs;
	if (!ext2_block_ok(fs, blk)) {
		tell(r, "has bad", blk);
		return false;
	}
	uint64_t bit = blk - fs->first_data_block;
	if (bit_test(r->blocks, bit)) {
		tell(r, ext2_block_is_meta(fs, blk) ? "names metadata"
						    : "shares", blk);
		return false;
	}
	bit_set(r->blocks, bit);
	return true;
}

/*
 * Marks blk (level 0: a data block; 1-3: indirect) and what it maps. An
 * indirect block is read only when newly claimed, so the walk reads each
 * block at most once however the maps are damaged.
 */
static void
walk(struct rebuild *r, uint32_t blk, int level)
{
	struct ext2_fs *fs = r->fs;
	if (!claim(r, blk) || level == 0)
		return;
	struct bbuf *b;
	if (bcache_get(fs->cache, blk, &b)) {
		ext2_io_error(fs, "reading block %u failed", blk);
		r->failed = true;
		return;
	}
	for (uint32_t i = 0; i < fs->ptrs_per_block && !r->failed; i++) {
		uint32_t next = get32(b->data, i * 4);
		if (next)
			walk(r, next, level - 1);
	}
	bcache_put(fs->cache, b);
}

/* Whether ip counts as allocated, as e2fsck decides. */
static bool
inode_in_use(struct ext2_fs *fs, const struct inode *ip)
{
	if (ip->ino < fs->first_ino)
		return true;
	return ip->mode && (ip->links > 0 ||
			    (ip->dtime == 0 && inode_held(fs, ip->ino)));
}

/* Marks the blocks of ip (in use): its map and its attribute block. */
static void
mark_inode_blocks(struct rebuild *r, const struct inode *ip)
{
	struct ext2_fs *fs = r->fs;
	r->ino = ip->ino;
	r->told = false;
	if (ip->ino == RESIZE_INO) {
		/* Its double indirect block lists metadata, marked already. */
		if (ip->block[EXT2_NDIR + 1])
			claim(r, ip->block[EXT2_NDIR + 1]);
	} else if (inode_has_blocks(fs, ip) ||
		   (ip->ino < fs->first_ino && ip->mode == 0)) {
		for (int s = 0; s < EXT2_NBLOCK && !r->failed; s++) {
			int level = s < EXT2_NDIR ? 0 : s - EXT2_NDIR + 1;
			if (ip->block[s])
				walk(r, ip->block[s], level);
		}
	}
	/* An attribute block may be shared by inodes: no second claim. */
	uint32_t acl = ip->file_acl;
	if (acl && !ext2_block_ok(fs, acl))
		tell(r, "has bad attribute", acl);
	else if (acl)
		bit_set(r->blocks, acl - fs->first_data_block);
}

/* Reads ahead inode table blocks [first, first + n) of group g. */
static void
read_ahead(struct rebuild *r, uint32_t g, uint32_t first, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		r->batch[i] = r->fs->groups[g].inode_table + first + i;
	if (n > 1)
		bcache_readahead(r->fs->cache, r->batch, n);
}

/*
 * Reads ahead the indirect blocks that group g's inodes [from, to) in use
 * name in their inodes, in batches, so the walk does not wait for them
 * one at a time. Only a hint: nothing is checked or marked here.
 */
static void
read_ahead_maps(struct rebuild *r, uint32_t g, uint32_t from, uint32_t to)
{
	struct ext2_fs *fs = r->fs;
	uint32_t n = 0;
	for (uint32_t i = from; i < to; i++) {
		struct inode ip;
		if (inode_load(fs, g * fs->inodes_per_group + i + 1, &ip) ||
		    !inode_in_use(fs, &ip) || !inode_has_blocks(fs, &ip))
			continue;
		for (int s = EXT2_NDIR; s < EXT2_NBLOCK; s++) {
			if (!ip.block[s] || !ext2_block_ok(fs, ip.block[s]))
				continue;
			r->batch[n++] = ip.block[s];
			if (n == r->batch_max) {
				bcache_readahead(fs->cache, r->batch, n);
				n = 0;
			}
		}
	}
	if (n)
		bcache_readahead(fs->cache, r->batch, n);
}

/* Marks group g's inodes in use and their blocks; -EIO on a read error. */
static int
scan_group(struct rebuild *r, uint32_t g)
{
	struct ext2_fs *fs = r->fs;
	uint32_t per_block = fs->block_size / fs->inode_size;
	uint32_t ipg = fs->inodes_per_group;
	for (uint32_t first = 0; first < fs->itable_blocks;
	     first += r->batch_max) {
		uint32_t n = fs->itable_blocks - first;
		n = n < r->batch_max ? n : r->batch_max;
		uint32_t from = first * per_block, to = (first + n) * per_block;
		to = to < ipg ? to : ipg;
		read_ahead(r, g, first, n);
		read_ahead_maps(r, g, from, to);
		for (uint32_t i = from; i < to; i++) {
			struct inode ip;
			if (inode_load(fs, g * ipg + i + 1, &ip))
				return -EIO;
			if (!inode_in_use(fs, &ip))
				continue;
			bit_set(r->inodes, (uint64_t)g * r->inode_bytes * 8 + i);
			if (MODE_IS(ip.mode, S_FDIR))
				r->dirs[g]++;
			mark_inode_blocks(r, &ip);
			if (r->failed)
				return -EIO;
		}
	}
	return 0;
}

static unsigned
popcount8(uint8_t x)
{
	return (unsigned)__builtin_popcount(x);
}

/*
 * Puts the first n bits of map into the bitmap block at blk (the bits
 * past n set, as mke2fs leaves them), dirty if it changed. Counts the
 * bits that were clear and are set now, and the other way; returns the
 * bits set, or -1 if the block could not be read.
 */
static int64_t
replace_bitmap(struct ext2_fs *fs, uint32_t blk, const uint8_t *map,
	       uint32_t n, uint64_t *were_free, uint64_t *were_used)
{
	struct bbuf *b;
	if (bcache_get(fs->cache, blk, &b))
		return -1;
	int64_t used = 0;
	bool changed = false;
	for (uint32_t byte = 0; byte < fs->block_size; byte++) {
		uint8_t want = 0xff;
		if (byte * 8 < n) {
			uint32_t bits = n - byte * 8;
			uint8_t mask = bits >= 8 ? 0xff
						 : (uint8_t)((1u << bits) - 1);
			want = (uint8_t)((map[byte] & mask) | ~mask);
			uint8_t old = b->data[byte] & mask;
			*were_free += popcount8(want & mask & ~old);
			*were_used += popcount8(old & ~want);
			used += popcount8(want & mask);
		}
		if (b->data[byte] != want) {
			b->data[byte] = want;
			changed = true;
		}
	}
	if (changed)
		bcache_dirty(fs->cache, b);
	bcache_put(fs->cache, b);
	return used;
}

/* Replaces every group's bitmaps and free counts with the rebuilt ones. */
static int
apply(struct rebuild *r, struct diff *d)
{
	struct ext2_fs *fs = r->fs;
	fs->free_blocks = fs->free_inodes = 0;
	for (uint32_t g = 0; g < fs->ngroups; g++) {
		struct group *gr = &fs->groups[g];
		const uint8_t *bmap = r->blocks + (uint64_t)g *
						   (fs->blocks_per_group / 8);
		const uint8_t *imap = r->inodes + (uint64_t)g * r->inode_bytes;
		int64_t blocks = replace_bitmap(fs, gr->block_bitmap, bmap,
						gr->nblocks, &d->blocks_were_free,
						&d->blocks_were_used);
		int64_t inodes = replace_bitmap(fs, gr->inode_bitmap, imap,
						fs->inodes_per_group,
						&d->inodes_were_free,
						&d->inodes_were_used);
		if (blocks < 0 || inodes < 0)
			return ext2_io_error(fs, "reading group %u's bitmaps "
					     "failed", g);
		gr->free_blocks = gr->nblocks - (uint32_t)blocks;
		gr->free_inodes = fs->inodes_per_group - (uint32_t)inodes;
		gr->used_dirs = r->dirs[g];
		gr->block_hint = gr->inode_hint = 0;
		fs->free_blocks += gr->free_blocks;
		fs->free_inodes += gr->free_inodes;
	}
	fs->gd_dirty = fs->sb_dirty = true;
	return 0;
}

static int
rebuild(struct rebuild *r)
{
	struct ext2_fs *fs = r->fs;
	mark_meta(r);
	for (uint32_t g = 0; g < fs->ngroups; g++)
		if (scan_group(r, g))
			return -EIO;
	struct diff d = { 0 };
	if (apply(r, &d))
		return -EIO;
	ext2_report(fs, "not cleanly unmounted: rebuilt the allocation "
		    "bitmaps: %llu blocks and %llu inodes were marked free "
		    "while in use, %llu blocks and %llu inodes marked used "
		    "while free",
		    (unsigned long long)d.blocks_were_free,
		    (unsigned long long)d.inodes_were_free,
		    (unsigned long long)d.blocks_were_used,
		    (unsigned long long)d.inodes_were_used);
	if (r->bad_inodes)
		ext2_report(fs, "%u inodes name bad or shared blocks; run "
			    "e2fsck", r->bad_inodes);
	return 0;
}

/*
 * Rebuilds fs's block and inode bitmaps and free counts from its inodes
 * (fs is mounted read-write, nothing allocated yet); the changed blocks
 * are left dirty in the cache. If that cannot be done (no memory, a read
 * error) fs is made read-only, so nothing is allocated from stale maps.
 */
void
ext2_recover_bitmaps(struct ext2_fs *fs)
{
	struct rebuild r = { .fs = fs };
	r.inode_bytes = (fs->inodes_per_group + 7) / 8;
	r.batch_max = bcache_nbufs(fs->cache) / 4;
	if (r.batch_max > ITABLE_BATCH)
		r.batch_max = ITABLE_BATCH;
	if (r.batch_max == 0)
		r.batch_max = 1;
	r.blocks = calloc(fs->ngroups, fs->blocks_per_group / 8);
	r.inodes = calloc(fs->ngroups, r.inode_bytes);
	r.dirs = calloc(fs->ngroups, sizeof(*r.dirs));
	r.batch = calloc(r.batch_max, sizeof(*r.batch));
	if (!r.blocks || !r.inodes || !r.dirs || !r.batch) {
		ext2_report(fs, "no memory to rebuild the allocation bitmaps: "
			    "mounting read-only");
		fs->read_only = true;
	} else if (rebuild(&r)) {
		ext2_report(fs, "could not rebuild the allocation bitmaps: "
			    "mounting read-only");
		fs->read_only = true;
	}
	free(r.blocks);
	free(r.inodes);
	free(r.dirs);
	free(r.batch);
}
