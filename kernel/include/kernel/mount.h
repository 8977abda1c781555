/*
 * Mounts as a whole (kernel/fs/mount.c): the per-mount flags mount(2),
 * fsmount(2) and mount_setattr(2) set, how /proc/mounts and statfs show
 * them, and moving a mounted tree. Petrel mounts each file system at one
 * place, so a mount's flags live in its super; a bind mount's node has a
 * super of its own (kernel/fs/mount_bind.c).
 */
#ifndef KERNEL_MOUNT_H
#define KERNEL_MOUNT_H

#include <kernel/types.h>

struct inode;
struct super;
struct proc;
struct file;

/* mount(2)'s flags (Linux values). */
#define MS_RDONLY 1
#define MS_NOSUID 2
#define MS_NODEV 4
#define MS_NOEXEC 8
#define MS_SYNCHRONOUS 16
#define MS_REMOUNT 32
#define MS_MANDLOCK 64
#define MS_DIRSYNC 128
#define MS_NOSYMFOLLOW 256
#define MS_NOATIME 1024
#define MS_NODIRATIME 2048
#define MS_BIND 4096
#define MS_MOVE 8192
#define MS_REC 16384
#define MS_SILENT 32768
#define MS_UNBINDABLE (1 << 17)
#define MS_PRIVATE (1 << 18)
#define MS_SLAVE (1 << 19)
#define MS_SHARED (1 << 20)
#define MS_RELATIME (1 << 21)
#define MS_STRICTATIME (1 << 24)
#define MS_LAZYTIME (1 << 25)
#define MS_NOUSER (1u << 31)

/*
 * The flags a mount keeps (super.mnt_flags), besides read_only. Relatime
 * is the default, so zero means it: MS_STRICTATIME is kept instead.
 */
#define MS_MNT_FLAGS (MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_NOSYMFOLLOW | \
		      MS_NOATIME | MS_NODIRATIME | MS_STRICTATIME)
#define MS_ATIME_FLAGS (MS_NOATIME | MS_STRICTATIME)
/* super.mnt_flags also keeps MS_SHARED or MS_UNBINDABLE (mountinfo). */
#define MS_PROPAGATION (MS_UNBINDABLE | MS_PRIVATE | MS_SLAVE | MS_SHARED)

/* mount_setattr(2) and fsmount(2)'s MOUNT_ATTR_* (Linux values). */
#define MOUNT_ATTR_RDONLY 0x1
#define MOUNT_ATTR_NOSUID 0x2
#define MOUNT_ATTR_NODEV 0x4
#define MOUNT_ATTR_NOEXEC 0x8
#define MOUNT_ATTR__ATIME 0x70
#define MOUNT_ATTR_RELATIME 0x0
#define MOUNT_ATTR_NOATIME 0x10
#define MOUNT_ATTR_STRICTATIME 0x20
#define MOUNT_ATTR_NODIRATIME 0x80
#define MOUNT_ATTR_IDMAP 0x100000
#define MOUNT_ATTR_NOSYMFOLLOW 0x200000

/*
 * The mount flags (MS_MNT_FLAGS) that mount(2)'s flags ask for a new
 * mount or a remount, as Linux's path_mount: relatime unless noatime or
 * strictatime; a remount that names no atime flag keeps old's.
 */
unsigned mount_flags_from_ms(unsigned long flags, unsigned old);
/* The same from MOUNT_ATTR_* (fsmount, mount_setattr). */
unsigned mount_flags_from_attr(unsigned attr);
/* Whether a mount's flags forbid: device nodes, running programs,
   following symlinks (mount_noexec also holds for mmap's PROT_EXEC). */
bool mount_nodev(const struct inode *ino);
bool mount_noexec(const struct inode *ino);
bool mount_nosymfollow(const struct inode *ino);
/* Whether reading ino leaves its atime alone (noatime, nodiratime). */
bool mount_noatime(const struct inode *ino);
/*
 * The id of the mount ino is on, as mountinfo shows it (its slot in the
 * mount table plus one; ids of unmounted ones come back, as Linux's),
 * or with unique, one never given twice (past 2^31, as Linux's);
 * 0 for a tree not mounted.
 */
uint64_t mount_id_of(const struct inode *ino, bool unique);
/* The root mount's unique id, the first, as Linux's MNT_UNIQUE_ID_OFFSET
 * + 1; later mounts count on from it. */
#define MOUNT_ROOT_UNIQUE_ID ((1ull << 31) + 1)
/* Whether dir lies at or below top, mount points crossed upward (the
 * root of a mount included: it is below its mount point). */
bool mount_under(struct inode *dir, const struct inode *top);
/*
 * The path of where from the first root, whatever the caller's root (the
 * mount table's paths, which mountinfo shows from each reader's root),
 * into buf: its length with the NUL, or -ENOENT, -ENAMETOOLONG, -ERANGE
 * (size too small), -ENOMEM. Big lock.
 */
long mount_path_global(struct inode *where, char *buf, size_t size);
/*
 * The mount point of mount table slot `slot` as p sees it, into buf:
 * from p's root (a chrooted or pivoted process's "/" is its root's
 * mount); false if the mount lies outside p's root, where Linux's
 * mountinfo shows none. Big lock; does not sleep.
 */
bool mount_point_seen(struct proc *p, int slot, char *buf, size_t size);
/* Whether ino lies in the tree mounted at root, mounts inside included. */
bool mount_in_tree(struct inode *ino, struct inode *root);
/*
 * A read of f's data or directory entries (Linux's file_accessed): its
 * atime moves as its mount's rule says (relatime: only past the last
 * change or a day old; strictatime: always; noatime, nodiratime and
 * O_NOATIME: never). For file systems that keep times in the inode.
 */
void mount_file_accessed(struct file *f);
/* Whether a read of f now would move its atime (mount_file_accessed's
 * test); reads only words of f, its inode and super block, and this
 * CPU's coarse clock (the clock itself only for an atime within a minute
 * of a day old), so a nolock call may ask. */
bool mount_atime_due(const struct file *f);
/* statfs's f_flags (ST_*) for a file system. */
int64_t mount_statfs_flags(const struct super *sb);
/* The mount options /proc/mounts shows for sb ("rw,nosuid,relatime")
   into buf (at least 64 bytes). */
void mount_options(const struct super *sb, char *buf, size_t size);
/*
 * Moves the tree mounted with root `root` to the directory where (path:
 * its absolute name), with the trees mounted inside it; 0, -EINVAL (not
 * a mount's root, where is no directory or in a detached tree), -ELOOP
 * (where is inside the tree), -EBUSY (a mount is there).
 */
int mount_move(struct inode *root, struct inode *where, const char *path);

/* Bind mounts (kernel/fs/mount_bind.c). */
/*
 * Mounts source (a directory or a file, as where is) at where as a bind
 * (mount(2)'s MS_BIND): walks that reach where go on to source. 0,
 * -ENOTDIR (a directory onto a file or the reverse), -EINVAL (source in
 * a detached tree), -EBUSY, -ENOMEM. Big lock.
 */
long mount_bind(struct inode *source, struct inode *where);
/*
 * The inode path names for umount and remount: the top of the mounts
 * there, a bind's own node rather than what it shows (vfs_lookup's
 * answer); a new reference or an error pointer. Big lock; may sleep.
 */
struct inode *mount_lookup(struct proc *p, int dirfd, const char *path,
			   bool follow);
/* Whether root, a mount table entry's root, is a bind's node. */
bool mount_is_bind(const struct inode *root);
/* The inode a bind's node shows (no reference taken: the node holds
 * one), or node itself if it is no bind's. */
struct inode *mount_bind_shown(struct inode *node);
/* ino's reference traded for its source's if it is a bind's node. */
struct inode *mount_bind_source(struct inode *ino);
/* umount's EBUSY for a bind: another mount on it, or one made after it
 * inside the tree it shows (its files' users are the source's: they do
 * not count). */
bool mount_bind_busy(const struct inode *node);
/*
 * Whether a bind keeps read-only ro and mount flags mnt_flags as they
 * are: those of its source's file system, which rule the files it shows.
 * A bind's remount and mount_setattr take no others (EINVAL): a
 * read-only bind of a writable tree is not done.
 */
bool mount_bind_flags_kept(const struct inode *node, bool ro,
			   unsigned mnt_flags);
/* The root of the mount of the file system ino (or a bind's node) shows,
 * as fspick and a remount reconfigure it: a new reference, for ino's,
 * or -EINVAL if the file system is not mounted. */
struct inode *mount_fs_root(struct inode *ino);
/* Whether a bind shows ino (is its root): its path then may name the
 * bind rather than ino's own mount (statx's mount id). */
bool mount_bind_shows(const struct inode *ino);
/* mountinfo's root field for the mount with root root into buf: the
 * bound directory's path inside its file system, "/" for others. */
void mount_bind_root(const struct inode *root, char *buf, size_t size);

/*
 * pivot_root (kernel/fs/mount_pivot.c): the mount whose root is new_root
 * takes the place of p's root mount, which is mounted at put_old; every
 * process whose root or cwd was p's root gets new_root instead. 0,
 * -EBUSY (new_root or put_old on the root's mount), -EINVAL (p's root is
 * the first mount or no mount's root, new_root no mount's root, as a
 * bind's shown directory is not, put_old not under new_root, new_root
 * not under the root, a shared mount involved), -ENOENT (new_root
 * removed), -EBUSY too where another mount namespace sees the root's
 * mount or new_root's (it shares them). Big lock; does not sleep.
 */
int mount_pivot(struct proc *p, struct inode *new_root, struct inode *put_old);

/* Mount namespaces (kernel/fs/mount_ns.c). */
struct mount_entry;
/* Whether the caller's mount namespace sees the tree mounted with root
 * root (a walk enters it only then). */
bool mount_visible(const struct inode *root);
/* m was just mounted by the caller: only its namespace sees it. */
void mount_ns_mounted(struct mount_entry *m);
/* Whether a mount namespace other than the caller's sees the tree
 * mounted with root root. */
bool mount_ns_seen_elsewhere(const struct inode *root);
/* umount of root in the caller's namespace while another still sees it:
 * hides it from the caller and returns true; false: unmount it. */
bool mount_ns_leave(struct inode *root);
/* A new namespace's slot, seeing what parent_slot's sees; or -ENOSPC. */
int mount_ns_copy(int parent_slot);
/* A namespace's end: mounts no one else sees are detached. */
void mount_ns_release(int slot);

/* kernel/linux/sys_mount.c: */
/* Detaches the tree mounted with root root as umount2(MNT_DETACH). */
void mount_detach(struct inode *root);
/* The slot of the mount that holds mount slot i's mount point: the
 * longest mount path that is a prefix of its path (kernel/fs/procfs.c);
 * the root mount is its own. */
int mount_parent(int i);
/* kernel/linux/sys_mount.c: */
/* What statfs reports for the file system holding ino; 0 or -errno.
 * May sleep (a server's statfs). */
struct statfs_k;
int statfs_fill(struct inode *ino, struct statfs_k *s);
/*
 * Reconfigures the file system mounted with root `root` (a remount):
 * tmpfs's options, read-only or not (-EBUSY while a file is open for
 * writing). 0 or -errno; may sleep (a server's sync).
 */
long mount_reconfigure(struct inode *root, bool ro, const char *options);
/* type's static name if an in-kernel file system has it, else NULL. */
const char *mount_kernel_type(const char *type);
/*
 * A new tree of an in-kernel file system of type (proc, sysfs, devtmpfs,
 * devpts, tmpfs) with its options, *name its type's name: the root (a
 * reference) or an error pointer, -ENODEV for any other type.
 */
struct inode *mount_new_tree(const char *type, const char *options,
			     const char **name);
/*
 * Mounts the tree root at where (mount table entry: its path from the
 * first root, source copied, type kept), read-only if ro, with mount
 * flags mnt_flags; 0 or -errno.
 */
long mount_attach(struct inode *where, struct inode *root,
		  const char *source, const char *type, bool ro,
		  unsigned mnt_flags);
/* mount_move to where; may sleep. */
long mount_attach_moved(struct inode *root, struct inode *where);

/* The mount table changed (a mount, an unmount, a move, a remount):
 * /proc/PID/mounts and mountinfo poll POLLERR | POLLPRI once for it
 * (kernel/fs/procfs_mount.c). Big lock. */
void procfs_mounts_changed(void);

#endif
