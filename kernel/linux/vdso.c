/*
 * The vDSO, its portable part: the arch's image (arch_vdso_image) and the
 * [vvar] clock page, each kept in a nameless tmpfs file and mapped by exec
 * into every new program; the page rewritten under its sequence counter
 * whenever the kernel's clocks change (calibration, the wall clock set).
 * A second page, whose clock_mode sends every read to the system call,
 * serves processes whose time namespace moves the clocks.
 */
#include <kernel/vdso.h>
#include <kernel/vvar.h>
#include <kernel/vm.h>
#include <kernel/vfs.h>
#include <kernel/tmpfs.h>
#include <kernel/clock.h>
#include <kernel/ns.h>
#include <kernel/proc.h>
#include <kernel/arch.h>
#include <kernel/printk.h>

/* Above mmap's area (it searches down from VM_MMAP_BASE), below the
 * stack: nothing exec maps is there, and mmap never looks there. */
#define VDSO_BASE VM_MMAP_BASE

static struct inode *vdso_file;		/* the image, page aligned */
static struct inode *vvar_file;		/* the live clock page */
static struct inode *vvar_syscall_file;	/* the page saying: ask the kernel */
static struct vvar *vvar_live, *vvar_syscall;	/* theirs, direct-mapped */

_Static_assert(sizeof(struct vvar) <= PAGE_SIZE, "the clock page is a page");

/* The first page of file f, in the direct map, or NULL. */
static struct vvar *
first_page(struct inode *f)
{
	paddr_t pa = f->iops->getpage(f, 0, true);
	return pa ? phys_to_virt(pa) : NULL;
}

/*
 * Rewrites v: the sequence odd while the fields change, so a reader that
 * saw them change, or saw an odd count, reads again. The fences order
 * the stores for a reader on another CPU.
 */
static void
vvar_write(struct vvar *v, uint32_t clock_mode)
{
	volatile uint32_t *seq = &v->seq;
	uint64_t base, mult;
	uint32_t cpu_mode;

	arch_vvar_clock(&base, &mult, &cpu_mode);
	*seq = *seq + 1;
	__atomic_thread_fence(__ATOMIC_RELEASE);
	v->clock_mode = clock_mode;
	v->cpu_mode = cpu_mode;
	v->cycles_base = base;
	v->ns_mult = mult;
	v->realtime_ns = realtime_base_ns();
	__atomic_thread_fence(__ATOMIC_RELEASE);
	*seq = *seq + 1;
}

void
vdso_init(bool enabled)
{
	size_t size;
	const void *image = arch_vdso_image(&size);

	if (!image || !enabled) {
		pr_info("vdso: none%s\n", image ? " (vdso=0)" : "");
		return;
	}
	vdso_file = tmpfs_anon_file(size);
	vvar_file = tmpfs_anon_file(PAGE_SIZE);
	vvar_syscall_file = tmpfs_anon_file(PAGE_SIZE);
	if (!vdso_file || !vvar_file || !vvar_syscall_file ||
	    tmpfs_write_inode(vdso_file, image, size, 0) != (long)size ||
	    !(vvar_live = first_page(vvar_file)) ||
	    !(vvar_syscall = first_page(vvar_syscall_file)))
		panic("vdso: no memory for its pages");
	vvar_write(vvar_live, VVAR_CLOCK_CYCLES);
	vvar_write(vvar_syscall, VVAR_CLOCK_SYSCALL);
	pr_info("vdso: %lu bytes at %#lx\n", size, VDSO_BASE + PAGE_SIZE);
}

void
vdso_clock_changed(void)
{
	if (vvar_live)
		vvar_write(vvar_live, VVAR_CLOCK_CYCLES);
}

/* The clock page for p: the live one unless its time namespace moves the
 * clocks, which only the system call knows how to add. */
static struct inode *
vvar_for(struct proc *p)
{
	return timens_moves_clocks(p) ? vvar_syscall_file : vvar_file;
}

/* Maps size bytes of f at va, read-only, never writable (W^X, and
 * [vvar] is every process's), tagged for /proc/PID/maps. */
static long
map_fixed(struct vm *vm, vaddr_t va, struct inode *f, unsigned prot,
	  unsigned shared, const char *tag)
{
	long a = vm_map(vm, va, f->size, prot, shared | MAP_FIXED, f, 0,
			f->size);
	if (a < 0)
		return a;
	struct region *r = vm_find(vm, va);
	r->prot_deny = PROT_WRITE | (prot & PROT_EXEC ? 0 : PROT_EXEC);
	r->tag = tag;
	return 0;
}

long
vdso_map(struct vm *vm, struct proc *p)
{
	if (!vdso_file)
		return 0;
	vaddr_t text = VDSO_BASE + PAGE_SIZE;
	long e = map_fixed(vm, VDSO_BASE, vvar_for(p), PROT_READ, MAP_SHARED,
			   "[vvar]");
	if (e == 0)
		e = map_fixed(vm, text, vdso_file, PROT_READ | PROT_EXEC,
			      MAP_PRIVATE, "[vdso]");
	return e < 0 ? e : (long)text;
}

void
vdso_timens_changed(struct proc *p)
{
	if (!vdso_file || !p->vm || !timens_moves_clocks(p))
		return;
	/* Never back: the system call's page is right in any namespace,
	 * and a vm shared with another process (CLONE_VM) serves both. */
	list_for_each(it, &p->vm->regions) {
		struct region *r = list_entry(it, struct region, link);
		if (r->file != vvar_file)
			continue;
		spin_lock(&p->vm->lock);
		vm_unmap_pages(p->vm, r->start, r->end);
		vm_file_unlink(r);
		inode_put(r->file);	/* not its last: vvar_file stays */
		r->file = vvar_syscall_file;
		inode_get(r->file);
		vm_file_link(p->vm, r);
		spin_unlock(&p->vm->lock);
	}
}
