/*
 * /proc/meminfo, /proc/vmstat and /proc/cpuinfo. meminfo has every line
 * of Linux 6.1's, in its order, so free, top and vmstat find what they
 * look for; the
 * counts Petrel keeps are real (free pages, anonymous memory, tmpfs's
 * pages as Shmem and Cached, what address spaces commit), those it has
 * no such thing for (swap, huge pages, slab reclaim) are 0.
 */
#include <kernel/proc.h>
#include <kernel/vm.h>
#include <kernel/page.h>
#include <kernel/cpu.h>
#include <kernel/arch.h>
#include <kernel/tmpfs.h>
#include <kernel/kmalloc.h>
#include "procfs_int.h"

#define CPUINFO_BLOCK_MAX 4096	/* one CPU's text, flags included */

/* Bytes of private writable memory every address space holds: what an
 * overcommitting Linux counts as Committed_AS. */
static uint64_t
committed_bytes(void)
{
	uint64_t bytes = 0;
	list_for_each(it, &all_procs) {
		struct proc *p = list_entry(it, struct proc, all_link);
		if (!p->vm || p->state != PROC_ALIVE)
			continue;
		spin_lock(&p->vm->lock);	/* maps without the big lock */
		list_for_each(rt, &p->vm->regions) {
			struct region *r = list_entry(rt, struct region, link);
			if ((r->prot & PROT_WRITE) && !(r->flags & MAP_SHARED))
				bytes += r->end - r->start;
		}
		spin_unlock(&p->vm->lock);
	}
	return bytes;
}

/* Kernel stacks: one per thread. */
static uint64_t
thread_count(void)
{
	uint64_t n = 0;
	list_for_each(it, &all_procs)
		n += (uint64_t)list_entry(it, struct proc, all_link)->nthreads;
	return n;
}

static void
line(struct gen *g, const char *name, uint64_t pages)
{
	gprintf(g, "%-16s%8lu kB\n", name, pages * (PAGE_SIZE / 1024));
}

void
procfs_meminfo(struct gen *g)
{
	uint64_t total = page_total(), free = page_free_count();
	uint64_t reserve = page_reserve(), shmem = tmpfs_page_count();
	uint64_t anon = page_anon_count();
	uint64_t avail = free > reserve ? free - reserve : 0;
	const struct { const char *name; uint64_t pages; } lines[] = {
		{ "MemTotal:", total }, { "MemFree:", free },
		{ "MemAvailable:", avail }, { "Buffers:", 0 },
		{ "Cached:", shmem }, { "SwapCached:", 0 },
		{ "Active:", anon + shmem }, { "Inactive:", 0 },
		{ "Active(anon):", anon + shmem }, { "Inactive(anon):", 0 },
		{ "Active(file):", 0 }, { "Inactive(file):", 0 },
		{ "Unevictable:", 0 }, { "Mlocked:", 0 },
		{ "SwapTotal:", 0 }, { "SwapFree:", 0 },
		{ "Zswap:", 0 }, { "Zswapped:", 0 },
		{ "Dirty:", 0 }, { "Writeback:", 0 },
		{ "AnonPages:", anon }, { "Mapped:", 0 },
		{ "Shmem:", shmem }, { "KReclaimable:", 0 },
		{ "Slab:", kmalloc_page_count() }, { "SReclaimable:", 0 },
		{ "SUnreclaim:", kmalloc_page_count() },
		{ "KernelStack:", thread_count() * (KSTACK_SIZE / PAGE_SIZE) }, { "PageTables:", 0 },
		{ "SecPageTables:", 0 }, { "NFS_Unstable:", 0 },
		{ "Bounce:", 0 }, { "WritebackTmp:", 0 },
		/* No swap and no overcommit ratio: Linux's limit is then half
		 * of memory. */
		{ "CommitLimit:", total / 2 },
		{ "Committed_AS:", committed_bytes() / PAGE_SIZE },
	};
	for (size_t i = 0; i < ARRAY_SIZE(lines); i++)
		line(g, lines[i].name, lines[i].pages);
	gprintf(g, "VmallocTotal:   34359738367 kB\n");
	line(g, "VmallocUsed:", 0);
	line(g, "VmallocChunk:", 0);
	line(g, "Percpu:", 0);
	gprintf(g, "HardwareCorrupted:     0 kB\n");
	const char *zero[] = {
		"AnonHugePages:", "ShmemHugePages:", "ShmemPmdMapped:",
		"FileHugePages:", "FilePmdMapped:",
	};
	for (size_t i = 0; i < ARRAY_SIZE(zero); i++)
		line(g, zero[i], 0);
	gprintf(g, "HugePages_Total:       0\nHugePages_Free:        0\n"
		"HugePages_Rsvd:        0\nHugePages_Surp:        0\n"
		"Hugepagesize:       2048 kB\nHugetlb:               0 kB\n");
}

/*
 * /proc/vmstat: the lines procps' vmstat and free read, in Linux 6.1's
 * order, with the counts meminfo shows; paging and fault counts Petrel
 * does not keep (and there is no swap) are 0. procps' vmstat refuses to
 * run without the file.
 */
void
procfs_vmstat(struct gen *g)
{
	uint64_t shmem = tmpfs_page_count(), anon = page_anon_count();
	const struct { const char *name; uint64_t value; } lines[] = {
		{ "nr_free_pages", page_free_count() },
		{ "nr_inactive_anon", 0 }, { "nr_active_anon", anon + shmem },
		{ "nr_inactive_file", 0 }, { "nr_active_file", 0 },
		{ "nr_unevictable", 0 }, { "nr_anon_pages", anon },
		{ "nr_mapped", 0 }, { "nr_file_pages", shmem },
		{ "nr_dirty", 0 }, { "nr_writeback", 0 }, { "nr_shmem", shmem },
		{ "pgpgin", 0 }, { "pgpgout", 0 }, { "pswpin", 0 },
		{ "pswpout", 0 }, { "pgfault", 0 }, { "pgmajfault", 0 },
	};
	for (size_t i = 0; i < ARRAY_SIZE(lines); i++)
		gprintf(g, "%s %lu\n", lines[i].name, lines[i].value);
}

void
procfs_cpuinfo(struct gen *g)
{
	char *block = kmalloc(CPUINFO_BLOCK_MAX);
	if (!block)
		return;
	for (int i = 0; i < cpu_count; i++) {
		size_t n = arch_cpuinfo(i, block, CPUINFO_BLOCK_MAX);
		gprintf(g, "%.*s", (int)n, block);
	}
	kfree(block);
}
