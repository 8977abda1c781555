/*
 * The scheduler: a run queue per CPU (round robin, 10 ms slices for user
 * threads at nice 0, longer or shorter by nice weight; an idle CPU takes work from the busiest other queue), a per-CPU
 * idle thread that halts with no periodic tick, wait queues and timeouts.
 * The next timer interrupt is programmed one-shot.
 */
#include <kernel/sched.h>
#include <kernel/arch.h>
#include <kernel/cpu.h>
#include <kernel/errno.h>
#include <kernel/printk.h>
#include <kernel/proc.h>
#include <kernel/lock.h>

static struct list dead = LIST_INIT(dead);
uint64_t stat_switches;		/* context switches, for /proc/stat */	/* exited, stack still in use */

/* Linux's sched_prio_to_weight, nice -20 to 19: 1024 at nice 0, about
 * 1.25 times more for each step down. */
static const uint32_t nice_weight[40] = {
	88761, 71755, 56483, 46273, 36291, 29154, 23254, 18705, 14949, 11916,
	9548, 7620, 6100, 4904, 3906, 3121, 2501, 1991, 1586, 1277,
	1024, 820, 655, 526, 423, 335, 272, 215, 172, 137,
	110, 87, 70, 56, 45, 36, 29, 23, 18, 15,
};

/*
 * A thread's time slice: TIME_SLICE_NS weighted by its nice value as
 * Linux weighs CPU shares, so threads that share a CPU get time in
 * proportion to their weights; kept between a tenth and ten times the
 * slice, so no thread waits too long or switches too often.
 */
static uint64_t
slice_ns(const struct thread *t)
{
	if (t->sched.nice == 0)
		return TIME_SLICE_NS;	/* weight 1024: every switch's case */
	int nice = t->sched.nice < -20 ? -20 : t->sched.nice > 19 ? 19 :
									   t->sched.nice;
	uint64_t ns = TIME_SLICE_NS * nice_weight[nice + 20] / 1024;
	if (ns < TIME_SLICE_NS / 10)
		return TIME_SLICE_NS / 10;
	return ns > TIME_SLICE_NS * 10 ? TIME_SLICE_NS * 10 : ns;
}

/* Queues the current (exiting) thread's memory to be freed once off-CPU. */
void
sched_exit_current(void)
{
	struct thread *t = current();
	t->state = THREAD_DEAD;
	list_push_back(&dead, &t->run_link);
	schedule();
	panic("dead thread scheduled");
}

static void
reap_dead_threads(void)
{
	list_for_each_safe(it, nx, &dead) {
		struct thread *t = list_entry(it, struct thread, run_link);
		if (t == current())
			continue;
		list_remove(&t->run_link);
		thread_free(t);
	}
}

void
waitq_init(struct waitq *wq)
{
	list_init(&wq->sleepers);
}

/* Whether t may run on c: sched_setaffinity's mask (0: anywhere). */
static bool
cpu_allowed(const struct thread *t, const struct cpu *c)
{
	return !t->sched.affinity || (t->sched.affinity >> c->id & 1);
}

/* The CPU t runs on when no halted one is free: the one it last ran on,
 * else this one, else the first its affinity allows. */
static struct cpu *
runq_home(struct thread *t)
{
	if (t->last_cpu && t->last_cpu->online && cpu_allowed(t, t->last_cpu))
		return t->last_cpu;
	if (cpu_allowed(t, this_cpu()))
		return this_cpu();
	for (int i = 0; i < cpu_count; i++)
		if (cpus[i].online && cpu_allowed(t, &cpus[i]))
			return &cpus[i];
	return this_cpu();	/* the mask names no CPU that is up */
}

/*
 * Queues t on a CPU its affinity allows: a halted one if there is one
 * (woken with an IPI), else the CPU it last ran on, else this one.
 */
static void
runq_push(struct thread *t)
{
	BKL_ASSERT_HELD();
	struct cpu *target = NULL;
	t->state = THREAD_RUNNABLE;
	for (int i = 0; i < cpu_count && !target; i++) {
		if (cpus[i].halted && &cpus[i] != this_cpu() &&
		    cpu_allowed(t, &cpus[i])) {
			target = &cpus[i];
			target->halted = false;
			arch_wake_cpu(i);
		}
	}
	if (!target)
		target = runq_home(t);
	list_push_back(&target->runq, &t->run_link);
	target->nr_ready++;
}

/* The first thread of from's queue that may run on c, or NULL. */
static struct thread *
runq_first_allowed(struct cpu *from, struct cpu *c)
{
	list_for_each(it, &from->runq) {
		struct thread *t = list_entry(it, struct thread, run_link);
		if (cpu_allowed(t, c))
			return t;
	}
	return NULL;
}

/* The next thread for this CPU: its own queue first, then the busiest
 * queue that holds a thread allowed here. */
static struct thread *
runq_pop(void)
{
	struct cpu *c = this_cpu(), *from = c;
	struct thread *t = NULL;
	if (list_empty(&c->runq)) {
		from = NULL;
		for (int i = 0; i < cpu_count; i++) {
			struct thread *cand;
			if (!cpus[i].online || cpus[i].nr_ready == 0 ||
			    (from && cpus[i].nr_ready <= from->nr_ready))
				continue;
			if ((cand = runq_first_allowed(&cpus[i], c)))
				from = &cpus[i], t = cand;
		}
		if (!from)
			return NULL;
	} else {
		t = list_first(&c->runq, struct thread, run_link);
	}
	list_remove(&t->run_link);
	from->nr_ready--;
	return t;
}

/* Whether a queued thread may run on this CPU (a pinned one elsewhere
 * does not keep it from halting). */
static bool
work_waiting(void)
{
	for (int i = 0; i < cpu_count; i++)
		if (cpus[i].nr_ready > 0 && runq_first_allowed(&cpus[i], this_cpu()))
			return true;
	return false;
}

static void
wake(struct thread *t, int result)
{
	BKL_ASSERT_HELD();
	if (t->state != THREAD_SLEEPING)
		return;
	list_remove(&t->run_link);
	t->waiting_on = NULL;
	t->wake_result = result;
	runq_push(t);
}

void
sched_wake(struct thread *t)
{
	if (t->state == THREAD_SLEEPING)
		wake(t, 0);
	else if (t->state != THREAD_RUNNING && t->state != THREAD_DEAD &&
		 t->run_link.next == &t->run_link && t != this_cpu()->idle)
		runq_push(t);
}

void
thread_interrupt(struct thread *t)
{
	if (t->state != THREAD_SLEEPING)
		return;
	if (t->interruptible || (t->killable && fatal_signal_pending(t)))
		wake(t, -EINTR);
}

void
thread_kill(struct thread *t)
{
	if (t->state == THREAD_SLEEPING && (t->interruptible || t->killable))
		wake(t, -EINTR);
}

void
waitq_wake_all(struct waitq *wq)
{
	while (!list_empty(&wq->sleepers))
		wake(list_first(&wq->sleepers, struct thread, run_link), 0);
}

void
waitq_wake_one(struct waitq *wq)
{
	if (!list_empty(&wq->sleepers))
		wake(list_first(&wq->sleepers, struct thread, run_link), 0);
}

static void
timeout_fired(struct ktimer *k)
{
	wake(container_of(k, struct thread, timeout), -ETIMEDOUT);
}

int
waitq_wait(struct waitq *wq, uint64_t deadline, bool interruptible)
{
	struct thread *t = current();

	BKL_ASSERT_HELD();
	if (interruptible && signal_pending(t))
		return -EINTR;
	if (deadline && deadline <= arch_now_ns())
		return -ETIMEDOUT;
	t->state = THREAD_SLEEPING;
	t->waiting_on = wq;
	t->interruptible = interruptible;
	t->wake_result = 0;
	list_push_back(&wq->sleepers, &t->run_link);
	if (deadline)
		ktimer_add(&t->timeout, deadline, timeout_fired);
	schedule();
	ktimer_cancel(&t->timeout);
	return t->wake_result;
}

int
sched_sleep_until(uint64_t deadline)
{
	struct waitq wq;
	waitq_init(&wq);
	int r = waitq_wait(&wq, deadline, true);
	return r == -ETIMEDOUT ? 0 : r;
}

/*
 * Arms this CPU's timer for deadline (0: nothing due). The hardware is
 * only written when the deadline comes before the armed one: a timer that
 * fires early or for nothing costs one interrupt, after which tick_work
 * arms the true next deadline, while reprogramming on every sleep and
 * switch cost several device writes per request (each one wakes QEMU's
 * main loop under TCG).
 */
static void
timer_arm(uint64_t deadline)
{
	struct cpu *c = this_cpu();
	if (!deadline || (c->armed_deadline && c->armed_deadline <= deadline))
		return;
	c->armed_deadline = deadline;
	arch_timer_set(deadline);
}

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

/*
 * Runs due timers, updates the load average and arms this CPU's timer for
 * the next of: a kernel timer, the running thread's slice end when others
 * wait. sched_tick runs on every return to user mode, so it first checks
 * whether anything this depends on changed since it last ran.
 */
static __attribute__((noinline)) void
tick_work(struct cpu *c, uint64_t now, struct thread *t, bool waiting)
{
	if (loadavg_due(now))
		loadavg_update(now, threads_active());
	uint64_t next = ktimer_run(now);
	c->quiet_until = MIN(next ? next : ~0ULL, loadavg_next());
	c->quiet_timers = ktimer_generation;
	c->quiet_thread = t;
	c->quiet_runq = waiting;
	if (t && t != c->idle && waiting && (!next || t->slice_end < next))
		next = t->slice_end > now ? t->slice_end : now + 1000;
	timer_arm(next);
}

void
sched_tick(void)
{
	uint64_t now = arch_now_ns();
	struct cpu *c = this_cpu();
	struct thread *t = c->current;
	bool waiting = !list_empty(&c->runq);
	if (now >= c->quiet_until || c->quiet_timers != ktimer_generation ||
	    c->quiet_runq != waiting || (waiting && c->quiet_thread != t))
		tick_work(c, now, t, waiting);
}


/* Runs next on this CPU in place of the current thread. */
static void
switch_to(struct thread *next)
{
	struct cpu *c = this_cpu();
	struct thread *prev = c->current;
	uint64_t now = arch_now_ns();

	if (prev != next && prev != c->idle) {
		if (prev->state == THREAD_RUNNING)
			prev->nivcsw++;
		else
			prev->nvcsw++;
	}
	if (prev->state == THREAD_RUNNING && prev != next) {
		if (prev == c->idle)
			prev->state = THREAD_RUNNABLE;
		else
			runq_push(prev);
	}
	next->state = THREAD_RUNNING;
	next->last_cpu = c;
	if (next == prev)
		return;
	prev->cpu_ns += now - prev->run_start;
	if (prev == c->idle)
		c->idle_ns += now - prev->run_start;
	next->run_start = now;
	next->slice_end = now + slice_ns(next);
	c->current = next;
	stat_switches++;
	arch_context_switch(prev, next);
	reap_dead_threads();
}

void
schedule(void)
{
	BKL_ASSERT_HELD();
	struct thread *next = runq_pop();
	switch_to(next ? next : this_cpu()->idle);
}

struct thread *
waitq_take_one(struct waitq *wq)
{
	if (list_empty(&wq->sleepers))
		return NULL;
	struct thread *t = list_first(&wq->sleepers, struct thread, run_link);
	list_remove(&t->run_link);
	list_init(&t->run_link);
	t->waiting_on = NULL;
	t->wake_result = 0;
	t->state = THREAD_RUNNABLE;
	return t;
}

int
waitq_wait_handoff(struct waitq *wq, uint64_t deadline, bool interruptible,
		   struct thread *next)
{
	struct thread *t = current();

	if (!next)
		return waitq_wait(wq, deadline, interruptible);
	/* next may not run here (sched_setaffinity), or t must not sleep. */
	if (!cpu_allowed(next, this_cpu()) ||
	    (interruptible && signal_pending(t)) ||
	    (deadline && deadline <= arch_now_ns())) {
		runq_push(next);	/* it still runs, the usual way */
		return waitq_wait(wq, deadline, interruptible);
	}
	t->state = THREAD_SLEEPING;
	t->waiting_on = wq;
	t->interruptible = interruptible;
	t->wake_result = 0;
	list_push_back(&wq->sleepers, &t->run_link);
	if (deadline)
		ktimer_add(&t->timeout, deadline, timeout_fired);
	switch_to(next);
	if (deadline)	/* a call's hand-off has none */
		ktimer_cancel(&t->timeout);
	return t->wake_result;
}

int
waitq_wait_killable(struct waitq *wq, struct thread *next)
{
	struct thread *t = current();
	if (fatal_signal_pending(t)) {
		if (next)
			runq_push(next);	/* it runs the usual way */
		return -EINTR;
	}
	t->killable = true;
	int r = waitq_wait_handoff(wq, 0, false, next);
	t->killable = false;
	/* exit_group wakes every sleeper plainly (wake_result 0). */
	return fatal_signal_pending(t) ? -EINTR : r;
}

void
sched_yield(void)
{
	if (list_empty(&this_cpu()->runq))
		return;
	schedule();
}

/*
 * A halted CPU changes neither its current thread nor the idle thread's
 * run_start until it holds the big lock again, so these reads agree.
 */
void
sched_cpu_times(const struct cpu *c, uint64_t now, uint64_t *idle,
		uint64_t *busy)
{
	uint64_t i = c->idle_ns, since;

	*idle = *busy = 0;
	if (!c->idle)
		return;		/* not started */
	since = c->idle->run_start;
	if (c->current == c->idle && now > since)
		i += now - since;
	*idle = i;
	if (now > c->started_ns + i)
		*busy = now - c->started_ns - i;
}

/* Runs with the big lock held, except while halted. */
static _Noreturn void
idle_loop(void)
{
	struct cpu *c = this_cpu();
	for (;;) {
		sched_tick();
		if (work_waiting()) {
			schedule();
			continue;
		}
		c->halted = true;
		bkl_unlock();
		arch_idle();
		bkl_lock();
		c->halted = false;
	}
}

void
sched_init(void)
{
	for (int i = 0; i < CPU_MAX; i++)
		list_init(&cpus[i].runq);
}

_Noreturn void
sched_start(void)
{
	struct cpu *c = this_cpu();
	struct thread *idle = thread_new(NULL);
	if (!idle)
		panic("no memory for the idle thread");
	idle->state = THREAD_RUNNING;
	idle->run_start = arch_now_ns();
	/* The boot CPU's work before this was busy time; the others begin now. */
	c->started_ns = c->id == 0 ? 0 : idle->run_start;
	c->idle = idle;
	c->current = idle;
	idle_loop();
}
