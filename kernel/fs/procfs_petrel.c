/*
 * /proc/petrel: Petrel's own counters, which Linux has no file for: bkl,
 * each CPU's use of the big lock since boot (docs/kernel.md, "The big
 * lock's counters"), bklcalls, the system calls that took it, icache,
 * the user pages synced for instruction fetch (docs/kernel.md,
 * "Memory"), ipc, the short round trip's fast path taken (docs/kernel.md,
 * "The short round trip's fast path"), and
 * sched, each CPU's scheduler counters (docs/kernel.md, "The scheduler's
 * counters"), and mm, each CPU's use of the page allocator, its TLB
 * shootdowns and its spinlock waits (docs/kernel.md, "Memory").
 */
#include <kernel/cpu.h>
#include <kernel/kmalloc.h>
#include <kernel/lock.h>
#include <kernel/page.h>
#include <kernel/syscall.h>
#include "procfs_int.h"

/* A header naming the columns, then a line per CPU. */
void
procfs_petrel_bkl(struct gen *g)
{
	struct bkl_stat s;

	gprintf(g, "cpu acquired contended wait_ns hold_ns\n");
	for (int i = 0; i < cpu_count; i++) {
		bkl_stat_read(i, &s);
		gprintf(g, "cpu%d %lu %lu %lu %lu\n", i, s.acquired,
			s.contended, s.wait_ns, s.hold_ns);
	}
}

/*
 * A line per system call that ran with the big lock since the file was
 * first read: its name and how often (syscall_locked_count, made by that
 * first read; a call whose nolock try went back to the locked path counts
 * once). Read under the big lock.
 */
void
procfs_petrel_bklcalls(struct gen *g)
{
	if (!syscall_locked_count) {
		syscall_locked_count = kzalloc(SYSCALL_COUNTED *
					       sizeof(*syscall_locked_count));
		return;	/* counting starts now */
	}
	for (unsigned i = 0; i < SYSCALL_COUNTED; i++) {
		uint64_t nr = i < SYSCALL_COUNTED_NATIVE ? i :
			      NATIVE_BASE + i - SYSCALL_COUNTED_NATIVE;
		if (syscall_locked_count[i])
			gprintf(g, "%s %u\n", syscall_name(nr),
				syscall_locked_count[i]);
	}
}

/* "synced N": pages page_exec_sync has synced since boot (0 on x86_64). */
void
procfs_petrel_icache(struct gen *g)
{
	gprintf(g, "synced %lu\n", page_exec_sync_count());
}

/* A header naming the columns, then a line per CPU: fast calls and fast
 * replies made there since boot (kernel/ipc/chan_short.c). */
void
procfs_petrel_ipc(struct gen *g)
{
	gprintf(g, "cpu fast_calls fast_replies\n");
	for (int i = 0; i < cpu_count; i++)
		gprintf(g, "cpu%d %lu %lu\n", i, cpus[i].ipc_fast_calls,
			cpus[i].ipc_fast_replies);
}

/* A header naming the columns, then a line per CPU: struct sched_stat. */
void
procfs_petrel_sched(struct gen *g)
{
	gprintf(g, "cpu wakes_here wakes_other ipis halts steals migrations "
		   "lock_waits timer_sets runq_waits wake_clocks\n");
	for (int i = 0; i < cpu_count; i++) {
		const struct sched_stat *s = &cpus[i].sched_stat;
		gprintf(g, "cpu%d %lu %lu %lu %lu %lu %lu %lu %lu %lu %lu\n",
			i, s->wakes_here, s->wakes_other, s->ipis, s->halts,
			s->steals, s->migrations, s->lock_waits,
			s->timer_sets, s->runq_waits, s->wake_clocks);
	}
}

/* A header naming the columns, then a line per CPU (struct page_stats,
 * cpu.tlb_ipis, cpu.spins_contended). */
void
procfs_petrel_mm(struct gen *g)
{
	struct page_stats s;

	gprintf(g, "cpu page_lock contended cache_allocs cache_frees refills "
		   "drains drains_all cached tlb_ipis spins_contended\n");
	for (int i = 0; i < cpu_count; i++) {
		page_stats_read(i, &s);
		gprintf(g, "cpu%d %lu %lu %lu %lu %lu %lu %lu %lu %lu %lu\n", i,
			s.lock_taken, s.lock_contended, s.allocs, s.frees,
			s.refills, s.drains, s.drains_all, s.cached,
			cpus[i].tlb_ipis, cpus[i].spins_contended);
	}
}
