/*
 * A process's standing that Linux keeps apart and Petrel mostly does
 * not: the personality word (namespaces are kernel/linux/namespace.c's,
 * capabilities caps.c's).
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

#define CLONE_SYSVSEM 0x40000
#define CLONE_NEWALL (CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | \
		      CLONE_NEWNET | CLONE_NEWPID | CLONE_NEWCGROUP | \
		      CLONE_NEWTIME)

/*
 * Linux's checks (check_unshare_flags), then: the fd table and the
 * file-system context (cwd, root, umask; CLONE_NEWNS and CLONE_NEWUSER
 * unshare it too, as Linux) can be made the caller's own; CLONE_SYSVSEM
 * applies the process's SEM_UNDO adjustments and starts afresh, as
 * Linux's exit_sem. The CLONE_NEW*
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
	struct fs_info *fs = NULL;
	if ((flags & (CLONE_FS | CLONE_NEWNS | CLONE_NEWUSER)) &&
	    p->fs->refcount > 1) {
		fs = fs_info_copy(p->fs);
		if (!fs) {
			if (mine)
				files_put(mine);
			return -ENOMEM;
		}
	}
	if (flags & (CLONE_NEWALL | CLONE_NEWUSER)) {
		int e = ns_unshare(flags & (CLONE_NEWALL | CLONE_NEWUSER));
		if (e < 0) {
			if (mine)
				files_put(mine);
			fs_info_put(fs);
			return e;
		}
	}
	if (mine)
		files_replace(p, mine);
	if (fs) {
		fs_info_put(p->fs);
		p->fs = fs;
	}
	if (flags & CLONE_SYSVSEM)
		sem_exit(p);
	return 0;
}
