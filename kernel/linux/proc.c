/*
 * The process tree: creation (fork/clone), exit, reparenting to init and
 * reaping, and the file-descriptor table each process holds.
 */
#include <kernel/proc.h>
#include <kernel/clock.h>
#include <kernel/ns.h>
#include <kernel/aio.h>
#include <kernel/trace.h>
#include <kernel/vm.h>
#include <kernel/vdso.h>
#include <kernel/vfs.h>
#include <kernel/kmalloc.h>
#include <kernel/errno.h>
#include <kernel/printk.h>
#include <kernel/string.h>
#include <kernel/arch.h>
#include <kernel/futex.h>
#include <kernel/ipc.h>
#include <kernel/page.h>
#include <kernel/refcount.h>
#include <kernel/sysvipc.h>
#include <kernel/keys.h>
#include <kernel/ptrace.h>
#include <kernel/syscall.h>
#include <kernel/seccomp.h>
#include <kernel/landlock.h>

#define RLIMIT_NPROC 6

struct list all_procs = LIST_INIT(all_procs);
static struct proc *init_proc;
uint64_t stat_forks;	/* processes created since boot, for /proc/stat */
/*
 * Threads the machine may hold, Linux's kernel.threads-max: RAM over
 * eight kernel stacks (RAM / 256 KiB; 512 in 128 MiB). The default
 * RLIMIT_NPROC is half of it, as on Linux.
 */
static uint64_t threads_max;
static int next_tid = 1;

struct proc *
proc_find(int pid)
{
	list_for_each(it, &all_procs) {
		struct proc *p = list_entry(it, struct proc, all_link);
		if (p->pid == pid)
			return p;
	}
	return NULL;
}

struct thread *
thread_find(int tid)
{
	list_for_each(it, &all_procs) {
		struct proc *p = list_entry(it, struct proc, all_link);
		list_for_each(jt, &p->threads) {
			struct thread *t = list_entry(jt, struct thread, proc_link);
			if (t->tid == tid)
				return t;
		}
	}
	return NULL;
}

struct proc *
proc_find_any(int id)
{
	struct proc *p = proc_find(id);
	struct thread *t = p ? NULL : thread_find(id);
	return p ? p : t ? t->proc : NULL;
}

unsigned pid_max = PID_MAX;

int
tid_last(void)
{
	return next_tid - 1;
}

void
tid_set_last(int id)
{
	next_tid = id + 1;
}

/* clone3's set_tid: id itself, -EEXIST if a process or thread has it. */
static int
tid_take(int id)
{
	return proc_find(id) || thread_find(id) ? -EEXIST : id;
}

int
tid_alloc(void)
{
	for (unsigned tries = 0; tries < pid_max; tries++) {
		int id = next_tid++;
		if ((unsigned)next_tid >= pid_max)
			next_tid = 2;
		if ((unsigned)id >= pid_max)
			continue;	/* pid_max was lowered */
		if (!proc_find(id) && !thread_find(id))
			return id;
	}
	return -1;
}

void
proc_set_parent(struct proc *p, struct proc *parent)
{
	p->parent = parent;
	/* An int store: a nolock getppid sees the old pid or the new. */
	__atomic_store_n(&p->ppid, parent && parent != p ? parent->pid : 0,
			 __ATOMIC_RELAXED);
}

/* A new process with no address space, files or threads yet. */
struct proc *
proc_alloc(struct proc *parent)
{
	struct proc *p = kzalloc(sizeof(*p));
	if (!p)
		return NULL;
	list_init(&p->children);
	list_init(&p->threads);
	list_init(&p->ptimers);
	list_init(&p->aio_ctxs);
	waitq_init(&p->child_wait);
	waitq_init(&p->exec_wait);
	proc_set_parent(p, parent);
	p->exit_signal = SIGCHLD;
	p->start_ns = arch_now_ns();
	p->coredump_filter = 0x33;	/* Linux's default */
	if (parent) {
		memcpy(p->name, parent->name, sizeof(p->name));
		p->pgid = parent->pgid;
		p->sid = parent->sid;
		p->ctty = parent->ctty;
		p->uid = parent->uid;
		p->gid = parent->gid;
		p->euid = parent->euid;
		p->egid = parent->egid;
		p->suid = parent->suid;
		p->sgid = parent->sgid;
		p->fsuid = parent->fsuid;
		p->fsgid = parent->fsgid;
		p->groups = parent->groups;
		groups_get(p->groups);
		p->caps = parent->caps;
		p->personality = parent->personality;
		p->coredump_filter = parent->coredump_filter;
		p->trace = parent->trace;
		p->undumpable = parent->undumpable;
		p->thp_disabled = parent->thp_disabled;
		memcpy(p->rlimits, parent->rlimits, sizeof(p->rlimits));
		memcpy(p->exe, parent->exe, sizeof(p->exe));
	}
	return p;
}

void
proc_set_name(struct thread *t, const char *path)
{
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	thread_set_comm(t, base, strlen(base));
}

void
thread_set_comm(struct thread *t, const char *name, size_t len)
{
	struct proc *p = t->proc;
	size_t n = MIN(len, sizeof(t->comm) - 1);
	memset(t->comm, 0, sizeof(t->comm));
	memcpy(t->comm, name, n);
	if (p && t->tid == p->pid)
		memcpy(p->name, t->comm, sizeof(p->name));
}

static void
proc_free(struct proc *p)
{
	list_remove(&p->all_link);
	list_remove(&p->sibling);
	groups_put(p->groups);
	ns_exit(p);
	kfree(p);
}

void
thread_attach(struct proc *p, struct thread *t)
{
	t->proc = p;
	list_push_back(&p->threads, &t->proc_link);
	p->nthreads++;
}

struct sighand *
sighand_copy(struct sighand *src)
{
	struct sighand *s = kmalloc(sizeof(*s));
	if (!s)
		return NULL;
	memcpy(s, src, sizeof(*s));
	s->refcount = 1;
	return s;
}

struct fs_info *
fs_info_copy(const struct fs_info *src)
{
	struct fs_info *fs = kzalloc(sizeof(*fs));
	if (!fs)
		return NULL;
	fs->refcount = 1;
	fs->cwd = src->cwd;
	fs->root = src->root;
	fs->umask = src->umask;
	inode_get(fs->cwd);
	inode_get(fs->root);
	return fs;
}

void
fs_info_put(struct fs_info *fs)
{
	if (fs && ref_put(&fs->refcount)) {
		inode_put(fs->cwd);
		inode_put(fs->root);
		kfree(fs);
	}
}

void
sighand_put(struct sighand *s)
{
	if (s && ref_put(&s->refcount))
		kfree(s);
}

/*
 * The signal a new process sends its parent at exit. A CLONE_PARENT child
 * shares the caller's parent, so it gets the caller's own exit signal, as
 * on Linux: otherwise a process could make its parent receive any signal
 * (SIGKILL) by proxy.
 */
static int
clone_exit_signal(unsigned long flags, struct proc *caller)
{
	if (flags & CLONE_PARENT)
		return caller->exit_signal;
	return (int)(flags & 0xff);
}

/*
 * Counts what RLIMIT_NPROC and threads-max limit: threads, and zombies
 * (which keep their pid until reaped, as Linux counts them), of real user
 * uid into *mine and of everyone into *all.
 */
static void
count_tasks(unsigned uid, uint64_t *mine, uint64_t *all)
{
	*mine = *all = 0;
	list_for_each(it, &all_procs) {
		struct proc *p = list_entry(it, struct proc, all_link);
		uint64_t n = p->state == PROC_ZOMBIE ? 1 : (uint64_t)p->nthreads;
		*all += n;
		if (p->uid == uid)
			*mine += n;
	}
}

/*
 * May the caller make one more thread? -EAGAIN past threads-max, or past
 * RLIMIT_NPROC for its real user unless it is root (Linux lets the root
 * user, CAP_SYS_RESOURCE and CAP_SYS_ADMIN through), so one user's fork
 * bomb leaves memory and process slots for root's shell.
 */
static int
clone_allowed(struct proc *caller)
{
	uint64_t mine, all;
	count_tasks(caller->uid, &mine, &all);
	if (all >= threads_max)
		return -EAGAIN;
	if (caller->uid == 0 || proc_capable(caller, CAP_SYS_RESOURCE) ||
	    proc_capable(caller, CAP_SYS_ADMIN))
		return 0;
	return mine >= caller->rlimits[RLIMIT_NPROC][0] ? -EAGAIN : 0;
}

/*
 * clone(2): a new thread in this process (CLONE_THREAD) or a new process
 * sharing what the flags say, with id want_tid if not 0 (clone3's
 * set_tid, checked by the caller). Returns the new thread, or an error
 * pointer.
 */
struct thread *
proc_clone(unsigned long flags, uint64_t newsp, uint64_t tls, int want_tid)
{
	struct thread *self = current();
	struct proc *parent = self->proc;
	struct proc *p = parent;
	struct thread *t;
	int tid;

	if ((flags & CLONE_SETTLS) && arch_tls_check(tls) < 0)
		return ERR_PTR(-EPERM);
	if ((flags & CLONE_THREAD) && !(flags & CLONE_SIGHAND))
		return ERR_PTR(-EINVAL);
	if ((flags & CLONE_SIGHAND) && !(flags & CLONE_VM))
		return ERR_PTR(-EINVAL);
	/* A new mount or user namespace cannot share cwd and root (Linux:
	 * EINVAL). */
	if ((flags & CLONE_FS) && (flags & (CLONE_NEWNS | CLONE_NEWUSER)))
		return ERR_PTR(-EINVAL);
	/* Init's siblings would have no one to reap them (Linux: EINVAL). */
	if ((flags & CLONE_PARENT) && parent == init_proc)
		return ERR_PTR(-EINVAL);
	/* Namespaces are a process's (Linux: CLONE_NEWUSER and CLONE_NEWPID
	 * refuse a thread too). */
	if ((flags & CLONE_THREAD) &&
	    (flags & (NS_CLONE_FLAGS_ALL | CLONE3_NEWTIME)))
		return ERR_PTR(-EINVAL);
	int e = clone_allowed(parent);
	if (e < 0)
		return ERR_PTR(e);
	/* After the refusals: a clone that fails them takes no id, as on
	 * Linux (ids are handed out in order). */
	tid = want_tid ? tid_take(want_tid) : tid_alloc();
	if (tid < 0)
		return ERR_PTR(want_tid ? tid : -EAGAIN);
	t = thread_new(NULL);
	if (!t)
		return ERR_PTR(-ENOMEM);
	t->tid = tid;
	memcpy(t->comm, current()->comm, sizeof(t->comm));
	t->mce_policy = current()->mce_policy;
	t->io_flusher = current()->io_flusher;

	if (!(flags & CLONE_THREAD)) {
		/* The child is the caller's copy (ids, capabilities, limits,
		 * name) even when CLONE_PARENT makes it the caller's sibling. */
		p = proc_alloc(parent);
		if (!p)
			goto fail_thread;
		memcpy(p->name, t->comm, sizeof(p->name));	/* the forker's */
		if ((flags & CLONE_PARENT) && parent->parent)
			proc_set_parent(p, parent->parent);
		p->pid = tid;
		p->exit_signal = clone_exit_signal(flags, parent);
		p->parent_exec_count = p->parent->exec_count;
		if ((e = ns_fork(p, parent, flags)) < 0)
			goto fail_proc;
		stat_forks++;
		if (flags & CLONE_VM) {
			p->vm = parent->vm;
			ref_get(&p->vm->refcount);
		} else {
			p->vm = vm_clone(parent->vm);
		}
		if (!p->vm)
			goto fail_proc;
		vdso_timens_changed(p);	/* a time_for_children's clocks */
		if (flags & CLONE_FILES) {
			p->files = parent->files;
			ref_get(&p->files->refcount);
		} else {
			p->files = files_clone(parent->files);
		}
		if (!p->files)
			goto fail_vm;
		if (flags & CLONE_FS) {
			p->fs = parent->fs;
			ref_get(&p->fs->refcount);
		} else {
			p->fs = fs_info_copy(parent->fs);
		}
		if (!p->fs)
			goto fail_files;
		if (flags & CLONE_SIGHAND) {
			p->sighand = parent->sighand;
			ref_get(&p->sighand->refcount);
		} else {
			p->sighand = sighand_copy(parent->sighand);
		}
		if (!p->sighand)
			goto fail_fs;
		if (handles_fork(p, parent) < 0)
			goto fail_sighand;
		keys_fork(p, parent);
		list_push_back(&p->parent->children, &p->sibling);
		list_push_back(&all_procs, &p->all_link);
	}
	thread_attach(p, t);
	arch_clone_regs(t, self, newsp, flags & CLONE_SETTLS, tls);
	t->sig_blocked = self->sig_blocked;
	t->altstack_sp = self->altstack_sp;
	t->altstack_size = self->altstack_size;
	t->altstack_flags = self->altstack_flags;
	sched_attr_fork(t, self);
	seccomp_fork(t, self);
	syscall_work_update(t);
	return t;

fail_sighand:
	sighand_put(p->sighand);
fail_fs:
	fs_info_put(p->fs);
fail_files:
	files_put(p->files);
fail_vm:
	vm_put(p->vm);
fail_proc:
	groups_put(p->groups);
	ns_exit(p);
	kfree(p);
fail_thread:
	thread_free(t);
	return ERR_PTR(e < 0 ? e : -ENOMEM);
}

struct vfork_done *
vfork_done_new(void)
{
	struct vfork_done *vd = kzalloc(sizeof(*vd));
	if (!vd)
		return NULL;
	vd->refcount = 1;
	waitq_init(&vd->wq);
	return vd;
}

void
vfork_done_put(struct vfork_done *vd)
{
	if (vd && ref_put(&vd->refcount))
		kfree(vd);
}

void
vfork_wait(struct vfork_done *vd)
{
	while (!vd->done && waitq_wait_killable(&vd->wq, NULL) == 0)
		;
	vfork_done_put(vd);
}

/* t exec'd or is exiting: its vfork parent, if any, goes on. */
static void
vfork_release(struct thread *t)
{
	struct vfork_done *vd = t->vfork_done;
	if (!vd)
		return;
	t->vfork_done = NULL;
	vd->done = true;
	waitq_wake_all(&vd->wq);
	vfork_done_put(vd);
}

/*
 * Any thread of the child may exec; the memory the parent lent is then
 * given back, so every vfork wait on p ends (Linux's de_thread would have
 * ended the other threads, whose exit releases theirs).
 */
void
proc_vfork_release(struct proc *p)
{
	list_for_each(it, &p->threads)
		vfork_release(list_entry(it, struct thread, proc_link));
}

/* Sends parent the signal that says zombie p is there to reap. */
static void
notify_exit(struct proc *p, struct proc *parent, int sig)
{
	int st = p->exit_status;
	struct sig_info_k info = {
		.code = (st & 0x7f) ? ((st & 0x80) ? 3 : 2) : 1,
		.pid = p->pid, .uid = p->uid,
		.value = (st & 0x7f) ? (uint64_t)(st & 0x7f)
				     : (uint64_t)((st >> 8) & 0xff),
	};
	signal_send_proc_info(parent, sig, &info);
}

/*
 * Who takes p's orphans: the nearest live ancestor that made itself a
 * child subreaper (PR_SET_CHILD_SUBREAPER), else init (Linux's
 * find_new_reaper).
 */
static struct proc *
new_reaper(struct proc *p)
{
	for (struct proc *a = p->parent; a && a != init_proc && a != a->parent;
	     a = a->parent)
		if (a->child_subreaper && a->state == PROC_ALIVE && !a->exiting)
			return a;
	return init_proc;
}

/*
 * Hands p's children to their new reaper. A zombie among them is
 * announced to it with SIGCHLD, as Linux does when it reparents one: init
 * takes SIGCHLD with sigtimedwait and would otherwise never reap it. A
 * live one gets its parent-death signal.
 */
static void
reparent_children(struct proc *p)
{
	struct proc *reaper = new_reaper(p);
	list_for_each_safe(it, nx, &p->children) {
		struct proc *c = list_entry(it, struct proc, sibling);
		list_remove(&c->sibling);
		proc_set_parent(c, reaper);
		/* Linux too: the reaper hears SIGCHLD, never what the child
		   chose. */
		c->exit_signal = SIGCHLD;
		c->parent_exec_count = reaper->exec_count;
		list_push_back(&reaper->children, &c->sibling);
		if (c->state == PROC_ZOMBIE) {
			notify_exit(c, reaper, SIGCHLD);
			waitq_wake_all(&reaper->child_wait);
		} else if (c->pdeath_signal) {
			signal_send_proc(c, c->pdeath_signal);
		}
	}
}

static bool
parent_ignores_children(struct proc *parent)
{
	struct sigaction_k *a = &parent->sighand->action[SIGCHLD];
	return a->handler == 1 /* SIG_IGN */ || (a->flags & 2 /* SA_NOCLDWAIT */);
}

/*
 * The signal p's exit sends its parent: SIGCHLD once the parent has exec'd
 * since the fork (Linux's parent_exec_id check), because the new program
 * never asked for anything else.
 */
static int
exit_signal_now(struct proc *p)
{
	if (p->parent_exec_count != p->parent->exec_count)
		return SIGCHLD;
	return p->exit_signal;
}

/* The last thread of p is gone: release everything but the zombie. */
static void
proc_finish(struct proc *p)
{
	if (p == init_proc)
		panic("init exited with status %x", p->exit_status);
	for (int fd = 0; fd < fd_table_size(p); fd++)
		if (p->files->refcount == 1 && p->files->fd[fd])
			fd_close(p, fd);
	files_put(p->files);
	p->files = NULL;
	handles_exit(p);	/* devices stop before their DMA pages go */
	fs_info_put(p->fs);
	p->fs = NULL;
	ktimer_cancel(&p->alarm);
	clocktimer_cancel(&p->itimers[0]);
	clocktimer_cancel(&p->itimers[1]);
	clocktimer_cancel(&p->cpu_limit);
	ptimers_exit(p);
	aio_exit(p);
	sem_exit(p);
	keys_proc_exit(p);
	proc_leave_tty(p);
	if (p->vm)
		p->maxrss_pages = MAX(p->maxrss_pages, p->vm->pages_peak);
	vm_put(p->vm);
	p->vm = NULL;
	shm_reap();
	sighand_put(p->sighand);
	p->sighand = NULL;
	ptrace_tracer_exit(p);
	reparent_children(p);
	p->state = PROC_ZOMBIE;
	pidfd_proc_exited(p);
	struct proc *parent = p->parent;
	if (parent_ignores_children(parent) && parent != init_proc) {
		/* Reaped at once, as Linux does. The exiting thread, current,
		   still runs until its switch away, which reads t->proc (the
		   address space, the FPU): it is no process's thread from
		   here on, so that nothing reads p once it is freed. */
		KASSERT(current()->proc == p);
		current()->proc = NULL;
		proc_free(p);
		waitq_wake_all(&parent->child_wait);
		return;
	}
	if (p->exit_signal)
		notify_exit(p, parent, exit_signal_now(p));
	waitq_wake_all(&parent->child_wait);
}

_Noreturn void
thread_exit(int status)
{
	struct thread *t = current();
	struct proc *p = t->proc;

	ptrace_exit(p->exiting ? p->exit_status : status);	/* its last stop */
	fd_release_held();	/* exit and exit_group never return to the handler */
	/* The process's last thread: what its shared mappings of a server's
	 * files stored is written back (harmless if a vfork parent shares
	 * the address space; a SIGKILL cuts the calls short, and the pages
	 * then wait, dirty, for sync or unmount). */
	if (p->nthreads == 1 && p->vm)
		vm_file_sync(p->vm, 0, USER_TOP, false);
	if (p->vm)
		futex_exit_robust(t);	/* before the tid word, as Linux */
	if (t->clear_child_tid) {
		uint32_t zero = 0;
		if (copyout(t->clear_child_tid, &zero, 4) == 0)
			futex_wake(p->vm, t->clear_child_tid, 1);
	}
	vfork_release(t);
	keys_thread_exit(t);
	seccomp_thread_exit(t);
	cputime_thread_gone(p, t);	/* the process keeps its time */
	if (p->dumper && p->dumper != t)
		coredump_thread_exit(t);
	list_remove(&t->proc_link);
	if (p->exec_thread || p->dumper)
		waitq_wake_all(&p->exec_wait);
	if (--p->nthreads == 0) {
		if (!p->exiting)
			p->exit_status = status;
		p->exiting = true;
		trace_proc_exit(p, p->exit_status);
		proc_finish(p);
	}
	sched_exit_current();
}

/* Every sleep ends, the uninterruptible ones too. A thread writing a
 * core is spared: it ends the process itself once done. */
void
proc_kill_others(struct proc *p, struct thread *self)
{
	list_for_each(it, &p->threads) {
		struct thread *t = list_entry(it, struct thread, proc_link);
		if (t == self || t == p->dumper)
			continue;
		t->sig_pending |= SIGBIT(SIGKILL);
		thread_interrupt(t);
		if (t->state == THREAD_SLEEPING)
			sched_wake(t);
	}
}

_Noreturn void
proc_exit_group(int status)
{
	struct thread *self = current();
	struct proc *p = self->proc;

	if (!p->exiting) {
		p->exiting = true;
		p->exit_status = status;
	}
	proc_kill_others(p, self);
	thread_exit(status);
}

/*
 * execve in a process of several threads: the others die first (Linux's
 * de_thread), each with a SIGKILL that ends only it, and the caller
 * sleeps until it is the last. Then, if it was not the thread group's
 * first thread, it takes that thread's id, the process's pid, as on Linux.
 * -EAGAIN if the process is exiting or another thread is in execve,
 * -EINTR if the caller was killed meanwhile. May sleep.
 */
int
proc_exec_kill_others(void)
{
	struct thread *self = current();
	struct proc *p = self->proc;

	if (p->nthreads == 1)
		goto alone;
	if (p->exiting || p->exec_thread)
		return -EAGAIN;
	p->exec_thread = self;
	proc_kill_others(p, self);
	while (p->nthreads > 1 && !fatal_signal_pending(self))
		waitq_wait_killable(&p->exec_wait, NULL);
	p->exec_thread = NULL;
	if (p->nthreads > 1)
		return -EINTR;
alone:
	self->tid = p->pid;
	return 0;
}

/* Removes a reaped zombie; returns its pid. */
int
proc_reap(struct proc *c)
{
	int pid = c->pid;
	/* As Linux: the child's own time and that of the children it
	 * waited for. */
	cputime_reap(c->parent, c);
	c->parent->child_maxrss_pages = MAX(c->parent->child_maxrss_pages,
					    MAX(c->maxrss_pages,
						c->child_maxrss_pages));
	proc_free(c);
	return pid;
}

void
proc_spawn_init(const char *path, const char *const *argv, int argc)
{
	struct proc *p = proc_alloc(NULL);
	struct thread *t = thread_new(NULL);
	if (!p || !t)
		panic("no memory for init");
	caps_init(&p->caps);
	p->pid = t->tid = tid_alloc();
	p->pgid = p->sid = p->pid;
	/* No address space until exec builds init's: one made here would
	 * only be thrown away (its tables made and freed: 3,000
	 * instructions of the boot). */
	p->vm = NULL;
	p->files = files_new();
	p->sighand = kzalloc(sizeof(*p->sighand));
	if (!p->files || !p->sighand)
		panic("no memory for init");
	p->sighand->refcount = 1;
	proc_set_parent(p, p);
	list_init(&p->sibling);
	list_push_back(&all_procs, &p->all_link);
	thread_attach(p, t);
	init_proc = p;
	struct fs_info boot = { .cwd = vfs_root(), .root = vfs_root(),
				.umask = 022 };
	p->fs = fs_info_copy(&boot);
	if (!p->fs)
		panic("no memory for init");
	for (int i = 0; i < 16; i++)
		p->rlimits[i][0] = p->rlimits[i][1] = ~0ull;
	p->rlimits[3][0] = VM_STACK_SIZE;	/* RLIMIT_STACK */
	p->rlimits[4][0] = 0;		/* RLIMIT_CORE: no cores until asked */
	p->rlimits[7][0] = NOFILE_SOFT;	/* RLIMIT_NOFILE */
	p->rlimits[7][1] = NOFILE_HARD;
	p->rlimits[13][0] = p->rlimits[13][1] = 0;	/* RLIMIT_NICE */
	p->rlimits[14][0] = p->rlimits[14][1] = 0;	/* RLIMIT_RTPRIO */
	threads_max = MAX(page_total() * PAGE_SIZE / (8 * KSTACK_SIZE), 20ul);
	p->rlimits[RLIMIT_NPROC][0] = threads_max / 2;
	p->rlimits[RLIMIT_NPROC][1] = threads_max / 2;

	struct thread *saved = this_cpu()->current;
	this_cpu()->current = t;	/* exec works on "current" */
	vm_activate(p->vm);
	int e = exec_kernel(path, argv, argc);
	t->regs_replaced = false;	/* not in a system call: nothing to keep */
	this_cpu()->current = saved;
	if (e < 0)
		panic("cannot run init %s: error %d", path, e);
	/* Init alone starts with a handle: the system (devices, routes). */
	kobj_get(system_object);
	if (handle_install(p, system_object, PT_RIGHTS_SYSTEM) != 1)
		panic("no memory for init's handles");
	sched_wake(t);
}

struct proc *
proc_init_proc(void)
{
	return init_proc;
}

bool
proc_may_access(const struct proc *me, const struct proc *p)
{
	if (me == p)
		return true;
	if (landlock_ptrace(me, p) < 0)
		return false;	/* outside me's Landlock domain */
	if (proc_capable(me, CAP_SYS_PTRACE))
		return true;
	return !p->undumpable && me->uid == p->uid && me->uid == p->euid &&
	       me->uid == p->suid && me->gid == p->gid &&
	       me->gid == p->egid && me->gid == p->sgid;
}
