/*
 * Linux native AIO (io_setup, io_submit, io_getevents, io_pgetevents,
 * io_cancel, io_destroy), as Linux's fs/aio.c seen from user space: a
 * context is a ring of struct io_event mapped into the process, whose
 * address is the context's id, so libaio may reap completions without a
 * system call. Reads, writes and syncs are done in io_submit itself, their
 * results put in the ring at once (a read that must wait, on an empty
 * pipe, holds io_submit meanwhile); IOCB_CMD_POLL completes at once when
 * the file is ready, else when io_getevents finds it ready. Completions
 * signal an eventfd with IOCB_FLAG_RESFD. Contexts belong to the process
 * (its address space), go with exec and exit, and are counted against
 * /proc/sys/fs/aio-max-nr. Big lock throughout.
 */
#include <kernel/aio.h>
#include <kernel/proc.h>
#include <kernel/sched.h>
#include <kernel/vfs.h>
#include <kernel/vm.h>
#include <kernel/clock.h>
#include <kernel/signal.h>
#include <kernel/kmalloc.h>
#include <kernel/string.h>
#include <kernel/errno.h>
#include <kernel/arch.h>
#include <syscall_table.h>

#define IOCB_CMD_PREAD 0
#define IOCB_CMD_PWRITE 1
#define IOCB_CMD_FSYNC 2
#define IOCB_CMD_FDSYNC 3
#define IOCB_CMD_POLL 5
#define IOCB_CMD_PREADV 7
#define IOCB_CMD_PWRITEV 8
#define IOCB_FLAG_RESFD 1
#define IOCB_FLAG_IOPRIO 2
#define RWF_HIPRI 1
#define RWF_DSYNC 2
#define RWF_SYNC 4
#define RWF_NOWAIT 8
#define RWF_APPEND 16
#define RWF_SUPPORTED (RWF_HIPRI | RWF_DSYNC | RWF_SYNC | RWF_NOWAIT | \
		       RWF_APPEND)
#define AIO_RING_MAGIC 0xa10a10a1u
#define IOV_MAX 1024
#define POLL_DEFAULT (POLLIN | POLLOUT | POLLRDNORM | POLLWRNORM)

unsigned aio_max_nr = 65536;
unsigned aio_nr;

/* struct iocb */
struct iocb_k {
	uint64_t data;
	uint32_t key, rw_flags;
	uint16_t opcode;
	int16_t reqprio;
	uint32_t fildes;
	uint64_t buf, nbytes;
	int64_t offset;
	uint64_t reserved2;
	uint32_t flags, resfd;
};
_Static_assert(sizeof(struct iocb_k) == 64, "Linux's struct iocb");

/* struct io_event */
struct io_event_k {
	uint64_t data, obj;
	int64_t res, res2;
};

/* struct aio_ring, the head of the mapped ring. */
struct aio_ring_k {
	uint32_t id, nr, head, tail;
	uint32_t magic, compat_features, incompat_features, header_length;
};

/* An IOCB_CMD_POLL waiting for its file. */
struct aio_poll {
	struct list link;		/* ctx->polls */
	struct file *file;		/* a reference */
	struct file *eventfd;		/* a reference, or NULL */
	unsigned events;
	uint64_t obj, data;
	struct poll_entry entry;	/* on file's queue: wakes ctx->wq */
	struct aio_ctx *ctx;
};

struct aio_ctx {
	struct list link;		/* proc->aio_ctxs */
	uint64_t id;			/* the ring's address */
	size_t ring_len;
	uint32_t nr;			/* events the ring holds */
	uint32_t tail;			/* where the next event goes */
	uint32_t max_reqs;		/* what io_setup asked, in aio_nr */
	uint32_t index;			/* the ring's id: its slot in the
					   process's table, as Linux's */
	struct list polls;
	uint32_t npolls;			/* on polls */
	struct waitq wq;		/* io_getevents callers */
};

static struct aio_ctx *
ctx_find(uint64_t id)
{
	struct proc *p = current()->proc;
	list_for_each(it, &p->aio_ctxs) {
		struct aio_ctx *c = list_entry(it, struct aio_ctx, link);
		if (c->id == id)
			return c;
	}
	return NULL;
}

/* Takes ap off c's polls and its file's queue, and frees it. */
static void
poll_drop(struct aio_ctx *c, struct aio_poll *ap)
{
	poll_entry_remove(&ap->entry);
	list_remove(&ap->link);
	c->npolls--;
	file_put(ap->file);
	if (ap->eventfd)
		file_put(ap->eventfd);
	kfree(ap);
}

static void
ctx_free(struct aio_ctx *c)
{
	list_for_each_safe(it, nx, &c->polls) {
		struct aio_poll *ap = list_entry(it, struct aio_poll, link);
		poll_drop(c, ap);
	}
	list_remove(&c->link);
	aio_nr -= c->max_reqs;
	waitq_wake_all(&c->wq);
	kfree(c);
}

void
aio_exit(struct proc *p)
{
	list_for_each_safe(it, nx, &p->aio_ctxs)
		ctx_free(list_entry(it, struct aio_ctx, link));
}

/* ---- The ring ----------------------------------------------------- */

static int
ring_head(struct aio_ctx *c, uint32_t *head)
{
	if (copyin(head, c->id + offsetof(struct aio_ring_k, head), 4) < 0)
		return -EFAULT;
	*head %= c->nr;
	return 0;
}

/* Events in the ring that no one reaped yet. */
static uint32_t
ring_used(struct aio_ctx *c)
{
	uint32_t head;
	if (ring_head(c, &head) < 0)
		return 0;
	return (c->tail + c->nr - head) % c->nr;
}

/* Puts one completion in the ring and signals its eventfd. The ring has
 * room: io_submit takes no more than it can hold. */
static void
ring_put(struct aio_ctx *c, uint64_t obj, uint64_t data, int64_t res,
	 struct file *eventfd)
{
	struct io_event_k ev = { .data = data, .obj = obj, .res = res };
	uint64_t at = c->id + sizeof(struct aio_ring_k) +
		      (uint64_t)c->tail * sizeof(ev);
	if (copyout(at, &ev, sizeof(ev)) < 0)
		return;		/* the ring was unmapped: the event is lost */
	c->tail = (c->tail + 1) % c->nr;
	copyout(c->id + offsetof(struct aio_ring_k, tail), &c->tail, 4);
	if (eventfd)
		eventfd_add(eventfd, 1);
	waitq_wake_all(&c->wq);
}

/* The lowest slot no context of p has. */
static uint32_t
ctx_free_index(struct proc *p)
{
	for (uint32_t i = 0;; i++) {
		bool used = false;
		list_for_each(it, &p->aio_ctxs)
			used |= list_entry(it, struct aio_ctx, link)->index == i;
		if (!used)
			return i;
	}
}

long
sys_io_setup(unsigned nr_events, uaddr_t uctx)
{
	uint64_t id;
	if (copyin(&id, uctx, sizeof(id)) < 0)
		return -EFAULT;
	if (id || nr_events == 0)
		return -EINVAL;
	/* Linux doubles the request (per-CPU slack) and bounds the ring. */
	uint64_t nr = (uint64_t)MAX(nr_events, 4u) * 2;
	if (nr > 0x10000000u / sizeof(struct io_event_k))
		return -EINVAL;
	if (nr_events > aio_max_nr || aio_nr + nr_events > aio_max_nr)
		return -EAGAIN;
	nr += 2;
	size_t len = ALIGN_UP(sizeof(struct aio_ring_k) +
			      nr * sizeof(struct io_event_k), PAGE_SIZE);
	struct aio_ctx *c = kzalloc(sizeof(*c));
	if (!c)
		return -ENOMEM;
	struct proc *p = current()->proc;
	long addr = vm_map(p->vm, 0, len, PROT_READ | PROT_WRITE, MAP_PRIVATE,
			   NULL, 0, 0);
	if (addr < 0) {
		kfree(c);
		return addr == -ENOMEM ? -ENOMEM : -EAGAIN;
	}
	c->id = (uint64_t)addr;
	c->ring_len = len;
	c->nr = (uint32_t)((len - sizeof(struct aio_ring_k)) /
			   sizeof(struct io_event_k));
	c->max_reqs = nr_events;
	list_init(&c->polls);
	waitq_init(&c->wq);
	c->index = ctx_free_index(p);
	/* As Linux's aio_setup_ring and ioctx_add_table. */
	struct aio_ring_k ring = {
		.id = c->index, .nr = c->nr, .magic = AIO_RING_MAGIC,
		.compat_features = 1, .header_length = sizeof(ring),
	};
	list_push_back(&p->aio_ctxs, &c->link);
	aio_nr += c->max_reqs;
	if (copyout(c->id, &ring, sizeof(ring)) < 0 ||
	    copyout(uctx, &c->id, sizeof(c->id)) < 0) {
		vm_unmap(p->vm, c->id, c->ring_len);
		ctx_free(c);
		return -EFAULT;
	}
	return 0;
}

long
sys_io_destroy(uint64_t id)
{
	struct aio_ctx *c = ctx_find(id);
	if (!c)
		return -EINVAL;
	vm_unmap(current()->proc->vm, c->id, c->ring_len);
	ctx_free(c);
	return 0;
}

/* ---- Submitting --------------------------------------------------- */

/* The caller's buffers of a read or write iocb: one, or an iovec array
 * (*iov set to a new array the caller frees). Returns the count. */
static int
iocb_buffers(const struct iocb_k *cb, bool vectored, struct uiovec *one,
	     struct uiovec **iov)
{
	*iov = one;
	if (!vectored) {
		if (!user_range_ok(cb->buf, cb->nbytes))
			return -EFAULT;
		one->base = cb->buf;
		one->len = cb->nbytes;
		return 1;
	}
	if (cb->nbytes > IOV_MAX)
		return -EINVAL;
	if (cb->nbytes == 0)
		return 0;
	struct uiovec *v = kmalloc(cb->nbytes * sizeof(*v));
	if (!v)
		return -ENOMEM;
	if (copyin(v, cb->buf, cb->nbytes * sizeof(*v)) < 0) {
		kfree(v);
		return -EFAULT;
	}
	uint64_t total = 0;
	for (uint64_t i = 0; i < cb->nbytes; i++) {
		total += v[i].len;
		if ((int64_t)v[i].len < 0 || (int64_t)total < 0) {
			kfree(v);
			return -EINVAL;
		}
	}
	*iov = v;
	return (int)cb->nbytes;
}

/*
 * IOCB_CMD_PREAD(V) and PWRITE(V) on f: -errno for what Linux refuses at
 * submission, else 0 with the transfer's result in *res.
 */
static int
aio_rw(struct file *f, const struct iocb_k *cb, bool write, bool vectored,
       int64_t *res)
{
	if (cb->rw_flags & ~RWF_SUPPORTED)
		return -EOPNOTSUPP;
	unsigned acc = f->flags & O_ACCMODE;
	if (acc == (write ? O_RDONLY : O_WRONLY) || file_is_path(f))
		return -EBADF;
	if (S_ISDIR(f->inode->mode))
		return -EINVAL;
	struct uiovec one, *iov;
	int n = iocb_buffers(cb, vectored, &one, &iov);
	if (n < 0)
		return n;
	if (cb->offset < 0 && f->ops && f->ops->seekable) {
		if (iov != &one)
			kfree(iov);
		return -EINVAL;
	}
	uint64_t off = (uint64_t)cb->offset;
	unsigned saved = f->flags;
	if (cb->rw_flags & RWF_NOWAIT)
		f->flags |= O_NONBLOCK;
	if (write && (cb->rw_flags & RWF_APPEND))
		f->flags |= O_APPEND;
	long r = file_rw_vec(f, iov, n, write, &off);
	f->flags = (f->flags & ~(O_NONBLOCK | O_APPEND)) |
		   (saved & (O_NONBLOCK | O_APPEND));
	if (iov != &one)
		kfree(iov);
	if (r == -ERESTARTSYS || r == -ERESTARTNOHAND)
		r = -EINTR;
	*res = r;
	return 0;
}

static int
aio_fsync(struct file *f, const struct iocb_k *cb, bool datasync,
	  int64_t *res)
{
	if (cb->buf || cb->offset || cb->nbytes || cb->rw_flags)
		return -EINVAL;
	if (f->ops && f->ops->fsync) {
		*res = f->ops->fsync(f, datasync);
		return 0;
	}
	/* In-memory files are always in sync; others cannot be synced. */
	unsigned type = f->inode ? f->inode->mode & S_IFMT : 0;
	if (type != S_IFREG && type != S_IFDIR)
		return -EINVAL;
	*res = 0;
	return 0;
}

/* The file's readiness now (all of it), 0 if none of what ap waits for. */
static unsigned
aio_poll_ready(struct aio_poll *ap)
{
	struct file *f = ap->file;
	unsigned now = f->ops && f->ops->poll ? f->ops->poll(f) : POLL_DEFAULT;
	return now & ap->events ? now : 0;
}

/* The polled file's queue woke: io_getevents callers look again. */
static bool
aio_poll_wake(struct poll_entry *e, unsigned key)
{
	(void)key;
	waitq_wake_all(&container_of(e, struct aio_poll, entry)->ctx->wq);
	return true;
}

/* IOCB_CMD_POLL: 1 with *res if the file is ready, else 0 with the wait
 * queued on c (the references of f and eventfd go with it). */
static int
aio_poll(struct aio_ctx *c, struct file *f, struct file *eventfd,
	 uint64_t obj, const struct iocb_k *cb, int64_t *res)
{
	if ((uint16_t)cb->buf != cb->buf || cb->offset || cb->nbytes ||
	    cb->rw_flags)
		return -EINVAL;
	struct aio_poll *ap = kzalloc(sizeof(*ap));
	if (!ap)
		return -ENOMEM;
	ap->file = f;
	ap->eventfd = eventfd;
	ap->events = (unsigned)cb->buf | POLLERR | POLLHUP;
	ap->obj = obj;
	ap->data = cb->data;
	unsigned ready = aio_poll_ready(ap);
	if (ready) {
		*res = ready & ap->events;
		kfree(ap);
		return 1;
	}
	file_get(f);
	if (eventfd)
		file_get(eventfd);
	list_push_back(&c->polls, &ap->link);
	c->npolls++;
	ap->ctx = c;
	poll_entry_add(f->poll_head, &ap->entry, aio_poll_wake, false);
	return 0;
}

/* Completes the polls whose files are ready now. Their result is all
 * the file's readiness, as Linux's wake-up reports it, where a poll ready
 * at submission reports only what it asked for. */
static void
aio_poll_check(struct aio_ctx *c)
{
	list_for_each_safe(it, nx, &c->polls) {
		struct aio_poll *ap = list_entry(it, struct aio_poll, link);
		unsigned ready = aio_poll_ready(ap);
		if (!ready)
			continue;
		ring_put(c, ap->obj, ap->data, ready, ap->eventfd);
		poll_drop(c, ap);
	}
}

/* One iocb, done (or, a poll, queued): 0 or -errno, Linux's order of
 * checks in io_submit_one. */
static int
submit_one(struct aio_ctx *c, uaddr_t ucb)
{
	struct iocb_k cb;
	if (copyin(&cb, ucb, sizeof(cb)) < 0)
		return -EFAULT;
	if (cb.reserved2 || (int64_t)cb.nbytes < 0)
		return -EINVAL;
	if (ring_used(c) + 1 + c->npolls >= c->nr)
		return -EAGAIN;
	struct proc *p = current()->proc;
	struct file *f = fd_get_open(p, (int)cb.fildes);
	if (!f)
		return -EBADF;
	struct file *eventfd = NULL;
	if (cb.flags & IOCB_FLAG_RESFD) {
		eventfd = fd_get_open(p, (int)cb.resfd);
		if (!eventfd)
			return -EBADF;
		if (eventfd_add(eventfd, 0) < 0)
			return -EINVAL;
	}
	uint32_t key = 0;
	if (copyout(ucb + offsetof(struct iocb_k, key), &key, 4) < 0)
		return -EFAULT;
	int64_t res = 0;
	int r;
	switch (cb.opcode) {
	case IOCB_CMD_PREAD:
	case IOCB_CMD_PREADV:
		r = aio_rw(f, &cb, false, cb.opcode == IOCB_CMD_PREADV, &res);
		break;
	case IOCB_CMD_PWRITE:
	case IOCB_CMD_PWRITEV:
		r = aio_rw(f, &cb, true, cb.opcode == IOCB_CMD_PWRITEV, &res);
		break;
	case IOCB_CMD_FSYNC:
	case IOCB_CMD_FDSYNC:
		r = aio_fsync(f, &cb, cb.opcode == IOCB_CMD_FDSYNC, &res);
		break;
	case IOCB_CMD_POLL:
		r = aio_poll(c, f, eventfd, ucb, &cb, &res);
		if (r == 0)
			return 0;	/* waits for the file */
		r = r > 0 ? 0 : r;
		break;
	default:
		r = -EINVAL;
	}
	if (r == 0)
		ring_put(c, ucb, cb.data, res, eventfd);
	return r;
}

long
sys_io_submit(uint64_t id, long nr, uaddr_t ucbs)
{
	if (nr < 0)
		return -EINVAL;
	struct aio_ctx *c = ctx_find(id);
	if (!c)
		return -EINVAL;
	nr = MIN(nr, (long)c->nr);
	long i;
	int r = 0;
	for (i = 0; i < nr; i++) {
		uint64_t ucb;
		if (copyin(&ucb, ucbs + (uint64_t)i * 8, 8) < 0) {
			r = -EFAULT;
			break;
		}
		r = submit_one(c, ucb);
		if (r < 0)
			break;
	}
	return i ? i : r;
}

long
sys_io_cancel(uint64_t id, uaddr_t ucb, uaddr_t uresult)
{
	(void)uresult;	/* no longer used, as on Linux */
	uint32_t key;
	if (copyin(&key, ucb + offsetof(struct iocb_k, key), 4) < 0)
		return -EFAULT;
	if (key != 0)
		return -EINVAL;
	struct aio_ctx *c = ctx_find(id);
	if (!c)
		return -EINVAL;
	list_for_each(it, &c->polls) {
		struct aio_poll *ap = list_entry(it, struct aio_poll, link);
		if (ap->obj != ucb)
			continue;
		/* A cancelled poll completes with no events, as Linux's. */
		ring_put(c, ap->obj, ap->data, 0, ap->eventfd);
		poll_drop(c, ap);
		return -EINPROGRESS;
	}
	return -EINVAL;	/* done already: nothing else can be cancelled */
}

/* ---- Reaping ------------------------------------------------------ */

/* Copies up to nr events from the ring to uevents; returns how many or
 * -EFAULT. */
static long
ring_take(struct aio_ctx *c, long nr, uaddr_t uevents)
{
	uint32_t head;
	if (ring_head(c, &head) < 0)
		return -EFAULT;
	long got = 0;
	while (got < nr && head != c->tail) {
		struct io_event_k ev;
		uint64_t at = c->id + sizeof(struct aio_ring_k) +
			      (uint64_t)head * sizeof(ev);
		if (copyin(&ev, at, sizeof(ev)) < 0 ||
		    copyout(uevents + (uint64_t)got * sizeof(ev), &ev,
			    sizeof(ev)) < 0)
			return got ? got : -EFAULT;
		head = (head + 1) % c->nr;
		got++;
		copyout(c->id + offsetof(struct aio_ring_k, head), &head, 4);
	}
	return got;
}

static long
getevents(uint64_t id, long min_nr, long nr, uaddr_t uevents,
	  uaddr_t utimeout)
{
	uint64_t deadline = 0;
	if (utimeout) {
		struct timespec_k ts;
		if (copyin(&ts, utimeout, sizeof(ts)) < 0)
			return -EFAULT;
		uint64_t now = arch_now_ns();
		deadline = ts.tv_sec < 0 ? now : now + timespec_to_ns(&ts);
	}
	struct aio_ctx *c = ctx_find(id);
	if (!c || min_nr < 0 || min_nr > nr)
		return -EINVAL;
	long got = 0;
	for (;;) {
		aio_poll_check(c);
		long r = ring_take(c, nr - got,
				   uevents + (uint64_t)got *
						     sizeof(struct io_event_k));
		if (r < 0)
			return got ? got : r;
		got += r;
		if (got >= min_nr || got >= nr)
			return got;
		if (utimeout && arch_now_ns() >= deadline)
			return got;
		/* Polls' files wake c->wq too (aio_poll_wake). A timeout
		 * of zero is a look and no wait. */
		int w = waitq_wait(&c->wq, deadline, true);
		c = ctx_find(id);	/* another thread may destroy it */
		if (w == -EINTR)
			return got ? got : -EINTR;
		if (!c)
			return got;
	}
}

long
sys_io_getevents(uint64_t id, long min_nr, long nr, uaddr_t uevents,
		 uaddr_t utimeout)
{
	return getevents(id, min_nr, nr, uevents, utimeout);
}

long
sys_io_pgetevents(uint64_t id, long min_nr, long nr, uaddr_t uevents,
		  uaddr_t utimeout, uaddr_t usig)
{
	struct {
		uint64_t sigmask, sigsetsize;
	} ksig = { 0, 0 };
	if (usig && copyin(&ksig, usig, sizeof(ksig)) < 0)
		return -EFAULT;
	uint64_t mask;
	if (ksig.sigmask) {
		if (ksig.sigsetsize != 8)
			return -EINVAL;
		if (copyin(&mask, ksig.sigmask, 8) < 0)
			return -EFAULT;
	}
	struct thread *t = current();
	uint64_t saved = t->sig_blocked;
	if (ksig.sigmask)
		t->sig_blocked = mask & ~(SIGBIT(SIGKILL) | SIGBIT(SIGSTOP));
	long r = getevents(id, min_nr, nr, uevents, utimeout);
	if (r == -EINTR && ksig.sigmask) {
		/* The handler runs under the temporary mask. */
		t->saved_mask = saved;
		t->restore_mask = true;
		return -ERESTARTNOHAND;
	}
	t->sig_blocked = saved;
	return r;
}
