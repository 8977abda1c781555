/*
 * Calls Petrel leaves out as a Linux built without them does: fanotify
 * (CONFIG_FANOTIFY=n).
 * Each returns ENOSYS, the
 * answer of Linux's sys_ni_syscall, without the kernel-log line an unknown
 * call gets: programs probe these and carry on (docs/linux-abi.md).
 */
#include <kernel/syscall.h>
#include <syscall_table.h>
#include <kernel/errno.h>

#define ABSENT(name, ...)            \
	long sys_##name(__VA_ARGS__) \
	{                            \
		return -ENOSYS;      \
	}

/* The arguments are named only to match the generated prototypes. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-parameter"
ABSENT(fanotify_init, unsigned flags, unsigned event_flags)
ABSENT(fanotify_mark, int fd, unsigned flags, uint64_t mask, int dirfd,
       uaddr_t path)
#pragma GCC diagnostic pop
