/*
 * ext2 file data: read (holes read as zeros, misses read ahead), write
 * (allocating as it goes, whole blocks never read first), setattr with
 * truncate and sparse extension, and fsync.
 */
#include "ext2_int.h"
#include <limits.h>

/* Loads ino as a regular file: -EISDIR for a directory, -EINVAL others. */
static int
load_file(struct ext2_fs *fs, uint32_t ino, struct inode *ip)
{
	int err = inode_load(fs, ino, ip);
	if (err)
		return err;
	if (MODE_IS(ip->mode, S_FDIR))
		return -EISDIR;
	if (!MODE_IS(ip->mode, S_FREG))
		return -EINVAL;
	if (ip->size > inode_max_size(fs, ip))
		return ext2_corrupt(fs, "inode %u has size %llu", ino,
				    (unsigned long long)ip->size);
	return 0;
}

long
ext2_read(struct ext2_fs *fs, uint32_t ino, uint64_t off, size_t len,
	  const struct ext2_copy *copy)
{
	struct inode ip;
	int err = load_file(fs, ino, &ip);
	if (err)
		return err;
	if (off >= ip.size)
		return 0;
	if (len > ip.size - off)
		len = (size_t)(ip.size - off);
	if (len > LONG_MAX)
		len = LONG_MAX;
	uint32_t bs = fs->block_size;
	size_t done = 0;
	while (done < len) {
		uint64_t pos = off + done, lblk = pos >> fs->log_block_size;
		uint32_t in = (uint32_t)(pos & (bs - 1)), pblk;
		size_t n = bs - in < len - done ? bs - in : len - done;
		bool fresh;
		err = inode_bmap(fs, &ip, lblk, false, &pblk, &fresh);
		if (err)
			break;
		if (!pblk) {
			err = copy->fn(copy->ctx, done, fs->zero_block + in, n,
				       false);
		} else {
			struct bbuf *b;
			if (!bcache_cached(fs->cache, pblk)) {
				uint64_t left = (len - done + in + bs - 1) / bs;
				inode_readahead(fs, &ip, lblk, left);
			}
			if (bcache_get(fs->cache, pblk, &b)) {
				err = ext2_io_error(fs, "reading block %u failed",
						   pblk);
				break;
			}
			err = copy->fn(copy->ctx, done, b->data + in, n, false);
			bcache_put(fs->cache, b);
		}
		if (err)
			break;
		done += n;
	}
	return done ? (long)done : err;
}

/* Writes n bytes of the caller's data (from at) into ip's block lblk at in. */
static int
write_block(struct ext2_fs *fs, struct inode *ip, uint64_t lblk, uint32_t in,
	    size_t n, uint64_t at, const struct ext2_copy *copy)
{
	uint32_t pblk;
	bool fresh;
	int err = inode_bmap(fs, ip, lblk, true, &pblk, &fresh);
	if (err)
		return err;
	struct bbuf *b;
	if (fresh || n == fs->block_size) {
		err = bcache_get_nofill(fs->cache, pblk, &b);
		if (!err && fresh && n < fs->block_size)
			memset(b->data, 0, fs->block_size);
	} else if (bcache_get(fs->cache, pblk, &b)) {
		err = ext2_io_error(fs, "reading block %u failed", pblk);
	}
	if (err)
		return err;
	err = copy->fn(copy->ctx, at, b->data + in, n, true);
	bcache_dirty(fs->cache, b);
	bcache_put(fs->cache, b);
	return err;
}

long
ext2_write(struct ext2_fs *fs, uint32_t ino, uint64_t off, size_t len,
	   bool append, const struct ext2_copy *copy)
{
	struct inode ip;
	int err = ext2_writable(fs);
	if (!err)
		err = load_file(fs, ino, &ip);
	if (!err)
		err = inode_check_writable(fs, &ip);
	if (err)
		return err;
	if (append)
		off = ip.size;
	uint64_t max = inode_max_size(fs, &ip);
	if (len == 0)
		return 0;
	if (off >= max)
		return -EFBIG;
	if (len > max - off)
		len = (size_t)(max - off);
	if (len > LONG_MAX)
		len = LONG_MAX;
	uint32_t bs = fs->block_size;
	size_t done = 0;
	while (done < len) {
		uint64_t pos = off + done;
		uint32_t in = (uint32_t)(pos & (bs - 1));
		size_t n = bs - in < len - done ? bs - in : len - done;
		err = write_block(fs, &ip, pos >> fs->log_block_size, in, n,
				  done, copy);
		if (err)
			break;
		done += n;
		if (pos + n > ip.size)
			ip.size = pos + n;
	}
	/* Blocks allocated past what was written go again. */
	if (err)
		inode_truncate(fs, &ip, ip.size);
	if (done) {
		ext2_now(&ip.mtime);
		ip.ctime = ip.mtime;
	}
	int serr = inode_store(fs, &ip);
	if (done)
		return (long)done;
	return err ? err : serr;
}

static void
set_time(struct ext2_time *t, struct ext2_time v)
{
	*t = v;
	if (t->nsec >= 1000000000u)
		t->nsec = 0;
}

int
ext2_setattr(struct ext2_fs *fs, uint32_t ino, const struct ext2_setattr *sa)
{
	struct inode ip;
	int err = ext2_writable(fs);
	if (!err)
		err = inode_load(fs, ino, &ip);
	if (!err)
		err = inode_check_writable(fs, &ip);
	if (err)
		return err;
	struct ext2_time now;
	ext2_now(&now);
	if (sa->mask & EXT2_SET_SIZE) {
		if (MODE_IS(ip.mode, S_FDIR))
			return -EISDIR;
		if (!MODE_IS(ip.mode, S_FREG))
			return -EINVAL;
		if (sa->size > inode_max_size(fs, &ip))
			return -EFBIG;
		err = inode_truncate(fs, &ip, sa->size);
		ip.mtime = now;
	}
	if (sa->mask & EXT2_SET_MODE)
		ip.mode = (uint16_t)((ip.mode & S_FMT) | (sa->mode & 07777));
	if (sa->mask & EXT2_SET_UID)
		ip.uid = sa->uid;
	if (sa->mask & EXT2_SET_GID)
		ip.gid = sa->gid;
	if (sa->mask & EXT2_SET_ATIME)
		set_time(&ip.atime, sa->atime);
	if (sa->mask & EXT2_SET_MTIME)
		set_time(&ip.mtime, sa->mtime);
	if (sa->mask != (EXT2_SET_ATIME | EXT2_SET_ACCESSED))
		ip.ctime = now;	/* a change; a read's atime is none */
	int serr = inode_store(fs, &ip);
	return err ? err : serr;
}

/*
 * Everything dirty goes back, not only ino's: simplest, and a file's
 * durability needs its bitmaps and descriptors too.
 */
int
ext2_fsync(struct ext2_fs *fs, uint32_t ino, bool datasync)
{
	(void)ino;
	(void)datasync;
	return ext2_sync(fs);
}

/* Adds the block at lblk (pblk on the device) to the extents: it extends
 * the current one, or starts the next (false once out is full). */
static bool
extent_add(struct ext2_fs *fs, struct ext2_extent *cur, bool *open,
	   uint64_t lblk, uint32_t pblk, struct ext2_extent *out, size_t max,
	   long *n)
{
	uint64_t bs = fs->block_size;
	if (*open && cur->logical + cur->length == lblk * bs &&
	    cur->physical + cur->length == (uint64_t)pblk * bs) {
		cur->length += bs;
		return true;
	}
	if (*open) {
		if (max && (size_t)*n == max)
			return false;
		if (max)
			out[*n] = *cur;
		(*n)++;
	}
	*cur = (struct ext2_extent){ lblk * bs, (uint64_t)pblk * bs, bs, false };
	*open = true;
	return true;
}

long
ext2_fiemap(struct ext2_fs *fs, uint32_t ino, uint64_t off, uint64_t len,
	    struct ext2_extent *out, size_t max)
{
	struct inode ip;
	int err = load_file(fs, ino, &ip);
	if (err)
		return err;
	uint64_t bs = fs->block_size, blocks = (ip.size + bs - 1) / bs;
	uint64_t first = off / bs;
	uint64_t end = len > ip.size ? blocks : (off + len + bs - 1) / bs;
	if (end > blocks)
		end = blocks;
	struct ext2_extent cur = { 0 };
	bool open = false;
	long n = 0;
	uint64_t last_block = 0;	/* the file's last block that is held */
	for (uint64_t lblk = first; lblk < end; lblk++) {
		uint32_t pblk;
		bool fresh;
		err = inode_bmap(fs, &ip, lblk, false, &pblk, &fresh);
		if (err)
			return err;
		if (pblk && !extent_add(fs, &cur, &open, lblk, pblk, out, max, &n))
			return n;	/* full: the rest is not asked for */
	}
	for (uint64_t lblk = end; lblk < blocks && !last_block; lblk++) {
		uint32_t pblk;
		bool fresh;
		if (inode_bmap(fs, &ip, lblk, false, &pblk, &fresh) == 0 && pblk)
			last_block = lblk;
	}
	if (!open)
		return n;
	cur.last = !last_block;
	if (max && (size_t)n == max)
		return n;
	if (max)
		out[n] = cur;
	return n + 1;
}
