/*
 * The Linux system-call table (generated from kernel/linux/syscalls.master).
 */
#ifndef KERNEL_SYSCALL_H
#define KERNEL_SYSCALL_H

#include <kernel/types.h>

typedef uint64_t uaddr_t;	/* a user-space address: never dereferenced */

struct syscall_entry {
	long (*fn)(const uint64_t *args);
	const char *name;
};

extern const struct syscall_entry syscall_table[];
extern const unsigned syscall_table_size;
/* Petrel's native calls: numbers NATIVE_BASE and up (include/petrel/). */
#define NATIVE_BASE 4096
extern const struct syscall_entry native_table[];
extern const unsigned native_table_size;

#endif
