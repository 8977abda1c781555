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
 * above it are zeroed; the guard page, never read, is not. */
void *
kstack_alloc(void)
{
	uint8_t *s = page_alloc_kva_dirty(KSTACK_ORDER);
	if (s && !mmu_kernel_guard(s, true)) {
		page_free_kva(s, KSTACK_ORDER);
		return NULL;
	}
	if (s)
		memset(s + PAGE_SIZE, 0, KSTACK_SIZE - PAGE_SIZE);
	return s;
}

void
kstack_free(void *s)
{
	mmu_kernel_guard(s, false);	/* present again before reuse */
	page_free_kva(s, KSTACK_ORDER);
}

struct thread *
thread_new(struct proc *p)
{
	struct thread *t = kzalloc(sizeof(*t));
	if (!t)
		return NULL;
	t->kstack = kstack_alloc();
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
