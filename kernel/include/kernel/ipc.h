/*
 * Capabilities and IPC (kernel/ipc/): kernel objects named by per-process
 * handles with rights, channels with synchronous call and reply,
 * notifications, waits on several objects, memory objects and devices.
 * Everything here is guarded by the big kernel lock.
 */
#ifndef KERNEL_IPC_H
#define KERNEL_IPC_H

#include <kernel/types.h>
#include <kernel/list.h>
#include <kernel/sched.h>
#include <kernel/refcount.h>
#include <petrel/petrel.h>

struct proc;

/* The part every object shares. `type` is a PT_OBJ_* value. */
struct kobj {
	uint32_t type;
	int refcount;			/* handles and kernel references */
	/* struct kobj_observer: waits on it. A channel end's are guarded
	   by its channel's lock, a notification's by its own lock
	   (observers_lock in wait.c), which every change of the object's
	   signals takes too, so that a waiter sleeping without the big
	   lock is never missed; a layer's (changed) are also the big
	   lock's, added and removed by its holder only. */
	struct list observers;
};

/*
 * A watcher of an object's signals: a thread waiting in pt_wait (its wq is
 * woken), or a layer above that wants to hear of a change (`changed` is
 * called), as sockfile.c watches a server's channel for
 * PT_SIG_PEER_CLOSED: the object signals, the layer above looks, and
 * ipc/ calls into nothing above it. Either may be NULL. `changed` runs
 * with the big lock held and no spinlock, and must not add or remove
 * observers of the object, nor drop a reference to it. Every wake sets
 * `told` before it wakes wq, both under the object's observers lock: the
 * waiter clears it before each look at the object and tests it under
 * the wait queue's lock as it goes to sleep, since a wake may come
 * between the look and the sleep (with or without the big lock).
 */
struct kobj_observer {
	struct list link;
	struct kobj *obj;		/* what it observes */
	struct waitq *wq;
	void (*changed)(struct kobj_observer *obs);
	bool told;			/* a wake came since cleared */
};

void kobj_init(struct kobj *o, uint32_t type);
/* Destroys o, whose last reference kobj_put dropped (handle.c). */
void kobj_destroy(struct kobj *o);

/* Takes a reference. Inline, as the put: each channel call takes one. */
static inline void
kobj_get(struct kobj *o)
{
	ref_get(&o->refcount);
}

/* Drops a reference; the object is destroyed at zero. */
static inline void
kobj_put(struct kobj *o)
{
	if (ref_put(&o->refcount))
		kobj_destroy(o);
}
/* kobj_changed's work where o has observers (wait.c). */
void kobj_tell_observers(struct kobj *o);

/* Tells every observer of o that its signals may have changed. Inline:
 * every channel call makes one, and most objects have no observer. */
static inline void
kobj_changed(struct kobj *o)
{
	if (!list_empty(&o->observers))
		kobj_tell_observers(o);
}
/* Adds obs to o's observers until kobj_unobserve; the caller keeps o
 * alive meanwhile. Takes o's observers lock (a channel's, a
 * notification's); a layer's observer (changed) needs the big lock. */
void kobj_observe(struct kobj *o, struct kobj_observer *obs);
void kobj_unobserve(struct kobj_observer *obs);
/* The signals of o now, among `want`; consumes notification bits. */
uint64_t kobj_take_signals(struct kobj *o, uint64_t want);
struct wait_sleeper;
/* handles_exit: disarms the table's pt_wait timer for good (its
 * callback done or never to run when this returns). Big lock held. */
void wait_sleeper_exit(struct wait_sleeper *s);

struct handle_slot {
	struct kobj *obj;
	uint32_t rights;
	uint32_t gen;			/* moves on at every close */
	bool keep_on_exec;
};

/*
 * A handle value is slot | gen << HANDLE_SLOT_BITS: the generation makes a
 * stale value (its slot closed and reused) fail with -EBADF. 22 bits of
 * generation keep every value positive in a pt_handle_t; a fresh table's
 * generations are 0, so init's system handle is 1.
 */
#define HANDLE_SLOT_BITS 8
#define HANDLE_GEN_MASK 0x3fffff
_Static_assert(PT_HANDLE_MAX == 1 << HANDLE_SLOT_BITS,
	       "a handle's slot bits index the whole table");

/*
 * What pt_wait sleeps on: a queue its observers wake, and a timer for its
 * deadline, whose callback wakes the queue after ktimer_run disarmed it.
 * A locked wait's is on its stack; a one-thread process's nolock wait
 * uses its table's (struct handles), whose timer stays armed between
 * waits (an arm or a cancel each takes a timer queue's lock and may
 * reprogram the CPU's timer) until handles_exit cancels it.
 */
struct wait_sleeper {
	struct waitq wq;		/* set up at the first nolock sleep */
	struct ktimer timer;		/* armed by the table's one thread */
	uint64_t timer_at;		/* its deadline, the armer's */
};

struct handles {
	struct handle_slot slot[PT_HANDLE_MAX];	/* [0] is never used */
	struct wait_sleeper sleeper;	/* a one-thread process's pt_wait */
};

/*
 * Installs o in p's table with rights, taking over the caller's reference.
 * Returns the handle, or -EMFILE / -ENOMEM (and the reference is dropped).
 */
int handle_install(struct proc *p, struct kobj *o, uint32_t rights);
/*
 * The object behind h if it has `type` (0: any) and every right in
 * `rights`: no new reference. Else an error pointer: -EBADF for no such
 * handle (or a stale one), -EBADFD for another type, -EPERM for missing
 * rights (docs/abi.md: the same three errors for every call).
 */
struct kobj *handle_lookup(struct proc *p, int h, uint32_t type,
			   uint32_t rights);
/* fork: the child gets the parent's handles (new references). */
int handles_fork(struct proc *child, struct proc *parent);
/* execve: handles not kept with pt_handle_keep are closed. */
void handles_exec(struct proc *p);
/* exit: every handle is closed. */
void handles_exit(struct proc *p);

/* ---- Channels (kernel/ipc/chan.c) ---------------------------------------- */

struct channel;

/* A buffer of a call: the caller's user memory, or kernel memory. */
struct chan_seg {
	uint64_t addr;
	uint64_t len;
	uint32_t flags;			/* PT_SEG_IN, PT_SEG_OUT */
	bool kernel;			/* addr is a kernel pointer */
};

/* A call made by the kernel for the current process (server-backed files). */
struct chan_kcall {
	const void *msg;
	size_t msg_len;
	void *reply;
	size_t reply_cap;
	size_t reply_len;		/* out */
	unsigned nseg;
	struct chan_seg seg[PT_SEG_MAX];
	/*
	 * If set, runs when the server replies, in the server's system call,
	 * with its status: what the reply says is then ordered before
	 * anything the server does next (a socket's readiness before its
	 * later pt_channel_post).
	 */
	void (*on_reply)(void *ctx, long status, const void *reply, size_t len);
	void *ctx;
	/*
	 * The caller waits for the reply whatever signals come (a file
	 * server's change must not be reported undone once made); a server
	 * that dies still ends the wait, and so does a SIGKILL (-EINTR: the
	 * caller dies, nobody sees the result, the call is withdrawn).
	 */
	bool nointr;
};

/* A new channel: both ends' objects, one reference each. */
int chan_create(struct kobj **client, struct kobj **server);
/*
 * Calls the server behind the client end for the current process and waits
 * for the reply. Returns the server's status, -ECONNRESET if the server end
 * is gone or goes away, -EINTR if a signal came first. May sleep.
 */
long chan_kcall(struct kobj *client, struct chan_kcall *c);
/*
 * Queues a call whose caller does not wait: the message is copied, the
 * segments must be kernel memory that lives until done runs. done runs
 * once, in the server's system call that answers it (status and reply),
 * or with -ECONNRESET when the server end goes. Calls on a channel are
 * answered in the order they were made. 0, or -ECONNRESET, -EINVAL,
 * -ENOMEM (then done never runs).
 */
int chan_kcall_async(struct kobj *client, const struct chan_kcall *k,
		     void (*done)(void *ctx, long status, const void *reply,
				  size_t len),
		     void *ctx);

/*
 * chan_kcall_async in the caller's storage (chan_async_size() bytes,
 * 8-aligned, kernel memory), which it keeps until done runs, and which
 * done then frees: no allocation, so it may run without the big lock.
 * There it tells the server end's waiters (pt_wait) itself, under the
 * channel's lock, and returns -ERETRY_LOCKED before anything changed
 * when an observer is a layer's (sockfile's watch). 0, or -ECONNRESET,
 * -EINVAL, -ERETRY_LOCKED (then done never runs). Does not sleep.
 * done_unlocked: done may run without the big lock (it takes what it
 * needs itself), so a nolock reply (the server's pt_channel_recv or
 * pt_channel_reply) runs it instead of going the locked way; it still
 * runs with the big lock when the server dies (chan_end_destroy).
 */
size_t chan_async_size(void);
int chan_kcall_async_at(struct kobj *client, const struct chan_kcall *k,
			void *storage,
			void (*done)(void *ctx, long status, const void *reply,
				     size_t len),
			void *ctx, bool done_unlocked);

/* The client end of a server end's channel (no new reference). */
struct kobj *chan_peer(struct kobj *server);
/* True once the server end of client's channel is gone. */
bool chan_peer_gone(struct kobj *client);

/*
 * The short calls (pt_channel_call_regs, pt_channel_recv_regs: nr) from
 * the arch's system-call entry, args the frame's six argument registers,
 * which they also answer in: the nolock way without the table's layers
 * (kernel/ipc/chan_short.c). True: the call ran, *r its result, and the
 * fast way out may be taken; false, *r untouched: the locked way runs it,
 * or, with thread.unlocked_eintr, delivers its -EINTR. No lock held; may
 * sleep.
 */
bool chan_short_fast(const uint64_t *args, uint64_t nr, long *r);

/* ---- Memory objects and devices (kernel/ipc/mem.c, device.c) -------------- */

struct inode;
/* The inode whose pages a memory object maps (for vm_map). */
struct inode *mem_inode(struct kobj *o);

extern struct kobj *system_object;	/* init's handle 1 */
void ipc_init(void);

#endif
