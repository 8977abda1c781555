/*
 * The scheduler's tick and timers: each CPU's one-shot timer armed for
 * the next of its own kernel timers' deadlines and the running thread's
 * slice end, sched_tick (run on every return to user mode, with a
 * shortcut while nothing changed) and the idle loop's tick without the
 * big lock (spinning out a timer due within IDLE_SPIN_NS), the load
 * average's updates, each CPU's idle and busy time, and the samples that
 * split a thread's CPU time into user and system time (SAMPLE_NS).
 */
#include "sched_internal.h"

void
sched_timer_fired(void)
{
	this_cpu()->armed_deadline = 0;	/* an early interrupt must re-arm, even for the same deadline */
	this_cpu()->quiet_until = 0;
}

static unsigned
threads_active(void)
{
	unsigned n = 0;
	for (int i = 0; i < cpu_count; i++) {
		n += (unsigned)cpus[i].nr_ready;
		if (cpus[i].current && cpus[i].current != cpus[i].idle)
			n++;
	}
	return n;
}

/* A sample of t, running at now: its CPU time since the last one was
 * user or system time. The next one is due (tick_work sets when). */
static void
sample_take(struct cpu *c, struct thread *t, uint64_t now, bool user)
{
	uint64_t ran = t->cpu_ns + (now - t->run_start);
	if (user)
		t->sampled_user_ns += ran - t->sampled_at;
	else
		t->sampled_system_ns += ran - t->sampled_at;
	t->sampled_at = ran;
	c->sample_due = 0;
}

/*
 * In the kernel at now, with interrupts off, on CPU c running t: a sample
 * due is system time. Then the next one is due.
 */
static void
sample_system(struct cpu *c, struct thread *t, uint64_t now)
{
	if (c->sample_due && now >= c->sample_due)
		sample_take(c, t, now, false);
	if (!c->sample_due)
		c->sample_due = now + SAMPLE_NS;
}

/*
 * After the due timers ran, next: the first left (0: none). Takes a
 * sample of system time due and arms this CPU's timer for the next of:
 * a kernel timer, the running thread's slice end when others wait, its
 * next sample; notes until when nothing of this changes (quiet_until).
 */
static void
tick_arm(struct cpu *c, uint64_t now, struct thread *t, bool waiting,
	 uint64_t next)
{
	c->quiet_until = MIN(next ? next : ~0ULL, loadavg_next());
	if (t && t != c->idle) {
		sample_system(c, t, now);
		c->quiet_until = MIN(c->quiet_until, c->sample_due);
	}
	c->quiet_thread = t;
	c->quiet_runq = waiting;
	if (t && t != c->idle && waiting && (!next || t->slice_end < next))
		next = t->slice_end > now ? t->slice_end : now + 1000;
	if (t && t != c->idle)
		next = MIN(next ? next : ~0ULL, c->sample_due);
	timer_arm(next);
}

/*
 * Runs due timers, updates the load average and arms the timer
 * (tick_arm). sched_tick runs on every return to user mode, so it first
 * checks whether anything this depends on changed since it last ran.
 */
static __attribute__((noinline)) void
tick_work(struct cpu *c, uint64_t now, struct thread *t, bool waiting)
{
	bool locked_due = false;

	if (loadavg_due(now))
		loadavg_update(now, threads_active());
	tick_arm(c, now, t, waiting, ktimer_run(now, true, &locked_due));
	/* Its affinity changed from another CPU (sched_set_affinity): off
	 * this CPU now, queued on one it may run on. */
	if (t && t != c->idle && !cpu_allowed(t, c))
		sched_move_off(c, t);
}

void
sched_tick(void)
{
	uint64_t now = arch_now_ns();
	struct cpu *c = this_cpu();
	struct thread *t = c->current;
	bool waiting = !list_empty(&c->runq);
	BKL_ASSERT_HELD();	/* the timers' callbacks */
	clock_coarse_note(c, now);
	if (now >= c->quiet_until || c->quiet_runq != waiting ||
	    (waiting && c->quiet_thread != t))
		tick_work(c, now, t, waiting);
}

/*
 * How soon the next timer may be due for an idle CPU to wait for it
 * spinning rather than arm the timer and halt. The local APIC timer's
 * rate is taken low, so its interrupt comes early by up to the rate's
 * error bound over the wait (1 to 2 us a millisecond under TCG), and a
 * sample armed while a thread ran may fire just before that thread's
 * deadline: each re-arm and halt cost an interrupt more (a 1 ms sleep
 * took 3 under -icount, now 1) and, under TCG, another trip through
 * QEMU's timers to a halted vCPU (40 to 150 us on a loaded host).
 * Linux's default timer slack; Linux guests' haltpoll spins up to
 * 200 us before a halt.
 */
#define IDLE_SPIN_NS 50000ull

/* Spins on idle CPU c until deadline, or until a thread is queued here
 * (no IPI comes: c is not halted); returns the time then. */
static uint64_t
idle_spin_until(struct cpu *c, uint64_t deadline)
{
	uint64_t now;

	while ((now = arch_now_ns()) < deadline &&
	       !__atomic_load_n(&c->nr_ready, __ATOMIC_RELAXED)) {
		arch_ipi_poll();	/* a TLB shootdown, interrupts off */
		for (int i = 0; i < 64; i++)	/* TCG's clock read is shared */
			arch_spin_wait();
	}
	return now;
}

bool
sched_tick_idle(struct cpu *c)
{
	uint64_t now = arch_now_ns();
	bool locked_due = false;

	KASSERT(c->current == c->idle);
	if (loadavg_due(now))
		return false;
	uint64_t next = ktimer_run(now, false, &locked_due);
	while (!locked_due && next && next - now <= IDLE_SPIN_NS &&
	       !__atomic_load_n(&c->nr_ready, __ATOMIC_RELAXED)) {
		now = idle_spin_until(c, next);
		next = ktimer_run(now, false, &locked_due);
	}
	if (locked_due)
		return false;
	tick_arm(c, now, c->idle, !list_empty(&c->runq), next);
	return true;
}

/*
 * The timer interrupt came from user mode on c, without the big lock: the
 * sample due is user time, the due nolock timers run, the timer is armed
 * again (tick_arm), and the thread goes back to user mode with none of
 * the big lock's work. False, with nothing done but the sample, when the
 * way out must take the lock (sched_tick): a locked timer or the load
 * average due, the slice over with others waiting, the thread's
 * affinity changed from another CPU. The sample's fields are the running
 * thread's CPU's to write; a reader elsewhere sums them as they grow
 * (cputime.c), as it sums a running thread's CPU time.
 */
bool
sched_tick_user(struct cpu *c)
{
	struct thread *t = c->current;
	uint64_t now = arch_now_ns();
	bool waiting = !list_empty(&c->runq), locked_due = false;

	KASSERT(t != c->idle);
	clock_coarse_note(c, now);
	if (c->sample_due && now >= c->sample_due)
		sample_take(c, t, now, true);
	if (loadavg_due(now) || (waiting && now >= t->slice_end) ||
	    !cpu_allowed(t, c))
		return false;
	uint64_t next = ktimer_run(now, false, &locked_due);
	if (locked_due)
		return false;
	tick_arm(c, now, t, waiting, next);
	return true;
}

void
sched_account_tick(bool user)
{
	struct cpu *c = this_cpu();
	struct thread *t = c->current;
	BKL_ASSERT_HELD();	/* the locked way; sched_tick_user's is not */
	uint64_t now = arch_now_ns();
	if (!t || t == c->idle || !c->sample_due || now < c->sample_due)
		return;		/* none due, or the way out took it */
	sample_take(c, t, now, user);
}

/*
 * A CPU changes its idle thread's run_start and its idle_ns only in a
 * switch from or to the idle thread, under its run queue lock: read
 * under it too, they agree.
 */
void
sched_cpu_times(const struct cpu *c, uint64_t now, uint64_t *idle,
		uint64_t *busy)
{
	uint64_t i, since;

	*idle = *busy = 0;
	if (!c->idle)
		return;		/* not started */
	spin_lock(runq_lock(c));
	i = c->idle_ns;
	since = c->idle->run_start;
	if (c->current == c->idle && now > since)
		i += now - since;
	spin_unlock(runq_lock(c));
	*idle = i;
	if (now > c->started_ns + i)
		*busy = now - c->started_ns - i;
}

/* Each CPU counts its own switches (switch_in); a sum read without a
 * lock may miss the last few of another CPU's. */
uint64_t
sched_switch_count(void)
{
	uint64_t n = 0;

	for (int i = 0; i < cpu_count; i++)
		n += __atomic_load_n(&cpus[i].switches, __ATOMIC_RELAXED);
	return n;
}
