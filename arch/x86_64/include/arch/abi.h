/*
 * The Linux structures whose layout is x86_64's own, for the portable ABI
 * code: struct stat (<kernel/stat.h>) and struct epoll_event, which x86_64
 * alone packs (kernel/linux/sys_poll.c).
 */
#ifndef ARCH_ABI_H
#define ARCH_ABI_H

#include <kernel/types.h>

struct timespec_k;

/* struct stat as x86_64 Linux lays it out (144 bytes). */
struct linux_stat {
	uint64_t st_dev, st_ino, st_nlink;
	uint32_t st_mode, st_uid, st_gid, pad0;
	uint64_t st_rdev;
	int64_t st_size, st_blksize, st_blocks;
	struct timespec_k st_atim, st_mtim, st_ctim;
	int64_t reserved[3];
};
_Static_assert(sizeof(struct linux_stat) == 144, "Linux x86_64 struct stat");

#define EPOLL_PACKED __attribute__((packed))

#endif
