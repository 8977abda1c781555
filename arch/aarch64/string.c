/*
 * memcpy, memmove and memset, which the compiler may call for structure
 * copies: byte loops with a 64-bit path for aligned runs. (The build's
 * -fno-tree-loop-distribute-patterns keeps these loops from becoming
 * calls to themselves.)
 */
#include <kernel/string.h>

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
	if (aligned8(d, s)) {
		for (; n >= 8; n -= 8, d += 8, s += 8)
			*(uint64_t *)d = *(const uint64_t *)s;
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

void *
memset(void *dst, int c, size_t n)
{
	char *d = dst;
	if (c == 0 && aligned8(d, d)) {
		for (; n >= 8; n -= 8, d += 8)
			*(uint64_t *)d = 0;
	}
	while (n--)
		*d++ = (char)c;
	return dst;
}
