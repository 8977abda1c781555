/*
 * Helpers shared by the host tests of fsd's ext2 code (tests/fsd): a
 * scratch directory, the host's e2fsprogs (mke2fs, e2fsck, debugfs,
 * dumpe2fs) as the reference, an image mounted through blkfile, and file
 * data copied to and from memory. The helpers report problems through
 * their return values; the tests make the checks (tests/host/check.h).
 */
#ifndef TESTS_FSD_FSDTEST_H
#define TESTS_FSD_FSDTEST_H

#include "blkfile.h"
#include "ext2.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FT_PATH 512

/* The scratch directory (under /tmp), removed at exit. */
extern char ft_dir[FT_PATH];
/* Copies the ext2 code asked for outside the caller's buffer. */
extern unsigned long ft_bad_copies;
/* Lines ext2_mount's report function was given, and whether to print them. */
extern unsigned long ft_reports;
extern bool ft_quiet;
/* ext2_mount_opts.cache_bytes for ft_mount (0: the default). */
extern size_t ft_cache_bytes;

/*
 * Exits 77 (skip) unless mke2fs, e2fsck, debugfs and dumpe2fs are
 * installed; makes ft_dir and removes it at exit.
 */
void ft_setup(const char *test);
/* ft_dir/leaf into out (FT_PATH bytes); returns out. */
char *ft_path(char *out, const char *leaf);
/* dir/leaf into out (FT_PATH bytes); returns out. */
char *ft_join(char *out, const char *dir, const char *leaf);

/*
 * Runs a shell command; *out (if not NULL) gets its stdout and stderr,
 * NUL-terminated, for the caller to free. Returns the exit status, or -1
 * if it could not run or was killed.
 */
int ft_run(char **out, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* The same with stdout only, as bytes (*len of them); stderr is dropped. */
int ft_run_bytes(unsigned char **out, size_t *len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* mke2fs -t ext2 -b block_size, from the tree at dir if not NULL. */
int ft_mkfs(const char *img, unsigned block_size, const char *size,
	    const char *dir);
/* e2fsck -fn img; *out as ft_run. Returns its exit status (0: clean). */
int ft_fsck(const char *img, char **out);
/* debugfs -R 'cat path' img: the file's bytes as e2fsprogs reads them. */
int ft_debugfs_cat(const char *img, const char *path, unsigned char **out,
		   size_t *len);

/* What dumpe2fs -h says of an image's superblock. */
struct ft_super {
	uint64_t blocks, blocks_free, blocks_reserved;
	uint64_t inodes, inodes_free;
	bool clean;
};
int ft_dumpe2fs(const char *img, struct ft_super *sb);
/* The superblock's s_state, read from the file itself; -1 on failure. */
int ft_sb_state(const char *img);
/* The whole file into *out (*len bytes); 0 or -errno. */
int ft_read_file(const char *path, unsigned char **out, size_t *len);
int ft_write_file(const char *path, const void *data, size_t len);

/* An image file mounted through blkfile. */
struct ft_mount {
	struct blkdev dev;
	struct blkfile_stats stats;
	struct ext2_fs *fs;
};
/*
 * Opens img (read-only if dev_ro) and mounts it (with opts.read_only =
 * opt_ro). Returns ext2_mount's result; on failure the file is closed.
 * The device's flush is counted but does not wait for the disk.
 */
int ft_mount(struct ft_mount *m, const char *img, bool dev_ro, bool opt_ro);
/* ext2_unmount and close; returns ext2_unmount's result. */
int ft_unmount(struct ft_mount *m);

/* ext2_read and ext2_write of a buffer in memory. */
long ft_read(struct ext2_fs *fs, uint32_t ino, uint64_t off, void *buf,
	     size_t len);
long ft_write(struct ext2_fs *fs, uint32_t ino, uint64_t off,
	      const void *buf, size_t len, bool append);
/* A whole file (getattr's size) into *out (free it); -errno on failure. */
long ft_read_all(struct ext2_fs *fs, uint32_t ino, unsigned char **out);
/* The inode at an absolute path ("/a/b"); 0 or lookup's -errno. */
int ft_walk(struct ext2_fs *fs, const char *path, uint32_t *ino);

/* One directory entry as ext2_readdir gives it. */
struct ft_dirent {
	char name[EXT2_NAME_MAX + 1];
	size_t len;
	uint32_t ino;
	unsigned type;
};
/*
 * Every entry of dir, read `batch` entries per ext2_readdir call (0: all
 * in one), into *out (free it). Returns the count, or -errno.
 */
long ft_readdir_all(struct ext2_fs *fs, uint32_t dir, unsigned batch,
		    struct ft_dirent **out);

/* Fills buf with bytes that depend on seed and each byte's position. */
void ft_fill(void *buf, size_t len, uint64_t seed, uint64_t pos);

/*
 * Writes the sample tree the tests give mke2fs -d: files of many sizes,
 * nested directories, short and long symlinks, hard links, a FIFO, modes,
 * a sparse file, long names; big adds files of a few MiB and a directory
 * of a few hundred entries. 0 or -errno.
 */
int ft_make_tree(const char *dir, bool big);

#endif
