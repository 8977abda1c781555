/*
 * execve: replaces the process image with a static ELF program (or a "#!"
 * script's interpreter). The new address space is built completely before
 * the old one is dropped, so a failed exec returns to the old program.
 */
#include <kernel/version.h>
#include <kernel/proc.h>
#include <kernel/aio.h>
#include <kernel/trace.h>
#include <kernel/ipc.h>
#include <kernel/vm.h>
#include <kernel/vdso.h>
#include <kernel/sysvipc.h>
#include <kernel/keys.h>
#include <kernel/ptrace.h>
#include <kernel/futex.h>
#include <kernel/vfs.h>
#include <kernel/mount.h>
#include <kernel/elf.h>
#include <kernel/fanotify.h>
#include <kernel/kmalloc.h>
#include <kernel/errno.h>
#include <kernel/string.h>
#include <kernel/printk.h>
#include <kernel/random.h>
#include <kernel/syscall.h>
#include <syscall_table.h>
#include <arch/mmu.h>
#include <kernel/arch.h>
#include <kernel/landlock.h>
#include "path.h"

#define EXEC_ARGS_MAX (256 * 1024)	/* bytes of argv + envp strings */
#define EXEC_PTRS_MAX 8192
#define PIE_BASE 0x0000555555554000ul
#define INTERP_PATH_MAX 256		/* PT_INTERP's path, NUL included */
#define INTERP_ALIGN_MAX (2ul << 20)	/* larger p_align is not honoured */

struct exec_args {
	char *strings;			/* argv then envp, NUL-separated */
	size_t used;
	size_t cap;			/* bytes strings holds */
	int argc, envc;
};

#define AT_NULL 0
#define AT_PHDR 3
#define AT_PHENT 4
#define AT_PHNUM 5
#define AT_PAGESZ 6
#define AT_BASE 7
#define AT_FLAGS 8
#define AT_ENTRY 9
#define AT_UID 11
#define AT_EUID 12
#define AT_GID 13
#define AT_EGID 14
#define AT_PLATFORM 15
#define AT_HWCAP 16
#define AT_CLKTCK 17
#define AT_SECURE 23
#define AT_RANDOM 25
#define AT_HWCAP2 26
#define AT_EXECFN 31
#define AT_SYSINFO_EHDR 33

/*
 * The strings start in one page and double as they grow, up to
 * EXEC_ARGS_MAX: a 256 KiB buffer for every exec was a 512 KiB block of
 * contiguous memory (kmalloc's header), which a small guest did not have.
 */
#define ARGS_FIRST (PAGE_SIZE - 16)	/* one page with kmalloc's header */

static int
args_init(struct exec_args *a)
{
	*a = (struct exec_args){ .strings = kmalloc(ARGS_FIRST), .cap = ARGS_FIRST };
	return a->strings ? 0 : -ENOMEM;
}

/* Makes room for need more bytes: 0, -E2BIG past the limit, or -ENOMEM. */
static int
args_reserve(struct exec_args *a, size_t need)
{
	if (a->used + need > EXEC_ARGS_MAX)
		return -E2BIG;
	if (a->used + need <= a->cap)
		return 0;
	size_t cap = a->cap;
	while (cap < a->used + need)
		cap = MIN(2 * (cap + 16) - 16, (size_t)EXEC_ARGS_MAX);
	char *bigger = kmalloc(cap);
	if (!bigger)
		return -ENOMEM;
	memcpy(bigger, a->strings, a->used);
	kfree(a->strings);
	a->strings = bigger;
	a->cap = cap;
	return 0;
}

static int
args_add(struct exec_args *a, const char *s, size_t len)
{
	int e = args_reserve(a, len + 1);
	if (e)
		return e;
	memcpy(a->strings + a->used, s, len);
	a->strings[a->used + len] = 0;
	a->used += len + 1;
	return 0;
}

/* Copies a user argv/envp vector into a; returns the count or an error. */
static int
args_copy_user(struct exec_args *a, uint64_t uvec)
{
	int n = 0;
	if (!uvec)
		return 0;
	for (;; n++) {
		uint64_t ptr;
		if (n >= EXEC_PTRS_MAX)
			return -E2BIG;
		if (copyin(&ptr, uvec + 8 * n, 8) < 0)
			return -EFAULT;
		if (!ptr)
			return n;
		long len;
		while ((len = copyinstr(a->strings + a->used, ptr,
					a->cap - a->used)) == -ENAMETOOLONG) {
			int e = args_reserve(a, a->cap - a->used + 1);
			if (e)
				return e;
		}
		if (len < 0)
			return (int)len;
		a->used += len + 1;
	}
}

/* Reads up to len bytes of a file through its page cache. */
static long
read_pages(struct inode *ino, uint64_t off, void *buf, size_t len)
{
	size_t done = 0;
	if (off >= ino->size)
		return 0;
	len = MIN(len, ino->size - off);
	while (done < len) {
		uint64_t pos = off + done;
		size_t in_page = pos & (PAGE_SIZE - 1);
		size_t n = MIN(len - done, PAGE_SIZE - in_page);
		paddr_t pa = ino->iops->getpage ? ino->iops->getpage(ino, pos - in_page, false) : 0;
		if (pa)
			memcpy((char *)buf + done, (char *)phys_to_virt(pa) + in_page, n);
		else
			memset((char *)buf + done, 0, n);
		done += n;
	}
	return (long)done;
}

static unsigned
seg_prot(uint32_t flags)
{
	return ((flags & 4) ? PROT_READ : 0) | ((flags & 2) ? PROT_WRITE : 0) |
	       ((flags & 1) ? PROT_EXEC : 0);
}

/* Where an ET_DYN program (PIE) goes; an ET_EXEC one stays where it says. */
static uint64_t
program_bias(const struct elf_info *ei)
{
	if (ei->type != ET_DYN)
		return 0;
	return PIE_BASE - ALIGN_DOWN(ei->lowest_vaddr, PAGE_SIZE);
}

/*
 * The interpreter (ld.so) goes at the top of the mmap area, where Linux
 * puts it with its first mmap: away from a PIE at PIE_BASE and from brk,
 * and mmap's later searches go on below it.
 */
static uint64_t
interp_bias(const struct elf_info *ei)
{
	uint64_t align = PAGE_SIZE;
	if (ei->type != ET_DYN)
		return 0;
	for (unsigned i = 0; i < ei->nloads; i++)
		if (ei->loads[i].align > align && ei->loads[i].align <= INTERP_ALIGN_MAX)
			align = ei->loads[i].align;
	uint64_t low = ALIGN_DOWN(ei->lowest_vaddr, align);
	uint64_t span = ALIGN_UP(ei->highest_vaddr, PAGE_SIZE) - low;
	if (span >= VM_MMAP_BASE / 2)
		return 0;	/* refused by map_segments: too big */
	return ALIGN_DOWN(VM_MMAP_BASE - span, align) - low;
}

/* vm's start_code...end_data from the program's segments at bias, as
 * Linux's load_elf_binary counts them. */
static void
code_bounds(struct vm *vm, const struct elf_info *ei, uint64_t bias)
{
	vm->start_code = ~(vaddr_t)0;
	for (unsigned i = 0; i < ei->nloads; i++) {
		const struct elf_segment *s = &ei->loads[i];
		vaddr_t va = s->vaddr + bias;
		vm->start_code = MIN(vm->start_code, va);
		vm->start_data = MAX(vm->start_data, va);
		if (s->flags & PF_X)
			vm->end_code = MAX(vm->end_code, va + s->filesz);
		vm->end_data = MAX(vm->end_data, va + s->filesz);
	}
}

/* Maps ei's segments into vm at bias, named name (or not, if NULL);
 * returns the end of the highest one (page aligned) or an error. */
static long
map_segments(struct vm *vm, struct inode *ino, const struct elf_info *ei,
	     uint64_t bias, struct vm_name *name)
{
	vaddr_t top = 0;

	for (unsigned i = 0; i < ei->nloads; i++) {
		const struct elf_segment *s = &ei->loads[i];
		vaddr_t va = s->vaddr + bias;
		vaddr_t start = ALIGN_DOWN(va, PAGE_SIZE);
		uint64_t file_off = ALIGN_DOWN(s->offset, PAGE_SIZE);
		uint64_t file_bytes = (s->offset - file_off) + s->filesz;
		vaddr_t end = ALIGN_UP(va + s->memsz, PAGE_SIZE);
		if (start < top)	/* shares a page with the previous segment */
			return -ENOEXEC;
		if (end <= start || end > VM_MMAP_BASE)
			return -ENOEXEC;
		long r = vm_map(vm, start, end - start, seg_prot(s->flags),
				MAP_PRIVATE | MAP_FIXED, ino, file_off, file_bytes);
		if (r < 0)
			return r;
		vm_name_region(vm, start, name);
		top = end;
	}
	return (long)top;
}

/* Where an exec starts: execve's path, or execveat's dirfd and flags. */
struct exec_start {
	int dirfd;
	const char *path;
	int flags;		/* AT_EMPTY_PATH, AT_SYMLINK_NOFOLLOW */
	const char *execfn;	/* AT_EXECFN, and what a script is handed */
	const char *exe_path;	/* a name for /proc/PID/exe */
	bool fd_cloexec;	/* dirfd closes at exec: no script (ENOENT) */
};

/* The file execveat names (a reference), as lookup_at with its flags. */
static struct inode *
exec_lookup(struct proc *p, int dirfd, const char *path, int flags)
{
	struct inode *ino;
	if (path[0] == 0 && (flags & AT_EMPTY_PATH)) {
		struct file *f = dirfd == AT_FDCWD ? NULL : fd_get(p, dirfd);
		if (dirfd != AT_FDCWD && (!f || !f->inode))
			return ERR_PTR(-EBADF);
		ino = f ? f->inode : p->fs->cwd;
		inode_get(ino);
		return ino;
	}
	ino = vfs_lookup(p, dirfd, path, !(flags & AT_SYMLINK_NOFOLLOW));
	if (!IS_ERR(ino) && S_ISLNK(ino->mode)) {
		inode_put(ino);
		return ERR_PTR(-ELOOP);
	}
	return ino;
}

/*
 * Linux's names for a program run relative to a descriptor: AT_EXECFN
 * and a script's argument are /dev/fd/N or /dev/fd/N/PATH; /proc/PID/exe
 * is found through /proc/self/fd/N. names holds 2 * PATH_MAX_K bytes.
 */
static long
exec_fd_names(int dirfd, const char *path, char *names, struct exec_start *s)
{
	struct proc *p = current()->proc;
	if (!fd_get(p, dirfd))
		return -EBADF;
	const char *sep = path[0] ? "/" : "";
	char *fn = names, *exe = names + PATH_MAX_K;
	if (snprintk(fn, PATH_MAX_K, "/dev/fd/%d%s%s", dirfd, sep, path) >=
	    (int)PATH_MAX_K)
		return -ENAMETOOLONG;
	snprintk(exe, PATH_MAX_K, "/proc/self/fd/%d%s%s", dirfd, sep, path);
	s->execfn = fn;
	s->exe_path = exe;
	s->fd_cloexec = fd_cloexec(p, dirfd);
	return 0;
}

/*
 * Looks up a file to run and reads its first page into page; returns the
 * inode (a reference) or an error pointer: EACCES for a file that is not a
 * regular executable one, the caller may not execute, or is on a noexec
 * mount.
 */
static struct inode *
exec_open(struct proc *p, int dirfd, const char *path, int flags, void *page,
	  long *len)
{
	struct inode *ino = exec_lookup(p, dirfd, path, flags);
	int e;
	if (IS_ERR(ino))
		return ino;
	e = -EACCES;
	if (!S_ISREG(ino->mode) || !(ino->mode & 0111) ||
	    !ino->iops->getpage || mount_noexec(ino) ||
	    vfs_permission(p, ino, 1) < 0)
		goto fail;
	if ((e = landlock_check_path(p, dirfd, path, ino,
				     LANDLOCK_ACCESS_FS_EXECUTE |
				     LANDLOCK_ACCESS_FS_READ_FILE)) < 0)
		goto fail;
	if ((e = fanotify_exec(ino, path)) < 0)
		goto fail;
	if (ino->iops->map_prepare &&
	    (e = ino->iops->map_prepare(ino, 0, ino->size)) < 0)
		goto fail;
	*len = read_pages(ino, 0, page, PAGE_SIZE);
	return ino;
fail:
	inode_put(ino);
	return ERR_PTR(e);
}

/* The interpreter's path from the program's PT_INTERP into buf. */
static int
interp_path(struct inode *prog, const struct elf_info *ei, char *buf,
	    size_t size)
{
	size_t n = ei->interp_len;
	if (n < 2 || n > size)
		return -ENOEXEC;
	if (read_pages(prog, ei->interp_offset, buf, n) != (long)n)
		return -ENOEXEC;
	if (buf[n - 1] != 0 || strlen(buf) != n - 1)
		return -ENOEXEC;
	return 0;
}

/* The interpreter's name in /proc/PID/maps: its path, links resolved. */
static struct vm_name *
interp_name(struct proc *p, const char *path)
{
	char *buf = kmalloc(PATH_MAX_K);
	struct vm_name *n = NULL;
	if (buf && vfs_realpath(p, path, buf, PATH_MAX_K) > 0)
		n = vm_name_new(buf);
	kfree(buf);
	return n;
}

/*
 * Maps the program's interpreter (PT_INTERP: glibc's ld-linux-x86-64.so.2,
 * musl's ld-musl-x86_64.so.1) into vm, as Linux's binfmt_elf does: a
 * missing one is ENOENT, one that is no loadable ELF (or wants its own
 * interpreter) ELIBBAD. Sets *base (AT_BASE) and *entry.
 */
static int
load_interp(struct proc *p, struct vm *vm, struct inode *prog,
	    const struct elf_info *pei, void *page, uint64_t *base,
	    uint64_t *entry)
{
	char path[INTERP_PATH_MAX];
	long n = 0;
	int e = interp_path(prog, pei, path, sizeof(path));
	if (e)
		return e;
	struct elf_info *ei = kmalloc(sizeof(*ei));
	if (!ei)
		return -ENOMEM;
	struct inode *ino = exec_open(p, AT_FDCWD, path, 0, page, &n);
	if (IS_ERR(ino)) {
		e = (int)PTR_ERR(ino);
		goto out;
	}
	if (elf_parse(page, (size_t)n, ino->size, ei) < 0 || ei->has_interp) {
		e = -ELIBBAD;
		goto out_inode;
	}
	uint64_t bias = interp_bias(ei);
	struct vm_name *name = interp_name(p, path);
	long top = map_segments(vm, ino, ei, bias, name);
	vm_name_put(name);
	if (top < 0) {
		e = top == -ENOEXEC ? -ELIBBAD : (int)top;
		goto out_inode;
	}
	*base = bias;
	*entry = ei->entry + bias;
	e = 0;
out_inode:
	inode_put(ino);
out:
	kfree(ei);
	return e;
}

/* Bytes of a's argument strings, their NULs included. */
static size_t
args_bytes(const struct exec_args *a)
{
	size_t n = 0;
	for (int i = 0; i < a->argc; i++)
		n += strlen(a->strings + n) + 1;
	return n;
}

struct stack_builder {
	uint64_t sp;
	int err;
};

static uint64_t
push_bytes(struct stack_builder *sb, const void *p, size_t n)
{
	sb->sp -= n;
	if (copyout(sb->sp, p, n) < 0)
		sb->err = -EFAULT;
	return sb->sp;
}

/* Lays out strings, auxv, envp, argv and argc on the new stack; auxv's
 * AT_SYSINFO_EHDR first (as Linux's ARCH_DLINFO), if there is a vDSO. */
static uint64_t
build_stack(struct vm *vm, struct exec_args *a, const struct elf_info *ei,
	    uint64_t bias, uint64_t interp_base, const char *execfn,
	    uint64_t vdso)
{
	struct stack_builder sb = { .sp = vm->stack_top, .err = 0 };
	uint8_t rnd[16];
	random_bytes(rnd, sizeof(rnd));

	uint64_t fn = push_bytes(&sb, execfn, strlen(execfn) + 1);
	uint64_t strs = push_bytes(&sb, a->strings, a->used);
	uint64_t plat = push_bytes(&sb, PETREL_ARCH, sizeof(PETREL_ARCH));
	uint64_t rand = push_bytes(&sb, rnd, sizeof(rnd));
	sb.sp &= ~15ul;

	uint64_t all[][2] = {
		{ AT_SYSINFO_EHDR, vdso },
		{ AT_PHDR, ei->phdr_vaddr + bias }, { AT_PHENT, ei->phent },
		{ AT_PHNUM, ei->phnum }, { AT_PAGESZ, PAGE_SIZE },
		{ AT_BASE, interp_base }, { AT_FLAGS, 0 }, { AT_ENTRY, ei->entry + bias },
		{ AT_UID, current()->proc->uid }, { AT_EUID, current()->proc->euid },
		{ AT_GID, current()->proc->gid }, { AT_EGID, current()->proc->egid },
		{ AT_HWCAP, arch_hwcap() }, { AT_HWCAP2, 0 }, { AT_CLKTCK, 100 },
		{ AT_PLATFORM, plat }, { AT_SECURE, 0 }, { AT_RANDOM, rand },
		{ AT_EXECFN, fn }, { AT_NULL, 0 },
	};
	const uint64_t(*auxv)[2] = vdso ? all : all + 1;
	size_t auxv_size = sizeof(all) - (vdso ? 0 : sizeof(all[0]));
	size_t nptr = 1 + a->argc + 1 + a->envc + 1;
	size_t total = nptr * 8 + auxv_size;
	uint64_t sp = (sb.sp - total) & ~15ul;
	uint64_t *v = kmalloc(total);
	if (!v)
		return (uint64_t)-ENOMEM;
	size_t k = 0;
	uint64_t s = strs;
	v[k++] = a->argc;
	for (int i = 0; i < a->argc + a->envc; i++) {
		v[k++] = s;
		s += strlen(a->strings + (s - strs)) + 1;
		if (i == a->argc - 1)
			v[k++] = 0;
	}
	if (a->argc == 0)
		v[k++] = 0;
	v[k++] = 0;
	memcpy(&v[k], auxv, auxv_size);
	_Static_assert(sizeof(all) <= sizeof(vm->auxv), "vm->auxv holds it");
	memcpy(vm->auxv, auxv, auxv_size);	/* /proc/PID/auxv */
	vm->arg_start = strs;
	vm->arg_end = vm->env_start = strs + args_bytes(a);
	vm->env_end = strs + a->used;
	if (copyout(sp, v, total) < 0)
		sb.err = -EFAULT;
	kfree(v);
	return sb.err ? (uint64_t)(long)sb.err : sp;
}

/* Rewrites argv for "#!interp [arg]" and returns the interpreter path. */
static int
script_args(struct exec_args *a, const char *hdr, size_t n, const char *path,
	    char *interp, size_t interp_size)
{
	size_t i = 2, end;
	while (i < n && (hdr[i] == ' ' || hdr[i] == '\t'))
		i++;
	for (end = i; end < n && hdr[end] != '\n'; end++)
		;
	if (end == n)
		return -ENOEXEC;
	size_t p = i;
	while (p < end && hdr[p] != ' ' && hdr[p] != '\t')
		p++;
	if (p - i == 0 || p - i >= interp_size)
		return -ENOEXEC;
	memcpy(interp, hdr + i, p - i);
	interp[p - i] = 0;
	while (p < end && (hdr[p] == ' ' || hdr[p] == '\t'))
		p++;
	size_t q = end;
	while (q > p && (hdr[q - 1] == ' ' || hdr[q - 1] == '\t' || hdr[q - 1] == '\r'))
		q--;

	/* New argv: interp [arg] path argv[1..]; argv[0] is dropped. */
	struct exec_args b;
	int e = args_init(&b);
	if (e)
		return e;
	e = args_add(&b, interp, strlen(interp));
	if (!e && q > p)
		e = args_add(&b, hdr + p, q - p);
	if (!e)
		e = args_add(&b, path, strlen(path));
	size_t skip = a->argc > 0 ? strlen(a->strings) + 1 : 0;
	if (!e)
		e = args_reserve(&b, a->used - skip);
	if (e) {
		kfree(b.strings);
		return e;
	}
	memcpy(b.strings + b.used, a->strings + skip, a->used - skip);
	b.used += a->used - skip;
	b.argc = (q > p ? 3 : 2) + (a->argc > 0 ? a->argc - 1 : 0);
	b.envc = a->envc;
	kfree(a->strings);
	*a = b;
	return 0;
}

/*
 * /proc/PID/exe's text: the file run (a script's interpreter), as an
 * absolute path with its symlinks resolved, as Linux shows it.
 */
static void
exec_name(struct proc *p, const char *path, char *buf, size_t size)
{
	if (vfs_realpath(p, path, buf, size) > 0)
		return;
	buf[0] = 0;
	if (path[0] == '/' && strlen(path) < size)
		memcpy(buf, path, strlen(path) + 1);
}

/*
 * Builds the new address space for the program ino that ei describes: its
 * segments, its interpreter, and a stack holding argv, envp and auxv. On
 * success the new space is p->vm and active, the old one is in *old, not
 * yet dropped, and *entry and *sp are where the program starts. On failure
 * nothing has changed.
 */
static int
exec_build(struct proc *p, struct inode *ino, const struct elf_info *ei,
	   void *page, struct exec_args *a, const char *execfn, const char *exe,
	   struct vm **old, uint64_t *entry, uint64_t *sp)
{
	uint64_t bias = program_bias(ei), interp_base = 0;
	int e = inode_deny_write(ino);
	if (e < 0)
		return e;	/* open for writing: ETXTBSY */
	struct vm *vm = vm_new();
	if (!vm) {
		inode_allow_write(ino);
		return -ENOMEM;
	}
	vm_set_exe(vm, ino);	/* vm_put gives back the deny and the ref */
	inode_get(ino);
	struct vm_name *name = exe[0] ? vm_name_new(exe) : NULL;
	long top = map_segments(vm, ino, ei, bias, name);
	vm_name_put(name);
	if (top < 0) {
		e = (int)top;
		goto fail;
	}
	vm->brk_start = vm->brk = (vaddr_t)top;	/* the program's, not ld.so's */
	code_bounds(vm, ei, bias);
	*entry = ei->entry + bias;
	if (ei->has_interp &&
	    (e = load_interp(p, vm, ino, ei, page, &interp_base, entry)) < 0)
		goto fail;
	vm->stack_top = VM_STACK_TOP;
	long s = vm_map(vm, VM_STACK_TOP - VM_STACK_SIZE, VM_STACK_SIZE,
			PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_FIXED | MAP_GROWSDOWN, NULL, 0, 0);
	if (s < 0) {
		e = (int)s;
		goto fail;
	}
	vm_find(vm, VM_STACK_TOP - 1)->tag = "[stack]";
	if ((e = arch_exec_map(vm)) < 0)
		goto fail;
	long vdso = vdso_map(vm, p);
	if (vdso < 0) {
		e = (int)vdso;
		goto fail;
	}

	/* The stack is written in the new space; switch back if that fails. */
	*old = p->vm;
	p->vm = vm;
	vm_activate(vm);
	*sp = build_stack(vm, a, ei, bias, interp_base, execfn,
			  (uint64_t)vdso);
	if ((int64_t)*sp < 0 && (int64_t)*sp > -4096) {
		e = (int)(int64_t)*sp;
		p->vm = *old;
		goto fail;
	}
	vm->start_stack = *sp;
	return 0;
fail:
	vm_put(vm);
	vm_activate(p->vm);
	return e;
}

static int
exec_args(const struct exec_start *s, struct exec_args *a)
{
	struct proc *p = current()->proc;
	struct thread *t = current();
	char interp[128];
	char hdr[256];
	char exe[sizeof(p->exe)];
	int depth = 0;
	struct inode *ino;
	struct elf_info *ei = kmalloc(sizeof(*ei));
	void *page = kmalloc(PAGE_SIZE);
	const char *execfn = s->execfn, *path = s->path;
	/* What a script is handed, and /proc/PID/exe's name, by round. */
	const char *script_path = s->execfn, *name_path = s->exe_path;
	int dirfd = s->dirfd, flags = s->flags;
	long n = 0;
	int e;

	if (!ei || !page) {
		e = -ENOMEM;
		goto out;
	}
again:
	ino = exec_open(p, dirfd, path, flags, page, &n);
	if (IS_ERR(ino)) {
		e = (int)PTR_ERR(ino);
		goto out;
	}
	if (n >= 2 && memcmp(page, "#!", 2) == 0 && depth < 4) {
		memcpy(hdr, page, MIN((size_t)n, sizeof(hdr)));
		inode_put(ino);
		/* Linux's BINPRM_FLAGS_PATH_INACCESSIBLE: the interpreter
		   could not open a /dev/fd name closed by this exec. */
		if (depth == 0 && s->fd_cloexec) {
			e = -ENOENT;
			goto out;
		}
		e = script_args(a, hdr, MIN((size_t)n, sizeof(hdr)),
				script_path, interp, sizeof(interp));
		if (e)
			goto out;
		path = script_path = name_path = interp;
		dirfd = AT_FDCWD;
		flags = 0;
		depth++;
		goto again;
	}
	e = elf_parse(page, (size_t)n, ino->size, ei);
	if (e)
		goto out_inode;
	/* The program is one Linux runs: from here the other threads go
	 * (they would run on in the new image), and this one's robust
	 * futexes and CLONE_CHILD_CLEARTID word are dealt with in the old
	 * memory now, not written into the new program's at its exit. */
	e = proc_exec_kill_others();
	if (e)
		goto out_inode;
	futex_exit_robust(t);
	if (t->clear_child_tid) {
		uint32_t zero = 0;
		if (copyout(t->clear_child_tid, &zero, 4) == 0)
			futex_wake(p->vm, t->clear_child_tid, 1);
		t->clear_child_tid = 0;
	}
	exec_name(p, name_path, exe, sizeof(exe));
	struct vm *old = NULL;
	uint64_t entry = 0, sp = 0;
	e = exec_build(p, ino, ei, page, a, execfn, exe, &old, &entry, &sp);
	if (e)
		goto out_inode;

	/* Point of no return. */
	if (old)
		vm_file_sync(old, 0, USER_TOP, false);	/* as at exit */
	if (old) {
		p->maxrss_pages = MAX(p->maxrss_pages, old->pages_peak);
		vm_put(old);
	}
	shm_reap();
	vm_activate(p->vm);
	proc_set_name(current(), execfn);	/* a script's process is named after it */
	memcpy(p->exe, exe, sizeof(p->exe));
	files_close_on_exec(p);
	handles_exec(p);
	signal_exec_reset(p);
	ptimers_exit(p);
	keys_exec(p, current());
	aio_exit(p);
	p->exec_count++;
	trace_exec(p);
	/* Linux's begin_new_exec: dumpable unless the ids differ, where
	 * fs.suid_dumpable (0) decides. */
	p->undumpable = p->euid != p->uid || p->egid != p->gid;
	caps_exec(p);
	proc_vfork_release(p);
	arch_exec_regs(t, entry, sp);
	inode_put(ino);
	ptrace_exec(t->tid);	/* SIGTRAP, or PTRACE_EVENT_EXEC's stop */
	e = 0;
	goto out;

out_inode:
	inode_put(ino);
out:
	kfree(page);
	kfree(ei);
	return e;
}

int
exec_kernel(const char *path, const char *const *argv, int argc)
{
	struct exec_args a;
	int e = args_init(&a);
	for (int i = 0; i < argc && !e; i++)
		e = args_add(&a, argv[i], strlen(argv[i]));
	static const char *const env[] = { "HOME=/", "TERM=linux",
					   "PATH=/sbin:/usr/sbin:/bin:/usr/bin" };
	for (size_t i = 0; i < ARRAY_SIZE(env) && !e; i++)
		e = args_add(&a, env[i], strlen(env[i]));
	a.argc = argc;
	a.envc = ARRAY_SIZE(env);
	struct exec_start s = { AT_FDCWD, path, 0, path, path, false };
	if (!e)
		e = exec_args(&s, &a);
	kfree(a.strings);
	return e;
}

/*
 * execve and execveat: dirfd, flags and the names Linux gives a program
 * run from a descriptor (AT_EXECFN and a script's argument /dev/fd/N or
 * /dev/fd/N/PATH), then the common path.
 */
static long
do_execveat(int dirfd, uaddr_t upath, uaddr_t uargv, uaddr_t uenvp, int flags)
{
	char *path = kmalloc(PATH_MAX_K);
	char *names = kmalloc(2 * PATH_MAX_K);
	struct exec_args a;
	struct exec_start s = { dirfd, path, flags, path, path, false };
	long e = args_init(&a);

	if (!path || !names || e) {
		e = -ENOMEM;
		goto out;
	}
	e = copyinstr(path, upath, PATH_MAX_K);
	if (e < 0)
		goto out;
	if (dirfd != AT_FDCWD && path[0] != '/') {
		e = exec_fd_names(dirfd, path, names, &s);
		if (e < 0)
			goto out;
	}
	e = args_copy_user(&a, uargv);
	/* Linux 5.18's answer to CVE-2021-4034: an empty argv gets "" as
	 * argv[0], so no program finds its environment at argv[1]. */
	if (e == 0)
		e = args_add(&a, "", 0) ? -E2BIG : 1;
	if (e < 0)
		goto out;
	a.argc = (int)e;
	e = args_copy_user(&a, uenvp);
	if (e < 0)
		goto out;
	a.envc = (int)e;
	e = exec_args(&s, &a);
out:
	kfree(path);
	kfree(names);
	kfree(a.strings);
	return e;
}

long
sys_execve(uaddr_t upath, uaddr_t uargv, uaddr_t uenvp)
{
	return do_execveat(AT_FDCWD, upath, uargv, uenvp, 0);
}

long
sys_execveat(int dirfd, uaddr_t upath, uaddr_t uargv, uaddr_t uenvp,
	     int flags)
{
	if (flags & ~(AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW))
		return -EINVAL;
	return do_execveat(dirfd, upath, uargv, uenvp, flags);
}
