/*
 * tmpfs's mount options (size=, nr_inodes=, mode=, uid=, gid=), read as
 * Linux reads them.
 */
#include <kernel/page.h>
#include <kernel/errno.h>
#include <kernel/string.h>
#include "tmpfs_int.h"

/* Linux's memparse: a number with an optional K, M, G or T (binary) or,
 * for tmpfs's size, % of memory. Returns -EINVAL for anything else. */
static int
parse_size(const char *v, size_t len, uint64_t *pages)
{
	uint64_t n = 0;
	size_t i = 0;
	for (; i < len && v[i] >= '0' && v[i] <= '9'; i++) {
		if (n > (UINT64_MAX - 9) / 10)
			return -EINVAL;
		n = n * 10 + (uint64_t)(v[i] - '0');
	}
	if (i == 0 || len - i > 1)
		return -EINVAL;
	unsigned shift = 0;
	char unit = i < len ? (char)(v[i] | 0x20) : 0;
	if (unit == '%') {
		if (n > 100)
			return -EINVAL;
		*pages = page_total() * n / 100;
		return 0;
	}
	switch (unit) {
	case 0: break;
	case 'k': shift = 10; break;
	case 'm': shift = 20; break;
	case 'g': shift = 30; break;
	case 't': shift = 40; break;
	default: return -EINVAL;
	}
	if (n > (UINT64_MAX >> shift))
		return -EINVAL;
	*pages = ALIGN_UP(n << shift, PAGE_SIZE) / PAGE_SIZE;
	return 0;
}

/* A number in base 8 or 10 below 2^32, or -2 (not -1, which means "not
 * given" to tmpfs_configure). */
static long
parse_uint(const char *v, size_t len, unsigned base)
{
	long n = 0;
	if (len == 0)
		return -2;
	for (size_t i = 0; i < len; i++) {
		if (v[i] < '0' || v[i] >= '0' + (int)base)
			return -2;
		n = n * base + (v[i] - '0');
		if (n > 0xffffffffl)
			return -2;
	}
	return n;
}

static size_t
option_len(const char *o)
{
	size_t n = 0;
	while (o[n] && o[n] != ',')
		n++;
	return n;
}

static bool
option_is(const char *opt, size_t len, const char *name)
{
	size_t n = strlen(name);
	return len > n && opt[n] == '=' && memcmp(opt, name, n) == 0;
}

/* Reads one option of len bytes at o into opts; 0 or -EINVAL. */
static int
parse_option(const char *o, size_t len, struct tmpfs_options *opts)
{
	uint64_t ignored;
	if (option_is(o, len, "size"))
		return parse_size(o + 5, len - 5, &opts->pages);
	if (option_is(o, len, "nr_inodes"))	/* inodes are not limited */
		return parse_size(o + 10, len - 10, &ignored);
	if (option_is(o, len, "mode"))
		opts->mode = parse_uint(o + 5, len - 5, 8);
	else if (option_is(o, len, "uid"))
		opts->uid = parse_uint(o + 4, len - 4, 10);
	else if (option_is(o, len, "gid"))
		opts->gid = parse_uint(o + 4, len - 4, 10);
	else
		return -EINVAL;
	if (opts->mode < -1 || opts->mode > 07777 || opts->uid < -1 ||
	    opts->gid < -1)
		return -EINVAL;
	return 0;
}

/* Reads the comma-separated options into opts; 0, or -EINVAL for an
 * option tmpfs does not know or a bad value. */
int
tmpfs_parse_options(const char *options, struct tmpfs_options *opts)
{
	for (const char *o = options; o && *o;) {
		size_t len = option_len(o);
		if (len > 0 && parse_option(o, len, opts) < 0)
			return -EINVAL;
		o += len + (o[len] == ',');
	}
	return 0;
}
