/*
 * System V IPC (kernel/linux/ipc_*.c) as the rest of the kernel sees it:
 * the sysctls of /proc/sys/kernel, the listings of /proc/sysvipc, and the
 * semaphore adjustments a process leaves behind at exit. Big lock held.
 */
#ifndef KERNEL_SYSVIPC_H
#define KERNEL_SYSVIPC_H

#include <kernel/types.h>

struct proc;
struct inode;

/* The sysctls of /proc/sys/kernel, in the order of ipc_knob_names. */
enum ipc_knob {
	IPC_KNOB_MSGMAX, IPC_KNOB_MSGMNB, IPC_KNOB_MSGMNI, IPC_KNOB_SEM,
	IPC_KNOB_SHMMAX, IPC_KNOB_SHMALL, IPC_KNOB_SHMMNI,
	IPC_KNOB_MSG_NEXT_ID, IPC_KNOB_SEM_NEXT_ID, IPC_KNOB_SHM_NEXT_ID,
	IPC_KNOB_COUNT,
};
extern const char *const ipc_knob_names[IPC_KNOB_COUNT];

/* Writes knob's value as Linux shows it (a line) into buf; its length. */
size_t ipc_knob_show(enum ipc_knob knob, char *buf, size_t size);
/* Sets knob from the text written to it; 0 or -EINVAL. */
int ipc_knob_store(enum ipc_knob knob, const char *text, size_t len);

/* The tables of /proc/sysvipc: each line handed to emit in turn. */
enum ipc_kind { IPC_KIND_MSG, IPC_KIND_SEM, IPC_KIND_SHM };
typedef void (*ipc_emit_fn)(void *ctx, const char *line);
void ipc_list(enum ipc_kind kind, ipc_emit_fn emit, void *ctx);

/* Applies and frees p's SEM_UNDO adjustments (kernel/linux/ipc_sem.c):
 * when its last thread is gone, and at unshare(CLONE_SYSVSEM). Does not
 * sleep. */
void sem_exit(struct proc *p);

/* Destroys the shared memory segments IPC_RMID left to their last
 * detach that no region maps any more (kernel/linux/ipc_shm.c): called
 * after whatever may have unmapped one (munmap, a fixed mmap over it,
 * exec, exit). One test when no segment waits. Does not sleep. */
void shm_reap(void);
/* True if file holds the pages of a segment not yet destroyed. */
bool shm_is_segment(const struct inode *file);

/* An IPC namespace ended: its objects go, as IPC_RMID (ipc_util.c). */
struct ns;
void sysvipc_ns_release(struct ns *ns);

#endif
