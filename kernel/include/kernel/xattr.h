/*
 * Extended attributes and inode flags kept in memory (kernel/fs/xattr.c),
 * for file systems whose super block says so (sb->xattrs: tmpfs). The
 * system calls (kernel/linux/sys_xattr.c, sys_fileattr.c) apply Linux's
 * namespace and permission rules; this layer only stores. Big lock held
 * by every caller; nothing here sleeps.
 */
#ifndef KERNEL_XATTR_H
#define KERNEL_XATTR_H

#include <kernel/types.h>

struct inode;

/* Linux's limits (<linux/limits.h>). */
#define XATTR_NAME_MAX 255		/* bytes of a name, prefix included */
#define XATTR_SIZE_MAX 65536		/* bytes of a value */
#define XATTR_LIST_MAX 65536		/* bytes of a list of names */

/* setxattr(2) flags. */
#define XATTR_CREATE 1			/* fail with EEXIST if it exists */
#define XATTR_REPLACE 2			/* fail with ENODATA if it does not */

/* Inode flags (FS_IOC_GETFLAGS), Linux's values. */
#define FS_SECRM_FL 0x00000001
#define FS_UNRM_FL 0x00000002
#define FS_COMPR_FL 0x00000004
#define FS_SYNC_FL 0x00000008
#define FS_IMMUTABLE_FL 0x00000010
#define FS_APPEND_FL 0x00000020
#define FS_NODUMP_FL 0x00000040
#define FS_NOATIME_FL 0x00000080
#define FS_DAX_FL 0x02000000
#define FS_PROJINHERIT_FL 0x20000000

/* One attribute: name (NUL-terminated) then value, in one block. */
struct xattr {
	struct xattr *next;		/* in the order they were made */
	size_t value_len;
	char *value;			/* points past name */
	char name[];
};

/* Whether ino's file system keeps attributes and flags (sb->xattrs). */
bool xattr_supported(const struct inode *ino);

/*
 * The value of name into buf (size 0: only its length); returns the
 * length, -ENODATA if there is none, -ERANGE if size is too small.
 */
long xattr_get(struct inode *ino, const char *name, void *buf, size_t size);

/*
 * Sets name to value (value_len bytes, 0 allowed) or, with value NULL,
 * removes it; flags XATTR_CREATE or XATTR_REPLACE. Returns 0, -EEXIST,
 * -ENODATA, -ENOMEM, or -ENOSPC when user.* attributes already hold
 * 1/32 of memory; ino's ctime is the caller's to update.
 */
int xattr_set(struct inode *ino, const char *name, const void *value,
	      size_t value_len, int flags);

/*
 * The names, each NUL-terminated, into buf (size 0: only the length
 * they need); with !trusted, trusted.* names are left out. Returns the
 * length or -ERANGE.
 */
long xattr_list(struct inode *ino, char *buf, size_t size, bool trusted);

/* Frees every attribute of ino and forgets its flags (its last
   reference went). */
void xattr_drop(struct inode *ino);

/* Whether ino is immutable (FS_IMMUTABLE_FL): no change to its data,
   attributes or names; and append-only (FS_APPEND_FL): data only
   added at the end, no other change. Both are Linux's EPERM cases. */
bool inode_immutable(const struct inode *ino);
bool inode_append_only(const struct inode *ino);
/* Sets ino's FS_*_FL flags (the caller checked the change). */
void inode_set_flags(struct inode *ino, unsigned flags);
/* Whether any inode is immutable or append-only now (a cheap test that
   spares unlink a look at what it removes). */
bool inode_flags_in_use(void);

struct file;
/*
 * Whether ioctl cmd on f is one of the inode flag calls (FS_IOC_GETFLAGS,
 * FS_IOC_SETFLAGS, FS_IOC_FS[GS]ETXATTR) that f's file system answers;
 * otherwise the file's own ioctl takes it, as Linux's ENOIOCTLCMD.
 */
bool fileattr_ioctl_cmd(struct file *f, unsigned cmd);
/* Runs it (kernel/linux/sys_fileattr.c): 0 or -errno. */
long fileattr_ioctl(struct file *f, unsigned cmd, uint64_t arg);

#endif
