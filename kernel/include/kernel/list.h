/*
 * Intrusive doubly-linked circular lists (as in BSD <sys/queue.h> TAILQ and
 * Linux list.h): a struct embeds a `struct list` node per list it sits on.
 */
#ifndef KERNEL_LIST_H
#define KERNEL_LIST_H

#include <kernel/types.h>

struct list {
	struct list *next, *prev;
};

#define LIST_INIT(name) { &(name), &(name) }

static inline void
list_init(struct list *l)
{
	l->next = l->prev = l;
}

static inline bool
list_empty(const struct list *l)
{
	return l->next == l;
}

static inline void
list_insert_after(struct list *pos, struct list *n)
{
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
	n->prev->next = n->next;
	n->next->prev = n->prev;
	n->next = n->prev = n;
}

#define list_entry(node, type, member) container_of(node, type, member)
#define list_first(l, type, member) \
	(list_empty(l) ? NULL : list_entry((l)->next, type, member))
#define list_for_each(it, l) for (struct list *it = (l)->next; it != (l); it = it->next)
#define list_for_each_safe(it, nx, l) \
	for (struct list *it = (l)->next, *nx = it->next; it != (l); it = nx, nx = it->next)

#endif
