/*
 * ext2's inodes: decoding them from the inode tables (and writing them
 * back, field by field, so what this code does not know is kept), the
 * block map through direct, single, double and triple indirect blocks,
 * truncation and freeing.
 */
#include "ext2_int.h"

#define READAHEAD_MIN_BYTES (128u << 10)	/* read ahead on a miss, at least */
#define READAHEAD_MAX 1024
#define ITABLE_READAHEAD 16	/* inode table blocks read on a miss */

/* Where inode ino lies: its table block and the byte offset in it. */
static int
inode_where(struct ext2_fs *fs, uint32_t ino, uint32_t *blk, uint32_t *off)
{
	if (ino < 1 || ino > fs->inodes_count)
		return -EINVAL;
	const struct group *gr = &fs->groups[ext2_group_of_ino(fs, ino)];
	uint64_t byte = (uint64_t)((ino - 1) % fs->inodes_per_group) *
			fs->inode_size;
	*blk = gr->inode_table + (uint32_t)(byte >> fs->log_block_size);
	*off = (uint32_t)(byte & (fs->block_size - 1));
	return 0;
}

static uint32_t
extra_isize(const struct ext2_fs *fs, const uint8_t *raw)
{
	if (fs->inode_size <= EXT2_GOOD_OLD_INODE_SIZE)
		return 0;
	uint32_t n = get16(raw, I_EXTRA_ISIZE);
	return n % 4 || n > fs->inode_size - EXT2_GOOD_OLD_INODE_SIZE ? 0 : n;
}

/* A timestamp: seconds, and with room, nanoseconds and epoch bits. */
static struct ext2_time
time_get(const uint8_t *raw, size_t at, size_t extra_at, bool has_extra)
{
	struct ext2_time t = { .sec = (int32_t)get32(raw, at), .nsec = 0 };
	if (has_extra) {
		uint32_t x = get32(raw, extra_at);
		t.sec += (int64_t)(x & 3) << 32;
		t.nsec = x >> 2;
		if (t.nsec >= 1000000000u)
			t.nsec = 0;
	}
	return t;
}

static void
time_put(uint8_t *raw, size_t at, size_t extra_at, bool has_extra,
	 struct ext2_time t)
{
	put32(raw, at, (uint32_t)t.sec);
	if (has_extra) {
		uint32_t epoch = (uint32_t)((t.sec - (int32_t)t.sec) >> 32) & 3;
		put32(raw, extra_at, epoch | t.nsec << 2);
	}
}

static void
decode(struct ext2_fs *fs, struct inode *ip, const uint8_t *raw)
{
	ip->mode = get16(raw, I_MODE);
	ip->uid = get16(raw, I_UID) | (uint32_t)get16(raw, I_UID_HIGH) << 16;
	ip->gid = get16(raw, I_GID) | (uint32_t)get16(raw, I_GID_HIGH) << 16;
	ip->size = get32(raw, I_SIZE);
	if (MODE_IS(ip->mode, S_FREG))
		ip->size |= (uint64_t)get32(raw, I_SIZE_HIGH) << 32;
	ip->links = get16(raw, I_LINKS);
	ip->blocks = get32(raw, I_BLOCKS);
	ip->flags = get32(raw, I_FLAGS);
	ip->dtime = get32(raw, I_DTIME);
	ip->generation = get32(raw, I_GENERATION);
	ip->file_acl = get32(raw, I_FILE_ACL);
	for (int i = 0; i < EXT2_NBLOCK; i++)
		ip->block[i] = get32(raw, I_BLOCK + 4 * i);
	uint32_t x = ip->extra_isize = (uint16_t)extra_isize(fs, raw);
	ip->ctime = time_get(raw, I_CTIME, I_CTIME_EXTRA, x >= 8);
	ip->mtime = time_get(raw, I_MTIME, I_MTIME_EXTRA, x >= 12);
	ip->atime = time_get(raw, I_ATIME, I_ATIME_EXTRA, x >= 16);
}

/*
 * On a miss in an inode table, reads the table's next blocks too: the
 * inodes of a directory's files tend to lie together (stat after readdir).
 */
static void
itable_readahead(struct ext2_fs *fs, uint32_t ino, uint32_t blk)
{
	uint64_t blocks[ITABLE_READAHEAD];
	const struct group *gr = &fs->groups[ext2_group_of_ino(fs, ino)];
	uint32_t end = gr->inode_table + fs->itable_blocks;
	unsigned n = 0;
	for (uint32_t b = blk; b < end && n < ITABLE_READAHEAD; b++)
		blocks[n++] = b;
	if (n > 1)
		bcache_readahead(fs->cache, blocks, n);
}

/* The inode table block holding ino, pinned, and ino's offset in it. */
static int
itable_get(struct ext2_fs *fs, uint32_t ino, struct bbuf **b, uint32_t *off)
{
	uint32_t blk;
	if (inode_where(fs, ino, &blk, off))
		return -EINVAL;
	if (!bcache_cached(fs->cache, blk))
		itable_readahead(fs, ino, blk);
	if (bcache_get(fs->cache, blk, b))
		return ext2_io_error(fs, "reading inode %u failed", ino);
	return 0;
}

/* Reads inode ino into ip: 0, -EINVAL for no such number, or -EIO. */
int
inode_load(struct ext2_fs *fs, uint32_t ino, struct inode *ip)
{
	uint32_t off;
	struct bbuf *b;
	int err = itable_get(fs, ino, &b, &off);
	if (err)
		return err;
	memset(ip, 0, sizeof(*ip));
	ip->ino = ino;
	decode(fs, ip, b->data + off);
	bcache_put(fs->cache, b);
	return 0;
}

static void
encode(struct ext2_fs *fs, const struct inode *ip, uint8_t *raw)
{
	put16(raw, I_MODE, ip->mode);
	put16(raw, I_UID, (uint16_t)ip->uid);
	put16(raw, I_UID_HIGH, (uint16_t)(ip->uid >> 16));
	put16(raw, I_GID, (uint16_t)ip->gid);
	put16(raw, I_GID_HIGH, (uint16_t)(ip->gid >> 16));
	put32(raw, I_SIZE, (uint32_t)ip->size);
	if (MODE_IS(ip->mode, S_FREG))
		put32(raw, I_SIZE_HIGH, (uint32_t)(ip->size >> 32));
	put16(raw, I_LINKS, ip->links);
	put32(raw, I_BLOCKS, ip->blocks);
	put32(raw, I_FLAGS, ip->flags);
	put32(raw, I_DTIME, ip->dtime);
	put32(raw, I_GENERATION, ip->generation);
	put32(raw, I_FILE_ACL, ip->file_acl);
	for (int i = 0; i < EXT2_NBLOCK; i++)
		put32(raw, I_BLOCK + 4 * i, ip->block[i]);
	uint32_t x = ip->extra_isize;
	time_put(raw, I_CTIME, I_CTIME_EXTRA, x >= 8, ip->ctime);
	time_put(raw, I_MTIME, I_MTIME_EXTRA, x >= 12, ip->mtime);
	time_put(raw, I_ATIME, I_ATIME_EXTRA, x >= 16, ip->atime);
	if (ip->size > 0x7fffffff && MODE_IS(ip->mode, S_FREG) &&
	    !(fs->ro_compat & RO_COMPAT_LARGE_FILE)) {
		fs->ro_compat |= RO_COMPAT_LARGE_FILE;
		put32(fs->sb, SB_FEATURE_RO_COMPAT, fs->ro_compat);
		fs->sb_dirty = true;
	}
}

/* Writes ip back into its inode table block (in the cache). */
int
inode_store(struct ext2_fs *fs, const struct inode *ip)
{
	uint32_t off;
	struct bbuf *b;
	int err = itable_get(fs, ip->ino, &b, &off);
	if (err)
		return err;
	encode(fs, ip, b->data + off);
	bcache_dirty(fs->cache, b);
	bcache_put(fs->cache, b);
	return 0;
}

/*
 * Makes ip a new inode ino (just allocated): its disk copy zeroed, then
 * mode, owner, times and a generation number set; no links yet.
 */
int
inode_init(struct ext2_fs *fs, struct inode *ip, uint32_t ino, uint32_t mode,
	   uint32_t uid, uint32_t gid)
{
	uint32_t off;
	struct bbuf *b;
	int err = itable_get(fs, ino, &b, &off);
	if (err)
		return err;
	uint8_t *raw = b->data + off;
	memset(raw, 0, fs->inode_size);
	memset(ip, 0, sizeof(*ip));
	ip->ino = ino;
	ip->mode = (uint16_t)mode;
	ip->uid = uid;
	ip->gid = gid;
	ip->generation = fs->next_generation++;
	ext2_now(&ip->mtime);
	ip->atime = ip->ctime = ip->mtime;
	if (fs->inode_size >= EXT2_GOOD_OLD_INODE_SIZE + EXTRA_ISIZE_NEW) {
		ip->extra_isize = EXTRA_ISIZE_NEW;
		put16(raw, I_EXTRA_ISIZE, EXTRA_ISIZE_NEW);
		time_put(raw, I_CRTIME, I_CRTIME_EXTRA, true, ip->mtime);
	}
	encode(fs, ip, raw);
	bcache_dirty(fs->cache, b);
	bcache_put(fs->cache, b);
	return 0;
}

/* 0 if ip may be changed: not one of the reserved inodes but the root. */
int
inode_check_writable(struct ext2_fs *fs, const struct inode *ip)
{
	int err = ext2_writable(fs);
	if (err)
		return err;
	if (ip->ino < fs->first_ino && ip->ino != EXT2_ROOT_INO)
		return ext2_corrupt(fs, "refusing to change reserved inode %u",
				    ip->ino);
	return 0;
}

bool
inode_fast_symlink(const struct ext2_fs *fs, const struct inode *ip)
{
	uint32_t acl = ip->file_acl ? fs->block_size / 512 : 0;
	return MODE_IS(ip->mode, S_FLNK) && ip->blocks <= acl;
}

/* Whether ip's i_block holds block numbers. */
bool
inode_has_blocks(const struct ext2_fs *fs, const struct inode *ip)
{
	return MODE_IS(ip->mode, S_FREG) || MODE_IS(ip->mode, S_FDIR) ||
	       (MODE_IS(ip->mode, S_FLNK) && !inode_fast_symlink(fs, ip));
}

/* The largest size ip may have. */
uint64_t
inode_max_size(const struct ext2_fs *fs, const struct inode *ip)
{
	uint64_t p = fs->ptrs_per_block;
	uint64_t map = (EXT2_NDIR + p + p * p + p * p * p) << fs->log_block_size;
	uint64_t limit = (uint64_t)UINT32_MAX * 512;	/* i_blocks */
	if (!MODE_IS(ip->mode, S_FREG))
		limit = UINT32_MAX - fs->block_size + 1;
	else if (fs->rev == 0)
		limit = 0x7fffffff;
	return map < limit ? map : limit;
}

/* The path to logical block lblk: slot numbers per level; the depth. */
static int
block_path(const struct ext2_fs *fs, uint64_t lblk, unsigned off[4])
{
	uint64_t p = fs->ptrs_per_block, s = fs->ptr_shift;
	if (lblk < EXT2_NDIR) {
		off[0] = (unsigned)lblk;
		return 0;
	}
	lblk -= EXT2_NDIR;
	if (lblk < p) {
		off[0] = EXT2_NDIR;
		off[1] = (unsigned)lblk;
		return 1;
	}
	lblk -= p;
	if (lblk < p * p) {
		off[0] = EXT2_NDIR + 1;
		off[1] = (unsigned)(lblk >> s);
		off[2] = (unsigned)(lblk & (p - 1));
		return 2;
	}
	lblk -= p * p;
	if (lblk < p * p * p) {
		off[0] = EXT2_NDIR + 2;
		off[1] = (unsigned)(lblk >> 2 * s);
		off[2] = (unsigned)((lblk >> s) & (p - 1));
		off[3] = (unsigned)(lblk & (p - 1));
		return 3;
	}
	return -1;
}

/* Where a new block for ip's lblk should go: after its last one. */
static uint32_t
block_goal(struct ext2_fs *fs, struct inode *ip, uint64_t lblk)
{
	if (fs->last_ino == ip->ino && fs->last_lblk + 1 == lblk)
		return fs->last_pblk + 1;
	uint32_t prev;
	bool fresh;
	if (lblk > 0 && inode_bmap(fs, ip, lblk - 1, false, &prev, &fresh) == 0 &&
	    prev)
		return prev + 1;
	return fs->groups[ext2_group_of_ino(fs, ip->ino)].first_block;
}

/* A new block for ip near goal; an indirect one is zeroed in the cache. */
static int
new_block(struct ext2_fs *fs, struct inode *ip, uint32_t goal, bool data,
	  uint32_t *blk)
{
	uint32_t sectors = fs->block_size / 512;
	if (ip->blocks > UINT32_MAX - sectors)
		return -EFBIG;
	int err = ext2_alloc_block(fs, goal, blk);
	if (err)
		return err;
	ip->blocks += sectors;
	if (data)
		return 0;
	struct bbuf *b;
	err = bcache_get_nofill(fs->cache, *blk, &b);
	if (err)
		return err;
	memset(b->data, 0, fs->block_size);
	bcache_dirty(fs->cache, b);
	bcache_put(fs->cache, b);
	return 0;
}

static int
bad_pointer(struct ext2_fs *fs, const struct inode *ip, uint32_t blk)
{
	return ext2_corrupt(fs, "inode %u has bad block number %u", ip->ino,
			    blk);
}

/* Checks a block number found in ip's map; writing: not metadata either. */
static int
check_pointer(struct ext2_fs *fs, const struct inode *ip, uint32_t blk,
	      bool write)
{
	if (!ext2_block_ok(fs, blk) || (write && ext2_block_is_meta(fs, blk)))
		return bad_pointer(fs, ip, blk);
	return 0;
}

/*
 * The device block holding ip's logical block lblk in *pblk: 0 for a
 * hole, unless create, which allocates it (and indirect blocks on the
 * way; ip's block list and i_blocks change, for the caller to store).
 * *fresh: the data block was just allocated (its contents are not on the
 * disk). 0, -EFBIG past the map, -ENOSPC, or -EIO.
 */
int
inode_bmap(struct ext2_fs *fs, struct inode *ip, uint64_t lblk, bool create,
	   uint32_t *pblk, bool *fresh)
{
	unsigned off[4];
	int depth = block_path(fs, lblk, off), err;
	*pblk = 0;
	*fresh = false;
	if (depth < 0)
		return -EFBIG;
	uint32_t blk = ip->block[off[0]], goal = 0;
	if (!blk) {
		if (!create)
			return 0;
		goal = block_goal(fs, ip, lblk);
		err = new_block(fs, ip, goal, depth == 0, &blk);
		if (err)
			return err;
		ip->block[off[0]] = blk;
		*fresh = depth == 0;
	} else if ((err = check_pointer(fs, ip, blk, create))) {
		return err;
	}
	for (int i = 1; i <= depth; i++) {
		struct bbuf *b;
		if (bcache_get(fs->cache, blk, &b))
			return ext2_io_error(fs, "reading block %u failed", blk);
		uint32_t next = get32(b->data, off[i] * 4);
		if (!next && create) {
			if (!goal)
				goal = block_goal(fs, ip, lblk);
			err = new_block(fs, ip, goal, i == depth, &next);
			if (!err) {
				put32(b->data, off[i] * 4, next);
				bcache_dirty(fs->cache, b);
				*fresh = i == depth;
			}
		} else if (next) {
			err = check_pointer(fs, ip, next, create);
		}
		bcache_put(fs->cache, b);
		if (err || !next)
			return err;
		blk = next;
	}
	*pblk = blk;
	if (*fresh) {
		fs->last_ino = ip->ino;
		fs->last_lblk = lblk;
		fs->last_pblk = blk;
	}
	return 0;
}

/*
 * Starts reading ip's blocks from lblk (count of them at least, more if
 * the minimum says so) into the cache, in one batch. Holes and blocks
 * already cached are skipped; errors are left for the real reads.
 */
void
inode_readahead(struct ext2_fs *fs, struct inode *ip, uint64_t lblk,
		uint64_t count)
{
	uint64_t blocks[READAHEAD_MAX];
	uint64_t end_blk = (ip->size + fs->block_size - 1) >> fs->log_block_size;
	uint64_t max = bcache_nbufs(fs->cache) / 4;
	uint64_t min = READAHEAD_MIN_BYTES >> fs->log_block_size;
	if (count < min)
		count = min;
	if (count > READAHEAD_MAX)
		count = READAHEAD_MAX;
	if (count > max)
		count = max;
	if (lblk >= end_blk)
		return;
	if (count > end_blk - lblk)
		count = end_blk - lblk;
	unsigned n = 0;
	for (uint64_t i = 0; i < count; i++) {
		uint32_t pblk;
		bool fresh;
		if (inode_bmap(fs, ip, lblk + i, false, &pblk, &fresh))
			break;
		if (pblk && !bcache_cached(fs->cache, pblk))
			blocks[n++] = pblk;
	}
	if (n > 1)
		bcache_readahead(fs->cache, blocks, n);
}

static void
release_block(struct ext2_fs *fs, struct inode *ip, uint32_t blk)
{
	uint32_t sectors = fs->block_size / 512;
	ext2_free_block(fs, blk);
	ip->blocks = ip->blocks > sectors ? ip->blocks - sectors : 0;
}

/*
 * Frees what the tree under blk (level 0: a data block; 1-3: indirect)
 * holds for logical blocks keep and on; it covers those from base. blk
 * itself goes if all it covers does.
 */
static void
trunc_tree(struct ext2_fs *fs, struct inode *ip, uint32_t blk, int level,
	   uint64_t base, uint64_t keep)
{
	/*
	 * An indirect block already free is one a damaged map names twice:
	 * going through it again could take a very long time.
	 */
	if (level > 0 && !ext2_block_in_use(fs, blk)) {
		ext2_corrupt(fs, "inode %u names free block %u", ip->ino, blk);
		return;
	}
	if (level > 0) {
		uint64_t child_span = (uint64_t)1 << (fs->ptr_shift * (level - 1));
		uint32_t first = 0;
		if (keep > base)
			first = (uint32_t)((keep - base) / child_span);
		struct bbuf *b;
		if (bcache_get(fs->cache, blk, &b)) {
			ext2_io_error(fs, "reading block %u failed", blk);
			return;
		}
		for (uint32_t i = first; i < fs->ptrs_per_block; i++) {
			uint32_t c = get32(b->data, i * 4);
			uint64_t child_base = base + i * child_span;
			if (!c)
				continue;
			if (check_pointer(fs, ip, c, true) == 0)
				trunc_tree(fs, ip, c, level - 1, child_base,
					   keep);
			if (child_base >= keep) {
				put32(b->data, i * 4, 0);
				bcache_dirty(fs->cache, b);
			}
		}
		bcache_put(fs->cache, b);
	}
	if (base >= keep)
		release_block(fs, ip, blk);
}

/* Zeroes the bytes of ip's last block past size, so growing reads zeros. */
static int
zero_tail(struct ext2_fs *fs, struct inode *ip, uint64_t size)
{
	uint32_t in_block = (uint32_t)(size & (fs->block_size - 1)), pblk;
	bool fresh;
	if (!in_block)
		return 0;
	int err = inode_bmap(fs, ip, size >> fs->log_block_size, false, &pblk,
			     &fresh);
	if (err || !pblk)
		return err;
	struct bbuf *b;
	if (bcache_get(fs->cache, pblk, &b))
		return ext2_io_error(fs, "reading block %u failed", pblk);
	memset(b->data + in_block, 0, fs->block_size - in_block);
	bcache_dirty(fs->cache, b);
	bcache_put(fs->cache, b);
	return 0;
}

/*
 * Sets ip's size, freeing the blocks past it (ip is changed for the caller
 * to store). Only for inodes that hold block numbers.
 */
int
inode_truncate(struct ext2_fs *fs, struct inode *ip, uint64_t size)
{
	if (!inode_has_blocks(fs, ip))
		return -EINVAL;
	if (size < ip->size) {
		int err = zero_tail(fs, ip, size);
		if (err)
			return err;
	}
	uint64_t keep = (size + fs->block_size - 1) >> fs->log_block_size;
	uint64_t p = fs->ptrs_per_block, base = EXT2_NDIR;
	uint64_t span[4] = { 1, p, p * p, p * p * p };
	for (int s = 0; s < EXT2_NBLOCK; s++) {
		int level = s < EXT2_NDIR ? 0 : s - EXT2_NDIR + 1;
		uint64_t start = s < EXT2_NDIR ? (uint64_t)s : base;
		if (s >= EXT2_NDIR)
			base += span[level];
		uint32_t blk = ip->block[s];
		if (!blk || start + span[level] <= keep)
			continue;
		if (check_pointer(fs, ip, blk, true) == 0)
			trunc_tree(fs, ip, blk, level, start, keep);
		if (start >= keep)
			ip->block[s] = 0;
	}
	if (keep <= fs->last_lblk && fs->last_ino == ip->ino)
		fs->last_ino = 0;
	ip->size = size;
	return 0;
}

/* Drops ip's extended attribute block: one reference less, freed at 0. */
static void
release_xattr(struct ext2_fs *fs, struct inode *ip)
{
	uint32_t blk = ip->file_acl;
	ip->file_acl = 0;
	if (!blk)
		return;
	if (check_pointer(fs, ip, blk, true))
		return;
	struct bbuf *b;
	if (bcache_get(fs->cache, blk, &b)) {
		ext2_io_error(fs, "reading block %u failed", blk);
		return;
	}
	uint32_t refs = get32(b->data, 4);
	bool magic = get32(b->data, 0) == XATTR_MAGIC;
	if (magic && refs > 1) {
		put32(b->data, 4, refs - 1);
		bcache_dirty(fs->cache, b);
	}
	bcache_put(fs->cache, b);
	if (!magic)
		ext2_corrupt(fs, "inode %u's attribute block %u is not one",
			     ip->ino, blk);
	else if (refs <= 1)
		release_block(fs, ip, blk);
	else
		ip->blocks -= ip->blocks >= fs->block_size / 512
				      ? fs->block_size / 512 : ip->blocks;
}

/* One link less for ip (for the caller to store); -EIO if it had none. */
int
inode_drop_link(struct ext2_fs *fs, struct inode *ip)
{
	if (ip->links == 0)
		return ext2_corrupt(fs, "inode %u has no links to drop", ip->ino);
	ip->links--;
	return 0;
}

/* Frees ip (no links, not held): its blocks, attributes, the inode. */
void
inode_free(struct ext2_fs *fs, struct inode *ip)
{
	if (inode_has_blocks(fs, ip))
		inode_truncate(fs, ip, 0);
	release_xattr(fs, ip);
	struct ext2_time now;
	ext2_now(&now);
	ip->dtime = (uint32_t)now.sec;
	ip->ctime = ip->mtime = now;
	ip->links = 0;
	inode_store(fs, ip);
	ext2_free_inode_bit(fs, ip->ino, MODE_IS(ip->mode, S_FDIR));
}

static uint32_t
decode_rdev(const struct inode *ip)
{
	if (ip->block[0]) {
		uint32_t old = ip->block[0];
		return ((old >> 8) & 0xff) << 8 | (old & 0xff);
	}
	return ip->block[1];
}

int
ext2_getattr(struct ext2_fs *fs, uint32_t ino, struct ext2_attr *a)
{
	struct inode ip;
	int err = inode_load(fs, ino, &ip);
	if (err)
		return err;
	*a = (struct ext2_attr){
		.ino = ino, .mode = ip.mode, .nlink = ip.links,
		.uid = ip.uid, .gid = ip.gid, .generation = ip.generation,
		.size = ip.size, .blocks = ip.blocks,
		.atime = ip.atime, .mtime = ip.mtime, .ctime = ip.ctime,
	};
	if (MODE_IS(ip.mode, S_FCHR) || MODE_IS(ip.mode, S_FBLK))
		a->rdev = decode_rdev(&ip);
	return 0;
}
