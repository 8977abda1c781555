/*
 * File locks, kept on the inode as Linux's fs/locks.c keeps them: POSIX
 * record locks (fcntl F_SETLK), owned by a descriptor table; their
 * open-file-description form (F_OFD_SETLK), owned by an open file; and
 * flock(2)'s whole-file locks, owned by an open file too. Record locks of
 * both kinds share one list and conflict with each other; flock locks are
 * apart, as on Linux. Locks are advisory: reads and writes never look at
 * them. A caller that must wait sleeps on the inode's queue and looks
 * again whenever a lock there goes or shrinks. Big lock throughout.
 */
#include <kernel/locks.h>
#include <kernel/vfs.h>
#include <kernel/proc.h>
#include <kernel/kmalloc.h>
#include <kernel/errno.h>
#include <kernel/vm.h>
#include <kernel/printk.h>

#define OFFSET_MAX INT64_MAX	/* where a lock "to the end of file" ends */
#define MAX_DEADLK_ITERATIONS 10	/* Linux's bound on a waiter chain */

struct file_lock {
	struct list link;	/* lock_ctx.posix (by start) or .flock */
	void *owner;		/* POSIX: struct files; OFD, flock: file */
	int64_t start, end;	/* bytes start..end, both included */
	int type;		/* F_RDLCK, F_WRLCK (F_UNLCK: requests) */
	int pid;		/* the setter's pid, for F_GETLK's l_pid */
	bool ofd;		/* owned by an open file (l_pid -1) */
};

/* An inode's locks: made at its first lock, freed with the inode. */
struct lock_ctx {
	struct list posix;	/* record locks, POSIX and OFD, by start */
	struct list flock;	/* flock(2) locks */
	struct waitq wait;	/* F_SETLKW and blocking flock callers */
	struct inode *inode;	/* whose locks these are */
	struct list link;	/* all_ctxs, for /proc/locks */
};

static struct list all_ctxs = LIST_INIT(all_ctxs);

/*
 * A POSIX F_SETLKW caller asleep, for deadlock detection: who waits, and
 * the owner of the lock it waits for (NULL once a lock on its inode went:
 * it will look again when it runs).
 */
struct lock_waiter {
	struct list link;	/* lock_waiters */
	void *owner;
	void *blocker;
	struct lock_ctx *ctx;
};

static struct list lock_waiters = LIST_INIT(lock_waiters);

/* struct flock, and struct flock64, which is the same on x86_64. */
struct flock_k {
	int16_t type, whence;
	int32_t pad;
	int64_t start, len;
	int32_t pid;
	int32_t pad2;
};
_Static_assert(sizeof(struct flock_k) == 32, "x86_64 struct flock");

/* ino's locks, made if make and there are none yet; NULL if none (or no
 * memory to make them). */
static struct lock_ctx *
ctx_of(struct inode *ino, bool make)
{
	if (!ino->locks && make) {
		struct lock_ctx *ctx = kzalloc(sizeof(*ctx));
		if (!ctx)
			return NULL;
		list_init(&ctx->posix);
		list_init(&ctx->flock);
		waitq_init(&ctx->wait);
		ctx->inode = ino;
		list_push_back(&all_ctxs, &ctx->link);
		ino->locks = ctx;
	}
	return ino->locks;
}

/* A lock on ctx went or shrank: its waiters look again. */
static void
lock_wake(struct lock_ctx *ctx)
{
	list_for_each(it, &lock_waiters) {
		struct lock_waiter *w =
		    list_entry(it, struct lock_waiter, link);
		if (w->ctx == ctx)
			w->blocker = NULL;
	}
	waitq_wake_all(&ctx->wait);
}

/*
 * Sleeps until a lock on ctx goes or shrinks. A POSIX caller (owner not
 * NULL) is listed meanwhile as waiting for blocker's lock. Returns 0 or
 * -ERESTARTSYS (a signal: F_SETLKW restarts under SA_RESTART, as Linux).
 */
static int
lock_wait(struct lock_ctx *ctx, void *owner, void *blocker)
{
	struct lock_waiter w = { .owner = owner, .blocker = blocker,
				 .ctx = ctx };
	if (owner)
		list_push_back(&lock_waiters, &w.link);
	int r = waitq_wait(&ctx->wait, 0, true);
	if (owner)
		list_remove(&w.link);
	return r == -EINTR ? -ERESTARTSYS : 0;
}

/* The owner whose lock POSIX owner `owner` waits for, or NULL. */
static void *
waits_for(void *owner)
{
	list_for_each(it, &lock_waiters) {
		struct lock_waiter *w =
		    list_entry(it, struct lock_waiter, link);
		if (w->owner == owner)
			return w->blocker;
	}
	return NULL;
}

/*
 * Whether caller, waiting for a lock of blocker, would close a circle of
 * POSIX owners each waiting for the next (Linux's posix_locks_deadlock,
 * which also gives up after MAX_DEADLK_ITERATIONS steps).
 */
static bool
posix_deadlock(void *caller, void *blocker)
{
	for (int i = 0; i <= MAX_DEADLK_ITERATIONS; i++) {
		blocker = waits_for(blocker);
		if (!blocker)
			return false;
		if (blocker == caller)
			return true;
	}
	return false;
}

static bool
overlaps(const struct file_lock *fl, int64_t start, int64_t end)
{
	return fl->start <= end && start <= fl->end;
}

/* Overlapping or adjacent: two such locks of one owner and type merge. */
static bool
touches(const struct file_lock *fl, int64_t start, int64_t end)
{
	return overlaps(fl, start, end) ||
	       (fl->end != OFFSET_MAX && fl->end + 1 == start) ||
	       (end != OFFSET_MAX && end + 1 == fl->start);
}

/* Locks of different owners conflict unless both only read. */
static bool
types_conflict(int want, int held)
{
	return want == F_WRLCK || held == F_WRLCK;
}

static void
lock_free(struct file_lock *fl)
{
	list_remove(&fl->link);
	kfree(fl);
}

/* Frees the locks on list that owner holds; returns whether there were. */
static bool
remove_owned(struct list *list, void *owner)
{
	bool any = false;
	list_for_each_safe(it, next, list) {
		struct file_lock *fl = list_entry(it, struct file_lock, link);
		if (fl->owner == owner) {
			lock_free(fl);
			any = true;
		}
	}
	return any;
}

/* ---- Record locks --------------------------------------------------- */

/*
 * The bytes l names, from the start, f's offset or f's size as l_whence
 * says, with Linux's checks (flock64_to_posix_lock); then l_type.
 */
static int
request_of(struct file *f, const struct flock_k *l, struct file_lock *req)
{
	int64_t base;
	switch (l->whence) {
	case 0: base = 0; break;
	case 1: base = (int64_t)f->offset; break;
	case 2: base = (int64_t)f->inode->size; break;
	default: return -EINVAL;
	}
	if (l->start > OFFSET_MAX - base)
		return -EOVERFLOW;
	int64_t start = base + l->start;
	if (start < 0)
		return -EINVAL;
	if (l->len > 0) {
		if (l->len - 1 > OFFSET_MAX - start)
			return -EOVERFLOW;
		req->end = start + (l->len - 1);
	} else if (l->len < 0) {
		/* POSIX-2001: the l_len bytes before start */
		if (start + l->len < 0)
			return -EINVAL;
		req->end = start - 1;
		start += l->len;
	} else {
		req->end = OFFSET_MAX;
	}
	req->start = start;
	if (l->type != F_RDLCK && l->type != F_WRLCK && l->type != F_UNLCK)
		return -EINVAL;
	req->type = l->type;
	return 0;
}

/* A POSIX lock is the fd table's, an OFD lock the open file's. */
static void
request_owner(struct file_lock *req, struct file *f, bool ofd)
{
	struct proc *p = current()->proc;
	req->ofd = ofd;
	req->owner = ofd ? (void *)f : (void *)p->files;
	req->pid = ofd ? -1 : p->pid;
}

/* The first lock on ctx that keeps req from being set, or NULL. */
static struct file_lock *
posix_conflict(struct lock_ctx *ctx, const struct file_lock *req)
{
	list_for_each(it, &ctx->posix) {
		struct file_lock *fl = list_entry(it, struct file_lock, link);
		if (fl->owner != req->owner &&
		    overlaps(fl, req->start, req->end) &&
		    types_conflict(req->type, fl->type))
			return fl;
	}
	return NULL;
}

/*
 * What F_GETLK reports for req: the first lock in its way; for an
 * F_OFD_GETLK of F_UNLCK, the first lock of req's own file over the range
 * (Linux 6.6's extension). NULL for none.
 */
static struct file_lock *
posix_test(struct lock_ctx *ctx, const struct file_lock *req)
{
	if (req->type != F_UNLCK)
		return posix_conflict(ctx, req);
	list_for_each(it, &ctx->posix) {
		struct file_lock *fl = list_entry(it, struct file_lock, link);
		if (fl->owner == req->owner &&
		    overlaps(fl, req->start, req->end))
			return fl;
	}
	return NULL;
}

/* Links fl into ctx's record locks, after those starting where it does
 * or before. */
static void
posix_insert(struct lock_ctx *ctx, struct file_lock *fl)
{
	struct list *after = &ctx->posix;
	list_for_each(it, &ctx->posix) {
		if (list_entry(it, struct file_lock, link)->start > fl->start)
			break;
		after = it;
	}
	list_insert_after(after, &fl->link);
}

/* One of the two spare locks posix_apply was given. */
static struct file_lock *
take_spare(struct file_lock *spare[2])
{
	int i = spare[0] ? 0 : 1;
	struct file_lock *fl = spare[i];
	spare[i] = NULL;
	return fl;
}

/*
 * Puts back a lock of req's owner that req's range cut: what lies
 * outside the range stays, in one piece or two.
 */
static void
posix_trim(struct lock_ctx *ctx, struct file_lock *fl,
	   const struct file_lock *req, struct file_lock *spare[2])
{
	if (fl->start < req->start && fl->end > req->end) {
		struct file_lock *right = take_spare(spare);
		*right = *fl;
		right->start = req->end + 1;
		fl->end = req->start - 1;
		posix_insert(ctx, right);
	} else if (fl->start < req->start) {
		fl->end = req->start - 1;
	} else if (fl->end > req->end) {
		fl->start = req->end + 1;
	} else {
		kfree(fl);
		return;
	}
	posix_insert(ctx, fl);
}

/*
 * Makes req's owner hold req's type over req's range (F_UNLCK: nothing),
 * as Linux's posix_lock_inode: the owner's locks of the same type that
 * touch the range merge with it, those of another type lose what the
 * range covers. spare holds two free locks, enough for a split and the
 * new lock; those used become NULL. Returns whether a lock went or
 * shrank, which may let waiters go on.
 */
static bool
posix_apply(struct lock_ctx *ctx, const struct file_lock *req,
	    struct file_lock *spare[2])
{
	int64_t start = req->start, end = req->end;
	struct list cut;
	list_init(&cut);
	list_for_each_safe(it, next, &ctx->posix) {
		struct file_lock *fl = list_entry(it, struct file_lock, link);
		if (fl->owner != req->owner)
			continue;
		if (fl->type == req->type && touches(fl, start, end)) {
			start = MIN(start, fl->start);
			end = MAX(end, fl->end);
			lock_free(fl);
		} else if (fl->type != req->type &&
			   overlaps(fl, req->start, req->end)) {
			list_remove(&fl->link);
			list_push_back(&cut, &fl->link);
		}
	}
	bool shrank = !list_empty(&cut);
	list_for_each_safe(it, next, &cut) {
		struct file_lock *fl = list_entry(it, struct file_lock, link);
		list_remove(&fl->link);
		posix_trim(ctx, fl, req, spare);
	}
	if (req->type != F_UNLCK) {
		struct file_lock *fl = take_spare(spare);
		*fl = *req;
		fl->start = start;
		fl->end = end;
		posix_insert(ctx, fl);
	}
	return shrank;
}

/*
 * Sets req on ctx, waiting (if wait) while another owner's lock is in
 * the way. Returns 0, -EAGAIN, -EDEADLK, -ERESTARTSYS or -ENOLCK. May
 * sleep.
 */
static int
posix_lock(struct lock_ctx *ctx, const struct file_lock *req, bool wait)
{
	struct file_lock *spare[2] = {
		kmalloc(sizeof(struct file_lock)),
		kmalloc(sizeof(struct file_lock)),
	};
	int r = -ENOLCK;
	if (!spare[0] || !spare[1])
		goto out;
	struct file_lock *c;
	while (req->type != F_UNLCK && (c = posix_conflict(ctx, req))) {
		r = -EAGAIN;
		if (!wait)
			goto out;
		/* Linux looks for a circle of POSIX owners only. */
		r = -EDEADLK;
		if (!req->ofd && posix_deadlock(req->owner, c->owner))
			goto out;
		r = lock_wait(ctx, req->ofd ? NULL : req->owner, c->owner);
		if (r)
			goto out;
	}
	if (posix_apply(ctx, req, spare))
		lock_wake(ctx);
	r = 0;
out:
	kfree(spare[0]);
	kfree(spare[1]);
	return r;
}

/* F_RDLCK needs f open for reading, F_WRLCK for writing. */
static bool
mode_allows(const struct file *f, int type)
{
	unsigned acc = f->flags & O_ACCMODE;
	if (type == F_RDLCK)
		return acc == O_RDONLY || acc == O_RDWR;
	if (type == F_WRLCK)
		return acc == O_WRONLY || acc == O_RDWR;
	return true;
}

long
locks_getlk(struct file *f, int cmd, uint64_t arg)
{
	struct flock_k l;
	struct file_lock req;
	if (!f->inode)
		return -EINVAL;
	if (copyin(&l, arg, sizeof(l)) < 0)
		return -EFAULT;
	if (cmd != F_OFD_GETLK && l.type != F_RDLCK && l.type != F_WRLCK)
		return -EINVAL;
	int e = request_of(f, &l, &req);
	if (e)
		return e;
	if (cmd == F_OFD_GETLK && l.pid != 0)
		return -EINVAL;
	request_owner(&req, f, cmd == F_OFD_GETLK);
	struct file_lock *fl = f->inode->locks ?
			       posix_test(f->inode->locks, &req) : NULL;
	if (!fl) {
		l.type = F_UNLCK;
	} else {
		l.type = (int16_t)fl->type;
		l.whence = 0;
		l.start = fl->start;
		l.len = fl->end == OFFSET_MAX ? 0 : fl->end - fl->start + 1;
		l.pid = fl->ofd ? -1 : fl->pid;
	}
	return copyout(arg, &l, sizeof(l));
}

long
locks_setlk(int fd, struct file *f, int cmd, uint64_t arg)
{
	struct flock_k l;
	struct file_lock req;
	if (!f->inode)
		return -EINVAL;
	if (copyin(&l, arg, sizeof(l)) < 0)
		return -EFAULT;
	int e = request_of(f, &l, &req);
	if (e)
		return e;
	if (!mode_allows(f, req.type))
		return -EBADF;
	bool ofd = cmd == F_OFD_SETLK || cmd == F_OFD_SETLKW;
	if (ofd && l.pid != 0)
		return -EINVAL;
	request_owner(&req, f, ofd);
	struct lock_ctx *ctx = ctx_of(f->inode, req.type != F_UNLCK);
	if (!ctx)
		return req.type == F_UNLCK ? 0 : -ENOLCK;
	e = posix_lock(ctx, &req, cmd == F_SETLKW || cmd == F_OFD_SETLKW);
	/*
	 * Another thread closed fd while this one waited: the close took
	 * the table's locks already, so this one would stay for ever. Undo
	 * it, as Linux does.
	 */
	if (e == 0 && !ofd && req.type != F_UNLCK &&
	    fd_get(current()->proc, fd) != f) {
		req.type = F_UNLCK;
		posix_lock(ctx, &req, false);
		return -EBADF;
	}
	return e;
}

void
locks_remove_posix(struct file *f, struct files *owner)
{
	struct lock_ctx *ctx = f->inode ? f->inode->locks : NULL;
	if (ctx && remove_owned(&ctx->posix, owner))
		lock_wake(ctx);
}

/* ---- flock(2) --------------------------------------------------------- */

/* The flock lock f holds, or NULL. */
static struct file_lock *
flock_own(struct lock_ctx *ctx, struct file *f)
{
	list_for_each(it, &ctx->flock) {
		struct file_lock *fl = list_entry(it, struct file_lock, link);
		if (fl->owner == f)
			return fl;
	}
	return NULL;
}

static bool
flock_conflict(struct lock_ctx *ctx, struct file *f, int type)
{
	list_for_each(it, &ctx->flock) {
		struct file_lock *fl = list_entry(it, struct file_lock, link);
		if (fl->owner != f && types_conflict(type, fl->type))
			return true;
	}
	return false;
}

/*
 * As Linux's flock_lock_inode: a file that changes its lock's type lets
 * the old one go first, so a conversion that must wait holds nothing
 * meanwhile (and a LOCK_NB one that fails has lost its lock).
 */
long
locks_flock(struct file *f, int type, bool nonblock)
{
	if (!f->inode)
		return -EINVAL;
	struct lock_ctx *ctx = ctx_of(f->inode, type != F_UNLCK);
	if (!ctx)
		return type == F_UNLCK ? 0 : -ENOMEM;
	struct file_lock *fresh = NULL;
	if (type != F_UNLCK && !(fresh = kzalloc(sizeof(*fresh))))
		return -ENOMEM;
	long r;
	for (;;) {
		struct file_lock *own = flock_own(ctx, f);
		r = 0;
		if (own && own->type == type)
			break;
		if (own) {
			lock_free(own);
			lock_wake(ctx);
		}
		if (type == F_UNLCK)
			break;
		if (!flock_conflict(ctx, f, type)) {
			fresh->owner = f;
			fresh->type = type;
			fresh->start = 0;
			fresh->end = OFFSET_MAX;
			fresh->pid = current()->proc->pid;
			list_push_back(&ctx->flock, &fresh->link);
			fresh = NULL;
			break;
		}
		r = -EAGAIN;
		if (nonblock)
			break;
		r = lock_wait(ctx, NULL, NULL);
		if (r)
			break;
	}
	kfree(fresh);
	return r;
}

/* ---- Files and inodes going -------------------------------------------- */

void
locks_remove_file(struct file *f)
{
	lease_remove_file(f);
	struct lock_ctx *ctx = f->inode ? f->inode->locks : NULL;
	if (!ctx)
		return;
	bool posix = remove_owned(&ctx->posix, f);
	bool flock = remove_owned(&ctx->flock, f);
	if (posix || flock)
		lock_wake(ctx);
}

void
locks_inode_free(struct inode *ino)
{
	struct lock_ctx *ctx = ino->locks;
	if (!ctx)
		return;
	/* Every lock's file or table held the inode; they are gone. */
	KASSERT(list_empty(&ctx->posix) && list_empty(&ctx->flock));
	list_for_each_safe(it, next, &ctx->posix)
		lock_free(list_entry(it, struct file_lock, link));
	list_for_each_safe(it, next, &ctx->flock)
		lock_free(list_entry(it, struct file_lock, link));
	list_remove(&ctx->link);
	kfree(ctx);
	ino->locks = NULL;
}

void
locks_line(char *line, size_t size, int id, const char *kind, int type,
	   int pid, const struct inode *ino, int64_t start, int64_t end)
{
	uint32_t dev = ino->sb ? ino->sb->dev : 0;
	const char *t = type == F_WRLCK ? "WRITE" :
			type == F_RDLCK ? "READ" : "UNLCK";
	/* st_dev's encoding, as glibc's major() and minor() read it */
	int n = snprintk(line, size, "%d: %s%s %d %02x:%02x:%lu ", id, kind, t,
			 pid, (dev >> 8) & 0xfff,
			 (dev & 0xff) | ((dev >> 12) & 0xfff00), ino->ino);
	if (end == OFFSET_MAX)
		snprintk(line + n, size - (size_t)n, "%ld EOF\n", start);
	else
		snprintk(line + n, size - (size_t)n, "%ld %ld\n", start, end);
}

void
locks_list(void (*emit)(void *arg, const char *line), void *arg)
{
	char line[128];
	int id = 0;
	list_for_each(it, &all_ctxs) {
		struct lock_ctx *ctx = list_entry(it, struct lock_ctx, link);
		list_for_each(l, &ctx->posix) {
			struct file_lock *fl =
			    list_entry(l, struct file_lock, link);
			locks_line(line, sizeof(line), ++id,
				   fl->ofd ? "OFDLCK ADVISORY  " :
					     "POSIX  ADVISORY  ",
				   fl->type, fl->pid, ctx->inode, fl->start,
				   fl->end);
			emit(arg, line);
		}
		list_for_each(l, &ctx->flock) {
			struct file_lock *fl =
			    list_entry(l, struct file_lock, link);
			locks_line(line, sizeof(line), ++id,
				   "FLOCK  ADVISORY  ", fl->type, fl->pid,
				   ctx->inode, 0, OFFSET_MAX);
			emit(arg, line);
		}
	}
	lease_list(emit, arg, id);
}
