/*
 * Thread creation and teardown: a kernel stack with the user trapframe at
 * its top, and the first switch into it.
 */
#include <kernel/sched.h>
#include <kernel/proc.h>
#include <kernel/page.h>
#include <kernel/kmalloc.h>
#include <kernel/mmu.h>
#include <kernel/printk.h>
#include <kernel/boot.h>
#include <kernel/string.h>
#include <arch/trap.h>

/* A kernel stack block whose lowest page is unmapped, or NULL. The pages
 * above it are zeroed if asked; the guard page, never read, is not. */
static void *
kstack_make(bool zeroed)
{
	uint8_t *s = page_alloc_kva_dirty(KSTACK_ORDER);
	if (s && !mmu_kernel_guard(s, true)) {
		page_free_kva(s, KSTACK_ORDER);
		return NULL;
	}
	if (s && zeroed)
		memset(s + PAGE_SIZE, 0, KSTACK_SIZE - PAGE_SIZE);
	return s;
}

void *
kstack_alloc(void)
{
	return kstack_make(true);
}

void
kstack_free(void *s)
{
	mmu_kernel_guard(s, false);	/* present again before reuse */
	page_free_kva(s, KSTACK_ORDER);
}

static struct thread *
thread_make(struct proc *p, bool zeroed_stack)
{
	struct thread *t = kzalloc(sizeof(*t));
	if (!t)
		return NULL;
	t->kstack = kstack_make(zeroed_stack);
	if (!t->kstack) {
		kfree(t);
		return NULL;
	}
	t->proc = p;
	t->state = THREAD_RUNNABLE;
	t->unqueued = true;	/* sched_wake queues it */
	list_init(&t->run_link);
	list_init(&t->proc_link);
	t->tf = (struct trapframe *)((uint8_t *)t->kstack + KSTACK_SIZE) - 1;
	arch_thread_init(t);
	return t;
}

struct thread *
thread_new(struct proc *p)
{
	return thread_make(p, true);
}

/* The idle thread never enters user mode, so nothing its stack's pages
 * held before can reach a program: they are not zeroed (28 KiB, 3,600
 * instructions of each CPU's start). */
struct thread *
thread_new_idle(void)
{
	return thread_make(NULL, false);
}

void
thread_free(struct thread *t)
{
	kstack_free(t->kstack);
	kfree(t->trace);	/* plain memory (kernel/linux/trace.c) */
	kfree(t);
}

/* First code a new thread runs (from thread_trampoline), before user mode. */
void
thread_first_run(void)
{
	static bool init_reported;
	sched_first_run();	/* the switch here ends: the big lock held */
	if (!init_reported && current()->proc && current()->proc->pid == 1) {
		init_reported = true;
		boot_report_init();
	}
}
