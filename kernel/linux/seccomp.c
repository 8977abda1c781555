/*
 * seccomp: strict mode (read, write, _exit and rt_sigreturn only; any
 * other call kills the thread with SIGKILL) and filter mode, a stack of
 * classic BPF programs (seccomp_bpf.c) run over Linux's struct
 * seccomp_data before each call; the most restrictive answer wins.
 * Filters are shared by reference down the stack and between the threads
 * and children that inherit them. syscall_invoke (syscall.c) asks
 * seccomp_allows, after a ptrace entry stop, as Linux does; a TRACE
 * action stops a tracer's tracee with PTRACE_EVENT_SECCOMP.
 */
#include <kernel/seccomp.h>
#include <kernel/landlock.h>
#include <kernel/bpf.h>
#include <kernel/proc.h>
#include <kernel/caps.h>
#include <kernel/vm.h>
#include <kernel/kmalloc.h>
#include <kernel/refcount.h>
#include <kernel/arch.h>
#include <kernel/errno.h>
#include <kernel/printk.h>
#include <kernel/string.h>
#include <kernel/syscall.h>
#include <syscall_table.h>
#include <kernel/ptrace.h>

#define SECCOMP_SET_MODE_STRICT 0
#define SECCOMP_SET_MODE_FILTER 1
#define SECCOMP_GET_ACTION_AVAIL 2
#define SECCOMP_GET_NOTIF_SIZES 3

#define SECCOMP_FILTER_FLAG_TSYNC (1u << 0)
#define SECCOMP_FILTER_FLAG_LOG (1u << 1)
#define SECCOMP_FILTER_FLAG_SPEC_ALLOW (1u << 2)
#define SECCOMP_FILTER_FLAG_NEW_LISTENER (1u << 3)
#define SECCOMP_FILTER_FLAG_TSYNC_ESRCH (1u << 4)
/* What Petrel takes: no user-space notifier (NEW_LISTENER,
   WAIT_KILLABLE_RECV are EINVAL, as a kernel that knows neither). */
#define FILTER_FLAGS (SECCOMP_FILTER_FLAG_TSYNC | SECCOMP_FILTER_FLAG_LOG | \
		      SECCOMP_FILTER_FLAG_SPEC_ALLOW | \
		      SECCOMP_FILTER_FLAG_TSYNC_ESRCH)

#define SECCOMP_RET_KILL_PROCESS 0x80000000u
#define SECCOMP_RET_KILL_THREAD 0x00000000u
#define SECCOMP_RET_TRAP 0x00030000u
#define SECCOMP_RET_ERRNO 0x00050000u
#define SECCOMP_RET_USER_NOTIF 0x7fc00000u
#define SECCOMP_RET_TRACE 0x7ff00000u
#define SECCOMP_RET_LOG 0x7ffc0000u
#define SECCOMP_RET_ALLOW 0x7fff0000u
#define SECCOMP_RET_ACTION_FULL 0xffff0000u
#define SECCOMP_RET_DATA 0x0000ffffu

#define SYS_SECCOMP 1		/* SIGSYS's si_code */
#define MAX_ERRNO 4095
/* Linux's cap on the instructions one call may run through the stack
 * (each filter counts 4 more). */
#define MAX_INSNS_PER_PATH 32768
#define CAP_SYS_ADMIN 21

/* Linux's struct seccomp_data. */
struct seccomp_data_k {
	int32_t nr;
	uint32_t arch;
	uint64_t instruction_pointer;
	uint64_t args[6];
};
_Static_assert(sizeof(struct seccomp_data_k) == 64, "Linux's layout");

/* struct sock_fprog */
struct sock_fprog_k {
	uint16_t len;
	uint16_t pad[3];
	uint64_t filter;
};

struct seccomp_filter {
	int refcount;
	struct seccomp_filter *prev;	/* installed before: also run */
	bool log;			/* SECCOMP_FILTER_FLAG_LOG */
	unsigned len;
	struct bpf_insn_k insns[];
};

static void
filter_put(struct seccomp_filter *f)
{
	while (f && ref_put(&f->refcount)) {
		struct seccomp_filter *prev = f->prev;
		kfree(f);
		f = prev;
	}
}

void
seccomp_fork(struct thread *child, const struct thread *parent)
{
	child->no_new_privs = parent->no_new_privs;
	child->seccomp_mode = parent->seccomp_mode;
	child->seccomp_filter = parent->seccomp_filter;
	if (child->seccomp_filter)
		ref_get(&child->seccomp_filter->refcount);
	landlock_fork(child, parent);
}

void
seccomp_thread_exit(struct thread *t)
{
	filter_put(t->seccomp_filter);
	t->seccomp_filter = NULL;
	landlock_thread_exit(t);
}

int
seccomp_filter_count(const struct thread *t)
{
	int n = 0;
	for (struct seccomp_filter *f = t->seccomp_filter; f; f = f->prev)
		n++;
	return n;
}

/* The actions' order: a smaller value (as a signed number) is stricter. */
static int32_t
strictness(uint32_t ret)
{
	return (int32_t)(ret & SECCOMP_RET_ACTION_FULL);
}

static uint32_t
run_filters(struct thread *t, uint64_t nr, const uint64_t *args,
	    bool *log)
{
	struct seccomp_data_k d;
	uint64_t sp, regs[6];
	uint32_t ret = SECCOMP_RET_ALLOW;

	arch_ptrace_syscall_info(t, &d.arch, &d.instruction_pointer, &sp, regs);
	d.nr = (int32_t)nr;
	memcpy(d.args, args, sizeof(d.args));
	*log = false;
	for (struct seccomp_filter *f = t->seccomp_filter; f; f = f->prev) {
		uint32_t r = bpf_run(f->insns, &d, sizeof(d));
		if (strictness(r) < strictness(ret)) {
			ret = r;
			*log = f->log;
		}
	}
	t->seccomp_trap_ip = d.instruction_pointer;
	return ret;
}

/* SECCOMP_RET_TRAP: the call does not run, and a SIGSYS that cannot be
 * blocked or ignored tells the thread what it was; the registers stay as
 * they were at the call, as Linux's syscall_rollback leaves them. */
static void
trap(struct thread *t, uint64_t nr, uint16_t data)
{
	t->seccomp_trap_nr = (int)nr;
	t->seccomp_trap_data = data;
	t->sig_forced |= SIGBIT(SIGSYS);
	signal_send_thread(t, SIGSYS);
	t->regs_replaced = true;
}

void
seccomp_siginfo(const struct thread *t, struct siginfo_k *info)
{
	uint64_t ip, sp, regs[6];
	uint32_t arch;
	int32_t nr = t->seccomp_trap_nr;

	arch_ptrace_syscall_info(t, &arch, &ip, &sp, regs);
	info->code = SYS_SECCOMP;
	info->errno_ = t->seccomp_trap_data;
	memcpy(&info->raw[0], &t->seccomp_trap_ip, 8);	/* si_call_addr */
	memcpy(&info->raw[8], &nr, 4);			/* si_syscall */
	memcpy(&info->raw[12], &arch, 4);		/* si_arch */
}

/* Strict mode's four calls, by name so that every arch's numbers work. */
static bool
strict_allows(uint64_t nr)
{
	static const char *const allowed[] = { "read", "write", "exit",
					       "rt_sigreturn" };
	const char *name = syscall_name(nr);
	for (size_t i = 0; i < ARRAY_SIZE(allowed); i++)
		if (strcmp(name, allowed[i]) == 0)
			return true;
	return false;
}

static bool filter_allows(struct thread *t, uint64_t *nr,
			  const uint64_t *args, long *result, bool recheck);

/*
 * SECCOMP_RET_TRACE: the tracer that asked for PTRACE_EVENT_SECCOMP
 * decides; it may skip the call (number -1: the result register is its
 * answer) or change it, and the filters are asked again about the call
 * that will run, a second TRACE then allowing it, as Linux's recheck.
 * Without such a tracer the call fails with ENOSYS.
 */
static bool
tracer_allows(struct thread *t, uint64_t *nr, const uint64_t *args,
	      uint16_t data, long *result, bool recheck)
{
	if (recheck)
		return true;
	if (!ptrace_seccomp(data)) {
		*result = -ENOSYS;
		return false;
	}
	if (fatal_signal_pending(t) || t->syscall_nr < 0) {
		t->regs_replaced = true;
		return false;
	}
	*nr = (uint64_t)t->syscall_nr;
	return filter_allows(t, nr, args, result, true);
}

bool
seccomp_allows(struct thread *t, uint64_t *nr, const uint64_t *args,
	       long *result)
{
	if (t->seccomp_mode == SECCOMP_MODE_STRICT) {
		if (strict_allows(*nr))
			return true;
		thread_exit(SIGKILL);
	}
	return filter_allows(t, nr, args, result, false);
}

static bool
filter_allows(struct thread *t, uint64_t *nr, const uint64_t *args,
	      long *result, bool recheck)
{
	bool log;
	uint32_t ret = run_filters(t, *nr, args, &log);
	uint32_t data = ret & SECCOMP_RET_DATA;
	switch (ret & SECCOMP_RET_ACTION_FULL) {
	case SECCOMP_RET_ALLOW:
		return true;
	case SECCOMP_RET_LOG:
		pr_info("seccomp: %s (pid %d) call %lu logged\n",
			t->proc->name, t->proc->pid, *nr);
		return true;
	case SECCOMP_RET_ERRNO:
		*result = -(long)MIN(data, MAX_ERRNO);
		return false;
	case SECCOMP_RET_TRAP:
		trap(t, *nr, (uint16_t)data);
		return false;
	case SECCOMP_RET_TRACE:
		return tracer_allows(t, nr, args, (uint16_t)data, result,
				     recheck);
	case SECCOMP_RET_USER_NOTIF:	/* no listener can exist */
		*result = -ENOSYS;
		return false;
	case SECCOMP_RET_KILL_THREAD:
		if (log)
			pr_info("seccomp: %s (pid %d) killed by call %lu\n",
				t->proc->name, t->proc->pid, *nr);
		thread_exit(SIGSYS);
	}
	proc_exit_group(SIGSYS);	/* KILL_PROCESS, or an unknown action */
}

static bool
may_assign(const struct thread *t, unsigned mode)
{
	return t->seccomp_mode == SECCOMP_MODE_DISABLED ||
	       t->seccomp_mode == mode;
}

static long
set_strict(void)
{
	struct thread *t = current();
	if (!may_assign(t, SECCOMP_MODE_STRICT))
		return -EINVAL;
	t->seccomp_mode = SECCOMP_MODE_STRICT;
	syscall_work_update(t);
	return 0;
}

/* Copies and checks the program at ufprog: a new filter or an error. */
static struct seccomp_filter *
filter_new(uaddr_t ufprog, unsigned flags)
{
	struct thread *t = current();
	struct sock_fprog_k fp;
	if (copyin(&fp, ufprog, sizeof(fp)) < 0)
		return ERR_PTR(-EFAULT);
	if (fp.len == 0 || fp.len > BPF_MAXINSNS)
		return ERR_PTR(-EINVAL);
	if (!t->no_new_privs && !proc_capable(t->proc, CAP_SYS_ADMIN))
		return ERR_PTR(-EACCES);
	struct seccomp_filter *f =
		kzalloc(sizeof(*f) + fp.len * sizeof(struct bpf_insn_k));
	if (!f)
		return ERR_PTR(-ENOMEM);
	f->refcount = 1;
	f->len = fp.len;
	f->log = flags & SECCOMP_FILTER_FLAG_LOG;
	if (copyin(f->insns, fp.filter, fp.len * sizeof(struct bpf_insn_k)) < 0) {
		kfree(f);
		return ERR_PTR(-EFAULT);
	}
	int e = bpf_check(f->insns, f->len, sizeof(struct seccomp_data_k));
	if (e < 0) {
		kfree(f);
		return ERR_PTR(e);
	}
	return f;
}

static bool
is_ancestor(const struct seccomp_filter *old, const struct seccomp_filter *f)
{
	for (; f; f = f->prev)
		if (f == old)
			return true;
	return old == NULL;
}

/*
 * TSYNC: the process's other threads must run no filter or one the
 * caller's stack already holds; returns 0 or the first one's tid.
 */
static int
tsync_conflict(struct thread *self)
{
	list_for_each(it, &self->proc->threads) {
		struct thread *t = list_entry(it, struct thread, proc_link);
		if (t == self)
			continue;
		if (t->seccomp_mode == SECCOMP_MODE_STRICT ||
		    !is_ancestor(t->seccomp_filter, self->seccomp_filter))
			return t->tid;
	}
	return 0;
}

static void
tsync_apply(struct thread *self)
{
	list_for_each(it, &self->proc->threads) {
		struct thread *t = list_entry(it, struct thread, proc_link);
		if (t == self)
			continue;
		ref_get(&self->seccomp_filter->refcount);
		filter_put(t->seccomp_filter);
		t->seccomp_filter = self->seccomp_filter;
		t->seccomp_mode = SECCOMP_MODE_FILTER;
		t->no_new_privs |= self->no_new_privs;
		syscall_work_update(t);
	}
}

static long
set_filter(unsigned flags, uaddr_t ufprog)
{
	struct thread *t = current();
	if (flags & ~FILTER_FLAGS)
		return -EINVAL;
	struct seccomp_filter *f = filter_new(ufprog, flags);
	if (IS_ERR(f))
		return PTR_ERR(f);
	long e = 0;
	unsigned total = f->len;
	for (struct seccomp_filter *w = t->seccomp_filter; w; w = w->prev)
		total += w->len + 4;
	if (!may_assign(t, SECCOMP_MODE_FILTER))
		e = -EINVAL;
	else if (total > MAX_INSNS_PER_PATH)
		e = -ENOMEM;
	else if ((flags & SECCOMP_FILTER_FLAG_TSYNC) && tsync_conflict(t))
		e = (flags & SECCOMP_FILTER_FLAG_TSYNC_ESRCH) ? -ESRCH :
							       tsync_conflict(t);
	if (e) {
		kfree(f);
		return e;
	}
	f->prev = t->seccomp_filter;
	t->seccomp_filter = f;
	t->seccomp_mode = SECCOMP_MODE_FILTER;
	syscall_work_update(t);
	if (flags & SECCOMP_FILTER_FLAG_TSYNC)
		tsync_apply(t);
	return 0;
}

static bool
action_known(uint32_t action)
{
	switch (action) {
	case SECCOMP_RET_KILL_PROCESS:
	case SECCOMP_RET_KILL_THREAD:
	case SECCOMP_RET_TRAP:
	case SECCOMP_RET_ERRNO:
	case SECCOMP_RET_TRACE:
	case SECCOMP_RET_LOG:
	case SECCOMP_RET_ALLOW:
		return true;
	}
	return false;	/* USER_NOTIF too: no listener can be made */
}

long
sys_seccomp(unsigned op, unsigned flags, uaddr_t uargs)
{
	uint32_t action;
	/* struct seccomp_notif_sizes: seccomp_notif, _resp, seccomp_data */
	static const uint16_t sizes[3] = { 80, 24, 64 };

	switch (op) {
	case SECCOMP_SET_MODE_STRICT:
		if (flags || uargs)
			return -EINVAL;
		return set_strict();
	case SECCOMP_SET_MODE_FILTER:
		return set_filter(flags, uargs);
	case SECCOMP_GET_ACTION_AVAIL:
		if (flags)
			return -EINVAL;
		if (copyin(&action, uargs, sizeof(action)) < 0)
			return -EFAULT;
		return action_known(action) ? 0 : -EOPNOTSUPP;
	case SECCOMP_GET_NOTIF_SIZES:
		if (flags)
			return -EINVAL;
		return copyout(uargs, sizes, sizeof(sizes)) < 0 ? -EFAULT : 0;
	}
	return -EINVAL;
}

long
seccomp_prctl_set(unsigned long mode, uaddr_t filter)
{
	if (mode == SECCOMP_MODE_STRICT)
		return set_strict();
	if (mode == SECCOMP_MODE_FILTER)
		return set_filter(0, filter);
	return -EINVAL;
}
