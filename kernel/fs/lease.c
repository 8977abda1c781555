/*
 * File leases (fcntl F_SETLEASE, F_GETLEASE), as Linux's fs/locks.c: a
 * read lease on a file no one has open for writing, a write lease on a
 * file no one else has open at all. An open that conflicts (any open
 * against a write lease, a write open or truncate against a read lease)
 * breaks the lease: its holder gets SIGIO (or the F_SETSIG signal, with
 * POLL_MSG) and the opener waits until the holder downgrades or removes
 * the lease, or /proc/sys/fs/lease-break-time seconds pass and the kernel
 * does it; a non-blocking open fails with EWOULDBLOCK. Leases are few, so
 * they sit on one list rather than on their inodes. Big lock.
 */
#include <kernel/locks.h>
#include <kernel/vfs.h>
#include <kernel/proc.h>
#include <kernel/sched.h>
#include <kernel/signal.h>
#include <kernel/kmalloc.h>
#include <kernel/errno.h>
#include <kernel/arch.h>

#define NSEC_PER_SEC 1000000000ull

unsigned lease_break_time = 45;
unsigned leases_enable = 1;

struct lease {
	struct list link;	/* all_leases */
	struct file *file;	/* the holder; its close removes the lease */
	int fd;			/* si_fd of the break's signal */
	int type;		/* F_RDLCK or F_WRLCK */
	int target;		/* what a pending break asks for: F_RDLCK
				   or F_UNLCK; type when none is pending */
	uint64_t break_at;	/* arch_now_ns when the kernel gives the
				   target itself; 0: no break pending */
	int pid;		/* the setter's, for /proc/locks */
};

static struct list all_leases = LIST_INIT(all_leases);
/* Openers waiting for a lease to give way: they look again at any change. */
static struct waitq lease_waiters = WAITQ_INIT(lease_waiters);

static struct lease *
lease_of(struct file *f)
{
	list_for_each(it, &all_leases) {
		struct lease *l = list_entry(it, struct lease, link);
		if (l->file == f)
			return l;
	}
	return NULL;
}

static void
lease_free(struct lease *l)
{
	list_remove(&l->link);
	kfree(l);
}

/* The holder (or the kernel, at break_at) sets type: Linux's lease_modify
 * with lease_clear_pending. A break stays pending until the type reaches
 * its target. */
static void
lease_change(struct lease *l, int type)
{
	waitq_wake_all(&lease_waiters);
	if (type == F_UNLCK) {
		/* As Linux: the file's owner and F_SETSIG go with it. */
		l->file->owner.pid = 0;
		l->file->owner.signum = 0;
		lease_free(l);
		return;
	}
	l->type = type;
	if (l->target != F_UNLCK && type == F_RDLCK) {
		l->target = F_RDLCK;
		l->break_at = 0;
	}
	if (l->break_at == 0)
		l->target = type;
}

/*
 * Whether another open of ino stands in the way of a lease of type on f,
 * as Linux's check_conflicting_open: a writer for a read lease; for a
 * write lease any open but f itself.
 */
static bool
lease_open_conflict(struct file *f, int type)
{
	struct inode *ino = f->inode;
	if (type == F_RDLCK)
		return ino->writecount > 0;
	return ino->writecount != (f->writer ? 1 : 0) ||
	       ino->readcount != (f->reader ? 1 : 0);
}

static int
lease_add(struct file *f, int fd, int type)
{
	if (lease_open_conflict(f, type))
		return -EAGAIN;
	struct lease *mine = NULL;
	list_for_each(it, &all_leases) {
		struct lease *l = list_entry(it, struct lease, link);
		if (l->file == f)
			mine = l;
		else if (l->file->inode == f->inode &&
			 (type == F_WRLCK || l->break_at))
			return -EAGAIN;
	}
	if (!mine) {
		mine = kzalloc(sizeof(*mine));
		if (!mine)
			return -ENOMEM;
		mine->file = f;
		mine->type = mine->target = type;
		mine->pid = current()->proc->pid;
		list_push_back(&all_leases, &mine->link);
	} else {
		lease_change(mine, type);
	}
	mine->fd = fd;
	fown_set(f, F_OWNER_PID, current()->proc->pid);
	return 0;
}

long
lease_set(struct file *f, int fd, int type)
{
	struct proc *p = current()->proc;
	if (!leases_enable)
		return -EINVAL;
	if (p->euid != f->inode->uid && !capable(CAP_LEASE))
		return -EACCES;
	if (!S_ISREG(f->inode->mode))
		return -EINVAL;
	if (type == F_RDLCK || type == F_WRLCK)
		return lease_add(f, fd, type);
	if (type != F_UNLCK)
		return -EINVAL;
	struct lease *l = lease_of(f);
	if (!l)
		return -EAGAIN;
	lease_change(l, F_UNLCK);
	return 0;
}

static void lease_time_out(uint64_t now);

long
lease_get(struct file *f)
{
	lease_time_out(arch_now_ns());
	struct lease *l = lease_of(f);
	if (!l)
		return F_UNLCK;
	return l->break_at ? l->target : l->type;
}

/* Breaks that ran out of time: the kernel gives what was asked. */
static void
lease_time_out(uint64_t now)
{
	list_for_each_safe(it, nx, &all_leases) {
		struct lease *l = list_entry(it, struct lease, link);
		if (l->break_at && l->break_at <= now)
			lease_change(l, l->target);
	}
}

/*
 * Starts breaking the leases on ino that an open for write (or read)
 * conflicts with, signalling each holder once per step; returns the
 * soonest time one gives way by itself, or 0 if none conflicts.
 */
static uint64_t
lease_break_start(struct inode *ino, bool write, uint64_t now)
{
	uint64_t soonest = 0;
	int target = write ? F_UNLCK : F_RDLCK;
	list_for_each(it, &all_leases) {
		struct lease *l = list_entry(it, struct lease, link);
		if (l->file->inode != ino || (!write && l->type == F_RDLCK))
			continue;
		bool signal = !l->break_at ||
			      (target == F_UNLCK && l->target != F_UNLCK);
		if (!l->break_at) {
			uint64_t wait = lease_break_time * NSEC_PER_SEC;
			l->break_at = now + (wait ? wait : 1);
		}
		if (signal) {
			l->target = target;
			fown_signal(l->file, l->fd, POLL_MSG);
		}
		if (!soonest || l->break_at < soonest)
			soonest = l->break_at;
	}
	return soonest;
}

int
lease_break(struct inode *ino, unsigned flags)
{
	bool write = (flags & O_ACCMODE) != O_RDONLY;
	for (;;) {
		if (list_empty(&all_leases))
			return 0;
		uint64_t now = arch_now_ns();
		lease_time_out(now);
		uint64_t until = lease_break_start(ino, write, now);
		if (!until)
			return 0;
		if (flags & O_NONBLOCK)
			return -EWOULDBLOCK;
		if (waitq_wait(&lease_waiters, until, true) == -EINTR)
			return -ERESTARTSYS;
	}
}

void
lease_remove_file(struct file *f)
{
	struct lease *l = lease_of(f);
	if (l)
		lease_change(l, F_UNLCK);
}

void
lease_list(void (*emit)(void *arg, const char *line), void *arg, int after)
{
	char line[128];
	list_for_each(it, &all_leases) {
		struct lease *l = list_entry(it, struct lease, link);
		locks_line(line, sizeof(line), ++after,
			   l->break_at ? "LEASE  BREAKING  " :
					 "LEASE  ACTIVE    ",
			   l->break_at ? l->target : l->type, l->pid,
			   l->file->inode, 0, INT64_MAX);
		emit(arg, line);
	}
}
