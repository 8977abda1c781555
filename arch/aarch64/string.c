/*
 * memcpy, memmove and memset, which the compiler may call for structure
 * copies. An emulated CPU pays per instruction, and the boot copies the
 * initramfs's files (4-aligned in the cpio, so rarely 8-aligned) and
 * zeroes their pages: memcpy moves 64 bytes a step with unaligned loads
 * and stores (Normal memory, SCTLR_EL1.A clear: never on device memory,
 * never with the MMU off unless both sides are 8-aligned), memset zeroes
 * whole blocks with DC ZVA. (The build's -fno-tree-loop-distribute-patterns
 * keeps these loops from becoming calls to themselves.)
 */
#include <kernel/string.h>

/* A 64-bit word at any address. */
typedef uint64_t __attribute__((aligned(1), may_alias)) word_t;

static bool
aligned8(const void *a, const void *b)
{
	return (((uintptr_t)a | (uintptr_t)b) & 7) == 0;
}

void *
memcpy(void *dst, const void *src, size_t n)
{
	char *d = dst;
	const char *s = src;
	if (aligned8(d, s) || n >= 64) {
		for (; n >= 64; n -= 64, d += 64, s += 64) {
			word_t *dw = (word_t *)d;
			const word_t *sw = (const word_t *)s;
			uint64_t a = sw[0], b = sw[1], c = sw[2], e = sw[3];
			uint64_t f = sw[4], g = sw[5], h = sw[6], i = sw[7];
			dw[0] = a, dw[1] = b, dw[2] = c, dw[3] = e;
			dw[4] = f, dw[5] = g, dw[6] = h, dw[7] = i;
		}
		for (; n >= 8; n -= 8, d += 8, s += 8)
			*(word_t *)d = *(const word_t *)s;
	}
	while (n--)
		*d++ = *s++;
	return dst;
}

void *
memmove(void *dst, const void *src, size_t n)
{
	char *d = dst;
	const char *s = src;
	if (d <= s || d >= s + n)
		return memcpy(dst, src, n);
	while (n--)
		d[n] = s[n];
	return dst;
}

/* DC ZVA's block in bytes (DCZID_EL0: log2 of words, and a prohibit bit);
 * 0 where it may not be used. */
static size_t
zva_block(void)
{
	static size_t block = 1;	/* 1: not read yet */
	if (block == 1) {
		uint64_t id;
		__asm__("mrs %0, dczid_el0" : "=r"(id));
		block = (id & 16) ? 0 : 4ul << (id & 15);
	}
	return block;
}

void *
memset(void *dst, int c, size_t n)
{
	char *d = dst;
	size_t block = c == 0 && n >= 256 ? zva_block() : 0;
	if (block) {
		for (; ((uintptr_t)d & (block - 1)) && n; n--)
			*d++ = 0;
		for (; n >= block; n -= block, d += block)
			__asm__ volatile("dc zva, %0" : : "r"(d) : "memory");
	}
	if (c == 0 && aligned8(d, d)) {
		for (; n >= 8; n -= 8, d += 8)
			*(uint64_t *)d = 0;
	}
	while (n--)
		*d++ = (char)c;
	return dst;
}
