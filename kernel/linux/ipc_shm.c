/*
 * System V shared memory (shmget, shmat, shmdt, shmctl), as Linux's
 * ipc/shm.c: a segment is a nameless tmpfs file, as MAP_SHARED|
 * MAP_ANONYMOUS memory is, and shmat maps it shared; fork, exec and exit
 * treat the mapping as any other. The attach count is the number of
 * regions mapping the file (Linux counts its vmas alike); a segment
 * IPC_RMID leaves to its last detach is destroyed by shm_reap, which the
 * calls that unmap call after unmapping.
 */
#include <kernel/proc.h>
#include <kernel/vm.h>
#include <kernel/vfs.h>
#include <kernel/tmpfs.h>
#include <kernel/kmalloc.h>
#include <kernel/string.h>
#include <kernel/printk.h>
#include <kernel/sysvipc.h>
#include <kernel/errno.h>
#include <syscall_table.h>
#include "ipc_int.h"

#define SHM_LOCK 11
#define SHM_UNLOCK 12
#define SHM_STAT 13
#define SHM_INFO 14
#define SHM_STAT_ANY 15
#define SHM_RDONLY 010000
#define SHM_RND 020000
#define SHM_REMAP 040000
#define SHM_EXEC 0100000
#define SHM_HUGETLB 04000
#define SHM_DEST 01000		/* in mode: removed at the last detach */
#define SHM_LOCKED 02000
#define SHMMIN 1
#define SHMLBA PAGE_SIZE
#define RLIMIT_MEMLOCK 8

struct shm_seg {
	struct ipc_obj obj;
	struct inode *file;		/* the pages; a reference */
	size_t size;
	int cpid, lpid;			/* creator, last shmat or shmdt */
	int64_t atime, dtime;
};

/* struct shmid64_ds, struct shminfo64 and struct shm_info (x86_64). */
struct shmid_ds_k {
	struct ipc_perm64 perm;
	uint64_t segsz;
	int64_t atime, dtime, ctime;
	int cpid, lpid;
	uint64_t nattch;
	uint64_t unused[2];
};

struct shminfo_k {
	uint64_t shmmax, shmmin, shmmni, shmseg, shmall;
	uint64_t unused[4];
};

struct shm_info_k {
	int used_ids;
	uint64_t shm_tot, shm_rss, shm_swp, swap_attempts, swap_successes;
};

static void shm_free_seg(struct ipc_obj *o);
static void shm_remove_obj(struct ipc_obj *o);
struct ipc_ids shm_ids = { .last_idx = -1, .next_id = -1, .free = shm_free_seg,
			   .remove = shm_remove_obj };
static uint64_t shm_pages;	/* pages of every segment (SHMALL) */
static int shm_doomed;		/* segments with SHM_DEST */

static struct shm_seg *
seg_of(struct ipc_obj *o)
{
	return (struct shm_seg *)o;
}

static uint64_t
seg_pages(const struct shm_seg *seg)
{
	return ALIGN_UP(seg->size, PAGE_SIZE) / PAGE_SIZE;
}

static void
shm_free_seg(struct ipc_obj *o)
{
	struct shm_seg *seg = seg_of(o);
	shm_pages -= seg_pages(seg);
	if (o->mode & SHM_DEST)
		shm_doomed--;
	inode_put(seg->file);
	kfree(seg);
}

/* shm_nattch: the regions that map the segment. */
static uint64_t
shm_nattch(const struct shm_seg *seg)
{
	uint64_t n = 0;
	list_for_each(it, &seg->file->maps)
		n++;
	return n;
}

void
shm_reap(void)
{
	for (int i = 0; shm_doomed && i < shm_ids.cap; i++) {
		struct shm_seg *seg = seg_of(shm_ids.slot[i]);
		if (seg && (seg->obj.mode & SHM_DEST) && !shm_nattch(seg))
			ipc_remove(&shm_ids, &seg->obj);
	}
}

static struct ipc_obj *
shm_create(int key, int flags, long arg)
{
	size_t size = (size_t)arg;
	if (size < SHMMIN || size > ipc_limits.shmmax)
		return ERR_PTR(-EINVAL);
	uint64_t pages = ALIGN_UP(size, PAGE_SIZE) / PAGE_SIZE;
	if (pages == 0)
		return ERR_PTR(-ENOSPC);	/* size rounded past 2^64 */
	if (shm_pages + pages < shm_pages ||
	    shm_pages + pages > ipc_limits.shmall)
		return ERR_PTR(-ENOSPC);
	/* No huge pages: Linux without hugetlbfs finds no hstate. */
	if (flags & SHM_HUGETLB)
		return ERR_PTR(-EINVAL);
	struct shm_seg *seg = kzalloc(sizeof(*seg));
	struct inode *file = seg ? tmpfs_anon_file(size) : NULL;
	if (!file) {
		kfree(seg);
		return ERR_PTR(-ENOMEM);
	}
	seg->file = file;
	seg->size = size;
	seg->cpid = ipc_pid();
	int r = ipc_add(&shm_ids, &seg->obj, key, flags, ipc_limits.shmmni);
	if (r < 0) {
		inode_put(file);
		kfree(seg);
		return ERR_PTR(r);
	}
	shm_pages += pages;
	file->ino = (uint64_t)seg->obj.id;	/* /proc/PID/maps's, as Linux */
	return &seg->obj;
}

static int
shm_check(struct ipc_obj *o, long size)
{
	return seg_of(o)->size < (size_t)size ? -EINVAL : 0;
}

long
sys_shmget(int key, size_t size, int flags)
{
	shm_reap();
	return ipc_get(&shm_ids, key, flags, shm_create, shm_check,
		       (long)size);
}

/* Whether some region of vm overlaps [start, end). */
static bool
range_used(struct vm *vm, vaddr_t start, vaddr_t end)
{
	list_for_each(it, &vm->regions) {
		struct region *r = list_entry(it, struct region, link);
		if (r->start < end && r->end > start)
			return true;
	}
	return false;
}

/* Linux's do_shmat checks of the address: SHMLBA alignment or SHM_RND,
 * SHM_REMAP only with an address. Returns the address to map (0: any),
 * or -EINVAL. */
static long
shm_attach_addr(uaddr_t addr, int flags)
{
	if (!addr)
		return (flags & SHM_REMAP) ? -EINVAL : 0;
	if (addr & (SHMLBA - 1)) {
		if (!(flags & SHM_RND))
			return -EINVAL;
		addr &= ~(uaddr_t)(SHMLBA - 1);
		if (!addr && (flags & SHM_REMAP))
			return -EINVAL;
	}
	return (long)addr;
}

static struct vm_name *
shm_name(const struct shm_seg *seg)
{
	char path[24];
	snprintk(path, sizeof(path), "/SYSV%08x", (unsigned)seg->obj.key);
	return vm_name_new(path);
}

static long
shm_map(struct shm_seg *seg, long addr, int flags)
{
	struct vm *vm = current()->proc->vm;
	size_t len = ALIGN_UP(seg->size, PAGE_SIZE);
	unsigned prot = PROT_READ | ((flags & SHM_RDONLY) ? 0 : PROT_WRITE) |
			((flags & SHM_EXEC) ? PROT_EXEC : 0);
	if (addr && !(flags & SHM_REMAP) &&
	    ((uaddr_t)addr + len < (uaddr_t)addr ||
	     range_used(vm, (vaddr_t)addr, (vaddr_t)addr + len)))
		return -EINVAL;
	long r = vm_map(vm, (vaddr_t)addr, len, prot,
			MAP_SHARED | (addr ? MAP_FIXED : 0), seg->file, 0, len);
	if (r < 0)
		return r;
	if (flags & SHM_RDONLY)
		vm_find(vm, (vaddr_t)r)->prot_deny |= PROT_WRITE;
	struct vm_name *name = shm_name(seg);
	vm_name_region(vm, (vaddr_t)r, name);
	vm_name_put(name);
	seg->atime = ipc_now();
	seg->lpid = ipc_pid();
	return r;
}

long
sys_shmat(int id, uaddr_t uaddr, int flags)
{
	shm_reap();
	if (id < 0)
		return -EINVAL;
	long addr = shm_attach_addr(uaddr, flags);
	if (addr < 0)
		return addr;
	struct ipc_obj *o = ipc_find(&shm_ids, id);
	if (!o)
		return -EINVAL;
	int want = IPC_WANT_READ | ((flags & SHM_RDONLY) ? 0 : IPC_WANT_WRITE) |
		   ((flags & SHM_EXEC) ? 0111 : 0);
	if (!ipc_allowed(o, want))
		return -EACCES;
	return shm_map(seg_of(o), addr, flags);
}

/* The segment whose pages file is, or NULL. */
static struct shm_seg *
shm_of_file(const struct inode *file)
{
	for (int i = 0; file && i < shm_ids.cap; i++) {
		struct shm_seg *seg = seg_of(shm_ids.slot[i]);
		if (seg && seg->file == file)
			return seg;
	}
	return NULL;
}

bool
shm_is_segment(const struct inode *file)
{
	return shm_of_file(file) != NULL;
}

/* The first region at or after addr that is part of a segment attached
 * at addr (its offset in the segment its distance from addr), or NULL. */
static struct region *
shm_attached_region(struct vm *vm, vaddr_t addr, struct shm_seg **segp)
{
	list_for_each(it, &vm->regions) {
		struct region *r = list_entry(it, struct region, link);
		if (r->start < addr || r->file_off != r->start - addr)
			continue;
		struct shm_seg *seg = shm_of_file(r->file);
		if (seg && r->start - addr < ALIGN_UP(seg->size, PAGE_SIZE)) {
			*segp = seg;
			return r;
		}
	}
	return NULL;
}

long
sys_shmdt(uaddr_t addr)
{
	struct vm *vm = current()->proc->vm;
	if (addr & (PAGE_SIZE - 1))
		return -EINVAL;
	long r = -EINVAL;
	struct shm_seg *seg;
	struct region *reg;
	while ((reg = shm_attached_region(vm, addr, &seg))) {
		int err = vm_unmap(vm, reg->start, reg->end - reg->start);
		if (err < 0)
			return err;	/* else the same region comes again */
		seg->dtime = ipc_now();
		seg->lpid = ipc_pid();
		r = 0;
	}
	shm_reap();
	return r;
}

static long
shm_info(int cmd, uaddr_t ubuf)
{
	int max = ipc_max_index(&shm_ids);
	long r;
	if (cmd == IPC_INFO) {
		struct shminfo_k info = {
			.shmmax = ipc_limits.shmmax, .shmmin = SHMMIN,
			.shmmni = (uint64_t)ipc_limits.shmmni,
			.shmseg = (uint64_t)ipc_limits.shmmni,
			.shmall = ipc_limits.shmall,
		};
		r = copyout(ubuf, &info, sizeof(info));
	} else {
		struct shm_info_k info = { .used_ids = shm_ids.in_use,
					   .shm_tot = shm_pages };
		for (int i = 0; i < shm_ids.cap; i++)
			if (shm_ids.slot[i])
				info.shm_rss += tmpfs_file_pages(seg_of(shm_ids.slot[i])->file);
		r = copyout(ubuf, &info, sizeof(info));
	}
	if (r < 0)
		return -EFAULT;
	return max < 0 ? 0 : max;
}

static long
shm_stat(int id, int cmd, uaddr_t ubuf)
{
	struct ipc_obj *o = cmd == IPC_STAT ? ipc_find(&shm_ids, id) :
			    ipc_find_index(&shm_ids, id % IPCMNI);
	if (!o)
		return -EINVAL;
	if (cmd != SHM_STAT_ANY && !ipc_allowed(o, IPC_WANT_READ))
		return -EACCES;
	struct shm_seg *seg = seg_of(o);
	struct shmid_ds_k ds = {
		.segsz = seg->size, .atime = seg->atime, .dtime = seg->dtime,
		.ctime = o->ctime, .cpid = seg->cpid, .lpid = seg->lpid,
		.nattch = shm_nattch(seg),
	};
	ipc_perm_out(o, &ds.perm);
	if (copyout(ubuf, &ds, sizeof(ds)) < 0)
		return -EFAULT;
	return cmd == IPC_STAT ? 0 : o->id;
}

/* SHM_LOCK and SHM_UNLOCK: kept in the mode only, as pages here are
 * never swapped. */
static long
shm_lock(struct ipc_obj *o, int cmd)
{
	struct proc *p = current()->proc;
	if (!capable(CAP_IPC_LOCK)) {
		if (p->euid != o->uid && p->euid != o->cuid)
			return -EPERM;
		if (cmd == SHM_LOCK && p->rlimits[RLIMIT_MEMLOCK][0] == 0)
			return -EPERM;
	}
	if (cmd == SHM_LOCK)
		o->mode |= SHM_LOCKED;
	else
		o->mode &= ~(unsigned)SHM_LOCKED;
	return 0;
}

/* IPC_RMID's part: gone now, or at the last detach. */
static void
shm_remove_obj(struct ipc_obj *o)
{
	if (shm_nattch(seg_of(o))) {
		if (!(o->mode & SHM_DEST))
			shm_doomed++;
		o->mode |= SHM_DEST;
		o->key = IPC_PRIVATE;
	} else {
		ipc_remove(&shm_ids, o);
	}
}

static long
shm_control(int id, int cmd, const struct shmid_ds_k *ds)
{
	struct ipc_obj *o = ipc_find(&shm_ids, id);
	if (!o)
		return -EINVAL;
	if (cmd == SHM_LOCK || cmd == SHM_UNLOCK)
		return shm_lock(o, cmd);
	int r = ipc_owner_check(o);
	if (r < 0)
		return r;
	if (cmd == IPC_SET)
		ipc_perm_set(o, &ds->perm);
	else
		shm_remove_obj(o);
	return 0;
}

long
sys_shmctl(int id, int cmd, uaddr_t ubuf)
{
	struct shmid_ds_k ds;
	if (cmd < 0 || id < 0)
		return -EINVAL;
	shm_reap();
	switch (cmd) {
	case IPC_INFO:
	case SHM_INFO:
		return shm_info(cmd, ubuf);
	case IPC_STAT:
	case SHM_STAT:
	case SHM_STAT_ANY:
		return shm_stat(id, cmd, ubuf);
	case IPC_SET:
		if (copyin(&ds, ubuf, sizeof(ds)) < 0)
			return -EFAULT;
		return shm_control(id, cmd, &ds);
	case IPC_RMID:
	case SHM_LOCK:
	case SHM_UNLOCK:
		return shm_control(id, cmd, NULL);
	default:
		return -EINVAL;
	}
}

void
shm_list(ipc_emit_fn emit, void *ctx)
{
	char line[256];
	shm_reap();
	emit(ctx, "       key      shmid perms                  size  cpid  lpid"
		  " nattch   uid   gid  cuid  cgid      atime      dtime      "
		  "ctime                   rss                  swap\n");
	for (int i = 0; i < shm_ids.cap; i++) {
		struct shm_seg *seg = seg_of(shm_ids.slot[i]);
		if (!seg)
			continue;
		snprintk(line, sizeof(line),
			 "%10d %10d  %4o %21lu %5u %5u  %5lu %5u %5u %5u %5u "
			 "%10ld %10ld %10ld %21lu %21lu\n",
			 seg->obj.key, seg->obj.id, seg->obj.mode, seg->size,
			 seg->cpid, seg->lpid, shm_nattch(seg), seg->obj.uid,
			 seg->obj.gid, seg->obj.cuid, seg->obj.cgid,
			 seg->atime, seg->dtime, seg->obj.ctime,
			 tmpfs_file_pages(seg->file) * PAGE_SIZE, 0ul);
		emit(ctx, line);
	}
}
