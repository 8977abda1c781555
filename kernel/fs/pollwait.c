/*
 * Per-object readiness queues: a pollhead per pollable object, poll
 * entries hung on it by poll/select (a poll_table), epoll items and aio
 * polls. A readiness change wakes the changed object's entries only, so
 * a server watching 10,000 idle connections pays for the one that moved.
 * Big lock throughout, but for pollhead_wake_unlocked, which walks a
 * head's entries under the head's lock (docs/kernel.md, "Readiness wait
 * queues"): every change to a head's list takes both.
 */
#include <kernel/pollwait.h>
#include <kernel/vfs.h>
#include <kernel/kmalloc.h>
#include <kernel/errno.h>
#include <kernel/lock.h>

void
pollhead_init(struct pollhead *ph)
{
	list_init(&ph->entries);
	spin_init(&ph->lock);
}

void
pollhead_wake(struct pollhead *ph, unsigned key)
{
	BKL_ASSERT_HELD();
	list_for_each_safe(it, nx, &ph->entries) {
		struct poll_entry *e = list_entry(it, struct poll_entry, link);
		if (e->wake(e, key) && e->exclusive)
			break;
	}
}

bool
pollhead_wake_unlocked(struct pollhead *ph, unsigned key)
{
	bool done = true;

	spin_lock(&ph->lock);
	list_for_each(it, &ph->entries) {
		struct poll_entry *e = list_entry(it, struct poll_entry, link);
		if (!e->wake_unlocked || e->exclusive) {
			spin_unlock(&ph->lock);
			return false;
		}
	}
	list_for_each(it, &ph->entries) {
		struct poll_entry *e = list_entry(it, struct poll_entry, link);
		done &= e->wake_unlocked(e, key);
	}
	spin_unlock(&ph->lock);
	return done;
}

void
pollhead_free(struct pollhead *ph)
{
	while (!list_empty(&ph->entries))
		poll_entry_remove(list_first(&ph->entries, struct poll_entry, link));
}

void
poll_entry_add(struct pollhead *ph, struct poll_entry *e, poll_wake_fn wake,
	       bool exclusive)
{
	BKL_ASSERT_HELD();
	KASSERT(!e->head);
	e->wake = wake;
	e->wake_unlocked = NULL;
	e->exclusive = exclusive;
	spin_lock(&ph->lock);
	e->head = ph;
	/* Exclusive entries at the tail, the others ahead of them, as
	 * Linux's add_wait_queue and add_wait_queue_exclusive. */
	if (exclusive)
		list_push_back(&ph->entries, &e->link);
	else
		list_insert_after(&ph->entries, &e->link);
	spin_unlock(&ph->lock);
}

void
poll_entry_set_unlocked(struct poll_entry *e, poll_wake_fn wake)
{
	BKL_ASSERT_HELD();
	spin_lock(&e->head->lock);
	e->wake_unlocked = wake;
	spin_unlock(&e->head->lock);
}

void
poll_entry_remove(struct poll_entry *e)
{
	struct pollhead *ph = e->head;
	if (!ph)
		return;
	BKL_ASSERT_HELD();
	spin_lock(&ph->lock);
	list_remove(&e->link);
	e->head = NULL;
	spin_unlock(&ph->lock);
}

/* ---- poll(2) and select(2) ------------------------------------------------ */

static bool
slot_wake(struct poll_entry *e, unsigned key)
{
	struct poll_table *pt = container_of(e, struct poll_slot, entry)->table;
	(void)key;
	pt->woken = true;
	waitq_wake_all(&pt->wq);
	return true;
}

void
poll_table_init(struct poll_table *pt)
{
	waitq_init(&pt->wq);
	pt->woken = false;
	pt->nslots = 0;
	pt->slots = NULL;
}

static void
slot_clear(struct poll_slot *s)
{
	poll_entry_remove(&s->entry);
	if (s->file)
		file_put(s->file);
	s->file = NULL;
}

int
poll_table_watch(struct poll_table *pt, unsigned i, unsigned n, struct file *f)
{
	if (!pt->slots) {
		pt->slots = kzalloc(sizeof(*pt->slots) * (n ? n : 1));
		if (!pt->slots)
			return -ENOMEM;
		pt->nslots = n;
		for (unsigned k = 0; k < n; k++)
			pt->slots[k].table = pt;
	}
	KASSERT(i < pt->nslots);
	struct poll_slot *s = &pt->slots[i];
	if (s->file == f)
		return 0;
	struct file *old = s->file;
	poll_entry_remove(&s->entry);
	s->file = NULL;
	if (f && f->ops && f->ops->poll) {
		file_get(f);
		s->file = f;
		poll_entry_add(f->poll_head, &s->entry, slot_wake, false);
	}
	if (old)
		file_put(old);
	return 0;
}

int
poll_table_wait(struct poll_table *pt, uint64_t deadline)
{
	if (pt->woken) {
		pt->woken = false;
		return 0;
	}
	int r = waitq_wait(&pt->wq, deadline, true);
	pt->woken = false;
	return r;
}

void
poll_table_free(struct poll_table *pt)
{
	for (unsigned i = 0; i < pt->nslots; i++)
		slot_clear(&pt->slots[i]);
	kfree(pt->slots);
	pt->slots = NULL;
	pt->nslots = 0;
}
