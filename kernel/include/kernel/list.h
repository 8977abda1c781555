/*
 * Intrusive doubly-linked circular lists (as in BSD <sys/queue.h> TAILQ and
 * Linux list.h): a struct embeds a `struct list` node per list it sits on.
 *
 * A removed node links to itself, so removing a node that was list_init'ed
 * and never pushed is harmless (unix_release relies on it). Removing a node
 * twice is a bug: the assert-enabled build poisons a removed node's links
 * and panics on a second removal, and checks the links on every insert
 * and removal, so a node whose neighbours no longer point back at it
 * (pushed on a second list while on a first, or on a list since freed)
 * panics at once instead of corrupting whatever memory the stale links
 * name. Freed kmalloc memory is poisoned there too.
 */
#ifndef KERNEL_LIST_H
#define KERNEL_LIST_H

#include <kernel/types.h>
#include <kernel/assert.h>

struct list {
	struct list *next, *prev;
};

/* A removed node's links in the assert-enabled build: not canonical, so
 * following one faults even where no assert looks (Linux's LIST_POISON). */
#define LIST_POISON ((struct list *)0xdead000000000100ul)

#define LIST_INIT(name) { &(name), &(name) }

static inline void
list_init(struct list *l)
{
	l->next = l->prev = l;
}

static inline bool
list_empty(const struct list *l)
{
	KASSERT(l->next != LIST_POISON);	/* a removed node, not a list */
	return l->next == l;
}

/* True if n's neighbours point back at it: what every linked node obeys. */
static inline bool
list_linked_ok(const struct list *n)
{
	return n->next->prev == n && n->prev->next == n;
}

static inline void
list_insert_after(struct list *pos, struct list *n)
{
	KASSERT(list_linked_ok(pos));
	n->next = pos->next;
	n->prev = pos;
	pos->next->prev = n;
	pos->next = n;
}

static inline void
list_push_back(struct list *l, struct list *n)
{
	list_insert_after(l->prev, n);
}

static inline void
list_remove(struct list *n)
{
	KASSERT(n->next != LIST_POISON);	/* removed twice */
	KASSERT(list_linked_ok(n));
	n->prev->next = n->next;
	n->next->prev = n->prev;
	n->next = n->prev = ASSERTS_ENABLED ? LIST_POISON : n;
}

#define list_entry(node, type, member) container_of(node, type, member)
#define list_first(l, type, member) \
	(list_empty(l) ? NULL : list_entry((l)->next, type, member))
#define list_for_each(it, l) for (struct list *it = (l)->next; it != (l); it = it->next)
#define list_for_each_safe(it, nx, l) \
	for (struct list *it = (l)->next, *nx = it->next; it != (l); it = nx, nx = it->next)

#endif
