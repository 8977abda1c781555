/*
 * Process system calls: exit, wait4/waitid, kill and friends, process
 * groups and sessions, identities, limits, TLS (fork, vfork, clone and
 * clone3: sys_clone.c).
 */
#include <kernel/proc.h>
#include <kernel/clock.h>
#include <kernel/caps.h>
#include <kernel/vm.h>
#include <kernel/kmalloc.h>
#include <kernel/vfs.h>
#include <kernel/syscall.h>
#include <syscall_table.h>
#include <kernel/errno.h>
#include <kernel/string.h>
#include <kernel/arch.h>
#include <kernel/refcount.h>
#include <kernel/kmalloc.h>
#include <arch/trap.h>
#include <kernel/ptrace.h>
#include <kernel/tty.h>
#include <arch/mmu.h>

#define WNOHANG 1
#define WUNTRACED 2
#define WSTOPPED 2
#define WEXITED 4
#define WCONTINUED 8
#define WNOWAIT 0x01000000
#define WALL_CLONE 0xc0000000	/* __WALL and __WCLONE: a tracee's threads too */

long
sys_exit(int status)
{
	thread_exit((status & 0xff) << 8);
}

long
sys_exit_group(int status)
{
	proc_exit_group((status & 0xff) << 8);
}

static bool
matches(struct proc *c, int pid, struct proc *self)
{
	if (pid > 0)
		return c->pid == pid;
	if (pid == 0)
		return c->pgid == self->pgid;
	if (pid == -1)
		return true;
	return c->pgid == -pid;
}

/* One pass over the children; returns pid of a reportable one, 0, or error. */
static long
wait_scan(int pid, int options, int *status, int *code, struct proc **out)
{
	struct proc *self = current()->proc;
	bool any = false;
	long r = ptrace_wait_scan(self, pid, options, status, code, &any);
	if (r > 0) {
		*out = NULL;
		return r;
	}
	list_for_each(it, &self->children) {
		struct proc *c = list_entry(it, struct proc, sibling);
		if (!matches(c, pid, self))
			continue;
		any = true;
		if (c->state == PROC_ZOMBIE && (options & WEXITED)) {
			*status = c->exit_status;
			*code = (c->exit_status & 0x7f) ? ((c->exit_status & 0x80) ? 3 : 2) : 1;
			*out = c;
			return c->pid;
		}
		if (c->stopped && !c->stop_reported && (options & WSTOPPED)) {
			*status = (c->stop_sig << 8) | 0x7f;
			*code = 5;	/* CLD_STOPPED */
			if (!(options & WNOWAIT))
				c->stop_reported = true;
			*out = NULL;
			return c->pid;
		}
		if (!c->stopped && !c->cont_reported && c->stop_reported &&
		    (options & WCONTINUED)) {
			*status = 0xffff;
			*code = 6;	/* CLD_CONTINUED */
			if (!(options & WNOWAIT))
				c->cont_reported = true;
			*out = NULL;
			return c->pid;
		}
	}
	return any ? 0 : -ECHILD;
}

static long
do_wait(int pid, int options, int *status, int *code)
{
	struct proc *self = current()->proc;
	for (;;) {
		struct proc *c = NULL;
		long r = wait_scan(pid, options, status, code, &c);
		if (r > 0) {
			if (c && !(options & WNOWAIT))
				proc_reap(c);
			return r;
		}
		if (r < 0 || (options & WNOHANG))
			return r;
		if (waitq_wait(&self->child_wait, 0, true) == -EINTR)
			return -ERESTARTSYS;
	}
}

long
sys_wait4(int pid, uaddr_t ustatus, int options, uaddr_t rusage)
{
	int status = 0, code;
	if (options & ~(WNOHANG | WUNTRACED | WCONTINUED | 0x40000000 | 0x80000000))
		return -EINVAL;
	/* -INT_MIN, the process group it would name, does not exist. */
	if (pid == INT32_MIN)
		return -ESRCH;
	long r = do_wait(pid, (options & (WNOHANG | WCONTINUED | WALL_CLONE)) |
				      ((options & WUNTRACED) ? WSTOPPED : 0) | WEXITED,
			 &status, &code);
	if (r > 0 && ustatus && copyout(ustatus, &status, sizeof(status)) < 0)
		return -EFAULT;
	if (r > 0 && rusage)
		user_zero(rusage, 144);
	return r;
}

long
sys_waitid(int idtype, int id, uaddr_t info, int options, uaddr_t rusage)
{
	int pid, status = 0, code = 0;
	bool nonblock = false;
	(void)rusage;
	switch (idtype) {
	case 0: pid = -1; break;	/* P_ALL */
	case 1: pid = id; break;	/* P_PID */
	case 2: pid = -id; break;	/* P_PGID */
	case 3: {			/* P_PIDFD */
		if (id < 0)
			return -EINVAL;
		int e = pidfd_wait_target(id, &pid, &nonblock);
		if (e < 0)
			return e;
		if (pid == 0)
			return -ECHILD;
		if (nonblock)
			options |= WNOHANG;
		break;
	}
	default: return -EINVAL;
	}
	if (!(options & (WEXITED | WSTOPPED | WCONTINUED)))
		return -EINVAL;
	long r = do_wait(pid, options, &status, &code);
	if (r < 0)
		return r;
	/* A non-blocking pidfd's child still running: EAGAIN, as Linux. */
	if (r == 0 && nonblock)
		return -EAGAIN;
	if (info) {
		struct {
			int32_t signo, errno_, code, pad;
			int32_t pid;
			uint32_t uid;
			int32_t status;
			uint8_t rest[100];
		} si;
		memset(&si, 0, sizeof(si));
		if (r > 0) {
			si.signo = SIGCHLD;
			si.code = code;
			si.pid = (int32_t)r;
			si.status = code == 1 ? (status >> 8) & 0xff
				  : code == 6 ? SIGCONT
				  : code == 5 ? (status >> 8) & 0xff
				  : code == 4 ? (status >> 8) & 0xffff /* event */
				  : status & 0x7f;
		}
		if (copyout(info, &si, sizeof(si)) < 0)
			return -EFAULT;
	}
	return 0;
}

/* Whether kill(pid) with pid <= 0 aims at p (Linux's 0, -1 and -pgid). */
static bool
kill_aims_at(struct proc *p, int pid, struct proc *self)
{
	if (pid == -1)
		return p->pid != 1 && p != self;
	return p->pgid == (pid == 0 ? self->pgid : -pid);
}

/*
 * kill to a group (pid 0 or < -1) or to everyone (-1): the processes the
 * sender may not signal are skipped. A group none of whose members could
 * be signalled is -EPERM; -1 is 0 then, as in Linux (only -ESRCH when
 * there is nobody else at all).
 */
static long
kill_many(int pid, int sig)
{
	struct proc *self = current()->proc;
	struct sig_info_k info = { .code = SI_USER, .pid = self->pid,
				  .uid = self->uid };
	int found = 0, sent = 0;
	list_for_each(it, &all_procs) {
		struct proc *p = list_entry(it, struct proc, all_link);
		if (p->state != PROC_ALIVE || !kill_aims_at(p, pid, self))
			continue;
		found++;
		if (!signal_permitted(self, p, sig))
			continue;
		signal_send_proc_info(p, sig, &info);
		sent++;
	}
	if (!found)
		return -ESRCH;
	return sent || pid == -1 ? 0 : -EPERM;
}

long
sys_kill(int pid, int sig)
{
	struct proc *self = current()->proc;
	if (sig < 0 || sig >= NSIG)
		return -EINVAL;
	if (pid == INT32_MIN)
		return -ESRCH;	/* as Linux: -pid would overflow */
	if (pid <= 0)
		return kill_many(pid, sig);
	struct proc *p = proc_find_any(pid);
	if (!p)
		return -ESRCH;
	if (!signal_permitted(self, p, sig))
		return -EPERM;
	if (p->state != PROC_ALIVE)
		return 0;	/* a zombie still exists until reaped */
	struct sig_info_k info = { .code = SI_USER, .pid = self->pid,
				  .uid = self->uid };
	return signal_send_proc_info(p, sig, &info);
}

static long
tkill_to(int tgid, int tid, int sig)
{
	struct proc *self = current()->proc;
	struct sig_info_k info = { .code = SI_TKILL, .pid = self->pid,
				  .uid = self->uid };
	return signal_send_specific(tgid, tid, sig, &info);
}

long
sys_tgkill(int tgid, int tid, int sig)
{
	if (tgid <= 0 || tid <= 0)
		return -EINVAL;
	return tkill_to(tgid, tid, sig);
}

long
sys_tkill(int tid, int sig)
{
	if (tid <= 0)
		return -EINVAL;
	return tkill_to(-1, tid, sig);
}

long sys_getpid(void) { return current()->proc->pid; }
long sys_gettid(void) { return current()->tid; }
/* nolock: the parent's pid as reparenting last stored it (proc_set_parent). */
long sys_getppid(void) { return __atomic_load_n(&current()->proc->ppid, __ATOMIC_RELAXED); }
long sys_getuid(void) { return current()->proc->uid; }
long sys_geteuid(void) { return current()->proc->euid; }
long sys_getgid(void) { return current()->proc->gid; }
long sys_getegid(void) { return current()->proc->egid; }
long sys_getpgrp(void) { return current()->proc->pgid; }

long
sys_getpgid(int pid)
{
	struct proc *p = pid ? proc_find(pid) : current()->proc;
	return p ? p->pgid : -ESRCH;
}

long
sys_getsid(int pid)
{
	struct proc *p = pid ? proc_find(pid) : current()->proc;
	return p ? p->sid : -ESRCH;
}

long
sys_setpgid(int pid, int pgid)
{
	struct proc *self = current()->proc;
	struct proc *p = pid ? proc_find(pid) : self;
	if (pgid < 0)
		return -EINVAL;
	if (!p || (p != self && p->parent != self))
		return -ESRCH;
	if (p->sid != self->sid)
		return -EPERM;
	/* A child that has exec'd is out of reach (Linux's PF_FORKNOEXEC). */
	if (p != self && p->exec_count > 0)
		return -EACCES;
	if (p->pid == p->sid)
		return -EPERM;
	if (!pgid)
		pgid = p->pid;
	if (pgid != p->pid) {
		bool exists = false;
		list_for_each(it, &all_procs) {
			struct proc *q = list_entry(it, struct proc, all_link);
			if (q->pgid == pgid && q->sid == self->sid)
				exists = true;
		}
		if (!exists)
			return -EPERM;
	}
	p->pgid = pgid;
	return 0;
}

long
sys_setsid(void)
{
	struct proc *p = current()->proc;
	list_for_each(it, &all_procs) {
		struct proc *q = list_entry(it, struct proc, all_link);
		if (q->pgid == p->pid)
			return -EPERM;
	}
	p->sid = p->pgid = p->pid;
	p->ctty = NULL;
	return p->sid;
}

/* CAP_SYS_TTY_CONFIG hangs up the controlling terminal. */
long
sys_vhangup(void)
{
	if (!capable(CAP_SYS_TTY_CONFIG))
		return -EPERM;
	tty_vhangup_ctty(current()->proc);
	return 0;
}

/*
 * setresuid's rule: without CAP_SETUID (priv) each new id must be one
 * of the three old ones. The file-system id follows the effective one.
 */
static long
set_ids(unsigned *ids[4], bool priv, unsigned r, unsigned e, unsigned s)
{
	unsigned want[3] = { r, e, s };
	if (!priv)
		for (int i = 0; i < 3; i++)
			if (want[i] != (unsigned)-1 && want[i] != *ids[0] &&
			    want[i] != *ids[1] && want[i] != *ids[2])
				return -EPERM;
	for (int i = 0; i < 3; i++)
		if (want[i] != (unsigned)-1)
			*ids[i] = want[i];
	*ids[3] = *ids[1];
	return 0;
}

/*
 * setreuid's rule (Linux's): the real id may become the old real or
 * effective one, the effective id any of the three; the saved id takes
 * the new effective one when the real id is set or the effective one
 * moves away from the old real id.
 */
static long
set_re_ids(unsigned *ids[4], bool priv, unsigned r, unsigned e)
{
	unsigned none = (unsigned)-1, old_real = *ids[0];
	if (r != none && !priv && r != *ids[0] && r != *ids[1])
		return -EPERM;
	if (e != none && !priv && e != *ids[0] && e != *ids[1] &&
	    e != *ids[2])
		return -EPERM;
	if (r != none)
		*ids[0] = r;
	if (e != none)
		*ids[1] = e;
	if (r != none || (e != none && e != old_real))
		*ids[2] = *ids[1];
	*ids[3] = *ids[1];
	return 0;
}

/*
 * Sets the user ids (or the group ids) by setresuid's rule, or by
 * setreuid's when `re`, with CAP_SETUID (CAP_SETGID) allowing any. Linux's
 * commit_creds: a change of the effective or fs id makes the process
 * undumpable; new user ids adjust the capability sets.
 */
static long
change_ids(bool groups, bool re, unsigned r, unsigned e, unsigned s)
{
	struct proc *p = current()->proc;
	unsigned *ids[4] = { &p->uid, &p->euid, &p->suid, &p->fsuid };
	if (groups) {
		ids[0] = &p->gid, ids[1] = &p->egid;
		ids[2] = &p->sgid, ids[3] = &p->fsgid;
	}
	unsigned old_r = *ids[0], eff = *ids[1], old_s = *ids[2], fs = *ids[3];
	bool priv = capable(groups ? CAP_SETGID : CAP_SETUID);
	long err = re ? set_re_ids(ids, priv, r, e) :
			set_ids(ids, priv, r, e, s);
	if (*ids[1] != eff || *ids[3] != fs)
		p->undumpable = true;
	if (!groups && !err)
		caps_setuid_fixup(p, old_r, eff, old_s);
	return err;
}

long
sys_setresuid(unsigned r, unsigned e, unsigned s)
{
	return change_ids(false, false, r, e, s);
}

long
sys_setresgid(unsigned r, unsigned e, unsigned s)
{
	return change_ids(true, false, r, e, s);
}

long
sys_setreuid(unsigned r, unsigned e)
{
	return change_ids(false, true, r, e, (unsigned)-1);
}

long
sys_setregid(unsigned r, unsigned e)
{
	return change_ids(true, true, r, e, (unsigned)-1);
}

long
sys_setuid(unsigned uid)
{
	if (capable(CAP_SETUID))
		return sys_setresuid(uid, uid, uid);
	return sys_setresuid((unsigned)-1, uid, (unsigned)-1);
}

long
sys_setgid(unsigned gid)
{
	if (capable(CAP_SETGID))
		return sys_setresgid(gid, gid, gid);
	return sys_setresgid((unsigned)-1, gid, (unsigned)-1);
}

/*
 * setfsuid/setfsgid: the id permission checks use. Returns the old one
 * whether or not it changed; it changes to one of the real, effective,
 * saved or current fs ids, or to any with CAP_SETUID/CAP_SETGID (priv).
 * -1 is no id, and changes nothing.
 */
static long
set_fs_id(unsigned *fs, const unsigned *real, const unsigned *eff,
	  const unsigned *saved, bool priv, unsigned id)
{
	struct proc *p = current()->proc;
	unsigned old = *fs;
	if (id == (unsigned)-1)
		return old;
	if (priv || id == *real || id == *eff || id == *saved ||
	    id == *fs) {
		if (id != old)
			p->undumpable = true;
		*fs = id;
	}
	return old;
}

long
sys_setfsuid(unsigned uid)
{
	struct proc *p = current()->proc;
	long old = set_fs_id(&p->fsuid, &p->uid, &p->euid, &p->suid,
			     capable(CAP_SETUID), uid);
	caps_setfsuid_fixup(p, (unsigned)old);
	return old;
}

long
sys_setfsgid(unsigned gid)
{
	struct proc *p = current()->proc;
	return set_fs_id(&p->fsgid, &p->gid, &p->egid, &p->sgid,
			 capable(CAP_SETGID), gid);
}

static long
get3(uaddr_t a, uaddr_t b, uaddr_t c, unsigned x, unsigned y, unsigned z)
{
	if (copyout(a, &x, 4) < 0 || copyout(b, &y, 4) < 0 || copyout(c, &z, 4) < 0)
		return -EFAULT;
	return 0;
}

long
sys_getresuid(uaddr_t r, uaddr_t e, uaddr_t s)
{
	struct proc *p = current()->proc;
	return get3(r, e, s, p->uid, p->euid, p->suid);
}

long
sys_getresgid(uaddr_t r, uaddr_t e, uaddr_t s)
{
	struct proc *p = current()->proc;
	return get3(r, e, s, p->gid, p->egid, p->sgid);
}

#define NGROUPS_MAX 65536

void
groups_get(struct groups *g)
{
	if (g)
		g->refcount++;
}

void
groups_put(struct groups *g)
{
	if (g && --g->refcount == 0)
		kfree(g);
}

bool
proc_in_group(struct proc *p, unsigned gid)
{
	if (p->fsgid == gid)
		return true;
	for (unsigned i = 0; p->groups && i < p->groups->count; i++)
		if (p->groups->gid[i] == gid)
			return true;
	return false;
}

long
sys_getgroups(int size, uaddr_t list)
{
	struct groups *g = current()->proc->groups;
	unsigned count = g ? g->count : 0;
	if (size < 0)
		return -EINVAL;
	if (size == 0)
		return count;
	if ((unsigned)size < count)
		return -EINVAL;
	if (count && copyout(list, g->gid, count * sizeof(unsigned)) < 0)
		return -EFAULT;
	return count;
}

/* Sorted, as Linux's groups_sort leaves them for getgroups. */
static void
groups_sort(struct groups *g)
{
	for (unsigned i = 1; i < g->count; i++) {
		unsigned v = g->gid[i], j = i;
		for (; j > 0 && g->gid[j - 1] > v; j--)
			g->gid[j] = g->gid[j - 1];
		g->gid[j] = v;
	}
}

/* setgroups: CAP_SETGID; at most NGROUPS_MAX, kept sorted as
 * Linux keeps them (getgroups returns them so). */
long
sys_setgroups(int size, uaddr_t list)
{
	struct proc *p = current()->proc;
	if (!capable(CAP_SETGID))
		return -EPERM;
	if (size < 0 || size > NGROUPS_MAX)
		return -EINVAL;
	struct groups *g = NULL;
	if (size > 0) {
		g = kmalloc(sizeof(*g) + (size_t)size * sizeof(unsigned));
		if (!g)
			return -ENOMEM;
		g->refcount = 1;
		g->count = (unsigned)size;
		if (copyin(g->gid, list, (size_t)size * sizeof(unsigned)) < 0) {
			kfree(g);
			return -EFAULT;
		}
		groups_sort(g);
	}
	groups_put(p->groups);
	p->groups = g;
	return 0;
}

long
sys_set_tid_address(uaddr_t tidptr)
{
	current()->clear_child_tid = tidptr;
	return current()->tid;
}

#define RLIM_NLIMITS 16

/*
 * Linux's rule for another process's limits, read or written: the caller's
 * uid is the target's real, effective and saved uid and its gid the three
 * gids, or the caller has CAP_SYS_RESOURCE.
 */
static bool
prlimit_permitted(struct proc *self, struct proc *p)
{
	if (self == p || proc_capable(self, CAP_SYS_RESOURCE))
		return true;
	return self->uid == p->uid && self->uid == p->euid &&
	       self->uid == p->suid && self->gid == p->gid &&
	       self->gid == p->egid && self->gid == p->sgid;
}

/* Sets p's limit res to v (soft, hard) after Linux's checks. */
static long
rlimit_set(struct proc *p, int res, uint64_t v[2])
{
	if (v[0] > v[1])
		return -EINVAL;
	if (v[1] > p->rlimits[res][1] && !capable(CAP_SYS_RESOURCE))
		return -EPERM;	/* raising a hard limit needs privilege */
	if (res == 7 && v[1] > fd_nr_open)
		return -EPERM;	/* as Linux past fs.nr_open */
	p->rlimits[res][0] = v[0];
	p->rlimits[res][1] = v[1];
	if (res == 0)	/* RLIMIT_CPU */
		cputime_limit_arm(p);
	return 0;
}

long
sys_prlimit64(int pid, int res, uaddr_t nlim, uaddr_t olim)
{
	uint64_t v[2], old[2];
	if (nlim && copyin(v, nlim, sizeof(v)) < 0)
		return -EFAULT;
	struct proc *p = pid ? proc_find(pid) : current()->proc;
	if (!p)
		return -ESRCH;
	if (!prlimit_permitted(current()->proc, p))
		return -EPERM;
	if (res < 0 || res >= RLIM_NLIMITS)
		return -EINVAL;
	memcpy(old, p->rlimits[res], sizeof(old));
	if (nlim) {
		long e = rlimit_set(p, res, v);
		if (e < 0)
			return e;
	}
	if (olim && copyout(olim, old, sizeof(old)) < 0)
		return -EFAULT;
	return 0;
}

long
sys_getrlimit(int res, uaddr_t rlim)
{
	return sys_prlimit64(0, res, 0, rlim);
}

long
sys_setrlimit(int res, uaddr_t rlim)
{
	return sys_prlimit64(0, res, rlim, 0);
}

long
sys_getrusage(int who, uaddr_t ru)
{
	struct proc *p = current()->proc;
	if (who != 0 && who != -1 && who != 1)	/* SELF, CHILDREN, THREAD */
		return -EINVAL;
	int64_t r[18];
	memset(r, 0, sizeof(r));
	/* RUSAGE_SELF is every thread's, live or gone. */
	struct cputime ct = who == -1 ? p->child_cputime :
			    who == 1 ? thread_cputime(current()) :
			    proc_cputime(p);
	r[0] = (int64_t)(ct.user_ns / 1000000000);
	r[1] = (int64_t)(ct.user_ns % 1000000000 / 1000);
	r[2] = (int64_t)(ct.system_ns / 1000000000);
	r[3] = (int64_t)(ct.system_ns % 1000000000 / 1000);
	/* ru_maxrss in KiB: the children's, or the most this process held. */
	uint64_t pages = who == -1 ? p->child_maxrss_pages :
			 MAX(p->maxrss_pages, p->vm->pages_peak);
	r[4] = (int64_t)(pages * (PAGE_SIZE / 1024));
	return copyout(ru, r, sizeof(r));
}

long
sys_times(uaddr_t buf)
{
	struct proc *p = current()->proc;
	if (buf) {
		struct cputime own = proc_cputime(p);
		int64_t t[4] = { (int64_t)(own.user_ns / 10000000),
				 (int64_t)(own.system_ns / 10000000),
				 (int64_t)(p->child_cputime.user_ns / 10000000),
				 (int64_t)(p->child_cputime.system_ns / 10000000) };
		if (copyout(buf, t, sizeof(t)) < 0)
			return -EFAULT;
	}
	return (long)(arch_now_ns() / 10000000);
}

/* A nolock call: the run queue's own lock is all a yield takes. */
long
sys_sched_yield(void)
{
	sched_yield();
	return 0;
}

/* The size of struct robust_list_head, the one length Linux accepts. */
#define ROBUST_LIST_HEAD_SIZE 24

long
sys_set_robust_list(uaddr_t head, size_t len)
{
	if (len != ROBUST_LIST_HEAD_SIZE)
		return -EINVAL;
	current()->robust_list = head;
	return 0;
}

/* Linux's order: the thread, the ptrace read check, the length, the head. */
long
sys_get_robust_list(int tid, uaddr_t head_ptr, uaddr_t len_ptr)
{
	struct thread *t = tid ? thread_find(tid) : current();
	if (!t || !t->proc || t->proc->state != PROC_ALIVE)
		return -ESRCH;
	if (!proc_may_access(current()->proc, t->proc))
		return -EPERM;
	uint64_t len = ROBUST_LIST_HEAD_SIZE, head = t->robust_list;
	if (copyout(len_ptr, &len, sizeof(len)) < 0 ||
	    copyout(head_ptr, &head, sizeof(head)) < 0)
		return -EFAULT;
	return 0;
}

long
sys_rseq(uaddr_t rseq, uint32_t len, int flags, uint32_t sig)
{
	(void)rseq, (void)len, (void)flags, (void)sig;
	return -ENOSYS;
}
