/*
 * procfs's parts (kernel/fs/procfs*.c): the text of each file is made
 * into a growing buffer when the file is opened, the open file's own (as
 * Linux's seq_file; the inode's size stays 0). procfs.c has the tree;
 * procfs_pid.c the files of /proc/PID; procfs_mem.c meminfo and cpuinfo;
 * procfs_mount.c the mount table; procfs_fdlink.c /proc/PID/fd's links;
 * kernel/fs/netif.c the interface files of /proc/net. Big lock held.
 */
#ifndef KERNEL_PROCFS_INT_H
#define KERNEL_PROCFS_INT_H

#include <kernel/types.h>
#include <kernel/string.h>

struct proc;
struct thread;
struct inode;
struct file;
struct file_ops;

/* Text generation into a growing buffer (dropped where memory ends). */
struct gen {
	char *buf;
	size_t len, cap;
};

void gprintf(struct gen *g, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Bytes as they are, NULs included. */
void gen_bytes(struct gen *g, const void *bytes, size_t len);
/* At most size bytes of s into buf (no NUL, as readlink): its length. */
static inline long
copy_str(char *buf, size_t size, const char *s)
{
	size_t n = MIN(strlen(s), size);
	memcpy(buf, s, n);
	return (long)n;
}
/* procfs_fdlink.c: the link text of cur's view of open file f. */
long fd_link_text(struct proc *cur, struct file *f, char *buf, size_t size);
/* procfs_mount.c: /proc/mounts and /proc/PID/mountinfo. */
void gen_mounts(struct gen *g);
void gen_mountinfo(struct gen *g);

/* /proc/config.gz's bytes (procfs_config.S). */
extern const char procfs_config_gz[], procfs_config_gz_end[];

/* The state letter ps shows: R, S, T or Z. */
char proc_state_char(struct proc *p);

enum pkind {
	P_ROOT, P_MEMINFO, P_VMSTAT, P_UPTIME, P_STAT, P_INTERRUPTS, P_LOADAVG, P_CPUINFO, P_MOUNTS,
	P_VERSION, P_FILESYSTEMS, P_LOCKS, P_SELF, P_KMSG, P_CMDLINE, P_CONFIG_GZ,
	P_KPAGEFLAGS,
	P_NET, P_NET_TCP, P_NET_TCP6, P_NET_UDP, P_NET_UDP6,
	P_NET_DEV, P_NET_ROUTE, P_NET_IF_INET6,
	P_PETREL, P_PETREL_BKL, P_PETREL_BKLCALLS, P_PETREL_ICACHE, P_PETREL_IPC, P_PETREL_SCHED, P_PETREL_MM,
	P_SYS, P_SYS_KERNEL, P_SYS_RANDOM, P_SYS_FS, P_SYS_VM, P_SYS_PID_MAX,
	P_SYS_VM_MAX_MAP_COUNT,
	P_SYS_CAP_LAST_CAP,
	P_SYS_HOSTNAME, P_SYS_OSRELEASE, P_SYS_OSTYPE, P_SYS_VERSION, P_SYS_BOOT_ID,
	P_SYS_UUID, P_SYS_ENTROPY_AVAIL, P_SYS_POOLSIZE, P_SYS_FILE_MAX, P_SYS_NR_OPEN, P_SYS_TAINTED,
	P_SYS_CORE_PATTERN, P_SYS_PRINTK, P_SYS_DOMAINNAME, P_SYS_INOTIFY,
	P_SYS_INOTIFY_EVENTS, P_SYS_INOTIFY_INSTANCES, P_SYS_INOTIFY_WATCHES,
	P_SYS_FANOTIFY, P_SYS_FANOTIFY_EVENTS, P_SYS_FANOTIFY_GROUPS,
	P_SYS_FANOTIFY_MARKS,
	P_SYS_LEASE_BREAK_TIME, P_SYS_LEASES_ENABLE, P_SYS_AIO_MAX_NR, P_SYS_AIO_NR,
	P_SYS_MQUEUE, P_SYS_MQ_QUEUES_MAX, P_SYS_MQ_MSG_MAX,
	P_SYS_MQ_MSGSIZE_MAX, P_SYS_MQ_MSG_DEFAULT, P_SYS_MQ_MSGSIZE_DEFAULT,
	P_SYS_PIPE_MAX_SIZE, P_SYS_PIPE_USER_PAGES_SOFT, P_KEY_USERS, P_SYS_KEYS,
	P_SYS_KEYS_GC_DELAY, P_SYS_KEYS_MAXBYTES, P_SYS_KEYS_MAXKEYS,
	P_SYS_KEYS_ROOT_MAXBYTES, P_SYS_KEYS_ROOT_MAXKEYS,
	/* System V IPC's sysctls, in enum ipc_knob's order. */
	P_SYS_MSGMAX, P_SYS_MSGMNB, P_SYS_MSGMNI, P_SYS_SEM, P_SYS_SHMMAX,
	P_SYS_SHMALL, P_SYS_SHMMNI, P_SYS_MSG_NEXT_ID, P_SYS_SEM_NEXT_ID,
	P_SYS_SHM_NEXT_ID,
	P_SYS_NS_LAST_PID, P_SYS_USER,
	/* /proc/sys/user/max_*_namespaces, in enum ns_kind's order */
	P_SYS_USER_MAX_CGROUP, P_SYS_USER_MAX_IPC, P_SYS_USER_MAX_MNT,
	P_SYS_USER_MAX_NET, P_SYS_USER_MAX_PID, P_SYS_USER_MAX_TIME,
	P_SYS_USER_MAX_USER, P_SYS_USER_MAX_UTS,
	P_SYSVIPC, P_SYSVIPC_MSG, P_SYSVIPC_SEM, P_SYSVIPC_SHM,
	P_PID, P_PID_STAT, P_PID_STATUS, P_PID_CMDLINE, P_PID_EXE, P_PID_FD,
	P_PID_FD_LINK, P_PID_COMM, P_PID_CWD, P_PID_MAPS, P_PID_STATM,
	P_PID_ROOT, P_PID_MOUNTS, P_PID_MOUNTINFO, P_PID_SMAPS,
	P_PID_SMAPS_ROLLUP, P_PID_FDINFO, P_PID_FDINFO_FILE, P_PID_AUXV,
	P_PID_TIMERSLACK, P_PID_PAGEMAP, P_PID_COREDUMP_FILTER, P_PID_TASK, P_TASK, P_TASK_STAT, P_TASK_COMM, P_TASK_STATUS,
	P_PID_NS, P_PID_NS_LINK, P_PID_UID_MAP, P_PID_GID_MAP,
	P_PID_SETGROUPS, P_PID_TIMENS_OFFSETS, P_PID_ENVIRON,
	P_KIND_COUNT
};

struct pentry {
	const char *name;
	enum pkind kind;
	unsigned mode;
};

/* A directory whose entries are fixed, with its table. */
struct pdir {
	enum pkind kind;
	const struct pentry *entries;
	size_t count;
};

/* /proc/net/{tcp,tcp6,udp,udp6} (procfs_net.c). */
void gen_net(struct gen *g, enum pkind kind);

/* /proc/sys and /proc/sysvipc (procfs_sys.c): a fixed directory of
 * theirs, or NULL; a file's text (nothing for a kind not theirs); a
 * write to a sysctl of mode 0644 (-EINVAL for any other). */
const struct pdir *procfs_sys_dir(enum pkind kind);
void procfs_sys_show(struct gen *g, enum pkind kind);
long procfs_sys_write(enum pkind kind, const void *buf, size_t len);

/* The /proc/sys files a write changes (procfs_sys.c). */
enum sysctl_var {
	SYSCTL_NONE, SYSCTL_HOSTNAME, SYSCTL_DOMAINNAME, SYSCTL_TAINTED,
	SYSCTL_CORE_PATTERN, SYSCTL_PRINTK, SYSCTL_PIPE_MAX_SIZE,
	SYSCTL_NR_OPEN, SYSCTL_NS_LAST_PID,
};

/* /proc/PID/... (procfs_pid.c). */
void procfs_pid_stat(struct gen *g, struct proc *p);
/* /proc/PID/task/TID's comm, stat or status (kind) of thread t of p
 * (NULL: gone; its comm shows p's name, the others nothing). */
void procfs_task_file(struct gen *g, struct proc *p, struct thread *t,
		      enum pkind kind);
/*
 * A write to /proc/PID/comm or /proc/PID/task/TID/comm: names thread t
 * of p (/proc/PID's: the leader; NULL: it has exited) with the text's
 * first 15 bytes, a newline included, as Linux's comm_write; only from
 * p itself (EINVAL), ESRCH without p.
 */
long procfs_comm_write(struct proc *p, struct thread *t, const char *text,
		       size_t len);
void procfs_pid_statm(struct gen *g, struct proc *p);
void procfs_pid_status(struct gen *g, struct proc *p);
void procfs_pid_maps(struct gen *g, struct proc *p);
/* ioctl PROCMAP_QUERY on /proc/PID/maps (Linux 6.11): the region at or
 * after an address, as maps shows it; 0 or -errno; -ENOTTY for any other
 * command. */
long procfs_maps_ioctl(struct proc *p, unsigned long cmd, uint64_t arg);
void procfs_pid_smaps(struct gen *g, struct proc *p);
void procfs_pid_smaps_rollup(struct gen *g, struct proc *p);
void procfs_pid_fdinfo(struct gen *g, struct proc *p, int fd);

/* procfs_mount.c: whether a file of kind is the mount table's (polls its
 * changes); at open, f waits on them from then on; f's poll: readable, and
 * POLLERR | POLLPRI once after each change. */
bool procfs_is_mounts(enum pkind kind);
void procfs_mounts_watch(struct file *f);
unsigned procfs_mounts_poll(struct file *f);

/* The pid of the process a /proc/PID node (or a file in it) is of. */
int procfs_node_pid(struct inode *ino);
/* /proc/PID/pagemap's, coredump_filter's and /proc/kpageflags's own calls
 * (procfs_mm.c), or NULL for the other kinds, whose text is made at
 * open. */
const struct file_ops *procfs_mm_fops(enum pkind kind);
/* /proc/PID/cmdline's and environ's calls (procfs_args.c): read from the
 * process's memory at each read; NULL for the other kinds. */
const struct file_ops *procfs_args_fops(enum pkind kind);
/* /proc/PID/ns/NAME's target, and /proc/PID/{uid_map,gid_map,setgroups,
 * timens_offsets} (procfs_ns.c). */
struct inode *procfs_ns_link(int pid, int kind);
void procfs_userns_show(struct gen *g, struct proc *p, enum pkind kind);
long procfs_userns_write(struct proc *p, enum pkind kind, const void *buf,
			 size_t len);

/* /proc/meminfo and /proc/cpuinfo (procfs_mem.c). */
void procfs_meminfo(struct gen *g);
void procfs_vmstat(struct gen *g);
void procfs_cpuinfo(struct gen *g);

/* /proc/petrel/bkl (procfs_petrel.c). */
void procfs_petrel_bkl(struct gen *g);
void procfs_petrel_bklcalls(struct gen *g);	/* /proc/petrel/bklcalls */
void procfs_petrel_icache(struct gen *g);
void procfs_petrel_ipc(struct gen *g);
void procfs_petrel_sched(struct gen *g);
void procfs_petrel_mm(struct gen *g);	/* /proc/petrel/mm */

/* /proc/net/dev, route, if_inet6 (kernel/fs/netif.c); may sleep. */
void procfs_net_dev(struct gen *g);
void procfs_net_route(struct gen *g);
void procfs_net_if_inet6(struct gen *g);

#endif
