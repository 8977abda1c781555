/*
 * Kernel console output (kernel/core/printk.c) and panic.
 */
#ifndef KERNEL_PRINTK_H
#define KERNEL_PRINTK_H

#include <kernel/types.h>

/* printf subset: %d %i %u %x %X %p %s %c %%, with l/ll/z, width, '0' and '-'. */
int printk(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int vsnprintk(char *buf, size_t size, const char *fmt, va_list ap);
int snprintk(char *buf, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Like printk, but silent on the console after a `quiet` boot. */
int pr_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Copies the kernel log's newest bytes into buf; returns the count. */
size_t printk_log_read(char *buf, size_t size);
const char *memchr_k(const char *s, int c, size_t n);
extern bool printk_quiet;
_Noreturn void panic(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#define assert(c)                                                         \
	do {                                                              \
		if (unlikely(!(c)))                                       \
			panic("assertion '%s' failed at %s:%d", #c,       \
			      __FILE__, __LINE__);                        \
	} while (0)

#endif
