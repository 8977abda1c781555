/*
 * ioprio_get and ioprio_set: the I/O priority Linux keeps per thread (its
 * io_context), inherited by new threads. Petrel's file systems have no
 * I/O scheduler to hand it to, so it is checked as Linux 6.12's
 * block/ioprio.c checks it, kept, and reported back.
 */
#include <kernel/proc.h>
#include <kernel/caps.h>
#include <kernel/syscall.h>
#include <syscall_table.h>
#include <kernel/errno.h>

#define IOPRIO_WHO_PROCESS 1
#define IOPRIO_WHO_PGRP 2
#define IOPRIO_WHO_USER 3

#define IOPRIO_CLASS_SHIFT 13
#define IOPRIO_CLASS_NONE 0
#define IOPRIO_CLASS_RT 1
#define IOPRIO_CLASS_BE 2
#define IOPRIO_CLASS_IDLE 3
#define IOPRIO_LEVEL_MASK 7
#define IOPRIO_BE_NORM 4

static int
ioprio_class(int ioprio)
{
	return (ioprio >> IOPRIO_CLASS_SHIFT) & 7;
}

/* Linux's ioprio_check_cap: RT needs CAP_SYS_NICE; NONE
 * takes no level; classes past IDLE are invalid. */
static int
ioprio_check(int ioprio)
{
	switch (ioprio_class(ioprio)) {
	case IOPRIO_CLASS_RT:
		return capable(CAP_SYS_NICE) ? 0 : -EPERM;
	case IOPRIO_CLASS_BE:
	case IOPRIO_CLASS_IDLE:
		return 0;
	case IOPRIO_CLASS_NONE:
		return ioprio & IOPRIO_LEVEL_MASK ? -EINVAL : 0;
	}
	return -EINVAL;
}

struct ioprio_walk {
	int ioprio;
	long result;		/* -ESRCH until a thread is seen */
};

/* Linux's set_task_ioprio: the caller owns t (its uid is t's uid or euid),
 * or has CAP_SYS_NICE. */
static void
ioprio_set_one(struct thread *t, void *arg)
{
	struct ioprio_walk *w = arg;
	struct proc *self = current()->proc;
	if (t->proc->uid != self->euid && t->proc->uid != self->uid &&
	    !capable(CAP_SYS_NICE)) {
		w->result = -EPERM;
		return;
	}
	t->sched.ioprio = w->ioprio;
	if (w->result == -ESRCH)
		w->result = 0;
}

/* Linux's ioprio_best: NONE counts as best-effort at the normal level,
 * and the lower value is the higher priority. */
static int
ioprio_best(int a, int b)
{
	int norm = IOPRIO_CLASS_BE << IOPRIO_CLASS_SHIFT | IOPRIO_BE_NORM;
	if (ioprio_class(a) == IOPRIO_CLASS_NONE)
		a = norm;
	if (ioprio_class(b) == IOPRIO_CLASS_NONE)
		b = norm;
	return a < b ? a : b;
}

static void
ioprio_get_one(struct thread *t, void *arg)
{
	struct ioprio_walk *w = arg;
	if (w->result == -ESRCH)
		w->result = t->sched.ioprio;
	else
		w->result = ioprio_best((int)w->result, t->sched.ioprio);
}

long
sys_ioprio_set(int which, int who, int ioprio)
{
	if (which < IOPRIO_WHO_PROCESS || which > IOPRIO_WHO_USER)
		return -EINVAL;
	int error = ioprio_check(ioprio);
	if (error < 0)
		return error;
	struct ioprio_walk w = { ioprio & 0xffff, -ESRCH };	/* a u16 */
	prio_each(which - IOPRIO_WHO_PROCESS, who, ioprio_set_one, &w);
	return w.result;
}

/* One thread's value as it was set (0, class NONE, until then); for a
 * group or a user, the best of their threads'. */
long
sys_ioprio_get(int which, int who)
{
	if (which < IOPRIO_WHO_PROCESS || which > IOPRIO_WHO_USER)
		return -EINVAL;
	struct ioprio_walk w = { 0, -ESRCH };
	prio_each(which - IOPRIO_WHO_PROCESS, who, ioprio_get_one, &w);
	return w.result;
}
