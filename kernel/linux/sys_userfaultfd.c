/*
 * The userfaultfd descriptor: userfaultfd(2) and /dev/userfaultfd's
 * USERFAULTFD_IOC_NEW make one; read and poll give the faults as Linux's
 * struct uffd_msg; the UFFDIO_* ioctls register memory and answer the
 * faults through kernel/mm/userfaultfd.c.
 */
#include <kernel/userfaultfd.h>
#include <kernel/proc.h>
#include <kernel/caps.h>
#include <kernel/vm.h>
#include <kernel/vfs.h>
#include <kernel/syscall.h>
#include <syscall_table.h>
#include <kernel/errno.h>

#define UFFD_API 0xaa
#define UFFD_USER_MODE_ONLY 1
#define UFFDIO_REGISTER_MODE_MISSING 1
#define UFFDIO_REGISTER_MODE_WP 2
#define UFFDIO_REGISTER_MODE_MINOR 4
#define UFFDIO_COPY_MODE_DONTWAKE 1
#define UFFDIO_ZEROPAGE_MODE_DONTWAKE 1
#define UFFDIO_POISON_MODE_DONTWAKE 1
#define UFFDIO_MOVE_MODE_DONTWAKE 1
#define UFFDIO_MOVE_MODE_ALLOW_SRC_HOLES 2
#define UFFD_FEATURES (UFFD_FEATURE_SIGBUS | UFFD_FEATURE_THREAD_ID | \
		       UFFD_FEATURE_EXACT_ADDRESS | UFFD_FEATURE_POISON | \
		       UFFD_FEATURE_MOVE)

/* ioctl numbers: _IOWR(0xaa, nr, size) and _IOR(0xaa, nr, size). */
#define UFFD_IOWR(nr, size) (0xc000aa00u | ((unsigned)(size) << 16) | (nr))
#define UFFD_IOR(nr, size) (0x8000aa00u | ((unsigned)(size) << 16) | (nr))
#define UFFDIO_API UFFD_IOWR(0x3f, 24)
#define UFFDIO_REGISTER UFFD_IOWR(0x00, 32)
#define UFFDIO_UNREGISTER UFFD_IOR(0x01, 16)
#define UFFDIO_WAKE UFFD_IOR(0x02, 16)
#define UFFDIO_COPY UFFD_IOWR(0x03, 40)
#define UFFDIO_ZEROPAGE UFFD_IOWR(0x04, 32)
#define UFFDIO_POISON UFFD_IOWR(0x08, 32)
#define UFFDIO_MOVE UFFD_IOWR(0x05, 40)
#define USERFAULTFD_IOC_NEW 0xaa00u
/* What UFFDIO_API and UFFDIO_REGISTER say a descriptor and a range take:
 * API, REGISTER, UNREGISTER; WAKE, COPY, ZEROPAGE, MOVE, POISON. */
#define UFFD_API_IOCTLS ((1ull << 0x3f) | (1ull << 0) | (1ull << 1))
#define UFFD_RANGE_IOCTLS ((1ull << 2) | (1ull << 3) | (1ull << 4) | \
			   (1ull << 5) | (1ull << 8))

struct uffdio_range { uint64_t start, len; };
struct uffdio_api { uint64_t api, features, ioctls; };
struct uffdio_register { struct uffdio_range range; uint64_t mode, ioctls; };
struct uffdio_copy { uint64_t dst, src, len, mode; int64_t copy; };
struct uffdio_move { uint64_t dst, src, len, mode; int64_t move; };
struct uffdio_zeropage {
	struct uffdio_range range;
	uint64_t mode;
	int64_t zeropage;
};

/* As many messages as fit, waiting for the first unless O_NONBLOCK. */
static long
uffd_read(struct file *f, void *buf, size_t len, uint64_t *off)
{
	struct uffd *ctx = f->priv;
	(void)off;
	if (!ctx->api_done || len < sizeof(struct uffd_msg))
		return -EINVAL;
	while (!uffd_next_msg(ctx, NULL, true)) {
		if (f->flags & O_NONBLOCK)
			return -EAGAIN;
		if (waitq_wait(&ctx->read_wq, 0, true) == -EINTR)
			return -ERESTARTSYS;
	}
	size_t done = 0;
	while (len - done >= sizeof(struct uffd_msg) &&
	       uffd_next_msg(ctx, (struct uffd_msg *)((char *)buf + done),
			     false))
		done += sizeof(struct uffd_msg);
	return (long)done;
}

static unsigned
uffd_poll(struct file *f)
{
	struct uffd *ctx = f->priv;
	if (!ctx->api_done)
		return POLLERR;
	return uffd_next_msg(ctx, NULL, true) ? POLLIN | POLLRDNORM : 0;
}

static long
ioctl_register(struct uffd *ctx, uint64_t arg)
{
	struct uffdio_register reg;
	if (copyin(&reg, arg, sizeof(reg)) < 0)
		return -EFAULT;
	/* Write protection and minor faults: as a kernel built without. */
	if (reg.mode != UFFDIO_REGISTER_MODE_MISSING)
		return -EINVAL;
	long e = uffd_register(ctx, reg.range.start, reg.range.len, true);
	if (e < 0)
		return e;
	reg.ioctls = UFFD_RANGE_IOCTLS;
	return copyout(arg + offsetof(struct uffdio_register, ioctls),
		       &reg.ioctls, sizeof(reg.ioctls)) < 0 ? -EFAULT : 0;
}

/* UNREGISTER and WAKE: a range. */
static long
ioctl_range(struct uffd *ctx, uint64_t arg, bool unregister)
{
	struct uffdio_range range;
	if (copyin(&range, arg, sizeof(range)) < 0)
		return -EFAULT;
	if (unregister)
		return uffd_register(ctx, range.start, range.len, false);
	long e = uffd_check_range(range.start, range.len);
	if (e == 0)
		uffd_wake(ctx, range.start, range.len);
	return e;
}

/* COPY (src) or ZEROPAGE (src 0) of [dst, dst + len); the count (or the
 * error) goes to the user's structure at result. */
static long
fill(struct uffd *ctx, uint64_t dst, uint64_t src, uint64_t len,
     bool wake, uint64_t result)
{
	int64_t done = uffd_fill(ctx, dst, src, len);
	if (copyout(result, &done, sizeof(done)) < 0)
		return -EFAULT;
	if (done > 0 && wake)
		uffd_wake(ctx, dst, (uint64_t)done);
	return done < 0 ? done : (uint64_t)done == len ? 0 : -EAGAIN;
}

static long
ioctl_copy(struct uffd *ctx, uint64_t arg)
{
	struct uffdio_copy c;
	if (copyin(&c, arg, sizeof(c)) < 0)
		return -EFAULT;
	long e = uffd_check_range(c.dst, c.len);
	if (e == 0 && (c.src & (PAGE_SIZE - 1)))
		e = -EINVAL;
	if (e == 0 && c.src < c.dst + c.len && c.dst < c.src + c.len)
		e = -EINVAL;	/* the two ranges overlap */
	if (e == 0 && (c.mode & ~(uint64_t)UFFDIO_COPY_MODE_DONTWAKE))
		e = -EINVAL;	/* MODE_WP: no range is write-protected */
	if (e < 0)
		return e;
	return fill(ctx, c.dst, c.src, c.len,
		    !(c.mode & UFFDIO_COPY_MODE_DONTWAKE),
		    arg + offsetof(struct uffdio_copy, copy));
}

static long
ioctl_zeropage(struct uffd *ctx, uint64_t arg)
{
	struct uffdio_zeropage z;
	if (copyin(&z, arg, sizeof(z)) < 0)
		return -EFAULT;
	long e = uffd_check_range(z.range.start, z.range.len);
	if (e == 0 && (z.mode & ~(uint64_t)UFFDIO_ZEROPAGE_MODE_DONTWAKE))
		e = -EINVAL;
	if (e < 0)
		return e;
	return fill(ctx, z.range.start, 0, z.range.len,
		    !(z.mode & UFFDIO_ZEROPAGE_MODE_DONTWAKE),
		    arg + offsetof(struct uffdio_zeropage, zeropage));
}

static long
ioctl_move(struct uffd *ctx, uint64_t arg)
{
	struct uffdio_move mv;
	if (copyin(&mv, arg, sizeof(mv)) < 0)
		return -EFAULT;
	const uint64_t modes = UFFDIO_MOVE_MODE_DONTWAKE |
			       UFFDIO_MOVE_MODE_ALLOW_SRC_HOLES;
	long e = uffd_check_range(mv.dst, mv.len);
	if (e == 0)
		e = uffd_check_range(mv.src, mv.len);
	if (e == 0 && ((mv.mode & ~modes) ||
		       (mv.src < mv.dst + mv.len && mv.dst < mv.src + mv.len)))
		e = -EINVAL;
	if (e < 0)
		return e;
	int64_t done = uffd_move(ctx, mv.dst, mv.src, mv.len,
				 mv.mode & UFFDIO_MOVE_MODE_ALLOW_SRC_HOLES);
	if (copyout(arg + offsetof(struct uffdio_move, move), &done,
		    sizeof(done)) < 0)
		return -EFAULT;
	if (done > 0 && !(mv.mode & UFFDIO_MOVE_MODE_DONTWAKE))
		uffd_wake(ctx, mv.dst, (uint64_t)done);
	return done < 0 ? done : (uint64_t)done == mv.len ? 0 : -EAGAIN;
}

static long
ioctl_poison(struct uffd *ctx, uint64_t arg)
{
	struct uffdio_zeropage z;	/* uffdio_poison: the same layout */
	if (copyin(&z, arg, sizeof(z)) < 0)
		return -EFAULT;
	long e = uffd_check_range(z.range.start, z.range.len);
	if (e == 0 && (z.mode & ~(uint64_t)UFFDIO_POISON_MODE_DONTWAKE))
		e = -EINVAL;
	if (e < 0)
		return e;
	int64_t done = uffd_poison(ctx, z.range.start, z.range.len);
	if (copyout(arg + offsetof(struct uffdio_zeropage, zeropage), &done,
		    sizeof(done)) < 0)
		return -EFAULT;
	if (done > 0 && !(z.mode & UFFDIO_POISON_MODE_DONTWAKE))
		uffd_wake(ctx, z.range.start, (uint64_t)done);
	return done < 0 ? done : (uint64_t)done == z.range.len ? 0 : -EAGAIN;
}

/* UFFDIO_API, once: the API number and the features asked for. */
static long
ioctl_api(struct uffd *ctx, uint64_t arg)
{
	struct uffdio_api api;
	if (copyin(&api, arg, sizeof(api)) < 0)
		return -EFAULT;
	if (ctx->api_done || api.api != UFFD_API ||
	    (api.features & ~(uint64_t)UFFD_FEATURES)) {
		api.features = 0;
		copyout(arg, &api, sizeof(api));
		return -EINVAL;
	}
	ctx->features = (unsigned)api.features;
	ctx->api_done = true;
	api.features = UFFD_FEATURES;
	api.ioctls = UFFD_API_IOCTLS;
	return copyout(arg, &api, sizeof(api)) < 0 ? -EFAULT : 0;
}

static long
uffd_ioctl(struct file *f, unsigned long cmd, uint64_t arg)
{
	struct uffd *ctx = f->priv;
	if (cmd == UFFDIO_API)
		return ioctl_api(ctx, arg);
	if (!ctx->api_done)
		return -EINVAL;
	switch (cmd) {
	case UFFDIO_REGISTER: return ioctl_register(ctx, arg);
	case UFFDIO_UNREGISTER: return ioctl_range(ctx, arg, true);
	case UFFDIO_WAKE: return ioctl_range(ctx, arg, false);
	case UFFDIO_COPY: return ioctl_copy(ctx, arg);
	case UFFDIO_ZEROPAGE: return ioctl_zeropage(ctx, arg);
	case UFFDIO_POISON: return ioctl_poison(ctx, arg);
	case UFFDIO_MOVE: return ioctl_move(ctx, arg);
	}
	return -ENOTTY;
}

static void
uffd_close(struct file *f)
{
	uffd_release(f->priv);
}

static const struct file_ops uffd_fops = {
	.read = uffd_read,
	.poll = uffd_poll,
	.ioctl = uffd_ioctl,
	.close = uffd_close,
};

/* A new userfaultfd for the caller's address space: its fd or -errno. */
static long
new_fd(int flags)
{
	struct proc *p = current()->proc;
	if (flags & ~(O_CLOEXEC | O_NONBLOCK | UFFD_USER_MODE_ONLY))
		return -EINVAL;
	struct uffd *ctx = uffd_new(p->vm);
	if (!ctx)
		return -ENOMEM;
	long fd = install_anon("[userfaultfd]", &uffd_fops, ctx,
			       (unsigned)flags & (O_CLOEXEC | O_NONBLOCK));
	if (fd < 0) {
		uffd_release(ctx);
		return fd;
	}
	ctx->file = fd_get(p, (int)fd);
	return fd;
}

/*
 * userfaultfd(2). As Linux with vm.unprivileged_userfaultfd 0, a process
 * without euid 0 may only ask for UFFD_USER_MODE_ONLY (which Petrel
 * keeps only: the kernel's own accesses wait as the user's do).
 */
long
sys_userfaultfd(int flags)
{
	if (!capable(CAP_SYS_PTRACE) && !(flags & UFFD_USER_MODE_ONLY))
		return -EPERM;
	return new_fd(flags);
}

static long
uffd_dev_ioctl(struct file *f, unsigned long cmd, uint64_t arg)
{
	(void)f;
	return cmd == USERFAULTFD_IOC_NEW ? new_fd((int)arg) : -EINVAL;
}

const struct file_ops uffd_dev_fops = {
	.ioctl = uffd_dev_ioctl,
};
