/*
 * The system-call fuzzer's shared parts (docs/fuzzing.md): the call table,
 * the memory the parent and its workers share, the options. main.c is the
 * parent (respawn, watch, report); worker.c makes the calls.
 */
#ifndef FUZZ_H
#define FUZZ_H

#define _GNU_SOURCE
#include <petrel/native.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <grp.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/ipc.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/timerfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

enum fuzz_kind { FZ_INT, FZ_FD, FZ_PATH, FZ_PTR, FZ_ADDR, FZ_LEN, FZ_FLAGS,
		 FZ_PID, FZ_SIG };

struct fuzz_call {
	long nr;
	const char *name;
	int nargs;
	enum fuzz_kind kinds[6];
};

#include <petrel/fuzz-calls.h>

#define NCALLS (int)(sizeof(fuzz_calls) / sizeof(fuzz_calls[0]))
#define OTHER_CALL NCALLS	/* counts numbers outside the table */
#define MAX_WORKERS 16
#define MAX_ERRNO 134		/* the last slot counts larger values */
#define NOBODY 65534
#define MIN(a, b) ((a) < (b) ? (a) : (b))

/* Worker memory the calls may scribble on, at fixed addresses. */
#define SCRATCH ((char *)0x100000000000UL)
#define SCRATCH_LEN (64 * 1024UL)	/* followed by an unmapped page */
#define PLAYGROUND 0x100100000000UL	/* mmap, munmap, mremap land here */
#define PLAYGROUND_LEN (4UL << 20)

/* What a worker is doing now: the parent reads it to name a stuck call. */
struct fuzz_slot {
	volatile uint64_t progress;
	volatile long nr;
	volatile long args[6];
	volatile int pid;
};

/* Shared (MAP_SHARED) between the parent and every worker. */
struct fuzz_shared {
	uint64_t calls;
	uint64_t per_call[NCALLS + 1];
	uint64_t errors[MAX_ERRNO + 1];
	struct fuzz_slot slots[MAX_WORKERS];
};

struct fuzz_opts {
	uint64_t seed;
	uint64_t budget;
	int workers;
	int stall_s;
	int verbose;
	int fork_percent;	/* -f: calls that are fork bursts instead */
};

extern struct fuzz_shared *shared;
extern struct fuzz_opts opts;

uint64_t splitmix(uint64_t x);
/* Runs worker slot index with seed; never returns. */
_Noreturn void worker(int index, uint64_t seed);

#endif
