/*
 * Memory objects: pages that processes map with pt_mem_map and share by
 * passing the handle on. The pages belong to an inode, so a mapping is an
 * ordinary shared file mapping and outlives the handle. Device DMA memory
 * is the same thing, physically contiguous (kernel/ipc/device.c).
 */
#include <kernel/ipc.h>
#include <kernel/proc.h>
#include <kernel/vfs.h>
#include <kernel/vm.h>
#include <kernel/page.h>
#include <kernel/kmalloc.h>
#include <kernel/errno.h>
#include <syscall_table.h>
#include "ipc_int.h"

struct memobj {
	struct kobj obj;
	struct inode *ino;		/* holds the pages */
	uint64_t size;			/* bytes, a multiple of the page size */
	paddr_t phys;			/* contiguous memory: its first byte */
};

/* The pages of a memory object's inode. */
struct mem_pages {
	uint64_t count;
	paddr_t page[];
};

static struct super mem_super = { .type = "memobj" };

static struct memobj *
mem_of(struct kobj *o)
{
	return container_of(o, struct memobj, obj);
}

static paddr_t
mem_getpage(struct inode *ino, uint64_t off, bool fill)
{
	(void)fill;	/* every page is there from the start */
	struct mem_pages *mp = ino->priv;
	uint64_t i = off / PAGE_SIZE;
	return i < mp->count ? mp->page[i] : 0;
}

static void
mem_release(struct inode *ino)
{
	struct mem_pages *mp = ino->priv;
	for (uint64_t i = 0; i < mp->count; i++)
		if (mp->page[i])
			page_put(mp->page[i]);
	kfree(mp);
}

static const struct inode_ops mem_iops = {
	.getpage = mem_getpage,
	.release = mem_release,
};

/*
 * A memory object of size bytes (page multiple): contiguous pages when
 * contig, else any. Returns it with one reference, or an error pointer.
 */
struct kobj *
mem_create(uint64_t size, bool contig)
{
	uint64_t count = size / PAGE_SIZE;
	struct memobj *m = kzalloc(sizeof(*m));
	struct mem_pages *mp = kzalloc(sizeof(*mp) + count * sizeof(paddr_t));
	struct inode *ino = inode_new(&mem_super, S_IFREG | 0600);
	if (!m || !mp || !ino)
		goto fail;
	ino->iops = &mem_iops;
	ino->priv = mp;
	ino->size = size;
	if (contig) {
		unsigned order = 0;
		while ((PAGE_SIZE << order) < size)
			order++;
		paddr_t base = page_alloc_contig(order);
		if (!base)
			goto fail;
		for (uint64_t i = 0; i < (1ul << order); i++) {
			if (i < count)
				mp->page[i] = base + i * PAGE_SIZE;
			else
				page_put(base + i * PAGE_SIZE);	/* the rounding */
		}
		m->phys = base;
	} else {
		for (uint64_t i = 0; i < count; i++)
			if (!(mp->page[i] = page_alloc()))
				goto fail_pages;
	}
	mp->count = count;
	kobj_init(&m->obj, PT_OBJ_MEM);
	m->ino = ino;
	m->size = size;
	return &m->obj;

fail_pages:
	for (uint64_t i = 0; i < count; i++)
		if (mp->page[i])
			page_put(mp->page[i]);
fail:
	if (ino)
		ino->iops = &inode_no_ops;
	inode_put(ino);
	kfree(mp);
	kfree(m);
	return ERR_PTR(-ENOMEM);
}

void
mem_destroy(struct kobj *o)
{
	struct memobj *m = mem_of(o);
	inode_put(m->ino);	/* mappings may hold the pages longer */
	kfree(m);
}

struct inode *
mem_inode(struct kobj *o)
{
	return mem_of(o)->ino;
}

long
sys_pt_mem_create(size_t size, unsigned flags)
{
	if (flags || size == 0 || size > PT_MEM_MAX)
		return -EINVAL;
	struct kobj *o = mem_create(ALIGN_UP(size, PAGE_SIZE), false);
	if (IS_ERR(o))
		return PTR_ERR(o);
	return handle_install(current()->proc, o, PT_RIGHTS_MEM);
}

/*
 * The rights a mapping with prot needs, or 0 if prot is refused: unknown
 * bits, or writable and executable at once (W^X holds for shared memory
 * as for every user mapping). PROT_NONE still needs a map right.
 */
static uint32_t
map_rights(int prot)
{
	uint32_t need = PT_RIGHT_MAP_READ;
	if (prot & ~(PROT_READ | PROT_WRITE | PROT_EXEC))
		return 0;
	if ((prot & PROT_WRITE) && (prot & PROT_EXEC))
		return 0;
	if (prot & PROT_WRITE)
		need |= PT_RIGHT_MAP_WRITE;
	if (prot & PROT_EXEC)
		need |= PT_RIGHT_MAP_EXEC;
	return need;
}

/* What mprotect may never add to a mapping made through h. */
static unsigned
prot_denied(struct proc *p, int h)
{
	unsigned deny = 0;
	if (IS_ERR(handle_lookup(p, h, PT_OBJ_MEM, PT_RIGHT_MAP_WRITE)))
		deny |= PROT_WRITE;
	if (IS_ERR(handle_lookup(p, h, PT_OBJ_MEM, PT_RIGHT_MAP_EXEC)))
		deny |= PROT_EXEC;
	return deny;
}

long
sys_pt_mem_map(int h, uint64_t addr, uint64_t off, size_t len, int prot)
{
	struct proc *p = current()->proc;
	uint32_t need = map_rights(prot);
	if (!need)
		return -EINVAL;
	struct kobj *o = handle_lookup(p, h, PT_OBJ_MEM, need);
	if (IS_ERR(o))
		return PTR_ERR(o);
	struct memobj *m = mem_of(o);
	if ((off & (PAGE_SIZE - 1)) || (addr & (PAGE_SIZE - 1)) || len == 0 ||
	    off >= m->size || len > m->size - off)
		return -EINVAL;
	long a = vm_map(p->vm, addr, len, (unsigned)prot, MAP_SHARED, m->ino,
			off, m->size - off);
	if (a >= 0)
		vm_find(p->vm, (vaddr_t)a)->prot_deny = prot_denied(p, h);
	return a;
}

long
sys_pt_mem_info(int h, uaddr_t uinfo)
{
	struct kobj *o = handle_lookup(current()->proc, h, PT_OBJ_MEM, 0);
	if (IS_ERR(o))
		return PTR_ERR(o);
	struct memobj *m = mem_of(o);
	struct pt_mem_info info = { .size = m->size };
	/* Physical addresses are for device drivers only. */
	if (!IS_ERR(handle_lookup(current()->proc, h, PT_OBJ_MEM, PT_RIGHT_DMA)))
		info.phys = m->phys;
	return copyout(uinfo, &info, sizeof(info));
}
