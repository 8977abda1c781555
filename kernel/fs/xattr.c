/*
 * Extended attributes in memory: each inode of a file system that keeps
 * them (tmpfs) holds a list of name and value blocks, as Linux's
 * simple_xattrs. Namespaces, permissions and the user's buffers are the
 * system calls' business (kernel/linux/sys_xattr.c).
 */
#include <kernel/xattr.h>
#include <kernel/vfs.h>
#include <kernel/kmalloc.h>
#include <kernel/errno.h>
#include <kernel/string.h>
#include <kernel/page.h>

/*
 * Bytes the user.* attributes of every inode take, which any user can
 * make: held to 1/32 of memory (ENOSPC past it), as Linux 6.6 counts
 * them against a tmpfs's inode space. Big lock.
 */
static uint64_t user_bytes;

static bool
counted(const char *name)
{
	return strncmp(name, "user.", 5) == 0;
}

static size_t
xattr_bytes(const struct xattr *x)
{
	return x ? sizeof(*x) + strlen(x->name) + 1 + x->value_len : 0;
}

static void
uncount(const struct xattr *x)
{
	if (x && counted(x->name))
		user_bytes -= xattr_bytes(x);
}

bool
xattr_supported(const struct inode *ino)
{
	return ino->sb && ino->sb->xattrs;
}

/* Inodes that are immutable or append-only now; unlink and rename look
   at the file they remove only while there are some. Big lock. */
static unsigned long flagged_inodes;

#define FLAGS_GUARDING (FS_IMMUTABLE_FL | FS_APPEND_FL)

void
inode_set_flags(struct inode *ino, unsigned flags)
{
	bool was = ino->attr_flags & FLAGS_GUARDING;
	bool now = flags & FLAGS_GUARDING;
	if (now && !was)
		flagged_inodes++;
	else if (was && !now)
		flagged_inodes--;
	ino->attr_flags = flags;
}

bool
inode_flags_in_use(void)
{
	return flagged_inodes != 0;
}

bool
inode_immutable(const struct inode *ino)
{
	return ino->attr_flags & FS_IMMUTABLE_FL;
}

bool
inode_append_only(const struct inode *ino)
{
	return ino->attr_flags & FS_APPEND_FL;
}

/* The link that points at name's attribute (or at the list's end). */
static struct xattr **
find(struct inode *ino, const char *name)
{
	struct xattr **pp = &ino->xattrs;
	while (*pp && strcmp((*pp)->name, name) != 0)
		pp = &(*pp)->next;
	return pp;
}

long
xattr_get(struct inode *ino, const char *name, void *buf, size_t size)
{
	struct xattr *x = *find(ino, name);
	if (!x)
		return -ENODATA;
	if (size) {
		if (size < x->value_len)
			return -ERANGE;
		memcpy(buf, x->value, x->value_len);
	}
	return (long)x->value_len;
}

static struct xattr *
xattr_new(const char *name, const void *value, size_t value_len)
{
	size_t name_len = strlen(name) + 1;
	struct xattr *x = kmalloc(sizeof(*x) + name_len + value_len);
	if (!x)
		return NULL;
	x->next = NULL;
	memcpy(x->name, name, name_len);
	x->value = x->name + name_len;
	x->value_len = value_len;
	memcpy(x->value, value, value_len);
	return x;
}

int
xattr_set(struct inode *ino, const char *name, const void *value,
	  size_t value_len, int flags)
{
	struct xattr **pp = find(ino, name);
	struct xattr *old = *pp;
	if (old && (flags & XATTR_CREATE))
		return -EEXIST;
	if (!old && (!value || (flags & XATTR_REPLACE)))
		return -ENODATA;
	if (!value) {
		*pp = old->next;
		uncount(old);
		kfree(old);
		return 0;
	}
	size_t need = sizeof(struct xattr) + strlen(name) + 1 + value_len;
	if (counted(name) && user_bytes - xattr_bytes(old) + need >
			     page_total() * PAGE_SIZE / 32)
		return -ENOSPC;
	struct xattr *x = xattr_new(name, value, value_len);
	if (!x)
		return -ENOMEM;
	uncount(old);
	if (counted(name))
		user_bytes += need;
	/* A replaced value keeps its place in the list, as on Linux. */
	x->next = old ? old->next : NULL;
	*pp = x;
	kfree(old);
	return 0;
}

long
xattr_list(struct inode *ino, char *buf, size_t size, bool trusted)
{
	size_t used = 0;
	for (struct xattr *x = ino->xattrs; x; x = x->next) {
		if (!trusted && strncmp(x->name, "trusted.", 8) == 0)
			continue;
		size_t len = strlen(x->name) + 1;
		if (size) {
			if (size - used < len)
				return -ERANGE;
			memcpy(buf + used, x->name, len);
		}
		used += len;
	}
	return (long)used;
}

void
xattr_drop(struct inode *ino)
{
	inode_set_flags(ino, 0);
	while (ino->xattrs) {
		struct xattr *x = ino->xattrs;
		ino->xattrs = x->next;
		uncount(x);
		kfree(x);
	}
}
