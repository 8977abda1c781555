/*
 * Calls Petrel leaves out as a Linux built without them does: System V
 * IPC (CONFIG_SYSVIPC=n), POSIX message queues (CONFIG_POSIX_MQUEUE=n)
 * and fanotify (CONFIG_FANOTIFY=n). Each returns ENOSYS, the
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
ABSENT(shmget, int key, size_t size, int flags)
ABSENT(shmat, int id, uaddr_t addr, int flags)
ABSENT(shmctl, int id, int cmd, uaddr_t buf)
ABSENT(shmdt, uaddr_t addr)
ABSENT(semget, int key, int nsems, int flags)
ABSENT(semop, int id, uaddr_t sops, size_t nsops)
ABSENT(semctl, int id, int num, int cmd, uint64_t arg)
ABSENT(semtimedop, int id, uaddr_t sops, size_t nsops, uaddr_t timeout)
ABSENT(msgget, int key, int flags)
ABSENT(msgsnd, int id, uaddr_t msg, size_t size, int flags)
ABSENT(msgrcv, int id, uaddr_t msg, size_t size, int64_t type, int flags)
ABSENT(msgctl, int id, int cmd, uaddr_t buf)
ABSENT(mq_open, uaddr_t name, int flags, unsigned mode, uaddr_t attr)
ABSENT(mq_unlink, uaddr_t name)
ABSENT(mq_timedsend, int mqd, uaddr_t msg, size_t len, unsigned prio,
       uaddr_t timeout)
ABSENT(mq_timedreceive, int mqd, uaddr_t msg, size_t len, uaddr_t prio,
       uaddr_t timeout)
ABSENT(mq_notify, int mqd, uaddr_t sevp)
ABSENT(mq_getsetattr, int mqd, uaddr_t nattr, uaddr_t oattr)
ABSENT(fanotify_init, unsigned flags, unsigned event_flags)
ABSENT(fanotify_mark, int fd, unsigned flags, uint64_t mask, int dirfd,
       uaddr_t path)
#pragma GCC diagnostic pop
