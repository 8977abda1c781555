/*
 * Minimal checks for host unit tests: each failed CHECK prints where and
 * counts; check_done() reports and gives the exit status (0 = all passed).
 */
#ifndef TESTS_HOST_CHECK_H
#define TESTS_HOST_CHECK_H

#include <stdint.h>
#include <stdio.h>
#include <string.h>

static int check_failures;
static int check_count;

#define CHECK(cond)                                                        \
	do {                                                               \
		check_count++;                                             \
		if (!(cond)) {                                             \
			check_failures++;                                  \
			fprintf(stderr, "%s:%d: CHECK failed: %s\n",       \
			    __FILE__, __LINE__, #cond);                    \
		}                                                          \
	} while (0)

#define CHECK_EQ(a, b)                                                     \
	do {                                                               \
		long long check_a_ = (long long)(a);                       \
		long long check_b_ = (long long)(b);                       \
		check_count++;                                             \
		if (check_a_ != check_b_) {                                \
			check_failures++;                                  \
			fprintf(stderr, "%s:%d: CHECK failed: %s == %s "   \
			    "(%lld != %lld)\n", __FILE__, __LINE__, #a,    \
			    #b, check_a_, check_b_);                       \
		}                                                          \
	} while (0)

/* Both strings equal; NULL only equals NULL. */
#define CHECK_STR(a, b)                                                    \
	do {                                                               \
		const char *check_a_ = (a), *check_b_ = (b);               \
		check_count++;                                             \
		if (check_a_ == NULL || check_b_ == NULL ?                 \
		    check_a_ != check_b_ : strcmp(check_a_, check_b_)) {   \
			check_failures++;                                  \
			fprintf(stderr, "%s:%d: CHECK failed: %s == %s "   \
			    "(\"%s\" != \"%s\")\n", __FILE__, __LINE__,    \
			    #a, #b, check_a_ ? check_a_ : "(null)",        \
			    check_b_ ? check_b_ : "(null)");               \
		}                                                          \
	} while (0)

/* Returns the process exit status after printing a summary. */
static inline int
check_done(const char *name)
{
	fprintf(stderr, "%s: %d checks, %d failed\n", name, check_count,
	    check_failures);
	return check_failures == 0 ? 0 : 1;
}

/* A fixed-seed generator (xorshift64*), so fuzzing is repeatable. */
static inline uint64_t
check_rand(uint64_t *state)
{
	uint64_t x = *state;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*state = x;
	return x * 0x2545f4914f6cdd1dULL;
}

#endif
