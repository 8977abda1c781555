/*
 * The text of /proc/PID/stat, statm, status, maps, smaps and smaps_rollup,
 * in Linux's layouts (fs/proc/array.c and task_mmu.c), from the process
 * and what its address space holds (kernel/mm/vm_stat.c).
 */
#include <kernel/proc.h>
#include <kernel/vm.h>
#include <kernel/vfs.h>
#include <kernel/cpu.h>
#include <kernel/tty.h>
#include <kernel/signal.h>
#include <kernel/string.h>
#include <kernel/tmpfs.h>
#include <kernel/inotify.h>
#include <kernel/mount.h>
#include <kernel/ptrace.h>
#include <kernel/seccomp.h>
#include <kernel/kmalloc.h>
#include <kernel/errno.h>
#include "procfs_int.h"

#define SIG_DFL_K 0
#define SIG_IGN_K 1
#define RLIMIT_SIGPENDING_K 11

char
proc_state_char(struct proc *p)
{
	if (p->state == PROC_ZOMBIE)
		return 'Z';
	if (p->stopped)
		return 'T';
	/* Linux shows the group leader's state: a process whose main thread
	   sleeps is 'S' while another of its threads runs. Without the
	   leader, any running thread makes it 'R'. */
	bool any_running = false;
	list_for_each(it, &p->threads) {
		struct thread *t = list_entry(it, struct thread, proc_link);
		bool running = t->state == THREAD_RUNNING ||
			       t->state == THREAD_RUNNABLE;
		if (t->tid == p->pid)
			return running ? 'R' : 'S';
		any_running |= running;
	}
	return any_running ? 'R' : 'S';
}

/* The thread /proc/PID speaks for (Linux: the group leader), or NULL. */
static struct thread *
main_thread(struct proc *p)
{
	return list_empty(&p->threads) ? NULL :
	       list_first(&p->threads, struct thread, proc_link);
}

static int
parent_pid(struct proc *p)
{
	return p->parent && p->parent != p ? p->parent->pid : 0;
}

/* The stat line of p, named name, with state `state` (the process's or
 * a thread's). */
static void
gen_stat(struct gen *g, struct proc *p, int id, const char *name, char state)
{
	struct cputime own = proc_cputime(p), children = p->child_cputime;
	uint64_t start = p->start_ns / 10000000;
	struct vm *vm = p->state == PROC_ALIVE ? p->vm : NULL;
	uint64_t vsize = vm ? vm->mapped : 0, rss = vm ? vm->pages : 0;
	int tty = p->ctty ? (int)p->ctty->rdev : 0;
	int tpgid = p->ctty ? p->ctty->fg_pgrp : -1;
	/* The layout addresses, as Linux's, only for a reader that may
	 * trace p (else startcode and endcode read 1, the others 0): code,
	 * stack (fields 26-28), data, heap, arguments, environment (45-51). */
	bool permitted = proc_may_access(current()->proc, p);
	vaddr_t a[10] = { 0 };
	if (vm && permitted) {
		vaddr_t shown[10] = {
			vm->start_code, vm->end_code, vm->start_stack,
			vm->start_data, vm->end_data, vm->brk_start,
			vm->arg_start, vm->arg_end, vm->env_start, vm->env_end,
		};
		memcpy(a, shown, sizeof(a));
	} else if (vm) {
		a[0] = a[1] = 1;
	}
	gprintf(g, "%d (%s) %c %d %d %d %d %d 4194304 0 0 0 0 %lu %lu %lu %lu %d %d %d 0 %lu %lu %lu "
		"18446744073709551615 %lu %lu %lu 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0 "
		"%lu %lu %lu %lu %lu %lu %lu %d\n",
		id, name, state, parent_pid(p), p->pgid, p->sid, tty, tpgid,
		own.user_ns / 10000000, own.system_ns / 10000000,
		children.user_ns / 10000000, children.system_ns / 10000000,
		20 + proc_nice(p), proc_nice(p), p->nthreads ? p->nthreads : 1,
		start, vsize, rss,
		a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9],
		p->state == PROC_ZOMBIE && permitted ? p->exit_status : 0);
}

void
procfs_pid_stat(struct gen *g, struct proc *p)
{
	gen_stat(g, p, p->pid, p->name, proc_state_char(p));
}

/* A thread's state letter, as its stat and status show it. */
static char
task_state_char(struct proc *p, struct thread *t)
{
	return p->stopped ? 'T' :
	       t->state == THREAD_RUNNING || t->state == THREAD_RUNNABLE ?
	       'R' : 'S';
}

static void
procfs_task_stat(struct gen *g, struct proc *p, struct thread *t)
{
	gen_stat(g, p, t->tid, t->comm, task_state_char(p, t));
}

/* The sizes status shows besides the page counts, as Linux's mm counters. */
struct vm_sizes {
	uint64_t data, stack, exe, lib, locked;
};

static void
vm_sizes(struct vm *vm, struct vm_sizes *s)
{
	list_for_each(it, &vm->regions) {
		struct region *r = list_entry(it, struct region, link);
		uint64_t size = r->end - r->start;
		if (r->flags & MAP_GROWSDOWN)
			s->stack += size;
		else if ((r->prot & PROT_WRITE) && !(r->flags & MAP_SHARED))
			s->data += size;
		else if ((r->prot & PROT_EXEC) && r->file && r->file == vm->exe)
			s->exe += size;
		else if (r->prot & PROT_EXEC)
			s->lib += size;
		if (r->flags & VM_LOCKED)
			s->locked += size;
	}
}

static void
sig_masks(struct proc *p, uint64_t *ignored, uint64_t *caught)
{
	*ignored = *caught = 0;
	for (int sig = 1; sig < NSIG && p->sighand; sig++) {
		uint64_t h = p->sighand->action[sig].handler;
		if (h == SIG_IGN_K)
			*ignored |= SIGBIT(sig);
		else if (h != SIG_DFL_K)
			*caught |= SIGBIT(sig);
	}
}

/* A CPU mask as Linux's %*pb: hex, in groups of 32 bits. */
static void
gen_cpu_mask(struct gen *g, uint64_t mask)
{
	if (cpu_count > 32)
		gprintf(g, "%08lx,", (mask >> 32) & ((1ul << (cpu_count - 32)) - 1));
	gprintf(g, cpu_count > 32 ? "%08lx" : "%lx", mask & 0xffffffff);
}

/* The same as a list of ranges: "0-3,5". */
static void
gen_cpu_list(struct gen *g, uint64_t mask)
{
	const char *sep = "";
	for (int i = 0; i < cpu_count;) {
		if (!(mask & (1ul << i))) {
			i++;
			continue;
		}
		int j = i;
		while (j + 1 < cpu_count && (mask & (1ul << (j + 1))))
			j++;
		if (j > i)
			gprintf(g, "%s%d-%d", sep, i, j);
		else
			gprintf(g, "%s%d", sep, i);
		sep = ",";
		i = j + 1;
	}
}

static const char *
state_name(char state)
{
	switch (state) {
	case 'R': return "R (running)";
	case 'T': return "T (stopped)";
	case 'Z': return "Z (zombie)";
	default: return "S (sleeping)";
	}
}

/* status's first lines for thread id of p, named name, in state state. */
static void
gen_status_ids(struct gen *g, struct proc *p, int id, const char *name,
	       char state)
{
	gprintf(g, "Name:\t%s\nUmask:\t%04o\nState:\t%s\nTgid:\t%d\nNgid:\t0\n"
		"Pid:\t%d\nPPid:\t%d\nTracerPid:\t%d\n"
		"Uid:\t%u\t%u\t%u\t%u\nGid:\t%u\t%u\t%u\t%u\nFDSize:\t%d\n"
		"Groups:\t",
		name, p->fs ? p->fs->umask : 0, state_name(state), p->pid,
		id, parent_pid(p),
		ptrace_tracer_pid(p), p->uid, p->euid, p->suid, p->fsuid,
		p->gid, p->egid, p->sgid, p->fsgid,
		p->files ? fd_table_size(p) : 0);
	for (unsigned i = 0; p->groups && i < p->groups->count; i++)
		gprintf(g, "%u ", p->groups->gid[i]);
	gprintf(g, "\nNStgid:\t%d\nNSpid:\t%d\nNSpgid:\t%d\nNSsid:\t%d\n",
		p->pid, id, p->pgid, p->sid);
}

#define KB(bytes) ((bytes) >> 10)

static void
gen_status_vm(struct gen *g, struct vm *vm)
{
	struct vm_usage u = { 0 };
	struct vm_sizes s = { 0 };
	spin_lock(&vm->lock);	/* its owner may map without the big lock */
	vm_usage(vm, &u);
	vm_sizes(vm, &s);
	spin_unlock(&vm->lock);
	gprintf(g, "VmPeak:\t%8lu kB\nVmSize:\t%8lu kB\nVmLck:\t%8lu kB\n"
		"VmPin:\t%8lu kB\nVmHWM:\t%8lu kB\nVmRSS:\t%8lu kB\n"
		"RssAnon:\t%8lu kB\nRssFile:\t%8lu kB\nRssShmem:\t%8lu kB\n"
		"VmData:\t%8lu kB\nVmStk:\t%8lu kB\nVmExe:\t%8lu kB\n"
		"VmLib:\t%8lu kB\nVmPTE:\t%8lu kB\nVmSwap:\t%8lu kB\n"
		"HugetlbPages:\t%8lu kB\n",
		KB(vm->mapped_peak), KB(vm->mapped), KB(s.locked), 0ul,
		KB(MAX(vm->pages_peak, vm->pages) * PAGE_SIZE),
		KB(vm->pages * PAGE_SIZE), KB(u.anon), KB(u.file), KB(u.shmem),
		KB(s.data), KB(s.stack), KB(s.exe), KB(s.lib),
		KB(u.tables * PAGE_SIZE), 0ul, 0ul);
}

static void
gen_status_signals(struct gen *g, struct proc *p, struct thread *t)
{
	uint64_t ignored, caught;
	const struct caps *c = &p->caps;
	sig_masks(p, &ignored, &caught);
	gprintf(g, "Threads:\t%d\nSigQ:\t%u/%lu\nSigPnd:\t%016lx\nShdPnd:\t%016lx\n"
		"SigBlk:\t%016lx\nSigIgn:\t%016lx\nSigCgt:\t%016lx\n"
		"CapInh:\t%016lx\nCapPrm:\t%016lx\nCapEff:\t%016lx\n"
		"CapBnd:\t%016lx\nCapAmb:\t%016lx\nNoNewPrivs:\t%d\nSeccomp:\t%d\n"
		"Seccomp_filters:\t%d\n",
		p->nthreads, signal_queued(p), p->rlimits[RLIMIT_SIGPENDING_K][0],
		t ? t->sig_pending : 0, p->sig_pending, t ? t->sig_blocked : 0,
		ignored, caught, c->inheritable, c->permitted, c->effective,
		c->bounding, c->ambient,
		t ? t->no_new_privs : 0, t ? t->seccomp_mode : 0,
		t ? seccomp_filter_count(t) : 0);
}

/* The status of p as thread t (NULL: the leader has exited) shows it. */
static void
gen_status(struct gen *g, struct proc *p, struct thread *t, int id,
	   const char *name, char state)
{
	gen_status_ids(g, p, id, name, state);
	if (p->vm && p->state == PROC_ALIVE)
		gen_status_vm(g, p->vm);
	if (p->vm && p->state == PROC_ALIVE)
		gprintf(g, "CoreDumping:\t0\nTHP_enabled:\t0\n");
	gen_status_signals(g, p, t);
	uint64_t all = cpu_count >= 64 ? ~0ul : (1ul << cpu_count) - 1;
	uint64_t mask = t && t->sched.affinity ? t->sched.affinity & all : all;
	gprintf(g, "Cpus_allowed:\t");
	gen_cpu_mask(g, mask);
	gprintf(g, "\nCpus_allowed_list:\t");
	gen_cpu_list(g, mask);
	gprintf(g, "\nMems_allowed:\t00000000,00000001\nMems_allowed_list:\t0\n"
		"voluntary_ctxt_switches:\t%lu\nnonvoluntary_ctxt_switches:\t%lu\n",
		t ? t->nvcsw : 0, t ? t->nivcsw : 0);
}

void
procfs_pid_status(struct gen *g, struct proc *p)
{
	gen_status(g, p, main_thread(p), p->pid, p->name, proc_state_char(p));
}

/* /proc/PID/task/TID/status: p's, with thread t's name, id, state,
 * signals, affinity and switches. */
static void
procfs_task_status(struct gen *g, struct proc *p, struct thread *t)
{
	gen_status(g, p, t, t->tid, t->comm, task_state_char(p, t));
}

void
procfs_task_file(struct gen *g, struct proc *p, struct thread *t,
		 enum pkind kind)
{
	if (kind == P_TASK_COMM)
		gprintf(g, "%s\n", t ? t->comm : p->name);
	else if (t && kind == P_TASK_STATUS)
		procfs_task_status(g, p, t);
	else if (t && kind == P_TASK_STAT)
		procfs_task_stat(g, p, t);
}

long
procfs_comm_write(struct proc *p, struct thread *t, const char *text,
		  size_t len)
{
	if (!p)
		return -ESRCH;
	if (p != current()->proc)
		return -EINVAL;
	char name[THREAD_COMM_MAX] = { 0 };
	memcpy(name, text, MIN(len, sizeof(name) - 1));
	if (t)
		thread_set_comm(t, name, strlen(name));
	else		/* the leader has exited */
		memcpy(p->name, name, sizeof(p->name));
	return 0;
}

void
procfs_pid_statm(struct gen *g, struct proc *p)
{
	struct vm_usage u = { 0 };
	struct vm_sizes s = { 0 };
	if (p->vm && p->state == PROC_ALIVE) {
		spin_lock(&p->vm->lock);
		vm_usage(p->vm, &u);
		vm_sizes(p->vm, &s);
		spin_unlock(&p->vm->lock);
	}
	uint64_t size = p->vm ? p->vm->mapped : 0, rss = p->vm ? p->vm->pages : 0;
	gprintf(g, "%lu %lu %lu %lu 0 %lu 0\n", size / PAGE_SIZE, rss,
		(u.file + u.shmem) / PAGE_SIZE, s.exe / PAGE_SIZE,
		(s.data + s.stack) / PAGE_SIZE);
}

/* Linux's major and minor of a device number as stat shows it. */
static unsigned
dev_major(uint32_t dev)
{
	return (dev >> 8) & 0xfff;
}

static unsigned
dev_minor(uint32_t dev)
{
	return (dev & 0xff) | ((dev >> 12) & 0xfff00);
}

/* A region's name: its path, Linux's name for a memfd, or a tag. */
static void
gen_region_name(struct gen *g, struct region *r)
{
	const char *memfd = r->file ? tmpfs_memfd_name(r->file) : NULL;
	if (r->tag)
		gprintf(g, "%s", r->tag);
	else if (memfd)
		gprintf(g, "/memfd:%s (deleted)", memfd);
	else if (r->name)
		gprintf(g, "%s%s", r->name->path,
			r->file && r->file->nlink == 0 ? " (deleted)" : "");
}

/* The start, end, permissions, offset, device and inode: maps's header. */
static void
gen_region_header(struct gen *g, vaddr_t start, vaddr_t end, const char *perm,
		  uint64_t off, uint32_t dev, uint64_t ino)
{
	gprintf(g, "%08lx-%08lx %s %08lx %02x:%02x %lu ", start, end, perm, off,
		dev_major(dev), dev_minor(dev), ino);
}

static bool
region_named(struct region *r)
{
	return r->tag || r->name || (r->file && tmpfs_memfd_name(r->file));
}

/* Spaces after a header of `used` bytes up to the name's column, 73, or
 * one if it is past it (Linux's seq_pad). */
static void
gen_pad(struct gen *g, size_t used)
{
	gprintf(g, "%*s", (int)(used < 72 ? 72 - used + 1 : 1), "");
}

/* One line of maps. */
static void
gen_region_line(struct gen *g, struct region *r)
{
	char perm[5] = {
		(r->prot & PROT_READ) ? 'r' : '-', (r->prot & PROT_WRITE) ? 'w' : '-',
		(r->prot & PROT_EXEC) ? 'x' : '-', (r->flags & MAP_SHARED) ? 's' : 'p', 0,
	};
	/* A tagged region's file ([vvar], [vdso]) is the kernel's own. */
	struct inode *f = r->tag ? NULL : r->file;
	size_t line = g->len;
	gen_region_header(g, r->start, r->end, perm, f ? r->file_off : 0,
			  f && f->sb ? f->sb->dev : 0, f ? f->ino : 0);
	if (region_named(r)) {
		gen_pad(g, g->len - line);
		gen_region_name(g, r);
	}
	gprintf(g, "\n");
}

void
procfs_pid_maps(struct gen *g, struct proc *p)
{
	if (!p->vm || p->state != PROC_ALIVE)
		return;
	/* The vm lock: its owner maps and unmaps without the big lock
	   (docs/kernel.md, "Memory"); gen grows with kmalloc, allowed. */
	spin_lock(&p->vm->lock);
	list_for_each(it, &p->vm->regions)
		gen_region_line(g, list_entry(it, struct region, link));
	spin_unlock(&p->vm->lock);
}

/* ---- PROCMAP_QUERY ------------------------------------------------------- */

#define PROCMAP_QUERY 0xc0686611ul	/* _IOWR('f', 17, struct procmap_query) */
#define PROCMAP_QUERY_VMA_READABLE 0x01
#define PROCMAP_QUERY_VMA_WRITABLE 0x02
#define PROCMAP_QUERY_VMA_EXECUTABLE 0x04
#define PROCMAP_QUERY_VMA_SHARED 0x08
#define PROCMAP_QUERY_COVERING_OR_NEXT_VMA 0x10
#define PROCMAP_QUERY_FILE_BACKED_VMA 0x20
#define PROCMAP_QUERY_FLAGS 0x3f
#define NAME_MAX_QUERY 4096	/* Linux's PATH_MAX */

/* Linux's struct procmap_query. */
struct procmap_query_k {
	uint64_t size, query_flags, query_addr;
	uint64_t vma_start, vma_end, vma_flags, vma_page_size, vma_offset;
	uint64_t inode;
	uint32_t dev_major, dev_minor, vma_name_size, build_id_size;
	uint64_t vma_name_addr, build_id_addr;
};

static unsigned
region_query_flags(const struct region *r)
{
	return ((r->prot & PROT_READ) ? PROCMAP_QUERY_VMA_READABLE : 0) |
	       ((r->prot & PROT_WRITE) ? PROCMAP_QUERY_VMA_WRITABLE : 0) |
	       ((r->prot & PROT_EXEC) ? PROCMAP_QUERY_VMA_EXECUTABLE : 0) |
	       ((r->flags & MAP_SHARED) ? PROCMAP_QUERY_VMA_SHARED : 0);
}

/* Linux's query_matching_vma: the region holding addr, or with
 * COVERING_OR_NEXT the first after it, that has the permissions asked. */
static struct region *
query_region(struct vm *vm, uint64_t addr, uint64_t flags)
{
	unsigned want = flags & 0x0f;
	list_for_each(it, &vm->regions) {
		struct region *r = list_entry(it, struct region, link);
		if (r->end <= addr)
			continue;
		if (r->start > addr && !(flags & PROCMAP_QUERY_COVERING_OR_NEXT_VMA))
			return NULL;
		if ((region_query_flags(r) & want) == want &&
		    (r->file || !(flags & PROCMAP_QUERY_FILE_BACKED_VMA)))
			return r;
		if (!(flags & PROCMAP_QUERY_COVERING_OR_NEXT_VMA))
			return NULL;
	}
	return NULL;
}

/* The region's name as maps shows it (g), with its NUL, to the user's
 * buffer; q->vma_name_size becomes its length (0: no name). */
static long
query_name(struct gen *g, struct procmap_query_k *q)
{
	long e = 0;
	size_t n = g->len ? g->len + 1 : 0;
	if (n > MIN(q->vma_name_size, NAME_MAX_QUERY))
		e = -ENAMETOOLONG;
	else if (n && copyout(q->vma_name_addr, g->buf, n) < 0)
		e = -EFAULT;
	q->vma_name_size = (uint32_t)n;
	return e;
}

long
procfs_maps_ioctl(struct proc *p, unsigned long cmd, uint64_t arg)
{
	struct procmap_query_k q;
	uint64_t usize;
	if (cmd != PROCMAP_QUERY)
		return -ENOTTY;
	if (copyin(&usize, arg, sizeof(usize)) < 0)
		return -EFAULT;
	if (usize > PAGE_SIZE)
		return -E2BIG;
	if (usize < 3 * sizeof(uint64_t))	/* to query_addr */
		return -EINVAL;
	memset(&q, 0, sizeof(q));
	if (copyin(&q, arg, MIN(usize, sizeof(q))) < 0)
		return -EFAULT;
	if ((q.query_flags & ~(uint64_t)PROCMAP_QUERY_FLAGS) ||
	    !q.vma_name_size != !q.vma_name_addr ||
	    !q.build_id_size != !q.build_id_addr)
		return -EINVAL;
	if (!p || !p->vm || p->state != PROC_ALIVE)
		return -ESRCH;
	/* Read under the vm lock (as maps), copied out after it. */
	struct gen name = { 0 };
	spin_lock(&p->vm->lock);
	struct region *r = query_region(p->vm, q.query_addr, q.query_flags);
	if (!r) {
		spin_unlock(&p->vm->lock);
		return -ENOENT;
	}
	struct inode *f = r->file;
	uint32_t dev = f && f->sb ? f->sb->dev : 0;
	q.vma_start = r->start;
	q.vma_end = r->end;
	q.vma_flags = region_query_flags(r);
	q.vma_page_size = PAGE_SIZE;
	q.vma_offset = f ? r->file_off : 0;
	q.inode = f ? f->ino : 0;
	q.dev_major = dev_major(dev);
	q.dev_minor = dev_minor(dev);
	q.build_id_size = 0;	/* no build ids are read */
	if (q.vma_name_size && region_named(r))
		gen_region_name(&name, r);
	spin_unlock(&p->vm->lock);
	long e = q.vma_name_size ? query_name(&name, &q) : 0;
	kfree(name.buf);
	if (e == 0 && copyout(arg, &q, MIN(usize, sizeof(q))) < 0)
		e = -EFAULT;
	return e;
}

/* smaps's counts, shared by each region's and the rollup's. */
static void
gen_usage(struct gen *g, const struct vm_usage *u, uint64_t locked,
	  bool rollup)
{
	gprintf(g, "Rss:            %8lu kB\nPss:            %8lu kB\n"
		"Pss_Dirty:      %8lu kB\n", KB(u->rss),
		KB(u->pss >> VM_PSS_SHIFT), KB(u->pss_dirty >> VM_PSS_SHIFT));
	if (rollup)
		gprintf(g, "Pss_Anon:       %8lu kB\nPss_File:       %8lu kB\n"
			"Pss_Shmem:      %8lu kB\n", KB(u->pss_anon >> VM_PSS_SHIFT),
			KB(u->pss_file >> VM_PSS_SHIFT),
			KB(u->pss_shmem >> VM_PSS_SHIFT));
	gprintf(g, "Shared_Clean:   %8lu kB\nShared_Dirty:   %8lu kB\n"
		"Private_Clean:  %8lu kB\nPrivate_Dirty:  %8lu kB\n"
		"Referenced:     %8lu kB\nAnonymous:      %8lu kB\n"
		"LazyFree:       %8lu kB\nAnonHugePages:  %8lu kB\n"
		"ShmemPmdMapped: %8lu kB\nFilePmdMapped:  %8lu kB\n"
		"Shared_Hugetlb: %8lu kB\nPrivate_Hugetlb: %7lu kB\n"
		"Swap:           %8lu kB\nSwapPss:        %8lu kB\n"
		"Locked:         %8lu kB\n",
		KB(u->shared_clean), KB(u->shared_dirty), KB(u->private_clean),
		KB(u->private_dirty), KB(u->referenced), KB(u->anon), 0ul, 0ul,
		0ul, 0ul, 0ul, 0ul, 0ul, 0ul, KB(locked));
}

/* VmFlags: Linux's two-letter names of the flags a region has, in the
 * order of their bits. */
static void
gen_vm_flags(struct gen *g, struct region *r)
{
	bool shared = r->flags & MAP_SHARED;
	const struct { bool on; const char *name; } flags[] = {
		{ r->prot & PROT_READ, "rd" }, { r->prot & PROT_WRITE, "wr" },
		{ r->prot & PROT_EXEC, "ex" }, { shared, "sh" },
		{ true, "mr" }, { !(r->prot_deny & PROT_WRITE), "mw" },
		{ !(r->prot_deny & PROT_EXEC), "me" }, { shared, "ms" },
		{ r->flags & MAP_GROWSDOWN, "gd" }, { r->io_base != 0, "pf" },
		{ r->flags & VM_LOCKED, "lo" }, { r->io_base != 0, "io" },
		{ !shared && (r->prot & PROT_WRITE), "ac" },
		{ r->flags & VM_WIPEONFORK, "wf" },
		{ r->flags & VM_DONTDUMP, "dd" },
		{ r->flags & VM_SEALED, "sl" },	/* mseal, bit 63 */
	};
	gprintf(g, "VmFlags:");
	for (size_t i = 0; i < ARRAY_SIZE(flags); i++)
		if (flags[i].on)
			gprintf(g, " %s", flags[i].name);
	gprintf(g, "\n");
}

void
procfs_pid_smaps(struct gen *g, struct proc *p)
{
	if (!p->vm || p->state != PROC_ALIVE)
		return;
	spin_lock(&p->vm->lock);	/* as maps */
	list_for_each(it, &p->vm->regions) {
		struct region *r = list_entry(it, struct region, link);
		struct vm_usage u = { 0 };
		vm_region_usage(p->vm, r, &u);
		gen_region_line(g, r);
		gprintf(g, "Size:           %8lu kB\nKernelPageSize: %8lu kB\n"
			"MMUPageSize:    %8lu kB\n", KB(r->end - r->start),
			KB(PAGE_SIZE), KB(PAGE_SIZE));
		/* Locked: the region's proportional share, as Linux. */
		gen_usage(g, &u, (r->flags & VM_LOCKED) ?
				 u.pss >> VM_PSS_SHIFT : 0, false);
		gprintf(g, "THPeligible:    0\n");
		gen_vm_flags(g, r);
	}
	spin_unlock(&p->vm->lock);
}

void
procfs_pid_smaps_rollup(struct gen *g, struct proc *p)
{
	if (!p->vm || p->state != PROC_ALIVE)
		return;
	spin_lock(&p->vm->lock);	/* as maps */
	if (list_empty(&p->vm->regions)) {
		spin_unlock(&p->vm->lock);
		return;
	}
	struct region *first = list_first(&p->vm->regions, struct region, link);
	struct region *last = list_entry(p->vm->regions.prev, struct region, link);
	struct vm_usage u = { 0 };
	vm_usage(p->vm, &u);
	size_t line = g->len;
	gen_region_header(g, first->start, last->end, "---p", 0, 0, 0);
	gen_pad(g, g->len - line);
	gprintf(g, "[rollup]\n");
	uint64_t locked = 0;
	list_for_each(it, &p->vm->regions) {
		struct region *r = list_entry(it, struct region, link);
		struct vm_usage ru = { 0 };
		if (!(r->flags & VM_LOCKED))
			continue;
		vm_region_usage(p->vm, r, &ru);
		locked += ru.pss >> VM_PSS_SHIFT;
	}
	spin_unlock(&p->vm->lock);
	gen_usage(g, &u, locked, true);
}

/*
 * /proc/PID/fdinfo/FD: the offset and status flags, and an inotify
 * instance's watches in Linux's form (inotify-tools and LTP read them).
 */
void
procfs_pid_fdinfo(struct gen *g, struct proc *p, int fd)
{
	struct file *f = fd_get(p, fd);
	if (!f)
		return;
	unsigned cloexec = fd_cloexec(p, fd) ? O_CLOEXEC : 0;
	gprintf(g, "pos:\t%lu\nflags:\t0%o\nmnt_id:\t%lu\nino:\t%lu\n",
		f->offset, f->flags | cloexec, mount_id_of(f->inode, false),
		f->inode ? f->inode->ino : 0);
	if (inotify_is(f))
		inotify_fdinfo(f, g);
	if (fanotify_is(f))
		fanotify_fdinfo(f, g);
}
