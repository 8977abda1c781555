/*
 * The C memory and string routines the kernel uses, as plain byte loops.
 * Portable: the host unit test compiles this file under renamed symbols.
 * memcpy, memmove and memset are weak: an architecture may supply faster
 * ones (arch/x86_64/string.c uses the string instructions).
 */
#include <kernel/types.h>
#include <kernel/string.h>

/*
 * gcc recognises these loops as memset/memcpy (and, since gcc 12, strlen)
 * patterns and would emit calls to the very functions being defined, even
 * with -ffreestanding; turning the pattern matcher off keeps them loops.
 */
#define NO_LIBCALL __attribute__((optimize("no-tree-loop-distribute-patterns")))
#define ARCH_MAY_REPLACE __attribute__((weak))

/* Returns dst. The regions must not overlap. */
NO_LIBCALL ARCH_MAY_REPLACE void *
memcpy(void *dst, const void *src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;

	while (n-- > 0)
		*d++ = *s++;
	return dst;
}

/* Returns dst. The regions may overlap. */
NO_LIBCALL ARCH_MAY_REPLACE void *
memmove(void *dst, const void *src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;

	if ((uintptr_t)d - (uintptr_t)s >= n) {
		/* dst is below src, or past its end: copy forwards. */
		while (n-- > 0)
			*d++ = *s++;
	} else {
		while (n-- > 0)
			d[n] = s[n];
	}
	return dst;
}

/* Returns dst, whose first n bytes are now (unsigned char)c. */
NO_LIBCALL ARCH_MAY_REPLACE void *
memset(void *dst, int c, size_t n)
{
	unsigned char *d = dst;

	while (n-- > 0)
		*d++ = (unsigned char)c;
	return dst;
}

/* Returns <0, 0 or >0 as the first differing byte of a is below, equal to
 * or above that of b (compared as unsigned char). */
NO_LIBCALL int
memcmp(const void *a, const void *b, size_t n)
{
	const unsigned char *x = a, *y = b;

	for (; n > 0; n--, x++, y++)
		if (*x != *y)
			return *x - *y;
	return 0;
}

/* Returns the number of bytes before the terminating NUL. */
NO_LIBCALL size_t
strlen(const char *s)
{
	size_t n = 0;

	while (s[n] != '\0')
		n++;
	return n;
}

/* Returns strlen(s), or max if no NUL is among the first max bytes. */
NO_LIBCALL size_t
strnlen(const char *s, size_t max)
{
	size_t n = 0;

	while (n < max && s[n] != '\0')
		n++;
	return n;
}

/* Returns <0, 0 or >0 as a sorts before, equal to or after b. */
NO_LIBCALL int
strcmp(const char *a, const char *b)
{
	const unsigned char *x = (const unsigned char *)a;
	const unsigned char *y = (const unsigned char *)b;

	while (*x != '\0' && *x == *y) {
		x++;
		y++;
	}
	return *x - *y;
}

/* Like strcmp, comparing at most n bytes. */
NO_LIBCALL int
strncmp(const char *a, const char *b, size_t n)
{
	const unsigned char *x = (const unsigned char *)a;
	const unsigned char *y = (const unsigned char *)b;

	for (; n > 0; n--, x++, y++) {
		if (*x != *y)
			return *x - *y;
		if (*x == '\0')
			break;
	}
	return 0;
}

/* Returns the first occurrence of (char)c in s, which may be its NUL, or
 * NULL if there is none. */
NO_LIBCALL char *
strchr(const char *s, int c)
{
	for (;; s++) {
		if (*s == (char)c)
			return (char *)s;
		if (*s == '\0')
			return NULL;
	}
}

/* Returns the last occurrence of (char)c in s, which may be its NUL, or
 * NULL if there is none. */
NO_LIBCALL char *
strrchr(const char *s, int c)
{
	const char *last = NULL;

	for (;; s++) {
		if (*s == (char)c)
			last = s;
		if (*s == '\0')
			return (char *)last;
	}
}

char *
strstr(const char *s, const char *find)
{
	size_t n = strlen(find);
	for (; *s; s++)
		if (strncmp(s, find, n) == 0)
			return (char *)s;
	return n == 0 ? (char *)s : NULL;
}
