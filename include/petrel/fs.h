/*
 * The file protocol between the kernel's Linux front and a file server
 * (fsd): a file system mounted from a server (pt_mount) is a tree of the
 * server's inodes, named by number. The kernel walks paths one component
 * at a time (LOOKUP), keeps the attributes each reply carries, and makes
 * every permission check; the server keeps the data. Names and data move
 * through the call's segments, never through the message.
 * docs/abi.md, "File servers".
 */
#ifndef PETREL_FS_H
#define PETREL_FS_H

#include <stdint.h>

enum pt_fs_op {
	PT_FS_HELLO = 1,	/* reply: struct pt_fs_hello (the mount) */
	PT_FS_STATFS,		/* reply: struct pt_fs_statfs */
	PT_FS_LOOKUP,		/* ino: dir; IN seg 0: name; reply: attr */
	PT_FS_GETATTR,		/* reply: attr */
	PT_FS_SETATTR,		/* mask, mode, uid, gid, off (size), times;
				   reply: attr */
	PT_FS_CREATE,		/* ino: dir; IN seg 0: name; mode (with its
				   type), uid, gid, rdev; reply: attr, dir.
				   With OPEN, a name already there is no
				   error: returns 0 and its attr (1: made) */
	PT_FS_SYMLINK,		/* ino: dir; IN seg 0: name; IN seg 1: target;
				   uid, gid; reply: attr, dir */
	PT_FS_LINK,		/* ino: dir; IN seg 0: name; ino2: the inode;
				   reply: attr (the inode), dir */
	PT_FS_UNLINK,		/* ino: dir; IN seg 0: name; flags: RMDIR;
				   reply: attr (what it named), dir */
	PT_FS_RENAME,		/* ino: old dir; IN seg 0: old name; ino2: new
				   dir; IN seg 1: new name; flags: NOREPLACE;
				   reply: attr (what was replaced, if valid) */
	PT_FS_READLINK,		/* OUT seg 0; returns the target's length */
	PT_FS_READ,		/* off; OUT segs; returns bytes (0: the end) */
	PT_FS_WRITE,		/* off; IN segs; flags: APPEND; returns bytes;
				   reply: attr */
	PT_FS_READDIR,		/* off: position; OUT seg 0 gets struct
				   linux_dirent64 records; returns bytes;
				   reply: pos */
	PT_FS_FSYNC,		/* flags: DATASYNC; durable before the reply */
	PT_FS_SYNC,		/* the whole file system, durable */
	PT_FS_FORGET,		/* the kernel holds ino no more (no reply) */
	PT_FS_UNMOUNT,		/* write everything, mark the disk clean;
				   later calls fail */
	PT_FS_FIEMAP,		/* a regular file's blocks in [off, off +
				   ino2): OUT seg 0 gets struct pt_fs_extent
				   records, as many as fit (an empty seg:
				   none, only counted); returns how many
				   (written, or all when counting) */
};

/* pt_fs_msg.flags */
#define PT_FS_RMDIR 1			/* UNLINK: a directory */
#define PT_FS_APPEND 2			/* WRITE: at the end */
#define PT_FS_DATASYNC 4		/* FSYNC: data only */
#define PT_FS_NOREPLACE 8		/* RENAME */
#define PT_FS_OPEN 16			/* CREATE: open(O_CREAT) without O_EXCL */

/* SETATTR's mask: which fields to set; ctime becomes now with any. */
#define PT_FS_SET_MODE 1		/* permission bits */
#define PT_FS_SET_UID 2
#define PT_FS_SET_GID 4
#define PT_FS_SET_SIZE 8		/* truncate or extend */
#define PT_FS_SET_ATIME 16
#define PT_FS_SET_MTIME 32
#define PT_FS_SET_ACCESSED 64		/* with ATIME: a read's, ctime stays */

struct pt_fs_msg {
	uint32_t op;			/* enum pt_fs_op */
	uint32_t flags;			/* PT_FS_* */
	uint64_t ino;			/* the inode, or the directory */
	uint64_t ino2;			/* LINK: the inode; RENAME: new dir */
	uint64_t off;			/* READ, WRITE, READDIR; SETATTR: size */
	uint32_t mode, uid, gid, rdev;
	uint32_t mask;			/* SETATTR: PT_FS_SET_* */
	uint32_t atime_ns, mtime_ns;
	uint32_t reserved;
	int64_t atime, mtime;
};

struct pt_fs_attr {
	uint64_t ino;			/* 0: no inode */
	uint64_t size;
	uint64_t blocks;		/* 512-byte units */
	uint32_t mode, nlink, uid, gid, rdev, generation;
	int64_t atime, mtime, ctime;
	uint32_t atime_ns, mtime_ns, ctime_ns, reserved;
};

struct pt_fs_reply {
	struct pt_fs_attr attr;		/* the inode the call is about */
	struct pt_fs_attr dir;		/* the directory it changed */
	uint64_t pos;			/* READDIR: where to go on (~0: the end) */
};

/* PT_FS_FIEMAP's record: bytes of the file from logical held on the
 * device from physical, both block aligned (Linux's fiemap_extent). */
struct pt_fs_extent {
	uint64_t logical, physical, length;
	uint32_t flags;			/* PT_FS_EXTENT_* */
	uint32_t reserved;
};

#define PT_FS_EXTENT_LAST 1		/* the file's last extent */

#define PT_FS_HELLO_RDONLY 1		/* the server refuses changes */

struct pt_fs_hello {
	struct pt_fs_attr root;
	uint32_t flags;			/* PT_FS_HELLO_* */
	uint32_t reserved;
	char source[48];		/* for /proc/mounts: "/dev/vda" */
	char type[16];			/* "ext2" */
};

struct pt_fs_statfs {
	uint64_t magic;			/* statfs.f_type: 0xEF53 for ext2 */
	uint64_t bsize;
	uint64_t blocks, bfree, bavail, files, ffree;
	uint64_t namelen;
};

/*
 * The kernel's call on PT_ROUTE_MOUNT (the mounter, a child of init) for
 * mount(2) of a disk file system: start a file server for source and
 * mount its tree at target (pt_mount), then answer 0 or -errno. The
 * strings are NUL-terminated; the caller has checked them.
 */
#define PT_MOUNT_RDONLY 1		/* MS_RDONLY */

struct pt_mount_req {
	uint32_t flags;			/* PT_MOUNT_* */
	uint32_t reserved;
	char type[16];			/* "ext2" */
	char source[64];		/* the device: "/dev/loop0" */
	char target[128];		/* an absolute path */
};

/* Shared layouts: fixed offsets, no hidden padding (<petrel/petrel.h>). */
_Static_assert(sizeof(struct pt_fs_msg) == 80, "pt_fs_msg");
_Static_assert(__builtin_offsetof(struct pt_fs_msg, atime) == 64,
	       "pt_fs_msg.atime");
_Static_assert(sizeof(struct pt_fs_attr) == 88, "pt_fs_attr");
_Static_assert(__builtin_offsetof(struct pt_fs_attr, atime) == 48,
	       "pt_fs_attr.atime");
_Static_assert(sizeof(struct pt_fs_reply) == 184, "pt_fs_reply");
_Static_assert(__builtin_offsetof(struct pt_fs_reply, pos) == 176,
	       "pt_fs_reply.pos");
_Static_assert(sizeof(struct pt_fs_hello) == 160, "pt_fs_hello");
_Static_assert(__builtin_offsetof(struct pt_fs_hello, source) == 96,
	       "pt_fs_hello.source");
_Static_assert(sizeof(struct pt_fs_statfs) == 64, "pt_fs_statfs");
_Static_assert(sizeof(struct pt_mount_req) == 216, "pt_mount_req");

#endif
