/*
 * Unit test of the assert-enabled build's debug checks (KASSERT, compiled
 * with PETREL_ASSERTS): list links (<kernel/list.h>) and reference counts
 * (<kernel/refcount.h>). Each misuse must reach panic(), which here jumps
 * back to the test; correct use must not.
 */
#define PETREL_ASSERTS 1
#include <kernel/types.h>
#include <kernel/list.h>
#include <kernel/refcount.h>

#include <setjmp.h>
#include <stdarg.h>
#include "check.h"

static jmp_buf panic_jump;
static int panics;

_Noreturn void
panic(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfprintf(stdout, fmt, ap);	/* expected: the log shows which */
	va_end(ap);
	printf("\n");
	panics++;
	longjmp(panic_jump, 1);
}

/* True if stmt panicked. */
#define PANICS(stmt)                                                       \
	({                                                                 \
		int before_ = panics;                                      \
		if (setjmp(panic_jump) == 0) {                             \
			stmt;                                              \
		}                                                          \
		panics != before_;                                         \
	})

static void
test_list_ok(void)
{
	struct list head = LIST_INIT(head), a, b;

	CHECK(!PANICS({
		list_push_back(&head, &a);
		list_push_back(&head, &b);
		list_remove(&a);
		list_push_back(&head, &a);	/* back on after removal */
		list_remove(&b);
		list_remove(&a);
	}));
	CHECK(list_empty(&head));
	/* A node list_init'ed and never pushed may be removed. */
	list_init(&a);
	CHECK(!PANICS(list_remove(&a)));
}

static void
test_list_misuse(void)
{
	struct list head = LIST_INIT(head), other = LIST_INIT(other), a, b;

	list_push_back(&head, &a);
	list_remove(&a);
	CHECK(a.next == LIST_POISON);
	CHECK(PANICS(list_remove(&a)));			/* removed twice */
	CHECK(PANICS((void)list_empty(&a)));		/* not a list */

	list_init(&head);
	list_push_back(&head, &a);
	list_push_back(&head, &b);
	list_push_back(&other, &a);	/* pushed while on head */
	CHECK(PANICS(list_remove(&b)));	/* b's neighbour a left */
	CHECK(PANICS(list_push_back(&head, &b)));
}

static void
test_refcount(void)
{
	int count = 1;

	CHECK(!PANICS(ref_get(&count)));
	CHECK_EQ(count, 2);
	CHECK(!ref_put(&count));
	CHECK(ref_put(&count));		/* the last */
	CHECK_EQ(count, 0);
	CHECK(PANICS(ref_get(&count)));	/* taken after it was freed */
	CHECK(PANICS(ref_put(&count)));	/* below zero */
	count = (int)0xa5a5a5a5;	/* a freed block's poison */
	CHECK(PANICS(ref_get(&count)));
}

int
main(void)
{
	test_list_ok();
	test_list_misuse();
	test_refcount();
	return check_done("asserts");
}
