/*
 * printk: formatted kernel messages to the console, and panic. Messages are
 * also kept in a ring (the kernel log) so they can be read after a quiet boot
 * (syslog(2), kernel/linux/sys_syslog.c; /proc/kmsg).
 */
#include <kernel/printk.h>
#include <kernel/arch.h>
#include <kernel/cpu.h>
#include <kernel/string.h>

bool printk_quiet;

/*
 * Linux's console levels: a message reaches the console when its level is
 * below console_level. printk's messages are KERN_WARNING (4), pr_info's
 * KERN_INFO (6); `quiet` hides the latter as Linux's loglevel=4 would.
 */
#define LEVEL_WARNING 4
#define LEVEL_INFO 6
#define CONSOLE_LEVEL_DEFAULT 7
static int console_level = CONSOLE_LEVEL_DEFAULT;

/* Bytes of the log are numbered from boot; log_head is the next one's
 * number, and the ring holds the LOG_SIZE before it. */
static char log_ring[LOG_SIZE];
static uint64_t log_head;

/* Appends s[0..n) to the ring: two copies at most, one each side of its
 * end (a byte a step cost the boot some 5 instructions a byte logged). */
static void
log_append(const char *s, size_t n)
{
	if (n > LOG_SIZE) {
		log_head += n - LOG_SIZE;
		s += n - LOG_SIZE;
		n = LOG_SIZE;
	}
	size_t at = log_head % LOG_SIZE, first = MIN(n, LOG_SIZE - at);
	memcpy(log_ring + at, s, first);
	memcpy(log_ring, s + first, n - first);
	log_head += n;
}

static void
emit(const char *s, size_t n, bool to_console)
{
	log_append(s, n);
	if (!to_console)
		return;
	while (n > 0) {
		const char *nl = memchr_k(s, '\n', n);
		size_t run = nl ? (size_t)(nl - s) : n;
		arch_console_write(s, run);
		if (nl) {
			arch_console_write("\r\n", 2);
			run++;
		}
		s += run;
		n -= run;
	}
}

/* A word at a time: a byte equal to c is a zero byte of w ^ pattern, a
 * borrow into its top bit. */
const char *
memchr_k(const char *s, int c, size_t n)
{
	const uint64_t ones = 0x0101010101010101ull;
	uint64_t pattern = ones * (uint8_t)c, w;
	size_t i = 0;

	for (; n - i >= 8; i += 8) {
		__builtin_memcpy(&w, s + i, sizeof(w));
		w ^= pattern;
		if ((w - ones) & ~w & (ones << 7))
			break;
	}
	for (; i < n; i++)
		if (s[i] == (char)c)
			return s + i;
	return NULL;
}

static int
vlog(bool to_console, const char *fmt, va_list ap)
{
	char buf[512];
	int n = vsnprintk(buf, sizeof(buf), fmt, ap);
	emit(buf, MIN((size_t)n, sizeof(buf) - 1), to_console);
	return n;
}

int
printk(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vlog(console_level > LEVEL_WARNING, fmt, ap);
	va_end(ap);
	return n;
}

int
pr_info(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vlog(!printk_quiet && console_level > LEVEL_INFO, fmt, ap);
	va_end(ap);
	return n;
}

void
printk_log_write(const char *s, size_t n)
{
	emit(s, n, false);
}

size_t
printk_log_read(char *buf, size_t size)
{
	return printk_log_copy(buf, printk_log_start(), size);
}

uint64_t
printk_log_end(void)
{
	return log_head;
}

uint64_t
printk_log_start(void)
{
	return log_head > LOG_SIZE ? log_head - LOG_SIZE : 0;
}

size_t
printk_log_copy(char *buf, uint64_t from, size_t size)
{
	from = MAX(from, printk_log_start());
	size_t n = 0;
	for (uint64_t i = from; i < log_head && n < size; i++)
		buf[n++] = log_ring[i % LOG_SIZE];
	return n;
}

int
printk_console_level(int level)
{
	int old = console_level;
	if (level > 0)
		console_level = level;
	return old;
}

/* The CPU that panicked, plus one; 0 while none has. */
static int panic_cpu;

_Noreturn void
panic(const char *fmt, ...)
{
	va_list ap;
	int me = this_cpu()->id + 1, first = 0;
	if (!__atomic_compare_exchange_n(&panic_cpu, &first, me, false,
					 __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST)) {
		/* A fault while this CPU panics (in the backtrace, say) ends
		   it at once; another CPU's panic waits for the first one's
		   report and reset. */
		if (first == me)
			arch_reboot();
		arch_halt();
	}
	/* Shown whatever dmesg -n said. */
	console_level = CONSOLE_LEVEL_DEFAULT + 1;
	printk("\nkernel panic: ");
	va_start(ap, fmt);
	vlog(true, fmt, ap);
	va_end(ap);
	printk("\ncpu %d\n", me - 1);
	arch_backtrace((uintptr_t)__builtin_frame_address(0));
	/* A VM that cannot go on should end, not hang: reset (QEMU -no-reboot exits). */
	arch_reboot();
}
