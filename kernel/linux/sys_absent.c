/*
 * Calls Petrel leaves out as a Linux built without them does: POSIX
 * message queues (CONFIG_POSIX_MQUEUE=n). Each returns ENOSYS, the
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
ABSENT(mq_open, uaddr_t name, int flags, unsigned mode, uaddr_t attr)
ABSENT(mq_unlink, uaddr_t name)
ABSENT(mq_timedsend, int mqd, uaddr_t msg, size_t len, unsigned prio,
       uaddr_t timeout)
ABSENT(mq_timedreceive, int mqd, uaddr_t msg, size_t len, uaddr_t prio,
       uaddr_t timeout)
ABSENT(mq_notify, int mqd, uaddr_t sevp)
ABSENT(mq_getsetattr, int mqd, uaddr_t nattr, uaddr_t oattr)
#pragma GCC diagnostic pop
