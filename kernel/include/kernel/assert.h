/*
 * Kernel assertions and panic. assert() is always compiled: a cheap check
 * of a state that cannot happen. KASSERT() is for the costly checks (lock
 * ownership on hot paths, list links, reference counts, copy ranges),
 * compiled only in the assert-enabled build (`make asserts`, which defines
 * PETREL_ASSERTS): the default kernel pays nothing for them.
 */
#ifndef KERNEL_ASSERT_H
#define KERNEL_ASSERT_H

_Noreturn void panic(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));

#define assert(c)                                                         \
	do {                                                              \
		if (__builtin_expect(!(c), 0))                            \
			panic("assertion '%s' failed at %s:%d", #c,       \
			      __FILE__, __LINE__);                        \
	} while (0)

#ifdef PETREL_ASSERTS
#define ASSERTS_ENABLED 1
#define KASSERT(c) assert(c)
#else
#define ASSERTS_ENABLED 0
/* Not evaluated, but still type-checked, so it cannot rot. */
#define KASSERT(c) ((void)sizeof(!(c)))
#endif

#endif
