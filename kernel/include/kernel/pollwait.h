/*
 * Per-object readiness queues (kernel/fs/pollwait.c), Linux's wait queue
 * heads with callbacks: every pollable object has a pollhead, and whoever
 * waits for its readiness (a poll or select caller, an epoll item, an
 * IOCB_CMD_POLL) hangs a poll_entry on it. A readiness change wakes only
 * that object's entries. Everything here is the big lock's, but for a
 * wake without it (pollhead_wake_unlocked) under the head's lock; nothing
 * sleeps.
 */
#ifndef KERNEL_POLLWAIT_H
#define KERNEL_POLLWAIT_H

#include <kernel/list.h>
#include <kernel/sched.h>
#include <kernel/spinlock.h>

struct file;

/*
 * The entries waiting on one object. [b H]: changed with the big lock and
 * `lock` held, walked under either (a locked wake under the big lock, an
 * unlocked one under `lock`).
 */
struct pollhead {
	struct list entries;		/* [b H] */
	struct spinlock lock;
};

struct poll_entry;
/*
 * Called for each entry when its head wakes. key holds the POLL* bits
 * that may have changed, 0 when the waker does not say. Returns whether
 * it woke a sleeper (what an EPOLLEXCLUSIVE entry's wake counts). It must
 * not remove any entry but its own, and must not sleep.
 */
typedef bool (*poll_wake_fn)(struct poll_entry *e, unsigned key);

/* One waiter on one pollhead; big lock, and the head's lock where [b H]. */
struct poll_entry {
	struct list link;		/* [b H] head->entries, while head
					   is set */
	struct pollhead *head;		/* [b H] NULL: on no head */
	poll_wake_fn wake;
	/*
	 * The wake without the big lock, or NULL where the waiter has none
	 * (poll, select, aio): run with the head's lock held, it returns
	 * false when a locked wake must follow (epoll.c: an instance that is
	 * itself watched).
	 */
	poll_wake_fn wake_unlocked;
	bool exclusive;			/* EPOLLEXCLUSIVE: see pollhead_wake */
};

void pollhead_init(struct pollhead *ph);
/*
 * Wakes ph's entries with key (0: any change). Non-exclusive entries all
 * run; of the exclusive ones (kept at the tail), the walk stops after the
 * first whose wake woke someone, as Linux's wake_up with one exclusive.
 */
void pollhead_wake(struct pollhead *ph, unsigned key);
/*
 * pollhead_wake without the big lock, for a waker that holds no lock but
 * what keeps ph alive: when every entry has a wake_unlocked and none is
 * exclusive, runs them under ph's lock and returns true unless one asked
 * for a locked wake as well; else wakes nothing and returns false. On
 * false the caller wakes ph with the big lock (file_notify), after this.
 * Takes ph's lock, then the waiters' (epoll's) and their queues' locks.
 */
bool pollhead_wake_unlocked(struct pollhead *ph, unsigned key);
/* The head goes away: its entries are taken off (none should be left). */
void pollhead_free(struct pollhead *ph);

/* Hangs e on ph with its wake function; e must be on no head. Its
 * wake_unlocked is NULL: poll_entry_set_unlocked sets it. Big lock held. */
void poll_entry_add(struct pollhead *ph, struct poll_entry *e, poll_wake_fn wake,
		    bool exclusive);
/* Gives e, on a head, a wake without the big lock. Big lock held. */
void poll_entry_set_unlocked(struct poll_entry *e, poll_wake_fn wake);
/* Takes e off its head, if on one. Big lock held. */
void poll_entry_remove(struct poll_entry *e);

/*
 * What poll(2) and select(2) wait with: one slot per descriptor they look
 * at, each hung on its file's pollhead with a reference to the file, and
 * the caller asleep on wq until one wakes (Linux's poll_wqueues).
 */
struct poll_slot {
	struct poll_entry entry;
	struct file *file;		/* a reference, or NULL */
	struct poll_table *table;
};

struct poll_table {
	struct waitq wq;		/* the caller sleeps here */
	bool woken;			/* a slot woke since the last look */
	unsigned nslots;
	struct poll_slot *slots;	/* NULL until the first wait */
};

void poll_table_init(struct poll_table *pt);
/*
 * Makes slot i of pt (of n; they are allocated at the first call) wait on
 * f's queue, dropping what it waited on before if that was another file;
 * f NULL or without a poll hook waits on nothing. 0 or -ENOMEM.
 */
int poll_table_watch(struct poll_table *pt, unsigned i, unsigned n,
		     struct file *f);
/*
 * Sleeps until a watched file wakes, the deadline (0: none) passes or a
 * signal comes: 0, -ETIMEDOUT or -EINTR. A wake that came since the last
 * call returns 0 at once. May sleep.
 */
int poll_table_wait(struct poll_table *pt, uint64_t deadline);
/* Takes every slot off its queue, drops the file references. May close
 * files (their last reference), so it runs where a close may. */
void poll_table_free(struct poll_table *pt);

#endif
