/*
 * Unit test of kernel/core/printf.c: vsnprintk must agree with the host's
 * snprintf on every format it supports, including truncation.
 */
#include <kernel/types.h>
#include <kernel/printk.h>

#include <limits.h>
#include <stdlib.h>
#include "check.h"

/* Formats with both and compares result and return value. */
static void
compare(size_t size, const char *fmt, ...)
{
	char a[512], b[512];
	va_list ap, aq;
	int ra, rb;

	memset(a, 'X', sizeof(a));
	memset(b, 'X', sizeof(b));
	va_start(ap, fmt);
	va_copy(aq, ap);
	ra = vsnprintk(size ? a : NULL, size, fmt, ap);
	rb = vsnprintf(size ? b : NULL, size, fmt, aq);
	va_end(aq);
	va_end(ap);
	CHECK_EQ(ra, rb);
	CHECK(memcmp(a, b, sizeof(a)) == 0);
	if (ra != rb || memcmp(a, b, sizeof(a)) != 0)
		fprintf(stderr,
		    "  format \"%s\" size %zu: \"%.*s\" vs \"%.*s\"\n",
		    fmt, size, (int)MIN(size, sizeof(a)), a,
		    (int)MIN(size, sizeof(b)), b);
}

static const long long values[] = {
	0, 1, -1, 7, 8, 9, 10, 15, 16, 42, -42, 127, 128, 255, 256, -128,
	-129, 32767, -32768, 65535, 65536, INT_MAX, INT_MIN, UINT_MAX,
	(long long)UINT_MAX + 1, LLONG_MAX, LLONG_MIN, 0x123456789abcdefLL,
	-0x123456789abcdefLL,
};

/* Calls compare with v converted to the type the length modifier wants. */
static void
compare_int(const char *fmt, const char *len, char conv, long long v)
{
	bool is_signed = conv == 'd' || conv == 'i';

	if (strcmp(len, "hh") == 0)
		compare(256, fmt, is_signed ? (int)(signed char)v :
		    (int)(unsigned char)v);
	else if (strcmp(len, "h") == 0)
		compare(256, fmt, is_signed ? (int)(short)v :
		    (int)(unsigned short)v);
	else if (strcmp(len, "") == 0)
		compare(256, fmt, (int)v);
	else if (strcmp(len, "l") == 0)
		compare(256, fmt, (long)v);
	else if (strcmp(len, "z") == 0)
		compare(256, fmt, (size_t)v);
	else
		compare(256, fmt, v);
}

/* Every combination of flags, width, precision and length for integers. */
static void
test_integers(void)
{
	static const char *const lens[] = { "hh", "h", "", "l", "ll", "z" };
	static const char *const widths[] = { "", "1", "5", "24" };
	static const char *const precs[] = { "", ".0", ".3", ".30" };
	static const struct {
		char conv;
		const char *const flags[8];
	} convs[] = {
		{ 'd', { "", "-", "0", "+", " ", "-+", "0 ", NULL } },
		{ 'i', { "", "-", "0", "+", NULL } },
		{ 'u', { "", "-", "0", NULL } },
		{ 'x', { "", "-", "0", "#", "#0", "-#", NULL } },
		{ 'X', { "", "0", "#", "#0", NULL } },
		{ 'o', { "", "0", "#", NULL } },
	};
	char fmt[64];
	size_t c, f, w, p, l, v;

	for (c = 0; c < ARRAY_SIZE(convs); c++)
	for (f = 0; convs[c].flags[f] != NULL; f++)
	for (w = 0; w < ARRAY_SIZE(widths); w++)
	for (p = 0; p < ARRAY_SIZE(precs); p++)
	for (l = 0; l < ARRAY_SIZE(lens); l++) {
		/* z with a signed conversion wants ssize_t: same bits. */
		snprintf(fmt, sizeof(fmt), "<%%%s%s%s%s%c>", convs[c].flags[f],
		    widths[w], precs[p], lens[l], convs[c].conv);
		for (v = 0; v < ARRAY_SIZE(values); v++)
			compare_int(fmt, lens[l], convs[c].conv, values[v]);
	}
}

static void
test_strings_chars(void)
{
	static const char *const fmts[] = {
		"%s", "%10s", "%-10s", "%.0s", "%.2s", "%.20s", "%5.2s",
		"%-5.2s|", "%1s", "[%s]",
	};
	static const char *const strs[] = { "", "a", "hello", "hello, world" };
	size_t f, s;
	int c;

	for (f = 0; f < ARRAY_SIZE(fmts); f++)
		for (s = 0; s < ARRAY_SIZE(strs); s++)
			compare(256, fmts[f], strs[s]);
	for (c = 1; c < 256; c++) {
		compare(256, "%c", c);
		compare(256, "%3c|%-3c|", c, c);
	}
	compare(256, "%s", (char *)NULL);
	compare(256, "100%%, %d%%", 5);
	/* A non-NUL-terminated string is fine with a precision. */
	compare(256, "%.3s", (const char[3]){ 'a', 'b', 'c' });
}

static void
test_pointers_star(void)
{
	int x;

	compare(256, "%p", (void *)&x);
	compare(256, "%p", (void *)0x1000);
	compare(256, "%p", (void *)-1);
	compare(256, "%20p|%-20p|", (void *)0xabc, (void *)0xabc);
	compare(256, "%p", NULL);
	compare(256, "%10p|", NULL);
	compare(256, "%*d|%-*d|%.*s|", 6, 42, 6, 42, 2, "abc");
	compare(256, "%*d|", -6, 42);
	compare(256, "%.*d|", -1, 42);
}

/* Every buffer size from 0 to past the full length. */
static void
test_truncation(void)
{
	size_t size;

	for (size = 0; size < 40; size++) {
		compare(size, "hello %s %d %x!", "world", -12345, 0xbeef);
		compare(size, "%-12s|%08d", "ab", 77);
	}
}

/* The kernel's own uses: mixed arguments in one call. */
static void
test_mixed(void)
{
	compare(256, "pid %d (%s) fault at %p, code %#lx, %zu bytes", 17,
	    "busybox", (void *)0x7ffc12345678, 0x14UL, (size_t)4096);
	compare(256, "%llu %lld %lx %hhx %hd", ULLONG_MAX, LLONG_MIN,
	    0xdeadbeefUL, 0x1ff, 0x12345);
	compare(256, "no conversions at all");
	compare(256, "");
}

int
main(void)
{
	char big[8];

	test_integers();
	test_strings_chars();
	test_pointers_star();
	test_truncation();
	test_mixed();
	/* The return value counts what did not fit. */
	CHECK_EQ(snprintk(big, sizeof(big), "%s", "0123456789"), 10);
	CHECK_STR(big, "0123456");
	return check_done("test_printf");
}
