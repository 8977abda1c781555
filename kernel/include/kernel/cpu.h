/*
 * Per-CPU data. The arch's entry code finds `self` and the start of `arch`
 * at fixed offsets (<arch/percpu.h>, asserted in arch/ARCH/cpu.c), so
 * both stay first. Only the owning CPU touches its
 * struct, except the fields tagged [R]: other CPUs queue threads on this
 * one and wake it from its halt, so those are guarded by this CPU's run
 * queue lock (runq_lock, kernel/sched/sched_internal.h; asserted where
 * they change, in the assert-enabled build), with or without the big
 * lock.
 */
#ifndef KERNEL_CPU_H
#define KERNEL_CPU_H

#include <kernel/types.h>
#include <kernel/list.h>
#include <kernel/kmalloc.h>
#include <arch/percpu.h>

#define CPU_MAX 16
#define CLOCK_COARSE_SHIFT 30	/* cpu.clock_coarse's unit, in ns */

/*
 * What this CPU's scheduler did since boot (/proc/petrel/sched): where
 * the threads it woke went, the IPIs it sent, its halts, the threads it
 * took from other queues or ran after another CPU had, its waits for the
 * scheduler lock, its timer writes and its wakes that read the clock
 * (most need none: sched.c, wake_clock). Written by the owning CPU only,
 * plain increments; a reader on another CPU sees each value some moment
 * late.
 */
struct sched_stat {
	uint64_t wakes_here;		/* a woken thread queued on this CPU */
	uint64_t wakes_other;		/* ... on another CPU */
	uint64_t ipis;			/* wake-up IPIs sent to other CPUs */
	uint64_t halts;			/* idle halts (hlt, wfi) */
	uint64_t steals;		/* a thread taken from another queue */
	uint64_t migrations;		/* a thread run here after another CPU */
	uint64_t lock_waits;		/* a wait queue lock found taken */
	uint64_t timer_sets;		/* the timer reprogrammed */
	uint64_t runq_waits;		/* a run queue lock found taken */
	uint64_t wake_clocks;		/* a wake that read the clock */
};

struct cpu {
	struct cpu *self;		/* offset 0 */
	struct arch_cpu arch;		/* offset 8: the arch's part */
	struct thread *current;
	struct thread *idle;
	int id;
	bool online;
	/*
	 * For /proc/stat (sched_cpu_times): idle time up to the idle
	 * thread's last switch away, and when this CPU began to count.
	 */
	uint64_t idle_ns;
	uint64_t started_ns;
	uint64_t armed_deadline;	/* this CPU's timer, 0 = off */
	uint64_t timer_interrupts;	/* taken here (/proc/interrupts) */
	/* The short round trip's fast path taken here (/proc/petrel/ipc):
	 * fast calls, fast replies (kernel/ipc/chan_short.c). */
	uint64_t ipc_fast_calls, ipc_fast_replies;
	struct sched_stat sched_stat;	/* /proc/petrel/sched */
	/* /proc/petrel/mm: TLB shootdown interrupts sent from here (one per
	 * CPU reached; x86_64: aarch64's broadcast sends none), and spinlocks
	 * found busy here, any lock (spin_wait). This CPU's only. */
	uint64_t tlb_ipis, spins_contended;
	/* When the running thread's next sample of user or system time is
	 * due (sched_account_tick, tick_work); its own CPU only. */
	uint64_t sample_due;
	paddr_t active_root;		/* page table loaded now */
	struct vm *lazy_vm;		/* held while idle keeps its tables (vm_switch) */
	bool halted;			/* idle in hlt: needs an IPI to run [R] */
	struct list runq;		/* runnable threads queued here [R] */
	struct spinlock *runq_lock;	/* its lock, runq_locks[id]: set by
					   sched_init, never changed */
	int nr_ready;			/* their number [R]; read unlocked
					   as a hint (runq_steal) */
	/*
	 * The clock (arch_now_ns) as sched_tick last read it here, in units
	 * of 2^CLOCK_COARSE_SHIFT ns (about a second; stored only when it
	 * moves, so about once a second): a coarse clock, as Linux's
	 * jiffies, for where a clock read costs too much (mount_atime_due:
	 * under QEMU's TCG a read is a call that takes a lock all vCPUs
	 * share). Seconds behind at most while a thread runs here:
	 * sched_tick runs on every return to user mode but the quiet
	 * shortcut's, which lasts until quiet_until, a sample (SAMPLE_NS)
	 * or the load average's 5 s ahead; the idle loop sets it as it
	 * wakes from a halt (sched_tick_quiet). In a hole of the struct
	 * (no line more); this CPU's only.
	 */
	uint32_t clock_coarse;
	/*
	 * sched_tick has nothing to do before quiet_until while whether
	 * others wait is as it was then (and, if others wait, the running
	 * thread, whose slice end the timer is armed for). A kernel timer
	 * added here brings it forward itself (ktimer_add); one cancelled
	 * leaves it early, which costs one tick_work for nothing. This
	 * CPU's, but sched_set_affinity's clearing.
	 */
	uint64_t quiet_until;
	struct thread *quiet_thread;	/* cleared by a wake on another CPU
					   (preempt_soon) under [R]: a hint */
	bool quiet_runq;		/* runq was non-empty */
	int spins_held;			/* spinlocks held (assert build) */
	struct vm *vm_to_put;		/* a lazy vm dropped in a switch */
	struct thread *switched_from;	/* the switch away from it ends in
					   switch_done (its on_cpu cleared) */
	uint64_t switches;		/* context switches here (/proc/stat) */
	struct heap_cpu heap;		/* kernel/mm/kmalloc.c's, this CPU's */
} __attribute__((aligned(CACHE_LINE)));	/* no line shared with the next
					   CPU's: each writes its own at
					   every system call and switch */

extern struct cpu cpus[CPU_MAX];
extern int cpu_count;

static inline struct cpu *
this_cpu(void)
{
	return arch_this_cpu();
}

/*
 * The other online CPUs with page table root loaded (every other online
 * CPU for root 0), a bit each: whom a TLB shootdown or membarrier must
 * reach.
 */
static inline uint64_t
cpus_other_running(paddr_t root)
{
	uint64_t mask = 0;
	int me = this_cpu()->id;
	for (int i = 0; i < cpu_count; i++)
		if (i != me && cpus[i].online &&
		    (!root || cpus[i].active_root == root))
			mask |= 1ull << i;
	return mask;
}

static inline struct thread *
current_thread(void)
{
	return this_cpu()->current;
}

#endif
