/*
 * fork, vfork, clone and clone3: a new process or thread (proc_clone),
 * the ids written where the caller asked, a pidfd for CLONE_PIDFD, the
 * tracer told, and the vfork wait.
 *
 * clone3 (Linux 5.3) takes struct clone_args, checked as Linux 6.1's
 * copy_clone_args_from_user and clone3_args_valid check it: a size of at
 * least its first version's 64 bytes and at most a page, anything past
 * the fields known zero (else E2BIG); no exit signal in the flags, one in
 * exit_signal (none with CLONE_THREAD or CLONE_PARENT); a stack given as
 * its lowest address and size; CLONE_CLEAR_SIGHAND; set_tid (one id:
 * Petrel has one PID namespace) with CAP_SYS_ADMIN or
 * CAP_CHECKPOINT_RESTORE. CLONE_INTO_CGROUP names a cgroup2 directory,
 * which Petrel has none of: EBADF, as Linux for a descriptor that is not
 * one.
 */
#include <kernel/caps.h>
#include <kernel/errno.h>
#include <kernel/ns.h>
#include <kernel/proc.h>
#include <kernel/ptrace.h>
#include <kernel/refcount.h>
#include <kernel/sched.h>
#include <kernel/string.h>
#include <kernel/syscall.h>
#include <kernel/vfs.h>
#include <kernel/vm.h>
#include <syscall_table.h>

#define CLONE_PIDFD 0x1000
#define CLONE_DETACHED 0x400000
#define CLONE_CLEAR_SIGHAND 0x100000000ul
#define CLONE_INTO_CGROUP 0x200000000ul
#define CSIGNAL 0xff
#define SIG_DFL 0
#define SIG_IGN 1
#define CLONE_ARGS_SIZE_VER0 64
#define CLONE_ARGS_SIZE_VER2 88

struct clone_args_k {
	uint64_t flags, pidfd, child_tid, parent_tid, exit_signal;
	uint64_t stack, stack_size, tls, set_tid, set_tid_size, cgroup;
};
_Static_assert(sizeof(struct clone_args_k) == CLONE_ARGS_SIZE_VER2,
	       "clone_args, version 2");

/* Writes the new thread's tid where CLONE_*SETTID asked. */
static void
clone_settid(unsigned long flags, struct thread *t, uaddr_t ptid, uaddr_t ctid)
{
	int tid = t->tid;
	if (flags & CLONE_PARENT_SETTID)
		copyout(ptid, &tid, sizeof(tid));
	if (flags & CLONE_CHILD_CLEARTID)
		t->clear_child_tid = ctid;
	if (flags & CLONE_CHILD_SETTID) {
		/* Written into the child's memory (shared if CLONE_VM). */
		struct vm *saved = current()->proc->vm;
		vm_activate(t->proc->vm);
		current()->proc->vm = t->proc->vm;
		copyout(ctid, &tid, sizeof(tid));
		current()->proc->vm = saved;
		vm_activate(saved);
	}
}

/* CLONE_CLEAR_SIGHAND: the child's handlers back to the default; what
 * was ignored stays ignored. */
static void
clear_handlers(struct proc *p)
{
	for (int sig = 1; sig < NSIG; sig++) {
		struct sigaction_k *a = &p->sighand->action[sig];
		if (a->handler != SIG_IGN)
			*a = (struct sigaction_k){ .handler = SIG_DFL };
	}
}

/*
 * The work of clone and clone3, the flags checked: with CLONE_PIDFD the
 * pidfd's number goes to pidfd_at before the child runs. With
 * CLONE_VFORK the caller sleeps until the new thread execs or exits
 * (killable, as on Linux). It waits on a vfork_done of its own, which the
 * child only releases: the child and its process may be gone, freed, by
 * the time the caller runs again.
 */
static long
do_clone(unsigned long flags, uint64_t newsp, uaddr_t ptid, uaddr_t ctid,
	 uint64_t tls, uaddr_t pidfd_at, int want_tid)
{
	struct proc *me = current()->proc;
	struct vfork_done *vd = NULL;
	struct file *pidfile = NULL;
	int pidfd = -1;
	long e = 0;
	if (flags & CLONE_PIDFD) {
		/* Made, and its number written, before the child exists:
		   a failure then leaves no child behind, as Linux's. */
		long fd = pidfd_new(NULL, 0, &pidfile);
		if (fd < 0)
			return fd;
		pidfd = (int)fd;
		if (copyout(pidfd_at, &pidfd, sizeof(pidfd)) < 0)
			e = -EFAULT;
	}
	if (!e && (flags & CLONE_VFORK) && !(vd = vfork_done_new()))
		e = -ENOMEM;
	struct thread *t = e ? ERR_PTR(e) :
		proc_clone(flags & ~(CLONE_PIDFD | CLONE_CLEAR_SIGHAND), newsp,
			   tls, want_tid);
	if (pidfile) {
		if (!IS_ERR(t))
			pidfd_name(pidfile, t->proc);
		file_put(pidfile);
		if (IS_ERR(t))
			fd_close(me, pidfd);
	}
	if (IS_ERR(t)) {
		vfork_done_put(vd);
		return PTR_ERR(t);
	}
	if (flags & CLONE_CLEAR_SIGHAND)
		clear_handlers(t->proc);
	int tid = t->tid;
	clone_settid(flags, t, ptid, ctid);
	if (vd) {
		ref_get(&vd->refcount);		/* the child's */
		t->vfork_done = vd;
	}
	int event = ptrace_clone(t, flags);	/* traced before it runs */
	sched_wake(t);
	ptrace_event(event, (uint64_t)tid);
	if (vd) {
		vfork_wait(vd);
		ptrace_event(PTRACE_EVENT_VFORK_DONE, (uint64_t)tid);
	}
	return tid;
}

/* clone(2): Linux ignores the flags it does not know; CLONE_PIDFD puts
 * the pidfd's number where CLONE_PARENT_SETTID would put the id, so not
 * both, and not with a thread or CLONE_DETACHED. */
long
sys_clone(unsigned long flags, uint64_t newsp, uaddr_t ptid, uaddr_t ctid,
	  uint64_t tls)
{
	flags &= 0xfffffffful;
	if ((flags & CLONE_PIDFD) &&
	    (flags & (CLONE_THREAD | CLONE_DETACHED | CLONE_PARENT_SETTID)))
		return -EINVAL;
	return do_clone(flags, newsp, ptid, ctid, tls, ptid, 0);
}

long
sys_fork(void)
{
	return do_clone(SIGCHLD, 0, 0, 0, 0, 0, 0);
}

long
sys_vfork(void)
{
	return do_clone(CLONE_VM | CLONE_VFORK | SIGCHLD, 0, 0, 0, 0, 0, 0);
}

/* The first version's 64 bytes up to a page, as copy_struct_in takes it. */
static int
copy_args(struct clone_args_k *a, uaddr_t uargs, size_t size)
{
	if (size < CLONE_ARGS_SIZE_VER0)
		return -EINVAL;
	if (size > PAGE_SIZE)
		return -E2BIG;
	return copy_struct_in(a, sizeof(*a), uargs, size);
}

/* clone3_args_valid, and set_tid's and cgroup's own checks. */
static int
args_check(const struct clone_args_k *a, int *want_tid)
{
	struct proc *p = current()->proc;
	if ((a->set_tid && !a->set_tid_size) || (!a->set_tid && a->set_tid_size))
		return -EINVAL;
	if (a->set_tid_size > 32)		/* MAX_PID_NS_LEVEL */
		return -EINVAL;
	if (a->exit_signal & ~(uint64_t)CSIGNAL || a->exit_signal >= NSIG)
		return -EINVAL;
	if ((a->flags & CLONE_INTO_CGROUP) && a->cgroup > 0x7fffffff)
		return -EINVAL;
	if (a->flags & ~(0xfffffffful | CLONE_CLEAR_SIGHAND | CLONE_INTO_CGROUP))
		return -EINVAL;
	if (a->flags & (CLONE_DETACHED | (CSIGNAL & ~CLONE_NEWTIME)))
		return -EINVAL;
	if ((a->flags & CLONE_SIGHAND) && (a->flags & CLONE_CLEAR_SIGHAND))
		return -EINVAL;
	if ((a->flags & (CLONE_THREAD | CLONE_PARENT)) && a->exit_signal)
		return -EINVAL;
	if (!a->stack ? a->stack_size != 0 :
	    !a->stack_size || a->stack + a->stack_size < a->stack ||
	    a->stack + a->stack_size > USER_TOP)
		return -EINVAL;
	if ((a->flags & CLONE_PIDFD) &&
	    ((a->flags & CLONE_THREAD) || ((a->flags & CLONE_PARENT_SETTID) &&
					   a->pidfd == a->parent_tid)))
		return -EINVAL;
	*want_tid = 0;
	if (a->set_tid_size) {
		/* One PID namespace: an id for it alone. */
		if (a->set_tid_size > 1)
			return -EINVAL;
		int tid;
		if (copyin(&tid, a->set_tid, sizeof(tid)) < 0)
			return -EFAULT;
		if (tid < 1 || (unsigned)tid >= pid_max)
			return -EINVAL;
		if (!proc_capable(p, CAP_SYS_ADMIN) &&
		    !proc_capable(p, CAP_CHECKPOINT_RESTORE))
			return -EPERM;
		*want_tid = tid;
	}
	if (a->flags & CLONE_INTO_CGROUP)
		return -EBADF;		/* no cgroup2 directory exists */
	return 0;
}

long
sys_clone3(uaddr_t uargs, size_t size)
{
	struct clone_args_k a;
	int want_tid, e;
	if ((e = copy_args(&a, uargs, size)) < 0 ||
	    (e = args_check(&a, &want_tid)) < 0)
		return e;
	unsigned long flags = (a.flags & ~(unsigned long)CSIGNAL) | a.exit_signal;
	if (a.flags & CLONE_NEWTIME)
		flags |= CLONE3_NEWTIME;
	uint64_t sp = a.stack ? a.stack + a.stack_size : 0;
	return do_clone(flags, sp, a.parent_tid, a.child_tid, a.tls, a.pidfd,
			want_tid);
}
