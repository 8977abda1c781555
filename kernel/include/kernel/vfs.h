/*
 * The virtual file system (kernel/fs/): inodes, open files, the mount table
 * and path lookup. In-kernel file systems (tmpfs, procfs, devfs) implement
 * inode_ops and file_ops; everything runs under the big kernel lock.
 */
#ifndef KERNEL_VFS_H
#define KERNEL_VFS_H

#include <kernel/types.h>
#include <kernel/list.h>
#include <kernel/stat.h>
#include <kernel/pollwait.h>

struct inode;
struct super;
struct pipe;
struct file;
struct sock_ops;
struct proc;
struct vm_name;
struct lock_ctx;
struct inotify_watch;
struct xattr;

/* A change of attributes (chmod, chown, utimensat, truncate). */
struct iattr_k {
	unsigned mask;			/* IATTR_* */
	unsigned mode, uid, gid;	/* mode: permission bits only */
	uint64_t size;
	struct timespec_k atime, mtime;
};
#define IATTR_MODE 1
#define IATTR_UID 2
#define IATTR_GID 4
#define IATTR_SIZE 8
#define IATTR_ATIME 16
#define IATTR_MTIME 32
#define IATTR_ACCESSED 64		/* with ATIME: a read's (ctime stays) */

/* A run of a file's blocks, logically and physically contiguous (bytes):
 * what FS_IOC_FIEMAP reports (inode_ops.fiemap). */
struct vfs_extent {
	uint64_t logical, physical, length;
	bool last;			/* the file holds no block after it */
};

struct inode_ops {
	/* Returns the child (a new reference) or an error pointer. */
	struct inode *(*lookup)(struct inode *dir, const char *name, size_t len);
	int (*create)(struct inode *dir, const char *name, size_t len,
		      unsigned mode, struct inode **out);
	/* A device or socket node with its device number (major << 8 |
	   minor), on a file system that keeps them on its medium (a
	   server's); NULL where create's node is enough (tmpfs). */
	int (*mknod)(struct inode *dir, const char *name, size_t len,
		     unsigned mode, uint32_t rdev, struct inode **out);
	int (*link)(struct inode *dir, const char *name, size_t len,
		    struct inode *target);
	int (*unlink)(struct inode *dir, const char *name, size_t len, bool rmdir);
	int (*rename)(struct inode *odir, const char *oname, size_t olen,
		      struct inode *ndir, const char *nname, size_t nlen);
	/* Optional: renameat2's RENAME_EXCHANGE, the two names swapping
	   what they name; without it, EINVAL. */
	int (*exchange)(struct inode *odir, const char *oname, size_t olen,
			struct inode *ndir, const char *nname, size_t nlen);
	int (*symlink)(struct inode *dir, const char *name, size_t len,
		       const char *target);
	/* Copies the link's target (not NUL-terminated); returns its length. */
	long (*readlink)(struct inode *ino, char *buf, size_t size);
	/*
	 * Optional, a magic link (/proc/PID/fd/N): the inode it stands for
	 * (a new reference) or an error pointer. A walk follows it instead
	 * of readlink's text, as Linux's /proc links reopen the file itself.
	 */
	struct inode *(*get_link)(struct inode *link);
	int (*truncate)(struct inode *ino, uint64_t size);
	/*
	 * Physical page holding file offset `off` (page aligned); 0 if hole.
	 * With fill (a shared mapping's fault), a hole below the end of the
	 * file gets a zeroed page of its own, so every mapper and read()
	 * see the same one; 0 then means the file system cannot give one
	 * (full, out of memory, a server's page not read in).
	 */
	paddr_t (*getpage)(struct inode *ino, uint64_t off, bool fill);
	void (*release)(struct inode *ino);	/* last reference dropped */
	/* The name under which dir holds child (for getcwd), or NULL. */
	const char *(*name_of)(struct inode *dir, struct inode *child);
	/*
	 * Optional, for file systems that keep attributes elsewhere (a
	 * server): setattr applies a change (ctime becomes now), getattr
	 * brings the inode's fields up to date before a stat, map_prepare
	 * makes getpage able to answer for [off, off + len) (mmap, exec).
	 * Each may sleep; 0 or -errno.
	 */
	int (*setattr)(struct inode *ino, const struct iattr_k *a);
	/* Optional (FS_IOC_FIEMAP; without it EOPNOTSUPP, as Linux): the
	   extents of regular file ino's blocks in [start, start + len)
	   into out, at most max (max 0: only counted); how many, or -errno.
	   May sleep. */
	long (*fiemap)(struct inode *ino, uint64_t start, uint64_t len,
		       struct vfs_extent *out, size_t max);
	/*
	 * Optional: open(O_CREAT) in one step: *out gets the inode named, made
	 * (returns 1) or already there (0); -errno sends the caller the long
	 * way (a lookup, then create).
	 */
	int (*create_open)(struct inode *dir, const char *name, size_t len,
			   unsigned mode, struct inode **out);
	int (*getattr)(struct inode *ino);
	int (*map_prepare)(struct inode *ino, uint64_t off, uint64_t len);
	/*
	 * Optional, for file systems that write mapped pages back (a
	 * server's): page_mkwrite marks the page at off dirty at the first
	 * store through a shared mapping (a write fault; must not sleep;
	 * -errno makes the store a SIGBUS); writeback writes the dirty pages
	 * of [off, off + len) to the file, durably if asked (msync, munmap,
	 * exit; sleeps; 0 or -errno). Without them, stores land in the
	 * file's own pages and need no write-back (tmpfs).
	 */
	int (*page_mkwrite)(struct inode *ino, uint64_t off);
	int (*writeback)(struct inode *ino, uint64_t off, uint64_t len,
			 bool durable);
};

/* One piece of a caller's buffer, as struct iovec. */
struct uiovec {
	uint64_t base;			/* a user address */
	uint64_t len;
};

/* A nolock call's buffers (read's one, readv's few): n pieces at v, len
 * bytes in all (kernel/linux/sys_read_nolock.c). */
struct uvec {
	const struct uiovec *v;
	int n;
	size_t len;
};
/* Copies len bytes from byte at of u's buffers into k: 0 or -EFAULT. */
long uvec_copyin(void *k, const struct uvec *u, size_t at, size_t len);
/* Copies all of u's bytes into k: u->len, or for one piece the bytes
 * before the caller's first page that faults (Linux's count for a short
 * write); 0 for a fault in several (the locked path takes them one by one). */
size_t uvec_copyin_part(char *k, const struct uvec *u);
/* Copies len bytes from k to byte at of u's buffers: len, or fewer, the
 * bytes of the pieces before the one that faulted. */
size_t uvec_copyout(const struct uvec *u, size_t at, const void *k,
		    size_t len);
/* The most pieces a nolock call takes (on the stack). */
#define UVEC_MAX 8
/*
 * The caller's iovec array of iovcnt pieces at uiov into v and *u, when a
 * nolock call takes it: 0, or -ERETRY_LOCKED for what the locked path must
 * answer (no pieces, more than UVEC_MAX, a fault, a negative length).
 */
long uvec_import(struct uiovec v[UVEC_MAX], uint64_t uiov, int iovcnt,
		 struct uvec *u);

struct file_ops {
	const struct sock_ops *sock;	/* a socket's calls (kernel/sock.h) */
	long (*read)(struct file *f, void *buf, size_t len, uint64_t *off);
	long (*write)(struct file *f, const void *buf, size_t len, uint64_t *off);
	long (*ioctl)(struct file *f, unsigned long cmd, uint64_t arg);
	/* Returns the POLL* events ready now. */
	unsigned (*poll)(struct file *f);
	/* Fills buf with linux_dirent64 records from the position at pos; returns bytes. */
	long (*getdents)(struct file *f, void *buf, size_t len, uint64_t *pos);
	int (*open)(struct file *f);
	void (*close)(struct file *f);
	/* Optional: an fd of f is being closed by the current process (any
	 * fd, not only the last: Linux's flush). */
	void (*flush)(struct file *f);
	/*
	 * Optional: read/write/readv/writev on the caller's buffers in one
	 * call, for files whose calls must not be split (datagram sockets
	 * keep message boundaries). Used instead of read/write when set.
	 */
	long (*rw_iov)(struct file *f, const struct uiovec *iov, int n,
		       bool write);
	/*
	 * Optional, for seekable files whose data is elsewhere (a server):
	 * moves data between the caller's iovecs and the file at *off, which
	 * it advances; used for every read and write form when set.
	 */
	long (*rw_at)(struct file *f, const struct uiovec *iov, int n,
		      bool write, uint64_t *off);
	/* Optional: makes the file's data (and with !datasync, all of its
	   attributes) durable. */
	int (*fsync)(struct file *f, bool datasync);
	/*
	 * Optional: the file can signal its owner when it becomes readable
	 * or writable (O_ASYNC, kernel/fs/fasync.c); called as O_ASYNC is
	 * turned on or off, 0 or -errno. Without it O_ASYNC is only a flag
	 * and ioctl FIOASYNC is ENOTTY, as on Linux.
	 */
	int (*fasync)(struct file *f, bool on);
	/* Optional: where SEEK_END is, for a device (the inode's size is 0). */
	uint64_t (*size)(struct file *f);
	bool seekable;
};

struct statfs_k {
	int64_t type, bsize;
	uint64_t blocks, bfree, bavail, files, ffree;
	int32_t fsid[2];
	int64_t namelen, frsize, flags, spare[4];
};

/* What a file system does as a whole; every member optional. */
struct super_ops {
	int (*statfs)(struct super *sb, struct statfs_k *s);
	int (*sync)(struct super *sb);
	/* Detaches the file system (umount); its files fail from then on. */
	int (*unmount)(struct super *sb);
	/* umount2's MNT_DETACH, or NULL for unmount's: the file system
	   leaves the tree now and its open files keep working; it is
	   unmounted when the last of them is closed. */
	int (*detach)(struct super *sb);
};

struct super {
	const char *type;
	uint32_t dev;
	uint64_t next_ino;
	const struct super_ops *ops;	/* or NULL */
	bool real_blocks;		/* inode.blocks is what stat shows */
	uint32_t blksize;		/* stat's st_blksize; 0: a page */
	/* Mounted read-only (MS_RDONLY): opens for writing fail with EROFS,
	   and so do changes where the file system checks it (a server's). */
	bool read_only;
	/* Its inodes keep extended attributes and FS_*_FL flags in memory
	   (tmpfs; kernel/include/kernel/xattr.h). */
	bool xattrs;
	/* Its mount's flags (MS_NOSUID, MS_NODEV... <kernel/mount.h>):
	   a file system is mounted at one place. Big lock. */
	unsigned mnt_flags;
	/* Walks that entered its mount, and their count when umount2's
	   MNT_EXPIRE marked it (0: unmarked). Big lock. */
	uint64_t mnt_entered, expiry_mark;
};

struct inode {
	uint64_t ino;
	unsigned mode;			/* S_IF* type and permission bits */
	unsigned uid, gid;
	unsigned nlink;
	uint64_t size;
	uint64_t blocks;		/* 512-byte units, if sb->real_blocks */
	uint32_t rdev;
	struct timespec_k atime, mtime, ctime;
	struct timespec_k btime;	/* birth, statx's (tmpfs shows it) */
	int refcount;
	const struct inode_ops *iops;	/* never NULL: inode_no_ops */
	const struct file_ops *fops;
	struct super *sb;
	void *priv;
	struct inode *parent;		/* directories: for ".." */
	struct inode *mounted;		/* root of a file system mounted here */
	struct inode *covered;		/* on a mounted root: what it covers */
	struct pipe *fifo;		/* FIFOs: the pipe while an end is open */
	/* > 0: files open for writing; < 0: programs running from it
	 * (vm.exe). Guarded by the big lock. */
	int writecount;
	int readcount;			/* files open only for reading (a
					   regular file's; leases), big lock */
	struct lock_ctx *locks;		/* record and flock locks, or NULL */
	/* The regions that map it (region.file_link), Linux's i_mmap: a
	 * truncate takes their pages past the end. Guarded by the big lock. */
	struct list maps;
	/* inotify's watches on it (kernel/linux/sys_inotify.c), big lock. */
	struct inotify_watch *watches;
	/* Where sb->xattrs: extended attributes and FS_*_FL flags
	   (immutable, append-only...), kernel/fs/xattr.c; big lock. */
	struct xattr *xattrs;
	unsigned attr_flags;
};

/*
 * Who a file's O_ASYNC signals go to (fcntl F_SETOWN, F_SETOWN_EX) and
 * with what (F_SETSIG), as Linux's fown_struct. Big lock.
 */
struct fown {
	int pid;			/* a tid, pid or pgid as type says; 0: none */
	int type;			/* F_OWNER_TID, F_OWNER_PID, F_OWNER_PGRP */
	int signum;			/* F_SETSIG; 0: plain SIGIO */
	unsigned uid, euid;		/* who set the owner (Linux's sigio_perm) */
};
#define F_OWNER_TID 0
#define F_OWNER_PID 1
#define F_OWNER_PGRP 2

struct file {
	int refcount;			/* atomics: a nolock call takes one */
	unsigned flags;			/* O_* status flags */
	uint64_t offset;
	struct inode *inode;
	const struct file_ops *ops;
	void *priv;
	/* Readiness waiters (kernel/fs/pollwait.c), big lock: poll_head is
	 * &poll_own, or the object's own head when several files share one
	 * object (a pipe); ep_items are the epoll items watching the file. */
	struct pollhead *poll_head;
	struct pollhead poll_own;
	struct list ep_items;
	bool writer;			/* holds write access to inode */
	bool reader;			/* counted in inode->readcount */
	bool created;			/* its open made the file (F_CREATED_QUERY) */
	/*
	 * The name it was opened by and the directory (a reference) a
	 * relative name starts from, for /proc/PID/fd's readlink; NULL when
	 * not opened by a name (a pipe, a socket) or the copy failed.
	 */
	char *path;
	struct inode *path_base;
	struct vm_name *map_name;	/* path's resolved name, kept by its
					   first mmap (kernel/mm/vm_name.c) */
	/* O_ASYNC (kernel/fs/fasync.c), big lock: */
	struct fown owner;
	bool async_on;			/* on the list of files that signal */
	struct list async_link;
	int async_fd;			/* si_fd: the fd O_ASYNC was set through */
	unsigned async_events;		/* poll events when last looked at */
	/* inotify: the watched directory it was last found in, by which
	   name (a reference and a copy), big lock. */
	struct inode *notify_dir;
	char *notify_name;
	/* fanotify's event files make no events (Linux's FMODE_NONOTIFY). */
	bool no_notify;
	uint8_t landlock_denied;	/* LANDLOCK_DENY_*, set at open */
	/* /proc/PID/mounts and mountinfo: the mount table's change count
	   last reported (procfs_mount.c). */
	uint64_t mount_event;
};

struct mount_entry {
	const char *source, *type;
	char path[128];
	struct inode *root;
	bool read_only;
	uint64_t unique_id;		/* statx's STATX_MNT_ID_UNIQUE */
	uint64_t ns_hidden;		/* mount namespaces' slots that do
					   not see it (kernel/fs/mount_ns.c) */
};

#define MOUNT_MAX 16
extern struct mount_entry mounts[MOUNT_MAX];

/* Poll bits (Linux values). */
#define POLLIN 0x001
#define POLLPRI 0x002
#define POLLOUT 0x004
#define POLLERR 0x008
#define POLLHUP 0x010
#define POLLNVAL 0x020
#define POLLRDNORM 0x040
#define POLLWRNORM 0x100
#define POLLRDHUP 0x2000

/* openat flags: Linux's values, the same on every arch but O_DIRECT,
 * O_DIRECTORY, O_NOFOLLOW and O_LARGEFILE (from <arch/abi.h>). */
#define O_ACCMODE 3
#define O_RDONLY 0
#define O_WRONLY 1
#define O_RDWR 2
#define O_CREAT 0100
#define O_EXCL 0200
#define O_NOCTTY 0400
#define O_TRUNC 01000
#define O_APPEND 02000
#define O_NONBLOCK 04000
#define O_ASYNC 020000
#define O_CLOEXEC 02000000
#define O_PATH 010000000
#define __O_TMPFILE 020000000
#define O_TMPFILE (__O_TMPFILE | O_DIRECTORY)
#define O_NOATIME 01000000
#define AT_FDCWD (-100)
#define AT_SYMLINK_NOFOLLOW 0x100
#define AT_REMOVEDIR 0x200
#define AT_SYMLINK_FOLLOW 0x400
#define AT_NO_AUTOMOUNT 0x800
#define AT_EMPTY_PATH 0x1000
#define AT_STATX_SYNC_TYPE 0x6000

/* The st_blksize stat shows for ino: its file system's block size. */
static inline uint32_t
inode_blksize(const struct inode *ino)
{
	return ino->sb && ino->sb->blksize ? ino->sb->blksize : 4096;
}

/* The pid of a /proc/PID directory's inode (0 once the process it was
 * opened for is gone), else -1 (kernel/fs/procfs.c). */
int procfs_dir_pid(struct inode *ino);
/* Whether ino is one of /proc/PID's magic links (exe, cwd, root, fd/N),
 * which openat2's RESOLVE_NO_MAGICLINKS refuses. */
bool procfs_magic_link(struct inode *ino);

/*
 * Pipes and FIFOs (kernel/fs/pipe.c): big lock held, but for the nolock
 * calls below; each pipe's own lock is taken inside. pipe_of gives the
 * pipe behind a pipe or FIFO end, else NULL.
 */
extern unsigned pipe_max_size;		/* /proc/sys/fs/pipe-max-size */
struct pipe *pipe_of(struct file *f);
size_t pipe_round_size(uint64_t size);
/* F_GETPIPE_SZ and F_SETPIPE_SZ: the size, or -EBADF for no pipe. */
long pipe_get_size(struct file *f);
long pipe_set_size(struct file *f, uint64_t size);
/* For splice, tee and vmsplice: bytes held, and free. */
size_t pipe_used(struct pipe *p);
size_t pipe_room(struct pipe *p);
size_t pipe_peek(struct pipe *p, size_t skip, void *buf, size_t len);
void pipe_consume(struct pipe *p, size_t n);
long pipe_put(struct pipe *p, const void *buf, size_t len);
long pipe_wait_data(struct pipe *p, bool nonblock);
long pipe_wait_room(struct pipe *p, bool nonblock);
/* Whether f is an open pipe or FIFO end (the nolock calls' test). */
bool pipe_is_file(const struct file *f);
/*
 * read and write of a pipe end f without the big lock (a reference to f
 * held, no spinlock): the count, -EAGAIN, -EFAULT, or -ERETRY_LOCKED
 * having changed nothing, for what the locked path must do (a poll,
 * epoll, O_ASYNC or inotify watcher to tell, SIGPIPE, a signal that
 * ended a sleep, a write past PIPE_BUF). May sleep.
 */
long pipe_read_unlocked(struct file *f, const struct uvec *u);
long pipe_write_unlocked(struct file *f, const struct uvec *u);
/* The most any nolock write takes: a pipe's PIPE_BUF (pipe.c asserts
 * it); a socket's page less its call is less (socktx.c). A longer write
 * goes locked before the descriptor is looked up. */
#define NOLOCK_WRITE_MAX 4096

struct inode *vfs_root(void);
/*
 * The name of file system type `index` (0 up) that mount(2) knows, or
 * NULL past the last; *nodev (if not NULL) says it needs no device.
 */
const char *vfs_fs_type(int index, bool *nodev);
void vfs_set_root(struct inode *root);
const char *dir_name_of(struct inode *dir, struct inode *child);
/* Appends one linux_dirent64 record to buf if it fits; returns its size or 0. */
size_t dirent_emit(void *buf, size_t room, uint64_t ino, uint64_t next_pos,
		   unsigned type, const char *name, size_t len);
unsigned dirent_type(unsigned mode);
/* Hooks of an inode with none; inode_new's default, so iops is never NULL. */
extern const struct inode_ops inode_no_ops;
/* A new inode (one reference) with inode_no_ops, or NULL. */
struct inode *inode_new(struct super *sb, unsigned mode);
/* The same with priv_size zeroed bytes after the inode, in its block
 * (freed with it; 8-aligned), as ino->priv: one allocation where a file
 * system would make two (tmpfs: some 300 at boot). */
struct inode *inode_new_priv(struct super *sb, unsigned mode,
			     size_t priv_size);
void inode_get(struct inode *ino);
void inode_put(struct inode *ino);
void inode_touch(struct inode *ino, bool access, bool modify, bool change);
/*
 * Writing and running a file exclude each other, as Linux's i_writecount:
 * inode_get_write (an open for writing, truncate) fails with -ETXTBSY
 * while a program runs from the inode, inode_deny_write (exec) while it
 * is open for writing. Each success is undone by inode_put_write or
 * inode_allow_write. Caller holds the big lock; none sleeps.
 */
int inode_get_write(struct inode *ino);
void inode_put_write(struct inode *ino);
int inode_deny_write(struct inode *ino);
void inode_allow_write(struct inode *ino);

struct file *file_new(struct inode *ino, unsigned flags);
/*
 * Reads or writes f at *off (advanced) from or to the caller's iovecs,
 * as preadv/pwritev do, with their access checks; returns bytes or
 * -errno. May sleep (kernel/linux/sys_file.c).
 */
long file_rw_vec(struct file *f, const struct uiovec *iov, int n, bool write,
		 uint64_t *off);
/* An O_PATH descriptor: a name for a file, opened for no I/O. */
static inline bool
file_is_path(const struct file *f)
{
	return f->flags & O_PATH;
}
/* References to f, counted atomically: file_put frees f at the last
 * (big lock held), file_put_unlocked from a nolock call takes the big
 * lock for that. */
void file_get(struct file *f);
void file_put(struct file *f);
void file_put_unlocked(struct file *f);
/*
 * Wakes the pollers and epoll items waiting on f's queue (f->poll_head)
 * and sends the O_ASYNC signals the change causes. Caller holds the big
 * lock; does not sleep.
 */
void file_notify(struct file *f);
/* file_notify where only the POLL* bits in key may have changed. */
void file_notify_key(struct file *f, unsigned key);
/*
 * file_notify for data that came to f: its O_ASYNC owner is signalled
 * even if f was readable already, as Linux signals each arrival.
 */
void file_notify_in(struct file *f);

/* Signal-driven I/O (kernel/fs/fasync.c). Big lock held; none sleeps. */
/*
 * Turns O_ASYNC on or off for f; fd is what its signals report as si_fd.
 * Returns 0, -ENOTTY when f's kind cannot signal, or the hook's error.
 */
int fasync_set(struct file *f, int fd, bool on);
/* The fasync hook of files that need nothing more than the list. */
int fasync_plain(struct file *f, bool on);
/* Takes f off the list of signalling files (its last reference went). */
void fasync_forget(struct file *f);
/* Whether any file has O_ASYNC on (read without the big lock, as a
 * hint that fasync_set's order makes safe for pipes: see there). */
bool fasync_active(void);
/*
 * Sends the signals a readiness change causes: to files that gained an
 * event, and to `arrived` (or NULL), which got data, if readable.
 */
void fasync_notify(struct file *arrived);
/*
 * Sets f's owner (F_SETOWN, F_SETOWN_EX; pid 0 for none) as the current
 * process's credentials; 0, -ESRCH (no such id) or -EINVAL.
 */
int fown_set(struct file *f, int type, int pid);
/* F_GETOWN: the owner's pid, -pgid for a group, 0 if none is left. */
int fown_get(struct file *f);
/* Sends f's owner its signal for reason (POLL_*) with si_fd fd, as an
 * O_ASYNC file does (a lease break's POLL_MSG). */
void fown_signal(struct file *f, int fd, int reason);
/*
 * Installs a new file of an anonymous inode whose priv is its kind's name
 * ("[eventfd]": /proc/PID/fd shows "anon_inode:[eventfd]", as Linux), with
 * O_NONBLOCK and O_CLOEXEC from flags; returns the fd or -errno
 * (kernel/linux/sys_poll.c).
 */
long install_anon(const char *kind, const struct file_ops *ops, void *priv,
		  unsigned flags);
/*
 * Adds n to the eventfd f's counter (saturating, as Linux's
 * eventfd_signal) and wakes its readers: 0, or -EINVAL if f is no
 * eventfd (n 0 only asks). Big lock; does not sleep.
 */
int eventfd_add(struct file *f, uint64_t n);
/*
 * The file an epoll instance ep watches under descriptor tfd, the toff'th
 * such (kcmp's KCMP_EPOLL_TFD); NULL if ep is no epoll file or has none.
 */
struct file *epoll_target(struct file *ep, int tfd, unsigned toff);

/*
 * Path lookup relative to the process's root and `dirfd` (AT_FDCWD or an
 * open directory). Returns the inode (a new reference) or an error pointer.
 * follow: resolve a final symlink. With want_parent, returns the parent
 * directory and the final component in last and last_len instead.
 */
struct inode *vfs_lookup(struct proc *p, int dirfd, const char *path,
			 bool follow);
struct inode *vfs_lookup_parent(struct proc *p, int dirfd, const char *path,
				const char **last, size_t *last_len);
/*
 * The directory the file path names lies in once every final symlink is
 * followed (where Landlock judges it): a new reference or an error
 * pointer (-ENOENT through a /proc magic link). May sleep.
 */
struct inode *vfs_lookup_final_dir(struct proc *p, int dirfd,
				   const char *path);
/*
 * open(O_TMPFILE): a nameless regular file in the directory path names
 * (kernel/fs/vfs_tmpfile.c), open as flags ask; the file or an error
 * pointer. May sleep.
 */
struct file *vfs_open_tmpfile(struct proc *p, int dirfd, const char *path,
			      unsigned flags, unsigned mode);
/* Opens path like openat(2); returns a new file or an error pointer. */
struct file *vfs_open(struct proc *p, int dirfd, const char *path,
		      unsigned flags, unsigned mode);
struct file *vfs_open_inode(struct inode *ino, unsigned flags);
/* openat2's RESOLVE_* flags (kernel/fs/resolve.c). */
#define RESOLVE_NO_XDEV 0x01
#define RESOLVE_NO_MAGICLINKS 0x02
#define RESOLVE_NO_SYMLINKS 0x04
#define RESOLVE_BENEATH 0x08
#define RESOLVE_IN_ROOT 0x10
#define RESOLVE_CACHED 0x20
/* vfs_open under the RESOLVE_* rules in how: a new file or an error
 * pointer (EXDEV, ELOOP...). May sleep. */
struct file *vfs_open_resolve(struct proc *p, int dirfd, const char *path,
			      unsigned flags, unsigned mode, uint64_t how);
/* Opens a file found by other means than a path (open_by_handle_at) with
 * open's checks (ELOOP for a symlink, permissions, O_TRUNC). */
struct file *vfs_open_existing(struct proc *p, struct inode *ino,
			       unsigned flags);
/* The longest path the kernel makes or takes in (Linux's PATH_MAX). */
#define PATH_MAX_K 4096

/* Absolute path of a directory inode into buf; returns length or error. */
long vfs_path_of(struct proc *p, struct inode *dir, char *buf, size_t size);
/* True if dir is p's root or below it (false for a cwd left outside a chroot). */
bool vfs_under_root(struct proc *p, struct inode *dir);
/*
 * The absolute path of the file that path names, every symlink resolved
 * (what /proc/PID/exe shows), into buf; returns its length + 1 or an error.
 * May sleep (a server's file system).
 */
long vfs_realpath(struct proc *p, const char *path, char *buf, size_t size);
/* vfs_realpath for a file opened by name (f->path); -ENOENT if none. */
long vfs_file_path(struct proc *p, struct file *f, char *buf, size_t size);
/* Records the name f was opened by (dirfd and path as given to openat). */
void vfs_file_set_path(struct proc *p, struct file *f, int dirfd,
		       const char *path);
int vfs_mount(struct inode *where, struct inode *root, const char *path,
	      const char *source, const char *type);
/* Takes the file system whose root is `root` off the tree. */
int vfs_unmount(struct inode *root);
/* Applies a change of attributes (the file system's setattr, or in memory). */
int vfs_setattr(struct inode *ino, const struct iattr_k *a);
/* Brings ino's attributes up to date (a server's file systems). */
int vfs_getattr(struct inode *ino);
bool vfs_is_dir(struct inode *ino);
/*
 * A new inode's owner in dir, as Linux's inode_init_owner: the caller's
 * euid, and its egid or a set-group-ID directory's group; a directory
 * there inherits S_ISGID (mode is updated).
 */
void vfs_new_owner(struct proc *p, struct inode *dir, unsigned *mode,
		   unsigned *uid, unsigned *gid);
/*
 * The mode asked for a new file in dir, before the umask, as Linux's
 * mode_strip_sgid: S_ISGID goes from a group-executable file made in a
 * set-group-ID directory by someone outside its group (and not root).
 */
unsigned vfs_strip_sgid(struct proc *p, struct inode *dir, unsigned mode);
/*
 * Whether p may read (4), write (2), execute or search (1) ino: 0,
 * -EACCES, or -EROFS for writing a file, directory or link of a file
 * system mounted read-only (Linux's sb_permission, asked first).
 */
int vfs_permission(struct proc *p, struct inode *ino, int mask);
/*
 * RLIMIT_FSIZE: how many of len bytes may be written at pos in a regular
 * file (len when no limit is in the way); none sends the caller SIGXFSZ
 * and returns -EFBIG, as Linux's generic_write_check_limits. Truncating
 * to size is checked with len 0 and pos size (-EFBIG past the limit).
 */
long vfs_fsize_room(uint64_t pos, size_t len);
/* -EROFS if ino's file system is mounted read-only, else 0. */
int vfs_writable(struct inode *ino);
/* Marks the file system whose root is root read-only or not (mount,
   remount), as /proc/mounts then shows it. */
void vfs_set_read_only(struct inode *root, bool read_only);
/*
 * A new inode's owner, as Linux's inode_init_owner: p's euid, and p's
 * egid or, in a set-group-ID directory, the directory's group (a new
 * directory inherits the bit; a file keeps a group-executable
 * set-group-ID bit only if p is root or in that group).
 */
void vfs_init_owner(struct proc *p, struct inode *dir, struct inode *ino);
uint64_t vfs_now_sec(void);
void vfs_now(struct timespec_k *ts);
/*
 * hold: vfs_now gives the time read now until called with false: one
 * clock read for the initramfs's some 600 new inodes and directory
 * changes (kernel/fs/initramfs.c). Only for the boot CPU before any other
 * CPU or thread runs: every file's times are held meanwhile.
 */
void vfs_now_hold(bool hold);

/* pipe.c: makes a pipe; returns 0 with both ends in files[0] (read) and
 * files[1], or -ENOMEM. */
int pipe_create(struct file *files[2], unsigned flags);
/* pipe.c: the file operations of a FIFO inode, on any file system. */
extern const struct file_ops fifo_fops;
/* A new /dev (devfs.c) or /proc (procfs.c): its root, or NULL. */
struct inode *devfs_new(void);
struct inode *procfs_new(void);

/* ioctl FS_IOC_FIEMAP on f (kernel/linux/sys_fiemap.c): 0 or -errno, the
 * caller's struct fiemap at arg filled in. May sleep. */
long file_fiemap(struct file *f, uint64_t arg);

#endif
