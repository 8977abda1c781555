/*
 * Namespaces as Linux shows them: one object per namespace with an
 * inode number, the nsfs files /proc/PID/ns/NAME opens, their NS_GET_*
 * ioctls, and unshare(2), setns(2) and clone's CLONE_NEW* bits; and
 * the time namespaces' offsets. UTS, IPC, mount, user and time
 * namespaces can be made new; cgroup, network and PID namespaces exist
 * once, and asking for a new one is EINVAL, as from a Linux built
 * without them. Big lock throughout.
 */
#include <kernel/ns.h>
#include <kernel/proc.h>
#include <kernel/caps.h>
#include <kernel/vfs.h>
#include <kernel/mount.h>
#include <kernel/vm.h>
#include <kernel/sysvipc.h>
#include <kernel/clock.h>
#include <kernel/vdso.h>
#include <kernel/kmalloc.h>
#include <kernel/refcount.h>
#include <kernel/syscall.h>
#include <syscall_table.h>
#include <kernel/errno.h>
#include <kernel/string.h>
#include <kernel/printk.h>


_Static_assert(PROC_NS_SLOTS == NS_KINDS, "struct proc holds every kind");

/* Linux's limit on nested user namespaces (ENOSPC past it). */
#define USERNS_LEVEL_MAX 32

static const struct {
	const char *name;
	unsigned long clone_flag;
	unsigned inum;		/* the initial namespace's, Linux's */
} kinds[NS_KINDS] = {
	[NS_CGROUP] = { "cgroup", CLONE_NEWCGROUP, 0xeffffffbu },
	[NS_IPC] = { "ipc", CLONE_NEWIPC, 0xefffffffu },
	[NS_MNT] = { "mnt", CLONE_NEWNS, 0xeffffff8u },
	[NS_NET] = { "net", CLONE_NEWNET, 0xeffffff9u },
	[NS_PID] = { "pid", CLONE_NEWPID, 0xeffffffcu },
	[NS_PID_CHILDREN] = { "pid_for_children", CLONE_NEWPID, 0 },
	[NS_TIME] = { "time", CLONE_NEWTIME, 0xeffffffau },
	[NS_TIME_CHILDREN] = { "time_for_children", CLONE_NEWTIME, 0 },
	[NS_USER] = { "user", CLONE_NEWUSER, 0xeffffffdu },
	[NS_UTS] = { "uts", CLONE_NEWUTS, 0xeffffffeu },
};

/* The initial namespaces, never freed (their counts start at one). */
static struct ns initial[NS_KINDS];
/* Where new namespaces' inode numbers come from (Linux's proc_inum ida
 * starts at 0xf0000000; its first ones go to other proc entries). */
static unsigned next_inum = 0xf0000100u;

/* Linux's default: half of its thread limit, which Petrel's PID_MAX
 * stands for. */
unsigned ns_max[NS_KINDS] = {
	[NS_CGROUP] = PID_MAX / 2, [NS_IPC] = PID_MAX / 2,
	[NS_MNT] = PID_MAX / 2, [NS_NET] = PID_MAX / 2,
	[NS_PID] = PID_MAX / 2, [NS_TIME] = PID_MAX / 2,
	[NS_USER] = PID_MAX / 2, [NS_UTS] = PID_MAX / 2,
};
static unsigned ns_count[NS_KINDS];	/* live ones, the initial aside */

/* The kind of namespace a link names (pid_for_children: a PID one). */
static enum ns_kind
object_kind(enum ns_kind k)
{
	if (k == NS_PID_CHILDREN)
		return NS_PID;
	if (k == NS_TIME_CHILDREN)
		return NS_TIME;
	return k;
}

/* Where struct proc keeps it: the one PID namespace serves for both
 * links; a time namespace made by unshare is the children's alone. */
static enum ns_kind
slot_of(enum ns_kind k)
{
	return k == NS_PID_CHILDREN ? NS_PID : k;
}

static struct ns *
initial_ns(enum ns_kind k)
{
	struct ns *ns = &initial[object_kind(k)];
	if (ns->refcount == 0) {	/* first use: fill in */
		ns->kind = object_kind(k);
		ns->inum = kinds[ns->kind].inum;
		ns->refcount = 1;
		if (ns->kind != NS_USER)
			ns->owner = initial_ns(NS_USER);
		if (ns->kind == NS_UTS) {
			memcpy(ns->uts.hostname, "petrel", 7);
			memcpy(ns->uts.domainname, "(none)", 7);
		}
		if (ns->kind == NS_USER) {	/* the identity map */
			ns->user.uid_map.count = 1;
			ns->user.uid_map.extent[0].count = 0xffffffffu;
			ns->user.gid_map = ns->user.uid_map;
		}
	}
	return ns;
}

const char *
ns_kind_name(enum ns_kind k)
{
	return kinds[k].name;
}

struct ns *
ns_of(struct proc *p, enum ns_kind k)
{
	enum ns_kind slot = slot_of(k);
	return p && p->ns[slot] ? p->ns[slot] : initial_ns(k);
}

struct ns *
ns_current(enum ns_kind k)
{
	struct thread *t = current();
	return ns_of(t ? t->proc : NULL, k);
}

static void
ns_get(struct ns *ns)
{
	ref_get(&ns->refcount);
}

static void
ns_put(struct ns *ns)
{
	if (!ns || !ref_put(&ns->refcount))
		return;
	if (ns >= initial && ns < initial + NS_KINDS)
		panic("ns: the initial %s namespace freed", kinds[ns->kind].name);
	if (ns->kind == NS_MNT)
		mount_ns_release(ns->mnt_slot);
	if (ns->kind == NS_IPC)
		sysvipc_ns_release(ns);
	ns_count[ns->kind]--;
	ns_put(ns->owner);
	kfree(ns);
}

/* Whether ancestor is user or one of its ancestors (Linux's in_userns). */
static bool
userns_within(const struct ns *ancestor, const struct ns *user)
{
	for (; user; user = user->owner)
		if (user == ancestor)
			return true;
	return false;
}

bool
ns_admin(struct proc *p, const struct ns *owner)
{
	struct ns *mine = ns_of(p, NS_USER);
	if (mine == initial_ns(NS_USER))
		return proc_capable(p, CAP_SYS_ADMIN);
	return mine != initial_ns(NS_USER) && userns_within(mine, owner);
}

/* A new namespace of kind k owned by user, or an error pointer. */
static struct ns *
ns_new(enum ns_kind k, struct ns *user, struct proc *creator,
       struct ns *copy_of)
{
	if (ns_count[k] >= ns_max[k])
		return ERR_PTR(-ENOSPC);
	int slot = 0;
	if (k == NS_MNT && (slot = mount_ns_copy(copy_of->mnt_slot)) < 0)
		return ERR_PTR(slot);
	struct ns *ns = kzalloc(sizeof(*ns));
	if (!ns) {
		if (k == NS_MNT)
			mount_ns_release(slot);
		return ERR_PTR(-ENOMEM);
	}
	ns_count[k]++;
	ns->kind = k;
	ns->inum = next_inum++;
	ns->refcount = 1;
	ns->owner = user;
	ns_get(user);
	if (k == NS_UTS)
		ns->uts = copy_of->uts;
	if (k == NS_TIME) {	/* the offsets, open to writes again */
		ns->time = copy_of->time;
		ns->time.frozen = false;
	}
	if (k == NS_MNT)
		ns->mnt_slot = slot;
	if (k == NS_USER) {
		ns->user.owner_uid = creator->euid;
		ns->user.owner_gid = creator->egid;
		ns->user.level = user->user.level + 1;
	}
	return ns;
}

/*
 * The namespaces a process with `had` gets for the CLONE_NEW* bits in
 * flags, into got (each a reference). The user namespace comes first: it
 * owns the others made with it. 0 or -errno, with got holding nothing.
 */
static int
ns_make(struct proc *p, struct ns *const had[NS_KINDS], unsigned long flags,
	struct ns *got[NS_KINDS], bool for_child)
{
	for (int k = 0; k < NS_KINDS; k++)
		got[k] = NULL;
	struct ns *user = had[NS_USER];
	if (flags & CLONE_NEWUSER) {
		if (user->user.level >= USERNS_LEVEL_MAX)
			return -ENOSPC;	/* Linux's, since 4.9 */
		user = ns_new(NS_USER, user, p, NULL);
		if (IS_ERR(user))
			return PTR_ERR(user);
	} else {
		ns_get(user);
	}
	got[NS_USER] = user;
	unsigned long others = flags & ~(unsigned long)CLONE_NEWUSER;
	int e = 0;
	/* with a new user namespace the caller holds every capability */
	if (others && !(flags & CLONE_NEWUSER) && !ns_admin(p, user))
		e = -EPERM;
	for (int k = 0; k < NS_KINDS && e == 0; k++) {
		if (k == NS_USER || k == NS_TIME || k != (int)slot_of(k))
			continue;
		if (!(others & kinds[k].clone_flag)) {
			got[k] = had[k];
			ns_get(got[k]);
			continue;
		}
		if (!(NS_CLONE_FLAGS_NEW & kinds[k].clone_flag)) {
			e = -EINVAL;	/* configured out */
			break;
		}
		struct ns *ns = ns_new(object_kind(k), user, p, had[k]);
		if (IS_ERR(ns))
			e = PTR_ERR(ns);
		else
			got[k] = ns;
	}
	/* The time a process reads is its parent's time_for_children; an
	 * unshare leaves the caller's own as it was. */
	if (e == 0) {
		got[NS_TIME] = for_child ? got[NS_TIME_CHILDREN] : had[NS_TIME];
		ns_get(got[NS_TIME]);
		if (for_child)
			got[NS_TIME]->time.frozen = true;
	}
	if (e < 0)
		for (int k = 0; k < NS_KINDS; k++) {
			ns_put(got[k]);
			got[k] = NULL;
		}
	return e;
}

static void
ns_had(struct proc *p, struct ns *had[NS_KINDS])
{
	for (int k = 0; k < NS_KINDS; k++)
		had[k] = k == (int)slot_of(k) ? ns_of(p, k) : NULL;
}

int
ns_fork(struct proc *child, struct proc *parent, unsigned long flags)
{
	struct ns *had[NS_KINDS];
	ns_had(parent, had);
	unsigned long want = flags & NS_CLONE_FLAGS_ALL;
	if (flags & CLONE3_NEWTIME)
		want |= CLONE_NEWTIME;
	return ns_make(parent, had, want, child->ns, true);
}

void
ns_exit(struct proc *p)
{
	for (int k = 0; k < NS_KINDS; k++) {
		ns_put(p->ns[k]);
		p->ns[k] = NULL;
	}
}

int
ns_unshare(unsigned long flags)
{
	struct proc *p = current()->proc;
	if ((flags & CLONE_NEWUSER) && p->nthreads > 1)
		return -EINVAL;
	struct ns *had[NS_KINDS], *got[NS_KINDS];
	ns_had(p, had);
	int e = ns_make(p, had, flags, got, false);
	if (e < 0)
		return e;
	ns_exit(p);
	memcpy(p->ns, got, sizeof(got));
	return 0;
}

/* ---- nsfs: the files /proc/PID/ns/NAME opens ---------------------------- */

static struct super nsfs_sb = { .type = "nsfs", .dev = 4 };

#define NS_GET_USERNS 0xb701
#define NS_GET_PARENT 0xb702
#define NS_GET_NSTYPE 0xb703
#define NS_GET_OWNER_UID 0xb704

struct ns *
ns_of_inode(struct inode *ino)
{
	return ino && ino->sb == &nsfs_sb ? ino->priv : NULL;
}

static void
nsfs_release(struct inode *ino)
{
	struct ns *ns = ino->priv;
	ns->inode = NULL;
	ns_put(ns);
}

/* A new O_RDONLY, close-on-exec fd for ns (NS_GET_USERNS's answer). */
static long
ns_fd(struct ns *ns)
{
	struct inode *ino = ns_inode(ns);
	if (!ino)
		return -ENOMEM;
	struct file *f = file_new(ino, O_RDONLY);
	inode_put(ino);
	if (!f)
		return -ENOMEM;
	int fd = fd_install(current()->proc, f, 0, true);
	if (fd < 0)
		file_put(f);
	return fd;
}

/* The user namespace that owns ns (a user namespace's parent), for a
 * caller in it or above it; Linux's ns_get_owner. */
static long
ns_owner_fd(struct ns *ns)
{
	if (!ns->owner || !userns_within(ns_current(NS_USER), ns->owner))
		return -EPERM;
	return ns_fd(ns->owner);
}

static long
nsfs_ioctl(struct file *f, unsigned long cmd, uint64_t arg)
{
	struct ns *ns = f->inode->priv;
	switch (cmd) {
	case NS_GET_USERNS:
		return ns_owner_fd(ns);
	case NS_GET_PARENT:
		if (ns->kind == NS_USER)
			return ns_owner_fd(ns);
		/* the one PID namespace has no parent the caller may see */
		return ns->kind == NS_PID ? -EPERM : -EINVAL;
	case NS_GET_NSTYPE:
		return (long)kinds[ns->kind].clone_flag;
	case NS_GET_OWNER_UID:
		if (ns->kind != NS_USER)
			return -EINVAL;
		return copyout(arg, &ns->user.owner_uid, sizeof(unsigned));
	default:
		return -ENOTTY;
	}
}

static const struct inode_ops nsfs_iops = {
	.release = nsfs_release,
};

static const struct file_ops nsfs_fops = {
	.ioctl = nsfs_ioctl,
};

struct inode *
ns_inode(struct ns *ns)
{
	if (ns->inode) {
		inode_get(ns->inode);
		return ns->inode;
	}
	struct inode *ino = inode_new(&nsfs_sb, S_IFREG | 0444);
	if (!ino)
		return NULL;
	ino->ino = ns->inum;
	ino->iops = &nsfs_iops;
	ino->fops = &nsfs_fops;
	ino->priv = ns;
	ns_get(ns);		/* dropped by nsfs_release */
	ns->inode = ino;
	return ino;
}

long
ns_link_text(struct ns *ns, char *buf, size_t size)
{
	char tmp[48];
	int n = snprintk(tmp, sizeof(tmp), "%s:[%u]", kinds[ns->kind].name,
			 ns->inum);
	n = MIN((size_t)n, size);
	memcpy(buf, tmp, (size_t)n);
	return n;
}

/* ---- setns ---------------------------------------------------------------- */

/*
 * Linux's order: a bad fd is EBADF, a file that is no namespace or of
 * another kind than nstype asks EINVAL, and then the caller needs
 * CAP_SYS_ADMIN over the namespace (EPERM). Joining a user namespace
 * takes a single-threaded caller, not already in it (EINVAL). Joining
 * the one PID, network, cgroup or time namespace changes nothing.
 */
long
sys_setns(int fd, int nstype)
{
	struct proc *p = current()->proc;
	struct file *f = fd_hold(fd);
	if (!f)
		return -EBADF;
	struct ns *ns = ns_of_inode(f->inode);
	if (!ns)
		return -EINVAL;
	if (nstype && (unsigned long)(unsigned)nstype !=
			      kinds[ns->kind].clone_flag)
		return -EINVAL;
	if (ns->kind == NS_TIME && p->nthreads > 1)
		return -EUSERS;
	if (ns->kind == NS_USER) {
		if (ns == ns_of(p, NS_USER) || p->nthreads > 1)
			return -EINVAL;
		if (!ns_admin(p, ns))
			return -EPERM;
	} else if (!ns_admin(p, ns->owner) ||
		   !ns_admin(p, ns_of(p, NS_USER))) {
		return -EPERM;
	}
	ns_get(ns);
	ns_put(p->ns[ns->kind]);
	p->ns[ns->kind] = ns;
	if (ns->kind == NS_TIME) {	/* its children's too */
		ns_get(ns);
		ns_put(p->ns[NS_TIME_CHILDREN]);
		p->ns[NS_TIME_CHILDREN] = ns;
		ns->time.frozen = true;
		vdso_timens_changed(p);
	}
	return 0;
}

/* ---- Time namespaces' offsets --------------------------------------------- */

static int64_t *
offset_of(struct ns *time, int clock)
{
	switch (clock) {
	case CLOCK_MONOTONIC:
	case CLOCK_MONOTONIC_RAW:
	case CLOCK_MONOTONIC_COARSE:
		return &time->time.monotonic_ns;
	case CLOCK_BOOTTIME:
	case CLOCK_BOOTTIME_ALARM:
		return &time->time.boottime_ns;
	default:
		return NULL;
	}
}

uint64_t
timens_from_host(int clock, uint64_t ns)
{
	int64_t *off = offset_of(ns_current(NS_TIME), clock);
	return off ? ns + (uint64_t)*off : ns;
}

uint64_t
timens_to_host(int clock, uint64_t ns)
{
	int64_t *off = offset_of(ns_current(NS_TIME), clock);
	if (!off)
		return ns;
	/* Linux's timens_ktime_to_host: a time before the offset is now
	   (1, not 0, which would disarm a timer) */
	if (*off > 0 && ns <= (uint64_t)*off)
		return ns ? 1 : 0;
	return ns - (uint64_t)*off;
}

bool
timens_moves_clocks(struct proc *p)
{
	struct ns *time = ns_of(p, NS_TIME);
	return time->time.monotonic_ns || time->time.boottime_ns;
}

int
timens_set_offset(struct ns *time, int clock, int64_t ns)
{
	int64_t *off = offset_of(time, clock);
	if (!off || clock == CLOCK_MONOTONIC_RAW ||
	    clock == CLOCK_MONOTONIC_COARSE || clock == CLOCK_BOOTTIME_ALARM)
		return -EINVAL;
	if (!ns_admin(current()->proc, time->owner))
		return -EPERM;	/* CAP_SYS_TIME over it */
	if (time->time.frozen)
		return -EACCES;	/* a process runs in it already */
	*off = ns;
	return 0;
}
