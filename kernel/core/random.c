/*
 * The kernel's random source: a xorshift128+ generator seeded from the
 * hardware random number generator (when present) and the cycle counter.
 */
#include <kernel/random.h>
#include <kernel/arch.h>

static uint64_t state[2];

static uint64_t
next(void)
{
	uint64_t s1 = state[0];
	const uint64_t s0 = state[1];
	state[0] = s0;
	s1 ^= s1 << 23;
	state[1] = s1 ^ s0 ^ (s1 >> 17) ^ (s0 >> 26);
	return state[1] + s0;
}

void
random_bytes(void *buf, size_t n)
{
	uint8_t *p = buf;
	if (!state[0] && !state[1]) {
		state[0] = arch_random_seed() ^ 0x9e3779b97f4a7c15ull;
		state[1] = arch_cycles() | 1;
	}
	state[0] ^= arch_cycles();
	while (n > 0) {
		uint64_t v = next();
		size_t k = MIN(n, sizeof(v));
		for (size_t i = 0; i < k; i++)
			p[i] = (uint8_t)(v >> (8 * i));
		p += k;
		n -= k;
	}
}
