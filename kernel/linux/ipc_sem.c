/*
 * System V semaphores (semget, semop, semtimedop, semctl), as Linux's
 * ipc/sem.c: a set's operations apply all together or not at all; a
 * caller that would block sleeps on the set and tries again at each
 * change. SEM_UNDO adjustments are kept per process (shared by its
 * threads, as glibc's CLONE_SYSVSEM) and applied when it exits.
 */
#include <kernel/proc.h>
#include <kernel/sched.h>
#include <kernel/vm.h>
#include <kernel/kmalloc.h>
#include <kernel/string.h>
#include <kernel/printk.h>
#include <kernel/clock.h>
#include <kernel/stat.h>
#include <kernel/sysvipc.h>
#include <kernel/errno.h>
#include <syscall_table.h>
#include "ipc_int.h"

#define GETPID 11
#define GETVAL 12
#define GETALL 13
#define GETNCNT 14
#define GETZCNT 15
#define SETVAL 16
#define SETALL 17
#define SEM_STAT 18
#define SEM_INFO 19
#define SEM_STAT_ANY 20
#define SEM_UNDO 0x1000
#define SEMVMX 32767
#define SEMAEM SEMVMX
#define SEMUSZ 20

struct sem {
	int val;
	int pid;			/* the last process to change it */
};

/* A sleeper in semop, and the operation it waits on (GETNCNT, GETZCNT). */
struct sem_waiter {
	struct list link;		/* set->waiters */
	unsigned short num;
	short op;
};

struct sem_set {
	struct ipc_obj obj;
	int nsems;
	int64_t otime;
	struct waitq wq;		/* semop sleepers */
	struct list waiters;		/* struct sem_waiter */
	struct list undos;		/* struct sem_undo.set_link */
	struct sem sems[];
};

/* One process's adjustments to one set. */
struct sem_undo {
	struct list proc_link;		/* sem_undo_list.undos */
	struct list set_link;		/* set->undos, while the set lives */
	int set_id;			/* -1 once the set is removed */
	int nsems;
	short adj[];
};

struct sem_undo_list {
	struct list undos;
};

/* struct sembuf and struct semid64_ds (whose padding is the arch's:
 * <arch/abi.h>, through <kernel/stat.h>). */
struct sembuf_k {
	unsigned short num;
	short op;
	short flg;
};

struct semid_ds_k {
	struct ipc_perm64 perm;
	int64_t otime;
	SEMID_TIME_PAD(unused1)
	int64_t ctime;
	SEMID_TIME_PAD(unused2)
	uint64_t nsems;
	uint64_t unused3, unused4;
};

struct seminfo_k {
	int semmap, semmni, semmns, semmnu, semmsl, semopm, semume, semusz;
	int semvmx, semaem;
};

static void sem_free_set(struct ipc_obj *o);
static void sem_remove_obj(struct ipc_obj *o);
struct ipc_ids sem_ids = { .last_idx = -1, .next_id = -1, .free = sem_free_set,
			   .remove = sem_remove_obj };
static int sems_used;		/* semaphores in all sets (SEMMNS) */

static struct sem_set *
set_of(struct ipc_obj *o)
{
	return (struct sem_set *)o;
}

static void
sem_free_set(struct ipc_obj *o)
{
	kfree(o);
}

static struct ipc_obj *
sem_create(int key, int flags, long nsems)
{
	if (nsems == 0)
		return ERR_PTR(-EINVAL);
	if (sems_used + nsems > ipc_limits.semmns)
		return ERR_PTR(-ENOSPC);
	size_t size = sizeof(struct sem_set) + (size_t)nsems * sizeof(struct sem);
	struct sem_set *s = ipc_memory_ok(size) ? kzalloc(size) : NULL;
	if (!s)
		return ERR_PTR(-ENOMEM);
	s->nsems = (int)nsems;
	waitq_init(&s->wq);
	list_init(&s->waiters);
	list_init(&s->undos);
	int r = ipc_add(&sem_ids, &s->obj, key, flags, ipc_limits.semmni);
	if (r < 0) {
		kfree(s);
		return ERR_PTR(r);
	}
	sems_used += (int)nsems;
	return &s->obj;
}

static int
sem_check(struct ipc_obj *o, long nsems)
{
	return nsems > set_of(o)->nsems ? -EINVAL : 0;
}

long
sys_semget(int key, int nsems, int flags)
{
	if (nsems < 0 || nsems > ipc_limits.semmsl)
		return -EINVAL;
	return ipc_get(&sem_ids, key, flags, sem_create, sem_check, nsems);
}

/* Every sleeper looks again: values changed, or the set went. */
static void
sem_changed(struct sem_set *s)
{
	waitq_wake_all(&s->wq);
}

static void
sem_remove(struct sem_set *s)
{
	list_for_each_safe(it, nx, &s->undos) {
		struct sem_undo *un = list_entry(it, struct sem_undo, set_link);
		list_remove(&un->set_link);
		un->set_id = -1;
	}
	sems_used -= s->nsems;
	sem_changed(s);
	ipc_remove(&sem_ids, &s->obj);
}

static void
sem_remove_obj(struct ipc_obj *o)
{
	sem_remove(set_of(o));
}

/* The caller's adjustments to set s, made on first use; NULL if out of
 * memory. Entries of removed sets are dropped on the way. */
static struct sem_undo *
undo_find(struct sem_set *s)
{
	struct proc *p = current()->proc;
	if (!p->sem_undo) {
		p->sem_undo = kmalloc(sizeof(*p->sem_undo));
		if (!p->sem_undo)
			return NULL;
		list_init(&p->sem_undo->undos);
	}
	list_for_each_safe(it, nx, &p->sem_undo->undos) {
		struct sem_undo *un = list_entry(it, struct sem_undo, proc_link);
		if (un->set_id == s->obj.id)
			return un;
		if (un->set_id < 0) {
			list_remove(&un->proc_link);
			kfree(un);
		}
	}
	struct sem_undo *un = kzalloc(sizeof(*un) +
				      (size_t)s->nsems * sizeof(short));
	if (!un)
		return NULL;
	un->set_id = s->obj.id;
	un->nsems = s->nsems;
	list_push_back(&p->sem_undo->undos, &un->proc_link);
	list_push_back(&s->undos, &un->set_link);
	return un;
}

/* Forgets every process's adjustment of semaphore num (all if -1): SETVAL
 * and SETALL set values no undo should move. */
static void
undo_clear(struct sem_set *s, int num)
{
	list_for_each(it, &s->undos) {
		struct sem_undo *un = list_entry(it, struct sem_undo, set_link);
		if (num >= 0)
			un->adj[num] = 0;
		else
			memset(un->adj, 0, (size_t)un->nsems * sizeof(short));
	}
}

/*
 * Linux's perform_atomic_semop: applies every operation or none. Returns
 * 0 when done, 1 when the caller must wait for operation *blocking,
 * -EAGAIN for that with IPC_NOWAIT, -ERANGE past SEMVMX or SEMAEM.
 */
static int
sem_try(struct sem_set *s, const struct sembuf_k *sops, int nsops,
	struct sem_undo *un, int *blocking)
{
	int i, err;
	for (i = 0; i < nsops; i++) {
		struct sem *sem = &s->sems[sops[i].num];
		int op = sops[i].op;
		if ((op == 0 && sem->val) || sem->val + op < 0) {
			*blocking = i;
			err = (sops[i].flg & IPC_NOWAIT) ? -EAGAIN : 1;
			goto undo;
		}
		if (sem->val + op > SEMVMX) {
			err = -ERANGE;
			goto undo;
		}
		if (sops[i].flg & SEM_UNDO) {
			int adj = un->adj[sops[i].num] - op;
			if (adj < -SEMAEM - 1 || adj > SEMAEM) {
				err = -ERANGE;
				goto undo;
			}
			un->adj[sops[i].num] = (short)adj;
		}
		sem->val += op;
	}
	for (i = 0; i < nsops; i++)
		s->sems[sops[i].num].pid = ipc_pid();
	s->otime = ipc_now();
	return 0;
undo:
	while (i-- > 0) {
		s->sems[sops[i].num].val -= sops[i].op;
		if (sops[i].flg & SEM_UNDO)
			un->adj[sops[i].num] += sops[i].op;
	}
	return err;
}

/*
 * Sleeps on s until it changes, the deadline passes or a signal comes,
 * counted meanwhile as waiting for sop; holds s. 0 to try again, or
 * -EIDRM, -EAGAIN (timed out), -EINTR. May sleep.
 */
static int
sem_sleep(struct sem_set *s, const struct sembuf_k *sop, uint64_t deadline)
{
	struct sem_waiter w = { .num = sop->num, .op = sop->op };
	list_push_back(&s->waiters, &w.link);
	ipc_hold(&s->obj);
	int r = waitq_wait(&s->wq, deadline, true);
	list_remove(&w.link);
	bool removed = s->obj.removed;
	ipc_put(&sem_ids, &s->obj);
	if (removed)
		return -EIDRM;
	if (r == -ETIMEDOUT)
		return -EAGAIN;
	return r < 0 ? -EINTR : 0;
}

/* Checks the operations against s; 0, or the error Linux gives first. */
static int
sem_ops_check(struct sem_set *s, const struct sembuf_k *sops, int nsops,
	      bool *alter)
{
	int max = 0;
	*alter = false;
	for (int i = 0; i < nsops; i++) {
		if (sops[i].num >= max)
			max = sops[i].num;
		if (sops[i].op != 0)
			*alter = true;
	}
	if (max >= s->nsems)
		return -EFBIG;
	if (!ipc_allowed(&s->obj, *alter ? IPC_WANT_WRITE : IPC_WANT_READ))
		return -EACCES;
	return 0;
}

static long
sem_do(int id, const struct sembuf_k *sops, int nsops, uint64_t deadline)
{
	bool undo = false, alter;
	for (int i = 0; i < nsops; i++)
		if (sops[i].flg & SEM_UNDO)
			undo = true;
	struct ipc_obj *o = ipc_find(&sem_ids, id);
	if (!o)
		return -EINVAL;
	struct sem_set *s = set_of(o);
	struct sem_undo *un = undo ? undo_find(s) : NULL;
	if (undo && !un)
		return -ENOMEM;
	int r = sem_ops_check(s, sops, nsops, &alter);
	while (r == 0) {
		int blocking = 0;
		r = sem_try(s, sops, nsops, un, &blocking);
		if (r == 0 && alter)
			sem_changed(s);
		if (r <= 0)
			break;
		r = sem_sleep(s, &sops[blocking], deadline);
	}
	return r;
}

long
sys_semtimedop(int id, uaddr_t usops, size_t nsops, uaddr_t utimeout)
{
	if (nsops < 1 || id < 0)
		return -EINVAL;
	if (nsops > (size_t)ipc_limits.semopm)
		return -E2BIG;
	struct sembuf_k *sops = kmalloc(nsops * sizeof(*sops));
	if (!sops)
		return -ENOMEM;
	long r = -EFAULT;
	if (copyin(sops, usops, nsops * sizeof(*sops)) < 0)
		goto out;
	uint64_t deadline = 0;
	if (utimeout) {
		struct timespec_k ts;
		if (copyin(&ts, utimeout, sizeof(ts)) < 0)
			goto out;
		r = -EINVAL;
		if (!timespec_valid(&ts))
			goto out;
		deadline = arch_now_ns() + timespec_to_ns(&ts);
		if (deadline == 0)
			deadline = 1;
	}
	r = sem_do(id, sops, (int)nsops, deadline);
out:
	kfree(sops);
	return r;
}

long
sys_semop(int id, uaddr_t usops, size_t nsops)
{
	return sys_semtimedop(id, usops, nsops, 0);
}

/* GETNCNT (zero false) and GETZCNT: sleepers waiting on semaphore num
 * to grow, or to be zero. */
static int
sem_count_waiters(struct sem_set *s, int num, bool zero)
{
	int n = 0;
	list_for_each(it, &s->waiters) {
		struct sem_waiter *w = list_entry(it, struct sem_waiter, link);
		if (w->num == num && (zero ? w->op == 0 : w->op < 0))
			n++;
	}
	return n;
}

static long
sem_getall(struct sem_set *s, uaddr_t uarray)
{
	unsigned short *vals = kmalloc((size_t)s->nsems * sizeof(*vals));
	if (!vals)
		return -ENOMEM;
	for (int i = 0; i < s->nsems; i++)
		vals[i] = (unsigned short)s->sems[i].val;
	long r = copyout(uarray, vals, (size_t)s->nsems * sizeof(*vals));
	kfree(vals);
	return r < 0 ? -EFAULT : 0;
}

static long
sem_setall(struct sem_set *s, uaddr_t uarray)
{
	unsigned short *vals = kmalloc((size_t)s->nsems * sizeof(*vals));
	if (!vals)
		return -ENOMEM;
	long r = 0;
	if (copyin(vals, uarray, (size_t)s->nsems * sizeof(*vals)) < 0)
		r = -EFAULT;
	for (int i = 0; r == 0 && i < s->nsems; i++)
		if (vals[i] > SEMVMX)
			r = -ERANGE;
	if (r == 0) {
		undo_clear(s, -1);
		for (int i = 0; i < s->nsems; i++) {
			s->sems[i].val = vals[i];
			s->sems[i].pid = ipc_pid();
		}
		s->obj.ctime = ipc_now();
		sem_changed(s);
	}
	kfree(vals);
	return r;
}

/* Linux's semctl_main: GETALL, SETALL and the one-semaphore reads. */
static long
sem_main(int id, int num, int cmd, uaddr_t uarg)
{
	struct ipc_obj *o = ipc_find(&sem_ids, id);
	if (!o)
		return -EINVAL;
	struct sem_set *s = set_of(o);
	if (!ipc_allowed(o, cmd == SETALL ? IPC_WANT_WRITE : IPC_WANT_READ))
		return -EACCES;
	if (cmd == GETALL)
		return sem_getall(s, uarg);
	if (cmd == SETALL)
		return sem_setall(s, uarg);
	if (num < 0 || num >= s->nsems)
		return -EINVAL;
	switch (cmd) {
	case GETVAL: return s->sems[num].val;
	case GETPID: return s->sems[num].pid;
	case GETNCNT: return sem_count_waiters(s, num, false);
	default: return sem_count_waiters(s, num, true);
	}
}

static long
sem_setval(int id, int num, int val)
{
	if (val > SEMVMX || val < 0)
		return -ERANGE;
	struct ipc_obj *o = ipc_find(&sem_ids, id);
	if (!o)
		return -EINVAL;
	struct sem_set *s = set_of(o);
	if (num < 0 || num >= s->nsems)
		return -EINVAL;
	if (!ipc_allowed(o, IPC_WANT_WRITE))
		return -EACCES;
	undo_clear(s, num);
	s->sems[num].val = val;
	s->sems[num].pid = ipc_pid();
	o->ctime = ipc_now();
	sem_changed(s);
	return 0;
}

static long
sem_info(int cmd, uaddr_t ubuf)
{
	struct seminfo_k info = {
		.semmni = ipc_limits.semmni, .semmns = ipc_limits.semmns,
		.semmsl = ipc_limits.semmsl, .semopm = ipc_limits.semopm,
		.semvmx = SEMVMX,
		/* SEMMNU, SEMMAP and SEMUME: Linux's constants. */
		.semmnu = 32000 * 32000, .semmap = 32000 * 32000,
		.semume = 500,
		.semusz = cmd == SEM_INFO ? sem_ids.in_use : SEMUSZ,
		.semaem = cmd == SEM_INFO ? sems_used : SEMAEM,
	};
	int max = ipc_max_index(&sem_ids);
	if (copyout(ubuf, &info, sizeof(info)) < 0)
		return -EFAULT;
	return max < 0 ? 0 : max;
}

static long
sem_stat(int id, int cmd, uaddr_t ubuf)
{
	struct ipc_obj *o = cmd == IPC_STAT ? ipc_find(&sem_ids, id) :
			    ipc_find_index(&sem_ids, id % IPCMNI);
	if (!o)
		return -EINVAL;
	if (cmd != SEM_STAT_ANY && !ipc_allowed(o, IPC_WANT_READ))
		return -EACCES;
	struct semid_ds_k ds = { .otime = set_of(o)->otime,
				 .ctime = o->ctime,
				 .nsems = (uint64_t)set_of(o)->nsems };
	ipc_perm_out(o, &ds.perm);
	if (copyout(ubuf, &ds, sizeof(ds)) < 0)
		return -EFAULT;
	return cmd == IPC_STAT ? 0 : o->id;
}

static long
sem_set_or_remove(int id, int cmd, const struct semid_ds_k *ds)
{
	struct ipc_obj *o = ipc_find(&sem_ids, id);
	if (!o)
		return -EINVAL;
	int r = ipc_owner_check(o);
	if (r < 0)
		return r;
	if (cmd == IPC_RMID)
		sem_remove(set_of(o));
	else
		ipc_perm_set(o, &ds->perm);
	return 0;
}

long
sys_semctl(int id, int num, int cmd, uint64_t arg)
{
	struct semid_ds_k ds;
	if (id < 0)
		return -EINVAL;
	switch (cmd) {
	case IPC_INFO:
	case SEM_INFO:
		return sem_info(cmd, arg);
	case IPC_STAT:
	case SEM_STAT:
	case SEM_STAT_ANY:
		return sem_stat(id, cmd, arg);
	case GETALL:
	case GETVAL:
	case GETPID:
	case GETNCNT:
	case GETZCNT:
	case SETALL:
		return sem_main(id, num, cmd, arg);
	case SETVAL:
		return sem_setval(id, num, (int)arg);
	case IPC_SET:
		if (copyin(&ds, arg, sizeof(ds)) < 0)
			return -EFAULT;
		return sem_set_or_remove(id, cmd, &ds);
	case IPC_RMID:
		return sem_set_or_remove(id, cmd, NULL);
	default:
		return -EINVAL;
	}
}

/* Applies one adjustment list at exit, as Linux's exit_sem: values kept
 * within 0..SEMVMX. */
static void
undo_apply(struct sem_undo *un, int pid)
{
	struct ipc_obj *o = ipc_find(&sem_ids, un->set_id);
	if (!o)
		return;
	struct sem_set *s = set_of(o);
	for (int i = 0; i < un->nsems && i < s->nsems; i++) {
		if (!un->adj[i])
			continue;
		int val = s->sems[i].val + un->adj[i];
		s->sems[i].val = val < 0 ? 0 : val > SEMVMX ? SEMVMX : val;
		s->sems[i].pid = pid;
	}
	list_remove(&un->set_link);
	sem_changed(s);
}

void
sem_exit(struct proc *p)
{
	if (!p->sem_undo)
		return;
	list_for_each_safe(it, nx, &p->sem_undo->undos) {
		struct sem_undo *un = list_entry(it, struct sem_undo, proc_link);
		if (un->set_id >= 0)
			undo_apply(un, p->pid);
		list_remove(&un->proc_link);
		kfree(un);
	}
	kfree(p->sem_undo);
	p->sem_undo = NULL;
}

void
sem_list(ipc_emit_fn emit, void *ctx)
{
	char line[160];
	emit(ctx, "       key      semid perms      nsems   uid   gid  cuid  "
		  "cgid      otime      ctime\n");
	for (int i = 0; i < sem_ids.cap; i++) {
		struct sem_set *s = set_of(sem_ids.slot[i]);
		if (!s)
			continue;
		snprintk(line, sizeof(line),
			 "%10d %10d  %4o %10u %5u %5u %5u %5u %10ld %10ld\n",
			 s->obj.key, s->obj.id, s->obj.mode, s->nsems,
			 s->obj.uid, s->obj.gid, s->obj.cuid, s->obj.cgid,
			 s->otime, s->obj.ctime);
		emit(ctx, line);
	}
}
