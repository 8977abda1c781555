/*
 * Linux capabilities: the sets a process holds (struct caps, beside its
 * uids), capable(), capget/capset, the setuid and execve rules of Linux's
 * commoncap module, and prctl's capability options. Files carry no
 * capabilities: only the uids and these sets count.
 */
#include <kernel/caps.h>
#include <kernel/proc.h>
#include <kernel/vm.h>
#include <kernel/syscall.h>
#include <syscall_table.h>
#include <kernel/errno.h>
#include <kernel/string.h>

#define CAP_V1 0x19980330u
#define CAP_V2 0x20071026u
#define CAP_V3 0x20080522u

/* The capabilities fs uid 0 stands for (Linux's CAP_FS_MASK). */
#define CAP_FS_SET (CAP_BIT(CAP_CHOWN) | CAP_BIT(CAP_MKNOD) | \
		    CAP_BIT(CAP_DAC_OVERRIDE) | CAP_BIT(CAP_DAC_READ_SEARCH) | \
		    CAP_BIT(CAP_FOWNER) | CAP_BIT(CAP_FSETID) | \
		    CAP_BIT(CAP_MAC_OVERRIDE))

#define PR_GET_KEEPCAPS 7
#define PR_SET_KEEPCAPS 8
#define PR_CAPBSET_READ 23
#define PR_CAPBSET_DROP 24
#define PR_GET_SECUREBITS 27
#define PR_SET_SECUREBITS 28
#define PR_CAP_AMBIENT 47
#define PR_CAP_AMBIENT_IS_SET 1
#define PR_CAP_AMBIENT_RAISE 2
#define PR_CAP_AMBIENT_LOWER 3
#define PR_CAP_AMBIENT_CLEAR_ALL 4

void
caps_init(struct caps *c)
{
	memset(c, 0, sizeof(*c));
	c->effective = c->permitted = c->bounding = CAP_FULL_SET;
}

bool
proc_capable(const struct proc *p, int cap)
{
	return (p->caps.effective & CAP_BIT(cap)) != 0;
}

bool
capable(int cap)
{
	struct thread *t = current();
	return !t || !t->proc || proc_capable(t->proc, cap);
}

static bool
cap_valid(uint64_t cap)
{
	return cap <= CAP_LAST_CAP;
}

/* ---- setuid and execve ------------------------------------------------ */

void
caps_setuid_fixup(struct proc *p, unsigned old_r, unsigned old_e,
		  unsigned old_s)
{
	struct caps *c = &p->caps;
	if (c->securebits & SECBIT_NO_SETUID_FIXUP)
		return;
	bool was_root = old_r == 0 || old_e == 0 || old_s == 0;
	bool is_root = p->uid == 0 || p->euid == 0 || p->suid == 0;
	if (was_root && !is_root) {
		if (!(c->securebits & SECBIT_KEEP_CAPS))
			c->permitted = c->effective = 0;
		c->ambient = 0;
	}
	if (old_e == 0 && p->euid != 0)
		c->effective = 0;
	if (old_e != 0 && p->euid == 0)
		c->effective = c->permitted;
}

void
caps_setfsuid_fixup(struct proc *p, unsigned old_fs)
{
	struct caps *c = &p->caps;
	if (c->securebits & SECBIT_NO_SETUID_FIXUP)
		return;
	if (old_fs == 0 && p->fsuid != 0)
		c->effective &= ~CAP_FS_SET;
	if (old_fs != 0 && p->fsuid == 0)
		c->effective |= c->permitted & CAP_FS_SET;
}

void
caps_exec(struct proc *p)
{
	struct caps *c = &p->caps;
	bool root = !(c->securebits & SECBIT_NOROOT) &&
		    (p->euid == 0 || p->uid == 0);
	bool effective = root && p->euid == 0;
	c->permitted = root ? c->bounding | c->inheritable : 0;
	c->permitted |= c->ambient;
	c->effective = effective ? c->permitted : c->ambient;
	c->securebits &= ~SECBIT_KEEP_CAPS;
}

/* ---- capget and capset ------------------------------------------------ */

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
	const struct caps *c = &p->caps;
	struct cap_data d[2] = {
		{ (uint32_t)c->effective, (uint32_t)c->permitted,
		  (uint32_t)c->inheritable },
		{ (uint32_t)(c->effective >> 32), (uint32_t)(c->permitted >> 32),
		  (uint32_t)(c->inheritable >> 32) },
	};
	return copyout(udata, d, sizeof(d[0]) * (size_t)words);
}

static uint64_t
cap_join(uint32_t low, uint32_t high)
{
	return (low | (uint64_t)high << 32) & CAP_FULL_SET;
}

/*
 * Linux's cap_capset: only the caller itself; the new inheritable set
 * within the old inheritable and permitted ones (any, with CAP_SETPCAP)
 * and within the old inheritable and bounding ones; permitted within the
 * old permitted; effective within the new permitted. The ambient set
 * keeps only what stays both permitted and inheritable.
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
	uint64_t eff = cap_join(d[0].effective, d[1].effective);
	uint64_t perm = cap_join(d[0].permitted, d[1].permitted);
	uint64_t inh = cap_join(d[0].inheritable, d[1].inheritable);
	struct caps *c = &p->caps;
	if (!proc_capable(p, CAP_SETPCAP) &&
	    (inh & ~(c->inheritable | c->permitted)))
		return -EPERM;
	if ((inh & ~(c->inheritable | c->bounding)) || (perm & ~c->permitted) ||
	    (eff & ~perm))
		return -EPERM;
	c->effective = eff;
	c->permitted = perm;
	c->inheritable = inh;
	c->ambient &= perm & inh;
	return 0;
}

/* ---- prctl -------------------------------------------------------------- */

/*
 * PR_SET_SECUREBITS: a locked bit cannot change nor its lock be
 * released, unknown bits are refused, and it takes CAP_SETPCAP.
 */
static long
set_securebits(struct proc *p, uint64_t bits)
{
	unsigned old = p->caps.securebits;
	if ((((old & SECBIT_ALL_LOCKS) >> 1) & (old ^ bits)) ||
	    (old & SECBIT_ALL_LOCKS & ~bits) ||
	    (bits & ~(uint64_t)(SECBIT_ALL | SECBIT_ALL_LOCKS)) ||
	    !proc_capable(p, CAP_SETPCAP))
		return -EPERM;
	p->caps.securebits = (unsigned)bits;
	return 0;
}

static long
set_keepcaps(struct proc *p, uint64_t keep)
{
	if (keep > 1)
		return -EINVAL;
	if (p->caps.securebits & (SECBIT_KEEP_CAPS << 1))
		return -EPERM;	/* locked */
	if (keep)
		p->caps.securebits |= SECBIT_KEEP_CAPS;
	else
		p->caps.securebits &= ~SECBIT_KEEP_CAPS;
	return 0;
}

/* PR_CAP_AMBIENT: raising needs the capability permitted and
 * inheritable, and no SECBIT_NO_CAP_AMBIENT_RAISE. */
static long
cap_ambient(struct caps *c, uint64_t how, uint64_t cap, uint64_t a4,
	    uint64_t a5)
{
	if (how == PR_CAP_AMBIENT_CLEAR_ALL) {
		if (cap | a4 | a5)
			return -EINVAL;
		c->ambient = 0;
		return 0;
	}
	if (!cap_valid(cap) || a4 || a5)
		return -EINVAL;
	uint64_t bit = CAP_BIT(cap);
	switch (how) {
	case PR_CAP_AMBIENT_IS_SET:
		return (c->ambient & bit) != 0;
	case PR_CAP_AMBIENT_RAISE:
		if (!(c->permitted & bit) || !(c->inheritable & bit) ||
		    (c->securebits & SECBIT_NO_CAP_AMBIENT_RAISE))
			return -EPERM;
		c->ambient |= bit;
		return 0;
	case PR_CAP_AMBIENT_LOWER:
		c->ambient &= ~bit;
		return 0;
	}
	return -EINVAL;
}

long
caps_prctl(int op, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5)
{
	struct proc *p = current()->proc;
	struct caps *c = &p->caps;
	switch (op) {
	case PR_GET_KEEPCAPS:
		return (c->securebits & SECBIT_KEEP_CAPS) != 0;
	case PR_SET_KEEPCAPS:
		return set_keepcaps(p, a2);
	case PR_GET_SECUREBITS:
		return c->securebits;
	case PR_SET_SECUREBITS:
		return set_securebits(p, a2);
	case PR_CAPBSET_READ:
		return cap_valid(a2) ? (c->bounding & CAP_BIT(a2)) != 0 :
				       -EINVAL;
	case PR_CAPBSET_DROP:
		if (!proc_capable(p, CAP_SETPCAP))
			return -EPERM;
		if (!cap_valid(a2))
			return -EINVAL;
		c->bounding &= ~CAP_BIT(a2);
		return 0;
	case PR_CAP_AMBIENT:
		return cap_ambient(c, a2, a3, a4, a5);
	}
	return -ENOSYS;
}
