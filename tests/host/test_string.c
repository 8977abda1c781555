/*
 * Unit test of kernel/core/string.c against the host's libc. The kernel
 * file is compiled here under k_ names so it does not clash with libc's.
 */
#define memcpy k_memcpy
#define memmove k_memmove
#define memset k_memset
#define memcmp k_memcmp
#define strlen k_strlen
#define strnlen k_strnlen
#define strcmp k_strcmp
#define strncmp k_strncmp
#define strchr k_strchr
#define strrchr k_strrchr
#include "../../kernel/core/string.c"
#undef memcpy
#undef memmove
#undef memset
#undef memcmp
#undef strlen
#undef strnlen
#undef strcmp
#undef strncmp
#undef strchr
#undef strrchr

#include <stdlib.h>
#include <string.h>
#include "check.h"

#define N 96

static int
sign(int x)
{
	return (x > 0) - (x < 0);
}

static void
fill(unsigned char *p, size_t n, uint64_t *seed)
{
	size_t i;

	for (i = 0; i < n; i++)
		p[i] = (unsigned char)check_rand(seed);
}

static void
test_memcpy_memset(void)
{
	unsigned char src[N], a[N], b[N];
	uint64_t seed = 1;
	size_t off, len;

	fill(src, N, &seed);
	for (off = 0; off < 8; off++) {
		for (len = 0; off + len <= N; len++) {
			memset(a, 0xaa, N);
			memset(b, 0xaa, N);
			CHECK(k_memcpy(a + off, src, len) == a + off);
			memcpy(b + off, src, len);
			CHECK(memcmp(a, b, N) == 0);
			CHECK(k_memset(a + off, 0x1ff, len) == a + off);
			memset(b + off, 0x1ff, len);
			CHECK(memcmp(a, b, N) == 0);
		}
	}
}

static void
test_memmove(void)
{
	unsigned char init[N], a[N], b[N];
	uint64_t seed = 2;
	size_t d, s, len;

	fill(init, N, &seed);
	for (d = 0; d < 24; d++) {
		for (s = 0; s < 24; s++) {
			for (len = 0; len + MAX(d, s) <= 48; len += 3) {
				memcpy(a, init, N);
				memcpy(b, init, N);
				CHECK(k_memmove(a + d, a + s, len) == a + d);
				memmove(b + d, b + s, len);
				CHECK(memcmp(a, b, N) == 0);
			}
		}
	}
}

static void
test_memcmp(void)
{
	unsigned char a[N], b[N];
	uint64_t seed = 3;
	size_t i, len;

	fill(a, N, &seed);
	memcpy(b, a, N);
	CHECK_EQ(k_memcmp(a, b, N), 0);
	CHECK_EQ(k_memcmp(a, b, 0), 0);
	for (i = 0; i < 2000; i++) {
		memcpy(b, a, N);
		b[check_rand(&seed) % N] = (unsigned char)check_rand(&seed);
		len = check_rand(&seed) % (N + 1);
		CHECK_EQ(sign(k_memcmp(a, b, len)), sign(memcmp(a, b, len)));
	}
	/* Bytes compare as unsigned char. */
	CHECK(k_memcmp("\x80", "\x01", 1) > 0);
}

static void
test_strings(void)
{
	static const char *const words[] = {
		"", "a", "b", "ab", "abc", "abd", "abcd", "\x80", "\x7f",
		"hello world", "hello", "hellp",
	};
	size_t i, j, n;
	const char *s;
	int c;

	for (i = 0; i < ARRAY_SIZE(words); i++) {
		s = words[i];
		CHECK_EQ(k_strlen(s), strlen(s));
		for (n = 0; n < 14; n++)
			CHECK_EQ(k_strnlen(s, n), strnlen(s, n));
		for (j = 0; j < ARRAY_SIZE(words); j++) {
			CHECK_EQ(sign(k_strcmp(s, words[j])),
			    sign(strcmp(s, words[j])));
			for (n = 0; n < 14; n++)
				CHECK_EQ(sign(k_strncmp(s, words[j], n)),
				    sign(strncmp(s, words[j], n)));
		}
		for (c = 0; c < 256; c++) {
			CHECK(k_strchr(s, c) == strchr(s, c));
			CHECK(k_strrchr(s, c) == strrchr(s, c));
		}
	}
	s = "a/b/c";
	CHECK(k_strchr(s, '/') == s + 1);
	CHECK(k_strrchr(s, '/') == s + 3);
	CHECK(k_strchr(s, '\0') == s + 5);
	CHECK(k_strrchr(s, 'x') == NULL);
	CHECK(k_strchr(s, 'a' + 256) == s);	/* c converts to char */
}

int
main(void)
{
	test_memcpy_memset();
	test_memmove();
	test_memcmp();
	test_strings();
	return check_done("test_string");
}
