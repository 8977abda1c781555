/*
 * Mounts as a whole: the per-mount flags (nosuid, nodev, noexec, the atime
 * rules, nosymfollow) that mount(2) and the new mount API set, what the
 * VFS refuses because of them, how /proc/mounts and statfs show them, and
 * MS_MOVE; and the mount table's entries themselves (vfs_mount,
 * vfs_unmount). A file system is mounted at one place, so its super holds
 * the flags.
 */
#include <kernel/mount.h>
#include <kernel/vfs.h>
#include <kernel/inotify.h>
#include <kernel/errno.h>
#include <kernel/string.h>
#include <kernel/printk.h>
#include <kernel/proc.h>
#include <kernel/kmalloc.h>
#include <kernel/clock.h>
#include <kernel/cpu.h>
#include "vfs_int.h"

unsigned
mount_flags_from_ms(unsigned long flags, unsigned old)
{
	unsigned f = flags & (MS_NOSUID | MS_NODEV | MS_NOEXEC |
			      MS_NOSYMFOLLOW | MS_NOATIME | MS_NODIRATIME);
	if (flags & MS_STRICTATIME)
		f = (f & ~(unsigned)MS_NOATIME) | MS_STRICTATIME;
	if ((flags & MS_REMOUNT) &&
	    !(flags & (MS_NOATIME | MS_NODIRATIME | MS_RELATIME |
		       MS_STRICTATIME)))
		f = (f & ~(unsigned)MS_ATIME_FLAGS) | (old & MS_ATIME_FLAGS);
	return f;
}

unsigned
mount_flags_from_attr(unsigned attr)
{
	unsigned f = 0;
	if (attr & MOUNT_ATTR_NOSUID)
		f |= MS_NOSUID;
	if (attr & MOUNT_ATTR_NODEV)
		f |= MS_NODEV;
	if (attr & MOUNT_ATTR_NOEXEC)
		f |= MS_NOEXEC;
	if (attr & MOUNT_ATTR_NODIRATIME)
		f |= MS_NODIRATIME;
	if (attr & MOUNT_ATTR_NOSYMFOLLOW)
		f |= MS_NOSYMFOLLOW;
	if ((attr & MOUNT_ATTR__ATIME) == MOUNT_ATTR_NOATIME)
		f |= MS_NOATIME;
	else if ((attr & MOUNT_ATTR__ATIME) == MOUNT_ATTR_STRICTATIME)
		f |= MS_STRICTATIME;
	return f;
}

static unsigned
flags_of(const struct inode *ino)
{
	return ino && ino->sb ? ino->sb->mnt_flags : 0;
}

bool
mount_nodev(const struct inode *ino)
{
	return flags_of(ino) & MS_NODEV;
}

bool
mount_noexec(const struct inode *ino)
{
	return flags_of(ino) & MS_NOEXEC;
}

bool
mount_nosymfollow(const struct inode *ino)
{
	return flags_of(ino) & MS_NOSYMFOLLOW;
}

bool
mount_noatime(const struct inode *ino)
{
	unsigned f = flags_of(ino);
	return (f & MS_NOATIME) ||
	       ((f & MS_NODIRATIME) && S_ISDIR(ino->mode));
}

/* statfs's ST_* bits: MS_* values but for relatime and nosymfollow. */
#define ST_VALID 0x20
#define ST_RELATIME 0x1000
#define ST_NOSYMFOLLOW 0x2000

int64_t
mount_statfs_flags(const struct super *sb)
{
	if (!sb)
		return ST_VALID;
	unsigned f = sb->mnt_flags;
	int64_t st = ST_VALID | (sb->read_only ? MS_RDONLY : 0);
	st |= f & (MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_NOATIME |
		   MS_NODIRATIME);
	if (!(f & MS_ATIME_FLAGS))
		st |= ST_RELATIME;
	if (f & MS_NOSYMFOLLOW)
		st |= ST_NOSYMFOLLOW;
	return st;
}

/* In the order Linux's show_mnt_opts writes them; relatime is shown
   when neither noatime nor strictatime is set. */
static const struct {
	unsigned flag;
	const char *name;
} mount_option_names[] = {
	{ MS_NOSUID, ",nosuid" },
	{ MS_NODEV, ",nodev" },
	{ MS_NOEXEC, ",noexec" },
	{ MS_NOATIME, ",noatime" },
	{ MS_NODIRATIME, ",nodiratime" },
	{ MS_RELATIME, ",relatime" },
	{ MS_NOSYMFOLLOW, ",nosymfollow" },
};

void
mount_options(const struct super *sb, char *buf, size_t size)
{
	size_t n = (size_t)snprintk(buf, size, "%s",
				    sb && sb->read_only ? "ro" : "rw");
	unsigned f = sb ? sb->mnt_flags : 0;
	if (!(f & MS_ATIME_FLAGS))
		f |= MS_RELATIME;
	for (size_t i = 0; i < ARRAY_SIZE(mount_option_names); i++)
		if ((f & mount_option_names[i].flag) && n < size)
			n += (size_t)snprintk(buf + n, size - n, "%s",
					      mount_option_names[i].name);
}

bool
mount_in_tree(struct inode *ino, struct inode *root)
{
	for (int guard = 0; ino && guard < 4096; guard++) {
		if (ino->sb == root->sb)
			return true;
		struct inode *up = ino->covered ? ino->covered : ino->parent;
		if (up == ino)
			return false;
		ino = up;
	}
	return false;
}

long
mount_path_global(struct inode *where, char *buf, size_t size)
{
	char *tmp = kmalloc(PATH_MAX_K);
	if (!tmp)
		return -ENOMEM;
	size_t pos = PATH_MAX_K - 1;
	tmp[pos] = 0;
	for (int guard = 0; guard < 4096; guard++) {
		while (where->covered)
			where = where->covered;
		struct inode *up = where->parent;
		if (!up || up == where)
			break;
		const char *name = dir_name_of(up, where);
		size_t n = name ? strlen(name) : 0;
		if (!name || n + 1 > pos) {
			kfree(tmp);
			return name ? -ENAMETOOLONG : -ENOENT;
		}
		pos -= n;
		memcpy(tmp + pos, name, n);
		tmp[--pos] = '/';
		where = up;
	}
	if (pos == PATH_MAX_K - 1)
		tmp[--pos] = '/';
	size_t len = PATH_MAX_K - 1 - pos;
	long r = len + 1 <= size ? (long)len + 1 : -ERANGE;
	if (r > 0)
		memcpy(buf, tmp + pos, len + 1);
	kfree(tmp);
	return r;
}

bool
mount_point_seen(struct proc *p, int slot, char *buf, size_t size)
{
	struct inode *root = mounts[slot].root;
	if (p->fs->root == vfs_root()) {	/* the table's own paths */
		snprintk(buf, size, "%s", mounts[slot].path);
		return true;
	}
	return mount_under(root, p->fs->root) &&
	       vfs_path_of(p, root, buf, size) > 0;
}

/* The mount table's paths under old (itself included) move to new. */
static void
rename_paths(const char *old, const char *new)
{
	size_t olen = strlen(old), nlen = strlen(new);
	for (int i = 0; i < MOUNT_MAX; i++) {
		char *path = mounts[i].path;
		if (!mounts[i].root || strncmp(path, old, olen) != 0 ||
		    (path[olen] != 0 && path[olen] != '/'))
			continue;
		char rest[sizeof(mounts[i].path)];
		memcpy(rest, path + olen, strlen(path + olen) + 1);
		snprintk(path, sizeof(mounts[i].path), "%s%s",
			 nlen == 1 && rest[0] ? "" : new, rest);
	}
}

int
mount_move(struct inode *root, struct inode *where, const char *path)
{
	struct inode *old = root->covered;
	if (!mount_in_tree(where, vfs_root()))
		return -EINVAL;	/* into a detached tree */
	if (!old)
		return -EINVAL;	/* "/" or a file system's inner directory */
	if (!S_ISDIR(where->mode))
		return -EINVAL;	/* a directory onto a file, as Linux */
	if (mount_in_tree(where, root))
		return -ELOOP;	/* into itself */
	if (where->mounted)
		return -EBUSY;
	int slot = -1;
	for (int i = 0; i < MOUNT_MAX; i++)
		if (mounts[i].root == root)
			slot = i;
	if (slot < 0)
		return -EINVAL;
	if (strlen(path) >= sizeof(mounts[slot].path))
		return -ENAMETOOLONG;
	char from[sizeof(mounts[slot].path)];
	memcpy(from, mounts[slot].path, sizeof(from));
	old->mounted = NULL;
	where->mounted = root;	/* old's reference to root moves here */
	root->covered = where;
	inode_get(where);
	inode_put(old);		/* root->covered's */
	root->parent = where->parent;
	rename_paths(from, path);
	procfs_mounts_changed();
	return 0;
}

static bool
ts_before_or_at(const struct timespec_k *a, const struct timespec_k *b)
{
	return a->tv_sec < b->tv_sec ||
	       (a->tv_sec == b->tv_sec && a->tv_nsec <= b->tv_nsec);
}

#define DAY_SECS (24 * 60 * 60)
/* What this CPU's coarse clock may lag the clock by, and more: see
 * cpu.clock_coarse. */
#define COARSE_LAG_SECS 60

/* Whether a read of f moves its inode's atime by the rules that need no
 * clock: 1 it does, 0 it does not, -1 only if the atime is a day old. */
static int
atime_rule(const struct file *f)
{
	const struct inode *ino = f->inode;
	if (!ino || (f->flags & O_NOATIME) || mount_noatime(ino))
		return 0;
	/* relatime (Linux's relatime_need_update): only an atime older than
	   the last change, or a day old, moves */
	if ((flags_of(ino) & MS_STRICTATIME) ||
	    ts_before_or_at(&ino->atime, &ino->mtime) ||
	    ts_before_or_at(&ino->atime, &ino->ctime))
		return 1;
	return -1;
}

static bool
atime_day_old(const struct inode *ino, int64_t now_sec)
{
	return now_sec - ino->atime.tv_sec >= DAY_SECS;
}

/* The atime a read at now would give f's inode, if it moves. */
static bool
atime_due(const struct file *f, const struct timespec_k *now)
{
	int rule = atime_rule(f);
	return rule > 0 || (rule < 0 && atime_day_old(f->inode, now->tv_sec));
}

/* CLOCK_REALTIME's seconds by this CPU's coarse clock
 * (cpu.clock_coarse): behind the clock's by less than COARSE_LAG_SECS,
 * never ahead. */
static int64_t
coarse_realtime_sec(void)
{
	uint64_t mono = (uint64_t)this_cpu()->clock_coarse << CLOCK_COARSE_SHIFT;
	return (int64_t)((realtime_base_ns() + mono) / NSEC_PER_SEC);
}

/*
 * The clock is read only when the answer hangs on it: an atime the coarse
 * clock finds short of a day old by more than the coarse clock may lag is
 * short of it by the clock too. A clock read (the TSC) is a call into
 * QEMU's TCG that takes a lock every vCPU shares: it was a third of a
 * nolock pread's cost (docs/performance-smp-lock.md, "What two vCPUs
 * share").
 */
bool
mount_atime_due(const struct file *f)
{
	int rule = atime_rule(f);
	if (rule >= 0)
		return rule;
	if (coarse_realtime_sec() - f->inode->atime.tv_sec <
	    DAY_SECS - COARSE_LAG_SECS)
		return false;
	struct timespec_k now;
	vfs_now(&now);
	return atime_day_old(f->inode, now.tv_sec);
}

void
mount_file_accessed(struct file *f)
{
	struct timespec_k now;
	vfs_now(&now);
	if (atime_due(f, &now))
		f->inode->atime = now;
}

uint64_t
mount_id_of(const struct inode *ino, bool unique)
{
	for (int i = 0; ino && i < MOUNT_MAX; i++)
		if (mounts[i].root && mounts[i].root->sb == ino->sb)
			return unique ? mounts[i].unique_id : (uint64_t)i + 1;
	return 0;
}

/* The mount table's entries (vfs.h: vfs_mount, vfs_unmount). */
int
vfs_mount(struct inode *where, struct inode *root, const char *path,
	  const char *source, const char *type)
{
	if (S_ISDIR(where->mode) != S_ISDIR(root->mode))
		return -ENOTDIR;	/* a file is bound only onto a file */
	/* on top of what other mount namespaces mounted there */
	while (where->mounted && !mount_visible(where->mounted))
		where = where->mounted;
	if (where->mounted)
		return -EBUSY;
	for (int i = 0; i < MOUNT_MAX; i++) {
		if (mounts[i].root)
			continue;
		static uint64_t unique_ids = MOUNT_ROOT_UNIQUE_ID;
		mounts[i].root = root;
		mounts[i].unique_id = ++unique_ids;
		mounts[i].source = source;
		mounts[i].type = type;
		size_t n = MIN(strlen(path), sizeof(mounts[i].path) - 1);
		memcpy(mounts[i].path, path, n);
		mounts[i].path[n] = 0;
		mount_ns_mounted(&mounts[i]);
		where->mounted = root;
		inode_get(root);
		root->covered = where;
		inode_get(where);
		root->parent = where->parent;
		procfs_mounts_changed();
		return 0;
	}
	return -ENOMEM;
}

int
vfs_unmount(struct inode *root)
{
	for (int i = 0; i < MOUNT_MAX; i++) {
		if (mounts[i].root != root || i == 0)
			continue;
		inotify_unmount(root->sb);
		struct inode *where = root->covered;
		if (where) {
			where->mounted = NULL;
			inode_put(root);	/* where->mounted's */
			inode_put(where);	/* root->covered's */
		}
		root->covered = NULL;
		/* vfs_mount set it to where's parent without a reference: a
		   root's release that puts its parent (procfs's) must not
		   find that one */
		root->parent = NULL;
		memset(&mounts[i], 0, sizeof(mounts[i]));
		procfs_mounts_changed();
		return 0;
	}
	return -EINVAL;
}
