/*
 * syslog(2) (klogctl) over the kernel log that printk fills, for dmesg and
 * klogd. As Debian's kernels (dmesg_restrict = 1), every action is root's:
 * others get EPERM.
 */
#include <kernel/proc.h>
#include <kernel/vm.h>
#include <kernel/syscall.h>
#include <syscall_table.h>
#include <kernel/printk.h>
#include <kernel/kmalloc.h>
#include <kernel/errno.h>
#include <kernel/arch.h>

enum {
	SYSLOG_ACTION_CLOSE,
	SYSLOG_ACTION_OPEN,
	SYSLOG_ACTION_READ,
	SYSLOG_ACTION_READ_ALL,
	SYSLOG_ACTION_READ_CLEAR,
	SYSLOG_ACTION_CLEAR,
	SYSLOG_ACTION_CONSOLE_OFF,
	SYSLOG_ACTION_CONSOLE_ON,
	SYSLOG_ACTION_CONSOLE_LEVEL,
	SYSLOG_ACTION_SIZE_UNREAD,
	SYSLOG_ACTION_SIZE_BUFFER,
};

#define CONSOLE_LEVEL_MIN 1	/* Linux's minimum_console_loglevel */
#define CONSOLE_LEVEL_MAX 8
#define READ_POLL_NS 50000000ull

static uint64_t log_read_pos;	/* SYSLOG_ACTION_READ's place */
static uint64_t log_clear_pos;	/* what SYSLOG_ACTION_CLEAR hid */
/* The level CONSOLE_OFF replaced, for CONSOLE_ON; 0: none. */
static int saved_console_level;

/* Copies the log from byte `from` to the end, at most len bytes, into the
 * caller's buf. With `newest`, what does not fit is the oldest, cut at a
 * line's start; else the newest. Returns the count and sets *next to the
 * byte after the last copied. */
static long
log_copyout(uaddr_t buf, int len, uint64_t from, bool newest, uint64_t *next)
{
	uint64_t end = printk_log_end();
	from = MAX(from, printk_log_start());
	size_t want = MIN((size_t)len, (size_t)(end - from));
	bool cut = newest && end - from > want;
	if (cut)
		from = end - want;
	char *k = kmalloc(LOG_SIZE);
	if (!k)
		return -ENOMEM;
	size_t n = printk_log_copy(k, from, want), skip = 0;
	if (cut) {
		const char *nl = memchr_k(k, '\n', n);
		skip = nl ? (size_t)(nl - k) + 1 : n;
	}
	long r = copyout(buf, k + skip, n - skip);
	kfree(k);
	if (r < 0)
		return r;
	*next = from + n;
	return (long)(n - skip);
}

/* SYSLOG_ACTION_READ: waits for bytes not yet read, and takes them. The
 * wait polls, because printk runs anywhere (interrupts, the scheduler)
 * and must not wake anyone. */
static long
log_read(uaddr_t buf, int len)
{
	while (MAX(log_read_pos, printk_log_start()) >= printk_log_end())
		if (sched_sleep_until(arch_now_ns() + READ_POLL_NS) == -EINTR)
			return -ERESTARTSYS;
	return log_copyout(buf, len, log_read_pos, false, &log_read_pos);
}

static long
log_read_all(uaddr_t buf, int len, bool clear)
{
	uint64_t next;
	long r = log_copyout(buf, len, log_clear_pos, true, &next);
	if (r >= 0 && clear)
		log_clear_pos = next;
	return r;
}

static long
console_level_set(int level)
{
	if (level < CONSOLE_LEVEL_MIN || level > CONSOLE_LEVEL_MAX)
		return -EINVAL;
	printk_console_level(level);
	saved_console_level = 0;
	return 0;
}

static long
console_off(bool off)
{
	if (off) {
		int old = printk_console_level(CONSOLE_LEVEL_MIN);
		if (!saved_console_level)
			saved_console_level = old;
	} else if (saved_console_level) {
		printk_console_level(saved_console_level);
		saved_console_level = 0;
	}
	return 0;
}

static bool
reads(int type)
{
	return type == SYSLOG_ACTION_READ || type == SYSLOG_ACTION_READ_ALL ||
	       type == SYSLOG_ACTION_READ_CLEAR;
}

long
sys_syslog(int type, uaddr_t buf, int len)
{
	if (!capable(CAP_SYSLOG) && !capable(CAP_SYS_ADMIN))
		return -EPERM;
	if (reads(type)) {
		if (!buf || len < 0)
			return -EINVAL;
		if (len == 0)
			return 0;
	}
	switch (type) {
	case SYSLOG_ACTION_CLOSE:
	case SYSLOG_ACTION_OPEN:
		return 0;
	case SYSLOG_ACTION_READ:
		return log_read(buf, len);
	case SYSLOG_ACTION_READ_ALL:
	case SYSLOG_ACTION_READ_CLEAR:
		return log_read_all(buf, len, type == SYSLOG_ACTION_READ_CLEAR);
	case SYSLOG_ACTION_CLEAR:
		log_clear_pos = printk_log_end();
		return 0;
	case SYSLOG_ACTION_CONSOLE_OFF:
	case SYSLOG_ACTION_CONSOLE_ON:
		return console_off(type == SYSLOG_ACTION_CONSOLE_OFF);
	case SYSLOG_ACTION_CONSOLE_LEVEL:
		return console_level_set(len);
	case SYSLOG_ACTION_SIZE_UNREAD:
		return (long)(printk_log_end() -
			      MAX(log_read_pos, printk_log_start()));
	case SYSLOG_ACTION_SIZE_BUFFER:
		return LOG_SIZE;
	}
	return -EINVAL;
}
