/*
 * A server-backed stream's kept bytes (struct sockfile's rx, [R]): what
 * netd hands over with a socket's readiness (pt_channel_post), which
 * reads take before they ask the server, and the read of them that runs
 * without the big lock (docs/kernel.md, "Socket reads without the big
 * lock"). The rest of the socket is kernel/fs/sockfile.c's.
 */
#include "sockfile_int.h"
#include <kernel/proc.h>
#include <kernel/vfs.h>
#include <kernel/vm.h>
#include <kernel/page.h>
#include <kernel/spinlock.h>
#include <kernel/inotify.h>
#include <kernel/string.h>
#include <kernel/errno.h>
#include <kernel/assert.h>

/*
 * The kept bytes are rx_lock's ([R]): a nolock read (sockfile_read_unlocked)
 * takes them with only that lock, the locked calls and netd's posts with
 * the big lock too. No holder copies user memory: a reader copies the
 * bytes onto its stack under the lock and out after it, a post copies in
 * first and adds under the lock.
 */

/* The kept bytes' shape, where they are read or changed (assert build). */
static inline void
rx_assert(struct sockfile *s)
{
	SPIN_ASSERT_HELD(&s->rx_lock);
	KASSERT(s->rx_off + s->rx_len <= PT_POST_DATA_MAX &&
		(s->rx || !s->rx_len));
}

/*
 * Copies up to max of the kept bytes into k, leaving them kept; how many
 * (0 when none are kept).
 */
uint32_t
sockrx_peek(struct sockfile *s, char *k, uint64_t max, uint32_t *gen)
{
	spin_lock(&s->rx_lock);
	rx_assert(s);
	uint32_t n = (uint32_t)MIN((uint64_t)s->rx_len, max);
	if (n)
		memcpy(k, s->rx + s->rx_off, n);
	if (gen)
		*gen = s->rx_gen;
	spin_unlock(&s->rx_lock);
	return n;
}

/*
 * Drops n bytes from the front of the kept data (at most what is kept);
 * the buffer if that emptied it, for the caller to free once rx_lock is
 * dropped. An emptied buffer goes back to the page allocator, which
 * needs no big lock, so an idle connection keeps none: 4 KiB each, 40 MB
 * for 10,000 idle ones. rx_lock held.
 */
static char *
rx_drop(struct sockfile *s, uint32_t n)
{
	char *emptied = NULL;
	n = MIN(n, s->rx_len);
	s->rx_off += n;
	s->rx_len -= n;
	s->rx_gen++;
	if (!s->rx_len) {
		s->rx_off = 0;
		emptied = s->rx;
		s->rx = NULL;
	}
	rx_assert(s);
	return emptied;
}

void
sockrx_drop(struct sockfile *s, uint32_t n)
{
	spin_lock(&s->rx_lock);
	char *emptied = rx_drop(s, n);
	spin_unlock(&s->rx_lock);
	if (emptied)
		page_free_kva(emptied, 0);
}

/*
 * Readers copy the bytes out with no lock held, then drop them: two
 * threads reading one socket at once (one without the big lock, one with
 * it, or the locked one asleep on a fault) could both copy the same
 * bytes. The generation tells: a reader whose bytes another took first
 * drops nothing and looks again.
 */
bool
sockrx_drop_if(struct sockfile *s, uint32_t n, uint32_t gen)
{
	spin_lock(&s->rx_lock);
	bool same = s->rx_gen == gen;
	char *emptied = same ? rx_drop(s, n) : NULL;
	spin_unlock(&s->rx_lock);
	if (emptied)
		page_free_kva(emptied, 0);
	return same;
}

uint32_t
sockrx_kept_locked(struct sockfile *s)
{
	spin_lock(&s->rx_lock);
	uint32_t n = s->rx_len;
	spin_unlock(&s->rx_lock);
	return n;
}

/* Appends up to n of the bytes at k to the kept data, in s->rx; how
 * many. rx_lock held. */
static uint32_t
rx_append(struct sockfile *s, const char *k, uint32_t n)
{
	rx_assert(s);
	n = MIN(n, PT_POST_DATA_MAX - s->rx_len);
	if (s->rx_off + s->rx_len + n > PT_POST_DATA_MAX) {
		memmove(s->rx, s->rx + s->rx_off, s->rx_len);
		s->rx_off = 0;
	}
	memcpy(s->rx + s->rx_off + s->rx_len, k, n);
	s->rx_len += n;
	return n;
}

/*
 * Adds up to *n of the bytes at k to the kept data (*n becomes how many:
 * all, unless another post filled it while this one's copy in slept);
 * fresh is a page for an empty socket, or NULL. Returns the page not
 * used, or NULL; *retry says a page was needed and fresh was NULL.
 */
static char *
sockrx_add(struct sockfile *s, const char *k, uint32_t *n, char *fresh,
	   bool *retry)
{
	spin_lock(&s->rx_lock);
	*retry = false;
	if (!s->rx) {
		if (!fresh) {
			*retry = true;
			spin_unlock(&s->rx_lock);
			return NULL;
		}
		s->rx = fresh;
		s->rx_off = 0;
		fresh = NULL;
	}
	*n = rx_append(s, k, *n);
	rx_assert(s);
	spin_unlock(&s->rx_lock);
	return fresh;
}

/*
 * recv_calls is read under rx_lock: a locked receive counts itself before
 * it looks for kept bytes under the same lock (sockrx_kept_locked,
 * sockrx_peek), so either it finds these bytes, or this post finds it
 * under way and keeps none (the server answers it from the same queue,
 * and the kept bytes must come first).
 */
uint32_t
sockrx_keep_unlocked(struct sockfile *s, const char *k, uint32_t n,
		     char **fresh)
{
	if (!n || s->type != SOCK_STREAM_K ||
	    __atomic_load_n(&s->dead, __ATOMIC_RELAXED))
		return 0;
	spin_lock(&s->rx_lock);
	if (__atomic_load_n(&s->recv_calls, __ATOMIC_RELAXED)) {
		n = 0;
	} else {
		if (!s->rx) {
			s->rx = *fresh;
			s->rx_off = 0;
			*fresh = NULL;
		}
		n = rx_append(s, k, n);
	}
	rx_assert(s);
	spin_unlock(&s->rx_lock);
	return n;
}

/*
 * Takes up to len bytes of a stream's next data from the server's post;
 * returns how many. Nothing is taken while a receive is under way: the
 * server answers it from the same queue, and the kept bytes must come
 * first. Big lock held.
 */
long
sockrx_keep(struct sockfile *s, uaddr_t data, size_t len)
{
	if (!len || s->type != SOCK_STREAM_K || s->recv_calls || s->dead)
		return 0;
	char k[PT_POST_DATA_MAX];
	uint32_t kept = __atomic_load_n(&s->rx_len, __ATOMIC_RELAXED);
	uint32_t n = (uint32_t)MIN(len, (size_t)(PT_POST_DATA_MAX - kept));
	if (!n)
		return 0;
	if (copyin(k, data, n) < 0)
		return -EFAULT;
	char *fresh = NULL;
	bool retry;
	if (!__atomic_load_n(&s->rx, __ATOMIC_RELAXED) &&
	    !(fresh = page_alloc_kva_dirty(0)))
		return 0;
	fresh = sockrx_add(s, k, &n, fresh, &retry);
	if (retry) {	/* a nolock read emptied and freed it meanwhile */
		if (!(fresh = page_alloc_kva_dirty(0)))
			return 0;
		fresh = sockrx_add(s, k, &n, fresh, &retry);
	}
	if (fresh)
		page_free_kva(fresh, 0);
	return n;
}

/*
 * Whether a read that finds no kept bytes may say EAGAIN without asking
 * the server: it would not wait (nonblock), and the server's last word
 * was that it has nothing for the socket (sockrx_quiet), as the locked
 * path trusts it after the kept bytes (recv_stream). netd posts every
 * arrival, so bytes that come after the look wake the caller's poll.
 */
static bool
sockrx_would_block(const struct sockfile *s, bool nonblock)
{
	return nonblock && !__atomic_load_n(&s->dead, __ATOMIC_RELAXED) &&
	       !s->recv_calls && sockrx_quiet(s);
}

/*
 * The nolock read: the bytes are copied onto the stack under rx_lock and
 * out with no lock held, then dropped; a fault drops none (the locked
 * path says EFAULT, as the bytes stay, Linux's tcp_recvmsg). The bytes
 * it copied are still the first when it drops them unless another thread
 * read meanwhile (a post only adds): then it drops none and the locked
 * path reads (sockrx_drop_if). With none kept, a read that would not
 * wait and that the server has nothing for is EAGAIN here (a keep-alive
 * server's read after its response).
 */
long
sockfile_read_unlocked(struct file *f, const struct uvec *u, bool nonblock)
{
	struct sockfile *s = f->priv;
	size_t count = u->len;
	char k[PT_POST_DATA_MAX];

	/* Watchers hear of reads under the big lock (IN_ACCESS,
	   FAN_ACCESS_PERM), as the locked path tells them. */
	if (!count || inotify_active())
		return -ERETRY_LOCKED;
	spin_lock(&s->rx_lock);
	rx_assert(s);
	uint32_t n = (uint32_t)MIN((size_t)s->rx_len, count);
	/* What the locked path would answer from the kept bytes alone: all
	   that was asked, or all there is when the server reported no more
	   (recv_stream). A dead server's socket goes locked. */
	bool mine = n && !s->dead && !s->recv_calls &&
		    (n == count ||
		     !(__atomic_load_n(&s->events, __ATOMIC_RELAXED) & POLLIN));
	if (mine)
		memcpy(k, s->rx + s->rx_off, n);
	uint32_t gen = s->rx_gen;
	spin_unlock(&s->rx_lock);
	if (!n)	/* none kept: what comes later is a post's, which wakes */
		return sockrx_would_block(s, nonblock) ? -EAGAIN
						       : -ERETRY_LOCKED;
	if (!mine || uvec_copyout(u, 0, k, n) < n ||
	    !sockrx_drop_if(s, n, gen))
		return -ERETRY_LOCKED;
	return n;
}
