/*
 * A server's push of a socket's readiness and next bytes
 * (pt_channel_post): netd's one call per arrival. It runs without the big
 * lock when it can (docs/kernel.md, "netd's posts without the big lock"):
 * the socket under the table's lock, its bytes under rx_lock, its
 * readiness under tx_lock, and the wake of its pollers when all are epoll
 * instances (pollhead_wake_unlocked). The rest of the socket is
 * kernel/fs/sockfile.c's.
 */
#include "sockfile_int.h"
#include <kernel/ipc.h>
#include <kernel/vfs.h>
#include <kernel/proc.h>
#include <kernel/vm.h>
#include <kernel/page.h>
#include <kernel/lock.h>
#include <kernel/spinlock.h>
#include <kernel/pollwait.h>
#include <kernel/errno.h>
#include <kernel/assert.h>
#include <syscall_table.h>

/* The readiness bits a server may report. */
static unsigned
post_events(unsigned events, bool kept_all)
{
	events &= POLLIN | POLLOUT | POLLERR | POLLHUP | POLLPRI | POLLRDHUP |
		  POLLRDNORM | POLLWRNORM;
	if (!kept_all)
		events |= POLLIN | POLLRDNORM;	/* the server keeps the rest */
	return events;
}

/* The readiness and room of a post, for a nolock write's look too;
 * whether the socket signals (O_ASYNC), looked at under the same lock. */
static bool
post_set(struct sockfile *s, unsigned events, unsigned room)
{
	spin_lock(&s->tx_lock);
	__atomic_store_n(&s->events, events, __ATOMIC_RELAXED);
	s->tx_room = room;
	bool async = s->async;
	spin_unlock(&s->tx_lock);
	return async;
}

/*
 * The socket's O_ASYNC hook (big lock): s->async changes under tx_lock,
 * where a nolock post looks. A post that saw it clear came before this,
 * so fasync_set's first look, after it, takes in what the post changed;
 * one that saw it set tells with the big lock, after fasync_set.
 */
int
sockfile_fasync(struct file *f, bool on)
{
	struct sockfile *s = f->priv;
	if (s) {
		spin_lock(&s->tx_lock);
		s->async = on;
		spin_unlock(&s->tx_lock);
	}
	return 0;
}

/*
 * The post with the big lock: socket s's new readiness, and up to len
 * bytes at data kept for its reads. Even unchanged bits wake: a server
 * posts again for each arrival, and every arrival is a new edge for
 * EPOLLET (as Linux's data_ready).
 */
static long
post_locked(struct sockfile *s, unsigned events, uaddr_t data, size_t len,
	    unsigned room)
{
	long taken = sockrx_keep(s, data, len);
	if (taken < 0)
		return taken;
	post_set(s, post_events(events, (size_t)taken == len), room);
	waitq_wake_all(&s->wq);
	if (len)
		file_notify_in(s->file);	/* data came */
	else
		file_notify(s->file);
	return taken;
}

/* The locked post's tell, for a nolock post whose pollers need the big
 * lock (one is not an epoll instance, or an instance is watched). */
static void
post_notify_locked(struct kobj *chan, uint64_t id, bool data)
{
	KASSERT(spin_none_held());
	bkl_lock();
	struct sockfile *s = sockfile_find(chan, id);
	if (s) {	/* else closed meanwhile: nobody to tell */
		if (data)
			file_notify_in(s->file);
		else
			file_notify(s->file);
	}
	bkl_unlock();
}

/*
 * The post without the big lock (netd, one thread): the bytes are copied
 * onto the stack and a page taken for them before any lock, then, with
 * the socket table's lock keeping the socket, kept, the readiness set,
 * the socket's sleepers woken (their tests run under their queue's lock:
 * sockfile.c's wait_ready) and its pollers woken unlocked where each is
 * an epoll instance, else with the big lock afterwards (an O_ASYNC
 * socket's signal too: fasync_notify is the big lock's). -ERETRY_LOCKED,
 * nothing changed, for no page or a fault in the copy (the locked path
 * says EFAULT).
 */
static long
post_unlocked(struct kobj *chan, uint64_t id,
	      unsigned events, uaddr_t data, size_t len, unsigned room)
{
	char k[PT_POST_DATA_MAX];
	uint32_t n = (uint32_t)MIN(len, (size_t)PT_POST_DATA_MAX);
	char *fresh = NULL;

	if (n && (copyin(k, data, n) < 0 || !(fresh = page_alloc_kva_dirty(0))))
		return -ERETRY_LOCKED;
	sockfile_table_lock();
	struct sockfile *s = sockfile_find_held(chan, id);
	if (!s) {
		sockfile_table_unlock();
		if (fresh)
			page_free_kva(fresh, 0);
		return -ENOENT;	/* closed meanwhile: nothing to tell */
	}
	uint32_t taken = sockrx_keep_unlocked(s, k, n, &fresh);
	bool async = post_set(s, post_events(events, taken == len), room);
	waitq_wake_all(&s->wq);
	bool told = pollhead_wake_unlocked(s->file->poll_head, 0) && !async;
	sockfile_table_unlock();
	if (fresh)
		page_free_kva(fresh, 0);
	if (!told)
		post_notify_locked(chan, id, len != 0);
	return taken;
}

long
sys_pt_channel_post(int h, uint64_t id, unsigned events, uaddr_t data,
		    size_t len, unsigned room)
{
	struct thread *t = current();
	/* The handle table unlocked: only one thread may change it (as
	 * chan_unlocked_ok). */
	if (t->unlocked_call && t->proc->nthreads != 1)
		return -ERETRY_LOCKED;
	struct kobj *srv = handle_lookup(t->proc, h, PT_OBJ_CHANNEL_SERVER,
					 PT_RIGHT_READ);
	if (IS_ERR(srv))
		return PTR_ERR(srv);
	if (t->unlocked_call)
		return post_unlocked(chan_peer(srv), id, events, data, len,
				     room);
	struct sockfile *s = sockfile_find(chan_peer(srv), id);
	if (!s)
		return -ENOENT;	/* closed meanwhile: nothing to tell */
	return post_locked(s, events, data, len, room);
}
