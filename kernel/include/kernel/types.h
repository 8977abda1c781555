/*
 * Basic scalar types of the kernel. Portable code includes this instead of
 * libc headers so that it builds freestanding and, for unit tests, on the host.
 */
#ifndef KERNEL_TYPES_H
#define KERNEL_TYPES_H

#include <stdint.h>
#include <stddef.h>
#include <stdbool.h>
#include <stdarg.h>

typedef uint64_t paddr_t;	/* physical address */
typedef uint64_t vaddr_t;	/* virtual address */
typedef int64_t ssize_t_k;	/* avoid clashing with the host's ssize_t */
typedef int64_t off_k;

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define ALIGN_UP(x, a) (((x) + ((a) - 1)) & ~((__typeof__(x))(a) - 1))
#define ALIGN_DOWN(x, a) ((x) & ~((__typeof__(x))(a) - 1))
#define MIN(a, b) ((a) < (b) ? (a) : (b))
#define MAX(a, b) ((a) > (b) ? (a) : (b))
#define container_of(p, type, member) \
	((type *)((char *)(p) - offsetof(type, member)))

/*
 * Data that one CPU writes often and another reads or writes: alone on a
 * cache line, so that no other variable's use moves the line between
 * CPUs (under multi-threaded TCG, between the host cores that run the
 * vCPUs). CACHE_LINE_ALONE puts a variable in .data.cache_line, whose
 * objects the linker script lays out one a line, the last one padded.
 */
#define CACHE_LINE 64
#define CACHE_LINE_ALONE \
	__attribute__((aligned(CACHE_LINE), section(".data.cache_line")))

#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)

#endif
