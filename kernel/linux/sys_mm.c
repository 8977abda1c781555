/*
 * Memory system calls: mmap (anonymous, and private or shared file maps of
 * files that can hand out pages), munmap, mprotect, mremap, brk, madvise.
 */
#include <kernel/proc.h>
#include <kernel/vm.h>
#include <kernel/vfs.h>
#include <kernel/mount.h>
#include <kernel/tmpfs.h>
#include <kernel/sysvipc.h>
#include <kernel/syscall.h>
#include <syscall_table.h>
#include <kernel/errno.h>
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
		   (unsigned)(type | eof | (flags & (MAP_FIXED | MAP_FIXED_NOREPLACE | MAP_GROWSDOWN))),
		   file, off, bytes);
	if (r >= 0 && deny)
		vm_find(p->vm, (vaddr_t)r)->prot_deny |= deny;
	if (r >= 0)
		vm_name_region(p->vm, (vaddr_t)r, name);
out:
	if (file && (flags & MAP_ANONYMOUS))
		inode_put(file);
	if (opened)
		file_put(opened);
	vm_name_put(name);
	return r;
}

long
sys_mmap(uint64_t addr, size_t len, int prot, int flags, int fd, int64_t off)
{
	struct proc *p = current()->proc;
	struct inode *file = NULL;
	struct file *opened = NULL;
	unsigned type = flags & (MAP_SHARED | MAP_PRIVATE);
	unsigned deny = 0;	/* PROT_* mprotect may not add later */

	if (len == 0 || (off & (PAGE_SIZE - 1)) || off < 0)
		return -EINVAL;
	if (type != MAP_SHARED && type != MAP_PRIVATE && type != (MAP_SHARED | MAP_PRIVATE))
		return -EINVAL;
	if (type == (MAP_SHARED | MAP_PRIVATE))
		type = MAP_SHARED;	/* MAP_SHARED_VALIDATE */
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
	vaddr_t end = addr + ALIGN_UP(len, PAGE_SIZE);
	/* What the mappings stored reaches their files before they go. */
	if (!(addr & (PAGE_SIZE - 1)) && len && end > addr && end <= USER_TOP)
		vm_file_sync(vm, addr, end, false);
	int r = vm_unmap(vm, addr, len);
	shm_reap();
	return r;
}

long
sys_mprotect(uint64_t addr, size_t len, int prot)
{
	if (prot & ~(PROT_READ | PROT_WRITE | PROT_EXEC | 0x01000000 | 0x02000000))
		return -EINVAL;
	return vm_protect(current()->proc->vm, addr, len, (unsigned)prot & 7);
}

long
sys_mremap(uint64_t old, size_t old_len, size_t new_len, int flags, uint64_t new_addr)
{
	long r = vm_remap(current()->proc->vm, old, old_len, new_len,
			  (unsigned)flags, new_addr);
	shm_reap();	/* MREMAP_FIXED may have replaced a segment's map */
	return r;
}

long
sys_brk(uint64_t addr)
{
	return (long)vm_brk(current()->proc->vm, addr);
}

long
sys_madvise(uint64_t addr, size_t len, int advice)
{
	if (addr & (PAGE_SIZE - 1))
		return -EINVAL;
	if (advice == 4)	/* MADV_DONTNEED: private pages read back fresh */
		vm_discard(current()->proc->vm, addr, len);
	return 0;
}

/* True if every page of [start, end) is mapped. */
static bool
range_mapped(struct vm *vm, vaddr_t start, vaddr_t end)
{
	while (start < end) {
		struct region *r = vm_find(vm, start);
		if (!r)
			return false;
		start = r->end;
	}
	return true;
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
	int e = 0;
	if (flags & MS_SYNC)
		e = vm_file_sync(vm, addr, end, true);
	if (!range_mapped(vm, addr, end))
		return -ENOMEM;
	return e;
}
