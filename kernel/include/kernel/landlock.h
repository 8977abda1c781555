/*
 * Landlock (kernel/linux/landlock.c, landlock_fs.c): unprivileged
 * sandboxing. A thread's domain is a stack of frozen rulesets (layers);
 * an access is allowed only if every layer that handles it grants it,
 * through a rule on the file or on a directory above it, a TCP port, or
 * a scope. Hooks return 0 or the errno Linux's Landlock gives; each costs
 * one test of current()->landlock when no domain is in force.
 */
#ifndef KERNEL_LANDLOCK_H
#define KERNEL_LANDLOCK_H

#include <kernel/types.h>

struct thread;
struct proc;
struct inode;
struct file;
struct landlock_domain;

#define LANDLOCK_ACCESS_FS_EXECUTE (1ull << 0)
#define LANDLOCK_ACCESS_FS_WRITE_FILE (1ull << 1)
#define LANDLOCK_ACCESS_FS_READ_FILE (1ull << 2)
#define LANDLOCK_ACCESS_FS_READ_DIR (1ull << 3)
#define LANDLOCK_ACCESS_FS_REMOVE_DIR (1ull << 4)
#define LANDLOCK_ACCESS_FS_REMOVE_FILE (1ull << 5)
#define LANDLOCK_ACCESS_FS_MAKE_CHAR (1ull << 6)
#define LANDLOCK_ACCESS_FS_MAKE_DIR (1ull << 7)
#define LANDLOCK_ACCESS_FS_MAKE_REG (1ull << 8)
#define LANDLOCK_ACCESS_FS_MAKE_SOCK (1ull << 9)
#define LANDLOCK_ACCESS_FS_MAKE_FIFO (1ull << 10)
#define LANDLOCK_ACCESS_FS_MAKE_BLOCK (1ull << 11)
#define LANDLOCK_ACCESS_FS_MAKE_SYM (1ull << 12)
#define LANDLOCK_ACCESS_FS_REFER (1ull << 13)
#define LANDLOCK_ACCESS_FS_TRUNCATE (1ull << 14)
#define LANDLOCK_ACCESS_FS_IOCTL_DEV (1ull << 15)
#define LANDLOCK_ACCESS_FS_ALL ((1ull << 16) - 1)
/* The rights a rule on a file (not a directory) may grant. */
#define LANDLOCK_ACCESS_FS_FILE (LANDLOCK_ACCESS_FS_EXECUTE | \
	LANDLOCK_ACCESS_FS_WRITE_FILE | LANDLOCK_ACCESS_FS_READ_FILE | \
	LANDLOCK_ACCESS_FS_TRUNCATE | LANDLOCK_ACCESS_FS_IOCTL_DEV)
#define LANDLOCK_ACCESS_NET_BIND_TCP (1ull << 0)
#define LANDLOCK_ACCESS_NET_CONNECT_TCP (1ull << 1)
#define LANDLOCK_ACCESS_NET_ALL ((1ull << 2) - 1)
#define LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET (1ull << 0)
#define LANDLOCK_SCOPE_SIGNAL (1ull << 1)
#define LANDLOCK_SCOPE_ALL ((1ull << 2) - 1)
#define LANDLOCK_MAX_LAYERS 16

/* A new thread takes its creator's domain; one leaving drops it. */
void landlock_fork(struct thread *child, const struct thread *parent);
void landlock_thread_exit(struct thread *t);
/* The caller's domain, a new reference (or NULL), and its release. */
struct landlock_domain *landlock_domain_get(void);
void landlock_domain_put(struct landlock_domain *d);

/*
 * Whether the caller's domain grants `access` on file (NULL for a name
 * about to be made) found in directory dir, looking at the rules on file
 * and on dir and each directory above it (a directory is its own dir):
 * 0 or -EACCES. Big lock.
 */
int landlock_check(struct inode *file, struct inode *dir, uint64_t access);
/* The same for the file or directory ino that path (from dirfd) named:
 * the directory it was found in is looked up again. */
int landlock_check_path(struct proc *p, int dirfd, const char *path,
			struct inode *ino, uint64_t access);
/* open(2): the rights the open needs (flags as open's), and in *later
 * the LANDLOCK_DENY_* bits for what the file may not do later (the
 * file's landlock_denied). */
int landlock_open(struct proc *p, int dirfd, const char *path,
		  struct inode *ino, unsigned flags, uint8_t *later);
#define LANDLOCK_DENY_TRUNCATE 1
#define LANDLOCK_DENY_IOCTL_DEV 2
/* Making a node of type (S_IF*) in dir; removing victim from dir. */
int landlock_make(struct inode *dir, unsigned type);
/* landlock_make for name in dir, 0 if it exists already (the caller's
 * EEXIST comes first, as on Linux). */
int landlock_make_name(struct inode *dir, const char *name, size_t len,
		       unsigned type);
int landlock_remove(struct inode *dir, struct inode *victim);
/*
 * Moving `moved` from od to nd (over `over`, the file it replaces, or
 * NULL; exchanging the two with exchange), or linking it into nd from
 * od: -EACCES without the rights to remove and make, -EXDEV where the
 * file would gain rights by the move or REFER is not granted.
 */
int landlock_rename(struct inode *od, struct inode *moved, struct inode *nd,
		    struct inode *over, bool exchange);
int landlock_link(struct inode *od, struct inode *target, struct inode *nd);
/* ftruncate and ioctl on f, as f's open decided. */
int landlock_ftruncate(struct file *f);
int landlock_ioctl(struct file *f, unsigned cmd);
/* bind or connect of a TCP socket (type SOCK_STREAM) to the sockaddr at
 * addr (len bytes, in kernel memory): 0 or -EACCES. */
int landlock_inet(const void *addr, unsigned len, int type, bool connect);
/* Signals to target, connections to an abstract UNIX socket made by a
 * thread of domain `server`: 0 or -EPERM. */
int landlock_signal(struct proc *target);
/* Whether tracer may ptrace (or read the memory of) tracee: only a
 * process in tracer's domain or one nested in it. 0 or -EPERM. */
int landlock_ptrace(const struct proc *tracer, const struct proc *tracee);
int landlock_unix_connect(const struct landlock_domain *server);

#endif
