/*
 * ext2 (revision 1) for fsd: mount an image on a block device, and read
 * and change it by inode number, with a write-back block cache. Portable
 * C: it builds into fsd (musl, in Petrel) and into host tests against a
 * file. Nothing on the disk is trusted: a value out of range fails the
 * operation with -EIO (and says so through the mount's report function),
 * never reads or writes outside the device, and never crashes.
 *
 * Every function returns 0 (or a count) on success and a negative errno
 * on failure, with Linux's meanings (-ENOENT, -EEXIST, -ENOTDIR, -EISDIR,
 * -ENOTEMPTY, -ENOSPC, -EROFS, -ENAMETOOLONG, -EMLINK, -EFBIG, -EINVAL,
 * -EIO). Permission checks are the caller's (the kernel makes them).
 */
#ifndef FSD_EXT2_H
#define FSD_EXT2_H

#include "blkdev.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define EXT2_ROOT_INO 2
#define EXT2_NAME_MAX 255

struct ext2_fs;

struct ext2_time {
	int64_t sec;
	uint32_t nsec;			/* 0 where the inode has no room for it */
};

/* What stat(2) shows of an inode. */
struct ext2_attr {
	uint32_t ino;
	uint32_t mode;			/* S_IF* type and permission bits */
	uint32_t nlink;
	uint32_t uid, gid;
	uint32_t rdev;			/* devices: Linux's encoding */
	uint32_t generation;
	uint64_t size;
	uint64_t blocks;		/* 512-byte units allocated, as st_blocks */
	struct ext2_time atime, mtime, ctime;
};

struct ext2_statfs {
	uint32_t block_size;
	uint64_t blocks, blocks_free, blocks_avail;	/* avail: less the reserve */
	uint64_t inodes, inodes_free;
	uint32_t name_max;
};

struct ext2_mount_opts {
	bool read_only;			/* mount read-only even if it could write */
	size_t cache_bytes;		/* block cache size; 0: a default */
	/* Called with one line (no newline) for each problem found. */
	void (*report)(void *ctx, const char *msg);
	void *report_ctx;
};

/*
 * Mounts the file system on dev. Refuses (-EINVAL, with a report) a bad
 * superblock or group descriptors, or an incompatible feature; mounts
 * read-only (with a report) an image with unknown read-only-compatible
 * features, errors recorded, or a read-only device. Mounting read-write
 * marks the image not clean until ext2_unmount. An image that was not
 * clean gets its allocation bitmaps and free counts rebuilt from the
 * inodes first (ext2_recover.c); if that cannot be done, it is mounted
 * read-only.
 */
int ext2_mount(struct ext2_fs **out, struct blkdev *dev,
	       const struct ext2_mount_opts *opts);
/*
 * Writes everything back, marks the image clean (unless it was not clean
 * when mounted or damage was found: as Linux, it stays marked for e2fsck),
 * flushes; frees fs.
 */
int ext2_unmount(struct ext2_fs *fs);
/*
 * Frees fs without writing anything more (what is dirty in the cache is
 * lost, as if fsd died): for tests, and for a server that must not write
 * any more.
 */
void ext2_abandon(struct ext2_fs *fs);
bool ext2_read_only(const struct ext2_fs *fs);
/* Forces fs read-only from now on (after an I/O error, say). */
void ext2_set_read_only(struct ext2_fs *fs);
int ext2_statfs(struct ext2_fs *fs, struct ext2_statfs *st);

int ext2_getattr(struct ext2_fs *fs, uint32_t ino, struct ext2_attr *a);
/* dir's entry name (len bytes, no NUL needed): its inode number. */
int ext2_lookup(struct ext2_fs *fs, uint32_t dir, const char *name,
		size_t len, uint32_t *ino);

/*
 * Creates name in dir: a regular file, directory, FIFO, socket or device
 * node as mode's type says (rdev for devices). -EEXIST if taken.
 */
int ext2_create(struct ext2_fs *fs, uint32_t dir, const char *name,
		size_t len, uint32_t mode, uint32_t uid, uint32_t gid,
		uint32_t rdev, uint32_t *ino);
int ext2_symlink(struct ext2_fs *fs, uint32_t dir, const char *name,
		 size_t len, const char *target, size_t target_len,
		 uint32_t uid, uint32_t gid, uint32_t *ino);
/* A new name for ino (not a directory) in dir. */
int ext2_link(struct ext2_fs *fs, uint32_t dir, const char *name,
	      size_t len, uint32_t ino);
/*
 * Removes name from dir (rmdir: only an empty directory; else not a
 * directory). *victim gets the inode it named. An inode whose last link
 * goes stays allocated while ext2_hold'ed, until ext2_release.
 */
int ext2_unlink(struct ext2_fs *fs, uint32_t dir, const char *name,
		size_t len, bool rmdir, uint32_t *victim);

#define EXT2_RENAME_NOREPLACE 1
#define EXT2_RENAME_EXCHANGE 2
/*
 * Moves oname in odir to nname in ndir, replacing what nname named as
 * rename(2) does (a file over a file, a directory over an empty
 * directory; never a directory into itself). *victim: the inode replaced,
 * or 0.
 */
int ext2_rename(struct ext2_fs *fs, uint32_t odir, const char *oname,
		size_t olen, uint32_t ndir, const char *nname, size_t nlen,
		unsigned flags, uint32_t *victim);
/* A symlink's target into buf (not NUL-terminated); returns its length. */
long ext2_readlink(struct ext2_fs *fs, uint32_t ino, char *buf, size_t size);

/*
 * File data moves through a copy function, so a server copies straight
 * between the cache and its client: for a read, from src (cache) to the
 * caller's data at offset `at`; for a write, from the caller's data at
 * `at` into dst (cache). Returns 0 or -errno (which ends the operation).
 */
struct ext2_copy {
	int (*fn)(void *ctx, uint64_t at, void *cache, size_t n, bool write);
	void *ctx;
};
/* Reads up to len bytes at off; returns the bytes read (0 at the end). */
long ext2_read(struct ext2_fs *fs, uint32_t ino, uint64_t off, size_t len,
	       const struct ext2_copy *copy);
/*
 * Writes len bytes at off (append: at the end), allocating blocks and
 * growing the file; returns the bytes written. A short count means the
 * disk filled after some bytes were written.
 */
long ext2_write(struct ext2_fs *fs, uint32_t ino, uint64_t off, size_t len,
		bool append, const struct ext2_copy *copy);

/* Which fields of ext2_setattr to set; ctime is set to now with any. */
#define EXT2_SET_MODE 1			/* permission bits only */
#define EXT2_SET_UID 2
#define EXT2_SET_GID 4
#define EXT2_SET_SIZE 8			/* truncate or extend (sparse) */
#define EXT2_SET_ATIME 16
#define EXT2_SET_MTIME 32
#define EXT2_SET_ACCESSED 64		/* with ATIME: a read's, ctime stays */
struct ext2_setattr {
	unsigned mask;
	uint32_t mode, uid, gid;
	uint64_t size;
	struct ext2_time atime, mtime;
};
int ext2_setattr(struct ext2_fs *fs, uint32_t ino, const struct ext2_setattr *sa);

/*
 * Calls emit for each entry of directory ino from position *pos (0: the
 * start, then values emit was given), including "." and "..", until emit
 * returns non-zero (that entry is not consumed) or the end; *pos is where
 * to go on. type: a DT_* value.
 */
typedef int (*ext2_emit_fn)(void *ctx, const char *name, size_t len,
			    uint32_t ino, unsigned type, uint64_t next_pos);
int ext2_readdir(struct ext2_fs *fs, uint32_t ino, uint64_t *pos,
		 ext2_emit_fn emit, void *ctx);

/* Writes ino's data and inode (datasync: inode only if size changed)
 * and flushes the device. */
int ext2_fsync(struct ext2_fs *fs, uint32_t ino, bool datasync);
/* One run of a file's blocks, logically and physically contiguous. */
struct ext2_extent {
	uint64_t logical, physical, length;	/* bytes */
	bool last;				/* the file has no block after */
};
/* The extents of regular file ino's blocks in [off, off + len) into out
 * (at most max; max 0: only counted): how many (written, or all when
 * counting), or -errno. */
long ext2_fiemap(struct ext2_fs *fs, uint32_t ino, uint64_t off, uint64_t len,
		 struct ext2_extent *out, size_t max);
/* Writes every dirty block back and flushes the device. */
int ext2_sync(struct ext2_fs *fs);

/* Someone (an open file) uses ino: keep it while its links go to zero. */
void ext2_hold(struct ext2_fs *fs, uint32_t ino);
/* The last use ended: an inode with no links is freed now. */
void ext2_release(struct ext2_fs *fs, uint32_t ino);

/* The time the file system stamps (seconds since 1970); a hook for tests. */
extern void (*ext2_clock)(struct ext2_time *now);

#endif
