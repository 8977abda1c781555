/*
 * The Linux structures whose layout is arm64's, for the portable ABI code:
 * struct stat and struct semid64_ds are asm-generic's (<kernel/stat.h>,
 * kernel/linux/ipc_sem.c), struct epoll_event is not packed
 * (kernel/linux/sys_poll.c), and four open flags have arm64's values.
 */
#ifndef ARCH_ABI_H
#define ARCH_ABI_H

#include <kernel/types.h>

struct timespec_k;

/* asm-generic/stat.h's struct stat (128 bytes). */
struct linux_stat {
	uint64_t st_dev, st_ino;
	uint32_t st_mode, st_nlink, st_uid, st_gid;
	uint64_t st_rdev, pad1;
	int64_t st_size;
	int32_t st_blksize, pad2;
	int64_t st_blocks;
	struct timespec_k st_atim, st_mtim, st_ctim;
	uint32_t unused4, unused5;
};
_Static_assert(sizeof(struct linux_stat) == 128, "Linux arm64 struct stat");

#define EPOLL_PACKED

/* struct semid64_ds: asm-generic's, no word after each time (x86_64
 * has one). */
#define SEMID_TIME_PAD(name)

/* The open flags whose values are arch-specific: arm64's own
 * (arch/arm64/include/uapi/asm/fcntl.h), not asm-generic's. */
#define O_DIRECTORY 040000
#define O_NOFOLLOW 0100000
#define O_DIRECT 0200000
#define O_LARGEFILE 0400000

#endif
