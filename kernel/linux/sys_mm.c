/*
 * Memory system calls: mmap (anonymous, and private or shared file maps of
 * files that can hand out pages), munmap, mprotect, mremap, brk, madvise,
 * membarrier, process_vm_readv and process_vm_writev.
 */
#include <kernel/proc.h>
#include <kernel/vm.h>
#include <kernel/page.h>
#include <kernel/vfs.h>
#include <kernel/mount.h>
#include <kernel/tmpfs.h>
#include <kernel/sysvipc.h>
#include <kernel/syscall.h>
#include <syscall_table.h>
#include <kernel/errno.h>
#include <kernel/arch.h>
#include <kernel/kmalloc.h>
#include <kernel/refcount.h>
#include <kernel/string.h>

#define MAP_LOCKED 0x2000
#include <arch/mmu.h>

/*
 * The name /proc/PID/maps gives a mapping of f (a reference, or NULL):
 * its path, or for shared anonymous memory (f NULL) Linux's
 * "/dev/zero", its inode having no link (" (deleted)").
 */
static struct vm_name *
mmap_name(struct proc *p, struct file *f)
{
	return f ? vm_name_of_file(p, f) : vm_name_new("/dev/zero");
}

/*
 * The second half of mmap, its arguments checked: file is the inode to
 * map (NULL: anonymous memory; a reference of ours for shared anonymous
 * memory), opened the file it was opened as (NULL if anonymous), type
 * in flags is MAP_SHARED or MAP_PRIVATE alone. May sleep (naming the
 * file, map_prepare), so opened is held meanwhile.
 */
static long
mmap_file(struct proc *p, uint64_t addr, size_t len, int prot, int flags,
	  struct inode *file, struct file *opened, uint64_t off, unsigned deny)
{
	unsigned type = (unsigned)flags & (MAP_SHARED | MAP_PRIVATE);
	if (opened)
		file_get(opened);
	struct vm_name *name = file ? mmap_name(p, opened) : NULL;
	long r;
	uint64_t bytes = file ? (file->size > off ? file->size - off : 0) : 0;
	if (file && file->iops->map_prepare && bytes) {
		r = file->iops->map_prepare(file, off, MIN(bytes, (uint64_t)len));
		if (r < 0)
			goto out;
	}
	if (file && type == MAP_SHARED)
		bytes = ALIGN_UP(len, PAGE_SIZE);
	unsigned eof = file && !(flags & MAP_ANONYMOUS) ? VM_MAP_EOF_SIGBUS : 0;
	r = vm_map(p->vm, addr, len, (unsigned)prot,
		   (unsigned)(type | eof | (flags & (MAP_FIXED | MAP_FIXED_NOREPLACE |
						    MAP_GROWSDOWN | MAP_NORESERVE))),
		   file, off, bytes);
	if (r >= 0 && deny)
		vm_find(p->vm, (vaddr_t)r)->prot_deny |= deny;
	if (r >= 0) {
		vm_name_region(p->vm, (vaddr_t)r, name);
		vm_merge(p->vm, (vaddr_t)r, (vaddr_t)r + ALIGN_UP(len, PAGE_SIZE));
	}
	if (r >= 0 && (flags & MAP_POPULATE))
		vm_populate(p->vm, (vaddr_t)r, (vaddr_t)r + ALIGN_UP(len, PAGE_SIZE));
	/* MAP_LOCKED, or mlockall(MCL_FUTURE): locked as mlock would. */
	if (r >= 0 && ((flags & MAP_LOCKED) || p->vm->lock_future))
		vm_lock_range(p->vm, (vaddr_t)r, (vaddr_t)r + ALIGN_UP(len, PAGE_SIZE),
			      true, !(flags & MAP_LOCKED) &&
				    p->vm->lock_future_onfault);
out:
	if (file && (flags & MAP_ANONYMOUS))
		inode_put(file);
	if (opened)
		file_put(opened);
	vm_name_put(name);
	return r;
}

/*
 * MAP_SHARED_VALIDATE: Linux 6.1 refuses it for anonymous memory
 * (EINVAL) and any flag outside its legacy set for a file (EOPNOTSUPP;
 * MAP_SYNC too, as no file here is DAX). Linux checks this after the
 * address and protection; the order only matters for a call wrong twice.
 */
static long
validate_shared(int flags)
{
	const unsigned MAP_DENYWRITE = 0x800, MAP_EXECUTABLE = 0x1000,
		       MAP_UNINITIALIZED = 0x4000000, MAP_NONBLOCK = 0x10000,
		       MAP_HUGETLB = 0x40000;
	const unsigned legacy = MAP_SHARED | MAP_PRIVATE | MAP_FIXED |
				MAP_ANONYMOUS | MAP_DENYWRITE | MAP_EXECUTABLE |
				MAP_UNINITIALIZED | MAP_GROWSDOWN | MAP_LOCKED |
				MAP_NORESERVE | MAP_POPULATE | MAP_NONBLOCK |
				MAP_STACK | MAP_HUGETLB;
	if (flags & MAP_ANONYMOUS)
		return -EINVAL;
	return ((unsigned)flags & ~legacy) ? -EOPNOTSUPP : 0;
}

/*
 * Whether p's address space is its running thread's alone, so that the
 * calls below may change its regions without the big lock: p has one
 * thread, and nothing else holds the vm (no process sharing it through
 * CLONE_VM or vfork, no userfaultfd, no reader of /proc/PID/cmdline for
 * the moment, no idle CPU keeping its tables: any other reference sends
 * the call the locked way, which is always right). Neither count grows
 * meanwhile but by this thread (clone, userfaultfd), busy here; a thread
 * that left drops the count last, its address space work done. Readers
 * from outside (procfs, process_vm_readv, ptrace) take the vm lock.
 */
static bool
vm_alone(const struct proc *p)
{
	return __atomic_load_n(&p->nthreads, __ATOMIC_ACQUIRE) == 1 &&
	       __atomic_load_n(&p->vm->refcount, __ATOMIC_ACQUIRE) == 1;
}

/* mmap's plain case without the big lock: private anonymous memory,
 * anywhere or at a free hint, for a process alone in its address space;
 * -ERETRY_LOCKED, having changed nothing, for the rest. */
static long
mmap_nolock(const struct proc *p, uint64_t addr, size_t len, int prot,
	    int flags, int64_t off)
{
	int ignored = MAP_NORESERVE | MAP_STACK;	/* as the locked call */
	if ((flags & ~ignored) != (MAP_PRIVATE | MAP_ANONYMOUS) ||
	    (prot & ~(PROT_READ | PROT_WRITE | PROT_EXEC)) ||
	    (off & (PAGE_SIZE - 1)) || off < 0 || !vm_alone(p))
		return -ERETRY_LOCKED;
	return vm_map_anon_nolock(p->vm, addr, len, (unsigned)prot,
				  (unsigned)flags & MAP_NORESERVE);
}

long
sys_mmap(uint64_t addr, size_t len, int prot, int flags, int fd, int64_t off)
{
	struct proc *p = current()->proc;
	if (!bkl_held())
		return mmap_nolock(p, addr, len, prot, flags, off);
	struct inode *file = NULL;
	struct file *opened = NULL;
	unsigned type = flags & (MAP_SHARED | MAP_PRIVATE);
	unsigned deny = 0;	/* PROT_* mprotect may not add later */

	if ((off & (PAGE_SIZE - 1)) || off < 0)
		return -EINVAL;
	/* Linux looks the file up before it looks at the rest. */
	if (!(flags & MAP_ANONYMOUS) && !fd_get_open(p, fd))
		return -EBADF;
	if (len == 0)
		return -EINVAL;
	if (type != MAP_SHARED && type != MAP_PRIVATE && type != (MAP_SHARED | MAP_PRIVATE))
		return -EINVAL;
	if (type == (MAP_SHARED | MAP_PRIVATE)) {
		long e = validate_shared(flags);
		if (e < 0)
			return e;
		type = MAP_SHARED;
	}
	if (prot & ~(PROT_READ | PROT_WRITE | PROT_EXEC))
		return -EINVAL;
	if (addr & (PAGE_SIZE - 1)) {
		if (flags & (MAP_FIXED | MAP_FIXED_NOREPLACE))
			return -EINVAL;
		addr &= ~(PAGE_SIZE - 1);	/* only a hint */
	}
	if (!(flags & MAP_ANONYMOUS)) {
		struct file *f = fd_hold(fd);
		if (!f)
			return -EBADF;
		if (!f->inode || !f->inode->iops || !f->inode->iops->getpage)
			return -ENODEV;
		if ((f->flags & O_ACCMODE) == O_WRONLY)
			return -EACCES;
		if (type == MAP_SHARED && (f->flags & O_ACCMODE) != O_RDWR) {
			if (prot & PROT_WRITE)
				return -EACCES;
			deny = PROT_WRITE;	/* Linux: no VM_MAYWRITE */
		}
		if (mount_noexec(f->inode)) {	/* Linux's path_noexec */
			if (prot & PROT_EXEC)
				return -EPERM;
			deny |= PROT_EXEC;
		}
		int seals = tmpfs_seals(f->inode);
		if (type == MAP_SHARED && seals > 0 &&
		    (seals & (F_SEAL_WRITE | F_SEAL_FUTURE_WRITE))) {
			if (prot & PROT_WRITE)
				return -EPERM;
			deny |= PROT_WRITE;
		}
		file = f->inode;
		opened = f;
	} else if (type == MAP_SHARED) {
		/* Shared anonymous memory is a nameless tmpfs file. */
		file = tmpfs_anon_file(len);
		if (!file)
			return -ENOMEM;
		off = 0;
	}
	flags = (flags & ~(MAP_SHARED | MAP_PRIVATE)) | (int)type;
	if ((flags & MAP_FIXED) && addr + len > addr &&
	    vm_range_sealed(p->vm, addr, addr + ALIGN_UP(len, PAGE_SIZE)))
		return -EPERM;	/* it would replace a sealed mapping */
	long r = mmap_file(p, addr, len, prot, flags, file, opened,
			   (uint64_t)off, deny);
	if (flags & MAP_FIXED)
		shm_reap();	/* it may have replaced a segment's last map */
	return r;
}

long
sys_munmap(uint64_t addr, size_t len)
{
	struct vm *vm = current()->proc->vm;
	if (!bkl_held())	/* plain anonymous memory alone */
		return vm_alone(current()->proc) ?
			       vm_unmap_nolock(vm, addr, len) : -ERETRY_LOCKED;
	vaddr_t end = addr + ALIGN_UP(len, PAGE_SIZE);
	/* What the mappings stored reaches their files before they go. */
	if (!(addr & (PAGE_SIZE - 1)) && len && end > addr && end <= USER_TOP) {
		if (vm_range_sealed(vm, addr, end))
			return -EPERM;
		vm_file_sync(vm, addr, end, false);
	}
	int r = vm_unmap(vm, addr, len);
	shm_reap();
	return r;
}

long
sys_mprotect(uint64_t addr, size_t len, int prot)
{
	if (prot & ~(PROT_READ | PROT_WRITE | PROT_EXEC | 0x01000000 | 0x02000000))
		return -EINVAL;
	struct vm *vm = current()->proc->vm;
	if (!bkl_held())	/* plain anonymous memory alone */
		return vm_alone(current()->proc) ?
			       vm_protect_nolock(vm, addr, len, (unsigned)prot) :
			       -ERETRY_LOCKED;
	vaddr_t end = addr + ALIGN_UP(len, PAGE_SIZE);
	if (!(addr & (PAGE_SIZE - 1)) && end > addr && vm_range_sealed(vm, addr, end))
		return -EPERM;
	return vm_protect(vm, addr, len, (unsigned)prot & 7);
}

#define MREMAP_FIXED 2	/* as mm/vm.c's */

long
sys_mremap(uint64_t old, size_t old_len, size_t new_len, int flags, uint64_t new_addr)
{
	struct vm *vm = current()->proc->vm;
	if (vm_range_sealed(vm, old, old + ALIGN_UP(old_len, PAGE_SIZE)) ||
	    ((flags & MREMAP_FIXED) &&
	     vm_range_sealed(vm, new_addr, new_addr + ALIGN_UP(new_len, PAGE_SIZE))))
		return -EPERM;
	long r = vm_remap(vm, old, old_len, new_len, (unsigned)flags, new_addr);
	shm_reap();	/* MREMAP_FIXED may have replaced a segment's map */
	return r;
}

long
sys_brk(uint64_t addr)
{
	return (long)vm_brk(current()->proc->vm, addr);
}

#define MADV_DONTNEED 4
#define MADV_FREE 8
#define MADV_REMOVE 9
#define MADV_DONTFORK 10
#define MADV_DONTDUMP 16
#define MADV_DODUMP 17
#define MADV_WIPEONFORK 18
#define MADV_KEEPONFORK 19
#define MADV_COLD 20
#define MADV_PAGEOUT 21
#define MADV_DONTNEED_LOCKED 24

/*
 * The advice Linux 6.1 takes when built without KSM, transparent huge
 * pages and memory-failure handling: MERGEABLE, HUGEPAGE, COLLAPSE,
 * HWPOISON and the like are EINVAL, as there.
 */
static bool
advice_known(int advice)
{
	return (advice >= 0 && advice <= MADV_DONTNEED) ||
	       (advice >= MADV_FREE && advice <= 11) ||
	       (advice >= 16 && advice <= MADV_DONTNEED_LOCKED);
}

/* Linux's per-region refusals of an advice. */
static long
advice_refused(const struct region *r, int advice)
{
	bool locked = r->flags & VM_LOCKED;
	switch (advice) {
	case MADV_DONTNEED:
	case MADV_FREE:
	case MADV_COLD:
	case MADV_PAGEOUT:
		if (locked || r->io_base)
			return -EINVAL;
		return advice == MADV_FREE && r->file ? -EINVAL : 0;
	case MADV_REMOVE:
		if (locked || !r->file)
			return -EINVAL;
		return (r->flags & MAP_SHARED) && (r->prot & PROT_WRITE) ?
		       0 : -EACCES;
	case MADV_WIPEONFORK:
		return r->file || (r->flags & MAP_SHARED) ? -EINVAL : 0;
	case MADV_DODUMP:	/* Linux's VM_SPECIAL: device memory */
		return r->io_base ? -EINVAL : 0;
	}
	return 0;
}

/* Linux's can_modify_vma_madv: advice that drops pages is refused on a
 * sealed region of private anonymous memory that cannot be written. */
static bool
sealed_discard(const struct region *r, int advice)
{
	bool discard = advice == MADV_DONTNEED || advice == MADV_FREE ||
		       advice == MADV_DONTNEED_LOCKED || advice == MADV_REMOVE ||
		       advice == MADV_DONTFORK || advice == MADV_WIPEONFORK;
	return discard && (r->flags & VM_SEALED) && !r->file &&
	       !(r->flags & MAP_SHARED) && !(r->prot & PROT_WRITE);
}

/* Where the first region after va starts, or limit if none does sooner. */
static vaddr_t
next_region_start(struct vm *vm, vaddr_t va, vaddr_t limit)
{
	list_for_each(it, &vm->regions) {
		struct region *r = list_entry(it, struct region, link);
		if (r->start > va && r->start < limit)
			limit = r->start;
	}
	return limit;
}

/*
 * madvise: Linux's checks, then what Petrel can act on: DONTNEED (and
 * FREE) drop private pages, which read back fresh; WIPEONFORK and
 * KEEPONFORK mark the range for fork, DONTDUMP and DODUMP for a core. The rest are hints with nothing
 * to do (no page cache to warm or pages to swap). A hole in the range
 * is ENOMEM once the mapped parts are done.
 */
long
sys_madvise(uint64_t addr, size_t len, int advice)
{
	struct vm *vm = current()->proc->vm;
	if (!advice_known(advice) || (addr & (PAGE_SIZE - 1)))
		return -EINVAL;
	vaddr_t end = addr + ALIGN_UP(len, PAGE_SIZE);
	if (end < addr)
		return -EINVAL;
	long hole = 0;
	for (vaddr_t va = addr; va < end;) {
		struct region *r = vm_find(vm, va);
		if (!r) {
			hole = -ENOMEM;
			va = next_region_start(vm, va, end);
			continue;
		}
		long e = advice_refused(r, advice);
		if (e < 0)
			return e;
		if (sealed_discard(r, advice))
			return -EPERM;
		va = r->end;
	}
	if (advice == MADV_DONTNEED || advice == MADV_FREE ||
	    advice == MADV_DONTNEED_LOCKED)
		vm_discard(vm, addr, end - addr);
	unsigned flag = 0;
	if (advice == MADV_WIPEONFORK || advice == MADV_KEEPONFORK)
		flag = VM_WIPEONFORK;
	if (advice == MADV_DONTDUMP || advice == MADV_DODUMP)
		flag = VM_DONTDUMP;
	bool on = advice == MADV_WIPEONFORK || advice == MADV_DONTDUMP;
	for (vaddr_t va = addr; flag && va < end;) {
		struct region *r = vm_find(vm, va);
		vaddr_t stop = r ? MIN(r->end, end) :
				   next_region_start(vm, va, end);
		if (r && vm_set_flag(vm, va, stop, flag, on) < 0)
			return -ENOMEM;
		va = stop;
	}
	return hole;
}

/*
 * The regions from r on that cover [start, end) are one shared mapping
 * of one file, edge to edge, as Linux asks of remap_file_pages.
 */
static bool
one_shared_file_map(struct vm *vm, struct region *r, vaddr_t end)
{
	if (!r->file || !(r->flags & MAP_SHARED))
		return false;
	for (struct region *n = r; end > n->end; r = n) {
		n = vm_find(vm, r->end);
		if (!n || n->file != r->file || n->flags != r->flags ||
		    n->prot != r->prot)
			return false;
	}
	return true;
}

/*
 * remap_file_pages, as Linux has done since 4.0: a new shared mapping of
 * the file at pgoff over [start, start + size), with the protection and
 * lock of the mapping there. prot must be 0; other flags than
 * MAP_NONBLOCK are ignored.
 */
long
sys_remap_file_pages(uint64_t start, size_t size, int prot, size_t pgoff,
		     int flags)
{
	struct proc *p = current()->proc;
	(void)flags;
	start &= ~(uint64_t)(PAGE_SIZE - 1);
	size &= ~(size_t)(PAGE_SIZE - 1);
	if (prot || start + size <= start ||
	    pgoff + (size >> PAGE_SHIFT) < pgoff ||
	    pgoff > (UINT64_MAX >> PAGE_SHIFT))
		return -EINVAL;
	struct region *r = vm_find(p->vm, start);
	if (!r || !one_shared_file_map(p->vm, r, start + size))
		return -EINVAL;
	struct inode *file = r->file;
	struct vm_name *name = vm_name_get(r->name);
	unsigned keep = r->flags & (MAP_SHARED | VM_MAP_EOF_SIGBUS);
	unsigned prot_now = r->prot, deny = r->prot_deny;
	bool locked = r->flags & VM_LOCKED;
	inode_get(file);	/* the old mapping may hold the last reference */
	/* As Linux, the old mapping goes first: if it was the last attach
	   of a removed System V segment, the segment is gone and so is the
	   file to map again (Linux's shm_mmap: EINVAL). */
	bool segment = shm_is_segment(file);
	vm_file_sync(p->vm, start, start + size, false);
	long m = vm_unmap(p->vm, start, size);
	shm_reap();
	if (m == 0 && segment && !shm_is_segment(file))
		m = -EINVAL;
	if (m == 0)
		m = vm_map(p->vm, start, size, prot_now, keep | MAP_FIXED, file,
			(uint64_t)pgoff << PAGE_SHIFT, size);
	if (m >= 0) {
		vm_find(p->vm, start)->prot_deny = deny;
		vm_name_region(p->vm, start, name);
		if (locked)
			vm_lock_range(p->vm, start, start + size, true, false);
		else
			vm_populate(p->vm, start, start + size);
	}
	inode_put(file);
	vm_name_put(name);
	return m < 0 ? m : 0;
}

/*
 * Shared maps of tmpfs files are the file's own pages: nothing to do. A
 * server's files get what the mappings stored written back and made
 * durable (MS_SYNC); MS_ASYNC does nothing, as on Linux, where dirty
 * pages are written back later anyway (here at munmap, exit or sync).
 */
long
sys_msync(uint64_t addr, size_t len, int flags)
{
	const int MS_ASYNC = 1, MS_INVALIDATE = 2, MS_SYNC = 4;
	struct vm *vm = current()->proc->vm;
	if ((addr & (PAGE_SIZE - 1)) || (flags & ~(MS_ASYNC | MS_INVALIDATE | MS_SYNC)) ||
	    ((flags & MS_ASYNC) && (flags & MS_SYNC)))
		return -EINVAL;
	vaddr_t end = addr + ALIGN_UP(len, PAGE_SIZE);
	if (end < addr || end > USER_TOP)
		return -ENOMEM;
	/* Linux will not drop the pages of locked memory. */
	if ((flags & MS_INVALIDATE) && vm_locked_bytes(vm, addr, end))
		return -EBUSY;
	int e = 0;
	if (flags & MS_SYNC)
		e = vm_file_sync(vm, addr, end, true);
	if (!vm_range_mapped(vm, addr, end))
		return -ENOMEM;
	return e;
}

#define MEMBARRIER_CMD_GLOBAL 0x01
#define MEMBARRIER_CMD_GLOBAL_EXPEDITED 0x02
#define MEMBARRIER_CMD_REGISTER_GLOBAL_EXPEDITED 0x04
#define MEMBARRIER_CMD_PRIVATE_EXPEDITED 0x08
#define MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED 0x10
#define MEMBARRIER_CMD_PRIVATE_EXPEDITED_SYNC_CORE 0x20
#define MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED_SYNC_CORE 0x40
/* What QUERY reports: all but the rseq commands, as Linux 6.1 built
 * without CONFIG_RSEQ's membarrier support. */
#define MEMBARRIER_CMDS 0x7f

/*
 * membarrier(2): every command is one interrupt to the other CPUs, those
 * running this address space for the private ones, all for the global
 * ones; its iretq orders memory and serializes the core, so SYNC_CORE
 * needs nothing more. The private commands need their registration.
 */
long
sys_membarrier(int cmd, unsigned flags, int cpu_id)
{
	struct vm *vm = current()->proc->vm;
	(void)cpu_id;	/* only for the rseq command, left out */
	if (flags)
		return -EINVAL;
	switch (cmd) {
	case 0:		/* MEMBARRIER_CMD_QUERY */
		return MEMBARRIER_CMDS;
	case MEMBARRIER_CMD_GLOBAL:
	case MEMBARRIER_CMD_GLOBAL_EXPEDITED:
		arch_cpu_sync(0);
		return 0;
	case MEMBARRIER_CMD_PRIVATE_EXPEDITED:
	case MEMBARRIER_CMD_PRIVATE_EXPEDITED_SYNC_CORE:
		/* The registration is the command's bit shifted once. */
		if (!(vm->membarrier & ((unsigned)cmd << 1)))
			return -EPERM;
		arch_cpu_sync(vm->root);
		return 0;
	case MEMBARRIER_CMD_REGISTER_GLOBAL_EXPEDITED:
	case MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED:
	case MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED_SYNC_CORE:
		vm->membarrier |= (unsigned)cmd;
		return 0;
	}
	return -EINVAL;
}

#define UIO_MAXIOV 1024

/* An iovec array copied in, each length checked as import_iovec does. */
static long
vm_iov_import(uaddr_t uiov, unsigned long n, struct uiovec **out)
{
	if (n > UIO_MAXIOV)
		return -EINVAL;
	struct uiovec *v = kmalloc(sizeof(*v) * (n ? n : 1));
	if (!v)
		return -ENOMEM;
	long r = copyin(v, uiov, sizeof(*v) * n) < 0 ? -EFAULT : 0;
	for (unsigned long i = 0; r == 0 && i < n; i++)
		if ((int64_t)v[i].len < 0)
			r = -EINVAL;
	if (r < 0) {
		kfree(v);
		return r;
	}
	*out = v;
	return 0;
}

/*
 * Copies up to len bytes between the caller's buffer at local and
 * remote's memory at raddr, a page at a time; returns the bytes moved
 * (short at the first page either side cannot reach) or -EFAULT.
 */
static long
vm_copy_remote(struct vm *remote, uaddr_t local, vaddr_t raddr, size_t len,
	       bool write)
{
	size_t done = 0;
	while (done < len) {
		vaddr_t va = raddr + done;
		size_t chunk = MIN(len - done, PAGE_SIZE - (va & (PAGE_SIZE - 1)));
		paddr_t pa = vm_user_page(remote, va, write);
		if (!pa)
			break;
		char *k = (char *)phys_to_virt(pa) + (va & (PAGE_SIZE - 1));
		int e = write ? copyin(k, local + done, chunk) :
				copyout(local + done, k, chunk);
		page_put(pa);	/* vm_user_page's reference */
		if (e < 0)
			break;
		done += chunk;
	}
	return done ? (long)done : -EFAULT;
}

/* Walks both iovec lists together, as Linux's process_vm_rw_core. */
static long
vm_rw_iovs(struct vm *remote, const struct uiovec *lv, unsigned long ln,
	   const struct uiovec *rv, unsigned long rn, bool write)
{
	long total = 0;
	unsigned long li = 0, ri = 0;
	uint64_t loff = 0, roff = 0;
	while (li < ln && ri < rn) {
		if (loff == lv[li].len) {
			li++, loff = 0;
			continue;
		}
		if (roff == rv[ri].len) {
			ri++, roff = 0;
			continue;
		}
		size_t n = MIN(lv[li].len - loff, rv[ri].len - roff);
		n = MIN(n, (size_t)0x7ffff000 - (size_t)total);
		if (n == 0)
			break;
		long r = vm_copy_remote(remote, lv[li].base + loff,
					rv[ri].base + roff, n, write);
		if (r < 0)
			return total ? total : r;
		total += r;
		loff += (uint64_t)r;
		roff += (uint64_t)r;
		if ((size_t)r < n)
			break;
	}
	return total;
}

static long
process_vm_rw(int pid, uaddr_t lvec, unsigned long liovcnt, uaddr_t rvec,
	      unsigned long riovcnt, unsigned long flags, bool write)
{
	struct proc *self = current()->proc;
	struct uiovec *lv, *rv;
	if (flags)
		return -EINVAL;
	long r = vm_iov_import(lvec, liovcnt, &lv);
	if (r < 0)
		return r;
	r = vm_iov_import(rvec, riovcnt, &rv);
	if (r < 0) {
		kfree(lv);
		return r;
	}
	struct proc *p = pid > 0 ? proc_find(pid) : NULL;
	if (!p || p->state != PROC_ALIVE || !p->vm)
		r = -ESRCH;
	else if (!proc_may_access(self, p))
		r = -EPERM;
	if (r == 0) {
		struct vm *vm = p->vm;
		ref_get(&vm->refcount);	/* a page may sleep; p may exit */
		r = vm_rw_iovs(vm, lv, liovcnt, rv, riovcnt, write);
		vm_put(vm);
	}
	kfree(lv);
	kfree(rv);
	return r;
}

long
sys_process_vm_readv(int pid, uaddr_t lvec, unsigned long liovcnt,
		     uaddr_t rvec, unsigned long riovcnt, unsigned long flags)
{
	return process_vm_rw(pid, lvec, liovcnt, rvec, riovcnt, flags, false);
}

long
sys_process_vm_writev(int pid, uaddr_t lvec, unsigned long liovcnt,
		      uaddr_t rvec, unsigned long riovcnt, unsigned long flags)
{
	return process_vm_rw(pid, lvec, liovcnt, rvec, riovcnt, flags, true);
}
