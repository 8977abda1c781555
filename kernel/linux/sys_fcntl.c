/*
 * fcntl(2) and flock(2): descriptor and status flags, record and flock
 * locks (kernel/fs/locks.c), and the owner and signal of signal-driven
 * I/O (kernel/fs/fasync.c).
 */
#include <kernel/proc.h>
#include <kernel/vfs.h>
#include <kernel/vm.h>
#include <kernel/locks.h>
#include <kernel/tmpfs.h>
#include <kernel/syscall.h>
#include <syscall_table.h>
#include <kernel/errno.h>

#define F_DUPFD 0
#define F_GETFD 1
#define F_SETFD 2
#define F_GETFL 3
#define F_SETFL 4
#define F_SETOWN 8
#define F_GETOWN 9
#define F_SETSIG 10
#define F_GETSIG 11
#define F_SETOWN_EX 15
#define F_GETOWN_EX 16
#define F_SETLEASE 1024
#define F_GETLEASE 1025
#define F_CREATED_QUERY 1028	/* Linux 6.12 */
#define F_DUPFD_CLOEXEC 1030
#define F_SETPIPE_SZ 1031
#define F_GETPIPE_SZ 1032

/*
 * The status flags F_SETFL sets: Linux's SETFL_MASK less O_DIRECT and
 * O_NOATIME, which no Petrel file system has. O_ASYNC goes through the
 * file's fasync hook, and a file without one ignores it, as on Linux.
 */
#define SETFL_MASK (O_APPEND | O_NONBLOCK)

#define LOCK_SH 1
#define LOCK_EX 2
#define LOCK_NB 4
#define LOCK_UN 8
#define LOCK_MAND 32

struct f_owner_ex_k {
	int32_t type;
	int32_t pid;
};

/* The commands an O_PATH descriptor takes (Linux's check_fcntl_cmd). */
static bool
path_fd_allows(int cmd)
{
	return cmd == F_DUPFD || cmd == F_DUPFD_CLOEXEC || cmd == F_GETFD ||
	       cmd == F_SETFD || cmd == F_GETFL || cmd == F_CREATED_QUERY;
}

static long
dupfd(struct proc *p, struct file *f, uint64_t min, bool cloexec)
{
	if (min >= p->rlimits[7][0] || min >= NR_OPEN)
		return -EINVAL;	/* past RLIMIT_NOFILE */
	file_get(f);
	int r = fd_install(p, f, (int)min, cloexec);
	if (r < 0)
		file_put(f);
	return r;
}

static long
setfl(int fd, struct file *f, unsigned flags)
{
	if ((flags ^ f->flags) & O_ASYNC) {
		int e = fasync_set(f, fd, flags & O_ASYNC);
		if (e < 0 && e != -ENOTTY)
			return e;	/* ENOTTY: no hook, flag ignored */
	}
	f->flags = (f->flags & ~SETFL_MASK) | (flags & SETFL_MASK);
	return 0;
}

/* F_SETOWN: a pid, or a process group as its negative. */
static long
setown(struct file *f, int who)
{
	if (who == INT32_MIN)
		return -EINVAL;	/* -who would overflow */
	if (who < 0)
		return fown_set(f, F_OWNER_PGRP, -who);
	return fown_set(f, F_OWNER_PID, who);
}

static long
setown_ex(struct file *f, uint64_t arg)
{
	struct f_owner_ex_k o;
	if (copyin(&o, arg, sizeof(o)) < 0)
		return -EFAULT;
	return fown_set(f, o.type, o.pid);
}

/* The owner's type, and its id while it exists (0 after), as Linux 6.18. */
static long
getown_ex(struct file *f, uint64_t arg)
{
	int who = fown_get(f);
	struct f_owner_ex_k o = { f->owner.type, who < 0 ? -who : who };
	return copyout(arg, &o, sizeof(o));
}

/* The commands on the file itself rather than on the descriptor. */
static long
fcntl_file(int fd, struct file *f, int cmd, uint64_t arg)
{
	switch (cmd) {
	case F_GETLK:
	case F_OFD_GETLK:
		return locks_getlk(f, cmd, arg);
	case F_SETLK:
	case F_SETLKW:
	case F_OFD_SETLK:
	case F_OFD_SETLKW:
		return locks_setlk(fd, f, cmd, arg);
	case F_SETOWN:
		return setown(f, (int)arg);
	case F_GETOWN:
		return fown_get(f);
	case F_SETOWN_EX:
		return setown_ex(f, arg);
	case F_GETOWN_EX:
		return getown_ex(f, arg);
	case F_SETSIG:
		if ((int)arg < 0 || (int)arg > SIG_MAX)
			return -EINVAL;
		f->owner.signum = (int)arg;
		return 0;
	case F_GETSIG:
		return f->owner.signum;
	case F_SETLEASE:
		return lease_set(f, fd, (int)arg);
	case F_GETLEASE:
		return lease_get(f);
	case F_ADD_SEALS:
	case F_GET_SEALS:
		return memfd_fcntl(f, cmd, (unsigned)arg);
	case F_SETPIPE_SZ:
		return pipe_set_size(f, (unsigned)arg);	/* an unsigned int */
	case F_GETPIPE_SZ:
		return pipe_get_size(f);
	}
	return -EINVAL;
}

long
sys_fcntl(int fd, int cmd, uint64_t arg)
{
	struct proc *p = current()->proc;
	struct file *f = fd_hold_path(fd);
	if (!f)
		return -EBADF;
	if ((f->flags & O_PATH) && !path_fd_allows(cmd))
		return -EBADF;
	switch (cmd) {
	case F_DUPFD:
	case F_DUPFD_CLOEXEC:
		return dupfd(p, f, arg, cmd == F_DUPFD_CLOEXEC);
	case F_GETFD:
		return fd_cloexec(p, fd) ? 1 : 0;
	case F_SETFD:
		fd_set_cloexec(p, fd, arg & 1);
		return 0;
	case F_GETFL:
		return f->flags & ~O_CLOEXEC;
	case F_CREATED_QUERY:	/* whether the open that made f made the file */
		return f->created ? 1 : 0;
	case F_SETFL:
		return setfl(fd, f, (unsigned)arg);
	}
	return fcntl_file(fd, f, cmd, arg);
}

long
sys_flock(int fd, int op)
{
	/* Never enforced; Linux ignores such a request since 5.19. */
	if (op & LOCK_MAND)
		return 0;
	int type;
	switch (op & ~LOCK_NB) {
	case LOCK_SH: type = F_RDLCK; break;
	case LOCK_EX: type = F_WRLCK; break;
	case LOCK_UN: type = F_UNLCK; break;
	default: return -EINVAL;
	}
	struct file *f = fd_hold(fd);	/* not an O_PATH descriptor */
	if (!f)
		return -EBADF;
	return locks_flock(f, type, op & LOCK_NB);
}
