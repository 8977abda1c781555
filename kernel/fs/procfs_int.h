/*
 * procfs's parts (kernel/fs/procfs*.c): the text of each file is made
 * into a growing buffer when the file is opened. procfs.c has the tree;
 * procfs_pid.c the files of /proc/PID; procfs_mem.c meminfo and cpuinfo;
 * kernel/fs/netif.c the interface files of /proc/net. Big lock held.
 */
#ifndef KERNEL_PROCFS_INT_H
#define KERNEL_PROCFS_INT_H

#include <kernel/types.h>

struct proc;
struct thread;

/* Text generation into a growing buffer (dropped where memory ends). */
struct gen {
	char *buf;
	size_t len, cap;
};

void gprintf(struct gen *g, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* The state letter ps shows: R, S, T or Z. */
char proc_state_char(struct proc *p);

/* The /proc/sys files a write changes (procfs_sys.c). */
enum sysctl_var {
	SYSCTL_NONE, SYSCTL_HOSTNAME, SYSCTL_DOMAINNAME, SYSCTL_TAINTED,
	SYSCTL_CORE_PATTERN, SYSCTL_PRINTK, SYSCTL_PIPE_MAX_SIZE,
};
/* Its value as the file shows it, newline included. */
void procfs_sysctl_show(struct gen *g, enum sysctl_var v);
/* Sets it from the text written (no newline); 0 or -EINVAL. */
long procfs_sysctl_store(enum sysctl_var v, const char *text, size_t len);

/* /proc/PID/... (procfs_pid.c). */
void procfs_pid_stat(struct gen *g, struct proc *p);
/* /proc/PID/task/TID/stat: p's line with thread t's id and state. */
void procfs_task_stat(struct gen *g, struct proc *p, struct thread *t);
void procfs_pid_statm(struct gen *g, struct proc *p);
void procfs_pid_status(struct gen *g, struct proc *p);
void procfs_pid_maps(struct gen *g, struct proc *p);
void procfs_pid_smaps(struct gen *g, struct proc *p);
void procfs_pid_smaps_rollup(struct gen *g, struct proc *p);

/* /proc/meminfo and /proc/cpuinfo (procfs_mem.c). */
void procfs_meminfo(struct gen *g);
void procfs_cpuinfo(struct gen *g);

/* /proc/net/dev, route, if_inet6 (kernel/fs/netif.c); may sleep. */
void procfs_net_dev(struct gen *g);
void procfs_net_route(struct gen *g);
void procfs_net_if_inet6(struct gen *g);

#endif
