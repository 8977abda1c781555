/*
 * File types, mode bits and the Linux x86_64 stat layouts.
 */
#ifndef KERNEL_STAT_H
#define KERNEL_STAT_H

#include <kernel/types.h>

#define S_IFMT 0170000
#define S_IFSOCK 0140000
#define S_IFLNK 0120000
#define S_IFREG 0100000
#define S_IFBLK 0060000
#define S_IFDIR 0040000
#define S_IFCHR 0020000
#define S_IFIFO 0010000
#define S_ISDIR(m) (((m) & S_IFMT) == S_IFDIR)
#define S_ISREG(m) (((m) & S_IFMT) == S_IFREG)
#define S_ISLNK(m) (((m) & S_IFMT) == S_IFLNK)
#define S_ISCHR(m) (((m) & S_IFMT) == S_IFCHR)
#define S_ISFIFO(m) (((m) & S_IFMT) == S_IFIFO)
#define S_ISBLK(m) (((m) & S_IFMT) == S_IFBLK)
#define S_ISUID 04000
#define S_ISGID 02000
#define S_ISVTX 01000
#define S_IXGRP 00010

struct timespec_k {
	int64_t tv_sec;
	int64_t tv_nsec;
};

/* struct linux_stat: Linux's struct stat, whose layout is the arch's. */
#include <arch/abi.h>

struct inode;
/* Fills st from ino's attributes (kernel/linux/sys_file.c); the caller
 * brought them up to date (vfs_getattr). */
void stat_fill(struct inode *ino, struct linux_stat *st);

/* Directory entry types for getdents64. */
#define DT_UNKNOWN 0
#define DT_FIFO 1
#define DT_CHR 2
#define DT_DIR 4
#define DT_BLK 6
#define DT_REG 8
#define DT_LNK 10
#define DT_SOCK 12

#endif
