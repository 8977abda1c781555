/*
 * A reader for cpio "newc" archives in memory (kernel/core/cpio.c), the
 * initramfs format. It never reads outside the buffer it is given.
 */
#ifndef KERNEL_CPIO_H
#define KERNEL_CPIO_H

#include <kernel/types.h>

/* Position in an archive; fields are private to cpio.c. */
struct cpio_iter {
	const uint8_t *buf;
	size_t len;
	size_t pos;	/* offset of the next header */
	int state;	/* 0: entries remain, 1: trailer seen, or -errno */
	uint32_t archive;	/* which concatenated archive pos is in */
};

/*
 * One member. name and data point into the archive; name is NUL-terminated,
 * without leading "/" or "./" ("" for the archive's root "."). Hard links
 * appear as several entries with the same ino and nlink > 1; newc stores
 * the data once, with the last of them, the others having size 0.
 * Only the fields a member of its kind needs are read (the boot reads
 * some 300 headers): for regular files only, nlink, the checksum in a
 * "070702" archive (GNU cpio sums only their data) and, where nlink > 1,
 * ino, dev_major and dev_minor (only regular files are hard-linked:
 * kernel/fs/initramfs.c); the rdev pair for character and block devices;
 * uid, gid and mtime for all but symlinks (Petrel's symlinks take
 * neither owner nor time from the archive). Elsewhere they are 0. A field read must be 8 hex digits; one
 * not read is not checked, as Linux checks none (init/initramfs.c reads
 * each with simple_strntoul).
 */
struct cpio_entry {
	const char *name;
	size_t name_len;
	uint32_t ino;
	uint32_t mode;		/* type and permission bits, as st_mode */
	uint32_t uid;
	uint32_t gid;
	uint32_t nlink;
	uint32_t mtime;
	uint32_t dev_major, dev_minor;		/* device holding the file */
	uint32_t rdev_major, rdev_minor;	/* for device nodes */
	const void *data;	/* file contents, or a symlink's target */
	size_t size;
	uint32_t archive;	/* which of concatenated archives, from 0:
				 * inode numbers are an archive's own */
};

/* Starts an iteration over the len bytes at buf. */
void cpio_iter_init(struct cpio_iter *it, const void *buf, size_t len);

/*
 * Reads the next member into *e. Archives may be concatenated (as Linux
 * allows for its initramfs): after a "TRAILER!!!" member and any zero
 * bytes, a header at a 4-aligned offset starts the next archive, whose
 * members follow. Returns 1 for a member, 0 at the last trailer (and on
 * any later call), -EINVAL for a malformed archive (bad magic, non-hex
 * field that the member needs, name or data past the end, name not NUL-terminated, end of
 * buffer before the trailer, anything but zeros or an aligned archive
 * after a trailer), -EIO for a "070702" regular file whose checksum is
 * wrong. An error repeats on later calls.
 */
int cpio_next(struct cpio_iter *it, struct cpio_entry *e);

#endif
