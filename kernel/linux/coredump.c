/*
 * Core files (Linux's do_coredump and elf_core_dump): a process that a
 * signal whose default action dumps core ends (SIGSEGV, SIGABRT, SIGQUIT...)
 * leaves an ELF core file that gdb reads, named by
 * /proc/sys/kernel/core_pattern in its working directory, unless
 * RLIMIT_CORE is under a page, it is not dumpable (PR_SET_DUMPABLE, a
 * set-id exec) or the pattern is a pipe (not supported: a line in the
 * kernel log). Its wait status then has WCOREDUMP (0x80).
 *
 * The dumping thread first ends the process's other threads, as an
 * exit_group would, and waits for them; each leaves its registers on the
 * way out (coredump_thread_exit). The file holds, as Linux writes it:
 * the ELF header; a PT_NOTE and a PT_LOAD per region; the notes
 * (NT_PRSTATUS, NT_PRPSINFO, NT_SIGINFO, NT_AUXV, NT_FILE, NT_PRFPREG
 * for the dumping thread, then NT_PRSTATUS and NT_PRFPREG for each
 * other); then the regions' bytes, page aligned. What of a region is
 * written follows /proc/PID/coredump_filter and MADV_DONTDUMP as
 * Linux's vma_dump_size; pages of anonymous memory never touched are
 * holes, so the file is sparse where the memory was.
 */
#include <kernel/clock.h>
#include <kernel/elf.h>
#include <kernel/errno.h>
#include <kernel/kmalloc.h>
#include <kernel/page.h>
#include <kernel/printk.h>
#include <kernel/proc.h>
#include <kernel/ptrace.h>
#include <kernel/sched.h>
#include <kernel/signal.h>
#include <kernel/string.h>
#include <kernel/syscall.h>
#include <kernel/vfs.h>
#include <kernel/version.h>
#include <kernel/vm.h>
#include "path.h"
#include <arch/abi.h>
#include <arch/version.h>

#define ET_CORE 4
#define NT_PRPSINFO 3
#define NT_AUXV 6
#define NT_SIGINFO 0x53494749
#define NT_FILE 0x46494c45
#define RLIMIT_CORE 4
#define GREGS_MAX 272		/* the largest elf_gregset_t: arm64's */
#define FPREGS_MAX 528		/* and FP set: arm64's user_fpsimd_state */
#define CORE_NAME_MAX 256

/* coredump_filter's bits (core(5)). */
#define FILTER_ANON_PRIVATE 0x01
#define FILTER_ANON_SHARED 0x02
#define FILTER_MAPPED_PRIVATE 0x04
#define FILTER_MAPPED_SHARED 0x08
#define FILTER_ELF_HEADERS 0x10

/* A thread's registers, kept as it ends (or read from the dumper). */
struct core_thread {
	struct core_thread *next;
	int tid;
	uint64_t sig_pending, sig_blocked;
	struct cputime time;
	size_t gregs_size, fpregs_size;
	uint8_t gregs[GREGS_MAX];
	uint8_t fpregs[FPREGS_MAX];
};

struct timeval_k {
	int64_t sec, usec;
};

/* Linux's struct elf_prstatus, its register set at the end. */
struct prstatus_head {
	int32_t si_signo, si_code, si_errno;
	int16_t cursig;
	uint16_t pad;
	uint64_t sigpend, sighold;
	int32_t pid, ppid, pgrp, sid;
	struct timeval_k utime, stime, cutime, cstime;
};
_Static_assert(sizeof(struct prstatus_head) == 112, "elf_prstatus's head");

/* Linux's struct elf_prpsinfo (64-bit). */
struct prpsinfo {
	char state, sname, zomb, nice;
	uint32_t pad;
	uint64_t flag;
	uint32_t uid, gid;
	int32_t pid, ppid, pgrp, sid;
	char fname[16];
	char psargs[80];
};
_Static_assert(sizeof(struct prpsinfo) == 136, "elf_prpsinfo is 136 bytes");

struct note_head {
	uint32_t namesz, descsz, type;
	char name[8];		/* "CORE" and its NUL, padded to 4 */
};

/* The file being written: bytes go at off. A failed write ends the
 * dump, and so does one past RLIMIT_CORE, which counts the bytes
 * written (holes are free), as Linux's dump_emit. */
struct dump {
	struct file *f;
	uint64_t off, written, limit;
	unsigned filter;	/* coredump_filter as the dump began: the
				   headers and the bytes must agree */
	bool failed;
};

static void
emit(struct dump *d, const void *buf, size_t len)
{
	if (d->failed || d->written + len > d->limit) {
		d->failed = true;
		return;
	}
	while (len) {
		uint64_t at = d->off;
		long w = d->f->ops->write(d->f, buf, len, &at);
		if (w <= 0 || fatal_signal_pending(current())) {
			d->failed = true;
			return;
		}
		d->off += (uint64_t)w;
		d->written += (uint64_t)w;
		buf = (const char *)buf + w;
		len -= (size_t)w;
	}
}

/* Leaves a hole of len bytes (zeros when read). */
static void
skip(struct dump *d, uint64_t len)
{
	d->off += len;
}

static size_t
note_size(size_t descsz)
{
	return sizeof(struct note_head) + ALIGN_UP(descsz, 4);
}

static void
emit_note(struct dump *d, uint32_t type, const void *desc, size_t descsz)
{
	static const uint8_t zero[4];
	struct note_head h = { 5, (uint32_t)descsz, type, "CORE" };
	emit(d, &h, sizeof(h));
	emit(d, desc, descsz);
	emit(d, zero, ALIGN_UP(descsz, 4) - descsz);
}

static struct core_thread *
thread_regs(struct thread *t)
{
	struct core_thread *c = kzalloc(sizeof(*c));
	if (!c)
		return NULL;
	c->tid = t->tid;
	c->sig_pending = t->sig_pending;
	c->sig_blocked = t->sig_blocked;
	c->time = thread_cputime(t);
	c->gregs_size = sizeof(c->gregs);
	if (arch_ptrace_regset(t, NT_PRSTATUS, c->gregs, &c->gregs_size,
			       false) < 0)
		c->gregs_size = 0;
	c->fpregs_size = sizeof(c->fpregs);
	if (arch_ptrace_regset(t, NT_PRFPREG, c->fpregs, &c->fpregs_size,
			       false) < 0)
		c->fpregs_size = 0;
	return c;
}

void
coredump_thread_exit(struct thread *t)
{
	struct proc *p = t->proc;
	struct core_thread *c = thread_regs(t);
	if (!c)
		return;		/* the core lacks this thread */
	struct core_thread **at = &p->core_threads;
	while (*at)
		at = &(*at)->next;
	*at = c;
}

static struct timeval_k
timeval_of(uint64_t ns)
{
	return (struct timeval_k){ (int64_t)(ns / 1000000000),
				   (int64_t)(ns % 1000000000 / 1000) };
}

static void
emit_prstatus(struct dump *d, struct proc *p, const struct core_thread *c,
	      int sig, const struct sig_info_k *si)
{
	struct prstatus_head h = {
		.si_signo = sig, .si_code = si ? si->code : 0,
		.cursig = (int16_t)sig, .sigpend = c->sig_pending,
		.sighold = c->sig_blocked, .pid = c->tid, .ppid = p->ppid,
		.pgrp = p->pgid, .sid = p->sid,
		.utime = timeval_of(c->time.user_ns),
		.stime = timeval_of(c->time.system_ns),
	};
	uint8_t desc[sizeof(h) + GREGS_MAX + 8] = { 0 };
	memcpy(desc, &h, sizeof(h));
	memcpy(desc + sizeof(h), c->gregs, c->gregs_size);
	uint32_t fpvalid = c->fpregs_size != 0;
	memcpy(desc + sizeof(h) + c->gregs_size, &fpvalid, 4);
	emit_note(d, NT_PRSTATUS, desc, sizeof(h) + c->gregs_size + 8);
}

static size_t
prstatus_size(const struct core_thread *c)
{
	return note_size(sizeof(struct prstatus_head) + c->gregs_size + 8) +
	       (c->fpregs_size ? note_size(c->fpregs_size) : 0);
}

static void
fill_psinfo(struct prpsinfo *ps, struct proc *p, struct thread *t)
{
	*ps = (struct prpsinfo){
		.sname = 'R', .uid = p->uid, .gid = p->gid, .pid = p->pid,
		.ppid = p->ppid, .pgrp = p->pgid, .sid = p->sid,
	};
	memcpy(ps->fname, t->comm, sizeof(ps->fname));
	ps->fname[sizeof(ps->fname) - 1] = 0;
	/* The arguments as the process left them, NULs made spaces. */
	struct vm *vm = p->vm;
	size_t n = MIN(vm->arg_end - vm->arg_start, sizeof(ps->psargs) - 1);
	if (vm->arg_end <= vm->arg_start || copyin(ps->psargs, vm->arg_start, n) < 0)
		n = 0;
	for (size_t i = 0; i < n; i++)
		if (!ps->psargs[i])
			ps->psargs[i] = ' ';
	while (n && ps->psargs[n - 1] == ' ')
		n--;
	ps->psargs[n] = 0;
}

static size_t
auxv_bytes(const struct vm *vm)
{
	size_t n = 0;
	while (n < VM_AUXV_MAX && vm->auxv[2 * n])
		n++;
	return (n + 1) * 16;	/* with AT_NULL */
}

static bool
region_mapped_file(const struct region *r)
{
	return r->file && !r->tag && r->name;
}

/* NT_FILE: how many, the page size, (start, end, page offset) for each
 * mapped file, then their paths. Built in a kmalloc'd buffer. */
static void *
file_note(struct vm *vm, size_t *size)
{
	size_t count = 0, names = 0;
	list_for_each(it, &vm->regions) {
		struct region *r = list_entry(it, struct region, link);
		if (region_mapped_file(r)) {
			count++;
			names += strlen(r->name->path) + 1;
		}
	}
	*size = 16 + count * 24 + names;
	uint64_t *b = kmalloc(*size);
	if (!b)
		return NULL;
	b[0] = count;
	b[1] = PAGE_SIZE;
	uint64_t *e = b + 2;
	char *s = (char *)(b + 2 + 3 * count);
	list_for_each(it, &vm->regions) {
		struct region *r = list_entry(it, struct region, link);
		if (!region_mapped_file(r))
			continue;
		*e++ = r->start;
		*e++ = r->end;
		*e++ = r->file_off / PAGE_SIZE;
		size_t len = strlen(r->name->path) + 1;
		memcpy(s, r->name->path, len);
		s += len;
	}
	return b;
}

/* Whether the page at va starts an ELF file (Linux's ELF-headers rule). */
static bool
elf_header_at(struct vm *vm, vaddr_t va)
{
	paddr_t pa = vm_user_page(vm, va, false);
	if (!pa)
		return false;
	bool elf = memcmp(phys_to_virt(pa), "\177ELF", 4) == 0;
	page_put(pa);
	return elf;
}

/* Linux's vma_dump_size: how many bytes of r the core holds. */
static uint64_t
dump_size(struct proc *p, struct region *r, unsigned filter)
{
	uint64_t whole = r->end - r->start;
	if (r->tag && strcmp(r->tag, "[vdso]") == 0)
		return whole;
	if ((r->flags & VM_DONTDUMP) || r->io_base ||
	    (r->tag && strcmp(r->tag, "[vvar]") == 0))
		return 0;
	if (r->flags & MAP_SHARED) {
		bool anon = r->file && r->file->nlink == 0;
		return (filter & (anon ? FILTER_ANON_SHARED :
				  FILTER_MAPPED_SHARED)) ? whole : 0;
	}
	/* Private memory that can have been written: Linux's anon_vma. */
	if ((!r->file || (r->prot & PROT_WRITE)) &&
	    (filter & FILTER_ANON_PRIVATE))
		return whole;
	if (!r->file)
		return 0;
	if (filter & FILTER_MAPPED_PRIVATE)
		return whole;
	if ((filter & FILTER_ELF_HEADERS) && r->file_off == 0 &&
	    (r->prot & PROT_READ) && elf_header_at(p->vm, r->start))
		return PAGE_SIZE;
	return 0;
}

static unsigned
phdr_flags(unsigned prot)
{
	return ((prot & PROT_READ) ? PF_R : 0) |
	       ((prot & PROT_WRITE) ? PF_W : 0) |
	       ((prot & PROT_EXEC) ? PF_X : 0);
}

/* The bytes of [va, va + len): a file's pages are read in (Linux's
 * get_dump_page), anonymous memory never touched is a hole. */
static void
emit_memory(struct dump *d, struct vm *vm, struct region *r, vaddr_t va,
	    uint64_t len)
{
	for (uint64_t done = 0; done < len && !d->failed; done += PAGE_SIZE) {
		paddr_t pa = r->file ? vm_user_page(vm, va + done, false) :
				       vm_user_page_mapped(vm, va + done, false);
		if (!pa) {
			skip(d, PAGE_SIZE);
			continue;
		}
		emit(d, phys_to_virt(pa), PAGE_SIZE);
		page_put(pa);
	}
}

/* Expands core_pattern (core(5)'s %p %P %i %I %u %g %s %t %h %e %E %c
 * %%) into name; false if it does not fit. */
static bool
core_name(char *name, struct proc *p, struct thread *t, int sig)
{
	const char *pat = sysctl_core_pattern();
	size_t n = 0;
	for (; *pat; pat++) {
		char part[128];
		if (*pat != '%' || !pat[1]) {
			part[0] = *pat;
			part[1] = 0;
		} else {
			switch (*++pat) {
			case 'p': case 'P':
				snprintk(part, sizeof(part), "%d", p->pid); break;
			case 'i': case 'I':
				snprintk(part, sizeof(part), "%d", t->tid); break;
			case 'u': snprintk(part, sizeof(part), "%u", p->uid); break;
			case 'g': snprintk(part, sizeof(part), "%u", p->gid); break;
			case 's': snprintk(part, sizeof(part), "%d", sig); break;
			case 't':
				snprintk(part, sizeof(part), "%lu",
					 (unsigned long)vfs_now_sec());
				break;
			case 'h': snprintk(part, sizeof(part), "%s", sys_hostname()); break;
			case 'e': snprintk(part, sizeof(part), "%s", t->comm); break;
			case 'E':
				snprintk(part, sizeof(part), "%s", p->exe);
				for (char *c = part; *c; c++)
					if (*c == '/')
						*c = '!';
				break;
			case 'c':
				snprintk(part, sizeof(part), "%lu",
					 (unsigned long)p->rlimits[RLIMIT_CORE][0]);
				break;
			case '%': part[0] = '%'; part[1] = 0; break;
			default: part[0] = 0; break;	/* dropped, as Linux */
			}
		}
		size_t len = strlen(part);
		if (n + len >= CORE_NAME_MAX)
			return false;
		memcpy(name + n, part, len);
		n += len;
	}
	name[n] = 0;
	return n > 0;
}

/*
 * Linux's: the name unlinked if it can be (a symbolic link too), then a
 * new file of mode 0600, kept only if it is a regular file of one link,
 * owned by the dumper, of mode 0600 still (a umask of 0200 spoils it).
 */
static struct file *
core_open(struct proc *p, const char *name)
{
	unlink_kernel_path(name);	/* if it fails, the open does */
	unsigned flags = O_WRONLY | O_NOFOLLOW | O_LARGEFILE | O_CREAT | O_EXCL;
	struct file *f = vfs_open(p, AT_FDCWD, name, flags, 0600);
	if (IS_ERR(f))
		return f;
	struct inode *ino = f->inode;
	if (!ino || !S_ISREG(ino->mode) || ino->nlink != 1 ||
	    ino->uid != p->fsuid || (ino->mode & 0677) != 0600 ||
	    !f->ops || !f->ops->write) {
		file_put(f);
		return ERR_PTR(-EPERM);
	}
	return f;
}

/* Ends the other threads, which leave their registers; false if the
 * dumper was killed meanwhile. */
static bool
quiesce(struct proc *p, struct thread *self, int sig)
{
	p->exiting = true;
	p->exit_status = sig;
	p->dumper = self;
	proc_kill_others(p, self);
	while (p->nthreads > 1 && !fatal_signal_pending(self))
		waitq_wait_killable(&p->exec_wait, NULL);
	return p->nthreads == 1;
}

static void
core_threads_free(struct proc *p)
{
	while (p->core_threads) {
		struct core_thread *c = p->core_threads;
		p->core_threads = c->next;
		kfree(c);
	}
	p->dumper = NULL;
}

static void
log_line(const char *why, struct proc *p)
{
	char line[160];
	int n = snprintk(line, sizeof(line), "petrel: %s (pid %d): no core: %s\n",
			 p->name, p->pid, why);
	printk_log_write(line, (size_t)MIN(n, (int)sizeof(line) - 1));
}

/* The ELF header, the notes' and the regions' program headers, the
 * notes; the regions' bytes follow at data. */
static void
emit_headers(struct dump *d, struct proc *p, unsigned phnum, size_t notes,
	     uint64_t data)
{
	struct elf64_ehdr eh = {
		.e_ident = { 0x7f, 'E', 'L', 'F', ELFCLASS64, ELFDATA2LSB,
			     EV_CURRENT, ELFOSABI_SYSV },
		.e_type = ET_CORE, .e_machine = ELF_MACHINE,
		.e_version = EV_CURRENT, .e_phoff = sizeof(eh),
		.e_ehsize = sizeof(eh), .e_phentsize = sizeof(struct elf64_phdr),
		.e_phnum = (uint16_t)phnum,
	};
	emit(d, &eh, sizeof(eh));
	struct elf64_phdr ph = {
		.p_type = PT_NOTE, .p_offset = sizeof(eh) + phnum * sizeof(ph),
		.p_filesz = notes,
	};
	emit(d, &ph, sizeof(ph));
	list_for_each(it, &p->vm->regions) {
		struct region *r = list_entry(it, struct region, link);
		uint64_t size = dump_size(p, r, d->filter);
		ph = (struct elf64_phdr){
			.p_type = PT_LOAD, .p_flags = phdr_flags(r->prot),
			.p_offset = data, .p_vaddr = r->start,
			.p_filesz = size, .p_memsz = r->end - r->start,
			.p_align = PAGE_SIZE,
		};
		emit(d, &ph, sizeof(ph));
		data += size;
	}
}

/* Writes the core; true once its header was written. */
static bool
write_core(struct dump *d, struct proc *p, struct core_thread *me, int sig,
	   const struct sig_info_k *si)
{
	struct vm *vm = p->vm;
	unsigned phnum = 1;
	list_for_each(it, &vm->regions)
		phnum++;
	if (phnum >= 0xffff)
		return false;	/* PN_XNUM's extension not written */
	struct prpsinfo ps;
	fill_psinfo(&ps, p, current());
	struct siginfo_k info = { 0 };
	signal_info_fill(&info, sig, si);
	size_t files_size;
	void *files = file_note(vm, &files_size);
	if (!files)
		return false;
	size_t notes = prstatus_size(me) + note_size(sizeof(ps)) +
		       note_size(sizeof(info)) + note_size(auxv_bytes(vm)) +
		       note_size(files_size);
	for (struct core_thread *c = p->core_threads; c; c = c->next)
		notes += prstatus_size(c);
	uint64_t data = ALIGN_UP(sizeof(struct elf64_ehdr) +
				 phnum * sizeof(struct elf64_phdr) + notes,
				 PAGE_SIZE);

	emit_headers(d, p, phnum, notes, data);
	emit_prstatus(d, p, me, sig, si);
	emit_note(d, NT_PRPSINFO, &ps, sizeof(ps));
	emit_note(d, NT_SIGINFO, &info, sizeof(info));
	emit_note(d, NT_AUXV, vm->auxv, auxv_bytes(vm));
	emit_note(d, NT_FILE, files, files_size);
	kfree(files);
	if (me->fpregs_size)
		emit_note(d, NT_PRFPREG, me->fpregs, me->fpregs_size);
	for (struct core_thread *c = p->core_threads; c; c = c->next) {
		emit_prstatus(d, p, c, sig, NULL);
		if (c->fpregs_size)
			emit_note(d, NT_PRFPREG, c->fpregs, c->fpregs_size);
	}
	skip(d, data - d->off);
	list_for_each(it, &vm->regions) {
		struct region *r = list_entry(it, struct region, link);
		emit_memory(d, vm, r, r->start, dump_size(p, r, d->filter));
	}
	/* A hole at the end still counts in the file's size. */
	if (!d->failed && d->f->inode->size < d->off) {
		uint64_t last = d->off - 1;
		static const uint8_t zero;
		if (d->f->ops->write(d->f, &zero, 1, &last) != 1)
			d->failed = true;
	}
	/* As Linux: a core the limit cut short still counts once its
	   header is out (LTP waitpid01 dumps with RLIMIT_CORE one page). */
	return d->written >= sizeof(struct elf64_ehdr);
}

bool
coredump(int sig, const struct sig_info_k *si)
{
	struct thread *self = current();
	struct proc *p = self->proc;
	uint64_t limit = p->rlimits[RLIMIT_CORE][0];
	char *name;

	if (p->exiting || p->exec_thread || !p->vm)
		return false;	/* an exit_group or execve came first */
	if (p->undumpable || limit < ELF_PAGE_SIZE)
		return false;
	if (sysctl_core_pattern()[0] == '|') {
		log_line("core_pattern pipes are not supported", p);
		return false;
	}
	if (!quiesce(p, self, sig) || !(name = kmalloc(CORE_NAME_MAX))) {
		core_threads_free(p);
		return false;
	}
	bool dumped = false;
	struct core_thread *me = thread_regs(self);
	struct file *f = ERR_PTR(-EINVAL);
	if (me && core_name(name, p, self, sig))
		f = core_open(p, name);
	if (!IS_ERR(f)) {
		struct dump d = { .f = f, .limit = limit,
				  .filter = p->coredump_filter };
		dumped = write_core(&d, p, me, sig, si);
		file_put(f);
	} else if (me) {
		log_line("the core file cannot be made", p);
	}
	kfree(name);
	kfree(me);
	core_threads_free(p);
	if (dumped)
		p->exit_status |= 0x80;
	return dumped;
}
