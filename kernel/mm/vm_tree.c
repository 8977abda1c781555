/*
 * An address space's regions by start address, in an AVL tree beside the
 * sorted list: the list keeps the order the walks want, the tree finds
 * the region at an address in O(log n). A program may map tens of
 * thousands (Linux lets it have vm.max_map_count, 65,530), and every
 * fault, mmap and munmap looks one up. The tree changes with the list,
 * under the same rule ([V]); starts are unique, as regions never
 * overlap, and a start that moves (a stack growing down) keeps its
 * place among its neighbours.
 */
#include <kernel/vm.h>
#include "vm_int.h"

unsigned vm_max_map_count = 65530;	/* Linux's DEFAULT_MAX_MAP_COUNT */

static int
height(const struct region *r)
{
	return r ? r->height : 0;
}

static void
height_fix(struct region *r)
{
	r->height = 1 + MAX(height(r->below), height(r->above));
}

/* r's lower child takes its place; the new top of the subtree. */
static struct region *
rotate_up_below(struct region *r)
{
	struct region *b = r->below;
	r->below = b->above;
	b->above = r;
	height_fix(r);
	height_fix(b);
	return b;
}

static struct region *
rotate_up_above(struct region *r)
{
	struct region *a = r->above;
	r->above = a->below;
	a->below = r;
	height_fix(r);
	height_fix(a);
	return a;
}

/* The subtree at r, its children balanced, balanced again: the new top. */
static struct region *
balance(struct region *r)
{
	height_fix(r);
	int lean = height(r->below) - height(r->above);
	if (lean > 1) {
		if (height(r->below->below) < height(r->below->above))
			r->below = rotate_up_above(r->below);
		return rotate_up_below(r);
	}
	if (lean < -1) {
		if (height(r->above->above) < height(r->above->below))
			r->above = rotate_up_below(r->above);
		return rotate_up_above(r);
	}
	return r;
}

static struct region *
insert(struct region *top, struct region *n)
{
	if (!top)
		return n;
	if (n->start < top->start)
		top->below = insert(top->below, n);
	else
		top->above = insert(top->above, n);
	return balance(top);
}

/* Takes the lowest region of the subtree at top off it into *low. */
static struct region *
take_lowest(struct region *top, struct region **low)
{
	if (!top->below) {
		*low = top;
		return top->above;
	}
	top->below = take_lowest(top->below, low);
	return balance(top);
}

static struct region *
remove(struct region *top, struct region *r)
{
	KASSERT(top);	/* r is in the tree */
	if (r->start < top->start) {
		top->below = remove(top->below, r);
	} else if (r->start > top->start) {
		top->above = remove(top->above, r);
	} else {
		if (!r->above)
			return r->below;
		struct region *next;
		struct region *above = take_lowest(r->above, &next);
		next->below = r->below;
		next->above = above;
		return balance(next);
	}
	return balance(top);
}

/* vm lock held, or vm new and no one else's yet (vm_clone). */
void
vm_tree_add(struct vm *vm, struct region *r)
{
	r->below = r->above = NULL;
	r->height = 1;
	vm->tree = insert(vm->tree, r);
	vm->nregions++;
}

void
vm_tree_remove(struct vm *vm, struct region *r)
{
	VM_ASSERT_LOCKED(vm);
	vm->tree = remove(vm->tree, r);
	vm->nregions--;
}

/* The region with the highest start at or below va, or NULL. */
static struct region *
floor_of(struct vm *vm, vaddr_t va)
{
	struct region *best = NULL;
	for (struct region *r = vm->tree; r;) {
		if (r->start <= va) {
			best = r;
			r = r->above;
		} else {
			r = r->below;
		}
	}
	return best;
}

struct region *
vm_find(struct vm *vm, vaddr_t va)
{
	struct region *r = floor_of(vm, va);
	return r && va < r->end ? r : NULL;
}

struct region *
vm_region_next(struct vm *vm, struct region *r)
{
	if (r->link.next == &vm->regions)
		return NULL;
	return list_entry(r->link.next, struct region, link);
}

struct region *
vm_find_from(struct vm *vm, vaddr_t va)
{
	struct region *r = floor_of(vm, va);
	if (r)
		return va < r->end ? r : vm_region_next(vm, r);
	if (list_empty(&vm->regions))
		return NULL;
	return list_first(&vm->regions, struct region, link);
}

/* The region a new one at start follows in the list, or NULL: it goes
 * first. */
struct region *
vm_tree_before(struct vm *vm, vaddr_t start)
{
	return floor_of(vm, start);
}
