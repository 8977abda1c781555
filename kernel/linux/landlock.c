/*
 * Landlock's system calls and objects: rulesets (a descriptor holding
 * handled rights and rules, filled by landlock_add_rule) and domains
 * (landlock_restrict_self freezes a ruleset into a new layer above the
 * thread's domain; layers are shared by reference with the threads and
 * children that inherit them, and never change). Also the network and
 * scope checks; the file-system checks are in landlock_fs.c.
 * ABI version 6: file-system rights up to IOCTL_DEV, TCP bind and
 * connect ports, abstract UNIX socket and signal scopes.
 */
#include <kernel/landlock.h>
#include "landlock_int.h"
#include <kernel/proc.h>
#include <kernel/caps.h>
#include <kernel/vfs.h>
#include <kernel/vm.h>
#include <kernel/kmalloc.h>
#include <kernel/refcount.h>
#include <kernel/errno.h>
#include <kernel/string.h>
#include <kernel/syscall.h>
#include <syscall_table.h>

#define LANDLOCK_ABI_VERSION 6
#define LANDLOCK_CREATE_RULESET_VERSION (1u << 0)
#define LANDLOCK_RULE_PATH_BENEATH 1
#define LANDLOCK_RULE_NET_PORT 2
#define CAP_SYS_ADMIN 21
#define RULES_MAX 4096		/* per ruleset: memory a caller can pin (then ENOMEM) */

/* struct landlock_ruleset_attr, ABI 6's size. */
struct ruleset_attr_k {
	uint64_t handled_access_fs;
	uint64_t handled_access_net;
	uint64_t scoped;
};

/* struct landlock_path_beneath_attr (packed: 12 bytes). */
struct path_beneath_k {
	uint64_t allowed_access;
	int32_t parent_fd;
} __attribute__((packed));

struct net_port_k {
	uint64_t allowed_access;
	uint64_t port;
};

/* A ruleset descriptor's object. Big lock. */
struct ruleset {
	struct landlock_layer rules;	/* rules[] grows; never in a domain */
};

static const struct file_ops ruleset_fops;

static struct ruleset *
ruleset_of(struct file *f)
{
	return f && f->ops == &ruleset_fops ? f->priv : NULL;
}

static void
ruleset_close(struct file *f)
{
	struct ruleset *rs = f->priv;
	if (!rs)
		return;
	for (unsigned i = 0; i < rs->rules.nrules; i++)
		if (rs->rules.rules[i].inode)
			inode_put(rs->rules.rules[i].inode);
	kfree(rs->rules.rules);
	kfree(rs);
}

static const struct file_ops ruleset_fops = {
	.close = ruleset_close,
};

/* copy_min_struct_from_user: at least min bytes, at most a page, any
 * bytes past what the kernel knows zero. */
static long
copy_attr(void *dst, size_t ksize, size_t min, uaddr_t src, size_t size)
{
	if (size < min)
		return -EINVAL;
	if (size > PAGE_SIZE)
		return -E2BIG;
	return copy_struct_in(dst, ksize, src, size);
}

long
sys_landlock_create_ruleset(uaddr_t uattr, size_t size, unsigned flags)
{
	struct ruleset_attr_k a;
	if (flags == LANDLOCK_CREATE_RULESET_VERSION)
		return uattr || size ? -EINVAL : LANDLOCK_ABI_VERSION;
	if (flags)
		return -EINVAL;
	long e = copy_attr(&a, sizeof(a), sizeof(a.handled_access_fs), uattr,
			   size);
	if (e < 0)
		return e;
	if ((a.handled_access_fs & ~LANDLOCK_ACCESS_FS_ALL) ||
	    (a.handled_access_net & ~LANDLOCK_ACCESS_NET_ALL) ||
	    (a.scoped & ~LANDLOCK_SCOPE_ALL))
		return -EINVAL;
	if (!a.handled_access_fs && !a.handled_access_net && !a.scoped)
		return -ENOMSG;
	struct ruleset *rs = kzalloc(sizeof(*rs));
	if (!rs)
		return -ENOMEM;
	rs->rules.handled_fs = a.handled_access_fs;
	rs->rules.handled_net = a.handled_access_net;
	rs->rules.scoped = a.scoped;
	long fd = install_anon("[landlock-ruleset]", &ruleset_fops, rs,
			       O_CLOEXEC);
	if (fd < 0)
		kfree(rs);
	return fd;
}

static long
rule_add(struct landlock_layer *l, struct inode *ino, uint16_t port,
	 uint64_t access)
{
	for (unsigned i = 0; i < l->nrules; i++) {
		struct landlock_rule *r = &l->rules[i];
		if (r->inode == ino && r->port == port) {
			r->access |= access;	/* as Linux merges them */
			return 0;
		}
	}
	if (l->nrules == RULES_MAX)
		return -ENOMEM;
	if (l->nrules % 16 == 0) {
		struct landlock_rule *n =
			kmalloc((l->nrules + 16) * sizeof(*n));
		if (!n)
			return -ENOMEM;
		memcpy(n, l->rules, l->nrules * sizeof(*n));
		kfree(l->rules);
		l->rules = n;
	}
	if (ino)
		inode_get(ino);
	l->rules[l->nrules++] = (struct landlock_rule){ ino, port, access };
	return 0;
}

/* A file that names no place in the tree (a pipe, a socket, an
 * anonymous inode): no rule can hang on it. */
static bool
internal_file(struct file *f)
{
	static const char *const types[] = { "anon_inodefs", "pipefs",
					     "sockfs" };
	if (!f->inode || !f->inode->sb || (f->ops && f->ops->sock))
		return true;
	for (size_t i = 0; i < ARRAY_SIZE(types); i++)
		if (f->inode->sb->type && strcmp(f->inode->sb->type, types[i]) == 0)
			return true;
	return false;
}

static long
add_path_beneath(struct ruleset *rs, uaddr_t uattr)
{
	struct path_beneath_k a;
	if (copyin(&a, uattr, sizeof(a)) < 0)
		return -EFAULT;
	if (!a.allowed_access)
		return -ENOMSG;
	if ((a.allowed_access | rs->rules.handled_fs) != rs->rules.handled_fs)
		return -EINVAL;
	struct file *f = fd_hold_path(a.parent_fd);
	if (!f)
		return -EBADF;
	if (internal_file(f) || ruleset_of(f))
		return -EBADFD;
	if (!S_ISDIR(f->inode->mode) &&
	    (a.allowed_access & ~LANDLOCK_ACCESS_FS_FILE))
		return -EINVAL;
	return rule_add(&rs->rules, f->inode, 0, a.allowed_access);
}

static long
add_net_port(struct ruleset *rs, uaddr_t uattr)
{
	struct net_port_k a;
	if (copyin(&a, uattr, sizeof(a)) < 0)
		return -EFAULT;
	if (!a.allowed_access)
		return -ENOMSG;
	if ((a.allowed_access | rs->rules.handled_net) != rs->rules.handled_net)
		return -EINVAL;
	if (a.port > 0xffff)
		return -EINVAL;
	return rule_add(&rs->rules, NULL, (uint16_t)a.port, a.allowed_access);
}

/* The ruleset at fd: EBADF for no file, EBADFD for another kind. */
static struct ruleset *
ruleset_at(int fd, long *err)
{
	struct file *f = fd_hold(fd);
	struct ruleset *rs = ruleset_of(f);
	*err = !f ? -EBADF : !rs ? -EBADFD : 0;
	return rs;
}

long
sys_landlock_add_rule(int ruleset_fd, int rule_type, uaddr_t uattr,
		      unsigned flags)
{
	long e;
	if (flags)
		return -EINVAL;
	struct ruleset *rs = ruleset_at(ruleset_fd, &e);
	if (!rs)
		return e;
	if (rule_type == LANDLOCK_RULE_PATH_BENEATH)
		return add_path_beneath(rs, uattr);
	if (rule_type == LANDLOCK_RULE_NET_PORT)
		return add_net_port(rs, uattr);
	return -EINVAL;
}

void
landlock_domain_put(struct landlock_domain *d)
{
	while (d && ref_put(&d->refcount)) {
		struct landlock_domain *parent = d->parent;
		for (unsigned i = 0; i < d->layer.nrules; i++)
			if (d->layer.rules[i].inode)
				inode_put(d->layer.rules[i].inode);
		kfree(d->layer.rules);
		kfree(d);
		d = parent;
	}
}

struct landlock_domain *
landlock_domain_get(void)
{
	struct landlock_domain *d = current()->landlock;
	if (d)
		ref_get(&d->refcount);
	return d;
}

void
landlock_fork(struct thread *child, const struct thread *parent)
{
	child->landlock = parent->landlock;
	if (child->landlock)
		ref_get(&child->landlock->refcount);
}

void
landlock_thread_exit(struct thread *t)
{
	landlock_domain_put(t->landlock);
	t->landlock = NULL;
}

/* A layer frozen from rs above parent, or NULL (no memory). */
static struct landlock_domain *
domain_new(const struct ruleset *rs, struct landlock_domain *parent)
{
	struct landlock_domain *d = kzalloc(sizeof(*d));
	size_t n = rs->rules.nrules;
	if (!d)
		return NULL;
	d->layer = rs->rules;
	d->layer.rules = n ? kmalloc(n * sizeof(*d->layer.rules)) : NULL;
	if (n && !d->layer.rules) {
		kfree(d);
		return NULL;
	}
	memcpy(d->layer.rules, rs->rules.rules, n * sizeof(*d->layer.rules));
	for (size_t i = 0; i < n; i++)
		if (d->layer.rules[i].inode)
			inode_get(d->layer.rules[i].inode);
	/* Moving a file between directories is a right every layer
	   handles, granted only where a rule says REFER (ABI 1's layers
	   refuse it outright, as Linux's). */
	d->layer.handled_fs |= LANDLOCK_ACCESS_FS_REFER;
	d->refcount = 1;
	d->parent = parent;
	d->depth = parent ? parent->depth + 1 : 1;
	if (parent)
		ref_get(&parent->refcount);
	return d;
}

long
sys_landlock_restrict_self(int ruleset_fd, unsigned flags)
{
	struct thread *t = current();
	long e;
	if (flags)
		return -EINVAL;
	if (!t->no_new_privs && !proc_capable(t->proc, CAP_SYS_ADMIN))
		return -EPERM;
	struct ruleset *rs = ruleset_at(ruleset_fd, &e);
	if (!rs)
		return e;
	if (t->landlock && t->landlock->depth >= LANDLOCK_MAX_LAYERS)
		return -E2BIG;
	struct landlock_domain *d = domain_new(rs, t->landlock);
	if (!d)
		return -ENOMEM;
	landlock_domain_put(t->landlock);	/* d holds it now */
	t->landlock = d;
	return 0;
}

/* Whether the layers of client's domain that set scope all lie in
 * server's: Linux's domain_is_scoped, true where access is refused. */
static bool
scoped_out(const struct landlock_domain *client,
	   const struct landlock_domain *server, uint64_t scope)
{
	for (const struct landlock_domain *l = client; l; l = l->parent) {
		if (!(l->layer.scoped & scope))
			continue;
		const struct landlock_domain *s = server;
		while (s && s->depth > l->depth)
			s = s->parent;
		if (s != l)
			return true;
	}
	return false;
}

/* A zombie keeps no thread, hence no domain: a signal or ptrace
 * request to it does nothing, and passes (Linux judges it by the domain
 * it died in). */
static bool
zombie(const struct proc *p)
{
	return list_empty(&p->threads);
}

/* A process's domain: the caller's own, or another's first thread's. */
static const struct landlock_domain *
proc_domain(const struct proc *p)
{
	if (p == current()->proc)
		return current()->landlock;
	if (zombie(p))
		return NULL;
	return list_entry(p->threads.next, struct thread, proc_link)->landlock;
}

int
landlock_signal(struct proc *target)
{
	struct thread *self = current();
	if (!self->landlock || target == self->proc || zombie(target))
		return 0;
	return scoped_out(self->landlock, proc_domain(target),
			  LANDLOCK_SCOPE_SIGNAL) ? -EPERM : 0;
}

int
landlock_ptrace(const struct proc *tracer, const struct proc *tracee)
{
	const struct landlock_domain *d = proc_domain(tracer);
	const struct landlock_domain *t = proc_domain(tracee);
	if (!d || zombie(tracee))
		return 0;
	while (t && t->depth > d->depth)
		t = t->parent;
	return t == d ? 0 : -EPERM;
}

int
landlock_unix_connect(const struct landlock_domain *server)
{
	struct landlock_domain *d = current()->landlock;
	return d && scoped_out(d, server, LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET) ?
	       -EPERM : 0;
}

/* Whether every layer handling `right` has a rule for port granting it. */
static bool
port_allowed(const struct landlock_domain *d, uint16_t port, uint64_t right)
{
	for (; d; d = d->parent) {
		if (!(d->layer.handled_net & right))
			continue;
		bool granted = false;
		for (unsigned i = 0; i < d->layer.nrules && !granted; i++) {
			const struct landlock_rule *r = &d->layer.rules[i];
			granted = !r->inode && r->port == port &&
				  (r->access & right);
		}
		if (!granted)
			return false;
	}
	return true;
}

int
landlock_inet(const void *addr, unsigned len, int type, bool connect)
{
	const unsigned AF_UNSPEC = 0, AF_INET = 2, AF_INET6 = 10;
	const int SOCK_STREAM = 1;
	struct landlock_domain *d = current()->landlock;
	const uint8_t *a = addr;
	if (!d || type != SOCK_STREAM || len < 4)
		return 0;
	unsigned family = a[0] | (unsigned)a[1] << 8;
	/* connect(AF_UNSPEC) disconnects; bind(AF_UNSPEC) binds as
	   AF_INET on an IPv4 socket: the port counts alike. */
	if (family == AF_UNSPEC && connect)
		return 0;
	if (family != AF_INET && family != AF_INET6 && family != AF_UNSPEC)
		return 0;
	uint16_t port = (uint16_t)(a[2] << 8 | a[3]);
	uint64_t right = connect ? LANDLOCK_ACCESS_NET_CONNECT_TCP :
				   LANDLOCK_ACCESS_NET_BIND_TCP;
	return port_allowed(d, port, right) ? 0 : -EACCES;
}
