/*
 * Mounting and unmounting ext2: the superblock and group descriptors are
 * checked, decoded into struct ext2_fs and written back (primary copies
 * only, as Linux's ext2 does) at sync and unmount. Also the file system's
 * reports, clock and statfs.
 */
#include "ext2_int.h"
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define CACHE_DEFAULT (8u << 20)
#define CACHE_MIN (512u << 10)
#define REPORTS_MAX 100		/* per mount, so a wreck does not flood */

static void
clock_realtime(struct ext2_time *now)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	now->sec = ts.tv_sec;
	now->nsec = (uint32_t)ts.tv_nsec;
}

void (*ext2_clock)(struct ext2_time *now) = clock_realtime;

void
ext2_now(struct ext2_time *t)
{
	ext2_clock(t);
	if (t->nsec >= 1000000000u)
		t->nsec = 0;
}

static void
vreport(struct ext2_fs *fs, const char *fmt, va_list ap)
{
	char line[256];
	if (!fs->report || fs->reports > REPORTS_MAX)
		return;
	if (fs->reports++ == REPORTS_MAX) {
		fs->report(fs->report_ctx, "ext2: more problems, not reported");
		return;
	}
	int n = snprintf(line, sizeof(line), "ext2: ");
	vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
	fs->report(fs->report_ctx, line);
}

/* Tells the mount's report function of a problem (one line). */
void
ext2_report(struct ext2_fs *fs, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vreport(fs, fmt, ap);
	va_end(ap);
}

/*
 * Reports damage found on the disk; the image is left marked with errors.
 * Returns -EIO, for the caller to fail with.
 */
int
ext2_corrupt(struct ext2_fs *fs, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vreport(fs, fmt, ap);
	va_end(ap);
	fs->corrupt = true;
	return -EIO;
}

/* Reports a device error (not damage): returns -EIO for the caller. */
int
ext2_io_error(struct ext2_fs *fs, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vreport(fs, fmt, ap);
	va_end(ap);
	return -EIO;
}

/* 0 if fs may be changed, else -EROFS. */
int
ext2_writable(struct ext2_fs *fs)
{
	return fs->read_only ? -EROFS : 0;
}

bool
ext2_read_only(const struct ext2_fs *fs)
{
	return fs->read_only;
}

void
ext2_set_read_only(struct ext2_fs *fs)
{
	fs->read_only = true;
}

static void
write_failed(void *ctx, uint64_t blk, unsigned count, int err)
{
	struct ext2_fs *fs = ctx;
	ext2_report(fs, "writing blocks %llu-%llu failed (%d)",
		    (unsigned long long)blk,
		    (unsigned long long)(blk + count - 1), err);
	if (!fs->read_only)
		ext2_report(fs, "read-only from now on");
	fs->read_only = true;
	fs->write_failed = true;
}

static bool
group_has_super(const struct ext2_fs *fs, uint32_t g)
{
	if (g <= 1 || !(fs->ro_compat & RO_COMPAT_SPARSE_SUPER))
		return true;
	if (!(g & 1))
		return false;
	for (uint32_t base = 3; base <= 7; base += 2) {
		uint64_t p = base;
		while (p < g)
			p *= base;
		if (p == g)
			return true;
	}
	return false;
}

static int
refuse(struct ext2_fs *fs, const char *why)
{
	ext2_report(fs, "cannot mount: %s", why);
	return -EINVAL;
}

/* Checks the superblock's geometry and decodes it into fs. */
static int
check_super(struct ext2_fs *fs)
{
	const uint8_t *sb = fs->sb;
	if (get16(sb, SB_MAGIC) != EXT2_MAGIC)
		return refuse(fs, "no ext2 superblock");
	fs->rev = get32(sb, SB_REV_LEVEL);
	if (fs->rev > 1)
		return refuse(fs, "unknown revision");
	fs->log_block_size = get32(sb, SB_LOG_BLOCK_SIZE);
	if (fs->log_block_size > 2)
		return refuse(fs, "block size above 4 KiB");
	fs->log_block_size += 10;
	uint32_t bs = fs->block_size = 1u << fs->log_block_size;
	fs->ptrs_per_block = bs / 4;
	fs->ptr_shift = fs->log_block_size - 2;
	fs->blocks_count = get32(sb, SB_BLOCKS_COUNT);
	fs->first_data_block = get32(sb, SB_FIRST_DATA_BLOCK);
	fs->blocks_per_group = get32(sb, SB_BLOCKS_PER_GROUP);
	fs->inodes_per_group = get32(sb, SB_INODES_PER_GROUP);
	fs->inodes_count = get32(sb, SB_INODES_COUNT);
	fs->r_blocks = get32(sb, SB_R_BLOCKS_COUNT);
	if (fs->first_data_block != (bs == 1024 ? 1u : 0u))
		return refuse(fs, "bad first data block");
	if ((uint64_t)fs->blocks_count * bs > fs->dev->sectors * BLK_SECTOR)
		return refuse(fs, "file system larger than the device");
	uint32_t bpg = fs->blocks_per_group, ipg = fs->inodes_per_group;
	if (bpg < 8 || bpg > 8 * bs || bpg % 8 || ipg < 1 || ipg > 8 * bs)
		return refuse(fs, "bad blocks or inodes per group");
	if (fs->blocks_count <= fs->first_data_block + 1)
		return refuse(fs, "too few blocks");
	if (fs->rev == 0) {
		fs->first_ino = EXT2_GOOD_OLD_FIRST_INO;
		fs->inode_size = EXT2_GOOD_OLD_INODE_SIZE;
	} else {
		fs->first_ino = get32(sb, SB_FIRST_INO);
		fs->inode_size = get16(sb, SB_INODE_SIZE);
		fs->incompat = get32(sb, SB_FEATURE_INCOMPAT);
		fs->ro_compat = get32(sb, SB_FEATURE_RO_COMPAT);
		fs->reserved_gdt = get16(sb, SB_RESERVED_GDT);
	}
	uint32_t isz = fs->inode_size;
	if (isz < 128 || isz > bs || (isz & (isz - 1)))
		return refuse(fs, "bad inode size");
	uint64_t ngroups = (fs->blocks_count - fs->first_data_block + bpg - 1) / bpg;
	fs->ngroups = (uint32_t)ngroups;
	if (ngroups * ipg != fs->inodes_count)
		return refuse(fs, "inode count does not match the groups");
	if (fs->first_ino < EXT2_GOOD_OLD_FIRST_INO ||
	    fs->first_ino >= fs->inodes_count)
		return refuse(fs, "bad first inode");
	fs->itable_blocks = (uint32_t)(((uint64_t)ipg * isz + bs - 1) / bs);
	fs->gdt_blocks = (uint32_t)((ngroups * GD_SIZE + bs - 1) / bs);
	if (fs->reserved_gdt > bs / 4 ||
	    1 + fs->gdt_blocks + fs->reserved_gdt + 2 + fs->itable_blocks > bpg)
		return refuse(fs, "group descriptors do not fit");
	if (fs->incompat & ~INCOMPAT_KNOWN) {
		ext2_report(fs, "cannot mount: unknown incompatible features %#x",
			    fs->incompat & ~INCOMPAT_KNOWN);
		return -EINVAL;
	}
	if (fs->r_blocks > fs->blocks_count)
		fs->r_blocks = fs->blocks_count;
	return 0;
}

static bool
inside(uint64_t blk, uint64_t n, uint32_t lo, uint32_t hi)
{
	return blk >= lo && n <= hi - lo && blk - lo <= hi - lo - n;
}

/* Checks and decodes group g's descriptor at d. */
static int
load_group(struct ext2_fs *fs, uint32_t g, const uint8_t *d)
{
	struct group *gr = &fs->groups[g];
	ext2_init_group(fs, g);
	gr->block_bitmap = get32(d, GD_BLOCK_BITMAP);
	gr->inode_bitmap = get32(d, GD_INODE_BITMAP);
	gr->inode_table = get32(d, GD_INODE_TABLE);
	uint32_t lo = gr->super_end, hi = gr->first_block + gr->nblocks;
	uint32_t t = gr->inode_table;
	if (!inside(gr->block_bitmap, 1, lo, hi) ||
	    !inside(gr->inode_bitmap, 1, lo, hi) ||
	    !inside(t, fs->itable_blocks, lo, hi) ||
	    gr->block_bitmap == gr->inode_bitmap ||
	    inside(gr->block_bitmap, 1, t, t + fs->itable_blocks) ||
	    inside(gr->inode_bitmap, 1, t, t + fs->itable_blocks)) {
		ext2_report(fs, "cannot mount: group %u's bitmaps or inode "
			    "table out of place", g);
		return -EINVAL;
	}
	gr->free_blocks = get16(d, GD_FREE_BLOCKS);
	gr->free_inodes = get16(d, GD_FREE_INODES);
	gr->used_dirs = get16(d, GD_USED_DIRS);
	if (gr->free_blocks > gr->nblocks || gr->free_inodes >
	    fs->inodes_per_group || gr->used_dirs > fs->inodes_per_group) {
		ext2_corrupt(fs, "group %u's free counts are out of range", g);
		gr->free_blocks = gr->free_blocks > gr->nblocks ? 0
							      : gr->free_blocks;
		gr->free_inodes = gr->free_inodes > fs->inodes_per_group
					  ? 0 : gr->free_inodes;
		gr->used_dirs = 0;
		fs->gd_dirty = true;
	}
	fs->free_blocks += gr->free_blocks;
	fs->free_inodes += gr->free_inodes;
	return 0;
}

/* Sets up group g's geometry (not its descriptor's fields). */
void
ext2_init_group(struct ext2_fs *fs, uint32_t g)
{
	struct group *gr = &fs->groups[g];
	gr->first_block = fs->first_data_block + g * fs->blocks_per_group;
	uint32_t left = fs->blocks_count - gr->first_block;
	gr->nblocks = left < fs->blocks_per_group ? left : fs->blocks_per_group;
	gr->super_end = gr->first_block;
	if (group_has_super(fs, g)) {
		uint64_t end = (uint64_t)gr->first_block + 1 + fs->gdt_blocks +
			       fs->reserved_gdt;
		uint64_t top = (uint64_t)gr->first_block + gr->nblocks;
		gr->super_end = (uint32_t)(end < top ? end : top);
	}
}

static int
load_groups(struct ext2_fs *fs)
{
	fs->groups = calloc(fs->ngroups, sizeof(*fs->groups));
	if (!fs->groups)
		return -ENOMEM;
	uint32_t per_block = fs->block_size / GD_SIZE;
	for (uint32_t b = 0; b < fs->gdt_blocks; b++) {
		struct bbuf *buf;
		if (bcache_get(fs->cache, fs->first_data_block + 1 + b, &buf)) {
			ext2_report(fs, "cannot mount: reading the group "
				    "descriptors failed");
			return -EIO;
		}
		int err = 0;
		for (uint32_t i = 0; i < per_block && !err; i++) {
			uint32_t g = b * per_block + i;
			if (g < fs->ngroups)
				err = load_group(fs, g, buf->data + i * GD_SIZE);
		}
		bcache_put(fs->cache, buf);
		if (err)
			return err;
	}
	return 0;
}

/* Puts the free counts and group descriptors into the cache, if changed. */
void
ext2_flush_meta(struct ext2_fs *fs)
{
	if (fs->read_only)
		return;
	uint32_t per_block = fs->block_size / GD_SIZE;
	for (uint32_t b = 0; fs->gd_dirty && b < fs->gdt_blocks; b++) {
		struct bbuf *buf;
		if (bcache_get(fs->cache, fs->first_data_block + 1 + b, &buf)) {
			ext2_report(fs, "reading the group descriptors failed");
			continue;
		}
		for (uint32_t i = 0; i < per_block; i++) {
			uint32_t g = b * per_block + i;
			if (g >= fs->ngroups)
				break;
			uint8_t *d = buf->data + i * GD_SIZE;
			put16(d, GD_FREE_BLOCKS, (uint16_t)fs->groups[g].free_blocks);
			put16(d, GD_FREE_INODES, (uint16_t)fs->groups[g].free_inodes);
			put16(d, GD_USED_DIRS, (uint16_t)fs->groups[g].used_dirs);
		}
		bcache_dirty(fs->cache, buf);
		bcache_put(fs->cache, buf);
	}
	fs->gd_dirty = false;
	if (!fs->sb_dirty)
		return;
	struct ext2_time now;
	ext2_now(&now);
	put32(fs->sb, SB_FREE_BLOCKS, (uint32_t)fs->free_blocks);
	put32(fs->sb, SB_FREE_INODES, (uint32_t)fs->free_inodes);
	put32(fs->sb, SB_WTIME, (uint32_t)now.sec);
	struct bbuf *buf;
	if (bcache_get(fs->cache, SB_OFFSET / fs->block_size, &buf)) {
		ext2_report(fs, "reading the superblock failed");
		return;
	}
	memcpy(buf->data + SB_OFFSET % fs->block_size, fs->sb, SB_SIZE);
	bcache_dirty(fs->cache, buf);
	bcache_put(fs->cache, buf);
	fs->sb_dirty = false;
}

/* Writes everything back and flushes: 0 or the first error. */
int
ext2_sync(struct ext2_fs *fs)
{
	if (fs->read_only)
		return 0;
	ext2_flush_meta(fs);
	int err = bcache_sync(fs->cache);
	int ferr = fs->dev->flush(fs->dev);
	return err ? err : ferr;
}

/* Marks the image in use (not clean) on the disk, as a crash would leave it. */
static int
mark_mounted(struct ext2_fs *fs)
{
	struct ext2_time now;
	ext2_now(&now);
	put16(fs->sb, SB_MNT_COUNT, (uint16_t)(get16(fs->sb, SB_MNT_COUNT) + 1));
	put32(fs->sb, SB_MTIME, (uint32_t)now.sec);
	put16(fs->sb, SB_STATE, get16(fs->sb, SB_STATE) & ~EXT2_VALID_FS);
	fs->sb_dirty = true;
	return ext2_sync(fs);
}

/*
 * The root must be a directory before anything is written: a table the
 * descriptors misplace reads as zeros, and the kernel's HELLO would fail
 * only after the image was marked in use (Linux's ext2 checks it too).
 */
static int
check_root(struct ext2_fs *fs)
{
	struct inode root;
	if (inode_load(fs, EXT2_ROOT_INO, &root))
		return refuse(fs, "reading the root directory failed");
	if (!MODE_IS(root.mode, S_FDIR) || root.links == 0 || root.size == 0)
		return refuse(fs, "the root inode is not a directory in use");
	return 0;
}

static void
decide_read_only(struct ext2_fs *fs, const struct ext2_mount_opts *opts)
{
	uint16_t state = fs->mount_state = get16(fs->sb, SB_STATE);
	if (!(state & EXT2_VALID_FS) || (state & EXT2_ERROR_FS))
		ext2_report(fs, "not cleanly unmounted; run e2fsck");
	if (state & EXT2_ERROR_FS) {
		ext2_report(fs, "errors recorded: mounting read-only");
		fs->read_only = true;
	}
	if (fs->ro_compat & ~RO_COMPAT_KNOWN) {
		ext2_report(fs, "unknown read-only features %#x: mounting "
			    "read-only", fs->ro_compat & ~RO_COMPAT_KNOWN);
		fs->read_only = true;
	}
	if (fs->dev->read_only && !fs->read_only)
		ext2_report(fs, "the device is read-only: mounting read-only");
	if (fs->dev->read_only || (opts && opts->read_only))
		fs->read_only = true;
}

static void
release(struct ext2_fs *fs)
{
	for (unsigned i = 0; i < HOLD_BUCKETS; i++) {
		while (fs->holds[i]) {
			struct hold *h = fs->holds[i];
			fs->holds[i] = h->next;
			free(h);
		}
	}
	bcache_destroy(fs->cache);
	free(fs->groups);
	free(fs->zero_block);
	free(fs);
}

int
ext2_mount(struct ext2_fs **out, struct blkdev *dev,
	   const struct ext2_mount_opts *opts)
{
	struct ext2_fs *fs = calloc(1, sizeof(*fs));
	if (!fs)
		return -ENOMEM;
	fs->dev = dev;
	if (opts) {
		fs->report = opts->report;
		fs->report_ctx = opts->report_ctx;
	}
	size_t bytes = opts && opts->cache_bytes ? opts->cache_bytes
						 : CACHE_DEFAULT;
	fs->cache = bcache_create(dev, bytes < CACHE_MIN ? CACHE_MIN : bytes,
				  write_failed, fs);
	int err = -ENOMEM;
	if (!fs->cache)
		goto fail;
	err = bcache_read_raw(fs->cache, SB_OFFSET, fs->sb, SB_SIZE);
	if (err) {
		err = refuse(fs, "reading the superblock failed");
		goto fail;
	}
	err = check_super(fs);
	if (err)
		goto fail;
	err = bcache_set_block_size(fs->cache, fs->block_size);
	fs->zero_block = calloc(1, fs->block_size);
	if (err || !fs->zero_block)
		goto fail;
	err = load_groups(fs);
	if (!err)
		err = check_root(fs);
	if (err)
		goto fail;
	decide_read_only(fs, opts);
	/* The bitmaps of an image fsd did not unmount may be stale. */
	if (!fs->read_only && !(fs->mount_state & EXT2_VALID_FS))
		ext2_recover_bitmaps(fs);
	struct ext2_time now;
	ext2_now(&now);
	fs->next_generation = (uint32_t)now.sec * 2654435761u ^ now.nsec;
	if (!fs->read_only && mark_mounted(fs)) {
		ext2_report(fs, "marking the image in use failed: read-only");
		fs->read_only = true;
	}
	*out = fs;
	return 0;
fail:
	release(fs);
	return err;
}

/*
 * Frees the inodes whose last link went while held, writes everything
 * back with the image marked clean (unless it was not clean at mount, or
 * damage was found), and flushes. fs is freed even on failure; -EIO if
 * some write-back ever failed.
 */
int
ext2_unmount(struct ext2_fs *fs)
{
	int err = 0;
	if (!fs->read_only) {
		inode_free_orphans(fs);
		uint16_t state = get16(fs->sb, SB_STATE);
		if (!fs->corrupt && fs->mount_state & EXT2_VALID_FS)
			state |= EXT2_VALID_FS;
		if (fs->corrupt)
			state |= EXT2_ERROR_FS;
		put16(fs->sb, SB_STATE, state);
		fs->sb_dirty = true;
		err = ext2_sync(fs);
	}
	if (fs->write_failed && !err)
		err = -EIO;
	release(fs);
	return err;
}

void
ext2_abandon(struct ext2_fs *fs)
{
	release(fs);
}

int
ext2_statfs(struct ext2_fs *fs, struct ext2_statfs *st)
{
	/* As Linux's ext2 counts: what metadata takes is not in the total. */
	uint64_t overhead = fs->first_data_block;
	for (uint32_t g = 0; g < fs->ngroups; g++)
		overhead += (group_has_super(fs, g) ? 1 + fs->gdt_blocks : 0) +
			    2 + fs->itable_blocks;
	st->block_size = fs->block_size;
	st->blocks = fs->blocks_count > overhead ? fs->blocks_count - overhead : 0;
	st->blocks_free = fs->free_blocks;
	st->blocks_avail = fs->free_blocks > fs->r_blocks
				   ? fs->free_blocks - fs->r_blocks : 0;
	st->inodes = fs->inodes_count;
	st->inodes_free = fs->free_inodes;
	st->name_max = EXT2_NAME_MAX;
	return 0;
}
