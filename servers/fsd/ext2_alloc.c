/*
 * ext2's allocators: blocks and inodes out of the groups' bitmaps, with
 * the free counts of the group descriptors and superblock kept in step.
 * A file's blocks go near a goal (its last block, so sequential writes
 * are contiguous); directories are spread over the groups, files follow
 * their directory. A bitmap is not trusted to protect the metadata.
 */
#include "ext2_int.h"

/* Whether blk may be a file's block: inside the file system's data area. */
bool
ext2_block_ok(const struct ext2_fs *fs, uint32_t blk)
{
	return blk >= fs->first_data_block && blk < fs->blocks_count;
}

static uint32_t
group_of_block(const struct ext2_fs *fs, uint32_t blk)
{
	return (blk - fs->first_data_block) / fs->blocks_per_group;
}

uint32_t
ext2_group_of_ino(const struct ext2_fs *fs, uint32_t ino)
{
	return (ino - 1) / fs->inodes_per_group;
}

/*
 * Whether blk (ext2_block_ok) holds metadata: a superblock or descriptor
 * copy (with the reserved descriptor blocks), a bitmap, an inode table.
 */
bool
ext2_block_is_meta(const struct ext2_fs *fs, uint32_t blk)
{
	const struct group *gr = &fs->groups[group_of_block(fs, blk)];
	return blk < gr->super_end || blk == gr->block_bitmap ||
	       blk == gr->inode_bitmap ||
	       (blk >= gr->inode_table &&
		blk - gr->inode_table < fs->itable_blocks);
}

static bool
bit_test(const uint8_t *map, uint32_t bit)
{
	return map[bit >> 3] & (1u << (bit & 7));
}

static void
bit_set(uint8_t *map, uint32_t bit)
{
	map[bit >> 3] |= (uint8_t)(1u << (bit & 7));
}

static void
bit_clear(uint8_t *map, uint32_t bit)
{
	map[bit >> 3] &= (uint8_t)~(1u << (bit & 7));
}

/* The first clear bit of map in [start, end), or end. */
static uint32_t
find_clear(const uint8_t *map, uint32_t start, uint32_t end)
{
	uint32_t i = start;
	while (i < end) {
		if ((i & 63) == 0 && end - i >= 64) {
			uint64_t word;
			memcpy(&word, map + (i >> 3), sizeof(word));
			if (word == UINT64_MAX) {
				i += 64;
				continue;
			}
		}
		if (!bit_test(map, i))
			return i;
		i++;
	}
	return end;
}

static void
counts_changed(struct ext2_fs *fs)
{
	fs->gd_dirty = true;
	fs->sb_dirty = true;
}

/* The first bit of a wholly clear byte of map in [start, end), or end. */
static uint32_t
find_clear_byte(const uint8_t *map, uint32_t start, uint32_t end)
{
	for (uint32_t i = (start + 7) & ~7u; i + 8 <= end; i += 8)
		if (map[i >> 3] == 0)
			return i;
	return end;
}

/*
 * Which free bit of map in [start, end) to take: start itself if free;
 * else the start of a free run of at least 8 (so a file grows into room,
 * not into the single holes others left); else the first free one.
 */
static uint32_t
pick_bit(const uint8_t *map, uint32_t start, uint32_t end, uint32_t first)
{
	if (first == start || first == end)
		return first;
	uint32_t run = find_clear_byte(map, first, end);
	if (run == end)
		return first;
	for (int back = 0; back < 7 && run > first && !bit_test(map, run - 1);
	     back++)
		run--;
	return run;
}

/*
 * Takes a free block of group g's bitmap in [start, end) (pick_bit's
 * choice), skipping (and marking used) any that is metadata. 0 and *blk,
 * or -ENOSPC.
 */
static int
take_block_in(struct ext2_fs *fs, uint32_t g, uint32_t start, uint32_t end,
	      uint32_t *blk)
{
	struct group *gr = &fs->groups[g];
	struct bbuf *b;
	if (bcache_get(fs->cache, gr->block_bitmap, &b)) {
		ext2_report(fs, "reading group %u's block bitmap failed", g);
		return -ENOSPC;
	}
	int err = -ENOSPC;
	uint32_t first = find_clear(b->data, start, end);
	uint32_t bit = pick_bit(b->data, start, end, first);
	if (start <= gr->block_hint)
		gr->block_hint = first;
	while (gr->free_blocks && bit < end) {
		uint32_t cand = gr->first_block + bit;
		bit_set(b->data, bit);
		bcache_dirty(fs->cache, b);
		gr->free_blocks--;
		fs->free_blocks--;
		counts_changed(fs);
		if (bit == gr->block_hint)
			gr->block_hint = bit + 1;
		if (ext2_block_is_meta(fs, cand)) {
			ext2_corrupt(fs, "block bitmap of group %u has "
				     "metadata block %u free", g, cand);
			bit = find_clear(b->data, bit + 1, end);
			continue;
		}
		*blk = cand;
		err = 0;
		break;
	}
	bcache_put(fs->cache, b);
	return err;
}

/* A free block near goal, now marked used: 0 and *blk, or -ENOSPC. */
int
ext2_alloc_block(struct ext2_fs *fs, uint32_t goal, uint32_t *blk)
{
	if (fs->free_blocks == 0)
		return -ENOSPC;
	if (!ext2_block_ok(fs, goal))
		goal = fs->first_data_block;
	uint32_t g0 = group_of_block(fs, goal);
	for (uint32_t k = 0; k < fs->ngroups; k++) {
		uint32_t g = (g0 + k) % fs->ngroups;
		struct group *gr = &fs->groups[g];
		if (gr->free_blocks == 0)
			continue;
		uint32_t hint = gr->block_hint, end = gr->nblocks;
		uint32_t start = k == 0 ? goal - gr->first_block : hint;
		if (start < hint)
			start = hint;
		if (take_block_in(fs, g, start, end, blk) == 0)
			return 0;
		if (start > hint && take_block_in(fs, g, hint, start, blk) == 0)
			return 0;
	}
	return -ENOSPC;
}

/* Whether blk (ext2_block_ok) is marked used; true if that is unknown. */
bool
ext2_block_in_use(struct ext2_fs *fs, uint32_t blk)
{
	uint32_t g = group_of_block(fs, blk);
	struct bbuf *b;
	if (bcache_get(fs->cache, fs->groups[g].block_bitmap, &b))
		return true;
	bool used = bit_test(b->data, blk - fs->groups[g].first_block);
	bcache_put(fs->cache, b);
	return used;
}

/* Returns blk to its group's free blocks. */
void
ext2_free_block(struct ext2_fs *fs, uint32_t blk)
{
	if (!ext2_block_ok(fs, blk) || ext2_block_is_meta(fs, blk)) {
		ext2_corrupt(fs, "not freeing block %u: out of range or "
			     "metadata", blk);
		return;
	}
	uint32_t g = group_of_block(fs, blk), bit = blk - fs->groups[g].first_block;
	struct group *gr = &fs->groups[g];
	struct bbuf *b;
	if (bcache_get(fs->cache, gr->block_bitmap, &b)) {
		ext2_corrupt(fs, "reading group %u's block bitmap failed", g);
		return;
	}
	if (!bit_test(b->data, bit)) {
		ext2_corrupt(fs, "freeing block %u, already free", blk);
	} else {
		bit_clear(b->data, bit);
		bcache_dirty(fs->cache, b);
		gr->free_blocks++;
		fs->free_blocks++;
		counts_changed(fs);
		if (bit < gr->block_hint)
			gr->block_hint = bit;
	}
	bcache_put(fs->cache, b);
	bcache_discard(fs->cache, blk);
}

/* Takes a free inode of group g: 0 and *ino, or -ENOSPC. */
static int
take_inode_in(struct ext2_fs *fs, uint32_t g, bool is_dir, uint32_t *ino)
{
	struct group *gr = &fs->groups[g];
	if (gr->free_inodes == 0)
		return -ENOSPC;
	uint32_t first = g == 0 ? fs->first_ino - 1 : 0;
	uint32_t start = gr->inode_hint > first ? gr->inode_hint : first;
	uint32_t ipg = fs->inodes_per_group;
	if (start >= ipg)
		return -ENOSPC;
	struct bbuf *b;
	if (bcache_get(fs->cache, gr->inode_bitmap, &b)) {
		ext2_report(fs, "reading group %u's inode bitmap failed", g);
		return -ENOSPC;
	}
	uint32_t bit = find_clear(b->data, start, ipg);
	gr->inode_hint = bit;
	if (bit == ipg) {
		bcache_put(fs->cache, b);
		return -ENOSPC;
	}
	bit_set(b->data, bit);
	bcache_dirty(fs->cache, b);
	bcache_put(fs->cache, b);
	gr->inode_hint = bit + 1;
	gr->free_inodes--;
	fs->free_inodes--;
	if (is_dir)
		gr->used_dirs++;
	counts_changed(fs);
	*ino = g * ipg + bit + 1;
	return 0;
}

/*
 * A group for a new directory, as Orlov's allocator chooses: one made at
 * the top goes to the group with the most free inodes among those with
 * above-average free blocks; a deeper one stays near its parent, in the
 * first group from the parent's that is not much fuller than average.
 */
static uint32_t
dir_group(struct ext2_fs *fs, uint32_t parent_group, bool top)
{
	uint64_t avg_inodes = fs->free_inodes / fs->ngroups;
	uint64_t avg_blocks = fs->free_blocks / fs->ngroups;
	if (!top) {
		uint64_t min_inodes = avg_inodes - avg_inodes / 4;
		uint64_t min_blocks = avg_blocks - avg_blocks / 4;
		for (uint32_t k = 0; k < fs->ngroups; k++) {
			uint32_t g = (parent_group + k) % fs->ngroups;
			struct group *gr = &fs->groups[g];
			if (gr->free_inodes && gr->free_inodes >= min_inodes &&
			    gr->free_blocks >= min_blocks)
				return g;
		}
	}
	uint32_t best = parent_group, best_inodes = 0;
	for (uint32_t g = 0; g < fs->ngroups; g++) {
		struct group *gr = &fs->groups[g];
		if (gr->free_blocks >= avg_blocks && gr->free_inodes > best_inodes) {
			best = g;
			best_inodes = gr->free_inodes;
		}
	}
	return best;
}

/* A group for a new file: its directory's, else one with room (Linux's). */
static uint32_t
file_group(struct ext2_fs *fs, uint32_t parent_group)
{
	struct group *pg = &fs->groups[parent_group];
	if (pg->free_inodes && pg->free_blocks)
		return parent_group;
	uint32_t g = parent_group;
	for (uint32_t step = 1; step < fs->ngroups; step <<= 1) {
		g = (g + step) % fs->ngroups;
		if (fs->groups[g].free_inodes && fs->groups[g].free_blocks)
			return g;
	}
	return parent_group;
}

/* A free inode for a child of dir, now marked used: 0, or -ENOSPC. */
int
ext2_alloc_inode(struct ext2_fs *fs, uint32_t dir, bool is_dir, uint32_t *ino)
{
	if (fs->free_inodes == 0)
		return -ENOSPC;
	uint32_t pg = ext2_group_of_ino(fs, dir);
	uint32_t g0 = is_dir ? dir_group(fs, pg, dir == EXT2_ROOT_INO)
			     : file_group(fs, pg);
	for (uint32_t k = 0; k < fs->ngroups; k++)
		if (take_inode_in(fs, (g0 + k) % fs->ngroups, is_dir, ino) == 0)
			return 0;
	return -ENOSPC;
}

/* Marks inode ino free in its group's bitmap and counts. */
void
ext2_free_inode_bit(struct ext2_fs *fs, uint32_t ino, bool is_dir)
{
	uint32_t g = ext2_group_of_ino(fs, ino);
	uint32_t bit = (ino - 1) % fs->inodes_per_group;
	struct group *gr = &fs->groups[g];
	struct bbuf *b;
	if (bcache_get(fs->cache, gr->inode_bitmap, &b)) {
		ext2_corrupt(fs, "reading group %u's inode bitmap failed", g);
		return;
	}
	if (!bit_test(b->data, bit)) {
		ext2_corrupt(fs, "freeing inode %u, already free", ino);
	} else {
		bit_clear(b->data, bit);
		bcache_dirty(fs->cache, b);
		gr->free_inodes++;
		fs->free_inodes++;
		if (is_dir && gr->used_dirs)
			gr->used_dirs--;
		if (bit < gr->inode_hint)
			gr->inode_hint = bit;
		counts_changed(fs);
	}
	bcache_put(fs->cache, b);
}
