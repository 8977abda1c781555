/*
 * netd's cache in front of malloc for lwIP's heap
 * (servers/netd/lwip/mem_cache.c), on the host: freed blocks are reused
 * by size class without calling malloc or free again (what spares netd
 * musl's munmap and mmap of a group under steady traffic), at most
 * MEM_CACHE_KEEP a class are kept, larger blocks go straight through,
 * every block keeps lwIP's alignment and calloc zeroes.
 */
#include <stdint.h>
#include <stdlib.h>

#include "check.h"
#include "lwipopts.h"

/* malloc and free counted (-Wl,--wrap). */
void *__real_malloc(size_t size);
void __real_free(void *p);
void *__wrap_malloc(size_t size);
void __wrap_free(void *p);
static long mallocs, frees;

void *
__wrap_malloc(size_t size)
{
	mallocs++;
	return __real_malloc(size);
}

void
__wrap_free(void *p)
{
	if (p)
		frees++;
	__real_free(p);
}

static void
test_reuse(void)
{
	void *b[8];
	long m = 0, f = 0;
	/* A keep-alive server's steady state: each round's blocks (about a
	 * segment's PBUF_RAM each) freed before the next round's; the
	 * first round fills the cache. */
	for (int round = 0; round < 1000; round++) {
		if (round == 1) {
			m = mallocs;
			f = frees;
		}
		for (int i = 0; i < 8; i++) {
			b[i] = netd_mem_malloc(1500 + 50 * i % 300);
			CHECK(b[i] && (uintptr_t)b[i] % MEM_ALIGNMENT == 0);
		}
		for (int i = 0; i < 8; i++)
			netd_mem_free(b[i]);
	}
	CHECK_EQ(mallocs - m, 0);
	CHECK_EQ(frees - f, 0);
}

static void
test_bounds(void)
{
	void *b[40];
	long f = frees;
	for (int i = 0; i < 40; i++)
		b[i] = netd_mem_malloc(300);
	for (int i = 0; i < 40; i++)
		netd_mem_free(b[i]);
	CHECK(frees - f >= 40 - 16);	/* at most 16 kept */
	long m = mallocs;
	f = frees;
	void *big = netd_mem_malloc(20000);
	CHECK(big != NULL);
	netd_mem_free(big);
	CHECK_EQ(mallocs - m, 1);
	CHECK_EQ(frees - f, 1);
	netd_mem_free(NULL);
	CHECK_EQ(frees - f, 1);
	unsigned char *z = netd_mem_calloc(10, 100);
	CHECK(z != NULL);
	int zero = 1;
	for (int i = 0; i < 1000; i++)
		zero &= z[i] == 0;
	CHECK(zero);
	netd_mem_free(z);
	CHECK(netd_mem_calloc(SIZE_MAX / 2, 4) == NULL);
}

int
main(void)
{
	test_reuse();
	test_bounds();
	return check_done("test_mem_cache");
}
