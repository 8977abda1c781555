/*
 * procfs: system and per-process information as text, generated when a
 * file is opened (so a reader sees one consistent snapshot). Inodes are
 * made on lookup and freed with their last reference.
 */
#include <kernel/vfs.h>
#include <kernel/srvfs.h>
#include <kernel/proc.h>
#include <kernel/vm.h>
#include <kernel/page.h>
#include <kernel/kmalloc.h>
#include <kernel/errno.h>
#include <kernel/string.h>
#include <kernel/printk.h>
#include <kernel/arch.h>
#include <kernel/cpu.h>
#include <kernel/version.h>
#include <kernel/tty.h>
#include <kernel/ipc.h>
#include <kernel/sockfile.h>
#include <kernel/boot.h>
#include <kernel/tmpfs.h>
#include <kernel/keys.h>
#include <kernel/locks.h>
#include <kernel/mount.h>
#include <kernel/ns.h>
#include "procfs_int.h"

struct pnode {
	enum pkind kind;
	int pid;
	int fd;
	uint64_t start_ns;	/* P_PID: its process's, told from a later
				   one with the same pid */
};

/* A /proc inode's number: the pid from bit 20 (up to 22 bits), the kind
 * in bits 10-19, the fd or tid (or 0) in bits 0-9 and from bit 42.
 * /proc/PID's has the process's start time in those bits, so a later
 * process with the same pid has another. */
_Static_assert(P_KIND_COUNT <= 1024, "the kind's field holds every kind");

static uint64_t
proc_ino(int pid, enum pkind kind, int fd)
{
	return (uint64_t)pid << 20 | (uint64_t)kind << 10 |
	       (uint64_t)(fd & 1023) | (uint64_t)((unsigned)fd >> 10) << 42;
}

static uint64_t
pid_dir_ino(const struct proc *p)
{
	uint64_t gen = p->start_ns / 1000;
	return proc_ino(p->pid, P_PID, (int)(1 + gen % 1023)) |
	       (gen & 0x3fffffull) << 42;
}

static const struct pentry root_entries[] = {
	{ "meminfo", P_MEMINFO, S_IFREG | 0444 }, { "uptime", P_UPTIME, S_IFREG | 0444 },
	{ "stat", P_STAT, S_IFREG | 0444 }, { "loadavg", P_LOADAVG, S_IFREG | 0444 },
	{ "interrupts", P_INTERRUPTS, S_IFREG | 0444 },
	{ "cpuinfo", P_CPUINFO, S_IFREG | 0444 }, { "mounts", P_MOUNTS, S_IFREG | 0444 },
	{ "version", P_VERSION, S_IFREG | 0444 }, { "filesystems", P_FILESYSTEMS, S_IFREG | 0444 },
	{ "locks", P_LOCKS, S_IFREG | 0444 },
	{ "kmsg", P_KMSG, S_IFREG | 0400 }, { "self", P_SELF, S_IFLNK | 0777 },
	{ "vmstat", P_VMSTAT, S_IFREG | 0444 },
	{ "net", P_NET, S_IFDIR | 0555 }, { "cmdline", P_CMDLINE, S_IFREG | 0444 },
	{ "sys", P_SYS, S_IFDIR | 0555 }, { "sysvipc", P_SYSVIPC, S_IFDIR | 0555 },
	{ "config.gz", P_CONFIG_GZ, S_IFREG | 0444 },
	{ "kpageflags", P_KPAGEFLAGS, S_IFREG | 0400 },
	{ "key-users", P_KEY_USERS, S_IFREG | 0444 },
	{ "petrel", P_PETREL, S_IFDIR | 0555 },
};

/* /proc/net: the socket tables, asked of the network server. */
static const struct pentry net_entries[] = {
	{ "tcp", P_NET_TCP, S_IFREG | 0444 }, { "tcp6", P_NET_TCP6, S_IFREG | 0444 },
	{ "udp", P_NET_UDP, S_IFREG | 0444 }, { "udp6", P_NET_UDP6, S_IFREG | 0444 },
	{ "dev", P_NET_DEV, S_IFREG | 0444 }, { "route", P_NET_ROUTE, S_IFREG | 0444 },
	{ "if_inet6", P_NET_IF_INET6, S_IFREG | 0444 },
};

/* /proc/petrel: Petrel's own counters (procfs_petrel.c). */
static const struct pentry petrel_entries[] = {
	{ "bkl", P_PETREL_BKL, S_IFREG | 0444 },
	{ "bklcalls", P_PETREL_BKLCALLS, S_IFREG | 0444 },
	{ "icache", P_PETREL_ICACHE, S_IFREG | 0444 },
	{ "ipc", P_PETREL_IPC, S_IFREG | 0444 },
	{ "sched", P_PETREL_SCHED, S_IFREG | 0444 },
	{ "mm", P_PETREL_MM, S_IFREG | 0444 },
};

/* The directories whose entries are fixed, with their tables. */
static const struct pdir fixed_dirs[] = {
	{ P_NET, net_entries, ARRAY_SIZE(net_entries) },
	{ P_PETREL, petrel_entries, ARRAY_SIZE(petrel_entries) },
};

static const struct pdir *
fixed_dir(enum pkind kind)
{
	for (size_t i = 0; i < ARRAY_SIZE(fixed_dirs); i++)
		if (fixed_dirs[i].kind == kind)
			return &fixed_dirs[i];
	return procfs_sys_dir(kind);
}

static const struct pentry pid_entries[] = {
	{ "stat", P_PID_STAT, S_IFREG | 0444 }, { "status", P_PID_STATUS, S_IFREG | 0444 },
	{ "cmdline", P_PID_CMDLINE, S_IFREG | 0444 }, { "comm", P_PID_COMM, S_IFREG | 0644 },
	{ "statm", P_PID_STATM, S_IFREG | 0444 }, { "maps", P_PID_MAPS, S_IFREG | 0444 },
	{ "mounts", P_PID_MOUNTS, S_IFREG | 0444 },
	{ "mountinfo", P_PID_MOUNTINFO, S_IFREG | 0444 },
	{ "smaps", P_PID_SMAPS, S_IFREG | 0444 },
	{ "smaps_rollup", P_PID_SMAPS_ROLLUP, S_IFREG | 0444 },
	{ "timerslack_ns", P_PID_TIMERSLACK, S_IFREG | 0444 },
	{ "task", P_PID_TASK, S_IFDIR | 0555 },
	{ "exe", P_PID_EXE, S_IFLNK | 0777 }, { "cwd", P_PID_CWD, S_IFLNK | 0777 },
	{ "root", P_PID_ROOT, S_IFLNK | 0777 }, { "fd", P_PID_FD, S_IFDIR | 0500 },
	{ "fdinfo", P_PID_FDINFO, S_IFDIR | 0500 },
	{ "auxv", P_PID_AUXV, S_IFREG | 0400 },
	{ "environ", P_PID_ENVIRON, S_IFREG | 0400 },
	{ "pagemap", P_PID_PAGEMAP, S_IFREG | 0400 },
	{ "coredump_filter", P_PID_COREDUMP_FILTER, S_IFREG | 0644 },
	{ "ns", P_PID_NS, S_IFDIR | 0511 },
	{ "uid_map", P_PID_UID_MAP, S_IFREG | 0644 },
	{ "gid_map", P_PID_GID_MAP, S_IFREG | 0644 },
	{ "setgroups", P_PID_SETGROUPS, S_IFREG | 0644 },
	{ "timens_offsets", P_PID_TIMENS_OFFSETS, S_IFREG | 0644 },
};

/* /proc/PID/task/TID: a thread's files (pnode.fd holds its tid); those of
 * the process's kinds show the process's, as Linux's. */
static const struct pentry task_entries[] = {
	{ "stat", P_TASK_STAT, S_IFREG | 0444 },
	{ "comm", P_TASK_COMM, S_IFREG | 0644 },
	{ "status", P_TASK_STATUS, S_IFREG | 0444 },
	{ "statm", P_PID_STATM, S_IFREG | 0444 },
	{ "cmdline", P_PID_CMDLINE, S_IFREG | 0444 },
	{ "environ", P_PID_ENVIRON, S_IFREG | 0400 },
	{ "maps", P_PID_MAPS, S_IFREG | 0444 },
	{ "smaps", P_PID_SMAPS, S_IFREG | 0444 },
	{ "auxv", P_PID_AUXV, S_IFREG | 0400 },
};

/* Thread tid of process pid, or NULL. */
static struct thread *
task_of(int pid, int tid)
{
	struct thread *t = tid > 0 ? thread_find(tid) : NULL;
	return t && t->proc && t->proc->pid == pid ? t : NULL;
}

static struct super proc_sb = { .type = "proc", .dev = 100 };
static const struct inode_ops proc_iops, proc_fd_link_iops;
static const struct file_ops proc_dir_fops, proc_file_fops, proc_pid_file_fops,
	proc_pid_mounts_fops;

static struct inode *
pinode(enum pkind kind, int pid, int fd, unsigned mode, struct inode *parent)
{
	struct inode *ino = inode_new(&proc_sb, mode);
	struct pnode *n = kmalloc(sizeof(*n));
	if (!ino || !n) {
		kfree(ino);
		kfree(n);
		return NULL;
	}
	n->kind = kind;
	n->pid = pid;
	n->fd = fd;
	n->start_ns = 0;
	ino->priv = n;
	ino->iops = kind == P_PID_FD_LINK || kind == P_PID_NS_LINK ?
		    &proc_fd_link_iops : &proc_iops;
	ino->fops = S_ISDIR(mode) ? &proc_dir_fops :
		    procfs_is_mounts(kind) && kind > P_PID ? &proc_pid_mounts_fops :
		    kind > P_PID ? &proc_pid_file_fops : &proc_file_fops;
	if (procfs_mm_fops(kind))
		ino->fops = procfs_mm_fops(kind);
	if (procfs_args_fops(kind))
		ino->fops = procfs_args_fops(kind);
	ino->ino = proc_ino(pid, kind, fd);
	/* A process's entries are its own (its euid's), as Linux's for a
	 * dumpable task: its user may list /proc/self/fd, others may not. */
	struct proc *owner = pid > 0 ? proc_find(pid) : NULL;
	if (owner && kind == P_PID) {
		n->start_ns = owner->start_ns;
		ino->ino = pid_dir_ino(owner);
	}
	if (owner) {
		ino->uid = owner->euid;
		ino->gid = owner->egid;
	}
	if (S_ISDIR(mode))
		ino->nlink = 2;
	ino->parent = parent;
	if (parent)
		inode_get(parent);
	return ino;
}

static struct pnode *
pn(struct inode *ino)
{
	return ino->priv;
}

static void
proc_release(struct inode *ino)
{
	if (ino->parent && ino->parent != ino)
		inode_put(ino->parent);
	kfree(ino->priv);
}

static int
parse_int(const char *s, size_t len)
{
	int v = 0;
	if (len == 0 || len > 9)
		return -1;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

/* The entry of table called name, or NULL. */
static const struct pentry *
entry_named(const struct pentry *table, size_t count, const char *name, size_t len)
{
	for (size_t i = 0; i < count; i++)
		if (strlen(table[i].name) == len && memcmp(table[i].name, name, len) == 0)
			return &table[i];
	return NULL;
}

static struct inode *
proc_lookup(struct inode *dir, const char *name, size_t len)
{
	struct pnode *d = pn(dir);
	const struct pentry *e;
	if (d->kind == P_ROOT) {
		e = entry_named(root_entries, ARRAY_SIZE(root_entries), name, len);
		if (e)
			return pinode(e->kind, 0, 0, e->mode, dir) ?: ERR_PTR(-ENOMEM);
		int pid = parse_int(name, len);
		struct proc *p = pid > 0 ? proc_find(pid) : NULL;
		if (!p)
			return ERR_PTR(-ENOENT);
		return pinode(P_PID, pid, 0, S_IFDIR | 0555, dir) ?: ERR_PTR(-ENOMEM);
	}
	if (d->kind == P_PID) {
		if (!proc_find(d->pid))
			return ERR_PTR(-ENOENT);
		e = entry_named(pid_entries, ARRAY_SIZE(pid_entries), name, len);
		if (e)
			return pinode(e->kind, d->pid, 0, e->mode, dir) ?: ERR_PTR(-ENOMEM);
		return ERR_PTR(-ENOENT);
	}
	if (d->kind == P_PID_TASK) {
		int tid = parse_int(name, len);
		if (!task_of(d->pid, tid))
			return ERR_PTR(-ENOENT);
		return pinode(P_TASK, d->pid, tid, S_IFDIR | 0555, dir) ?: ERR_PTR(-ENOMEM);
	}
	if (d->kind == P_TASK) {
		if (!task_of(d->pid, d->fd))
			return ERR_PTR(-ENOENT);
		e = entry_named(task_entries, ARRAY_SIZE(task_entries), name, len);
		if (e)
			return pinode(e->kind, d->pid, d->fd, e->mode, dir) ?: ERR_PTR(-ENOMEM);
		return ERR_PTR(-ENOENT);
	}
	const struct pdir *fd = fixed_dir(d->kind);
	if (fd) {
		e = entry_named(fd->entries, fd->count, name, len);
		if (e)
			return pinode(e->kind, 0, 0, e->mode, dir) ?: ERR_PTR(-ENOMEM);
		return ERR_PTR(-ENOENT);
	}
	if (d->kind == P_PID_NS) {
		for (int k = 0; proc_find(d->pid) && k < NS_KINDS; k++)
			if (strlen(ns_kind_name(k)) == len &&
			    memcmp(ns_kind_name(k), name, len) == 0)
				return pinode(P_PID_NS_LINK, d->pid, k,
					      S_IFLNK | 0777, dir) ?:
				       ERR_PTR(-ENOMEM);
		return ERR_PTR(-ENOENT);
	}
	if (d->kind == P_PID_FD || d->kind == P_PID_FDINFO) {
		struct proc *p = proc_find(d->pid);
		int fd = parse_int(name, len);
		if (!p || fd < 0 || !fd_get(p, fd))
			return ERR_PTR(-ENOENT);
		if (d->kind == P_PID_FDINFO)
			return pinode(P_PID_FDINFO_FILE, d->pid, fd, S_IFREG | 0444, dir) ?: ERR_PTR(-ENOMEM);
		return pinode(P_PID_FD_LINK, d->pid, fd, S_IFLNK | 0700, dir) ?: ERR_PTR(-ENOMEM);
	}
	return ERR_PTR(-ENOTDIR);
}

static long
proc_readlink(struct inode *ino, char *buf, size_t size)
{
	struct pnode *n = pn(ino);
	struct proc *cur = current()->proc;
	char tmp[64];
	if (n->kind == P_SELF) {
		snprintk(tmp, sizeof(tmp), "%d", cur->pid);
		return copy_str(buf, size, tmp);
	}
	struct proc *p = proc_find(n->pid);
	if (!p)
		return -ENOENT;
	switch (n->kind) {
	case P_PID_EXE:
		return copy_str(buf, size, p->exe);
	case P_PID_CWD:
	case P_PID_ROOT: {
		char *k = kmalloc(4096);
		if (!k)
			return -ENOMEM;
		struct inode *dir = !p->fs ? NULL :
				    n->kind == P_PID_CWD ? p->fs->cwd :
							   p->fs->root;
		long r = dir ? vfs_path_of(cur, dir, k, 4096) : -ENOENT;
		if (r > 0)
			r = copy_str(buf, size, k);
		kfree(k);
		return r;
	}
	case P_PID_FD_LINK: {
		struct file *f = fd_get(p, n->fd);
		return f ? fd_link_text(cur, f, buf, size) : -ENOENT;
	}
	case P_PID_NS_LINK:
		if (!proc_may_access(cur, p))
			return -EACCES;
		return ns_link_text(ns_of(p, n->fd), buf, size);
	default:
		return -EINVAL;
	}
}

/*
 * Following /proc/PID/fd/N reaches the open file's inode itself, so an
 * open of it is a new open of the same file (a pipe: the same pipe), as
 * Linux's magic links. A file with no inode (or an anonymous one, whose
 * state is in the open file) cannot be reopened: ENXIO.
 */
static struct inode *
proc_get_link(struct inode *link)
{
	struct pnode *n = pn(link);
	if (n->kind == P_PID_NS_LINK)
		return procfs_ns_link(n->pid, n->fd);
	if (n->kind != P_PID_FD_LINK)
		return ERR_PTR(-EINVAL);
	struct proc *p = proc_find(n->pid);
	struct file *f = p ? fd_get(p, n->fd) : NULL;
	if (!f)
		return ERR_PTR(-ENOENT);
	struct inode *ino = f->inode;
	if (!ino || (ino->sb && strcmp(ino->sb->type, "anon_inodefs") == 0))
		return ERR_PTR(-ENXIO);
	inode_get(ino);
	return ino;
}

void
gprintf(struct gen *g, const char *fmt, ...)
{
	va_list ap;
	for (;;) {
		va_start(ap, fmt);
		size_t room = g->cap - g->len;
		int n = vsnprintk(g->buf + g->len, room, fmt, ap);
		va_end(ap);
		if ((size_t)n < room) {
			g->len += (size_t)n;
			return;
		}
		size_t cap = MAX(g->cap * 2, g->len + (size_t)n + 1);
		char *b = kmalloc(cap);
		if (!b)
			return;
		memcpy(b, g->buf, g->len);
		kfree(g->buf);
		g->buf = b;
		g->cap = cap;
	}
}

void
gen_bytes(struct gen *g, const void *bytes, size_t len)
{
	if (g->cap - g->len < len) {
		size_t cap = MAX(g->cap * 2, g->len + len);
		char *b = kmalloc(cap);
		if (!b)
			return;
		memcpy(b, g->buf, g->len);
		kfree(g->buf);
		g->buf = b;
		g->cap = cap;
	}
	memcpy(g->buf + g->len, bytes, len);
	g->len += len;
}

/*
 * /proc/stat's cpu lines, in USER_HZ (100) ticks. Busy time is all shown
 * as user time: the kernel does not tell user from system time.
 */
static void
gen_cpu_lines(struct gen *g, uint64_t now)
{
	uint64_t idle[CPU_MAX], busy[CPU_MAX], idle_all = 0, busy_all = 0;

	for (int i = 0; i < cpu_count; i++) {
		sched_cpu_times(&cpus[i], now, &idle[i], &busy[i]);
		idle_all += idle[i];
		busy_all += busy[i];
	}
	gprintf(g, "cpu  %lu 0 0 %lu 0 0 0 0 0 0\n", busy_all / 10000000,
		idle_all / 10000000);
	for (int i = 0; i < cpu_count; i++)
		gprintf(g, "cpu%d %lu 0 0 %lu 0 0 0 0 0 0\n", i,
			busy[i] / 10000000, idle[i] / 10000000);
}

static void
gen_text(void *g, const char *line)
{
	gprintf(g, "%s", line);
}

static void
gen_system(struct gen *g, enum pkind kind)
{
	uint64_t now = arch_now_ns();
	switch (kind) {
	case P_MEMINFO:
		procfs_meminfo(g);
		break;
	case P_VMSTAT:
		procfs_vmstat(g);
		break;
	case P_UPTIME: {
		uint64_t idle = 0, ci, cb, up = timens_from_host(CLOCK_BOOTTIME, now);
		for (int i = 0; i < cpu_count; i++) {
			sched_cpu_times(&cpus[i], now, &ci, &cb);
			idle += ci;
		}
		gprintf(g, "%lu.%02lu %lu.%02lu\n", up / 1000000000, up / 10000000 % 100,
			idle / 1000000000, idle / 10000000 % 100);
		break;
	}
	case P_STAT: {
		gen_cpu_lines(g, now);
		int procs = 0, running = 0;
		list_for_each(it, &all_procs) {
			struct proc *p = list_entry(it, struct proc, all_link);
			procs++;
			if (proc_state_char(p) == 'R')
				running++;
		}
		gprintf(g, "intr %lu\nctxt %lu\nbtime %lu\nprocesses %lu\nprocs_running %d\n"
			"procs_blocked 0\n", arch_interrupt_count(), sched_switch_count(), arch_rtc_seconds(),
			stat_forks, running);
		(void)procs;
		break;
	}
	case P_INTERRUPTS:	/* Linux's layout; only the local timer's line */
		gprintf(g, "     ");
		for (int i = 0; i < cpu_count; i++)
			gprintf(g, "       CPU%d", i);
		gprintf(g, "\nLOC:");
		for (int i = 0; i < cpu_count; i++)
			gprintf(g, " %10lu", cpus[i].timer_interrupts);
		gprintf(g, "   Local timer interrupts\n");
		break;
	case P_LOADAVG: {
		int procs = 0, running = 0, last = 0;
		list_for_each(it, &all_procs) {
			struct proc *p = list_entry(it, struct proc, all_link);
			procs++;
			last = MAX(last, p->pid);
			if (proc_state_char(p) == 'R')
				running++;
		}
		gprintf(g, "%lu.%02lu %lu.%02lu %lu.%02lu %d/%d %d\n",
			loadavg[0] >> 16, (loadavg[0] & 0xffff) * 100 >> 16,
			loadavg[1] >> 16, (loadavg[1] & 0xffff) * 100 >> 16,
			loadavg[2] >> 16, (loadavg[2] & 0xffff) * 100 >> 16, running, procs, last);
		break;
	}
	case P_CPUINFO:
		procfs_cpuinfo(g);
		break;
	case P_PETREL_BKL:
		procfs_petrel_bkl(g);
		break;
	case P_PETREL_BKLCALLS:
		procfs_petrel_bklcalls(g);
		break;
	case P_PETREL_ICACHE:
		procfs_petrel_icache(g);
		break;
	case P_PETREL_IPC:
		procfs_petrel_ipc(g);
		break;
	case P_PETREL_SCHED:
		procfs_petrel_sched(g);
		break;
	case P_PETREL_MM:
		procfs_petrel_mm(g);
		break;
	case P_MOUNTS:
		gen_mounts(g);
		break;
	case P_VERSION:
		/* Linux's form, which programs parse for the release. */
		gprintf(g, "%s version %s (%s %s, %s) #1 SMP %s %s\n",
			UNAME_SYSNAME, PETREL_RELEASE, PETREL_SYSNAME,
			PETREL_VERSION, PETREL_ARCH, PETREL_SYSNAME,
			PETREL_VERSION);
		break;
	case P_FILESYSTEMS:
		for (int i = 0; vfs_fs_type(i, NULL); i++) {
			bool nodev;
			const char *t = vfs_fs_type(i, &nodev);
			gprintf(g, "%s\t%s\n", nodev ? "nodev" : "", t);
		}
		break;
	case P_CMDLINE:
		gprintf(g, "%s\n", boot_info.cmdline);
		break;
	case P_CONFIG_GZ:
		gen_bytes(g, procfs_config_gz,
			  (size_t)(procfs_config_gz_end - procfs_config_gz));
		break;
	case P_NET_TCP: case P_NET_TCP6: case P_NET_UDP: case P_NET_UDP6:
		gen_net(g, kind);
		break;
	case P_NET_DEV: procfs_net_dev(g); break;
	case P_NET_ROUTE: procfs_net_route(g); break;
	case P_NET_IF_INET6: procfs_net_if_inet6(g); break;
	case P_KEY_USERS:
		keys_list_users(gen_text, g);
		break;
	case P_LOCKS:
		locks_list(gen_text, g);
		break;
	case P_KMSG: {
		char *k = kmalloc(16384);
		if (k) {
			size_t n = printk_log_read(k, 16384);
			gprintf(g, "%.*s", (int)n, k);
			kfree(k);
		}
		break;
	}
	default:
		procfs_sys_show(g, kind);
		break;
	}
}

static long
proc_write(struct file *f, const void *buf, size_t len, uint64_t *off)
{
	long r = procfs_sys_write(pn(f->inode)->kind, buf, len);
	if (r < 0)
		return r;
	*off += len;
	return (long)len;
}

/* The auxiliary vector exec gave p's program, AT_NULL included. */
static void
gen_auxv(struct gen *g, struct proc *p)
{
	if (!p->vm || p->state != PROC_ALIVE)
		return;
	size_t n = 0;
	while (n < VM_AUXV_MAX - 1 && p->vm->auxv[2 * n])
		n++;
	gen_bytes(g, p->vm->auxv, (n + 1) * 16);
}

/*
 * An open file's text, made at open (and again for a mount table read
 * from its start): each open file has its own, as Linux's seq_file, and
 * the inode's size stays 0 (st_size of a /proc file, as Linux's).
 */
static struct gen *
proc_text(struct pnode *n)
{
	struct gen *t = kmalloc(sizeof(*t));
	if (!t)
		return ERR_PTR(-ENOMEM);
	*t = (struct gen){ .buf = kmalloc(1024), .len = 0, .cap = 1024 };
	if (!t->buf) {
		kfree(t);
		return ERR_PTR(-ENOMEM);
	}
	t->buf[0] = 0;
	struct gen g = *t;	/* grows; t takes it back at the end */
	if (n->kind >= P_PID) {
		struct proc *p = proc_find(n->pid);
		if (!p) {
			kfree(t->buf);
			kfree(t);
			return ERR_PTR(-ENOENT);
		}
		switch (n->kind) {
		case P_PID_STAT: procfs_pid_stat(&g, p); break;
		case P_PID_STATUS: procfs_pid_status(&g, p); break;
		case P_PID_COMM: gprintf(&g, "%s\n", p->name); break;
		case P_TASK_COMM:
		case P_TASK_STATUS:
		case P_TASK_STAT:
			procfs_task_file(&g, p, task_of(p->pid, n->fd), n->kind);
			break;
		case P_PID_STATM: procfs_pid_statm(&g, p); break;
		case P_PID_MAPS: procfs_pid_maps(&g, p); break;
		case P_PID_SMAPS: procfs_pid_smaps(&g, p); break;
		case P_PID_SMAPS_ROLLUP: procfs_pid_smaps_rollup(&g, p); break;
		case P_PID_TIMERSLACK: {
			struct thread *t = list_first(&p->threads, struct thread,
						      proc_link);
			gprintf(&g, "%lu\n", t ? thread_timer_slack(t) : 0ul);
			break;
		}
		case P_PID_MOUNTS: gen_mounts(&g); break;
		case P_PID_MOUNTINFO: gen_mountinfo(&g); break;
		case P_PID_FDINFO_FILE: procfs_pid_fdinfo(&g, p, n->fd); break;
		case P_PID_AUXV: gen_auxv(&g, p); break;
		case P_PID_UID_MAP ... P_PID_TIMENS_OFFSETS:
			procfs_userns_show(&g, p, n->kind);
			break;
		default: break;
		}
	} else {
		gen_system(&g, n->kind);
	}
	*t = g;
	return t;
}

static void
proc_text_free(struct gen *t)
{
	if (t)
		kfree(t->buf);
	kfree(t);
}

static int
proc_open(struct file *f)
{
	struct pnode *n = pn(f->inode);
	struct gen *t = proc_text(n);
	if (IS_ERR(t))
		return (int)PTR_ERR(t);
	f->priv = t;
	if (procfs_is_mounts(n->kind))
		procfs_mounts_watch(f);
	return 0;
}

static long
proc_read(struct file *f, void *buf, size_t len, uint64_t *off)
{
	/* The mount table is made again for a read from its start (after a
	 * poll told of a change, the reader seeks back), as Linux's
	 * seq_file: the change count stays the one last reported. */
	if (*off == 0 && procfs_is_mounts(pn(f->inode)->kind)) {
		struct gen *t = proc_text(pn(f->inode));
		if (!IS_ERR(t)) {
			proc_text_free(f->priv);
			f->priv = t;
		}
	}
	const struct gen *t = f->priv;
	if (*off >= t->len)
		return 0;
	size_t n = MIN(len, t->len - *off);
	memcpy(buf, t->buf + *off, n);
	*off += n;
	return (long)n;
}

static void
proc_close(struct file *f)
{
	proc_text_free(f->priv);
}

static unsigned
proc_poll(struct file *f)
{
	if (procfs_is_mounts(pn(f->inode)->kind))
		return procfs_mounts_poll(f);
	return POLLIN | POLLRDNORM;
}

static long
proc_getdents(struct file *f, void *buf, size_t len, uint64_t *pos)
{
	struct pnode *d = pn(f->inode);
	size_t used = 0;
	uint64_t i = 0;
	char name[16];

#define EMIT(ino, type, nm)                                                          \
	do {                                                                          \
		if (i++ >= *pos) {                                                    \
			size_t r_ = dirent_emit((char *)buf + used, len - used, ino, i, \
						type, nm, strlen(nm));                \
			if (!r_)                                                      \
				return used ? (long)used : -EINVAL;                   \
			used += r_;                                                   \
			*pos = i;                                                     \
		}                                                                     \
	} while (0)

	EMIT(f->inode->ino, DT_DIR, ".");
	EMIT(f->inode->ino, DT_DIR, "..");
	if (d->kind == P_ROOT) {
		for (size_t k = 0; k < ARRAY_SIZE(root_entries); k++)
			EMIT(1000 + k, dirent_type(root_entries[k].mode), root_entries[k].name);
		list_for_each(it, &all_procs) {
			struct proc *p = list_entry(it, struct proc, all_link);
			snprintk(name, sizeof(name), "%d", p->pid);
			EMIT(pid_dir_ino(p), DT_DIR, name);
		}
	} else if (d->kind == P_PID) {
		for (size_t k = 0; k < ARRAY_SIZE(pid_entries); k++)
			EMIT(2000 + k, dirent_type(pid_entries[k].mode), pid_entries[k].name);
	} else if (fixed_dir(d->kind)) {
		const struct pdir *fd = fixed_dir(d->kind);
		for (size_t k = 0; k < fd->count; k++)
			EMIT(4000 + (uint64_t)d->kind * 16 + k,
			     dirent_type(fd->entries[k].mode),
			     fd->entries[k].name);
	} else if (d->kind == P_PID_TASK) {
		struct proc *p = proc_find(d->pid);
		if (p)
			list_for_each(it, &p->threads) {
				struct thread *t = list_entry(it, struct thread,
							      proc_link);
				snprintk(name, sizeof(name), "%d", t->tid);
				EMIT(proc_ino(t->tid, P_TASK, 0), DT_DIR, name);
			}
	} else if (d->kind == P_TASK) {
		for (size_t k = 0; k < ARRAY_SIZE(task_entries); k++)
			EMIT(5000 + k, dirent_type(task_entries[k].mode),
			     task_entries[k].name);
	} else if (d->kind == P_PID_NS) {
		for (int k = 0; k < NS_KINDS; k++)
			EMIT(6000 + (uint64_t)k, DT_LNK, ns_kind_name(k));
	} else if (d->kind == P_PID_FD || d->kind == P_PID_FDINFO) {
		struct proc *p = proc_find(d->pid);
		for (int fd = 0; p && fd < fd_table_size(p); fd++) {
			if (!p->files->fd[fd])
				continue;
			snprintk(name, sizeof(name), "%d", fd);
			EMIT(3000 + (uint64_t)fd, d->kind == P_PID_FD ? DT_LNK : DT_REG, name);
		}
	}
#undef EMIT
	return (long)used;
}

static const char *
proc_name_of(struct inode *dir, struct inode *child)
{
	(void)dir, (void)child;
	return NULL;
}

static const struct inode_ops proc_iops = {
	.lookup = proc_lookup,
	.readlink = proc_readlink,
	.release = proc_release,
	.name_of = proc_name_of,
};

/* /proc/PID/fd/N: magic links (proc_get_link). */
static const struct inode_ops proc_fd_link_iops = {
	.readlink = proc_readlink,
	.get_link = proc_get_link,
	.release = proc_release,
};

static const struct file_ops proc_dir_fops = {
	.getdents = proc_getdents,
	.seekable = true,
};

static const struct file_ops proc_file_fops = {
	.open = proc_open,
	.read = proc_read,
	.write = proc_write,
	.close = proc_close,
	.poll = proc_poll,
	.seekable = true,
};

/* /proc/PID/maps takes PROCMAP_QUERY; the others no ioctl. */
static long
proc_pid_ioctl(struct file *f, unsigned long cmd, uint64_t arg)
{
	struct pnode *n = pn(f->inode);
	if (n->kind != P_PID_MAPS)
		return -ENOTTY;
	return procfs_maps_ioctl(proc_find(n->pid), cmd, arg);
}

/* /proc/PID's files, as Linux's, have no poll hook: epoll refuses them. */
static long
proc_pid_write(struct file *f, const void *buf, size_t len, uint64_t *off)
{
	struct pnode *n = pn(f->inode);
	struct proc *p = proc_find(n->pid);
	long r;
	if (n->kind == P_PID_COMM || n->kind == P_TASK_COMM)
		r = procfs_comm_write(p, p ? task_of(p->pid, n->kind ==
				      P_TASK_COMM ? n->fd : p->pid) : NULL,
				      buf, len);
	else
		r = procfs_userns_write(p, n->kind, buf, len);
	if (r < 0)
		return r;
	*off += len;
	return (long)len;
}

static const struct file_ops proc_pid_file_fops = {
	.open = proc_open,
	.read = proc_read,
	.write = proc_pid_write,
	.close = proc_close,
	.ioctl = proc_pid_ioctl,
	.seekable = true,
};

/* /proc/PID/mounts and mountinfo poll, as Linux's (mounts_poll). */
static const struct file_ops proc_pid_mounts_fops = {
	.open = proc_open,
	.read = proc_read,
	.close = proc_close,
	.poll = proc_poll,
	.seekable = true,
};
int
procfs_dir_pid(struct inode *ino)
{
	if (!ino || ino->sb != &proc_sb || pn(ino)->kind != P_PID)
		return -1;
	struct proc *p = proc_find(pn(ino)->pid);
	if (!p || p->start_ns != pn(ino)->start_ns)
		return 0;	/* its process is gone, the pid maybe reused */
	return pn(ino)->pid;
}

int
procfs_node_pid(struct inode *ino)
{
	return pn(ino)->pid;
}

bool
procfs_magic_link(struct inode *ino)
{
	if (!ino || ino->sb != &proc_sb)
		return false;
	int kind = pn(ino)->kind;
	return kind == P_PID_EXE || kind == P_PID_CWD || kind == P_PID_ROOT ||
	       kind == P_PID_FD_LINK;
}

struct inode *
procfs_new(void)
{
	struct inode *root = pinode(P_ROOT, 0, 0, S_IFDIR | 0555, NULL);
	if (root)
		root->parent = root;
	return root;
}
