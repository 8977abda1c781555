/*
 * What the System V IPC files share (ipc_util.c, ipc_msg.c, ipc_sem.c,
 * ipc_shm.c): a table of ids per kind, with Linux's keys, permissions and
 * sequence numbers, and the limits /proc/sys/kernel sets. Every field is
 * the big lock's.
 */
#ifndef KERNEL_LINUX_IPC_INT_H
#define KERNEL_LINUX_IPC_INT_H

#include <kernel/types.h>
#include <kernel/sysvipc.h>
#include <kernel/ns.h>

#define IPCMNI 32768		/* indexes per kind; id = seq * IPCMNI + index */
#define IPC_PRIVATE 0
#define IPC_CREAT 01000
#define IPC_EXCL 02000
#define IPC_NOWAIT 04000

#define IPC_RMID 0
#define IPC_SET 1
#define IPC_STAT 2
#define IPC_INFO 3

/* Linux's requests of ipcperms: read, write, both (S_IRUGO...). */
#define IPC_WANT_READ 0444
#define IPC_WANT_WRITE 0222

/* struct ipc64_perm, x86_64's layout. */
struct ipc_perm64 {
	int key;
	unsigned uid, gid, cuid, cgid;
	unsigned mode;
	unsigned short seq, pad;
	uint64_t unused[2];
};

/*
 * What every queue, semaphore set and segment starts with. The table holds
 * one reference; a thread that sleeps on the object holds another, so the
 * object outlives its removal until the sleeper has seen `removed`.
 */
struct ipc_obj {
	int id;				/* seq * IPCMNI + index */
	int key;
	unsigned uid, gid, cuid, cgid;
	unsigned mode;			/* 0777, and SHM_DEST, SHM_LOCKED */
	bool removed;			/* out of the table: EIDRM */
	struct ns *ns;			/* its IPC namespace (no reference:
					   the namespace's end removes it, or
					   sets NULL while it waits to go) */
	int refcount;
	int64_t ctime;			/* last change, seconds */
};

struct ipc_ids {
	struct ipc_obj **slot;		/* by index; NULL when free */
	int cap;			/* slots allocated */
	int in_use;
	int last_idx;			/* the index given last (cyclic) */
	unsigned seq;			/* moved on when the indexes wrap */
	int next_id;			/* the id the next object asks for
					   (*_next_id sysctl), or -1 */
	void (*free)(struct ipc_obj *o);	/* the last reference went */
	/* IPC_RMID by the kernel: its namespace ended. */
	void (*remove)(struct ipc_obj *o);
};

struct ipc_limits {
	int msgmax, msgmnb, msgmni;
	int semmsl, semmns, semopm, semmni;
	uint64_t shmmax, shmall;
	int shmmni;
};
extern struct ipc_limits ipc_limits;

extern struct ipc_ids msg_ids, sem_ids, shm_ids;

/*
 * msgget, semget and shmget alike (Linux's ipcget): with IPC_PRIVATE, or
 * a key not found and IPC_CREAT, calls create (which returns a new object
 * added with ipc_add, or an error pointer); for a key found, refuses
 * IPC_CREAT|IPC_EXCL, asks check (may be NULL) and the permissions
 * flags ask for. Returns the id or -errno.
 */
long ipc_get(struct ipc_ids *ids, int key, int flags,
	     struct ipc_obj *(*create)(int key, int flags, long arg),
	     int (*check)(struct ipc_obj *o, long arg), long arg);
/* Enters o (its creator the caller, mode the low 9 bits of flags) into
 * ids under limit; 0, -ENOSPC or -ENOMEM. */
int ipc_add(struct ipc_ids *ids, struct ipc_obj *o, int key, int flags,
	    int limit);
/* Takes o out of ids (IPC_RMID): later lookups fail, sleepers see removed;
 * drops the table's reference. */
void ipc_remove(struct ipc_ids *ids, struct ipc_obj *o);
void ipc_hold(struct ipc_obj *o);
void ipc_put(struct ipc_ids *ids, struct ipc_obj *o);
/* The object of id, or NULL (EINVAL); by index for the *_STAT commands. */
struct ipc_obj *ipc_find(struct ipc_ids *ids, int id);
struct ipc_obj *ipc_find_index(struct ipc_ids *ids, int index);
/* Linux's ipc_get_maxidx: the highest index in use, -1 if none. */
int ipc_max_index(struct ipc_ids *ids);
/* Whether the caller may do what want (IPC_WANT_*, or flags' 0777) to o. */
bool ipc_allowed(const struct ipc_obj *o, int want);
/* IPC_SET and IPC_RMID: the owner, the creator or root; 0 or -EPERM. */
int ipc_owner_check(const struct ipc_obj *o);
void ipc_perm_out(const struct ipc_obj *o, struct ipc_perm64 *out);
/* IPC_SET: owner and permission bits from in; ctime now. */
void ipc_perm_set(struct ipc_obj *o, const struct ipc_perm64 *in);
/* Seconds of the wall clock. */
int64_t ipc_now(void);
/* Whether the caller may have bytes of kernel memory for an object it
 * fills: not out of the pages kept for root (docs/kernel.md, Memory). */
bool ipc_memory_ok(size_t bytes);
/* The caller's process id (its tgid). */
int ipc_pid(void);
/* The lines of /proc/sysvipc/msg, sem and shm. */
void msg_list(ipc_emit_fn emit, void *ctx);
void sem_list(ipc_emit_fn emit, void *ctx);
void shm_list(ipc_emit_fn emit, void *ctx);

#endif
