/*
 * The buddy page allocator. Every physical page below the top of RAM has a
 * struct page in one array; free blocks of 2^order pages sit on per-order
 * lists and merge with their buddy when both are free.
 */
#include <kernel/page.h>
#include <kernel/boot.h>
#include <kernel/printk.h>
#include <kernel/string.h>
#include <kernel/spinlock.h>

/*
 * page_lock guards the free lists, each free block's entries (free, order,
 * lazy, the links) and pages_managed and pages_free: the fault path takes
 * pages without the big lock (kernel/mm/vm_fault.c). It is the innermost
 * object lock: taken under any other (a vm's), none taken under it, and
 * its holder only moves list links. A page's reference count is atomic
 * (page_get, page_free_order).
 */
static spinlock_t page_lock = SPINLOCK_INIT;

/*
 * Each CPU's page cache: free single pages kept in front of the buddy
 * lists, so that a fault and a munmap on one CPU take page_lock once per
 * batch, not per page, and leave the other CPUs' line alone (Linux's
 * per-CPU page lists). Its lock is the CPU's own, taken by another CPU
 * only to drain the cache when an allocation found the lists short; it
 * comes before page_lock (a refill and a drain take page_lock under it).
 * A cached page is free (p->free, refcount 0) and marked p->cached, so no
 * buddy merges with it; pages_free does not count it: page_free_count
 * adds the caches. The counters are /proc/petrel/mm's.
 */
#define CACHE_BATCH 32		/* pages moved at a refill or a drain */
#define CACHE_HIGH 128		/* a free past this drains a batch */

struct page_cache {
	spinlock_t lock;
	struct page *head;	/* through page.next [lock] */
	unsigned count;		/* [lock]; read unlocked as a hint */
	struct page_stats stats;	/* this CPU's only */
	/* Pages made anonymous here less those freed here (a page may be
	   made on one CPU, freed on another): page_anon_count sums them.
	   This CPU's only, stored relaxed: one shared count was a line
	   every CPU wrote at each fault and munmap. */
	int64_t anon;
} __attribute__((aligned(64)));

static struct page_cache caches[CPU_MAX];

/* This CPU made n more pages anonymous (n < 0: freed them). Interrupts
 * off, as kernel code runs: no handler of this CPU counts meanwhile. */
static inline void
anon_count(int64_t n)
{
	struct page_cache *c = &caches[this_cpu()->id];
	__atomic_store_n(&c->anon, c->anon + n, __ATOMIC_RELAXED);
}

static struct page *pages;
/* pages[] describes the frames from page_first (RAM's lowest, which is 1
 * GiB up on QEMU virt: no entries for the devices below) to page_end. */
static uint64_t page_first, page_end;
static struct page *free_lists[PAGE_ORDER_MAX + 1];
static uint64_t pages_managed, pages_free;

#define BLOCK_PAGES (1ul << PAGE_ORDER_MAX)	/* the largest block */

static inline struct page *
pa_to_page(paddr_t pa)
{
	return &pages[(pa >> PAGE_SHIFT) - page_first];
}

static inline paddr_t
page_to_pa(struct page *p)
{
	return (paddr_t)(p - pages + page_first) << PAGE_SHIFT;
}

static void
free_list_push(unsigned order, struct page *p)
{
	p->prev = NULL;
	p->next = free_lists[order];
	if (p->next)
		p->next->prev = p;
	free_lists[order] = p;
	p->free = 1;
	p->order = order;
}

static void
free_list_remove(unsigned order, struct page *p)
{
	if (p->prev)
		p->prev->next = p->next;
	else
		free_lists[order] = p->next;
	if (p->next)
		p->next->prev = p->prev;
	p->free = 0;
}

/* Takes page_lock, counting for this CPU whether it was busy. */
static void
pages_lock(void)
{
	struct page_stats *s = &caches[this_cpu()->id].stats;
	s->lock_taken++;
	if (spin_trylock(&page_lock))
		return;
	s->lock_contended++;
	spin_lock(&page_lock);
}

static void
free_block(paddr_t pa, unsigned order)
{
	SPIN_ASSERT_HELD(&page_lock);
	while (order < PAGE_ORDER_MAX) {
		paddr_t buddy = pa ^ ((paddr_t)PAGE_SIZE << order);
		if ((buddy >> PAGE_SHIFT) < page_first ||
		    (buddy >> PAGE_SHIFT) >= page_end)
			break;
		struct page *b = pa_to_page(buddy);
		if (!b->free || b->cached || b->order != order)
			break;
		free_list_remove(order, b);
		pa &= ~((paddr_t)PAGE_SIZE << order);
		order++;
	}
	free_list_push(order, pa_to_page(pa));
}

/* Frees [start, end) in the largest aligned blocks that fit. */
static void
free_range(paddr_t start, paddr_t end)
{
	start = ALIGN_UP(start, PAGE_SIZE);
	end = ALIGN_DOWN(end, PAGE_SIZE);
	start = MAX(start, page_first << PAGE_SHIFT);
	end = MIN(end, page_end << PAGE_SHIFT);
	while (start < end) {
		/* The largest block aligned at start that ends by end. */
		uint64_t pfn = start >> PAGE_SHIFT;
		unsigned order = 63 - (unsigned)__builtin_clzl((end - start) >> PAGE_SHIFT);
		if (pfn)
			order = MIN(order, (unsigned)__builtin_ctzl(pfn));
		order = MIN(order, (unsigned)PAGE_ORDER_MAX);
		pages_lock();
		free_block(start, order);
		pages_managed += 1ul << order;
		pages_free += 1ul << order;
		spin_unlock(&page_lock);
		start += PAGE_SIZE << order;
	}
}

/* Frees [start, end) minus the ranges in `holes` (sorted, disjoint). */
static void
free_around(paddr_t start, paddr_t end, const paddr_t holes[][2], int nholes)
{
	for (int i = 0; i < nholes && start < end; i++) {
		if (holes[i][1] <= start || holes[i][0] >= end)
			continue;
		if (holes[i][0] > start)
			free_range(start, holes[i][0]);
		start = MAX(start, holes[i][1]);
	}
	if (start < end)
		free_range(start, end);
}

/* Whether the aligned block of BLOCK_PAGES at pfn is usable RAM and
   misses every hole: page_init frees it whole. */
static bool
block_all_free(uint64_t pfn, const paddr_t holes[][2], int nholes)
{
	paddr_t start = pfn << PAGE_SHIFT;
	paddr_t end = (pfn + BLOCK_PAGES) << PAGE_SHIFT;

	if (pfn < page_first || pfn + BLOCK_PAGES > page_end)
		return false;
	for (int i = 0; i < nholes; i++)
		if (holes[i][0] < end && holes[i][1] > start)
			return false;
	for (int i = 0; i < boot_info.mem_count; i++) {
		struct boot_mem *m = &boot_info.mem[i];
		if (m->usable && m->base <= start && m->base + m->size >= end)
			return true;
	}
	return false;
}

/*
 * Zeroes the array's entries, except behind the head of each block that
 * is freed whole: those wait for the block's first split (block_fill).
 * Zeroing the whole array (24 bytes a page, 768 KiB for 128 MiB) was nine
 * tenths of page_init. The assert build poisons what it leaves, so a read
 * of an unwritten entry shows.
 */
static void
entries_init(const paddr_t holes[][2], int nholes)
{
	for (uint64_t pfn = ALIGN_DOWN(page_first, BLOCK_PAGES);
	     pfn < page_end; pfn += BLOCK_PAGES) {
		uint64_t lo = MAX(pfn, page_first);
		uint64_t hi = MIN(pfn + BLOCK_PAGES, page_end);
		struct page *head = &pages[lo - page_first];
		if (!block_all_free(pfn, holes, nholes)) {
			memset(head, 0, (hi - lo) * sizeof(*head));
			continue;
		}
		memset(head, 0, sizeof(*head));
		head->lazy = 1;
		if (ASSERTS_ENABLED)
			memset(head + 1, 0xa5, (BLOCK_PAGES - 1) * sizeof(*head));
	}
}

void
page_init(void)
{
	paddr_t top = 0, bottom = ~(paddr_t)0;
	for (int i = 0; i < boot_info.mem_count; i++) {
		if (!boot_info.mem[i].usable)
			continue;
		top = MAX(top, boot_info.mem[i].base + boot_info.mem[i].size);
		bottom = MIN(bottom, boot_info.mem[i].base);
	}
	page_end = top >> PAGE_SHIFT;
	page_first = bottom < top ? bottom >> PAGE_SHIFT : 0;

	/* Place the array in the first usable range that holds it. */
	uint64_t bytes = ALIGN_UP((page_end - page_first) * sizeof(struct page),
				  PAGE_SIZE);
	paddr_t array = 0;
	paddr_t kend = KERNEL_IMAGE_PHYS(kernel_end);
	paddr_t iend = ALIGN_UP(boot_info.initrd + boot_info.initrd_size, PAGE_SIZE);
	for (int i = 0; i < boot_info.mem_count && !array; i++) {
		struct boot_mem *m = &boot_info.mem[i];
		if (!m->usable)
			continue;
		paddr_t start = ALIGN_UP(MAX(m->base, MAX(kend, 0x100000ul)), PAGE_SIZE);
		if (start < iend && iend + bytes <= m->base + m->size)
			start = iend;
		if (start + bytes <= m->base + m->size)
			array = start;
	}
	if (!array)
		panic("no memory for the page array");
	pages = phys_to_virt(array);

	/* Page 0 (0 means "no page"), the AP trampoline's page, the kernel,
	 * the boot module and this array stay out of the allocator. The rest
	 * of low memory the firmware calls usable is used (600 KiB of the
	 * smallest --mem); what it still holds (BIOS data, EBDA, ROMs) the
	 * memory map marks reserved, and the boot information in it was
	 * copied before this runs. */
	paddr_t holes[5][2] = {
		{ 0, PAGE_SIZE },
		{ AP_TRAMPOLINE_PAGE, AP_TRAMPOLINE_PAGE + PAGE_SIZE },
		{ KERNEL_IMAGE_PHYS(kernel_start), ALIGN_UP(KERNEL_IMAGE_PHYS(kernel_end), PAGE_SIZE) },
		{ ALIGN_DOWN(boot_info.initrd, PAGE_SIZE), iend },
		{ array, array + bytes },
	};
	for (int i = 0; i < 5; i++)	/* sort by start: tiny insertion sort */
		for (int j = i; j > 0 && holes[j][0] < holes[j - 1][0]; j--) {
			paddr_t t0 = holes[j][0], t1 = holes[j][1];
			holes[j][0] = holes[j - 1][0], holes[j][1] = holes[j - 1][1];
			holes[j - 1][0] = t0, holes[j - 1][1] = t1;
		}
	entries_init(holes, 5);
	for (int i = 0; i < boot_info.mem_count; i++) {
		struct boot_mem *m = &boot_info.mem[i];
		if (m->usable)
			free_around(m->base, m->base + m->size, holes, 5);
	}
}

/* Writes the entries page_init left unwritten behind a lazy head. */
static void
block_fill(struct page *head)
{
	memset(head + 1, 0, (BLOCK_PAGES - 1) * sizeof(*head));
	head->lazy = 0;
}

/* A free block of 2^order taken off the lists, page_lock held: its head,
 * not yet marked allocated, or NULL if none. */
static struct page *
block_take(unsigned order)
{
	unsigned o = order;

	SPIN_ASSERT_HELD(&page_lock);
	while (o <= PAGE_ORDER_MAX && !free_lists[o])
		o++;
	if (o > PAGE_ORDER_MAX)
		return NULL;
	struct page *p = free_lists[o];
	free_list_remove(o, p);
	if (p->lazy)
		block_fill(p);
	paddr_t pa = page_to_pa(p);
	while (o > order) {	/* split, returning the upper halves */
		o--;
		free_list_push(o, pa_to_page(pa + ((paddr_t)PAGE_SIZE << o)));
	}
	pages_free -= 1ul << order;
	return p;
}

/* Marks the head of a block just taken as allocated, refcount 1. */
static paddr_t
block_give(struct page *p, unsigned order)
{
	p->refcount = 1;
	p->order = order;
	p->free = 0;
	p->cached = 0;
	p->anon = 0;
	p->dirty = 0;
	p->exec_synced = 0;
	return page_to_pa(p);
}

/*
 * Fills cache c (its lock held, empty) with up to CACHE_BATCH pages from
 * the lists, under page_lock once. Returns how many it took.
 */
static unsigned
cache_refill(struct page_cache *c)
{
	unsigned n = 0;

	SPIN_ASSERT_HELD(&c->lock);
	c->stats.refills++;
	pages_lock();
	for (struct page *p; n < CACHE_BATCH && (p = block_take(0)); n++) {
		p->free = 1;
		p->cached = 1;
		p->next = c->head;
		c->head = p;
	}
	spin_unlock(&page_lock);
	c->count += n;
	return n;
}

/*
 * A page from this CPU's cache, refilled if empty, or 0 if none, or if the
 * lists' pages and the cache's together are keep or fewer: then the caller
 * asks the lists, which count every cache after a drain. Not counting the
 * other CPUs' caches here only makes the test stricter.
 */
static paddr_t
cache_alloc(uint64_t keep)
{
	struct page_cache *c = &caches[this_cpu()->id];
	paddr_t pa = 0;

	spin_lock(&c->lock);
	if (!c->head)
		cache_refill(c);
	if (c->head && __atomic_load_n(&pages_free, __ATOMIC_RELAXED) +
			       c->count > keep) {
		struct page *p = c->head;
		c->head = p->next;
		c->count--;
		c->stats.allocs++;
		pa = block_give(p, 0);
	}
	spin_unlock(&c->lock);
	return pa;
}

/* Gives n pages of list head back to the buddy lists, page_lock once. */
static void
pages_return(struct page *head, unsigned n)
{
	if (!n)
		return;
	pages_lock();
	while (head) {
		struct page *p = head;
		head = p->next;
		p->cached = 0;
		p->free = 0;
		free_block(page_to_pa(p), 0);
	}
	pages_free += n;
	spin_unlock(&page_lock);
}

/* Takes up to n pages off cache c (its lock held): a list, *taken long. */
static struct page *
cache_cut(struct page_cache *c, unsigned n, unsigned *taken)
{
	struct page *head = NULL;

	SPIN_ASSERT_HELD(&c->lock);
	for (*taken = 0; *taken < n && c->head; (*taken)++) {
		struct page *p = c->head;
		c->head = p->next;
		p->next = head;
		head = p;
	}
	c->count -= *taken;
	return head;
}

/* A single page's last put: into this CPU's cache, a batch of the cache
 * back to the lists when it is full. */
static void
cache_free(struct page *p)
{
	struct page_cache *c = &caches[this_cpu()->id];
	struct page *spill = NULL;
	unsigned n = 0;

	spin_lock(&c->lock);
	p->order = 0;
	p->cached = 1;
	__atomic_store_n(&p->free, 1, __ATOMIC_RELAXED);
	p->next = c->head;
	c->head = p;
	c->count++;
	c->stats.frees++;
	if (c->count > CACHE_HIGH) {
		spill = cache_cut(c, CACHE_BATCH, &n);
		c->stats.drains++;
	}
	spin_unlock(&c->lock);
	pages_return(spill, n);
}

/*
 * Gives every CPU's cached pages back to the lists (an allocation found
 * them short: no page is stranded in a cache while memory runs out).
 * Returns whether there were any.
 */
static bool
caches_drain(void)
{
	bool any = false;

	for (int i = 0; i < CPU_MAX; i++) {
		struct page_cache *c = &caches[i];
		unsigned n;
		if (!__atomic_load_n(&c->count, __ATOMIC_RELAXED))
			continue;
		spin_lock(&c->lock);
		struct page *head = cache_cut(c, c->count, &n);
		spin_unlock(&c->lock);
		pages_return(head, n);
		any |= n > 0;
	}
	if (any)
		caches[this_cpu()->id].stats.drains_all++;
	return any;
}

/* A block from the lists alone (keep as for alloc_block_keep), or 0. */
static paddr_t
lists_alloc(unsigned order, uint64_t keep)
{
	paddr_t pa = 0;

	pages_lock();
	if (pages_free > keep) {
		struct page *p = block_take(order);
		if (p)
			pa = block_give(p, order);
	}
	spin_unlock(&page_lock);
	return pa;
}

/*
 * A block of 2^order pages with refcount 1, its contents as they were, or
 * 0 if none, or if taking it would leave keep pages free or fewer (the
 * reserve, for a user's page). A single page comes from this CPU's cache;
 * whatever the caches hold is given back before the answer is "none".
 */
static paddr_t
alloc_block_keep(unsigned order, uint64_t keep)
{
	paddr_t pa = order == 0 ? cache_alloc(keep) : 0;

	if (!pa)
		pa = lists_alloc(order, keep);
	if (!pa && caches_drain())
		pa = lists_alloc(order, keep);
	return pa;
}

static paddr_t
alloc_block(unsigned order)
{
	return alloc_block_keep(order, 0);
}

paddr_t
page_alloc_order(unsigned order)
{
	paddr_t pa = alloc_block(order);
	if (pa)
		memset(phys_to_virt(pa), 0, PAGE_SIZE << order);
	return pa;
}

paddr_t
page_alloc(void)
{
	return page_alloc_order(0);
}

paddr_t
page_alloc_contig(unsigned order)
{
	paddr_t pa = page_alloc_order(order);
	if (!pa)
		return 0;
	for (uint64_t i = 0; i < (1ul << order); i++) {
		struct page *p = pa_to_page(pa + i * PAGE_SIZE);
		p->refcount = 1;	/* each page freed on its own */
		p->order = 0;
		p->anon = 0;
		p->dirty = 0;
		p->exec_synced = 0;
	}
	return pa;
}

/*
 * The pages only root and the kernel may take: Linux's admin_reserve_kbytes
 * (3% of memory, at most 8 MiB), so that a user who fills memory leaves
 * root enough to log in, look and clean up.
 */
uint64_t
page_reserve(void)
{
	return MIN(pages_managed * 3 / 100, (8ul << 20) / PAGE_SIZE);
}

/* The free pages a user's allocation must leave: the reserve, or none. */
static uint64_t
reserve_keep(bool privileged)
{
	return privileged ? 0 : page_reserve();
}

paddr_t
page_alloc_user(bool privileged)
{
	paddr_t pa = alloc_block_keep(0, reserve_keep(privileged));
	if (pa)
		memset(phys_to_virt(pa), 0, PAGE_SIZE);
	return pa;
}

paddr_t
page_alloc_user_dirty(bool privileged)
{
	return alloc_block_keep(0, reserve_keep(privileged));
}

/* Like page_alloc, without zeroing: for a page the caller fills at once. */
paddr_t
page_alloc_dirty(void)
{
	return alloc_block(0);
}

/* A page's count went wrong: the panic says which page, how, and in the
 * assert build the last two page_put callers (addresses for addr2line;
 * a page freed while still in use was freed by one of them). */
static _Noreturn void
page_misused(paddr_t pa, const char *how, int32_t count)
{
	struct page *p = pa_to_page(pa);
	uintptr_t by[2] = { 0, 0 };
#ifdef PETREL_ASSERTS
	by[0] = p->put_by[0];
	by[1] = p->put_by[1];
#endif
	panic("page %#lx %s (count now %d%s; last puts from %lx %lx)", pa,
	      how, count, p->free ? ", on the free list" : "",
	      (unsigned long)by[0], (unsigned long)by[1]);
}

void
page_free_order(paddr_t pa, unsigned order)
{
	struct page *p = pa_to_page(pa);
	/* A free page is nobody's: its putter held no reference. Looked at
	   before the count drops, while the caller's reference keeps the
	   page allocated: after it, another holder's last put may free the
	   page at any moment, as it should (the check once came after, and
	   a CPU stalled between the two saw that free as its own misuse). */
	if (__builtin_expect(__atomic_load_n(&p->free, __ATOMIC_RELAXED), 0))
		page_misused(pa, "put while free", p->refcount);
	int32_t left = __atomic_sub_fetch(&p->refcount, 1, __ATOMIC_ACQ_REL);
	if (__builtin_expect(left < 0, 0))
		page_misused(pa, "put once too often", left);
	if (left > 0)
		return;
	/* A block's other pages are the block's alone: one that counts a
	   holder of its own (a process maps it) means the block is freed
	   while in use, or freed twice. */
	for (unsigned long i = 1; ASSERTS_ENABLED && i < (1ul << order); i++)
		if (pa_to_page(pa + i * PAGE_SIZE)->refcount != 0)
			page_misused(pa + i * PAGE_SIZE, "in use in a block freed",
				     pa_to_page(pa + i * PAGE_SIZE)->refcount);
	if (p->anon)
		anon_count(-1);
	/* The assert build fills a freed page, so that a read of it after
	   the free (a nolock reader's use-after-free) shows as PAGE_POISON
	   bytes, not as the data it held. */
	if (ASSERTS_ENABLED)
		memset(phys_to_virt(pa), PAGE_POISON, PAGE_SIZE << order);
	if (order == 0) {
		cache_free(p);
		return;
	}
	pages_lock();
	pages_free += 1ul << order;
	free_block(pa, order);
	spin_unlock(&page_lock);
}

void
page_put(paddr_t pa)
{
#ifdef PETREL_ASSERTS
	struct page *p = pa_to_page(pa);
	p->put_by[1] = p->put_by[0];
	p->put_by[0] = (uintptr_t)__builtin_return_address(0);
#endif
	page_free_order(pa, 0);
}

void
page_get(paddr_t pa)
{
	struct page *p = pa_to_page(pa);
	int32_t before = __atomic_fetch_add(&p->refcount, 1, __ATOMIC_RELAXED);
	/* A free page is nobody's: whoever still reaches it lost its
	   reference to a put that was not theirs. */
	if (ASSERTS_ENABLED && (before <= 0 || p->free))
		page_misused(pa, "taken while free", before + 1);
}

void
page_set_anon(paddr_t pa)
{
	struct page *p = pa_to_page(pa);
	if (!p->anon)
		anon_count(1);
	p->anon = 1;
}

bool
page_is_anon(paddr_t pa)
{
	return pa_to_page(pa)->anon;
}

void
page_set_dirty(paddr_t pa, bool dirty)
{
	pa_to_page(pa)->dirty = dirty;
}

static uint64_t exec_syncs;	/* page_exec_sync_count */

/*
 * exec_synced is a generation, odd once synced: page_changed moves it to
 * the next even value, so a sync that was under way when the page changed
 * does not mark it synced (its exchange fails) and the next caller syncs
 * again. The mark comes after the sync, as Linux's PG_dcache_clean: two
 * CPUs mapping the page at once both sync (harmless), and neither maps it
 * executable before a sync of its own or a finished one.
 */
void
page_exec_sync(paddr_t pa)
{
	if (!ARCH_ICACHE_SYNC)
		return;
	struct page *p = pa_to_page(pa);
	uint8_t gen = __atomic_load_n(&p->exec_synced, __ATOMIC_ACQUIRE);
	if (gen & 1)
		return;
	mmu_icache_sync(pa);
	__atomic_add_fetch(&exec_syncs, 1, __ATOMIC_RELAXED);
	__atomic_compare_exchange_n(&p->exec_synced, &gen, (uint8_t)(gen | 1),
				    false, __ATOMIC_RELEASE, __ATOMIC_RELAXED);
}

uint64_t
page_exec_sync_count(void)
{
	return __atomic_load_n(&exec_syncs, __ATOMIC_RELAXED);
}

void
page_changed(paddr_t pa)
{
	if (!ARCH_ICACHE_SYNC)
		return;
	uint8_t *gen = &pa_to_page(pa)->exec_synced;
	uint8_t old = __atomic_load_n(gen, __ATOMIC_RELAXED);
	while (!__atomic_compare_exchange_n(gen, &old,
					    (uint8_t)((old + 2) & ~1u), false,
					    __ATOMIC_RELEASE, __ATOMIC_RELAXED))
		;
}

/* Linux's KPF_* bits (include/uapi/linux/kernel-page-flags.h). */
#define KPF_DIRTY (1ull << 4)
#define KPF_BUDDY (1ull << 10)
#define KPF_ANON (1ull << 12)
#define KPF_NOPAGE (1ull << 20)

/* Read without the page lock, as Linux's: a moment's view. */
uint64_t
page_kpageflags(uint64_t pfn)
{
	if (pfn < page_first || pfn >= page_end)
		return KPF_NOPAGE;
	struct page *p = &pages[pfn - page_first];
	if (__atomic_load_n(&p->free, __ATOMIC_RELAXED))
		return KPF_BUDDY;
	if (__atomic_load_n(&p->refcount, __ATOMIC_RELAXED) <= 0)
		return 0;	/* in a free block, or not RAM the allocator has */
	return (p->anon ? KPF_ANON : 0) | (p->dirty ? KPF_DIRTY : 0);
}

uint64_t
page_pfn_end(void)
{
	return page_end;
}

/* Summed unlocked: a moment's view (meminfo's AnonPages). */
uint64_t
page_anon_count(void)
{
	int64_t n = 0;
	for (int i = 0; i < CPU_MAX; i++)
		n += __atomic_load_n(&caches[i].anon, __ATOMIC_RELAXED);
	return n > 0 ? (uint64_t)n : 0;
}

int
page_refcount(paddr_t pa)
{
	return __atomic_load_n(&pa_to_page(pa)->refcount, __ATOMIC_ACQUIRE);
}

uint64_t
page_total(void)
{
	return pages_managed;
}

uint64_t
page_free_count(void)
{
	uint64_t n = __atomic_load_n(&pages_free, __ATOMIC_RELAXED);
	for (int i = 0; i < CPU_MAX; i++)	/* every id a cache may have */
		n += __atomic_load_n(&caches[i].count, __ATOMIC_RELAXED);
	return n;
}

void
page_stats_read(int cpu, struct page_stats *s)
{
	*s = caches[cpu].stats;
	s->cached = __atomic_load_n(&caches[cpu].count, __ATOMIC_RELAXED);
}

void *
page_alloc_kva(unsigned order)
{
	paddr_t pa = page_alloc_order(order);
	return pa ? phys_to_virt(pa) : NULL;
}

void *
page_alloc_kva_dirty(unsigned order)
{
	paddr_t pa = alloc_block(order);
	return pa ? phys_to_virt(pa) : NULL;
}

unsigned
page_block_order(paddr_t pa)
{
	return pa_to_page(pa)->order;
}

void
page_free_kva(void *va, unsigned order)
{
	page_free_order(virt_to_phys(va), order);
}

void
page_check_free(void)
{
	if (!ASSERTS_ENABLED)
		return;
	spin_lock(&page_lock);
	for (unsigned order = 0; order <= PAGE_ORDER_MAX; order++) {
		for (struct page *h = free_lists[order]; h; h = h->next) {
			paddr_t pa = page_to_pa(h);
			/* a lazy head's other entries are not written yet */
			unsigned long n = h->lazy ? 1 : 1ul << order;
			for (unsigned long i = 0; i < n; i++) {
				struct page *p = h + i;
				if (p->refcount != 0 || (i && p->free))
					panic("free block %#lx (order %u) holds "
					      "page %#lx with count %d%s", pa,
					      order, pa + i * PAGE_SIZE,
					      p->refcount, p->free && i ?
					      ", marked free: blocks overlap" : "");
			}
		}
	}
	spin_unlock(&page_lock);
	for (int i = 0; i < CPU_MAX; i++) {
		spin_lock(&caches[i].lock);
		for (struct page *p = caches[i].head; p; p = p->next)
			if (p->refcount != 0 || !p->free || !p->cached)
				panic("cached page %#lx: count %d, free %d, "
				      "cached %d", page_to_pa(p), p->refcount,
				      p->free, p->cached);
		spin_unlock(&caches[i].lock);
	}
}

/* Gives the whole pages of [start, end) to the allocator (boot modules). */
void
page_add_range(paddr_t start, paddr_t end)
{
	free_range(start, end);
}

/*
 * Takes the page at pa, which page_init kept out of the allocator (a boot
 * module's), as allocated with refcount 1: its contents stay, and its last
 * page_put gives it to the allocator. Returns false if the page array does
 * not describe pa or the allocator already has it.
 */
bool
page_adopt(paddr_t pa)
{
	uint64_t frame = pa >> PAGE_SHIFT;
	if (pa % PAGE_SIZE || frame < page_first || frame >= page_end)
		return false;
	struct page *p = pa_to_page(pa);
	pages_lock();
	bool ok = !p->free && !p->refcount;
	if (ok) {
		p->refcount = 1;
		p->order = 0;
		p->anon = 0;
		pages_managed++;
	}
	spin_unlock(&page_lock);
	return ok;
}

/*
 * page_adopt for the count pages from pa on, in one pass; stops at the
 * first that cannot be adopted. Returns how many were (from pa on).
 */
size_t
page_adopt_run(paddr_t pa, size_t count)
{
	uint64_t frame = pa >> PAGE_SHIFT;
	size_t done = 0;

	if (pa % PAGE_SIZE || frame < page_first || frame >= page_end)
		return 0;
	count = MIN(count, (size_t)(page_end - frame));
	pages_lock();
	for (struct page *p = pa_to_page(pa); done < count; done++, p++) {
		if (p->free || p->refcount)
			break;
		p->refcount = 1;
		p->order = 0;
		p->anon = 0;
	}
	pages_managed += done;
	spin_unlock(&page_lock);
	return done;
}
