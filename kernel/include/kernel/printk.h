/*
 * Kernel console output (kernel/core/printk.c) and panic.
 */
#ifndef KERNEL_PRINTK_H
#define KERNEL_PRINTK_H

#include <kernel/types.h>
#include <kernel/assert.h>	/* assert, KASSERT, panic */

/* printf subset: %d %i %u %x %X %p %s %c %%, with l/ll/z, width, '0' and '-'. */
int printk(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int vsnprintk(char *buf, size_t size, const char *fmt, va_list ap);
int snprintk(char *buf, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Like printk, but silent on the console after a `quiet` boot. */
int pr_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Appends n bytes to the kernel log alone, not the console. */
void printk_log_write(const char *s, size_t n);
/* Copies the kernel log's oldest kept bytes into buf; returns the count. */
size_t printk_log_read(char *buf, size_t size);

/* The kernel log for syslog(2): bytes are numbered from boot, the ring
 * keeps the last LOG_SIZE of them. */
#define LOG_SIZE 16384
uint64_t printk_log_start(void);	/* the oldest byte kept */
uint64_t printk_log_end(void);		/* the next byte to be written */
/* Copies up to size bytes from byte `from` (or the oldest kept, if later);
 * returns the count. */
size_t printk_log_copy(char *buf, uint64_t from, size_t size);
/* Sets the console level (messages below it are shown) when level > 0;
 * returns the one before. */
int printk_console_level(int level);
const char *memchr_k(const char *s, int c, size_t n);
extern bool printk_quiet;

#endif
