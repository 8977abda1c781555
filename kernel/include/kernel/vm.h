/*
 * Process address spaces (kernel/mm/vm.c): a sorted list of regions over a
 * page table, demand paging (zero-fill or from a file's pages), copy-on-write
 * for fork and private file mappings.
 *
 * Locking (docs/kernel.md, "Memory"): the fields tagged [V] are guarded by
 * the vm lock (vm.lock, an object lock) and the big lock together. Whoever
 * changes one holds both, except two that hold only the vm lock: the
 * nolock fault (vm_fault_nolock), which changes only page-table entries of
 * private anonymous regions and the resident counts, and the nolock mmap,
 * munmap and mprotect (vm_nolock.c) of a process alone in its address
 * space, which change plain private anonymous regions. So the vm's own
 * threads read the region list and a region's fields with the big lock
 * alone (when there are several, every change holds it), and anyone else
 * (procfs, process_vm_readv, ptrace) takes the vm lock to read them. A
 * page-table entry read with the big lock alone is a hint: whoever changes
 * one, or uses the page it names (copies it, takes a reference), holds the
 * vm lock. An entry that loses access is flushed from every TLB before the
 * vm lock is dropped, its page put after the flush; page tables go only
 * with the last vm_put. The rest is the big lock's.
 */
#ifndef KERNEL_VM_H
#define KERNEL_VM_H

#include <kernel/types.h>
#include <kernel/list.h>
#include <kernel/errno.h>
#include <kernel/cpu.h>
#include <kernel/mmu.h>
#include <kernel/lock.h>
#include <kernel/spinlock.h>
#include <kernel/arch.h>	/* arch_copy_user, arch_zero_user */
#include <arch/mmu.h>	/* USER_TOP, PHYS_MAP_BASE */

#define PROT_READ 1
#define PROT_WRITE 2
#define PROT_EXEC 4
#define MAP_SHARED 0x01
#define MAP_PRIVATE 0x02
#define MAP_FIXED 0x10
#define MAP_ANONYMOUS 0x20
#define MAP_GROWSDOWN 0x100
#define MAP_STACK 0x20000
#define MAP_NORESERVE 0x4000
#define MAP_POPULATE 0x8000
#define MAP_FIXED_NOREPLACE 0x100000
/* Not Linux's: a file mapping made by mmap(2), whose pages past the end
   of the file fault with SIGBUS (exec's maps put the bss there). */
#define VM_MAP_EOF_SIGBUS 0x80000000u
/* Not Linux's either: mlock's mark (Linux's VM_LOCKED), counted as VmLck;
   a fork's copy loses it. */
#define VM_LOCKED 0x40000000u
/* madvise(MADV_WIPEONFORK): a fork's child gets the range zeroed. */
#define VM_WIPEONFORK 0x20000000u
/* userfaultfd's MISSING mode: region.uffd hears of the missing pages. */
#define VM_UFFD_MISSING 0x10000000u
/* UFFDIO_POISON: a missing page here faults with SIGBUS. */
#define VM_UFFD_POISON 0x08000000u
/* mseal(2): the region cannot be unmapped, moved or reprotected; a fork's
   copy keeps it. */
#define VM_SEALED 0x04000000u
/* madvise(MADV_DONTDUMP): a core leaves the region's bytes out; a fork's
   copy keeps it. */
#define VM_DONTDUMP 0x02000000u
/* Linux's VM_ACCOUNT: private memory that was ever writable (mapped so,
   or made so by mprotect, not MAP_NORESERVE), which Linux would charge
   to its commit limit. Nothing is charged here, but Linux will not merge
   a region with it and one without, so neither does Petrel. MAP_NORESERVE
   stays in a region's flags as Linux's VM_NORESERVE, for the same
   reason. */
#define VM_ACCOUNT 0x01000000u

#define VM_MMAP_BASE 0x00007f0000000000ul	/* mmap searches down from here */
#define VM_STACK_TOP 0x00007ffffffff000ul
#define VM_STACK_SIZE (8ul << 20)
#define VM_AUXV_MAX 24			/* auxiliary vector entries kept */

struct inode;
struct file;
struct proc;
struct uffd;

/* A mapped file's path as /proc/PID/maps shows it (kernel/mm/vm_name.c):
 * counted, shared by the regions of one mapping; big lock. */
struct vm_name {
	int refcount;
	char path[];
};

struct region {
	struct list link;		/* vm->regions [V] */
	struct region *below, *above;	/* vm->tree's children [V] */
	int height;			/* of its subtree in vm->tree [V] */
	vaddr_t start, end;		/* page aligned, end exclusive [V] */
	unsigned prot;			/* PROT_* [V] */
	unsigned prot_deny;		/* PROT_* mprotect may not add: what
					   the handle mapped lacked rights for */
	unsigned flags;			/* MAP_SHARED or MAP_PRIVATE, MAP_GROWSDOWN,
					   MAP_NORESERVE, VM_MAP_EOF_SIGBUS,
					   VM_* [V] */
	struct inode *file;		/* NULL for anonymous memory [V] */
	uint64_t file_off;		/* file offset of `start` */
	uint64_t file_bytes;		/* bytes of file data from `start`; rest zero */
	const char *tag;		/* "[stack]", "[heap]" for /proc/maps */
	struct vm_name *name;		/* the file's path, or NULL */
	paddr_t io_base;		/* device memory mapped here, or 0 [V] */
	struct vm *vm;			/* the address space it is part of */
	struct list file_link;		/* file->maps, when file is set */
	struct uffd *uffd;		/* the userfaultfd registered here
					   (VM_UFFD_MISSING), or NULL [V] */
};

struct vm {
	int refcount;
	spinlock_t lock;		/* the vm lock: guards [V] */
	paddr_t root;			/* its tables' entries [V] */
	struct list regions;		/* sorted by start [V] */
	struct region *tree;		/* the same, an AVL tree by start,
					   for lookups (vm_tree.c) [V] */
	unsigned nregions;		/* on both [V] */
	uint64_t regions_gone;		/* bumped as a region leaves the list,
					   before it is freed [V] */
	vaddr_t brk_start, brk;
	vaddr_t stack_top;
	uint64_t pages;			/* resident pages mapped, for RSS [V] */
	uint64_t pages_peak;		/* the most pages ever (VmHWM) [V] */
	uint64_t mapped, mapped_peak;	/* bytes of regions, now and at most
					   (VmSize, VmPeak) */
	struct inode *exe;		/* the program exec loaded, held
					   against writing (inode_deny_write) */
	unsigned membarrier;		/* MEMBARRIER_CMD_REGISTER_* done
					   (sys_mm.c); a new vm has none */
	bool lock_future;		/* mlockall(MCL_FUTURE): new maps are
					   locked; a new vm is not */
	bool lock_future_onfault;	/* ... without being faulted in */
	/* The auxiliary vector exec gave the program, (type, value) pairs
	   up to AT_NULL: /proc/PID/auxv, which debuggers read. */
	uint64_t auxv[2 * VM_AUXV_MAX];
	/* Where exec put the argument and the environment strings (Linux's
	   mm->arg_start...): /proc/PID/cmdline and environ read the
	   process's memory there, as it may have rewritten them. */
	vaddr_t arg_start, arg_end, env_start, env_end;
	/* The program's text and data as exec loaded them (Linux's
	   start_code...: the lowest and the highest segment's start, the
	   end of the last executable and of the last file-backed bytes),
	   and the stack pointer it started with: /proc/PID/stat shows
	   them, PR_SET_MM may change them. */
	vaddr_t start_code, end_code, start_data, end_data, start_stack;
};

struct vm *vm_new(void);
void vm_put(struct vm *vm);
/* Makes exe (a reference and its deny-write the caller took) vm's program;
 * vm_put gives both back. */
void vm_set_exe(struct vm *vm, struct inode *exe);
/* A copy-on-write copy of vm for fork; NULL when out of memory. */
struct vm *vm_clone(struct vm *vm);
/* Maps a region; returns its address or a negative errno. */
long vm_map(struct vm *vm, vaddr_t addr, size_t len, unsigned prot,
	    unsigned flags, struct inode *file, uint64_t off, uint64_t file_bytes);
/*
 * Joins the regions that meet [start, end), and those that touch its
 * edges, wherever neighbours agree in everything a region carries (the
 * rule in docs/kernel.md, "Memory"), as Linux merges VMAs. vm_map does
 * not merge, as its callers name, tag or lock the new region after;
 * mmap calls this when they are done. Big lock held; takes the vm lock;
 * does not sleep.
 */
void vm_merge(struct vm *vm, vaddr_t start, vaddr_t end);
/* Maps device memory [base, base+len) uncached; returns the address or -errno. */
long vm_map_io(struct vm *vm, paddr_t base, size_t len, unsigned prot);
int vm_unmap(struct vm *vm, vaddr_t addr, size_t len);
int vm_protect(struct vm *vm, vaddr_t addr, size_t len, unsigned prot);
long vm_remap(struct vm *vm, vaddr_t old, size_t old_len, size_t new_len,
	      unsigned flags, vaddr_t new_addr);
/* Resolves a fault at va; 0 when the access may be retried, else -EFAULT
 * (-EIO for SIGBUS, -ENOMEM). Big lock held, vm lock not (taken inside,
 * and let go around what sleeps: a file's page, a userfaultfd's wait). */
int vm_fault(struct vm *vm, vaddr_t va, bool write, bool exec);
/*
 * The fault without the big lock (kernel/mm/vm_fault.c): a missing page
 * of a private anonymous region (a zeroed page) or a write to a private
 * anonymous page (its copy, or the page itself when no one shares it).
 * 0 once mapped; -ERETRY_LOCKED, having changed nothing, for everything
 * else (no region, a file's, shared or userfaultfd's memory, a stack to
 * grow, no memory, an access not allowed), which vm_fault then handles
 * with the big lock. Takes the vm lock; does not sleep.
 */
int vm_fault_nolock(struct vm *vm, vaddr_t va, bool write, bool exec);
/*
 * mmap, munmap and mprotect without the big lock (kernel/mm/vm_nolock.c):
 * anonymous private memory with no name, tag or flag of its own (a map
 * anywhere, or at a free hint; an unmap or a protection change over such
 * regions only; noreserve: MAP_NORESERVE or 0), each joining the
 * regions that then agree (vm_merge). The result of vm_map, vm_unmap or
 * vm_protect, or -ERETRY_LOCKED having changed nothing for everything
 * else. Only for an address space no other thread uses (the caller
 * checks: sys_mm.c's vm_alone), as its own threads read the regions
 * with the big lock alone. Take the vm lock; do not sleep.
 */
long vm_map_anon_nolock(struct vm *vm, vaddr_t addr, size_t len,
			unsigned prot, unsigned noreserve);
int vm_unmap_nolock(struct vm *vm, vaddr_t addr, size_t len);
int vm_protect_nolock(struct vm *vm, vaddr_t addr, size_t len, unsigned prot);
/* Asserts (assert-enabled build) that whoever changes vm's [V] fields
 * holds its lock, and the big lock too unless the nolock fault runs. */
#define VM_ASSERT_LOCKED(vm) KASSERT(spin_held(&(vm)->lock))
/* Lookups in O(log n) (vm_tree.c): the region that holds va, or NULL;
 * vm_find_from: the one that holds va, else the first above it, or
 * NULL (where a walk over a range starts); vm_region_next: the region
 * after r, or NULL. */
struct region *vm_find(struct vm *vm, vaddr_t va);
struct region *vm_find_from(struct vm *vm, vaddr_t va);
struct region *vm_region_next(struct vm *vm, struct region *r);
/* vm.max_map_count: the most regions an address space may have, as
 * Linux counts them (a map past it, or a split at it, is ENOMEM). */
extern unsigned vm_max_map_count;
/*
 * The page of vm that holds va, faulted in (and unshared, for a write)
 * as its owner's own access would, with a reference the caller drops
 * (page_put) when done: for reaching another address space (a channel's
 * caller, process_vm_readv), whose own faults or munmap may replace the
 * entry meanwhile. 0 if the owner may not access it so. Big lock held;
 * may sleep (a file's page).
 */
paddr_t vm_user_page(struct vm *vm, vaddr_t va, bool write);
/*
 * vm_user_page without the fault: the page at va with a reference if its
 * entry is present and allows the access, 0 if not, 1 for device memory
 * (never lent). Takes only the vm lock, so it runs without the big lock
 * and under an object lock whose holding keeps vm alive (a channel's,
 * for its caller's vm). Does not sleep.
 */
paddr_t vm_user_page_mapped(struct vm *vm, vaddr_t va, bool write);
/* Whether every page of [start, end) lies in some region. */
bool vm_range_mapped(struct vm *vm, vaddr_t start, vaddr_t end);
/*
 * mlock and munlock: marks the regions of [start, end) VM_LOCKED (their
 * pages faulted in, unless onfault) or clears the mark. 0, or -ENOMEM if
 * part of the range is not mapped. May sleep.
 */
int vm_lock_range(struct vm *vm, vaddr_t start, vaddr_t end, bool lock,
		  bool onfault);
/* Maps the fresh page pa at va (page aligned) of a private anonymous
 * region (userfaultfd's COPY and ZEROPAGE): 0, -EEXIST if a page is there,
 * -ENOENT if no such region holds va, -ENOMEM. The page is the region's
 * on success, the caller's otherwise. Big lock and vm lock held; does not
 * sleep. */
int vm_install_page(struct vm *vm, vaddr_t va, paddr_t pa);
/* Faults in the pages of [start, end) as MAP_POPULATE does (a private
 * writable one written); failures are left to a later fault. May sleep. */
void vm_populate(struct vm *vm, vaddr_t start, vaddr_t end);
/* Sets or clears a region flag (VM_WIPEONFORK) on the regions of
 * [start, end), splitting them at its edges and joining those that then
 * agree (vm_merge); 0 or -ENOMEM. Big lock held. */
int vm_set_flag(struct vm *vm, vaddr_t start, vaddr_t end, unsigned flag,
		bool on);
/* Whether a region of [start, end) is sealed (mseal): the calls that
 * would change it are EPERM (kernel/linux/sys_mseal.c). */
bool vm_range_sealed(struct vm *vm, vaddr_t start, vaddr_t end);
/* Bytes of [start, end) in VM_LOCKED regions. */
uint64_t vm_locked_bytes(struct vm *vm, vaddr_t start, vaddr_t end);
/*
 * Reads or writes len bytes at va in vm, which need not be the running
 * address space (kernel/mm/vm_access.c): a write to a private read-only
 * mapping makes the page a private copy, as Linux's FOLL_FORCE. Returns
 * 0, or -EFAULT if a page is not mapped, PROT_NONE (Linux would read
 * it), or a shared read-only one for a write. Big lock held.
 */
int vm_access(struct vm *vm, vaddr_t va, void *buf, size_t len, bool write);
void vm_activate(struct vm *vm);
/*
 * Loads the address space of the thread about to run on this CPU, prev's
 * being loaded now. The idle thread (next NULL) keeps prev's tables and a
 * reference on them until a process runs again, so idling and going back
 * to the same process costs no TLB flush.
 */
void vm_switch_lazy(struct vm *prev, struct vm *next);

static inline void
vm_switch(struct vm *prev, struct vm *next)
{
	if (next && !this_cpu()->lazy_vm)
		mmu_activate(next->root);	/* from one process to another */
	else
		vm_switch_lazy(prev, next);
}
/* Drops private pages in the range: they read back as zero or file data. */
void vm_discard(struct vm *vm, vaddr_t addr, size_t len);
/* Sets the program break; returns the new (or unchanged) break. */
vaddr_t vm_brk(struct vm *vm, vaddr_t want);
/* Unmaps the pages of [start, end) in vm and drops their references,
 * each after every CPU has forgotten it. vm lock held. */
void vm_unmap_pages(struct vm *vm, vaddr_t start, vaddr_t end);

/*
 * Names of mappings (kernel/mm/vm_name.c). Big lock held.
 * vm_name_new: a name (one reference) holding a copy of path, or NULL.
 * vm_name_get/put take and drop a reference (NULL is left alone).
 * vm_name_of_file: the path f was opened by, resolved (a reference), kept
 * on f for its next mapping; NULL if it has none. May sleep (a server's
 * file system), so the caller holds f.
 * vm_name_region: names the region at addr (a reference of its own).
 */
struct vm_name *vm_name_new(const char *path);
struct vm_name *vm_name_get(struct vm_name *n);
void vm_name_put(struct vm_name *n);
struct vm_name *vm_name_of_file(struct proc *p, struct file *f);
void vm_name_region(struct vm *vm, vaddr_t addr, struct vm_name *name);

/*
 * What regions hold (kernel/mm/vm_stat.c), in bytes; pss and the pss_*
 * counts are bytes << VM_PSS_SHIFT (a page shared by three mappings adds a
 * third of a page). vm_region_usage adds r's pages to u, vm_usage every
 * region's. Big lock held, and the vm lock unless the vm is the caller's
 * own (its owner maps without the big lock); neither sleeps.
 */
#define VM_PSS_SHIFT 12
struct vm_usage {
	uint64_t rss, pss, pss_dirty, pss_anon, pss_file, pss_shmem;
	uint64_t shared_clean, shared_dirty, private_clean, private_dirty;
	uint64_t referenced, anon, file, shmem;
	uint64_t tables;		/* leaf page tables met (VmPTE) */
};
void vm_region_usage(struct vm *vm, const struct region *r,
		     struct vm_usage *u);
void vm_usage(struct vm *vm, struct vm_usage *u);

/*
 * File mappings seen from the file (kernel/mm/vm_file.c). Every region
 * with a file is on the file's maps list from vm_file_link (when it joins
 * vm) to vm_file_unlink (before it is freed). Caller holds the big lock;
 * none sleeps.
 */
void vm_file_link(struct vm *vm, struct region *r);
void vm_file_unlink(struct region *r);
/* Unmaps, in every address space, the pages of ino at file offsets from
 * `from` (page aligned) on, in mappings whose pages past the end of the
 * file fault (mmap's, not exec's): a truncate makes them SIGBUS. */
void vm_file_unmap(struct inode *ino, uint64_t from);
/* Unmaps, in every mapping of ino, the file's own pages at file offsets
 * [from, to) (page aligned), leaving private copies: a punched hole is
 * read again from the file. */
void vm_file_unmap_range(struct inode *ino, uint64_t from, uint64_t to);
/* True if some MAP_SHARED mapping of ino may write it (a write seal is
 * then EBUSY). */
bool vm_file_mapped_writable(struct inode *ino);
/* Makes the page of ino at off read-only in every shared mapping, so the
 * next store faults (after its write-back). */
void vm_file_wrprotect(struct inode *ino, uint64_t off);
/*
 * Writes back what shared mappings in [start, end) of vm stored in files
 * that need it (inode_ops.writeback), durably if asked. Sleeps; vm is
 * held meanwhile. Returns 0 or the first error.
 */
int vm_file_sync(struct vm *vm, vaddr_t start, vaddr_t end, bool durable);

/*
 * Checked access to the current process's memory: the only way the kernel
 * touches it. The range must lie below USER_TOP; the copy runs at the user
 * address, a fault in it is handled as the process's own, and one that
 * cannot be resolved ends the copy with -EFAULT (the arch's fixup). Inline,
 * as most copies are a few words on an IPC or system-call path.
 *
 * The caller holds the big lock or runs a nolock system call
 * (uaccess_lock_ok; the rule in docs/kernel.md, "Calls without the big
 * lock"), holds no spinlock (a fault in the copy may sleep), and passes a
 * kernel buffer: all asserted in the assert-enabled build, where a kernel
 * buffer in user space (a user pointer passed on unchecked, the copy's
 * two sides swapped) would otherwise copy user to user with SMAP lifted.
 */
bool uaccess_lock_ok(void);	/* kernel/mm/uaccess.c */

static inline bool
user_range_ok(uint64_t uaddr, size_t n)
{
	return uaddr < USER_TOP && n <= USER_TOP - uaddr;
}

/* True if [kaddr, kaddr + n) lies in the kernel half without wrapping. */
static inline bool
kernel_range_ok(const void *kaddr, size_t n)
{
	uint64_t a = (uint64_t)kaddr;
	return n == 0 || (a >= PHYS_MAP_BASE && n <= 0 - a);
}

static inline int
copyin(void *dst, uint64_t usrc, size_t n)
{
	KASSERT(uaccess_lock_ok());
	KASSERT(kernel_range_ok(dst, n));
	if (!user_range_ok(usrc, n))
		return -EFAULT;
	return (int)arch_copy_user(dst, (const void *)usrc, n);
}

static inline int
copyout(uint64_t udst, const void *src, size_t n)
{
	KASSERT(uaccess_lock_ok());
	KASSERT(kernel_range_ok(src, n));
	if (!user_range_ok(udst, n))
		return -EFAULT;
	return (int)arch_copy_user((void *)udst, src, n);
}

/* Copies a NUL-terminated string of at most max bytes (NUL included);
 * returns its length, -EFAULT, or -ENAMETOOLONG. */
long copyinstr(char *dst, uint64_t usrc, size_t max);
int user_zero(uint64_t udst, size_t n);
/* Linux's copy_struct_from_user: the size bytes at usrc into the known
 * bytes at dst, the rest of dst zero (an older, shorter struct), and the
 * bytes past known, from a newer and longer one, must be zero: 0,
 * -E2BIG or -EFAULT. The caller checks size's own bounds. */
int copy_struct_in(void *dst, size_t known, uint64_t usrc, size_t size);

#endif
