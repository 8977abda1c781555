/*
 * tmpfs (kernel/fs/tmpfs.c): the in-memory file system of / and /dev.
 */
#ifndef KERNEL_TMPFS_H
#define KERNEL_TMPFS_H

#include <kernel/types.h>

struct inode;
struct file_ops;
struct file;

/* A new, empty tmpfs; returns its root directory (one reference) or NULL. */
struct inode *tmpfs_new_root(const char *type);
int tmpfs_mknod(struct inode *dir, const char *name, unsigned mode,
		uint32_t rdev, const struct file_ops *fops, struct inode **out);
/*
 * The file operations of device number rdev for a node of type S_IFCHR
 * or S_IFBLK (mknod): a /dev device's, else ones whose open is ENXIO
 * (kernel/fs/devfs.c).
 */
const struct file_ops *devfs_fops(unsigned type, uint32_t rdev);
long tmpfs_read_inode(struct inode *ino, void *buf, size_t len, uint64_t off);
/* Whether f is open on a tmpfs regular file (its read is tmpfs's). */
bool tmpfs_is_file(const struct file *f);
/*
 * tmpfs_read_inode for a nolock system call: under the node's lock, not
 * the big lock (kernel/fs/tmpfs_int.h), into a kernel buffer; no atime.
 * ino is a tmpfs regular file's, held by the caller.
 */
long tmpfs_read_unlocked(struct inode *ino, void *buf, size_t len, uint64_t off);
long tmpfs_write_inode(struct inode *ino, const void *buf, size_t len, uint64_t off);
/*
 * A write for a nolock system call (kernel/fs/tmpfs_rw.c): len bytes
 * (at least 1) of buf into ino, a tmpfs regular file the caller holds, at
 * *off or, if append, at its end, under the node's lock, which also moves
 * *off past them (a file's offset: a reader elsewhere loads it relaxed),
 * the size and mtime and ctime. Only into pages the file has: len, or
 * -ERETRY_LOCKED with nothing changed where a page must be allocated or
 * a seal or the size limit refuses. Does not sleep.
 */
long tmpfs_write_unlocked(struct inode *ino, const void *buf, size_t len,
			  uint64_t *off, bool append);
/* Makes pa, a page the caller holds (refcount 1, filled with the file's
 * data), page i of the tmpfs regular file ino, counted as the file
 * system's; the caller sets the size. 0, or -ENOSPC, -ENOMEM, -EEXIST (a
 * page is there): then pa is still the caller's. Big lock held. */
int tmpfs_adopt_page(struct inode *ino, uint64_t i, paddr_t pa);
/* The symlink operation of a tmpfs directory, for a target of target_len
 * bytes not NUL-terminated (the initramfs's, in the archive): 0 or
 * -errno as symlink. Big lock held. */
int tmpfs_symlink_n(struct inode *dir, const char *name, size_t len,
		    const char *target, size_t target_len);
/* tmpfs_adopt_page of the count contiguous pages from pa on, as pages
 * first, first + 1, ...: all of them, or (on an error) none. */
int tmpfs_adopt_pages(struct inode *ino, uint64_t first, paddr_t pa,
		      size_t count);
/* Makes the packed file (tools/pagepack.py) in the len bytes of pages
 * at pa, which the caller holds (refcount 1 each), the contents of ino, a
 * new empty tmpfs regular file: its pages are unpacked at their first use
 * (kernel/fs/tmpfs_packed.c), its size is the unpacked one. 0, or -EINVAL
 * (a bad header or index, not a page multiple) or -ENOMEM: then the pages
 * are still the caller's. Big lock held. */
int tmpfs_adopt_packed(struct inode *ino, paddr_t pa, size_t len);
struct inode *tmpfs_anon_file(size_t len);
/* Data pages held by every tmpfs together (shared memory included). */
uint64_t tmpfs_page_count(void);

/* File seals (fcntl F_ADD_SEALS), Linux's values. */
#define F_SEAL_SEAL 0x0001		/* no more seals */
#define F_SEAL_SHRINK 0x0002		/* the size may not shrink */
#define F_SEAL_GROW 0x0004		/* nor grow */
#define F_SEAL_WRITE 0x0008		/* no writes, no writable shared maps */
#define F_SEAL_FUTURE_WRITE 0x0010	/* the same, mappings made before kept */

/* A new memfd's file, unnamed in any directory; one reference, or NULL.
 * Without sealing it is sealed with F_SEAL_SEAL, as every other tmpfs
 * file. name (at most 249 bytes) is what /proc/PID/fd shows. */
struct inode *tmpfs_memfd_new(const char *name, bool sealing);
/* A new nameless file of mode in dir's tmpfs (one reference), for
 * O_TMPFILE: linkat may name it if linkable. An error pointer:
 * -EOPNOTSUPP for a directory of another file system, -ENOMEM. */
struct inode *tmpfs_tmpfile(struct inode *dir, unsigned mode, bool linkable);
/* A tmpfs regular file's seals, or -EINVAL for any other inode. */
int tmpfs_seals(struct inode *ino);
/* Replaces the seals (the caller checked the change); 0 or -EINVAL. */
int tmpfs_set_seals(struct inode *ino, unsigned seals);
/* A memfd's name, or NULL for any other inode. */
const char *tmpfs_memfd_name(struct inode *ino);
/* The pages a tmpfs regular file holds (its holes not counted); 0 for
 * any other inode. */
uint64_t tmpfs_file_pages(struct inode *ino);
/* The pages a tmpfs regular file holds among page indexes first..last
 * (0 for any other inode), for cachestat. */
uint64_t tmpfs_pages_in(struct inode *ino, uint64_t first, uint64_t last);

/*
 * Holes (kernel/fs/tmpfs_holes.c). tmpfs_punch_hole gives back the pages
 * of [off, off + len) of a tmpfs regular file, zeroing the parts at its
 * edges: 0, -EPERM if write-sealed, -EOPNOTSUPP for any other inode.
 * tmpfs_seek_data: where the data (or the hole, if hole) at or after off
 * starts, as lseek's SEEK_DATA and SEEK_HOLE; -ENXIO at or past the end,
 * -EINVAL for any other inode.
 */
int tmpfs_punch_hole(struct inode *ino, uint64_t off, uint64_t len);
/*
 * fallocate's modes 0 and KEEP_SIZE on a tmpfs regular file, as Linux's
 * shmem: every page of [off, off + len) the file lacks is given a zeroed
 * page now, so that no later write there fails for want of space; then,
 * unless keep_size, the file grows to off + len. 0; -ENOSPC, nothing
 * filled, when the file system has not that many pages left for the
 * caller (or memory runs short midway: what was filled stays, zeroes);
 * -EPERM if sealed against growing; -EFBIG; -EOPNOTSUPP for any other
 * inode. Big lock held.
 */
int tmpfs_fill_holes(struct inode *ino, uint64_t off, uint64_t len,
		     bool keep_size);
int64_t tmpfs_seek_data(struct inode *ino, uint64_t off, bool hole);

#define F_ADD_SEALS 1033
#define F_GET_SEALS 1034
struct file;
/* fcntl's F_ADD_SEALS and F_GET_SEALS on f (kernel/linux/sys_memfd.c):
 * the seals, 0 or -errno, as Linux. */
long memfd_fcntl(struct file *f, int cmd, unsigned arg);
/* Applies mount options (size=, mode=, uid=, gid=, nr_inodes=) to the
 * tmpfs rooted at root; 0 or -EINVAL, -ENODEV if it is no tmpfs. */
int tmpfs_configure(struct inode *root, const char *options);
/* A new /sys (kernel/fs/sysfs.c, a tmpfs filled once); root or NULL. */
struct inode *sysfs_new(void);
/* Unpacks the cpio archive of size bytes at physical address start into
 * the tmpfs rooted at root (kernel/fs/initramfs.c), then frees its pages. */
void initramfs_unpack(struct inode *root, paddr_t start, uint64_t size);

#endif
