/*
 * statmount(2) and listmount(2), Linux 6.8 (with 6.11's MNT_NS_ID and
 * MNT_OPTS): a mount named by its 64-bit unique id (statx's
 * STATX_MNT_ID_UNIQUE) described from Petrel's mount table (kernel/fs/
 * mount.c), and the ids of the mounts below one. There is one mount
 * namespace and no bind mounts, so a mount's root is "/" of its file
 * system and no mount is a slave.
 */
#include <kernel/proc.h>
#include <kernel/caps.h>
#include <kernel/vfs.h>
#include <kernel/mount.h>
#include <kernel/kmalloc.h>
#include <kernel/syscall.h>
#include <syscall_table.h>
#include <kernel/errno.h>
#include <kernel/string.h>
#include <kernel/vm.h>
#include <kernel/printk.h>

#define STATMOUNT_SB_BASIC 0x01
#define STATMOUNT_MNT_BASIC 0x02
#define STATMOUNT_PROPAGATE_FROM 0x04
#define STATMOUNT_MNT_ROOT 0x08
#define STATMOUNT_MNT_POINT 0x10
#define STATMOUNT_FS_TYPE 0x20
#define STATMOUNT_MNT_NS_ID 0x40
#define STATMOUNT_MNT_OPTS 0x80
#define STATMOUNT_STRINGS (STATMOUNT_MNT_ROOT | STATMOUNT_MNT_POINT | \
			   STATMOUNT_FS_TYPE | STATMOUNT_MNT_OPTS)

#define MNT_UNIQUE_ID_OFFSET (1ull << 31)
#define MNT_ID_REQ_SIZE_VER0 24
#define LSMT_ROOT UINT64_MAX
#define LISTMOUNT_REVERSE 1
#define LISTMOUNT_MAX 1000000
/* The one mount namespace's id (Linux numbers them from 1, the initial
 * namespace first). */
#define MNT_NS_ID_INIT 1

/* Linux's struct mnt_id_req (its VER1 form, mnt_ns_id last). */
struct mnt_id_req_k {
	uint32_t size;
	uint32_t spare;
	uint64_t mnt_id;
	uint64_t param;
	uint64_t mnt_ns_id;
};

/* Linux's struct statmount: 512 bytes, then the strings. */
struct statmount_k {
	uint32_t size;
	uint32_t mnt_opts;
	uint64_t mask;
	uint32_t sb_dev_major, sb_dev_minor;
	uint64_t sb_magic;
	uint32_t sb_flags;
	uint32_t fs_type;
	uint64_t mnt_id, mnt_parent_id;
	uint32_t mnt_id_old, mnt_parent_id_old;
	uint64_t mnt_attr, mnt_propagation, mnt_peer_group, mnt_master;
	uint64_t propagate_from;
	uint32_t mnt_root, mnt_point;
	uint64_t mnt_ns_id;
	uint64_t spare2[49];
};
_Static_assert(sizeof(struct statmount_k) == 512, "Linux's statmount size");

/*
 * Linux's copy_mnt_id_req: the size first (EFAULT, E2BIG past a page,
 * EINVAL below VER0), bytes past what is known must be 0 (E2BIG), the
 * spare 0 and the id a unique one (EINVAL).
 */
static long
mnt_id_req_get(uaddr_t ureq, struct mnt_id_req_k *req)
{
	uint32_t size;
	if (copyin(&size, ureq, sizeof(size)) < 0)
		return -EFAULT;
	if (size > PAGE_SIZE)
		return -E2BIG;
	if (size < MNT_ID_REQ_SIZE_VER0)
		return -EINVAL;
	int e = copy_struct_in(req, sizeof(*req), ureq, size);
	if (e < 0)
		return e;
	if (req->spare || req->mnt_id <= MNT_UNIQUE_ID_OFFSET)
		return -EINVAL;
	if (req->mnt_ns_id && req->mnt_ns_id != MNT_NS_ID_INIT)
		return -ENOENT;
	return 0;
}

/* The mount table slot of a unique id, or -1. */
static int
mount_slot(uint64_t id)
{
	for (int i = 0; i < MOUNT_MAX; i++)
		if (mounts[i].root && mounts[i].unique_id == id)
			return i;
	return -1;
}

/* Whether the mount in slot lies at or below the caller's root directory
 * (Linux's is_path_reachable from current->fs->root). */
static bool
mount_under_root(int slot)
{
	struct inode *root = current()->proc->fs->root;
	struct inode *ino = mounts[slot].root;
	if (root == vfs_root())
		return true;
	for (int guard = 0; ino && guard < 4096; guard++) {
		if (ino == root)
			return true;
		struct inode *up = ino->covered ? ino->covered : ino->parent;
		if (up == ino)
			break;
		ino = up;
	}
	return false;
}

/* Whether the caller may see the mount in slot: in its namespace, reached
 * from the caller's root, or CAP_SYS_ADMIN: a mount outside a chroot is
 * not the caller's to see. */
static bool
mount_reachable(int slot)
{
	if (!mount_visible(mounts[slot].root))
		return false;
	return capable(CAP_SYS_ADMIN) || mount_under_root(slot);
}

/* The strings after the fixed part, as Linux's seq_file gathers them. */
struct sm_strings {
	char *buf;
	size_t len, room;	/* room: what the caller's buffer has left */
};

/* Appends s and its NUL; *off gets where it starts. EOVERFLOW when the
 * caller's buffer cannot hold it, as Linux's statmount_string. */
static long
sm_string(struct sm_strings *st, const char *s, uint32_t *off)
{
	size_t n = strlen(s) + 1;
	if (st->len + n > st->room)
		return -EOVERFLOW;
	memcpy(st->buf + st->len, s, n);
	*off = (uint32_t)st->len;
	st->len += n;
	return 0;
}

/* MOUNT_ATTR_* of a mount (Linux's mnt_to_attr_flags). */
static uint64_t
mount_attr(const struct mount_entry *m)
{
	const struct super *sb = m->root->sb;
	unsigned f = sb ? sb->mnt_flags : 0;
	uint64_t attr = 0;
	if (m->read_only || (sb && sb->read_only))
		attr |= MOUNT_ATTR_RDONLY;
	if (f & MS_NOSUID)
		attr |= MOUNT_ATTR_NOSUID;
	if (f & MS_NODEV)
		attr |= MOUNT_ATTR_NODEV;
	if (f & MS_NOEXEC)
		attr |= MOUNT_ATTR_NOEXEC;
	if (f & MS_NOATIME)
		attr |= MOUNT_ATTR_NOATIME;
	else if (f & MS_STRICTATIME)
		attr |= MOUNT_ATTR_STRICTATIME;
	if (f & MS_NODIRATIME)
		attr |= MOUNT_ATTR_NODIRATIME;
	if (f & MS_NOSYMFOLLOW)
		attr |= MOUNT_ATTR_NOSYMFOLLOW;
	return attr;
}

static void
sm_sb_basic(struct statmount_k *sm, const struct mount_entry *m)
{
	struct statfs_k fs;
	uint32_t dev = m->root->sb ? m->root->sb->dev : 0;
	sm->sb_dev_major = (dev >> 8) & 0xfff;
	sm->sb_dev_minor = (dev & 0xff) | ((dev >> 12) & ~0xffu);
	sm->sb_magic = statfs_fill(m->root, &fs) == 0 ? (uint64_t)fs.type : 0;
	sm->sb_flags = m->read_only || (m->root->sb && m->root->sb->read_only) ?
		       MS_RDONLY : 0;
	sm->mask |= STATMOUNT_SB_BASIC;
}

/* Ids, attributes and propagation: a shared mount's peer group is its
 * own old id, as mountinfo's shared:N. */
static void
sm_mnt_basic(struct statmount_k *sm, int slot)
{
	const struct mount_entry *m = &mounts[slot];
	int parent = mount_parent(slot);
	unsigned f = m->root->sb ? m->root->sb->mnt_flags : 0;
	sm->mnt_id = m->unique_id;
	sm->mnt_parent_id = mounts[parent].unique_id;
	sm->mnt_id_old = (uint32_t)slot + 1;
	sm->mnt_parent_id_old = (uint32_t)parent + 1;
	sm->mnt_attr = mount_attr(m);
	sm->mnt_propagation = f & (MS_SHARED | MS_UNBINDABLE);
	if (!sm->mnt_propagation)
		sm->mnt_propagation = MS_PRIVATE;
	sm->mnt_peer_group = (f & MS_SHARED) ? (uint64_t)slot + 1 : 0;
	sm->mnt_master = 0;
	sm->mask |= STATMOUNT_MNT_BASIC;
}

/* Where the mount is, seen from the caller's root. */
static void
mount_point(int slot, char *buf, size_t size)
{
	struct proc *p = current()->proc;
	struct inode *where = mounts[slot].root->covered;
	if (p->fs->root == vfs_root() || !where ||
	    vfs_path_of(p, where, buf, size) < 0)
		snprintk(buf, size, "%s", mounts[slot].path);
}

static long
sm_strings_fill(struct statmount_k *sm, struct sm_strings *st, int slot,
		uint64_t mask)
{
	const struct mount_entry *m = &mounts[slot];
	char point[sizeof(m->path)];
	long e = 0;
	if (mask & STATMOUNT_FS_TYPE) {
		e = sm_string(st, m->type, &sm->fs_type);
		sm->mask |= e ? 0 : STATMOUNT_FS_TYPE;
	}
	if (!e && (mask & STATMOUNT_MNT_ROOT)) {
		char root[sizeof(m->path)];
		mount_bind_root(m->root, root, sizeof(root));
		e = sm_string(st, root, &sm->mnt_root);
		sm->mask |= e ? 0 : STATMOUNT_MNT_ROOT;
	}
	if (!e && (mask & STATMOUNT_MNT_POINT)) {
		mount_point(slot, point, sizeof(point));
		e = sm_string(st, point, &sm->mnt_point);
		sm->mask |= e ? 0 : STATMOUNT_MNT_POINT;
	}
	if (!e && (mask & STATMOUNT_MNT_OPTS)) {
		/* No file system of Petrel's has options of its own to show. */
		e = sm_string(st, "", &sm->mnt_opts);
		sm->mask |= e ? 0 : STATMOUNT_MNT_OPTS;
	}
	return e;
}

/* Fills sm and the strings for the mount in slot, as Linux's do_statmount. */
static long
statmount_fill(struct statmount_k *sm, struct sm_strings *st, int slot,
	       uint64_t mask)
{
	if (!mount_reachable(slot))
		return -EPERM;
	if (mask & STATMOUNT_SB_BASIC)
		sm_sb_basic(sm, &mounts[slot]);
	if (mask & STATMOUNT_MNT_BASIC)
		sm_mnt_basic(sm, slot);
	if (mask & STATMOUNT_PROPAGATE_FROM)	/* never a slave: 0 */
		sm->mask |= STATMOUNT_PROPAGATE_FROM;
	long e = sm_strings_fill(sm, st, slot, mask);
	if (e < 0)
		return e;
	if (mask & STATMOUNT_MNT_NS_ID) {
		sm->mnt_ns_id = MNT_NS_ID_INIT;
		sm->mask |= STATMOUNT_MNT_NS_ID;
	}
	return 0;
}

/*
 * Writes the mount's description to buf: the fixed part (as much as
 * bufsize holds) and its strings after it; size says how much was
 * written. Strings asked for with no room past the fixed part are
 * EOVERFLOW.
 */
long
sys_statmount(uaddr_t ureq, uaddr_t buf, size_t bufsize, unsigned flags)
{
	struct mnt_id_req_k req;
	if (flags)
		return -EINVAL;
	long e = mnt_id_req_get(ureq, &req);
	if (e < 0)
		return e;
	if ((req.param & STATMOUNT_STRINGS) && bufsize <= sizeof(struct statmount_k))
		return -EOVERFLOW;
	int slot = mount_slot(req.mnt_id);
	if (slot < 0)
		return -ENOENT;
	struct statmount_k *sm = kzalloc(sizeof(*sm));
	struct sm_strings st = { 0 };
	if (req.param & STATMOUNT_STRINGS) {
		st.room = MIN(bufsize - sizeof(*sm), PAGE_SIZE);
		st.buf = kmalloc(st.room);
	}
	e = -ENOMEM;
	if (!sm || ((req.param & STATMOUNT_STRINGS) && !st.buf))
		goto out;
	e = statmount_fill(sm, &st, slot, req.param);
	if (e < 0)
		goto out;
	size_t fixed = MIN(bufsize, sizeof(*sm));
	sm->size = (uint32_t)(fixed + st.len);
	e = 0;
	if ((st.len && copyout(buf + sizeof(*sm), st.buf, st.len) < 0) ||
	    copyout(buf, sm, fixed) < 0)
		e = -EFAULT;
out:
	kfree(st.buf);
	kfree(sm);
	return e;
}

/* Whether the mount in slot lies below the one in top (itself included). */
static bool
mount_below(int slot, int top)
{
	for (int guard = 0; guard < MOUNT_MAX; guard++) {
		if (slot == top)
			return true;
		int parent = mount_parent(slot);
		if (parent == slot)
			return false;
		slot = parent;
	}
	return false;
}

/*
 * Gathers into ids (at most nr) the unique ids, in order (reverse:
 * highest first), of the mounts below top (-1: those at or below the
 * caller's root, that one included, as Linux's LSMT_ROOT) after last (0:
 * from the first); returns how many.
 */
static size_t
listmount_gather(uint64_t *ids, size_t nr, int top, uint64_t last, bool reverse)
{
	size_t n = 0;
	uint64_t from = last;
	while (n < nr) {
		int next = -1;
		for (int i = 0; i < MOUNT_MAX; i++) {
			uint64_t id = mounts[i].unique_id;
			if (!mounts[i].root || i == top ||
			    (top >= 0 && !mount_below(i, top)) ||
			    (top < 0 && !mount_under_root(i)))
				continue;
			if (from && (reverse ? id >= from : id <= from))
				continue;
			if (next < 0 || (reverse ? id > mounts[next].unique_id :
					 id < mounts[next].unique_id))
				next = i;
		}
		if (next < 0)
			break;
		ids[n++] = from = mounts[next].unique_id;
	}
	return n;
}

/*
 * The unique ids of the mounts below req's (LSMT_ROOT: every mount at or
 * below the caller's root, the root's own included),
 * sorted, after req's param (an id, or 0); as many as nr. EPERM for a
 * mount outside the caller's chroot.
 */
long
sys_listmount(uaddr_t ureq, uaddr_t uids, size_t nr, unsigned flags)
{
	struct mnt_id_req_k req;
	if (flags & ~LISTMOUNT_REVERSE)
		return -EINVAL;
	if (nr > LISTMOUNT_MAX)
		return -EOVERFLOW;
	long e = mnt_id_req_get(ureq, &req);
	if (e < 0)
		return e;
	if (req.param && req.param <= MNT_UNIQUE_ID_OFFSET)
		return -EINVAL;
	int top = -1;
	if (req.mnt_id != LSMT_ROOT) {
		top = mount_slot(req.mnt_id);
		if (top < 0)
			return -ENOENT;
		if (!mount_reachable(top))
			return -EPERM;
	}
	size_t want = MIN(nr, (size_t)MOUNT_MAX);
	uint64_t ids[MOUNT_MAX];
	size_t n = listmount_gather(ids, want, top, req.param,
				   flags & LISTMOUNT_REVERSE);
	if (n && copyout(uids, ids, n * sizeof(ids[0])) < 0)
		return -EFAULT;
	return (long)n;
}
