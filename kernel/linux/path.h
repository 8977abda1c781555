/*
 * What the path system calls share (kernel/linux/sys_path.c, sys_attr.c,
 * sys_mount.c, coredump.c): a user's path copied in, and the inode an *at() call
 * names.
 */
#ifndef KERNEL_LINUX_PATH_H
#define KERNEL_LINUX_PATH_H

#include <kernel/types.h>


struct inode;

/* Copies a user path into a new kernel buffer (kfree it); NULL and *err. */
char *getpath(uaddr_t upath, long *err);
/* The inode a *at() call names, honouring AT_EMPTY_PATH and NOFOLLOW. */
struct inode *lookup_at(int dirfd, uaddr_t upath, int flags);
/* unlink(2) of a path in the kernel's memory (a core file's name). */
long unlink_kernel_path(const char *path);

/* Declares var, the path at upath, or returns the error from the caller. */
#define WITH_PATH(var, upath)              \
	long err_ = 0;                     \
	char *var = getpath(upath, &err_); \
	if (!var)                          \
		return err_;

#endif
