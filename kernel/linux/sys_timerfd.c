/*
 * timerfd: a timer on a clock (struct clocktimer) whose expirations are
 * read as a count. As in Linux, a periodic timer is not re-armed when it
 * fires but when it is read (or its time asked): the periods that passed
 * meanwhile are counted in one division. Re-arming in the timer itself
 * made a 1 ns period fire for ever, each expiry due again before the
 * timer code caught up.
 */
#include <kernel/proc.h>
#include <kernel/vfs.h>
#include <kernel/vm.h>
#include <kernel/clock.h>
#include <kernel/ns.h>
#include <kernel/kmalloc.h>
#include <kernel/syscall.h>
#include <syscall_table.h>
#include <kernel/errno.h>
#include <kernel/string.h>
#include <kernel/stat.h>

#define TFD_TIMER_ABSTIME 1
#define TFD_TIMER_CANCEL_ON_SET 2

struct timerfd {
	struct clocktimer timer;
	struct file *file;
	uint64_t expirations;	/* since the last read */
	struct waitq wq;
};

static void
timerfd_fired(struct clocktimer *ct)
{
	struct timerfd *t = container_of(ct, struct timerfd, timer);
	t->expirations++;
	waitq_wake_all(&t->wq);
	file_notify(t->file);
}

/* A timer that fired: counts the periods since, arms the next. */
static void
timerfd_forward(struct timerfd *t)
{
	if (!t->expirations || t->timer.ktimer.armed)
		return;
	uint64_t n = clocktimer_forward(&t->timer, true);
	if (n)
		t->expirations += n - 1;	/* the first is counted */
}

static long
timerfd_read(struct file *f, void *buf, size_t len, uint64_t *off)
{
	struct timerfd *t = f->priv;
	(void)off;
	if (len < 8)
		return -EINVAL;
	while (t->expirations == 0) {
		if (f->flags & O_NONBLOCK)
			return -EAGAIN;
		if (waitq_wait(&t->wq, 0, true) == -EINTR)
			return -ERESTARTSYS;
	}
	timerfd_forward(t);
	memcpy(buf, &t->expirations, 8);
	t->expirations = 0;
	return 8;
}

static unsigned
timerfd_poll(struct file *f)
{
	struct timerfd *t = f->priv;
	return t->expirations ? POLLIN | POLLRDNORM : 0;
}

static void
timerfd_close(struct file *f)
{
	struct timerfd *t = f->priv;
	clocktimer_cancel(&t->timer);
	kfree(t);
}

static const struct file_ops timerfd_fops = {
	.read = timerfd_read,
	.poll = timerfd_poll,
	.close = timerfd_close,
};

long
sys_timerfd_create(int clock, int flags)
{
	if ((clock != CLOCK_REALTIME && clock != CLOCK_MONOTONIC &&
	     clock != CLOCK_BOOTTIME) || (flags & ~(O_CLOEXEC | O_NONBLOCK)))
		return -EINVAL;
	struct timerfd *t = kzalloc(sizeof(*t));
	if (!t)
		return -ENOMEM;
	clocktimer_init(&t->timer, clock, timerfd_fired);
	waitq_init(&t->wq);
	long fd = install_anon("[timerfd]", &timerfd_fops, t, (unsigned)flags);
	if (fd < 0) {
		kfree(t);
		return fd;
	}
	t->file = fd_get(current()->proc, (int)fd);
	return fd;
}

static struct timerfd *
get_timerfd(int fd)
{
	struct file *f = fd_hold(fd);
	if (!f)
		return ERR_PTR(-EBADF);
	if (f->ops != &timerfd_fops)
		return ERR_PTR(-EINVAL);
	return f->priv;
}

/* The interval and the time left, as timerfd_gettime reports them. */
static void
timerfd_current(struct timerfd *t, struct timespec_k v[2])
{
	timerfd_forward(t);
	uint64_t left = clocktimer_left(&t->timer);
	if (t->timer.ktimer.armed && left == 0)
		left = 1;
	v[0] = ns_to_timespec(t->timer.interval);
	v[1] = ns_to_timespec(left);
}

long
sys_timerfd_gettime(int fd, uaddr_t cur)
{
	struct timerfd *t = get_timerfd(fd);
	if (IS_ERR(t))
		return PTR_ERR(t);
	struct timespec_k v[2];
	timerfd_current(t, v);
	return copyout(cur, v, sizeof(v));
}

/* TFD_TIMER_CANCEL_ON_SET is accepted, but a clock change cancels nothing. */
long
sys_timerfd_settime(int fd, int flags, uaddr_t nv, uaddr_t ov)
{
	struct timespec_k v[2];
	if (copyin(v, nv, sizeof(v)) < 0)
		return -EFAULT;
	if ((flags & ~(TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET)) ||
	    !timespec_valid(&v[0]) || !timespec_valid(&v[1]))
		return -EINVAL;
	struct timerfd *t = get_timerfd(fd);
	if (IS_ERR(t))
		return PTR_ERR(t);
	struct timespec_k old[2];
	timerfd_current(t, old);
	t->expirations = 0;
	uint64_t value = timespec_to_ns(&v[1]);
	if (flags & TFD_TIMER_ABSTIME)	/* a time in the caller's namespace */
		value = timens_to_host(t->timer.clock, value);
	clocktimer_set(&t->timer, value, timespec_to_ns(&v[0]),
		       flags & TFD_TIMER_ABSTIME, true);
	/* As Linux: the new setting stands even if the old cannot be told. */
	if (ov && copyout(ov, old, sizeof(old)) < 0)
		return -EFAULT;
	return 0;
}
