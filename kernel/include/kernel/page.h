/*
 * Physical page allocator (kernel/mm/page.c): a buddy allocator over the
 * firmware memory map, with a reference count per page for sharing
 * (copy-on-write, file pages mapped into processes). Its own spinlock
 * guards the free lists, so any CPU may call it with or without the big
 * lock, under any other object lock (the vm lock); reference counts are
 * atomic.
 */
#ifndef KERNEL_PAGE_H
#define KERNEL_PAGE_H

#include <kernel/types.h>
#include <arch/mmu.h>

#define PAGE_ORDER_MAX 10	/* largest block: 4 MiB */

struct page {
	struct page *next, *prev;	/* free list links */
	int32_t refcount;		/* 0 when free; atomics only */
	uint8_t order;			/* order of a free block's head */
	uint8_t free;
	uint8_t anon;			/* a process's private memory (vm.c's),
					   no file's: smaps's Anonymous */
	uint8_t dirty;			/* page_set_dirty's */
	uint8_t exec_synced;		/* a generation, odd once synced:
					   page_exec_sync's, until page_changed
					   or a writable user entry */
	uint8_t cached;			/* free, in a CPU's page cache (page.c):
					   no buddy merges with it */
	uint8_t lazy;			/* head of a free 2^PAGE_ORDER_MAX block
					   whose other entries page_init left
					   unwritten: alloc_block zeroes them */
#ifdef PETREL_ASSERTS
	uintptr_t put_by[2];		/* the last two page_put callers, the
					   latest first: who let a page go
					   that is still in use (assert build) */
#endif
};

void page_init(void);
/* The assert build: panics if a free block holds a page that counts a
 * holder, or another free block's head (a page freed or adopted twice).
 * Nothing in the default build. */
void page_check_free(void);
void page_add_range(paddr_t start, paddr_t end);
/* A boot module's page, kept out of the allocator, taken as allocated with
 * refcount 1 and its contents kept (kernel/fs/initramfs.c); false if it
 * cannot be (outside RAM, or the allocator's already). */
bool page_adopt(paddr_t pa);
/* page_adopt of the count pages from pa on, up to the first that cannot
 * be; returns how many were. */
size_t page_adopt_run(paddr_t pa, size_t count);
/* Returns a zeroed block of 2^order pages with refcount 1, or 0 if none. */
paddr_t page_alloc_order(unsigned order);
paddr_t page_alloc(void);
/* 2^order zeroed, physically contiguous pages, each with its own refcount
 * of 1 (so each is freed with page_put); 0 if none. */
paddr_t page_alloc_contig(unsigned order);
/* A page with refcount 1 whose contents are left as they were. */
paddr_t page_alloc_dirty(void);
/*
 * Pages for what user space fills (anonymous memory, tmpfs data): as
 * page_alloc and page_alloc_dirty, but 0 when no more than page_reserve()
 * pages are free, unless the caller acts as root or as the kernel.
 */
paddr_t page_alloc_user(bool privileged);
paddr_t page_alloc_user_dirty(bool privileged);
uint64_t page_reserve(void);
/* Drops a reference to the 2^order pages at pa, freeing them with the
 * last, when the block returns to the allocator; the assert build fills
 * it with PAGE_POISON then. */
#define PAGE_POISON 0xff
void page_free_order(paddr_t pa, unsigned order);
void page_put(paddr_t pa);
void page_get(paddr_t pa);
int page_refcount(paddr_t pa);
/* Marks a page vm.c gave a process as its private memory; it stays so
 * until freed. page_is_anon tells; page_anon_count counts them. */
void page_set_anon(paddr_t pa);
/* A file's page stored to through a shared mapping and not yet written
 * back (srvfs_pages.c), until it is (dirty false) or freed. */
void page_set_dirty(paddr_t pa, bool dirty);
/*
 * Instruction fetch and the page's contents (AArch64: the instruction
 * cache is not coherent with data writes, ARCH_ICACHE_SYNC). page_exec_sync
 * before the page is mapped executable at EL0: syncs it (mmu_icache_sync)
 * unless done since its contents last changed. page_changed after the
 * kernel writes a page that may be mapped executable later (a file's page
 * written in place); a fresh page and one mapped writable count as
 * changed. Neither does anything on x86_64.
 */
void page_exec_sync(paddr_t pa);
void page_changed(paddr_t pa);
uint64_t page_exec_sync_count(void);	/* syncs since boot: /proc/petrel */
/* Linux's /proc/kpageflags word (KPF_*) for page frame pfn, of what
 * Petrel knows: no page there, a free block's head, anonymous, dirty. */
uint64_t page_kpageflags(uint64_t pfn);
/* One past RAM's highest page frame number. */
uint64_t page_pfn_end(void);
bool page_is_anon(paddr_t pa);
uint64_t page_anon_count(void);
uint64_t page_total(void);	/* pages the allocator manages */
uint64_t page_free_count(void);	/* pages free now, the caches' too */

/* One CPU's use of the page allocator since boot (/proc/petrel/mm): its
 * takes of the lists' lock and those that found it busy; pages its cache
 * gave and took back, refills and batch drains of the cache, drains of
 * every cache for an allocation that found the lists short; and the
 * pages the cache holds now. Counted by that CPU alone. */
struct page_stats {
	uint64_t lock_taken, lock_contended;
	uint64_t allocs, frees, refills, drains, drains_all;
	uint64_t cached;
};
void page_stats_read(int cpu, struct page_stats *s);

/* Zeroed kernel memory of 2^order pages through the direct map, or NULL. */
void *page_alloc_kva(unsigned order);
/* The same with the contents left as they were (kmalloc's large blocks). */
void *page_alloc_kva_dirty(unsigned order);
/* The order a block from page_alloc_kva(_dirty) was allocated with. */
unsigned page_block_order(paddr_t pa);
void page_free_kva(void *va, unsigned order);

#endif
