/*
 * The pages the kernel keeps of a server's files for mmap and exec: a small
 * page cache beside fsd's block cache, which stays the file's own. They are
 * read in when a range is mapped (map_prepare) and follow the file after:
 * a write() through it patches them, a truncate cuts them. A store through
 * a MAP_SHARED mapping dirties its page at the write fault (page_mkwrite);
 * write-back write-protects the page again in every mapping, then sends it
 * to the server, so a later store faults and dirties it anew. A node with
 * dirty pages holds its inode, on its file system's dirty list, until they
 * are written: at msync, munmap, fsync, a read through the file, exit,
 * sync and unmount.
 */
#include <kernel/srvfs.h>
#include <kernel/page.h>
#include <kernel/kmalloc.h>
#include <kernel/string.h>
#include <kernel/errno.h>
#include <kernel/vm.h>
#include <arch/mmu.h>

#define FILL_BYTES 65536		/* a page fill's read */
#define PAGE_HASH 256

/* A page of file data the kernel keeps for mappings. */
struct srv_page {
	struct list hash_link;		/* page_hash, by (node, off) */
	struct list node_link;		/* srv_node.pages */
	struct srv_node *node;
	uint64_t off;
	paddr_t pa;
	bool dirty;			/* stored to through a mapping since
					   last written to the server */
};

static struct list page_hash[PAGE_HASH];
static bool page_hash_ready;

static unsigned
page_hash_of(struct srv_node *n, uint64_t off)
{
	return (unsigned)(((uintptr_t)n >> 4) ^ (off >> PAGE_SHIFT)) % PAGE_HASH;
}

static struct srv_page *
page_find(struct srv_node *n, uint64_t off)
{
	if (!page_hash_ready)
		return NULL;
	list_for_each(it, &page_hash[page_hash_of(n, off)]) {
		struct srv_page *pg = list_entry(it, struct srv_page, hash_link);
		if (pg->node == n && pg->off == off)
			return pg;
	}
	return NULL;
}

uint64_t
srv_pages_in(struct inode *ino, uint64_t first, uint64_t last)
{
	uint64_t count = 0;
	list_for_each(it, &srv_node(ino)->pages) {
		struct srv_page *pg = list_entry(it, struct srv_page, node_link);
		uint64_t i = pg->off / PAGE_SIZE;
		count += i >= first && i <= last;
	}
	return count;
}

paddr_t
srv_getpage(struct inode *ino, uint64_t off, bool fill)
{
	(void)fill;	/* only map_prepare reads pages in: it may sleep */
	struct srv_page *pg = page_find(srv_node(ino), off);
	return pg ? pg->pa : 0;
}

/* ---- Dirty pages -------------------------------------------------------------- */

static void
mark_dirty(struct srv_page *pg)
{
	struct srv_node *n = pg->node;
	if (pg->dirty)
		return;
	pg->dirty = true;
	page_set_dirty(pg->pa, true);
	if (n->dirty_pages++ == 0) {
		inode_get(n->inode);	/* kept until written */
		list_push_back(&n->fs->dirty, &n->dirty_link);
	}
}

/* Caller holds a reference to the inode besides the dirty pages' own. */
static void
mark_clean(struct srv_page *pg)
{
	struct srv_node *n = pg->node;
	if (!pg->dirty)
		return;
	pg->dirty = false;
	page_set_dirty(pg->pa, false);
	if (--n->dirty_pages == 0) {
		list_remove(&n->dirty_link);
		inode_put(n->inode);
	}
}

int
srv_page_mkwrite(struct inode *ino, uint64_t off)
{
	struct srv_page *pg = page_find(srv_node(ino), off);
	if (!pg)
		return -EIO;
	mark_dirty(pg);
	return 0;
}

/* A dirty page of n in [start, end), or NULL. */
static struct srv_page *
first_dirty(struct srv_node *n, uint64_t start, uint64_t end)
{
	if (!n->dirty_pages)
		return NULL;
	list_for_each(it, &n->pages) {
		struct srv_page *pg = list_entry(it, struct srv_page, node_link);
		if (pg->dirty && pg->off + PAGE_SIZE > start && pg->off < end)
			return pg;
	}
	return NULL;
}

/*
 * Writes first and the dirty pages that follow it (up to PT_SEG_MAX, below
 * end) in one WRITE call, straight from the pages. They are cleaned and
 * write-protected before the call sleeps: a store meanwhile dirties them
 * again, for the next write-back. Holds each page while the call runs.
 */
static int
write_run(struct srv_node *n, struct srv_page *first, uint64_t end)
{
	struct inode *ino = n->inode;
	struct chan_seg segs[PT_SEG_MAX];
	paddr_t held[PT_SEG_MAX];
	unsigned count = 0;
	uint64_t start = first->off, bytes = 0;

	for (struct srv_page *pg = first; pg && pg->dirty && pg->off < end &&
	     count < PT_SEG_MAX; pg = page_find(n, pg->off + PAGE_SIZE)) {
		mark_clean(pg);
		vm_file_wrprotect(ino, pg->off);
		uint64_t len = ino->size > pg->off ?
			       MIN((uint64_t)PAGE_SIZE, ino->size - pg->off) : 0;
		page_get(pg->pa);
		held[count] = pg->pa;
		segs[count++] = srv_kseg(phys_to_virt(pg->pa), len, PT_SEG_IN);
		bytes += len;
		if (len < PAGE_SIZE)
			break;	/* the end of the file */
	}
	long r = 0;
	if (bytes) {
		struct pt_fs_msg m = { .op = PT_FS_WRITE, .ino = ino->ino,
				       .off = start };
		struct pt_fs_reply rep;
		r = srv_call(n, &m, &rep, segs, count);
		if (r >= 0)
			srv_attr_apply(ino, &rep.attr);
		if (r >= 0 && (uint64_t)r < bytes)
			r = -EIO;	/* a short write of whole pages */
	}
	for (unsigned i = 0; i < count; i++)
		page_put(held[i]);
	return r < 0 ? (int)r : 0;
}

int
srv_writeback(struct inode *ino, uint64_t off, uint64_t len, bool durable)
{
	struct srv_node *n = srv_node(ino);
	uint64_t end = off + len < off ? UINT64_MAX : off + len;
	struct srv_page *pg;
	int e = 0;
	while (e == 0 && (pg = first_dirty(n, off, end)) != NULL)
		e = write_run(n, pg, end);
	while ((pg = first_dirty(n, off, end)) != NULL)
		mark_clean(pg);	/* after an error, as Linux: not retried */
	if (e == 0 && durable) {
		struct pt_fs_msg m = { .op = PT_FS_FSYNC, .ino = ino->ino,
				       .flags = PT_FS_DATASYNC };
		long r = srv_call(n, &m, NULL, NULL, 0);
		e = r < 0 ? (int)r : 0;
	}
	return e;
}

int
srv_pages_sync_all(struct srvfs *fs)
{
	unsigned nodes = 0;
	int err = 0;
	list_for_each(it, &fs->dirty)
		nodes++;
	/* At most the nodes dirty now: others may be dirtied meanwhile. */
	while (nodes-- > 0 && !list_empty(&fs->dirty)) {
		struct srv_node *n = list_entry(fs->dirty.next, struct srv_node,
						dirty_link);
		struct inode *ino = n->inode;
		inode_get(ino);
		int e = srv_writeback(ino, 0, UINT64_MAX, false);
		inode_put(ino);
		if (e < 0 && err == 0)
			err = e;
	}
	return err;
}

/* ---- Following the file -------------------------------------------------------- */

/* Copies len bytes at byte `skip` of the segments to dst; false on a fault. */
static bool
copy_from_segs(const struct chan_seg *segs, unsigned nseg, uint64_t skip,
	       char *dst, uint64_t len)
{
	for (unsigned i = 0; i < nseg && len > 0; i++) {
		if (skip >= segs[i].len) {
			skip -= segs[i].len;
			continue;
		}
		uint64_t k = MIN(segs[i].len - skip, len);
		if (segs[i].kernel)
			memcpy(dst, (const char *)(uintptr_t)segs[i].addr + skip, k);
		else if (copyin(dst, segs[i].addr + skip, k) < 0)
			return false;
		dst += k;
		len -= k;
		skip = 0;
	}
	return true;
}

static void
page_drop(struct srv_page *pg)
{
	mark_clean(pg);
	list_remove(&pg->node_link);
	list_remove(&pg->hash_link);
	page_put(pg->pa);	/* mappings hold their own references */
	kfree(pg);
}

void
srv_pages_written(struct srv_node *n, uint64_t off, const struct chan_seg *segs,
		  unsigned nseg, uint64_t len)
{
	uint64_t end = off + len;
	list_for_each(it, &n->pages) {
		struct srv_page *pg = list_entry(it, struct srv_page, node_link);
		if (pg->off + PAGE_SIZE <= off || pg->off >= end)
			continue;
		uint64_t from = MAX(pg->off, off), to = MIN(pg->off + PAGE_SIZE, end);
		char *dst = (char *)phys_to_virt(pg->pa) + (from - pg->off);
		/* A fault here means another thread unmapped the buffer after
		 * the server read it: those bytes stay as they were. */
		(void)copy_from_segs(segs, nseg, from - off, dst, to - from);
		page_changed(pg->pa);
	}
}

void
srv_pages_resize(struct srv_node *n, uint64_t old_size, uint64_t new_size)
{
	uint64_t keep = ALIGN_UP(new_size, PAGE_SIZE);
	if (new_size < old_size) {
		vm_file_unmap(n->inode, keep);
		list_for_each_safe(it, nx, &n->pages) {
			struct srv_page *pg = list_entry(it, struct srv_page,
							 node_link);
			if (pg->off >= keep)
				page_drop(pg);
		}
	}
	/* Past the end of the file a page reads zero (what the server has). */
	uint64_t tail = MIN(old_size, new_size);
	struct srv_page *pg = page_find(n, tail & ~(uint64_t)(PAGE_SIZE - 1));
	if (pg && (tail & (PAGE_SIZE - 1))) {
		memset((char *)phys_to_virt(pg->pa) + (tail & (PAGE_SIZE - 1)), 0,
		       PAGE_SIZE - (tail & (PAGE_SIZE - 1)));
		page_changed(pg->pa);
	}
}

/* Keeps a zeroed page at off for n; false when memory is short. */
static bool
keep_zero_page(struct srv_node *n, uint64_t off)
{
	paddr_t pa = page_alloc();
	struct srv_page *pg = pa ? kmalloc(sizeof(*pg)) : NULL;
	if (!pg) {
		if (pa)
			page_put(pa);
		return false;
	}
	*pg = (struct srv_page){ .node = n, .pa = pa, .off = off };
	list_push_back(&page_hash[page_hash_of(n, off)], &pg->hash_link);
	list_push_back(&n->pages, &pg->node_link);
	return true;
}

void
srv_pages_grown(struct srv_node *n, uint64_t old_size, uint64_t new_size)
{
	uint64_t from = ALIGN_UP(old_size, PAGE_SIZE);
	uint64_t to = ALIGN_UP(new_size, PAGE_SIZE);
	if (!page_hash_ready || to <= from)
		return;
	list_for_each(it, &n->inode->maps) {
		struct region *r = list_entry(it, struct region, file_link);
		if (!(r->flags & MAP_SHARED))
			continue;
		uint64_t start = MAX(from, r->file_off);
		uint64_t end = MIN(to, r->file_off + (r->end - r->start));
		for (uint64_t off = start; off < end; off += PAGE_SIZE) {
			/* As map_prepare: half of free memory stays free. */
			if (page_free_count() < (end - off) / PAGE_SIZE * 2)
				return;
			if (!page_find(n, off) && !keep_zero_page(n, off))
				return;
		}
	}
}

void
srv_pages_free(struct srv_node *n)
{
	while (!list_empty(&n->pages))
		page_drop(list_entry(n->pages.next, struct srv_page, node_link));
}

/* ---- Reading pages in ------------------------------------------------------------ */

/* Reads count pages from off into pages[] (zero past the end). */
static int
fill_pages(struct srv_node *n, uint64_t off, paddr_t *pages, unsigned count,
	   char *bounce)
{
	struct pt_fs_msg m = { .op = PT_FS_READ, .ino = n->inode->ino,
			       .off = off };
	struct chan_seg seg = srv_kseg(bounce, (size_t)count * PAGE_SIZE,
				       PT_SEG_OUT);
	long r = srv_call(n, &m, NULL, &seg, 1);
	if (r < 0)
		return (int)r;
	size_t got = MIN((size_t)r, (size_t)count * PAGE_SIZE);
	memset(bounce + got, 0, (size_t)count * PAGE_SIZE - got);
	for (unsigned i = 0; i < count; i++)
		memcpy(phys_to_virt(pages[i]), bounce + (size_t)i * PAGE_SIZE,
		       PAGE_SIZE);
	return 0;
}

/* Keeps pages[0..count) as n's pages from pos on, each unless pos came to
 * be kept while the fill slept; frees the rest. */
static int
keep_pages(struct srv_node *n, uint64_t pos, paddr_t *pages, unsigned count)
{
	int e = 0;
	for (unsigned i = 0; i < count; i++) {
		uint64_t off = pos + (uint64_t)i * PAGE_SIZE;
		struct srv_page *pg = page_find(n, off) ? NULL :
				      kmalloc(sizeof(*pg));
		if (!pg) {
			page_put(pages[i]);
			if (!page_find(n, off))
				e = -ENOMEM;
			continue;
		}
		*pg = (struct srv_page){ .node = n, .pa = pages[i], .off = off };
		list_push_back(&page_hash[page_hash_of(n, off)], &pg->hash_link);
		list_push_back(&n->pages, &pg->node_link);
	}
	return e;
}

int
srv_map_prepare(struct inode *ino, uint64_t off, uint64_t len)
{
	struct srv_node *n = srv_node(ino);
	if (!page_hash_ready) {
		for (int i = 0; i < PAGE_HASH; i++)
			list_init(&page_hash[i]);
		page_hash_ready = true;
	}
	uint64_t end = ALIGN_UP(off + len, PAGE_SIZE);
	if (end < off)
		return -EINVAL;
	/* Keep half of free memory free: a mapping is not worth the machine. */
	if ((end - (off & ~(uint64_t)(PAGE_SIZE - 1))) / PAGE_SIZE > page_free_count() / 2)
		return -ENOMEM;
	char *bounce = kmalloc(FILL_BYTES);
	if (!bounce)
		return -ENOMEM;
	int e = 0;
	uint64_t pos = off & ~(uint64_t)(PAGE_SIZE - 1);
	while (pos < end && e == 0) {
		if (page_find(n, pos)) {
			pos += PAGE_SIZE;
			continue;
		}
		/* A run of missing pages, read in one call. */
		paddr_t pages[FILL_BYTES / PAGE_SIZE];
		unsigned count = 0;
		while (count < FILL_BYTES / PAGE_SIZE &&
		       pos + (uint64_t)count * PAGE_SIZE < end &&
		       !page_find(n, pos + (uint64_t)count * PAGE_SIZE)) {
			pages[count] = page_alloc();
			if (!pages[count])
				break;
			count++;
		}
		if (count == 0) {
			e = -ENOMEM;
			break;
		}
		e = fill_pages(n, pos, pages, count, bounce);
		if (e == 0) {
			e = keep_pages(n, pos, pages, count);
		} else {
			for (unsigned i = 0; i < count; i++)
				page_put(pages[i]);
		}
		pos += (uint64_t)count * PAGE_SIZE;
	}
	kfree(bounce);
	return e;
}
