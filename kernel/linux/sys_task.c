/*
 * A process's standing that Linux keeps apart and Petrel mostly does
 * not: capabilities (capget/capset report what euid 0 stands for),
 * the personality word, and unshare (its namespaces are
 * kernel/linux/namespace.c's).
 */
#include <kernel/proc.h>
#include <kernel/vfs.h>
#include <kernel/vm.h>
#include <kernel/syscall.h>
#include <syscall_table.h>
#include <kernel/errno.h>
#include <kernel/string.h>
#include <kernel/sysvipc.h>
#include <kernel/ns.h>

/* ---- Capabilities ------------------------------------------------------- */

#define CAP_V1 0x19980330u
#define CAP_V2 0x20071026u
#define CAP_V3 0x20080522u
#define CAP_ALL PROC_CAP_ALL

struct cap_header {
	uint32_t version;
	int32_t pid;
};

struct cap_data {
	uint32_t effective, permitted, inheritable;
};

/*
 * Linux's cap_validate_magic: an unknown version is EINVAL, and the
 * header is told the kernel's (v3). Returns the data words to copy.
 */
static long
cap_words(uaddr_t uheader)
{
	uint32_t version;
	if (copyin(&version, uheader, sizeof(version)) < 0)
		return -EFAULT;
	if (version == CAP_V1)
		return 1;
	if (version == CAP_V2 || version == CAP_V3)
		return 2;
	version = CAP_V3;
	if (copyout(uheader, &version, sizeof(version)) < 0)
		return -EFAULT;
	return -EINVAL;
}

/* Files have no capabilities: only the ids count. */
void
proc_caps(struct proc *p, uint64_t *eff, uint64_t *perm)
{
	*eff = p->euid == 0 ? CAP_ALL : 0;
	*perm = p->uid == 0 || p->euid == 0 || p->suid == 0 ? CAP_ALL : 0;
}

long
sys_capget(uaddr_t uheader, uaddr_t udata)
{
	long words = cap_words(uheader);
	if (!udata)	/* a probe for the kernel's version */
		return words == -EINVAL || words > 0 ? 0 : words;
	if (words < 0)
		return words;
	struct cap_header h;
	if (copyin(&h, uheader, sizeof(h)) < 0)
		return -EFAULT;
	if (h.pid < 0)
		return -EINVAL;
	struct proc *p = h.pid ? proc_find(h.pid) : current()->proc;
	if (!p || p->state != PROC_ALIVE)
		return -ESRCH;
	uint64_t eff, perm;
	proc_caps(p, &eff, &perm);
	struct cap_data d[2] = {
		{ (uint32_t)eff, (uint32_t)perm, 0 },
		{ (uint32_t)(eff >> 32), (uint32_t)(perm >> 32), 0 },
	};
	return copyout(udata, d, sizeof(d[0]) * (size_t)words);
}

/*
 * Linux's rules first (only the caller itself; nothing beyond what it
 * permits). Petrel cannot hold a root process to fewer capabilities
 * than euid 0 grants, so a set that drops some is EPERM rather than a
 * success that would not hold; setting what it has succeeds.
 */
long
sys_capset(uaddr_t uheader, uaddr_t udata)
{
	long words = cap_words(uheader);
	if (words < 0)
		return words;
	struct cap_header h;
	if (copyin(&h, uheader, sizeof(h)) < 0)
		return -EFAULT;
	struct proc *p = current()->proc;
	if (h.pid != 0 && h.pid != p->pid)
		return -EPERM;
	struct cap_data d[2];
	memset(d, 0, sizeof(d));
	if (copyin(d, udata, sizeof(d[0]) * (size_t)words) < 0)
		return -EFAULT;
	uint64_t eff = d[0].effective | (uint64_t)d[1].effective << 32;
	uint64_t perm = d[0].permitted | (uint64_t)d[1].permitted << 32;
	uint64_t inh = d[0].inheritable | (uint64_t)d[1].inheritable << 32;
	uint64_t have_eff, have_perm;
	proc_caps(p, &have_eff, &have_perm);
	if ((perm & ~have_perm) || (eff & ~perm) || (inh & ~have_perm))
		return -EPERM;
	if ((eff & CAP_ALL) != have_eff || (perm & CAP_ALL) != have_perm ||
	    inh)
		return -EPERM;
	return 0;
}

/* ---- Personality -------------------------------------------------------- */

/*
 * Kept and inherited, but nothing acts on it: PER_LINUX (0) is what
 * Petrel is, and flags such as ADDR_NO_RANDOMIZE change nothing.
 */
long
sys_personality(unsigned persona)
{
	struct proc *p = current()->proc;
	unsigned old = p->personality;
	if (persona != 0xffffffffu)
		p->personality = persona;
	return old;
}

/* ---- Namespaces ---------------------------------------------------------- */

#define CLONE_NEWTIME 0x80
#define CLONE_NEWNS 0x20000
#define CLONE_SYSVSEM 0x40000
#define CLONE_NEWCGROUP 0x02000000
#define CLONE_NEWUTS 0x04000000
#define CLONE_NEWIPC 0x08000000
#define CLONE_NEWUSER 0x10000000
#define CLONE_NEWPID 0x20000000
#define CLONE_NEWNET 0x40000000
#define CLONE_NEWALL (CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | \
		      CLONE_NEWNET | CLONE_NEWPID | CLONE_NEWCGROUP | \
		      CLONE_NEWTIME)

/*
 * Linux's checks (check_unshare_flags), then: the fd table can be made
 * the caller's own; the file-system context is never shared, so there is
 * nothing to undo; CLONE_SYSVSEM applies the process's SEM_UNDO
 * adjustments and starts afresh, as Linux's exit_sem. The CLONE_NEW*
 * bits are ns_unshare's, after the fd table (whose EMFILE comes first).
 */
long
sys_unshare(unsigned long flags)
{
	struct proc *p = current()->proc;
	if (flags & ~(unsigned long)(CLONE_THREAD | CLONE_FS | CLONE_SIGHAND |
				     CLONE_VM | CLONE_FILES | CLONE_SYSVSEM |
				     CLONE_NEWALL | CLONE_NEWUSER))
		return -EINVAL;
	if ((flags & (CLONE_THREAD | CLONE_SIGHAND | CLONE_VM)) &&
	    p->nthreads > 1)
		return -EINVAL;
	struct files *mine = NULL;
	if ((flags & CLONE_FILES) && p->files->refcount > 1) {
		if (!files_fit_nr_open(p->files))
			return -EMFILE;
		mine = files_clone(p->files);
		if (!mine)
			return -ENOMEM;
	}
	if (flags & (CLONE_NEWALL | CLONE_NEWUSER)) {
		int e = ns_unshare(flags & (CLONE_NEWALL | CLONE_NEWUSER));
		if (e < 0) {
			if (mine)
				files_put(mine);
			return e;
		}
	}
	if (mine) {
		files_put(p->files);
		p->files = mine;
	}
	if (flags & CLONE_SYSVSEM)
		sem_exit(p);
	return 0;
}
