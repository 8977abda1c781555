/*
 * The writable files of /proc/sys: kernel/{hostname,domainname,printk,
 * core_pattern,tainted} and fs/pipe-max-size. A write parses the text as
 * Linux's proc_dointvec and proc_dostring do and sets the value where it
 * lives; core_pattern and printk's last three levels are kept only (no
 * core is dumped; messages have no default level).
 */
#include <kernel/vfs.h>
#include <kernel/printk.h>
#include <kernel/version.h>
#include <kernel/errno.h>
#include <kernel/string.h>
#include "procfs_int.h"

static char core_pattern[128] = "core";
static int printk_levels[3] = { 4, 1, 7 };	/* default, minimum, boot */

void
procfs_sysctl_show(struct gen *g, enum sysctl_var v)
{
	switch (v) {
	case SYSCTL_HOSTNAME: gprintf(g, "%s\n", sys_hostname()); break;
	case SYSCTL_DOMAINNAME: gprintf(g, "%s\n", sys_domainname()); break;
	case SYSCTL_TAINTED: gprintf(g, "0\n"); break;
	case SYSCTL_CORE_PATTERN: gprintf(g, "%s\n", core_pattern); break;
	case SYSCTL_PRINTK:
		gprintf(g, "%d\t%d\t%d\t%d\n", printk_console_level(0),
			printk_levels[0], printk_levels[1], printk_levels[2]);
		break;
	case SYSCTL_PIPE_MAX_SIZE: gprintf(g, "%u\n", pipe_max_size); break;
	case SYSCTL_NONE: break;
	}
}

/* The decimal numbers in text, at most max of them; returns how many,
 * or -EINVAL for anything else. */
static int
parse_ints(const char *text, long *vals, int max)
{
	int n = 0;
	while (*text && n < max) {
		while (*text == ' ' || *text == '\t' || *text == '\n')
			text++;
		if (!*text)
			break;
		bool neg = *text == '-';
		text += neg;
		if (*text < '0' || *text > '9')
			return -EINVAL;
		long v = 0;
		while (*text >= '0' && *text <= '9' && v < (1l << 40))
			v = v * 10 + (*text++ - '0');
		vals[n++] = neg ? -v : v;
	}
	return n;
}

long
procfs_sysctl_store(enum sysctl_var v, const char *text, size_t len)
{
	long x[4];
	int n;
	switch (v) {
	case SYSCTL_HOSTNAME:
	case SYSCTL_DOMAINNAME:
		return sys_set_uts_name(v == SYSCTL_DOMAINNAME, text, len);
	case SYSCTL_CORE_PATTERN:
		if (len >= sizeof(core_pattern))
			return -EINVAL;
		memcpy(core_pattern, text, len + 1);
		return 0;
	case SYSCTL_TAINTED:	/* nothing taints Petrel: only 0 is kept */
		n = parse_ints(text, x, 1);
		return n == 1 && x[0] == 0 ? 0 : -EINVAL;
	case SYSCTL_PRINTK:
		n = parse_ints(text, x, 4);
		if (n < 1)
			return -EINVAL;
		printk_console_level((int)x[0]);
		for (int i = 1; i < n; i++)
			printk_levels[i - 1] = (int)x[i];
		return 0;
	case SYSCTL_PIPE_MAX_SIZE: {
		n = parse_ints(text, x, 1);
		size_t size = n == 1 && x[0] > 0 ? pipe_round_size((uint64_t)x[0]) : 0;
		if (!size)
			return -EINVAL;
		pipe_max_size = (unsigned)size;
		return 0;
	}
	case SYSCTL_NONE:
		break;
	}
	return -EINVAL;
}
