/*
 * /proc/sys and /proc/sysvipc. The writable sysctls: kernel/{hostname,
 * domainname,printk,core_pattern,tainted}, System V IPC's limits, the
 * keys' quotas, POSIX message queues' limits, fs/pipe-max-size,
 * fs/nr_open, kernel/ns_last_pid, user/max_*_namespaces, the
 * leases' and AIO's knobs and the limits of fs/inotify and fs/fanotify.
 * A write parses the text as Linux's proc_dointvec and proc_dostring do
 * and sets the value where it lives; core_pattern names core files
 * (kernel/linux/coredump.c); printk's last three levels are kept only
 * (messages have no default level).
 */
#include <kernel/vfs.h>
#include <kernel/printk.h>
#include <kernel/version.h>
#include <kernel/errno.h>
#include <kernel/string.h>
#include <kernel/inotify.h>
#include <kernel/fanotify.h>
#include <kernel/mqueue.h>
#include <kernel/locks.h>
#include <kernel/aio.h>
#include <kernel/keys.h>
#include <kernel/kmalloc.h>
#include <kernel/random.h>
#include <kernel/sysvipc.h>
#include <kernel/proc.h>
#include <kernel/ns.h>
#include <kernel/vm.h>
#include "procfs_int.h"

static char core_pattern[128] = "core";
static int printk_levels[3] = { 4, 1, 7 };	/* default, minimum, boot */

const char *
sysctl_core_pattern(void)
{
	return core_pattern;
}

/* The sysctls that are an unsigned number each, where it lives. */
static const struct {
	enum pkind kind;
	unsigned *value;
} number_vars[] = {
	{ P_SYS_INOTIFY_EVENTS, &inotify_max_queued_events },
	{ P_SYS_INOTIFY_INSTANCES, &inotify_max_user_instances },
	{ P_SYS_INOTIFY_WATCHES, &inotify_max_user_watches },
	{ P_SYS_FANOTIFY_EVENTS, &fanotify_max_queued_events },
	{ P_SYS_FANOTIFY_GROUPS, &fanotify_max_user_groups },
	{ P_SYS_FANOTIFY_MARKS, &fanotify_max_user_marks },
	{ P_SYS_LEASE_BREAK_TIME, &lease_break_time },
	{ P_SYS_LEASES_ENABLE, &leases_enable },
	{ P_SYS_AIO_MAX_NR, &aio_max_nr },
	{ P_SYS_MQ_QUEUES_MAX, &mq_queues_max },
	{ P_SYS_MQ_MSG_MAX, &mq_msg_max },
	{ P_SYS_MQ_MSGSIZE_MAX, &mq_msgsize_max },
	{ P_SYS_MQ_MSG_DEFAULT, &mq_msg_default },
	{ P_SYS_MQ_MSGSIZE_DEFAULT, &mq_msgsize_default },
	{ P_SYS_KEYS_GC_DELAY, &key_gc_delay },
	{ P_SYS_KEYS_MAXBYTES, &key_quota_maxbytes },
	{ P_SYS_KEYS_MAXKEYS, &key_quota_maxkeys },
	{ P_SYS_KEYS_ROOT_MAXBYTES, &key_quota_root_maxbytes },
	{ P_SYS_KEYS_ROOT_MAXKEYS, &key_quota_root_maxkeys },
	{ P_SYS_PID_MAX, &pid_max },
	{ P_SYS_VM_MAX_MAP_COUNT, &vm_max_map_count },
	{ P_SYS_USER_MAX_CGROUP, &ns_max[NS_CGROUP] },
	{ P_SYS_USER_MAX_IPC, &ns_max[NS_IPC] },
	{ P_SYS_USER_MAX_MNT, &ns_max[NS_MNT] },
	{ P_SYS_USER_MAX_NET, &ns_max[NS_NET] },
	{ P_SYS_USER_MAX_PID, &ns_max[NS_PID] },
	{ P_SYS_USER_MAX_TIME, &ns_max[NS_TIME] },
	{ P_SYS_USER_MAX_USER, &ns_max[NS_USER] },
	{ P_SYS_USER_MAX_UTS, &ns_max[NS_UTS] },
};

static unsigned *
number_var(enum pkind kind)
{
	for (size_t i = 0; i < ARRAY_SIZE(number_vars); i++)
		if (number_vars[i].kind == kind)
			return number_vars[i].value;
	return NULL;
}

static void
sysctl_show(struct gen *g, enum sysctl_var v)
{
	switch (v) {
	case SYSCTL_HOSTNAME: gprintf(g, "%s\n", sys_hostname()); break;
	case SYSCTL_DOMAINNAME: gprintf(g, "%s\n", sys_domainname()); break;
	case SYSCTL_TAINTED: gprintf(g, "0\n"); break;
	case SYSCTL_CORE_PATTERN: gprintf(g, "%s\n", core_pattern); break;
	case SYSCTL_PRINTK:
		gprintf(g, "%d\t%d\t%d\t%d\n", printk_console_level(0),
			printk_levels[0], printk_levels[1], printk_levels[2]);
		break;
	case SYSCTL_PIPE_MAX_SIZE: gprintf(g, "%u\n", pipe_max_size); break;
	case SYSCTL_NR_OPEN: gprintf(g, "%u\n", fd_nr_open); break;
	case SYSCTL_NS_LAST_PID: gprintf(g, "%d\n", tid_last()); break;
	case SYSCTL_NONE: break;
	}
}

/* The decimal numbers in text, at most max of them; returns how many,
 * or -EINVAL for anything else. */
static int
parse_ints(const char *text, long *vals, int max)
{
	int n = 0;
	while (*text && n < max) {
		while (*text == ' ' || *text == '\t' || *text == '\n')
			text++;
		if (!*text)
			break;
		bool neg = *text == '-';
		text += neg;
		if (*text < '0' || *text > '9')
			return -EINVAL;
		long v = 0;
		while (*text >= '0' && *text <= '9' && v < (1l << 40))
			v = v * 10 + (*text++ - '0');
		vals[n++] = neg ? -v : v;
	}
	return n;
}

static long
sysctl_store(enum sysctl_var v, const char *text, size_t len)
{
	long x[4];
	int n;
	switch (v) {
	case SYSCTL_HOSTNAME:
	case SYSCTL_DOMAINNAME:
		return sys_set_uts_name(v == SYSCTL_DOMAINNAME, text, len);
	case SYSCTL_CORE_PATTERN:
		if (len >= sizeof(core_pattern))
			return -EINVAL;
		memcpy(core_pattern, text, len + 1);
		return 0;
	case SYSCTL_TAINTED:	/* nothing taints Petrel: only 0 is kept */
		n = parse_ints(text, x, 1);
		return n == 1 && x[0] == 0 ? 0 : -EINVAL;
	case SYSCTL_PRINTK:
		n = parse_ints(text, x, 4);
		if (n < 1)
			return -EINVAL;
		printk_console_level((int)x[0]);
		for (int i = 1; i < n; i++)
			printk_levels[i - 1] = (int)x[i];
		return 0;
	case SYSCTL_PIPE_MAX_SIZE: {
		n = parse_ints(text, x, 1);
		size_t size = n == 1 && x[0] > 0 ? pipe_round_size((uint64_t)x[0]) : 0;
		if (!size)
			return -EINVAL;
		pipe_max_size = (unsigned)size;
		return 0;
	}
	case SYSCTL_NR_OPEN:	/* Linux's bounds: BITS_PER_LONG up */
		n = parse_ints(text, x, 1);
		if (n != 1 || x[0] < 64 || x[0] > NR_OPEN)
			return -EINVAL;
		fd_nr_open = (unsigned)x[0];
		return 0;
	case SYSCTL_NS_LAST_PID:
		/* CAP_SYS_ADMIN or CAP_CHECKPOINT_RESTORE over the PID
		 * namespace, which the mode 0666 leaves to this check */
		if (!ns_admin(current()->proc, ns_current(NS_PID)->owner))
			return -EPERM;
		n = parse_ints(text, x, 1);
		if (n != 1 || x[0] < 0 || x[0] >= PID_MAX)
			return -EINVAL;
		tid_set_last((int)x[0]);
		return 0;
	case SYSCTL_NONE:
		break;
	}
	return -EINVAL;
}

/* /proc/sys: the few sysctls programs read; those of mode 0644 take a
 * write (procfs_sys_write). */
static const struct pentry sys_entries[] = {
	{ "kernel", P_SYS_KERNEL, S_IFDIR | 0555 },
	{ "fs", P_SYS_FS, S_IFDIR | 0555 },
	{ "user", P_SYS_USER, S_IFDIR | 0555 },
	{ "vm", P_SYS_VM, S_IFDIR | 0555 },
};

/* The memory manager's (kernel/mm/vm_tree.c). */
static const struct pentry sys_vm_entries[] = {
	{ "max_map_count", P_SYS_VM_MAX_MAP_COUNT, S_IFREG | 0644 },
};

/* How many namespaces of each kind there may be (kernel/linux/
 * namespace.c counts them). */
static const struct pentry sys_user_entries[] = {
	{ "max_cgroup_namespaces", P_SYS_USER_MAX_CGROUP, S_IFREG | 0644 },
	/* The same limits as fs/fanotify's and fs/inotify's, as on Linux
	   (the initial user namespace's ucounts). */
	{ "max_fanotify_groups", P_SYS_FANOTIFY_GROUPS, S_IFREG | 0644 },
	{ "max_fanotify_marks", P_SYS_FANOTIFY_MARKS, S_IFREG | 0644 },
	{ "max_inotify_instances", P_SYS_INOTIFY_INSTANCES, S_IFREG | 0644 },
	{ "max_inotify_watches", P_SYS_INOTIFY_WATCHES, S_IFREG | 0644 },
	{ "max_ipc_namespaces", P_SYS_USER_MAX_IPC, S_IFREG | 0644 },
	{ "max_mnt_namespaces", P_SYS_USER_MAX_MNT, S_IFREG | 0644 },
	{ "max_net_namespaces", P_SYS_USER_MAX_NET, S_IFREG | 0644 },
	{ "max_pid_namespaces", P_SYS_USER_MAX_PID, S_IFREG | 0644 },
	{ "max_time_namespaces", P_SYS_USER_MAX_TIME, S_IFREG | 0644 },
	{ "max_user_namespaces", P_SYS_USER_MAX_USER, S_IFREG | 0644 },
	{ "max_uts_namespaces", P_SYS_USER_MAX_UTS, S_IFREG | 0644 },
};

static const struct pentry sys_kernel_entries[] = {
	{ "pid_max", P_SYS_PID_MAX, S_IFREG | 0644 },
	{ "cap_last_cap", P_SYS_CAP_LAST_CAP, S_IFREG | 0444 },
	{ "ns_last_pid", P_SYS_NS_LAST_PID, S_IFREG | 0666 },
	{ "hostname", P_SYS_HOSTNAME, S_IFREG | 0644 },
	{ "domainname", P_SYS_DOMAINNAME, S_IFREG | 0644 },
	{ "osrelease", P_SYS_OSRELEASE, S_IFREG | 0444 },
	{ "ostype", P_SYS_OSTYPE, S_IFREG | 0444 },
	{ "version", P_SYS_VERSION, S_IFREG | 0444 },
	{ "random", P_SYS_RANDOM, S_IFDIR | 0555 },
	{ "keys", P_SYS_KEYS, S_IFDIR | 0555 },
	{ "tainted", P_SYS_TAINTED, S_IFREG | 0644 },
	{ "core_pattern", P_SYS_CORE_PATTERN, S_IFREG | 0644 },
	{ "printk", P_SYS_PRINTK, S_IFREG | 0644 },
	{ "msgmax", P_SYS_MSGMAX, S_IFREG | 0644 },
	{ "msgmnb", P_SYS_MSGMNB, S_IFREG | 0644 },
	{ "msgmni", P_SYS_MSGMNI, S_IFREG | 0644 },
	{ "sem", P_SYS_SEM, S_IFREG | 0644 },
	{ "shmmax", P_SYS_SHMMAX, S_IFREG | 0644 },
	{ "shmall", P_SYS_SHMALL, S_IFREG | 0644 },
	{ "shmmni", P_SYS_SHMMNI, S_IFREG | 0644 },
	{ "msg_next_id", P_SYS_MSG_NEXT_ID, S_IFREG | 0644 },
	{ "sem_next_id", P_SYS_SEM_NEXT_ID, S_IFREG | 0644 },
	{ "shm_next_id", P_SYS_SHM_NEXT_ID, S_IFREG | 0644 },
};

/* /proc/sysvipc: System V IPC's objects, a table each. */
static const struct pentry sysvipc_entries[] = {
	{ "msg", P_SYSVIPC_MSG, S_IFREG | 0444 },
	{ "sem", P_SYSVIPC_SEM, S_IFREG | 0444 },
	{ "shm", P_SYSVIPC_SHM, S_IFREG | 0444 },
};

/* The key retention service's quotas (kernel/linux/keys.c). */
static const struct pentry sys_keys_entries[] = {
	{ "gc_delay", P_SYS_KEYS_GC_DELAY, S_IFREG | 0644 },
	{ "maxbytes", P_SYS_KEYS_MAXBYTES, S_IFREG | 0644 },
	{ "maxkeys", P_SYS_KEYS_MAXKEYS, S_IFREG | 0644 },
	{ "root_maxbytes", P_SYS_KEYS_ROOT_MAXBYTES, S_IFREG | 0644 },
	{ "root_maxkeys", P_SYS_KEYS_ROOT_MAXKEYS, S_IFREG | 0644 },
};

static const struct pentry sys_random_entries[] = {
	{ "boot_id", P_SYS_BOOT_ID, S_IFREG | 0444 },
	{ "uuid", P_SYS_UUID, S_IFREG | 0444 },
	{ "entropy_avail", P_SYS_ENTROPY_AVAIL, S_IFREG | 0444 },
	{ "poolsize", P_SYS_POOLSIZE, S_IFREG | 0444 },
};

static const struct pentry sys_fs_entries[] = {
	{ "file-max", P_SYS_FILE_MAX, S_IFREG | 0444 },
	{ "nr_open", P_SYS_NR_OPEN, S_IFREG | 0644 },
	{ "inotify", P_SYS_INOTIFY, S_IFDIR | 0555 },
	{ "fanotify", P_SYS_FANOTIFY, S_IFDIR | 0555 },
	{ "mqueue", P_SYS_MQUEUE, S_IFDIR | 0555 },
	{ "lease-break-time", P_SYS_LEASE_BREAK_TIME, S_IFREG | 0644 },
	{ "leases-enable", P_SYS_LEASES_ENABLE, S_IFREG | 0644 },
	{ "aio-max-nr", P_SYS_AIO_MAX_NR, S_IFREG | 0644 },
	{ "aio-nr", P_SYS_AIO_NR, S_IFREG | 0444 },
	{ "pipe-max-size", P_SYS_PIPE_MAX_SIZE, S_IFREG | 0644 },
	{ "pipe-user-pages-soft", P_SYS_PIPE_USER_PAGES_SOFT, S_IFREG | 0444 },
};

static const struct pentry sys_inotify_entries[] = {
	{ "max_queued_events", P_SYS_INOTIFY_EVENTS, S_IFREG | 0644 },
	{ "max_user_instances", P_SYS_INOTIFY_INSTANCES, S_IFREG | 0644 },
	{ "max_user_watches", P_SYS_INOTIFY_WATCHES, S_IFREG | 0644 },
};

static const struct pentry sys_fanotify_entries[] = {
	{ "max_queued_events", P_SYS_FANOTIFY_EVENTS, S_IFREG | 0644 },
	{ "max_user_groups", P_SYS_FANOTIFY_GROUPS, S_IFREG | 0644 },
	{ "max_user_marks", P_SYS_FANOTIFY_MARKS, S_IFREG | 0644 },
};

/* POSIX message queues' limits (kernel/linux/mqueue.c). */
static const struct pentry sys_mqueue_entries[] = {
	{ "msg_default", P_SYS_MQ_MSG_DEFAULT, S_IFREG | 0644 },
	{ "msg_max", P_SYS_MQ_MSG_MAX, S_IFREG | 0644 },
	{ "msgsize_default", P_SYS_MQ_MSGSIZE_DEFAULT, S_IFREG | 0644 },
	{ "msgsize_max", P_SYS_MQ_MSGSIZE_MAX, S_IFREG | 0644 },
	{ "queues_max", P_SYS_MQ_QUEUES_MAX, S_IFREG | 0644 },
};

static const struct pdir sys_dirs[] = {
	{ P_SYS, sys_entries, ARRAY_SIZE(sys_entries) },
	{ P_SYS_KERNEL, sys_kernel_entries, ARRAY_SIZE(sys_kernel_entries) },
	{ P_SYS_RANDOM, sys_random_entries, ARRAY_SIZE(sys_random_entries) },
	{ P_SYS_KEYS, sys_keys_entries, ARRAY_SIZE(sys_keys_entries) },
	{ P_SYS_FS, sys_fs_entries, ARRAY_SIZE(sys_fs_entries) },
	{ P_SYS_USER, sys_user_entries, ARRAY_SIZE(sys_user_entries) },
	{ P_SYS_VM, sys_vm_entries, ARRAY_SIZE(sys_vm_entries) },
	{ P_SYSVIPC, sysvipc_entries, ARRAY_SIZE(sysvipc_entries) },
	{ P_SYS_INOTIFY, sys_inotify_entries, ARRAY_SIZE(sys_inotify_entries) },
	{ P_SYS_FANOTIFY, sys_fanotify_entries, ARRAY_SIZE(sys_fanotify_entries) },
	{ P_SYS_MQUEUE, sys_mqueue_entries, ARRAY_SIZE(sys_mqueue_entries) },
};

const struct pdir *
procfs_sys_dir(enum pkind kind)
{
	for (size_t i = 0; i < ARRAY_SIZE(sys_dirs); i++)
		if (sys_dirs[i].kind == kind)
			return &sys_dirs[i];
	return NULL;
}

/* A random UUID (version 4) in its usual text form. */
static void
gen_uuid(struct gen *g, const uint8_t *raw)
{
	uint8_t u[16];
	memcpy(u, raw, sizeof(u));
	u[6] = (u[6] & 0x0f) | 0x40;
	u[8] = (u[8] & 0x3f) | 0x80;
	for (int i = 0; i < 16; i++)
		gprintf(g, "%s%02x", i == 4 || i == 6 || i == 8 || i == 10 ?
			"-" : "", u[i]);
	gprintf(g, "\n");
}

/* This boot's id: drawn on first use, the same until power-off. */
static const uint8_t *
boot_id(void)
{
	static uint8_t id[16];
	static bool drawn;
	if (!drawn) {
		random_bytes(id, sizeof(id));
		drawn = true;
	}
	return id;
}

/* The writable sysctl a /proc/sys file is, if any. */
static enum sysctl_var
sysctl_of(enum pkind kind)
{
	switch (kind) {
	case P_SYS_HOSTNAME: return SYSCTL_HOSTNAME;
	case P_SYS_DOMAINNAME: return SYSCTL_DOMAINNAME;
	case P_SYS_TAINTED: return SYSCTL_TAINTED;
	case P_SYS_CORE_PATTERN: return SYSCTL_CORE_PATTERN;
	case P_SYS_PRINTK: return SYSCTL_PRINTK;
	case P_SYS_PIPE_MAX_SIZE: return SYSCTL_PIPE_MAX_SIZE;
	case P_SYS_NR_OPEN: return SYSCTL_NR_OPEN;
	case P_SYS_NS_LAST_PID: return SYSCTL_NS_LAST_PID;
	default: return SYSCTL_NONE;
	}
}

static void
gen_line(void *g, const char *line)
{
	gprintf(g, "%s", line);
}

void
procfs_sys_show(struct gen *g, enum pkind kind)
{
	switch (kind) {
	case P_SYS_CAP_LAST_CAP: gprintf(g, "%d\n", CAP_LAST_CAP); break;
	case P_SYS_OSRELEASE: gprintf(g, "%s\n", PETREL_RELEASE); break;
	case P_SYS_OSTYPE: gprintf(g, "%s\n", UNAME_SYSNAME); break;
	case P_SYS_VERSION:	/* uname's version field */
		gprintf(g, "#1 SMP %s %s\n", PETREL_SYSNAME, PETREL_VERSION);
		break;
	case P_SYS_BOOT_ID: gen_uuid(g, boot_id()); break;
	case P_SYS_UUID: {
		uint8_t u[16];
		random_bytes(u, sizeof(u));
		gen_uuid(g, u);
		break;
	}
	/* No system-wide limit on open files: Linux's LONG_MAX. */
	case P_SYS_ENTROPY_AVAIL:
	case P_SYS_POOLSIZE:
		gprintf(g, "%d\n", RANDOM_POOL_BITS);
		break;
	case P_SYS_FILE_MAX: gprintf(g, "9223372036854775807\n"); break;
	case P_SYS_MSGMAX ... P_SYS_SHM_NEXT_ID: {
		char line[64];
		ipc_knob_show((enum ipc_knob)(kind - P_SYS_MSGMAX), line,
			      sizeof(line));
		gprintf(g, "%s", line);
		break;
	}
	case P_SYSVIPC_MSG ... P_SYSVIPC_SHM:
		ipc_list((enum ipc_kind)(kind - P_SYSVIPC_MSG), gen_line, g);
		break;
	case P_SYS_PIPE_USER_PAGES_SOFT: gprintf(g, "16384\n"); break;
	case P_SYS_AIO_NR: gprintf(g, "%u\n", aio_nr); break;
	default:
		if (number_var(kind))
			gprintf(g, "%u\n", *number_var(kind));
		else if (sysctl_of(kind) != SYSCTL_NONE)
			sysctl_show(g, sysctl_of(kind));
		break;
	}
}

long
procfs_sys_write(enum pkind kind, const void *buf, size_t len)
{
	if (kind >= P_SYS_MSGMAX && kind <= P_SYS_SHM_NEXT_ID)
		return ipc_knob_store((enum ipc_knob)(kind - P_SYS_MSGMAX),
				      buf, len);
	char text[160];
	size_t n = MIN(len, sizeof(text) - 1);
	memcpy(text, buf, n);
	text[n] = 0;
	n = strnlen(text, n);
	if (n && text[n - 1] == '\n')	/* echo's newline */
		text[--n] = 0;
	if (number_var(kind)) {
		long x;
		if (parse_ints(text, &x, 1) != 1 || x < 0 || x > INT32_MAX)
			return -EINVAL;
		if (kind == P_SYS_PID_MAX && (x < 301 || x > 4194304))
			return -EINVAL;	/* Linux's RESERVED_PIDS + 1 and limit */
		*number_var(kind) = (unsigned)x;
		return 0;
	}
	return sysctl_store(sysctl_of(kind), text, n);
}
