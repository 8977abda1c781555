/*
 * fcntl(2) and flock(2): descriptor and status flags, record and flock
 * locks (kernel/fs/locks.c).
 */
#include <kernel/proc.h>
#include <kernel/vfs.h>
#include <kernel/vm.h>
#include <kernel/locks.h>
#include <kernel/syscall.h>
#include <kernel/errno.h>

#define F_DUPFD 0
#define F_GETFD 1
#define F_SETFD 2
#define F_GETFL 3
#define F_SETFL 4
#define F_SETLEASE 1024
#define F_GETLEASE 1025
#define F_DUPFD_CLOEXEC 1030

/* The status flags F_SETFL sets: Linux's SETFL_MASK less O_DIRECT and
 * O_NOATIME, which no Petrel file system has. */
#define SETFL_MASK (O_APPEND | O_NONBLOCK)

#define LOCK_SH 1
#define LOCK_EX 2
#define LOCK_NB 4
#define LOCK_UN 8
#define LOCK_MAND 32

/* The commands an O_PATH descriptor takes (Linux's check_fcntl_cmd). */
static bool
path_fd_allows(int cmd)
{
	return cmd == F_DUPFD || cmd == F_DUPFD_CLOEXEC || cmd == F_GETFD ||
	       cmd == F_SETFD || cmd == F_GETFL;
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
	case F_SETLEASE:
		return -EINVAL;	/* as Linux with fs.leases-enable = 0 */
	case F_GETLEASE:
		return F_UNLCK;	/* no lease is ever held */
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
	case F_SETFL:
		f->flags = (f->flags & ~SETFL_MASK) | ((unsigned)arg & SETFL_MASK);
		return 0;
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
