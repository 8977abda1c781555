/*
 * /proc/PID/pagemap and /proc/PID/coredump_filter: the two files of a
 * process's memory that are not text made at open. pagemap is read at
 * any offset (one 64-bit entry per page of the address space, far too
 * many to make ahead); coredump_filter is written as well as read. And
 * /proc/kpageflags, pagemap's companion: one entry per page frame.
 */
#include <kernel/proc.h>
#include <kernel/caps.h>
#include <kernel/vm.h>
#include <kernel/vfs.h>
#include <kernel/page.h>
#include <kernel/mmu.h>
#include <kernel/string.h>
#include <kernel/kmalloc.h>
#include <kernel/sched.h>
#include <kernel/errno.h>
#include "procfs_int.h"

/* Linux's pagemap entry bits (Documentation/admin-guide/mm/pagemap.rst). */
#define PM_PFN_MASK ((1ull << 55) - 1)
#define PM_MMAP_EXCLUSIVE (1ull << 56)
#define PM_FILE (1ull << 61)
#define PM_PRESENT (1ull << 63)
#define PM_ENTRY_BYTES 8

/* What the opener may see, kept in the file: the process and whether
 * page frame numbers show (Linux: CAP_SYS_ADMIN when opened). */
struct pagemap_view {
	int pid;
	bool show_pfn;
};

static int
pagemap_open(struct file *f)
{
	struct proc *me = current()->proc;
	struct proc *p = proc_find(procfs_node_pid(f->inode));
	if (!p)
		return -ENOENT;
	if (!proc_may_access(me, p))
		return -EACCES;
	struct pagemap_view *v = kmalloc(sizeof(*v));
	if (!v)
		return -ENOMEM;
	v->pid = p->pid;
	v->show_pfn = proc_capable(me, CAP_SYS_ADMIN);
	f->priv = v;
	return 0;
}

/* The entry of the present leaf entry pte. */
static uint64_t
pagemap_entry(pte_t pte, bool show_pfn)
{
	paddr_t pa = mmu_pte_addr(pte);
	uint64_t e = PM_PRESENT;
	if (show_pfn)
		e |= (pa >> PAGE_SHIFT) & PM_PFN_MASK;
	if (mmu_pte_prot(pte) & MMU_IO)
		return e;	/* a device's page: no struct page on Linux */
	bool anon = page_is_anon(pa);
	if (!anon)
		e |= PM_FILE;
	/* One mapping holds it: a file's page has one more reference, the
	   file's own (as vm_stat.c counts them). */
	if (page_refcount(pa) - (anon ? 0 : 1) <= 1)
		e |= PM_MMAP_EXCLUSIVE;
	return e;
}

/*
 * Entries from *off on, as Linux's pagemap_read: offset and count in
 * whole entries (else EINVAL), nothing past the user half. Pages not
 * present read as 0 (Petrel keeps no swap nor soft-dirty bits).
 */
static long
pagemap_read(struct file *f, void *buf, size_t len, uint64_t *off)
{
	struct pagemap_view *v = f->priv;
	if ((*off % PM_ENTRY_BYTES) || (len % PM_ENTRY_BYTES))
		return -EINVAL;
	struct proc *p = proc_find(v->pid);
	if (!p || !p->vm || p->state != PROC_ALIVE)
		return 0;
	uint64_t first = *off / PM_ENTRY_BYTES, last = USER_TOP >> PAGE_SHIFT;
	if (first >= last)
		return 0;
	size_t n = MIN(len / PM_ENTRY_BYTES, last - first);
	uint64_t *entries = buf;
	memset(entries, 0, n * PM_ENTRY_BYTES);
	vaddr_t va = first << PAGE_SHIFT, end = (first + n) << PAGE_SHIFT;
	pte_t *pte;
	while ((pte = mmu_pte_next(p->vm->root, &va, end)) != NULL) {
		entries[(va >> PAGE_SHIFT) - first] =
			pagemap_entry(*pte, v->show_pfn);
		va += PAGE_SIZE;
	}
	*off += n * PM_ENTRY_BYTES;
	return (long)(n * PM_ENTRY_BYTES);
}

static void
pagemap_close(struct file *f)
{
	kfree(f->priv);
}

static const struct file_ops pagemap_fops = {
	.open = pagemap_open,
	.read = pagemap_read,
	.close = pagemap_close,
	.seekable = true,
};

/* Linux's MMF_DUMP_FILTER_MASK: the nine kinds of memory a core holds. */
#define COREDUMP_FILTER_MASK 0x1ffu

static int
coredump_filter_open(struct file *f)
{
	return proc_find(procfs_node_pid(f->inode)) ? 0 : -ENOENT;
}

static long
coredump_filter_read(struct file *f, void *buf, size_t len, uint64_t *off)
{
	struct proc *p = proc_find(procfs_node_pid(f->inode));
	if (!p)
		return -ESRCH;
	struct gen g = { .buf = kmalloc(16), .len = 0, .cap = 16 };
	if (!g.buf)
		return -ENOMEM;
	gprintf(&g, "%08x\n", p->coredump_filter);
	size_t n = *off < g.len ? MIN(len, g.len - *off) : 0;
	memcpy(buf, g.buf + *off, n);
	kfree(g.buf);
	*off += n;
	return (long)n;
}

/* A number as kstrtouint reads it with base 0 (0x.., 0.., decimal),
 * one newline allowed at the end; -EINVAL otherwise. */
static long
parse_uint(const char *s, size_t len, unsigned *value)
{
	if (len && s[len - 1] == '\n')
		len--;
	unsigned base = 10;
	size_t i = 0;
	if (len > 1 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		base = 16, i = 2;
	else if (len > 1 && s[0] == '0')
		base = 8, i = 1;
	if (i >= len)
		return len && base == 10 ? 0 : -EINVAL;
	uint64_t v = 0;
	for (; i < len; i++) {
		char c = s[i];
		unsigned d = c >= '0' && c <= '9' ? (unsigned)(c - '0') :
			     c >= 'a' && c <= 'f' ? (unsigned)(c - 'a' + 10) :
			     c >= 'A' && c <= 'F' ? (unsigned)(c - 'A' + 10) : 99;
		if (d >= base)
			return -EINVAL;
		v = v * base + d;
		if (v > 0xffffffffu)
			return -ERANGE;
	}
	*value = (unsigned)v;
	return 0;
}

static long
coredump_filter_write(struct file *f, const void *buf, size_t len,
		      uint64_t *off)
{
	char text[24];
	unsigned value;
	if (len >= sizeof(text))
		return -EINVAL;
	memcpy(text, buf, len);
	long e = parse_uint(text, len, &value);
	if (e < 0)
		return e;
	struct proc *p = proc_find(procfs_node_pid(f->inode));
	if (!p)
		return -ESRCH;
	p->coredump_filter = value & COREDUMP_FILTER_MASK;
	*off += len;
	return (long)len;
}

static const struct file_ops coredump_filter_fops = {
	.open = coredump_filter_open,
	.read = coredump_filter_read,
	.write = coredump_filter_write,
	.seekable = true,
};

/*
 * /proc/kpageflags: a 64-bit word of KPF_* bits per page frame
 * (page_kpageflags), read as Linux's kpageflags_read: offset and count in
 * whole entries (else EINVAL), nothing past RAM's last frame.
 */
static long
kpageflags_read(struct file *f, void *buf, size_t len, uint64_t *off)
{
	(void)f;
	if ((*off % PM_ENTRY_BYTES) || (len % PM_ENTRY_BYTES))
		return -EINVAL;
	uint64_t first = *off / PM_ENTRY_BYTES, end = page_pfn_end();
	if (first >= end)
		return 0;
	size_t n = MIN(len / PM_ENTRY_BYTES, end - first);
	uint64_t *entries = buf;
	for (size_t i = 0; i < n; i++)
		entries[i] = page_kpageflags(first + i);
	*off += n * PM_ENTRY_BYTES;
	return (long)(n * PM_ENTRY_BYTES);
}

static const struct file_ops kpageflags_fops = {
	.read = kpageflags_read,
	.seekable = true,
};

const struct file_ops *
procfs_mm_fops(enum pkind kind)
{
	return kind == P_PID_PAGEMAP ? &pagemap_fops :
	       kind == P_PID_COREDUMP_FILTER ? &coredump_filter_fops :
	       kind == P_KPAGEFLAGS ? &kpageflags_fops : NULL;
}
