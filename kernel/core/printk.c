/*
 * printk: formatted kernel messages to the console, and panic. Messages are
 * also kept in a ring (the kernel log) so they can be read after a quiet boot.
 */
#include <kernel/printk.h>
#include <kernel/arch.h>
#include <kernel/string.h>

bool printk_quiet;

#define LOG_SIZE 16384
static char log_ring[LOG_SIZE];
static size_t log_head;

static void
emit(const char *s, size_t n, bool to_console)
{
	for (size_t i = 0; i < n; i++)
		log_ring[log_head++ % LOG_SIZE] = s[i];
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

const char *
memchr_k(const char *s, int c, size_t n)
{
	for (size_t i = 0; i < n; i++)
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
	int n = vlog(true, fmt, ap);
	va_end(ap);
	return n;
}

int
pr_info(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vlog(!printk_quiet, fmt, ap);
	va_end(ap);
	return n;
}

size_t
printk_log_read(char *buf, size_t size)
{
	size_t start = log_head > LOG_SIZE ? log_head - LOG_SIZE : 0;
	size_t n = 0;
	for (size_t i = start; i < log_head && n < size; i++)
		buf[n++] = log_ring[i % LOG_SIZE];
	return n;
}

_Noreturn void
panic(const char *fmt, ...)
{
	va_list ap;
	printk("\nkernel panic: ");
	va_start(ap, fmt);
	vlog(true, fmt, ap);
	va_end(ap);
	printk("\n");
	/* A VM that cannot go on should end, not hang: reset (QEMU -no-reboot exits). */
	arch_reboot();
}
