/*
 * lwIP's variable-size heap in netd (mem_malloc with MEM_LIBC_MALLOC:
 * PBUF_RAM send buffers, datagrams): musl's malloc behind a cache of
 * freed blocks by size class. Under steady traffic musl gives a group of
 * blocks back (munmap) as its last block is freed and maps one again for
 * the next request, each a system call under the kernel's big lock; the
 * cache keeps a few blocks of each size for the next one (docs/netd.md,
 * "Options, and why": MEM_LIBC_MALLOC). The host build, under ASan,
 * keeps plain malloc.
 */
#include "lwipopts.h"

#ifndef PETREL_LWIP_HOST
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Classes of MEM_CACHE_STEP bytes up to MEM_CACHE_MAX; larger blocks go
 * straight to malloc and back. */
#define MEM_CACHE_STEP 256
#define MEM_CACHE_MAX 4096
#define MEM_CACHE_CLASSES (MEM_CACHE_MAX / MEM_CACHE_STEP)
/* Blocks kept per class: at most 16 x (256 + ... + 4096) bytes, 544 KiB,
 * after a burst; a busy server's steady state uses one or two classes. */
#define MEM_CACHE_KEEP 16
/* Each block's header: its class (-1: not cached), keeping MEM_ALIGNMENT. */
#define MEM_CACHE_HDR 16

/* A kept block, linked through its first bytes (after the header). */
struct cached_block {
	struct cached_block *next;
};

static struct cached_block *cache[MEM_CACHE_CLASSES];
static unsigned cached[MEM_CACHE_CLASSES];

_Static_assert(MEM_CACHE_HDR % MEM_ALIGNMENT == 0 &&
	       MEM_CACHE_HDR >= sizeof(int), "header keeps the alignment");

static int
class_of(size_t size)
{
	if (size == 0 || size > MEM_CACHE_MAX)
		return -1;
	return (int)((size - 1) / MEM_CACHE_STEP);
}

void *
netd_mem_malloc(size_t size)
{
	int k = class_of(size);
	unsigned char *p;

	if (k >= 0 && cache[k]) {
		struct cached_block *b = cache[k];
		cache[k] = b->next;
		cached[k]--;
		return b;
	}
	if (size > SIZE_MAX - MEM_CACHE_MAX - MEM_CACHE_HDR)
		return NULL;
	size_t room = k >= 0 ? (size_t)(k + 1) * MEM_CACHE_STEP : size;
	p = malloc(room + MEM_CACHE_HDR);
	if (!p)
		return NULL;
	*(int *)p = k;
	return p + MEM_CACHE_HDR;
}

void
netd_mem_free(void *mem)
{
	if (!mem)
		return;
	unsigned char *p = (unsigned char *)mem - MEM_CACHE_HDR;
	int k = *(int *)p;
	if (k < 0 || cached[k] >= MEM_CACHE_KEEP) {
		free(p);
		return;
	}
	struct cached_block *b = mem;	/* the header keeps its class */
	b->next = cache[k];
	cache[k] = b;
	cached[k]++;
}

void *
netd_mem_calloc(size_t count, size_t size)
{
	if (size && count > SIZE_MAX / size)
		return NULL;
	void *p = netd_mem_malloc(count * size);
	if (p)
		memset(p, 0, count * size);
	return p;
}
#endif
