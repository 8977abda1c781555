/*
 * Linux namespaces (kernel/linux/namespace.c): each process names one
 * namespace of every kind, shown as /proc/PID/ns/NAME and opened as an
 * nsfs file for setns and the NS_GET_* ioctls. UTS, IPC, mount, user
 * and time namespaces can be made new; the others exist once.
 * Every field is the big lock's.
 */
#ifndef KERNEL_NS_H
#define KERNEL_NS_H

#include <kernel/types.h>

/* clone's and unshare's namespace bits (Linux's values). */
#define CLONE_NEWTIME 0x80
#define CLONE_NEWNS 0x20000
#define CLONE_NEWCGROUP 0x02000000
#define CLONE_NEWUTS 0x04000000
#define CLONE_NEWIPC 0x08000000
#define CLONE_NEWUSER 0x10000000
#define CLONE_NEWPID 0x20000000
#define CLONE_NEWNET 0x40000000

struct proc;
struct inode;

/* The kinds, in /proc/PID/ns's order; the _CHILDREN ones are the links
 * for what a process's children get (the same objects in Petrel). */
enum ns_kind {
	NS_CGROUP, NS_IPC, NS_MNT, NS_NET, NS_PID, NS_PID_CHILDREN,
	NS_TIME, NS_TIME_CHILDREN, NS_USER, NS_UTS, NS_KINDS
};

#define USERNS_MAP_MAX 5	/* extents a uid_map or gid_map takes */

struct ns_id_map {
	unsigned count;			/* extents; 0: not written yet */
	struct {
		unsigned first, lower_first, count;
	} extent[USERNS_MAP_MAX];
};

struct ns {
	enum ns_kind kind;		/* never a _CHILDREN kind */
	unsigned inum;			/* the nsfs inode number */
	int refcount;			/* processes, nsfs inodes, children */
	struct ns *owner;		/* the user namespace that owns it;
					   a user namespace's parent; NULL
					   for the initial user namespace */
	struct inode *inode;		/* its nsfs inode while one lives */
	union {
		struct {		/* NS_UTS */
			char hostname[65], domainname[65];
		} uts;
		struct {		/* NS_USER */
			unsigned owner_uid, owner_gid;	/* the creator's euid */
			int level;			/* 0: the initial one */
			struct ns_id_map uid_map, gid_map;
			bool setgroups_denied;
		} user;
		int mnt_slot;		/* NS_MNT: its bit in mount_entry.ns_hidden */
		struct {		/* NS_TIME */
			int64_t monotonic_ns, boottime_ns;	/* offsets */
			bool frozen;	/* a process entered: no more writes */
		} time;
	};
};

/* /proc/sys/user/max_*_namespaces: how many of each kind may live at
 * once besides the initial ones (ENOSPC past it). */
extern unsigned ns_max[NS_KINDS];

/* The namespace of kind k of the current process (the kernel's: the
 * initial ones). */
struct ns *ns_current(enum ns_kind k);
/* p's namespace of kind k. */
struct ns *ns_of(struct proc *p, enum ns_kind k);

/*
 * Whether p has CAP_SYS_ADMIN over what the user namespace owner owns:
 * root in the initial user namespace has it everywhere, and a process in
 * a user namespace below it has every capability there (Linux gives the
 * creator's all).
 */
bool ns_admin(struct proc *p, const struct ns *owner);

/*
 * Gives child its namespaces at clone: the parent's, or new ones for the
 * CLONE_NEW* bits in flags. 0, -EINVAL (a kind Petrel cannot make new),
 * -EPERM or -ENOMEM; on error child holds none.
 */
int ns_fork(struct proc *child, struct proc *parent, unsigned long flags);
/* Drops p's namespaces: when it is freed. */
void ns_exit(struct proc *p);
/* unshare(2)'s namespace part, the flags checked already: 0 or -errno. */
int ns_unshare(unsigned long flags);
/* The CLONE_NEW* bits ns_fork and ns_unshare can make new namespaces
 * for (mount, UTS, IPC, user, time); and every one clone(2) takes
 * (CLONE_NEWTIME's bit is part of clone's exit signal there). */
#define NS_CLONE_FLAGS_NEW (0x20000ul | 0x04000000ul | 0x08000000ul | \
			    0x10000000ul | 0x80ul)
#define NS_CLONE_FLAGS_ALL ((NS_CLONE_FLAGS_NEW & ~0x80ul) | 0x02000000ul | \
			    0x20000000ul | 0x40000000ul)

/* The namespace an nsfs inode stands for, or NULL for any other inode. */
struct ns *ns_of_inode(struct inode *ino);
/* A new reference to ns's nsfs inode (made on first use), or NULL. */
struct inode *ns_inode(struct ns *ns);
/* /proc/PID/ns/NAME's text, "uts:[4026531838]", into buf. */
long ns_link_text(struct ns *ns, char *buf, size_t size);
/* The name of kind k's link in /proc/PID/ns. */
const char *ns_kind_name(enum ns_kind k);

/*
 * Time namespaces: a time on clock (CLOCK_MONOTONIC*, CLOCK_BOOTTIME*)
 * as the caller's namespace shows it, from the kernel's; and back, for
 * an absolute time the caller gives (0 at the earliest). Other clocks
 * pass unchanged.
 */
uint64_t timens_from_host(int clock, uint64_t ns);
uint64_t timens_to_host(int clock, uint64_t ns);
/* Whether p's time namespace moves any clock (an offset not 0): the
 * vDSO cannot read such a clock itself (kernel/linux/vdso.c). */
bool timens_moves_clocks(struct proc *p);
/* /proc/PID/timens_offsets: 0, -EINVAL (not CLOCK_MONOTONIC or
 * CLOCK_BOOTTIME), -EPERM (no CAP_SYS_TIME), -EACCES (entered already). */
int timens_set_offset(struct ns *time, int clock, int64_t ns);

/* The System V IPC namespace an object made now belongs to; for the
 * objects' tables (kernel/linux/ipc_util.c). */
struct ns *ipc_ns_current(void);

#endif
