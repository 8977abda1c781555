/*
 * prctl's less common options, as Linux 6.1 answers them: PR_SET_MM (the
 * addresses /proc/PID/stat, cmdline and environ show, and the saved
 * auxiliary vector), PR_GET_AUXV, PR_GET_TID_ADDRESS, PR_SET/GET_THP_
 * DISABLE, PR_MCE_KILL(_GET), PR_SET/GET_IO_FLUSHER, PR_SET/GET_TIMING,
 * PR_SET/GET_TSC (the arch's) and the speculation controls. sys_prctl (sys_prctl.c) calls
 * prctl_more for an option it does not know; -ENOSYS: not one of these.
 *
 * Not here, so EINVAL as on a Linux built without them: PR_SET_MM_MAP
 * and PR_SET_MM_MAP_SIZE (CONFIG_CHECKPOINT_RESTORE's whole-map form),
 * PR_SET_PTRACER (Yama), PR_SET_VMA (CONFIG_ANON_VMA_NAME), PR_SCHED_CORE,
 * PR_SET_MEMORY_MERGE (KSM), the perf events switches.
 */
#include <kernel/proc.h>
#include <kernel/vm.h>
#include <kernel/vfs.h>
#include <kernel/mount.h>
#include <kernel/kmalloc.h>
#include <kernel/arch.h>
#include <kernel/caps.h>
#include <kernel/errno.h>
#include <kernel/string.h>
#include <kernel/syscall.h>

#define PR_GET_TIMING 13
#define PR_SET_TIMING 14
#define PR_TIMING_STATISTICAL 0
#define PR_GET_TSC 25
#define PR_SET_TSC 26
#define PR_MCE_KILL 33
#define PR_MCE_KILL_GET 34
#define PR_SET_MM 35
#define PR_GET_TID_ADDRESS 40
#define PR_SET_THP_DISABLE 41
#define PR_GET_THP_DISABLE 42
#define PR_GET_SPECULATION_CTRL 52
#define PR_SET_SPECULATION_CTRL 53
#define PR_SET_IO_FLUSHER 57
#define PR_GET_IO_FLUSHER 58
#define PR_GET_AUXV 0x41555856
#define MM_TOP (USER_TOP - PAGE_SIZE)	/* Linux's TASK_SIZE on x86_64 */
#define RLIMIT_DATA 2
#define RLIM_INFINITY (~0ull)

enum { MCE_KILL_CLEAR, MCE_KILL_SET };
enum { MCE_KILL_LATE, MCE_KILL_EARLY, MCE_KILL_DEFAULT };

enum {
	MM_START_CODE = 1, MM_END_CODE, MM_START_DATA, MM_END_DATA,
	MM_START_STACK, MM_START_BRK, MM_BRK, MM_ARG_START, MM_ARG_END,
	MM_ENV_START, MM_ENV_END, MM_AUXV, MM_EXE_FILE, MM_MAP, MM_MAP_SIZE,
};

/* The speculation controls' which and their states (PR_SPEC_*). */
enum { SPEC_STORE_BYPASS, SPEC_INDIRECT_BRANCH, SPEC_L1D_FLUSH };
#define SPEC_ENABLE 2
#define SPEC_DISABLE 4
#define SPEC_FORCE_DISABLE 8
#define SPEC_DISABLE_NOEXEC 16

/* The addresses PR_SET_MM sets, in Linux's prctl_mm_map order. */
struct mm_bounds {
	vaddr_t start_code, end_code, start_data, end_data;
	vaddr_t start_brk, brk, start_stack;
	vaddr_t arg_start, arg_end, env_start, env_end;
};

/* Linux's validate_prctl_map_addr: every address in the user range above
 * the lowest mappable page, the pairs in order, and the heap and data
 * within RLIMIT_DATA. */
static bool
bounds_valid(const struct proc *p, const struct mm_bounds *b)
{
	const vaddr_t *v = (const vaddr_t *)b;
	for (size_t i = 0; i < sizeof(*b) / sizeof(*v); i++)
		if (v[i] >= MM_TOP || v[i] < PAGE_SIZE)
			return false;
	if (b->start_code >= b->end_code || b->start_data > b->end_data ||
	    b->start_brk > b->brk || b->arg_start > b->arg_end ||
	    b->env_start > b->env_end)
		return false;
	uint64_t limit = p->rlimits[RLIMIT_DATA][0];	/* the soft limit */
	return limit == RLIM_INFINITY ||
	       (b->brk - b->start_brk) + (b->end_data - b->start_data) <= limit;
}

/* Whether vm has a region ending above va (Linux's find_vma finds one). */
static bool
region_above(struct vm *vm, vaddr_t va)
{
	list_for_each(it, &vm->regions)
		if (list_entry(it, struct region, link)->end > va)
			return true;
	return false;
}

/* PR_SET_MM_AUXV: the first len bytes of the saved vector from addr; its
 * last pair stays AT_NULL. */
static long
set_auxv(struct vm *vm, uaddr_t addr, uint64_t len)
{
	uint64_t v[ARRAY_SIZE(vm->auxv)];
	if (len > sizeof(v))
		return -EINVAL;
	if (copyin(v, addr, len) < 0)
		return -EFAULT;
	memcpy(vm->auxv, v, len);
	vm->auxv[ARRAY_SIZE(vm->auxv) - 2] = vm->auxv[ARRAY_SIZE(vm->auxv) - 1] = 0;
	return 0;
}

/*
 * PR_SET_MM_EXE_FILE: the program /proc/PID/exe names becomes the file at
 * fd, as Linux's prctl_set_mm_exe_file: a regular file the caller may
 * execute, off noexec mounts (EACCES), while the old one is no longer
 * mapped (EBUSY); it is held against writing as exec's is (EACCES if open
 * for writing).
 */
static long
set_exe_file(struct proc *p, int fd)
{
	struct vm *vm = p->vm;
	struct file *f = fd_get(p, fd);
	if (!f || !f->inode)
		return -EBADF;
	struct inode *ino = f->inode;
	if (!S_ISREG(ino->mode) || mount_noexec(ino) ||
	    vfs_permission(p, ino, 1) < 0)
		return -EACCES;
	list_for_each(it, &vm->regions)
		if (vm->exe && list_entry(it, struct region, link)->file == vm->exe)
			return -EBUSY;
	char *path = kmalloc(sizeof(p->exe));
	if (!path)
		return -ENOMEM;
	long n = f->path ? vfs_file_path(p, f, path, sizeof(p->exe)) : -ENOENT;
	if (inode_deny_write(ino) < 0) {
		kfree(path);
		return -EACCES;
	}
	inode_get(ino);
	vm_set_exe(vm, ino);	/* gives the old one's deny and reference back */
	/* /proc/PID/exe's text: the file's path, if it has one that fits. */
	if (n > 0 && strnlen(path, sizeof(p->exe)) < sizeof(p->exe))
		memcpy(p->exe, path, strlen(path) + 1);
	else
		p->exe[0] = 0;
	kfree(path);
	return 0;
}

/* PR_SET_MM, as Linux's prctl_set_mm: one address of the process's
 * memory layout (CAP_SYS_RESOURCE), checked with all the others. */
static long
set_mm(struct proc *p, int opt, uint64_t addr, uint64_t a4, uint64_t a5)
{
	struct vm *vm = p->vm;
	if (a5 || (a4 && opt != MM_AUXV && opt != MM_MAP && opt != MM_MAP_SIZE))
		return -EINVAL;
	if (opt == MM_MAP || opt == MM_MAP_SIZE)
		return -EINVAL;	/* CONFIG_CHECKPOINT_RESTORE's */
	if (!capable(CAP_SYS_RESOURCE))
		return -EPERM;
	if (opt == MM_EXE_FILE)
		return set_exe_file(p, (int)addr);
	if (opt == MM_AUXV)
		return set_auxv(vm, addr, a4);
	if (addr >= MM_TOP || addr < PAGE_SIZE)
		return -EINVAL;
	struct mm_bounds b = {
		vm->start_code, vm->end_code, vm->start_data, vm->end_data,
		vm->brk_start, vm->brk, vm->start_stack,
		vm->arg_start, vm->arg_end, vm->env_start, vm->env_end,
	};
	vaddr_t *field[] = {
		[MM_START_CODE] = &b.start_code, [MM_END_CODE] = &b.end_code,
		[MM_START_DATA] = &b.start_data, [MM_END_DATA] = &b.end_data,
		[MM_START_STACK] = &b.start_stack, [MM_START_BRK] = &b.start_brk,
		[MM_BRK] = &b.brk, [MM_ARG_START] = &b.arg_start,
		[MM_ARG_END] = &b.arg_end, [MM_ENV_START] = &b.env_start,
		[MM_ENV_END] = &b.env_end,
	};
	if (opt < MM_START_CODE || opt > MM_ENV_END)
		return -EINVAL;
	*field[opt] = addr;
	if (!bounds_valid(p, &b))
		return -EINVAL;
	/* The stack and the strings must lie at or below some mapping. */
	if ((opt == MM_START_STACK || opt >= MM_ARG_START) &&
	    !region_above(vm, addr))
		return -EFAULT;
	vm->start_code = b.start_code;
	vm->end_code = b.end_code;
	vm->start_data = b.start_data;
	vm->end_data = b.end_data;
	vm->brk_start = b.start_brk;
	vm->brk = b.brk;
	vm->start_stack = b.start_stack;
	vm->arg_start = b.arg_start;
	vm->arg_end = b.arg_end;
	vm->env_start = b.env_start;
	vm->env_end = b.env_end;
	return 0;
}

/* PR_MCE_KILL: the thread's machine-check policy. */
static long
mce_kill(struct thread *t, uint64_t how, uint64_t policy)
{
	if (how == MCE_KILL_CLEAR) {
		if (policy)
			return -EINVAL;
		t->mce_policy = 0;
		return 0;
	}
	if (how != MCE_KILL_SET)
		return -EINVAL;
	if (policy == MCE_KILL_LATE)
		t->mce_policy = 1;
	else if (policy == MCE_KILL_EARLY)
		t->mce_policy = 2;
	else if (policy == MCE_KILL_DEFAULT)
		t->mce_policy = 0;
	else
		return -EINVAL;
	return 0;
}

/*
 * The speculation controls. Petrel leaves the CPU's speculation as it is
 * and switches no mitigation per task, as Linux with its mitigations off:
 * store bypass and indirect branches read "enabled, not controllable",
 * L1D flushing "force disabled".
 */
static long
speculation(bool set, uint64_t which, uint64_t state)
{
	switch (which) {
	case SPEC_STORE_BYPASS:
		return set ? -ENXIO : SPEC_ENABLE;
	case SPEC_INDIRECT_BRANCH:
		if (!set)
			return SPEC_ENABLE;
		if (state == SPEC_ENABLE)
			return 0;
		if (state == SPEC_DISABLE || state == SPEC_FORCE_DISABLE)
			return -EPERM;
		return -ERANGE;
	case SPEC_L1D_FLUSH:
		return set ? -EPERM : SPEC_FORCE_DISABLE;
	}
	return -ENODEV;
}

long
prctl_more(int op, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5)
{
	struct thread *t = current();
	struct proc *p = t->proc;
	uint64_t size;

	switch (op) {
	case PR_SET_MM:
		return set_mm(p, (int)a2, a3, a4, a5);
	case PR_GET_AUXV:
		if (a4 || a5)
			return -EINVAL;
		size = MIN(sizeof(p->vm->auxv), a3);
		if (size && copyout(a2, p->vm->auxv, size) < 0)
			return -EFAULT;
		return sizeof(p->vm->auxv);
	case PR_GET_TID_ADDRESS:
		return copyout(a2, &t->clear_child_tid, sizeof(uint64_t));
	case PR_SET_THP_DISABLE:
		if (a3 || a4 || a5)
			return -EINVAL;
		p->thp_disabled = a2 != 0;
		return 0;
	case PR_GET_THP_DISABLE:
		if (a2 || a3 || a4 || a5)
			return -EINVAL;
		return p->thp_disabled;
	case PR_MCE_KILL:
		if (a4 || a5)
			return -EINVAL;
		return mce_kill(t, a2, a3);
	case PR_MCE_KILL_GET:
		if (a2 || a3 || a4 || a5)
			return -EINVAL;
		return t->mce_policy == 0 ? MCE_KILL_DEFAULT :
		       t->mce_policy == 2 ? MCE_KILL_EARLY : MCE_KILL_LATE;
	case PR_SET_IO_FLUSHER:
		if (!capable(CAP_SYS_RESOURCE))
			return -EPERM;
		if (a3 || a4 || a5 || a2 > 1)
			return -EINVAL;
		t->io_flusher = a2 == 1;
		return 0;
	case PR_GET_IO_FLUSHER:
		if (!capable(CAP_SYS_RESOURCE))
			return -EPERM;
		if (a2 || a3 || a4 || a5)
			return -EINVAL;
		return t->io_flusher;
	case PR_GET_TSC:
	case PR_SET_TSC:
		return arch_prctl_tsc(op == PR_SET_TSC, a2);
	case PR_GET_TIMING:
		return PR_TIMING_STATISTICAL;
	case PR_SET_TIMING:
		return a2 == PR_TIMING_STATISTICAL ? 0 : -EINVAL;
	case PR_GET_SPECULATION_CTRL:
		if (a3 || a4 || a5)
			return -EINVAL;
		return speculation(false, a2, 0);
	case PR_SET_SPECULATION_CTRL:
		if (a4 || a5)
			return -EINVAL;
		return speculation(true, a2, a3);
	}
	return -ENOSYS;
}
