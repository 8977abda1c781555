/*
 * Open files of server-backed file systems (kernel/fs/srvfs.c): reads and
 * writes move straight between the caller's buffers and the server (the
 * call's segments), directories come back as linux_dirent64 records the
 * kernel checks before anyone parses them, and mmap and exec get pages
 * read from the server when they map (map_prepare), kept with the inode
 * and refreshed after writes through the file.
 */
#include <kernel/srvfs.h>
#include <kernel/ipc.h>
#include <kernel/proc.h>
#include <kernel/page.h>
#include <kernel/kmalloc.h>
#include <kernel/string.h>
#include <kernel/errno.h>
#include <kernel/vm.h>
#include <arch/mmu.h>

#define RW_MAX 0x7ffff000ul		/* Linux's MAX_RW_COUNT */
#define FILL_BYTES 65536		/* a page fill's read */
#define PAGE_HASH 256

/* A page of file data the kernel keeps for mappings. */
struct srv_page {
	struct list hash_link;		/* page_hash, by (node, off) */
	struct list node_link;		/* srv_node.pages */
	struct srv_node *node;
	uint64_t off;
	paddr_t pa;
};

static struct list page_hash[PAGE_HASH];
static bool page_hash_ready;

static struct chan_seg
kseg(void *p, size_t len, uint32_t flags)
{
	return (struct chan_seg){ .addr = (uint64_t)(uintptr_t)p, .len = len,
				  .flags = flags, .kernel = true };
}

/* ---- Pages for mmap and exec ------------------------------------------------ */

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

paddr_t
srv_getpage(struct inode *ino, uint64_t off, bool fill)
{
	(void)fill;	/* only map_prepare reads pages in: it may sleep */
	struct srv_page *pg = page_find(srv_node(ino), off);
	return pg ? pg->pa : 0;
}

void
srv_pages_free(struct srv_node *n)
{
	while (!list_empty(&n->pages)) {
		struct srv_page *pg = list_entry(n->pages.next, struct srv_page,
						 node_link);
		list_remove(&pg->node_link);
		list_remove(&pg->hash_link);
		page_put(pg->pa);	/* mappings hold their own references */
		kfree(pg);
	}
}

/* Reads count pages from off into pages[] (zero past the end). */
static int
fill_pages(struct srv_node *n, uint64_t off, paddr_t *pages, unsigned count,
	   char *bounce)
{
	struct pt_fs_msg m = { .op = PT_FS_READ, .ino = n->inode->ino,
			       .off = off };
	struct chan_seg seg = kseg(bounce, (size_t)count * PAGE_SIZE, PT_SEG_OUT);
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
		for (unsigned i = 0; i < count; i++) {
			struct srv_page *pg = e ? NULL : kmalloc(sizeof(*pg));
			if (!pg) {
				page_put(pages[i]);
				e = e ? e : -ENOMEM;
				continue;
			}
			*pg = (struct srv_page){ .node = n, .pa = pages[i],
						 .off = pos + (uint64_t)i * PAGE_SIZE };
			list_push_back(&page_hash[page_hash_of(n, pg->off)],
				       &pg->hash_link);
			list_push_back(&n->pages, &pg->node_link);
		}
		pos += (uint64_t)count * PAGE_SIZE;
	}
	kfree(bounce);
	return e;
}

void
srv_pages_refresh(struct srv_node *n, uint64_t off, uint64_t len)
{
	if (list_empty(&n->pages) || len == 0)
		return;
	char *bounce = kmalloc(PAGE_SIZE);
	if (!bounce)
		return;
	uint64_t end = off + len < off ? ~0ull : off + len;
	list_for_each(it, &n->pages) {
		struct srv_page *pg = list_entry(it, struct srv_page, node_link);
		if (pg->off + PAGE_SIZE > off && pg->off < end)
			fill_pages(n, pg->off, &pg->pa, 1, bounce);
	}
	kfree(bounce);
}

/* ---- Data ------------------------------------------------------------------- */

static int
srv_open(struct file *f)
{
	struct srv_node *n = srv_node(f->inode);
	return n->epoch == n->fs->epoch && n->fs->chan ? 0 : -EIO;
}

/* One READ or WRITE call of up to PT_SEG_MAX segments at *off. */
static long
rw_call(struct file *f, const struct chan_seg *segs, unsigned nseg,
	bool write, uint64_t *off)
{
	struct inode *ino = f->inode;
	struct srv_node *n = srv_node(ino);
	bool append = write && (f->flags & O_APPEND);
	struct pt_fs_msg m = {
		.op = write ? PT_FS_WRITE : PT_FS_READ, .ino = ino->ino,
		.off = *off, .flags = append ? PT_FS_APPEND : 0,
	};
	struct pt_fs_reply rep;
	size_t want = 0;
	for (unsigned i = 0; i < nseg; i++)
		want += segs[i].len;
	long r = srv_call(n, &m, &rep, segs, nseg);
	if (r < 0)
		return r;
	if ((size_t)r > want)
		return -EIO;	/* a server that claims more than it was given */
	if (write) {
		srv_attr_apply(ino, &rep.attr);
		uint64_t start = append ? ino->size - MIN(ino->size, (uint64_t)r) : *off;
		srv_pages_refresh(n, start, (uint64_t)r);
		*off = start + (uint64_t)r;
	} else {
		*off += (uint64_t)r;
	}
	return r;
}

static long
srv_read(struct file *f, void *buf, size_t len, uint64_t *off)
{
	struct chan_seg seg = kseg(buf, len, PT_SEG_OUT);
	return rw_call(f, &seg, 1, false, off);
}

static long
srv_write(struct file *f, const void *buf, size_t len, uint64_t *off)
{
	struct chan_seg seg = kseg((void *)buf, len, PT_SEG_IN);
	return rw_call(f, &seg, 1, true, off);
}

/* The caller's iovecs, PT_SEG_MAX at a time, until one call comes up short. */
static long
srv_rw_at(struct file *f, const struct uiovec *iov, int n, bool write,
	  uint64_t *off)
{
	uint32_t flags = write ? PT_SEG_IN : PT_SEG_OUT;
	size_t total = 0;
	int i = 0;
	while (i < n && total < RW_MAX) {
		struct chan_seg segs[PT_SEG_MAX];
		unsigned nseg = 0;
		size_t want = 0;
		for (; i < n && nseg < PT_SEG_MAX && total + want < RW_MAX; i++) {
			if (iov[i].len == 0)
				continue;
			size_t len = MIN(iov[i].len, RW_MAX - total - want);
			if (!user_range_ok(iov[i].base, len))
				return total ? (long)total : -EFAULT;
			segs[nseg++] = (struct chan_seg){ .addr = iov[i].base,
							 .len = len,
							 .flags = flags };
			want += len;
		}
		if (nseg == 0)
			break;
		long r = rw_call(f, segs, nseg, write, off);
		if (r < 0)
			return total ? (long)total : r;
		total += (size_t)r;
		if ((size_t)r < want)
			break;
	}
	return (long)total;
}

static int
srv_fsync(struct file *f, bool datasync)
{
	struct pt_fs_msg m = { .op = PT_FS_FSYNC, .ino = f->inode->ino,
			       .flags = datasync ? PT_FS_DATASYNC : 0 };
	long r = srv_call(srv_node(f->inode), &m, NULL, NULL, 0);
	return r < 0 ? (int)r : 0;
}

/* ---- Directories ------------------------------------------------------------- */

/* True if buf holds len bytes of well-formed linux_dirent64 records. */
static bool
dirents_ok(const uint8_t *buf, size_t len)
{
	size_t at = 0;
	while (at < len) {
		uint16_t reclen;
		if (len - at < 24)
			return false;
		memcpy(&reclen, buf + at + 16, 2);
		if (reclen < 24 || reclen % 8 || reclen > len - at)
			return false;
		if (strnlen((const char *)buf + at + 19, reclen - 19u) ==
		    reclen - 19u || buf[at + 19] == 0)
			return false;	/* no terminator, or no name */
		at += reclen;
	}
	return true;
}

static long
srv_getdents(struct file *f, void *buf, size_t len, uint64_t *pos)
{
	struct pt_fs_msg m = { .op = PT_FS_READDIR, .ino = f->inode->ino,
			       .off = *pos };
	struct pt_fs_reply rep;
	struct chan_seg seg = kseg(buf, len, PT_SEG_OUT);
	long r = srv_call(srv_node(f->inode), &m, &rep, &seg, 1);
	if (r < 0)
		return r;
	if ((size_t)r > len || !dirents_ok(buf, (size_t)r))
		return -EIO;
	if (r > 0)
		*pos = rep.pos;	/* 0 bytes: the end, and the position stays */
	return r;
}

const struct file_ops srv_file_fops = {
	.open = srv_open,
	.read = srv_read,
	.write = srv_write,
	.rw_at = srv_rw_at,
	.fsync = srv_fsync,
	.seekable = true,
};

const struct file_ops srv_dir_fops = {
	.open = srv_open,
	.getdents = srv_getdents,
	.fsync = srv_fsync,
	.seekable = true,
};
