/*
 * The Linux structures whose layout is x86_64's own, for the portable ABI
 * code: struct stat (<kernel/stat.h>), struct epoll_event, which x86_64
 * alone packs (kernel/linux/sys_poll.c), struct semid64_ds, and the open
 * flags whose values differ between arches.
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

/* struct semid64_ds: x86_64 follows each of its times with an unused
 * word (arch/x86's sembuf.h); asm-generic does not. */
#define SEMID_TIME_PAD(name) uint64_t name;

/* The open flags whose values are arch-specific (asm-generic/fcntl.h's). */
#define O_DIRECT 040000
#define O_LARGEFILE 0100000
#define O_DIRECTORY 0200000
#define O_NOFOLLOW 0400000

#endif
