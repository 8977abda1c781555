/*
 * The names /proc/PID/maps shows for file mappings: the absolute path of
 * the file as it was opened, taken when it is mapped (mmap, exec) and
 * shared, counted, by every region cut from that mapping or copied from
 * it at fork. An open file keeps the name of its first mapping, so a
 * library mapped piece by piece is walked once.
 */
#include <kernel/vm.h>
#include <kernel/vfs.h>
#include <kernel/proc.h>
#include <kernel/kmalloc.h>
#include <kernel/string.h>
#include <kernel/refcount.h>

#define PATH_MAX_K 4096	/* the longest path vfs_file_path makes */

struct vm_name *
vm_name_new(const char *path)
{
	size_t len = strlen(path);
	struct vm_name *n = kmalloc(sizeof(*n) + len + 1);
	if (!n)
		return NULL;
	n->refcount = 1;
	memcpy(n->path, path, len + 1);
	return n;
}

struct vm_name *
vm_name_get(struct vm_name *n)
{
	if (n)
		ref_get(&n->refcount);
	return n;
}

void
vm_name_put(struct vm_name *n)
{
	if (n && ref_put(&n->refcount))
		kfree(n);
}

struct vm_name *
vm_name_of_file(struct proc *p, struct file *f)
{
	if (f->map_name)
		return vm_name_get(f->map_name);
	char *buf = kmalloc(PATH_MAX_K);
	if (!buf)
		return NULL;
	struct vm_name *n = NULL;
	if (vfs_file_path(p, f, buf, PATH_MAX_K) > 0)
		n = vm_name_new(buf);
	kfree(buf);
	/* The walk may have slept: another mapping may have named it. */
	if (n && !f->map_name)
		f->map_name = vm_name_get(n);
	return n;
}

void
vm_name_region(struct vm *vm, vaddr_t addr, struct vm_name *name)
{
	struct region *r = vm_find(vm, addr);
	if (!r)
		return;
	vm_name_put(r->name);
	r->name = vm_name_get(name);
}
